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

from .. import accounts
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
