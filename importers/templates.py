"""Empty import templates: ``assetreg template KIND -o FILE.xlsx``.

Each template has a title row, a notes row in Chinese saying what to write in each
column, the canonical header row, then an empty body with number and date formats and
drop-down lists (asset kinds, zones, yes/no, use categories of the policy set, billing
periods). The importer finds the header below the title and notes rows, so a filled-in
template imports as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assetreg.errors import BadInput
from assetreg.ledger import save_workbook
from assetreg.suspense import KINDS as SUSPENSE_KINDS
from assetreg.vocab import KINDS

from .approval_sheet import COLUMNS as APPROVALS
from .bank import LAYOUTS_DIR, load_layout
from .cells import Column
from .consents_sheet import CONSENT_COLUMNS, WAITLIST_COLUMNS
from .contracts_sheet import COLUMNS as CONTRACTS
from .contracts_sheet import _uses
from .income_report import COLUMNS as INCOME
from .register import COLUMNS as REGISTER
from .roster import COLUMNS as ROSTER
from .suspense_sheet import COLUMNS as SUSPENSE
from .voucher_sheet import COLUMNS as VOUCHERS

BODY_ROWS = 500
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def _bank_columns() -> tuple[Column, ...]:

    layout = load_layout(LAYOUTS_DIR / "split.yaml")
    notes = {"date": "交易日期，如 2025-03-01", "income": "转入金额（元）", "expense": "转出金额（元）",
             "balance": "交易后余额（元）", "summary": "银行摘要", "counterparty": "对方户名",
             "reference": "银行流水号", "note": "附言（可注明合同编号、月份）"}
    return tuple(Column(c.name, c.label, c.aliases, c.required, notes.get(c.name, "")) for c in layout.columns)


def columns_for(kind: str) -> tuple[str, tuple[Column, ...]]:

    table = {
        "bank": ("共有资金专户银行对账单", _bank_columns()),
        "income-report": ("物业公司公共收益月报", INCOME),
        "register": ("共有资产登记表", REGISTER),
        "roster": ("业主名册（专有部分）", ROSTER),
        "contracts": ("经营合同台账", CONTRACTS),
        "consents": ("利害关系业主同意登记", CONSENT_COLUMNS),
        "waitlist": ("车位排队名单", WAITLIST_COLUMNS),
        "vouchers": ("凭证清单", VOUCHERS),
        "approvals": ("付款审批表", APPROVALS),
        # Usually written filled with the open lines by `assetreg suspense export`.
        "suspense": ("待查明款项归属表", SUSPENSE),
        # Read by `assetreg resolution tally` (importers/ballots.py), not by `assetreg import`.
        "ballots": ("表决票统计表", (Column("unit", "房号", note="房号，如 3-1-502；未投票的房号不填"),
                                    Column("vote", "表决意见", note="同意 / 反对 / 弃权"))),
    }
    if kind not in table:
        raise BadInput(f"unknown template kind {kind!r}", f"use one of: {', '.join(table)}")
    return table[kind]


def _lists(kind: str, uses: Sequence[str] | None) -> dict[str, list[str]]:


    yes_no = ["是", "否"]
    if kind == "register":
        return {"kind": list(KINDS.values())}
    if kind == "roster":
        return {"unsold": yes_no}
    if kind == "ballots":
        return {"vote": ["同意", "反对", "弃权"]}
    if kind == "contracts":
        labels = _uses()
        use_list = [labels.get(u, u) for u in (uses or list(labels))]
        return {"use": use_list, "counterparty_kind": ["业主", "单位", "非业主"],
                "period": ["月", "季", "半年", "年", "一次"],
                **{k: yes_no for k in ("residential_use", "hazardous", "noise_or_fumes", "blocks_light", "alters_structure")}}
    if kind == "consents":
        return {"action": ["同意", "撤回"]}
    if kind == "waitlist":
        return {"action": ["排队", "退出"]}
    if kind == "approvals":
        return {"decision": ["同意", "否决"]}
    if kind == "suspense":
        return {"kind": list(SUSPENSE_KINDS.values())}
    return {}


MONEY_FIELDS = {"income", "expense", "amount", "balance", "gross", "cost", "net", "price", "deposit"}
DATE_FIELDS = {"date", "signed", "start", "end", "notice_start", "notice_end"}


def write_template(kind: str, output: Path, *, uses: Sequence[str] | None = None) -> Path:

    if output.exists():
        raise BadInput(f"{output} already exists", "choose a new file name; templates never overwrite")
    if output.suffix.lower() != ".xlsx":
        raise BadInput(f"{output}: a template is an .xlsx workbook", "name the output FILE.xlsx")
    title, columns = columns_for(kind)
    lists = _lists(kind, uses)
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    n = len(columns)
    ws.cell(1, 1, f"{title}（导入模板：assetreg import 文件.xlsx -L 账本目录）").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    header_row = 3
    for i, col in enumerate(columns, start=1):
        note = ("必填。" if col.required else "选填。") + col.note
        cell = ws.cell(2, i, note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(color="666666", size=9)
        h = ws.cell(header_row, i, col.label)
        h.font = Font(bold=True)
        h.fill = PatternFill("solid", fgColor="DDEBF7")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, min(30, len(col.label) * 3 + 4))
        first, last = header_row + 1, header_row + BODY_ROWS
        fmt = (MONEY_FORMAT if col.name in MONEY_FIELDS else DATE_FORMAT if col.name in DATE_FIELDS
               else "0.00##" if col.name in ("area", "manager_share") else "@")
        for r in range(first, last + 1):
            ws.cell(r, i).number_format = fmt
        if col.name in lists:
            choices = lists[col.name]
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="无效值", error="请从下拉列表中选择")
            if len(dv.formula1) > 255:  # Excel's limit on an inline list: put the list on a sheet
                ref = _list_sheet(wb, col.name, choices)
                dv = DataValidation(type="list", formula1=ref, allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{letter}{first}:{letter}{last}")
    ws.row_dimensions[2].height = 45
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    output.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, output)  # the lists of uses come from policy files: kept as text
    return output


def _list_sheet(wb, name: str, choices: list[str]) -> str:  # type: ignore[no-untyped-def]
    ws = wb["选项"] if "选项" in wb.sheetnames else wb.create_sheet("选项")
    col = ws.max_column + 1 if ws.max_row > 1 or ws.cell(1, 1).value else 1

    ws.cell(1, col, name)
    for i, c in enumerate(choices, start=2):
        ws.cell(i, col, c)
    letter = get_column_letter(col)
    return f"'选项'!${letter}$2:${letter}${len(choices) + 1}"
