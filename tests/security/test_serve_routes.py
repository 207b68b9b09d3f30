"""What residents can reach under `assetreg serve` (issue 14): an allow-list over the installed
Fava's URL map, so a route a newer Fava adds is closed until someone opens it; and a crawl of
the served example compound as a resident finds no raw source, no owner key and no server path.

On main, ``/api/source?filename=…units.beancount`` returned the roster with every owner key,
and ``/api/journal``, ``/download-journal/`` the contract → owner key → unit links.
"""

from __future__ import annotations

import json
import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from fava.application import CLIENT_SIDE_REPORTS
from serve_fixtures import basic, copy_example

from assetreg import fava_ext
from assetreg.serve import make_app, set_password, slugs

OURS = list(fava_ext.__all__)
# The decision, written out here rather than read from assetreg.serve_policy, so a change
# to the allow-list has to change this table too.
OPEN_REPORTS = {"income_statement", "balance_sheet", "trial_balance"}
OPEN_APIS = {"get_income_statement", "get_balance_sheet", "get_trial_balance", "get_account_report",
             "get_changed", "get_ledger_data"}
READ_ONLY_APIS = {"get_source", "get_source_slice", "get_imports", "get_extract", "get_payee_accounts",
                  "get_payee_transaction", "get_narration_transaction", "get_narrations"}
OWNER_KEY = re.compile(r"OWN-\d{3,}")
RAW_SOURCE = ('custom "unit"', 'custom "contract"', 'option "title"', 'plugin "assetreg.plugin"',
              'include "')


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str, Path]:
    tmp = tmp_path_factory.mktemp("routes")
    root = copy_example(tmp)
    auth = tmp / "auth.txt"
    set_password(auth, root.name, "resident", "jinghu-garden-2025")
    app = make_app([root], auth)
    return app, "/" + quote(slugs(app)[root.name]), root


def _sample(rule: Any, prefix: str) -> list[str]:
    """URLs that exercise ``rule`` (every report name for Fava's catch-all report rule)."""
    args: dict[str, Any] = {}
    for name in rule.arguments:
        args[name] = {"bfile": "BFILE", "name": "Income:Common", "filename": "app.css",
                      "extension_name": OURS[0], "endpoint": "x", "page_slug": "_index",
                      "aggregation_key": "account", "result_format": "csv"}.get(name, "x")
    if rule.endpoint == "report":
        names = [*CLIENT_SIDE_REPORTS, "no_such_report"]
        return [rule.build({**args, "report_name": n})[1].replace("/BFILE", prefix) for n in names]
    if rule.endpoint in ("extension_report", "extension_js_module", "extension_endpoint"):
        return [rule.build({**args, "extension_name": n})[1].replace("/BFILE", prefix)
                for n in [*OURS, "NotOurs"]]
    url = rule.build(args)[1].replace("/BFILE", prefix)
    queries = {"json_api.get_source": "?filename=units.beancount",
               "json_api.get_account_report": "?a=Income:Common&r=journal",
               "document": "?filename=documents/2025-04-R-02-决议.pdf", "jump": "?time=2025"}
    return [url + queries.get(rule.endpoint, "")]


def _expected(endpoint: str, url: str) -> str:
    """'open', 'read-only' or 'closed' for a GET of ``url`` matched to ``endpoint``."""
    name = endpoint.removeprefix("json_api.")
    if endpoint in ("static", "index", "account", "jump", "document"):
        return "open"
    if endpoint == "report":
        report = unquote(url).rstrip("/").rsplit("/", 1)[-1]
        return "open" if report in OPEN_REPORTS else "read-only" if report in ("editor", "import") else "closed"
    if endpoint.startswith("extension"):
        return "closed" if "NotOurs" in url else "open"
    if endpoint.startswith("json_api."):
        if name in OPEN_APIS:
            return "open"
        return "read-only" if name in READ_ONLY_APIS or name.startswith(("put_", "delete_")) else "closed"
    return "closed"  # anything else Fava has or adds


def test_every_route_of_favas_url_map_is_open_or_closed_as_listed(served) -> None:  # type: ignore[no-untyped-def]
    app, prefix, _ = served
    client = app.test_client()
    seen = set()
    for rule in app.url_map.iter_rules():
        seen.add(rule.endpoint)
        for url in _sample(rule, prefix):
            want = _expected(rule.endpoint, url)
            if "GET" not in rule.methods:
                # PUT/DELETE-only: refused before Fava (401, read-only), and a GET finds nothing open
                for method in sorted(rule.methods - {"OPTIONS", "HEAD"}):
                    r = client.open(url, method=method, headers=basic(), json={})
                    assert r.status_code == 401 and "只读" in r.get_data(as_text=True), (method, url)
                assert client.get(url, headers=basic()).status_code in (403, 404), url
                continue
            r = client.get(url, headers={**basic(), "Accept": "text/html", "Referer": "http://localhost/"})
            body = r.get_data(as_text=True)
            if want == "open":
                assert r.status_code in (200, 302, 404), (url, r.status_code, body[:200])
                if rule.endpoint == "extension_endpoint" or rule.endpoint == "extension_js_module":
                    continue  # our pages have no JS module or endpoint: Fava's own 404
                assert r.status_code in (200, 302), (unquote(url)[-60:], r.status_code, body[-200:])
            else:
                assert r.status_code == 403, (url, r.status_code, body[:200])
                assert ("账本只读" in body) == (want == "read-only"), (url, body[:200])
                assert "不对居民开放" in body or want == "read-only", url
    # the table above covers Fava's routes by name: a renamed or new endpoint shows up here
    assert {"json_api.get_source", "json_api.get_journal", "download_journal", "report"} <= seen


