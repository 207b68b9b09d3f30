"""Residents on their phones (issue 10): every assetreg page at 390×844 and at 1366×900.

One `assetreg serve` of a copy of the example compound and one Debian chromium for the
module (the fixtures of test_serve_browser.py). For each page: no horizontal scrolling
of the page (nor of Fava's <article>, which scrolls on its own), the key figures visible
and equal to the ledger's (the view functions and the disclosure, computed here from a
load of the same files), the charts present with their figures, the lists' filters,
search and pages working without script, and no English words in our pages' visible
text beyond ids. Screenshots go to test-artifacts/residents-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from test_serve_browser import (  # one server and one browser for this module
    ARTIFACTS,
    PASSWORD,
    USER,
    Served,
    browser,
    served,
)

from assetreg import disclosure, options, views
from assetreg.vocab import CHECK_LABELS, KINDS, STATUS_LABELS, STRUCTURES, USES, ZONES

pytestmark = pytest.mark.browser
__all__ = ["browser", "served"]  # fixtures used by name

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}

PAGES = {  # name -> path under the compound's Fava
    "assets": "extension/AssetRegistry/",
    "asset": "extension/AssetRegistry/?asset=P-001",
    "contracts": "extension/Contracts/",
    "contract": "extension/Contracts/?contract=C-2024-004",
    "income": "extension/IncomeDisclosure/?unit=9-2-201",
    "policy": "extension/PolicyLists/",
    "audit": "extension/SealsAudit/",
}


@pytest.fixture(scope="module")
def books(served: Served) -> views.Books:
    loaded = served.loaded
    return views.build_books(loaded.entries, loaded.options_map, served.root, dt.date.today())


def _context(browser: Any, viewport: dict[str, int], script: bool = True) -> Any:
    return browser.new_context(http_credentials={"username": USER, "password": PASSWORD},
                               viewport=viewport, locale="zh-CN", java_script_enabled=script)


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    ctx = _context(browser, PHONE)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()


def _open(pg: Any, served: Served, path: str) -> None:
    response = pg.goto(served.url(path))
    assert response is not None and response.ok, path
    pg.wait_for_selector(".ar-page")


def _overflow(pg: Any) -> dict[str, int]:
    return dict(pg.evaluate("""() => {
        const a = document.querySelector('article') || document.body;
        return {page: document.documentElement.scrollWidth, inner: innerWidth,
                article: a.scrollWidth, box: a.clientWidth};
    }"""))


def _shot(pg: Any, name: str) -> None:
    # Fava scrolls inside <article>: grow the window to the article's height to see it all.
    height = pg.evaluate("Math.max(document.body.scrollHeight,"
                         " (document.querySelector('article') || document.body).scrollHeight + 60)")
    size = pg.viewport_size
    pg.set_viewport_size({"width": size["width"], "height": min(max(int(height), 600), 6000)})
    pg.screenshot(path=str(ARTIFACTS / f"residents-{name}.png"), full_page=True)
    pg.set_viewport_size(size)


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone-390", "desk-1366"])
def test_every_page_fits_without_sideways_scrolling(served: Served, browser: Any, viewport: dict[str, int]) -> None:
    ctx = _context(browser, viewport)
    pg = ctx.new_page()
    try:
        for name, path in PAGES.items():
            _open(pg, served, path)
            # open every <details> too: what a tap shows must fit as well
            pg.evaluate("document.querySelectorAll('.ar-page details').forEach(d => d.open = true)")
            o = _overflow(pg)
            assert o["page"] <= o["inner"], (name, o)
            assert o["article"] <= o["box"] + 1, (name, o)
            pg.evaluate("document.querySelectorAll('.ar-page details').forEach(d => d.open = false)")
            _shot(pg, f"{viewport['width']}-{name}")
    finally:
        ctx.close()


def test_income_page_leads_with_the_periods_figures(served: Served, phone: Any, books: views.Books) -> None:
    _open(phone, served, PAGES["income"])
    lead = views.income_lead(books)
    assert lead.row is not None
    # the first screen of a phone: the period, income, cost and net, where the net went
    for sel in ("#lead-income", "#lead-cost", "#lead-net"):
        box = phone.locator(sel).bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], sel
    shown = {k: Decimal(phone.locator(f"#lead-{k}").inner_text().replace(",", ""))
             for k in ("income", "cost", "net")}
    assert phone.locator("#lead-period").get_attribute("data-period") == lead.row.period
    # the same period from the notice-board disclosure (assetreg disclose), to the cent
    d = disclosure.build(list(served.loaded.entries), lead.row.period, served.loaded.options_map,
                         as_of=books.today, findings=[])
    assert shown == {"income": d.gross, "cost": d.cost, "net": d.net}
    dests = {el.get_attribute("data-destination"): Decimal(el.locator("b").inner_text().replace(",", ""))
             for el in phone.locator("#lead-destinations [data-destination]").all()}
    assert sum(dests.values()) == lead.net_to_date + lead.carried_forward
    assert lead.net_to_date == views.income_page(books).totals.net
    assert dests["unallocated"] == views.income_page(books).totals.unallocated
    # the unit lookup from the query string: the disclosure's share of that period
    row = phone.locator(f'#unit-share tr[data-period="{lead.row.period}"] .unit-share')
    assert Decimal(row.inner_text().replace(",", "")) == d.unit_share("9-2-201")


def _chart_table(pg: Any, chart: str) -> list[list[str]]:
    rows = pg.locator(f"#{chart} .ar-chart-data tbody tr").all()
    return [[(c or "").strip() for c in r.locator("td").all_text_contents()] for r in rows]  # behind a tap


def test_charts_carry_the_ledgers_figures(served: Served, phone: Any, books: views.Books) -> None:
    _open(phone, served, PAGES["income"])
    page = views.income_page(books)
    rows = page.rows[-views.income.CHART_PERIODS:]
    assert phone.locator("#chart-income-kind svg").is_visible()
    by_kind = _chart_table(phone, "chart-income-kind")
    assert by_kind == [[r.label, *[views.yuan(r.by_kind[k.kind]) for k in page.kinds], views.yuan(r.income)]
                       for r in rows]
    cost_net = _chart_table(phone, "chart-cost-net")
    assert cost_net == [[r.label, views.yuan(r.cost), views.yuan(r.net), views.yuan(r.income)] for r in rows]
    # the bars are drawn from the same figures
    bars = phone.locator('#chart-cost-net rect[data-series="净收益"]').all()
    assert [Decimal(b.get_attribute("data-value") or "") for b in bars] == [r.net for r in rows if r.net > 0]
    dest = _chart_table(phone, "chart-destinations")
    lead = views.income_lead(books)
    assert dest[-1] == ["合计", views.yuan(page.totals.net + lead.carried_forward)]
    # the register's confirmation progress, on the asset list
    _open(phone, served, PAGES["assets"])
    counts = books.registry.counts_by_status()
    drawn = {r.get_attribute("data-label"): int(r.get_attribute("data-value") or "0")
             for r in phone.locator("#chart-confirmation rect[data-value]").all()}
    assert drawn == {STATUS_LABELS[s]: n for s, n in counts.items() if n}
    svg = phone.locator("#chart-confirmation svg")
    assert svg.get_attribute("viewBox", timeout=5000) and svg.bounding_box()["width"] <= PHONE["width"]


def test_lists_filter_search_and_page_without_script(served: Served, browser: Any, books: views.Books) -> None:
    ctx = _context(browser, PHONE, script=False)
    pg = ctx.new_page()
    try:
        _open(pg, served, "extension/AssetRegistry/?kind=parking&zone=road")
        want = views.registry_page(books, "parking", None, "road")
        assert int(pg.locator("#asset-matching").inner_text()) == len(want.rows) > views.PER_PAGE
        shown = [r.get_attribute("data-asset") for r in pg.locator("#asset-table tbody tr").all()]
        assert shown == [r.id for r in want.rows[:views.PER_PAGE]]
        assert pg.locator("#sum-income-total").inner_text() == views.yuan(want.income_total)
        pg.locator("a[rel=next]").first.click()  # a plain link, keeping the filters
        pg.wait_for_url("**page=2**")
        assert "kind=parking" in pg.url and "zone=road" in pg.url
        shown = [r.get_attribute("data-asset") for r in pg.locator("#asset-table tbody tr").all()]
        assert shown == [r.id for r in want.rows[views.PER_PAGE:2 * views.PER_PAGE]]
        # the search form submits without script
        pg.fill("#asset-search input[name=q]", "电梯")
        pg.locator("#asset-search button[type=submit]").click()
        pg.wait_for_url("**q=**")
        searched = views.registry_page(books, "parking", None, "road", "电梯")
        assert int(pg.locator("#asset-matching").inner_text()) == len(searched.rows)
        # contracts: by state and use; the deciding rules in brief, the full list behind a tap
        _open(pg, served, "extension/Contracts/?state=all&use=parking-nonowner")
        listed = views.contract_list(books, None, "parking-nonowner")
        assert int(pg.locator("#contract-matching").inner_text()) == len(listed) > 0
        first = listed[0]
        row = pg.locator(f'tr[data-contract="{first.id}"]')
        assert row.locator("td").nth(5).locator(":scope > div.ar-small .ar-tag").count() == len(first.deciding)
        details = row.locator("details.ar-rules-all")
        assert details.count() == 1 and details.get_attribute("open") is None
        assert details.locator(".ar-tag").count() == len(first.rule_details)
    finally:
        ctx.close()


def _allowed_words(served: Served) -> set[str]:
    """Words that may stay in Latin letters: ids and codes, never prose."""
    books = views.build_books(served.loaded.entries, served.loaded.options_map)
    proposed = {str(r.meta.get("use", "")) for r in books.rejected}  # uses as proposed, outside the lists
    return ({"CNY", "sha256", "pdf", "beancount", "xlsx"} | set(CHECK_LABELS) | set(USES) | set(ZONES)
            | set(KINDS) | set(STRUCTURES) | set(options.DEFAULTS) | {books.options.get("district")} | proposed)


def _english(text: str, allowed: set[str]) -> set[str]:
    text = re.sub(r"\S+\.(?:pdf|beancount|xlsx|png|jpg)(?::\d+)?", " ", text)  # file names and file:line
    words = set()
    for tok in re.findall(r"[A-Za-z0-9][A-Za-z0-9_:.\-]*[A-Za-z0-9]|[A-Za-z]", text):
        if re.search(r"\d", tok) or tok in allowed:
            continue  # ids with a number (P-001, C-2024-P001, 9-2-201, 2026H1), known codes
        if re.fullmatch(r"[A-Z][A-Z0-9]*(?:[-.][A-Z0-9]+)*", tok):
            continue  # rule and condition ids (A-NO-OVERLAP, G-EV-CHARGER.RESOLUTION)
        if tok.startswith("sha256:"):
            continue
        words.add(tok)
    return words


def test_our_pages_read_in_chinese(served: Served, phone: Any) -> None:
    allowed = _allowed_words(served)
    pages = [*PAGES.values(), "extension/Contracts/?state=all", "extension/AssetRegistry/?asset=S-01"]
    found: dict[str, set[str]] = {}
    for path in pages:
        _open(phone, served, path)
        text = phone.evaluate("""() => {
            const page = document.querySelector('.ar-page').cloneNode(true);
            page.querySelectorAll('details').forEach(d => d.open = true);
            page.querySelectorAll('code, svg title').forEach(c => c.remove());  // commands quoted in policy texts
            document.body.appendChild(page);
            const text = page.innerText;
            page.remove();
            return text;
        }""")
        words = _english(text, allowed)
        if words:
            found[path] = words
    assert found == {}
    # and the allow-list is not a blanket: prose in English would be caught
    assert _english("收入 income on asset P-001 is late", allowed) == {"income", "on", "asset", "is", "late"}
