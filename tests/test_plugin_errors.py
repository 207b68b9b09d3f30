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
