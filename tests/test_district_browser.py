"""The district page in a real browser: `assetreg serve --district` on a loopback port.

Street staff see the table (one row per compound that loads, plus the totals), sort it by
a click, and drill down into a compound's own Fava pages; a resident's password opens
their compound only -- not the district page, not another compound. Skipped like
test_serve_browser.py when chromium or playwright is missing.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from test_district import AS_OF, _generator
from test_serve_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _free_port, _need_browser

from assetreg.district import build, report
from assetreg.serve import set_password

pytestmark = pytest.mark.browser

STAFF, STAFF_PW = "staff", "street-office-2026"
RESIDENT, RESIDENT_PW = "resident", "resident-07-pass"
OWN, OTHER = "qjp-d12-07-well-run", "qjp-d12-08-well-run"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, str]]]:
    _need_browser()
    tmp = tmp_path_factory.mktemp("district-browser")
    root = tmp / "d"
    _generator().generate(root, compounds=8, units=60, assets=16)
    auth = tmp / "auth.txt"
    set_password(auth, "district", STAFF, STAFF_PW)
    set_password(auth, OWN, RESIDENT, RESIDENT_PW)
    port = _free_port()
    log = (tmp / "serve.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from assetreg.cli import main; main()", "serve", "--district",
         str(root), "--host", "127.0.0.1", "--port", str(port), "--auth-file", str(auth)],
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/static/app.css", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"assetreg serve --district did not come up:\n{log.read()}")
                time.sleep(0.3)
        log.seek(0)
        urls = {ln.split(": ", 1)[0]: ln.split(": ", 1)[1] for ln in log.read().splitlines()
                if ": http" in ln}
        yield base, root, urls
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(served) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _page(browser, user: str, password: str):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(http_credentials={"username": user, "password": password},
                              viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    return ctx, pg


def test_staff_see_the_district_sort_it_and_drill_down(served, browser) -> None:  # type: ignore[no-untyped-def]
    base, root, urls = served
    ctx, pg = _page(browser, STAFF, STAFF_PW)
    try:
        r = pg.goto(base + "/district/")
        assert r is not None and r.ok
        # the server built the store as of today; the figures are the store's own
        rep = report.build_report(build.default_store(root))
        rows = pg.locator("#district-table tbody tr[data-compound]")
        assert rows.count() == len(rep.rows) == 7  # the broken compound is left out
        assert "qjp-d12-04-broken" in pg.content() and "未能载入" in pg.content()
        pg.screenshot(path=str(ARTIFACTS / "district.png"), full_page=True)
        pg.locator("#district-table th a", has_text="本年收入").click()  # ascending
        pg.locator("#district-table th a", has_text="本年收入").click()  # descending
        pg.wait_for_url("**sort=gross**desc=1**")
        first = pg.locator("#district-table tbody tr[data-compound]").first.get_attribute("data-compound")
        assert first == max(rep.rows, key=lambda x: x["gross"])["compound"]
        gross = [k for k, _, _ in report.COLUMNS].index("gross")
        shown = pg.locator("#district-table tr.total td").nth(gross).inner_text()
        assert Decimal(shown.replace(",", "")) == rep.totals["gross"]
        pg.locator(f'#district-table tr[data-compound="{OTHER}"] a').first.click()
        pg.wait_for_selector("#status-counts")  # the compound's own registry page in Fava
        assert OTHER in urls
    finally:
        ctx.close()
    assert rep.as_of >= AS_OF


def test_a_resident_opens_only_their_compound(served, browser) -> None:  # type: ignore[no-untyped-def]
    base, _, urls = served
    ctx, pg = _page(browser, RESIDENT, RESIDENT_PW)
    try:
        r = pg.goto(urls[OWN])
        assert r is not None and r.ok
        for url in (base + "/district/", urls[OTHER]):
            r = pg.goto(url)
            assert r is not None and r.status == 401, url
    finally:
        ctx.close()
