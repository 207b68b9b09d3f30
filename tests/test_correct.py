"""冲正: reversals and replacements, never an edit; corrections of sealed entries after the seal;
a disclosure published once unless revised; allocations never beyond 期末累计未分配."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from conftest import append, snapshot
from test_suspense import bean_check, build_month, by_ref, run, statement

from assetreg.audit import run_checks
from assetreg.ledger import Compound


@pytest.fixture
def month(small_compound: Path, tmp_path: Path) -> Path:
    return build_month(small_compound, tmp_path)


def txns(root: Path) -> list[data.Transaction]:
    return [e for e in Compound.locate(root).load().entries if isinstance(e, data.Transaction)]


def test_correct_by_bank_ref_reverses_and_replaces(month: Path) -> None:
    journal = (month / "journal.beancount").read_text(encoding="utf-8")
    # SN002 was booked as March parking income; it was in fact the contract's deposit
    run("correct", "SN002", "--reason", "对方附言有误，实为押金", "--as", "收取押金", "--contract", "C-2024-009",
        "--date", "2024-04-02", "-L", month)
    assert (month / "journal.beancount").read_text(encoding="utf-8").startswith(journal)  # appended only
    rev = next(t for t in txns(month) if "reverses" in t.meta)
    new = next(t for t in txns(month) if "replaces" in t.meta)
    assert rev.narration.startswith("冲正：") and rev.meta["reason"] == "对方附言有误，实为押金"
    assert rev.meta["corrects"].startswith("journal.beancount:") and "corrects_sealed" not in rev.meta
    assert (rev.meta["asset"], rev.meta["contract"], rev.meta["period"]) == ("P-001", "C-2024-009", "2024-03")
    assert {p.account: p.units.number for p in rev.postings} == {
        "Assets:Bank:共有资金专户": Decimal("-150.00"), "Income:Common:停车位": Decimal("150.00")}
    assert {p.account: p.units.number for p in new.postings} == {
        "Assets:Bank:共有资金专户": Decimal("150.00"), "Liabilities:Deposits:经营押金": Decimal("-150.00")}
    assert new.meta["contract"] == "C-2024-009"
    assert bean_check(month).returncode == 0
    # once reversed, the same entry is not reversed again
    loaded = Compound.locate(month).load()
    before = snapshot(month)
    res = run("correct", rev.meta["reverses"], "--reason", "再来一次", "--as", "deposit", "--contract", "C-2024-009",
              "-L", month, ok=False)
    assert res.exit_code == 2 and "already reversed" in res.output
    assert snapshot(month) == before
    # the bank ref now names the replacement, the entry that holds the money
    run("correct", "SN002", "--reason", "还是停车费", "--to-contract", "C-2024-009", "--date", "2024-04-03", "-L", month)
    reversals = [t for t in txns(month) if "reverses" in t.meta]
    assert len(reversals) == 2 and reversals[1].meta["reverses"] == new.meta["import_id"]
    assert bean_check(month).returncode == 0
    del loaded


def test_a_bank_line_is_not_reversed_alone(month: Path) -> None:
    before = snapshot(month)
    res = run("correct", "SN002", "--reason", "重复", "-L", month, ok=False)
    assert res.exit_code == 2 and "the bank really did" in res.output
    assert snapshot(month) == before


def test_correct_by_file_line_and_a_booking_the_bank_did_not_make(month: Path) -> None:
    append(month / "journal.beancount", """
2024-03-31 * "物业服务公司" "3月代收停车费（重复录入）"
  contract: "C-2024-009"
  period: "2024-03"
  Assets:Receivable:物业代收  100.00 CNY
  Income:Common:停车位  -100.00 CNY
    asset: "P-001"
