"""Every per-asset and per-unit figure agrees to the cent across the asset page, the audit
and the disclosure, on the bundled example compound (issue 11).

The three read one ledger index (assetreg.books) through their own code: the asset page
sums an asset's income by disclosure period, the audit's context carries each income
transaction's split over its assets, the disclosure totals a period by asset and shares
its net among the units. The disclosure is built here from an index of its own, so a
rule copied (and drifted) into any of them shows as a cent of difference.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from assetreg import audit, disclosure, periods, views
from assetreg import books as ledger_index
from assetreg.ledger import Compound

EXAMPLE = Path(__file__).resolve().parents[1] / "ledgers" / "qjp-jinghu-garden"
TODAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def example():  # type: ignore[no-untyped-def]
    loaded = Compound.locate(EXAMPLE).load()
    assert loaded.errors == []
    pages = views.build_books(loaded.entries, loaded.options_map, EXAMPLE, TODAY)
    keys = [r.period for r in views.income_page(pages).rows]
    assert len(keys) >= 4  # two years of half-years
    own = ledger_index.build(loaded.entries)
    disclosed = {k: disclosure.build(loaded.entries, k, loaded.options_map, TODAY, findings=[],
                                     books=own) for k in keys}
    return loaded, pages, disclosed


def test_every_asset_agrees_to_the_cent(example) -> None:  # type: ignore[no-untyped-def]
    loaded, pages, disclosed = example
    ctx = audit.context(loaded.entries, loaded.options_map, TODAY)
    by_audit: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for inc in ctx.books.income:
        for aid, amount in inc.by_asset.items():
            by_audit[aid, periods.key_of(inc.date, pages.frequency)] += amount
    compared = 0
    for aid in sorted(pages.registry.assets):
        page = views.asset_page(pages, aid)
        assert page is not None
        on_page = {row.period: row.amount for row in page.income_by_period}
        for key, d in disclosed.items():
            line = d.by_asset.get(aid)
            in_disclosure = line.gross if line else Decimal(0)
            assert on_page.get(key, Decimal(0)) == in_disclosure == by_audit[aid, key], (aid, key)
            compared += in_disclosure != 0
        # The asset's totals on the register page are the same sums.
        assert page.income_total == sum((v for v in on_page.values()), Decimal(0))
    assert compared > 300  # hundreds of assets earned something in some period


def test_every_unit_share_agrees_to_the_cent(example) -> None:  # type: ignore[no-untyped-def]
    _, pages, disclosed = example
    for d in disclosed.values():
        assert sum(d.shares.values()) == d.net.quantize(Decimal("0.01"))
        assert {r["unit"]: r["share"] for r in d.units} == d.shares
    compared = 0
    for number in sorted(pages.roster.units):
        share = views.unit_share(pages, number)
        assert share is not None
        for row in share.rows:
            d = disclosed[row.period]
            assert row.net == d.net and row.share == d.shares[number], (number, row.period)
            compared += 1
    assert compared >= 4 * 900


def test_period_totals_agree(example) -> None:  # type: ignore[no-untyped-def]
    _, pages, disclosed = example
    for row in views.income_page(pages).rows:
        d = disclosed[row.period]
        assert (row.income, row.cost, row.net) == (d.gross, d.cost, d.net), row.period
        assert sum((line.gross for line in d.by_asset.values()), Decimal(0)) == d.gross
        assert sum((line.cost for line in d.by_asset.values()), Decimal(0)) == d.cost
