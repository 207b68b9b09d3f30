"""Reading .xlsx cell values with python-calamine, behind guards against hostile files.

calamine (a Rust reader) parses a sheet of a 50,000-line bank statement several times faster
than openpyxl's read-only mode. This module hands its values on as openpyxl's
``load_workbook(read_only=True, data_only=True)`` … ``iter_rows(values_only=True)`` gives
them, which is what the importers were written against (the test suite compares the two on
arbitrary cells):

- an empty cell is ``None`` (calamine says ``""``);
- a whole number is an ``int`` (calamine gives every number as a float, as Excel stores it);
- a date-formatted cell is a ``datetime`` (calamine gives a ``date`` when there is no time);
- an error cell (``#N/A``, ``#DIV/0!`` …) is its code as text, so that it is reported rather
  than read as blank: calamine gives ``""`` for it, so this module finds such cells in the
  sheet's XML and puts the code back.

Before calamine sees a file, :func:`_guard` checks it, so that a damaged or hostile file is
refused with a clear :class:`~assetreg.errors.BadInput` and bounded memory: it must be a zip
with a workbook part; every part is decompressed once here (its real size, not the size the
zip declares, is capped, and its CRC checked); and each sheet's used area — which calamine
allocates densely, 32 bytes a cell, even for two cells at A1 and XFD1048576 — is computed from
the cell references and capped.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from assetreg.errors import BadInput

PART_LIMIT = 256 * 2**20  # decompressed bytes of one worksheet or the shared strings
META_LIMIT = 32 * 2**20  # decompressed bytes of any other part (workbook, styles, theme, …)
TOTAL_LIMIT = 1024 * 2**20  # decompressed bytes of the whole file
ENTRY_LIMIT = 10_000  # parts in the zip
CELL_LIMIT = 10_000_000  # cells of the used areas of all sheets (rows × columns each)

NOT_XLSX_FIX = "save the sheet from Excel or WPS as .xlsx (Excel 2007+) and import that file"
DAMAGED_FIX = "open the file in Excel or WPS, save it again as .xlsx and import that"

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class _SheetFacts:
    name: str
    part: str
    errors: dict[int, dict[int, str]] = field(default_factory=dict)  # row → column → code, 0-based


def _not_xlsx(path: Path, why: object) -> BadInput:
    return BadInput(f"{path}: cannot read it as an .xlsx workbook ({why})", NOT_XLSX_FIX)


def _damaged(path: Path, why: object) -> BadInput:
    return BadInput(f"{path}: the workbook is damaged ({why})", DAMAGED_FIX)


# ------------------------------------------------------------------ guards


def _guard(path: Path) -> list[_SheetFacts]:
    """Check the file before calamine reads it; the worksheets with their error cells."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_xlsx(path, exc) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > ENTRY_LIMIT:
            raise _damaged(path, f"{len(infos)} parts, more than {ENTRY_LIMIT}")
        names = {i.filename: i for i in infos}
        if "xl/workbook.xml" not in names:
            raise _not_xlsx(path, "no xl/workbook.xml: not an Excel 2007+ workbook")
        sheets = _sheet_parts(path, zf, names)
        big = {s.part for s in sheets} | {"xl/sharedStrings.xml"}
        total = cells = 0
        for info in infos:
            if info.is_dir():
                continue
            limit = PART_LIMIT if info.filename in big else META_LIMIT
            if info.file_size > limit:
                raise _too_large(path, info.filename, info.file_size, limit)
            data = _read_part(path, zf, info, limit)
            total += len(data)
            if total > TOTAL_LIMIT:
                raise _too_large(path, "the parts together", total, TOTAL_LIMIT)
            for s in sheets:
                if s.part == info.filename:
                    rows, cols = _scan_sheet(path, s, data)
                    cells += rows * cols
                    if cells > CELL_LIMIT:
                        raise BadInput(
                            f"{path}: sheet {s.name!r} uses {rows:,} rows × {cols:,} columns; the workbook's "
                            f"sheets together span more than {CELL_LIMIT:,} cells",
                            "delete the stray cells far below or to the right of the data (Ctrl+End in Excel "
                            "goes to the last used cell) or split the workbook, save it and import again")
            del data
    return sheets


