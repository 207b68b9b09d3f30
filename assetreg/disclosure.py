"""Income disclosure (公示) for a period, with every unit's share of the net income.

    assetreg disclose -L ledgers/jinghu --period 2025H1 -o 2025H1.xlsx --html 2025H1.html

A period is a year (``2025``), a half (``2025H1``), a quarter (``2025Q3``) or a month
(``2025-07``). The disclosure shows income by asset kind and by asset, the manager's
cost deducted, the net, where the net went (allocations and the resolutions they cite),
contracts in force with their policy decisions, resolutions adopted, rejected proposals
and open audit findings (民法典第281条、第943条), and each unit's share of the net.

Shares follow Art. 283: by exclusive area unless the compound's ``share-basis`` option
says ``unit`` (equal per unit). The exact share ``net × area / total area`` is a
fraction; shares are rounded to cents by the largest-remainder method (floor every
share, then give the left-over cents one each to the largest remainders, ties by unit
number), so they add up exactly to the net.

Publishing records the disclosure in the ledger, so the overdue check sees it::

    2025-07-10 custom "disclosure" "2025H1"
      start: 2025-01-01
      end: 2025-06-30
      gross: 12000.00 CNY
      cost: 3600.00 CNY
      net: 8400.00 CNY
      allocated: 5000.00 CNY
      units: 5
      share_basis: "area"
      report: "2025H1.xlsx"
      digest: "sha256:…"
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from . import accounts, periods
from .audit import run_checks
from .audit.income import gate_problem
from .books import Books
from .books import of as books_of
from .errors import BadInput
from .ledger import custom, save_workbook
from .periods import Period
from .seal import root_of
from .shares import proportional
from .vocab import CENT, CURRENCY, KINDS, ZERO

DISCLOSURE_TYPE = "disclosure"

# ------------------------------------------------------------ the disclosure

@dataclass
class Line:
    gross: Decimal = ZERO
    cost: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.gross - self.cost


@dataclass
class Disclosure:
    period: Period
    compound: str
    by_kind: dict[str, Line]
    by_asset: dict[str, Line]
    asset_kinds: dict[str, str]
    gross: Decimal
    cost: Decimal
    allocations: list[dict[str, Any]]
    contracts: list[dict[str, Any]]
    resolutions: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    findings: list[Any]
    share_basis: str
    total_area: Fraction
    units: list[dict[str, Any]]  # unit, building, area, exact share (as text), share
    shares: dict[str, Decimal] = field(default_factory=dict)
    root: str | None = None  # the compound folder: published file:line refs are relative to it

    @property
    def net(self) -> Decimal:
        return self.gross - self.cost

    @property
    def allocated(self) -> Decimal:
        return sum((a["amount"] for a in self.allocations), ZERO)

    def allocated_by_account(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for a in self.allocations:
            out[a["account"]] = out.get(a["account"], ZERO) + a["amount"]
        return out

    def unit_share(self, unit_number: str) -> Decimal:
        key = unit_number.strip().upper()
        if key not in self.shares:
            raise BadInput(f"unit {unit_number!r} is not in the roster for {self.period.key}",
                           "check the unit number against `assetreg unit list`")
        return self.shares[key]

    def summary(self) -> dict[str, Any]:
        return {
            "period": self.period.key, "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(), "gross": str(self.gross), "cost": str(self.cost),
            "net": str(self.net), "allocated": str(self.allocated),
            "units": len(self.shares), "share_basis": self.share_basis,
            "shares_total": str(sum(self.shares.values(), ZERO)),
        }

    def digest(self) -> str:
        """A hash of what was published, so the ledger entry ties to the report's content."""
        blob = json.dumps({"summary": self.summary(),
                           "shares": {k: str(v) for k, v in sorted(self.shares.items())}},
                          sort_keys=True, ensure_ascii=False)
        return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def build(entries: list[Any], period: Period | str, options_map: dict[str, Any] | None = None,
          as_of: dt.date | None = None, findings: list[Any] | None = None,
          books: Books | None = None) -> Disclosure:
    """Everything a disclosure shows for ``period``, computed from the ledger index.

    ``findings`` are the open audit findings to list; when None, the audit runs as of
    ``as_of`` (default today) on the same index and its errors and warnings are listed.
    """
    p = periods.parse(period) if isinstance(period, str) else period
    books = books or books_of(entries, options_map)
    kinds = {aid: KINDS.get(a.kind, a.kind) for aid, a in books.registry.assets.items()}

    by_kind: dict[str, Line] = {}
    by_asset: dict[str, Line] = {}
    gross = cost = ZERO
    for inc in books.income:
        if not p.contains(inc.entry.date):
            continue
        gross += inc.gross
        for acct, amt in inc.by_account.items():
            by_kind.setdefault(_kind_label(acct), Line()).gross += amt
        for acct, share in proportional(inc.cost, inc.by_account).items():
            by_kind.setdefault(_kind_label(acct), Line()).cost += share
        asset_gross = inc.by_asset or {UNNAMED: inc.gross}
        for aid, amt in asset_gross.items():
            by_asset.setdefault(aid, Line()).gross += amt
        for aid, share in proportional(inc.cost, asset_gross).items():
            by_asset.setdefault(aid, Line()).cost += share
    # The manager's cost is every posting to its account in the period (Art. 282); cost
    # deducted outside an income transaction is named against no asset.
    for mv in books.costs:
        if p.contains(mv.date):
            cost += mv.amount
    apart = cost - sum((line.cost for line in by_asset.values()), ZERO)
    if apart:
        by_asset.setdefault(UNNAMED, Line()).cost += apart
        by_kind.setdefault(UNNAMED, Line()).cost += apart

    resolutions = books.resolutions
    allocations = []
    for mv in books.allocations:
        if p.contains(mv.date):
            r = resolutions.get(mv.resolution or "")
            allocations.append({
                "date": mv.date, "account": mv.account, "label": accounts.leaf(mv.account),
                "amount": mv.amount, "resolution": mv.resolution or "",
                "resolution_title": r.title if r else "", "narration": getattr(mv.entry, "narration", ""),
            })

    contracts = []
    for cid, c in sorted(books.contracts.items()):
        start, end = c.terms.get("start"), c.terms.get("end")
        if not isinstance(start, dt.date) or not isinstance(end, dt.date):
            continue
        if start > p.end or c.end < p.start:
            continue
        problem = gate_problem(c)
        contracts.append({
            "id": cid, "assets": ",".join(c.assets), "use": c.use,
            "counterparty": str(c.terms.get("counterparty", "")), "start": start, "end": c.end,
            "price": c.price, "period": c.period, "resolution": str(c.terms.get("resolution", "")),
            "decision": str(c.meta.get("decision", "")), "rules": str(c.meta.get("rules", "")),
            "policy_set": str(c.meta.get("policy_set", "")),
            "gate": "通过" if problem is None else f"未通过：{problem}",
        })

    resolution_rows = [
        {"id": r.id, "date": r.date, "title": r.title, "matter": r.matter,
         "passed": "通过" if r.passed else "未通过"}
        for r in sorted(resolutions.values(), key=lambda r: (r.date, r.id)) if p.contains(r.date)
    ]
    rejected = []
    for e in books.decisions:
        if not p.contains(e.date) or not e.values:
            continue
        verdict = str(e.values[1].value) if len(e.values) > 1 else ""
        if verdict not in ("forbidden", "not-permitted"):
            continue
        m = e.meta
        rejected.append({
            "id": str(e.values[0].value), "date": e.date, "verdict": verdict,
            "use": str(m.get("use", "")), "assets": str(m.get("assets", "")),
            "counterparty": str(m.get("counterparty", "")), "rules": str(m.get("rules", "")),
            "reasons": str(m.get("reasons", "")),
        })

    if findings is None:
        findings = [f for f in run_checks(entries, options_map, as_of, books=books)
                    if f.severity != "info"]

    basis = books.share_basis
    roster = books.roster_on(p.end)
    weights = books.unit_weights(p.end)
    net = gross - cost
    shares = books.unit_shares(net.quantize(CENT), p.end)
    weight_sum = sum(weights.values(), Fraction(0))
    unit_rows = []
    for n in sorted(roster.units):
        u = roster.units[n]
        exact = Fraction(net) * weights[n] / weight_sum if weight_sum else Fraction(0)
        unit_rows.append({"unit": n, "building": u.building, "area": u.area,
                          "exact": f"{exact.numerator}/{exact.denominator}" if exact.denominator != 1
                          else str(exact.numerator), "share": shares.get(n, ZERO)})

    return Disclosure(
        period=p, compound=books.options.get("compound-name"), by_kind=by_kind,
        by_asset=dict(sorted(by_asset.items())), asset_kinds=kinds, gross=gross, cost=cost,
        allocations=allocations, contracts=contracts, resolutions=resolution_rows,
        rejected=rejected, findings=list(findings), share_basis=basis,
        total_area=roster.total_area, units=unit_rows, shares=shares, root=root_of(options_map),
    )


