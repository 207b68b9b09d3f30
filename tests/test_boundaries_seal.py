"""Seals: balance assertions are sealed content, and the sealed day is the boundary
(an entry dated on it is sealed, one dated the day after is not)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from conftest import append
from test_audit import income
from test_seal import books, do_seal, seal_findings  # noqa: F401  (books is a fixture)

from assetreg import seal as sealing
from assetreg.ledger import Compound

# After full_year() the account holds February's and March's remittances on 2024-04-16.
BALANCE = "\n2024-04-16 balance Assets:Bank:共有资金专户  210.00 CNY\n"


@pytest.fixture
def sealed_with_balance(books: Path) -> Path:  # noqa: F811
    append(books / "journal.beancount", BALANCE)
    do_seal(books)  # through 2024-06-30
    assert seal_findings(books)[0] == []
    return books


def edit(root: Path, old: str, new: str) -> None:
    journal = root / "journal.beancount"
    text = journal.read_text(encoding="utf-8")
    assert old in text
    journal.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(("old", "new"), [
    ("210.00 CNY\n", "210.0 CNY\n"),  # same value, as written: still a different entry
    ("2024-04-16 balance", "2024-04-17 balance"),  # moved a day, still true
    ("2024-04-16 balance Assets:Bank:共有资金专户  210.00 CNY\n", ""),  # removed
    ("210.00 CNY\n", "210.00 CNY\n  note: \"对账\"\n"),  # metadata added
])
def test_editing_a_sealed_balance_assertion_breaks_the_seal(sealed_with_balance: Path, old: str, new: str) -> None:
    edit(sealed_with_balance, old, new)
    findings, loaded = seal_findings(sealed_with_balance)
    assert [e.message for e in loaded.errors if "Balance failed" in e.message] == []  # still true
    assert findings and all(f.check == "seal-broken" and f.severity == "error" for f in findings)
    assert "2024-04-1" in " ".join(f.message for f in findings)


def test_a_balance_assertion_is_part_of_the_canonical_form() -> None:
    entries, _, _ = loader.load_string("2024-01-01 open Assets:Bank\n2024-04-16 balance Assets:Bank  0.00 CNY\n")
    bal = next(e for e in entries if isinstance(e, data.Balance))
    text = sealing.canonical(bal)
    assert text.startswith("balance\x1e2024-04-16\x1eAssets:Bank\x1e")
    assert sealing.canonical(bal._replace(amount=bal.amount._replace(number=bal.amount.number + 1))) != text
    assert sealing.canonical(bal._replace(date=dt.date(2024, 4, 17))) != text
    assert sealing.canonical(bal._replace(account="Assets:Cash")) != text
    # what the balance check fills in afterwards is not content
    assert sealing.canonical(bal._replace(diff_amount=bal.amount, tolerance=bal.amount.number)) == text


@pytest.mark.parametrize(("day", "broken"), [("2024-06-29", True), ("2024-06-30", True), ("2024-07-01", False)])
def test_the_sealed_day_is_inside_the_seal(books: Path, day: str, broken: bool) -> None:  # noqa: F811
    do_seal(books)
    append(books / "journal.beancount", income(day, "2024-06", gross="1.00", cost="0.30"))
    findings, _ = seal_findings(books)
    assert bool(findings) is broken
    if broken:
        assert [f.facts["change"] for f in findings] == ["inserted"]
        assert f"插入 {day}" in findings[0].message


def test_hashes_through_agree_with_compute_at_each_boundary(books: Path) -> None:  # noqa: F811
    entries = Compound.locate(books).load().entries
    days = [dt.date(2024, 3, 30), dt.date(2024, 3, 31), dt.date(2024, 4, 1)]
    hashes = sealing.hashes_through(entries, days)
    assert [hashes[d][0] for d in days] == [sealing.compute(entries, d).hash for d in days]
    assert hashes[days[0]][1] + 1 == hashes[days[1]][1]  # March's income is dated 03-31
    assert hashes[days[1]] == hashes[days[2]]  # nothing dated 04-01


def test_an_entrys_label_names_what_a_reader_needs_exactly() -> None:
    """The manifest and the seal findings name an entry by this label: exact text, each kind."""
    import datetime as dt
    from decimal import Decimal

    from beancount.core import data
    from beancount.core.amount import Amount

    from assetreg.seal import label

    meta = data.new_metadata("journal.beancount", 7)
    day = dt.date(2025, 3, 1)
    post = data.Posting("Assets:Bank:共有资金专户", Amount(Decimal("1500.00"), "CNY"), None, None, None, None)
    auto = data.Posting("Income:Common:停车位", None, None, None, None, None)
    txn = data.Transaction(meta, day, "*", "物业公司", "2月停车费", frozenset(), frozenset(), [auto, post])
    assert label(txn) == 'txn "物业公司" "2月停车费" Assets:Bank:共有资金专户 1500.00 CNY'
    bare = txn._replace(payee=None, narration="", postings=[auto])
    assert label(bare) == 'txn "" ""'
    from beancount.parser.grammar import ValueType

    custom = data.Custom(meta, day, "assetreg-option", [ValueType("notice-days", str), ValueType("15", str)])
    assert label(custom) == 'custom "assetreg-option" "notice-days" "15"'
    bal = data.Balance(meta, day, "Assets:Bank:共有资金专户", Amount(Decimal("1"), "CNY"), None, None)
    assert label(bal) == "balance Assets:Bank:共有资金专户"
    long = txn._replace(narration="长" * 300)
    assert len(label(long)) == 160


def test_every_part_of_a_priced_or_open_posting_is_sealed() -> None:
    """Postings with a price, a cost or no amount take the general path of the seal's
    serialisation: a change to any of their parts must change what is sealed."""
    import datetime as dt
    from decimal import Decimal

    from beancount.core import data
    from beancount.core.amount import Amount
    from beancount.core.position import Cost

    from assetreg.seal import canonical

    meta = data.new_metadata("journal.beancount", 9)
    ten, rate = Amount(Decimal("10"), "USD"), Amount(Decimal("7.10"), "CNY")

    def txn(units: Amount | None = ten, cost: Cost | None = None,
            price: Amount | None = rate, flag: str | None = None,
            pmeta: dict[str, object] | None = None) -> data.Transaction:
        priced = data.Posting("Assets:Bank:外币户", units, cost, price, flag, pmeta)
        rest = data.Posting("Assets:Bank:共有资金专户", None, None, None, None, None)
        return data.Transaction(meta, dt.date(2025, 3, 1), "*", "银行", "结汇", frozenset(), frozenset(),
                                [priced, rest])

    base = canonical(txn())
    variants = [
        txn(units=Amount(Decimal("11"), "USD")),
        txn(units=Amount(Decimal("10"), "EUR")),
        txn(price=Amount(Decimal("7.11"), "CNY")),
        txn(price=None),
        txn(cost=Cost(Decimal("7.00"), "CNY", dt.date(2025, 1, 1), None)),
        txn(flag="!"),
        txn(pmeta={"note": "复核"}),
        txn(units=None, price=None),
    ]
    seen = {base}
    for v in variants:
        c = canonical(v)
        assert c != base and c not in seen, v.postings[0]
        seen.add(c)
    # where a posting is written (its file and line) is not content
    moved = txn(pmeta={"filename": "other.beancount", "lineno": 99})
    assert canonical(moved) == canonical(txn(pmeta={"filename": "x", "lineno": 1}))
