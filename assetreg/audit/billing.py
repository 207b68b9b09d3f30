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
    grace = dt.timedelta(days=ctx.books.option_int("billing-grace-days"))
    schedules: dict[str, list[Due]] = {}
    keys: dict[str, frozenset[str]] = {}
    for cid, c in ctx.books.contracts.items():
        dues, billed = ctx.books.schedule(c)
        if dues:
            schedules[cid], keys[cid] = dues, billed
    paid: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    payers: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for inc in ctx.books.income:
        if not inc.contract or inc.contract not in schedules:
            continue
        cid = inc.contract
        key = (cid, billing_period(schedules[cid], keys[cid], inc.period, inc.entry.date) or "?")
        paid[key] += inc.gross
        payers[key].append(inc.entry)
    for cid, dues in schedules.items():
        cref = ctx.books.contract_entries.get(cid)
        for d in dues:
            key = (cid, d.period)
            got = paid.pop(key, ZERO)
            if got > d.amount:
                out.append(finding(
                    "billing-overpaid", "warning",
                    f"contract {cid} period {d.period}: paid {got}, due {d.amount} (over by {got - d.amount})",
                    RULE, [*payers[key], cref], contract=cid, period=d.period, due=d.amount,
                    paid=got, difference=got - d.amount))
            elif got < d.amount and d.end + grace < ctx.as_of:
                out.append(finding(
                    "billing-arrears", "warning",
                    f"contract {cid} period {d.period} ({d.start} to {d.end}): paid {got} of "
                    f"{d.amount} due, {d.amount - got} in arrears",
                    RULE, [*payers[key], cref], contract=cid, period=d.period, due=d.amount,
                    paid=got, arrears=d.amount - got, as_of=ctx.as_of))
    for (cid, period), got in sorted(paid.items()):
        key = (cid, period)
        out.append(finding(
            "billing-overpaid", "warning",
            f"contract {cid}: {got} paid for period {period}, which its schedule does not bill",
            RULE, [*payers[key], ctx.books.contract_entries.get(cid)], contract=cid, period=period,
            due=ZERO, paid=got, difference=got))
    return out