UNNAMED = "(未注明资产)"


def _kind_label(account: str) -> str:
    kind = accounts.KIND_OF_ACCOUNT.get(account)
    return KINDS.get(kind, kind) if kind else accounts.leaf(account)


def disclosure_entry(d: Disclosure, day: dt.date, report: str) -> data.Custom:
    def amt(x: Decimal) -> Amount:
        return Amount(x.quantize(CENT), CURRENCY)

    return custom(day, DISCLOSURE_TYPE, [d.period.key], start=d.period.start, end=d.period.end,
                  gross=amt(d.gross), cost=amt(d.cost), net=amt(d.net), allocated=amt(d.allocated),
                  units=len(d.shares), share_basis=d.share_basis, report=report, digest=d.digest())


# ------------------------------------------------------------ output

def _rows_findings(findings: Iterable[Any], root: str | None) -> list[list[Any]]:
    # A published report names ledger lines relative to the compound folder, so it reads
    # the same wherever the folder sits (and says nothing about the treasurer's machine).
    prefix = root.rstrip(os.sep) + os.sep if root else None

    def rel(ref: str) -> str:
        return ref[len(prefix):] if prefix and ref.startswith(prefix) else ref

    return [[f.severity, f.check, f.message, f.rule, "; ".join(rel(r) for r in f.entries)] for f in findings]


