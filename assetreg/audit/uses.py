"""How net income is used: every spending cites a resolution that passed, and enough
of the net goes to the maintenance fund.

    2025-07-10 * "业委会" "2025年上半年公共收益补充维修资金"
      resolution: "R-2025-03"
      Expenses:Allocation:补充维修资金     5000.00 CNY
      Assets:Bank:共有资金专户           -5000.00 CNY

``spending-no-resolution``: any expense other than the manager's cost deducted at
source and bank fees must cite ``resolution:`` of a resolution that passed on or
before its date (民法典第278条; the owners decide how common income is used).

``allocation-split``: by ``allocation-days`` after each year ends, the maintenance
fund must have received at least ``maintenance-share-min`` of the net income earned
up to that year end (cumulative, so allocating late in one year and early the next is
fine; 物业管理条例第54条: income mainly supplements the maintenance fund).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from beancount.core.data import Transaction

from .. import accounts
from ..books import Books
from .context import ZERO, Context
from .findings import Finding, finding

CENT = Decimal("0.01")


def check_spending(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    rule = "民法典第278条（共有部分收益的使用由业主共同决定）"
    for mv in ctx.books.spending:
        if mv.amount <= 0:
            continue  # refunds and reversals give money back; they spend nothing
        rid = mv.resolution
        if not rid:
            out.append(finding(
                "spending-no-resolution", "warning",
                f"{mv.date} 支出 {mv.amount} 元至{accounts.leaf(mv.account)}，未引用业主大会决议："
                "请加上 resolution: \"R-…\" 注明业主的决定",
                rule, [mv.entry], account=mv.account, amount=mv.amount, date=mv.date))
            continue
        r = ctx.books.resolutions.get(rid)
        problem = None
        if r is None:
            problem = "账本中没有这项决议"
        elif not r.passed:
            problem = f"该决议未获通过（{r.source}）"
        elif r.date > mv.date:
            problem = f"该决议于 {r.date} 通过，晚于支出"
        if problem:
            out.append(finding(
                "spending-no-resolution", "warning",
                f"{mv.date} 支出 {mv.amount} 元至{accounts.leaf(mv.account)}，引用决议 {rid}，但{problem}",
                rule, [mv.entry], account=mv.account, amount=mv.amount, resolution=rid,
                date=mv.date))
    return out


def check_allocation(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    if not ctx.books.income:
        return out
    net_by_year: dict[int, Decimal] = {}
    for inc in ctx.books.income:
        y = inc.entry.date.year
        net_by_year[y] = net_by_year.get(y, ZERO) + inc.gross - inc.cost
    fund = sorted((mv.date, mv.amount, mv.entry) for mv in ctx.books.allocations
                  if mv.account == accounts.MAINTENANCE_FUND)
    cum_net = ZERO
    i = 0
    cum_fund = ZERO
    for year in range(min(net_by_year), max(net_by_year) + 1):
        cum_net += net_by_year.get(year, ZERO)
        # the rule in force when the year closed governs that year's allocation
        year_end = dt.date(year, 12, 31)
        share = ctx.books.option_decimal("maintenance-share-min", year_end)
        days = dt.timedelta(days=ctx.books.option_int("allocation-days", year_end))
        deadline = year_end + days
        while i < len(fund) and fund[i][0] <= deadline:
            cum_fund += fund[i][1]
            i += 1
        if deadline >= ctx.as_of or cum_net <= 0 or share <= 0:
            continue
        need = (cum_net * share).quantize(CENT, ROUND_HALF_UP)
        if cum_fund < need:
            out.append(finding(
                "allocation-split", "warning",
                f"截至 {deadline}，{year}-12-31 前累计净收益 {cum_net} 元中有 {cum_fund} 元补充了维修资金；"
                f"本小区规定至少 {share}（{need} 元），尚差 {need - cum_fund} 元",
                "物业管理条例第54条（主要用于补充专项维修资金）；民法典第281条；小区规约",
                [fund[i - 1][2]] if i else [], year=year, net_to_date=cum_net,
                to_maintenance_fund=cum_fund, required_share=share, required=need,
                shortfall=need - cum_fund))
    return out


def undistributed(ctx: Context) -> list[tuple[dt.date, Decimal, Decimal, object]]:
    """期末累计未分配 after each allocation: (date, allocated that day, undistributed at the
    end of that day, entry), for the days that allocate. Undistributed is what the books
    opened with (``Equity:Opening``: the owners' money carried forward when the ledger
    started) plus the net common income (gross less the manager's cost) earned up to that
    day, less every allocation."""
    moves: list[tuple[dt.date, int, Decimal, object]] = []
    if not ctx.books.allocations:
        return []
    for e in ctx.books.entries:
        if type(e) is Transaction:
            for p in e.postings:
                if p.account == accounts.OPENING and p.units is not None and p.units.number is not None:
                    moves.append((e.date, 0, -p.units.number, e))
    for inc in ctx.books.income:
        moves.append((inc.entry.date, 0, inc.gross, inc.entry))
    for mv in ctx.books.costs:
        moves.append((mv.date, 0, -mv.amount, mv.entry))
    for mv in ctx.books.allocations:
        moves.append((mv.date, 1, -mv.amount, mv.entry))
    moves.sort(key=lambda m: (m[0], m[1]))
    out: list[tuple[dt.date, Decimal, Decimal, object]] = []
    left = ZERO
    i = 0
    while i < len(moves):
        day = moves[i][0]
        allocated = ZERO
        first = None
        while i < len(moves) and moves[i][0] == day:
            _, is_alloc, amount, entry = moves[i]
            left += amount
            if is_alloc and amount < 0:
                allocated -= amount
                first = first or entry
            i += 1
        if allocated:
            out.append((day, allocated, left, first))
    return out


def undistributed_on(books: Books, day: dt.date) -> Decimal:
    """期末累计未分配 at the end of ``day``, by the rule of :func:`undistributed`."""
    total = ZERO
    for e in books.entries:
        if type(e) is Transaction and e.date <= day:
            for p in e.postings:
                if p.account == accounts.OPENING and p.units is not None and p.units.number is not None:
                    total -= p.units.number
    total += sum((inc.gross for inc in books.income if inc.date <= day), ZERO)
    total -= sum((mv.amount for mv in books.costs if mv.date <= day), ZERO)
    total -= sum((mv.amount for mv in books.allocations if mv.date <= day), ZERO)
    return total


def check_undistributed(ctx: Context) -> list[Finding]:
    """``allocation-overdrawn``: an allocation that took 期末累计未分配 below zero, i.e.
    spent net income the owners had not yet earned (or already allocated)."""
    out: list[Finding] = []
    for day, allocated, left, entry in undistributed(ctx):
        if left < 0 and day <= ctx.as_of:
            out.append(finding(
                "allocation-overdrawn", "warning",
                f"{allocated} allocated on {day} left the undistributed net income (期末累计未分配) "
                f"at {left}: more was allocated than the net common income earned up to that day",
                "民法典第282条（扣除合理成本后的收益归业主共有）；物业管理条例第54条；业主大会决议",
                [entry], date=day, allocated=allocated, undistributed=left))
    return out
