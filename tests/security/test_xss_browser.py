"""The served view does not depend on Fava escaping (issue 14): a script planted straight into
a ledger file (bypassing the importers) is rendered by Fava 1.30 unescaped on the journal and
the account pages, and under `assetreg serve` it does not run (Content-Security-Policy).

The control is plain Fava on the same ledger, where the payload runs: without it this test
could pass for the wrong reason (e.g. a payload Fava happened to escape). On main,
`assetreg serve` sent no CSP and the payload ran on the account page.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fava.application import create_app
from serve_fixtures import CHROMIUM, CHROMIUM_ARGS, copy_example, need_browser, plant, serving

from assetreg.serve import make_app, slugs

pytestmark = pytest.mark.browser

BANK = "Assets:Bank:共有资金专户"
ACCOUNT = quote(BANK, safe=":")  # Fava's frontend reads the account from the path as written
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '')));
"""


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_browser()
    root = copy_example(tmp_path_factory.mktemp("xss"))
    plant(root)
    return root


@pytest.fixture(scope="module")
def browser(planted: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _visit(browser: Any, url: str) -> dict[str, Any]:
    """Open ``url`` and wait for the planted entry to be in the DOM; what ran, what CSP blocked."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        response = page.goto(url)
        assert response is not None and response.ok, (url, response and response.status)
        # Fava renders the journal from the API after the page loads: wait for the planted row.
        page.wait_for_selector("li.transaction img[src='x']", state="attached")
        page.wait_for_timeout(500)  # let a failed image load fire its handler
        return {"ran": page.evaluate("window.__xss || 0"), "csp": page.evaluate("window.__csp"),
                "imgs": page.locator("img[src='x']").count()}
    finally:
        context.close()


def test_plain_fava_runs_the_planted_script(planted: Path, browser: Any) -> None:
    app = create_app([str(planted / "main.beancount")], load=True, read_only=True)
    slug = next(iter(app.config["LEDGERS"].items()))[0]
    with serving(app) as base:
        seen = _visit(browser, f"{base}/{quote(slug)}/account/{ACCOUNT}/")
    assert seen["imgs"] >= 1 and seen["ran"] >= 1, seen  # the control: the plant works


def test_the_csp_stops_it_on_the_journal_and_the_account_page(planted: Path, browser: Any) -> None:
    """Our headers alone (the route allow-list switched off, so the journal is reachable)."""
    app = make_app([planted])
    app.config["ASSETREG_GATE"].routes = None
    prefix = "/" + quote(slugs(app)[planted.name])
    with serving(app) as base:
        for path in ("/journal/", f"/account/{ACCOUNT}/"):
            seen = _visit(browser, base + prefix + path)
            assert seen["imgs"] >= 1, (path, seen)  # Fava did render the markup unescaped
            assert seen["ran"] == 0, (path, seen)
            assert any(v.startswith("script-src") for v in seen["csp"]), (path, seen)


def test_under_assetreg_serve_the_account_page_is_safe_and_the_journal_closed(planted: Path, browser: Any) -> None:
    app = make_app([planted])
    prefix = "/" + quote(slugs(app)[planted.name])
    with serving(app) as base:
        seen = _visit(browser, base + prefix + f"/account/{ACCOUNT}/")
        assert seen["imgs"] >= 1 and seen["ran"] == 0, seen
        context = browser.new_context()
        page = context.new_page()
        response = page.goto(base + prefix + "/journal/")
        assert response is not None and response.status == 403
        assert "不对居民开放" in page.content()
        context.close()
