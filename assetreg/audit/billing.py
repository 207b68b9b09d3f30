"""Billing against each contract's schedule: arrears and overpayments per period.

A contract of 150.00 CNY a month from 2025-01-01 owes 150.00 for "2025-01"; income
transactions pay it by naming ``contract:`` and ``period:``. A period that ended more
than ``billing-grace-days`` before the audit date and was paid less is in arrears; a
period paid more than due, or a payment for a period the contract never bills, is an
overpayment. Income naming no period counts for the billing period its date falls in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from ..contracts import Due, billing_period
from .context import ZERO, Context
from .findings import Finding, finding

RULE = "经营合同约定的租金/使用费及缴纳周期；民法典第282条"


def check_billing(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    books = ctx.books
    grace = dt.timedelta(days=books.option_int("billing-grace-days", ctx.as_of))
    cutoff = ctx.as_of - grace  # a period that ended before this day is in arrears if short
    schedules: dict[str, tuple[list[Due], frozenset[str]]] = {}
    for cid, c in books.contracts.items():
        dues, billed = books.schedule(c)
        if dues:
            schedules[cid] = (dues, billed)
    # What each contract was paid, by billing period (one dict per contract: the hot path
    # of a large ledger is one lookup per payment and one per period due).
    paid: dict[str, dict[str, Decimal]] = {}
    for inc in books.income:
        payee = inc.contract
        found = schedules.get(payee) if payee else None
        if found is None or payee is None:
            continue
        period = billing_period(found[0], found[1], inc.period, inc.entry.date) or "?"
        by_period = paid.setdefault(payee, {})
        by_period[period] = by_period.get(period, ZERO) + inc.gross
    flagged: list[tuple[str, str, str, Due | None, Decimal]] = []  # (kind, cid, period, due, paid)
    for cid, (dues, _) in schedules.items():
        got_by = paid.get(cid, {})
        for d in dues:
            got = got_by.pop(d.period, ZERO)
            if got > d.amount:
                flagged.append(("billing-overpaid", cid, d.period, d, got))
            elif got < d.amount and d.end < cutoff:
                flagged.append(("billing-arrears", cid, d.period, d, got))
    for cid in sorted(paid):
        for period, got in sorted(paid[cid].items()):
            flagged.append(("billing-overpaid", cid, period, None, got))
    if not flagged:
        return out
    # The payments behind each finding, found only for the periods that have one.
    wanted = {(cid, period) for _, cid, period, _, _ in flagged}
    payers: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for inc in books.income:
        payee = inc.contract
        if payee and payee in schedules:
            terms, billed = schedules[payee]
            key = (payee, billing_period(terms, billed, inc.period, inc.entry.date) or "?")
            if key in wanted:
                payers[key].append(inc.entry)
    for kind, cid, period, due, got in flagged:
        cref = books.contract_entries.get(cid)
        refs = [*payers[cid, period], cref]
        if due is None:
            out.append(finding(
                "billing-overpaid", "warning",
                f"合同 {cid}：账期 {period} 收款 {got} 元，但该合同的缴费计划中没有这一账期",
                RULE, refs, contract=cid, period=period, due=ZERO, paid=got, difference=got))
        elif kind == "billing-overpaid":
            out.append(finding(
                "billing-overpaid", "warning",
                f"合同 {cid} 账期 {due.period}：实收 {got} 元，应收 {due.amount} 元（多收 {got - due.amount} 元）",
                RULE, refs, contract=cid, period=due.period, due=due.amount,
                paid=got, difference=got - due.amount))
        else:
            out.append(finding(
                "billing-arrears", "warning",
                f"合同 {cid} 账期 {due.period}（{due.start} 至 {due.end}）：应收 {due.amount} 元，"
                f"实收 {got} 元，欠缴 {due.amount - got} 元",
                RULE, refs, contract=cid, period=due.period, due=due.amount,
                paid=got, arrears=due.amount - got, as_of=ctx.as_of))
    return out
