"""Audit thresholds on both sides of every boundary: the day before, on and after each
grace period, and equal / one cent over each money limit.

Defaults (assetreg.options): remittance-days 30, billing-grace-days 31,
deposit-return-days 30, disclosure-days 30, allocation-days 90, manager-share-max 0.3.
A period "within N days after" day E may still be met on E+N; it is late from E+N+1.

The small compound's contract C-2024-001 bills 150.00 a month from 2024-02-01 to
2024-07-31 with a manager share of 0.30 (see tests/test_audit.py). One ledger is loaded
per case and audited on several days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import append
from test_audit import CLEAN_TAIL, RESOLUTION, contract_text, full_year, income, remit

from assetreg.audit import run_checks
from assetreg.ledger import Compound

D = dt.date.fromisoformat
Audit = Callable[[dt.date], list[Any]]


@pytest.fixture
def ledger(small_compound: Path) -> Callable[..., Audit]:
    """journal text → a function auditing that ledger on a given day."""

    def build(journal: str, contracts: str | None = None, tail: str = CLEAN_TAIL, options: str = "",
              book_errors: bool = False) -> Audit:
        append(small_compound / "contracts.beancount", RESOLUTION + (contract_text() if contracts is None else contracts))
        append(small_compound / "journal.beancount", journal + tail)
        if options:
            append(small_compound / "accounts.beancount", options)
        loaded = Compound.locate(small_compound).load()
        assert book_errors or loaded.errors == [], [e.message for e in loaded.errors]
        return lambda day: run_checks(loaded.entries, loaded.options_map, day)

    return build


def found(findings: list[Any], check: str) -> list[dict[str, Any]]:
    return [f.facts for f in findings if f.check == check]


# ------------------------------------------------------------------ remittance-days (30)


@pytest.mark.parametrize(("remitted", "late_days"), [
    ("2024-04-29", None), ("2024-04-30", None), ("2024-05-01", "31"), ("2024-05-02", "32")])
def test_remittance_exactly_at_the_allowed_delay_is_not_late(ledger, remitted: str, late_days: str | None) -> None:  # type: ignore[no-untyped-def]
    journal = full_year().replace(remit("2024-04-15", "105.00"), remit(remitted, "105.00"))  # March's, collected 03-31
    audit = ledger(journal)
    late = found(audit(D("2025-12-31")), "remittance-late")
    if late_days is None:
        assert late == []
    else:
        assert [(f["collected"], f["remitted"], f["days"], f["limit"]) for f in late] == [
            ("2024-03-31", remitted, late_days, "30")]


def test_collection_still_held_ages_from_the_day_after_the_limit(ledger) -> None:  # type: ignore[no-untyped-def]
    audit = ledger(full_year() + income("2025-10-31", "2025-10", contract=None), book_errors=True)
    assert found(audit(D("2025-11-29")), "remittance-aging") == []
    assert found(audit(D("2025-11-30")), "remittance-aging") == []  # 30 days: still allowed
    aging = found(audit(D("2025-12-01")), "remittance-aging")
    assert [(f["collected"], f["days"], f["outstanding"]) for f in aging] == [("2025-10-31", "31", "105.00")]
    # a collection after the audit day is not yet held
    assert found(audit(D("2025-10-30")), "remittance-aging") == []


def test_partial_remittances_pay_the_oldest_collection_first(ledger) -> None:  # type: ignore[no-untyped-def]
    journal = full_year().replace(remit("2024-04-15", "105.00"), remit("2024-04-15", "100.00") + remit("2024-05-01", "5.00"))
    audit = ledger(journal)
    late = found(audit(D("2025-12-31")), "remittance-late")
    # March's 105.00 is paid off only by the 5.00 on 2024-05-01, 31 days after 03-31
    assert [(f["collected"], f["remitted"], f["days"]) for f in late] == [("2024-03-31", "2024-05-01", "31")]


def test_remittance_limit_is_the_option(ledger) -> None:  # type: ignore[no-untyped-def]
    journal = full_year()  # each month remitted 15 days after the collection
    audit = ledger(journal, options='\n2020-01-01 custom "assetreg-option" "remittance-days" "14"\n')
    late = found(audit(D("2025-12-31")), "remittance-late")
    assert {f["days"] for f in late} == {"15"} and len(late) == 6 and {f["limit"] for f in late} == {"14"}


# ------------------------------------------------------------------ billing-grace-days (31)


def test_arrears_not_reported_on_the_last_day_of_grace(ledger) -> None:  # type: ignore[no-untyped-def]
    audit = ledger(full_year().replace(income("2024-07-31", "2024-07"), ""))  # July never paid
    for day in ("2024-08-30", "2024-08-31"):  # 07-31 + 31 days = 08-31, the last day of grace
        assert found(audit(D(day)), "billing-arrears") == [], day
    arrears = found(audit(D("2024-09-01")), "billing-arrears")
    assert [(f["period"], f["due"], f["paid"], f["arrears"]) for f in arrears] == [("2024-07", "150.00", "0", "150.00")]


@pytest.mark.parametrize(("gross", "check", "difference"), [
    ("150.00", None, None), ("149.99", "billing-arrears", "0.01"), ("150.01", "billing-overpaid", "0.01")])
def test_billing_equal_and_one_cent_either_side(ledger, gross: str, check: str | None, difference: str | None) -> None:  # type: ignore[no-untyped-def]
    journal = full_year().replace(income("2024-05-31", "2024-05"), income("2024-05-31", "2024-05", gross=gross))
    findings = ledger(journal)(D("2025-12-31"))
    hits = [f.facts for f in findings if f.check in ("billing-arrears", "billing-overpaid")]
    if check is None:
        assert hits == []
    else:
        key = "arrears" if check == "billing-arrears" else "difference"
        assert [(h["period"], h[key]) for h in hits] == [("2024-05", difference)]
        assert found(findings, check) == hits


# ------------------------------------------------------------------ deposit-return-days (30)

DEPOSIT_IN = """
2024-01-28 * "OWN-0001" "停车位押金"
  contract: "C-2024-001"
  Assets:Bank:共有资金专户  300.00 CNY
  Liabilities:Deposits:经营押金  -300.00 CNY
