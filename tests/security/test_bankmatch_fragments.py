"""Issue 14, bank matching: a counterparty is the property company or a contract's counterparty
only by its exact name or a declared alias, never by a fragment; an unsure line goes to
suspense with the candidates named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from beancount.core import data
from beancount.parser import parser
from conftest import append
from hypothesis import given, settings
from hypothesis import strategies as st
from test_import_bank import contract_text, journal_entries, run, split_layout

from assetreg.contracts import contracts_from_entries
from importers.bank import _Matcher, _norm, aliases

MANAGER = "淮安景湖物业服务有限公司"
SHOP = "淮安市景湖便利店有限公司"
SUSPENSE = "Liabilities:Suspense:待查明款项"
HELD = "Assets:Receivable:物业代收"
PARKING = "Income:Common:停车位"


def _lines(parties: list[str]) -> list[tuple]:
    lines, balance = [], 10000
    for n, cp in enumerate(parties, start=1):
        balance += 100
        lines.append((dt.date(2024, 3, 5), "转账", "100.00", None, f"{balance}.00", cp, f"SN{n:03d}", ""))
    return lines


@pytest.fixture
def compound(small_compound: Path) -> Path:
    append(small_compound / "contracts.beancount", contract_text(counterparty=SHOP))
    append(small_compound / "accounts.beancount", f'2020-01-01 custom "assetreg-option" "manager-name" "{MANAGER}"\n')
    return small_compound


def _booked(root: Path) -> dict[str, data.Transaction]:
    return {e.meta["bank_ref"]: e for e in journal_entries(root)
            if isinstance(e, data.Transaction) and "bank_ref" in e.meta}


def _accounts(t: data.Transaction) -> set[str]:
    return {p.account for p in t.postings}


FRAGMENTS = ["有限公司", "物业服务", "景湖物业", "便利店有", f"{SHOP}分店", "物业服务公司"]


def test_fragments_of_known_names_go_to_suspense_with_candidates(compound: Path, tmp_path: Path) -> None:
    parties = [*FRAGMENTS, MANAGER, SHOP]
    res = run("import", split_layout(tmp_path / "s.xlsx", _lines(parties)), "-L", compound)
    assert res.exit_code == 0, res.output
    booked = _booked(compound)
    for n, cp in enumerate(FRAGMENTS, start=1):
        t = booked[f"SN{n:03d}"]
        assert _accounts(t) == {"Assets:Bank:共有资金专户", SUSPENSE}, (cp, t)
        assert t.payee != MANAGER, cp  # the real payer is not rewritten to the property company
    # the candidates are named, for the treasurer to declare an alias or correct the line
    assert MANAGER in booked["SN003"].meta["candidates"]  # 景湖物业
    assert "C-2024-009" in booked["SN005"].meta["candidates"]  # …分店
    assert "可能是" in booked["SN005"].meta["unmatched"]
    # the exact names still match
    assert HELD in _accounts(booked["SN007"])
    shop = booked["SN008"]
    assert PARKING in _accounts(shop) and shop.meta["contract"] == "C-2024-009"


def test_declared_aliases_match(compound: Path, tmp_path: Path) -> None:
    append(compound / "accounts.beancount",
           '2020-01-01 custom "assetreg-option" "manager-alias" "景湖物业，淮安景湖物业服务有限公司清江浦分公司"\n'
           f'2020-01-01 custom "assetreg-option" "counterparty-alias" "{SHOP}=景湖便利店、淮安景湖便利店"\n')
    parties = ["景湖物业", "淮安景湖物业服务有限公司清江浦分公司", "景湖便利店", "景 湖 便 利 店", "景湖便利"]
    res = run("import", split_layout(tmp_path / "s.xlsx", _lines(parties)), "-L", compound)
    assert res.exit_code == 0, res.output
    booked = _booked(compound)
    for ref in ("SN001", "SN002"):
        assert HELD in _accounts(booked[ref])
    assert booked["SN002"].meta["payer"] == "淮安景湖物业服务有限公司清江浦分公司"  # the payer as written is kept
    for ref in ("SN003", "SN004"):
        assert PARKING in _accounts(booked[ref]) and booked[ref].meta["contract"] == "C-2024-009"
    assert SUSPENSE in _accounts(booked["SN005"])  # a fragment of an alias is no alias


# ------------------------------------------------------------------ property: no fragment matches

KNOWN = [MANAGER, SHOP, "中国铁塔股份有限公司淮安市分公司", "清江浦区颐和居家养老服务中心", "淮安丰递智能科技有限公司"]
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


def _matcher() -> _Matcher:
    entries = []
    for i, name in enumerate(KNOWN[1:], start=1):
        parsed, errors, _ = parser.parse_string(contract_text(cid=f"C-2024-{i:03d}", counterparty=name))
        assert not errors
        entries.extend(parsed)
    return _Matcher(MANAGER, contracts_from_entries(entries), {}, None)  # type: ignore[arg-type]


MATCHER = _matcher()


@st.composite
def near_misses(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(KNOWN))
    if draw(st.booleans()):  # a strict part of the name
        i = draw(st.integers(0, len(name) - 1))
        j = draw(st.integers(i + 1, len(name)))
        if (i, j) == (0, len(name)):
            j -= 1
        return name[i:j] or name[:1]
    before = draw(st.text(CJK, max_size=4))
    after = draw(st.text(CJK, max_size=4))
    if not before and not after:
        after = draw(st.text(CJK, min_size=1, max_size=4))
    return before + name + after  # the name inside a longer one


@settings(max_examples=300, deadline=None)
@given(near_misses())
def test_no_strict_part_or_extension_of_a_known_name_matches(written: str) -> None:
    cp = _norm(written)
    if cp in {_norm(k) for k in KNOWN}:
        return  # e.g. a part of one name that is another whole name
    assert not MATCHER.is_manager(cp)
    assert MATCHER.by_party(cp) == []


@given(st.sampled_from(KNOWN[1:]), st.sampled_from(["", " ", "  "]), st.booleans())
def test_the_exact_name_matches_however_spaced_or_cased(name: str, space: str, fullwidth: bool) -> None:
    written = space.join(name)
    if fullwidth:
        written = written.replace("(", "（").replace(")", "）")
    assert [c.terms["counterparty"] for c in MATCHER.by_party(_norm(written))] == [name]


def test_alias_options_parse() -> None:
    manager, parties = aliases({"manager-alias": "景湖物业，景湖物业管理处、 ",
                                "counterparty-alias": f"{SHOP}=景湖便利店、Jinghu Shop；甲公司=甲"})
    assert manager == {"景湖物业", "景湖物业管理处"}
    assert parties == {SHOP: {"景湖便利店", "JINGHUSHOP"}, "甲公司": {"甲"}}