""")
    e = next(t for t in txns(month) if t.narration.endswith("（重复录入）"))
    ref = f"journal.beancount:{e.meta['lineno']}"
    run("correct", ref, "--reason", "重复录入", "--date", "2024-04-01", "-L", month)
    rev = next(t for t in txns(month) if "reverses" in t.meta)
    assert rev.meta["corrects"] == ref and rev.meta["reverses"].startswith("E-")
    assert bean_check(month).returncode == 0


def test_correction_of_a_sealed_entry_is_posted_after_the_seal(month: Path) -> None:
    lines = by_ref(month)
    for ref, kind in (("SN005", ["--contract", "C-2024-009"]), ("SN006", ["--as", "interest"]),
                      ("SN007", ["--as", "other-cost", "--resolution", "R-2024-02"]),
                      ("SN008", ["--as", "manager-share"]), ("SN009", ["--as", "refund", "--contract", "C-2024-009"])):
        run("suspense", "assign", lines[ref].id, *kind, "-L", month)
    run("seal", "--through", "2024-03-31", "--date", "2024-04-05", "-L", month)
    before = snapshot(month)
    res = run("correct", "SN002", "--reason", "实为押金", "--as", "deposit", "--contract", "C-2024-009",
              "--date", "2024-03-31", "-L", month, ok=False)
    assert res.exit_code == 2 and "inside the period sealed through 2024-03-31" in res.output
    assert snapshot(month) == before
    res = run("correct", "SN002", "--reason", "实为押金", "--as", "deposit", "--contract", "C-2024-009",
              "--date", "2024-04-06", "-L", month)
    assert "sealed period" in res.output
    rev = next(t for t in txns(month) if "reverses" in t.meta)
    assert rev.date == dt.date(2024, 4, 6) and rev.meta["corrects_sealed"] == dt.date(2024, 3, 31)
    r = bean_check(month)
    assert r.returncode == 0, r.stdout + r.stderr
    loaded = Compound.locate(month).load()
    checks = {f.check for f in run_checks(loaded.entries, loaded.options_map, dt.date(2024, 4, 7))}
    assert "seal-broken" not in checks and "suspense-at-seal" not in checks


def test_replacement_goes_through_the_same_rules(month: Path) -> None:
    before = snapshot(month)
    res = run("correct", "SN002", "--reason", "x", "--as", "other-cost", "-L", month, ok=False)
    assert res.exit_code == 2 and "money out of the account" in res.output
    res = run("correct", "SN002", "--reason", "x", "--as", "deposit-return", "--contract", "C-2024-009", "-L", month,
              ok=False)
    assert res.exit_code == 2
    assert snapshot(month) == before


# ---------------------------------------------------------------- disclosure and allocations

def test_disclose_twice_adds_one_entry_and_a_revision_is_explicit(month: Path, tmp_path: Path) -> None:
    def disclosures() -> list[data.Custom]:
        return [e for e in Compound.locate(month).load().entries
                if isinstance(e, data.Custom) and e.type == "disclosure"]

    out = tmp_path / "公示.xlsx"
    run("disclose", "--period", "2024-03", "-o", out, "--date", "2024-04-10", "-L", month)
    res = run("disclose", "--period", "2024-03", "-o", out, "--date", "2024-04-11", "-L", month)
    assert "no new ledger entry" in res.output
    assert len(disclosures()) == 1
    # the figures change (a late correction): publishing again needs --revise and a reason
    run("correct", "SN002", "--reason", "实为押金", "--as", "deposit", "--contract", "C-2024-009",
        "--date", "2024-03-31", "-L", month)
    before = snapshot(month)
    res = run("disclose", "--period", "2024-03", "-o", out, "--date", "2024-04-12", "-L", month, ok=False)
    assert res.exit_code == 2 and "--revise" in res.output
    assert snapshot(month) == before
    res = run("disclose", "--period", "2024-03", "-o", out, "--date", "2024-04-12", "--revise", "-L", month, ok=False)
    assert res.exit_code == 2 and "reason" in res.output
    run("disclose", "--period", "2024-03", "-o", out, "--date", "2024-04-12", "--revise", "--reason", "更正押金误记为收入",
        "-L", month)
    first, second = disclosures()
    assert second.meta["revises"] == first.date and second.meta["reason"] == "更正押金误记为收入"
    assert second.meta["revises_digest"] == first.meta["digest"] != second.meta["digest"]
    res = run("disclose", "--period", "2024-04", "-o", tmp_path / "x.xlsx", "--date", "2024-05-12", "--revise",
              "--reason", "r", "-L", month, ok=False)
    assert res.exit_code == 2 and "nothing to revise" in res.output


ALLOCATION = """
2024-03-30 * "业委会" "补充维修资金"
  resolution: "R-2024-02"
  Expenses:Allocation:补充维修资金  {amount} CNY
  Assets:Bank:共有资金专户  -{amount} CNY
