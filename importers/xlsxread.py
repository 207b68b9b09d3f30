"""A lean streaming reader of .xlsx cell values, for statements of tens of thousands of rows.

openpyxl's read-only mode builds a Python object per cell and per shared string before
handing back values; for a bank statement of 50,000 lines that is most of an import's time.
This reader yields the same values as ``openpyxl.load_workbook(read_only=True,
data_only=True)`` … ``iter_rows(values_only=True)`` — shared and inline strings, numbers
(``int`` unless written with a decimal point or exponent), booleans, error codes, cached
formula results, and dates wherever the cell's number format is a date format — while
touching each XML element once. Row numbers are kept (missing rows come back empty), so
error messages name the row Excel shows. The test suite compares it with openpyxl on
arbitrary cells; any workbook whose structure it does not recognise is left to openpyxl
(:func:`importers.cells.workbook` falls back).
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from typing import Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class Unsupported(Exception):
    """The workbook uses something this reader does not handle; use openpyxl instead."""


_T = MAIN + "t"


def _text_of(el: Any) -> str:
    """Text of a shared or inline string: its <t>, and its rich-text runs' <t> (not phonetic <rPh>)."""
    if len(el) == 1 and el[0].tag == _T:  # the common case: one plain <t>
        return el[0].text or ""
    plain = el.findtext(_T) or ""
    return plain + "".join(r.findtext(_T) or "" for r in el.iterfind(MAIN + "r"))


_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """0-based column of a cell reference such as "AB12"."""
    letters = ref.rstrip("0123456789")
    col = _COLUMNS.get(letters)
    if col is None:
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        col = _COLUMNS[letters] = col - 1
    return col


class Workbook:
    def __init__(self, path: Any) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise Unsupported(str(exc)) from None
        try:
            self._read_parts()
        except Unsupported:
            self.zip.close()
            raise
        except (KeyError, etree.XMLSyntaxError, ValueError) as exc:
            self.zip.close()
            raise Unsupported(str(exc)) from None

    def _read_parts(self) -> None:
        names = set(self.zip.namelist())
        wb = etree.fromstring(self.zip.read("xl/workbook.xml"))
        if wb.tag != MAIN + "workbook":
            raise Unsupported(f"unexpected workbook namespace {wb.tag}")
        pr = wb.find(MAIN + "workbookPr")
        date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        rels = etree.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.iter(PKG_REL + "Relationship")}
        self.sheets: list[tuple[str, str]] = []
        for s in wb.iter(MAIN + "sheet"):
            target = targets.get(s.get(REL + "id"), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            if part not in names:
                raise Unsupported(f"sheet part {part} missing")
            self.sheets.append((s.get("name"), part))
        self.strings: list[str] = []
        if "xl/sharedStrings.xml" in names:
            with self.zip.open("xl/sharedStrings.xml") as f:
                for _, si in etree.iterparse(f, events=("end",), tag=MAIN + "si"):
                    self.strings.append(_text_of(si))
                    si.clear()
        self.date_styles: dict[int, bool] = {}  # style index → True: date, False: timedelta
        if "xl/styles.xml" in names:
            styles = etree.fromstring(self.zip.read("xl/styles.xml"))
            custom = {int(n.get("numFmtId")): n.get("formatCode") or ""
                      for n in styles.iter(MAIN + "numFmt")}
            xfs = styles.find(MAIN + "cellXfs")
            for i, xf in enumerate(xfs.iterfind(MAIN + "xf") if xfs is not None else ()):
                fid = int(xf.get("numFmtId", "0"))
                code = custom.get(fid, BUILTIN_FORMATS.get(fid, "General"))
                if is_timedelta_format(code):
                    self.date_styles[i] = False
                elif is_date_format(code):
                    self.date_styles[i] = True

    def close(self) -> None:
        self.zip.close()

    def rows(self, part: str, max_row: int | None = None) -> Iterator[tuple[Any, ...]]:
        """Values of each row from row 1, empty tuples for rows the file leaves out."""
        try:
            yield from self._rows(part, max_row)
        except (etree.XMLSyntaxError, KeyError, ValueError, IndexError, zipfile.BadZipFile) as exc:
            from assetreg.errors import BadInput

            raise BadInput(f"{self.path}: the sheet's data is damaged ({exc})",
                           "open the file in Excel or WPS, save it again as .xlsx and import that") from None

    def _rows(self, part: str, max_row: int | None) -> Iterator[tuple[Any, ...]]:
        strings, date_styles, epoch = self.strings, self.date_styles, self.epoch
        row_tag, c_tag, v_tag, is_tag = MAIN + "row", MAIN + "c", MAIN + "v", MAIN + "is"
        expected = 1
        with self.zip.open(part) as f:
            for _, row in etree.iterparse(f, events=("end",), tag=row_tag):
                r = row.get("r")
                n = int(r) if r else expected
                if max_row is not None and n > max_row:
                    break
                while expected < n:
                    yield ()
                    expected += 1
                values: list[Any] = []
                for c in row.iterchildren(c_tag):
                    ref = c.get("r")
                    if ref:
                        col = _column(ref)
                        if col > len(values):
                            values.extend([None] * (col - len(values)))
                    t = c.get("t", "n")
                    if t == "inlineStr":
                        el = c.find(is_tag)
                        value: Any = _text_of(el) if el is not None else None
                    else:
                        # <v> is the only child unless a formula <f> comes first
                        text = (c[0].text if len(c) == 1 and c[0].tag == v_tag else c.findtext(v_tag)) or None
                        if text is None:
                            value = None
                        elif t == "s":
                            value = strings[int(text)]
                        elif t == "n":
                            value = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
                            style = c.get("s")
                            if style is not None:
                                kind = date_styles.get(int(style))
                                if kind is not None:
                                    try:
                                        value = from_excel(value, epoch, timedelta=not kind)
                                    except (ValueError, OverflowError):
                                        value = "#VALUE!"  # out of the calendar, as openpyxl reads it
                        elif t == "b":
                            value = bool(int(text))
                        elif t == "d":
                            value = from_ISO8601(text)
                        else:  # "str" (a formula's text), "e" (an error code such as #N/A)
                            value = text
                    values.append(value)
                yield tuple(values)
                expected = n + 1
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
