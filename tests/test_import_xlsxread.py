"""The importers read a workbook (python-calamine, behind :mod:`importers.xlsxread`) as
openpyxl's read-only mode does: the same text, numbers, dates, booleans and error codes in
the same rows and columns; and refuse damaged or hostile files with a clear error."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.styles.numbers import is_date_format

from assetreg.errors import BadInput
from importers import xlsxread
from importers.cells import workbook

values = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["合计", "１,２３4.50", "2025年3月1日", " 前后空格 ", "=1+1", "a<b>&c\"d'", "</row>",
                     "<![CDATA[x]]>", "&amp;", "line\nbreak", "tab\tx", "e", '"e"',
                     # numbers stored as text stay text
                     "00123", "1,234.50", "20250301", "45000", "1e5", "-0",
                     # error codes: openpyxl writes these as error cells
                     "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]),
    st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2099, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)),
)
FORMATS = ["General", "0.00", "#,##0.00", "yyyy-mm-dd", "yyyy/m/d h:mm", "@", "[h]:mm:ss", 'yyyy"年"m"月"d"日"',
           'm/d/yy', "mmm-yy", 'h:mm', '0.00"元"', '#,##0.00_);(#,##0.00)', "0%", "yyyymmdd"]


def _trim(row: tuple) -> tuple:
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return tuple(row)


def _trim_sheet(rows: list[tuple]) -> list[tuple]:
    rows = [_trim(r) for r in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def both(path: Path) -> tuple[list, list]:
    wb = load_workbook(path, read_only=True, data_only=True)
    ref = [(ws.title, _trim_sheet(list(ws.iter_rows(values_only=True)))) for ws in wb.worksheets]
    wb.close()
    with workbook(path) as sheets:
        got = [(s.name, _trim_sheet(list(s.rows()))) for s in sheets]
        for s in sheets:  # the head is the sheet's first rows, as read in full
            assert s.head == list(s.rows())[: len(s.head)]
    return ref, got


def _outside_excel_dates(value: object, fmt: str) -> bool:
    """A number in a date format that is no date of Excel's calendar (negative, or after
    9999-12-31): openpyxl reads it as the error #VALUE! or as a day of 1899, calamine as the
    number or a time; neither is a date the importers accept, and no spreadsheet program
    shows one, so such cells are left out of the comparison."""
    return (isinstance(value, int | float) and not isinstance(value, bool) and is_date_format(fmt)
            and not 0 <= value < 2958466)


_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")


def _not_compared(value: object, fmt: str) -> bool:
    """Cells whose reading differs from openpyxl's on purpose (see the tests below)."""
    return _outside_excel_dates(value, fmt) or (isinstance(value, str) and bool(_ESCAPE.search(value)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grid=st.lists(st.lists(st.tuples(values, st.sampled_from(FORMATS)), max_size=6), max_size=8),
       skip=st.integers(0, 3), indent=st.integers(0, 2), merge=st.sampled_from([None, "A1:C1", "B2:D4"]))
def test_same_values_as_openpyxl(tmp_path: Path, grid: list, skip: int, indent: int, merge: str | None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "明细"
    for r, row in enumerate(grid, start=1 + skip):  # rows and columns left out come back empty
        for c, (v, fmt) in enumerate(row, start=1 + indent):
            if v is None or _not_compared(v, fmt):
                continue
            cell = ws.cell(r, c, v)
            cell.number_format = fmt
    if merge:  # the merged area's value is in its first cell; the others are empty
        ws.merge_cells(merge)
    wb.create_sheet("空")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    ref, got = both(path)
    # openpyxl pads rows to the sheet's width; trailing blanks aside, the values are the same
    # (a whole number may come back as 12 from one and 12.0 from the other: equal values)
    assert got == ref


def test_cell_kinds_as_the_importers_see_them(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["00123", 1234.5, 12, True, dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 10, 5), "#N/A", None, " "])
    for cell, fmt in zip(ws[1], ["@", "General", "General", "General", "yyyy-mm-dd", "yyyy/m/d h:mm"], strict=False):
        cell.number_format = fmt
    ws["B2"] = 45000
    ws["B2"].number_format = "yyyy-mm-dd"
    path = tmp_path / "k.xlsx"
    wb.save(path)
    with workbook(path) as sheets:
        rows = list(sheets[0].rows())
    assert rows[0] == ("00123", 1234.5, 12, True, dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 1, 10, 5), "#N/A",
                       None, " ")
    assert type(rows[0][2]) is int and type(rows[0][4]) is dt.datetime
    assert rows[1][1] == dt.datetime(2023, 3, 15)


