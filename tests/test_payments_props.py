"""Property tests: no order of approvals, rejections and edits lets an unapproved or changed
payment pass (issue 15).

Two levels: the ledger as anyone might have written it (steps in any order, by anyone, with
any hash, the proposal edited in the file), read by :func:`assetreg.payments.book_from_entries`;
and the writers (`propose`, `amend`, `decide`) driven in any order through a transaction, which
must refuse what would break the rule and never leave a payment approved that is not.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetreg import payments
from assetreg.errors import BadInput
from assetreg.ledger import Compound, Transaction, custom

D0 = dt.date(2025, 1, 1)
PID = "PAY-2025-001"
COMMITTEE = ["OWN-0001", "OWN-0002", "OWN-0003", "OWN-0004"]
SUPERVISOR = ["SUP-01"]
OUTSIDER = ["OWN-0099"]
PEOPLE = COMMITTEE + SUPERVISOR + OUTSIDER
ACCOUNT = "Expenses:Allocation:业主大会决定用途"
PAYEE = "淮安某建筑工程有限公司"
NEED = 2
SUP_ABOVE = Decimal("5000.00")


def setup_entries(removed: str | None = None, removed_on: int = 0) -> list:
    out = [custom(D0, payments.RULE_TYPE, ["payments"], committee=NEED, **{"supervisor-above": SUP_ABOVE,
                                                                             "window-days": 60})]
    out += [custom(D0, payments.APPROVER_TYPE, [k, "committee"], role="委员") for k in COMMITTEE]
    out += [custom(D0, payments.APPROVER_TYPE, [k, "supervisor"], role="社区") for k in SUPERVISOR]
    if removed:
        out.append(custom(D0 + dt.timedelta(days=removed_on), payments.APPROVER_TYPE, [removed, "removed"],
                          reason="换届"))
    return out


def version_entry(day: dt.date, action: str, by: str, amount: Decimal, purpose: str, stored: str | None = None):  # type: ignore[no-untyped-def]
    h = payments.content_hash(PID, amount, PAYEE, purpose, ACCOUNT, None, None, None)
    return custom(day, payments.PAYMENT_TYPE, [PID, action], by=by, amount=amount, payee=PAYEE, purpose=purpose,
                  account=ACCOUNT, hash=stored or h)


amounts = st.sampled_from([Decimal("100.00"), Decimal("4999.99"), Decimal("5000.00"), Decimal("5000.01"),
                           Decimal("12000.00")])
purposes = st.sampled_from(["道闸维修", "屋面防水", "监控更换"])
# An op: (kind, day offset, who, amount, purpose, which hash an approver quotes)
ops = st.lists(st.tuples(st.sampled_from(["approved", "approved", "approved", "rejected", "amended"]),
                         st.integers(0, 20), st.sampled_from(PEOPLE), amounts, purposes,
                         st.sampled_from(["current", "current", "stale", "garbage", "prefix"])),
               max_size=14)


def ledger_of(first_amount: Decimal, first_purpose: str, steps: list, proposer: str) -> tuple[list, list]:
    """The entries of a ledger with the steps in date order (as Beancount sorts them), and
    each version's content hash in order."""
    entries = [version_entry(D0 + dt.timedelta(days=1), "proposed", proposer, first_amount, first_purpose)]
    hashes = [entries[0].meta["hash"]]
    seq = sorted(enumerate(steps), key=lambda x: (x[1][1], x[0]))
    for _, (kind, off, who, amount, purpose, quote) in seq:
        day = D0 + dt.timedelta(days=1 + off)
        if kind == "amended":
            e = version_entry(day, "amended", who, amount, purpose)
            hashes.append(e.meta["hash"])
            entries.append(e)
            continue
        h = {"current": hashes[-1], "stale": hashes[0], "garbage": "sha256:" + "ab" * 32,
             "prefix": hashes[-1][7:17]}[quote]
        entries.append(custom(day, payments.PAYMENT_TYPE, [PID, kind], by=who, hash=h, reason="x"))
    return entries, hashes


def oracle_safe(book: payments.PaymentBook, day: dt.date) -> None:
    """What 'approved' must mean, checked from the raw events alone."""
    st_ = book.standing(PID, day)
    if st_ is None or st_.state != "approved":
        return
    p = book.proposals[PID]
    events = [e for e in p.events if e.date <= day]
    last_version = max(i for i, e in enumerate(events) if isinstance(e, payments.Version))
    v = events[last_version]
    assert isinstance(v, payments.Version)
    after = events[last_version + 1:]
    # nobody rejected it since it was last stated (a registered approver's veto holds)
    assert not any(isinstance(e, payments.Step) and e.action == "rejected" and book.approver_on(e.by, e.date)
                   for e in after)
    fresh = v.hash.removeprefix("sha256:")
    good = {e.by for e in after if isinstance(e, payments.Step) and e.action == "approved"
            and e.by not in p.proposers and len(e.hash.removeprefix("sha256:")) >= 8
            and fresh.startswith(e.hash.removeprefix("sha256:"))
            and (a := book.approver_on(e.by, e.date)) is not None and a.group == "committee"}
    assert len(good) >= NEED
    if v.amount > SUP_ABOVE:
        assert any(isinstance(e, payments.Step) and e.action == "approved" and e.by in SUPERVISOR
                   and book.approver_on(e.by, e.date) is not None and fresh.startswith(e.hash.removeprefix("sha256:"))
                   for e in after)
    # what is approved is what the entry says now
    assert v.hash == payments.content_hash(PID, v.amount, v.payee, v.purpose, v.account, v.resolution, v.contract,
                                           v.voucher_sha256)


