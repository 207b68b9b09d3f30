"""What every sheet importer shares: identify by headers, read every row, then plan the writes.

An importer declares its columns; :meth:`SheetImporter.read` turns a worksheet into the
entries it would write, gathering every cell problem into :class:`~importers.cells.Problems`
rather than stopping at the first. The ``assetreg import`` command writes only if the whole
file read without an error. Each importer is also a ``beangulp.Importer``, so a treasurer's
own ``import.py`` can use it; its ``extract`` raises on the first unreadable file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import beangulp
from beancount.core import data

from assetreg.accounts import ALLOCATION_ROOT
from assetreg.audit.context import Context as AuditContext
from assetreg.audit.uses import check_undistributed
from assetreg.books import build
from assetreg.errors import BadInput
from assetreg.ledger import Transaction, format_entry
from assetreg.options import Options, options_from_entries
from assetreg.plugin import book_findings
from assetreg.seal import seals_from_entries
from assetreg.textsafe import neutralise_entry

from .cells import (
    CellError,
    Column,
    Fingerprints,
    Header,
    Problems,
    Sheet,
    find_header,
    header_score,
    workbook,
)


@dataclass
class Plan:
    """What importing one sheet would write, and what it left out because it is already there."""

    kind: str
    sheet: str
    writes: list[tuple[str, Any]] = field(default_factory=list)  # (ledger part, directive)
    already: int = 0  # rows whose fingerprint is already in the ledger
    staged_by_gate: int = 0  # contracts the policy gate staged into the transaction itself
    notes: list[str] = field(default_factory=list)
    rows: dict[int, int] = field(default_factory=dict)  # id(entry) → sheet row it came from

    def add(self, part: str, entry: Any, row: int | None = None) -> None:
        # Text from a sheet is data: no markup reaches a page through Fava (assetreg.textsafe).
        entry = neutralise_entry(entry)
        self.writes.append((part, entry))
        if row is not None:
            self.rows[id(entry)] = row


def import_ids(entries: Sequence[Any]) -> set[str]:
    """Fingerprints of rows imported before, from any entry's ``import_id`` metadata."""
    found = set()
    for e in entries:
        m = getattr(e, "meta", None)
        if m and "import_id" in m:
            found.add(str(m["import_id"]))
    return found


@dataclass
class Context:
    """The ledger as it stands, and the settings of this import."""

    entries: list[Any]
    options: Options
    day: dt.date  # date for sheets that carry none (roster, register)
    seen: set[str]
    txn: Transaction | None = None  # for sheets whose rows go through the policy gate
    _fingerprints: dict[str, Fingerprints] = field(default_factory=dict)

    def fingerprints(self, kind: str) -> Fingerprints:
        """One fingerprint counter per kind for the whole file, so identical rows on two
        sheets are two rows too."""
        return self._fingerprints.setdefault(kind, Fingerprints(kind))

    def planned(self, plan: Plan) -> None:
        """Count a sheet's planned entries as part of the ledger for the next sheet
        (its balances, its duplicates)."""
        new = [e for _, e in plan.writes]
        self.entries = [*self.entries, *new]
        self.seen |= import_ids(new)

    @classmethod
    def of(cls, entries: list[Any], day: dt.date | None = None, txn: Transaction | None = None) -> Context:
        return cls(entries, options_from_entries(entries), day or dt.date.today(), import_ids(entries), txn)


