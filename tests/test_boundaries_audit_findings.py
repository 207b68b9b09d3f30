"""The money checks' findings in full: check, severity, message, rule, the entries they
name (file:line) and their facts. A resident reads these sentences; a changed word, limit
or date in one of them is a changed finding. (scripts/mutation.sh money, billing)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

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
