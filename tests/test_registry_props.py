"""Property tests of the 确权 state machine: random step sequences never confer what the rules forbid."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from assetreg.errors import BadInput
from assetreg.registry import Asset, Event, _apply, check_move

ACTIONS = ["noticed", "objected", "confirmed", "disputed", "resolved", "excluded", "amended"]

steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=20), st.booleans()),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_confirmation_only_after_a_clean_window(seq: list[tuple[str, int, bool]]) -> None:
    day = dt.date(2024, 1, 1)
    asset = Asset("P-001")
    _apply(asset, Event(day, "registered", "登记", {"kind": "parking"}, "t"))
    for action, gap, with_evidence in seq:
        day = day + dt.timedelta(days=gap)
        before = (asset.status, asset.notice_end, len(asset.objections))
        evidence = ["documents/x.pdf"] if with_evidence else []
        try:
            check_move(asset, action, day, reason="理由", evidence=evidence)
        except BadInput:
            continue
        if action == "confirmed":
            status, notice_end, open_objections = before
            # without a resolution, confirmation needs evidence, a notice whose window has
            # passed, and no open objection
            assert evidence
            assert status == "noticed" and notice_end is not None and day >= notice_end
            assert open_objections == 0
        if before[0] == "excluded":
            raise AssertionError("an excluded asset accepted a step")
        meta = {"days": 15} if action == "noticed" else {}
        if evidence and action == "confirmed":
            meta["evidence"] = evidence[0]
        _apply(asset, Event(day, action, "理由", meta, "t"))
        # income is allowed exactly on the days the status is confirmed
        assert asset.confirmed_on(day) == (asset.status == "confirmed")
