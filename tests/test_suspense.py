"""待查明款项: suspense lines listed one by one, assigned to what they are, seal over open lines refused."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import CliRunner
from conftest import append, snapshot
from test_import_bank import contract_text

from assetreg import suspense
from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.ledger import Compound
from importers.testing import write_xlsx

BEAN_CHECK = str(Path(sys.executable).parent / "bean-check")

RESOLUTIONS = """
2024-01-10 custom "resolution" "R-2024-01"
  matter: 8
  passed: TRUE
  title: "关于地面停车位经营的决定"
  assets: "P-*"
  uses: "parking-owner"
2024-01-12 custom "resolution" "R-2024-02"
  matter: 9
  passed: TRUE
  title: "关于以公共收益支付公共区域保洁费用的决定"
2024-01-14 custom "resolution" "R-2024-03"
  matter: 9
  passed: FALSE
  title: "关于购置健身器材的决定"
"""

# A month of the dedicated account: two lines the importer matches, five it cannot.
# date, summary, in, out, counterparty, serial, note
MONTH = [
    (dt.date(2024, 3, 5), "停车费", "150.00", None, "清江浦区便民停车管理有限公司", "SN002", "2024年3月"),
    (dt.date(2024, 3, 10), "账户管理费", None, "5.50", "", "SN004", ""),
    (dt.date(2024, 3, 12), "张三转账", "88.00", None, "张三", "SN005", "13912345678 P-001 3月停车费"),
    (dt.date(2024, 3, 20), "结息", "3.21", None, "", "SN006", ""),
    (dt.date(2024, 3, 25), "保洁费", None, "60.00", "清江浦区洁净保洁服务有限公司", "SN007", "3月公共区域保洁"),
    (dt.date(2024, 3, 26), "成本分成", None, "40.00", "物业服务公司", "SN008", "3月经营成本"),
    (dt.date(2024, 3, 28), "转账", None, "88.00", "张三", "SN009", "退回"),
]


def statement(path: Path, lines=MONTH, opening: Decimal = Decimal("10000.00")) -> Path:
    rows = [["账户明细"], ["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号", "附言"]]
    balance = opening
    for d, s, i, o, cp, sn, note in lines:
        balance += Decimal(i or 0) - Decimal(o or 0)
        rows.append([d.isoformat(), s, i, o, f"{balance:.2f}", cp, sn, note])
    return write_xlsx(path, rows, title="明细")


def run(*args: object, ok: bool = True):  # type: ignore[no-untyped-def]
    res = CliRunner().invoke(main, [str(a) for a in args])
    if ok:
        assert res.exit_code == 0, res.output
    return res


def bean_check(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    return subprocess.run([BEAN_CHECK, str(root / "main.beancount")], capture_output=True, text=True, env=env,
                          timeout=120)


def build_month(small_compound: Path, tmp_path: Path) -> Path:
    """The small compound with a permitted parking contract, resolutions, and March imported."""
    append(small_compound / "contracts.beancount", RESOLUTIONS + contract_text())
    run("import", statement(tmp_path / "stmt.xlsx"), "-L", small_compound)
    return small_compound


@pytest.fixture
def month(small_compound: Path, tmp_path: Path) -> Path:
    return build_month(small_compound, tmp_path)


def open_lines(root: Path, as_of: dt.date | None = None) -> list[suspense.Line]:
    return suspense.open_lines(Compound.locate(root).load().entries, as_of)


def by_ref(root: Path) -> dict[str, suspense.Line]:
    return {ln.bank_ref: ln for ln in open_lines(root)}


def test_list_shows_every_line_not_the_net(month: Path) -> None:
    res = run("suspense", "list", "-L", month, "--json", "--as-of", "2024-04-01")
    rows = json.loads(res.output)["lines"]
    assert [r["bank_ref"] for r in rows] == ["SN005", "SN006", "SN007", "SN008", "SN009"]
    first = rows[0]
    # 88 in and 88 out to the same person: two lines, neither cancels the other
    assert (first["amount"], rows[-1]["amount"]) == ("88.00", "-88.00")
    assert first["counterparty"] == "个人" and first["age_days"] == 20
    assert first["reason"] == "未匹配到合同或物业公司"
    assert first["line"].startswith("S-") and len(first["line"]) == 10
    text = res.output
    assert "张三" not in text and "13912345678" not in text
    # stable ids: the same from the text listing and on a second load
    plain = run("suspense", "list", "-L", month, "--as-of", "2024-04-01").output
    assert all(r["line"] in plain for r in rows)
    assert "5 open line(s) as of 2024-04-01: 91.21 in, -188.00 out" in plain


def test_line_ids_do_not_depend_on_where_entries_sit(month: Path) -> None:
    ids = [ln.id for ln in open_lines(month)]
    journal = month / "journal.beancount"
    text = journal.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    journal.write_text("\n\n".join(reversed(blocks)) + "\n", encoding="utf-8")
    assert sorted(ln.id for ln in open_lines(month)) == sorted(ids)


def test_assign_each_kind_books_it_like_the_importer(month: Path) -> None:
    lines = by_ref(month)
    run("suspense", "assign", lines["SN005"].id, "--contract", "C-2024-009", "--reason", "业主代缴3月停车费", "-L", month)
    run("suspense", "assign", lines["SN006"].id, "--as", "银行结息", "-L", month)
    run("suspense", "assign", lines["SN007"].id, "--as", "other-cost", "--resolution", "R-2024-02", "-L", month)
    run("suspense", "assign", lines["SN008"].id, "--as", "物业经营成本", "-L", month)
    run("suspense", "assign", "SN009", "--as", "refund", "--contract", "C-2024-009", "-L", month)
    assert open_lines(month) == []
    assert bean_check(month).returncode == 0, bean_check(month).stderr
    loaded = Compound.locate(month).load()
    assigned = {e.meta["assigned"]: e for e in loaded.entries
                if isinstance(e, data.Transaction) and "clears" in e.meta}
    pay = assigned["contract"]
    assert (pay.meta["asset"], pay.meta["contract"], pay.meta["period"]) == ("P-001", "C-2024-009", "2024-03")
    assert {p.account: p.units.number for p in pay.postings} == {
        "Liabilities:Suspense:待查明款项": Decimal("88.00"), "Income:Common:停车位": Decimal("-88.00")}
    assert pay.date == dt.date(2024, 3, 12) and pay.meta["reason"] == "业主代缴3月停车费"
    assert assigned["interest"].postings[1].account == "Income:Bank:银行结息"
    assert assigned["other-cost"].meta["resolution"] == "R-2024-02"
    assert assigned["manager-share"].postings[1].account == "Expenses:Manager:物业经营成本"
    refund = assigned["refund"]
    assert refund.postings[1].account == "Income:Common:停车位" and refund.postings[1].units.number == 88
    # the audit reads them like imported lines: no suspense, no spending or income findings
    findings = run_checks(loaded.entries, loaded.options_map, dt.date(2024, 4, 1))
    checks = {f.check for f in findings}
    assert not checks & {"suspense-balance", "spending-no-resolution", "income-no-contract", "manager-cost",
                         "allocation-overdrawn"}, [f.message for f in findings]
    # the original import entries are untouched
    originals = [e for e in loaded.entries if isinstance(e, data.Transaction) and e.meta.get("unmatched")]
    assert len(originals) == 5


@pytest.mark.parametrize(("args", "expect"), [
    (["--as", "other-cost", "--resolution", "R-2024-01"], "item 8"),  # an operating resolution is no authority to spend
    (["--as", "other-cost", "--resolution", "R-2024-03"], "did not pass"),
    (["--as", "other-cost"], "needs the resolution"),
    (["--as", "银行结息"], "money into the account"),
    (["--as", "transfer", "--account", "Assets:Bank:定期存款"], "not open"),
    (["--as", "nonsense"], "unknown kind"),
])
def test_spending_needs_the_right_resolution(month: Path, args: list[str], expect: str) -> None:
    line = by_ref(month)["SN007"]
    before = snapshot(month)
    res = run("suspense", "assign", line.id, *args, "-L", month, ok=False)
    assert res.exit_code == 2 and expect in res.output, res.output
    assert snapshot(month) == before


def test_contract_payment_passes_the_gate_and_confirmation(month: Path) -> None:
    append(month / "contracts.beancount", contract_text("C-2024-010", "AD-001", "淮安某某广告传媒有限公司"))
    append(month / "contracts.beancount", contract_text("C-2024-011", "P-001", "某某公司", decision="not-permitted"))
    line = by_ref(month)["SN005"]
    before = snapshot(month)
    res = run("suspense", "assign", line.id, "--contract", "C-2024-010", "-L", month, ok=False)
    assert res.exit_code == 2 and "AD-001" in res.output and "not confirmed" in res.output
    res = run("suspense", "assign", line.id, "--contract", "C-2024-011", "-L", month, ok=False)
    assert res.exit_code == 2 and "policy gate" in res.output
    res = run("suspense", "assign", line.id, "--contract", "C-2099-001", "-L", month, ok=False)
    assert res.exit_code == 2 and "not recorded" in res.output
    assert snapshot(month) == before


def test_manager_share_within_the_cap(month: Path) -> None:
    # gross income to 2024-03-26 is 150.00; the cap 0.3 allows 45.00; set it to 0.2 → 30.00 < 40.00
    append(month / "accounts.beancount", '\n2024-01-01 custom "assetreg-option" "manager-share-max" "0.2"\n')
    line = by_ref(month)["SN008"]
    res = run("suspense", "assign", line.id, "--as", "manager-share", "-L", month, ok=False)
    assert res.exit_code == 2 and "cap 0.2 (at most 30.00; 30.00 left)" in res.output, res.output


def test_assigning_twice_is_refused_and_reversal_reopens(month: Path) -> None:
    line = by_ref(month)["SN006"]
    run("suspense", "assign", line.id, "--as", "interest", "-L", month)
    res = run("suspense", "assign", line.id, "--as", "interest", "-L", month, ok=False)
    assert res.exit_code == 2 and "already cleared" in res.output
    # a wrong assignment is corrected by reversing it: the line is open again
    run("correct", line.id, "--reason", "其实是退款", "--date", "2024-04-02", "-L", month)
    assert line.id in {ln.id for ln in open_lines(month)}
    assert bean_check(month).returncode == 0


def test_audit_lists_lines_with_age_and_seal_names_them(month: Path) -> None:
    loaded = Compound.locate(month).load()
    found = [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2024, 4, 11))
             if f.check == "suspense-balance"]
    assert len(found) == 5
    first = found[0]
    assert first.facts["age_days"] == "30" and first.facts["bank_ref"] == "SN005"
    assert first.facts["amount"] == "88.00" and first.entries[0].endswith(":" + str(first.entry.meta["lineno"]))
    before = snapshot(month)
    res = run("seal", "--through", "2024-03-31", "--date", "2024-04-05", "-L", month, ok=False)
    assert res.exit_code == 2 and "5 suspense line(s) still open" in res.output
    assert all(ln.id in res.output for ln in open_lines(month))
    assert snapshot(month) == before


def test_lines_that_net_to_zero_still_block_a_seal(month: Path) -> None:
    lines = by_ref(month)
    for ref in ("SN006", "SN007", "SN008"):
        kind = {"SN006": ["--as", "interest"], "SN007": ["--as", "other-cost", "--resolution", "R-2024-02"],
                "SN008": ["--as", "manager-share"]}[ref]
        run("suspense", "assign", lines[ref].id, *kind, "-L", month)
    # 88 in (SN005) and 88 out (SN009): the account's balance is zero, the lines are open
    loaded = Compound.locate(month).load()
    from assetreg.books import of

    assert of(loaded.entries, loaded.options_map).suspense_on(dt.date(2024, 3, 31)) == {
        "Liabilities:Suspense:待查明款项": Decimal("0.00")}
    res = run("seal", "--through", "2024-03-31", "--date", "2024-04-05", "-L", month, ok=False)
    assert "2 suspense line(s) still open" in res.output
    assert lines["SN005"].id in res.output and lines["SN009"].id in res.output


def test_a_hand_written_suspense_entry_is_a_line_too(small_compound: Path) -> None:
    append(small_compound / "journal.beancount", """
