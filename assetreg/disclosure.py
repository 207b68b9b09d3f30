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
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import segno
from beancount.core import data
from beancount.core.amount import Amount

from . import accounts, charts, periods
from .audit import run_checks
from .audit.income import gate_problem
from .audit.uses import undistributed_on
from .books import Books
from .books import of as books_of
from .errors import BadInput
from .ledger import custom, save_workbook
from .periods import Period
from .seal import root_of
from .shares import proportional
from .vocab import (
    CENT,
    CHECK_LABELS,
    COUNTERPARTY_KINDS,
    CURRENCY,
    KINDS,
    ORGANISATION_KINDS,
    SEVERITY_LABELS,
    USES,
    VERDICT_LABELS,
    ZERO,
)
from .vouchers import lines as voucher_lines

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
    public_url: str = ""  # the compound's page online (option ``public-url``), for the QR code
    objection_days: int = 15  # days residents have to object after publication (``notice-days``)
    lines: int = 0  # income and cost lines of the period (assetreg.vouchers.lines)
    vouchered: int = 0  # of them, with a voucher residents can open
    undistributed: Decimal = ZERO  # 期末累计未分配: carried forward + net to the period's end − allocated

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
        kind = str(c.terms.get("counterparty_kind", ""))
        contracts.append({
            "id": cid, "assets": ",".join(c.assets), "use": c.use, "n_assets": len(c.assets),
            "use_label": USES.get(c.use, c.use),
            "counterparty": str(c.terms.get("counterparty", "")), "start": start, "end": c.end,
            # Who the public reads: an organisation by name, an owner or a person by kind only.
            "counterparty_public": str(c.terms.get("counterparty", "")) if kind in ORGANISATION_KINDS
            else COUNTERPARTY_KINDS.get(kind, "业主" if kind == "owner" else "个人"),
            "income": sum((inc.gross for inc in books.income_by_contract.get(cid, [])
                           if p.contains(inc.date)), ZERO),
            "ok": problem is None,
            "price": c.price, "period": c.period, "resolution": str(c.terms.get("resolution", "")),
            "decision": str(c.meta.get("decision", "")), "rules": str(c.meta.get("rules", "")),
            "policy_set": str(c.meta.get("policy_set", "")),
            "gate": "通过" if problem is None else f"未通过：{problem}",
            "decision_label": VERDICT_LABELS.get(str(c.meta.get("decision", "")),
                                                 str(c.meta.get("decision", "")) or "未记录"),
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
            "verdict_label": VERDICT_LABELS.get(verdict, verdict),
            "use": str(m.get("use", "")), "use_label": USES.get(str(m.get("use", "")), str(m.get("use", ""))), "assets": str(m.get("assets", "")),
            "counterparty": str(m.get("counterparty", "")), "rules": str(m.get("rules", "")),
            "reasons": str(m.get("reasons", "")),
        })

    if findings is None:
        findings = [f for f in run_checks(entries, options_map, as_of, books=books)
                    if f.severity != "info"]

    basis = books.share_basis_on(p.end)  # the basis the shares below are made on
    roster = books.roster_on(p.end)
    weights = books.unit_weights(p.end)
    net = gross - cost
    shares = books.unit_shares(net.quantize(CENT), p.end)
    weight_sum = sum(weights.values(), Fraction(0))
    unit_rows = []
    for n in sorted(roster.units, key=natural_key):
        u = roster.units[n]
        exact = Fraction(net) * weights[n] / weight_sum if weight_sum else Fraction(0)
        unit_rows.append({"unit": n, "building": u.building, "area": u.area,
                          "exact": f"{exact.numerator}/{exact.denominator}" if exact.denominator != 1
                          else str(exact.numerator), "share": shares.get(n, ZERO)})

    try:
        objection_days = int(books.options.get("notice-days"))
    except ValueError:
        objection_days = 15
    in_period = [line for line in voucher_lines(books) if p.contains(line.date)]
    return Disclosure(
        lines=len(in_period), vouchered=sum(1 for line in in_period if line.vouchers),
        public_url=books.options.get("public-url").strip(),
        objection_days=objection_days,
        period=p, compound=books.options.get("compound-name"), by_kind=by_kind,
        by_asset=dict(sorted(by_asset.items())), asset_kinds=kinds, gross=gross, cost=cost,
        allocations=allocations, contracts=contracts, resolutions=resolution_rows,
        rejected=rejected, findings=list(findings), share_basis=basis,
        total_area=roster.total_area, units=unit_rows, shares=shares, root=root_of(options_map),
        undistributed=undistributed_on(books, p.end),
    )


