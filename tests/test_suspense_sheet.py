"""The 待查明 sheet: export the open lines, fill in 归属, import it back — all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SMALL_REGISTRY, SMALL_UNITS, append, snapshot
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from test_import_bank import contract_text
from test_suspense import RESOLUTIONS, bean_check, build_month, open_lines, run, statement

from assetreg import suspense
from assetreg.cli import main
from assetreg.scaffold import init_compound


@pytest.fixture
def month(small_compound: Path, tmp_path: Path) -> Path:
    return build_month(small_compound, tmp_path)


def export(root: Path, path: Path) -> Path:
    run("suspense", "export", "-o", path, "--as-of", "2024-04-01", "-L", root)
    return path


def fill(path: Path, choices: dict[str, dict[str, str]]) -> Path:
    """Fill the exported sheet as a treasurer does in Excel: by bank reference, column by header."""
    wb = load_workbook(path)
    ws = wb.active
    header = {c.value: c.column for c in ws[3]}
    for row in ws.iter_rows(min_row=4):
        ref = row[header["流水号"] - 1].value
        for label, value in choices.get(ref, {}).items():
            ws.cell(row[0].row, header[label], value)
    wb.save(path)
    return path


GOOD = {
    "SN005": {"归属": "合同收款", "合同编号": "C-2024-009", "说明": "业主代缴"},
    "SN006": {"归属": "银行结息"},
    "SN007": {"归属": "其他支出（按决议）", "决议编号": "R-2024-02"},
    "SN008": {"归属": "物业经营成本（第282条）"},
    "SN009": {"归属": "退款", "合同编号": "C-2024-009"},
}


def test_export_has_the_open_lines_a_drop_down_and_no_formulas(month: Path, tmp_path: Path) -> None:
    # a 摘要 that looks like a formula stays text
    append(month / "journal.beancount", """
2024-03-30 * "个人" "=HYPERLINK(\\"http://x\\")"
  Assets:Bank:共有资金专户  1.00 CNY
  Liabilities:Suspense:待查明款项  -1.00 CNY
