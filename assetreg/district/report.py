"""`assetreg district report`: one row per compound, district totals, price references.

Every figure is read from the district store, which holds each compound's own audit
and disclosure figures (:mod:`.facts`); the report only divides and adds. Money stays
``Decimal``; percentages are rounded to one decimal place, per-household figures to cents.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..audit.findings import Finding
from ..errors import BadInput
from ..ledger import save_workbook
from ..vocab import CENT, STATUS_LABELS, USES, ZERO
from . import prices
from .store import Store

PCT = Decimal("0.1")

# Report columns: key, Chinese heading, kind (text | int | money | pct | bool | date).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("compound", "小区编号", "text"),
    ("name", "小区名称", "text"),
    ("households", "户数", "int"),
    ("assets", "共有资产", "int"),
    *((f"assets_{s}", label, "int") for s, label in STATUS_LABELS.items()),
    ("confirmed_pct", "确权率%", "pct"),
    ("contracts_in_force", "履行中合同", "int"),
    ("gross", "本年收入", "money"),
    ("gross_per_household", "户均收入", "money"),
    ("cost", "物业扣除成本", "money"),
    ("cost_pct", "成本占比%", "pct"),
    ("net", "净收益", "money"),
    ("to_maintenance", "转入维修资金", "money"),
    ("maintenance_pct", "维修资金占净收益%", "pct"),
    ("last_disclosure", "最近公示", "text"),
    ("last_disclosure_date", "公示日期", "date"),
    ("disclosure_overdue", "公示逾期", "bool"),
    ("errors", "审计错误", "int"),
    ("warnings", "审计警告", "int"),
    ("price_findings", "价格偏低合同", "int"),
    ("seal_age_days", "封账距今(天)", "int"),
    ("suspense", "待查明款项", "money"),
    ("beyond_district", "对街道以外共享", "bool"),
)
KINDS = {k: kind for k, _, kind in COLUMNS}
SUMMED = ("households", "assets", *(f"assets_{s}" for s in STATUS_LABELS), "contracts_in_force",
          "gross", "cost", "net", "to_maintenance", "errors", "warnings", "price_findings",
          "suspense")


@dataclass
class Report:
    as_of: dt.date
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    checks: dict[str, dict[str, dict[str, int]]]  # compound -> check -> severity -> n
    references: list[prices.Reference]
    findings: list[Finding]
    failed: dict[str, list[str]] = field(default_factory=dict)
    settings: prices.Settings = field(default_factory=prices.Settings)


def pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PCT) if whole else None


def per(amount: Decimal, n: int) -> Decimal | None:
    return (amount / n).quantize(CENT) if n else None


def _derive(r: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """Add the ratios a row shows (for compound rows and the totals alike)."""
    live = r["assets"] - r["assets_excluded"]
    r["confirmed_pct"] = pct(r["assets_confirmed"], live)
    r["gross_per_household"] = per(r["gross"], r["households"])
    r["cost_pct"] = pct(r["cost"], r["gross"])
    r["maintenance_pct"] = pct(r["to_maintenance"], r["net"]) if r["net"] > 0 else None
    return r


def build_report(store_dir: Path, settings: prices.Settings | None = None,
                 sort: str = "compound", descending: bool = False) -> Report:
    settings = settings or prices.Settings()
    if sort not in KINDS:
        raise BadInput(f"cannot sort by {sort!r}", "sort by one of: " + ", ".join(KINDS))
    store = Store(store_dir, read_only=True)
    try:
        rows = store.query("SELECT * FROM compounds ORDER BY compound")
        contracts = store.query("SELECT * FROM contracts")
        check_rows = store.query('SELECT compound, "check", severity, n FROM checks')
        failed = {r["compound"]: list(r["errors"])
                  for r in store.query("SELECT compound, errors FROM failures ORDER BY compound")}
    finally:
        store.close()
    days = {r["as_of"] for r in rows}
    as_of = max(days) if days else dt.date.today()
    if len(days) > 1:
        raise BadInput(f"{store_dir} mixes compounds built as of {sorted(days)}",
                       "run `assetreg district build` again for one day")

    found = prices.findings(contracts, settings)
    flagged: dict[str, int] = defaultdict(int)
    for f in found:
        flagged[f.facts["compound"]] += 1
    checks: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for c in check_rows:
        checks[c["compound"]][c["check"]][c["severity"]] = c["n"]

    out = []
    for r in rows:
        row: dict[str, Any] = {k: r.get(k) for k in KINDS if k in r}
        row["assets"] = sum(r[f"assets_{s}"] for s in STATUS_LABELS)
        row["disclosure_overdue"] = bool(r["overdue_periods"])
        row["overdue_periods"] = list(r["overdue_periods"])
        row["price_findings"] = flagged.get(r["compound"], 0)
        seal = r["last_seal_through"]
        row["seal_age_days"] = (as_of - seal).days if seal else None
        row["last_seal_through"] = seal
        row["beyond_district"] = r["beyond_district"]
        row["sharing_since"] = r["sharing_since"]
        out.append(_derive(row, as_of))
    totals: dict[str, Any] = {k: sum((row[k] for row in out), ZERO if KINDS[k] == "money" else 0)
                              for k in SUMMED}
    totals["compound"] = "合计"
    totals["name"] = f"{len(out)} 个小区"
    totals["disclosure_overdue"] = sum(1 for row in out if row["disclosure_overdue"])
    totals["beyond_district"] = sum(1 for row in out if row["beyond_district"])
    _derive(totals, as_of)
    rep = Report(as_of, out, totals, {k: {c: dict(s) for c, s in v.items()} for k, v in checks.items()},
                 prices.references(contracts), found, failed, settings)
    return sorted_by(rep, sort, descending)


def sorted_by(rep: Report, sort: str, descending: bool = False) -> Report:
    """The same report with its rows in another order (the store is not read again): by
    the column, empty cells last whichever the direction, ties by compound id."""
    rows = sorted(rep.rows, key=lambda row: row["compound"])
    present = [r for r in rows if r.get(sort) is not None]
    present.sort(key=lambda row: row[sort], reverse=descending)  # stable: ties keep id order
    return dataclasses.replace(rep, rows=present + [r for r in rows if r.get(sort) is None])


# ------------------------------------------------------------------ output

def as_json(rep: Report) -> dict[str, Any]:
    def cell(v: Any) -> Any:
        if isinstance(v, Decimal | dt.date):
            return str(v)
        return v

    return {
        "as_of": rep.as_of.isoformat(),
        "columns": [{"key": k, "label": label} for k, label, _ in COLUMNS],
        "compounds": [{**{k: cell(v) for k, v in row.items()},
                       "checks": rep.checks.get(row["compound"], {})} for row in rep.rows],
        "totals": {k: cell(v) for k, v in rep.totals.items()},
        "failed": [{"compound": c, "errors": e} for c, e in rep.failed.items()],
        "price_settings": {"threshold": str(rep.settings.threshold),
                           "min_sample": rep.settings.min_sample},
        "price_references": [r.as_dict() for r in rep.references],
        "findings": [f.as_dict() for f in rep.findings],
    }


def _fmt(v: Any, kind: str) -> str:
    if v is None:
        return "—"
    if kind == "bool" and isinstance(v, bool):  # the totals row counts them instead
        return "是" if v else "否"
    if kind == "money":
        return f"{v:,.2f}"
    return str(v)


def _width(text: str) -> int:
    """Columns a terminal gives the text: two for each wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _rjust(text: str, width: int) -> str:
    return " " * (width - _width(text)) + text


