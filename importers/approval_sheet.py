"""Approval sheet (付款审批表.xlsx) → each approver's step on a payment proposal, recorded as
``assetreg payment approve|reject`` records it (the same checks: a registered approver on
that day, not the proposer, the content hash they saw being the proposal's as it stands).

The treasurer collects the approvals (signed forms, or messages with the hash they saw) and
imports them; every row is checked before anything is written. A row already in the ledger
(the same payment, approver, step and day) is left alone, so importing again adds nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from assetreg import payments
from assetreg.errors import BadInput

from .base import Context, Plan, SheetImporter
from .cells import (
    CellProblem,
    Column,
    Header,
    Problems,
    RowReader,
    Sheet,
    clean,
    data_rows,
    parse_date,
)

COLUMNS: tuple[Column, ...] = (
    Column("payment", "付款申请编号", ("申请编号", "payment"), note="如 PAY-2026-001"),
    Column("by", "审批人编号", ("审批人", "approver"), note="审批人的化名编号，如 OWN-0012；不得填写姓名"),
    Column("date", "审批日期", ("日期", "date"), note="审批人签署的日期"),
    Column("decision", "审批意见", ("同意/否决", "decision"), note="同意 / 否决"),
    Column("hash", "所见内容哈希", ("内容哈希", "哈希", "hash"),
           note="审批人所见付款申请的内容哈希（payment show 打印的，至少前8位）"),
    Column("reason", "理由", ("说明", "reason"), required=False, note="否决时必填"),
)
DECISIONS = {"同意": "approved", "批准": "approved", "否决": "rejected", "不同意": "rejected",
             "approved": "approved", "rejected": "rejected"}


def _decision(v: Any) -> str:
    s = clean(v).replace(" ", "")
    if s not in DECISIONS:
        raise CellProblem(f"unknown decision {clean(v)!r}", "同意 / 否决")
    return DECISIONS[s]


class ApprovalSheetImporter(SheetImporter):
    kind = "approvals"
    title = "付款审批表"
    columns: ClassVar[tuple[Column, ...]] = COLUMNS
    target = "Assets:Bank:共有资金专户"

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        plan = Plan(self.kind, sheet.name)
        if ctx.txn is None:
            raise BadInput("an approval sheet is checked against the ledger as it is written",
                           "import it with `assetreg import 付款审批表.xlsx -L LEDGER`")
        txn = ctx.txn
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        for row in data_rows(sheet.rows(), header):
            r.start(row)
            pid = r.text("payment", expected="a payment id such as PAY-2026-001")
            by = r.get("by", lambda v: payments.approver_key(clean(v)), expected="an approver key such as OWN-0012")
            day = r.get("date", parse_date, expected="a date such as 2026-01-06")
            action = r.get("decision", _decision, expected="同意 or 否决")
            seen = r.text("hash", expected="the content hash the approver saw (8 or more hex digits)")
            reason = r.text("reason", required=action == "rejected", expected="why the payment is rejected")
            if r.failed or pid is None or seen is None:
                continue
            pid = pid.strip().upper()
            book = payments.book_from_entries(txn.after().entries)
            p = book.proposals.get(pid)
            if p is not None and any(isinstance(s, payments.Step) and (s.action, s.by, s.date) == (action, by, day)
                                     for s in p.events):
                plan.already += 1
                continue
            try:
                payments.decide(txn, day, pid, action, by, seen_hash=seen, reason=reason or "")
            except BadInput as err:
                column = ("hash" if "changed since" in err.problem else "by" if str(by) in err.problem
                          else "payment" if "proposal" in err.problem or "payment" in err.problem else "date")
                r.error(column, err.problem, err.fix or "a row the ledger accepts")
                continue
            plan.staged_by_gate += 1
        return plan
