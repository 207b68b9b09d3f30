"""Every cell parser of `importers.cells`: each form → its exact value or its exact error.

Values are compared with their exponent (``str``), so ``Decimal("1234.5")`` does not pass
for ``Decimal("1234.50")``; errors are compared by message and expectation, not only by
"was reported".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetreg.errors import BadInput
from importers.cells import (
    DATE_EXPECTED,
    MONEY_LIMIT,
    PERIOD_EXPECTED,
    CellError,
    CellProblem,
    Column,
    Fingerprints,
    Header,
    Problems,
    Row,
    RowReader,
    clean,
    data_rows,
    find_header,
    header_key,
    header_score,
    is_blank,
    is_total_row,
    match_header,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_money,
    parse_period,
)

MONEY = "an amount such as 1,234.50"
TWO_PLACES = "an amount in yuan and fen, e.g. 1,234.50"
RANGE = "an amount below 10,000,000,000,000"

# ------------------------------------------------------------------ money


@pytest.mark.parametrize(("cell", "value"), [
    (1234, "1234.00"), (0, "0.00"), (-5, "-5.00"), (9_999_999_999_999, "9999999999999.00"),
    (-9_999_999_999_999, "-9999999999999.00"),
    (1234.5, "1234.50"), (0.01, "0.01"), (-0.01, "-0.01"), (150.0, "150.00"), (-5.5, "-5.50"),
    (Decimal("1.5"), "1.50"), (Decimal("-1234.56"), "-1234.56"), (Decimal("7"), "7.00"),
    ("1234.50", "1234.50"), ("1234", "1234.00"), ("-1234.5", "-1234.50"), ("0", "0.00"),
    ("999999999999.99", "999999999999.99"), ("9999999999999", "9999999999999.00"),
    ("1234.", "1234.00"), (".5", "0.50"), (" .5 ", "0.50"), ("+12", "12.00"), ("+1.2", "1.20"),
    ("1,234.00", "1234.00"), ("1,234,567.89", "1234567.89"), ("-1,234.5", "-1234.50"),
    ("(1,234.00)", "-1234.00"), ("(1234)", "-1234.00"), ("（1,234.00）", "-1234.00"),
    ("(0.01)", "-0.01"), ("( 5.5 )", "-5.50"),
    ("¥1,234.00", "1234.00"), ("￥1,234.00", "1234.00"), ("$12", "12.00"), ("1234元", "1234.00"),
    ("1234.5 元", "1234.50"), ("RMB 1,234.5", "1234.50"), ("cny1234", "1234.00"), ("CNY 7", "7.00"),
    ("１２３４．５６", "1234.56"), ("1 234.56", "1234.56"), ("1\u3000234", "1234.00"),
    ("\t88.00\n", "88.00"), ("1.20", "1.20"), ("-0.00", "-0.00"),  # == 0
])
def test_money_exact_values(cell: object, value: str) -> None:
    got = parse_money(cell)
    assert str(got) == value and got.as_tuple().exponent == -2


@pytest.mark.parametrize(("cell", "message", "expected"), [
    # three decimals are reported, never rounded: the third one is not noise in a ledger
    ("1.234", "amount '1.234' has more than two decimals", TWO_PLACES),
    ("1.230", "amount '1.230' has more than two decimals", TWO_PLACES),
    ("1,234.567", "amount '1,234.567' has more than two decimals", TWO_PLACES),
    ("(1,234.005)", "amount '(1,234.005)' has more than two decimals", TWO_PLACES),
    ("¥0.001", "amount '¥0.001' has more than two decimals", TWO_PLACES),
    ("-0.001", "amount '-0.001' has more than two decimals", TWO_PLACES),
    (Decimal("1.234"), "amount '1.234' has more than two decimals", TWO_PLACES),
    (Decimal("0.005"), "amount '0.005' has more than two decimals", TWO_PLACES),
    ("", "not an amount: ''", MONEY), ("abc", "not an amount: 'abc'", MONEY),
    ("1e3", "not an amount: '1e3'", MONEY), ("1_000", "not an amount: '1_000'", MONEY),
    ("12-", "not an amount: '12-'", MONEY), ("--12", "not an amount: '--12'", MONEY),
    ("(12", "not an amount: '(12'", MONEY), ("12)", "not an amount: '12)'", MONEY),
    ("-(12)", "not an amount: '-(12)'", MONEY), ("(-12)", "not an amount: '(-12)'", MONEY),
    ("(+12)", "not an amount: '(+12)'", MONEY), ("(-1,234.00)", "not an amount: '(-1,234.00)'", MONEY), ("1.2.3", "not an amount: '1.2.3'", MONEY),
    (".", "not an amount: '.'", MONEY), ("()", "not an amount: '()'", MONEY),
    ("NaN", "not an amount: 'NaN'", MONEY), ("Infinity", "not an amount: 'Infinity'", MONEY),
    ("元", "not an amount: '元'", MONEY), ("十二", "not an amount: '十二'", MONEY),
    (True, "not an amount: True", MONEY), (False, "not an amount: False", MONEY),
    (None, "not an amount: None", MONEY), (dt.date(2025, 1, 1), "not an amount: datetime.date(2025, 1, 1)", MONEY),
    ([1], "not an amount: [1]", MONEY),
    (float("nan"), "not a finite amount: nan", MONEY), (float("inf"), "not a finite amount: inf", MONEY),
    (float("-inf"), "not a finite amount: -inf", MONEY),
    (10**13, "amount 10000000000000 is out of range", RANGE),
    (-(10**13), "amount -10000000000000 is out of range", RANGE),
    (1e13, "amount 10000000000000.0 is out of range", RANGE),
    ("10000000000000", "amount '10000000000000' is out of range", RANGE),
    ("-10,000,000,000,000.00", "amount '-10,000,000,000,000.00' is out of range", RANGE),
    (Decimal("1E+2"), "not an amount: '1E+2'", MONEY),  # exponent notation is not written money
])
def test_money_exact_errors(cell: object, message: str, expected: str) -> None:
    with pytest.raises(CellProblem) as err:
        parse_money(cell)
    assert (err.value.message, err.value.expected) == (message, expected)
    assert str(err.value) == message


def test_money_limit_is_exclusive_just_below() -> None:
    assert Decimal(10) ** 13 == MONEY_LIMIT
    assert parse_money("9999999999999.99") == Decimal("9999999999999.99")
    assert parse_money(-9_999_999_999_999) == Decimal("-9999999999999")
    with pytest.raises(CellProblem):
        parse_money("10000000000000.00")


@pytest.mark.parametrize(("cell", "value", "warning"), [
    (1234.5, "1234.50", None), (0.1 + 0.2, "0.30", "amount 0.30000000000000004 rounded to 0.30"),
    (1.005, "1.01", "amount 1.005 rounded to 1.01"),  # half up, on the written digits
    (2.675, "2.68", "amount 2.675 rounded to 2.68"), (-1.005, "-1.01", "amount -1.005 rounded to -1.01"),
    (0.004, "0.00", "amount 0.004 rounded to 0.00"), (1.999, "2.00", "amount 1.999 rounded to 2.00"),
])
def test_float_cells_round_half_up_and_say_so(cell: float, value: str, warning: str | None) -> None:
    notes: list[str] = []
    assert str(parse_money(cell, notes)) == value
    assert notes == ([warning] if warning else [])
    assert str(parse_money(cell)) == value  # no list: rounded all the same, nothing to say it to


def test_text_and_integer_cells_never_warn() -> None:
    notes: list[str] = []
    for cell in ("1,234.50", 7, Decimal("3.10"), "(5)"):
        parse_money(cell, notes)
    assert notes == []


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_any_cent_amount_reads_back_exactly_in_every_text_form(cents: int) -> None:
    value = Decimal(cents).scaleb(-2)
    plain = f"{value:f}"
    commas = f"{abs(value):,.2f}"
    assert parse_money(plain) == value
    assert parse_money(f"¥{commas}" if value >= 0 else f"-{commas}") == value
    assert parse_money(f"({commas})") == -abs(value)
    assert parse_money(value) == value


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=1, max_value=9))
def test_any_third_decimal_is_reported(whole: int, third: int) -> None:
    text = f"{whole}.00{third}"
    with pytest.raises(CellProblem, match="more than two decimals"):
        parse_money(text)
    with pytest.raises(CellProblem, match="more than two decimals"):
        parse_money(f"({whole:,}.00{third})")


# ------------------------------------------------------------------ decimals (area, share)


@pytest.mark.parametrize(("cell", "value"), [
    (90, "90"), (90.5, "90.5"), (0.1 + 0.2, "0.30000000000000004"), ("90.25", "90.25"),
    ("1,090.25", "1090.25"), ("90.25㎡", "90.25"), ("90.25 m2", "90.25"), ("90.25M2", "90.25"),
    ("90平方米", "90"), ("90平米", "90"), ("９０．５", "90.5"), (Decimal("90.123"), "90.123"),
    ("-1", "-1"), ("+.5", "0.5"), ("7.", "7"),
])
def test_decimal_exact_values(cell: object, value: str) -> None:
    assert parse_decimal(cell, "an area", "90.25") == Decimal(value)
    assert str(parse_decimal(cell, "an area", "90.25")) == str(Decimal(value))


@pytest.mark.parametrize(("cell", "message"), [
    (None, "not a number: None"), (True, "not a number: True"), ("", "not a number: ''"),
    ("abc", "not a number: 'abc'"), ("1e3", "not a number: '1e3'"), ("㎡", "not a number: '㎡'"),
    (float("nan"), "not a finite number: nan"), (float("-inf"), "not a finite number: -inf"),
    (dt.date(2025, 1, 1), "not a number: datetime.date(2025, 1, 1)"), ("1.2.3", "not a number: '1.2.3'"),
])
def test_decimal_exact_errors(cell: object, message: str) -> None:
    with pytest.raises(CellProblem) as err:
        parse_decimal(cell, "an area", "90.25")
    assert (err.value.message, err.value.expected) == (message, "an area, e.g. 90.25")


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(("cell", "value"), [
    (dt.datetime(2025, 3, 1, 23, 59), dt.date(2025, 3, 1)), (dt.date(2025, 3, 1), dt.date(2025, 3, 1)),
    ("2025-03-01", dt.date(2025, 3, 1)), ("2025-3-1", dt.date(2025, 3, 1)), ("2025/3/1", dt.date(2025, 3, 1)),
    ("2025/03/01", dt.date(2025, 3, 1)), ("2025.3.1", dt.date(2025, 3, 1)), ("2025年3月1日", dt.date(2025, 3, 1)),
    ("2025年03月01", dt.date(2025, 3, 1)), ("20250301", dt.date(2025, 3, 1)), ("２０２５－０３－０１", dt.date(2025, 3, 1)),
    (" 2025-03-01 ", dt.date(2025, 3, 1)), ("2025-03-01 09:30", dt.date(2025, 3, 1)),
    ("2025-03-01 09:30:15", dt.date(2025, 3, 1)), ("2025/3/1 9:30:15.250", dt.date(2025, 3, 1)),
    ("2025-03-0109:30", dt.date(2025, 3, 1)), ("2024-02-29", dt.date(2024, 2, 29)),
    (20250301, dt.date(2025, 3, 1)), (20250301.0, dt.date(2025, 3, 1)),
    (19000101, dt.date(1900, 1, 1)), (21001231, dt.date(2100, 12, 31)),
    (25569, dt.date(1970, 1, 1)), (73050, dt.date(2099, 12, 31)), (73051, dt.date(2100, 1, 1)), (45717, dt.date(2025, 3, 1)),
    (45717.0, dt.date(2025, 3, 1)),
])
def test_date_exact_values(cell: object, value: dt.date) -> None:
    got = parse_date(cell)
    assert got == value and type(got) is dt.date


@pytest.mark.parametrize(("cell", "message"), [
    ("2025-02-30", "no such day: '2025-02-30'"), ("2025-02-29", "no such day: '2025-02-29'"),
    ("2025-13-01", "no such day: '2025-13-01'"), ("2025年2月30日", "no such day: '2025年2月30日'"),
    ("2025-00-10", "no such day: '2025-00-10'"), ("20250230", "no such day: '20250230'"),
    (20250230, "no such day: 20250230"), (19001301, "no such day: 19001301"),
    ("2025-03-01x", "not a date: '2025-03-01x'"), ("25-03-01", "not a date: '25-03-01'"),
    ("3/1/2025", "not a date: '3/1/2025'"), ("2025-03", "not a date: '2025-03'"), ("", "not a date: ''"),
    ("2025-03-01 9", "not a date: '2025-03-01 9'"), ("2025-03-01 09:30 PM", "not a date: '2025-03-01 09:30 PM'"),
    (45717.5, "not a date: 45717.5"), (25568, "not a date: 25568"), (73052, "not a date: 73052"),
    (18991231, "not a date: 18991231"), (21010101, "not a date: 21010101"), (0, "not a date: 0"),
    (-1, "not a date: -1"), (True, "not a date: True"), (None, "not a date: None"),
    (dt.time(9, 30), "not a date: datetime.time(9, 30)"),
])
def test_date_exact_errors(cell: object, message: str) -> None:
    with pytest.raises(CellProblem) as err:
        parse_date(cell)
    assert (err.value.message, err.value.expected) == (message, DATE_EXPECTED)


# ------------------------------------------------------------------ billing months


@pytest.mark.parametrize(("cell", "value"), [
    ("2025-01", "2025-01"), ("2025-1", "2025-01"), ("2025/1", "2025-01"), ("2025.12", "2025-12"),
    ("2025年1月", "2025-01"), ("2025年1月份", "2025-01"), ("2025年12", "2025-12"), ("202501", "2025-01"),
    ("２０２５年１月", "2025-01"), (" 2025 - 01 ", "2025-01"), (202501, "2025-01"), (202501.0, "2025-01"),
    (190001, "1900-01"), (210012, "2100-12"), (dt.date(2025, 3, 31), "2025-03"),
    (dt.datetime(2025, 3, 31, 8), "2025-03"), ("2025-03-31", "2025-03"), ("2025年3月31日", "2025-03"),
    ("1900-01", "1900-01"), ("2100-12", "2100-12"),
])
def test_period_exact_values(cell: object, value: str) -> None:
    assert parse_period(cell) == value


@pytest.mark.parametrize(("cell", "message"), [
    ("2025-13", "no such month: '2025-13'"), ("2025-00", "no such month: '2025-00'"),
    ("1899-12", "no such month: '1899-12'"), ("2101-01", "no such month: '2101-01'"),
    ("202513", "no such month: '202513'"), ("2025年13月", "no such month: '2025年13月'"),
    ("2025", "not a month: '2025'"), ("一月", "not a month: '一月'"), ("", "not a month: ''"),
    ("2025-02-30", "not a month: '2025-02-30'"), (202513, "no such month: '202513'"),
    (190000, "not a month: 190000"), (210101, "not a month: 210101"), (202501.5, "not a month: 202501.5"),
    (True, "not a month: True"), (None, "not a month: None"),
])
def test_period_exact_errors(cell: object, message: str) -> None:
    with pytest.raises(CellProblem) as err:
        parse_period(cell)
    assert (err.value.message, err.value.expected) == (message, PERIOD_EXPECTED)


# ------------------------------------------------------------------ yes / no


@pytest.mark.parametrize("cell", [True, "是", "Y", "yes", "TRUE", "1", 1, 1.0, "√", "✓", "t", "未售", "开发商未售", " 是 "])
def test_bool_yes(cell: object) -> None:
    assert parse_bool(cell) is True


@pytest.mark.parametrize("cell", [False, "否", "n", "No", "false", "0", 0, "×", "x", "F", "已售", "", None, "  "])
def test_bool_no(cell: object) -> None:
    assert parse_bool(cell) is False


@pytest.mark.parametrize("cell", ["maybe", "2", 2, "是的", "?"])
def test_bool_exact_error(cell: object) -> None:
    with pytest.raises(CellProblem) as err:
        parse_bool(cell)
    assert (err.value.message, err.value.expected) == (f"not yes or no: {cell!r}", "是 or 否")


# ------------------------------------------------------------------ text and headers


@pytest.mark.parametrize(("cell", "text"), [
    (None, ""), (12.0, "12"), (12.5, "12.5"), (7, "7"), ("  a \t b\n", "a b"), ("ＡＢＣ１２３", "ABC123"),
    ("张\u3000三", "张 三"), ("（注）", "(注)"), ("㎡①。", "㎡①。"), (True, "True"),
])
def test_clean_exact(cell: object, text: str) -> None:
    assert clean(cell) == text


@pytest.mark.parametrize(("cell", "key"), [
    ("收入金额(元)", "收入金额"), ("收入金额（元）", "收入金额"), ("金额（人民币）", "金额"), ("Amount (CNY)", "amount"),
    ("面积(㎡)", "面积"), ("面积(m2)", "面积"), ("面积(平方米)", "面积"), ("金额(万元)", "金额"),
    ("房号:", "房号"), ("房号*", "房号"), ("房 号：", "房号"), ("金额(元)(元)", "金额(元)"), ("(元)金额", "(元)金额"),
])
def test_header_key_exact(cell: str, key: str) -> None:
    assert header_key(cell) == key


@pytest.mark.parametrize(("cell", "blank"), [(None, True), ("", True), ("  \u3000", True), ("x", False), (0, False)])
def test_is_blank(cell: object, blank: bool) -> None:
    assert is_blank(cell) is blank


COLUMNS = (Column("day", "日期", ("交易日期",)), Column("amount", "金额", ("交易金额", "amount")),
           Column("note", "备注", required=False))


def test_header_found_below_a_title_and_first_alias_wins() -> None:
    rows = [["某某银行对账单"], [], ["交易日期", "交易金额", "金额", "备注"], ["2025-01-01", "1", "2", "x"]]
    h = find_header(rows, COLUMNS)
    assert h == Header(3, {"day": 0, "amount": 1, "note": 3}, {"day": "交易日期", "amount": "交易金额", "note": "备注"})
    assert header_score(rows, COLUMNS) == 3
    assert match_header(["金额", "金额"], COLUMNS) == {"amount": 0}
    assert match_header([1, None, "日期"], COLUMNS) == {"day": 2}


def test_header_needs_every_required_column_and_looks_30_rows_down() -> None:
    assert find_header([["日期", "备注"]], COLUMNS) is None
    assert header_score([["日期", "备注"]], COLUMNS) == 0
    at_30 = [[] for _ in range(29)] + [["日期", "金额"]]
    at_31 = [[] for _ in range(30)] + [["日期", "金额"]]
    found = find_header(at_30, COLUMNS)
    assert found is not None and found.row == 30
    assert find_header(at_31, COLUMNS) is None


@pytest.mark.parametrize(("cells", "total"), [
    (["合计", 1], True), ([None, " 总计 ", 2], True), (["本期合计"], True), (["Total:"], True), (["TOTAL"], True),
    (["小计（元）"], True), (["累计"], True), (["本页合计"], True), (["合 计"], True),
    (["2025-01-01", "合计"], False), ([dt.date(2025, 1, 1), "合计"], False), ([1, "合计"], False),
    (["说明：合计见下"], False), ([None, None], False), ([], False),
])
def test_total_row(cells: list[object], total: bool) -> None:
    assert is_total_row(cells) is total


def test_data_rows_skip_blanks_and_stop_at_the_total() -> None:
    header = Header(2, {"day": 0}, {"day": "日期"})
    rows = [["title"], ["日期"], ["a"], [None, "  "], [], ["b"], ["合计", 2], ["after"]]
    assert list(data_rows(rows, header)) == [Row(3, ("a",)), Row(6, ("b",))]


def _reader(cells: tuple[object, ...]) -> RowReader:
    header = Header(1, {"amount": 0, "name": 1, "day": 2}, {"amount": "金额", "name": "户名", "day": "日期"})
    r = RowReader("f.xlsx", "明细", header, Problems())
    r.start(Row(7, cells))
    return r


@pytest.mark.parametrize(("cell", "value"), [("1,234.50", Decimal("1234.50")), (12.0, Decimal("12.00"))])
def test_row_reader_money(cell: object, value: Decimal) -> None:
    r = _reader((cell,))
    assert r.money("amount") == value
    assert not r.failed and r.problems.errors == [] and r.problems.warnings == []


@pytest.mark.parametrize("cell", ["-", "--", "—", "——", "－", "/", None, "", " - "])
def test_row_reader_no_amount_marks(cell: object) -> None:
    r = _reader((cell,))
    assert r.money("amount", required=False) is None and not r.failed
    assert r.money("amount") is None and r.failed
    assert [str(e) for e in r.problems.errors] == ["f.xlsx:明细:7:A(金额): empty (expected an amount such as 1,234.50)"]


def test_row_reader_reports_three_decimals_and_float_rounding_where_they_are() -> None:
    r = _reader(("1.234",))
    assert r.money("amount") is None and r.failed
    assert [str(e) for e in r.problems.errors] == [
        "f.xlsx:明细:7:A(金额): amount '1.234' has more than two decimals (expected an amount in yuan and fen, e.g. 1,234.50)"]
    r = _reader((0.1 + 0.2,))
    assert r.money("amount") == Decimal("0.30") and not r.failed
    assert [str(w) for w in r.problems.warnings] == [
        "f.xlsx:明细:7:A(金额): amount 0.30000000000000004 rounded to 0.30 (expected a whole number of cents)"]


def test_row_reader_text_and_get() -> None:
    r = _reader((None, "  张\u3000三 ", "2025-02-30"))
    assert r.text("name") == "张 三"
    assert r.text("amount", required=False) is None and not r.failed
    assert r.get("day", parse_date, expected="a date") is None and r.failed
    assert str(r.problems.errors[-1]) == f"f.xlsx:明细:7:C(日期): no such day: '2025-02-30' (expected {DATE_EXPECTED})"
    r = _reader((dt.date(2025, 1, 1), 12.0, None))
    assert r.text("name") == "12"
    assert r.text("amount") is None and "not text" in r.problems.errors[0].message
    assert r.raw("missing") is None and r.where("missing") == "missing"

    def core(_: object) -> object:
        raise BadInput("bad unit", "fix it")

    r = _reader(("x",))
    assert r.get("amount", core) is None
    assert (r.problems.errors[0].message, r.problems.errors[0].expected) == ("bad unit", "fix it")
    r = _reader(("x",))
    assert r.get("amount", int, expected="an integer") is None
    assert r.problems.errors[0].expected == "an integer"
    assert r.get("day", int, required=False) is None and len(r.problems.errors) == 1


def test_cell_error_text() -> None:
    assert str(CellError("a.xlsx", "S", 3, "B(金额)", "bad", "good")) == "a.xlsx:S:3:B(金额): bad (expected good)"


# ------------------------------------------------------------------ fingerprints


def test_fingerprint_counts_identical_rows_and_reads_every_part() -> None:
    fp = Fingerprints("bank")
    day = dt.date(2025, 3, 1)
    a = fp(day, Decimal("150.00"), "SN1")
    b = fp(day, Decimal("150.00"), "SN1")  # the same row again: occurrence 1
    assert a != b and a.startswith("bank-") and len(a) == 25
    again = Fingerprints("bank")
    assert again(day, Decimal("150.0"), "SN1") == a  # 150.0 and 150.00 are the same amount
    # every part, and the kind, change the id
    fresh = [Fingerprints("bank")(day, Decimal("150.01"), "SN1"), Fingerprints("bank")(day, Decimal("150.00"), "SN2"),
             Fingerprints("bank")(dt.date(2025, 3, 2), Decimal("150.00"), "SN1"),
             Fingerprints("income")(day, Decimal("150.00"), "SN1"), Fingerprints("bank")(day, Decimal("150.00"), "SN1", None)]
    assert len({a, b, *fresh}) == 7
    # parts are separated: ("ab", "c") is not ("a", "bc"); None is "" and not "None"
    f = Fingerprints("k")
    assert f("ab", "c") != Fingerprints("k")("a", "bc")
    assert Fingerprints("k")(None) == Fingerprints("k")("")
    assert Fingerprints("k")(None) != Fingerprints("k")("None")
    assert Fingerprints("k")(7) == Fingerprints("k")("7")


# ------------------------------------------------------------------ killing mutants (scripts/mutation.sh cells)


def test_fingerprints_are_stable_across_versions() -> None:
    # import_id values are stored in every compound's ledger: if these change, the next
    # import of an old statement books every line a second time
    f = Fingerprints("bank")
    row = (dt.date(2025, 3, 1), Decimal("150.00"), "SN1", None)
    assert [f(*row), f(*row), f(*row)] == [
        "bank-a8daa9ca94a074cfe61f", "bank-ae65bdd61747e9d61053", "bank-eacfe782c3d2292ef1ec"]


@pytest.mark.parametrize(("cell", "message"), [
    (21001232, "not a date: 21001232"), (18991232, "not a date: 18991232"),
    ("2025-W10-1", "not a date: '2025-W10-1'"),  # date.fromisoformat reads ISO weeks; a sheet does not
    ("2025-060", "not a date: '2025-060'"),
])
def test_date_range_edges_and_iso_forms_nobody_writes(cell: object, message: str) -> None:
    with pytest.raises(CellProblem) as err:
        parse_date(cell)
    assert err.value.message == message


@pytest.mark.parametrize(("cell", "message"), [
    (210013, "not a month: 210013"), (189912, "not a month: 189912"), (210101.0, "not a month: 210101.0")])
def test_period_number_range_edges(cell: object, message: str) -> None:
    with pytest.raises(CellProblem) as err:
        parse_period(cell)
    assert err.value.message == message


def test_a_number_or_date_cell_never_names_a_column() -> None:
    cols = (Column("year", "年度", ("2025",)), Column("day", "日期", ("2025-01-01 00:00:00",)))
    assert match_header([2025, dt.datetime(2025, 1, 1)], cols) == {}
    assert match_header(["2025", "2025-01-01 00:00:00"], cols) == {"year": 0, "day": 1}


def test_row_reader_empty_and_short_rows_exactly() -> None:
    r = _reader(("", "   "))  # the row ends before the date column (index 2)
    assert r.failed is False
    assert r.raw("day") is None
    assert r.get("day", parse_date) is None
    assert r.text("name") is None
    assert r.get("amount", parse_date, expected="a date") is None
    assert [str(e) for e in r.problems.errors] == [
        "f.xlsx:明细:7:C(日期): empty (expected a value)",
        "f.xlsx:明细:7:B(户名): empty (expected text)",
        "f.xlsx:明细:7:A(金额): empty (expected a date)",
    ]
    r.start(Row(8, ("1",)))
    assert r.failed is False


def test_row_reader_parse_failures_name_the_column() -> None:
    def core(_: object) -> object:
        raise BadInput("bad unit", "")

    def broken(_: object) -> object:
        raise ValueError("no good")

    r = _reader(("x", dt.date(2025, 1, 1), "y"))
    assert r.get("amount", core, expected="a unit") is None
    assert r.get("day", broken) is None
    assert r.text("name", expected="a name") is None
    assert [str(e) for e in r.problems.errors] == [
        "f.xlsx:明细:7:A(金额): bad unit (expected a unit)",
        "f.xlsx:明细:7:C(日期): no good (expected a value)",
        "f.xlsx:明细:7:B(户名): not text: datetime.date(2025, 1, 1) (expected a name)",
    ]