HEADINGS = {k: heading for k, heading, _ in COLUMNS}


def sort_column(text: str) -> str | None:
    """The column a user names, by key (``gross``) or by its Chinese heading (``本年收入``)."""
    if text in KINDS:
        return text
    return next((k for k, heading, _ in COLUMNS if heading == text), None)


def text_lines(rep: Report) -> list[str]:
    shown = ("compound", "households", "assets", "confirmed_pct", "contracts_in_force", "gross",
             "gross_per_household", "cost_pct", "net", "to_maintenance", "last_disclosure",
             "disclosure_overdue", "errors", "warnings", "price_findings", "seal_age_days",
             "suspense")
    table = [[_fmt(row.get(k), KINDS[k]) for k in shown] for row in [*rep.rows, rep.totals]]
    heads = [HEADINGS[k] for k in shown]
    widths = [max(_width(h), *(_width(t[i]) for t in table)) for i, h in enumerate(heads)]
    lines = ["  ".join(_rjust(h, w) for h, w in zip(heads, widths, strict=True))]
    for t in table:
        lines.append("  ".join(_rjust(c, w) for c, w in zip(t, widths, strict=True)))
    for ref in rep.references:
        per = "每平方米" if ref.basis == "m2" else "每处"
        lines.append(f"参考价 {USES.get(ref.use, ref.use)}（{ref.use}）{per}每月：中位数 {ref.median}"
                     f"（四分位 {ref.q1}–{ref.q3}），{ref.compounds}个小区{ref.n}份合同")
    for f in rep.findings:
        lines.append(f"WARNING [{f.check}] {f.message}")
        lines.append(f"          依据: {f.rule}")
    for c, errors in rep.failed.items():
        lines.append(f"FAILED  {c}: 账本未能载入，未计入汇总")
        lines.extend(f"          {e}" for e in errors[:5])
    lines.append(f"街道汇总，截至{rep.as_of}：{len(rep.rows)}个小区，{len(rep.failed)}个未能载入，"
                 f"{len(rep.findings)}项价格偏低发现")
    return lines