class SheetImporter(beangulp.Importer):  # type: ignore[misc]
    """A beangulp importer for one kind of treasurer's sheet."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""  # Chinese name of the sheet kind
    columns: ClassVar[tuple[Column, ...]] = ()
    target: ClassVar[str] = ""  # account the sheet is about (beangulp's `account`)

    @property
    def name(self) -> str:
        return f"assetreg.{self.kind}"

    def header(self, sheet: Sheet) -> Header | None:
        return find_header(sheet.head, self.columns)

    def score(self, sheet: Sheet) -> int:
        return header_score(sheet.head, self.columns)

    def identify(self, filepath: str) -> bool:
        if not str(filepath).lower().endswith((".xlsx", ".csv")):
            return False
        try:
            with workbook(Path(filepath)) as sheets:
                return any(self.header(s) is not None for s in sheets)
        except BadInput:
            return False

    def account(self, filepath: str) -> data.Account:
        return self.target

    def read(self, sheet: Sheet, header: Header, ctx: Context, problems: Problems) -> Plan:
        raise NotImplementedError

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        ctx = Context.of(list(existing))
        problems = Problems()
        out: list[Any] = []
        with workbook(Path(filepath)) as sheets:
            for sheet in sheets:
                header = self.header(sheet)
                if header is not None:
                    plan = self.read(sheet, header, ctx, problems)
                    ctx.planned(plan)
                    out.extend(e for _, e in plan.writes)
        if problems.errors:
            raise BadInput("\n".join(str(e) for e in problems.errors), "correct the cells listed")
        return out


def where(path: Path, sheet: str, row: int) -> dict[str, Any]:
    """Source metadata of an entry made from a sheet row (not written: format_entry drops it)."""
    return data.new_metadata(f"{path.name}:{sheet}", row)


def book_errors(path: Path, plans: Sequence[Plan], entries: Sequence[Any], staged: Sequence[Any],
                options_map: dict[str, Any]) -> list[CellError]:
    """What ``bean-check`` would newly report once the planned entries are written.

    ``entries`` is the ledger as loaded; ``staged`` what the transaction already holds
    besides the plans (the contracts the policy gate staged).

    The ledger's plugin (assetreg.plugin) makes some audit findings errors: income on an
    unconfirmed asset or outside a permitted contract, a sealed period changed, money in
    suspense at a seal. The same checks run here on the ledger plus the planned entries;
    a finding the ledger did not have before is an error of the row that caused it.
    """

    new = [e for p in plans for _, e in p.writes]
    if not new:
        return []
    sealed = max((s.through for s in seals_from_entries(entries)), default=None)
    if sealed is not None:
        # An entry dated in a sealed period would break the seal: name each such row.
        late: dict[tuple[str, int], CellError] = {}
        for p in plans:
            for _, e in p.writes:
                row = p.rows.get(id(e), 0)
                if e.date <= sealed and (p.sheet, row) not in late:
                    late[p.sheet, row] = CellError(
                        str(path), p.sheet, row, "(row)", f"dated {e.date}, inside the period sealed through {sealed}",
                        f"a date after {sealed}: sealed periods are closed; book corrections in the open period")
        if late:
            return sorted(late.values(), key=lambda c: (c.sheet, c.row))
    # No planned entry is dated inside a sealed period (refused above), so unless something
    # else staged is, nothing can break a seal: the seals need not be rehashed.
    rehash = sealed is not None and any(e.date <= sealed for e in staged)
    before = {(f.check, f.message) for f in book_findings(
        sorted(entries, key=data.entry_sortkey), options_map, verify_seals=rehash)}
    after = book_findings(sorted([*entries, *staged, *new], key=data.entry_sortkey), options_map,
                          verify_seals=rehash)
    if any(p.account.startswith(ALLOCATION_ROOT + ":") for e in new if type(e) is data.Transaction
           for p in e.postings):
        # An allocation may not spend net income not yet earned (期末累计未分配 below zero).
        before |= {(f.check, f.message) for f in _overdrawn(entries, options_map)}
        after = [*after, *_overdrawn([*entries, *staged, *new], options_map)]
    rows = {k: (p.sheet, v) for p in plans for k, v in p.rows.items()}
    out = []
    for f in after:
        if (f.check, f.message) in before:
            continue
        sheet, row = rows.get(id(f.entry), (plans[0].sheet, 0))
        out.append(CellError(str(path), sheet, row, "(row)", f"[{f.check}] {f.message}",
                             f"a row bean-check accepts ({f.rule})"))
    return out


def _overdrawn(entries: Sequence[Any], options_map: dict[str, Any]) -> list[Any]:
    ordered = sorted(entries, key=data.entry_sortkey)
    last = ordered[-1].date if ordered else dt.date.today()
    ctx = AuditContext(build(ordered), ordered, options_map, max(last, dt.date.today()))
    return check_undistributed(ctx)


def _quote(s: str) -> str:
    if "\\" in s or '"' in s:
        s = s.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + s + '"'


def _meta_value(v: Any) -> str | None:
    if type(v) is str:
        return _quote(v)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, Decimal | dt.date):
        return str(v)
    return None


def render(entry: Any) -> str:
    """Ledger text of an entry. Plain transactions and balances (what a bank statement turns
    into, fifty thousand at a time) are written directly; anything else goes through
    Beancount's printer."""
    meta_lines = []
    for k, v in (entry.meta or {}).items():
        if k == "filename" or k == "lineno":
            continue
        text = _quote(v) if type(v) is str else _meta_value(v)
        if text is None:
            return format_entry(entry)
        meta_lines.append(f"  {k}: {text}\n")
    if type(entry) is data.Transaction:
        postings = entry.postings
        if entry.tags or entry.links:
            return format_entry(entry)
        for p in postings:
            if p.cost or p.price or p.meta or p.flag or p.units is None:
                return format_entry(entry)
        head = f"{entry.date} {entry.flag} "
        head += f"{_quote(entry.payee)} " if entry.payee else ""
        head += f"{_quote(entry.narration or '')}\n"
        width = max([len(p.account) for p in postings], default=0) + 2
        # str(number).rjust(12) is format(number, ">12") for a Decimal, without parsing the spec
        body = [f"  {p.account.ljust(width)}{str(p.units.number).rjust(12)} {p.units.currency}\n"  # type: ignore[union-attr]
                for p in postings]
        return head + "".join(meta_lines) + "".join(body)
    if type(entry) is data.Balance and entry.tolerance is None and entry.diff_amount is None:
        return (f"{entry.date} balance {entry.account}  {entry.amount.number} {entry.amount.currency}\n"
                + "".join(meta_lines))
    return format_entry(entry)