UNNAMED = "(未注明资产)"


def natural_key(unit: str) -> tuple[tuple[int, int, str], ...]:
    """Unit numbers in the order residents count them: 9-2-201 before 9-2-1301, 2-… before 10-…."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.findall(r"\d+|\D+", unit))


def _kind_label(account: str) -> str:
    kind = accounts.KIND_OF_ACCOUNT.get(account)
    return KINDS.get(kind, kind) if kind else accounts.leaf(account)


def disclosure_entry(d: Disclosure, day: dt.date, report: str, *, revises: data.Custom | None = None,
                     reason: str | None = None) -> data.Custom:
    """The ledger entry of a publication; a revision names the publication it replaces
    (its date and digest) and why."""
    def amt(x: Decimal) -> Amount:
        return Amount(x.quantize(CENT), CURRENCY)

    extra: dict[str, Any] = {}
    if revises is not None:
        extra = {"revises": revises.date, "revises_digest": str(revises.meta.get("digest", "")),
                 "reason": reason}
    return custom(day, DISCLOSURE_TYPE, [d.period.key], start=d.period.start, end=d.period.end,
                  gross=amt(d.gross), cost=amt(d.cost), net=amt(d.net), allocated=amt(d.allocated),
                  units=len(d.shares), share_basis=d.share_basis, report=report, digest=d.digest(), **extra)


def published(entries: Iterable[Any], period: Period) -> list[data.Custom]:
    """The disclosure entries of ``period`` already in the ledger, oldest first."""
    return sorted((e for e in entries if isinstance(e, data.Custom) and e.type == DISCLOSURE_TYPE
                   and e.values and str(e.values[0].value) == period.key), key=lambda e: e.date)


def republication(entries: Iterable[Any], d: Disclosure, revise: bool, reason: str | None) -> tuple[bool, data.Custom | None]:
    """Whether publishing ``d`` adds a ledger entry, and the publication it revises.

    A period is disclosed once: run again with the same figures, nothing is added (the
    report is written again); with other figures, or to publish again on purpose, the
    treasurer passes ``revise`` and a reason, recorded with the new entry."""
    before = published(entries, d.period)
    last = before[-1] if before else None
    if revise:
        if last is None:
            raise BadInput(f"{d.period.key} has not been disclosed yet: there is nothing to revise",
                           "publish it without --revise")
        if not (reason or "").strip():
            raise BadInput("a revision of a published disclosure needs its reason",
                           "pass --reason '…' (kept in the ledger with the revision)")
        return True, last
    if last is None:
        return True, None
    if str(last.meta.get("digest", "")) == d.digest():
        return False, last
    raise BadInput(
        f"{d.period.key} was disclosed on {last.date} ({last.meta.get('filename', '?')}:{last.meta.get('lineno', '?')}) "
        "and its figures have changed since",
        "publish a revision with --revise --reason '…' (recorded), or check what changed with `assetreg audit`")


# ------------------------------------------------------------ output

def _rel(root: str | None) -> Any:
    # A published report names ledger lines relative to the compound folder, so it reads
    # the same wherever the folder sits (and says nothing about the treasurer's machine).
    prefix = root.rstrip(os.sep) + os.sep if root else None

    def rel(ref: str) -> str:
        return ref[len(prefix):] if prefix and ref.startswith(prefix) else ref

    return rel


def _rows_findings(findings: Iterable[Any], root: str | None) -> list[list[Any]]:
    rel = _rel(root)
    return [[SEVERITY_LABELS.get(f.severity, f.severity), CHECK_LABELS.get(f.check, f.check), f.check,
             f.message, f.rule, "; ".join(rel(r) for r in f.entries)] for f in findings]


def _basis_text(d: Disclosure) -> str:
    return "按专有部分面积（民法典第283条）" if d.share_basis == "area" else "按户均分（民法典第283条）"


def write_xlsx(d: Disclosure, path: Path) -> None:
    """The full detail of the 公示: Chinese sheets and headers, units in natural order,
    every sheet set up to print on A4, fitted to the page's width, its header row repeated."""
    # openpyxl takes a while to import; only the command that writes a workbook pays for it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    bold = Font(bold=True)

    def print_setup(ws: Worksheet, landscape: bool, header_row: int) -> None:
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages long as it takes
        if header_row:
            ws.print_title_rows = f"1:{header_row}"
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddHeader.center.text = f"{d.compound} 公共收益公示 {d.period.label_zh}"

    def sheet(title: str, header: list[str], rows: Iterable[list[Any]], money_cols: Iterable[int] = (),
              widths: dict[int, int] | None = None, landscape: bool = False) -> None:
        ws = wb.create_sheet(title)
        ws.append(header)
        for c in ws[1]:
            c.font = bold
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            ws.append(row)
        for col in money_cols:
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.number_format = "#,##0.00"
        for i, _ in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = (widths or {}).get(i, 16)
        ws.freeze_panes = "A2"
        print_setup(ws, landscape, 1)

    ws = wb.active
    ws.title = "概要"
    ws.append([f"{d.compound} 公共收益公示 {d.period.label_zh}（{d.period.start} 至 {d.period.end}）"])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in [
        ("公示期间", d.period.label_zh),
        ("公共收益收入", d.gross), ("扣除物业经营成本", d.cost),
        ("净收益", d.net), ("本期划转合计", d.allocated),
        *[(f"  其中：{accounts.leaf(k)}", v) for k, v in d.allocated_by_account().items()],
        ("期末累计未分配", d.undistributed),
        ("分摊方式", _basis_text(d)),
        ("户数", len(d.shares)), ("各户分摊合计", sum(d.shares.values(), ZERO)),
        ("未解决的审计发现", len(d.findings)),
        ("附有凭证的收支", f"{d.vouchered} / {d.lines} 笔"),
        ("异议期", f"公示之日起 {d.objection_days} 日内"),
        *([("网上查阅", d.public_url)] if d.public_url else []),
    ]:
        ws.append([label, value])
        if isinstance(value, Decimal):
            ws.cell(ws.max_row, 2).number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 40
    ws.cell(1, 1).alignment = Alignment(wrap_text=False)
    print_setup(ws, False, 0)

    sheet("按类别", ["类别", "收入", "成本", "净收益"],
          [[k, v.gross, v.cost, v.net] for k, v in sorted(d.by_kind.items())], (2, 3, 4))
    sheet("按资产", ["资产", "类别", "收入", "成本", "净收益"],
          [[a, d.asset_kinds.get(a, ""), v.gross, v.cost, v.net] for a, v in d.by_asset.items()], (3, 4, 5))
    sheet("收益去向", ["日期", "去向", "金额", "决议", "决议标题", "摘要"],
          [[a["date"], a["label"], a["amount"], a["resolution"], a["resolution_title"], a["narration"]]
           for a in d.allocations], (3,), {5: 40, 6: 40}, landscape=True)
    sheet("经营合同", ["合同", "资产", "用途", "相对方", "起", "止", "价格", "周期", "本期收入", "决议",
                      "政策决定", "规则", "政策集", "政策审查"],
          [[c["id"], c["assets"], c["use_label"], c["counterparty_public"], c["start"], c["end"], c["price"],
            c["period"], c["income"], c["resolution"], c["decision_label"], c["rules"], c["policy_set"],
            c["gate"]] for c in d.contracts], (7, 9), {2: 20, 12: 40}, landscape=True)
    sheet("业主大会决议", ["决议", "日期", "标题", "事项", "结果"],
          [[r["id"], r["date"], r["title"], r["matter"], r["passed"]] for r in d.resolutions], (), {3: 50})
    sheet("否决的提案", ["提案", "日期", "结论", "用途", "资产", "相对方", "规则", "理由"],
          [[r["id"], r["date"], r["verdict_label"], r["use_label"], r["assets"], r["counterparty"], r["rules"],
            r["reasons"]] for r in d.rejected], (), {7: 30, 8: 50}, landscape=True)
    sheet("审计发现", ["级别", "检查", "检查编号", "说明", "依据", "账本位置"], _rows_findings(d.findings, d.root),
          (), {4: 60, 5: 30, 6: 30}, landscape=True)
    sheet("各户分摊", ["房号", "楼栋", "专有面积(㎡)", "精确份额(元)", "分摊金额(元)"],
          [[u["unit"], u["building"], u["area"], u["exact"], u["share"]] for u in d.units], (5,))
    save_workbook(wb, path)  # titles, counterparties, 摘要 and reasons are outside text: kept as text