def safe_text(v: str) -> str:
    """Text from the ledgers as a spreadsheet shows it, never as a formula."""
    return "'" + v if v.startswith(("=", "+", "-", "@", "\t", "\r")) else v


def write_xlsx(rep: Report, path: Path) -> None:
    # openpyxl at the call: a workbook is only written on request (as in the disclosure).
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "小区"
    ws.append([label for _, label, _ in COLUMNS])
    for row in [*rep.rows, rep.totals]:
        ws.append([_cell(row.get(k), kind) for k, _, kind in COLUMNS])
    for c in ws[1]:
        c.font = Font(bold=True)
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    for i, (_, _, kind) in enumerate(COLUMNS, 1):
        if kind == "money":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "#,##0.00"
    ws.freeze_panes = "C2"

    refs = wb.create_sheet("价格参考")
    refs.append(["用途", "计价", "合同数", "小区数", "最低", "下四分位", "中位数", "上四分位", "最高"])
    for r in rep.references:
        refs.append([safe_text(r.use), "元/㎡·月" if r.basis == "m2" else "元/个·月", r.n,
                     r.compounds, r.low, r.q1, r.median, r.q3, r.high])
    found = wb.create_sheet("价格偏低")
    found.append(["小区", "合同", "用途", "单价", "中位数", "比例", "说明", "依据"])
    for f in rep.findings:
        x = f.facts
        found.append([safe_text(x["compound"]), safe_text(x["contract"]), safe_text(x["use"]),
                      Decimal(x["unit_price"]), Decimal(x["median"]), Decimal(x["ratio"]),
                      safe_text(f.message), f.rule])
    checks = wb.create_sheet("审计发现")
    checks.append(["小区", "检查", "严重程度", "数量"])
    for c, by_check in sorted(rep.checks.items()):
        for check, sev in sorted(by_check.items()):
            for s, n in sorted(sev.items()):
                checks.append([safe_text(c), safe_text(check), s, n])
    failed = wb.create_sheet("未能载入")
    failed.append(["小区", "错误"])
    for c, errors in rep.failed.items():
        failed.append([safe_text(c), safe_text("\n".join(errors))])
    save_workbook(wb, path)  # written whole or not at all


def _cell(v: Any, kind: str) -> Any:
    if v is None:
        return None
    if kind == "bool" and isinstance(v, bool):  # the totals row counts them instead
        return "是" if v else "否"
    if isinstance(v, str):
        return safe_text(v)
    return v
