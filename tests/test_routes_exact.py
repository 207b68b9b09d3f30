"""The residents' route allow-list as plain functions, value by value: each endpoint's
verdict, the refusal pages word for word, evidence paths on both sides of the documents
folder, the read-only stylesheet, the headers every answer gets and the scrubbed
``ledger-data``. (scripts/mutation.sh routes; tests/security/test_serve_routes.py checks
the same through a served Fava.)"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

import pytest

from assetreg import serve_policy as sp
from assetreg.serve_policy import (
    ALLOW,
    CLOSED,
    NO_DOCUMENT,
    NOT_FOUND,
    OFF_SITE,
    READ_ONLY,
    Verdict,
    decide,
)


def verdict(endpoint: str, args: dict[str, Any] | None = None, query: dict[str, str] | None = None,
            same_site: bool = True) -> Verdict:
    return decide(endpoint, args or {}, query or {}, lambda name: Verdict(404, f"doc {name}"), lambda: same_site)


@pytest.mark.parametrize(("endpoint", "args", "want"), [
    ("static", {}, ALLOW), ("index", {}, ALLOW), ("account", {"name": "Income"}, ALLOW),
    ("report", {"report_name": "income_statement"}, ALLOW),
    ("report", {"report_name": "balance_sheet"}, ALLOW),
    ("report", {"report_name": "trial_balance"}, ALLOW),
    ("report", {"report_name": "journal"}, Verdict(403, CLOSED)),
    ("report", {"report_name": "editor"}, Verdict(403, READ_ONLY)),
    ("report", {"report_name": "import"}, Verdict(403, READ_ONLY)),
    ("report", {}, Verdict(403, CLOSED)),
    ("extension_report", {"extension_name": "AssetsPage"}, None),
    ("extension_report", {"extension_name": "FavaDashboards"}, Verdict(403, CLOSED)),
    ("extension_js_module", {"extension_name": "Nope"}, Verdict(403, CLOSED)),
    ("extension_endpoint", {}, Verdict(403, CLOSED)),
    ("json_api.get_income_statement", {}, ALLOW), ("json_api.get_balance_sheet", {}, ALLOW),
    ("json_api.get_trial_balance", {}, ALLOW), ("json_api.get_account_report", {}, ALLOW),
    ("json_api.get_changed", {}, ALLOW), ("json_api.get_ledger_data", {}, ALLOW),
    ("json_api.get_source", {}, Verdict(403, READ_ONLY)),
    ("json_api.get_narrations", {}, Verdict(403, READ_ONLY)),
    ("json_api.put_add_entries", {}, Verdict(403, READ_ONLY)),
    ("json_api.delete_document", {}, Verdict(403, READ_ONLY)),
    ("json_api.get_journal", {}, Verdict(403, CLOSED)),
    ("json_api.get_query", {}, Verdict(403, CLOSED)),
    ("download_journal", {}, Verdict(403, CLOSED)),
    ("jsonapi.put_x", {}, Verdict(403, CLOSED)),
])
def test_each_endpoint_gets_its_verdict(endpoint: str, args: dict[str, Any], want: Verdict | None) -> None:
    if want is None:  # every one of our pages is open, by its class name
        for page in sp.OUR_PAGES:
            for kind in ("extension_report", "extension_js_module", "extension_endpoint"):
                assert verdict(kind, {"extension_name": page}) == ALLOW
        return
    assert verdict(endpoint, args) == want


def test_documents_and_jump_are_decided_by_their_checks() -> None:
    assert verdict("document", query={"filename": "documents/a.pdf"}) == Verdict(404, "doc documents/a.pdf")
    assert verdict("document") == Verdict(404, "doc ")
    assert verdict("jump", same_site=True) == ALLOW
    assert verdict("jump", same_site=False) == Verdict(403, OFF_SITE)
    assert ALLOW.allowed and not Verdict(403, CLOSED).allowed and Verdict(0, "", {}) == ALLOW


def test_the_listed_sets() -> None:
    assert frozenset({"AssetRegistry", "Contracts", "IncomeDisclosure", "PolicyLists", "SealsAudit"}) == sp.OUR_PAGES
    assert sp.closed_fava_reports() == sorted({*sp.CLIENT_SIDE_REPORTS, "holdings", "help"} - sp.FAVA_REPORTS)
    assert "income_statement" not in sp.closed_fava_reports() and "help" in sp.closed_fava_reports()
    assert sp.closed_fava_reports() == ["commodities", "documents", "editor", "errors", "events", "help", "holdings",
                                        "import", "journal", "options", "query", "statistics"]  # Fava 1.30


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(("status", "line"), [(403, "403 FORBIDDEN"), (404, "404 NOT FOUND"), (429, "429 ERROR")])
def test_a_refusal_to_the_frontend_is_json(status: int, line: str) -> None:
    got = sp.refusal(Verdict(status, "不行 <b>"), {"PATH_INFO": "/jinghu/api/source", "HTTP_ACCEPT": "text/html"})
    assert got == (line, "application/json", json.dumps({"error": "不行 <b>"}, ensure_ascii=False).encode("utf-8"))


def test_a_refusal_to_a_browser_is_a_small_chinese_page() -> None:
    status, kind, body = sp.refusal(Verdict(403, READ_ONLY), {"PATH_INFO": "/jinghu/editor/",
                                                                "HTTP_ACCEPT": "text/html,*/*"}, home="/jinghu/?a=1&b=<2>")
    assert (status, kind) == ("403 FORBIDDEN", "text/html; charset=utf-8")
    assert body.decode("utf-8") == (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>账本只读</title></head><body style="font-family:sans-serif;margin:2em;max-width:40em">'
        f'<h1>账本只读</h1><p id="assetreg-refusal">{READ_ONLY}</p>'
        '<p><a href="/jinghu/?a=1&amp;b=&lt;2&gt;">返回本小区首页</a></p></body></html>')
    _, _, closed = sp.refusal(Verdict(404, "<不在>"), {"PATH_INFO": "/x", "HTTP_ACCEPT": "text/html"})
    assert "<title>无法打开</title>" in closed.decode() and "<h1>无法打开</h1>" in closed.decode()
    assert '<p id="assetreg-refusal">&lt;不在&gt;</p>' in closed.decode() and 'href="/"' in closed.decode()


def test_a_refusal_to_anything_else_is_plain_text() -> None:
    assert sp.refusal(Verdict(403, CLOSED), {"PATH_INFO": "/jinghu/journal/"}) == (
        "403 FORBIDDEN", "text/plain; charset=utf-8", (CLOSED + "\n").encode("utf-8"))
    assert sp.refusal(Verdict(404, NOT_FOUND), {}) == (
        "404 NOT FOUND", "text/plain; charset=utf-8", (NOT_FOUND + "\n").encode("utf-8"))


# ------------------------------------------------------------------ evidence files


@pytest.fixture
def compound(tmp_path: Path) -> Path:
    root = tmp_path / "jinghu"
    (root / "documents" / "凭证").mkdir(parents=True)
    (root / "documents" / "a.pdf").write_bytes(b"%PDF")
    (root / "documents" / "凭证" / "b.png").write_bytes(b"png")
    (root / "main.beancount").write_text("", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    (root / "documents" / "link.pdf").symlink_to(tmp_path / "secret.txt")
    (root / "documents" / "dir").mkdir()
    (root / "documents2").mkdir()
    (root / "documents2" / "c.pdf").write_bytes(b"%PDF")
    return root


def test_evidence_is_a_file_under_documents_reached_without_links(compound: Path) -> None:
    docs = compound / "documents"
    assert sp.evidence_file(compound, "documents/a.pdf") == docs / "a.pdf"
    assert sp.evidence_file(compound, str(docs / "a.pdf")) == docs / "a.pdf"  # absolute, inside
    assert sp.evidence_file(compound, "documents/凭证/b.png") == docs / "凭证" / "b.png"
    for name in ("", "documents/a.pdf\0", "documents/../main.beancount", "documents/凭证/../a.pdf",
                 "main.beancount", "documents", "documents/", "documents/dir", "documents/missing.pdf",
                 "documents/link.pdf", "documents2/c.pdf", str(compound.parent / "secret.txt")):
        assert sp.evidence_file(compound, name) is None, name


def test_a_documents_folder_that_is_itself_a_link_serves_nothing(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    (real / "a.pdf").write_bytes(b"%PDF")
    root = tmp_path / "jinghu"
    root.mkdir()
    (root / "documents").symlink_to(real)
    assert sp.evidence_file(root, "documents/a.pdf") is None


# ------------------------------------------------------------------ what every page gets


def test_the_read_only_stylesheet_hides_exactly_the_editing_surfaces() -> None:
    css = sp.readonly_style(["journal", "editor"])
    assert css == (
        '<style id="assetreg-readonly">/* assetreg serve: 账本只读 */\n'
        'aside li:has(> a[href$="/editor/"]),\naside li:has(> a[href$="/import/"]),\n'
        'aside li:has(> a[href$="/journal/"]),\n'
        'aside a[href$="/editor/"],\naside a[href$="/import/"],\naside a[href$="/journal/"],\n'
        'a[href="#add-transaction"],\na[href="#export"],\n.aside-buttons a.button,\ndialog,\n'
        'button[data-key="?"] { display: none !important; }\n</style>')


class Reply:
    def __init__(self, status: str, kind: str, body: bytes) -> None:
        self.status, self.body = status, body
        self.headers: dict[str, str] = {"Content-Type": kind}

    def set_header(self, name: str, value: str) -> None:
        self.headers[name] = value

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@pytest.mark.parametrize(("status", "kind", "body", "styled"), [
    ("200 OK", "text/html; charset=utf-8", b"<html><head></head><head></head></html>", True),
    ("404 NOT FOUND", "text/html", b"<html><head></head></html>", False),
    ("200 OK", "application/json", b"</head>", False),
    ("200 OK", "text/html", b"<p>no head</p>", False),
])
def test_every_answer_gets_the_security_headers_and_full_pages_the_stylesheet(
        status: str, kind: str, body: bytes, styled: bool) -> None:
    edit = sp.PageEdit()
    assert edit.style == sp.readonly_style(sp.closed_fava_reports()).encode("utf-8")
    reply = Reply(status, kind, body)
    edit(reply, {})
    assert {k: reply.headers[k] for k, _ in sp.SECURITY_HEADERS} == dict(sp.SECURITY_HEADERS)
    assert reply.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
    if styled:  # once, before the first </head>
        assert reply.body == b"<html><head>" + edit.style + b"</head><head></head></html>"
    else:
        assert reply.body == body


# ------------------------------------------------------------------ ledger data


def test_paths_are_made_relative_and_text_scrubbed(tmp_path: Path) -> None:
    root = tmp_path / "jinghu"
    assert sp._relative(str(root / "journal.beancount"), root) == "journal.beancount"
    assert sp._relative([str(root / "a"), "other", 3], root) == ["a", "other", 3]
    assert sp._relative("/elsewhere/x", root) == "/elsewhere/x" and sp._relative(7, root) == 7
    assert sp.scrub_text(f"{root}{os.sep}main.beancount:3 and {root}!", root) == "main.beancount:3 and .!"


def test_ledger_data_keeps_nothing_of_the_servers_paths_or_the_payees(tmp_path: Path) -> None:
    root = tmp_path / "jinghu"
    data = {
        "options": {"filename": str(root / "main.beancount"), "include": [str(root / "a.beancount")],
                    "documents": [str(root / "documents")], "title": "景湖"},
        "fava_options": {"default_file": str(root / "main.beancount"), "import_config": "",
                         "import_dirs": [str(root / "in")], "locale": "zh"},
        "errors": [{"source": {"filename": str(root / "journal.beancount"), "lineno": 9, "extra": 1},
                    "message": f"bad at {root}{os.sep}journal.beancount", "type": "E"},
                   {"source": None, "message": "no source"}, {"message": f"in {root}"}],
        "account_details": {"Assets:Bank": {"meta": {"filename": str(root / "accounts.beancount"), "lineno": 3},
                                            "uptodate_status": None},
                            "Income": {"close_date": None}},
        "payees": ["张三", "物业公司"], "accounts": ["Assets:Bank"],
    }
    got = sp.scrub_ledger_data(data, root)
    assert got == {
        "options": {"filename": "main.beancount", "include": ["a.beancount"], "documents": ["documents"],
                    "title": "景湖"},
        "fava_options": {"default_file": "main.beancount", "import_config": "", "import_dirs": [], "locale": "zh"},
        "errors": [{"source": {"filename": "journal.beancount", "lineno": 9},
                    "message": "bad at journal.beancount", "type": "E"},
                   {"source": None, "message": "no source"}, {"message": "in .", "source": None}],
        "account_details": {"Assets:Bank": {"meta": {"filename": "accounts.beancount", "lineno": 3},
                                            "uptodate_status": None},
                            "Income": {"close_date": None, "meta": {}}},
        "payees": [], "accounts": ["Assets:Bank"],
    }
    assert data["payees"] == ["张三", "物业公司"]  # the input is left as it was
    assert sp.scrub_ledger_data({}, root) == {"options": {}, "fava_options": {}, "errors": [],
                                              "account_details": {}, "payees": []}
    odd = sp.scrub_ledger_data({"errors": [{"source": {"lineno": 2}, "message": "x"}],
                                "fava_options": {"import_config": str(root / "imp.py")}}, root)
    assert odd["errors"] == [{"source": {"filename": "", "lineno": 2}, "message": "x"}]
    assert odd["fava_options"] == {"import_config": "imp.py"}
    assert sp.scrub_ledger_data({"errors": [{"source": {"filename": "x"}}]}, root)["errors"] == [
        {"source": {"filename": "x", "lineno": 0}, "message": ""}]


# ------------------------------------------------------------------ through the served app


@pytest.fixture  # per test: mutmut credits a call to the test whose setup made it
def app_and_root(tmp_path: Path) -> tuple[Any, Path, str]:
    from test_fava_fixture import build_compound

    from assetreg.serve import make_app, slugs

    root = tmp_path / "jinghu"
    build_compound(root, "景湖花园")
    app = make_app([root])
    return app, root.resolve(), "/" + slugs(app)["jinghu"]


def env(path: str) -> dict[str, Any]:
    from werkzeug.test import EnvironBuilder

    return EnvironBuilder(path=path, method="GET").get_environ()


def test_a_get_to_a_write_only_url_matches_no_route(app_and_root: tuple[Any, Path, str]) -> None:
    app, _, prefix = app_and_root
    routes = sp.ResidentsRoutes(app)
    assert routes.check(env(prefix + "/api/add_entries")) == Verdict(404, NOT_FOUND)
    assert routes.check(env(prefix + "/api/source")) == Verdict(403, READ_ONLY)


def test_a_url_fava_redirects_is_decided_on_its_target(app_and_root: tuple[Any, Path, str]) -> None:
    app, _, prefix = app_and_root
    routes = sp.ResidentsRoutes(app)
    assert routes.match(env(prefix + "/income_statement"))[0] == "redirect"
    assert routes.check(env(prefix + "/income_statement")) == ALLOW
    assert routes.check(env(prefix + "/journal")) == Verdict(403, CLOSED)


def test_served_ledger_data_names_no_server_path_and_no_payee(app_and_root: tuple[Any, Path, str]) -> None:
    app, root, prefix = app_and_root
    client = app.test_client()
    api = client.get(prefix + "/api/ledger_data")
    text = api.get_data(as_text=True)
    assert api.status_code == 200 and str(root) not in text
    assert "景湖花园" in text  # written as characters, not \\u escapes
    data = json.loads(text)["data"]
    assert data["options"]["filename"] == "main.beancount" and data["payees"] == []
    page = client.get(prefix + "/income_statement/").get_data(as_text=True)
    assert str(root) not in page and '"filename": "main.beancount"' in page.replace('":"', '": "')


def test_evidence_links_are_relative_to_the_compound_folder(app_and_root: tuple[Any, Path, str]) -> None:
    app, root, prefix = app_and_root
    with app.test_request_context(prefix + "/"):
        from flask import g

        g.ledger = app.config["LEDGERS"][prefix[1:]]
        g.beancount_file_slug = prefix[1:]
        url_for = app.jinja_env.globals["url_for"]
        assert url_for("document", filename=str(root / "documents" / "P-001.pdf")) == (
            quote(prefix) + "/document/?filename=documents/P-001.pdf")
        assert url_for("document", filename=7).endswith("filename=7")  # not a path: left as it is
        assert url_for("index") == quote(prefix) + "/"  # other endpoints as Fava makes them


def test_what_matches_nothing_is_not_found(app_and_root: tuple[Any, Path, str]) -> None:
    app, _, prefix = app_and_root
    assert sp.ResidentsRoutes(app).check(env(prefix + "/no/such/page/")) == Verdict(404, NOT_FOUND)


@pytest.mark.parametrize("second", [None, ("redirect", {"to": "http://h/x/"})])
def test_a_redirect_to_nowhere_or_to_another_redirect_is_not_found(app_and_root: tuple[Any, Path, str],
                                                                   second: Any) -> None:
    routes = sp.ResidentsRoutes(app_and_root[0])
    answers = [("redirect", {"to": "http://h/%E6%99%AF/x"}), second]
    seen: list[str] = []
    routes.match = lambda environ: seen.append(environ["PATH_INFO"]) or answers.pop(0)  # type: ignore[method-assign]
    assert routes.check({"PATH_INFO": "/x"}) == Verdict(404, NOT_FOUND)
    assert seen == ["/x", "/" + "景".encode().decode("latin-1") + "/x"]  # the target, as WSGI carries it


def test_the_query_is_read_as_utf_8_whatever_the_server_hands_over(app_and_root: tuple[Any, Path, str]) -> None:
    app, root, prefix = app_and_root
    routes = sp.ResidentsRoutes(app)
    doc = env(prefix + "/document/")
    raw = "filename=documents/P-001.pdf&note=%E5%87%AD&blank="
    for query in (raw, "filename=documents/P-001.pdf&blank=&note=" + "凭".encode().decode("latin-1")):  # PEP 3333
        got = routes.check({**doc, "QUERY_STRING": query})
        assert got.allowed
        assert dict(parse_qsl(got.environ["QUERY_STRING"], keep_blank_values=True)) == {
            "filename": str(root / "documents" / "P-001.pdf"), "note": "凭", "blank": ""}
    bad = routes.check({**doc, "QUERY_STRING": "filename=documents/P-001.pdf&note=\xff"})  # not UTF-8: kept
    assert bad.allowed and "note=%C3%BF" in bad.environ["QUERY_STRING"]
    assert routes.check({k: v for k, v in doc.items() if k != "QUERY_STRING"}) == Verdict(404, NO_DOCUMENT)


def test_jump_goes_back_only_to_this_site(app_and_root: tuple[Any, Path, str]) -> None:
    app = app_and_root[0]
    routes = sp.ResidentsRoutes(app)
    jump = env("/jump")  # Fava's jump is at the root
    jump.pop("HTTP_HOST", None)
    cases = [
        ({"HTTP_HOST": "jinghu.example", "HTTP_REFERER": "https://jinghu.example/x/"}, ALLOW),
        ({"HTTP_HOST": "jinghu.example", "HTTP_REFERER": "http://jinghu.example/x/"}, ALLOW),
        ({"SERVER_NAME": "jinghu.example", "HTTP_REFERER": "https://jinghu.example/x/"}, ALLOW),
        ({"HTTP_HOST": "jinghu.example", "SERVER_NAME": "other", "HTTP_REFERER": "https://jinghu.example/"}, ALLOW),
        ({"HTTP_HOST": "jinghu.example", "HTTP_REFERER": "https://evil.example/"}, Verdict(403, OFF_SITE)),
        ({"HTTP_HOST": "jinghu.example", "HTTP_REFERER": "ftp://jinghu.example/"}, Verdict(403, OFF_SITE)),
        ({"HTTP_HOST": "jinghu.example"}, Verdict(403, OFF_SITE)),  # no referrer: nowhere to go back to
    ]
    for extra, want in cases:
        assert routes.check({**{k: v for k, v in jump.items() if k != "SERVER_NAME"}, **extra}) == want, extra


def test_evidence_of_a_compound_not_served_is_not_found(app_and_root: tuple[Any, Path, str]) -> None:
    app = app_and_root[0]
    got = sp.ResidentsRoutes(app).check({**env("/no-such-compound/document/"),
                                         "QUERY_STRING": "filename=documents/P-001.pdf"})
    assert got == Verdict(404, NO_DOCUMENT)


def test_only_evidence_links_are_rewritten(app_and_root: tuple[Any, Path, str]) -> None:
    app, root, prefix = app_and_root
    with app.test_request_context(prefix + "/"):
        from flask import g

        g.ledger = app.config["LEDGERS"][prefix[1:]]
        g.beancount_file_slug = prefix[1:]
        url = app.jinja_env.globals["url_for"]("report", report_name="income_statement", filename=str(root / "x"))
        assert quote(str(root / "x"), safe="") in url or str(root / "x") in url
