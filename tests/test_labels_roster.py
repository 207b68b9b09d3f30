"""Roster import: a 楼栋 that contradicts the 房号 is an error; a blank one is taken from the
房号 and the import says so."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import snapshot

from assetreg.cli import main
from assetreg.ledger import Compound
from assetreg.units import roster_from_entries
from importers.roster import _building_key, building_of
from importers.testing import write_xlsx

HEADER = ["房号", "楼栋", "专有部分面积", "业主编号", "开发商未售"]


def run(*args: object) -> tuple[int, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.output


def test_building_from_the_unit_number() -> None:
    assert building_of("3-1-502") == "3" and building_of("A-1201") == "A"
    assert building_of("1201") is None and building_of("-12") is None
    assert _building_key("3号楼") == _building_key("03") == _building_key("3栋") == _building_key("3") == "3"
    assert _building_key("13") != _building_key("3")


def test_a_contradicting_building_is_an_error_of_its_row(empty_compound: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "名册.xlsx", [HEADER, ["3-1-502", "3号楼", 89.5, "OWN-0001", "否"],
                                              ["3-1-602", "5", 89.5, "OWN-0002", "否"]], title="名册")
    before = snapshot(empty_compound)
    code, out = run("import", xlsx, "-L", empty_compound, "--date", "2024-01-01")
    assert code == 2, out
    assert ":名册:3:B(楼栋): building '5' contradicts unit number 3-1-602 (building 3)" in out
    assert ":2:" not in out  # 3号楼 is building 3
    assert snapshot(empty_compound) == before


def test_a_blank_building_is_derived_and_reported(empty_compound: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "名册.xlsx", [HEADER, ["3-1-502", None, 89.5, "OWN-0001", "否"],
                                              ["7-2-101", "", 120, "OWN-0002", "否"],
                                              ["9-1-101", "9", 100, "OWN-0003", "否"]])
    code, out = run("import", xlsx, "-L", empty_compound, "--date", "2024-01-01")
    assert code == 0, out
    assert "楼栋 derived from 房号 for 2 unit(s) with a blank 楼栋: 3-1-502 → 3, 7-2-101 → 7" in out
    units = roster_from_entries(Compound.locate(empty_compound).load().entries).units
    assert {n: u.building for n, u in units.items()} == {"3-1-502": "3", "7-2-101": "7", "9-1-101": "9"}


def test_a_blank_building_that_cannot_be_derived_is_an_error(empty_compound: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "名册.xlsx", [["房号", "专有部分面积", "业主编号"], ["1201", 89.5, "OWN-0001"]])
    code, out = run("import", xlsx, "-L", empty_compound, "--date", "2024-01-01")
    assert code == 2 and "empty, and unit number 1201 does not begin with its building" in out, out
