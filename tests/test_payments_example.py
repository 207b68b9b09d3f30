"""The example compound's year under the approval rule and its vouchers (issue 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from beancount.core import data

from assetreg import payments, vouchers
from assetreg.audit import run_checks
from assetreg.books import of as books_of
from assetreg.ledger import Compound

EXAMPLE = Path(__file__).resolve().parents[1] / "ledgers" / "qjp-jinghu-garden"
AS_OF = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def example():  # type: ignore[no-untyped-def]
    loaded = Compound.locate(EXAMPLE).load()
    assert loaded.errors == []
    return loaded, books_of(loaded.entries, loaded.options_map)


def test_a_year_of_approved_payments_one_rejected_one_paid_before_approval(example) -> None:  # type: ignore[no-untyped-def]
    loaded, books = example
    book = payments.of(books)
    assert book.since == dt.date(2025, 11, 1)
    states = {pid: book.standing(pid, AS_OF).state for pid in book.proposals}  # type: ignore[union-attr]
    paid = sorted(book.paid)
    assert len(paid) == 6 and all(states[p] == "approved" for p in paid)
    assert [p for p, s in states.items() if s == "rejected"] == ["PAY-2026-008"]
    # every payment out of the account since the rule names its proposal, but the gate repair
    outflows = [e for e in books.entries if isinstance(e, data.Transaction) and e.date >= book.since
                and payments.bank_outflow(e) is not None]
    unpaid = [e for e in outflows if "payment" not in e.meta]
    assert [(e.date, str(payments.bank_outflow(e))) for e in unpaid] == [(dt.date(2026, 5, 9), "3200.00")]
    assert unpaid[0].meta["unmatched"].startswith("付款申请PAY-2026-004审批未完成")
    found = [f for f in run_checks(loaded.entries, loaded.options_map, AS_OF, books=books)
             if f.check.startswith(("payment-", "voucher-"))]
    assert sorted((f.check, f.facts["amount"]) for f in found) == [
        ("payment-approved-late", "3200.00"), ("payment-unapproved", "3200.00"),
        ("voucher-missing", "21600.00"), ("voucher-missing", "6000.00")]
    late = next(f for f in found if f.check == "payment-approved-late")
    assert (late.facts["payment"], late.facts["approved"]) == ("PAY-2026-004", "2026-05-12")
    assert all(f.severity == "warning" for f in found)


def test_every_cost_has_a_voucher_and_the_lease_its_signed_page(example) -> None:  # type: ignore[no-untyped-def]
    _, books = example
    lines = vouchers.lines(books)
    costs = [x for x in lines if x.kind == "cost"]
    assert len(costs) == 8 and all(x.vouchers for x in costs)  # four half-years, two transfers each
    assert sum(1 for x in lines if x.flagged) == 2
    lease = books.contract_entries["C-2024-004"]
    assert [v.kind for v in vouchers.for_entry(books, lease)] == ["pdf"]
    for x in lines:
        for v in x.vouchers:
            assert Path(v.filename).is_file() and Path(v.filename).parent.name == "凭证"
