"""Where the money is: collected income passed on in time, deposits held and returned,
nothing left in suspense.

``remittance-aging``: what the property company collects for the owners is debited to
``Assets:Receivable:物业代收`` and must reach the owners' account (a credit of that
account) within ``remittance-days``. Remittances pay off the oldest collections first
(FIFO); a collection paid off late, or still held past the limit on the audit date, is
a finding.

``deposit-unlinked`` / ``deposit-unreturned`` / ``deposit-held``: every movement of
``Liabilities:Deposits:经营押金`` names its ``contract:``; a deposit still held
``deposit-return-days`` after its contract ended is a finding; deposits held against
contracts are listed (info).

``suspense-balance``: money left in a suspense or unmatched account on the audit date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from decimal import Decimal
from typing import Any

from .. import accounts, suspense
from .context import ZERO, Context
from .findings import Finding, finding


def check_remittance(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    # The limit in force on the day the money was collected governs that money.
    limits: dict[dt.date, int] = {}

    def limit_on(day: dt.date) -> int:
        if day not in limits:
            limits[day] = ctx.books.option_int("remittance-days", day)
        return limits[day]

    lots: deque[list[Any]] = deque()  # [date, remaining, entry]
    held = sorted(ctx.books.held, key=lambda m: m.date)
    for mv in held:
        if mv.amount > 0:
            lots.append([mv.date, mv.amount, mv.entry])
            continue
        left = -mv.amount
        while left > 0 and lots:
            lot = lots[0]
            take = min(left, lot[1])
            lot[1] -= take
            left -= take
            if lot[1] == 0:
                lots.popleft()
                days = (mv.date - lot[0]).days
                limit = limit_on(lot[0])
                if days > limit:
                    out.append(finding(
                        "remittance-late", "warning",
                        f"物业于 {lot[0]} 代收的收入，{mv.date} 才转入业主共有资金账户，"
                        f"历时 {days} 日（限 {limit} 日）",
                        _remit_rule(limit), [lot[2], mv.entry], collected=lot[0], remitted=mv.date, days=days,
                        limit=limit))
    for day, remaining, entry in lots:
        days = (ctx.as_of - day).days
        limit = limit_on(day)
        if day <= ctx.as_of and days > limit:
            out.append(finding(
                "remittance-aging", "warning",
                f"物业于 {day} 代收的 {remaining} 元，{days} 日后仍未转入（限 {limit} 日）；"
                f"应转入{accounts.leaf(accounts.BANK)}",
                _remit_rule(limit), [entry], collected=day, outstanding=remaining, days=days, limit=limit,
                as_of=ctx.as_of))
    return out


def _remit_rule(limit: int) -> str:
    return f"业主共有资金专户管理（代收款{limit}日内转入）；民法典第282条"


def check_deposits(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    held: dict[str, Decimal] = defaultdict(lambda: ZERO)
    refs: dict[str, list[Any]] = defaultdict(list)
    rule = "经营合同押金条款；业主共有资金管理"
    for mv in ctx.books.deposits:
        if mv.date > ctx.as_of:
            continue
        if not mv.contract:
            out.append(finding(
                "deposit-unlinked", "warning",
                f"{mv.date} 的押金 {-mv.amount} 元未注明合同：请加上 contract: \"C-…\"，"
                "以便合同终止时退还",
                rule, [mv.entry], amount=-mv.amount, date=mv.date))
            continue
        held[mv.contract] -= mv.amount
        refs[mv.contract].append(mv.entry)
    for cid, amount in sorted(held.items()):
        if amount == 0:
            continue
        contract = ctx.books.contracts.get(cid)
        cref = ctx.books.contract_entries.get(cid)
        # the return window in force when the contract ended
        grace = dt.timedelta(days=ctx.books.option_int("deposit-return-days", contract.end)
                             if contract is not None and "end" in contract.terms else 0)
        if contract is not None and "end" in contract.terms and contract.end + grace < ctx.as_of:
            out.append(finding(
                "deposit-unreturned", "warning",
                f"合同 {cid} 的押金 {amount} 元仍未退还；合同已于 {contract.end} 终止"
                f"（应在 {grace.days} 日内退还）",
                rule, [*refs[cid], cref], contract=cid, held=amount, ended=contract.end))
        else:
            agreed = contract.deposit if contract is not None else ZERO
            out.append(finding(
                "deposit-held", "info",
                f"合同 {cid} 在押押金 {amount} 元"
                + (f"（约定 {agreed} 元）" if agreed and agreed != amount else ""),
                rule, [*refs[cid], cref], contract=cid, held=amount, agreed=agreed))
    return out


def check_suspense(ctx: Context) -> list[Finding]:
    """One finding per open suspense line, with its age; at a seal, the lines open then.
    Lines, not balances: money in on one line and out on another never cancel out."""
    out: list[Finding] = []
    if not ctx.books.suspense_entries:
        return out
    every = suspense.lines(ctx.books.suspense_entries)
    for ln in every:
        if ln.date > ctx.as_of:
            continue
        if ln.open_on(ctx.as_of):
            out.append(finding(
                "suspense-balance", "warning",
                f"待查明款项 {ln.id}（{ln.date}，{ln.amount} 元，{ln.payee or '—'}，{ln.hint or '—'}）"
                f"已 {ln.age(ctx.as_of)} 日未查明"
                + (f"；未能自动匹配：{ln.reason}" if ln.reason else "")
                + f"；请用 `assetreg suspense assign {ln.id} …` 归属",
                "会计核算：待查明款项应及时查明入账", [ln.entry],
                line=ln.id, account=ln.account, balance=ln.left_on(ctx.as_of), date=ln.date, amount=ln.amount,
                age_days=ln.age(ctx.as_of), bank_ref=ln.bank_ref, reason=ln.reason))
    for seal in ctx.books.seals:
        left_at_seal = [ln for ln in every if ln.open_on(seal.through)]
        if left_at_seal:
            total = sum((ln.left_on(seal.through) for ln in left_at_seal), ZERO)
            out.append(finding(
                "suspense-at-seal", "error",
                f"封账日 {seal.through} 尚有 {len(left_at_seal)} 笔待查明款项未查明："
                + "，".join(f"{ln.id}（{ln.date}，{ln.amount} 元）" for ln in left_at_seal[:20])
                + ("…" if len(left_at_seal) > 20 else "")
                + "；已封账期间不得留有来历不明的款项",
                "期间封存：封存期末不得有待查明款项；民法典第281条、第943条（定期公开）",
                [seal.entry], account=",".join(sorted({ln.account for ln in left_at_seal})), balance=total,
                lines=",".join(ln.id for ln in left_at_seal), through=seal.through))
    return out