PRINT_CSS = """
@page { size: A4; margin: 12mm 12mm 14mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #555; } }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif; color: #111;
  font-size: 9.5pt; line-height: 1.45; margin: 0 auto; max-width: 186mm; padding: 1em; }
h1 { font-size: 18pt; margin: 0 0 .1em; letter-spacing: .1em; }
h2 { font-size: 11.5pt; margin: 1em 0 .35em; border-bottom: 1.5px solid #333; padding-bottom: .1em; break-after: avoid; }
h3 { font-size: 10pt; margin: .6em 0 .2em; break-after: avoid; }
p { margin: .3em 0; }
table { border-collapse: collapse; width: 100%; margin: .2em 0 .5em; break-inside: auto; }
th, td { border: .5pt solid #888; padding: 1.5pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
#contracts-listed td:first-child, #audit td:nth-child(2) { white-space: nowrap; }
thead { display: table-header-group; }
.head { display: flex; justify-content: space-between; gap: 1em; align-items: flex-start; }
.head .compound { font-size: 11pt; }
.head .period { font-size: 13pt; font-weight: bold; }
.qr { text-align: center; font-size: 7pt; color: #333; width: 36mm; flex: none; overflow-wrap: anywhere; }
.qr svg { width: 28mm; height: 28mm; display: block; margin: 0 auto; }
.figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2mm; margin: .4em 0; }
.figure { border: .8pt solid #333; border-radius: 2mm; padding: 1.5mm 3mm; }
.figure span { display: block; font-size: 8.5pt; color: #333; }
.figure b { font-size: 13pt; font-variant-numeric: tabular-nums; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 5mm; align-items: start; }
.ar-chart { margin: 0; break-inside: avoid; }
.ar-chart figcaption { font-weight: bold; font-size: 9pt; }
.ar-chart svg { width: 100%; height: auto; display: block; }
.ar-chart-data, .ar-chart-note { display: none; }
.muted { color: #444; font-size: 8.5pt; }
.bad { color: #b00; }
.notice { border: 1pt solid #333; padding: 2mm 3mm; margin: .5em 0; break-inside: avoid; }
.sign { display: grid; grid-template-columns: 1fr 1fr; gap: 6mm 10mm; margin-top: 6mm; break-inside: avoid; }
.sign div { border-bottom: .8pt solid #333; padding-top: 7mm; font-size: 9pt; }
.shares { break-before: page; }
.shares h2 { margin-top: 0; }
.cols { column-count: 4; column-gap: 4mm; column-rule: .3pt solid #bbb; font-size: 8pt; line-height: 1.3; }
.cols h3 { font-size: 8.5pt; margin: .3em 0 .1em; break-after: avoid; column-span: none; background: #eee; padding: 0 2pt; }
.u { display: flex; justify-content: space-between; break-inside: avoid; font-variant-numeric: tabular-nums; }
.u:nth-child(even) { background: #f4f4f4; }
@media screen { body { max-width: 50em; } }
@media screen and (max-width: 600px) { .figures, .two { grid-template-columns: 1fr; } .cols { column-count: 2; } }
"""


