"""Art. 278 tally: exact thresholds, headcount rules, and hypothesis properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assetreg.errors import BadInput
from assetreg.tally import Ballot, parse_vote, tally
from assetreg.units import Roster, Unit

DAY = dt.date(2020, 1, 1)


def roster(units: list[tuple[str, str, str, bool]]) -> Roster:
    """(number, area, owner, unsold) -> Roster"""
    return Roster({n: Unit(n, "1", Decimal(a), o, s, DAY) for n, a, o, s in units})


def equal_roster(n: int, area: str = "100") -> Roster:
    return roster([(f"U-{i}", area, f"OWN-{i:04d}", False) for i in range(n)])


def votes(spec: list[tuple[str, str]]) -> list[Ballot]:
    return [Ballot(u, parse_vote(v, "t"), i + 2) for i, (u, v) in enumerate(spec)]


# ---------------------------------------------------------------- exact boundaries

def test_item8_exact_boundaries_pass() -> None:
    # 6 owners of equal area; 4 vote (exactly 2/3), 3 approve (exactly 3/4): "以上" includes equality.
    t = tally(votes([("U-0", "同意"), ("U-1", "同意"), ("U-2", "同意"), ("U-3", "反对")]), equal_roster(6), 8)
    assert [c.ratio for c in t.checks] == [Fraction(2, 3), Fraction(2, 3), Fraction(3, 4), Fraction(3, 4)]
    assert t.passed


def test_item8_just_below_fails() -> None:
    t = tally(votes([("U-0", "同意"), ("U-1", "同意"), ("U-2", "同意"), ("U-3", "反对")]), equal_roster(7), 8)
    assert not t.checks[0].met and not t.passed  # 4/7 < 2/3
    t = tally(votes([("U-0", "同意"), ("U-1", "同意"), ("U-2", "弃权"), ("U-3", "反对")]), equal_roster(6), 8)
    assert t.checks[2].ratio == Fraction(1, 2) and not t.passed


def test_simple_majority_is_strict() -> None:
    # matter 5: exactly half does not pass ("过半数" is strictly more than half, Art. 1259)
    half = tally(votes([("U-0", "同意"), ("U-1", "反对")]), equal_roster(3), 5)
    assert half.checks[2].ratio == Fraction(1, 2) and not half.passed
    more = tally(votes([("U-0", "同意"), ("U-1", "同意"), ("U-2", "反对")]), equal_roster(3), 5)
    assert more.passed


def test_abstentions_take_part_but_do_not_approve() -> None:
    t = tally(votes([("U-0", "同意"), ("U-1", "弃权"), ("U-2", "弃权")]), equal_roster(3), 5)
    assert t.heads_participating == 3 and t.heads_approving == 1 and not t.passed


def test_heads_one_per_owner_and_developer_counts_once() -> None:
    r = roster([("1-101", "90", "OWN-0001", False), ("1-102", "110", "OWN-0002", False),
                ("1-201", "100", "OWN-0002", False), ("2-101", "120", "DEV-0000", True),
                ("2-102", "80", "DEV-0001", True)])
    assert r.headcount == 3  # OWN-0001, OWN-0002, and the developer's unsold units together
    t = tally(votes([("1-102", "同意"), ("1-201", "同意"), ("2-101", "反对"), ("2-102", "反对")]), r, 5)
    assert t.heads_participating == 2 and t.heads_approving == 1
    assert t.area_participating == Decimal(410) and t.area_approving == Decimal(210)
    assert t.area_total == Decimal(500)


def test_follow_majority_only_when_switched_on() -> None:
    b = votes([("U-0", "同意"), ("U-1", "同意"), ("U-2", "同意"), ("U-3", "反对")])
    off = tally(b, equal_roster(8), 8, follow_majority=False)
    assert not off.passed and off.followed_units == 0  # 4/8 participation
    on = tally(b, equal_roster(8), 8, follow_majority=True)
    assert on.followed_units == 4 and on.heads_participating == 8 and on.heads_approving == 7
    assert on.passed


def test_follow_majority_needs_a_majority_to_follow() -> None:
    b = votes([("U-0", "同意"), ("U-1", "反对")])
    t = tally(b, equal_roster(6), 5, follow_majority=True)
    assert t.followed_units == 0 and not t.passed


@pytest.mark.parametrize(("spec", "needle"), [
    ([("U-0", "同意"), ("U-99", "同意")], "row 3: unknown unit"),
    ([("U-0", "同意"), ("u-0", "反对")], "second ballot for unit U-0"),
    ([("U-0", "maybe")], "cannot read the vote"),
])
def test_bad_ballots(spec: list[tuple[str, str]], needle: str) -> None:
    with pytest.raises(BadInput, match=needle):
        tally(votes(spec), equal_roster(3), 8)


def test_one_owner_two_opinions_is_bad_input() -> None:
    r = roster([("A-1", "50", "OWN-0001", False), ("A-2", "50", "OWN-0001", False), ("B-1", "50", "OWN-0002", False)])
    with pytest.raises(BadInput, match="one owner counts as one head"):
        tally(votes([("A-1", "同意"), ("A-2", "反对")]), r, 8)


@pytest.mark.parametrize("matter", [0, 10])
def test_matter_out_of_range(matter: int) -> None:
    with pytest.raises(BadInput, match=r"Art\. 278 item"):
        tally([], equal_roster(3), matter)


def test_vote_aliases() -> None:
    assert [parse_vote(v, "t") for v in ("同意", "赞成", "YES", "反对", "不同意", "no", "弃权", "Abstain")] == \
        ["yes", "yes", "yes", "no", "no", "no", "abstain", "abstain"]


# ---------------------------------------------------------------- properties

AREAS = st.decimals(min_value=Decimal("20"), max_value=Decimal("300"), places=2)


@st.composite
def elections(draw):  # type: ignore[no-untyped-def]
    """A roster (some owners hold several units, maybe unsold units) and ballots on it."""
    n_owners = draw(st.integers(1, 8))
    units = []
    for o in range(n_owners):
        for k in range(draw(st.integers(1, 3))):
            units.append((f"{o}-{k}", str(draw(AREAS)), f"OWN-{o:04d}", False))
    for k in range(draw(st.integers(0, 3))):
        units.append((f"D-{k}", str(draw(AREAS)), "DEV-0000", True))
    r = roster(units)
    heads = sorted({r.units[u[0]].head for u in units})
    opinion = {h: draw(st.sampled_from(["yes", "no", "abstain"])) for h in heads}
    ballots = [Ballot(u[0], opinion[r.units[u[0]].head]) for u in units if draw(st.booleans())]
    matter = draw(st.integers(1, 9))
    follow = draw(st.booleans())
    return r, ballots, matter, follow


@settings(max_examples=300, deadline=None)
@given(elections(), st.randoms())
def test_order_does_not_matter(e, rnd) -> None:  # type: ignore[no-untyped-def]
    r, ballots, matter, follow = e
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert tally(ballots, r, matter, follow) == tally(shuffled, r, matter, follow)


@settings(max_examples=300, deadline=None)
@given(elections(), st.data())
def test_one_more_approving_ballot_never_turns_pass_into_fail(e, data) -> None:  # type: ignore[no-untyped-def]
    r, ballots, matter, follow = e
    voted = {b.unit for b in ballots}
    head_vote = {r.units[b.unit].head: b.vote for b in ballots}
    # a silent unit whose owner either did not vote or approved can add one approving ballot
    candidates = [n for n, u in r.units.items() if n not in voted and head_vote.get(u.head, "yes") == "yes"]
    if not candidates:
        return
    extra = data.draw(st.sampled_from(sorted(candidates)))
    before = tally(ballots, r, matter, follow)
    after = tally([*ballots, Ballot(extra, "yes")], r, matter, follow)
    if before.passed:
        assert after.passed
    assert after.area_approving >= before.area_approving


@settings(max_examples=300, deadline=None)
@given(elections())
def test_verdict_matches_the_law_computed_independently(e) -> None:  # type: ignore[no-untyped-def]
    r, ballots, matter, _follow = e
    t = tally(ballots, r, matter, False)
    area = {u: Fraction(r.units[u].area) for u in r.units}
    part_a = sum((area[b.unit] for b in ballots), Fraction(0))
    yes_a = sum((area[b.unit] for b in ballots if b.vote == "yes"), Fraction(0))
    part_h = {r.units[b.unit].head for b in ballots}
    yes_h = {r.units[b.unit].head for b in ballots if b.vote == "yes"}
    total_a = sum(area.values(), Fraction(0))
    total_h = len({u.head for u in r.units.values()})
    ok = part_a * 3 >= total_a * 2 and len(part_h) * 3 >= total_h * 2 and len(part_h) > 0
    if matter in (6, 7, 8):
        ok = ok and yes_a * 4 >= part_a * 3 and len(yes_h) * 4 >= len(part_h) * 3
    else:
        ok = ok and yes_a * 2 > part_a and len(yes_h) * 2 > len(part_h)
    assert t.passed == ok


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40), st.sampled_from([6, 7, 8]))
def test_qualified_thresholds_hold_exactly_at_the_boundary(m: int, matter: int) -> None:
    # 6m owners, 4m vote (participation exactly 2/3), 3m approve (exactly 3/4): passes.
    r = equal_roster(6 * m, "88.88")
    yes = [(f"U-{i}", "同意") for i in range(3 * m)]
    no = [(f"U-{i}", "反对") for i in range(3 * m, 4 * m)]
    assert tally(votes(yes + no), r, matter).passed
    # one approving owner fewer (now abstaining): below 3/4, fails
    assert not tally(votes([*yes[:-1], (yes[-1][0], "弃权"), *no]), r, matter).passed
    # one more owner in the roster: participation below 2/3, fails
    assert not tally(votes(yes + no), equal_roster(6 * m + 1, "88.88"), matter).passed


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 40), st.sampled_from([1, 2, 3, 4, 5, 9]))
def test_simple_majority_boundary(m: int, matter: int) -> None:
    r = equal_roster(3 * m, "70.5")
    yes = [(f"U-{i}", "同意") for i in range(m)]
    no = [(f"U-{i}", "反对") for i in range(m, 2 * m)]
    assert not tally(votes(yes + no), r, matter).passed  # exactly half: not "过半数"
    flipped = [*yes, (no[0][0], "同意"), *no[1:]]
    assert tally(votes(flipped), r, matter).passed
