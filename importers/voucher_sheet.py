"""Voucher list (凭证清单.xlsx) → vouchers attached in bulk, as ``assetreg voucher attach`` does.

Each row names an entry (a bank reference, import id, contract id or file:line) and a scan's
file name, relative to the sheet's own folder (never outside it, never a link). Every row is
checked — the entry found, the file a PDF, JPEG or PNG within the size limit — before
anything is written; a scan already linked to its entry is left alone, so importing the
list again adds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from assetreg import vouchers
from assetreg.errors import BadInput

from .base import Context, Plan, SheetImporter
from .cells import Column, Header, Problems, RowReader, Sheet, data_rows

COLUMNS: tuple[Column, ...] = (
    Column("ref", "对应记录", ("凭证对应", "流水号", "记录", "ref", "reference"),
           note="银行流水号、导入编号、合同编号，或 账本文件:行号（如 journal.beancount:120）"),
    Column("file", "凭证文件", ("文件名", "文件", "file", "file name"),
           note="与本表同一文件夹内的扫描件文件名（PDF、JPEG 或 PNG），如 凭证/2026-01-维修发票.pdf"),
)


class VoucherSheetImporter(SheetImporter):
    kind = "vouchers"
    title = "凭证清单"
    columns: ClassVar[tuple[Column, ...]] = COLUMNS
    target = "Equity:Registry:确权档案"

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        plan = Plan(self.kind, sheet.name)
        if ctx.txn is None:
            raise BadInput("a voucher list is checked against the ledger as it is written",
                           "import it with `assetreg import 凭证清单.xlsx -L LEDGER`")
        txn = ctx.txn
        folder = Path(sheet.path).resolve().parent
        r = RowReader(str(sheet.path), sheet.name, header, problems)
        for row in data_rows(sheet.rows(), header):
            r.start(row)
            ref = r.text("ref", expected="a bank reference, import id, contract id or file:line")
            name = r.text("file", expected="a scan's file name beside the sheet")
            if r.failed or ref is None or name is None:
                continue
            if Path(name).is_absolute() or ".." in Path(name).parts:
                r.error("file", f"{name!r} is not a file name inside the sheet's folder",
                        "a name relative to the sheet's folder, without '..'")
                continue
            try:
                done = vouchers.attach(txn, ctx.day, ref, [folder / name], within=folder)
            except BadInput as err:
                column = "ref" if "named" in err.problem or "entr" in err.problem or "REF" in err.problem else "file"
                r.error(column, err.problem, err.fix or "a row the ledger accepts")
                continue
            plan.staged_by_gate += len(done.staged)
            plan.already += len(done.already)
        return plan
