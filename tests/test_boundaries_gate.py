"""The residents' gate (`assetreg.serve.ResidentsGate`) tested as WSGI, not through Fava.

Fava has a read-only mode of its own, and Flask answers unknown methods with 405, so a
test through the Flask client cannot tell a gate that lets PATCH through from one that
does not. Here the wrapped application is a recorder: any request that reaches it got
past the gate.

What is right:
* GET and HEAD pass. HEAD is GET without a body (RFC 9110 §9.3.2, and every
  general-purpose server must support both, §9.1); Werkzeug answers it with the GET view,
  so it reads exactly what GET reads and writes nothing. Link checkers and uptime probes
  send HEAD.
* Everything else is refused before Fava sees it, including OPTIONS: the pages are
  same-origin, nothing needs a CORS preflight, and a read-only ledger has no use for
  method discovery; fewer methods is less surface. TRACE and CONNECT never make sense
  here. Method names are case-sensitive (RFC 9110 §9.1): ``get`` is not GET.
* The method check comes before the login check: a write with valid credentials is still
  refused.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from assetreg.serve import AuthFile, AuthLimiter, ResidentsGate, hash_password

PASSWORD = "jinghu-resident-2025"
# A cheap scrypt (n = 2**10) keeps the test fast; the gate reads the cost from the hash.
HASH = hash_password(PASSWORD, log2_n=10, salt=b"0123456789abcdef")

REFUSED = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND",
           "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "LINK", "UNLINK", "PURGE",
           "QUERY", "SEARCH", "get", "head", "Get", "post", "patch", " GET", "GET ", "GETX",
           "G", "", "HEADX", "BREW"]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.calls.append(dict(environ))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"fava"]


def call(gate: ResidentsGate, method: str | None, path: str = "/jinghu/income/",
         **headers: str) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {"PATH_INFO": path, "HTTP_ACCEPT_LANGUAGE": "en", **headers}
    if method is not None:
        environ["REQUEST_METHOD"] = method
    got: dict[str, Any] = {}

    def start_response(status: str, hdrs: list[tuple[str, str]]) -> None:
        got["status"], got["headers"] = status, dict(hdrs)

    body = b"".join(gate(environ, start_response))
    return got["status"], got["headers"], body


def slug(s: str) -> str | None:
    return {"jinghu": "qjp-jinghu-garden", "other": "other-compound"}.get(s)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def open_gate() -> tuple[ResidentsGate, Recorder]:
    app = Recorder()
    return ResidentsGate(app, slug), app


@pytest.fixture
def locked_gate() -> tuple[ResidentsGate, Recorder]:
    app = Recorder()
    auth = AuthFile({"qjp-jinghu-garden": {"resident": HASH}})
    # No back-off here (these tests send many bad logins from one client on purpose);
    # the back-off has its own tests in tests/security/test_serve_auth.py.
    return ResidentsGate(app, slug, auth, limiter=AuthLimiter(free=1000)), app


@pytest.mark.parametrize("method", REFUSED)
def test_every_other_method_is_refused_before_fava(open_gate, method: str) -> None:  # type: ignore[no-untyped-def]
    gate, app = open_gate
    status, headers, body = call(gate, method)
    assert status == "401 UNAUTHORIZED"
    assert "只读" in body.decode("utf-8") and "only GET" in body.decode("utf-8")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))
    assert app.calls == []


@pytest.mark.parametrize("method", ["PATCH", "POST", "PUT", "DELETE", "OPTIONS", "PROPFIND"])
def test_writes_refused_even_with_valid_credentials(locked_gate, method: str) -> None:  # type: ignore[no-untyped-def]
    gate, app = locked_gate
    status, headers, body = call(gate, method, HTTP_AUTHORIZATION=basic("resident", PASSWORD))
    assert status == "401 UNAUTHORIZED" and "只读" in body.decode("utf-8")
    assert "WWW-Authenticate" not in headers  # not a login prompt: no login would help
    assert app.calls == []


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_get_and_head_pass_in_chinese(open_gate, method: str) -> None:  # type: ignore[no-untyped-def]
    gate, app = open_gate
    status, _, body = call(gate, method)
    assert (status, body) == ("200 OK", b"fava")
    assert len(app.calls) == 1
    assert app.calls[0]["REQUEST_METHOD"] == method
    assert app.calls[0]["HTTP_ACCEPT_LANGUAGE"] == "zh"  # whatever the browser asked


def test_a_request_without_a_method_is_read_as_get(open_gate) -> None:  # type: ignore[no-untyped-def]
    gate, app = open_gate
    assert call(gate, None)[0] == "200 OK" and len(app.calls) == 1


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reads_need_the_compounds_login(locked_gate, method: str) -> None:  # type: ignore[no-untyped-def]
    gate, app = locked_gate
    status, headers, body = call(gate, method)
    assert status == "401 UNAUTHORIZED"
    assert headers["WWW-Authenticate"] == 'Basic realm="assetreg qjp-jinghu-garden", charset="UTF-8"'
    assert "login required" in body.decode("utf-8") and "只读" not in body.decode("utf-8")
    for bad in (basic("resident", PASSWORD + "x"), basic("nobody", PASSWORD),
                basic("resident", PASSWORD)[:-2], "Bearer x", "basic " + basic("resident", PASSWORD)[6:],
                "Basic !!!", "Basic " + base64.b64encode(b"\xff\xfe:x").decode(), ""):
        assert call(gate, method, HTTP_AUTHORIZATION=bad)[0] == "401 UNAUTHORIZED", bad
    assert app.calls == []
    good = basic("resident", PASSWORD)
    assert call(gate, method, HTTP_AUTHORIZATION=good)[0] == "200 OK"
    assert call(gate, method, HTTP_AUTHORIZATION=good)[0] == "200 OK"  # cached digest
    assert len(app.calls) == 2


def test_credentials_of_one_compound_do_not_open_another(locked_gate) -> None:  # type: ignore[no-untyped-def]
    gate, app = locked_gate
    good = basic("resident", PASSWORD)
    assert call(gate, "GET", "/jinghu/", HTTP_AUTHORIZATION=good)[0] == "200 OK"
    # cached for jinghu; the cache is keyed by compound, so it does not open the other one
    assert call(gate, "GET", "/other/", HTTP_AUTHORIZATION=good)[0] == "401 UNAUTHORIZED"
    assert len(app.calls) == 1


@pytest.mark.parametrize(("path", "status"), [
    ("/", "200 OK"), ("", "200 OK"), ("/jump", "200 OK"), ("/favicon.ico", "200 OK"),
    ("/static/app.css", "200 OK"), ("/nowhere/income/", "404 NOT FOUND"),
    ("/static-not/x", "404 NOT FOUND"), ("/jinghu/", "401 UNAUTHORIZED"),
    ("/jinghu", "401 UNAUTHORIZED"), ("//jinghu/", "401 UNAUTHORIZED"),
])
def test_public_paths_and_unknown_compounds(locked_gate, path: str, status: str) -> None:  # type: ignore[no-untyped-def]
    gate, _ = locked_gate
    assert call(gate, "GET", path)[0] == status


def test_percent_decoded_utf8_slug(locked_gate) -> None:  # type: ignore[no-untyped-def]
    app = Recorder()
    gate = ResidentsGate(app, lambda s: "qjp-jinghu-garden" if s == "景湖" else None,
                         AuthFile({"qjp-jinghu-garden": {"resident": HASH}}))
    # PEP 3333: PATH_INFO carries the UTF-8 bytes as latin-1
    path = "/景湖/income/".encode().decode("latin-1")
    assert call(gate, "GET", path, HTTP_AUTHORIZATION=basic("resident", PASSWORD))[0] == "200 OK"
    assert call(gate, "GET", "/\udcff/")[0] == "404 NOT FOUND"  # not latin-1: read as is


def test_without_auth_file_any_compound_path_passes(open_gate) -> None:  # type: ignore[no-untyped-def]
    gate, app = open_gate
    assert call(gate, "GET", "/nowhere/")[0] == "200 OK"
    assert len(app.calls) == 1
