"""A treasurer's whole path: contracts sheet → the property company's report → bank statement.

Every file goes in through `assetreg import`, the ledger passes `bean-check` after each,
and the audit sees the one bank line nobody could match.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner
from conftest import append
from test_import_sheets import CONTRACT_HEADER, contract_row, income_rows
from test_policy_support import gate_root

from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.ledger import Compound
from importers.testing import write_xlsx


def imported(root: Path, xlsx: Path) -> str:
    res = CliRunner().invoke(main, ["import", str(xlsx), "-L", str(root)])
    assert res.exit_code == 0, res.output
    check = subprocess.run(["bean-check", str(root / "main.beancount")], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return res.output


def test_contracts_then_report_then_bank(small_compound: Path, tmp_path: Path) -> None:
    root = gate_root(small_compound)
    append(root / "accounts.beancount", '2020-01-01 custom "assetreg-option" "manager-name" "淮安景湖物业服务有限公司"\n')
    contracts = write_xlsx(tmp_path / "合同台账.xlsx", [["经营合同台账"], CONTRACT_HEADER, contract_row(),
                                                       contract_row(id="C-2024-101", use="advertising-lift")])
    imported(root, contracts)
    # The property company collects the parking rent (C-2024-100) and reports it monthly.
    report = write_xlsx(tmp_path / "5月收益.xlsx", income_rows(["2024-05", "P-001", "C-2024-100", "停车", 150, 45, 105],
                                                               ["2024-06", "P-001", "C-2024-100", "停车", 150, 45, 105]))
    imported(root, report)
    # The bank: the company remits what it owes; the advertiser pays C-2024-101 directly,
    # quoting the contract; a stranger's transfer stays in suspense.
    statement = write_xlsx(tmp_path / "对账单.xlsx", [
        ["中国某某银行 账户明细"], ["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号", "附言"],
        ["2024-07-10", "代收公共收益", "210.00", None, "210.00", "淮安景湖物业服务有限公司", "B1", "5-6月"],
        ["2024-07-12", "广告费", "150.00", None, "360.00", "淮安某科技有限公司", "B2", "C-2024-101 2024年7月"],
        ["2024-07-15", "押金", "1,000.00", None, "1,360.00", "淮安某科技有限公司", "B3", "C-2024-101"],
        ["2024-07-20", "转账", "66.00", None, "1,426.00", "王五", "B4", ""],
        ["合计", None, "1,426.00"]])
    out = imported(root, statement)
    assert "1 × 合同收款" in out and "1 × 物业代收转入" in out and "1 × 押金" in out and "1 × 待查明" in out
    c = Compound(root)
    findings = run_checks(c.load().entries, c.load().options_map)
    suspense = [f for f in findings if "66.00" in f.message or "待查明" in f.message]
    assert suspense, [f.message for f in findings]
    journal = (root / "journal.beancount").read_text(encoding="utf-8")
    assert "王五" not in journal
    # Importing the three files again changes nothing.
    before = {p: p.read_bytes() for p in root.glob("*.beancount")}
    for f in (contracts, report, statement):
        imported(root, f)
    assert {p: p.read_bytes() for p in root.glob("*.beancount")} == before
