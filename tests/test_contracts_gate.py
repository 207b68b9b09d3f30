"""The gate end to end: `contract check|record|list|show|end` and the Python `record` API."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import snapshot
from test_policy_support import gate_root, mapping

from assetreg.cli import main
from assetreg.contracts import content_hash, contracts_from_entries, schedule
from assetreg.errors import BadInput
from assetreg.ledger import Compound
from assetreg.policy import Proposal, load_policy_set, record

EXAMPLES = Path(__file__).resolve().parent.parent / "policies" / "examples"


@pytest.fixture
def gate(small_compound: Path) -> Path:
    return gate_root(small_compound)


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output


def write(tmp_path: Path, name: str, m: dict) -> Path:  # type: ignore[type-arg]
    p = tmp_path / name
    p.write_text(yaml.safe_dump(m, allow_unicode=True), encoding="utf-8")
    return p


def bean_check(root: Path) -> None:
    r = subprocess.run(["bean-check", str(root / "main.beancount")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def _without_decisions(snap: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in snap.items() if k != "decisions.beancount"}


# ---------------------------------------------------------------- examples shipped in policies/

def test_shipped_examples(gate: Path) -> None:
    code, out = cli("contract", "check", str(EXAMPLES / "parking-owner-ok.yaml"), "-L", str(gate))
    assert code == 0, out
    assert "verdict: permitted" in out and "N-FIRE-LANE" in out and "消防法" not in out  # one line
    code, out = cli("contract", "check", str(EXAMPLES / "parking-owner-ok.yaml"), "-L", str(gate), "--verbose")
    assert code == 0 and "N-FIRE-LANE" in out and "消防法" in out
    code, out = cli("contract", "check", str(EXAMPLES / "parking-fire-lane-forbidden.yaml"), "-L", str(gate))
    assert code == 1 and "verdict: forbidden" in out and "✗ N-FIRE-LANE" in out
    code, out = cli("contract", "check", str(EXAMPLES / "parking-nonowner-too-long.yaml"), "-L", str(gate))
    assert code == 1 and "verdict: not-permitted" in out
    assert "G-PARKING-NONOWNER.MAX-TERM" in out and "G-PARKING-NONOWNER.DEPOSIT" in out
    code, out = cli("contract", "check", str(EXAMPLES / "storage-unlisted.yaml"), "-L", str(gate))
    assert code == 1 and "DEFAULT-DENY" in out and "forbidden" not in out.split("rules evaluated")[0]


def test_check_json_and_writes_nothing(gate: Path) -> None:
    before = snapshot(gate)
    code, out = cli("contract", "check", str(EXAMPLES / "parking-fire-lane-forbidden.yaml"),
                    "-L", str(gate), "--json")
    assert code == 1
    d = json.loads(out)
    assert d["verdict"] == "forbidden" and d["deciding_rules"] == ["N-FIRE-LANE"]
    assert all({"id", "verdict", "facts", "message", "remediation", "source"} <= set(r) for r in d["rules"])
    assert snapshot(gate) == before


@pytest.mark.parametrize(("change", "needle"), [
    ({"price": "abc"}, "field price"),
    ({"use": "Parking Owner"}, "field use"),
    ({"colour": "red"}, "field colour"),
    ({"end": "2024-04-01"}, "before start"),
    ({"counterparty": "110101199003071234", "counterparty_kind": "non-owner"}, "ID-card"),
    ({"counterparty": "张三", "counterparty_kind": "owner"}, "pseudonymous key"),
    ({"start": "2024-13-01"}, "start"),
    ({"assets": ["P-404"]}, "unknown asset P-404"),
    ({"id": "C-2024-001"}, "already recorded"),
])
def test_bad_input_exit_2_names_field_and_writes_nothing(gate: Path, tmp_path: Path, change: dict,  # type: ignore[type-arg]
                                                         needle: str) -> None:
    ok = write(tmp_path, "ok.yaml", mapping(id="C-2024-001"))
    assert cli("contract", "record", str(ok), "-L", str(gate), "--date", "2024-04-20")[0] == 0
    before = snapshot(gate)
    bad = write(tmp_path, "bad.yaml", mapping(**{"id": "C-2024-002", **change}))
    for cmd in ("check", "record"):
        code, out = cli("contract", cmd, str(bad), "-L", str(gate))
        assert code == 2, out
        assert needle in out and "fix:" in out, out
    assert snapshot(gate) == before


def test_missing_field_names_the_fix(gate: Path, tmp_path: Path) -> None:
    m = mapping()
    del m["counterparty_kind"]
    code, out = cli("contract", "check", str(write(tmp_path, "c.yaml", m)), "-L", str(gate))
    assert code == 2 and "counterparty_kind" in out and "owner, organisation or non-owner" in out


# ---------------------------------------------------------------- record

def test_record_permitted_writes_contract_with_decision(gate: Path, tmp_path: Path) -> None:
    f = write(tmp_path, "c.yaml", mapping(id="C-2024-001", end="2025-04-30"))
    code, out = cli("contract", "record", str(f), "-L", str(gate), "--date", "2024-04-20")
    assert code == 0, out
    bean_check(gate)
    c = contracts_from_entries(Compound.locate(gate).load().entries)["C-2024-001"]
    assert c.meta["decision"] == "permitted"
    assert c.meta["policy_set"] == "huaian-qingjiangpu"
    assert str(c.meta["policy_hash"]).startswith("sha256:")
    assert "G-PARKING-OWNER" in c.meta["rules"] and "N-FIRE-LANE" in c.meta["rules"]
    assert c.meta["content_hash"] == c.content_hash()
    assert c.meta["decided"].isoformat() == "2024-04-20"
    assert [d.period for d in schedule(c)][:2] == ["2024-05", "2024-06"] and len(schedule(c)) == 12
    assert str(c.price) == "150.00" and str(c.manager_share) == "0.30"
    assert (gate / "decisions.beancount").read_text(encoding="utf-8").count("custom") == 0


def test_denied_record_changes_no_ledger_file_but_logs_the_decision(gate: Path) -> None:
    before = snapshot(gate)
    code, out = cli("contract", "record", str(EXAMPLES / "parking-fire-lane-forbidden.yaml"),
                    "-L", str(gate), "--date", "2024-04-20")
    assert code == 1, out
    after = snapshot(gate)
    assert _without_decisions(after) == _without_decisions(before)
    log = after["decisions.beancount"].decode("utf-8")
    assert 'custom "decision" "C-2024-009" "forbidden"' in log
    assert 'rules: "N-FIRE-LANE"' in log and "消防" in log and 'policy_set: "huaian-qingjiangpu"' in log
    assert "C-2024-009" not in contracts_from_entries(Compound.locate(gate).load().entries)
    bean_check(gate)


@pytest.mark.parametrize(("name", "verdict", "rule"), [
    ("parking-nonowner-too-long.yaml", "not-permitted", "G-PARKING-NONOWNER.MAX-TERM"),
    ("storage-unlisted.yaml", "not-permitted", "DEFAULT-DENY"),
])
def test_rejections_are_logged_with_reasons(gate: Path, name: str, verdict: str, rule: str) -> None:
    before = snapshot(gate)
    code, _ = cli("contract", "record", str(EXAMPLES / name), "-L", str(gate))
    assert code == 1
    assert _without_decisions(snapshot(gate)) == _without_decisions(before)
    log = (gate / "decisions.beancount").read_text(encoding="utf-8")
    assert f'"{verdict}"' in log and rule in log and "reasons:" in log


def test_record_in_one_transaction_sees_earlier_staged_contracts(gate: Path) -> None:
    c = Compound.locate(gate)
    first = Proposal.from_mapping(mapping(id="C-2024-001"), "row 1")
    second = Proposal.from_mapping(mapping(id="C-2024-002", counterparty="OWN-0002",
                                           start="2024-08-01", end="2024-12-31"), "row 2")
    with c.transaction() as txn:
        ps = load_policy_set(c, txn.loaded)
        assert record(txn, first, ps).verdict == "permitted"
        d2 = record(txn, second, ps)
        with pytest.raises(BadInput, match="already recorded"):
            record(txn, first, ps)
    assert d2.verdict == "not-permitted" and d2.rule_ids == ["A-NO-OVERLAP"]
    overlap = next(r for r in d2.rules if r.id == "A-NO-OVERLAP")
    assert overlap.facts["overlapping"][0]["contract"] == "C-2024-001"
    found = contracts_from_entries(c.load().entries)
    assert set(found) == {"C-2024-001"}
    assert 'custom "decision" "C-2024-002" "not-permitted"' in (gate / "decisions.beancount").read_text("utf-8")


def test_overlap_rule_triggers_and_not(gate: Path, tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", mapping(id="C-2024-001"))
    assert cli("contract", "record", str(first), "-L", str(gate))[0] == 0
    clash = write(tmp_path, "b.yaml", mapping(id="C-2024-002", counterparty="OWN-0002", start="2024-10-31",
                                              end="2025-01-31"))
    code, out = cli("contract", "check", str(clash), "-L", str(gate))
    assert code == 1 and "A-NO-OVERLAP" in out and "C-2024-001" in out
    after = write(tmp_path, "c.yaml", mapping(id="C-2024-003", counterparty="OWN-0002", start="2024-11-01",
                                              end="2025-01-31"))
    assert cli("contract", "check", str(after), "-L", str(gate))[0] == 0
    # ending the first contract early frees the space
    code, out = cli("contract", "end", "C-2024-001", "--date", "2024-09-01", "--reason", "业主搬离", "-L", str(gate))
    assert code == 0, out
    early = write(tmp_path, "d.yaml", mapping(id="C-2024-004", counterparty="OWN-0002", start="2024-09-01",
                                              end="2024-12-31"))
    assert cli("contract", "check", str(early), "-L", str(gate))[0] == 0
    bean_check(gate)


def test_contract_end_is_an_event(gate: Path, tmp_path: Path) -> None:
    f = write(tmp_path, "a.yaml", mapping(id="C-2024-001"))
    assert cli("contract", "record", str(f), "-L", str(gate))[0] == 0
    text_before = (gate / "contracts.beancount").read_text("utf-8")
    assert cli("contract", "end", "C-2024-001", "--date", "2024-08-01", "--reason", "提前解约", "-L", str(gate))[0] == 0
    text_after = (gate / "contracts.beancount").read_text("utf-8")
    assert text_after.startswith(text_before)  # appended, nothing edited
    before = snapshot(gate)
    for args in (["C-2024-001", "--date", "2024-09-01", "--reason", "again"],
                 ["C-2024-404", "--date", "2024-09-01", "--reason", "x"]):
        code, out = cli("contract", "end", *args, "-L", str(gate))
        assert code == 2 and "fix:" in out
    assert snapshot(gate) == before
    code, out = cli("contract", "show", "C-2024-001", "-L", str(gate), "--json")
    d = json.loads(out)
    assert d["ended"] == "2024-08-01" and d["end"] == "2024-07-31" and len(d["schedule"]) == 3
    assert d["content_hash_ok"] is True
    code, out = cli("contract", "list", "-L", str(gate))
    assert code == 0 and "C-2024-001" in out and "提前终止" in out


def test_end_date_outside_term_is_bad_input(gate: Path, tmp_path: Path) -> None:
    f = write(tmp_path, "a.yaml", mapping(id="C-2024-001"))
    assert cli("contract", "record", str(f), "-L", str(gate))[0] == 0
    code, out = cli("contract", "end", "C-2024-001", "--date", "2026-01-01", "--reason", "x", "-L", str(gate))
    assert code == 2 and "outside the term" in out


def test_content_hash_matches_what_importers_compare(gate: Path) -> None:
    p = Proposal.from_mapping(mapping(id="C-2024-001", price=150.0, manager_share="30%"), "row")
    c = Compound.locate(gate)
    with c.transaction() as txn:
        record(txn, p, load_policy_set(c, txn.loaded))
    k = contracts_from_entries(c.load().entries)["C-2024-001"]
    assert k.content_hash() == content_hash(p.terms()) == k.meta["content_hash"]


def test_compound_override_applies_to_check(gate: Path, tmp_path: Path) -> None:
    (gate / "policy.yaml").write_text(
        "extends: huaian-qingjiangpu\nparams:\n  G-PARKING-NONOWNER.MAX-TERM: {months: 3}\n", encoding="utf-8")
    f = write(tmp_path, "a.yaml", mapping("parking-nonowner"))
    code, out = cli("contract", "check", str(f), "-L", str(gate), "--json")
    d = json.loads(out)
    assert code == 1 and d["deciding_rules"] == ["G-PARKING-NONOWNER.MAX-TERM"]
    assert d["policy_set"] == f"huaian-qingjiangpu+{gate.name}"


def test_example_folder_copy_is_valid_yaml() -> None:
    for p in EXAMPLES.glob("*.yaml"):
        Proposal.from_yaml(p)
    assert shutil.which("bean-check")


def test_money_is_exact_to_the_fen(gate: Path, tmp_path: Path) -> None:
    code, out = cli("contract", "check", str(write(tmp_path, "a.yaml", mapping(price="150.005"))), "-L", str(gate))
    assert code == 2 and "more than two decimals" in out
    p = Proposal.from_mapping(mapping(price=150), "t")
    assert str(p.terms()["price"]) == "150.00 CNY"


@pytest.mark.slow
def test_two_concurrent_records_on_one_space_admit_exactly_one(gate: Path, tmp_path: Path) -> None:
    """The gate decides under the compound's lock against the ledger reloaded there."""
    files = [write(tmp_path, f"{i}.yaml", mapping(id=f"C-2024-10{i}", counterparty=f"OWN-000{i}"))
             for i in (1, 2)]
    procs = [subprocess.Popen(["assetreg", "contract", "record", str(f), "-L", str(gate)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for f in files]
    codes = sorted(p.wait(timeout=120) for p in procs)
    assert codes == [0, 1]
    found = contracts_from_entries(Compound.locate(gate).load().entries)
    assert len(found) == 1
    assert "A-NO-OVERLAP" in (gate / "decisions.beancount").read_text("utf-8")
    bean_check(gate)
