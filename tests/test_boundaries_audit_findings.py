"""The money checks' findings in full: check, severity, message, rule, the entries they
name (file:line) and their facts. A resident reads these sentences; a changed word, limit
or date in one of them is a changed finding. (scripts/mutation.sh money, billing)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from conftest import append
from test_audit import CLEAN_TAIL, RESOLUTION, contract_text, full_year, income, remit

from assetreg.audit import run_checks
from assetreg.ledger import Compound

# Late February remittance; a collection never passed on; deposits: one unreturned after
# its contract ended, one held short of the agreed amount, one naming no contract; money
# left in suspense, also on a sealed day.
CONTRACTS = contract_text(deposit="300.00") + contract_text(cid="C-2024-002", start="2025-01-01", end="2026-06-30", deposit="500.00")
JOURNAL = (full_year().replace(remit("2024-03-15", "105.00"), remit("2024-04-20", "105.00"))
  + income("2025-10-31", "2025-10", contract=None) + """
2024-01-28 * "OWN-0001" "停车位押金"
  contract: "C-2024-001"
  Assets:Bank:共有资金专户  300.00 CNY
  Liabilities:Deposits:经营押金  -300.00 CNY
2025-01-05 * "OWN-0001" "押金"
  contract: "C-2024-002"
  Assets:Bank:共有资金专户  400.00 CNY
  Liabilities:Deposits:经营押金  -400.00 CNY
2025-02-05 * "OWN-0001" "押金（未注明合同）"
  Assets:Bank:共有资金专户  50.00 CNY
  Liabilities:Deposits:经营押金  -50.00 CNY
2024-09-03 * "银行流水" "未能识别的转入"
  Assets:Bank:共有资金专户  88.00 CNY
  Liabilities:Suspense:待查明款项  -88.00 CNY
2024-10-02 custom "seal" "2024-09-30"
  hash: "sha256:0"
