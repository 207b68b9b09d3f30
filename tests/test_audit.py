"""Audit checks: for every check, a small ledger that trips it and one that does not.

Each case starts from the small compound (P-001 confirmed on 2024-01-20, AD-001 only
registered), adds a resolution and a contract that passed the policy gate, and appends
the journal text of the case.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core.amount import Amount
from conftest import append

from assetreg.audit import BOOK_ERRORS, CHECK_IDS, run_checks
from assetreg.contracts import content_hash
from assetreg.ledger import Compound

AS_OF = dt.date(2025, 12, 31)

RESOLUTION = """
2023-12-20 custom "resolution" "R-2023-01"
  matter: 8
  passed: TRUE
  title: "关于地面停车位经营的决定"
  assets: "*"
  uses: "parking-owner"
2023-12-21 custom "resolution" "R-2023-02"
  matter: 9
  passed: TRUE
  title: "关于公共收益分配的决定"
2023-12-22 custom "resolution" "R-2023-03"
  matter: 9
  passed: FALSE
  title: "关于公共收益用于绿化的提案"
"""


def contract_text(cid: str = "C-2024-001", assets: str = "P-001", start: str = "2024-02-01",
                  end: str = "2024-07-31", price: str = "150.00", period: str = "month",
                  manager_share: str = "0.30", deposit: str | None = None,
                  decision: str = "permitted", tamper: bool = False) -> str:
    terms = {"assets": assets, "use": "parking-owner", "counterparty": "OWN-0001",
             "counterparty_kind": "owner", "start": dt.date.fromisoformat(start),
             "end": dt.date.fromisoformat(end), "price": Amount(Decimal(price), "CNY"),
             "period": period, "manager_share": Decimal(manager_share), "resolution": "R-2023-01"}
    if deposit:
        terms["deposit"] = Amount(Decimal(deposit), "CNY")
    h = content_hash(terms)
    if tamper:  # terms edited after the gate: the price below no longer matches the hash
        price = str(Decimal(price) * 2)
    return (f'\n2024-01-25 custom "contract" "{cid}" "recorded"\n  assets: "{assets}"\n'
            f'  use: "parking-owner"\n  counterparty: "OWN-0001"\n  counterparty_kind: "owner"\n'
            f"  start: {start}\n  end: {end}\n  price: {price} CNY\n  period: \"{period}\"\n"
            + (f"  deposit: {deposit} CNY\n" if deposit else "")
            + f'  manager_share: {manager_share}\n  resolution: "R-2023-01"\n  decision: "{decision}"\n'
            f'  rules: "G-PARKING-OWNER"\n  policy_set: "huaian-qingjiangpu"\n  content_hash: "{h}"\n')


def income(date: str, period: str, gross: str = "150.00", cost: str = "45.00",
           contract: str | None = "C-2024-001", asset: str = "P-001",
           account: str = "Assets:Receivable:物业代收") -> str:
    net = Decimal(gross) - Decimal(cost)
    meta = f'  asset: "{asset}"\n' + (f'  contract: "{contract}"\n' if contract else "")
    return (f'\n{date} * "景湖物业" "{period} 停车位 {asset} 公共收益"\n{meta}  period: "{period}"\n'
            f"  {account}  {net} CNY\n  Expenses:Manager:物业经营成本  {cost} CNY\n"
            f"  Income:Common:停车位  -{gross} CNY\n")


def remit(date: str, amount: str) -> str:
    return (f'\n{date} * "景湖物业" "代收公共收益转入"\n  Assets:Bank:共有资金专户  {amount} CNY\n'
            f"  Assets:Receivable:物业代收  -{amount} CNY\n")


def full_year() -> str:
    """Six months of income Feb-Jul 2024, each remitted within 15 days."""
    text = ""
    for m in range(2, 8):
        end = (dt.date(2024, m + 1, 1) - dt.timedelta(days=1)).isoformat()
        text += income(end, f"2024-{m:02d}")
        text += remit((dt.date(2024, m + 1, 1) + dt.timedelta(days=14)).isoformat(), "105.00")
    return text


CLEAN_TAIL = """
2024-12-31 custom "disclosure" "2024"
2025-03-01 * "业委会" "2024年净收益补充维修资金"
  resolution: "R-2023-02"
  Expenses:Allocation:补充维修资金  400.00 CNY
  Assets:Bank:共有资金专户  -400.00 CNY
