"""Golden files: what each bank layout and sheet kind writes, compared with the stored text.

Each case builds a real .xlsx, runs ``assetreg import --dry-run`` on a fixed compound and
compares the ledger text with ``tests/data/import/<case>.beancount``. Regenerate after an
intended change with ``ASSETREG_REGEN_GOLDEN=1 pytest tests/test_import_golden.py`` and
review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import append
from test_import_bank import LINES, contract_text, debit_credit_layout, signed_layout, split_layout
from test_import_sheets import CONTRACT_HEADER, REGISTER, ROSTER, contract_row, income_rows
from test_policy_support import gate_root

from assetreg.cli import main
from importers.testing import write_xlsx

GOLDEN = Path(__file__).parent / "data" / "import"

# The statement of test_import_bank plus a returned deposit.
MORE = [*LINES, (dt.date(2024, 3, 20), "退还押金", None, "300.00", "11732.50", "清江浦区便民停车管理有限公司", "SN006", "C-2024-009")]


def direction_layout(path: Path, lines=MORE) -> Path:
    rows = [["账户交易明细"], ["交易日期", "借贷标志", "交易金额", "余额", "摘要", "对方户名", "流水号", "附言"]]
    for d, s, i, o, b, cp, sn, note in lines:
        rows.append([d.isoformat(), "贷" if i else "借", i or o, b, s, cp, sn, note])
    return write_xlsx(path, rows, merges=["A1:H1"])


def dry_run(root: Path, xlsx: Path, *extra: str) -> str:
    res = CliRunner().invoke(main, ["import", str(xlsx), "-L", str(root), "--dry-run", *extra])
    assert res.exit_code == 0, res.output
    return res.output


def compare(case: str, text: str) -> None:
    path = GOLDEN / f"{case}.beancount"
    if os.environ.get("ASSETREG_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}; run with ASSETREG_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def bank_compound(small_compound: Path) -> Path:
    append(small_compound / "contracts.beancount", contract_text())
    return small_compound


@pytest.mark.parametrize("layout", [split_layout, signed_layout, debit_credit_layout, direction_layout])
def test_bank_layouts(bank_compound: Path, tmp_path: Path, layout) -> None:
    out = dry_run(bank_compound, layout(tmp_path / "statement.xlsx", MORE))
    entries, _, summary = out.partition("dry run:")
    # Every layout writes the same entries; only the layout note differs.
    compare("bank", entries)
    assert "12 entries would be written to journal.beancount" in summary and "1 × 退还押金" in summary


def test_income_report(bank_compound: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "income.xlsx", income_rows(["2024-03", "P-001", "C-2024-009", "停车", 150, 45, 105],
                                                          ["2024年4月", "", "C-2024-009", "停车", "150.00", "0", "150"]))
    compare("income-report", dry_run(bank_compound, xlsx))


def test_register_and_roster(empty_compound: Path, tmp_path: Path) -> None:
    reg = write_xlsx(tmp_path / "register.xlsx", [r[:7] for r in REGISTER])  # no 登记日期: --date
    compare("register", dry_run(empty_compound, reg, "--date", "2024-02-01"))
    compare("roster", dry_run(empty_compound, write_xlsx(tmp_path / "roster.xlsx", ROSTER)))


def test_contracts(small_compound: Path, tmp_path: Path) -> None:
    root = gate_root(small_compound)
    xlsx = write_xlsx(tmp_path / "contracts.xlsx", [CONTRACT_HEADER, contract_row(),
                                                     contract_row(id="C-2024-101", use="advertising-lift")])
    text = dry_run(root, xlsx)
    # The policy set's hash changes whenever its YAML does; the decision itself must not.
    text = re.sub(r'policy_hash: "sha256:[0-9a-f]+"', 'policy_hash: "sha256:…"', text)
    compare("contracts", text)
