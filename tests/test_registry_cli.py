"""Every lifecycle transition through the CLI, and every bad input leaving files unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import append, snapshot

from assetreg.cli import main


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "-L", str(root)])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def ok(root: Path, *args: str) -> str:
    code, out = run(root, *args)
    assert code == 0, out
    return out


def bad(root: Path, *args: str, expect: str) -> str:
    before = snapshot(root)
    code, out = run(root, *args)
    assert code == 2, out
    assert expect in out, out
    assert "fix:" in out or "Usage" in out or "Error" in out
    assert snapshot(root) == before, "a failed command changed the ledger"
    return out


def status(root: Path, asset_id: str) -> str:
    return json.loads(ok(root, "asset", "show", asset_id, "--json"))["status"]


@pytest.fixture
def compound(small_compound: Path) -> Path:
    (small_compound / "documents" / "P-002.pdf").write_bytes(b"%PDF-1.4\n")
    ok(small_compound, "asset", "add", "P-002", "--kind", "parking", "--location", "2号楼北侧",
       "--zones", "road", "--basis", "民法典第275条", "--date", "2024-02-01")
    return small_compound


def test_full_happy_path(compound: Path) -> None:
    assert status(compound, "P-002") == "registered"
    ok(compound, "asset", "notice", "P-002", "--date", "2024-02-05")
    assert status(compound, "P-002") == "noticed"
    ok(compound, "asset", "confirm", "P-002", "--date", "2024-02-20", "--evidence", "documents/P-002.pdf")
    shown = json.loads(ok(compound, "asset", "show", "P-002", "--json"))
    assert shown["status"] == "confirmed"
    assert [e["action"] for e in shown["history"]] == ["registered", "noticed", "confirmed"]
    assert shown["evidence"] == ["documents/P-002.pdf"]
    # the evidence got an explicit document entry (the documents-folder scan skips Chinese accounts)
    assert 'document Equity:Registry:确权档案 "documents/P-002.pdf"' in (compound / "registry.beancount").read_text()


def test_window_is_inclusive_of_its_last_day(compound: Path) -> None:
    ok(compound, "asset", "notice", "P-002", "--date", "2024-02-05", "--days", "15")
    # 02-05 .. 02-19 is the window; an objection on its last day is accepted
    ok(compound, "asset", "object", "P-002", "--date", "2024-02-19", "--by", "OWN-0001", "--reason", "异议")
    # recorded against the notice in force
    assert '"objected"\n  by: "OWN-0001"\n  notice: 2024-02-05' in (compound / "registry.beancount").read_text()
    bad(compound, "asset", "object", "P-002", "--date", "2024-02-20", "--reason", "迟到的异议",
        expect="outside the notice window")


def test_confirm_inside_window_refused(compound: Path) -> None:
    ok(compound, "asset", "notice", "P-002", "--date", "2024-02-05")
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-02-19", "--evidence", "documents/P-002.pdf",
        expect="notice window runs until 2024-02-19")


def test_confirm_with_open_objection_refused_then_dispute_resolve_renotice(compound: Path) -> None:
    ok(compound, "asset", "notice", "P-002", "--date", "2024-02-05")
    ok(compound, "asset", "object", "P-002", "--date", "2024-02-06", "--by", "DEV-0000", "--reason", "开发商主张权属")
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-03-01", "--evidence", "documents/P-002.pdf",
        expect="open objection")
    ok(compound, "asset", "dispute", "P-002", "--date", "2024-03-01", "--reason", "权属争议")
    assert status(compound, "P-002") == "disputed"
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-03-02", "--evidence", "documents/P-002.pdf",
        expect="status is disputed")
    bad(compound, "asset", "notice", "P-002", "--date", "2024-03-02", expect="resolve the dispute first")
    ok(compound, "asset", "resolve", "P-002", "--date", "2024-04-01", "--reason", "开发商撤回主张")
    assert status(compound, "P-002") == "registered"
    ok(compound, "asset", "notice", "P-002", "--date", "2024-04-02")
    ok(compound, "asset", "confirm", "P-002", "--date", "2024-04-17", "--evidence", "documents/P-002.pdf")
    assert status(compound, "P-002") == "confirmed"


def test_confirm_needs_evidence(compound: Path) -> None:
    ok(compound, "asset", "notice", "P-002", "--date", "2024-02-05")
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-03-01", expect="needs evidence")
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-03-01", "--evidence", "documents/missing.pdf",
        expect="not found")
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-03-01", "--evidence", "../../etc/passwd",
        expect="contains '..'")  # refused for the '..' itself (issue 14), before looking for the file


def test_confirm_without_notice_needs_resolution(compound: Path) -> None:
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-03-01", "--evidence", "documents/P-002.pdf",
        expect="never put under public notice")
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-03-01", "--evidence", "documents/P-002.pdf",
        "--resolution", "R-9", expect="no such resolution")
    append(compound / "contracts.beancount",
           '\n2024-02-25 custom "resolution" "R-FAIL"\n  matter: 9\n  passed: FALSE\n'
           '\n2024-02-26 custom "resolution" "R-OK"\n  matter: 9\n  passed: TRUE\n')
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-03-01", "--evidence", "documents/P-002.pdf",
        "--resolution", "R-FAIL", expect="did not pass")
    bad(compound, "asset", "confirm", "P-002", "--date", "2024-02-25", "--evidence", "documents/P-002.pdf",
        "--resolution", "R-OK", expect="adopted on 2024-02-26")
    ok(compound, "asset", "confirm", "P-002", "--date", "2024-03-01", "--evidence", "documents/P-002.pdf",
       "--resolution", "R-OK")
    assert status(compound, "P-002") == "confirmed"


def test_exclude_is_final(compound: Path) -> None:
    ok(compound, "asset", "exclude", "P-002", "--date", "2024-02-10", "--reason", "位于消防车道")
    assert status(compound, "P-002") == "excluded"
    bad(compound, "asset", "notice", "P-002", "--date", "2024-02-11", expect="excluded is final")


def test_confirmed_asset_can_be_disputed(compound: Path) -> None:
    ok(compound, "asset", "dispute", "P-001", "--date", "2024-06-01", "--reason", "法院受理权属诉讼")
    assert status(compound, "P-001") == "disputed"


def test_bad_inputs_change_nothing(compound: Path) -> None:
    bad(compound, "asset", "notice", "P-999", "--date", "2024-02-05", expect="unknown asset")
    bad(compound, "asset", "notice", "P-002", "--date", "2024-13-05", expect="malformed --date")
    bad(compound, "asset", "notice", "P-002", "--date", "2024-01-01", expect="before the last event")
    bad(compound, "asset", "add", "P-002", "--kind", "parking", "--location", "x", "--date", "2024-02-02",
        expect="already registered")
    bad(compound, "asset", "add", "bad id", "--kind", "parking", "--location", "x", expect="malformed asset id")
    bad(compound, "asset", "add", "P-003", "--kind", "parking", "--location", "x", "--zones", "moon",
        expect="unknown zone")
    bad(compound, "asset", "add", "P-003", "--kind", "boat", "--location", "x", expect="boat")
    bad(compound, "unit", "add", "3-101", "--building", "3", "--area", "-5", "--owner", "OWN-9",
        expect="area must be positive")
    bad(compound, "unit", "add", "3-101", "--building", "3", "--area", "abc", "--owner", "OWN-9",
        expect="malformed area")
    bad(compound, "unit", "add", "3-101", "--building", "3", "--area", "90", "--owner", "张三",
        expect="malformed owner key")
    bad(compound, "unit", "add", "3-101", "--building", "3", "--area", "90", "--owner", "OWN13812345678",
        expect="phone number")
    bad(compound, "unit", "add", "1-101", "--building", "1", "--area", "90", "--owner", "OWN-9",
        expect="already in the roster")
    bad(compound, "asset", "object", "P-002", "--reason", "x", "--date", "2024-02-03",
        expect="not under public notice")
    bad(compound, "asset", "dispute", "P-002", "--date", "2024-02-03", "--reason", " ", expect="needs a reason")


def test_missing_ledger_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["asset", "list", "-L", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "not a compound ledger" in result.output


def test_unit_roster_counts(small_compound: Path) -> None:
    data = json.loads(ok(small_compound, "unit", "list", "--json"))
    assert data["unit_count"] == 5
    # OWN-0001, OWN-0002 (two units), and the developer's two unsold units as one head
    assert data["headcount"] == 3
    assert data["total_area_fraction"] == "500"
    ok(small_compound, "unit", "add", "3-101", "--building", "3", "--area", "88.88", "--owner", "OWN-0003",
       "--date", "2024-01-01")
    data = json.loads(ok(small_compound, "unit", "list", "--json"))
    assert data["headcount"] == 4
    assert data["total_area_fraction"] == str(__import__("fractions").Fraction("588.88"))


def test_init_refuses_to_overwrite(small_compound: Path) -> None:
    before = snapshot(small_compound)
    result = CliRunner().invoke(main, ["init", str(small_compound), "--name", "别的小区"])
    assert result.exit_code == 2
    assert "never overwrites" in result.output
    assert snapshot(small_compound) == before


def test_list_filters_and_json(compound: Path) -> None:
    data = json.loads(ok(compound, "asset", "list", "--json", "--status", "confirmed"))
    assert [a["id"] for a in data["assets"]] == ["P-001"]
    assert data["counts"]["registered"] == 2
    out = ok(compound, "asset", "list", "--kind", "advertising")
    assert "AD-001" in out and "P-001" not in out.splitlines()[0]