""" + CLEAN_TAIL)

EXPECTED = [
    ('suspense-at-seal', 'error', '封账日 2024-09-30 尚有 1 笔待查明款项未查明：S-2C95137E（2024-09-03，88.00 元）；已封账期间不得留有来历不明的款项', '期间封存：封存期末不得有待查明款项；民法典第281条、第943条（定期公开）', ['journal.beancount:96'], {'account': 'Liabilities:Suspense:待查明款项', 'balance': '-88.00', 'lines': 'S-2C95137E', 'through': '2024-09-30'}),
    ('remittance-late', 'warning', '物业于 2024-02-29 代收的收入，2024-04-15 才转入业主共有资金账户，历时 46 日（限 30 日）', '业主共有资金专户管理（代收款30日内转入）；民法典第282条', ['journal.beancount:3', 'journal.beancount:23'], {'collected': '2024-02-29', 'remitted': '2024-04-15', 'days': '46', 'limit': '30'}),
    ('remittance-aging', 'warning', '物业于 2025-10-31 代收的 105.00 元，61 日后仍未转入（限 30 日）；应转入共有资金专户', '业主共有资金专户管理（代收款30日内转入）；民法典第282条', ['journal.beancount:75'], {'collected': '2025-10-31', 'outstanding': '105.00', 'days': '61', 'limit': '30', 'as_of': '2025-12-31'}),
    ('deposit-unlinked', 'warning', '2025-02-05 的押金 50.00 元未注明合同：请加上 contract: "C-…"，以便合同终止时退还', '经营合同押金条款；业主共有资金管理', ['journal.beancount:90'], {'amount': '50.00', 'date': '2025-02-05'}),
    ('deposit-unreturned', 'warning', '合同 C-2024-001 的押金 300.00 元仍未退还；合同已于 2024-07-31 终止（应在 30 日内退还）', '经营合同押金条款；业主共有资金管理', ['journal.beancount:82', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'held': '300.00', 'ended': '2024-07-31'}),
    ('suspense-balance', 'warning', '待查明款项 S-2C95137E（2024-09-03，88.00 元，银行流水，未能识别的转入）已 484 日未查明；请用 `assetreg suspense assign S-2C95137E …` 归属', '会计核算：待查明款项应及时查明入账', ['journal.beancount:93'], {'line': 'S-2C95137E', 'account': 'Liabilities:Suspense:待查明款项', 'balance': '-88.00', 'date': '2024-09-03', 'amount': '88.00', 'age_days': '484', 'bank_ref': '', 'reason': ''}),
    ('deposit-held', 'info', '合同 C-2024-002 在押押金 400.00 元（约定 500.00 元）', '经营合同押金条款；业主共有资金管理', ['journal.beancount:86', 'contracts.beancount:35'], {'contract': 'C-2024-002', 'held': '400.00', 'agreed': '500.00'}),
]


def test_money_findings_exactly(small_compound: Path) -> None:
    append(small_compound / "contracts.beancount", RESOLUTION + CONTRACTS)
    append(small_compound / "journal.beancount", JOURNAL)
    loaded = Compound.locate(small_compound).load()
    got = [(f.check, f.severity, f.message, f.rule, [r.rsplit("/", 1)[1] for r in f.entries], f.facts)
           for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 12, 31))
           if f.check.startswith(("remittance", "deposit", "suspense"))]
    assert got == EXPECTED


# April paid short, May paid over, June never paid, a payment for September (not billed).
BILLING_CONTRACTS = contract_text()
BILLING_JOURNAL = (full_year().replace(income("2024-04-30", "2024-04"), income("2024-04-30", "2024-04", gross="100.00", cost="30.00"))
  .replace(income("2024-05-31", "2024-05"), income("2024-05-31", "2024-05", gross="200.00", cost="60.00"))
  .replace(income("2024-06-30", "2024-06"), "")
  + income("2024-07-15", "2024-09", gross="150.00", cost="45.00") + CLEAN_TAIL)

BILLING_EXPECTED = [
    ('billing-arrears', 'warning', '合同 C-2024-001 账期 2024-04（2024-04-01 至 2024-04-30）：应收 150.00 元，实收 100.00 元，欠缴 50.00 元', '经营合同约定的租金/使用费及缴纳周期；民法典第282条', ['journal.beancount:27', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'period': '2024-04', 'due': '150.00', 'paid': '100.00', 'arrears': '50.00', 'as_of': '2025-12-31'}),
    ('billing-overpaid', 'warning', '合同 C-2024-001 账期 2024-05：实收 200.00 元，应收 150.00 元（多收 50.00 元）', '经营合同约定的租金/使用费及缴纳周期；民法典第282条', ['journal.beancount:39', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'period': '2024-05', 'due': '150.00', 'paid': '200.00', 'difference': '50.00'}),
    ('billing-arrears', 'warning', '合同 C-2024-001 账期 2024-06（2024-06-01 至 2024-06-30）：应收 150.00 元，实收 0 元，欠缴 150.00 元', '经营合同约定的租金/使用费及缴纳周期；民法典第282条', ['contracts.beancount:18'], {'contract': 'C-2024-001', 'period': '2024-06', 'due': '150.00', 'paid': '0', 'arrears': '150.00', 'as_of': '2025-12-31'}),
    ('billing-overpaid', 'warning', '合同 C-2024-001：账期 2024-09 收款 150.00 元，但该合同的缴费计划中没有这一账期', '经营合同约定的租金/使用费及缴纳周期；民法典第282条', ['journal.beancount:67', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'period': '2024-09', 'due': '0', 'paid': '150.00', 'difference': '150.00'}),
]


def test_billing_findings_exactly(small_compound: Path) -> None:
    append(small_compound / "contracts.beancount", RESOLUTION + BILLING_CONTRACTS)
    append(small_compound / "journal.beancount", BILLING_JOURNAL)
    loaded = Compound.locate(small_compound).load()
    got = [(f.check, f.severity, f.message, f.rule, [r.rsplit("/", 1)[1] for r in f.entries], f.facts)
           for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 12, 31))
           if f.check.startswith("billing")]
    assert got == BILLING_EXPECTED


def _no_period(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith("  period:"))


def test_billing_adds_partial_payments_reads_dates_and_skips_income_without_contract(small_compound: Path) -> None:
    journal = (income("2024-02-10", "2024-02", contract=None)  # first in date order: skipped, not the end
               + full_year()
               .replace(income("2024-04-30", "2024-04"),
                        income("2024-04-10", "2024-04", gross="100.00", cost="30.00")
                        + income("2024-04-30", "2024-04", gross="50.00", cost="15.00"))
               .replace(income("2024-06-30", "2024-06"), _no_period(income("2024-06-30", "2024-06")))
               + _no_period(income("2024-09-15", "2024-09")) + CLEAN_TAIL)
    append(small_compound / "contracts.beancount", RESOLUTION + contract_text())
    append(small_compound / "journal.beancount", journal)
    loaded = Compound.locate(small_compound).load()
    got = [(f.check, f.facts["period"], f.facts["paid"])
           for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 12, 31))
           if f.check.startswith("billing")]
    # April's two parts add up; June's payment naming no period counts for the month of
    # its date; one dated outside every billing period is reported under "?"
    assert got == [("billing-overpaid", "?", "150.00")]


SMALL_MONEY = """
2024-01-20 * "OWN-0001" "押金（未注明合同）"
  Assets:Bank:共有资金专户  50.00 CNY
  Liabilities:Deposits:经营押金  -50.00 CNY
