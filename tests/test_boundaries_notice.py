"""确权 notice windows on both sides of every boundary (Art. 1259: a period's last day is
inside it). A notice of N days starting on S runs S .. S+N-1: objections are taken on S
and on S+N-1, refused on S-1 (before the notice, it is not open) and on S+N; confirmation
is refused on S+N-1 and possible from S+N. A resolution cited for confirmation counts
from the day it passed. Income is allowed from the day of confirmation up to the day
before a dispute."""

from __future__ import annotations

import datetime as dt

import pytest
from beancount import loader

from assetreg.errors import BadInput
from assetreg.registry import Registry, check_move, registry_from_entries

D = dt.date.fromisoformat

HEAD = """
2024-01-02 custom "asset" "P-001" "registered"
  kind: "parking"
  location: "1号楼东侧道路"
  zones: "road"
  reason: "清查登记"
2024-03-01 custom "asset" "P-001" "noticed"
  days: {days}
  reason: "确权公示"
"""


def replay(text: str, days: int = 15) -> Registry:
    entries, errors, _ = loader.load_string(HEAD.format(days=days) + text)
    assert not errors, errors
    return registry_from_entries(entries)


def confirm(day: str, extra: str = "") -> str:
    return f'\n{day} custom "asset" "P-001" "confirmed"\n  evidence: "documents/P-001.pdf"\n  reason: "期满"\n{extra}'


def objection(day: str) -> str:
    return f'\n{day} custom "asset" "P-001" "objected"\n  by: "OWN-0001"\n  reason: "异议"\n'


def messages(reg: Registry) -> list[str]:
    return [v.message for v in reg.violations]


@pytest.mark.parametrize(("day", "ok"), [
    ("2024-03-14", False), ("2024-03-15", False), ("2024-03-16", True), ("2024-03-17", True)])
def test_confirmation_from_the_day_after_the_last_day_of_notice(day: str, ok: bool) -> None:
    reg = replay(confirm(day))
    asset = reg.assets["P-001"]
    if ok:
        assert messages(reg) == [] and asset.status == "confirmed"
        assert asset.confirmed_on(D(day)) and not asset.confirmed_on(D(day) - dt.timedelta(days=1))
    else:
        assert messages(reg) == [
            f"asset P-001: cannot confirm P-001 on {day}: its notice window runs until 2024-03-15"]
        assert asset.status == "noticed" and not asset.confirmed_on(D("2024-12-31"))


def test_window_bounds_as_recorded() -> None:
    asset = replay("").assets["P-001"]
    assert (asset.notice_start, asset.notice_end) == (D("2024-03-01"), D("2024-03-16"))


@pytest.mark.parametrize(("days", "last"), [(1, "2024-03-01"), (7, "2024-03-07"), (30, "2024-03-30")])
def test_window_length_is_the_notice_days(days: int, last: str) -> None:
    after = (D(last) + dt.timedelta(days=1)).isoformat()
    assert messages(replay(confirm(after), days=days)) == []
    assert messages(replay(confirm(last), days=days)) == [
        f"asset P-001: cannot confirm P-001 on {last}: its notice window runs until {last}"]


@pytest.mark.parametrize(("day", "inside"), [("2024-03-01", True), ("2024-03-15", True), ("2024-03-16", False)])
def test_objection_on_the_first_and_last_day_is_inside(day: str, inside: bool) -> None:
    reg = replay(objection(day))
    if inside:
        assert messages(reg) == [] and [o.date for o in reg.assets["P-001"].objections] == [D(day)]
        # an open objection blocks confirmation after the window
        reg = replay(objection(day) + confirm("2024-03-20"))
        assert messages(reg) == [f"asset P-001: cannot confirm P-001: 1 open objection(s), first on {day}: 异议"]
    else:
        assert messages(reg) == [f"asset P-001: objection dated {day} is outside the notice window "
                                 "of P-001 (2024-03-01 to 2024-03-15)"]
        assert reg.assets["P-001"].objections == []


def test_objection_before_the_notice_is_not_against_an_open_notice() -> None:
    text = HEAD.format(days=15).replace("2024-03-01 custom", "2024-03-05 custom")
    entries, _, _ = loader.load_string(text + objection("2024-03-04"))
    reg = registry_from_entries(entries)
    assert messages(reg) == ["asset P-001: cannot record an objection on P-001: it is not under public notice "
                             "(status registered)"]


RESOLUTION = """
2024-03-10 custom "resolution" "R-2024-01"
  matter: 9
  passed: TRUE
  title: "确认共有"
"""


@pytest.mark.parametrize(("day", "problem"), [
    ("2024-03-09", "it was adopted on 2024-03-10, after 2024-03-09"), ("2024-03-10", None), ("2024-03-11", None)])
def test_confirmation_by_resolution_counts_from_the_day_it_passed(day: str, problem: str | None) -> None:
    reg = replay(RESOLUTION + confirm(day, '  resolution: "R-2024-01"\n'))
    assert messages(reg) == ([f"asset P-001: cannot confirm P-001 on resolution R-2024-01: {problem}"] if problem else [])


def test_confirmed_span_ends_the_day_a_dispute_is_recorded() -> None:
    dispute = '\n2024-06-01 custom "asset" "P-001" "disputed"\n  reason: "诉讼"\n'
    asset = replay(confirm("2024-03-16") + dispute).assets["P-001"]
    assert asset.confirmed_spans == [(D("2024-03-16"), D("2024-06-01"))]
    assert [asset.confirmed_on(D(d)) for d in ("2024-03-15", "2024-03-16", "2024-05-31", "2024-06-01")] == [
        False, True, True, False]
    assert [asset.status_on(D(d)) for d in ("2024-01-01", "2024-01-02", "2024-03-15", "2024-03-16", "2024-06-01")] == [
        None, "registered", "noticed", "confirmed", "disputed"]


def test_a_step_dated_before_the_last_one_is_refused() -> None:
    asset = replay("").assets["P-001"]
    with pytest.raises(BadInput) as err:
        check_move(asset, "disputed", D("2024-02-29"), reason="x")
    assert err.value.problem == "disputed dated 2024-02-29 is before the last event of P-001 (2024-03-01)"
    check_move(asset, "disputed", D("2024-03-01"), reason="x")  # the same day is allowed
