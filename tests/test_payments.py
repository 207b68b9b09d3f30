"""Spending approvals: proposals, each approver's step, the rule, the bank's outflows booked only
on an approved proposal, and the audit of what left without one (issue 15)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner
from conftest import append, snapshot
from test_import_bank import CONTRACT, LINES, split_layout

from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.ledger import Compound
from importers.testing import write_xlsx

MAINT = "淮安市住房专项维修资金管理中心"
BUILDER = "淮安某建筑工程有限公司"
RESOLUTION = """
2024-02-20 custom "resolution" "R-2024-05"
  matter: 9
  passed: TRUE
  title: "关于公共收益使用的决定"
"""


def run(*args: object) -> tuple[int, str]:
    r = CliRunner().invoke(main, [str(a) for a in args])
    return r.exit_code, r.output


def ok(*args: object) -> str:
    code, out = run(*args)
    assert code == 0, out
    return out


@pytest.fixture
def ruled(small_compound: Path) -> Path:
    """The small compound with a contract, a resolution, three committee members, a supervisor and
    the rule: 2 of the committee, above 5000 the supervisor, above 50000 a resolution."""
    root = small_compound
    append(root / "contracts.beancount", CONTRACT + RESOLUTION)
    L = ("-L", root)
    ok("payment", "rule", "--committee", 2, "--supervisor-above", 5000, "--resolution-above", 50000,
       "--window-days", 30, "--date", "2024-03-01", *L)
    for key, group, role in (("OWN-0001", "committee", "业委会主任"), ("OWN-0002", "committee", "委员"),
                             ("OWN-0007", "committee", "委员"), ("SUP-01", "supervisor", "社区居委会")):
        ok("payment", "approver", "add", key, "--group", group, "--role", role, "--date", "2024-03-01", *L)
    return root


def propose(root: Path, amount: str, payee: str = MAINT, purpose: str = "补充维修资金", day: str = "2024-03-02",
            by: str = "OWN-0001", *extra: object) -> str:
    out = ok("payment", "propose", "--amount", amount, "--to", payee, "--purpose", purpose, "--by", by,
             "--date", day, *extra, "-L", root)
    return out.split()[1]


def standing(root: Path, pid: str, day: str) -> dict:
    return json.loads(ok("payment", "show", pid, "--date", day, "--json", "-L", root))


def statement(root: Path, tmp_path: Path, *outflows: tuple) -> None:
    """LINES (balance 12032.50 at the end) followed by outflows (date, amount, counterparty, note)."""
    lines = list(LINES)
    balance = 12032.50
    for n, (day, amount, who, note) in enumerate(outflows):
        balance -= float(amount)
        lines.append((day, "转账支出", None, amount, f"{balance:.2f}", who, f"SN9{n:02d}", note))
    ok("import", split_layout(tmp_path / "stmt.xlsx", lines), "-L", root)


def txn_of(root: Path, ref: str) -> data.Transaction:
    entries, errors, _ = loader.load_file(str(root / "main.beancount"))
    assert not errors, [e.message for e in errors]
    return next(e for e in entries if isinstance(e, data.Transaction) and e.meta.get("bank_ref") == ref)


def findings(root: Path, as_of: str = "2024-06-30") -> list:
    loaded = Compound.locate(root).load()
    return [f for f in run_checks(loaded.entries, loaded.options_map, dt.date.fromisoformat(as_of))
            if f.check.startswith("payment-")]


# ---------------------------------------------------------------- the steps

def test_two_committee_approvals_approve_a_small_payment(ruled: Path) -> None:
    pid = propose(ruled, "1000.00")
    assert pid == "PAY-2024-001"
    assert standing(ruled, pid, "2024-03-02")["state"] == "pending"
    ok("payment", "approve", pid, "--by", "OWN-0002", "--date", "2024-03-03", "-L", ruled)
    s = standing(ruled, pid, "2024-03-03")
    assert s["state"] == "pending" and s["missing"] == ["业委会委员同意1人，需2人"]
    out = ok("payment", "approve", pid, "--by", "OWN-0007", "--date", "2024-03-04", "-L", ruled)
    assert "已批准" in out
    s = standing(ruled, pid, "2024-03-04")
    assert s["state"] == "approved" and [a["by"] for a in s["committee"]] == ["OWN-0002", "OWN-0007"]
    # as of the day before the second approval it was not approved yet
    assert standing(ruled, pid, "2024-03-03")["state"] == "pending"
    assert bean_check(ruled) == 0


def test_above_the_supervisor_line_the_supervisor_must_approve_too(ruled: Path) -> None:
    at_line = propose(ruled, "5000.00")  # 超过 excludes the number itself (Art. 1259)
    above = propose(ruled, "5000.01")
    for pid in (at_line, above):
        for key in ("OWN-0002", "OWN-0007"):
            ok("payment", "approve", pid, "--by", key, "--date", "2024-03-03", "-L", ruled)
    assert standing(ruled, at_line, "2024-03-03")["state"] == "approved"
    s = standing(ruled, above, "2024-03-03")
    assert s["state"] == "pending" and "社区/街道监督人" in s["missing"][0]
    ok("payment", "approve", above, "--by", "SUP-01", "--date", "2024-03-04", "-L", ruled)
    assert standing(ruled, above, "2024-03-04")["state"] == "approved"


def test_above_the_resolution_line_a_passed_resolution_is_needed(ruled: Path) -> None:
    bare = propose(ruled, "60000.00")
    cited = propose(ruled, "60000.00", MAINT, "补充维修资金", "2024-03-02", "OWN-0001", "--resolution", "R-2024-05")
    for pid in (bare, cited):
        for key in ("OWN-0002", "OWN-0007", "SUP-01"):
            ok("payment", "approve", pid, "--by", key, "--date", "2024-03-03", "-L", ruled)
    assert standing(ruled, bare, "2024-03-03")["missing"] == ["金额超过50000.00元，需引用业主大会决议"]
    assert standing(ruled, cited, "2024-03-03")["state"] == "approved"


def test_refused_steps_write_nothing(ruled: Path) -> None:
    pid = propose(ruled, "1000.00")
    before = snapshot(ruled)
    cases = [
        (("approve", pid, "--by", "OWN-0001"), "cannot approve"),  # the proposer
        (("approve", pid, "--by", "OWN-0099"), "not a registered approver"),
        (("approve", pid, "--by", "OWN-0002", "--hash", "sha256:0123456789ab"), "changed since"),
        (("approve", "PAY-2024-099", "--by", "OWN-0002"), "no payment proposal"),
        (("approve", pid, "--by", "OWN-0002", "--date", "2024-03-01"), "after 2024-03-01"),
        (("reject", pid, "--by", "OWN-0002", "--reason", " "), "needs a reason"),
        (("propose", "--amount", "10", "--to", "张三", "--purpose", "x", "--by", "OWN-0001"), "organisation"),
        (("propose", "--amount", "-10", "--to", MAINT, "--purpose", "x", "--by", "OWN-0001"), "positive"),
        (("propose", "--amount", "10.001", "--to", MAINT, "--purpose", "x", "--by", "OWN-0001"), "cent"),
        (("propose", "--amount", "10", "--to", MAINT, "--purpose", "退押金", "--by", "OWN-0001"), "contract"),
        (("propose", "--amount", "10", "--to", MAINT, "--purpose", "x", "--by", "OWN-0001",
          "--resolution", "R-2099-01"), "no resolution"),
        (("propose", "--amount", "10", "--to", MAINT, "--purpose", "x", "--by", "张三"), "malformed owner key"),
    ]
    for args, expected in cases:
        extra = () if "--date" in args else ("--date", "2024-03-05")
        code, out = run("payment", *args, *extra, "-L", ruled)
        assert code == 2 and expected in out, (args, out)
    ok("payment", "approve", pid, "--by", "OWN-0002", "--date", "2024-03-05", "-L", ruled)
    code, out = run("payment", "approve", pid, "--by", "OWN-0002", "--date", "2024-03-05", "-L", ruled)
    assert code == 2 and "already approved" in out
    after = snapshot(ruled)
    assert [k for k in after if after[k] != before[k]] == ["journal.beancount"]


def test_an_amendment_needs_new_approvals_and_a_rejection_stops_it(ruled: Path) -> None:
    pid = propose(ruled, "1000.00")
    for key in ("OWN-0002", "OWN-0007"):
        ok("payment", "approve", pid, "--by", key, "--date", "2024-03-03", "-L", ruled)
    old_hash = standing(ruled, pid, "2024-03-03")["hash"]
    ok("payment", "amend", pid, "--amount", "1200.00", "--by", "OWN-0001", "--date", "2024-03-04", "-L", ruled)
    s = standing(ruled, pid, "2024-03-04")
    assert s["state"] == "pending" and s["hash"] != old_hash and s["committee"] == []
    # an approver who quotes the hash they saw of the old version is refused
    code, out = run("payment", "approve", pid, "--by", "OWN-0002", "--hash", old_hash, "--date", "2024-03-05",
                    "-L", ruled)
    assert code == 2 and "changed since" in out
    ok("payment", "approve", pid, "--by", "OWN-0002", "--hash", s["hash"][:15], "--date", "2024-03-05", "-L", ruled)
    ok("payment", "reject", pid, "--by", "OWN-0007", "--reason", "报价偏高", "--date", "2024-03-05", "-L", ruled)
    s = standing(ruled, pid, "2024-03-06")
    assert s["state"] == "rejected" and s["rejected"]["reason"] == "报价偏高"
    code, out = run("payment", "approve", pid, "--by", "SUP-01", "--date", "2024-03-06", "-L", ruled)
    assert code == 2 and "rejected" in out
    listing = json.loads(ok("payment", "list", "--date", "2024-03-06", "--json", "-L", ruled))
    assert [(p["id"], p["state"]) for p in listing["payments"]] == [(pid, "rejected")]


def test_approvers_come_and_go_by_date(ruled: Path) -> None:
    ok("payment", "approver", "remove", "OWN-0007", "--reason", "换届", "--date", "2024-04-01", "-L", ruled)
    listing = json.loads(ok("payment", "approver", "list", "--date", "2024-04-01", "--json", "-L", ruled))
    assert [a["key"] for a in listing["approvers"]] == ["OWN-0001", "OWN-0002", "SUP-01"]
    assert listing["rule"]["committee"] == 2 and listing["rule"]["supervisor_above"] == "5000.00"
    pid = propose(ruled, "100.00", MAINT, "补充维修资金", "2024-04-02", "OWN-0002")
    code, out = run("payment", "approve", pid, "--by", "OWN-0007", "--date", "2024-04-03", "-L", ruled)
    assert code == 2 and "not a registered approver" in out


# ---------------------------------------------------------------- the bank's outflows

def test_an_outflow_is_booked_to_its_purpose_only_on_an_approved_proposal(ruled: Path, tmp_path: Path) -> None:
    approved = propose(ruled, "1000.00")
    for key in ("OWN-0002", "OWN-0007"):
        ok("payment", "approve", approved, "--by", key, "--date", "2024-03-03", "-L", ruled)
    pending = propose(ruled, "800.00", BUILDER, "3号楼屋面维修")
    ok("payment", "approve", pending, "--by", "OWN-0002", "--date", "2024-03-03", "-L", ruled)
    statement(ruled, tmp_path,
              (dt.date(2024, 3, 20), "1000.00", MAINT, "补充维修资金"),
              (dt.date(2024, 3, 21), "800.00", BUILDER, pending),
              (dt.date(2024, 3, 22), "1000.00", MAINT, "补充维修资金"),  # the same again: paid once only
              (dt.date(2024, 3, 23), "66.00", "某某", "转账"))
    paid = txn_of(ruled, "SN900")
    assert paid.meta["payment"] == approved and "unmatched" not in paid.meta
    assert {p.account for p in paid.postings} == {"Assets:Bank:共有资金专户", "Expenses:Allocation:补充维修资金"}
    held = txn_of(ruled, "SN901")
    assert "Liabilities:Suspense:待查明款项" in {p.account for p in held.postings}
    assert held.meta["unmatched"].startswith(f"付款申请{pending}审批未完成")
    assert "已经支付过" in txn_of(ruled, "SN902").meta["unmatched"]
    assert txn_of(ruled, "SN903").meta["unmatched"] == "支出没有对应的付款申请（金额、收款方）"
    # the bank's own charge needs no approval
    fee = txn_of(ruled, "SN004")
    assert "Expenses:Bank:银行手续费" in {p.account for p in fee.postings}
    got = findings(ruled)
    assert sorted((f.check, f.facts["amount"]) for f in got) == [
        ("payment-unapproved", "1000.00"), ("payment-unapproved", "66.00"), ("payment-unapproved", "800.00")]


def test_outside_the_window_the_outflow_waits_in_suspense(ruled: Path, tmp_path: Path) -> None:
    pid = propose(ruled, "1000.00")
    for key in ("OWN-0002", "OWN-0007"):
        ok("payment", "approve", pid, "--by", key, "--date", "2024-03-03", "-L", ruled)
    statement(ruled, tmp_path, (dt.date(2024, 4, 2), "1000.00", MAINT, ""))  # 31 days after the proposal
    assert "30天付款期限" in txn_of(ruled, "SN900").meta["unmatched"]


def test_before_the_rule_outflows_are_booked_as_before(small_compound: Path, tmp_path: Path) -> None:
    append(small_compound / "contracts.beancount", CONTRACT + RESOLUTION)
    ok("payment", "rule", "--committee", 2, "--date", "2024-04-01", "-L", small_compound)
    statement(small_compound, tmp_path, (dt.date(2024, 3, 20), "1000.00", MAINT, "补充维修资金 R-2024-05"))
    t = txn_of(small_compound, "SN900")
    assert t.meta["resolution"] == "R-2024-05" and "payment" not in t.meta
    assert findings(small_compound) == []


def test_paid_before_approval_is_found(ruled: Path, tmp_path: Path) -> None:
    pid = propose(ruled, "1000.00")
    ok("payment", "approve", pid, "--by", "OWN-0002", "--date", "2024-03-03", "-L", ruled)
    statement(ruled, tmp_path, (dt.date(2024, 3, 13), "1000.00", MAINT, pid))
    ok("payment", "approve", pid, "--by", "OWN-0007", "--date", "2024-03-15", "-L", ruled)
    got = {f.check: f for f in findings(ruled)}
    assert set(got) == {"payment-unapproved", "payment-approved-late"}
    late = got["payment-approved-late"]
    assert late.facts["payment"] == pid and late.facts["approved"] == "2024-03-15"
    assert late.facts["date"] == "2024-03-13"


def test_hand_made_self_approval_and_edited_proposal_are_found(ruled: Path, tmp_path: Path) -> None:
    pid = propose(ruled, "1000.00")
    for key in ("OWN-0002", "OWN-0007"):
        ok("payment", "approve", pid, "--by", key, "--date", "2024-03-03", "-L", ruled)
    statement(ruled, tmp_path, (dt.date(2024, 3, 20), "1000.00", MAINT, ""))
    assert findings(ruled) == []
    journal = ruled / "journal.beancount"
    # someone writes a self-approval by hand, then raises the amount in the recorded proposal
    append(journal, f'\n2024-03-04 custom "payment" "{pid}" "approved"\n  by: "OWN-0001"\n'
                    f'  hash: "{standing(ruled, pid, "2024-03-04")["hash"]}"\n')
    assert {f.check for f in findings(ruled)} == {"payment-self-approval"}
    journal.write_text(journal.read_text(encoding="utf-8").replace("amount: 1000.00", "amount: 1900.00"),
                       encoding="utf-8")
    got = findings(ruled)
    checks = sorted(f.check for f in got)
    assert "payment-hash-mismatch" in checks and "payment-unapproved" in checks
    assert standing(ruled, pid, "2024-03-20")["state"] == "pending"


def test_the_approval_sheet_records_steps_all_or_nothing_and_once(ruled: Path, tmp_path: Path) -> None:
    pid = propose(ruled, "6000.00")
    h = standing(ruled, pid, "2024-03-02")["hash"]
    header = ["付款申请编号", "审批人编号", "审批日期", "审批意见", "所见内容哈希", "理由"]
    good = [[pid, "OWN-0002", "2024-03-03", "同意", h[7:19], None],
            [pid, "OWN-0007", "2024-03-03", "同意", h, None]]
    bad = [*good, [pid, "OWN-0001", "2024-03-03", "同意", h, None],
           [pid, "SUP-01", "2024-03-04", "否决", "deadbeefdeadbeef", "x"]]
    before = snapshot(ruled)
    code, out = run("import", write_xlsx(tmp_path / "bad.xlsx", [["付款审批表"], header, *bad]), "-L", ruled)
    assert code == 2 and snapshot(ruled) == before
    assert "bad.xlsx:Sheet1:5:B(审批人编号)" in out and "cannot approve" in out
    assert "bad.xlsx:Sheet1:6:E(所见内容哈希)" in out and "changed since" in out
    sheet = write_xlsx(tmp_path / "ok.xlsx", [["付款审批表"], header, *good])
    out = ok("import", sheet, "-L", ruled)
    assert "付款审批表 (approvals)" in out and "2 entries written" in out
    assert standing(ruled, pid, "2024-03-03")["missing"][0].startswith("金额超过5000.00元")
    out = ok("import", sheet, "-L", ruled)
    assert "0 entries written, 2 row(s) already" in out


def bean_check(root: Path) -> int:
    return subprocess.run([sys.executable, "-m", "beancount.scripts.check", str(root / "main.beancount")],
                          capture_output=True).returncode


def test_residents_see_roles_and_dates_never_keys(ruled: Path, tmp_path: Path) -> None:
    from assetreg import books as ledger_index
    from assetreg import payments

    pid = propose(ruled, "1000.00")
    ok("payment", "approve", pid, "--by", "OWN-0002", "--date", "2024-03-03", "-L", ruled)
    statement(ruled, tmp_path, (dt.date(2024, 3, 13), "1000.00", MAINT, pid))
    ok("payment", "approve", pid, "--by", "OWN-0007", "--date", "2024-03-15", "-L", ruled)
    append(ruled / "journal.beancount", f'\n2024-03-16 custom "payment" "{pid}" "approved"\n  by: "OWN-0001"\n'
                                        '  hash: "sha256:0000000000000000"\n')
    loaded = Compound.locate(ruled).load()
    trail = payments.trail(ledger_index.of(loaded.entries, loaded.options_map), pid)
    assert [(t["date"], t["step"], t["role"]) for t in trail] == [
        ("2024-03-02", "proposed", "申请人"), ("2024-03-03", "approved", "委员"), ("2024-03-15", "approved", "委员"),
        ("2024-03-16", "approved", "业委会主任")]
    got = findings(ruled)
    assert {f.check for f in got} == {"payment-unapproved", "payment-approved-late", "payment-self-approval",
                                      "payment-hash-mismatch"}
    for f in got:
        assert "OWN-" not in f.message + str(f.facts), f
    assert "OWN-" not in str(trail)


def test_approved_match_for_other_writers(ruled: Path) -> None:
    from assetreg import payments

    pid = propose(ruled, "1000.00")
    entries = Compound.locate(ruled).load().entries
    assert "审批未完成" in payments.approved_match(entries, dt.date(2024, 3, 5), payments.Decimal("1000.00"), MAINT)
    for key in ("OWN-0002", "OWN-0007"):
        ok("payment", "approve", pid, "--by", key, "--date", "2024-03-03", "-L", ruled)
    entries = Compound.locate(ruled).load().entries
    found = payments.approved_match(entries, dt.date(2024, 3, 5), payments.Decimal("1000.00"), MAINT)
    assert not isinstance(found, str) and found.version.pid == pid
    assert "未设定" in payments.approved_match(entries, dt.date(2024, 2, 5), payments.Decimal("1000.00"), MAINT)


def test_the_new_checks_have_chinese_titles() -> None:
    from assetreg.audit import CHECKS
    from assetreg.vocab import CHECK_LABELS

    ids = [*CHECKS["approvals"][1], *CHECKS["vouchers"][1]]
    assert len(ids) == 6 and all(CHECK_LABELS.get(i, "").isascii() is False for i in ids)


def test_a_later_payment_of_the_same_sum_is_not_taken_for_a_late_approval(ruled: Path, tmp_path: Path) -> None:
    pid = propose(ruled, "1000.00", MAINT, "补充维修资金", "2024-03-14")
    for key in ("OWN-0002", "OWN-0007"):
        ok("payment", "approve", pid, "--by", key, "--date", "2024-03-15", "-L", ruled)
    # the same sum to the same payee left once without a proposal, then once on this one
    statement(ruled, tmp_path, (dt.date(2024, 3, 13), "1000.00", MAINT, ""),
              (dt.date(2024, 3, 20), "1000.00", MAINT, pid))
    assert txn_of(ruled, "SN901").meta["payment"] == pid
    assert [(f.check, f.facts["date"]) for f in findings(ruled)] == [("payment-unapproved", "2024-03-13")]
