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
refused with a clear :class:`~assetreg.errors.BadInput` in bounded time and memory: it must be
a zip with a workbook part; every part is decompressed once here, in chunks (its real size,
not the size the zip declares, is capped, and its CRC checked; only the worksheets are kept
for the next check); the shared strings are counted and capped (each is an allocation in
calamine); no text runs longer than Excel's cell limit allows, no elements nest deeper than a
workbook's do; a shared-string index is a whole number ≥ 0; and each sheet's used area —
which calamine allocates densely, 32 bytes a cell, even for two cells at A1 and XFD1048576 — is
computed from the cell references, which must lie in Excel's grid, and capped.

The limits (:class:`Limits`) are far above what a compound's sheets need (a 50,000-line bank
statement is a 23 MB worksheet of 400,000 cells) and can be raised through environment
variables (``ASSETREG_XLSX_MAX_*``, see :func:`limits`).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import os
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

PART_LIMIT = 64 * 2**20  # decompressed bytes of one worksheet (a 50,000-line statement: 23 MB)
STRINGS_LIMIT = 32 * 2**20  # decompressed bytes of the shared strings
STRING_COUNT_LIMIT = 1_000_000  # entries of the shared-string table
META_LIMIT = 16 * 2**20  # decompressed bytes of any other part (workbook, styles, theme, …)
TOTAL_LIMIT = 160 * 2**20  # decompressed bytes of the whole file
ENTRY_LIMIT = 10_000  # parts in the zip
CELL_LIMIT = 4_000_000  # cells of the used areas of all sheets (rows × columns each)
TEXT_LIMIT = 256 * 2**10  # bytes between two '<': a cell holds at most 32,767 characters
DEPTH_LIMIT = 256  # elements open one inside another (a sheet needs 6, a rich-text string 4)
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's grid
CHUNK = 2**20

ENV_PREFIX = "ASSETREG_XLSX_MAX_"


@dataclass(frozen=True)
class Limits:
    """How much of a workbook the reader accepts; each breach is a BadInput naming it."""

    sheet_bytes: int
    strings_bytes: int
    strings: int
    meta_bytes: int
    total_bytes: int
    parts: int
    cells: int
    text_bytes: int


# environment variable suffix → (field, unit in bytes or 1)
_ENV = {"SHEET_MB": ("sheet_bytes", 2**20), "STRINGS_MB": ("strings_bytes", 2**20), "STRINGS": ("strings", 1),
        "META_MB": ("meta_bytes", 2**20), "TOTAL_MB": ("total_bytes", 2**20), "PARTS": ("parts", 1),
        "CELLS": ("cells", 1), "TEXT_KB": ("text_bytes", 2**10)}


def limits() -> Limits:
    """The defaults above, each raised or lowered by ``ASSETREG_XLSX_MAX_<NAME>`` when set
    (SHEET_MB, STRINGS_MB, STRINGS, META_MB, TOTAL_MB, PARTS, CELLS, TEXT_KB)."""
    values = {"sheet_bytes": PART_LIMIT, "strings_bytes": STRINGS_LIMIT, "strings": STRING_COUNT_LIMIT,
              "meta_bytes": META_LIMIT, "total_bytes": TOTAL_LIMIT, "parts": ENTRY_LIMIT, "cells": CELL_LIMIT,
              "text_bytes": TEXT_LIMIT}
    for suffix, (name, unit) in _ENV.items():
        text = os.environ.get(ENV_PREFIX + suffix, "").strip()
        if not text:
            continue
        if not text.isdigit() or int(text) <= 0:
            raise BadInput(f"{ENV_PREFIX}{suffix}={text!r} is not a positive whole number",
                           f"set it to e.g. {values[name] // unit}, or unset it for that default")
        values[name] = int(text) * unit
    return Limits(**values)

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
    lim = limits()
    declared = _declared_entries(path)
    if declared is not None and declared > lim.parts:
        raise _damaged(path, f"{declared} parts, more than {lim.parts}")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_xlsx(path, exc) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > lim.parts:
            raise _damaged(path, f"{len(infos)} parts, more than {lim.parts}")
        names = {i.filename: i for i in infos}
        if "xl/workbook.xml" not in names:
            raise _not_xlsx(path, "no xl/workbook.xml: not an Excel 2007+ workbook")
        sheets = _sheet_parts(path, zf, names, lim)
        by_part = {s.part: s for s in sheets}
        # Declared sizes first: a bomb that says what it is costs nothing to refuse. A part
        # that unpacks to more than it declares is refused as soon as it does (_read_part).
        total = 0
        for info in infos:
            limit, env = _limit_of(info.filename, by_part, lim)
            if info.file_size > limit:
                raise _too_large(path, info.filename, info.file_size, limit, env)
            total += info.file_size
            if total > lim.total_bytes:
                raise _too_large(path, "the parts together", total, lim.total_bytes, "TOTAL_MB")
        cells = 0
        for info in infos:
            if info.is_dir():
                continue
            sheet = by_part.get(info.filename)
            scan = _Scan(path, info.filename, lim, strings=info.filename == STRINGS_PART)
            data = _read_part(path, zf, info, scan, keep=sheet is not None)
            if sheet is not None:
                assert data is not None
                rows, cols = _scan_sheet(path, sheet, data, lim.cells)
                if rows > MAX_ROWS or cols > MAX_COLUMNS:
                    raise _damaged(path, f"sheet {sheet.name!r} reaches row {rows:,}, column {cols:,}: beyond "
                                         f"Excel's {MAX_ROWS:,} rows × {MAX_COLUMNS:,} columns")
                cells += rows * cols
                if cells > lim.cells:
                    raise BadInput(
                        f"{path}: sheet {sheet.name!r} uses {rows:,} rows × {cols:,} columns; the workbook's "
                        f"sheets together span more than {lim.cells:,} cells",
                        "delete the stray cells far below or to the right of the data (Ctrl+End in Excel "
                        "goes to the last used cell) or split the workbook, save it and import again")
                if _NEGATIVE_STRING.search(data):
                    raise _damaged(path, f"sheet {sheet.name!r}: a cell refers to shared string number "
                                         f"{_NEGATIVE_STRING.search(data).group(2).decode(errors='replace')!r}, "  # type: ignore[union-attr]
                                         "not a whole number from 0")
            del data
    return sheets


