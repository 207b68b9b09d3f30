"""Reading treasurers' spreadsheets: cells, headers and rows, forgivingly but never silently.

Spreadsheets kept by hand or exported by banks carry title rows above the header, merged
title cells, blank rows, a 合计 row at the bottom, full-width digits, stray spaces, numbers
stored as text with thousands separators, and dates as Excel dates or as text. This module
turns such cells into ``Decimal`` money, ``date`` and clean text, and reports every cell it
cannot read as a :class:`CellError` naming file, sheet, row and column and what was expected.

Nothing here is specific to one kind of sheet: each importer declares its columns as
:class:`Column` (a canonical field name with its Chinese and English header aliases), and
:func:`find_header` locates the header row among the first rows of a sheet.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from assetreg.dates import date_fields, in_range
from assetreg.errors import BadInput

from .csvread import CsvSheet
from .xlsxread import Workbook

CENT = Decimal("0.01")
NO_AMOUNT = frozenset({"-", "--", "—", "——", "－", "/"})  # what banks put in the column not used
MONEY_LIMIT = Decimal(10) ** 13  # no compound's line reaches ten trillion yuan: a misread cell does
HEADER_SCAN_ROWS = 30  # how far down a title block may push the header row
TOTAL_MARKERS = ("合计", "总计", "小计", "本页合计", "本期合计", "累计", "total")


@dataclass(frozen=True)
class CellError:
    """One unreadable cell (or row), printed as ``file:sheet:row:column: message (expected …)``."""

    file: str
    sheet: str
    row: int
    column: str
    message: str
    expected: str

    def __str__(self) -> str:
        return f"{self.file}:{self.sheet}:{self.row}:{self.column}: {self.message} (expected {self.expected})"


@dataclass
class Problems:
    """Errors and warnings gathered over a whole file before anything is written."""

    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)


class CellProblem(ValueError):
    """Raised by the parse functions; the caller attaches where it happened."""

    def __init__(self, message: str, expected: str) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected


# ------------------------------------------------------------------ text


# Full-width ASCII forms and the ideographic space, as Chinese input methods type them.
_HALF_WIDTH = str.maketrans({**{chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}, "\u3000": " "})


def clean(value: Any) -> str:
    """Text of a cell: full-width letters, digits and signs → half-width, runs of whitespace →
    one space, stripped. Other characters (㎡, ①, 。) stay as written."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).translate(_HALF_WIDTH).split())


def header_key(value: Any) -> str:
    """Normalised header text for alias matching: no spaces, lower case, no unit suffix."""
    text = unicodedata.normalize("NFKC", clean(value)).replace(" ", "").lower()
    # "收入金额(元)", "面积(㎡)" and "金额（人民币）" name the same column as without the unit.
    text = re.sub(r"\((元|人民币|rmb|cny|m2|平方米|平米|万元)\)$", "", text)
    return text.rstrip(":*")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ------------------------------------------------------------------ money

_PLAIN_MONEY = re.compile(r"-?\d{1,12}(\.\d{1,2})?")
_MONEY_JUNK = re.compile(r"[\s,¥$]|元$|cny|rmb", re.IGNORECASE)


def parse_money(value: Any, warnings: list[str] | None = None) -> Decimal:
    """A money cell as an exact ``Decimal`` of cents.

    Integers and text are exact; a float cell (how Excel stores every number) is rounded to
    the cent, and if it was not already a whole number of cents a warning is added.
    """
    if isinstance(value, bool) or value is None:
        raise CellProblem(f"not an amount: {value!r}", "an amount such as 1,234.50")
    if isinstance(value, int):
        return _limited(Decimal(value), value).quantize(CENT)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellProblem(f"not a finite amount: {value!r}", "an amount such as 1,234.50")
        exact = _limited(Decimal(repr(value)), value)
        rounded = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        if rounded != exact and warnings is not None:
            warnings.append(f"amount {value!r} rounded to {rounded}")
        return rounded
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, str):
        if _PLAIN_MONEY.fullmatch(value):  # the common case, e.g. "1234.50": nothing to clean
            return Decimal(value).quantize(CENT)
        text = value
    else:
        raise CellProblem(f"not an amount: {value!r}", "an amount such as 1,234.50")
    s = _MONEY_JUNK.sub("", unicodedata.normalize("NFKC", text))
    negative = False
    if s.startswith("(") and s.endswith(")"):  # accountants' (1,234.00) for a negative amount
        negative, s = True, s[1:-1]
        if s[:1] in ("+", "-"):  # "(-12)": a sign inside the brackets is no amount anyone wrote
            raise CellProblem(f"not an amount: {text!r}", "an amount such as 1,234.50")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s):
        raise CellProblem(f"not an amount: {text!r}", "an amount such as 1,234.50")
    try:
        amount = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        raise CellProblem(f"not an amount: {text!r}", "an amount such as 1,234.50") from None
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CellProblem(f"amount {text!r} has more than two decimals", "an amount in yuan and fen, e.g. 1,234.50")
    return _limited(-amount if negative else amount, text).quantize(CENT)


