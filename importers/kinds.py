"""Every sheet kind ``assetreg import`` knows, and how it picks one from a file's headers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assetreg.errors import BadInput

from .approval_sheet import ApprovalSheetImporter
from .bank import BankImporter, builtin_layouts, load_layout
from .base import SheetImporter
from .cells import Header, Sheet, clean
from .consents_sheet import ConsentsImporter, WaitlistImporter
from .contracts_sheet import ContractsImporter
from .income_report import IncomeReportImporter
from .register import RegisterImporter
from .roster import RosterImporter
from .suspense_sheet import SuspenseImporter
from .voucher_sheet import VoucherSheetImporter

KIND_NAMES = ("bank", "income-report", "register", "roster", "contracts", "consents", "waitlist", "vouchers",
              "approvals", "suspense")


def all_importers(bank_configs: Sequence[Path] = ()) -> list[SheetImporter]:
    """One importer per kind; extra bank layouts come before the built-in ones."""
    layouts = [load_layout(p) for p in bank_configs] + builtin_layouts()
    return [BankImporter(layouts), IncomeReportImporter(), RegisterImporter(), RosterImporter(), ContractsImporter(),
            ConsentsImporter(), WaitlistImporter(), VoucherSheetImporter(), ApprovalSheetImporter(),
            SuspenseImporter()]


def choose(path: Path, sheets: list[Sheet], importers: list[SheetImporter],
           kind: str | None = None) -> tuple[SheetImporter, list[tuple[Sheet, Header]]]:
    """The kind whose headers the file matches best, and every sheet of that kind.

    A kind matches a sheet when some row among the first ones names all its required
    columns; the kind naming the most columns wins, so a sheet is never read as a kind
    that merely shares a few headers with it.
    """
    candidates = [i for i in importers if kind is None or i.kind == kind]
    best: tuple[int, SheetImporter] | None = None
    for imp in candidates:
        score = max((imp.score(s) for s in sheets), default=0)
        if score and (best is None or score > best[0]):
            best = (score, imp)
    if best is None:
        seen = "; ".join(f"sheet {s.name!r}" + _seen(s) for s in sheets)
        wanted = "; ".join(f"{i.kind} ({i.title}): " + ", ".join(c.label for c in i.columns if c.required)
                           for i in candidates)
        raise BadInput(f"{path}: no sheet has the headers of a known kind — headers seen: {seen}",
                       f"use the headers of one kind (aliases in importers/README.md, or `assetreg template KIND`): {wanted}. "
                       "A bank statement in a layout not built in: describe its headers in a YAML file "
                       "(copy importers/banks/split.yaml) and import with --bank-config that.yaml")
    imp = best[1]
    chosen = [(s, h) for s in sheets if (h := imp.header(s)) is not None]
    return imp, chosen


def _first_texts(sheet: Sheet) -> tuple[int, list[str]]:
    """The fullest of the first rows (its number and texts), to show the user what headers
    were found."""
    rows = [(n, [clean(c) for c in r if c is not None and clean(c)]) for n, r in enumerate(sheet.head[:15], 1)]
    rows.sort(key=lambda r: (-len(r[1]), r[0]))
    return (rows[0][0], rows[0][1][:12]) if rows else (0, [])


def _seen(sheet: Sheet) -> str:
    n, texts = _first_texts(sheet)
    return f" row {n}: " + " | ".join(texts) if texts else ": (empty)"
