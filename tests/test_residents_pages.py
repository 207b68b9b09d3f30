"""The residents' lists through Fava's test client (no browser): filters, search, pages and
hostile query strings on the small fixture compound of test_fava_fixture.py."""

from __future__ import annotations

import re

from test_fava_pages import get, served, text_of

from assetreg import views
from assetreg.fava_ext import pages

__all__ = ["served"]  # the module's Fava app, used by name


def _books(served) -> views.Books:  # type: ignore[no-untyped-def]
    app, _ = served
    ledger = next(iter(dict(app.config["LEDGERS"].items()).values()))
    return pages.books_for(ledger)


def test_asset_filters_and_search_from_the_query_string(served) -> None:  # type: ignore[no-untyped-def]
    books = _books(served)
    html = get(served, "/extension/AssetRegistry/?kind=parking&zone=road")
    rows = re.findall(r'<tr data-asset="([^"]+)"', html)
    want = views.registry_page(books, "parking", None, "road").rows
    assert rows == [r.id for r in want][:views.PER_PAGE] and rows
    assert re.search(r'id="asset-matching">(\d+)<', html)[1] == str(len(want))  # type: ignore[index]
    # a search names the asset by id or by words of its place
    first = want[0]
    html = get(served, f"/extension/AssetRegistry/?q={first.id.lower()}")
    assert first.id in re.findall(r'<tr data-asset="([^"]+)"', html)
    # the zone select lists the zones the register uses, with counts
    assert re.search(r'<option value="road"[^>]*>小区道路（\d+）</option>', html)


def test_contract_lists_by_state_and_use(served) -> None:  # type: ignore[no-untyped-def]
    books = _books(served)
    page = views.contracts_page(books)
    in_force = re.findall(r'<tr data-contract="([^"]+)"', get(served, "/extension/Contracts/"))
    assert in_force == [c.id for c in page.in_force][:views.PER_PAGE]
    ended = re.findall(r'<tr data-contract="([^"]+)"', get(served, "/extension/Contracts/?state=ended"))
    assert ended == [c.id for c in page.ended][:views.PER_PAGE]
    use = (page.in_force + page.ended)[0].use
    html = get(served, f"/extension/Contracts/?state=all&use={use}")
    assert re.findall(r'<tr data-contract="([^"]+)"', html) == [c.id for c in views.contract_list(books, None, use)]


def test_hostile_query_strings_neither_break_nor_inject(served) -> None:  # type: ignore[no-untyped-def]
    for path in ("/extension/AssetRegistry/?extension_name=x&page=abc&q=%3Cscript%3Ealert(1)%3C/script%3E",
                 "/extension/Contracts/?state=%3Cb%3E&page=-3&use=nope&kind=%22&zone=%27",
                 "/extension/AssetRegistry/?page=99999&kind=parking"):
        html = get(served, path)  # 200, not a 500 from url_for
        assert "<script>alert(1)</script>" not in html
    html = get(served, "/extension/AssetRegistry/?page=99999&kind=parking")
    assert "没有符合条件" not in text_of(html)  # a page past the end shows the last page
