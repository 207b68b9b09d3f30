"""收益公示: income by period and kind, and a unit's share."""

from __future__ import annotations

import functools
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .. import accounts, periods
from ..vocab import (
    CENT,
    KINDS,
    ZERO,
)
from .base import ALLOCATION_LABELS, Books


def income_page(books: Books) -> dict[str, Any]:
    """收益公示: per disclosure period, income by asset kind, cost deducted, net, where it went."""
    return books.memo("income", lambda: _income_page(books))


def _income_page(books: Books) -> dict[str, Any]:
    freq = books.frequency
    kinds = list(KINDS)
    by_period: dict[str, dict[str, Any]] = {}

    def row(key: str) -> dict[str, Any]:
        if key not in by_period:
            by_period[key] = {"period": key, "label": periods.label(key),
                            "by_kind": dict.fromkeys(kinds, ZERO), "income": ZERO, "cost": ZERO,
                            "net": ZERO, "allocated": dict.fromkeys(ALLOCATION_LABELS, ZERO),
                            "allocated_total": ZERO}
        return by_period[key]

    # Every amount belongs to the period its transaction is dated in -- the same rule as
    # `assetreg disclose` (assetreg.disclosure), so the page and the notice-board agree.
    index = books.index
    for inc in index.income:
        r = row(periods.key_of(inc.date, freq))
        for account, amount in inc.by_account.items():
            kind = accounts.kind_of_income(account)
            r["by_kind"][kind] = r["by_kind"].get(kind, ZERO) + amount
        r["income"] += inc.gross
    for mv in index.costs:
        row(periods.key_of(mv.date, freq))["cost"] += mv.amount
    for mv in index.allocations:
        r = row(periods.key_of(mv.date, freq))
        r["allocated"][mv.account] = r["allocated"].get(mv.account, ZERO) + mv.amount
        r["allocated_total"] += mv.amount
    rows = [by_period[k] for k in sorted(by_period)]
    seen = list(ALLOCATION_LABELS) + sorted({mv.account for mv in index.allocations} - set(ALLOCATION_LABELS))
    for r in rows:
        for a in seen:
            r["allocated"].setdefault(a, ZERO)
    # Net income is usually allocated after its period ends, so what is left unallocated
    # is shown as a running balance at each period's end.
    left = ZERO
    for r in rows:
        r["net"] = r["income"] - r["cost"]
        left += r["net"] - r["allocated_total"]
        r["unallocated"] = left
    totals: dict[str, Any] = {
        "by_kind": {k: sum((r["by_kind"].get(k, ZERO) for r in rows), ZERO) for k in kinds},
        "income": sum((r["income"] for r in rows), ZERO),
        "cost": sum((r["cost"] for r in rows), ZERO),
        "net": sum((r["net"] for r in rows), ZERO),
        "allocated": {a: sum((r["allocated"].get(a, ZERO) for r in rows), ZERO) for a in seen},
        "allocated_total": sum((r["allocated_total"] for r in rows), ZERO),
        "unallocated": left,
    }
    used_kinds = [k for k in kinds if totals["by_kind"][k] != 0] or kinds[:1]
    allocation_lines = [
        {"date": mv.date.isoformat(), "account": mv.account,
         "label": ALLOCATION_LABELS.get(mv.account, accounts.leaf(mv.account)),
         "amount": mv.amount, "narration": mv.entry.narration or "", "resolution": mv.resolution or ""}
        for mv in sorted(index.allocations, key=lambda mv: mv.date)
    ]
    return {
        "frequency": freq,
        "frequency_label": periods.FREQUENCY_LABELS.get(freq, freq),
        "kinds": [{"kind": k, "label": KINDS[k]} for k in used_kinds],
        "allocation_accounts": [{"account": a, "label": ALLOCATION_LABELS.get(a, a.rsplit(":", 1)[-1])}
                                for a in seen if totals["allocated"][a] != 0],
        "rows": rows,
        "totals": totals,
        "allocations": allocation_lines,
        "periods": [r["period"] for r in rows],
    }


def _period_shares(books: Books, row: dict[str, Any]) -> dict[str, Decimal]:
    """Every unit's share of one period's net: the disclosure's rule (units on the roster
    at the period's end, largest remainder), from the same index."""
    return books.index.unit_shares(row["net"].quantize(CENT), periods.end_of(row["period"]))


def unit_share(books: Books, unit_number: str, period: str | None = None) -> dict[str, Any] | None:
    """A unit's share of each period's net income, as the disclosure computes it.

    Art. 283: in proportion to exclusive area (or equally per unit where the compound's
    ``share-basis`` option says ``unit``), among the units on the roster at the period's
    end, rounded to cents by largest remainder so all shares add up to the net exactly.
    Returns only the unit number, building, area and amounts -- never an owner's key,
    name or phone.
    """
    unit = books.roster.get(unit_number)
    if unit is None:
        return None
    by_unit = books.share_basis == "unit"
    rows = []
    for r in income_page(books)["rows"]:
        if period and r["period"] != period:
            continue
        shares = books.memo(("shares", r["period"]), functools.partial(_period_shares, books, r))
        if unit.number not in shares:
            continue  # not yet on the roster at the period's end
        share = shares[unit.number]
        rows.append({"period": r["period"], "label": r["label"], "net": r["net"], "share": share})
    whole_area = books.memo("total-area", lambda: books.roster.total_area)
    whole = Fraction(len(books.roster.units)) if by_unit else whole_area
    frac = (Fraction(1) if by_unit else Fraction(unit.area)) / whole if whole else Fraction(0)
    return {
        "unit": unit.number,
        "building": unit.building,
        "area": unit.area,
        "basis": "unit" if by_unit else "area",
        "total_area": whole_area.numerator / Decimal(whole_area.denominator) if whole_area else ZERO,
        "units": len(books.roster.units),
        "fraction": f"{frac.numerator}/{frac.denominator}",
        "percent": (Decimal(frac.numerator) / Decimal(frac.denominator) * 100).quantize(Decimal("0.0001")),
        "rows": rows,
        "share_total": sum((x["share"] for x in rows), ZERO),
    }