2025-12-01 custom "disclosure" "2025H1"
"""


@pytest.fixture
def audited(small_compound: Path):  # type: ignore[no-untyped-def]
    """Returns a function: journal text (and optional contract text) -> findings."""
    append(small_compound / "contracts.beancount", RESOLUTION)

    def run(journal: str, contracts: str | None = None, tail: str = CLEAN_TAIL,
            options: str = "", as_of: dt.date = AS_OF):  # type: ignore[no-untyped-def]
        append(small_compound / "contracts.beancount", contract_text() if contracts is None else contracts)
        append(small_compound / "journal.beancount", journal + tail)
        if options:
            append(small_compound / "accounts.beancount", options)
        loaded = Compound.locate(small_compound).load()
        return run_checks(loaded.entries, loaded.options_map, as_of), loaded

    return run


def ids(findings) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.check for f in findings if f.severity != "info"}


def test_clean_ledger_has_no_findings(audited) -> None:  # type: ignore[no-untyped-def]
    findings, loaded = audited(full_year())
    assert loaded.errors == [], [e.message for e in loaded.errors]
    assert ids(findings) == set(), [f.message for f in findings]


@pytest.mark.parametrize(("journal", "check", "fragment"), [
    (income("2024-01-10", "2024-01"), "income-unconfirmed", "当日状态：公示中"),
    (income("2024-02-29", "2024-02", asset="AD-001"), "income-unconfirmed", "当日状态：已登记"),
    (income("2024-02-29", "2024-02", asset="P-404"), "income-asset", "资产 P-404 不在登记簿中"),
    (income("2024-02-29", "2024-02", contract=None), "income-no-contract", "未注明合同"),
    (income("2024-02-29", "2024-02", contract="C-9999"), "income-no-contract", "账本中没有这份合同"),
    (income("2024-09-30", "2024-09"), "income-no-contract", "仅在 2024-02-01"),
])
def test_income_checks_trip(audited, journal: str, check: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year() + journal)
    hits = [f for f in findings if f.check == check]
    assert hits and any(fragment in f.message for f in hits), [f.message for f in findings]
    assert all(f.severity == "error" for f in hits)
    # the finding points at the offending transaction by file and line
    assert any("journal.beancount:" in ref for f in hits for ref in f.entries)


def test_late_payment_for_own_period_is_not_income_without_contract(audited) -> None:  # type: ignore[no-untyped-def]
    # paid in September for July, after the contract ended: covered by the contract's term
    journal = full_year().replace(income("2024-07-31", "2024-07"), "") + income("2024-09-10", "2024-07")
    findings, _ = audited(journal)
    assert "income-no-contract" not in ids(findings), [f.message for f in findings]


def test_income_on_asset_outside_the_contract(audited, small_compound: Path) -> None:  # type: ignore[no-untyped-def]
    append(small_compound / "registry.beancount", """
2024-01-02 custom "asset" "P-002" "registered"
  kind: "parking"
  reason: "登记"
2024-01-03 custom "asset" "P-002" "confirmed"
  evidence: "documents/P-001.pdf"
  resolution: "R-2023-01"
  reason: "业主大会决议确权"
