"""The lean .xlsx reader yields exactly what openpyxl's read-only mode yields."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from importers.xlsxread import Workbook as Lean

values = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["合计", "１,２３4.50", "2025年3月1日", " 前后空格 ", "=1+1", "#N/A", "a<b>&c\"d'", "</row>",
                     "<![CDATA[x]]>", "&amp;", "line\nbreak", "tab\tx"]),
    st.integers(min_value=-10**15, max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2099, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0)),
)
FORMATS = ["General", "0.00", "#,##0.00", "yyyy-mm-dd", "yyyy/m/d h:mm", "@", "[h]:mm:ss", 'yyyy"年"m"月"d"日"']


def _trim(row: tuple) -> tuple:
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return tuple(row)


def both(path: Path) -> tuple[list, list]:
    wb = load_workbook(path, read_only=True, data_only=True)
    ref = [[_trim(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]
    names = wb.sheetnames
    wb.close()
    lean = Lean(path)
    got = [[_trim(r) for r in lean.rows(part)] for _, part in lean.sheets]
    assert [n for n, _ in lean.sheets] == names
    lean.close()
    return ref, got


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grid=st.lists(st.lists(st.tuples(values, st.sampled_from(FORMATS)), max_size=6), max_size=8),
       skip=st.integers(0, 3), merge=st.booleans())
def test_same_values_as_openpyxl(tmp_path: Path, grid: list, skip: int, merge: bool) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "明细"
    for r, row in enumerate(grid, start=1 + skip):  # rows left out at the top come back empty
        for c, (v, fmt) in enumerate(row, start=1):
            if v is None:
                continue
            cell = ws.cell(r, c, v)
            cell.number_format = fmt
    if merge:
        ws.merge_cells("A1:C1")
    wb.create_sheet("空")
    path = tmp_path / "t.xlsx"
    wb.save(path)
    ref, got = both(path)
    # openpyxl pads rows to the sheet's width; trailing blanks aside, the values are the same
    assert [[r for r in s] for s in got] == [[r for r in s] for s in ref]


def test_templates_and_test_workbooks_read_the_same(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assetreg.cli import main

    for kind in ("bank", "contracts", "roster"):
        out = tmp_path / f"{kind}.xlsx"
        assert CliRunner().invoke(main, ["template", kind, "-o", str(out)]).exit_code == 0
        ref, got = both(out)
        assert got == ref
