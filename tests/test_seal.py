"""Period seals: layout-independent, and broken — with the change named — by every kind of edit."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import append, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st
from test_audit import RESOLUTION, contract_text, full_year, income

from assetreg import seal as sealing
from assetreg import sealing as seal_step
from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.errors import BadInput
from assetreg.ledger import Compound

BEAN_CHECK = str(Path(sys.executable).parent / "bean-check")


@pytest.fixture
def books(small_compound: Path) -> Path:
    append(small_compound / "contracts.beancount", RESOLUTION + contract_text())
    append(small_compound / "journal.beancount", full_year())
    return small_compound


def cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def seal_findings(root: Path):  # type: ignore[no-untyped-def]
    loaded = Compound.locate(root).load()
    return [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 1, 1))
            if f.check == "seal-broken"], loaded


def bean_check(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    return subprocess.run([BEAN_CHECK, str(root / "main.beancount")], capture_output=True,
                          text=True, env=env, timeout=120)


def do_seal(root: Path, through: str = "2024-06-30") -> None:
    r = cli("seal", "-L", str(root), "--through", through, "--date", "2024-07-05")
    assert r.exit_code == 0, r.output


def test_seal_records_hash_manifest_and_passes_bean_check(books: Path) -> None:
    do_seal(books)
    seals = sealing.seals_from_entries(Compound.locate(books).load().entries)
    assert len(seals) == 1
    s = seals[0]
    assert s.through == dt.date(2024, 6, 30) and s.hash.startswith("sha256:")
    assert (books / s.manifest).is_file() and s.months["2024-03"][0] == 2  # income + remittance
    assert bean_check(books).returncode == 0
    findings, _ = seal_findings(books)
    assert findings == []


def test_layout_order_and_whitespace_do_not_break_a_seal(books: Path) -> None:
    do_seal(books)
    journal = books / "journal.beancount"
    text = journal.read_text(encoding="utf-8")
    # move the February income to a new file, reverse the rest, reflow whitespace
    feb = income("2024-02-29", "2024-02")
    assert feb in text
    text = text.replace(feb, "")
    blocks = text.split("\n\n")
    text = "\n\n".join(reversed(blocks)).replace("  Assets:Bank:共有资金专户  105.00 CNY",
                                                 "  Assets:Bank:共有资金专户      105.00   CNY")
    journal.write_text(text, encoding="utf-8")
    (books / "moved.beancount").write_text(feb.replace("  ", "    "), encoding="utf-8")
    append(books / "main.beancount", '\ninclude "moved.beancount"\n')
    findings, loaded = seal_findings(books)
    assert loaded.errors == [], [e.message for e in loaded.errors]
    assert findings == []


@pytest.mark.parametrize(("kind", "mutate", "expect"), [
    ("edited",
     lambda t: t.replace("2024-03 停车位 P-001 公共收益\"\n  asset: \"P-001\"\n  contract: \"C-2024-001\"\n  period: \"2024-03\"\n  Assets:Receivable:物业代收  105.00 CNY\n  Expenses:Manager:物业经营成本  45.00 CNY",
                         "2024-03 停车位 P-001 公共收益\"\n  asset: \"P-001\"\n  contract: \"C-2024-001\"\n  period: \"2024-03\"\n  Assets:Receivable:物业代收  115.00 CNY\n  Expenses:Manager:物业经营成本  35.00 CNY"),
     "修改 2024-03-31"),
    ("inserted", lambda t: t + income("2024-05-15", "2024-05", gross="10.00", cost="3.00"),
     "插入 2024-05-15"),
    ("deleted", lambda t: t.replace(income("2024-04-30", "2024-04"), ""), "删除 2024-04-30"),
])
def test_each_kind_of_change_breaks_the_seal_and_is_named(books: Path, kind: str, mutate, expect: str) -> None:  # type: ignore[no-untyped-def]
    do_seal(books)
    journal = books / "journal.beancount"
    before = journal.read_text(encoding="utf-8")
    after = mutate(before)
    assert after != before
    journal.write_text(after, encoding="utf-8")
    findings, _ = seal_findings(books)
    assert findings, "a change inside the sealed period must be reported"
    assert all(f.severity == "error" for f in findings)
    assert [f.facts["change"] for f in findings] == [kind]
    assert expect in findings[0].message
    if kind != "deleted":  # the changed entry is named by file and line
        assert any(ref.startswith(str(journal)) for ref in findings[0].entries)
    r = bean_check(books)
    assert r.returncode != 0 and "[seal-broken]" in r.stdout + r.stderr


def test_change_after_the_sealed_day_is_fine(books: Path) -> None:
    do_seal(books)
    append(books / "journal.beancount", income("2024-07-31", "2024-07").replace("P-001 公共收益", "P-001 公共收益 补记"))
    findings, _ = seal_findings(books)
    assert findings == []


def test_without_manifest_changes_are_named_by_month(books: Path) -> None:
    do_seal(books)
    (books / "seals" / "2024-06-30.manifest").write_text("; gone\n", encoding="utf-8")
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace(income("2024-04-30", "2024-04"), ""),
                       encoding="utf-8")
    findings, _ = seal_findings(books)
    kinds = [f.facts["change"] for f in findings]
    assert kinds == ["manifest-unusable", "month-changed"]
    assert "2024-04: 2 entries sealed, 1 now" in findings[1].message


def test_seal_refuses_bad_input_and_writes_nothing(books: Path) -> None:
    do_seal(books)
    before = snapshot(books)
    for args, fragment in [
        (["--through", "2024-05-31", "--date", "2024-07-06"], "already sealed through 2024-06-30"),
        (["--through", "2024-08-31", "--date", "2024-07-06"], "after the seal's date"),
        (["--through", "2024-13-01"], "malformed --through"),
    ]:
        r = CliRunner().invoke(main, ["seal", "-L", str(books), *args])
        assert r.exit_code == 2, r.output
        assert fragment in r.output
    assert snapshot(books) == before


def test_seal_refuses_money_in_suspense(books: Path) -> None:
    append(books / "journal.beancount", """