def test_a_route_fava_adds_later_is_closed_by_default(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    app = make_app([root])
    # As if a newer Fava shipped another read endpoint (before the first request, as Flask wants).
    app.add_url_rule("/<bfile>/api/owners", "json_api.get_owners", lambda **_: "OWN-0001")
    app.add_url_rule("/<bfile>/export-all/", "export_all", lambda **_: "raw")
    prefix = "/" + quote(slugs(app)[root.name])
    client = app.test_client()
    for path in ("/api/owners", "/export-all/"):
        r = client.get(prefix + path)
        assert r.status_code == 403, path
        assert "OWN-" not in r.get_data(as_text=True)


def test_the_leaks_named_in_the_issue_are_closed(served) -> None:  # type: ignore[no-untyped-def]
    app, prefix, root = served
    client = app.test_client()
    for path in (f"/api/source?filename={root}/units.beancount", "/api/source?filename=units.beancount",
                 "/api/journal", "/api/narrations", "/download-journal/", "/journal/", "/editor/",
                 "/api/query?query_string=select%20*", "/download-query/query_result.csv?query_string=x",
                 "/api/context?entry_hash=x", "/api/errors", "/statement/?entry_hash=x&key=document",
                 f"/document/?filename={root}/units.beancount", "/document/?filename=documents/../units.beancount",
                 "/document/?filename=units.beancount"):
        r = client.get(prefix + path, headers=basic())
        assert r.status_code in (403, 404), path
        text = r.get_data(as_text=True)
        assert not OWNER_KEY.search(text) and str(root) not in text, path


def test_evidence_outside_documents_or_through_a_symlink_is_not_served(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    (root / "documents" / "roster.pdf").symlink_to(root / "units.beancount")
    (tmp_path / "outside").mkdir()
    (root / "documents" / "sub").symlink_to(tmp_path / "outside", target_is_directory=True)
    (tmp_path / "outside" / "x.pdf").write_bytes(b"%PDF-1.4 outside")
    app = make_app([root])
    prefix = "/" + quote(slugs(app)[root.name])
    client = app.test_client()
    ok = client.get(prefix + "/document/?filename=" + quote("documents/2025-04-R-02-决议.pdf"))
    assert ok.status_code == 200 and ok.data.startswith(b"%PDF")
    for name in ("documents/roster.pdf", "documents/sub/x.pdf", "documents/../units.beancount",
                 str(root / "units.beancount"), "/etc/passwd", "documents/", "documents/nope.pdf"):
        r = client.get(prefix + "/document/?filename=" + quote(name))
        assert r.status_code == 404, name
        assert b"OWN-" not in r.data and b"root:" not in r.data


@pytest.mark.parametrize(("referrer", "status"), [
    ("https://evil.example/phish", 403), ("//evil.example/x", 403), ("javascript:alert(1)", 403),
    ("http://localhost/x/income_statement/", 302), ("", 403)])
def test_jump_never_redirects_off_site(served, referrer: str, status: int) -> None:  # type: ignore[no-untyped-def]
    app, _, _ = served
    headers = {"Referer": referrer} if referrer else {}
    r = app.test_client().get("/jump?time=2025", headers=headers)
    assert r.status_code == status
    if status == 302:
        location = urlsplit(r.headers["Location"])
        assert location.netloc in ("", "localhost")


def _links(html: str, base: str) -> list[str]:
    out = []
    for href in re.findall(r"""href=["']([^"'#]+)""", html):
        url = urljoin(base, href.replace("&amp;", "&"))
        parts = urlsplit(url)
        if parts.netloc in ("", "localhost"):
            out.append(parts.path + ("?" + parts.query if parts.query else ""))
    return out


def test_a_residents_crawl_finds_no_source_no_owner_key_no_server_path(served) -> None:  # type: ignore[no-untyped-def]
    """Every route of the URL map with sample arguments, every account's API, then every link
    the pages show, breadth first (capped): nothing a resident gets names an owner key, a server
    path or shows ledger source."""
    app, prefix, root = served
    client = app.test_client()
    ledger = app.config["LEDGERS"][unquote(prefix.lstrip("/"))]
    start = [url for rule in app.url_map.iter_rules() if "GET" in rule.methods for url in _sample(rule, prefix)]
    for account in ledger.accounts:
        for report in ("journal", "changes", "balances"):
            start.append(f"{prefix}/api/account_report?a={quote(account)}&r={report}")
        start.append(f"{prefix}/account/{quote(account)}/")
    queue, seen, bodies = deque(start), set(), 0
    while queue and len(seen) < 600:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        r = client.get(url, headers={**basic(), "Referer": "http://localhost/"})
        if r.status_code in (301, 302, 308):
            queue.append(r.headers["Location"])
            continue
        if r.headers.get("Content-Type", "").startswith(("application/pdf", "image/")):
            continue  # evidence and voucher scans: files, not pages
        text = r.get_data(as_text=True)
        bodies += 1
        assert not OWNER_KEY.search(text), (url, OWNER_KEY.search(text))
        assert str(root) not in text and "/tmp/" not in text and str(Path.home()) + "/" not in text, url
        assert not any(marker in text for marker in RAW_SOURCE), url
        if r.status_code == 200 and "html" in r.headers.get("Content-Type", ""):
            queue.extend(u for u in _links(text, "http://localhost" + url) if u.startswith(prefix))
        if url.endswith("/api/ledger_data"):
            data = json.loads(text)["data"]
            assert data["options"]["filename"] == "main.beancount" and data["payees"] == []
    assert bodies > 100  # the crawl reached the pages (assets, contracts, accounts)