def _limited(amount: Decimal, value: Any) -> Decimal:
    if abs(amount) >= MONEY_LIMIT:
        raise CellProblem(f"amount {value!r} is out of range", "an amount below 10,000,000,000,000")
    return amount


def parse_decimal(value: Any, what: str, example: str) -> Decimal:
    """A non-money exact number (area, share); floats go through their shortest repr."""
    if isinstance(value, bool) or value is None:
        raise CellProblem(f"not a number: {value!r}", f"{what}, e.g. {example}")
    if isinstance(value, int | float):
        if isinstance(value, float) and (value != value or abs(value) == float("inf")):
            raise CellProblem(f"not a finite number: {value!r}", f"{what}, e.g. {example}")
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not isinstance(value, str | Decimal):
        raise CellProblem(f"not a number: {value!r}", f"{what}, e.g. {example}")
    s = clean(value).replace(",", "").replace(" ", "")
    s = re.sub(r"(m2|㎡|平方米|平米)$", "", s, flags=re.IGNORECASE)
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s):
        raise CellProblem(f"not a number: {value!r}", f"{what}, e.g. {example}")
    return Decimal(s)


# ------------------------------------------------------------------ dates

_EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_EXPECTED = "a date such as 2025-03-01, 2025/3/1 or 2025年3月1日"


def parse_date(value: Any) -> dt.date:
    """A date cell: an Excel date, an Excel serial number, or text in the forms of
    :func:`assetreg.dates.date_fields` (full-width digits and signs too).

    A time of day after the date (bank exports often add one) is accepted and dropped.
    """
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if not in_range(day):
            raise CellProblem(f"no such day: {value!r}", DATE_EXPECTED)
        return day
    if isinstance(value, bool) or value is None:
        raise CellProblem(f"not a date: {value!r}", DATE_EXPECTED)
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise CellProblem(f"not a date: {value!r}", DATE_EXPECTED)
        n = int(value)
        if 19000101 <= n <= 21001231:  # 20250301 typed as a number
            return _date_or_problem(n // 10000, n // 100 % 100, n % 100, value)
        if 25569 <= n <= 73051:  # an Excel serial between 1970 and 2100
            return _EXCEL_EPOCH + dt.timedelta(days=n)
        raise CellProblem(f"not a date: {value!r}", DATE_EXPECTED)
    if not isinstance(value, str):
        raise CellProblem(f"not a date: {value!r}", DATE_EXPECTED)
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        try:  # the common case, 2025-03-01
            day = dt.date.fromisoformat(value)
            if in_range(day):
                return day
        except ValueError:
            pass  # e.g. 2025-02-30: reported below with the other forms
    fields = date_fields(clean(value), time_of_day=True)
    if fields is None:
        raise CellProblem(f"not a date: {value!r}", DATE_EXPECTED)
    return _date_or_problem(*fields, value)


def _date_or_problem(y: int, mo: int, d: int, value: Any) -> dt.date:
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise CellProblem(f"no such day: {value!r}", DATE_EXPECTED) from None


_PERIOD_TEXT = (
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?(份)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
PERIOD_EXPECTED = "a month such as 2025-01, 2025/1 or 2025年1月"


def parse_period(value: Any) -> str:
    """A billing month, as ``YYYY-MM``; a full date stands for its month."""
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 190001 <= int(value) <= 210012:
            value = str(int(value))
        else:
            raise CellProblem(f"not a month: {value!r}", PERIOD_EXPECTED)
    if not isinstance(value, str):
        raise CellProblem(f"not a month: {value!r}", PERIOD_EXPECTED)
    s = clean(value).replace(" ", "")
    for pattern in _PERIOD_TEXT:
        m = pattern.match(s)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            if 1 <= mo <= 12 and 1900 <= y <= 2100:
                return f"{y:04d}-{mo:02d}"
            raise CellProblem(f"no such month: {value!r}", PERIOD_EXPECTED)
    try:
        return f"{parse_date(value):%Y-%m}"
    except CellProblem:
        raise CellProblem(f"not a month: {value!r}", PERIOD_EXPECTED) from None


YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "t", "未售", "开发商未售"})
NO = frozenset({"否", "n", "no", "false", "0", "×", "x", "f", "已售", ""})


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = clean(value).lower()
    if key in YES:
        return True
    if key in NO:
        return False
    raise CellProblem(f"not yes or no: {value!r}", "是 or 否")


