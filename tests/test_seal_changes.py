"""Seals read back and compared: how a seal entry is read, what the manifest holds, how a
change is named (edited / inserted / deleted, or changed months when the manifest cannot
be trusted), the one-pass hashes and their memo, and the status pages list.
(scripts/mutation.sh seal)"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.parser import parser

from assetreg import seal as sealing
from assetreg.seal import (
    Change,
    changes,
    compute,
    hashes_through,
    read_manifest,
    seal_status,
    seals_from_entries,
)

D = dt.date.fromisoformat

JOURNAL = """
2024-01-01 open Assets:Bank:共有资金专户
2024-01-01 open Income:Common:停车位
2024-01-31 * "物业公司" "1月停车费"
  Assets:Bank:共有资金专户  100.00 CNY
  Income:Common:停车位
2024-01-31 * "物业公司" "1月广告费"
  Assets:Bank:共有资金专户  50.00 CNY
  Income:Common:停车位
2024-02-05 note Assets:Bank:共有资金专户 "对账"
2024-02-29 * "物业公司" "2月停车费"
  Assets:Bank:共有资金专户  100.00 CNY
  Income:Common:停车位
2024-03-31 * "物业公司" "3月停车费"
  Assets:Bank:共有资金专户  100.00 CNY
  Income:Common:停车位
"""


def load(text: str) -> list[Any]:
    entries, errors, _ = loader.load_string(text)
    assert not errors, errors
    return entries


def seal_entry(state: sealing.SealState, manifest: str | None = None, mhash: str | None = None,
               day: str = "2024-03-05") -> str:
    text = (f'\n{day} custom "seal" {state.through}\n  hash: "{state.hash}"\n  entries: {state.entries}\n'
            f'  months: "{state.months_text()}"\n')
    if manifest:
        text += f'  manifest: "{manifest}"\n  manifest_hash: "{mhash}"\n'
    return text


# ------------------------------------------------------------------ reading seal entries


def test_seal_entries_are_read_with_their_defaults_and_malformed_ones_skipped() -> None:
    entries, errors, _ = parser.parse_string("""
2024-03-05 custom "seal" 2024-02-29
  hash: "sha256:ab"
  entries: 4
  months: "2024-01:3:0123456789abcdef bad 2024-02:x:ff 2024-02:1:fedcba9876543210 a:b"
  manifest: "seals/2024-02-29.manifest"
  manifest_hash: "sha256:cd"
2024-03-06 custom "seal" " 2024-03-31 "
2024-03-07 custom "seal" "not a date"
2024-03-08 custom "seal" TRUE
2024-03-09 custom "seal"
2024-03-10 custom "other" 2024-02-29
2024-03-11 custom "seal" 2024-01-31
  manifest: ""
  scheme: "assetreg-seal-0"