def _qr_svg(url: str) -> str:
    """The compound's online page as a QR code (inline SVG, no image files)."""
    qr = segno.make(url, error="m")
    return str(qr.svg_inline(scale=4, border=2, title="扫码查看网上公示"))


def render_html(d: Disclosure, published: dt.date | None = None, parts: tuple[str, ...] = ("summary", "shares")) -> str:
    """The 公示 for the notice board: an A4 document (print it, or `disclose` makes the PDF).

    ``summary``: the figures, by kind, where the net went, contracts in force in brief,
    resolutions, rejected proposals, audit status, the objection period and how to object,
    the signature lines and a QR code of the compound's online page (option ``public-url``);
    at most a few A4 pages. ``shares``: every unit's share, units in natural order, in four
    columns per page. The full detail (by asset, every contract, every finding) is in the
    workbook.
    """
    e = html.escape
    day = published or dt.date.today()
    last = day + dt.timedelta(days=d.objection_days - 1)

    def money(v: Decimal) -> str:
        return f"{v:,.2f}"

    def table(header: list[str], rows: Iterable[list[Any]], table_id: str = "") -> str:
        head = "".join(f'<th class="num">{e(h[1:])}</th>' if h.startswith("#") else f"<th>{e(h)}</th>"
                       for h in header)
        body = "".join(
            "<tr>" + "".join(
                f'<td class="num">{money(v)}</td>' if isinstance(v, Decimal)
                else f'<td class="num">{v}</td>' if isinstance(v, int) else f"<td>{e(str(v))}</td>"
                for v in row) + "</tr>" for row in rows)
        ident = f' id="{e(table_id)}"' if table_id else ""
        return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    title = f"{d.compound} 公共收益公示 {d.period.label_zh}"
    out: list[str] = []
    if "summary" in parts:
        qr = (f'<div class="qr" id="qr">{_qr_svg(d.public_url)}扫码查看网上公示<br>{e(d.public_url)}</div>'
              if d.public_url else "")
        out.append(
            f'<section class="summary" id="summary"><div class="head"><div>'
            f'<div class="compound">{e(d.compound)}</div><h1>公共收益公示</h1>'
            f'<div class="period" id="period">{e(d.period.label_zh)}</div>'
            f'<p>公示期间：{d.period.start} 至 {d.period.end}　公示日期：<b id="published">{day}</b></p>'
            f'<p>公示期（异议期）：<b id="objection">{day} 至 {last}</b>（{d.objection_days}日）</p>'
            f'<p class="muted">依据：民法典第281、282、283、943条；《物业管理条例》第54条。金额单位：元。</p>'
            f'</div>{qr}</div>')
        alloc = d.allocated_by_account()
        out.append('<h2>一、收支概要</h2><div class="figures" id="figures">'
                   + "".join(f'<div class="figure"><span>{e(k)}</span><b id="{i}">{money(v)}</b></div>'
                             for k, v, i in [("公共收益收入", d.gross, "fig-gross"),
                                             ("扣除物业经营成本", d.cost, "fig-cost"),
                                             ("净收益", d.net, "fig-net")])
                   + "</div>")
        kinds = sorted(d.by_kind.items(), key=lambda kv: -kv[1].gross)
        kind_chart = charts.hbars("nb-kinds", "收入按资产类别", [charts.Item(k, v.gross) for k, v in kinds],
                                  header=("类别", "收入"))
        out.append('<h2>二、按资产类别</h2><div class="two"><div>'
                   + table(["类别", "#收入", "#成本", "#净收益"],
                           [[k, v.gross, v.cost, v.net] for k, v in kinds]
                           + [["合计", d.gross, d.cost, d.net]], "by-kind")
                   + f"</div><div>{kind_chart}</div></div>")
        dest = [*[(accounts.leaf(k), v) for k, v in alloc.items()], ("期末累计未分配", d.undistributed)]
        dest_chart = charts.hbars("nb-dest", "净收益去向",
                                  [charts.Item(k, v) for k, v in dest])
        resolutions = sorted({a["resolution"] for a in d.allocations if a["resolution"]})
        out.append('<h2>三、净收益去向</h2><div class="two"><div>'
                   + table(["去向", "#金额"], [*([f"本期划转：{accounts.leaf(k)}", v] for k, v in alloc.items()),
                                              ["截至期末累计未分配", d.undistributed]], "destinations")
                   + f'<p class="muted">本期划转依据业主大会决议 {e("、".join(resolutions) or "（未引用）")}；'
                   f'净收益通常在期后按决议划转，“累计未分配”为截至 {d.period.end} 已取得而尚未划转的净收益。</p>'
                   f"</div><div>{dest_chart}</div></div>")
        # Contracts in brief: by use, then the few that are not parking spaces one by one.
        by_use: dict[str, list[dict[str, Any]]] = {}
        for c in d.contracts:
            by_use.setdefault(c["use_label"], []).append(c)
        use_rows = [[u, len(cs), sum(c["n_assets"] for c in cs), sum(1 for c in cs if not c["ok"]),
                     sum((c["income"] for c in cs), ZERO)]
                    for u, cs in sorted(by_use.items(), key=lambda kv: -len(kv[1]))]
        few = [c for c in d.contracts if len(by_use[c["use_label"]]) <= 5 or not c["ok"]]
        out.append(f'<h2>四、本期履行的经营合同（{len(d.contracts)} 份）</h2>'
                   + table(["用途", "#合同", "#资产", "#未通过审查", "#本期收入"], use_rows, "contracts-by-use"))
        if few:
            out.append(table(["合同", "用途", "相对方", "期限", "#价格", "决议", "政策决定"],
                             [[c["id"], c["use_label"], c["counterparty_public"], f"{c['start']}至{c['end']}",
                               c["price"], c["resolution"] or "—",
                               c["decision_label"] + ("" if c["ok"] else "（审查未通过）")] for c in few],
                             "contracts-listed"))
        out.append('<p class="muted">每份合同的资产、价格、决议与规则见公示工作簿“经营合同”表。</p>')
        if d.resolutions or d.rejected:
            out.append("<h2>五、业主大会决议与否决的提案</h2>")
            if d.resolutions:
                out.append(table(["决议", "日期", "标题", "结果"],
                                 [[r["id"], r["date"], r["title"], r["passed"]] for r in d.resolutions]))
            if d.rejected:
                out.append(table(["提案", "日期", "结论", "用途", "规则"],
                                 [[r["id"], r["date"], r["verdict_label"], r["use_label"], r["rules"]]
                                  for r in d.rejected]))
        counts: dict[tuple[str, str], int] = {}
        for f in d.findings:
            counts[(f.severity, f.check)] = counts.get((f.severity, f.check), 0) + 1
        order = {"error": 0, "warning": 1, "info": 2}
        audit_rows = [[CHECK_LABELS.get(c, c), SEVERITY_LABELS.get(s, s), n]
                      for (s, c), n in sorted(counts.items(), key=lambda kv: (order.get(kv[0][0], 3), kv[0][1]))]
        out.append(f'<h2>{"六" if d.resolutions or d.rejected else "五"}、审计情况</h2>'
                   + (table(["检查", "级别", "#发现"], audit_rows, "audit")
                      + '<p class="muted">每条发现的说明、依据与账本位置见公示工作簿“审计发现”表。</p>'
                      if audit_rows else '<p id="audit">截至公示日，审计未发现问题。</p>'))
        online = (f"，或扫描右上角二维码在网上查阅（{e(d.public_url)}）" if d.public_url else "")
        out.append(
            '<div class="notice" id="how-to-object"><b>异议与查阅</b>'
            f"<p>本公示自 {day} 起公示 {d.objection_days} 日，至 {last} 止。业主对公示内容有异议的，"
            "请在公示期内以书面形式向业主委员会提出，写明房号、异议事项及理由，并可附相关材料；"
            "业主委员会将书面答复，并将处理结果公示。</p>"
            f'<p id="vouchers">本期 {d.lines} 笔收支中 {d.vouchered} 笔附有原始凭证（发票、收据、合同页、银行回单），'
            "可在网上收益公示页面“收支凭证”中逐笔打开。</p>"
            f"<p>业主可向业主委员会申请查阅收支明细与原始凭证{online}。各户分享额见后附表，"
            "完整明细（按资产、每份合同、每条审计发现）见公示工作簿。</p></div>"
            '<div class="sign" id="signatures"><div>业主委员会（盖章）</div><div>主任（签字）</div>'
            '<div>委员（签字）</div><div>日期</div></div></section>')
    if "shares" in parts:
        total_area = Decimal(d.total_area.numerator) / Decimal(d.total_area.denominator) if d.total_area else ZERO
        basis = (f"按专有部分面积比例分摊（民法典第283条），全体专有面积 {money(total_area)} ㎡"
                 if d.share_basis == "area" else "按户均分（民法典第283条）")
        groups: dict[str, list[dict[str, Any]]] = {}
        for u in d.units:
            groups.setdefault(str(u["building"]), []).append(u)
        cols = "".join(
            f'<h3>{e(b)}号楼</h3>' + "".join(
                f'<div class="u" data-unit="{e(u["unit"])}"><span>{e(u["unit"])}</span>'
                f'<span class="amt">{money(u["share"])}</span></div>' for u in us)
            for b, us in groups.items())
        out.append(f'<section class="shares" id="shares"><h2>各户应享份额（{e(d.period.label_zh)}）</h2>'
                   f"<p>{basis}；以分为单位，最大余数法取整，{len(d.units)} 户合计恰为净收益 "
                   f"<b>{money(d.net)}</b> 元。分享额为账面份额，实际用途以业主大会决定为准。房号后为金额（元）。</p>"
                   f'<div class="cols">{cols}</div></section>')
    return ("<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)}</title><style>{PRINT_CSS}</style></head><body>"
            + "\n".join(out) + "</body></html>\n")
