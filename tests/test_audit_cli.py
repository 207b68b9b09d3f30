"""`assetreg audit` exit codes and reports, and which findings fail `bean-check` through the plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import append
from openpyxl import load_workbook
from test_audit import CLEAN_TAIL, RESOLUTION, contract_text, full_year, income

from assetreg.cli import main

BEAN_CHECK = str(Path(sys.executable).parent / "bean-check")
AS_OF = "2025-12-31"


def bean_check(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    return subprocess.run([BEAN_CHECK, str(root / "main.beancount")], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.fixture
def books(small_compound: Path) -> Path:
    append(small_compound / "contracts.beancount", RESOLUTION + contract_text())
    append(small_compound / "journal.beancount", full_year() + CLEAN_TAIL)
    return small_compound


def audit(root: Path, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["audit", "-L", str(root), "--as-of", AS_OF, *extra],
                              catch_exceptions=False)


def test_clean_books_exit_0(books: Path) -> None:
    r = audit(books)
    assert r.exit_code == 0, r.output
    assert "0 error, 0 warning" in r.output
    assert bean_check(books).returncode == 0


def test_findings_exit_1_with_file_line_and_rule(books: Path) -> None:
    append(books / "journal.beancount", income("2025-03-31", "2025-03"))  # contract ended 2024-07-31
    r = audit(books)
    assert r.exit_code == 1
    assert "[income-no-contract]" in r.output and "journal.beancount:" in r.output
    assert "rule: 民法典第278条" in r.output


def test_json_and_xlsx_reports(books: Path, tmp_path: Path) -> None:
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace(income("2024-04-30", "2024-04"), ""),
                       encoding="utf-8")
    out = tmp_path / "audit.xlsx"
    r = audit(books, "--json", "--xlsx", str(out))
    assert r.exit_code == 1
    report = json.loads(r.output)
    assert report["counts"]["warning"] >= 1
    arrears = [f for f in report["findings"] if f["check"] == "billing-arrears"]
    assert arrears and arrears[0]["facts"]["period"] == "2024-04" and arrears[0]["entries"]
    ws = load_workbook(out)["审计发现"]
    assert ws["A1"].value == "严重程度" and any(c.value == "billing-arrears" for c in ws["B"])


def test_balance_assertion_failure_is_a_bean_check_finding(books: Path) -> None:
    append(books / "journal.beancount", "\n2025-01-01 balance Assets:Bank:共有资金专户  1.00 CNY\n")
    r = audit(books, "--json")
    assert r.exit_code == 1
    report = json.loads(r.output)
    hits = [f for f in report["findings"] if f["check"] == "bean-check" and "Balance failed" in f["message"]]
    assert hits and hits[0]["entries"][0].startswith(str(books / "journal.beancount") + ":")


def test_missing_ledger_exits_2(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["audit", "-L", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "assetreg init" in r.output


def test_bad_xlsx_path_exits_2(books: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["audit", "-L", str(books), "--xlsx", str(tmp_path / "a.txt")])
    assert r.exit_code == 2 and ".xlsx" in r.output


# ------------------------------------------------------------- through bean-check

@pytest.mark.parametrize(("extra", "check"), [
    (income("2025-03-31", "2025-03"), "[income-no-contract]"),
    (income("2024-05-31", "2024-05", contract=None).replace("2024-05 停车位", "2024-05 补记 停车位"),
     "[income-no-contract]"),
])
def test_book_errors_fail_bean_check(books: Path, extra: str, check: str) -> None:
    append(books / "journal.beancount", extra)
    r = bean_check(books)
    assert r.returncode != 0 and check in r.stdout + r.stderr


def test_gate_failure_fails_bean_check(small_compound: Path) -> None:
    append(small_compound / "contracts.beancount", RESOLUTION + contract_text(tamper=True))
    append(small_compound / "journal.beancount", full_year())
    r = bean_check(small_compound)
    assert r.returncode != 0 and "[contract-gate]" in r.stdout + r.stderr
    assert "journal.beancount:" in r.stdout + r.stderr  # reported at each income transaction


def test_business_findings_do_not_fail_bean_check_unless_configured(books: Path) -> None:
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace(income("2024-04-30", "2024-04"), ""),
                       encoding="utf-8")
    assert audit(books).exit_code == 1  # arrears for 2024-04
    assert bean_check(books).returncode == 0
    append(books / "accounts.beancount",
           '\n2020-01-01 custom "assetreg-option" "audit-errors" "billing-arrears"\n')
    r = bean_check(books)
    assert r.returncode != 0 and "[billing-arrears] 合同 C-2024-001 账期 2024-04" in r.stdout + r.stderr


EXAMPLE = Path(__file__).resolve().parents[1] / "ledgers" / "qjp-jinghu-garden"


@pytest.mark.skipif(not (EXAMPLE / "main.beancount").is_file(), reason="example compound not present")
def test_example_compound_has_business_findings_but_no_book_errors() -> None:
    r = CliRunner().invoke(main, ["audit", "-L", str(EXAMPLE), "--json", "--as-of", "2026-11-27"],
                           catch_exceptions=False)
    report = json.loads(r.output)
    assert report["counts"]["error"] == 0, [f["message"] for f in report["findings"] if f["severity"] == "error"]
    assert report["counts"]["warning"] > 0 and r.exit_code == 1
    assert bean_check(EXAMPLE).returncode == 0