"""


@pytest.fixture
def lean(small_compound: Path, tmp_path: Path) -> Path:
    """March imported into an account that opened empty: nothing carried forward."""
    from test_suspense import RESOLUTIONS, contract_text

    append(small_compound / "contracts.beancount", RESOLUTIONS + contract_text())
    run("import", statement(tmp_path / "stmt.xlsx", opening=Decimal(0)), "-L", small_compound)
    return small_compound


def test_money_carried_forward_counts_as_undistributed(month: Path) -> None:
    append(month / "journal.beancount", ALLOCATION.format(amount="10150.00"))  # opening 10000.00 + 150.00 earned
    loaded = Compound.locate(month).load()
    assert "allocation-overdrawn" not in {f.check for f in run_checks(loaded.entries, loaded.options_map,
                                                                      dt.date(2024, 4, 1))}


@pytest.mark.parametrize(("amount", "found"), [("150.00", False), ("150.01", True)])
def test_audit_reports_an_allocation_beyond_what_was_earned(lean: Path, amount: str, found: bool) -> None:
    month = lean
    append(month / "journal.beancount", ALLOCATION.format(amount=amount))  # net income to date: 150.00
    loaded = Compound.locate(month).load()
    over = [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2024, 4, 1))
            if f.check == "allocation-overdrawn"]
    assert bool(over) == found
    if found:
        assert over[0].facts["undistributed"] == "-0.01" and over[0].facts["allocated"] == amount


def test_allocating_beyond_the_undistributed_is_refused(lean: Path) -> None:
    month = lean
    # SN007 (60.00 out) as a top-up of the maintenance fund is fine with 150.00 earned …
    append(month / "journal.beancount", ALLOCATION.format(amount="100.00"))
    line = by_ref(month)["SN007"]
    before = snapshot(month)
    res = run("suspense", "assign", line.id, "--as", "补充维修资金", "--resolution", "R-2024-02", "-L", month, ok=False)
    # … but 100.00 already went on 2024-03-30 and 60.00 more on 2024-03-25 leaves -10.00 by then
    assert res.exit_code == 2 and "allocation-overdrawn" in res.output and "-10.00" in res.output, res.output
    assert snapshot(month) == before


def test_bank_import_refuses_an_allocation_beyond_the_undistributed(lean: Path, tmp_path: Path) -> None:
    month = lean
    later = [(dt.date(2024, 4, 2), "划转维修资金 R-2024-02", None, "500.00", "某某区住房维修资金管理中心", "SN020", "")]
    opening = Decimal("150.00") - Decimal("5.50") + Decimal("88.00") + Decimal("3.21") \
        - Decimal("60.00") - Decimal("40.00") - Decimal("88.00")
    before = snapshot(month)
    res = run("import", statement(tmp_path / "apr.xlsx", later, opening), "-L", month, ok=False)
    assert res.exit_code == 2 and "allocation-overdrawn" in res.output, res.output
    assert snapshot(month) == before


def test_disclosure_shows_the_undistributed_at_the_period_end(month: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    append(month / "journal.beancount", ALLOCATION.format(amount="1000.00"))
    out = tmp_path / "公示.xlsx"
    run("disclose", "--period", "2024-03", "-o", out, "--date", "2024-04-10", "-L", month)
    rows = {r[0]: r[1] for r in load_workbook(out)["概要"].iter_rows(values_only=True)}
    # 10000.00 carried forward + 150.00 net income − 1000.00 allocated
    assert rows["期末累计未分配"] == 9150