def _declared_entries(path: Path) -> int | None:
    """The number of parts the zip's end record declares, read before zipfile parses (and
    allocates) the whole central directory; None when there is no plain end record."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 66_000))
            tail = f.read()
    except OSError:
        return None
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 12:
        return None
    n = int.from_bytes(tail[at + 10:at + 12], "little")
    return None if n == 0xFFFF else n  # 0xFFFF: a zip64 record holds the count


STRINGS_PART = "xl/sharedStrings.xml"  # the shared-string table, by the name calamine reads


def _limit_of(name: str, sheets: dict[str, _SheetFacts], lim: Limits) -> tuple[int, str]:
    """A part's size limit and the environment variable that raises it."""
    if name in sheets:
        return lim.sheet_bytes, "SHEET_MB"
    if name == STRINGS_PART:
        return lim.strings_bytes, "STRINGS_MB"
    return lim.meta_bytes, "META_MB"


def _too_large(path: Path, part: str, size: int, limit: int, env: str = "SHEET_MB") -> BadInput:
    return BadInput(f"{path}: {part} unpacks to more than {limit / 2**20:g} MiB ({size:,} bytes or more)",
                    "split the workbook into smaller files (e.g. one per year) and import each "
                    f"(or raise the limit with {ENV_PREFIX}{env}=MB)")


# A shared-string cell (t="s") whose index is not a whole number from 0: -1 and the like.
_NEGATIVE_STRING = re.compile(rb"""t=(["'])s\1[^>]*>\s*<(?:\w+:)?v>\s*([-+][^<]*|[^<]*[^0-9<\s][^<]*)<""")
_SI = re.compile(rb"<\w+:si[\s/>]")


def _count_si(data: bytes) -> int:
    """How many shared strings (<si> elements) start in ``data`` (no other element of the
    table starts with "si")."""
    n = data.count(b"<si")
    return n + len(_SI.findall(data)) if b":si" in data else n


class _Scan:
    """Checks on a part's bytes as they are decompressed, chunk by chunk: no text run (bytes
    between two '<') longer than the limit, no deep nesting, and at most so many shared strings.

    Nesting is followed by counting, not parsing: every slice of :data:`_SLICE` bytes moves
    the depth by its opening tags less its closing ones, and the depth between two slices must
    stay within :data:`DEPTH_LIMIT` (a slice cut inside a tag is off by one at most)."""

    def __init__(self, path: Path, part: str, lim: Limits, strings: bool = False) -> None:
        self.path, self.part, self.limit = path, part, lim.text_bytes
        self.run = 0  # bytes since the last '<'
        self.depth = 0
        self.max_strings = lim.strings if strings else -1
        self.strings = 0
        self.tail = b""  # the end of the previous chunk, for a <si that straddles two
        self.last = b""

    def feed(self, chunk: bytes) -> None:
        n = len(chunk)
        if n and self.last:  # the pair cut by the previous chunk's end
            pair = self.last + chunk[:1]
            self.depth -= 2 if pair == b"</" else 1 if pair == b"/>" else 0
        self.last = chunk[-1:]
        for i in range(0, n, _SLICE):
            j = min(i + _SLICE, n)
            first = chunk.find(b"<", i, j)
            if first < 0:
                self.run += j - i
                if self.run > self.limit:
                    self._long()
                continue
            if self.run + first - i > self.limit:
                self._long()
            self.run = j - chunk.rfind(b"<", i, j) - 1
            closes = chunk.count(b"</", i, j)
            self.depth += chunk.count(b"<", i, j) - 2 * closes - chunk.count(b"/>", i, j)
            if j < n:  # a "</" or "/>" cut by the slice's end counts in neither slice
                pair = chunk[j - 1:j + 1]
                self.depth -= 2 if pair == b"</" else 1 if pair == b"/>" else 0
            if self.depth > DEPTH_LIMIT:
                raise _damaged(self.path, f"{self.part}: elements nested more than {DEPTH_LIMIT} deep")
        if self.max_strings >= 0:
            window = self.tail + chunk[:8]
            self.strings += _count_si(window) - _count_si(self.tail) + _count_si(chunk) - _count_si(chunk[:8])
            self.tail = chunk[-8:]
            if self.strings > self.max_strings:
                raise BadInput(
                    f"{self.path}: the shared-string table ({self.part}) holds more than {self.max_strings:,} strings",
                    f"split the workbook into smaller files and import each (or raise {ENV_PREFIX}STRINGS)")

    def _long(self) -> None:
        raise _damaged(self.path, f"{self.part}: a text or tag longer than {self.limit // 1024} KiB "
                                  "(a cell holds at most 32,767 characters)")


