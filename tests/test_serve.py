"""`assetreg serve` and `serve-passwd`: hashed credentials, the read-only gate, per-compound auth."""

from __future__ import annotations

import base64
import json
import re
import stat
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from test_fava_fixture import build_compound

from assetreg.cli import main
from assetreg.errors import BadInput
from assetreg.serve import (
    hash_password,
    make_app,
    parse_auth_text,
    set_password,
    slugs,
    verify_password,
)

PASSWORD_A = "jinghu-resident-2025"
PASSWORD_B = "other-compound-pass"


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture(scope="module")
def two_compounds(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("serve")
    a, b = base / "compound-a", base / "compound-b"
    build_compound(a, "甲小区")
    build_compound(b, "乙小区")
    auth = base / "auth.txt"
    set_password(auth, "compound-a", "resident", PASSWORD_A)
    set_password(auth, "compound-b", "resident", PASSWORD_B)
    app = make_app([a, b], auth)
    s = slugs(app)
    return app, "/" + quote(s["compound-a"]), "/" + quote(s["compound-b"]), auth


def test_hash_is_salted_and_verifies() -> None:
    h1, h2 = hash_password("correct horse"), hash_password("correct horse")
    assert h1 != h2 and h1.startswith("scrypt$14$8$1$")
    assert "correct horse" not in h1
    assert verify_password("correct horse", h1)
    assert not verify_password("correct horsE", h1)
    assert not verify_password("x", "md5$whatever")


def test_set_password_writes_only_hashes_and_replaces(tmp_path: Path) -> None:
    auth = tmp_path / "auth.txt"
    set_password(auth, "qjp-jinghu-garden", "resident", "first-password")
    set_password(auth, "qjp-jinghu-garden", "auditor", "auditor-password")
    set_password(auth, "qjp-jinghu-garden", "resident", "second-password")
    text = auth.read_text(encoding="utf-8")
    assert "password" not in text.replace("plain passwords", "")
    assert stat.S_IMODE(auth.stat().st_mode) == 0o600
    users = parse_auth_text(text).for_compound("qjp-jinghu-garden")
    assert sorted(users) == ["auditor", "resident"]
    assert verify_password("second-password", users["resident"])
    assert not verify_password("first-password", users["resident"])


@pytest.mark.parametrize(("line", "problem"), [
    ("qjp:resident:hunter22", "not a salted scrypt hash"),
    ("qjp resident scrypt$14$8$1$00$00", "expected compound:user:hash"),
    ("qjp:resident:scrypt$14$8$1$zz$00", "not a salted scrypt hash"),
])
def test_malformed_auth_lines_are_refused(line: str, problem: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_auth_text(f"# comment\n{line}\n", "auth.txt")
    assert problem in err.value.problem and "line 2" in err.value.problem
    assert "serve-passwd" in (err.value.fix or "")


def test_short_passwords_and_bad_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="shorter than 8"):
        set_password(tmp_path / "a", "qjp", "resident", "short")
    with pytest.raises(BadInput, match="malformed user"):
        set_password(tmp_path / "a", "qjp", "res:ident", "long-enough-pass")
    assert not (tmp_path / "a").exists()


def test_login_required_per_compound(two_compounds) -> None:  # type: ignore[no-untyped-def]
    app, a, b, _ = two_compounds
    client = app.test_client()
    page = "/extension/AssetRegistry/"
    r = client.get(a + page)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith('Basic realm="assetreg compound-a"')
    assert client.get(a + page, headers=basic("resident", "wrong-password")).status_code == 401
    assert client.get(a + page, headers=basic("nobody", PASSWORD_A)).status_code == 401
    ok = client.get(a + page, headers=basic("resident", PASSWORD_A))
    assert ok.status_code == 200 and "甲小区" in ok.get_data(as_text=True)
    # compound A's credentials do not open compound B, nor its API
    assert client.get(b + page, headers=basic("resident", PASSWORD_A)).status_code == 401
    assert client.get(b + "/api/ledger_data", headers=basic("resident", PASSWORD_A)).status_code == 401
    assert client.get(b + page, headers=basic("resident", PASSWORD_B)).status_code == 200
    # a second request with the same header is served from the verified cache, still correct
    assert client.get(a + page, headers=basic("resident", PASSWORD_A)).status_code == 200
    assert client.get(a + page, headers={"Authorization": "Basic !!!"}).status_code == 401


def test_public_paths_and_unknown_prefixes(two_compounds) -> None:  # type: ignore[no-untyped-def]
    app, _, _, _ = two_compounds
    client = app.test_client()
    assert client.get("/static/app.css").status_code == 200  # Fava's own stylesheet, no data
    assert client.get("/").status_code == 302
    assert client.get("/no-such-compound/extension/AssetRegistry/").status_code == 404


def test_non_get_refused_even_when_logged_in(two_compounds) -> None:  # type: ignore[no-untyped-def]
    app, a, _, _ = two_compounds
    client = app.test_client()
    for method in ("POST", "PUT", "DELETE"):
        r = client.open(a + "/api/source", method=method, headers=basic("resident", PASSWORD_A),
                        json={"file_path": "x", "source": "", "sha256sum": ""})
        assert r.status_code == 401
        assert "只读" in r.get_data(as_text=True)


def test_chinese_whatever_the_browser_asks(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    build_compound(root)
    main_file = root / "main.beancount"
    # a ledger without the language option still gets the Chinese interface
    main_file.write_text(main_file.read_text(encoding="utf-8").replace(
        '2000-01-01 custom "fava-option" "language" "zh"\n', ""), encoding="utf-8")
    app = make_app([root])
    r = app.test_client().get("/" + quote(slugs(app)["demo"]) + "/income_statement/",
                              headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.status_code == 200
    assert translations(r.get_data(as_text=True))["Income Statement"] == "损益表"


def translations(html: str) -> dict[str, str]:
    """The interface strings Fava hands its frontend with the page."""
    found = re.search(r'<script type="application/json" id="translations">(.*?)</script>', html, re.S)
    assert found is not None
    return dict(json.loads(found[1]))


def test_cli_bad_input_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["serve", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "not a compound ledger" in r.output
    root = tmp_path / "demo"
    build_compound(root)
    r = runner.invoke(main, ["serve", str(root), "--auth-file", str(tmp_path / "none.txt")])
    assert r.exit_code == 2 and "auth file" in r.output
    auth = tmp_path / "auth.txt"
    set_password(auth, "elsewhere", "resident", PASSWORD_A)
    r = runner.invoke(main, ["serve", str(root), "--auth-file", str(auth)])
    assert r.exit_code == 2 and "no user for compound(s) demo" in r.output
    r = runner.invoke(main, ["serve", str(root), str(root)])
    assert r.exit_code == 2 and "given twice" in r.output


def test_cli_serve_passwd(tmp_path: Path) -> None:
    runner = CliRunner()
    auth = tmp_path / "auth.txt"
    r = runner.invoke(main, ["serve-passwd", str(auth), "qjp-jinghu-garden", "resident",
                             "--password-stdin"], input="a-long-password\n")
    assert r.exit_code == 0, r.output
    users = parse_auth_text(auth.read_text(encoding="utf-8")).for_compound("qjp-jinghu-garden")
    assert verify_password("a-long-password", users["resident"])
    before = auth.read_bytes()
    r = runner.invoke(main, ["serve-passwd", str(auth), "qjp-jinghu-garden", "resident",
                             "--password-stdin"], input="short\n")
    assert r.exit_code == 2 and "shorter than 8" in r.output
    assert auth.read_bytes() == before
    # a compound given as a path is named by its folder
    root = tmp_path / "demo"
    build_compound(root)
    r = runner.invoke(main, ["serve-passwd", str(auth), str(root), "auditor", "--password-stdin"],
                      input="auditor-password\n")
    assert r.exit_code == 0, r.output
    assert "demo" in parse_auth_text(auth.read_text(encoding="utf-8")).users