""")
    path = export(month, tmp_path / "待查明.xlsx")
    ws = load_workbook(path).active
    header = [c.value for c in ws[3]]
    assert header[:9] == ["编号", "日期", "金额", "对方", "流水号", "摘要提示", "未匹配原因", "账龄(天)", "归属"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert [r[4] for r in rows] == ["SN005", "SN006", "SN007", "SN008", "SN009", None]
    assert all(r[8] is None for r in rows)
    formula = next(c for r in ws.iter_rows(min_row=4) for c in r if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"' + ",".join(suspense.KINDS.values()) + '"' and "I4" in str(dv.sqref)
    res = run("suspense", "export", "-o", path, "-L", month, ok=False)
    assert res.exit_code == 2 and "already exists" in res.output


def test_filled_sheet_imports_once(month: Path, tmp_path: Path) -> None:
    path = fill(export(month, tmp_path / "待查明.xlsx"), GOOD)
    res = run("import", path, "-L", month)
    assert "待查明款项归属表 (suspense)" in res.output
    assert open_lines(month) == []
    assert bean_check(month).returncode == 0
    before = snapshot(month)
    res = run("import", path, "-L", month)
    assert "5 row(s) already in the ledger" in res.output
    assert snapshot(month) == before


def test_rows_left_blank_stay_open(month: Path, tmp_path: Path) -> None:
    path = fill(export(month, tmp_path / "待查明.xlsx"), {"SN006": GOOD["SN006"]})
    res = run("import", path, "-L", month)
    assert "4 row(s) without 归属 left open" in res.output
    assert [ln.bank_ref for ln in open_lines(month)] == ["SN005", "SN007", "SN008", "SN009"]


def test_every_bad_cell_is_named_and_nothing_is_written(month: Path, tmp_path: Path) -> None:
    bad = dict(GOOD)
    bad["SN006"] = {"归属": "收益"}  # not a kind
    bad["SN007"] = {"归属": "其他支出（按决议）", "决议编号": "R-2024-01"}  # an operating resolution
    bad["SN008"] = {"归属": "合同收款", "合同编号": "C-2024-009"}  # money out is no payment
    path = fill(export(month, tmp_path / "待查明.xlsx"), bad)
    before = snapshot(month)
    res = run("import", path, "-L", month, ok=False)
    assert res.exit_code == 2, res.output
    assert f"{path}:待查明款项:5:I(归属): unknown kind '收益'" in res.output
    assert f"{path}:待查明款项:6:L(决议编号): resolution R-2024-01 decided Art. 278 item 8" in res.output
    assert f"{path}:待查明款项:7:" in res.output and "money into the account" in res.output
    assert "3 errors" in res.output
    assert snapshot(month) == before


def test_a_changed_amount_or_unknown_line_is_an_error(month: Path, tmp_path: Path) -> None:
    path = fill(export(month, tmp_path / "待查明.xlsx"), {"SN006": {"归属": "银行结息", "金额": 4.21}})
    res = run("import", path, "-L", month, ok=False)
    assert "C(金额): the sheet says 4.21" in res.output
    path = fill(export(month, tmp_path / "b.xlsx"), {"SN006": {"归属": "银行结息", "编号": "S-00000000"}})
    res = run("import", path, "-L", month, ok=False)
    assert "A(编号): no suspense line 'S-00000000'" in res.output


def test_a_line_cleared_since_the_export_counts_as_there(month: Path, tmp_path: Path) -> None:
    path = fill(export(month, tmp_path / "待查明.xlsx"), GOOD)
    run("suspense", "assign", "SN006", "--as", "fee", "-L", month, ok=False)  # money in: refused
    run("suspense", "assign", "SN006", "--as", "interest", "-L", month)
    res = run("import", path, "-L", month)
    assert "1 line(s) were cleared since the export" in res.output
    assert open_lines(month) == []


# ---------------------------------------------------------------- property: all or nothing, once

_BASE: dict[str, Path] = {}


def _base() -> Path:
    """One compound with March imported, built once; each example works on a copy."""
    if "root" not in _BASE:
        tmp = Path(tempfile.mkdtemp(prefix="suspense-sheet-"))
        root = tmp / "demo"
        init_compound(root, "测试小区", dt.date(2020, 1, 1))
        append(root / "units.beancount", SMALL_UNITS)
        append(root / "registry.beancount", SMALL_REGISTRY)
        (root / "documents" / "P-001.pdf").write_bytes(b"%PDF-1.4\n")
        append(root / "contracts.beancount", RESOLUTIONS + contract_text())
        run("import", statement(tmp / "stmt.xlsx"), "-L", root)
        export(root, tmp / "base.xlsx")
        _BASE["root"], _BASE["sheet"] = root, tmp / "base.xlsx"
    return _BASE["root"]


# For each line: a value a treasurer may put in each cell, good or bad.
CELLS = {
    "SN005": [{}, GOOD["SN005"], {"归属": "合同收款"}, {"归属": "合同收款", "合同编号": "C-2099-001"},
              {"归属": "合同收款", "合同编号": "c-2024-009", "资产编号": "P-001"}],
    "SN006": [{}, GOOD["SN006"], {"归属": "interest"}, {"归属": "银行手续费"}, {"归属": "收入"}],
    "SN007": [{}, GOOD["SN007"], {"归属": "其他支出", "决议编号": "R-2024-03"}, {"归属": "other-cost"}],
    "SN008": [{}, GOOD["SN008"], {"归属": "银行手续费"}, {"归属": "本小区账户间转账", "转入账户": "Assets:Bank:不存在"}],
    "SN009": [{}, GOOD["SN009"], {"归属": "退款"}, {"归属": "退款", "决议编号": "R-2024-02"}],
}
BAD = {("SN005", 2), ("SN005", 3), ("SN006", 3), ("SN006", 4), ("SN007", 2), ("SN007", 3), ("SN008", 3),
       ("SN009", 2), ("SN009", 3)}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # a shrink step re-imports a compound: slow
@given(picks=st.fixed_dictionaries({ref: st.integers(0, len(v) - 1) for ref, v in CELLS.items()}))
def test_import_is_all_or_nothing_and_idempotent(picks: dict[str, int], tmp_path_factory: pytest.TempPathFactory) -> None:
    base = _base()
    work = tmp_path_factory.mktemp("ex")
    root = work / "demo"
    shutil.copytree(base, root, ignore=shutil.ignore_patterns(".assetreg.lock"))
    sheet = shutil.copy(_BASE["sheet"], work / "待查明.xlsx")
    fill(Path(sheet), {ref: CELLS[ref][i] for ref, i in picks.items()})
    before = snapshot(root)
    res = CliRunner().invoke(main, ["import", str(sheet), "-L", str(root)])
    bad = [ref for ref, i in picks.items() if (ref, i) in BAD]
    if bad:
        assert res.exit_code == 2, res.output
        assert snapshot(root) == before
        assert res.output.count(f"{sheet}:待查明款项:") == len(bad), res.output
        return
    assert res.exit_code == 0, res.output
    chosen = {ref for ref, i in picks.items() if i}
    assert {ln.bank_ref for ln in open_lines(root)} == set(CELLS) - chosen
    after = snapshot(root)
    again = CliRunner().invoke(main, ["import", str(sheet), "-L", str(root)])
    assert again.exit_code == 0 and snapshot(root) == after
    if chosen:
        assert bean_check(root).returncode == 0