_SLICE = 2**16


def _read_part(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _Scan | None = None,
               keep: bool = True) -> bytearray | None:
    """The part's content (or None when not ``keep``), decompressed in chunks and stopped as
    soon as it runs past the size the zip declares (which the caller has held to its limit),
    so that a bomb lying about its size costs no more than one that does not."""
    probe = copy.copy(info)
    probe.file_size = 1 << 62  # read to the real end of the stream (CRC-checked there), or stop past the size
    data = bytearray(info.file_size) if keep else None
    size = 0
    try:
        with zf.open(probe) as f:
            while True:
                chunk = f.read(CHUNK)
                if not chunk:
                    break
                if size + len(chunk) > info.file_size:
                    raise _damaged(path, f"{info.filename} unpacks to more than the {info.file_size:,} bytes "
                                         "the file declares")
                if scan is not None:
                    scan.feed(chunk)
                if data is not None:
                    data[size:size + len(chunk)] = chunk
                size += len(chunk)
    except BadInput:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError) as exc:  # RuntimeError: encrypted
        raise _damaged(path, f"{info.filename}: {exc}") from None
    except Exception as exc:  # zlib.error and the like from a corrupt stream
        raise _damaged(path, f"{info.filename}: {exc}") from None
    if size != info.file_size:
        raise _damaged(path, f"{info.filename} unpacks to {size} bytes, not the {info.file_size} declared")
    return data


def _sheet_parts(path: Path, zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo],
                 lim: Limits) -> list[_SheetFacts]:

    def xml(name: str) -> Any:
        info = names.get(name)
        if info is None:
            raise _damaged(path, f"{name} is missing")
        if info.file_size > lim.meta_bytes:
            raise _too_large(path, name, info.file_size, lim.meta_bytes, "META_MB")
        try:
            return etree.fromstring(bytes(_read_part(path, zf, info) or b""),
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
_CELL_ENDS = (b" ", b">", b"/", b"\n", b"\r", b"\t")  # what follows "<c" in a cell, not in <col, <cfRule, …
_FAR_CELL = re.compile(rb'<c r="(?:[A-Z]{2,}|[A-Z]+\d{6,})')  # column past Z or row past 99,999
_ROW_DIGITS = [(10**k - 1, re.compile(rb'<c r="[A-Z]\d{%d}"' % k)) for k in (5, 4, 3, 2)]
_COLUMN_PAST_H = re.compile(rb'<c r="[I-Z]')


def _scan_sheet(path: Path, sheet: _SheetFacts, data: bytearray, cell_limit: int) -> tuple[int, int]:
    """At least the rows × columns of the area calamine will allocate for the sheet; records
    its error cells. A sheet written the usual way without errors is sized by a few searches
    (rows to the next power of ten, columns to H or Z); any other is walked cell by cell,
    once its cells and rows are known to be few enough to walk."""
    starts = data.count(b"<c")
    if starts > cell_limit:  # an upper bound (<col, <cfRule, …): the exact count only when it matters
        starts = sum(data.count(b"<c" + end) for end in _CELL_ENDS)
    else:
        starts -= len(_CELL_START.findall(data))
    rows_written = data.count(b"<row")
    if starts > cell_limit or rows_written > MAX_ROWS:
        raise BadInput(f"{path}: sheet {sheet.name!r} holds {starts:,} cells in {rows_written:,} rows, more than "
                       f"{cell_limit:,} cells or Excel's {MAX_ROWS:,} rows",
                       "split the workbook into smaller files and import each "
                       f"(or raise the limit with {ENV_PREFIX}CELLS)")
    plain = (starts == data.count(b'<c r="') and b":c" not in data and b":row" not in data
             and b'"e"' not in data and b"'e'" not in data)
    if not plain or _FAR_CELL.search(data) is not None:
        return _walk_sheet(path, sheet, data)
    rows = next((n for n, pattern in _ROW_DIGITS if pattern.search(data)), 9)
    return rows, 26 if _COLUMN_PAST_H.search(data) else 8


def _walk_sheet(path: Path, sheet: _SheetFacts, data: bytes | bytearray) -> tuple[int, int]:
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
