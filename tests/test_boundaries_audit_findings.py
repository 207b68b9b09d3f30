"""The money checks' findings in full: check, severity, message, rule, the entries they
name (file:line) and their facts. A resident reads these sentences; a changed word, limit
or date in one of them is a changed finding. (scripts/mutation.sh money)"""

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
    ('suspense-at-seal', 'error', '-88.00 was in Liabilities:Suspense:待查明款项 on 2024-09-30, a sealed date: a sealed period must not leave money unexplained', '期间封存：封存期末不得有待查明款项；民法典第281条、第943条（定期公开）', ['journal.beancount:96'], {'account': 'Liabilities:Suspense:待查明款项', 'balance': '-88.00', 'through': '2024-09-30'}),
    ('remittance-late', 'warning', "income collected by the property company on 2024-02-29 reached the owners' account only on 2024-04-15, 46 days later (limit 30)", '业主共有资金专户管理（代收款30日内转入）；民法典第282条', ['journal.beancount:3', 'journal.beancount:23'], {'collected': '2024-02-29', 'remitted': '2024-04-15', 'days': '46', 'limit': '30'}),
    ('remittance-aging', 'warning', '105.00 collected by the property company on 2025-10-31 is still held after 61 days (limit 30); it must be passed on to Assets:Bank:共有资金专户', '业主共有资金专户管理（代收款30日内转入）；民法典第282条', ['journal.beancount:75'], {'collected': '2025-10-31', 'outstanding': '105.00', 'days': '61', 'limit': '30', 'as_of': '2025-12-31'}),
    ('deposit-unlinked', 'warning', 'deposit movement of 50.00 on 2025-02-05 names no contract: add `contract: "C-…"` so it can be returned when that contract ends', '经营合同押金条款；业主共有资金管理', ['journal.beancount:90'], {'amount': '50.00', 'date': '2025-02-05'}),
    ('deposit-unreturned', 'warning', 'deposit 300.00 of contract C-2024-001 still held; the contract ended on 2024-07-31 (return within 30 days)', '经营合同押金条款；业主共有资金管理', ['journal.beancount:82', 'contracts.beancount:16'], {'contract': 'C-2024-001', 'held': '300.00', 'ended': '2024-07-31'}),
    ('suspense-balance', 'warning', '-88.00 left in Liabilities:Suspense:待查明款项 on 2025-12-31: match these bank lines to income, remittances or deposits', '会计核算：待查明款项应及时查明入账', [], {'account': 'Liabilities:Suspense:待查明款项', 'balance': '-88.00', 'last_movement': '2024-09-03'}),
    ('deposit-held', 'info', 'deposit 400.00 held against contract C-2024-002 (agreed 500.00)', '经营合同押金条款；业主共有资金管理', ['journal.beancount:86', 'contracts.beancount:33'], {'contract': 'C-2024-002', 'held': '400.00', 'agreed': '500.00'}),
]


def test_money_findings_exactly(small_compound: Path) -> None:
    append(small_compound / "contracts.beancount", RESOLUTION + CONTRACTS)
    append(small_compound / "journal.beancount", JOURNAL)
    loaded = Compound.locate(small_compound).load()
    got = [(f.check, f.severity, f.message, f.rule, [r.rsplit("/", 1)[1] for r in f.entries], f.facts)
           for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 12, 31))
           if f.check.startswith(("remittance", "deposit", "suspense"))]
    assert got == EXPECTED