"""


def test_deposit_return_days_boundary(ledger) -> None:  # type: ignore[no-untyped-def]
    audit = ledger(full_year() + DEPOSIT_IN, contracts=contract_text(deposit="300.00"))
    for day in ("2024-07-31", "2024-08-29", "2024-08-30"):  # ended 07-31; 30 days run to 08-30
        findings = audit(D(day))
        assert found(findings, "deposit-unreturned") == [], day
        assert [f["held"] for f in found(findings, "deposit-held")] == ["300.00"], day
    findings = audit(D("2024-08-31"))
    assert [(f["contract"], f["held"], f["ended"]) for f in found(findings, "deposit-unreturned")] == [
        ("C-2024-001", "300.00", "2024-07-31")]
    assert found(findings, "deposit-held") == []
    # a deposit paid after the audit day is not yet held
    assert [f for f in audit(D("2024-01-27")) if f.check.startswith("deposit")] == []


def test_deposit_returned_one_cent_short_is_still_held(ledger) -> None:  # type: ignore[no-untyped-def]
    back = ('\n2024-08-10 * "业委会" "退还押金"\n  contract: "C-2024-001"\n'
            "  Liabilities:Deposits:经营押金  299.99 CNY\n  Assets:Bank:共有资金专户  -299.99 CNY\n")
    audit = ledger(full_year() + DEPOSIT_IN + back, contracts=contract_text(deposit="300.00"))
    assert [f["held"] for f in found(audit(D("2025-12-31")), "deposit-unreturned")] == ["0.01"]


# ------------------------------------------------------------------ disclosure-days (30)


def test_disclosure_due_on_the_thirtieth_day_is_not_yet_overdue(ledger) -> None:  # type: ignore[no-untyped-def]
    tail = CLEAN_TAIL.replace('2025-12-01 custom "disclosure" "2025H1"\n', "")
    audit = ledger(full_year(), tail=tail)  # 2024 disclosed; 2025H1 (no income) never
    assert found(audit(D("2025-07-29")), "disclosure-overdue") == []
    assert found(audit(D("2025-07-30")), "disclosure-overdue") == []  # 06-30 + 30 days: the last day
    hits = found(audit(D("2025-07-31")), "disclosure-overdue")
    assert [(f["period"], f["due"]) for f in hits] == [("2025H1", "2025-07-30")]


def test_disclosure_of_a_year_covers_its_halves_but_a_half_does_not_cover_the_year(ledger) -> None:  # type: ignore[no-untyped-def]
    tail = CLEAN_TAIL.replace('custom "disclosure" "2024"', 'custom "disclosure" "2024H1"')
    hits = found(ledger(full_year(), tail=tail)(D("2025-12-31")), "disclosure-overdue")
    assert [f["period"] for f in hits] == ["2024H2"]


# ------------------------------------------------------------------ allocation-days (90)


@pytest.mark.parametrize(("allocated", "audit_day", "short"), [
    ("2025-03-31", "2025-04-01", None),  # on the 90th day after 2024-12-31: in time
    ("2025-04-01", "2025-03-31", None),  # the deadline has not passed on the audit day
    ("2025-04-01", "2025-04-01", "315.00"),  # one day late: counts as missing
])
def test_allocation_deadline(ledger, allocated: str, audit_day: str, short: str | None) -> None:  # type: ignore[no-untyped-def]
    tail = CLEAN_TAIL.replace("2025-03-01 *", f"{allocated} *")
    hits = found(ledger(full_year(), tail=tail)(D(audit_day)), "allocation-split")
    assert [h["shortfall"] for h in hits] == ([short] if short else [])


@pytest.mark.parametrize(("amount", "short"), [("315.00", None), ("314.99", "0.01")])
def test_allocation_equal_and_one_cent_short(ledger, amount: str, short: str | None) -> None:  # type: ignore[no-untyped-def]
    tail = CLEAN_TAIL.replace("400.00", amount)  # net 630.00, half is 315.00
    hits = found(ledger(full_year(), tail=tail)(D("2025-12-31")), "allocation-split")
    assert [(h["required"], h["shortfall"]) for h in hits] == ([("315.00", short)] if short else [])


# ------------------------------------------------------------------ manager-share cap


@pytest.mark.parametrize(("gross", "cost", "limit", "excess"), [
    ("150.00", "45.00", "45.00", None), ("150.00", "45.01", "45.00", "0.01"),
    # 150.05 × 0.30 = 45.015, rounded half up to 45.02
    ("150.05", "45.02", "45.02", None), ("150.05", "45.03", "45.02", "0.01"),
])
def test_manager_share_equal_and_one_cent_over(ledger, gross: str, cost: str, limit: str, excess: str | None) -> None:  # type: ignore[no-untyped-def]
    journal = full_year().replace(income("2024-05-31", "2024-05"), income("2024-05-31", "2024-05", gross=gross, cost=cost))
    hits = found(ledger(journal)(D("2025-12-31")), "manager-cost")
    assert [(h["gross"], h["cost"], h["limit"], h["excess"]) for h in hits] == (
        [(gross, cost, limit, excess)] if excess else [])


def test_manager_share_without_a_contract_uses_the_option(ledger) -> None:  # type: ignore[no-untyped-def]
    journal = full_year() + income("2024-09-30", "2024-09", cost="30.01", contract=None)
    opts = '\n2020-01-01 custom "assetreg-option" "manager-share-max" "0.2"\n'
    hits = found(ledger(journal, options=opts, book_errors=True)(D("2025-12-31")), "manager-cost")
    assert [(h["limit"], h["excess"], h["agreed_share"], h["contract"]) for h in hits] == [("30.00", "0.01", "0.2", "")]
