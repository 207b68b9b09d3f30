"""The core's parsers (periods, written dates, areas, unit numbers, owner keys):
each form → its exact value or its exact error; the edges of every period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assetreg import periods
from assetreg.dates import date_fields, parse_date
from assetreg.errors import BadInput
from assetreg.units import parse_area, validate_owner_key, validate_unit_number

D = dt.date.fromisoformat
PERIOD_FIX = "write a year (2025), a half (2025H1), a quarter (2025Q3) or a month (2025-07)"


@pytest.mark.parametrize(("text", "key", "start", "end"), [
    ("2025", "2025", "2025-01-01", "2025-12-31"), ("2025H1", "2025H1", "2025-01-01", "2025-06-30"),
    ("2025h2", "2025H2", "2025-07-01", "2025-12-31"), ("2025 H2", "2025H2", "2025-07-01", "2025-12-31"),
    ("2025Q1", "2025Q1", "2025-01-01", "2025-03-31"), ("2025q2", "2025Q2", "2025-04-01", "2025-06-30"),
    ("2025Q3", "2025Q3", "2025-07-01", "2025-09-30"), ("2025Q4", "2025Q4", "2025-10-01", "2025-12-31"),
    ("2024-02", "2024-02", "2024-02-01", "2024-02-29"), ("2025-2", "2025-02", "2025-02-01", "2025-02-28"),
    ("2025-12", "2025-12", "2025-12-01", "2025-12-31"), (" 2025-01 ", "2025-01", "2025-01-01", "2025-01-31"),
    # as residents write them (issue 10), the forms periods.label prints
    ("2025年", "2025", "2025-01-01", "2025-12-31"), ("2026年上半年", "2026H1", "2026-01-01", "2026-06-30"),
    ("2026年下半年", "2026H2", "2026-07-01", "2026-12-31"), ("2025年第3季度", "2025Q3", "2025-07-01", "2025-09-30"),
    ("2025年第四季度", "2025Q4", "2025-10-01", "2025-12-31"), ("2024年2月", "2024-02", "2024-02-01", "2024-02-29"),
])
def test_period_exact(text: str, key: str, start: str, end: str) -> None:
    p = periods.parse(text)
    assert (p.key, p.start, p.end) == (key, D(start), D(end))
    assert p.contains(D(start)) and p.contains(D(end))
    assert not p.contains(D(start) - dt.timedelta(days=1)) and not p.contains(D(end) + dt.timedelta(days=1))


@pytest.mark.parametrize("text", ["2025H0", "2025H3", "2025Q0", "2025Q5", "2025-00", "2025-13", "25", "2025-1-1",
                                  "2025年中", "2025年第5季度", "2025年13月", "2025年上", "", "H1", "2025M1", "20251"])
def test_period_exact_error(text: str) -> None:
    with pytest.raises(BadInput) as err:
        periods.parse(text)
    assert (err.value.problem, err.value.fix) == (f"malformed period {text!r}", PERIOD_FIX)


@pytest.mark.parametrize(("day", "frequency", "key"), [
    ("2025-06-30", "half-year", "2025H1"), ("2025-07-01", "half-year", "2025H2"),
    ("2025-03-31", "quarter", "2025Q1"), ("2025-04-01", "quarter", "2025Q2"), ("2025-12-31", "quarter", "2025Q4"),
    ("2025-01-31", "month", "2025-01"), ("2025-02-01", "month", "2025-02"), ("2025-12-31", "year", "2025"),
])
def test_period_of_a_day_at_the_edges(day: str, frequency: str, key: str) -> None:
    assert periods.key_of(D(day), frequency) == key


def test_between_includes_a_period_ending_on_the_last_day_only() -> None:
    assert [p.key for p in periods.between(D("2025-02-10"), D("2025-06-29"), "quarter")] == ["2025Q1"]
    assert [p.key for p in periods.between(D("2025-02-10"), D("2025-06-30"), "quarter")] == ["2025Q1", "2025Q2"]
    assert periods.between(D("2025-02-10"), D("2025-03-30"), "quarter") == []
    with pytest.raises(BadInput) as err:
        periods.of(D("2025-01-01"), "week")
    assert err.value.problem == "unknown disclosure frequency 'week'"


@pytest.mark.parametrize(("key", "label"), [
    ("2024-05", "2024年5月"), ("2024Q2", "2024年第2季度"), ("2024H1", "2024年上半年"), ("2024H2", "2024年下半年"),
    ("2024", "2024年"), ("bad", "bad")])
def test_period_labels(key: str, label: str) -> None:
    assert periods.label(key) == label


@pytest.mark.parametrize(("text", "day"), [
    ("2025-03-01", "2025-03-01"), ("2025/3/1", "2025-03-01"), ("2025.3.1", "2025-03-01"),
    ("2025年3月1日", "2025-03-01"), ("2025年3月1", "2025-03-01"), ("20250301", "2025-03-01"), (" 2025-3-1 ", "2025-03-01"),
    ("2024-02-29", "2024-02-29"),
])
def test_written_date_exact(text: str, day: str) -> None:
    assert parse_date(text) == D(day)


@pytest.mark.parametrize("text", ["2025-02-29", "2025-13-01", "2025-03-01 10:00", "2025-03", "3/1/2025", "", "2025-3-1x"])
def test_written_date_exact_error(text: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_date(text, "start date")
    assert (err.value.problem, err.value.fix) == (f"malformed start date: {text!r}",
                                                  "write the date as YYYY-MM-DD, e.g. 2025-03-01")


def test_date_fields_time_of_day_only_when_asked() -> None:
    assert date_fields("2025-03-01 10:22:33") is None
    assert date_fields("2025-03-01 10:22:33", time_of_day=True) == (2025, 3, 1)
    assert date_fields("2025-03-01 10:22:33.5", time_of_day=True) == (2025, 3, 1)
    assert date_fields("2025-03-01 10", time_of_day=True) is None
    assert date_fields("2025-02-31") == (2025, 2, 31)  # fields, not a calendar check


@pytest.mark.parametrize(("text", "area"), [("89.46", "89.46"), (" 90 ", "90"), ("0.0001", "0.0001"),
                                            (Decimal("120.5"), "120.5"), ("1E+2", "1E+2")])
def test_area_exact(text: str | Decimal, area: str) -> None:
    assert str(parse_area(text)) == area


@pytest.mark.parametrize(("text", "problem"), [
    ("0", "area must be positive, got 0"), ("-1", "area must be positive, got -1"),
    ("0.00001", "area 0.00001 has more than 4 decimals"), ("abc", "malformed area 'abc'"),
    ("NaN", "area must be positive, got NaN"), ("Infinity", "area must be positive, got Infinity"), ("", "malformed area ''"),
])
def test_area_exact_error(text: str, problem: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_area(text)
    assert err.value.problem == problem


@pytest.mark.parametrize("key", ["13912345678", "OWN-19912345678", "x17712345678"])
def test_owner_key_refuses_phone_numbers(key: str) -> None:
    with pytest.raises(BadInput) as err:
        validate_owner_key(key)
    assert err.value.problem == f"owner key {key!r} looks like a phone number"


@pytest.mark.parametrize(("key", "ok"), [("OWN-0417", True), (" OWN-1 ", True), ("张三", False), ("1OWN", False),
                                         ("OWN 1", False), ("OWN-12012345678", True)])
def test_owner_key_form(key: str, ok: bool) -> None:
    if ok:
        assert validate_owner_key(key) == key.strip()
    else:
        with pytest.raises(BadInput, match="malformed owner key"):
            validate_owner_key(key)


@pytest.mark.parametrize(("number", "normal"), [("3-1-502", "3-1-502"), (" a-101 ", "A-101"), ("B12", "B12")])
def test_unit_number_form(number: str, normal: str) -> None:
    assert validate_unit_number(number) == normal


@pytest.mark.parametrize("number", ["3 1 502", "3_1", "", "房-101"])
def test_unit_number_refused(number: str) -> None:
    with pytest.raises(BadInput) as err:
        validate_unit_number(number)
    assert err.value.problem == f"malformed unit number {number!r}"
