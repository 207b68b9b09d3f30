"""The 待查明款项 sheet: open suspense lines out (``assetreg suspense export``), filled in, back in.

``assetreg suspense export -o 待查明.xlsx`` writes one row per open line — its id, date,
amount, counterparty as booked, bank reference, the masked 摘要 hint, why it was not
matched and its age — with an empty 归属 column (a drop-down of the kinds' labels) and
columns for the contract, asset, resolution, the other account of a transfer and a note.
The treasurer fills in the lines she has found out; ``assetreg import 待查明.xlsx`` then
writes one reclassifying entry per filled row through :func:`assetreg.reclassify.assign`
(the same rules as ``assetreg suspense assign``). A row left without 归属 is left open.

All or nothing, like every import: every row is checked against the ledger as it will be
after the rows above it, and one bad cell (named ``file:sheet:row:column``) writes nothing.
Idempotent: each row's fingerprint becomes the entry's ``import_id``, and a line already
cleared (by this sheet or a command since the export) is counted as already there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from assetreg import accounts
from assetreg.errors import BadInput
from assetreg.ledger import save_workbook
from assetreg.reclassify import Checker, Choice, assign
from assetreg.suspense import KINDS, Line, find, lines, parse_kind

from .base import Context, Plan, SheetImporter
from .cells import CellProblem, Column, Header, Problems, RowReader, Sheet, data_rows

TITLE = "待查明款项"
COLUMNS: tuple[Column, ...] = (
    Column("line", "编号", ("待查明编号", "line"), note="待查明款项编号，勿改"),
    Column("date", "日期", ("入账日期",), required=False, note="银行入账日期"),
    Column("amount", "金额", ("金额(元)",), required=False, note="正数为转入，负数为转出；勿改"),
    Column("counterparty", "对方", ("对方户名",), required=False, note="个人不显示姓名"),
    Column("bank_ref", "流水号", (), required=False),
    Column("hint", "摘要提示", ("摘要",), required=False, note="手机号、身份证号已隐去"),
    Column("reason", "未匹配原因", (), required=False),
    Column("age", "账龄(天)", ("账龄",), required=False),
    Column("kind", "归属", ("kind",), note="从下拉列表选择；不确定的留空"),
    Column("contract", "合同编号", ("合同",), required=False, note="合同收款、押金、退款时填写"),
    Column("asset", "资产编号", ("资产",), required=False, note="可空：默认合同的全部资产"),
    Column("resolution", "决议编号", ("决议",), required=False, note="按决议支出时必填，如 R-2025-02"),
    Column("account", "转入账户", ("对方账户",), required=False, note="本小区账户间转账时填写，如 Assets:Bank:定期存款"),
    Column("note", "说明", ("原因说明",), required=False, note="查明经过，写入账本"),
)


def _kind(value: Any) -> str:
    try:
        return parse_kind(str(value))
    except BadInput as err:
        raise CellProblem(err.problem, "one of the 归属 drop-down values") from None


def _column_of(problem: str, kind: str) -> str:
    """Which cell a refusal is about, from what it names."""
    text = problem.lower()
    for word, column in (("resolution", "resolution"), ("asset", "asset"), ("contract", "contract"),
                         ("account", "account")):
        if word in text:
            return column
    return "kind"


class SuspenseImporter(SheetImporter):
    kind = "suspense"
    title = "待查明款项归属表"
    columns: ClassVar[tuple[Column, ...]] = COLUMNS
    target = accounts.SUSPENSE

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        plan = Plan(self.kind, sheet.name)
        if ctx.txn is None:
            raise BadInput("a 待查明 sheet is checked against the ledger as it is written",
                           "import it with `assetreg import FILE -L LEDGER`")
        txn = ctx.txn
        checker = Checker(txn)
        fp = ctx.fingerprints(self.kind)
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        left_open = cleared = 0
        for row in data_rows(sheet.rows(), header):
            r.start(row)
            ref = r.text("line", expected="the line id (S-…) as exported")
            if r.raw("kind") is None or not str(r.raw("kind")).strip():
                left_open += 1
                continue
            kind = r.get("kind", _kind, expected="one of the 归属 drop-down values")
            amount = r.money("amount", required=False)
            texts = {k: r.text(k, required=False) for k in ("contract", "asset", "resolution", "account", "note")}
            if r.failed or ref is None or kind is None:
                continue
            import_id = fp(ref.upper(), kind, *(texts[k] or "" for k in ("contract", "asset", "resolution", "account", "note")))
            if import_id in ctx.seen:
                plan.already += 1
                continue
            try:
                line = find(lines(txn.after().entries), ref)
            except BadInput as err:
                r.error("line", err.problem, err.fix or "an id from the export")
                continue
            if amount is not None and amount != line.amount:
                r.error("amount", f"the sheet says {amount}, line {line.id} in the ledger is {line.amount}",
                        "the amount as exported (export the list again if the ledger changed)")
                continue
            if not line.is_open:
                cleared += 1
                plan.already += 1
                continue
            choice = Choice(kind, texts["contract"], texts["asset"], texts["resolution"], texts["account"],
                            texts["note"])
            try:
                assign(txn, line.id, choice, import_id=import_id, checker=checker)
            except BadInput as err:
                r.error(_column_of(err.problem, kind), err.problem, err.fix or "a choice the ledger accepts")
                continue
            plan.staged_by_gate += 1
        if left_open:
            plan.notes.append(f"{left_open} row(s) without 归属 left open")
        if cleared:
            plan.notes.append(f"{cleared} line(s) were cleared since the export")
        return plan


def write_sheet(open_lines: Sequence[Line], as_of: dt.date, path: Path, compound: str = "") -> Path:
    """The open lines as a workbook to fill in (see the module's docstring)."""
    # openpyxl at the call: only the export pays for importing it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if path.suffix.lower() != ".xlsx":
        raise BadInput(f"{path}: the export is an .xlsx workbook", "name the output FILE.xlsx")
    if path.exists():
        raise BadInput(f"{path} already exists", "choose a new file name; an export never overwrites")
    if not path.resolve().parent.is_dir():
        raise BadInput(f"folder {path.parent} does not exist", "create it first or pick another path")
    wb = Workbook()
    ws = wb.active
    ws.title = TITLE
    n = len(COLUMNS)
    ws.cell(1, 1, f"{compound} 待查明款项 截至 {as_of}（填写“归属”后：assetreg import 本文件 -L 账本目录）").font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n)
    for i, col in enumerate(COLUMNS, start=1):
        note = ws.cell(2, i, col.note)
        note.alignment = Alignment(wrap_text=True, vertical="top")
        note.font = Font(color="666666", size=9)
        h = ws.cell(3, i, col.label)
        h.font = Font(bold=True)
        h.fill = PatternFill("solid", fgColor="FFF2CC" if col.name in ("kind", "contract", "asset", "resolution", "account", "note")
                             else "DDEBF7")
        ws.column_dimensions[get_column_letter(i)].width = 14 if col.name not in ("hint", "reason", "kind") else 24
    for r, ln in enumerate(open_lines, start=4):
        values = [ln.id, ln.date, ln.amount, ln.payee, ln.bank_ref, ln.hint, ln.reason, ln.age(as_of)]
        for i, v in enumerate(values, start=1):
            cell = ws.cell(r, i, v)
            if isinstance(v, str):
                cell.data_type = "s"  # text from the bank stays text, never a formula
            elif i == 3:
                cell.number_format = "#,##0.00"
            elif i == 2:
                cell.number_format = "yyyy-mm-dd"
    last = max(4, 3 + len(open_lines))
    kind_col = get_column_letter([c.name for c in COLUMNS].index("kind") + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(KINDS.values()) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="无效值", error="请从下拉列表中选择归属")
    ws.add_data_validation(dv)
    dv.add(f"{kind_col}4:{kind_col}{last + 200}")
    ws.row_dimensions[2].height = 40
    ws.freeze_panes = "B4"
    save_workbook(wb, path)
    return path
