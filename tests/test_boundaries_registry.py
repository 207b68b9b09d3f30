"""The 确权 lifecycle move by move: every refused step with its exact problem and hint (what
the treasurer and the audit read), and what each accepted step does to the asset.
(scripts/mutation.sh registry)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from beancount import loader

from assetreg.errors import BadInput
from assetreg.registry import (
    Registry,
    check_move,
    registry_from_entries,
    validate_asset_id,
    validate_kind,
    validate_zones,
)

D = dt.date.fromisoformat

REGISTERED = """
2024-01-02 custom "asset" "P-001" "registered"
  kind: "parking"
  location: "1号楼东侧道路"
  description: "地面车位"
  size: "1个"
  basis: "民法典第275条"
  zones: "road, fire-lane"
  structure: "地面"
  note: "not a fact key"
  reason: "清查登记"
"""
NOTICED = '2024-03-01 custom "asset" "P-001" "noticed"\n  days: 10\n  reason: "确权公示"\n'
OBJECTED = '2024-03-04 custom "asset" "P-001" "objected"\n  by: "OWN-0002"\n  notice: 2024-03-01\n  reason: "划在消防车道上"\n'
CONFIRMED = '2024-03-20 custom "asset" "P-001" "confirmed"\n  evidence: "documents/a.pdf; ;documents/b.pdf"\n  reason: "期满"\n'


def replay(text: str) -> Registry:
    entries, errors, _ = loader.load_string(text)
    assert not errors, errors
    return registry_from_entries(entries, resolution_check=lambda rid, day: None if rid == "R-OK" else f"{rid} did not pass")


def asset_after(text: str) -> Any:
    reg = replay(text)
    assert [v.message for v in reg.violations] == []
    return reg.assets["P-001"]


def refused(asset_text: str, action: str, day: str, **kw: Any) -> tuple[str, str]:
    asset = asset_after(asset_text) if asset_text else None
    kw.setdefault("reason", "理由")
    with pytest.raises(BadInput) as err:
        check_move(asset, action, D(day), **kw)
    return err.value.problem, err.value.fix


# ------------------------------------------------------------------ refused moves, exactly

CASES = [
    # (ledger so far, action, day, keyword arguments, problem, hint)
    (REGISTERED, "registered", "2024-02-01", {},
     "asset P-001 is already registered (<string>:2)", "choose a new id; registered assets are never re-registered"),
    ("", "noticed", "2024-02-01", {},
     "noticed step for an asset that was never registered",
     "register the asset first (`assetreg asset register`), then take its steps"),
    (REGISTERED, "noticed", "2024-01-01", {},
     "noticed dated 2024-01-01 is before the last event of P-001 (2024-01-02)",
     "history is append-only: date the step on or after the last one"),
    (REGISTERED, "noticed", "2024-01-02", {"reason": "  "},
     "a noticed step needs a reason", "pass --reason '…' (in Chinese is fine)"),
    (REGISTERED + '2024-02-01 custom "asset" "P-001" "excluded"\n  reason: "非共有"\n', "amended", "2024-02-02", {},
     "asset P-001 was excluded on 2024-02-01; excluded is final", "register a new asset if the facts have changed"),
    (REGISTERED + NOTICED, "noticed", "2024-03-02", {},
     "cannot put P-001 under notice: status is noticed", "it is already under notice since 2024-03-01"),
    (REGISTERED + NOTICED + CONFIRMED, "noticed", "2024-03-21", {},
     "cannot put P-001 under notice: status is confirmed", "it is already confirmed"),
    (REGISTERED + '2024-02-01 custom "asset" "P-001" "disputed"\n  reason: "争议"\n', "noticed", "2024-02-02", {},
     "cannot put P-001 under notice: status is disputed",
     "resolve the dispute first with `assetreg asset resolve`, then re-notice"),
    (REGISTERED, "objected", "2024-01-03", {},
     "cannot record an objection on P-001: it is not under public notice (status registered)",
     "objections are recorded against an open notice; put the asset under notice first"),
    (REGISTERED + NOTICED, "objected", "2024-03-02", {"notice": D("2024-02-28")},
     "objection names the notice of 2024-02-28, but the open notice of P-001 began 2024-03-01",
     "record the objection against the notice in force"),
    (REGISTERED + NOTICED, "objected", "2024-03-11", {},
     "objection dated 2024-03-11 is outside the notice window of P-001 (2024-03-01 to 2024-03-10)",
     "record objections dated within the window; a later complaint is a dispute (`asset dispute`)"),
    (REGISTERED + NOTICED + CONFIRMED, "confirmed", "2024-03-21", {"evidence": ["x"]},
     "cannot confirm P-001: status is confirmed", "it is already confirmed"),
    (REGISTERED + '2024-02-01 custom "asset" "P-001" "disputed"\n  reason: "争议"\n', "confirmed", "2024-02-02",
     {"evidence": ["x"]}, "cannot confirm P-001: status is disputed",
     "resolve the dispute (`assetreg asset resolve`) and re-notice the asset before confirming"),
    (REGISTERED + NOTICED, "confirmed", "2024-03-11", {},
     "confirming P-001 needs evidence",
     "pass --evidence documents/<file> (a file in the compound folder or a `document` entry)"),
    (REGISTERED + NOTICED, "confirmed", "2024-03-11", {"evidence": ["documents/a.pdf", "documents/gone.pdf"],
                                                       "evidence_check": lambda ref: ref == "documents/a.pdf"},
     "evidence 'documents/gone.pdf' not found: no such file in the compound folder and no document entry",
     "put the scan under documents/ in the compound folder and pass its relative path"),
    (REGISTERED, "confirmed", "2024-03-11", {"evidence": ["x"], "resolution": "R-NO",
                                             "resolution_check": lambda rid, day: f"{rid} failed on {day}"},
     "cannot confirm P-001 on resolution R-NO: R-NO failed on 2024-03-11",
     "cite a resolution that passed on or before the confirmation date"),
    (REGISTERED, "confirmed", "2024-03-11", {"evidence": ["x"]},
     "cannot confirm P-001: it was never put under public notice",
     "put it under notice (`assetreg asset notice`) and confirm after the window, "
     "or cite an owners' resolution with --resolution"),
    (REGISTERED + NOTICED, "confirmed", "2024-03-10", {"evidence": ["x"]},
     "cannot confirm P-001 on 2024-03-10: its notice window runs until 2024-03-10",
     "confirm on or after 2024-03-11, or cite an owners' resolution with --resolution"),
    (REGISTERED + NOTICED + OBJECTED + OBJECTED.replace("03-04", "03-05").replace("OWN-0002", "OWN-0003"),
     "confirmed", "2024-03-11", {"evidence": ["x"]},
     "cannot confirm P-001: 2 open objection(s), first on 2024-03-04: 划在消防车道上",
     "record the dispute (`asset dispute`) and resolve it, or cite an owners' resolution"),
    (REGISTERED + '2024-02-01 custom "asset" "P-001" "disputed"\n  reason: "争议"\n', "disputed", "2024-02-02", {},
     "cannot dispute P-001: status is disputed", "it is already disputed"),
    (REGISTERED, "resolved", "2024-02-02", {},
     "cannot resolve a dispute on P-001: status is registered", "only a disputed asset has a dispute to resolve"),
    (REGISTERED, "sold", "2024-02-02", {},
     "unknown lifecycle step 'sold'",
     "use one of: registered, noticed, objected, confirmed, disputed, resolved, excluded, amended"),
]


@pytest.mark.parametrize(("text", "action", "day", "kw", "problem", "hint"), CASES)
def test_each_refused_move_says_exactly_why_and_what_to_do(text: str, action: str, day: str, kw: dict[str, Any],
                                                            problem: str, hint: str) -> None:
    assert refused(text, action, day, **kw) == (problem, hint)


@pytest.mark.parametrize(("text", "action", "day", "kw"), [
    (REGISTERED, "noticed", "2024-01-02", {}),  # on the day of the last step
    (REGISTERED + NOTICED, "objected", "2024-03-01", {"notice": D("2024-03-01")}),  # first day, naming its notice
    (REGISTERED + NOTICED, "objected", "2024-03-10", {}),  # last day
    (REGISTERED + NOTICED, "confirmed", "2024-03-11", {"evidence": ["x"], "evidence_check": lambda ref: True}),
    (REGISTERED, "confirmed", "2024-03-11", {"evidence": ["x"], "resolution": "R-OK",
                                             "resolution_check": lambda rid, day: None}),
    (REGISTERED + NOTICED + OBJECTED, "confirmed", "2024-03-11", {"evidence": ["x"], "resolution": "R-OK"}),
    (REGISTERED + NOTICED + CONFIRMED, "disputed", "2024-03-21", {}),
    (REGISTERED + NOTICED, "disputed", "2024-03-02", {}),
    (REGISTERED, "disputed", "2024-03-02", {}),
    (REGISTERED + '2024-02-01 custom "asset" "P-001" "disputed"\n  reason: "争议"\n', "resolved", "2024-02-02", {}),
    (REGISTERED + NOTICED + CONFIRMED, "excluded", "2024-03-21", {}),
    (REGISTERED + NOTICED + CONFIRMED, "amended", "2024-03-21", {}),
    ("", "registered", "2024-01-01", {"reason": ""}),  # registering needs no reason here (the CLI asks for one)
])
def test_the_legal_moves_pass(text: str, action: str, day: str, kw: dict[str, Any]) -> None:
    kw.setdefault("reason", "理由")
    check_move(asset_after(text) if text else None, action, D(day), **kw)


# ------------------------------------------------------------------ what the replay does


def test_registration_keeps_the_fact_keys_only_and_amendment_updates_them() -> None:
    a = asset_after(REGISTERED + '2024-02-01 custom "asset" "p-001 " "amended"\n  location: "2号楼"\n  reason: "更正"\n')
    assert a.facts == {"kind": "parking", "location": "2号楼", "description": "地面车位", "size": "1个",
                       "basis": "民法典第275条", "zones": "road, fire-lane", "structure": "地面"}
    assert a.kind == "parking" and a.zones == ("road", "fire-lane") and a.status == "registered"
    assert [(e.action, e.reason, e.source) for e in a.events] == [
        ("registered", "清查登记", "<string>:2"), ("amended", "更正", "<string>:12")]
    assert "reason" not in a.events[0].meta and a.events[0].meta["note"] == "not a fact key"


def test_a_notice_opens_a_window_of_its_days_and_an_objection_stays_open_until_confirmation() -> None:
    a = asset_after(REGISTERED + NOTICED + OBJECTED)
    assert (a.status, a.notice_start, a.notice_end) == ("noticed", D("2024-03-01"), D("2024-03-11"))
    assert [(o.date, o.by, o.reason, o.source) for o in a.objections] == [
        (D("2024-03-04"), "OWN-0002", "划在消防车道上", "<string>:15")]
    default = asset_after(REGISTERED + NOTICED.replace("  days: 10\n", ""))
    assert default.notice_end == D("2024-03-16")  # 15 days when the entry names none


def test_confirmation_opens_a_span_that_a_dispute_closes_and_keeps_each_evidence_reference() -> None:
    text = REGISTERED + NOTICED + CONFIRMED + '2024-05-01 custom "asset" "P-001" "disputed"\n  reason: "诉讼"\n'
    a = asset_after(text)
    assert a.evidence == ["documents/a.pdf", "documents/b.pdf"]
    assert a.confirmed_spans == [(D("2024-03-20"), D("2024-05-01"))]
    assert [a.confirmed_on(D(d)) for d in ("2024-03-19", "2024-03-20", "2024-04-30", "2024-05-01")] == [
        False, True, True, False]
    assert [a.status_on(D(d)) for d in ("2024-01-01", "2024-01-02", "2024-03-01", "2024-03-20", "2024-05-01")] == [
        None, "registered", "noticed", "confirmed", "disputed"]
    resolved = asset_after(text + '2024-06-01 custom "asset" "P-001" "resolved"\n  reason: "和解"\n')
    assert (resolved.status, resolved.notice_start, resolved.notice_end) == ("registered", None, None)
    assert resolved.status_on(D("2024-06-01")) == "registered" and resolved.objections == []


def test_exclusion_closes_the_span_and_a_second_confirmation_opens_another() -> None:
    text = (REGISTERED + NOTICED + CONFIRMED + '2024-05-01 custom "asset" "P-001" "disputed"\n  reason: "诉讼"\n'
            + '2024-06-01 custom "asset" "P-001" "confirmed"\n  evidence: "documents/c.pdf"\n  resolution: "R-OK"\n  reason: "决议"\n'
            + '2024-07-01 custom "asset" "P-001" "excluded"\n  reason: "判决"\n')
    reg = replay(text)
    # a disputed asset cannot be confirmed, even on a resolution: that step is a violation
    assert [v.message for v in reg.violations] == [
        "asset P-001: cannot confirm P-001: status is disputed"]
    a = reg.assets["P-001"]
    assert a.status == "excluded" and a.confirmed_spans == [(D("2024-03-20"), D("2024-05-01"))]
    ok = asset_after(REGISTERED + '2024-06-01 custom "asset" "P-001" "confirmed"\n  evidence: "documents/c.pdf"\n'
                     '  resolution: "R-OK"\n  reason: "决议"\n' + '2024-07-01 custom "asset" "P-001" "excluded"\n  reason: "判决"\n')
    assert ok.confirmed_spans == [(D("2024-06-01"), D("2024-07-01"))] and ok.status == "excluded"


def test_an_illegal_step_is_a_violation_and_confers_nothing() -> None:
    reg = replay(REGISTERED + NOTICED + CONFIRMED.replace("2024-03-20", "2024-03-05")
                 + '2024-03-06 custom "asset" "P-001"\n'
                 + '2024-03-07 custom "asset" "P-001" "confirmed"\n  evidence: "documents/a.pdf"\n  notice: "2024-03-01"\n  reason: "x"\n')
    assert [(v.entry.date, v.message) for v in reg.violations] == [
        (D("2024-03-05"), "asset P-001: cannot confirm P-001 on 2024-03-05: its notice window runs until 2024-03-10"),
        (D("2024-03-06"), 'asset entry needs an id and a step: custom "asset" "ID" "step"'),
        (D("2024-03-07"), "asset P-001: cannot confirm P-001 on 2024-03-07: its notice window runs until 2024-03-10"),
    ]
    a = reg.assets["P-001"]
    assert a.status == "noticed" and a.confirmed_spans == [] and a.evidence == []


def test_the_resolutions_in_the_same_entries_are_used_when_none_is_passed() -> None:
    text = ('2024-01-01 custom "resolution" "R-2024-01"\n  matter: 8\n  passed: TRUE\n  title: "确权"\n'
            + REGISTERED + '2024-02-01 custom "asset" "P-001" "confirmed"\n  evidence: "documents/a.pdf"\n'
            '  resolution: "R-2024-01"\n  reason: "决议"\n')
    entries, errors, _ = loader.load_string(text)
    assert not errors
    reg = registry_from_entries(entries)
    assert reg.violations == [] and reg.assets["P-001"].confirmed_on(D("2024-02-01"))
    reg = registry_from_entries(entries, resolution_check=lambda rid, day: "no")
    assert [v.message for v in reg.violations] == [
        "asset P-001: cannot confirm P-001 on resolution R-2024-01: no"]


def test_as_dict_shows_the_asset_as_residents_and_the_api_read_it() -> None:
    a = asset_after(REGISTERED + NOTICED + OBJECTED)
    d = a.as_dict()
    assert {k: d[k] for k in ("id", "kind", "status", "status_label", "notice_start", "notice_end",
                               "open_objections", "evidence")} == {
        "id": "P-001", "kind": "parking", "status": "noticed", "status_label": "公示中",
        "notice_start": "2024-03-01", "notice_end": "2024-03-11",
        "open_objections": [{"date": "2024-03-04", "by": "OWN-0002", "reason": "划在消防车道上"}], "evidence": []}
    assert d["history"][1] == {"date": "2024-03-01", "action": "noticed", "reason": "确权公示", "days": "10",
                               "source": "<string>:12"}
    assert d["history"][2]["notice"] == "2024-03-01" and d["history"][2]["by"] == "OWN-0002"
    assert "history" not in a.as_dict(with_history=False)
    fresh = asset_after(REGISTERED).as_dict()
    assert fresh["notice_start"] is None and fresh["notice_end"] is None


def test_lookups_counts_and_validation() -> None:
    reg = replay(REGISTERED + NOTICED + REGISTERED.replace("P-001", "P-002"))
    assert reg.get(" p-002 ") is reg.assets["P-002"] and reg.require("p-001").id == "P-001"
    with pytest.raises(BadInput) as err:
        reg.require("P-404")
    assert (err.value.problem, err.value.fix) == (
        "unknown asset 'P-404'",
        "check the id against `assetreg asset list`, or register it with `assetreg asset add`")
    assert reg.counts_by_status() == {"registered": 1, "noticed": 1, "confirmed": 0, "disputed": 0, "excluded": 0}
    assert validate_asset_id(" p-017 ") == "P-017"
    for bad in ("P017", "-17", "TOOLONGPREFIX-1", "P-", "停-1"):
        with pytest.raises(BadInput) as err:
            validate_asset_id(bad)
        assert err.value.problem == f"malformed asset id {bad!r}"
        assert err.value.fix.startswith("use a prefix, a dash and a number, e.g. P-017")
    assert validate_kind("停车位") == "parking"
    assert validate_zones(" 消防车道、绿地，road;road ") == "fire-lane,green-space,road"


def test_what_the_replay_reads_from_each_entry() -> None:
    text = (REGISTERED.replace('  reason: "清查登记"\n', '  public: TRUE\n')  # no reason: none needed to register
            + NOTICED
            + '2024-03-02 custom "asset" "P-001" "objected"\n  notice: 2024-02-28\n  reason: "别的公示"\n'
            + '2024-03-03 custom "asset" "P-001" "objected"\n  notice: "2024-02-28"\n  reason: "写成文字的日期"\n'
            + '2024-03-04 custom "asset" "P-001" "objected"\n  reason: "未署名"\n'
            + '2024-03-05 custom "asset" "P-001" "objected"\n  by: "OWN-0002"\n'
            + '2024-03-20 custom "asset" "P-001" "confirmed"\n  reason: "无证据"\n'
            + '2024-03-21 custom "asset" "P-001" "confirmed"\n  evidence: " ; ; "\n  reason: "空证据"\n')
    reg = replay(text)
    assert [(v.entry.date, v.message) for v in reg.violations] == [
        (D("2024-03-02"), "asset P-001: objection names the notice of 2024-02-28, but the open notice of P-001 "
                          "began 2024-03-01"),
        (D("2024-03-05"), "asset P-001: a objected step needs a reason"),
        (D("2024-03-20"), "asset P-001: confirming P-001 needs evidence"),
        (D("2024-03-21"), "asset P-001: confirming P-001 needs evidence"),
    ]
    a = reg.assets["P-001"]
    assert a.events[0].reason == "" and a.events[0].as_dict()["public"] is True
    # a notice written as text is no date: the objection is taken against the open notice
    assert [(o.date, o.by, o.reason) for o in a.objections] == [
        (D("2024-03-03"), "", "写成文字的日期"), (D("2024-03-04"), "", "未署名")]


def test_no_objection_once_confirmed_even_inside_the_old_window() -> None:
    confirmed_early = (REGISTERED + NOTICED + '2024-03-05 custom "asset" "P-001" "confirmed"\n'
                       '  evidence: "documents/a.pdf"\n  resolution: "R-OK"\n  reason: "业主大会决定"\n')
    assert refused(confirmed_early, "objected", "2024-03-06") == (
        "cannot record an objection on P-001: it is not under public notice (status confirmed)",
        "objections are recorded against an open notice; put the asset under notice first")


def test_exclusion_names_the_day_it_happened_and_the_status_it_leaves() -> None:
    text = REGISTERED + NOTICED + '2024-03-05 custom "asset" "P-001" "excluded"\n  reason: "非共有"\n'
    assert refused(text, "amended", "2024-03-06")[0] == "asset P-001 was excluded on 2024-03-05; excluded is final"
    a = asset_after(text)
    assert [a.status_on(D(d)) for d in ("2024-03-04", "2024-03-05")] == ["noticed", "excluded"]


def test_a_step_without_a_reason_is_refused_and_an_unknown_kind_named() -> None:
    with pytest.raises(BadInput) as err:
        check_move(asset_after(REGISTERED), "noticed", D("2024-02-01"))
    assert err.value.problem == "a noticed step needs a reason"
    with pytest.raises(BadInput) as err:
        validate_kind("飞船")
    assert (err.value.problem, err.value.fix) == (
        "unknown asset kind '飞船'", "use one of: 停车位 (parking)、广告位 (advertising)、用房 (room)、基站场地 (site)、其他 (other)")