def write_xlsx(d: Disclosure, path: Path) -> None:
    # openpyxl takes a while to import; only the command that writes a workbook pays for it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: Iterable[list[Any]], money_cols: Iterable[int] = ()) -> None:
        ws = wb.create_sheet(title)
        ws.append(header)
        for c in ws[1]:
            c.font = bold
        for row in rows:
            ws.append(row)
        for col in money_cols:
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.number_format = "#,##0.00"
        for i, _ in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = 16
        ws.freeze_panes = "A2"

    ws = wb.active
    ws.title = "概要"
    ws.append([f"{d.compound} 公共收益公示 {d.period.key}（{d.period.start} 至 {d.period.end}）"])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in [
        ("收入合计 (gross)", d.gross), ("物业经营成本 (cost deducted)", d.cost),
        ("净收益 (net)", d.net), ("已分配 (allocated)", d.allocated),
        *[(f"  其中 {k.rsplit(':', 1)[-1]}", v) for k, v in d.allocated_by_account().items()],
        ("分摊方式 (share basis)", "按专有部分面积 (民法典第283条)" if d.share_basis == "area" else "按户均分"),
        ("户数 (units)", len(d.shares)), ("各户分摊合计", sum(d.shares.values(), ZERO)),
        ("未解决的审计发现 (open findings)", len(d.findings)),
    ]:
        ws.append([label, value])
        if isinstance(value, Decimal):
            ws.cell(ws.max_row, 2).number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 40
    ws.cell(1, 1).alignment = Alignment(wrap_text=False)

    sheet("按类别", ["类别", "收入", "成本", "净收益"],
          [[k, v.gross, v.cost, v.net] for k, v in sorted(d.by_kind.items())], (2, 3, 4))
    sheet("按资产", ["资产", "类别", "收入", "成本", "净收益"],
          [[a, d.asset_kinds.get(a, ""), v.gross, v.cost, v.net] for a, v in d.by_asset.items()], (3, 4, 5))
    sheet("收益去向", ["日期", "去向", "金额", "决议", "决议标题", "摘要"],
          [[a["date"], a["label"], a["amount"], a["resolution"], a["resolution_title"], a["narration"]]
           for a in d.allocations], (3,))
    sheet("经营合同", ["合同", "资产", "用途", "相对方", "起", "止", "价格", "周期", "决议", "政策决定",
                      "规则", "政策集", "闸门"],
          [[c["id"], c["assets"], c["use"], c["counterparty"], c["start"], c["end"], c["price"],
            c["period"], c["resolution"], c["decision"], c["rules"], c["policy_set"], c["gate"]]
           for c in d.contracts], (7,))
    sheet("业主大会决议", ["决议", "日期", "标题", "事项", "结果"],
          [[r["id"], r["date"], r["title"], r["matter"], r["passed"]] for r in d.resolutions])
    sheet("否决的提案", ["提案", "日期", "结论", "用途", "资产", "相对方", "规则", "理由"],
          [[r["id"], r["date"], r["verdict"], r["use"], r["assets"], r["counterparty"], r["rules"],
            r["reasons"]] for r in d.rejected])
    sheet("审计发现", ["严重程度", "检查", "说明", "依据", "分录"], _rows_findings(d.findings, d.root))
    sheet("各户分摊", ["房号", "楼栋", "专有面积(m²)", "精确份额", "分摊金额(元)"],
          [[u["unit"], u["building"], u["area"], u["exact"], u["share"]] for u in d.units], (5,))
    save_workbook(wb, path)  # titles, counterparties, 摘要 and reasons are outside text: kept as text