""")
    findings, _ = audited(full_year() + income("2024-03-31", "2024-03", asset="P-002"))
    assert any(f.check == "income-no-contract" and "只涵盖 P-001" in f.message for f in findings)


@pytest.mark.parametrize(("contract", "fragment"), [
    (contract_text(decision="forbidden"), "“禁止（负面清单）”，不是“准许”"),
    (contract_text(tamper=True), "与政策决定时记录的内容哈希不一致"),
])
def test_contract_gate_trips(audited, contract: str, fragment: str) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year(), contracts=contract)
    hits = [f for f in findings if f.check == "contract-gate"]
    assert hits and fragment in hits[0].message
    assert hits[0].facts["contract"] == "C-2024-001"
    assert any("contracts.beancount:" in r for r in hits[0].entries)


def test_manager_cost_above_agreed_share(audited) -> None:  # type: ignore[no-untyped-def]
    journal = full_year().replace(income("2024-03-31", "2024-03"),
                                  income("2024-03-31", "2024-03", cost="45.01"))
    findings, _ = audited(journal)
    hits = [f for f in findings if f.check == "manager-cost"]
    assert len(hits) == 1 and hits[0].facts["excess"] == "0.01" and hits[0].facts["limit"] == "45.00"
    assert "282" in hits[0].rule


def test_manager_cost_at_agreed_share_is_fine(audited) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year())
    assert "manager-cost" not in ids(findings)


def test_billing_arrears_and_overpayment(audited) -> None:  # type: ignore[no-untyped-def]
    journal = full_year().replace(income("2024-04-30", "2024-04"), "")  # April never paid
    journal = journal.replace(income("2024-05-31", "2024-05"),
                              income("2024-05-31", "2024-05", gross="200.00", cost="60.00"))
    findings, _ = audited(journal)
    arrears = [f for f in findings if f.check == "billing-arrears"]
    over = [f for f in findings if f.check == "billing-overpaid"]
    assert [(f.facts["period"], f.facts["arrears"]) for f in arrears] == [("2024-04", "150.00")]
    assert [(f.facts["period"], f.facts["difference"]) for f in over] == [("2024-05", "50.00")]


def test_billing_not_yet_due_is_not_arrears(audited) -> None:  # type: ignore[no-untyped-def]
    journal = full_year().replace(income("2024-07-31", "2024-07"), "")
    findings, _ = audited(journal, as_of=dt.date(2024, 8, 15))  # July's grace runs to 2024-08-31
    assert "billing-arrears" not in ids(findings)


def test_allocation_split_below_the_rule(audited) -> None:  # type: ignore[no-untyped-def]
    tail = CLEAN_TAIL.replace("400.00", "300.00")  # net 630, half is 315
    findings, _ = audited(full_year(), tail=tail)
    hits = [f for f in findings if f.check == "allocation-split"]
    assert len(hits) == 1
    assert hits[0].facts["required"] == "315.00" and hits[0].facts["shortfall"] == "15.00"


def test_allocation_too_late_counts_as_missing(audited) -> None:  # type: ignore[no-untyped-def]
    tail = CLEAN_TAIL.replace("2025-03-01 *", "2025-05-01 *")  # after 90 days past year end
    findings, _ = audited(full_year(), tail=tail)
    assert "allocation-split" in ids(findings)


@pytest.mark.parametrize(("resolution", "fragment"), [
    (None, "未引用业主大会决议"),
    ("R-2023-03", "未获通过"),
    ("R-2099-01", "账本中没有这项决议"),
])
def test_spending_without_a_valid_resolution(audited, resolution: str | None, fragment: str) -> None:  # type: ignore[no-untyped-def]
    line = f'  resolution: "{resolution}"\n' if resolution else ""
    journal = full_year() + (f'\n2024-10-01 * "业委会" "购置健身器材"\n{line}'
                             "  Expenses:Allocation:业主大会决定用途  100.00 CNY\n"
                             "  Assets:Bank:共有资金专户  -100.00 CNY\n")
    findings, _ = audited(journal)
    hits = [f for f in findings if f.check == "spending-no-resolution"]
    assert len(hits) == 1 and fragment in hits[0].message


def test_remittance_late_and_aging(audited) -> None:  # type: ignore[no-untyped-def]
    journal = full_year().replace(remit("2024-03-15", "105.00"), remit("2024-04-20", "105.00"))
    journal += income("2025-10-31", "2025-10", contract=None)  # collected, never passed on
    findings, _ = audited(journal)
    late = [f for f in findings if f.check == "remittance-late"]
    aging = [f for f in findings if f.check == "remittance-aging"]
    # FIFO: the 2024-04-15 remittance pays off February's collection first, 46 days on;
    # March's is then paid by the late 2024-04-20 one within 20 days
    assert [(f.facts["collected"], f.facts["days"]) for f in late] == [("2024-02-29", "46")]
    assert [(f.facts["collected"], f.facts["outstanding"]) for f in aging] == [("2025-10-31", "105.00")]


def test_remittance_within_limit_is_fine(audited) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year())
    assert not {"remittance-late", "remittance-aging"} & ids(findings)


DEPOSIT_IN = """
2024-01-28 * "OWN-0001" "停车位押金"
  contract: "C-2024-001"
  Assets:Bank:共有资金专户  300.00 CNY
  Liabilities:Deposits:经营押金  -300.00 CNY
