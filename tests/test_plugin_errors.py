"""The plugin's errors exactly as Beancount receives them, in process (tests/test_plugin.py
runs bean-check as a program; these load the ledger here, so scripts/mutation.sh plugin
can reach the plugin): the message (``[check] text``, the rule appended unless the text
already cites it), the source (the entry's file and line, or the main file for a finding
about no entry), the entry, the index-only mode, the pickle cache and the verified-seal
cache."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.core.amount import Amount
from conftest import append
from test_audit import full_year, income
from test_seal import books, do_seal  # noqa: F401  (books is a fixture)

from assetreg import plugin, sealcache
from assetreg.contracts import content_hash
from assetreg.ledger import custom, format_entry, load_path

NO_CONTRACT_RULE = "民法典第278条第一款第八项；物业管理条例第54条"


def errors_of(root: Path) -> list[Any]:
    return [e for e in load_path(root / "main.beancount").errors
            if isinstance(e, plugin.AssetregPluginError)]


def line_of(path: Path, text: str) -> int:
    return path.read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.fixture
def compound(small_compound: Path) -> Path:
    terms = {"assets": "P-001", "use": "parking-owner", "counterparty": "OWN-0001",
             "counterparty_kind": "owner", "start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31),
             "price": Amount(Decimal("100.00"), "CNY"), "period": "month"}
    entry = custom(dt.date(2023, 12, 20), "contract", ["C-ALL", "recorded"], **terms,
                   decision="permitted", content_hash=content_hash(terms))
    append(small_compound / "contracts.beancount", "\n" + format_entry(entry))
    return small_compound


def test_a_clean_compound_has_no_plugin_errors(compound: Path) -> None:
    append(compound / "journal.beancount", income("2024-02-29", "2024-02", contract="C-ALL"))
    assert errors_of(compound) == []


def test_each_error_names_its_check_its_rule_once_and_its_entry(compound: Path) -> None:
    journal = compound / "journal.beancount"
    append(journal, income("2024-01-10", "2024-01", contract="C-ALL")  # P-001 under notice that day
           + income("2024-02-29", "2024-02", contract=None))
    got = errors_of(compound)
    first = line_of(journal, '2024-01-10 * "景湖物业" "2024-01 停车位 P-001 公共收益"')
    second = line_of(journal, '2024-02-29 * "景湖物业" "2024-02 停车位 P-001 公共收益"')
    assert [(e.source["filename"], e.source["lineno"], e.message) for e in got] == [
        # income-unconfirmed's text cites Art. 282 itself: no rule appended
        (str(journal), first,
         "[income-unconfirmed] 资产 P-001 在 2024-01-10 有收入，而当日尚未确权（当日状态：公示中）；"
         "应自确权之日起记收入（民法典第282条：共有部分的收入在权属确定后属于业主共有）"),
        (str(journal), second,
         "[income-no-contract] 2024-02-29 的收入未注明合同：请加上 contract: \"C-…\"；"
         f"共有部分只能依业主共同决定的合同经营 ({NO_CONTRACT_RULE})"),
    ]
    assert [(e.entry.date, e.entry.narration) for e in got] == [
        (dt.date(2024, 1, 10), "2024-01 停车位 P-001 公共收益"),
        (dt.date(2024, 2, 29), "2024-02 停车位 P-001 公共收益")]
    assert all(e.source is e.entry.meta for e in got)


def test_markup_is_an_error_and_long_text_is_shortened(compound: Path) -> None:
    journal = compound / "journal.beancount"
    long = "<b>" + "停" * 70 + "</b>"
    append(journal, income("2024-02-29", "2024-02", contract="C-ALL").replace(
        '"景湖物业"', '"<img src=x onerror=alert(1)>"') + f'\n2024-03-01 note Assets:Bank:共有资金专户 "{long}"\n')
    got = errors_of(compound)
    rule = f" ({plugin.TEXT_RULE})"
    tail = "；请删去，或改写为全角 ＜ ＞" + rule
    assert [(e.source["lineno"], e.message) for e in got] == [
        (line_of(journal, '2024-02-29 * "<img src=x onerror=alert(1)>" "2024-02 停车位 P-001 公共收益"'),
         "[text-markup] payee 含有网页标记字符（< > 或带引号的链接）：'<img src=x onerror=alert(1)>'" + tail),
        (line_of(journal, f'2024-03-01 note Assets:Bank:共有资金专户 "{long}"'),
         "[text-markup] comment 含有网页标记字符（< > 或带引号的链接）：'" + long[:57] + "…'" + tail),
    ]


def test_a_finding_about_no_entry_is_reported_at_the_main_file(compound: Path) -> None:
    # disclosure-overdue names no entry; listed in audit-errors it becomes a bean-check error
    append(compound / "accounts.beancount",
           '\n2020-01-01 custom "assetreg-option" "audit-errors" "disclosure-overdue"\n')
    append(compound / "journal.beancount", income("2024-02-29", "2024-02", contract="C-ALL"))
    got = errors_of(compound)
    assert got and {e.message.split("]")[0] for e in got} == {"[disclosure-overdue"}
    assert all(e.entry is None for e in got)
    assert all(e.source == {"filename": str(compound / "main.beancount"), "lineno": 0} for e in got)
    assert got[0].message.endswith("小区公示频次规定)")


def test_index_only_reports_nothing_and_ends_with_its_block(compound: Path) -> None:
    append(compound / "journal.beancount", income("2024-01-10", "2024-01", contract="C-ALL"))
    with plugin.index_only():
        assert errors_of(compound) == []
    assert [e.message.split("]")[0] for e in errors_of(compound)] == ["[income-unconfirmed"]


def test_the_pickle_cache_is_named_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = tmp_path / "main.beancount"
    monkeypatch.setattr(loader, "PICKLE_CACHE_FILENAME", loader.PICKLE_CACHE_FILENAME)  # restored after
    monkeypatch.delenv("BEANCOUNT_DISABLE_LOAD_CACHE", raising=False)
    monkeypatch.delenv("BEANCOUNT_LOAD_CACHE_FILENAME", raising=False)
    monkeypatch.setattr(plugin, "_CACHES_TO_REMOVE", set())
    assert plugin.keep_pickle_cache_out({}) is None  # no file: nothing to keep out
    cache = tmp_path / ".main.beancount.picklecache"
    assert plugin.keep_pickle_cache_out({"filename": str(main)}) == str(cache)
    monkeypatch.setenv("BEANCOUNT_LOAD_CACHE_FILENAME", "{filename}.mine")
    assert plugin.keep_pickle_cache_out({"filename": str(main)}) == str(main) + ".mine"
    cache.write_bytes(b"pickle")
    Path(str(main) + ".mine").write_bytes(b"pickle")
    plugin._remove_caches()
    assert not cache.exists() and not Path(str(main) + ".mine").exists()
    plugin._remove_caches()  # already gone: quietly nothing
    monkeypatch.setenv("BEANCOUNT_DISABLE_LOAD_CACHE", "")  # set, even empty: Beancount makes none
    assert plugin.keep_pickle_cache_out({"filename": str(main)}) is None


def test_a_verified_state_is_remembered_and_a_broken_one_is_not(books: Path) -> None:  # noqa: F811
    do_seal(books)
    options_map = load_path(books / "main.beancount").options_map  # this load verified the seals
    state = sealcache.fingerprint(options_map)
    assert state is not None and sealcache.verified(options_map, state)
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace("105.00 CNY", "105.01 CNY", 1),
                       encoding="utf-8")
    loaded = load_path(books / "main.beancount")
    assert any("[seal-broken]" in e.message for e in loaded.errors)
    broken = sealcache.fingerprint(loaded.options_map)
    assert broken != state and not sealcache.verified(loaded.options_map, broken)
    # and the remembered good state is not taken for the broken one on the next load
    assert any("[seal-broken]" in e.message for e in load_path(books / "main.beancount").errors)


def test_the_plugin_checks_the_full_year_cleanly(compound: Path) -> None:
    append(compound / "journal.beancount", full_year().replace('contract: "C-2024-001"', 'contract: "C-ALL"'))
    assert errors_of(compound) == []


def test_markup_shown_whole_up_to_sixty_characters() -> None:
    from beancount.core import data

    def note(text: str) -> Any:
        return data.Note(data.new_metadata("journal.beancount", 3), dt.date(2024, 3, 1),
                         "Assets:Bank:共有资金专户", text, None, None)

    sixty, sixty_one = "<b>" + "停" * 53 + "</b>", "<b>" + "停" * 54 + "</b>"
    assert (len(sixty), len(sixty_one)) == (60, 61)
    got = plugin.markup_findings([note(sixty), note(sixty_one)])
    assert [(f.check, f.facts, f.entries) for f in got] == [
        ("text-markup", {"field": "comment"}, ("journal.beancount:3",))] * 2
    assert [f.message.split("：", 1)[1].split("；")[0] for f in got] == [repr(sixty), repr(sixty_one[:57] + "…")]


def test_book_findings_are_what_bean_check_reports_seals_included(books: Path) -> None:  # noqa: F811
    do_seal(books)
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace("105.00 CNY", "105.01 CNY", 1)
                       .replace('"景湖物业"', '"<i>景湖物业</i>"', 1), encoding="utf-8")
    # (a plain load: an index-only load would start hashing in a forked worker that only
    # the audit collects)
    loaded = load_path(books / "main.beancount")
    checks = [f.check for f in plugin.book_findings(loaded.entries, loaded.options_map)]
    assert "seal-broken" in checks and checks[-1] == "text-markup"
    assert [e.message.split("]")[0][1:] for e in errors_of(books)] == [c for c in checks]
    unverified = [f.check for f in plugin.book_findings(loaded.entries, loaded.options_map, verify_seals=False)]
    assert "seal-broken" not in unverified and "text-markup" in unverified


def test_a_state_the_cache_says_verified_is_not_rehashed(books: Path) -> None:  # noqa: F811
    do_seal(books)
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace("105.00 CNY", "105.01 CNY", 1), encoding="utf-8")
    assert any("[seal-broken]" in e.message for e in errors_of(books))
    # Plant "verified" for exactly this (broken) state: the plugin trusts its cache and does
    # not rehash — which is why the cache lives outside the compound folder, and why
    # `assetreg audit` always rehashes.
    options_map = load_path(books / "main.beancount").options_map
    sealcache.remember(options_map, sealcache.fingerprint(options_map))
    assert not any("[seal-broken]" in e.message for e in errors_of(books))


def test_a_compound_without_seals_leaves_no_cache_entry(compound: Path) -> None:
    append(compound / "journal.beancount", income("2024-02-29", "2024-02", contract="C-ALL"))
    loaded = load_path(compound / "main.beancount")
    assert sealcache.fingerprint(loaded.options_map) is not None  # it could be told...
    assert not sealcache.slot(loaded.options_map).exists()  # ...but there is nothing to remember


def test_the_audit_collects_the_hashes_started_during_an_index_only_load(books: Path) -> None:  # noqa: F811
    from assetreg.audit import run_checks

    do_seal(books)
    with plugin.index_only():
        clean = load_path(books / "main.beancount")
    assert clean.errors == []  # the background hashing started without a hitch
    assert [f.check for f in run_checks(clean.entries, clean.options_map, dt.date(2025, 1, 1))
            if f.check.startswith("seal")] == []
    journal = books / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8").replace("105.00 CNY", "105.01 CNY", 1), encoding="utf-8")
    with plugin.index_only():
        broken = load_path(books / "main.beancount")
    assert "seal-broken" in [f.check for f in run_checks(broken.entries, broken.options_map, dt.date(2025, 1, 1))]


def test_a_finding_about_no_entry_in_a_load_without_a_file_is_placed_at_assetreg() -> None:
    entries, errors, _ = loader.load_string(
        '2020-01-01 custom "assetreg-option" "audit-errors" "disclosure-overdue"\n'
        "2024-01-01 open Assets:Bank:共有资金专户\n2024-01-01 open Income:Common:停车位\n"
        '2024-01-31 * "物业公司" "1月停车费"\n  Assets:Bank:共有资金专户  100.00 CNY\n  Income:Common:停车位\n')
    assert not errors
    _, got = plugin.check_assets(entries, {})  # a load from text: no file to point at
    placed = [e.source for e in got if e.message.startswith("[disclosure-overdue]")]
    assert placed and all(s == {"filename": "<assetreg>", "lineno": 0} for s in placed)


def test_the_pickle_cache_is_switched_off_once_and_removal_registered_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import atexit

    registered: list[Any] = []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(plugin, "_CACHES_TO_REMOVE", set())
    monkeypatch.setattr(loader, "_load_file", loader._load_file)  # restored after
    monkeypatch.delenv("BEANCOUNT_DISABLE_LOAD_CACHE", raising=False)
    monkeypatch.delenv("BEANCOUNT_LOAD_CACHE_FILENAME", raising=False)
    monkeypatch.setattr(loader, "PICKLE_CACHE_THRESHOLD", 0)  # a cache would be written for any load
    main = tmp_path / "main.beancount"
    main.write_text('option "operating_currency" "CNY"\n', encoding="utf-8")
    plugin.keep_pickle_cache_out({"filename": str(main)})
    assert registered == [plugin._remove_caches]  # on the first call
    plugin.keep_pickle_cache_out({"filename": str(tmp_path / "other.beancount")})
    assert registered == [plugin._remove_caches]  # and only then
    loader.load_file(str(main))
    assert not (tmp_path / ".main.beancount.picklecache").exists()  # none written
    # the loader no longer reads a cache: a stale one beside the ledger is deleted, not unpickled
    stale = tmp_path / ".main.beancount.picklecache"
    stale.write_bytes(b"not a pickle")
    loader.load_file(str(main))
    assert not stale.exists()