# ------------------------------------------------------------------ headers and rows


@dataclass(frozen=True)
class Column:
    """A field an importer reads, with every header text that may name it."""

    name: str
    label: str  # canonical Chinese header, written by `assetreg template`
    aliases: tuple[str, ...] = ()
    required: bool = True
    note: str = ""  # what to write, shown in the template's notes row

    def keys(self) -> set[str]:
        return {header_key(a) for a in (self.label, self.name, *self.aliases)}


@dataclass(frozen=True)
class Header:
    row: int  # 1-based row number of the header in the sheet
    index: dict[str, int]  # field name → 0-based column index
    labels: dict[str, str]  # field name → header text as written

    def column_letter(self, name: str) -> str:

        return str(get_column_letter(self.index[name] + 1))


def match_header(cells: Sequence[Any], columns: Sequence[Column]) -> dict[str, int]:
    """Which declared columns a row of header cells names (first match wins)."""
    keys = [header_key(c) if isinstance(c, str) else "" for c in cells]
    found: dict[str, int] = {}
    for col in columns:
        wanted = col.keys()
        for i, k in enumerate(keys):
            if k and k in wanted and i not in found.values():
                found[col.name] = i
                break
    return found


def find_header(rows: Sequence[Sequence[Any]], columns: Sequence[Column]) -> Header | None:
    """The first row among ``rows`` that names every required column, if any."""
    required = [c.name for c in columns if c.required]
    for n, cells in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        found = match_header(cells, columns)
        if all(r in found for r in required):
            return Header(n, found, {k: clean(cells[i]) for k, i in found.items()})
    return None


def header_score(rows: Sequence[Sequence[Any]], columns: Sequence[Column]) -> int:
    """How many declared columns the header names (0 if a required one is missing)."""
    header = find_header(rows, columns)
    return 0 if header is None else len(header.index)


def is_total_row(cells: Sequence[Any]) -> bool:
    """A 合计/总计 row ends the data: banks and treasurers put sums (and footers) below it."""
    for c in cells:
        if not is_blank(c):
            if type(c) is not str:  # a date or a number is data, not a label
                return False
            if c.lstrip()[0] not in _TOTAL_FIRST:  # most rows: no need to clean the text
                return False
            key = clean(c).replace(" ", "").lower()
            return key.startswith(TOTAL_MARKERS)
    return False


# The first character a total row's label can start with before clean() (which strips what
# lstrip() strips): a marker's first character, upper-case T, or the full-width forms of t.
_TOTAL_FIRST = frozenset("合总小本累tTｔＴ")


@dataclass(frozen=True)
class Row:
    number: int  # 1-based sheet row
    cells: tuple[Any, ...]


def data_rows(rows: Iterable[Sequence[Any]], header: Header) -> Iterator[Row]:
    """The rows under the header: blank rows skipped, stopping at the first total row."""
    for n, cells in enumerate(rows, start=1):
        if n <= header.row:
            continue
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if is_total_row(cells):
            return
        yield Row(n, tuple(cells))


