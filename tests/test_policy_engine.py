"""Every rule of the default policy set: a case that triggers it and one that does not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_policy_support import USE_ASSET, gate_root, loaded, mapping

from assetreg.errors import BadInput
from assetreg.ledger import Compound
from assetreg.policy import Proposal, decide, load_district, load_policy_set
from assetreg.policy.schema import condition_id
from assetreg.vocab import PROPOSAL_FACTS, USES

DEFAULT = load_district("huaian-qingjiangpu")


@pytest.fixture
def gate(small_compound: Path) -> Path:
    return gate_root(small_compound)


def run(root: Path, **kw):  # type: ignore[no-untyped-def]
    use = kw.pop("use", "parking-owner")
    p = Proposal.from_mapping(mapping(use, **kw), "test")
    return decide(p, loaded(root), load_policy_set(Compound.locate(root)))


def verdict_of(decision, rule_id: str) -> str:  # type: ignore[no-untyped-def]
    found = [r for r in decision.rules if r.id == rule_id]
    assert found, f"{rule_id} was not evaluated: {[r.id for r in decision.rules]}"
    return found[0].verdict


# ---------------------------------------------------------------- baseline

@pytest.mark.parametrize("use", sorted(USE_ASSET))
def test_every_guidance_use_is_permitted_when_its_conditions_hold(gate: Path, use: str) -> None:
    d = run(gate, use=use)
    assert d.verdict == "permitted", [(r.id, r.message) for r in d.rules if r.decisive]
    g = DEFAULT.guidance_for(use)
    assert g is not None and verdict_of(d, g.id) == "listed"
    assert all(r.verdict in ("clear", "listed", "met", "not-applicable") for r in d.rules)
    for r in d.rules:  # every verdict explains itself
        assert r.id and r.source and r.message


def test_guidance_cases_cover_the_default_set() -> None:
    assert {g.use for g in DEFAULT.guidance} == set(USE_ASSET)


# ---------------------------------------------------------------- negative list

# rule id -> (triggering proposal, a similar proposal that does not trigger it)
NEGATIVE_CASES = {
    "N-FIRE-LANE": (dict(assets=["P-009"]), dict(assets=["P-001"])),
    "N-GREEN-SPACE": (dict(assets=["P-010"]), dict(assets=["P-001"])),
    "N-PUBLIC-FACILITY": (dict(use="vending", assets=["R-01"]), dict(use="community-room", assets=["R-01"])),
    "N-STILT-EQUIPMENT-FLOOR": (dict(use="community-room", assets=["R-02"]),
                                dict(use="community-room", assets=["R-01"])),
    "N-UNDERGROUND-DWELLING": (dict(use="community-room", assets=["R-04"], facts={"residential_use": False}),
                               dict(use="vending", assets=["R-04"], facts={"residential_use": False})),
    "N-HAZARDOUS-GOODS": (dict(use="vending", facts={"hazardous": True}), dict(use="vending")),
    "N-NOISE-FUMES": (dict(use="community-room", assets=["R-05"], facts={"noise_or_fumes": True}),
                      dict(use="vending", assets=["V-01"], facts={"noise_or_fumes": True})),
    "N-AD-STRUCTURE-LIGHT": (dict(use="advertising-exterior", facts={"blocks_light": True}),
                             dict(use="advertising-exterior")),
    "N-CIVIL-DEFENCE-ALTERATION": (dict(assets=["P-020"], facts={"alters_structure": True}),
                                   dict(assets=["P-020"])),
    "N-EBIKE-STAIRWELL": (dict(use="ebike-charging", assets=["EB-01"]), dict(use="ebike-charging")),
}


def test_negative_cases_cover_the_default_set() -> None:
    assert set(NEGATIVE_CASES) == {r.id for r in DEFAULT.negative}


@pytest.mark.parametrize("rule_id", sorted(NEGATIVE_CASES))
def test_negative_rule_triggers(gate: Path, rule_id: str) -> None:
    d = run(gate, **NEGATIVE_CASES[rule_id][0])
    assert d.verdict == "forbidden"
    assert verdict_of(d, rule_id) == "forbidden"
    assert rule_id in d.rule_ids
    r = next(r for r in d.rules if r.id == rule_id)
    assert r.facts and r.remediation and r.source and r.facts.get("matched_assets")


@pytest.mark.parametrize("rule_id", sorted(NEGATIVE_CASES))
def test_negative_rule_does_not_trigger(gate: Path, rule_id: str) -> None:
    d = run(gate, **NEGATIVE_CASES[rule_id][1])
    assert verdict_of(d, rule_id) == "clear"
    assert d.verdict == "permitted", [(r.id, r.message) for r in d.rules if r.decisive]


@pytest.mark.parametrize("kw", [
    dict(use="community-room", assets=["R-03"]),  # equipment floor
    dict(use="advertising-exterior", assets=["AD-003"]),  # ad on the insulation layer
    dict(use="advertising-lift", facts={"alters_structure": True}),
    dict(use="catering", assets=["R-05"]),  # a restaurant inside a residential building
    dict(assets=["P-020"], facts={"hazardous": True}),
])
def test_other_clauses_of_negative_rules(gate: Path, kw: dict) -> None:  # type: ignore[type-arg]
    assert run(gate, **kw).verdict == "forbidden"


def test_forbidden_overrides_a_listed_use_with_every_condition_met(gate: Path) -> None:
    d = run(gate, assets=["P-009"])  # parking on a fire lane: on the guidance list, all met
    assert verdict_of(d, "G-PARKING-OWNER") == "listed"
    assert all(r.verdict != "unmet" for r in d.rules)
    assert d.verdict == "forbidden" and d.rule_ids == ["N-FIRE-LANE"]


def test_rule_not_in_effect_on_signing_day(gate: Path) -> None:
    d = run(gate, use="ebike-charging", assets=["EB-01"], signed="2021-07-01",
            notice_start="2021-06-01", notice_end="2021-06-15")
    assert verdict_of(d, "N-EBIKE-STAIRWELL") == "not-in-effect"


# ---------------------------------------------------------------- guidance conditions

def _violate(kind: str, use: str, cond) -> dict:  # type: ignore[no-untyped-def,type-arg]
    if kind == "resolution":
        return {"resolution": None}
    if kind == "notice":
        return {"notice_start": None, "notice_end": None}
    if kind == "max-term":
        end = dt.date(2024, 5, 1) + dt.timedelta(days=31 * (cond.months + 1))
        over = {"end": end.isoformat()}
        if cond.when:  # the civil-defence term applies to spaces in civil-defence works
            over["assets"] = ["P-020"]
        return over
    if kind == "deposit":
        return {"deposit": "0"}
    if kind == "manager-share":
        return {"manager_share": None}
    if kind == "consents":  # OWN-0002 has no consent in the ledger
        return {"affected": ["OWN-0001", "OWN-0002"]}
    if kind == "owners-first":
        return {"owners_waiting": 3}
    if kind == "counterparty-kind":
        if "owner" in cond.kinds:
            return {"counterparty": "某公司", "counterparty_kind": "organisation"}
        return {"counterparty": "OWN-0001", "counterparty_kind": "owner"}
    raise AssertionError(kind)


CONDITIONS = [(g.use, condition_id(g, c), c) for g in DEFAULT.guidance for c in g.conditions]


@pytest.mark.parametrize(("use", "cid", "cond"), CONDITIONS, ids=[c[1] for c in CONDITIONS])
def test_condition_unmet(gate: Path, use: str, cid: str, cond) -> None:  # type: ignore[no-untyped-def]
    d = run(gate, use=use, **_violate(cond.kind, use, cond))
    assert verdict_of(d, cid) == "unmet"
    assert d.verdict == "not-permitted"
    assert cid in d.rule_ids
    r = next(r for r in d.rules if r.id == cid)
    assert r.facts and r.remediation and r.source


@pytest.mark.parametrize(("use", "cid", "cond"), CONDITIONS, ids=[c[1] for c in CONDITIONS])
def test_condition_met(gate: Path, use: str, cid: str, cond) -> None:  # type: ignore[no-untyped-def]
    over = {"assets": ["P-020"]} if cond.when else {}
    d = run(gate, use=use, **over)
    assert verdict_of(d, cid) == "met"
    assert d.verdict == "permitted"


def test_conditional_condition_not_applicable_elsewhere(gate: Path) -> None:
    d = run(gate)  # P-001 is on a road, not in civil-defence works
    assert verdict_of(d, "G-PARKING-OWNER.CIVIL-DEFENCE-TERM") == "not-applicable"


@pytest.mark.parametrize(("over", "needle"), [
    ({"resolution": "R-2099-01"}, "不在账本中"),
    ({"resolution": "R-2024-02"}, "未获通过"),
    ({"resolution": "R-2024-03"}, "第5项"),
    ({"signed": "2024-02-28", "notice_start": "2024-02-01", "notice_end": "2024-02-15"}, "晚于签约日"),
    ({"resolution": "R-2024-04", "assets": ["P-002"]}, "未涵盖资产P-002"),
    ({"resolution": "R-2024-04", "use": "parking-nonowner", "assets": ["P-001"],
      "counterparty": "某公司", "counterparty_kind": "organisation"}, "未涵盖用途"),
])
def test_resolution_condition_details(gate: Path, over: dict, needle: str) -> None:  # type: ignore[type-arg]
    over = dict(over)  # the parameter is shared by every run of this case (mutmut runs it twice)
    use = over.pop("use", "parking-owner")
    d = run(gate, use=use, **over)
    cid = f"{DEFAULT.guidance_for(use).id}.RESOLUTION"  # type: ignore[union-attr]
    r = next(r for r in d.rules if r.id == cid)
    assert r.verdict == "unmet" and needle in r.message, r.message


def test_notice_must_last_the_days_and_end_before_signing(gate: Path) -> None:
    # 7 days including both ends is exactly enough for non-owner parking (Art. 1259).
    ok = run(gate, use="parking-nonowner", notice_start="2024-04-10", notice_end="2024-04-16")
    assert verdict_of(ok, "G-PARKING-NONOWNER.NOTICE") == "met"
    short = run(gate, use="parking-nonowner", notice_start="2024-04-11", notice_end="2024-04-16")
    assert verdict_of(short, "G-PARKING-NONOWNER.NOTICE") == "unmet"
    late = run(gate, use="parking-nonowner", notice_start="2024-04-10", notice_end="2024-04-20")
    assert verdict_of(late, "G-PARKING-NONOWNER.NOTICE") == "unmet"


def test_max_term_boundary(gate: Path) -> None:
    ok = run(gate, use="parking-nonowner", end="2024-10-31")  # 6 months exactly
    assert verdict_of(ok, "G-PARKING-NONOWNER.MAX-TERM") == "met"
    over = run(gate, use="parking-nonowner", end="2024-11-01")
    assert verdict_of(over, "G-PARKING-NONOWNER.MAX-TERM") == "unmet"


def test_owner_counterparty_must_be_in_the_roster(gate: Path) -> None:
    d = run(gate, counterparty="OWN-9999")
    assert verdict_of(d, "G-PARKING-OWNER.COUNTERPARTY-KIND") == "unmet"


def test_affected_owner_without_consent(gate: Path) -> None:
    d = run(gate, use="base-station", affected=["OWN-0001", "OWN-0002"])
    r = next(r for r in d.rules if r.id == "G-BASE-STATION.CONSENTS")
    assert r.verdict == "unmet" and r.facts["missing"] == ["OWN-0002"]


# ---------------------------------------------------------------- default deny and general checks

def test_unlisted_use_is_not_permitted_not_forbidden(gate: Path) -> None:
    d = run(gate, use="storage")
    assert d.verdict == "not-permitted"
    assert verdict_of(d, "DEFAULT-DENY") == "unlisted"
    assert d.rule_ids == ["DEFAULT-DENY"]


def test_listed_use_does_not_hit_default_deny(gate: Path) -> None:
    d = run(gate)
    assert "DEFAULT-DENY" not in [r.id for r in d.rules]


def test_asset_must_be_confirmed_on_start(gate: Path) -> None:
    d = run(gate, assets=["P-011"])
    assert verdict_of(d, "A-ASSET-CONFIRMED") == "unmet" and d.verdict == "not-permitted"
    assert verdict_of(run(gate), "A-ASSET-CONFIRMED") == "met"
    # AD-001 of the small compound is registered but not confirmed
    assert verdict_of(run(gate, use="advertising-lift", assets=["AD-001"]), "A-ASSET-CONFIRMED") == "unmet"


def test_unknown_asset_is_bad_input(gate: Path) -> None:
    with pytest.raises(BadInput, match="unknown asset P-404"):
        run(gate, assets=["P-404"])


def test_decision_as_dict_names_everything(gate: Path) -> None:
    d = run(gate, assets=["P-009"]).as_dict()
    assert d["verdict"] == "forbidden" and d["deciding_rules"] == ["N-FIRE-LANE"]
    assert d["policy_hash"].startswith("sha256:")
    fire = next(r for r in d["rules"] if r["id"] == "N-FIRE-LANE")
    assert fire["facts"]["asset_zones"] == {"P-009": "fire-lane,road"}
    assert "消防法" in fire["source"]


def test_guidance_rule_not_in_effect_falls_to_default_deny(gate: Path) -> None:
    g = DEFAULT.guidance_for("vending")
    assert g is not None
    later = g.model_copy(update={"effective_from": dt.date(2030, 1, 1)})
    ps = DEFAULT.model_copy(update={"guidance": [later if x.id == g.id else x for x in DEFAULT.guidance]})
    p = Proposal.from_mapping(mapping("vending"), "test")
    d = decide(p, loaded(gate), ps)
    assert d.verdict == "not-permitted" and d.rule_ids == ["DEFAULT-DENY"]
    assert "不适用" in d.reasons


def test_decide_is_pure(gate: Path) -> None:
    from conftest import snapshot

    before = snapshot(gate)
    run(gate, assets=["P-009"])
    run(gate, use="storage")
    assert snapshot(gate) == before


# ---------------------------------------------------------------- properties


@pytest.fixture(scope="module")
def gate_loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import datetime as _dt

    from conftest import SMALL_REGISTRY, SMALL_UNITS, append

    from assetreg.scaffold import init_compound

    root = tmp_path_factory.mktemp("prop") / "demo"
    init_compound(root, "测试小区", _dt.date(2020, 1, 1))
    append(root / "units.beancount", SMALL_UNITS)
    append(root / "registry.beancount", SMALL_REGISTRY)
    gate_root(root)
    return loaded(root)


PROPOSALS = st.fixed_dictionaries({
    "use": st.sampled_from(sorted(USES)),
    "assets": st.lists(st.sampled_from(["P-001", "P-002", "P-009", "P-010", "R-01", "R-04", "AD-004", "EB-01",
                                        "V-01", "S-01", "P-011", "P-020"]), min_size=1, max_size=3, unique=True),
    "facts": st.fixed_dictionaries({k: st.booleans() for k in PROPOSAL_FACTS}),
    "deposit": st.sampled_from(["0", "1000.00"]),
    "resolution": st.sampled_from(["R-2024-01", "R-2024-02", None]),
    "end": st.sampled_from(["2024-10-31", "2026-12-31"]),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(PROPOSALS)
def test_forbid_overrides_and_default_deny(gate_loaded, kw) -> None:  # type: ignore[no-untyped-def]
    d = decide(Proposal.from_mapping(mapping(**kw), "prop"), gate_loaded, DEFAULT)
    negatives = [r for r in d.rules if r.kind == "negative"]
    assert len(negatives) == len(DEFAULT.negative)  # every negative rule is evaluated, always
    if "P-009" in kw["assets"] or "P-010" in kw["assets"] or kw["facts"]["hazardous"]:
        assert d.verdict == "forbidden"
    if any(r.verdict == "forbidden" for r in negatives):
        assert d.verdict == "forbidden"
    elif DEFAULT.guidance_for(kw["use"]) is None:
        assert d.verdict == "not-permitted" and "DEFAULT-DENY" in d.rule_ids
    elif "P-011" in kw["assets"]:  # never confirmed
        assert d.verdict == "not-permitted" and "A-ASSET-CONFIRMED" in d.rule_ids
    assert (d.verdict == "permitted") == (not any(r.decisive for r in d.rules))
    assert all(r.source for r in d.rules)
