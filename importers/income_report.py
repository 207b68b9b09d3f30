"""The property company's monthly common-income report → one journal transaction per row.

The property company (物业公司) collects income from common parts, keeps its reasonable
cost (民法典第282条) and owes the rest to the owners. Each row — an asset or a contract,
and a month — becomes::

    2025-01-31 * "淮安景湖物业服务有限公司" "2025-01 停车位 P-001 公共收益"
      asset: "P-001"
      contract: "C-2024-001"
      period: "2025-01"
      import_id: "income-…"
      Assets:Receivable:物业代收        105.00 CNY
      Expenses:Manager:物业经营成本       45.00 CNY
      Income:Common:停车位             -150.00 CNY

Every asset named must be registered and confirmed on the booking day (the plugin would
otherwise fail ``bean-check``), and gross − cost must equal the net the report states.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any, ClassVar

from beancount.core import data
from beancount.core.amount import Amount

from assetreg import accounts
from assetreg.contracts import contracts_from_entries
from assetreg.ledger import meta
from assetreg.registry import registry_from_entries, validate_asset_id
from assetreg.vocab import CURRENCY, KINDS

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
    parse_period,
)

COLUMNS = (
    Column("period", "期间", ("所属期间", "月份", "收费月份", "账期", "所属月份", "period"), note="月份，如 2025-01"),
    Column("asset", "资产编号", ("资产", "车位编号", "编号", "asset"), required=False,
           note="一个或多个资产编号，逗号分隔；可空（按合同所列资产）"),
    Column("contract", "合同编号", ("合同号", "合同", "contract"), required=False, note="如 C-2024-001"),
    Column("item", "项目", ("收入项目", "项目名称", "item"), required=False, note="可空，仅供核对"),
    Column("gross", "收入总额", ("总收入", "实收金额", "收入金额合计", "毛收入", "gross"), note="本期收取的总额（元）"),
    Column("cost", "扣除成本", ("成本", "经营成本", "物业成本", "合理成本", "管理成本", "cost"), note="物业公司扣除的合理成本（元）"),
    Column("net", "应付业主", ("净收益", "净额", "业主收益", "应归业主", "应付业主金额", "net"), note="收入总额 − 扣除成本（元）"),
    Column("date", "入账日期", ("日期", "date"), required=False, note="可空，默认为该月最后一天"),
)


def month_end(period: str) -> dt.date:
    y, m = int(period[:4]), int(period[5:7])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def parse_asset_list(value: Any) -> list[str]:

    parts = [p for p in re.split(r"[,;，；、\s]+", clean(value)) if p]
    if not parts:
        raise CellProblem("no asset id", "asset ids such as P-001 or P-001,P-002")
    return [validate_asset_id(p) for p in parts]


def _booked_by_hand(entries: list[Any]) -> dict[tuple[str, str, str], str]:
    """Common income already in the journal without an import fingerprint, by (contract, period, assets)."""
    found = {}
    for e in entries:
        if isinstance(e, data.Transaction) and "import_id" not in e.meta and e.meta.get("contract") \
                and any(accounts.is_common_income(p.account) for p in e.postings):
            key = (str(e.meta["contract"]).upper(), str(e.meta.get("period", "")),
                   ",".join(a.strip().upper() for a in str(e.meta.get("asset", "")).split(",") if a.strip()))
            found[key] = f"{e.meta.get('filename')}:{e.meta.get('lineno')}"
    return found


def short_list(ids: list[str]) -> str:
    return ",".join(ids) if len(ids) <= 3 else f"{ids[0]}等{len(ids)}项"


class IncomeReportImporter(SheetImporter):
    kind = "income-report"
    title = "物业公司公共收益月报"
    columns: ClassVar[tuple[Column, ...]] = COLUMNS
    target = accounts.HELD_BY_MANAGER

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        plan = Plan(self.kind, sheet.name)
        registry = registry_from_entries(ctx.entries)
        contracts = contracts_from_entries(ctx.entries)
        booked = _booked_by_hand(ctx.entries)
        fp = ctx.fingerprints(self.kind)
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        for row in data_rows(sheet.rows(), header):
            r.start(row)
            period = r.get("period", parse_period, expected="a month such as 2025-01")
            ids = r.get("asset", parse_asset_list, required=False)
            cid = r.text("contract", required=False)
            gross, cost, net = r.money("gross"), r.money("cost"), r.money("net")
            day = r.get("date", parse_date, required=False)
            if r.failed:
                continue
            assert period is not None and gross is not None and cost is not None and net is not None
            day = day or month_end(period)
            contract = None
            if cid:
                cid = cid.upper()
                contract = contracts.get(cid)
                if contract is None:
                    r.error("contract", f"unknown contract {cid}", "a contract recorded in the ledger (assetreg contract list)")
                    continue
            if not ids:
                if contract is None:
                    r.error("asset", "neither an asset nor a contract is named", "an asset id (资产编号) or a contract id (合同编号)")
                    continue
                ids = [a.upper() for a in contract.assets]
            if contract is None:
                # No contract named: the one contract on these assets in force that day.
                found = [c for c in contracts.values() if c.active_on(day)
                         and set(ids) <= {x.upper() for x in c.assets}]
                if len(found) != 1:
                    r.error("contract", f"{len(found) or 'no'} contracts on {short_list(ids)} in force on {day}",
                            "the contract id (合同编号) the income was earned under")
                    continue
                contract = found[0]
                cid = contract.id
            if contract is not None:
                outside = [a for a in ids if a not in {x.upper() for x in contract.assets}]
                if outside:
                    r.error("asset", f"{', '.join(outside)} not covered by contract {contract.id}",
                            f"assets of {contract.id}: {short_list(contract.assets)}")
                    continue
            if gross <= 0:
                r.error("gross", f"gross income {gross} is not positive", "the amount collected in the month, e.g. 150.00")
                continue
            if cost < 0:
                r.error("cost", f"cost {cost} is negative", "the cost deducted, 0 or more")
                continue
            if gross - cost != net:
                r.error("net", f"net {net} is not gross {gross} − cost {cost} = {gross - cost}", "net = gross − cost")
                continue
            kinds = set()
            bad = False
            for a in ids:
                asset = registry.get(a)
                if asset is None:
                    r.error("asset", f"unknown asset {a}", "an asset registered in the ledger (assetreg asset list)")
                    bad = True
                elif not asset.confirmed_on(day):
                    r.error("asset", f"asset {a} is not confirmed on {day} (status: {asset.status_on(day) or 'not registered'})",
                            "income only on days the asset is confirmed (民法典第282条); confirm it first")
                    bad = True
                else:
                    kinds.add(asset.kind)
            if bad:
                continue
            if len(kinds) > 1:
                r.error("asset", f"one row mixes asset kinds {', '.join(sorted(kinds))}", "one row per kind of asset")
                continue
            kind = kinds.pop()
            import_id = fp(period, ",".join(ids), cid, gross, cost, net, day)
            if import_id in ctx.seen:
                plan.already += 1
                continue
            earlier = booked.get((cid or "", period, ",".join(ids)))
            if earlier:
                r.error("period", f"income of {cid} for {period} on {short_list(ids)} is already booked, not by an import ({earlier})",
                        "a row not yet in the ledger; a correction goes in as a reversal of the booked entry")
                continue
            narration = f"{period} {KINDS.get(kind, kind)} {short_list(ids)} 公共收益"
            m = meta(asset=",".join(ids), contract=cid, period=period, import_id=import_id)
            postings = [data.Posting(accounts.HELD_BY_MANAGER, Amount(net, CURRENCY), None, None, None, None)]
            if cost:
                postings.append(data.Posting(accounts.MANAGER_COST, Amount(cost, CURRENCY), None, None, None, None))
            postings.append(data.Posting(accounts.INCOME_BY_KIND[kind], Amount(-gross, CURRENCY), None, None, None, None))
            manager = ctx.options.get("manager-name", day) or "物业服务公司"  # its name on that day
            plan.add("journal", data.Transaction(m, day, "*", manager, narration, frozenset(), frozenset(), postings), row.number)
        return plan


__all__ = ["IncomeReportImporter"]
