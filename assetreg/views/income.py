"""收益公示: income by period and kind, cost, net and where it went; a unit's share."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .. import accounts, charts, periods
from ..accounts import ALLOCATION_LABELS
from ..audit.uses import undistributed_on
from ..vocab import CENT, KINDS, ZERO
from .base import Books


@dataclass(frozen=True)
class IncomeRow:
    """One disclosure period: income by asset kind, cost deducted, net, allocations."""

    period: str
    label: str
    by_kind: dict[str, Decimal]
    income: Decimal
    cost: Decimal
    net: Decimal
    allocated: dict[str, Decimal]  # allocation account -> amount
    allocated_total: Decimal
    unallocated: Decimal  # running balance at the period's end


@dataclass(frozen=True)
class IncomeTotals:
    by_kind: dict[str, Decimal]
    income: Decimal
    cost: Decimal
    net: Decimal
    allocated: dict[str, Decimal]
    allocated_total: Decimal
    unallocated: Decimal


@dataclass(frozen=True)
class KindLabel:
    kind: str
    label: str


@dataclass(frozen=True)
class AccountLabel:
    account: str
    label: str


@dataclass(frozen=True)
class AllocationLine:
    """One allocation of net income (where it went), as booked."""

    date: dt.date
    account: str
    label: str
    amount: Decimal
    narration: str
    resolution: str


@dataclass(frozen=True)
class IncomePage:
    frequency: str
    frequency_label: str
    kinds: tuple[KindLabel, ...]  # the asset kinds with income (at least one column)
    allocation_accounts: tuple[AccountLabel, ...]  # those with allocations
    rows: tuple[IncomeRow, ...]
    totals: IncomeTotals
    allocations: tuple[AllocationLine, ...]
    periods: tuple[str, ...]


@dataclass(frozen=True)
class ShareRow:
    period: str
    label: str
    net: Decimal  # the whole compound's net for the period
    share: Decimal  # this unit's share of it


@dataclass(frozen=True)
class UnitShare:
    """A unit's share of each period's net: only its number, building, area and amounts."""

    unit: str
    building: str
    area: Decimal
    basis: str  # area | unit
    total_area: Decimal
    units: int
    fraction: str
    percent: Decimal
    rows: tuple[ShareRow, ...]
    share_total: Decimal


@dataclass
class _Period:
    """A period's sums while they are being added up."""

    by_kind: dict[str, Decimal]
    allocated: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(ALLOCATION_LABELS, ZERO))
    income: Decimal = ZERO
    cost: Decimal = ZERO
    allocated_total: Decimal = ZERO


def income_page(books: Books) -> IncomePage:
    """收益公示: per disclosure period, income by asset kind, cost deducted, net, where it went."""
    return books.memo("income", lambda: _income_page(books))


def _income_page(books: Books) -> IncomePage:
    freq = books.frequency
    kinds = list(KINDS)
    by_period: dict[str, _Period] = {}

    def at(day: dt.date) -> _Period:
        key = periods.key_of(day, freq)
        if key not in by_period:
            by_period[key] = _Period(by_kind=dict.fromkeys(kinds, ZERO))
        return by_period[key]

    # Every amount belongs to the period its transaction is dated in -- the same rule as
    # `assetreg disclose` (assetreg.disclosure), so the page and the notice-board agree.
    index = books.index
    for inc in index.income:
        p = at(inc.date)
        for account, amount in inc.by_account.items():
            kind = accounts.kind_of_income(account)
            p.by_kind[kind] = p.by_kind.get(kind, ZERO) + amount
        p.income += inc.gross
    for mv in index.costs:
        at(mv.date).cost += mv.amount
    for mv in index.allocations:
        p = at(mv.date)
        p.allocated[mv.account] = p.allocated.get(mv.account, ZERO) + mv.amount
        p.allocated_total += mv.amount
    seen = list(ALLOCATION_LABELS) + sorted({mv.account for mv in index.allocations} - set(ALLOCATION_LABELS))
    # Net income is usually allocated after its period ends, so what is left unallocated
    # (期末累计未分配, money carried forward included) is shown at each period's end, by
    # the one rule the disclosure and the audit use.
    rows: list[IncomeRow] = []
    left = ZERO
    for key in sorted(by_period):
        p = by_period[key]
        for a in seen:
            p.allocated.setdefault(a, ZERO)
        net = p.income - p.cost
        left = undistributed_on(index, periods.parse(key).end)
        rows.append(IncomeRow(period=key, label=periods.label(key), by_kind=p.by_kind,
                              income=p.income, cost=p.cost, net=net, allocated=p.allocated,
                              allocated_total=p.allocated_total, unallocated=left))
    totals = IncomeTotals(
        by_kind={k: sum((r.by_kind.get(k, ZERO) for r in rows), ZERO) for k in kinds},
        income=sum((r.income for r in rows), ZERO),
        cost=sum((r.cost for r in rows), ZERO),
        net=sum((r.net for r in rows), ZERO),
        allocated={a: sum((r.allocated.get(a, ZERO) for r in rows), ZERO) for a in seen},
        allocated_total=sum((r.allocated_total for r in rows), ZERO),
        unallocated=left,
    )
    used_kinds = [k for k in kinds if totals.by_kind[k] != 0] or kinds[:1]
    allocation_lines = tuple(
        AllocationLine(date=mv.date, account=mv.account,
                       label=ALLOCATION_LABELS.get(mv.account, accounts.leaf(mv.account)),
                       amount=mv.amount, narration=mv.entry.narration or "",
                       resolution=mv.resolution or "")
        for mv in sorted(index.allocations, key=lambda mv: mv.date)
    )
    return IncomePage(
        frequency=freq,
        frequency_label=periods.FREQUENCY_LABELS.get(freq, freq),
        kinds=tuple(KindLabel(k, KINDS[k]) for k in used_kinds),
        allocation_accounts=tuple(AccountLabel(a, ALLOCATION_LABELS.get(a, a.rsplit(":", 1)[-1]))
                                  for a in seen if totals.allocated[a] != 0),
        rows=tuple(rows),
        totals=totals,
        allocations=allocation_lines,
        periods=tuple(r.period for r in rows),
    )