2024-06-03 * "银行流水" "未能识别的转入"
  Assets:Bank:共有资金专户  88.00 CNY
  Liabilities:Suspense:待查明款项  -88.00 CNY
""")
    (line,) = open_lines(small_compound)
    assert line.id.startswith("S-") and line.amount == Decimal("88.00") and line.reason == ""
    run("suspense", "assign", line.id, "--as", "interest", "-L", small_compound)
    assert open_lines(small_compound) == []
    assert bean_check(small_compound).returncode == 0


def test_kinds_accept_key_or_label() -> None:
    for key, label in suspense.KINDS.items():
        assert suspense.parse_kind(key) == key == suspense.parse_kind(label)
    assert suspense.parse_kind("物业经营成本") == "manager-share"
    assert suspense.parse_kind(" 其他支出(按决议) ") == "other-cost"


def test_identical_hand_written_lines_get_ids_of_their_own(small_compound: Path) -> None:
    entry = """
2024-06-03 * "银行流水" "未能识别的转入"
  Assets:Bank:共有资金专户  88.00 CNY
  Liabilities:Suspense:待查明款项  -88.00 CNY
"""
    append(small_compound / "journal.beancount", entry * 3)
    ids = [ln.id for ln in open_lines(small_compound)]
    assert len(ids) == 3 == len(set(ids))


def test_a_line_cleared_by_hand_in_two_parts(small_compound: Path) -> None:
    append(small_compound / "journal.beancount", """
2024-06-03 * "银行流水" "未能识别的转入"
  Assets:Bank:共有资金专户  88.00 CNY
  Liabilities:Suspense:待查明款项  -88.00 CNY
2024-06-10 * "物业服务公司" "查明：部分为代收转入"
  Liabilities:Suspense:待查明款项  50.00 CNY
  Assets:Receivable:物业代收  -50.00 CNY
""")
    (line,) = open_lines(small_compound)
    assert line.open == Decimal("-38.00")
    append(small_compound / "journal.beancount", """
2024-06-12 * "物业服务公司" "查明：其余亦为代收转入"
  Liabilities:Suspense:待查明款项  38.00 CNY
  Assets:Receivable:物业代收  -38.00 CNY
""")
    assert open_lines(small_compound) == []