""")
    assert not errors
    seals = seals_from_entries(entries)
    assert [(s.through, s.date, s.hash, s.entries, s.months, s.manifest, s.manifest_hash, s.scheme)
            for s in seals] == [
        (D("2024-02-29"), D("2024-03-05"), "sha256:ab", 4,
         {"2024-01": (3, "0123456789abcdef"), "2024-02": (1, "fedcba9876543210")},
         "seals/2024-02-29.manifest", "sha256:cd", "assetreg-seal-1"),
        (D("2024-03-31"), D("2024-03-06"), "", -1, {}, None, None, "assetreg-seal-1"),
        (D("2024-01-31"), D("2024-03-11"), "", -1, {}, None, None, "assetreg-seal-0"),
    ]
    assert seals[0].source == "<string>:2"


# ------------------------------------------------------------------ the state and its manifest


def test_the_state_counts_hashes_and_writes_its_manifest_exactly() -> None:
    entries = load(JOURNAL)
    state = compute(entries, D("2024-02-29"))
    digests = sorted((e.date, sealing.entry_digest(e), e) for e in entries if e.date <= D("2024-02-29"))
    assert [d for _, d, _ in state.digests] == [d for _, d, _ in sorted(digests, key=lambda x: (x[0], x[1]))]
    assert state.entries == 6 and state.through == D("2024-02-29")
    assert state.hash == "sha256:" + hashlib.sha256(b"".join(d for _, d, _ in state.digests)).hexdigest()
    jan = [d for day, d, _ in state.digests if day.month == 1]
    assert state.months == {"2024-01": (4, hashlib.sha256(b"".join(jan)).hexdigest()[:16]),
                            "2024-02": (2, state.months["2024-02"][1])}
    assert state.months_text() == (f"2024-01:4:{state.months['2024-01'][1]} "
                                   f"2024-02:2:{state.months['2024-02'][1]}")
    lines = state.manifest_text().splitlines()
    assert lines[:2] == ["; assetreg seal manifest: entries dated up to 2024-02-29",
                         "; date digest label — written by `assetreg seal`, never edited"]
    assert lines[2:] == [f"; {day} {d.hex()[:32]} {sealing.label(e)}" for day, d, e in state.digests]
    assert lines[-1].endswith(' txn "物业公司" "2月停车费" Assets:Bank:共有资金专户 100.00 CNY')


def test_reading_a_manifest_keeps_only_well_formed_rows(tmp_path: Path) -> None:
    path = tmp_path / "m.manifest"
    assert read_manifest(path) is None  # no file
    digest = "0123456789abcdef0123456789abcdef"
    path.write_text("; header line\n"
                    f"; 2024-01-31 {digest} txn \"物业公司\" \"1月停车费\"\n"
                    f"; 2024-02-30 {digest} a day that does not exist\n"
                    f"; 2024-02-01 {digest[:31]} digest too short\n"
                    f";2024-02-02 {digest} no space after the semicolon\n"
                    f"; 2024-02-03 {digest}\n"
                    f"2024-02-04 {digest} not a comment\n"
                    f"xx2024-02-05 {digest} two characters before a date, not a comment\n"
                    f"; 2024-02-06  {digest} two spaces\n", encoding="utf-8")
    assert read_manifest(path) == [(D("2024-01-31"), digest, 'txn "物业公司" "1月停车费"'),
                                   (D("2024-02-03"), digest, "")]


# ------------------------------------------------------------------ naming changes


def sealed(tmp_path: Path, through: str = "2024-02-29") -> tuple[sealing.Seal, Path]:
    state = compute(load(JOURNAL), D(through))
    (tmp_path / "seals").mkdir(exist_ok=True)
    text = state.manifest_text()
    (tmp_path / "seals" / "s.manifest").write_text(text, encoding="utf-8")
    entries = load(JOURNAL + seal_entry(state, "seals/s.manifest", sealing.manifest_hash(text)))
    return seals_from_entries(entries)[0], tmp_path


def test_an_edit_an_insertion_and_a_deletion_are_named_entry_by_entry(tmp_path: Path) -> None:
    seal, root = sealed(tmp_path)
    now_text = (JOURNAL.replace("50.00 CNY", "5.00 CNY")  # edited: same day, same payee
                .replace('2024-02-29 * "物业公司" "2月停车费"', '2024-02-29 * "业委会" "2月停车费"')  # payee changed
                .replace('2024-02-05 note Assets:Bank:共有资金专户 "对账"\n', "")  # deleted
                + '2024-02-10 * "物业公司" "补录"\n  Assets:Bank:共有资金专户  1.00 CNY\n  Income:Common:停车位\n')
    now = compute(load(now_text), D("2024-02-29"))
    got = [(c.kind, c.date, c.text, c.source is not None) for c in changes(seal, now, root)]
    assert got == [
        ("edited", D("2024-01-31"),
         'txn "物业公司" "1月广告费" Assets:Bank:共有资金专户 5.00 CNY '
         '(sealed as: txn "物业公司" "1月广告费" Assets:Bank:共有资金专户 50.00 CNY)', True),
        ("deleted", D("2024-02-05"), "note Assets:Bank:共有资金专户", False),
        ("inserted", D("2024-02-10"), 'txn "物业公司" "补录" Assets:Bank:共有资金专户 1.00 CNY', True),
        # another payee is another identity: a deletion and an insertion, not an edit
        ("deleted", D("2024-02-29"), 'txn "物业公司" "2月停车费" Assets:Bank:共有资金专户 100.00 CNY', False),
        ("inserted", D("2024-02-29"), 'txn "业委会" "2月停车费" Assets:Bank:共有资金专户 100.00 CNY', True),
    ]
    assert changes(seal, compute(load(JOURNAL), D("2024-02-29")), root) == []


def test_two_identical_entries_are_two_and_losing_one_is_one_deletion(tmp_path: Path) -> None:
    twice = JOURNAL + '2024-02-29 * "物业公司" "2月停车费"\n  Assets:Bank:共有资金专户  100.00 CNY\n  Income:Common:停车位\n'
    state = compute(load(twice), D("2024-02-29"))
    text = state.manifest_text()
    (tmp_path / "s.manifest").write_text(text, encoding="utf-8")
    seal = seals_from_entries(load(twice + seal_entry(state, "s.manifest", sealing.manifest_hash(text))))[0]
    got = changes(seal, compute(load(JOURNAL), D("2024-02-29")), tmp_path)
    assert [(c.kind, c.date, c.text) for c in got] == [
        ("deleted", D("2024-02-29"), 'txn "物业公司" "2月停车费" Assets:Bank:共有资金专户 100.00 CNY')]


def month_changes(seal: sealing.Seal, root: Path | None) -> list[tuple[str, Any, str]]:
    now = compute(load(JOURNAL.replace("50.00 CNY", "5.00 CNY").replace(
        '2024-02-29 * "物业公司" "2月停车费"\n  Assets:Bank:共有资金专户  100.00 CNY\n  Income:Common:停车位\n', "")),
        D("2024-02-29"))
    return [(c.kind, c.date, c.text) for c in changes(seal, now, root)]


MONTHS_ONLY = [
    ("manifest-unusable", None, "manifest seals/s.manifest missing or altered; naming changed months only"),
    ("month-changed", D("2024-01-01"), "2024-01: 4 entries sealed, 4 now, content differs"),
    ("month-changed", D("2024-02-01"), "2024-02: 2 entries sealed, 1 now, content differs"),
]


def test_a_month_gone_entirely_is_named_with_none_now(tmp_path: Path) -> None:
    state = compute(load(JOURNAL), D("2024-02-29"))
    seal = seals_from_entries(load(JOURNAL + seal_entry(state)))[0]
    gone = JOURNAL.replace('2024-02-05 note Assets:Bank:共有资金专户 "对账"\n', "").replace(
        '2024-02-29 * "物业公司" "2月停车费"\n  Assets:Bank:共有资金专户  100.00 CNY\n  Income:Common:停车位\n', "")
    assert [c.text for c in changes(seal, compute(load(gone), D("2024-02-29")), None)] == [
        "manifest (none) missing or altered; naming changed months only",
        "2024-02: 2 entries sealed, 0 now, content differs"]


def test_an_altered_or_missing_manifest_falls_back_to_the_months(tmp_path: Path) -> None:
    seal, root = sealed(tmp_path)
    manifest = root / "seals" / "s.manifest"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "; 2024-02-29 " + "0" * 32 + " planted\n",
                        encoding="utf-8")
    assert month_changes(seal, root) == MONTHS_ONLY
    manifest.unlink()
    assert month_changes(seal, root) == MONTHS_ONLY
    assert month_changes(seal, None) == MONTHS_ONLY  # no folder to look in
    manifest.mkdir()  # unreadable as a file
    assert month_changes(seal, root) == MONTHS_ONLY


def test_a_seal_without_a_manifest_names_new_months_too() -> None:
    state = compute(load(JOURNAL), D("2024-01-31"))
    seal = seals_from_entries(load(JOURNAL + seal_entry(state)))[0]
    now = compute(load(JOURNAL.replace("2024-02-29 *", "2024-01-30 *")), D("2024-02-29"))
    assert [(c.kind, c.date, c.text) for c in changes(seal, now, Path("/nonexistent"))] == [
        ("manifest-unusable", None, "manifest (none) missing or altered; naming changed months only"),
        ("month-changed", D("2024-01-01"), "2024-01: 4 entries sealed, 5 now, content differs"),
        ("month-changed", D("2024-02-01"), "2024-02: 0 entries sealed, 1 now, content differs"),
    ]
    later = compute(load(JOURNAL), D("2024-03-31"))
    assert [c.text for c in changes(seal, later, None)][1:] == [
        "2024-02: 0 entries sealed, 2 now, content differs", "2024-03: 0 entries sealed, 1 now, content differs"]


def test_a_change_knows_where_its_entry_is() -> None:
    entry = load(JOURNAL)[2]
    assert Change("inserted", entry.date, "x", entry).source == "<string>:4"
    assert Change("deleted", entry.date, "x").source is None


# ------------------------------------------------------------------ hashes in one pass, and the memo


def test_hashes_through_equal_compute_on_every_day_in_any_order() -> None:
    entries = load(JOURNAL + '2024-02-29 custom "seal" 2024-01-31\n  hash: "x"\n')
    days = [D("2023-12-31"), D("2024-01-31"), D("2024-02-01"), D("2024-02-29"), D("2024-04-30")]
    got = hashes_through(entries, reversed(days))
    assert got == {d: (compute(entries, d).hash, compute(entries, d).entries) for d in days}
    assert got[D("2023-12-31")] == ("sha256:" + hashlib.sha256().hexdigest(), 0)
    assert hashes_through(list(reversed(entries)), days) == got  # unsorted input: sorted first
    assert hashes_through(entries, []) == {}


def test_the_memo_serves_only_the_same_entry_objects_and_root() -> None:
    entries = load(JOURNAL)
    days = [D("2024-01-31"), D("2024-02-29")]
    first = hashes_through(entries, days)
    assert hashes_through(entries, days) == first  # from the memo
    assert hashes_through(entries, [*days[:1], D("2024-02-29")]) == first
    # an equal-looking ledger whose sealed entry differs is hashed again, not taken from the memo
    edited = load(JOURNAL.replace("50.00 CNY", "5.00 CNY"))
    assert hashes_through(edited, days)[D("2024-02-29")] != first[D("2024-02-29")]
    # the same objects with one removed from the sealed part
    assert hashes_through(entries[:3] + entries[4:], days)[D("2024-02-29")][1] == first[D("2024-02-29")][1] - 1
    # another root, another memo key; another last day, another pass
    assert hashes_through(entries, days, root="/elsewhere") == first
    assert hashes_through(entries, [D("2024-01-31")]) == {D("2024-01-31"): first[D("2024-01-31")]}
    later = hashes_through(entries, [D("2024-03-31")])
    assert later[D("2024-03-31")][1] == 7
    # a day the memo did not keep is computed
    assert hashes_through(entries, [D("2024-02-01"), D("2024-03-31")]) == {
        D("2024-02-01"): (compute(entries, D("2024-02-01")).hash, 4), D("2024-03-31"): later[D("2024-03-31")]}


def test_seal_status_lists_each_seal_and_whether_it_holds() -> None:
    state = compute(load(JOURNAL), D("2024-02-29"))
    text = JOURNAL + seal_entry(state) + '2024-04-01 custom "seal" 2024-03-31\n'
    assert seal_status(load(text), {"filename": "/books/main.beancount"}) == [
        {"through": D("2024-02-29"), "date": D("2024-03-05"), "hash": state.hash, "entries": 6,
         "entries_now": 6, "intact": True, "source": "<string>:18"}]
    broken = text.replace("50.00 CNY", "5.00 CNY")
    assert [(s["intact"], s["entries_now"]) for s in seal_status(load(broken))] == [(False, 6)]


# ------------------------------------------------------------------ the canonical form is the seal scheme


def test_the_canonical_form_written_out_for_each_kind_of_entry() -> None:
    """Every seal ever made hashes these strings: a change to any of them breaks every seal
    (or must come with a new ``SCHEME``), so each form is written out here in full."""
    import datetime as dt
    from decimal import Decimal

    from beancount.core import data
    from beancount.core.amount import Amount
    from beancount.core.position import Cost
    from beancount.parser.grammar import ValueType

    from assetreg.seal import SCHEME, canonical

    assert SCHEME == "assetreg-seal-1"
    meta = data.new_metadata("journal.beancount", 9)
    day = dt.date(2025, 3, 1)
    priced = data.Posting("Assets:Bank:外币户", Amount(Decimal("10"), "USD"),
                          Cost(Decimal("7.00"), "CNY", dt.date(2025, 1, 1), None), Amount(Decimal("7.10"), "CNY"),
                          "!", {"note": "复核", "filename": "x", "lineno": 3})
    open_ = data.Posting("Assets:Bank:共有资金专户", None, None, None, None, None)
    plain = data.Posting("Income:Common:停车位", Amount(Decimal("-71.00"), "CNY"), None, None, None,
                         {"filename": "x", "lineno": 4})
    noted = data.Posting("Expenses:Manager:物业经营成本", Amount(Decimal("1.00"), "CNY"), None, None, None,
                         {"filename": "x", "lineno": 5, "asset": "P-001", "__automatic__": True})
    txn = data.Transaction({**meta, "asset": "P-001", "period": dt.date(2025, 2, 1), "_hidden": 1}, day, "*",
                           "物业公司", "2月停车费", frozenset({"t"}), frozenset({"l"}), [priced, open_, plain, noted])
    assert canonical(txn).split("\x1e") == [
        "txn", "2025-03-01", "*", "'物业公司'", "'2月停车费'", "{'t'}", "{'l'}", "asset='P-001';period=2025-02-01",
        "Assets:Bank:共有资金专户|None|||None|",
        "Assets:Bank:外币户|10 USD|(7.00,'CNY',2025-01-01,None)|7.10 CNY|!|note='复核'",
        "Expenses:Manager:物业经营成本|1.00 CNY|||None|asset='P-001'",
        "Income:Common:停车位|-71.00 CNY|||None|",
    ]
    bare = txn._replace(tags=frozenset(), links=frozenset(), payee=None, meta=meta, postings=[plain])
    assert canonical(bare).split("\x1e") == ["txn", "2025-03-01", "*", "None", "'2月停车费'", "", "", "",
                                             "Income:Common:停车位|-71.00 CNY|||None|"]
    custom = data.Custom({**meta, "reason": "期满", "days": Decimal("15")}, day, "asset",
                         [ValueType("P-001", str), ValueType(day, dt.date), ValueType(True, bool)])
    assert canonical(custom) == "custom\x1e2025-03-01\x1e'asset'\x1e'P-001',2025-03-01,True\x1edays=15;reason='期满'"
    balance = data.Balance(meta, day, "Assets:Bank:共有资金专户", Amount(Decimal("210.00"), "CNY"),
                           Decimal("0.005"), Amount(Decimal("0.01"), "CNY"))
    assert canonical(balance) == "balance\x1e2025-03-01\x1eAssets:Bank:共有资金专户\x1e210.00 CNY\x1e"
    doc = data.Document({**meta, "asset": "P-001"}, day, "Equity:Registry:确权档案", "/books/jinghu/documents/a.pdf",
                        frozenset(), frozenset())
    assert canonical(doc, "/books/jinghu") == (
        "document\x1e2025-03-01\x1eEquity:Registry:确权档案\x1e'documents/a.pdf'\x1e{}\x1e{}\x1easset='P-001'")
    assert canonical(doc) == (
        "document\x1e2025-03-01\x1eEquity:Registry:确权档案\x1e'/books/jinghu/documents/a.pdf'\x1e{}\x1e{}\x1easset='P-001'")
    assert canonical(doc._replace(filename="documents/b.pdf"), "/books/jinghu").split("\x1e")[3] == "'documents/b.pdf'"
    opened = data.Open(meta, day, "Assets:Bank:共有资金专户", ["CNY"], None)
    assert canonical(opened) == "open\x1e2025-03-01\x1e'Assets:Bank:共有资金专户'\x1e['CNY']\x1eNone\x1e"
    note = data.Note({**meta, "by": "业委会"}, day, "Assets:Bank:共有资金专户", "对账", frozenset({"x", "a"}), None)
    assert canonical(note) == "note\x1e2025-03-01\x1e'Assets:Bank:共有资金专户'\x1e'对账'\x1e{'a','x'}\x1eNone\x1eby='业委会'"


def test_hashes_for_another_folder_are_not_taken_from_the_memo() -> None:
    text = (JOURNAL + '2024-02-10 document Assets:Bank:共有资金专户 "/books/jinghu/documents/a.pdf"\n')
    entries, errors, _ = parser.parse_string(text)
    assert not errors
    entries = [e for e in entries if type(e).__name__ != "Transaction"]  # no booking needed
    day = D("2024-02-29")
    plain = hashes_through(entries, [day])
    here = hashes_through(entries, [day], root="/books/jinghu")
    assert here != plain
    assert here[day][0] == compute(entries, day, "/books/jinghu").hash
    assert hashes_through(entries, [day]) == plain


def test_the_memo_notices_a_changed_entry_dated_on_its_last_day() -> None:
    entries = load(JOURNAL)
    days = [D("2024-01-31"), D("2024-02-29")]
    first = hashes_through(entries, days)
    k = next(i for i, e in enumerate(entries) if e.date == D("2024-02-29"))
    changed = [*entries[:k], entries[k]._replace(narration="改过"), *entries[k + 1:]]  # the rest: the same objects
    again = hashes_through(changed, days)
    assert again[D("2024-01-31")] == first[D("2024-01-31")] and again[D("2024-02-29")] != first[D("2024-02-29")]
    assert again[D("2024-02-29")][0] == compute(changed, D("2024-02-29")).hash


def test_padding_and_seals_are_not_sealed_content() -> None:
    entries = load(JOURNAL)
    k = next(i for i, e in enumerate(entries) if e.date == D("2024-01-31"))
    padding = entries[k]._replace(flag="P", narration="(Padding inserted for Balance)")
    lower_p = entries[k]._replace(flag="p", narration="not padding")
    seal = load('2024-01-31 custom "seal" 2024-01-31\n  hash: "x"\n')[0]
    base = compute(entries, D("2024-02-29"))
    assert compute(sorted([*entries, padding, seal], key=lambda e: e.date), D("2024-02-29")).hash == base.hash
    assert compute(sorted([*entries, lower_p], key=lambda e: e.date), D("2024-02-29")).entries == base.entries + 1


def test_every_value_kind_has_its_written_form() -> None:
    from beancount.core import data

    from assetreg.seal import canonical, label

    meta = data.new_metadata("journal.beancount", 9)
    day = dt.date(2025, 3, 1)
    opened = data.Open({**meta, "n": 3}, day, "Assets:Bank:外币户", ["CNY", "USD"], None)
    assert canonical(opened) == "open\x1e2025-03-01\x1e'Assets:Bank:外币户'\x1e['CNY','USD']\x1eNone\x1en=3"
    assert label(data.Event(meta, day, "location", "景湖")) == "event"
    assert label(opened) == "open Assets:Bank:外币户"


def test_the_memo_notices_an_entry_added_at_the_end_of_the_sealed_days() -> None:
    entries = load(JOURNAL)
    days = [D("2024-01-31"), D("2024-02-29")]
    first = hashes_through(entries, days)
    k = max(i for i, e in enumerate(entries) if e.date == D("2024-02-29"))
    extra = entries[k]._replace(narration="补录")
    more = [*entries[:k + 1], extra, *entries[k + 1:]]  # every earlier object the same, one more after them
    assert hashes_through(more, days)[D("2024-02-29")][1] == first[D("2024-02-29")][1] + 1


def test_entries_out_of_date_order_anywhere_are_sorted_first() -> None:
    one_a_day: dict[Any, Any] = {}
    for e in load(JOURNAL):
        one_a_day.setdefault(e.date, e)
    d1, d2, d3, d4 = list(one_a_day)[:4]
    days = [d1, d2, d3, d4]
    want = hashes_through([one_a_day[d] for d in days], days)
    # descending then one later entry, and sorted but for the last two: both out of order
    for order in ([d3, d2, d1, d4], [d1, d2, d4, d3]):
        assert hashes_through([one_a_day[d] for d in order], days) == want, order
