"""Every sheet kind ``assetreg import`` knows, and how it picks one from a file's headers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assetreg.errors import BadInput

from .bank import BankImporter, builtin_layouts, load_layout
from .base import SheetImporter
from .cells import Header, Sheet, clean
from .consents_sheet import ConsentsImporter, WaitlistImporter
from .contracts_sheet import ContractsImporter
from .income_report import IncomeReportImporter
from .register import RegisterImporter
from .roster import RosterImporter
from .suspense_sheet import SuspenseImporter

KIND_NAMES = ("bank", "income-report", "register", "roster", "contracts", "consents", "waitlist", "suspense")


def all_importers(bank_configs: Sequence[Path] = ()) -> list[SheetImporter]:
    """One importer per kind; extra bank layouts come before the built-in ones."""
    layouts = [load_layout(p) for p in bank_configs] + builtin_layouts()
    return [BankImporter(layouts), IncomeReportImporter(), RegisterImporter(), RosterImporter(), ContractsImporter(),
            ConsentsImporter(), WaitlistImporter(), SuspenseImporter()]


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
        seen = "; ".join(f"sheet {s.name!r}: " + (" | ".join(_first_texts(s)) or "(empty)") for s in sheets)
        wanted = "; ".join(f"{i.kind} ({i.title}): " + ", ".join(c.label for c in i.columns if c.required)
                           for i in candidates)
        raise BadInput(f"{path}: no sheet has the headers of a known kind — seen: {seen}",
                       f"use the headers of one kind (aliases in importers/README.md, or `assetreg template KIND`): {wanted}")
    imp = best[1]
    chosen = [(s, h) for s in sheets if (h := imp.header(s)) is not None]
    return imp, chosen


def _first_texts(sheet: Sheet) -> list[str]:
    """The fullest of the first rows, to show the user what headers were found."""
    rows = [[clean(c) for c in r if c is not None and clean(c)] for r in sheet.head[:15]]
    rows.sort(key=len, reverse=True)
    return rows[0][:12] if rows else []