@settings(max_examples=300, deadline=None)
@given(amounts, purposes, ops, st.sampled_from(PEOPLE), st.sampled_from([None, *COMMITTEE]), st.integers(0, 20),
       st.integers(0, 25))
def test_no_order_of_steps_in_the_ledger_passes_an_unapproved_payment(
        amount: Decimal, purpose: str, steps: list, proposer: str, removed: str | None, removed_on: int,
        look: int) -> None:
    entries, _ = ledger_of(amount, purpose, steps, proposer)
    book = payments.book_from_entries(setup_entries(removed, removed_on) + entries)
    day = D0 + dt.timedelta(days=1 + look)
    oracle_safe(book, day)
    st_ = book.standing(PID, day)
    # the bank's matcher pays only an approved proposal, of its amount
    found = book.match(day, amount + Decimal("0.01"), PAYEE, PID)
    assert isinstance(found, str) or found.version.amount == amount + Decimal("0.01")
    if st_ is not None:
        got = book.match(day, st_.version.amount, PAYEE, PID)
        assert isinstance(got, str) or (st_.state == "approved" and got.version == st_.version)


@settings(max_examples=200, deadline=None)
@given(amounts, purposes, ops, st.sampled_from(COMMITTEE), amounts, purposes)
def test_a_change_after_any_steps_needs_new_approvals(amount: Decimal, purpose: str, steps: list, proposer: str,
                                                      new_amount: Decimal, new_purpose: str) -> None:
    entries, _ = ledger_of(amount, purpose, steps, proposer)
    end = max(e.date for e in entries)
    # an amendment on the last day, after everything: whatever came before, it is not approved
    amended = version_entry(end, "amended", proposer, new_amount, new_purpose)
    book = payments.book_from_entries(setup_entries() + entries + [amended])
    st_ = book.standing(PID, end)
    assert st_ is not None and st_.state != "approved"
    assert isinstance(book.match(end, new_amount, PAYEE, PID), str)
    # the proposal edited in the file (the amount raised, its recorded hash and approvals kept)
    book = payments.book_from_entries(setup_entries() + entries)
    before = book.standing(PID, end + dt.timedelta(days=1))
    assert before is not None
    v = before.version
    edited = [e if e is not v.entry else e._replace(meta={**e.meta, "amount": v.amount + Decimal("1.00")})
              for e in entries]
    after = payments.book_from_entries(setup_entries() + edited).standing(PID, end + dt.timedelta(days=1))
    assert after is not None and after.state != "approved"


# ---------------------------------------------------------------- through the writers

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops, st.sampled_from(COMMITTEE), amounts)
def test_the_writers_in_any_order_never_approve_what_the_rule_does_not(small: Path, steps: list, proposer: str,
                                                                        amount: Decimal) -> None:
    txn = Transaction(Compound.locate(small), Compound.locate(small).load())  # staged only, never written
    payments.propose(txn, D0 + dt.timedelta(days=1), proposer, amount, PAYEE, "道闸维修", pid=PID)
    day = D0 + dt.timedelta(days=1)
    for kind, off, who, new_amount, purpose, quote in steps:
        day = day + dt.timedelta(days=off % 3)
        book = payments.book_from_entries(txn.after().entries)
        current = book.proposals[PID].current.hash
        try:
            if kind == "amended":
                payments.amend(txn, day, PID, who, amount=new_amount, purpose=purpose)
                st_ = payments.book_from_entries(txn.after().entries).standing(PID, day)
                assert st_ is not None and st_.state != "approved"
            else:
                seen = {"current": current, "stale": "sha256:" + "cd" * 32, "garbage": "zz",
                        "prefix": current[7:20]}[quote]
                payments.decide(txn, day, PID, kind, who, seen_hash=seen, reason="理由")
                assert quote in ("current", "prefix")  # a hash that is not the proposal's is refused
                assert who not in payments.book_from_entries(txn.after().entries).proposals[PID].proposers
        except BadInput:
            pass
        oracle_safe(payments.book_from_entries(txn.after().entries), day)


import pytest  # noqa: E402  (fixtures below the properties they serve)


@pytest.fixture
def small(small_compound: Path) -> Path:
    from assetreg.ledger import format_entry  # only this fixture writes the settings as text

    text = "".join("\n" + format_entry(e) for e in setup_entries())
    with (small_compound / "accounts.beancount").open("a", encoding="utf-8") as f:
        f.write(text)
    return small_compound