"""
DEPOSIT_OUT = """
2024-08-10 * "业委会" "退还停车位押金"
  contract: "C-2024-001"
  Liabilities:Deposits:经营押金  300.00 CNY
  Assets:Bank:共有资金专户  -300.00 CNY
"""


def test_deposit_not_returned_after_contract_ended(audited) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year() + DEPOSIT_IN, contracts=contract_text(deposit="300.00"))
    hits = [f for f in findings if f.check == "deposit-unreturned"]
    assert len(hits) == 1 and hits[0].facts["held"] == "300.00" and hits[0].facts["ended"] == "2024-07-31"


def test_deposit_held_during_contract_is_info(audited) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year() + DEPOSIT_IN, contracts=contract_text(deposit="300.00"),
                          as_of=dt.date(2024, 7, 1))
    assert [f.severity for f in findings if f.check.startswith("deposit")] == ["info"]


def test_deposit_returned_is_fine(audited) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year() + DEPOSIT_IN + DEPOSIT_OUT, contracts=contract_text(deposit="300.00"))
    assert not [f for f in findings if f.check.startswith("deposit")]


def test_deposit_without_contract(audited) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year() + DEPOSIT_IN.replace('  contract: "C-2024-001"\n', ""))
    assert "deposit-unlinked" in ids(findings)


def test_disclosure_overdue(audited) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year(), tail=CLEAN_TAIL.replace('custom "disclosure" "2024"\n', 'custom "disclosure" "2024H2"\n'))
    hits = [f for f in findings if f.check == "disclosure-overdue"]
    assert [f.facts["period"] for f in hits] == ["2024H1"]
    assert "281" in hits[0].rule and "943" in hits[0].rule


def test_disclosure_frequency_is_configurable(audited) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year(), options='\n2020-01-01 custom "assetreg-option" "disclosure-frequency" "quarter"\n')
    # the yearly 2024 disclosure covers every quarter of 2024 and 2025H1 covers Q1 and Q2;
    # 2025Q3 is due (even without income) and Q4 is not yet due on 2025-12-31
    periods = [f.facts["period"] for f in findings if f.check == "disclosure-overdue"]
    assert periods == ["2025Q3"]


def test_suspense_balance(audited) -> None:  # type: ignore[no-untyped-def]
    journal = full_year() + """
2024-09-03 * "银行流水" "未能识别的转入"
  Assets:Bank:共有资金专户  88.00 CNY
  Liabilities:Suspense:待查明款项  -88.00 CNY
"""
    findings, _ = audited(journal)
    hits = [f for f in findings if f.check == "suspense-balance"]
    assert len(hits) == 1 and hits[0].facts["balance"] == "-88.00"


def test_suspense_cleared_is_fine(audited) -> None:  # type: ignore[no-untyped-def]
    journal = full_year() + """
2024-09-03 * "银行流水" "未能识别的转入"
  Assets:Bank:共有资金专户  88.00 CNY
  Liabilities:Suspense:待查明款项  -88.00 CNY
2024-09-20 * "业委会" "查明：多转入，退回"
  Liabilities:Suspense:待查明款项  88.00 CNY
  Assets:Bank:共有资金专户  -88.00 CNY
"""
    findings, _ = audited(journal)
    assert "suspense-balance" not in ids(findings)


def test_every_check_id_is_known_and_book_errors_are_a_subset() -> None:
    assert set(CHECK_IDS) >= BOOK_ERRORS
    assert len(CHECK_IDS) == len(set(CHECK_IDS))


def test_findings_carry_rule_facts_and_entries(audited) -> None:  # type: ignore[no-untyped-def]
    findings, _ = audited(full_year() + income("2024-09-30", "2024-09"))
    for f in findings:
        d = f.as_dict()
        assert d["check"] and d["severity"] in ("error", "warning", "info") and d["rule"]
        assert isinstance(d["facts"], dict)
