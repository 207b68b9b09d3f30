"""The bottom layer's rules: periods (parsing, keys, labels, ends) and splitting money to
the cent (even split, largest remainder). Every figure in assetreg goes through these."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetreg import periods
from assetreg.errors import BadInput
from assetreg.shares import even_split, largest_remainder, proportional


@pytest.mark.parametrize(("text", "key", "start", "end"), [
    ("2025", "2025", "2025-01-01", "2025-12-31"),
    ("2025H1", "2025H1", "2025-01-01", "2025-06-30"),
    ("2024h2", "2024H2", "2024-07-01", "2024-12-31"),
    ("2025Q3", "2025Q3", "2025-07-01", "2025-09-30"),
    ("2024-02", "2024-02", "2024-02-01", "2024-02-29"),
    ("2025-7", "2025-07", "2025-07-01", "2025-07-31"),
])
def test_parse_period(text: str, key: str, start: str, end: str) -> None:
    p = periods.parse(text)
    assert (p.key, p.start.isoformat(), p.end.isoformat()) == (key, start, end)


@pytest.mark.parametrize("text", ["2025H3", "2025Q5", "2025-13", "25H1", "H1", ""])
def test_bad_period_names_the_fix(text: str) -> None:
    with pytest.raises(BadInput) as err:
        periods.parse(text)
    assert "2025H1" in str(err.value.fix)


def test_periods_between() -> None:
    got = periods.between(dt.date(2024, 2, 10), dt.date(2024, 12, 31), "half-year")
    assert [p.key for p in got] == ["2024H1", "2024H2"]
    got = periods.between(dt.date(2024, 2, 10), dt.date(2024, 9, 29), "quarter")
    assert [p.key for p in got] == ["2024Q1", "2024Q2"]


def test_unknown_frequency_is_bad_input() -> None:
    with pytest.raises(BadInput):
        periods.of(dt.date(2025, 1, 1), "fortnight")


def test_period_keys_and_labels() -> None:
    day = dt.date(2025, 8, 14)
    assert [periods.key_of(day, f) for f in ("month", "quarter", "half-year", "year")] == [
        "2025-08", "2025Q3", "2025H2", "2025"]
    assert [periods.label(k) for k in ("2025-08", "2025Q3", "2025H2", "2025H1", "2025")] == [
        "2025年8月", "2025年第3季度", "2025年下半年", "2025年上半年", "2025年"]
    assert periods.end_of("2024H1") == dt.date(2024, 6, 30)
    assert periods.end_of("2024Q4") == dt.date(2024, 12, 31)
    assert periods.end_of("2024-02") == dt.date(2024, 2, 29)


def test_add_months_keeps_the_day_or_the_month_end() -> None:
    assert periods.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert periods.add_months(dt.date(2024, 11, 15), 3) == dt.date(2025, 2, 15)


# ------------------------------------------------------------------ even split

def test_even_split_gives_the_odd_cents_to_the_first_parts() -> None:
    assert even_split(Decimal("100.01"), 3) == [Decimal("33.34"), Decimal("33.34"), Decimal("33.33")]
    assert even_split(Decimal("100.00"), 3) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert even_split(Decimal("-0.02"), 3) == [Decimal("-0.01"), Decimal("-0.01"), Decimal("0.00")]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=1, max_value=40))
def test_even_split_adds_up_and_parts_differ_by_at_most_a_cent(cents: int, n: int) -> None:
    amount = Decimal(cents).scaleb(-2)
    parts = even_split(amount, n)
    assert sum(parts, Decimal(0)) == amount
    assert max(parts) - min(parts) <= Decimal("0.01")
    assert parts == sorted(parts, reverse=cents >= 0)


# ------------------------------------------------------------------ largest remainder

def test_awkward_three_way_split() -> None:
    shares = largest_remainder(Decimal("100.00"), {"A": Fraction(1), "B": Fraction(1), "C": Fraction(1)})
    assert shares == {"A": Decimal("33.34"), "B": Decimal("33.33"), "C": Decimal("33.33")}
    shares = largest_remainder(Decimal("-0.02"), {"A": Fraction(1), "B": Fraction(1), "C": Fraction(1)})
    assert shares == {"A": Decimal("-0.01"), "B": Decimal("-0.01"), "C": Decimal("0.00")}


def test_largest_remainder_refuses_fractions_of_a_cent() -> None:
    with pytest.raises(ValueError):
        largest_remainder(Decimal("1.005"), {"A": Fraction(1)})


areas = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("999.9999"), places=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(areas, min_size=1, max_size=60),
       st.integers(min_value=-10_000_000, max_value=100_000_000))
def test_shares_sum_exactly_and_stay_within_a_cent(area_list: list[Decimal], cents: int) -> None:
    net = Decimal(cents) / 100
    weights = {f"U{i:03d}": Fraction(a) for i, a in enumerate(area_list)}
    shares = largest_remainder(net, weights)
    assert sum(shares.values()) == net
    total = sum(weights.values())
    for k, w in weights.items():
        exact = Fraction(net) * w / total
        assert abs(Fraction(shares[k]) - exact) < Fraction(1, 100)
        assert shares[k] == shares[k].quantize(Decimal("0.01"))


@settings(max_examples=60, deadline=None)
@given(cents=st.integers(min_value=-10**9, max_value=10**9),
       areas=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=30)
       | st.lists(st.sampled_from([1, 3, 7, 9000, 9001]), min_size=2, max_size=12))  # many ties
def test_largest_remainder_matches_exact_fractions(cents: int, areas: list[int]) -> None:
    """The integer method gives the cents of the exact-fraction method, ties by key."""
    total = Decimal(cents) / 100
    weights = {f"U{i:03d}": Fraction(a, 100) for i, a in enumerate(areas)}
    parts = largest_remainder(total, weights)
    assert sum(parts.values(), Decimal(0)) == total
    n, sign = abs(cents), (-1 if cents < 0 else 1)
    whole = sum(weights.values())
    exact = {k: Fraction(n) * w / whole for k, w in weights.items()}
    floors = {k: e.numerator // e.denominator for k, e in exact.items()}
    order = sorted(exact, key=lambda k: (-(exact[k] - floors[k]), k))
    for k in order[: n - sum(floors.values())]:
        floors[k] += 1
    assert parts == {k: Decimal(sign * v) / 100 for k, v in floors.items()}


def test_proportional_split_of_a_cost() -> None:
    got = proportional(Decimal("10.00"), {"a": Decimal("1"), "b": Decimal("2")})
    assert got == {"a": Decimal("3.33"), "b": Decimal("6.67")}
    assert proportional(Decimal("5.00"), {"only": Decimal("7")}) == {"only": Decimal("5.00")}
    assert proportional(Decimal("5.00"), {}) == {}
