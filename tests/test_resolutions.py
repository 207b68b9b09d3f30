"""Ballot sheets, `resolution tally|record|list`, and resolutions cited by contracts."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import snapshot
from test_policy_support import mapping

from assetreg.cli import main
from assetreg.errors import BadInput
from assetreg.ledger import Compound
from assetreg.resolutions import make_resolution_check, record_resolution, resolutions_from_entries
from assetreg.tally import tally
from assetreg.units import roster_from_entries
from importers.ballots import read_ballots, write_ballots


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output


# small compound: 1-101 (90, OWN-0001), 1-102 (110, OWN-0002), 1-201 (100, OWN-0002),
# 2-101 (120) and 2-102 (80) unsold. Total area 500, heads 3.
PASSING = [("1-101", "同意"), ("1-102", "同意"), ("1-201", "同意"), ("2-101", "同意")]  # 2-102 silent


def test_read_ballots_with_title_block_and_aliases(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["景湖花园业主大会表决结果"])
    ws.append([])
    ws.append(["序号", "Unit", "Vote", "备注"])
    ws.append([1, "1-101", "yes", ""])
    ws.append([2, " 1-102 ", "弃权", ""])
    ws.append([None, None, None])
    ws.append(["合计", None, None])
    wb.save(tmp_path / "b.xlsx")
    bs = read_ballots(tmp_path / "b.xlsx")
    assert [(b.unit, b.vote, b.row) for b in bs] == [("1-101", "yes", 4), ("1-102", "abstain", 5)]


@pytest.mark.parametrize(("rows", "needle"), [
    ([("1-101", "同意"), ("1-101", "反对")], "row 4: a second ballot for unit 1-101 (first at row 3)"),
    ([("1-101", "也许")], "row 3: cannot read the vote"),
    ([("1-101", "")], "row 3: unit 1-101 has no 表决意见"),
])
def test_ballot_sheet_errors_name_the_row(tmp_path: Path, rows: list[tuple[str, str]], needle: str) -> None:
    write_ballots(tmp_path / "b.xlsx", rows)
    with pytest.raises(BadInput) as err:
        read_ballots(tmp_path / "b.xlsx")
    assert needle in str(err.value)


def test_sheet_without_headers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(BadInput, match="房号 and 表决意见"):
        read_ballots(tmp_path / "x.xlsx")


def test_cli_tally_exit_codes(small_compound: Path, tmp_path: Path) -> None:
    write_ballots(tmp_path / "pass.xlsx", PASSING)
    before = snapshot(small_compound)
    code, out = cli("resolution", "tally", str(tmp_path / "pass.xlsx"), "-L", str(small_compound), "--matter", "8")
    assert code == 0, out
    assert "passed" in out and "≥ 3/4" in out and "≥ 2/3" in out
    code, out = cli("resolution", "tally", str(tmp_path / "pass.xlsx"), "-L", str(small_compound),
                    "--matter", "8", "--json")
    d = json.loads(out)
    assert d["passed"] and d["heads_total"] == 3 and d["area_total"] == "500.00"
    assert [c["ratio"] for c in d["checks"]] == ["21/25", "1", "1", "1"]  # 420/500 of the area took part
    write_ballots(tmp_path / "fail.xlsx", [("1-101", "同意"), ("1-102", "反对"), ("1-201", "反对")])
    assert cli("resolution", "tally", str(tmp_path / "fail.xlsx"), "-L", str(small_compound), "--matter", "8")[0] == 1
    write_ballots(tmp_path / "bad.xlsx", [("1-101", "同意"), ("9-999", "同意")])
    code, out = cli("resolution", "tally", str(tmp_path / "bad.xlsx"), "-L", str(small_compound), "--matter", "8")
    assert code == 2 and "row 4: unknown unit" in out and "fix:" in out
    code, out = cli("resolution", "tally", str(tmp_path / "pass.xlsx"), "-L", str(small_compound), "--matter", "12")
    assert code == 2
    assert snapshot(small_compound) == before


def test_cli_tally_follows_majority_when_the_compound_says_so(small_compound: Path, tmp_path: Path) -> None:
    write_ballots(tmp_path / "b.xlsx", [("1-101", "同意"), ("1-102", "同意")])
    assert cli("resolution", "tally", str(tmp_path / "b.xlsx"), "-L", str(small_compound), "--matter", "5")[0] == 1
    with (small_compound / "accounts.beancount").open("a", encoding="utf-8") as f:
        f.write('2020-01-01 custom "assetreg-option" "follow-majority" "true"\n')
    code, out = cli("resolution", "tally", str(tmp_path / "b.xlsx"), "-L", str(small_compound), "--matter", "5")
    assert code == 0 and "silent unit" in out


def test_record_then_cite(small_compound: Path, tmp_path: Path) -> None:
    write_ballots(tmp_path / "b.xlsx", PASSING)
    code, out = cli("resolution", "record", str(tmp_path / "b.xlsx"), "-L", str(small_compound), "--matter", "8",
                    "--id", "R-2024-01", "--title", "关于地面停车位经营的决定", "--assets", "P-*",
                    "--uses", "parking-owner,parking-nonowner", "--date", "2024-03-01")
    assert code == 0, out
    entries = Compound.locate(small_compound).load().entries
    r = resolutions_from_entries(entries)["R-2024-01"]
    assert r.passed and r.matter == 8 and r.assets == ("P-*",) and r.covers_asset("P-001")
    assert not r.covers_asset("AD-001") and r.covers_use("parking-owner") and not r.covers_use("vending")
    assert str(r.meta["area_participating"]) == "420.00" and r.meta["heads_total"] == 3
    assert make_resolution_check({r.id: r})("R-2024-01", r.date) is None
    # a contract citing it is permitted
    f = tmp_path / "c.yaml"
    f.write_text(yaml.safe_dump(mapping(id="C-2024-001"), allow_unicode=True), encoding="utf-8")
    code, out = cli("contract", "check", str(f), "-L", str(small_compound))
    assert code == 0, out
    # ids are never reused; nothing written on refusal
    before = snapshot(small_compound)
    code, out = cli("resolution", "record", str(tmp_path / "b.xlsx"), "-L", str(small_compound), "--matter", "8",
                    "--id", "R-2024-01", "--title", "x", "--assets", "P-*", "--uses", "parking-owner")
    assert code == 2 and "already recorded" in out
    code, out = cli("resolution", "record", str(tmp_path / "b.xlsx"), "-L", str(small_compound), "--matter", "8",
                    "--id", "R-2024-02", "--title", "x")
    assert code == 2 and "must name its assets and uses" in out
    assert snapshot(small_compound) == before
    code, out = cli("resolution", "list", "-L", str(small_compound))
    assert "R-2024-01" in out and "通过" in out


def test_failed_vote_is_recorded_as_not_passed_and_cannot_be_cited(small_compound: Path, tmp_path: Path) -> None:
    write_ballots(tmp_path / "b.xlsx", [("1-101", "同意"), ("1-102", "反对"), ("1-201", "反对")])
    assert cli("resolution", "record", str(tmp_path / "b.xlsx"), "-L", str(small_compound), "--matter", "8",
               "--id", "R-2024-01", "--title", "否决", "--assets", "P-*", "--uses", "parking-owner",
               "--date", "2024-03-01")[0] == 0
    f = tmp_path / "c.yaml"
    f.write_text(yaml.safe_dump(mapping(id="C-2024-001"), allow_unicode=True), encoding="utf-8")
    code, out = cli("contract", "check", str(f), "-L", str(small_compound))
    assert code == 1 and "未获通过" in out


def test_record_resolution_api_in_one_transaction_with_a_contract(small_compound: Path) -> None:
    from assetreg.policy import Proposal, load_policy_set, record
    from assetreg.tally import Ballot

    c = Compound.locate(small_compound)
    with c.transaction() as txn:
        t = tally([Ballot(u, "yes" if v == "同意" else "no") for u, v in PASSING],
                  roster_from_entries(txn.entries), 8)
        import datetime as dt
        record_resolution(txn, "R-2024-01", dt.date(2024, 3, 1), t, "停车位经营", "P-*", ["parking-owner"])
        d = record(txn, Proposal.from_mapping(mapping(id="C-2024-001"), "api"), load_policy_set(c, txn.loaded))
    assert d.permitted, d.reasons
    text = (small_compound / "contracts.beancount").read_text("utf-8")
    assert text.index('"R-2024-01"') < text.index('"C-2024-001"')
