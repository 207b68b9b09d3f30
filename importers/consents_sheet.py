"""Consents sheet and waiting-list sheet → the ledger facts the policy gate reads.

Each row is staged by the same writer as ``assetreg consent record|withdraw`` or
``assetreg waitlist add|remove`` (so the same checks: the owner on the roster that day,
the evidence a file in the compound folder, no consent recorded twice), into the import's
transaction. All rows are checked before anything is written. A row already in the
ledger (the same asset, owner, step and day) is left alone, so re-importing adds nothing.
"""

from __future__ import annotations

from typing import Any, ClassVar

from assetreg import waitlist as wl
from assetreg.consents import consents_from_entries, record_consent, withdraw_consent
from assetreg.errors import BadInput
from assetreg.units import validate_owner_key

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

CONSENT_COLUMNS: tuple[Column, ...] = (
    Column("asset", "资产编号", ("资产", "asset"), note="如 S-01"),
    Column("owner", "业主编号", ("业主代码", "owner"), note="化名编号，如 OWN-0031；不得填写姓名或电话"),
    Column("date", "日期", ("签署日期", "同意日期", "date"), note="业主签署或撤回的日期"),
    Column("action", "同意或撤回", ("同意/撤回", "consent action"), note="同意 / 撤回"),
    Column("evidence", "证明材料", ("同意书", "evidence"), required=False,
           note="同意时必填：账本文件夹内的同意书扫描件路径，如 documents/同意书-S-01.pdf"),
    Column("reason", "原因", ("说明", "reason"), required=False, note="撤回时必填"),
)
WAITLIST_COLUMNS: tuple[Column, ...] = (
    Column("owner", "业主编号", ("业主代码", "owner"), note="化名编号，如 OWN-0417"),
    Column("date", "日期", ("登记日期", "date"), note="加入或退出排队的日期"),
    Column("action", "排队或退出", ("排队/退出", "waitlist action"), note="排队 / 退出"),
    Column("unit", "房号", ("unit",), required=False, note="可空：业主的房号"),
    Column("reason", "原因", ("说明", "reason"), required=False, note="退出时必填，如 已租到车位"),
)

CONSENT_ACTIONS = {"同意": "given", "撤回": "withdrawn", "given": "given", "withdrawn": "withdrawn"}
WAITLIST_ACTIONS = {"排队": "joined", "加入": "joined", "退出": "left", "joined": "joined", "left": "left"}


def _action(labels: dict[str, str]) -> Any:
    def parse(v: Any) -> str:
        s = clean(v).replace(" ", "")
        if s not in labels:
            raise CellProblem(f"unknown step {clean(v)!r}", " / ".join(k for k in labels if not k.isascii()))
        return labels[s]
    return parse


def _owner(v: Any) -> str:
    return validate_owner_key(clean(v))


class ConsentsImporter(SheetImporter):
    kind = "consents"
    title = "利害关系业主同意登记"
    columns: ClassVar[tuple[Column, ...]] = CONSENT_COLUMNS
    target = "Equity:Registry:确权档案"

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        plan = Plan(self.kind, sheet.name)
        if ctx.txn is None:
            raise BadInput("a consents sheet is checked against the ledger as it is written",
                           "import it with `assetreg import FILE -L LEDGER`")
        txn = ctx.txn
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        for row in data_rows(sheet.rows(), header):
            r.start(row)
            asset = r.text("asset", expected="an asset id such as S-01")
            owner = r.get("owner", _owner, expected="a pseudonymous key such as OWN-0031")
            day = r.get("date", parse_date, expected="a date such as 2024-10-08")
            action = r.get("action", _action(CONSENT_ACTIONS), expected="同意 or 撤回")
            evidence = r.text("evidence", required=action == "given", expected="a file path such as documents/同意书.pdf")
            reason = r.text("reason", required=action == "withdrawn", expected="why the consent was withdrawn")
            if r.failed:
                continue
            asset = str(asset).strip().upper()
            events = consents_from_entries(txn.after().entries).events.get(asset, [])
            if any((e.owner, e.action, e.date) == (owner, action, day) for e in events):
                plan.already += 1
                continue
            try:
                if action == "given":
                    record_consent(txn, asset, owner, day, evidence or "")
                else:
                    withdraw_consent(txn, asset, owner, day, reason or "")
            except BadInput as err:
                r.error("owner" if "owner" in err.problem or "holds no unit" in err.problem else "asset",
                        err.problem, err.fix or "a row the ledger accepts")
                continue
            plan.staged_by_gate += 1
        return plan


class WaitlistImporter(SheetImporter):
    kind = "waitlist"
    title = "车位排队名单"
    columns: ClassVar[tuple[Column, ...]] = WAITLIST_COLUMNS
    target = "Equity:Registry:确权档案"

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        plan = Plan(self.kind, sheet.name)
        if ctx.txn is None:
            raise BadInput("a waiting-list sheet is checked against the ledger as it is written",
                           "import it with `assetreg import FILE -L LEDGER`")
        txn = ctx.txn
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        for row in data_rows(sheet.rows(), header):
            r.start(row)
            owner = r.get("owner", _owner, expected="a pseudonymous key such as OWN-0417")
            day = r.get("date", parse_date, expected="a date such as 2025-03-01")
            action = r.get("action", _action(WAITLIST_ACTIONS), expected="排队 or 退出")
            unit = r.text("unit", required=False)
            reason = r.text("reason", required=action == "left", expected="why the owner left the list")
            if r.failed:
                continue
            events = wl.waitlist_from_entries(txn.after().entries).events
            if any((e.owner, e.action, e.date) == (owner, action, day) for e in events):
                plan.already += 1
                continue
            try:
                if action == "joined":
                    wl.add(txn, owner, day, unit or None, reason or "")
                else:
                    wl.remove(txn, owner, day, reason or "")
            except BadInput as err:
                r.error("owner", err.problem, err.fix or "a row the ledger accepts")
                continue
            plan.staged_by_gate += 1
        return plan
