"""Contracts sheet → each row through the policy gate, exactly as ``assetreg contract record``.

A row becomes a :class:`assetreg.policy.Proposal` (the same validation as a contract.yaml)
and :func:`assetreg.policy.record` decides it and stages the contract entry. A row the gate
does not permit is an error of the file: the whole import stops and nothing is written —
not even the rejected-proposal entry, since the committee has not actually proposed it; it
fixes the sheet or records that proposal on its own with ``assetreg contract record``.

A contract already recorded with the same terms (same id and content hash) is left alone,
so re-importing the sheet adds nothing; the same id with other terms is an error.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from assetreg import accounts
from assetreg.contracts import content_hash, contracts_from_entries
from assetreg.errors import BadInput
from assetreg.policy import Proposal, load_policy_set, record
from assetreg.vocab import PROPOSAL_FACTS, USES, parse_label

from .base import Context, Plan, SheetImporter
from .cells import (
    CellError,
    CellProblem,
    Column,
    Header,
    Problems,
    RowReader,
    Sheet,
    clean,
    data_rows,
    parse_bool,
    parse_date,
    parse_decimal,
)

PERIOD_LABELS = {"月": "month", "按月": "month", "月付": "month", "每月": "month", "季": "quarter",
                 "季度": "quarter", "按季": "quarter", "半年": "half-year", "年": "year", "按年": "year",
                 "年度": "year", "每年": "year", "一次": "once", "一次性": "once"}
COUNTERPARTY_LABELS = {"业主": "owner", "单位": "organisation", "机构": "organisation", "企业": "organisation",
                       "组织": "organisation", "公司": "organisation", "非业主": "non-owner"}


def _uses() -> dict[str, str]:

    return dict(USES)


def _facts() -> dict[str, str]:

    return dict(PROPOSAL_FACTS)


COLUMNS: tuple[Column, ...] = (
    Column("id", "合同编号", ("合同号", "编号", "contract", "id"), note="如 C-2024-001"),
    Column("assets", "资产编号", ("资产", "assets"), note="逗号分隔，如 P-001,P-002"),
    Column("use", "用途", ("经营用途", "用途类别", "use"), note="用途类别（见下拉列表）"),
    Column("counterparty", "对方", ("承租方", "相对方", "对方单位", "counterparty"),
           note="业主编号（如 OWN-0417）或单位名称；不得填写个人姓名、身份证号、电话"),
    Column("counterparty_kind", "对方类型", ("承租方类型", "counterparty kind", "counterparty_kind"),
           note="业主 / 单位 / 非业主"),
    Column("signed", "签订日期", ("签约日期", "signed"), required=False, note="可空，默认为起始日期"),
    Column("start", "起始日期", ("开始日期", "起租日期", "start"), note="如 2025-01-01"),
    Column("end", "终止日期", ("结束日期", "到期日期", "end"), note="如 2025-12-31"),
    Column("price", "每期金额", ("租金", "价格", "单价", "price"), note="每个计费周期应收金额（元）"),
    Column("period", "计费周期", ("周期", "付款周期", "period"), required=False, note="月 / 季 / 半年 / 年 / 一次（空白为月）"),
    Column("deposit", "押金", ("保证金", "deposit"), required=False, note="元，可空"),
    Column("manager_share", "物业成本比例", ("物业分成比例", "成本比例", "manager share", "manager_share"),
           required=False, note="0 到 1 之间或百分比，如 0.30 或 30%"),
    Column("resolution", "决议编号", ("业主大会决议", "resolution"), required=False, note="如 R-2024-01"),
    Column("notice_start", "公示开始", ("公示开始日期", "notice start", "notice_start"), required=False),
    Column("notice_end", "公示结束", ("公示结束日期", "notice end", "notice_end"), required=False),
    Column("consents", "同意业主", ("同意的业主", "consents"), required=False, note="业主编号，逗号分隔"),
    Column("affected", "受影响业主", ("直接影响业主", "affected"), required=False, note="业主编号，逗号分隔"),
    Column("owners_waiting", "排队业主数", ("等候车位业主数", "owners waiting", "owners_waiting"), required=False),
    Column("residential_use", "居住用途", ("residential_use",), required=False, note="是 / 否"),
    Column("hazardous", "危险物品", ("hazardous",), required=False, note="是 / 否"),
    Column("noise_or_fumes", "噪声油烟", ("noise_or_fumes",), required=False, note="是 / 否"),
    Column("blocks_light", "遮挡采光", ("blocks_light",), required=False, note="是 / 否"),
    Column("alters_structure", "改动结构", ("alters_structure",), required=False, note="是 / 否"),
    Column("date", "记录日期", ("登记日期", "date"), required=False, note="可空，默认为签订日期"),
)
MONEY = ("price", "deposit")
DATES = ("signed", "start", "end", "notice_start", "notice_end")
BOOLS = ("residential_use", "hazardous", "noise_or_fumes", "blocks_light", "alters_structure")


def parse_use(value: Any) -> str:
    uses = _uses()
    try:  # the label as the template's drop-down gives it (停车位出租（业主）), or the id
        return parse_label(uses, clean(value), "use")
    except BadInput as exc:
        raise CellProblem(exc.problem, "a use category: " + "、".join(uses.values())) from None


def parse_share(value: Any) -> Any:
    if isinstance(value, str) and clean(value).endswith("%"):
        return parse_decimal(clean(value)[:-1], "a share", "0.30 or 30%") / 100
    return parse_decimal(value, "a share", "0.30 or 30%")


def parse_count(value: Any) -> int:
    n = parse_decimal(value, "a whole number", "0")
    if n != n.to_integral_value():
        raise CellProblem(f"not a whole number: {value!r}", "a whole number such as 0 or 3")
    return int(n)


def _label(value: Any, labels: dict[str, str], keys: tuple[str, ...], what: str) -> str:
    try:
        return parse_label({k: k for k in keys}, clean(value), what, labels)
    except BadInput:
        raise CellProblem(f"unknown {what} {clean(value)!r}", " / ".join(labels) + " (or " + ", ".join(keys) + ")") from None


class ContractsImporter(SheetImporter):
    kind = "contracts"
    title = "经营合同台账"
    columns: ClassVar[tuple[Column, ...]] = COLUMNS
    target = accounts.DEPOSITS

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:

        plan = Plan(self.kind, sheet.name)
        if ctx.txn is None:
            raise BadInput("a contracts sheet goes through the policy gate", "import it with `assetreg import FILE -L LEDGER`")
        txn = ctx.txn
        policy_set = load_policy_set(txn.compound, txn.loaded)
        existing = contracts_from_entries(ctx.entries)
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        for row in data_rows(sheet.rows(), header):
            r.start(row)
            mapping: dict[str, Any] = {}
            for col in COLUMNS:
                if col.name not in header.index or col.name == "date":
                    continue
                if col.name in MONEY:
                    v: Any = r.money(col.name, required=False)
                elif col.name in DATES:
                    v = r.get(col.name, parse_date, required=False)
                elif col.name in BOOLS:
                    v = r.get(col.name, parse_bool, required=False)
                elif col.name == "use":
                    v = r.get("use", parse_use, expected="a use category")
                elif col.name == "period":
                    v = r.get("period", lambda x: _label(x, PERIOD_LABELS, ("month", "quarter", "half-year", "year", "once"), "period"),
                              required=False)
                elif col.name == "counterparty_kind":
                    v = r.get(col.name, lambda x: _label(x, COUNTERPARTY_LABELS, ("owner", "organisation", "non-owner"), "counterparty kind"))
                elif col.name == "manager_share":
                    v = r.get(col.name, parse_share, required=False)
                elif col.name == "owners_waiting":
                    v = r.get(col.name, parse_count, required=False)
                else:
                    v = r.text(col.name, required=col.required)
                if v is not None:
                    mapping[col.name] = v
            day = r.get("date", parse_date, required=False)
            if r.failed:
                continue
            try:
                proposal = Proposal.from_mapping(mapping, "row")
            except BadInput as err:
                m = re.search(r"field (\w+)", err.problem)
                name = m.group(1) if m and m.group(1) in header.index else "id"
                r.error(name, err.problem.removeprefix("row: "), err.fix or "a valid value")
                continue
            old = existing.get(proposal.id)
            if old is not None:
                if old.content_hash() == content_hash(proposal.terms()):
                    plan.already += 1
                    continue
                r.error("id", f"contract {proposal.id} is already recorded with other terms ({old.source})",
                        "a new id: a recorded contract is never rewritten (end it and record a new one)")
                continue
            try:
                decision = record(txn, proposal, policy_set, day=day or proposal.signing_date)
            except BadInput as err:
                r.error("id", err.problem, err.fix or "a contract the gate can decide")
                continue
            if not decision.permitted:
                assert r.row is not None
                problems.errors.append(CellError(
                    r.file, r.sheet, r.row.number, r.where("id"),
                    f"contract {proposal.id} is {decision.verdict} by policy set {decision.policy_set} "
                    f"(rules {', '.join(decision.rule_ids) or '—'}): {decision.reasons}",
                    "a contract the policy set permits; check it with `assetreg contract check`"))
                continue
            plan.notes.append(f"{proposal.id}: permitted (rules {', '.join(decision.rule_ids)})")
            plan.staged_by_gate += 1
        return plan
