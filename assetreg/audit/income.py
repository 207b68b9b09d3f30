"""Income checks: is each booking of common income backed by a confirmed asset, a
contract in force that passed the policy gate, and a cost deduction within the agreed share.

    2025-01-31 * "景湖物业" "2025-01 停车位 P-001 公共收益"
      asset: "P-001"
      contract: "C-2024-001"
      period: "2025-01"
      Assets:Receivable:物业代收        105.00 CNY
      Expenses:Manager:物业经营成本       45.00 CNY
      Income:Common:停车位             -150.00 CNY

Checks ``registry``, ``income-asset``, ``income-unconfirmed``, ``income-no-contract``,
``contract-gate`` and ``manager-cost``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from ..accounts import leaf as account_label
from ..contracts import Contract, content_hash, schedule
from ..vocab import STATUS_LABELS, VERDICT_LABELS
from .context import Context, Income
from .findings import Finding, finding

CENT = Decimal("0.01")
ART_282 = "民法典第282条"


def check_registry(ctx: Context) -> list[Finding]:
    return [finding("registry", "error", v.message,
                    "民法典第274、275条；确权流程（公示期、异议、证据）", [v.entry])
            for v in ctx.books.registry.violations]


def check_assets(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    assets = ctx.books.registry.assets
    for inc in ctx.books.income:
        e = inc.entry
        for account in inc.missing_asset:
            out.append(finding(
                "income-asset", "error",
                f"记入 {account_label(account)} 的收入未注明资产：请加上 asset: \"编号\"，"
                "使每笔收入都能追溯到已确权的共有资产",
                ART_282, [e], account=account))
        for asset_id in inc.assets:
            asset = assets.get(asset_id)
            if asset is None:
                out.append(finding(
                    "income-asset", "error",
                    f"收入所注资产 {asset_id} 不在登记簿中：请先登记该资产",
                    ART_282, [e], asset=asset_id))
            elif not asset.confirmed_on(e.date):
                status = asset.status_on(e.date)
                status_label = STATUS_LABELS.get(status, status) if status else "尚未登记"
                out.append(finding(
                    "income-unconfirmed", "error",
                    f"资产 {asset_id} 在 {e.date} 有收入，而当日尚未确权（当日状态：{status_label}）；"
                    "应自确权之日起记收入（民法典第282条：共有部分的收入在权属确定后属于业主共有）",
                    ART_282, [e], asset=asset_id, date=e.date, status=status or ""))
    return out


def _due_periods(contract: Contract, cache: dict[str, set[str]]) -> set[str]:
    if contract.id not in cache:
        cache[contract.id] = {d.period for d in schedule(contract)}
    return cache[contract.id]


def covers(contract: Contract, inc: Income, cache: dict[str, set[str]]) -> bool:
    """Is the income inside the term of a contract with a start and an end date: booked
    on a day it is in force, or (a late payment) for one of its own billing periods."""
    if contract.active_on(inc.entry.date):
        return True
    return inc.period is not None and inc.period in _due_periods(contract, cache)


def gate_problem(contract: Contract) -> str | None:
    decision = str(contract.meta.get("decision", ""))
    if decision != "permitted":
        shown = VERDICT_LABELS.get(decision, decision) if decision else "未记录"
        return f"记录的政策决定为“{shown}”，不是“准许”"
    stored = str(contract.meta.get("content_hash", ""))
    if not stored:
        return "合同未记录内容哈希（content_hash），无法确认政策决定针对的就是这些条款"
    if stored != content_hash(contract.terms):
        return "合同条款与政策决定时记录的内容哈希不一致（条款在政策审查后被改动）"
    return None


def check_contracts(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    cache: dict[str, set[str]] = {}
    gate: dict[str, str | None] = {}
    terms: dict[str, frozenset[str] | None] = {}
    rule = "民法典第278条第一款第八项；物业管理条例第54条"
    for inc in ctx.books.income:
        e = inc.entry
        cid = inc.contract
        if not cid:
            out.append(finding(
                "income-no-contract", "error",
                f"{e.date} 的收入未注明合同：请加上 contract: \"C-…\"；"
                "共有部分只能依业主共同决定的合同经营",
                rule, [e], date=e.date))
            continue
        contract = ctx.books.contracts.get(cid)
        if contract is None:
            out.append(finding(
                "income-no-contract", "error",
                f"{e.date} 的收入注明合同 {cid}，但账本中没有这份合同",
                rule, [e], contract=cid, date=e.date))
            continue
        if cid not in terms:  # worked out once per contract, not once per payment
            dated = isinstance(contract.terms.get("start"), dt.date) and isinstance(contract.terms.get("end"), dt.date)
            terms[cid] = frozenset(a.upper() for a in contract.assets) if dated else None
            gate[cid] = gate_problem(contract)
        covered = terms[cid]  # the contract's assets; None when its term has no dates
        cref = ctx.books.contract_entries.get(cid)
        if covered is None or not covers(contract, inc, cache):
            first = contract.terms.get("start") or ""
            last = (contract.end if covered is not None else contract.terms.get("end")) or ""  # an early end counts
            out.append(finding(
                "income-no-contract", "error",
                f"{e.date} 的收入（账期 {inc.period or '—'}）记在合同 {cid} 下，而该合同仅在 "
                f"{first or '—'} 至 {last or '—'} 期间有效",
                rule, [e, cref], contract=cid, date=e.date, period=inc.period or "", start=first, end=last))
        else:
            outside = [a for a in inc.assets if a not in covered]
            if outside:
                out.append(finding(
                    "income-no-contract", "error",
                    f"资产 {'、'.join(outside)} 的收入记在合同 {cid} 下，而该合同只涵盖 "
                    f"{'、'.join(contract.assets) or '（无资产）'}",
                    rule, [e, cref], contract=cid, assets=",".join(outside)))
        problem = gate[cid]
        if problem:
            out.append(finding(
                "contract-gate", "error",
                f"{e.date} 的收入记在合同 {cid} 下，而该合同未通过政策审查：{problem}",
                "负面清单/指导清单（政策闸门）；民法典第278条", [e, cref], contract=cid,
                decision=contract.meta.get("decision", ""),
                stored_hash=contract.meta.get("content_hash", ""),
                recomputed_hash=content_hash(contract.terms)))
    return out


def check_manager_cost(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    contracts = ctx.books.contracts
    shares: dict[str | None, Decimal | None] = {}  # each contract's agreed share, read once
    caps: dict[dt.date, Decimal] = {}  # the compound's cap in force on a day
    for inc in ctx.books.income:
        if inc.gross <= 0 or inc.cost <= 0:
            continue
        if inc.contract not in shares:
            contract = contracts.get(inc.contract or "")
            shares[inc.contract] = (contract.manager_share
                                    if contract and "manager_share" in contract.terms else None)
        agreed = shares[inc.contract]
        if agreed is None:  # no share agreed: the compound's cap on the day of the income
            day = inc.entry.date
            if day not in caps:
                caps[day] = ctx.books.option_decimal("manager-share-max", day)
            agreed = caps[day]
        limit = (inc.gross * agreed).quantize(CENT, ROUND_HALF_UP)
        if inc.cost > limit:
            e = inc.entry
            share = (inc.cost / inc.gross).quantize(Decimal("0.0001"))
            out.append(finding(
                "manager-cost", "warning",
                f"物业于 {e.date} 从 {inc.gross} 元收入中扣除成本 {inc.cost} 元（{share:.2%}），"
                f"超过约定比例 {agreed}（最多 {limit} 元）",
                "民法典第282条（扣除合理成本）；合同约定的成本比例", [e],
                contract=inc.contract or "", gross=inc.gross, cost=inc.cost, agreed_share=agreed,
                limit=limit, excess=inc.cost - limit))
    return out