@dataclass
class RowReader:
    """Reads one data row's fields, collecting problems instead of raising."""

    file: str
    sheet: str
    header: Header
    problems: Problems
    row: Row | None = None
    failed: bool = False
    _cells: tuple[Any, ...] = ()

    def start(self, row: Row) -> None:
        self.row = row
        self._cells = row.cells
        self.failed = False

    def raw(self, name: str) -> Any:
        i = self.header.index.get(name)
        cells = self._cells
        return cells[i] if i is not None and i < len(cells) else None

    def where(self, name: str) -> str:
        if name in self.header.index:
            return f"{self.header.column_letter(name)}({self.header.labels[name]})"
        return name

    def error(self, name: str, message: str, expected: str) -> None:
        assert self.row is not None
        self.failed = True
        self.problems.errors.append(
            CellError(self.file, self.sheet, self.row.number, self.where(name), message, expected))

    def warn(self, name: str, message: str) -> None:
        assert self.row is not None
        self.problems.warnings.append(
            CellError(self.file, self.sheet, self.row.number, self.where(name), message, "a whole number of cents"))

    def get(self, name: str, parse: Any, *, required: bool = True, expected: str = "a value") -> Any:
        """Parse a field; a blank required field or an unreadable one is an error (returns None)."""
        value = self.raw(name)
        if is_blank(value):
            if required:
                self.error(name, "empty", expected)
            return None
        try:
            return parse(value)
        except CellProblem as p:
            self.error(name, p.message, p.expected)
        except BadInput as exc:  # a validator of the core (units, registry)
            self.error(name, exc.problem, exc.fix or expected)
        except (ValueError, ArithmeticError) as exc:
            self.error(name, str(exc), expected)
        return None

    def money(self, name: str, *, required: bool = True) -> Decimal | None:
        value = self.raw(name)
        if is_blank(value) or (isinstance(value, str) and value.strip() in NO_AMOUNT):
            if required:
                self.error(name, "empty", "an amount such as 1,234.50")
            return None
        notes: list[str] | None = [] if isinstance(value, float) else None  # only floats round
        try:
            amount = parse_money(value, notes)
        except CellProblem as p:
            self.error(name, p.message, p.expected)
            return None
        for n in notes or ():
            self.warn(name, n)
        return amount

    def text(self, name: str, *, required: bool = True, expected: str = "text") -> str | None:
        value = self.raw(name)
        if type(value) is str:  # the common case
            text = " ".join(value.translate(_HALF_WIDTH).split())
            if text:
                return text
        if is_blank(value):
            if required:
                self.error(name, "empty", expected)
            return None
        if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
            self.error(name, f"not text: {value!r}", expected)
            return None
        return clean(value)


# ------------------------------------------------------------------ fingerprints


class Fingerprints:
    """Stable per-row ids: the row's normalised content plus its occurrence among identical rows.

    The id depends on what the row says, not where it sits in the file, so a later export
    that overlaps an earlier one yields the same ids for the same rows; two identical rows in
    one file get occurrence 0 and 1 and stay two rows.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.seen: dict[str, int] = {}

    def __call__(self, *parts: Any) -> str:
        content = "\x1f".join([p if type(p) is str else _canon(p) for p in parts])
        n = self.seen.get(content, 0)
        self.seen[content] = n + 1
        digest = hashlib.sha256(f"{self.kind}\x1e{content}\x1e{n}".encode()).hexdigest()
        return f"{self.kind}-{digest[:20]}"


def _canon(v: Any) -> str:
    if type(v) is str:
        return v
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return f"{v.normalize():f}"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


# ------------------------------------------------------------------ workbooks


@dataclass
class Sheet:
    """A worksheet's first rows (to find the header) and a way to stream all of its rows."""

    path: Path
    name: str
    head: list[tuple[Any, ...]]
    _rows: Callable[[], Iterator[tuple[Any, ...]]]

    def rows(self) -> Iterator[tuple[Any, ...]]:
        return self._rows()


@contextlib.contextmanager
def workbook(path: Path) -> Iterator[list[Sheet]]:
    """The worksheets of an .xlsx file, read with calamine (a bank statement may have 50,000
    rows) after :mod:`importers.xlsxread` has checked the file: one that is not an .xlsx
    workbook, is damaged or would unpack beyond its limits is a :class:`BadInput`. A .csv
    file is one sheet named after the file (:mod:`importers.csvread`: UTF-8 or GBK)."""

    if path.suffix.lower() == ".csv":
        text = CsvSheet(path)
        yield [Sheet(path, text.name, text.head(HEADER_SCAN_ROWS), text.rows)]
        return
    wb = Workbook(path)
    try:
        sheets = []
        for name in wb.names:
            sheets.append(Sheet(path, name, wb.head(name, HEADER_SCAN_ROWS), functools.partial(wb.rows, name)))
        yield sheets
    finally:
        wb.close()
