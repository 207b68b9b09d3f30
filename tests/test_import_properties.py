"""Property tests: arbitrary cell values never crash an importer and are never skipped silently.

For every importer, a sheet with the canonical header and one data row of arbitrary cells
(text with full-width digits, numbers, floats, dates, booleans, blanks) is read. Either the
row is written (or recognised as already in the ledger), or at least one error names it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SMALL_REGISTRY, SMALL_UNITS, append
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_import_bank import contract_text

from assetreg.ledger import Compound, Transaction
from assetreg.scaffold import init_compound
from importers.base import Context, book_errors
from importers.cells import (
    TOTAL_MARKERS,
    CellProblem,
    Problems,
    clean,
    is_total_row,
    parse_date,
    parse_money,
    workbook,
)
from importers.kinds import all_importers
from importers.testing import write_xlsx

INTERESTING = ["", "  ", "合计", "１,２３4.50", "(1,234.00)", "1e5", "NaN", "Infinity", "-0", "2025年3月1日",
               "2025/3/1", "2025-02-30", "20250301", "是", "否", "OWN-0001", "P-001", "C-2024-009", "停车位",
               "¥1,000", "12.345", "3-1-502", "张三", "13912345678", "2024-03", "road", "lift", "month", "业主"]

cells = st.one_of(
    st.none(),
    st.sampled_from(INTERESTING),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=10),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False).map(float),
    st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)),
    st.booleans(),
)

IMPORTERS = {i.kind: i for i in all_importers()}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Compound, object]:
    root = tmp_path_factory.mktemp("prop") / "demo"
    init_compound(root, "测试小区", dt.date(2020, 1, 1))
    append(root / "units.beancount", SMALL_UNITS)
    append(root / "registry.beancount", SMALL_REGISTRY)
    (root / "documents" / "P-001.pdf").write_bytes(b"%PDF-1.4\n")
    append(root / "contracts.beancount", contract_text())
    c = Compound(root)
    return c, c.load()


def check_row(kind: str, ledger: tuple[Compound, object], tmp: Path, row: list) -> tuple[object, Problems] | None:
    imp = IMPORTERS[kind]
    header = [c.label for c in (imp.layouts[0].columns if kind == "bank" else imp.columns)]  # type: ignore[attr-defined]
    row = row[: len(header)]
    if all(c is None or (isinstance(c, str) and not c.strip()) for c in row) or is_total_row(row):
        return None  # blank rows are skipped and a total row ends the data, by design
    xlsx = write_xlsx(tmp / f"{kind}.xlsx", [header, row])
    compound, loaded = ledger
    txn = Transaction(compound, loaded)  # type: ignore[arg-type]
    problems = Problems()
    with workbook(xlsx) as sheets:
        h = imp.header(sheets[0])
        assert h is not None
        plan = imp.read(sheets[0], h, Context.of(loaded.entries, dt.date(2024, 6, 1), txn), problems)  # type: ignore[attr-defined]
    if not problems.errors:
        problems.errors.extend(book_errors(xlsx, [plan], loaded.entries, [], loaded.options_map))  # type: ignore[attr-defined]
    handled = plan.writes or plan.already or plan.staged_by_gate
    assert handled or problems.errors, f"row {row!r} neither written nor reported"
    for e in problems.errors:
        assert e.row == 2 and str(e).startswith(f"{xlsx}:Sheet1:2:"), str(e)
    return plan, problems


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("kind", ["bank", "income-report", "register", "roster", "contracts"])
@SETTINGS
@given(row=st.lists(cells, min_size=25, max_size=25))
def test_arbitrary_cells_are_read_or_reported(kind: str, ledger, tmp_path: Path, row: list) -> None:
    check_row(kind, ledger, tmp_path, row)


# Rows that are mostly right, with one arbitrary cell: exercises the checks past the first error.
GOOD = {
    "bank": ["2024-03-01", "150.00", None, "11500.00", "转账", "物业服务公司", "SN1", ""],
    "income-report": ["2024-03", "P-001", "C-2024-009", "停车", "150", "45", "105", None],
    "register": ["P-900", "停车位", "1号楼北侧", None, None, None, "小区道路", None, None, None],
    "roster": ["9-9-901", "9", "88.5", "OWN-0900", "否", None],
}


@pytest.mark.parametrize("kind", list(GOOD))
@SETTINGS
@given(data=st.data())
def test_one_arbitrary_cell_in_a_good_row(kind: str, ledger, tmp_path: Path, data: st.DataObject) -> None:
    row = list(GOOD[kind])
    i = data.draw(st.integers(0, len(row) - 1))
    row[i] = data.draw(cells)
    check_row(kind, ledger, tmp_path, row)


def test_good_rows_are_written(ledger, tmp_path: Path) -> None:
    for kind in GOOD:
        result = check_row(kind, ledger, tmp_path, list(GOOD[kind]))
        assert result is not None
        plan, problems = result
        assert not problems.errors, [str(e) for e in problems.errors]
        assert plan.writes, kind  # type: ignore[attr-defined]


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_float_money_is_rounded_to_the_cent_with_a_warning_only_when_needed(x: float) -> None:
    notes: list[str] = []
    d = parse_money(x, notes)
    assert d == Decimal(repr(x)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert bool(notes) == (Decimal(repr(x)) != d)


@given(st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_in_every_accepted_form(d: dt.date) -> None:
    serial = (d - dt.date(1899, 12, 30)).days
    forms = [d, dt.datetime(d.year, d.month, d.day, 10, 5), d.isoformat(), f"{d.year}/{d.month}/{d.day}",
             f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}", serial, f"{d:%Y-%m-%d} 10:22:33",
             f"{d.year}-{d.month}-{d.day}".translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))]
    assert all(parse_date(f) == d for f in forms)


@pytest.mark.parametrize("text", ["2025-02-30", "25/3/1", "March 1", "2025-03-01x", "", "1.5"])
def test_bad_dates_are_problems(text: str) -> None:
    with pytest.raises(CellProblem):
        parse_date(text)


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_one_date_parser_for_the_cli_and_the_cells(d: dt.date) -> None:
    """Every written form the CLI accepts, a cell accepts too, as the same day; a year
    outside 1900-2100 (9999-12-31) neither accepts (issue 14)."""
    from assetreg.dates import parse_date as cli_date
    from assetreg.errors import BadInput

    for f in (d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}",
              f"{d.year}年{d.month}月{d.day}日", f"{d.year}年{d.month}月{d.day}", f"{d:%Y%m%d}",
              f" {d.year}-{d.month}-{d.day} "):
        if 1900 <= d.year <= 2100:
            assert cli_date(f) == parse_date(f) == d, f
        else:
            with pytest.raises(BadInput):
                cli_date(f)
            with pytest.raises(CellProblem):
                parse_date(f)


@pytest.mark.parametrize("text", ["2025-03-01 10:22:33", "2025/3/1 9:05", "２０２５－０３－０１", "2025-03-01\u30009:05"])
def test_cells_also_take_a_time_of_day_and_full_width_forms_the_cli_does_not(text: str) -> None:
    from assetreg.dates import parse_date as cli_date
    from assetreg.errors import BadInput

    assert parse_date(text) == dt.date(2025, 3, 1)
    with pytest.raises(BadInput, match="malformed date"):
        cli_date(text)


@pytest.mark.parametrize("text", ["2025-02-30", "2025/2/30", "2025年2月30日", "20250230", "2025-02-30 10:00"])
def test_no_such_day(text: str) -> None:
    from assetreg.dates import parse_date as cli_date
    from assetreg.errors import BadInput

    with pytest.raises(CellProblem, match="no such day"):
        parse_date(text)
    with pytest.raises(BadInput, match="malformed date"):
        cli_date(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("合计总小本期累tToOaAlLＴｔ \u3000\t x1-")), min_size=1, max_size=8)
       | st.text(min_size=1, max_size=8))
def test_total_rows_are_found_without_cleaning_every_row(text: str) -> None:
    if not text.strip():
        return
    assert is_total_row([None, text, 1]) == clean(text).replace(" ", "").lower().startswith(TOTAL_MARKERS)