def _period_shares(books: Books, row: IncomeRow) -> dict[str, Decimal]:
    """Every unit's share of one period's net: the disclosure's rule (units on the roster
    at the period's end, largest remainder), from the same index."""
    return books.index.unit_shares(row.net.quantize(CENT), periods.end_of(row.period))


def unit_share(books: Books, unit_number: str, period: str | None = None) -> UnitShare | None:
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
    rows: list[ShareRow] = []
    for r in income_page(books).rows:
        if period and r.period != period:
            continue
        shares = books.memo(("shares", r.period), functools.partial(_period_shares, books, r))
        if unit.number not in shares:
            continue  # not yet on the roster at the period's end
        rows.append(ShareRow(r.period, r.label, r.net, shares[unit.number]))
    whole_area = books.memo("total-area", lambda: books.roster.total_area)
    whole = Fraction(len(books.roster.units)) if by_unit else whole_area
    frac = (Fraction(1) if by_unit else Fraction(unit.area)) / whole if whole else Fraction(0)
    return UnitShare(
        unit=unit.number,
        building=unit.building,
        area=unit.area,
        basis="unit" if by_unit else "area",
        total_area=whole_area.numerator / Decimal(whole_area.denominator) if whole_area else ZERO,
        units=len(books.roster.units),
        fraction=f"{frac.numerator}/{frac.denominator}",
        percent=(Decimal(frac.numerator) / Decimal(frac.denominator) * 100).quantize(Decimal("0.0001")),
        rows=tuple(rows),
        share_total=sum((x.share for x in rows), ZERO),
    )


@dataclass(frozen=True)
class Destination:
    """Where the net income went, all periods to date: an allocation account or 未分配."""

    key: str  # the allocation account, or "unallocated"
    label: str
    amount: Decimal


@dataclass(frozen=True)
class IncomeLead:
    """What a resident asks first: the latest ended period's figures and where the net went."""

    row: IncomeRow | None  # the latest period that has ended (else the latest with income)
    ended: bool  # whether ``row`` has ended (else it is still running)
    destinations: tuple[Destination, ...]  # to date; adds up to the net to date and what was carried forward
    net_to_date: Decimal
    carried_forward: Decimal = Decimal(0)  # money the books opened with (期初结转), not earned here


CHART_PERIODS = 8  # the latest periods a chart shows; the tables keep them all


def income_lead(books: Books) -> IncomeLead:
    return books.memo("income-lead", lambda: _income_lead(books))


def _income_lead(books: Books) -> IncomeLead:
    page = income_page(books)
    ended = [r for r in page.rows if periods.end_of(r.period) < books.today]
    row = ended[-1] if ended else (page.rows[-1] if page.rows else None)
    dests = [Destination(a.account, a.label, page.totals.allocated[a.account])
             for a in page.allocation_accounts]
    dests.append(Destination("unallocated", "尚未分配", page.totals.unallocated))
    carried = page.totals.unallocated - (page.totals.net - page.totals.allocated_total)
    return IncomeLead(row=row, ended=bool(ended), destinations=tuple(dests),
                      net_to_date=page.totals.net, carried_forward=carried)


@dataclass(frozen=True)
class IncomeCharts:
    by_kind: str  # income by asset kind over periods (stacked bars)
    cost_net: str  # cost deducted and net, per period (stacked bars: together the income)
    destinations: str  # where the net went, to date (horizontal bars)


def income_charts(books: Books) -> IncomeCharts:
    """The income page's charts as inline SVG with their tables (see :mod:`assetreg.charts`)."""
    return books.memo("income-charts", lambda: _income_charts(books))


def _income_charts(books: Books) -> IncomeCharts:
    page = income_page(books)
    rows = page.rows[-CHART_PERIODS:]
    cats = [r.label for r in rows]
    kind_series = [charts.Series(k.label, tuple(r.by_kind.get(k.kind, ZERO) for r in rows))
                   for k in page.kinds]
    cost_net = [charts.Series("扣除成本", tuple(r.cost for r in rows), "#D55E00"),
                charts.Series("净收益", tuple(r.net for r in rows), "#009E73")]
    colors = {accounts.MAINTENANCE_FUND: "#0072B2", accounts.COMMITTEE_FUNDS: "#CC79A7",
              "unallocated": "#999999"}
    lead = income_lead(books)
    some = len(page.rows) > len(rows)
    note = f"显示最近 {len(rows)} 期；全部期间见下方收益公示表。" if some else ""
    return IncomeCharts(
        by_kind=charts.stacked_bars("chart-income-kind", "各期收入（按资产类别）", cats, kind_series,
                                    note=note),
        cost_net=charts.stacked_bars("chart-cost-net", "各期收入的构成：扣除成本与净收益", cats, cost_net,
                                     note=note),
        destinations=charts.hbars(
            "chart-destinations", "净收益去向（累计）",
            [charts.Item(d.label, d.amount, colors.get(d.key, "")) for d in lead.destinations],
            note=f"截至 {books.today}，累计净收益 {charts.money(lead.net_to_date)} 元"
                 + (f"，另有期初结转 {charts.money(lead.carried_forward)} 元" if lead.carried_forward else "") + "。"),
    )
