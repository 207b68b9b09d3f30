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

from ..contracts import Contract, content_hash, schedule
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
                f"income posted to {account} names no asset: add `asset: \"ID\"` "
                "metadata so the income can be traced to a confirmed common asset",
                ART_282, [e], account=account))
        for asset_id in inc.assets:
            asset = assets.get(asset_id)
            if asset is None:
                out.append(finding(
                    "income-asset", "error",
                    f"income on unknown asset {asset_id}: register it first",
                    ART_282, [e], asset=asset_id))
            elif not asset.confirmed_on(e.date):
                status = asset.status_on(e.date) or "not yet registered"
                out.append(finding(
                    "income-unconfirmed", "error",
                    f"income on asset {asset_id} dated {e.date}, "
                    f"when its ownership was not confirmed (status that day: {status}); "
                    "book it only from the confirmation date (民法典第282条: income from "
                    "common parts belongs to the owners once ownership is established)",
                    ART_282, [e], asset=asset_id, date=e.date, status=status))
    return out


def _due_periods(contract: Contract, cache: dict[str, set[str]]) -> set[str]:
    if contract.id not in cache:
        cache[contract.id] = {d.period for d in schedule(contract)} if "start" in contract.terms else set()
    return cache[contract.id]


def covers(contract: Contract, inc: Income, cache: dict[str, set[str]]) -> bool:
    """Is the income inside the contract's term: booked on a day it is in force, or
    (a late payment) for one of its own billing periods."""
    day: dt.date = inc.entry.date
    if "start" not in contract.terms or "end" not in contract.terms:
        return False
    if contract.active_on(day):
        return True
    return inc.period is not None and inc.period in _due_periods(contract, cache)


def gate_problem(contract: Contract) -> str | None:
    decision = str(contract.meta.get("decision", ""))
    if decision != "permitted":
        return f"its recorded policy decision is {decision or 'missing'!r}, not 'permitted'"
    stored = str(contract.meta.get("content_hash", ""))
    if not stored:
        return "it carries no content_hash, so its decision cannot be tied to its terms"
    if stored != content_hash(contract.terms):
        return ("its terms no longer match the content_hash recorded with its decision "
                "(terms edited after the policy gate)")
    return None


def check_contracts(ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    cache: dict[str, set[str]] = {}
    gate: dict[str, str | None] = {}
    terms: dict[str, tuple[dt.date, dt.date, frozenset[str]] | None] = {}
    rule = "民法典第278条第一款第八项；物业管理条例第54条"
    for inc in ctx.books.income:
        e = inc.entry
        cid = inc.contract
        if not cid:
            out.append(finding(
                "income-no-contract", "error",
                f"income dated {e.date} names no contract: add `contract: \"C-…\"`; common parts "
                "may be operated only under a contract the owners decided on",
                rule, [e], date=e.date))
            continue
        contract = ctx.books.contracts.get(cid)
        if contract is None:
            out.append(finding(
                "income-no-contract", "error",
                f"income dated {e.date} names contract {cid}, which is not recorded in the ledger",
                rule, [e], contract=cid, date=e.date))
            continue
        if cid not in terms:  # worked out once per contract, not once per payment
            ok = isinstance(contract.terms.get("start"), dt.date) and isinstance(contract.terms.get("end"), dt.date)
            terms[cid] = (contract.start, contract.end,
                          frozenset(a.upper() for a in contract.assets)) if ok else None
            gate[cid] = gate_problem(contract)
        span = terms[cid]
        cref = ctx.books.contract_entries.get(cid)
        in_force = span is not None and span[0] <= e.date <= span[1]
        if not in_force and not (span is not None and covers(contract, inc, cache)):
            out.append(finding(
                "income-no-contract", "error",
                f"income dated {e.date} (period {inc.period or '-'}) on contract {cid}, which is "
                f"in force only from {contract.terms.get('start')} to "
                f"{contract.end if span else contract.terms.get('end')}",
                rule, [e, cref], contract=cid, date=e.date, period=inc.period or "",
                start=contract.terms.get("start"), end=contract.terms.get("end")))
        elif span is not None:
            outside = [a for a in inc.assets if a not in span[2]]
            if outside:
                out.append(finding(
                    "income-no-contract", "error",
                    f"income on {', '.join(outside)} booked to contract {cid}, which covers only "
                    f"{', '.join(contract.assets) or 'no assets'}",
                    rule, [e, cref], contract=cid, assets=",".join(outside)))
        problem = gate[cid]
        if problem:
            out.append(finding(
                "contract-gate", "error",
                f"income dated {e.date} on contract {cid}, which did not pass the policy gate: {problem}",
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
                f"the manager deducted {inc.cost} of {inc.gross} income ({share:.2%}) on {e.date}, "
                f"above the agreed share {agreed} (at most {limit})",
                "民法典第282条（扣除合理成本）；合同约定的成本比例", [e],
                contract=inc.contract or "", gross=inc.gross, cost=inc.cost, agreed_share=agreed,
                limit=limit, excess=inc.cost - limit))
    return out
