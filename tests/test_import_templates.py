"""`assetreg template KIND -o FILE.xlsx`: a template is a sheet the importer reads as it is."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from test_policy_support import gate_root

from assetreg.cli import main
from importers.cells import workbook
from importers.kinds import KIND_NAMES, all_importers, choose


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_template_is_recognised_as_its_kind(kind: str, tmp_path: Path) -> None:
    out = tmp_path / f"{kind}.xlsx"
    res = CliRunner().invoke(main, ["template", kind, "-o", str(out)])
    assert res.exit_code == 0, res.output
    with workbook(out) as sheets:
        imp, chosen = choose(out, sheets, all_importers())
    assert imp.kind == kind and chosen[0][1].row == 3  # title, notes, then the header
    ws = load_workbook(out).worksheets[0]
    assert ws.merged_cells.ranges  # merged title cell
    assert all(str(c.value).startswith(("必填", "选填")) for c in ws[2] if c.value is not None)


def test_template_lists_formats_and_no_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "reg.xlsx"
    assert CliRunner().invoke(main, ["template", "register", "-o", str(out)]).exit_code == 0
    ws = load_workbook(out).worksheets[0]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any("停车位" in f and "基站场地" in f for f in lists)
    res = CliRunner().invoke(main, ["template", "register", "-o", str(out)])
    assert res.exit_code == 2 and "already exists" in res.output
    res = CliRunner().invoke(main, ["template", "ballots-x", "-o", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and "unknown template kind" in res.output
    out = tmp_path / "bank.xlsx"
    CliRunner().invoke(main, ["template", "bank", "-o", str(out)])
    ws = load_workbook(out).worksheets[0]
    headers = [c.value for c in ws[3]]
    money_col = headers.index("收入金额") + 1
    assert ws.cell(4, money_col).number_format == "#,##0.00"
    assert ws.cell(4, headers.index("交易日期") + 1).number_format == "yyyy-mm-dd"


def test_contracts_template_lists_the_policy_sets_uses(small_compound: Path, tmp_path: Path) -> None:
    root = gate_root(small_compound)
    out = tmp_path / "c.xlsx"
    res = CliRunner().invoke(main, ["template", "contracts", "-o", str(out), "-L", str(root)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    text = " ".join(str(dv.formula1) for dv in wb.worksheets[0].data_validations.dataValidation)
    if "选项" in wb.sheetnames:
        text += " ".join(str(c.value) for row in wb["选项"].iter_rows() for c in row)
    assert "停车位出租（业主）" in text and "通信基站场地" in text


def test_ballots_template_is_read_by_the_ballot_reader(tmp_path: Path) -> None:
    from importers.ballots import read_ballots

    out = tmp_path / "b.xlsx"
    assert CliRunner().invoke(main, ["template", "ballots", "-o", str(out)]).exit_code == 0
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    assert any("同意" in str(dv.formula1) for dv in ws.data_validations.dataValidation)
    ws.append(["1-101", "同意"])
    ws.append(["1-102", "反对"])
    wb.save(out)
    ballots = read_ballots(out)
    assert len(ballots) == 2