def render_html(d: Disclosure) -> str:
    e = html.escape

    def table(header: list[str], rows: Iterable[list[Any]]) -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(
                f'<td class="num">{v:,.2f}</td>' if isinstance(v, Decimal) else f"<td>{e(str(v))}</td>"
                for v in row) + "</tr>" for row in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body or ''}</tbody></table>"

    alloc = d.allocated_by_account()
    parts = [
        f"<h1>{e(d.compound)} 公共收益公示</h1>",
        f"<p class=period>公示期间：{e(d.period.key)}（{d.period.start} 至 {d.period.end}）。"
        "依据：民法典第281、282、283、943条；物业管理条例第54条。</p>",
        "<h2>收支概要</h2>",
        table(["项目", "金额（元）"], [
            ["公共收益收入", d.gross], ["扣除物业经营成本", d.cost], ["净收益", d.net],
            ["已分配", d.allocated],
            *[[f"其中：{k.rsplit(':', 1)[-1]}", v] for k, v in alloc.items()]]),
        "<h2>按资产类别</h2>",
        table(["类别", "收入", "成本", "净收益"],
              [[k, v.gross, v.cost, v.net] for k, v in sorted(d.by_kind.items())]),
        "<h2>按资产</h2>",
        table(["资产", "类别", "收入", "成本", "净收益"],
              [[a, d.asset_kinds.get(a, ""), v.gross, v.cost, v.net] for a, v in d.by_asset.items()]),
        "<h2>净收益去向</h2>",
        table(["日期", "去向", "金额", "决议", "决议标题"],
              [[a["date"], a["label"], a["amount"], a["resolution"] or "（未引用决议）",
                a["resolution_title"]] for a in d.allocations]),
        "<h2>在履行的经营合同</h2>",
        table(["合同", "资产", "用途", "相对方", "起止", "价格", "决议", "政策决定", "闸门"],
              [[c["id"], c["assets"], c["use"], c["counterparty"], f"{c['start']}～{c['end']}",
                c["price"], c["resolution"], f"{c['decision']} {c['rules']}", c["gate"]]
               for c in d.contracts]),
        "<h2>业主大会决议</h2>",
        table(["决议", "日期", "标题", "结果"],
              [[r["id"], r["date"], r["title"], r["passed"]] for r in d.resolutions]),
        "<h2>否决的经营提案</h2>",
        table(["提案", "日期", "结论", "用途", "资产", "规则", "理由"],
              [[r["id"], r["date"], r["verdict"], r["use"], r["assets"], r["rules"], r["reasons"]]
               for r in d.rejected]),
        "<h2>未解决的审计发现</h2>",
        table(["严重程度", "检查", "说明", "依据"],
              [[f.severity, f.check, f.message, f.rule] for f in d.findings]),
        "<h2>各户应享份额</h2>",
        f"<p>按{'专有部分面积' if d.share_basis == 'area' else '户'}分摊（民法典第283条），"
        f"总面积 {Decimal(d.total_area.numerator) / Decimal(d.total_area.denominator):,.2f} m²；以最大余数法取整到分，合计恰为净收益 {d.net:,.2f} 元。</p>",
        table(["房号", "楼栋", "专有面积(m²)", "分摊金额(元)"],
              [[u["unit"], u["building"], str(u["area"]), u["share"]] for u in d.units]),
    ]
    style = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:2em;color:#111}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.4em;border-bottom:1px solid #888}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #999;padding:2px 6px;text-align:left}td.num{text-align:right}
@media print{body{margin:1cm}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
"""
    return ("<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
            f"<title>{e(d.compound)} 公共收益公示 {e(d.period.key)}</title><style>{style}</style>"
            "</head><body>" + "\n".join(parts) + "</body></html>\n")