def _too_large(path: Path, part: str, size: int, limit: int) -> BadInput:
    return BadInput(f"{path}: {part} unpacks to more than {limit // 2**20} MiB ({size:,} bytes or more)",
                    "split the workbook into smaller files (e.g. one per year) and import each")


def _read_part(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The part's real content, at most ``limit`` bytes, whatever size the zip declares."""
    probe = copy.copy(info)
    probe.file_size = limit + 1  # read up to the real end of the stream, CRC-checked there
    try:
        with zf.open(probe) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError) as exc:  # RuntimeError: encrypted
        raise _damaged(path, f"{info.filename}: {exc}") from None
    except Exception as exc:  # zlib.error and the like from a corrupt stream
        raise _damaged(path, f"{info.filename}: {exc}") from None
    if len(data) > limit:
        raise _too_large(path, info.filename, len(data), limit)
    if len(data) != info.file_size:
        raise _damaged(path, f"{info.filename} unpacks to {len(data)} bytes, not the {info.file_size} declared")
    return data


def _sheet_parts(path: Path, zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> list[_SheetFacts]:

    def xml(name: str) -> Any:
        info = names.get(name)
        if info is None:
            raise _damaged(path, f"{name} is missing")
        try:
            return etree.fromstring(_read_part(path, zf, info, META_LIMIT),
                                    parser=etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            raise _damaged(path, f"{name}: {exc}") from None

    wb = xml("xl/workbook.xml")
    rels = xml("xl/_rels/workbook.xml.rels")
    targets = {r.get("Id"): r.get("Target") or "" for r in rels.iter(PKG_REL + "Relationship")}
    sheets = []
    for s in wb.iter(MAIN + "sheet"):
        target = targets.get(s.get(REL + "id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if part not in names:
            raise _damaged(path, f"sheet {s.get('name')!r}: part {part} is missing")
        sheets.append(_SheetFacts(s.get("name") or "", part))
    return sheets


# A sheet written as Excel, WPS and openpyxl write it: every cell starts `<c r="A1"`.
_CELL_START = re.compile(rb"<c[\w.:-]")  # <col, <cols, <cfRule, … (not cells)
_FAR_CELL = re.compile(rb'<c r="(?:[A-Z]{2,}|[A-Z]+\d{6,})')  # column past Z or row past 99,999
_ROW_DIGITS = [(10**k - 1, re.compile(rb'<c r="[A-Z]\d{%d}"' % k)) for k in (5, 4, 3, 2)]
_COLUMN_PAST_H = re.compile(rb'<c r="[I-Z]')


def _scan_sheet(path: Path, sheet: _SheetFacts, data: bytes) -> tuple[int, int]:
    """At least the rows × columns of the area calamine will allocate for the sheet; records
    its error cells. A sheet written the usual way without errors is sized by a few searches
    (rows to the next power of ten, columns to H or Z); any other is walked cell by cell."""
    starts = data.count(b"<c") - len(_CELL_START.findall(data))
    plain = (starts == data.count(b'<c r="') and b":c" not in data and b":row" not in data
             and b'"e"' not in data and b"'e'" not in data)
    if not plain or _FAR_CELL.search(data) is not None:
        return _walk_sheet(path, sheet, data)
    rows = next((n for n, pattern in _ROW_DIGITS if pattern.search(data)), 9)
    return rows, 26 if _COLUMN_PAST_H.search(data) else 8


def _walk_sheet(path: Path, sheet: _SheetFacts, data: bytes) -> tuple[int, int]:
    """Every cell's position as calamine places it (its reference, else next in the row), and
    the error cells' codes; for sheets not written the usual way, or holding errors."""


    rows = cols = 0
    row_no, col_no = -1, 0
    try:
        for event, el in etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False,
                                         no_network=True, huge_tree=True):
            local = etree.QName(el).localname if isinstance(el.tag, str) else ""
            if event == "start":
                if local == "row":
                    r = el.get("r")
                    row_no = int(r) - 1 if r and r.isdigit() else row_no + 1
                    col_no = 0
                elif local == "c":
                    ref = el.get("r")
                    if ref:
                        row_no, col_no = _position(ref, row_no)
                    if row_no < 0:
                        row_no = 0
                    rows, cols = max(rows, row_no + 1), max(cols, col_no + 1)
                continue
            if local == "c":
                if el.get("t") == "e":
                    v = next((x.text for x in el if isinstance(x.tag, str) and etree.QName(x).localname == "v"),
                             None)
                    if v:
                        sheet.errors.setdefault(row_no, {})[col_no] = v
                col_no += 1
                el.clear()
            elif local == "row":
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _damaged(path, f"sheet {sheet.name!r}: {exc}") from None
    return rows, cols


_REF = re.compile(r"([A-Za-z]{0,3})(\d{0,7})")


def _position(ref: str, row_no: int) -> tuple[int, int]:
    m = _REF.fullmatch(ref)
    if m is None:
        raise ValueError(f"bad cell reference {ref!r}")
    letters, digits = m.groups()
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return (int(digits) - 1 if digits else row_no), max(col - 1, 0)


# ------------------------------------------------------------------ reading


class Workbook:
    """The worksheets of a checked .xlsx file, read with calamine."""

    def __init__(self, path: Path) -> None:

        self.path = path
        facts = {s.name: s for s in _guard(path)}
        try:
            self._wb = CalamineWorkbook.from_path(str(path))
        except (CalamineError, OSError, ValueError) as exc:
            raise _damaged(path, exc) from None
        self._errors = {name: f.errors for name, f in facts.items()}
        self._loaded: dict[str, Any] = {}  # sheets read but not yet handed out (see rows)
        self.names: list[str] = []
        try:
            for meta in self._wb.sheets_metadata:
                if meta.typ == SheetTypeEnum.WorkSheet:
                    self.names.append(meta.name)
                    self._loaded[meta.name] = self._load(meta.name)
        except BaseException:
            self.close()
            raise

    def _load(self, name: str) -> Any:

        try:
            return self._wb.get_sheet_by_name(name)
        except (CalamineError, ValueError) as exc:
            raise _damaged(self.path, f"sheet {name!r}: {exc}") from None

    def close(self) -> None:
        self._loaded.clear()
        self._wb.close()

    def rows(self, name: str) -> Iterator[tuple[Any, ...]]:
        """Values of each row of sheet ``name`` from row 1, as openpyxl's read-only mode gives them.

        The sheet read when the workbook was opened is handed to the first call, and freed when
        that iteration ends (a statement's cells are not kept while its lines are checked and
        written); a later call reads the sheet again."""
        sheet = self._loaded.pop(name, None)
        if sheet is None:
            sheet = self._load(name)
        return _values(sheet, self._errors.get(name, {}))

    def head(self, name: str, rows: int) -> list[tuple[Any, ...]]:
        """The first ``rows`` rows of sheet ``name``, which stays read for :meth:`rows`."""
        sheet = self._loaded.get(name)
        if sheet is None:
            sheet = self._loaded[name] = self._load(name)
        return list(itertools.islice(_values(sheet, self._errors.get(name, {})), rows))


def _values(sheet: Any, errors: dict[int, dict[int, str]]) -> Iterator[tuple[Any, ...]]:
    n = 0
    # calamine's rows start at row 1 but at the area's first column: the columns before it
    # are put back, so that a value's index is its column
    pad = (None,) * (sheet.start[1] if sheet.start else 0)
    for n, row in enumerate(sheet.iter_rows(), start=1):
        values = pad + tuple([
            v if type(v) is str and v else None if v == "" else
            int(v) if type(v) is float and v.is_integer() and -_EXACT <= v <= _EXACT
            else _MIDNIGHT(v, _T0) if type(v) is dt.date else v
            for v in row])
        if errors and n - 1 in errors:
            values = _with_errors(values, errors[n - 1])
        yield values
    for r in range(n, max(errors, default=-1) + 1):  # only for safety: calamine's area holds its errors
        yield _with_errors((), errors.get(r, {}))


def _with_errors(values: tuple[Any, ...], errors: dict[int, str]) -> tuple[Any, ...]:
    out = list(values)
    for c, code in errors.items():
        if c >= len(out):
            out.extend([None] * (c + 1 - len(out)))
        out[c] = code
    return tuple(out)


_MIDNIGHT = dt.datetime.combine
_T0 = dt.time()
_EXACT = 2.0**53  # beyond this a float no longer stands for one whole number
