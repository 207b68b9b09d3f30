"""Issue 14: a recorded contract edited by hand -- its content_hash recomputed, so the hash
check passes -- is caught by re-running the policy gate on it, in the audit and in bean-check."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assetreg.audit import run_checks
from assetreg.contracts import content_hash, contracts_from_entries
from assetreg.ledger import Compound

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "ledgers" / "qjp-jinghu-garden"
BEAN_CHECK = str(Path(sys.executable).parent / "bean-check")
CID = "C-2026-N01"  # parking let to a non-owner: 2,000 a month, six months at most, share 0.3


def copy_example(tmp_path: Path) -> Path:
    root = tmp_path / "qjp-jinghu-garden"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".*", "sources", "reports"))
    return root


def edit_contract(root: Path, cid: str, changes: dict[str, str]) -> int:
    """Rewrite fields of a recorded contract entry in place and recompute its content_hash,
    as someone who read contracts.py would; returns the entry's line number."""
    path = root / "contracts.beancount"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if f'custom "contract" "{cid}" "recorded"' in line)
    i = start + 1
    while i < len(lines) and lines[i].startswith("  "):
        key = lines[i].strip().split(":", 1)[0]
        if key in changes:
            lines[i] = f"  {key}: {changes[key]}\n"
        i += 1
    path.write_text("".join(lines), encoding="utf-8")
    c = contracts_from_entries(Compound.locate(root).load().entries)[cid]
    text = path.read_text(encoding="utf-8")
    old = c.meta["content_hash"]
    assert c.content_hash() != old  # the edit changed the terms ...
    path.write_text(text.replace(old, content_hash(c.terms), 1), encoding="utf-8")
    return start + 1


def audit(root: Path, *checks: str) -> list:  # type: ignore[type-arg]
    loaded = Compound.locate(root).load()
    return [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2026, 10, 31))
            if f.check in checks]


def bean_check(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    return subprocess.run([BEAN_CHECK, str(root / "main.beancount")], capture_output=True,
                          text=True, env=env, timeout=300)


def test_every_recorded_contract_of_the_example_passes_the_gate_again() -> None:
    assert audit(EXAMPLE, "contract-regate", "contract-regate-policy-changed") == []


@pytest.mark.slow
def test_hand_edited_contract_with_recomputed_hash_is_reported(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    # bean-check remembers a state that re-gated clean (audit.regatecache) ...
    assert bean_check(root).returncode == 0
    line = edit_contract(root, CID, {"price": "1000.00 CNY", "end": "2026-12-31", "manager_share": "0.9"})
    # the content hash agrees again, so the old contract-gate check is silent
    assert audit(root, "contract-gate") == []
    found = audit(root, "contract-regate", "contract-regate-policy-changed")
    assert [f.check for f in found] == ["contract-regate"], found
    f = found[0]
    assert f.severity == "error" and f.facts["contract"] == CID
    assert f.entries[0] == f"{root / 'contracts.beancount'}:{line}"
    rules = f.facts["rules"].split(",")
    assert "A-MANAGER-SHARE-CAP" in rules
    assert any(r.endswith("max-term") or "TERM" in r for r in rules), rules
    assert '"latest_end": "2026-06-30"' in f.facts["rule_facts"] and '"manager_share": "0.9"' in f.facts["rule_facts"]
    assert "第二百八十二条" in f.rule and "contract-regate" in f.message and CID in f.message
    r = bean_check(root)  # ... and the edit changes that state: re-gated again, and refused
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert re.search(rf"contracts\.beancount:{line}:.*\[contract-regate\] 合同{CID}", out), out[:2000]


@pytest.mark.slow
def test_a_forbidden_use_slipped_in_by_hand_is_reported(tmp_path: Path) -> None:
    """Changing the use to one off the guidance list (and the hash with it)."""
    root = copy_example(tmp_path)
    edit_contract(root, CID, {"use": '"dormitory"'})
    found = audit(root, "contract-regate")
    assert len(found) == 1 and found[0].facts["verdict"] in ("forbidden", "not-permitted")
    assert CID in found[0].message


# ---------------------------------------------------------------- the set a contract was recorded under

@pytest.fixture
def recorded_under_old_set(small_compound: Path) -> tuple[Path, str]:
    """C-2024-001 recorded through the gate, then the compound drops parking-owner from its
    guidance list (a stricter policy.yaml): today's set would refuse the contract."""
    from click.testing import CliRunner
    from test_policy_support import gate_root

    from assetreg.cli import main

    root = gate_root(small_compound)
    r = CliRunner().invoke(main, ["contract", "record", str(REPO / "policies" / "examples" / "parking-owner-ok.yaml"),
                                  "-L", str(root), "--date", "2024-04-20"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    (root / "policy.yaml").write_text("extends: huaian-qingjiangpu\ndrop_guidance: [parking-owner]\n",
                                      encoding="utf-8")
    c = contracts_from_entries(Compound.locate(root).load().entries)["C-2024-001"]
    return root, str(c.meta["policy_hash"])


def test_the_gate_archives_the_set_and_the_regate_uses_it(recorded_under_old_set: tuple[Path, str]) -> None:
    root, set_hash = recorded_under_old_set
    archived = root / "policy-sets" / f"{set_hash.removeprefix('sha256:')}.json"
    assert archived.is_file()
    import hashlib
    assert "sha256:" + hashlib.sha256(archived.read_bytes()).hexdigest() == set_hash
    # judged under the set it was recorded under, the contract passes, whatever today's set says
    assert audit(root, "contract-regate", "contract-regate-policy-changed") == []


def test_without_its_archived_set_a_contract_is_judged_by_todays_set_as_a_warning(
        recorded_under_old_set: tuple[Path, str]) -> None:
    root, set_hash = recorded_under_old_set
    archived = root / "policy-sets" / f"{set_hash.removeprefix('sha256:')}.json"
    archived.write_text(archived.read_text(encoding="utf-8").replace('"months":12', '"months":24'),
                        encoding="utf-8")  # an edited archive no longer hashes to its name: not used
    found = audit(root, "contract-regate", "contract-regate-policy-changed")
    assert [(f.check, f.severity) for f in found] == [("contract-regate-policy-changed", "warning")]
    assert "DEFAULT-DENY" in found[0].facts["rules"] and "已变更且未存档" in found[0].message


def test_a_hand_edit_is_an_error_under_the_archived_set(recorded_under_old_set: tuple[Path, str]) -> None:
    root, _ = recorded_under_old_set
    edit_contract(root, "C-2024-001", {"manager_share": "0.9"})
    found = audit(root, "contract-regate", "contract-regate-policy-changed")
    assert [(f.check, f.severity) for f in found] == [("contract-regate", "error")]
    assert "A-MANAGER-SHARE-CAP" in found[0].facts["rules"] and "DEFAULT-DENY" not in found[0].facts["rules"]