def test_excel_escapes_in_text_are_decoded(tmp_path: Path) -> None:
    """Excel writes a carriage return in a cell as ``_x000D_`` (and a literal ``_x`` as
    ``_x005F_x``); openpyxl leaves such escapes as they are, calamine decodes them, as Excel
    shows the cell."""
    path = _with_sheet(tmp_path, _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>第一行_x000D_\n第二行</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>_x005F_x0041_</t></is></c></row>'))
    with workbook(path) as sheets:
        assert list(sheets[0].rows()) == [("第一行\r\n第二行", "_x0041_")]


def test_templates_and_test_workbooks_read_the_same(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assetreg.cli import main

    for kind in ("bank", "contracts", "roster"):
        out = tmp_path / f"{kind}.xlsx"
        assert CliRunner().invoke(main, ["template", kind, "-o", str(out)]).exit_code == 0
        ref, got = both(out)
        assert got == ref


# ------------------------------------------------------------------ damaged and hostile files


def _sheet_xml(body: str, dimension: str = "A1") -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>')


def _with_sheet(tmp_path: Path, sheet_xml: str, name: str = "h.xlsx") -> Path:
    """A real workbook whose first sheet's XML is replaced by ``sheet_xml``."""
    src = tmp_path / "src.xlsx"
    Workbook().save(src)
    out = tmp_path / name
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            zout.writestr(info.filename, data)
    return out


def test_two_far_apart_cells_are_refused_before_calamine_allocates_the_area(tmp_path: Path) -> None:
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    path = _with_sheet(tmp_path, _sheet_xml(body, "A1:XFD1048576"))
    with pytest.raises(BadInput, match=r"1,048,576 rows × 16,384 columns") as e, workbook(path):
        pass
    assert "Ctrl+End" in (e.value.fix or "")


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    body = '<row><c><v>1</v></c><c t="e"><v>#N/A</v></c></row><row r="3"><c t="inlineStr"><is><t>x</t></is></c></row>'
    path = _with_sheet(tmp_path, _sheet_xml(body))
    with workbook(path) as sheets:
        assert _trim_sheet(list(sheets[0].rows())) == [(1, "#N/A"), (), ("x",)]


def test_a_part_that_unpacks_beyond_its_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _with_sheet(tmp_path, _sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + " " * 100_000))
    monkeypatch.setattr(xlsxread, "PART_LIMIT", 50_000)
    with pytest.raises(BadInput, match="unpacks to more than"), workbook(path):
        pass


def test_a_part_larger_than_it_declares_is_damaged(tmp_path: Path) -> None:
    path = _with_sheet(tmp_path, _sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    # the central directory's uncompressed size of the sheet, made smaller than the content
    cd = raw.rfind(b"PK\x01\x02", 0, raw.rfind(b"xl/worksheets/sheet1.xml") + 1)
    raw[cd + 24:cd + 28] = (info.file_size - 10).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with pytest.raises(BadInput, match=r"damaged|cannot read"), workbook(path):
        pass


@pytest.mark.parametrize("content", [b"a,b\n", b"\xd0\xcf\x11\xe0junk", b"PK\x03\x04garbage", b""])
def test_files_that_are_not_xlsx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(BadInput, match=r"cannot read it as an \.xlsx workbook") as e, workbook(path):
        pass
    assert "save the sheet from Excel or WPS as .xlsx" in (e.value.fix or "")


def test_a_zip_that_is_no_workbook(tmp_path: Path) -> None:
    path = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(BadInput, match=r"no xl/workbook\.xml"), workbook(path):
        pass


@pytest.mark.parametrize("body", ['<row r="1"><c r="A1"><v>1</v></c></row><<<',  # not XML
                                  '<row r="1"><c r="A1" t="s"><v>7</v></c></row>',  # no such shared string
                                  '<row r="x"><c r="A1"><v>1</v></c></row>'])  # no such row
def test_a_damaged_sheet(tmp_path: Path, body: str) -> None:
    path = _with_sheet(tmp_path, _sheet_xml(body))
    with pytest.raises(BadInput, match="damaged") as e, workbook(path):
        pass
    assert "save it again as .xlsx" in (e.value.fix or "")
