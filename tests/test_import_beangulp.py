"""Each importer is a beangulp importer too; warnings for floats that are not whole cents."""

from __future__ import annotations

from pathlib import Path

import beangulp
import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner
from test_import_bank import LINES, split_layout

from assetreg.cli import main
from assetreg.errors import BadInput
from importers.bank import BankImporter
from importers.register import RegisterImporter
from importers.roster import RosterImporter
from importers.testing import write_xlsx


def test_bank_importer_through_the_beangulp_interface(small_compound: Path, tmp_path: Path) -> None:
    xlsx = str(split_layout(tmp_path / "stmt.xlsx"))
    imp = BankImporter()
    assert isinstance(imp, beangulp.Importer)
    assert imp.identify(xlsx) and not RosterImporter().identify(xlsx)
    assert not imp.identify(str(tmp_path / "nothing.csv"))
    assert imp.account(xlsx) == "Assets:Bank:共有资金专户"
    existing, _, _ = loader.load_file(str(small_compound / "main.beancount"))
    entries = imp.extract(xlsx, existing)
    assert sum(isinstance(e, data.Transaction) for e in entries) == len(LINES) + 1  # + opening
    assert sum(isinstance(e, data.Balance) for e in entries) == 4


def test_beangulp_extract_raises_on_bad_cells(small_compound: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "r.xlsx", [["资产编号", "资产类型", "位置"], ["P-9", "飞机", "天上"]])
    with pytest.raises(BadInput, match="unknown asset kind"):
        RegisterImporter().extract(str(xlsx), [])


def test_float_money_not_in_whole_cents_is_rounded_with_a_warning(small_compound: Path, tmp_path: Path) -> None:
    rows = [["交易日期", "摘要", "收入金额", "支出金额", "余额"],
            ["2024-03-01", "利息", 1.005, None, 1.01],
            ["2024-03-02", "利息", 2.5, None, 3.51]]
    xlsx = write_xlsx(tmp_path / "f.xlsx", rows, title="明细")
    res = CliRunner().invoke(main, ["import", str(xlsx), "-L", str(small_compound)])
    assert res.exit_code == 0, res.output
    assert f"warning: {xlsx}:明细:2:C(收入金额): amount 1.005 rounded to 1.01" in res.output
    assert ":3:C" not in res.output  # 2.5 is a whole number of cents: no warning
    assert "1.01 CNY" in (small_compound / "journal.beancount").read_text(encoding="utf-8")


# (a .csv is read as text: tests/test_bank_csv.py)
@pytest.mark.parametrize(("name", "content"), [("old.xls", b"\xd0\xcf\x11\xe0junk"),
                                               ("bad.xlsx", b"PK\x03\x04garbage")])
def test_files_that_are_not_xlsx_are_bad_input(small_compound: Path, tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    res = CliRunner().invoke(main, ["import", str(path), "-L", str(small_compound)])
    assert res.exit_code == 2 and "save the sheet from Excel or WPS as .xlsx" in res.output
