"""Stored XSS at its root (issue 14): outside text never carries markup into the ledger, and
the plugin refuses markup written into a ledger by hand.

Fava 1.30 renders payee, narration and metadata unescaped (``_journal_table.html``), so a
0.01 CNY transfer with 附言 ``<img src=x onerror=alert(7)>`` would run for every resident
on the journal and account pages.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

from beancount import loader
from beancount.core import data
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from assetreg.cli import main
from assetreg.ledger import custom as ledger_custom
from assetreg.plugin import TEXT_MARKUP, markup_findings
from assetreg.textsafe import has_markup, markup_fields, neutralise, neutralise_entry
from importers.testing import write_xlsx

PAYLOAD = "<img src=x onerror=alert(7)>"
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "ledgers" / "qjp-jinghu-garden"


# ------------------------------------------------------------------ neutralise


def test_neutralise_keeps_the_reading_and_drops_the_markup() -> None:
    assert neutralise(PAYLOAD) == "＜img src=x onerror=alert(7)＞"
    assert neutralise("O'Brien <b>") == "O＇Brien ＜b＞"
    assert neutralise("2月\n代收\t公共收益\x00") == "2月 代收 公共收益 "
    assert neutralise("abc\u202edcba") == "abcdcba"  # a bidi override would reverse the line
    assert neutralise("淮安景湖物业服务有限公司 2024年3月停车费") == "淮安景湖物业服务有限公司 2024年3月停车费"
    assert neutralise("") == ""


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_neutralised_text_has_no_markup_and_no_controls(text: str) -> None:
    out = neutralise(text)
    assert not has_markup(out) and "'" not in out
    assert not any(unicodedata.category(c) == "Cc" for c in out)
    assert neutralise(out) == out  # idempotent: a re-import changes nothing
    # only the neutralised characters change
    kept = [c for c in text if c not in "<>'" and unicodedata.category(c) != "Cc"
            and c not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"]
    assert [c for c in out if c not in "＜＞＇ "] == [c for c in kept if c != " "]


def _txn(payee: str, narration: str, **meta: object) -> data.Transaction:
    return data.Transaction(data.new_metadata("x.beancount", 3, meta), dt.date(2024, 3, 1), "*", payee,
                            narration, frozenset(), frozenset(), [])


def test_every_text_field_of_an_entry_is_neutralised_and_found() -> None:
    entry = _txn(PAYLOAD, "附言 " + PAYLOAD, note=PAYLOAD, url="https://x.example/' onmouseover='a()")
    fields = {f for f, _ in markup_fields(entry)}
    assert fields == {"payee", "narration", "note", "url"}
    clean = neutralise_entry(entry)
    assert markup_fields(clean) == []
    assert clean.meta["filename"] == "x.beancount" and clean.meta["lineno"] == 3
    custom = ledger_custom(dt.date(2024, 1, 1), "resolution", ["R-1", PAYLOAD])
    assert [f for f, _ in markup_fields(custom)] == ["values[1]"]
    assert markup_fields(neutralise_entry(custom)) == []
    plain = _txn("物业公司", "4月停车费", asset="P-001")
    assert neutralise_entry(plain) is plain and markup_fields(plain) == []


# ------------------------------------------------------------------ the bank importer


def _statement(path: Path) -> Path:
    rows = [["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号", "附言"],
            ["2024/3/1", "转账", 1500.0, None, 11500.0, "物业服务公司", "SN001", "2月代收公共收益"],
            ["2024/3/12", "转账", 0.01, None, 11500.01, "淮安<b>某某</b>科技有限公司", "SN009", PAYLOAD],
            ["2024/3/13", "转账'", 0.02, None, 11500.03, "", "SN010", "<script>alert(1)</script>"]]
    return write_xlsx(path, rows, title="账户明细")


def test_a_bank_statement_with_markup_is_booked_without_it(small_compound: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["import", str(_statement(tmp_path / "stmt.xlsx")), "-L", str(small_compound)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    text = (small_compound / "journal.beancount").read_text(encoding="utf-8")
    assert "SN009" in text and "SN010" in text  # the lines were booked
    assert "<" not in text and ">" not in text
    # the counterparty is kept, neutralised; 附言 of an organisation or of nobody keeps only
    # ids, periods and domain words (assetreg.privacy), so the payloads there are dropped whole
    assert "淮安＜b＞某某＜/b＞科技有限公司" in text
    entries, errors, _ = loader.load_file(str(small_compound / "main.beancount"))
    assert not [e for e in errors if TEXT_MARKUP in e.message]
    assert markup_findings(entries) == []


# ------------------------------------------------------------------ the plugin


PLANTED = f"""
2024-03-12 * "{PAYLOAD}" "转账 {PAYLOAD}"
  note: "https://bank.example/' onmouseover='alert(1)"
  Assets:Bank:共有资金专户   0.01 CNY
  Liabilities:Suspense:待查明款项  -0.01 CNY
"""


def test_markup_written_by_hand_is_a_bean_check_error_at_its_line(small_compound: Path) -> None:
    journal = small_compound / "journal.beancount"
    line = journal.read_text(encoding="utf-8").count("\n") + 2
    with journal.open("a", encoding="utf-8") as f:
        f.write(PLANTED)
    bean_check = shutil.which("bean-check", path=str(Path(sys.executable).parent)) or "bean-check"
    out = subprocess.run([bean_check, str(small_compound / "main.beancount")], capture_output=True,
                         text=True, check=False)
    assert out.returncode != 0
    errors = [ln for ln in out.stderr.splitlines() + out.stdout.splitlines() if f"[{TEXT_MARKUP}]" in ln]
    assert len(errors) == 3, out.stderr  # payee, narration and the metadata link
    assert all(f"journal.beancount:{line}:" in e for e in errors)
    assert any("payee" in e for e in errors) and any("narration" in e for e in errors)
    assert any("note" in e for e in errors)


def test_the_example_compound_has_no_markup() -> None:
    entries, _, _ = loader.load_file(str(EXAMPLE / "main.beancount"))
    assert markup_findings(entries) == []


def test_a_command_given_markup_refuses_and_writes_nothing(small_compound: Path) -> None:
    before = {p: p.read_bytes() for p in small_compound.glob("*.beancount")}
    res = CliRunner().invoke(main, ["asset", "add", "P-009", "--kind", "parking", "--location", PAYLOAD,
                                    "-L", str(small_compound)])
    assert res.exit_code == 2, res.output
    assert "markup" in res.output and "＜ ＞" in res.output
    assert {p: p.read_bytes() for p in small_compound.glob("*.beancount")} == before