2024-06-03 * "银行流水" "未能识别的转入"
  Assets:Bank:共有资金专户  88.00 CNY
  Liabilities:Suspense:待查明款项  -88.00 CNY
""")
    before = snapshot(books)
    r = CliRunner().invoke(main, ["seal", "-L", str(books), "--through", "2024-06-30", "--date", "2024-07-05"])
    assert r.exit_code == 2 and "Liabilities:Suspense" in r.output
    assert snapshot(books) == before


def test_suspense_at_a_sealed_date_fails_bean_check(books: Path) -> None:
    do_seal(books)
    append(books / "journal.beancount", """
2024-07-08 * "银行流水" "补记：6月未能识别的转入"
  Assets:Bank:共有资金专户  88.00 CNY
  Liabilities:Suspense:待查明款项  -88.00 CNY
""")
    assert bean_check(books).returncode == 0  # dated after the seal: an open-period entry
    append(books / "journal.beancount", """
2024-06-20 * "银行流水" "倒签：未能识别的转入"
  Assets:Bank:共有资金专户  1.00 CNY
  Liabilities:Suspense:待查明款项  -1.00 CNY
""")
    r = bean_check(books)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "[suspense-at-seal]" in out and "[seal-broken]" in out


def test_canonical_form_ignores_line_numbers_and_files() -> None:
    from beancount import loader

    a, _, _ = loader.load_string('2024-01-01 open Assets:A CNY\n2024-01-01 open Assets:B\n'
                                 '2024-01-02 * "x" "y"\n  key: "v"\n  Assets:A  1.00 CNY\n  Assets:B\n')
    b, _, _ = loader.load_string('\n\n2024-01-01 open Assets:B\n2024-01-01 open Assets:A   CNY\n\n'
                                 '2024-01-02 * "x"   "y"\n  key:   "v"\n  Assets:B  -1.00 CNY\n  Assets:A  1.00 CNY\n')
    assert len(a) == len(b) == 3
    assert sealing.compute(a, dt.date(2024, 1, 2)).hash == sealing.compute(b, dt.date(2024, 1, 2)).hash
    c, _, _ = loader.load_string('2024-01-01 open Assets:A CNY\n2024-01-01 open Assets:B\n'
                                 '2024-01-02 * "x" "y"\n  key: "w"\n  Assets:A  1.00 CNY\n  Assets:B\n')
    assert sealing.compute(a, dt.date(2024, 1, 2)).hash != sealing.compute(c, dt.date(2024, 1, 2)).hash
    # the one-pass prefix hash agrees with the full computation
    assert sealing.hashes_through(a, [dt.date(2024, 1, 2)])[dt.date(2024, 1, 2)][0] == \
        sealing.compute(a, dt.date(2024, 1, 2)).hash


def test_audit_json_names_the_change(books: Path) -> None:
    do_seal(books)
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace(income("2024-04-30", "2024-04"), ""),
                       encoding="utf-8")
    r = CliRunner().invoke(main, ["audit", "-L", str(books), "--json", "--as-of", "2024-07-10"])
    assert r.exit_code == 1
    report = json.loads(r.output)
    seal_rows = [f for f in report["findings"] if f["check"] == "seal-broken"]
    assert seal_rows and seal_rows[0]["facts"]["change"] == "deleted"


def _ledger(rows: list[tuple[int, int]]) -> str:
    head = "2024-01-01 open Assets:Bank:共有资金专户 CNY\n2024-01-01 open Income:Common:停车位 CNY\n"
    body = "".join(f'2024-02-{day:02d} * "景湖物业" "第{i}笔"\n  Assets:Bank:共有资金专户  {cents / 100:.2f} CNY\n'
                   f"  Income:Common:停车位  {-cents / 100:.2f} CNY\n\n" for i, (day, cents) in enumerate(rows))
    return head + body


rows_strategy = st.lists(st.tuples(st.integers(1, 28), st.integers(1, 10**7)), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.data())
def test_hash_ignores_order_and_catches_any_single_change(rows, data) -> None:  # type: ignore[no-untyped-def]
    from beancount import loader

    through = dt.date(2024, 2, 28)
    base, errors, _ = loader.load_string(_ledger(rows))
    assert not errors
    h = sealing.compute(base, through).hash
    assert sealing.hashes_through(base, [through])[through][0] == h
    # the same entries written in reverse order and re-indented: the same hash
    moved, _, _ = loader.load_string(_reverse_blocks(_ledger(rows)).replace("  Assets", "      Assets"))
    assert sealing.compute(moved, through).hash == h
    # any single amount changed by one cent: a different hash
    k = data.draw(st.integers(0, len(rows) - 1))
    changed = list(rows)
    changed[k] = (rows[k][0], rows[k][1] + 1)
    edited, _, _ = loader.load_string(_ledger(changed))
    assert sealing.compute(edited, through).hash != h
    # any single entry deleted: a different hash
    dropped, _, _ = loader.load_string(_ledger(rows[:k] + rows[k + 1:]))
    assert sealing.compute(dropped, through).hash != h


def _reverse_blocks(text: str) -> str:
    lines = text.split("\n")
    head, rest = "\n".join(lines[:2]), "\n".join(lines[2:])
    blocks = [b for b in rest.split("\n\n") if b.strip()]
    return head + "\n\n" + "\n\n".join(reversed(blocks)) + "\n"


def test_seal_status_for_pages(books: Path) -> None:
    do_seal(books)
    loaded = Compound.locate(books).load()
    [row] = sealing.seal_status(loaded.entries, loaded.options_map)
    assert row["intact"] and row["through"] == dt.date(2024, 6, 30) and row["entries"] == row["entries_now"]
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace(income("2024-04-30", "2024-04"), ""),
                       encoding="utf-8")
    loaded = Compound.locate(books).load()
    [row] = sealing.seal_status(loaded.entries, loaded.options_map)
    assert not row["intact"] and row["entries_now"] == row["entries"] - 1


def test_seal_of_another_scheme_is_reported_once(books: Path) -> None:
    do_seal(books)
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace(
        f'scheme: "{sealing.SCHEME}"', 'scheme: "assetreg-seal-0"'), encoding="utf-8")
    findings, _ = seal_findings(books)
    assert len(findings) == 1 and "assetreg-seal-0" in findings[0].message


def test_reused_result_only_for_the_very_same_entries() -> None:
    from beancount import loader

    text = _ledger([(3, 100), (5, 200), (7, 300)])
    a, _, _ = loader.load_string(text)
    day = dt.date(2024, 2, 28)
    first = sealing.hashes_through(a, [day])[day]
    assert sealing.hashes_through(a, [day])[day] == first  # same objects: reused
    k = next(i for i, e in enumerate(a) if type(e).__name__ == "Transaction")
    edited = list(a)
    p = a[k].postings[0]
    edited[k] = a[k]._replace(postings=[p._replace(units=p.units._replace(number=p.units.number + 1)),
                                        *a[k].postings[1:]])
    assert sealing.hashes_through(edited, [day])[day] != first
    assert sealing.hashes_through(a, [day])[day] == first


# ------------------------------------------------------------------ the verified-seal cache

def _plugin_errors(root: Path) -> list[str]:
    loaded = Compound.locate(root).load()
    return [str(e.message) for e in loaded.errors if "seal-broken" in str(e.message)]


def test_plugin_skips_rehashing_only_byte_identical_verified_files(books: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    do_seal(books)
    calls: list[int] = []
    real = sealing.hashes_through

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(sealing, "hashes_through", counting)
    sealing._MEMO.clear()
    assert _plugin_errors(books) == [] and len(calls) == 1  # first load verifies, remembers
    sealing._MEMO.clear()
    assert _plugin_errors(books) == [] and len(calls) == 1  # same bytes: not rehashed
    # `assetreg audit` always rehashes, whatever the cache says (here without a worker
    # process, so the counting above sees it).
    monkeypatch.delattr(os, "fork")
    assert cli("audit", "-L", str(books), "--as-of", "2025-01-01", "--json").exit_code in (0, 1)
    assert len(calls) == 2
    # One changed byte anywhere (here: inside the sealed period) means hashing again, and
    # the plugin reports the broken seal.
    journal = books / "journal.beancount"
    text = journal.read_text(encoding="utf-8")
    first = text.index(" CNY")  # the first amount: February, inside the sealed half-year
    assert "2024-02-29" in text[:first]
    journal.write_text(text[:first] + "0" + text[first:], encoding="utf-8")  # 150.00 -> 150.000
    sealing._MEMO.clear()
    assert _plugin_errors(books) and len(calls) == 3
    # A broken state is never remembered as verified.
    sealing._MEMO.clear()
    assert _plugin_errors(books) and len(calls) == 4


def test_unwritable_cache_only_costs_time(books: Path, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    do_seal(books)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _plugin_errors(books) == []
    assert bean_check(books).returncode == 0


def test_audit_load_builds_the_index_once_and_checks_once(books: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assetreg import books as ledger_index
    from assetreg import plugin

    built: list[int] = []
    real_build = ledger_index.build
    monkeypatch.setattr(ledger_index, "build", lambda entries: built.append(1) or real_build(entries))
    with plugin.index_only():
        loaded = Compound.locate(books).load()
    assert loaded.errors == [] and len(built) == 1
    run_checks(loaded.entries, loaded.options_map, dt.date(2025, 1, 1))
    assert len(built) == 1  # the audit reads the index the plugin built during the load


def test_seal_record_without_the_cli_stages_entry_and_manifest_together(books: Path) -> None:
    c = Compound.locate(books)
    before = snapshot(books)
    with c.transaction() as txn:
        sealed = seal_step.record(txn, dt.date(2024, 6, 30), day=dt.date(2024, 7, 5))
        # staged, not written: the ledger after the write already has the seal
        assert snapshot(books) == before
        assert [s.through for s in sealing.seals_from_entries(txn.after().entries)] == [dt.date(2024, 6, 30)]
        assert txn.staged_entries("journal") == [sealed.entry]
        # a second seal in the same transaction sees the first one
        with pytest.raises(BadInput, match="already sealed through 2024-06-30"):
            seal_step.record(txn, dt.date(2024, 6, 30), day=dt.date(2024, 7, 5))
    assert sealed.manifest == books / "seals" / "2024-06-30.manifest"
    text = sealed.manifest.read_text(encoding="utf-8")
    s = sealing.seals_from_entries(c.load().entries)[0]
    assert s.hash == sealed.state.hash and s.manifest_hash == sealing.manifest_hash(text)


def test_seal_record_refused_midway_writes_neither_manifest_nor_entry(books: Path) -> None:
    before = snapshot(books)
    with pytest.raises(BadInput, match="after the seal's date"), Compound.locate(books).transaction() as txn:
        seal_step.record(txn, dt.date(2024, 6, 30), day=dt.date(2024, 7, 5))
        seal_step.record(txn, dt.date(2024, 9, 30), day=dt.date(2024, 7, 5))
    assert snapshot(books) == before
    assert not (books / "seals").exists()


def test_audit_hashing_in_a_worker_finds_the_same(books: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    do_seal(books)
    journal = books / "journal.beancount"
    text = journal.read_text(encoding="utf-8")
    first = text.index(" CNY")
    journal.write_text(text[:first] + "0" + text[first:], encoding="utf-8")
    loaded = Compound.locate(books).load()
    day = dt.date(2025, 1, 1)
    sealing._MEMO.clear()
    inline = run_checks(loaded.entries, loaded.options_map, day)
    sealing._MEMO.clear()
    forked = run_checks(loaded.entries, loaded.options_map, day, parallel=True)
    assert [f.as_dict() for f in forked] == [f.as_dict() for f in inline]
    assert any(f.check == "seal-broken" for f in forked)
    # A worker that cannot be started leaves the hashing to the audit itself.
    def no_fork() -> int:
        raise OSError("no fork here")

    monkeypatch.setattr(os, "fork", no_fork)
    sealing._MEMO.clear()
    assert [f.as_dict() for f in run_checks(loaded.entries, loaded.options_map, day, parallel=True)] \
        == [f.as_dict() for f in inline]
