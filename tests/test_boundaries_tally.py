"""Art. 278 tally on both sides of every boundary, on rosters built by hand.

Each case moves one head or one square metre across a threshold and checks the verdict
flips exactly there: participation 2/3 (inclusive), approval 3/4 for items 6-8
(inclusive), more than 1/2 otherwise (strict), and 从众 only for an opinion holding more
than half of BOTH the participating area and the participating heads.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from assetreg.errors import BadInput
from assetreg.tally import (
    LEGAL_SOURCE,
    MATTERS,
    Ballot,
    Check,
    Tally,
    approval_threshold,
    check_matter,
    parse_vote,
    tally,
)
from assetreg.units import DEVELOPER_KEY, Roster, Unit

DAY = dt.date(2020, 1, 1)


def roster(*units: tuple[str, str, str] | tuple[str, str, str, bool]) -> Roster:
    """(number, owner, area[, unsold])."""
    out = {}
    for u in units:
        number, owner, area = u[0], u[1], u[2]
        unsold = bool(u[3]) if len(u) > 3 else False
        out[number] = Unit(number, number.split("-")[0], Decimal(area), owner, unsold, DAY)
    return Roster(out)


def votes(**by_unit: str) -> list[Ballot]:
    return [Ballot(u.replace("_", "-"), v) for u, v in by_unit.items()]  # type: ignore[arg-type]


def checks(t: Tally) -> dict[str, bool]:
    return {c.name: c.met for c in t.checks}


# ------------------------------------------------------------------ 从众 (follow-majority)

# A owns three flats (300 m²), B and C one small flat each (50 m²), D is silent (100 m²).
FOLLOW = roster(("1-1", "A", "100"), ("1-2", "A", "100"), ("1-3", "A", "100"),
                ("2-1", "B", "50"), ("2-2", "C", "50"), ("3-1", "D", "100"))


def test_area_majority_without_head_majority_is_not_followed() -> None:
    # yes: 300 of 400 m² but 1 of 3 heads; no: 2 of 3 heads but 100 of 400 m²
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes", "2_1": "no", "2_2": "no"}),
              FOLLOW, 9, follow_majority=True)
    assert t.followed_units == 0
    assert (t.area_participating, t.heads_participating) == (Decimal(400), 3)
    assert (t.area_approving, t.heads_approving) == (Decimal(300), 1)


def test_head_majority_without_area_majority_is_not_followed() -> None:
    t = tally(votes(**{"1_1": "no", "1_2": "no", "1_3": "no", "2_1": "yes", "2_2": "yes"}),
              FOLLOW, 9, follow_majority=True)
    assert t.followed_units == 0
    assert (t.area_approving, t.heads_approving) == (Decimal(100), 2)
    assert (t.area_participating, t.heads_participating) == (Decimal(400), 3)


def test_area_and_head_majority_is_followed_by_every_silent_unit() -> None:
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes", "2_1": "yes", "2_2": "no"}),
              FOLLOW, 9, follow_majority=True)
    assert t.followed_units == 1
    assert (t.area_participating, t.heads_participating) == (Decimal(500), 4)
    assert (t.area_approving, t.heads_approving) == (Decimal(450), 3)
    assert t.ballots == 5


def test_follow_majority_off_changes_nothing() -> None:
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes", "2_1": "yes", "2_2": "no"}),
              FOLLOW, 9, follow_majority=False)
    assert t.followed_units == 0 and t.area_participating == Decimal(400)


def test_exactly_half_is_no_majority_to_follow() -> None:
    r = roster(("1-1", "A", "100"), ("1-2", "B", "100"), ("1-3", "C", "100"), ("1-4", "D", "100"),
               ("9-9", "S", "100"))
    # yes holds exactly half the area and exactly half the heads
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "no", "1_4": "abstain"}), r, 9, follow_majority=True)
    assert t.followed_units == 0
    # one more square metre on the yes side is not enough without one more head …
    r2 = roster(("1-1", "A", "101"), ("1-2", "B", "100"), ("1-3", "C", "100"), ("1-4", "D", "99"),
                ("9-9", "S", "100"))
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "no", "1_4": "abstain"}), r2, 9, follow_majority=True)
    assert t.followed_units == 0
    # … and one more head carries it
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes", "1_4": "no"}), r, 9, follow_majority=True)
    assert t.followed_units == 1 and t.area_approving == Decimal(400) and t.heads_approving == 4


def test_abstention_majority_is_followed_as_abstention() -> None:
    r = roster(("1-1", "A", "100"), ("1-2", "B", "100"), ("1-3", "C", "100"), ("9-9", "S", "100"))
    t = tally(votes(**{"1_1": "abstain", "1_2": "abstain", "1_3": "yes"}), r, 9, follow_majority=True)
    assert t.followed_units == 1
    assert (t.area_participating, t.area_approving, t.heads_participating, t.heads_approving) == (
        Decimal(400), Decimal(100), 4, 1)


def test_silent_unit_of_an_owner_who_voted_adds_area_not_a_head() -> None:
    r = roster(("1-1", "A", "100"), ("1-2", "A", "60"), ("1-3", "B", "100"), ("1-4", "C", "10"))
    t = tally(votes(**{"1_1": "yes", "1_3": "yes", "1_4": "no"}), r, 9, follow_majority=True)
    assert t.followed_units == 1
    assert (t.area_participating, t.area_approving) == (Decimal(270), Decimal(260))
    assert (t.heads_participating, t.heads_approving) == (3, 2)


def test_silent_developer_units_follow_as_one_head() -> None:
    r = roster(("1-1", "A", "100"), ("1-2", "B", "100"), ("2-1", "DEV", "50", True), ("2-2", "DEV", "50", True))
    t = tally(votes(**{"1_1": "yes", "1_2": "yes"}), r, 9, follow_majority=True)
    assert t.followed_units == 2
    assert (t.heads_total, t.heads_participating, t.heads_approving) == (3, 3, 3)
    assert t.area_approving == Decimal(300)


def test_no_ballots_nothing_to_follow() -> None:
    t = tally([], FOLLOW, 9, follow_majority=True)
    assert t.followed_units == 0 and t.heads_participating == 0 and not t.passed
    assert not any(c.met for c in t.checks)


# ------------------------------------------------------------------ participation 2/3 (inclusive)

THREE = roster(("1-1", "A", "100"), ("1-2", "B", "100"), ("1-3", "C", "100"))


def test_participation_exactly_two_thirds_counts() -> None:
    t = tally(votes(**{"1_1": "yes", "1_2": "yes"}), THREE, 8)
    assert checks(t) == {"participation-area": True, "participation-heads": True,
                         "approval-area": True, "approval-heads": True}
    assert t.passed


def test_participation_one_square_metre_short_fails_area_only() -> None:
    r = roster(("1-1", "A", "100"), ("1-2", "B", "99.99"), ("1-3", "C", "100.01"))
    t = tally(votes(**{"1_1": "yes", "1_2": "yes"}), r, 8)
    assert checks(t)["participation-area"] is False and checks(t)["participation-heads"] is True
    assert not t.passed


def test_participation_one_head_short_fails_heads_only() -> None:
    # four owners; the two voting hold 2/3 of the area but only 2 of 4 heads
    r = roster(("1-1", "A", "200"), ("1-2", "B", "200"), ("1-3", "C", "100"), ("1-4", "D", "100"))
    t = tally(votes(**{"1_1": "yes", "1_2": "yes"}), r, 8)
    assert checks(t)["participation-area"] is True and checks(t)["participation-heads"] is False
    # one more head (with its area) crosses it
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes"}), r, 8)
    assert t.passed


# ------------------------------------------------------------------ approval: 3/4 and > 1/2

FOUR = roster(("1-1", "A", "100"), ("1-2", "B", "100"), ("1-3", "C", "100"), ("1-4", "D", "100"))


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_qualified_items_pass_at_exactly_three_quarters(matter: int) -> None:
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes", "1_4": "no"}), FOUR, matter)
    assert t.passed and checks(t)["approval-area"] and checks(t)["approval-heads"]


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_two_thirds_is_enough_for_ordinary_items_but_not_for_qualified(matter: int) -> None:
    votes3 = votes(**{"1_1": "yes", "1_2": "yes", "1_3": "no"})
    assert not tally(votes3, THREE, matter).passed
    for ordinary in (1, 2, 3, 4, 5, 9):
        assert tally(votes3, THREE, ordinary).passed


@pytest.mark.parametrize("matter", [1, 2, 3, 4, 5, 9])
def test_ordinary_items_fail_at_exactly_half_and_pass_one_over(matter: int) -> None:
    half = votes(**{"1_1": "yes", "1_2": "yes", "1_3": "no", "1_4": "abstain"})
    t = tally(half, FOUR, matter)
    assert checks(t) == {"participation-area": True, "participation-heads": True,
                         "approval-area": False, "approval-heads": False}
    # one more square metre on the yes side: area over half, heads still exactly half
    r = roster(("1-1", "A", "100.01"), ("1-2", "B", "100"), ("1-3", "C", "99.99"), ("1-4", "D", "100"))
    t = tally(half, r, matter)
    assert checks(t)["approval-area"] is True and checks(t)["approval-heads"] is False and not t.passed


def test_qualified_one_square_metre_short_of_three_quarters_fails() -> None:
    r = roster(("1-1", "A", "100"), ("1-2", "B", "100"), ("1-3", "C", "99.99"), ("1-4", "D", "100.01"))
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes", "1_4": "no"}), r, 8)
    assert checks(t)["approval-area"] is False and checks(t)["approval-heads"] is True and not t.passed


def test_qualified_heads_short_fails_even_with_the_area() -> None:
    # the yes side holds 3/4 of the area but only 2 of 4 heads
    r = roster(("1-1", "A", "200"), ("1-2", "B", "100"), ("1-3", "C", "50"), ("1-4", "D", "50"))
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "no", "1_4": "no"}), r, 8)
    assert checks(t)["approval-area"] is True and checks(t)["approval-heads"] is False and not t.passed


def test_abstentions_count_in_the_denominator() -> None:
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes", "1_4": "abstain"}), FOUR, 8)
    assert t.passed and t.area_participating == Decimal(400)
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "abstain", "1_4": "abstain"}), FOUR, 8)
    assert not t.passed


# ------------------------------------------------------------------ Check itself


@pytest.mark.parametrize(("num", "den", "threshold", "strict", "met"), [
    (2, 3, Fraction(2, 3), False, True), (2, 3, Fraction(2, 3), True, False),
    (Fraction(1999, 3000), 1, Fraction(2, 3), False, False), (Fraction(2001, 3000), 1, Fraction(2, 3), True, True),
    (1, 2, Fraction(1, 2), True, False), (1, 2, Fraction(1, 2), False, True), (3, 4, Fraction(3, 4), False, True),
    (0, 0, Fraction(0), False, False), (5, 0, Fraction(1, 2), False, False), (0, 5, Fraction(0), False, True),
])
def test_check_met(num: int | Fraction, den: int, threshold: Fraction, strict: bool, met: bool) -> None:
    c = Check("x", "x", Fraction(num), Fraction(den), threshold, strict)
    assert c.met is met
    if not den:
        assert c.ratio == 0


def test_check_as_dict_exact() -> None:
    c = Check("approval-area", "同意面积 / 参与表决面积", Fraction(Decimal("300.5")), Fraction(400), Fraction(3, 4), False)
    assert c.as_dict() == {
        "name": "approval-area", "label": "同意面积 / 参与表决面积", "numerator": "300.5",
        "denominator": "400", "ratio": "601/800", "ratio_decimal": "0.7512",  # 0.75125, half-even
        "threshold": ">= 3/4", "met": True}
    s = Check("a", "b", Fraction(2), Fraction(3), Fraction(1, 2), True).as_dict()
    assert (s["ratio_decimal"], s["threshold"], s["numerator"]) == ("0.6667", "> 1/2", "2")


def test_thresholds_and_rule_per_matter() -> None:
    assert approval_threshold(8) == (Fraction(3, 4), False)
    assert approval_threshold(5) == (Fraction(1, 2), True)
    assert [m for m in range(1, 10) if approval_threshold(m)[1] is False] == [6, 7, 8]


def test_tally_as_dict_exact() -> None:
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes", "1_4": "no"}), FOUR, 8)
    d = t.as_dict()
    assert {k: v for k, v in d.items() if k != "checks"} == {
        "matter": 8, "matter_title": MATTERS[8], "follow_majority": False,
        "area_total": "400", "heads_total": 4, "area_participating": "400", "heads_participating": 4,
        "area_approving": "300", "heads_approving": 3, "ballots": 4, "followed_units": 0,
        "thresholds": "参与：面积与人数均2/3以上；同意：参与面积与人数均3/4以上",
        "passed": True, "source": LEGAL_SOURCE}
    assert [c["name"] for c in d["checks"]] == ["participation-area", "participation-heads",
                                                "approval-area", "approval-heads"]
    assert [c["threshold"] for c in d["checks"]] == [">= 2/3", ">= 2/3", ">= 3/4", ">= 3/4"]
    assert tally([Ballot("1-1", "yes")], FOUR, 1).thresholds == "参与：面积与人数均2/3以上；同意：参与面积与人数均超过1/2"


# ------------------------------------------------------------------ input


@pytest.mark.parametrize(("matter", "ok"), [(0, False), (1, True), (9, True), (10, False), ("8", False), (8.0, False)])
def test_check_matter_bounds(matter: object, ok: bool) -> None:
    if ok:
        assert check_matter(matter) == matter  # type: ignore[arg-type]
    else:
        with pytest.raises(BadInput, match=r"is not an Art\. 278 item"):
            check_matter(matter)  # type: ignore[arg-type]
        with pytest.raises(BadInput, match=r"is not an Art\. 278 item"):
            tally([], FOUR, matter)  # type: ignore[arg-type]


@pytest.mark.parametrize(("word", "vote"), [
    ("同意", "yes"), ("赞成", "yes"), (" YES ", "yes"), ("Y", "yes"), ("agree", "yes"), ("approve", "yes"),
    ("反对", "no"), ("不同意", "no"), ("No", "no"), ("n", "no"), ("against", "no"), ("disagree", "no"),
    ("弃权", "abstain"), ("Abstain", "abstain"), ("a", "abstain"),
])
def test_parse_vote_words(word: str, vote: str) -> None:
    assert parse_vote(word, "row 3") == vote


@pytest.mark.parametrize("word", [None, "", "同 意", "maybe", "1", "是"])
def test_parse_vote_refuses(word: object) -> None:
    with pytest.raises(BadInput) as err:
        parse_vote(word, "row 3")
    assert err.value.problem == f"row 3: cannot read the vote {word!r}"
    assert err.value.fix == "write 同意, 反对 or 弃权 (or yes / no / abstain)"


def test_ballot_errors_name_the_row() -> None:
    with pytest.raises(BadInput) as err:
        tally([Ballot("9-9", "yes", row=4)], FOUR, 8)
    assert err.value.problem == "row 4: unknown unit '9-9'"
    with pytest.raises(BadInput) as err:
        tally([Ballot("1-1", "yes", row=4), Ballot(" 1-1 ", "no", row=7)], FOUR, 8)
    assert err.value.problem == "row 7: a second ballot for unit 1-1 (first at row 4)"
    r = roster(("1-1", "A", "100"), ("1-2", "A", "100"))
    with pytest.raises(BadInput) as err:
        tally([Ballot("1-1", "yes"), Ballot("1-2", "no", row=9)], r, 8)
    assert err.value.problem == "row 9: owner A votes 反对 for 1-2 but 同意 at ballot of 1-1"
    t = tally([Ballot("1-1", "yes"), Ballot("1-2", "yes")], r, 8)
    assert (t.heads_participating, t.heads_approving, t.ballots) == (1, 1, 2)
    with pytest.raises(BadInput, match="the units roster is empty"):
        tally([], Roster({}), 8)


def test_lower_case_unit_numbers_are_the_roster_numbers() -> None:
    r = roster(("A-1", "X", "100"))
    assert tally([Ballot("a-1", "yes")], r, 9).passed


def test_developer_key() -> None:
    r = roster(("2-1", "DEV", "50", True), ("2-2", "OTHER", "50", True))
    assert r.headcount == 1 and {u.head for u in r.units.values()} == {DEVELOPER_KEY}


# ------------------------------------------------------------------ killing mutants (scripts/mutation.sh tally)


def test_follow_needs_more_than_half_the_area_not_a_third() -> None:
    # yes: 3 of 5 heads but 150 of 400 m² (more than a third, less than half)
    r = roster(("1-1", "A", "50"), ("1-2", "B", "50"), ("1-3", "C", "50"), ("1-4", "D", "125"),
               ("1-5", "E", "125"), ("9-9", "S", "100"))
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "yes", "1_4": "no", "1_5": "no"}), r, 9,
              follow_majority=True)
    assert t.followed_units == 0


def test_follow_needs_strictly_more_than_half_the_area() -> None:
    # yes: 2 of 3 heads and exactly half the area
    r = roster(("1-1", "A", "50"), ("1-2", "B", "50"), ("1-3", "C", "100"), ("9-9", "S", "100"))
    t = tally(votes(**{"1_1": "yes", "1_2": "yes", "1_3": "no"}), r, 9, follow_majority=True)
    assert t.followed_units == 0


def test_abstentions_exactly_half_the_heads_are_not_followed() -> None:
    # abstain: 300 of 400 m² but 2 of 4 heads
    r = roster(("1-1", "A", "150"), ("1-2", "B", "150"), ("1-3", "C", "50"), ("1-4", "D", "50"),
               ("9-9", "S", "100"))
    t = tally(votes(**{"1_1": "abstain", "1_2": "abstain", "1_3": "yes", "1_4": "no"}), r, 9,
              follow_majority=True)
    assert t.followed_units == 0 and t.area_participating == Decimal(400)


@pytest.mark.parametrize(("call", "problem", "fix"), [
    (lambda: check_matter(0), "matter 0 is not an Art. 278 item",
     "give --matter 1 to 9 (8 = changing the use of or operating common parts)"),
    (lambda: tally([], Roster({}), 8), "the units roster is empty: nothing to count against",
     "add the units first (`assetreg unit add` or the roster importer)"),
    (lambda: tally([Ballot("9-9", "yes")], FOUR, 8), "ballot of 9-9: unknown unit '9-9'",
     "correct the 房号 to one in the roster (`assetreg unit list`)"),
    (lambda: tally([Ballot("1-1", "yes"), Ballot("1-1", "yes")], FOUR, 8),
     "ballot of 1-1: a second ballot for unit 1-1 (first at ballot of 1-1)",
     "keep one ballot per unit; strike the duplicate"),
    (lambda: tally([Ballot("1-1", "no"), Ballot("1-2", "abstain", 5)], roster(("1-1", "A", "1"), ("1-2", "A", "1")), 8),
     "row 5: owner A votes 弃权 for 1-2 but 反对 at ballot of 1-1",
     "one owner counts as one head and has one opinion; correct the ballot sheet"),
])
def test_every_refusal_says_problem_and_fix_exactly(call, problem: str, fix: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BadInput) as err:
        call()
    assert (err.value.problem, err.value.fix) == (problem, fix)