2024-01-28 * "OWN-0001" "停车位押金"
  contract: "C-2024-001"
  Assets:Bank:共有资金专户  300.00 CNY
  Liabilities:Deposits:经营押金  -300.00 CNY
2024-08-10 * "业委会" "退还停车位押金"
  contract: "C-2024-001"
  Liabilities:Deposits:经营押金  300.00 CNY
  Assets:Bank:共有资金专户  -300.00 CNY
2024-09-01 * "OWN-0002" "押金（合同未录入）"
  contract: "C-2099-001"
  Assets:Bank:共有资金专户  20.00 CNY
  Liabilities:Deposits:经营押金  -20.00 CNY
2024-09-03 * "银行流水" "未能识别的转入"
  Assets:Bank:共有资金专户  88.00 CNY
  Liabilities:Suspense:待查明款项  -88.00 CNY
2024-09-20 * "业委会" "查明：多转入，退回"
  Liabilities:Suspense:待查明款项  88.00 CNY
  Assets:Bank:共有资金专户  -88.00 CNY
2024-10-02 custom "seal" "2024-09-30"
  hash: "sha256:0"
2025-12-31 * "OWN-0001" "押金"
  contract: "C-2024-002"
  Assets:Bank:共有资金专户  500.00 CNY
  Liabilities:Deposits:经营押金  -500.00 CNY
"""


def test_small_amounts_order_and_the_audit_day_in_the_money_checks(small_compound: Path) -> None:
    journal = (full_year().replace(remit("2024-04-15", "105.00"), remit("2024-04-15", "104.00") + remit("2024-05-01", "1.00"))
               + income("2025-10-31", "2025-10", gross="0.50", cost="0.00", contract=None)
               + SMALL_MONEY + CLEAN_TAIL)
    contracts = contract_text(deposit="300.00") + contract_text(cid="C-2024-002", start="2025-01-01",
                                                                 end="2026-06-30", deposit="500.00")
    append(small_compound / "contracts.beancount", RESOLUTION + contracts)
    append(small_compound / "journal.beancount", journal)
    loaded = Compound.locate(small_compound).load()
    got = [(f.check, f.message) for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 12, 31))
           if f.check.startswith(("remittance", "deposit", "suspense"))]
    assert got == [
        # paid off by the last 1.00, 31 days after the collection
        ("remittance-late", "物业于 2024-03-31 代收的收入，2024-05-01 才转入业主共有资金账户，历时 31 日（限 30 日）"),
        # 0.50 is a collection, however small, and it is still held
        ("remittance-aging", "物业于 2025-10-31 代收的 0.50 元，61 日后仍未转入（限 30 日）；应转入共有资金专户"),
        # an unlinked deposit does not hide the linked ones after it
        ("deposit-unlinked", "2024-01-20 的押金 50.00 元未注明合同：请加上 contract: \"C-…\"，以便合同终止时退还"),
        # a deposit paid on the audit day is held; equal to the agreed amount, nothing to add
        ("deposit-held", "合同 C-2024-002 在押押金 500.00 元"),
        # a contract not in the ledger: held, agreed nothing
        ("deposit-held", "合同 C-2099-001 在押押金 20.00 元"),
    ]  # and no suspense-at-seal: the suspense was cleared before the sealed day


# Disclosure: half-yearly until a change to quarterly dated on the second day of 2025 (so it
# takes effect with the next period, 2025Q3), 60 days to publish from 2025-01-01 on (read at
# each period's end); 2024 never disclosed; one disclosure entry names no period it can read.
DISCLOSURE_OPTIONS = """
2025-01-02 custom "assetreg-option" "disclosure-frequency" "quarter"
2025-01-01 custom "assetreg-option" "disclosure-days" "60"
"""
DISCLOSURE_TAIL = """
2025-03-01 * "业委会" "2024年净收益补充维修资金"
  resolution: "R-2023-02"
  Expenses:Allocation:补充维修资金  400.00 CNY
  Assets:Bank:共有资金专户  -400.00 CNY
