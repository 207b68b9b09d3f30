"""The residents' view in a real browser: `assetreg serve` on a loopback port, Debian's chromium.

Runs against a copy of the example compound (``ledgers/qjp-jinghu-garden``; the test
compound of test_fava_fixture.py when the example is absent), behind an auth file. Every
figure checked is computed here from the ledger, not read from our view models.
Screenshots go to ``test-artifacts/``. Skipped with a reason when chromium or playwright
is missing -- unless ASSETREG_REQUIRE_BROWSER=1 (set by .ci/run), where that fails.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from beancount.core import data
from test_fava_fixture import build_compound

from assetreg.ledger import load_path
from assetreg.registry import registry_from_entries
from assetreg.serve import set_password
from assetreg.views import yuan

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "ledgers" / "qjp-jinghu-garden"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
USER, PASSWORD = "resident", "jinghu-garden-2025"


def _need_browser() -> None:
    problems = []
    if not Path(CHROMIUM).exists():
        problems.append(f"Debian chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("python playwright is not installed (pip install -e '.[test]')")
    fc = shutil.which("fc-list")
    if fc and "CJK" not in subprocess.run([fc], capture_output=True, text=True).stdout:
        problems.append("no CJK font (apt-get install fonts-noto-cjk): Chinese would render as boxes")
    if problems:
        reason = "browser tests need: " + "; ".join(problems)
        if os.environ.get("ASSETREG_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " -- and ASSETREG_REQUIRE_BROWSER=1 forbids skipping")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    def __init__(self, root: Path, base: str, slug: str) -> None:
        self.root, self.base, self.slug = root, base, slug
        self.loaded = load_path(root / "main.beancount")

    def url(self, path: str) -> str:
        return f"{self.base}/{quote(self.slug)}/{path.lstrip('/')}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    _need_browser()
    tmp = tmp_path_factory.mktemp("browser")
    if EXAMPLE.is_dir():
        root = tmp / EXAMPLE.name
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".assetreg.lock"))
    else:
        root = tmp / "demo"
        build_compound(root)
    auth = tmp / "auth.txt"
    set_password(auth, root.name, USER, PASSWORD)
    port = _free_port()
    log = (tmp / "serve.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from assetreg.cli import main; main()", "serve", str(root),
         "--host", "127.0.0.1", "--port", str(port), "--auth-file", str(auth)],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/static/app.css", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"assetreg serve did not come up:\n{log.read()}")
                time.sleep(0.3)
        log.seek(0)
        # the command prints "<compound>: http://host:port/<slug>/"
        line = next(ln for ln in log.read().splitlines() if ln.startswith(f"{root.name}: http"))
        slug = line.split(f"{base}/", 1)[1].rstrip("/")
        yield Served(root, base, slug)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(served: Served) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(http_credentials={"username": USER, "password": PASSWORD},
                                  viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def shot(pg, name: str) -> None:  # type: ignore[no-untyped-def]
    """Save the whole page: Fava scrolls inside <article>, so grow the window to fit it."""
    height = pg.evaluate("Math.max(document.body.scrollHeight,"
                         " (document.querySelector('article') || document.body).scrollHeight + 60)")
    size = pg.viewport_size
    pg.set_viewport_size({"width": size["width"], "height": min(max(int(height), 600), 8000)})
    pg.screenshot(path=str(ARTIFACTS / f"fava-{name}.png"), full_page=True)
    pg.set_viewport_size(size)


def _income_by_contract(served: Served) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for e in served.loaded.entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                if p.account.startswith("Income:Common"):
                    cid = (p.meta or {}).get("contract") or e.meta.get("contract")
                    out[str(cid)] -= p.units.number
    return out


def test_asset_registry_counts_and_an_assets_history(served: Served, page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    response = pg.goto(served.base + "/")  # the default page is the asset registry
    assert response is not None and response.ok
    pg.wait_for_selector("#status-counts")
    assert "共有资产" in pg.title()
    registry = registry_from_entries(served.loaded.entries)
    want = registry.counts_by_status()
    for status, count in want.items():
        shown = pg.locator(f'#status-counts [data-status="{status}"] b').inner_text()
        assert int(shown) == count, status
    assert int(pg.locator("#asset-total").inner_text()) == len(registry.assets)
    shot(pg, "assets")
    # filter by status with a click, then open the first confirmed asset's page
    pg.locator('#status-counts [data-status="confirmed"]').click()
    pg.wait_for_url("**status=confirmed**")
    pg.wait_for_selector("#asset-table")
    rows = pg.locator("#asset-table tbody tr")
    assert int(pg.locator("#asset-matching").inner_text()) == want["confirmed"]  # shown 30 to a page
    assert rows.count() == min(want["confirmed"], 30)
    first = rows.first.get_attribute("data-asset")
    assert first is not None
    rows.first.locator("td").first.locator("a").click()
    pg.wait_for_selector("#asset-history")
    asset = registry.assets[first]
    assert pg.locator("#asset-title").inner_text().startswith(first)
    assert pg.locator("#asset-history tbody tr").count() == len(asset.events)
    first_row = pg.locator("#asset-history tbody tr").first.inner_text()
    assert asset.events[0].date.isoformat() in first_row
    alone, shared = Decimal(0), Decimal(0)  # income naming only this asset / several
    for e in served.loaded.entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                if p.account.startswith("Income:Common"):
                    named = [a.strip().upper() for a in
                             str((p.meta or {}).get("asset") or e.meta.get("asset") or "").split(",")]
                    if first in named:
                        if len(named) == 1:
                            alone -= p.units.number
                        else:
                            shared -= p.units.number
    shown = Decimal(pg.locator("#asset-income-total").inner_text().replace(",", ""))
    if shared == 0:
        assert shown == alone
    else:  # its part of income shared with other assets is a split of ``shared``
        assert alone < shown < alone + shared
    shot(pg, "asset-history")


def test_contracts_page_shows_a_contracts_income(served: Served, page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    income = _income_by_contract(served)
    cid, amount = max(((c, a) for c, a in income.items() if c != "None"), key=lambda x: x[1])
    pg.goto(served.url(f"extension/Contracts/?state=all&q={cid}"))  # found by its id, in any state
    pg.wait_for_selector("#count-in-force")
    row = pg.locator(f'tr[data-contract="{cid}"]')
    assert row.locator(".contract-income").inner_text() == yuan(amount)
    shot(pg, "contracts")
    row.locator("td").first.locator("a").click()
    pg.wait_for_selector("#contract-income")
    assert pg.locator("#contract-title").inner_text().startswith(cid)
    assert pg.locator("#contract-income").inner_text() == yuan(amount)
    shot(pg, "contract")


def test_income_page_and_a_units_share(served: Served, page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(served.url("extension/IncomeDisclosure/"))
    pg.wait_for_selector("#income-table")
    total = sum((-p.units.number for e in served.loaded.entries if isinstance(e, data.Transaction)
                 for p in e.postings if p.account.startswith("Income:Common")), Decimal(0))
    assert pg.locator("#total-income").inner_text() == yuan(total)
    units = sorted(e.values[0].value for e in served.loaded.entries
                   if isinstance(e, data.Custom) and e.type == "unit")
    unit = units[len(units) // 2]
    pg.fill("#unit-input", unit)
    pg.click("#unit-submit")
    pg.wait_for_selector("#unit-share-total")
    assert pg.locator("#unit-number").inner_text() == unit
    lookup = pg.locator("#unit-share").inner_text()
    owners = {str(e.meta.get("owner")) for e in served.loaded.entries
              if isinstance(e, data.Custom) and e.type == "unit"}
    assert not any(o in lookup for o in owners)  # a unit lookup reveals no owner key
    disclosure = pytest.importorskip("assetreg.disclosure")
    periods = [r.get_attribute("data-period") for r in pg.locator("#unit-share tbody tr").all()]
    want = sum((disclosure.build(served.loaded.entries, p, served.loaded.options_map,
                                 dt.date.today(), findings=[]).shares.get(unit, Decimal(0))
                for p in periods), Decimal(0))
    assert pg.locator("#unit-share-total").inner_text() == yuan(want)
    shot(pg, "income-unit-share")


def test_policy_and_audit_pages(served: Served, page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(served.url("extension/PolicyLists/"))
    pg.wait_for_selector("#ar-policy")
    try:
        from assetreg.ledger import Compound
        from assetreg.policy import load_policy_set
    except ImportError:
        assert "尚未" in pg.locator("#ar-policy").inner_text()
    else:
        ps = load_policy_set(Compound(served.root), served.loaded)
        today = dt.date.today()
        assert pg.locator("#negative-list [data-rule]").count() == sum(
            1 for r in ps.negative if r.in_effect(today))
        assert pg.locator("#guidance-list [data-rule]").count() == sum(
            1 for r in ps.guidance if r.in_effect(today))
        assert "消防" in pg.locator("#negative-list").inner_text()
    shot(pg, "policy")
    pg.goto(served.url("extension/SealsAudit/"))
    pg.wait_for_selector("#ar-audit")
    try:
        from assetreg.audit import run_checks
    except ImportError:
        assert "尚未" in pg.locator("#ar-audit").inner_text()
    else:
        findings = run_checks(served.loaded.entries, served.loaded.options_map, dt.date.today())
        assert int(pg.locator("#finding-count").inner_text()) == len(findings)
    shot(pg, "audit")


def test_favas_own_income_statement_in_chinese(served: Served, page) -> None:  # type: ignore[no-untyped-def]
    pg = page
    pg.goto(served.url("income_statement/"))
    pg.wait_for_selector("svg, .tree-table, table", timeout=30_000)
    assert pg.title().startswith("损益表")
    assert "停车位" in pg.locator("article").inner_text()
    shot(pg, "income-statement")


def test_read_only_and_login_over_http(served: Served) -> None:
    url = served.url("extension/AssetRegistry/")
    auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=30)
    assert err.value.code == 401 and "Basic" in err.value.headers["WWW-Authenticate"]
    bad = "Basic " + base64.b64encode(f"{USER}:not-the-password".encode()).decode()
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": bad}), timeout=30)
    assert err.value.code == 401
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": auth}),
                                timeout=30) as ok:
        assert ok.status == 200
    before = {p: p.read_bytes() for p in served.root.glob("*.beancount")}
    for method in ("POST", "PUT", "DELETE"):
        req = urllib.request.Request(served.url("api/source"), data=b'{"source": ""}',
                                     method=method, headers={"Authorization": auth,
                                                             "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=30)
        assert err.value.code == 401, method
    assert {p: p.read_bytes() for p in served.root.glob("*.beancount")} == before


@pytest.mark.parametrize("credentials", [None, {"username": USER, "password": "wrong-password"}])
def test_browser_without_the_password_sees_nothing(served: Served, browser, credentials) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import Error

    context = browser.new_context(http_credentials=credentials) if credentials else browser.new_context()
    pg = context.new_page()
    try:
        response = pg.goto(served.url("extension/AssetRegistry/"))
    except Error as err:
        # Headless chromium cannot show the login prompt the 401 asks for, so it gives up.
        assert "AUTH" in str(err).upper()
    else:
        assert response is not None and response.status == 401
    for _ in range(50):  # after the failed load chromium may still be switching to its error page
        try:
            pg.wait_for_load_state("load")
            content = pg.content()
            break
        except Error:
            time.sleep(0.1)
    else:
        pytest.fail("the page never settled after the refused login")
    assert "共有资产登记簿" not in content
    context.close()
