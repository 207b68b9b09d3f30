"""The transaction API: staged entries, the ledger after the write, and core steps without the CLI."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import snapshot

from assetreg import confirmation
from assetreg.errors import BadInput, LedgerError
from assetreg.ledger import Compound, Transaction, custom, format_entry
from assetreg.registry import registry_from_entries
from assetreg.units import record_unit, roster_from_entries

D = dt.date


def test_staged_entries_are_in_the_after_view_before_commit(small_compound: Path) -> None:
    c = Compound.locate(small_compound)
    before = snapshot(small_compound)
    with c.transaction() as txn:
        n = len(txn.entries)
        step = confirmation.register(txn, "P-002", D(2024, 2, 1), kind="parking", location="2号楼北侧")
        after = txn.after()
        assert len(after.entries) == n + 1 and len(txn.entries) == n  # loaded is left as read
        assert txn.staged_entries() == [step.entry] == txn.staged_entries("registry")
        assert txn.staged_entries("journal") == []
        assert registry_from_entries(after.entries).require("P-002").status == "registered"
        # in date order: the new entry sits among the loaded ones by its date
        dates = [e.date for e in after.entries]
        assert dates == sorted(dates)
        assert [(p.name, t) for p, t in txn.preview()] == [("registry.beancount", format_entry(step.entry))]
        assert snapshot(small_compound) == before  # nothing written until commit
    text = (small_compound / "registry.beancount").read_text(encoding="utf-8")
    assert text.endswith("\n" + format_entry(step.entry))


def test_steps_in_one_transaction_see_each_other(small_compound: Path) -> None:
    (small_compound / "documents" / "P-002.pdf").write_bytes(b"%PDF-1.4\n")
    with Compound.locate(small_compound).transaction() as txn:
        confirmation.register(txn, "P-002", D(2024, 2, 1), kind="parking", location="2号楼北侧")
        confirmation.register(txn, "P-003", D(2024, 2, 1), kind="parking", location="3号楼北侧")
        confirmation.notice(txn, "P-002", D(2024, 2, 5), days=15)
        confirmation.notice(txn, "P-003", D(2024, 2, 5))  # the compound's notice-days: 15
        first = confirmation.confirm(txn, "P-002", D(2024, 2, 20), evidence=["documents/P-002.pdf"])
        second = confirmation.confirm(txn, "P-003", D(2024, 2, 20), evidence=["documents/P-002.pdf"])
        with pytest.raises(BadInput, match="already registered"):
            confirmation.register(txn, "P-003", D(2024, 2, 21), kind="parking", location="x")
    # the evidence file gets one document entry, staged with the first step that cites it
    assert len(first.documents) == 1 and second.documents == ()
    reg = registry_from_entries(Compound.locate(small_compound).load().entries)
    assert reg.require("P-002").status == reg.require("P-003").status == "confirmed"
    assert not reg.violations


def test_nothing_is_written_when_a_later_step_fails(small_compound: Path) -> None:
    c = Compound.locate(small_compound)
    before = snapshot(small_compound)
    with pytest.raises(BadInput, match="unknown asset"), c.transaction() as txn:
        record_unit(txn, "3-101", D(2024, 2, 1), building="3", area="95.5", owner="OWN-0009")
        confirmation.register(txn, "P-002", D(2024, 2, 1), kind="parking", location="2号楼北侧")
        txn.write_file("notes/summary.txt", "written only with the entries\n")
        confirmation.notice(txn, "P-999", D(2024, 2, 5))
    assert snapshot(small_compound) == before


def test_unit_record_sees_the_roster_after_the_write(small_compound: Path) -> None:
    with Compound.locate(small_compound).transaction() as txn:
        u = record_unit(txn, "3-101", D(2024, 2, 1), building="3", area="95.50", owner="OWN-0009")
        with pytest.raises(BadInput, match="already in the roster"):
            record_unit(txn, "3-101", D(2024, 2, 2), building="3", area="95.50", owner="OWN-0010")
        record_unit(txn, "3-101", D(2024, 2, 2), building="3", area="95.50", owner="OWN-0010", update=True)
    assert (u.number, u.area, u.owner) == ("3-101", Decimal("95.50"), "OWN-0009")
    roster = roster_from_entries(Compound.locate(small_compound).load().entries)
    assert roster.require("3-101").owner == "OWN-0010"


def test_staged_options_change_the_settings_after(small_compound: Path) -> None:
    with Compound.locate(small_compound).transaction() as txn:
        assert txn.after().options.notice_days == 15
        txn.append("accounts", [custom(D(2020, 1, 1), "assetreg-option", ["notice-days", "7"])])
        assert txn.after().options.notice_days == 7
        assert txn.loaded.options.notice_days == 15
        step = confirmation.notice(txn, "AD-001", D(2024, 2, 5))
    assert step.entry.meta["days"] == 7


def test_write_file_is_for_other_files_in_the_compound(small_compound: Path) -> None:
    with Compound.locate(small_compound).transaction() as txn:
        with pytest.raises(LedgerError, match="ledger file"):
            txn.write_file("extra.beancount", "")
        with pytest.raises(LedgerError, match="outside the compound"):
            txn.write_file("../elsewhere.txt", "")
        path = txn.write_file("notes/a.txt", "a\n")
        with pytest.raises(LedgerError, match="already staged"):
            txn.write_file(path, "b\n")
        assert not path.exists()
    assert path.read_text(encoding="utf-8") == "a\n"


def test_an_uncommitted_transaction_is_a_dry_run(small_compound: Path) -> None:
    c = Compound.locate(small_compound)
    before = snapshot(small_compound)
    txn = Transaction(c, c.load())
    confirmation.exclude(txn, "AD-001", D(2024, 2, 5), reason="位于消防车道")
    assert registry_from_entries(txn.after().entries).require("AD-001").status == "excluded"
    assert snapshot(small_compound) == before