2025-02-01 custom "disclosure" "2024下半年度"
"""
RULE_281 = "民法典第281条、第943条（定期公开共有部分经营与收益情况）；小区公示频次规定"
DISCLOSURE_EXPECTED = [
    ('disclosure-overdue', 'warning', '收益公示记录的期间无法识别', RULE_281, ['journal.beancount:79'], {}),
    ('disclosure-overdue', 'warning', '2024年上半年（2024-01-01 至 2024-06-30）的公共收益尚未公示，应于 2024-07-30 前公示（命令：`assetreg disclose --period 2024H1`）', RULE_281, [], {'period': '2024H1', 'due': '2024-07-30', 'frequency': 'half-year'}),
    ('disclosure-overdue', 'warning', '2024年下半年（2024-07-01 至 2024-12-31）的公共收益尚未公示，应于 2025-01-30 前公示（命令：`assetreg disclose --period 2024H2`）', RULE_281, [], {'period': '2024H2', 'due': '2025-01-30', 'frequency': 'half-year'}),
    ('disclosure-overdue', 'warning', '2025年上半年（2025-01-01 至 2025-06-30）的公共收益尚未公示，应于 2025-08-29 前公示（命令：`assetreg disclose --period 2025H1`）', RULE_281, [], {'period': '2025H1', 'due': '2025-08-29', 'frequency': 'half-year'}),
    ('disclosure-overdue', 'warning', '2025年第3季度（2025-07-01 至 2025-09-30）的公共收益尚未公示，应于 2025-11-29 前公示（命令：`assetreg disclose --period 2025Q3`）', RULE_281, [], {'period': '2025Q3', 'due': '2025-11-29', 'frequency': 'quarter'}),
]


def _disclosure_findings(small_compound: Path, options: str, as_of: dt.date) -> list[tuple[Any, ...]]:
    append(small_compound / "contracts.beancount", RESOLUTION + contract_text())
    append(small_compound / "journal.beancount", full_year() + DISCLOSURE_TAIL)
    append(small_compound / "accounts.beancount", options)
    loaded = Compound.locate(small_compound).load()
    return [(f.check, f.severity, f.message, f.rule, [r.rsplit("/", 1)[1] for r in f.entries], f.facts)
            for f in run_checks(loaded.entries, loaded.options_map, as_of)
            if f.check == "disclosure-overdue"]


def test_disclosure_findings_exactly_with_settings_as_of_each_period(small_compound: Path) -> None:
    # each period takes the frequency in force on its first day and the days in force on
    # its last, not today's settings (today both are quarter / 60)
    assert _disclosure_findings(small_compound, DISCLOSURE_OPTIONS, dt.date(2025, 12, 31)) == DISCLOSURE_EXPECTED


def test_a_frequency_the_audit_cannot_read_is_one_finding(small_compound: Path) -> None:
    got = _disclosure_findings(small_compound, '\n2020-01-01 custom "assetreg-option" "disclosure-frequency" "weekly"\n',
                               dt.date(2025, 12, 31))
    assert got[0] == DISCLOSURE_EXPECTED[0]
    assert got[1:] == [('disclosure-overdue', 'warning', got[1][2], RULE_281, [], {})]
    assert got[1][2].startswith("选项 disclosure-frequency 有误：") and "weekly" in got[1][2]


# Income: every way a booking of common income can lack its basis, each once.
def _strip(text: str, key: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith(f"  {key}:"))


INCOME_CONTRACTS = (contract_text()
                    + contract_text(cid="C-2024-002", decision="forbidden")
                    + contract_text(cid="C-2024-003", tamper=True)
                    + _strip(contract_text(cid="C-2024-004"), "content_hash")
                    + _strip(contract_text(cid="C-2024-005"), "decision")
                    + contract_text(cid="C-2024-006", decision="not-permitted")
                    + _strip(contract_text(cid="C-2024-007"), "end")
                    + contract_text(cid="C-2024-008", decision="approved")
                    + contract_text(cid="C-2024-009", assets="P-001,P-002")
                    + contract_text(cid="C-2024-010", assets="")
                    + _strip(contract_text(cid="C-2024-011"), "start")
                    + contract_text(cid="C-2024-012", manager_share="0.25")
                    + '\n2024-05-01 custom "contract" "C-2024-012" "ended"\n  reason: "提前解约"\n')
INCOME_JOURNAL = (
    full_year()
    + income("2024-01-01", "2024-01")                          # before P-001 was registered
    + income("2024-01-10", "2024-01")                          # P-001 in its notice window
    + income("2024-03-15", "2024-03", asset="AD-001")          # registered only; not in the contract
    + income("2024-03-16", "2024-03", asset="P-404")           # in no register
    + _strip(income("2024-03-17", "2024-03"), "asset")         # names no asset
    + income("2024-03-18", "2024-03", contract=None)
    + income("2024-03-19", "2024-03", contract="C-9999")
    + income("2024-08-15", "2024-07")                          # paid late for July: covered
    + income("2024-09-30", "2024-09")                          # after the term
    + income("2024-04-01", "2024-04", contract="C-2024-002")
    + income("2024-04-02", "2024-04", contract="C-2024-003")
    + income("2024-04-03", "2024-04", contract="C-2024-004")
    + income("2024-04-04", "2024-04", contract="C-2024-005")
    + income("2024-04-05", "2024-04", contract="C-2024-006")
    + income("2024-04-06", "2024-04", cost="45.01")            # one cent over the agreed 0.30
    + income("2024-04-07", "2024-04", contract="C-2024-007")   # a contract with no end date
    + income("2024-04-08", "2024-04", contract="C-2024-008")   # a decision no gate gives
    + income("2024-02-01", "2024-02") + income("2024-07-31", "2024-07")  # first and last day: in force
    + _strip(income("2024-08-01", "2024-07"), "period")      # the day after, naming no period
    + income("2024-04-09", "2024-04", contract="C-2024-009", asset="AD-001,P-404")  # two assets outside
    + income("2024-04-10", "2024-04", contract="C-2024-010")   # a contract of no assets
    + income("2024-04-11", "2024-04", contract="C-2024-011")   # a contract with no start date
    + income("2024-04-12", "2024-04", gross="100.10", cost="25.03", contract="C-2024-012")  # 25.025 → 25.03
    + income("2024-05-02", "2024-05", contract="C-2024-012")   # after its early end (2024-05-01)
    + income("2024-04-13", "2024-04", gross="1.00", cost="0.31")  # one cent over on one yuan
    + income("2024-04-14", "2024-04", gross="0.00", cost="5.00")  # cost with no income: no share to judge
    + income("2024-04-15", "2024-04", gross="150.00", cost="0.00")  # nothing deducted
    + income("2024-05-31", "2024-05", gross="100.00", cost="30.00", contract=None)  # cap 0.30 then
    + income("2024-06-30", "2024-06", gross="100.00", cost="30.00", contract=None)  # cap 0.20 now
    + '\n2024-02-01 custom "asset" "X-001" "confirmed"\n'      # a step the register refuses
    + CLEAN_TAIL)
ART_282 = "民法典第282条"
INCOME_OPTIONS = '\n2024-06-01 custom "assetreg-option" "manager-share-max" "0.20"\n'


def test_income_findings_exactly(small_compound: Path) -> None:
    append(small_compound / "contracts.beancount", RESOLUTION + INCOME_CONTRACTS)
    append(small_compound / "journal.beancount", INCOME_JOURNAL)
    append(small_compound / "accounts.beancount", INCOME_OPTIONS)
    loaded = Compound.locate(small_compound).load()
    got = [(f.check, f.severity, f.message, f.rule, [r.rsplit("/", 1)[1] for r in f.entries], f.facts)
           for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 12, 31))
           if f.check in ("registry", "income-asset", "income-unconfirmed", "income-no-contract",
                          "contract-gate", "manager-cost")]
    assert got == INCOME_EXPECTED


INCOME_EXPECTED: list[Any] = [
    ('registry', 'error', 'asset X-001: confirmed step for an asset that was never registered', '民法典第274、275条；确权流程（公示期、异议、证据）', ['journal.beancount:310'], {}),
    ('income-unconfirmed', 'error', '资产 P-001 在 2024-01-01 有收入，而当日尚未确权（当日状态：尚未登记）；应自确权之日起记收入（民法典第282条：共有部分的收入在权属确定后属于业主共有）', ART_282, ['journal.beancount:75'], {'asset': 'P-001', 'date': '2024-01-01', 'status': ''}),
    ('income-unconfirmed', 'error', '资产 P-001 在 2024-01-10 有收入，而当日尚未确权（当日状态：公示中）；应自确权之日起记收入（民法典第282条：共有部分的收入在权属确定后属于业主共有）', ART_282, ['journal.beancount:83'], {'asset': 'P-001', 'date': '2024-01-10', 'status': 'noticed'}),
    ('income-unconfirmed', 'error', '资产 AD-001 在 2024-03-15 有收入，而当日尚未确权（当日状态：已登记）；应自确权之日起记收入（民法典第282条：共有部分的收入在权属确定后属于业主共有）', ART_282, ['journal.beancount:91'], {'asset': 'AD-001', 'date': '2024-03-15', 'status': 'registered'}),
    ('income-asset', 'error', '收入所注资产 P-404 不在登记簿中：请先登记该资产', ART_282, ['journal.beancount:99'], {'asset': 'P-404'}),
    ('income-asset', 'error', '记入 停车位 的收入未注明资产：请加上 asset: "编号"，使每笔收入都能追溯到已确权的共有资产', ART_282, ['journal.beancount:107'], {'account': 'Income:Common:停车位'}),
    ('income-unconfirmed', 'error', '资产 AD-001 在 2024-04-09 有收入，而当日尚未确权（当日状态：已登记）；应自确权之日起记收入（民法典第282条：共有部分的收入在权属确定后属于业主共有）', ART_282, ['journal.beancount:232'], {'asset': 'AD-001', 'date': '2024-04-09', 'status': 'registered'}),
    ('income-asset', 'error', '收入所注资产 P-404 不在登记簿中：请先登记该资产', ART_282, ['journal.beancount:232'], {'asset': 'P-404'}),
    ('income-no-contract', 'error', '2024-01-01 的收入（账期 2024-01）记在合同 C-2024-001 下，而该合同仅在 2024-02-01 至 2024-07-31 期间有效', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:75', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'date': '2024-01-01', 'period': '2024-01', 'start': '2024-02-01', 'end': '2024-07-31'}),
    ('income-no-contract', 'error', '2024-01-10 的收入（账期 2024-01）记在合同 C-2024-001 下，而该合同仅在 2024-02-01 至 2024-07-31 期间有效', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:83', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'date': '2024-01-10', 'period': '2024-01', 'start': '2024-02-01', 'end': '2024-07-31'}),
    ('income-no-contract', 'error', '资产 AD-001 的收入记在合同 C-2024-001 下，而该合同只涵盖 P-001', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:91', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'assets': 'AD-001'}),
    ('income-no-contract', 'error', '资产 P-404 的收入记在合同 C-2024-001 下，而该合同只涵盖 P-001', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:99', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'assets': 'P-404'}),
    ('income-no-contract', 'error', '2024-03-18 的收入未注明合同：请加上 contract: "C-…"；共有部分只能依业主共同决定的合同经营', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:114'], {'date': '2024-03-18'}),
    ('income-no-contract', 'error', '2024-03-19 的收入注明合同 C-9999，但账本中没有这份合同', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:121'], {'contract': 'C-9999', 'date': '2024-03-19'}),
    ('contract-gate', 'error', '2024-04-01 的收入记在合同 C-2024-002 下，而该合同未通过政策审查：记录的政策决定为“禁止（负面清单）”，不是“准许”', '负面清单/指导清单（政策闸门）；民法典第278条', ['journal.beancount:145', 'contracts.beancount:34'], {'contract': 'C-2024-002', 'decision': 'forbidden', 'stored_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb', 'recomputed_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb'}),
    ('contract-gate', 'error', '2024-04-02 的收入记在合同 C-2024-003 下，而该合同未通过政策审查：合同条款与政策决定时记录的内容哈希不一致（条款在政策审查后被改动）', '负面清单/指导清单（政策闸门）；民法典第278条', ['journal.beancount:153', 'contracts.beancount:50'], {'contract': 'C-2024-003', 'decision': 'permitted', 'stored_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb', 'recomputed_hash': 'sha256:06d051cd574395787fcd2854fd62f5a6f2779ad16121af3cf42542ddc555dbd5'}),
    ('contract-gate', 'error', '2024-04-03 的收入记在合同 C-2024-004 下，而该合同未通过政策审查：合同未记录内容哈希（content_hash），无法确认政策决定针对的就是这些条款', '负面清单/指导清单（政策闸门）；民法典第278条', ['journal.beancount:161', 'contracts.beancount:66'], {'contract': 'C-2024-004', 'decision': 'permitted', 'stored_hash': '', 'recomputed_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb'}),
    ('contract-gate', 'error', '2024-04-04 的收入记在合同 C-2024-005 下，而该合同未通过政策审查：记录的政策决定为“未记录”，不是“准许”', '负面清单/指导清单（政策闸门）；民法典第278条', ['journal.beancount:169', 'contracts.beancount:81'], {'contract': 'C-2024-005', 'decision': '', 'stored_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb', 'recomputed_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb'}),
    ('contract-gate', 'error', '2024-04-05 的收入记在合同 C-2024-006 下，而该合同未通过政策审查：记录的政策决定为“不予准许”，不是“准许”', '负面清单/指导清单（政策闸门）；民法典第278条', ['journal.beancount:177', 'contracts.beancount:96'], {'contract': 'C-2024-006', 'decision': 'not-permitted', 'stored_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb', 'recomputed_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb'}),
    ('income-no-contract', 'error', '2024-04-07 的收入（账期 2024-04）记在合同 C-2024-007 下，而该合同仅在 2024-02-01 至 — 期间有效', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:193', 'contracts.beancount:112'], {'contract': 'C-2024-007', 'date': '2024-04-07', 'period': '2024-04', 'start': '2024-02-01', 'end': ''}),
    ('contract-gate', 'error', '2024-04-07 的收入记在合同 C-2024-007 下，而该合同未通过政策审查：合同条款与政策决定时记录的内容哈希不一致（条款在政策审查后被改动）', '负面清单/指导清单（政策闸门）；民法典第278条', ['journal.beancount:193', 'contracts.beancount:112'], {'contract': 'C-2024-007', 'decision': 'permitted', 'stored_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb', 'recomputed_hash': 'sha256:4a4589f95c427cf13108bd928284097164a6a151585125884d87d476a9f1bf7f'}),
    ('contract-gate', 'error', '2024-04-08 的收入记在合同 C-2024-008 下，而该合同未通过政策审查：记录的政策决定为“approved”，不是“准许”', '负面清单/指导清单（政策闸门）；民法典第278条', ['journal.beancount:201', 'contracts.beancount:127'], {'contract': 'C-2024-008', 'decision': 'approved', 'stored_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb', 'recomputed_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb'}),
    ('income-no-contract', 'error', '资产 AD-001、P-404 的收入记在合同 C-2024-009 下，而该合同只涵盖 P-001、P-002', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:232', 'contracts.beancount:143'], {'contract': 'C-2024-009', 'assets': 'AD-001,P-404'}),
    ('income-no-contract', 'error', '资产 P-001 的收入记在合同 C-2024-010 下，而该合同只涵盖 （无资产）', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:240', 'contracts.beancount:159'], {'contract': 'C-2024-010', 'assets': 'P-001'}),
    ('income-no-contract', 'error', '2024-04-11 的收入（账期 2024-04）记在合同 C-2024-011 下，而该合同仅在 — 至 2024-07-31 期间有效', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:248', 'contracts.beancount:175'], {'contract': 'C-2024-011', 'date': '2024-04-11', 'period': '2024-04', 'start': '', 'end': '2024-07-31'}),
    ('contract-gate', 'error', '2024-04-11 的收入记在合同 C-2024-011 下，而该合同未通过政策审查：合同条款与政策决定时记录的内容哈希不一致（条款在政策审查后被改动）', '负面清单/指导清单（政策闸门）；民法典第278条', ['journal.beancount:248', 'contracts.beancount:175'], {'contract': 'C-2024-011', 'decision': 'permitted', 'stored_hash': 'sha256:fbafcb8ce155162a3ea8feea229488847946bb24e44052a4d059a759f592e4bb', 'recomputed_hash': 'sha256:f7be6566f3ffa601c58acc226f41969e4b14583dae6f158a677530b86432258e'}),
    ('income-no-contract', 'error', '2024-05-02 的收入（账期 2024-05）记在合同 C-2024-012 下，而该合同仅在 2024-02-01 至 2024-04-30 期间有效', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:264', 'contracts.beancount:190'], {'contract': 'C-2024-012', 'date': '2024-05-02', 'period': '2024-05', 'start': '2024-02-01', 'end': '2024-04-30'}),
    ('income-no-contract', 'error', '2024-05-31 的收入未注明合同：请加上 contract: "C-…"；共有部分只能依业主共同决定的合同经营', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:296'], {'date': '2024-05-31'}),
    ('income-no-contract', 'error', '2024-06-30 的收入未注明合同：请加上 contract: "C-…"；共有部分只能依业主共同决定的合同经营', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:303'], {'date': '2024-06-30'}),
    ('income-no-contract', 'error', '2024-08-01 的收入（账期 —）记在合同 C-2024-001 下，而该合同仅在 2024-02-01 至 2024-07-31 期间有效', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:225', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'date': '2024-08-01', 'period': '', 'start': '2024-02-01', 'end': '2024-07-31'}),
    ('income-no-contract', 'error', '2024-09-30 的收入（账期 2024-09）记在合同 C-2024-001 下，而该合同仅在 2024-02-01 至 2024-07-31 期间有效', '民法典第278条第一款第八项；物业管理条例第54条', ['journal.beancount:137', 'contracts.beancount:18'], {'contract': 'C-2024-001', 'date': '2024-09-30', 'period': '2024-09', 'start': '2024-02-01', 'end': '2024-07-31'}),
    ('manager-cost', 'warning', '物业于 2024-04-06 从 150.00 元收入中扣除成本 45.01 元（30.01%），超过约定比例 0.30（最多 45.00 元）', '民法典第282条（扣除合理成本）；合同约定的成本比例', ['journal.beancount:185'], {'contract': 'C-2024-001', 'gross': '150.00', 'cost': '45.01', 'agreed_share': '0.30', 'limit': '45.00', 'excess': '0.01'}),
    ('manager-cost', 'warning', '物业于 2024-04-13 从 1.00 元收入中扣除成本 0.31 元（31.00%），超过约定比例 0.30（最多 0.30 元）', '民法典第282条（扣除合理成本）；合同约定的成本比例', ['journal.beancount:272'], {'contract': 'C-2024-001', 'gross': '1.00', 'cost': '0.31', 'agreed_share': '0.30', 'limit': '0.30', 'excess': '0.01'}),
    ('manager-cost', 'warning', '物业于 2024-05-02 从 150.00 元收入中扣除成本 45.00 元（30.00%），超过约定比例 0.25（最多 37.50 元）', '民法典第282条（扣除合理成本）；合同约定的成本比例', ['journal.beancount:264'], {'contract': 'C-2024-012', 'gross': '150.00', 'cost': '45.00', 'agreed_share': '0.25', 'limit': '37.50', 'excess': '7.50'}),
    ('manager-cost', 'warning', '物业于 2024-06-30 从 100.00 元收入中扣除成本 30.00 元（30.00%），超过约定比例 0.20（最多 20.00 元）', '民法典第282条（扣除合理成本）；合同约定的成本比例', ['journal.beancount:303'], {'contract': '', 'gross': '100.00', 'cost': '30.00', 'agreed_share': '0.20', 'limit': '20.00', 'excess': '10.00'}),
]


def test_a_zero_posting_to_the_receivable_is_no_collection(small_compound: Path) -> None:
    # a hand-written 0.00 line is not money collected: it neither ages nor delays a remittance
    zero = '\n2024-03-10 * "景湖物业" "冲零"\n  Assets:Receivable:物业代收  0.00 CNY\n  Assets:Bank:共有资金专户  0.00 CNY\n'
    append(small_compound / "contracts.beancount", RESOLUTION + contract_text())
    append(small_compound / "journal.beancount", full_year() + zero + CLEAN_TAIL)
    loaded = Compound.locate(small_compound).load()
    assert [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 12, 31))
            if f.check.startswith("remittance")] == []
