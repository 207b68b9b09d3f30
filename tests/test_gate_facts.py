"""Issue 13: the gate decides from facts in the ledger, not from what a proposal claims.

The manager's cost share is held to the compound's cap for every use; uses that house
people are recognised from the use and the asset, not from a flag; a rejection is logged once.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import SMALL_REGISTRY, SMALL_UNITS, append, snapshot
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_policy_support import gate_root, loaded, mapping

from assetreg.cli import main
from assetreg.errors import BadInput
from assetreg.ledger import Compound
from assetreg.policy import Decision, Proposal, decide, load_district, load_policy_set, record
from assetreg.scaffold import init_compound
from assetreg.vocab import DWELLING_USES, DWELLING_WORDS, PROPOSAL_FACTS, USES

DEFAULT = load_district("huaian-qingjiangpu")


@pytest.fixture
def gate(small_compound: Path) -> Path:
    return gate_root(small_compound)


def run(root: Path, use: str = "parking-owner", **kw: Any) -> Decision:
    p = Proposal.from_mapping(mapping(use, **kw), "test")
    return decide(p, loaded(root), load_policy_set(Compound.locate(root)))


def rule(d: Decision, rule_id: str) -> Any:
    found = [r for r in d.rules if r.id == rule_id]
    assert found, [r.id for r in d.rules]
    return found[0]


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output


# ---------------------------------------------------------------- the cost-share cap (Art. 282)

def test_owner_parking_with_a_full_manager_share_is_not_permitted(gate: Path) -> None:
    d = run(gate, manager_share="1")  # owner parking has no manager-share condition of its own
    assert d.verdict == "not-permitted" and d.rule_ids == ["A-MANAGER-SHARE-CAP"]
    r = rule(d, "A-MANAGER-SHARE-CAP")
    assert r.verdict == "unmet" and "100%" in r.message and "30%" in r.message
    assert "第二百八十二条" in r.source and r.remediation
    assert r.facts["manager_share"] == 1 and str(r.facts["manager_share_max"]) == "0.3"


@pytest.mark.parametrize(("share", "verdict"), [("0.30", "met"), ("0.3001", "unmet"), ("0", "met"), (None, "not-applicable")])
def test_cap_boundary(gate: Path, share: str | None, verdict: str) -> None:
    d = run(gate, use="base-station", manager_share=share)
    assert rule(d, "A-MANAGER-SHARE-CAP").verdict == verdict
    assert (d.verdict == "permitted") == (verdict != "unmet")


def test_the_compound_setting_is_the_cap(gate: Path) -> None:
    append(gate / "accounts.beancount", '\n2020-01-01 custom "assetreg-option" "manager-share-max" "0.2"\n')
    d = run(gate, use="advertising-lift", manager_share="0.25")
    assert rule(d, "G-AD-LIFT.MANAGER-SHARE").verdict == "met"  # the district's 0.30
    assert rule(d, "A-MANAGER-SHARE-CAP").verdict == "unmet" and "20%" in d.reasons
    assert run(gate, use="advertising-lift", manager_share="0.20").verdict == "permitted"


def test_a_malformed_cap_setting_is_bad_input(gate: Path) -> None:
    append(gate / "accounts.beancount", '\n2020-01-01 custom "assetreg-option" "manager-share-max" "30%"\n')
    with pytest.raises(BadInput, match="manager-share-max"):
        run(gate)


# ---------------------------------------------------------------- uses that house people

@pytest.mark.parametrize(("use", "asset"), [
    ("residential-let", "R-04"),  # a basement let to live in, without the flag
    ("dormitory", "R-04"),
    ("community-room", "R-04"),  # a dormitory written as a community room
    ("community-room-with-sleeping", "R-04"),
    ("staff-housing", "P-020"),  # civil-defence works
    ("residential-let", "P-002"),  # somebody living in a parking space
])
def test_housing_people_underground_is_forbidden_without_any_flag(gate: Path, use: str, asset: str) -> None:
    d = run(gate, use=use, assets=[asset], facts={"residential_use": False})
    assert d.verdict == "forbidden" and "N-UNDERGROUND-DWELLING" in d.rule_ids
    r = rule(d, "N-UNDERGROUND-DWELLING")
    assert r.facts["residential_use"] is True and r.facts["residential_basis"]
    assert r.facts["matched_assets"] == [asset]


@pytest.mark.parametrize(("use", "asset"), [
    ("community-room", "R-01"),  # a community room above ground: no one is presumed to sleep there
    ("vending", "R-04"),  # a basement used for something no one sleeps in
    ("parking-owner", "P-020"),
])
def test_uses_that_house_no_one_are_clear(gate: Path, use: str, asset: str) -> None:
    d = run(gate, use=use, assets=[asset])
    assert rule(d, "N-UNDERGROUND-DWELLING").verdict == "clear"
    assert d.verdict == "permitted", d.reasons


def test_a_dwelling_use_above_ground_is_unlisted_not_forbidden(gate: Path) -> None:
    d = run(gate, use="residential-let", assets=["R-05"])
    assert rule(d, "N-UNDERGROUND-DWELLING").verdict == "clear"
    assert d.verdict == "not-permitted" and "DEFAULT-DENY" in d.rule_ids


def test_the_flag_can_only_add(gate: Path) -> None:
    d = run(gate, use="vending", assets=["R-04"], facts={"residential_use": True})
    assert d.verdict == "forbidden" and "提案申报" in str(rule(d, "N-UNDERGROUND-DWELLING").facts)


@pytest.fixture(scope="module")
def gate_loaded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("facts") / "demo"
    init_compound(root, "测试小区", dt.date(2020, 1, 1))
    append(root / "units.beancount", SMALL_UNITS)
    append(root / "registry.beancount", SMALL_REGISTRY)
    gate_root(root)
    return loaded(root)


DWELLING_NAMES = st.one_of(
    st.sampled_from([*DWELLING_USES, "community-room"]),
    st.tuples(st.sampled_from(sorted(USES)), st.sampled_from(DWELLING_WORDS)).map(lambda t: f"{t[0]}-{t[1]}"),
)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
ANY_TERMS = st.fixed_dictionaries({
    "facts": st.fixed_dictionaries({k: st.booleans() for k in PROPOSAL_FACTS}),
    "counterparty": TEXT,
    "counterparty_kind": st.sampled_from(["organisation", "owner", "non-owner"]),
    "manager_share": st.sampled_from([None, "0", "0.1", "0.3"]),
    "owners_waiting": st.sampled_from([None, 0, 5]),
    "affected": st.sampled_from([[], ["OWN-0001"], ["NOBODY-9999"]]),
    "consents": st.sampled_from([[], ["OWN-0001"], ["NOBODY-9999"]]),
    "resolution": st.sampled_from(["R-2024-01", None]),
})


def _proposal(kw: dict[str, Any]) -> Proposal:
    try:
        return Proposal.from_mapping(mapping(**kw), "prop")
    except BadInput:
        assume(False)
        raise


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(DWELLING_NAMES, st.sampled_from(["R-04", "P-020", "P-002"]), ANY_TERMS)
def test_no_proposal_text_lets_people_live_underground(gate_loaded: Any, use: str, asset: str,
                                                       terms: dict[str, Any]) -> None:
    assume(use != "community-room" or asset != "P-002")  # a community room may take sleepers only underground
    d = decide(_proposal({**terms, "use": use, "assets": [asset]}), gate_loaded, DEFAULT)
    assert d.verdict == "forbidden" and "N-UNDERGROUND-DWELLING" in d.rule_ids


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(USES)), st.sampled_from(["P-009", "P-010", "R-02"]), ANY_TERMS)
def test_no_proposal_text_unforbids_a_zone(gate_loaded: Any, use: str, asset: str, terms: dict[str, Any]) -> None:
    d = decide(_proposal({**terms, "use": use, "assets": [asset]}), gate_loaded, DEFAULT)
    assert d.verdict == "forbidden"


# ---------------------------------------------------------------- a rejection is logged once

def _write(tmp_path: Path, name: str, m: dict[str, Any]) -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(m, allow_unicode=True), encoding="utf-8")
    return p


def test_the_same_denied_proposal_is_logged_once(gate: Path, tmp_path: Path) -> None:
    f = _write(tmp_path, "a.yaml", mapping(id="C-2024-009", assets=["P-009"]))
    code, out = cli("contract", "record", str(f), "-L", str(gate), "--date", "2024-04-20")
    assert code == 1 and "logged in decisions.beancount" in out
    before = snapshot(gate)
    code, out = cli("contract", "record", str(f), "-L", str(gate), "--date", "2024-04-21")
    assert code == 1 and "already rejected" in out and "decisions.beancount:" in out, out
    assert snapshot(gate) == before
    assert (gate / "decisions.beancount").read_text("utf-8").count('"C-2024-009"') == 1


def test_a_changed_proposal_is_logged_again(gate: Path, tmp_path: Path) -> None:
    for i, price in enumerate(("150.00", "160.00")):
        f = _write(tmp_path, f"{i}.yaml", mapping(id="C-2024-009", assets=["P-009"], price=price))
        assert cli("contract", "record", str(f), "-L", str(gate))[0] == 1
    assert (gate / "decisions.beancount").read_text("utf-8").count('"C-2024-009"') == 2


def test_twice_in_one_transaction_stages_one(gate: Path) -> None:
    c = Compound.locate(gate)
    p = Proposal.from_mapping(mapping(id="C-2024-009", assets=["P-009"]), "row")
    with c.transaction() as txn:
        ps = load_policy_set(c, txn.loaded)
        first, second = record(txn, p, ps), record(txn, p, ps)
        assert first.already_logged is None and second.already_logged is not None
        assert len(txn.staged_entries("decisions")) == 1


# ---------------------------------------------------------------- explanations

def test_a_resolution_after_signing_points_to_ratification_not_to_the_date(gate: Path) -> None:
    d = run(gate, signed="2024-02-28", notice_start="2024-02-01", notice_end="2024-02-15")
    r = rule(d, "G-PARKING-OWNER.RESOLUTION")
    assert r.verdict == "unmet" and d.verdict == "not-permitted"
    assert "追认" in r.remediation and "重新记录" in r.remediation
    assert "不得更改" in r.remediation and "更正签约日期" not in r.remediation


def test_a_failed_resolution_says_the_ratios_it_reached(gate: Path) -> None:
    append(gate / "contracts.beancount", '''
2024-03-01 custom "resolution" "R-2024-09"
  matter: 8
  passed: FALSE
  title: "测试决议"
  assets: "P-*"
  uses: "parking-owner"
  area_participating: 400.00
  area_total: 500.00
  heads_participating: 3
  heads_total: 3
  area_approving: 200.00
  heads_approving: 2
  thresholds: "参与：面积与人数均2/3以上；同意：参与面积与人数均3/4以上"
''')
    r = rule(run(gate, resolution="R-2024-09"), "G-PARKING-OWNER.RESOLUTION")
    assert r.verdict == "unmet" and "400.00/500.00（80.00%）" in r.message
    assert "200.00/400.00（50.00%）" in r.message and "2/3（66.66%）" in r.message
    assert "未获通过" in rule(run(gate, resolution="R-2024-02"), "G-PARKING-OWNER.RESOLUTION").message


def test_the_treasurer_reads_the_deciding_rule_first(gate: Path, tmp_path: Path) -> None:
    f = _write(tmp_path, "a.yaml", mapping(id="C-2024-009", assets=["P-020"], end="2027-06-30"))
    code, out = cli("contract", "check", str(f), "-L", str(gate))
    assert code == 1
    lines = out.splitlines()
    first_rule = next(i for i, x in enumerate(lines) if x.startswith("  ✗ "))
    assert "MAX-TERM" in lines[first_rule] and lines[first_rule + 1].strip().startswith("理由:")
    assert "依据（未经核实，非法律规定）" in out  # the reported civil-defence term is not law
    assert "最晚终止日=" in out and "其余" in out and "N-FIRE-LANE" not in out.split("其余")[0]
    code, verbose = cli("contract", "check", str(f), "-L", str(gate), "--verbose")
    assert "《中华人民共和国消防法》第二十八条" in verbose
    code, js = cli("contract", "check", str(f), "-L", str(gate), "--json")
    d = json.loads(js)
    assert any(r["unverified"] for r in d["rules"] if r["id"] == "G-PARKING-OWNER.CIVIL-DEFENCE-TERM")
    assert "未经核实" in d["sources"]


def test_the_rejection_in_the_log_keeps_the_legal_source(gate: Path, tmp_path: Path) -> None:
    f = _write(tmp_path, "a.yaml", mapping(id="C-2024-009", manager_share="1"))
    assert cli("contract", "record", str(f), "-L", str(gate))[0] == 1
    log = (gate / "decisions.beancount").read_text("utf-8")
    assert 'rules: "A-MANAGER-SHARE-CAP"' in log and "sources: \"《民法典》第二百八十二条" in log
