"""The parse check of Transaction.commit: nothing that would leave a syntax error is written.

Most staged text is recognised as a plain directive without Beancount's parser
(assetreg.ledger._plain); these tests show that whatever the recogniser accepts parses, that
hostile strings in payee, narration and metadata either round-trip exactly or are refused
before any file is touched, and that text which could affect its neighbours is parsed whole.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.parser import parser
from conftest import snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetreg.errors import BadInput, LedgerError
from assetreg.ledger import Compound, _plain, format_entry, meta
from importers.bank import _txn
from importers.base import render

BANK = "Assets:Bank:共有资金专户"
SUSPENSE = "Liabilities:Suspense:待查明款项"

HOSTILE = ['"', "\\", '\\"', '"\\', "\\\\\"", "\n", "\r", "\r\n", "\t", "\x00", "\x07", "\x1b", "\x7f",
           "\x85", "\u2028", "\ufeff", '" "x', '"\n  Assets:Cash  1 CNY\n', "\n2020-01-01 open Assets:X\n",
           ";", "option \"title\" \"x\"", "pushtag #x", "\\n", "\\x00", "'", "^link #tag"]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=3)), max_size=6).map("".join),
)


def _parse(text: str) -> tuple[list, list]:
    entries, errors, _ = parser.parse_string(text)
    return entries, errors


# ------------------------------------------------------------------ the recogniser is sound

ACCOUNT_PARTS = st.text(alphabet=st.sampled_from(list("AZaz09-_:. 共有资金（）ÄéЖ\u3000\x00\"")), max_size=8)


@st.composite
def near_plain_texts(draw: st.DrawFn) -> str:
    """Texts of the plain shapes with arbitrary pieces dropped in."""
    root = draw(st.sampled_from(["Assets", "Liabilities", "Income", "Expenses", "Equity", "Asset", "assets"]))
    account = root + ":" + draw(st.sampled_from(["Bank", "bank", "1a", "共有"])) + draw(ACCOUNT_PARTS)
    number = draw(st.sampled_from(["1", "-1.00", "0.5", "1,000.00", "1E+3", ".5", "5.", "--1", "NaN"]))
    currency = draw(st.sampled_from(["CNY", "C", "CN_", "cny", "USD'", "A.B"]))
    day = draw(st.sampled_from(["2020-01-01", "2020-02-30", "0000-01-01", "2020-1-01", "2020/01/01"]))
    key = draw(st.sampled_from(["import_id", "a", "x-y", "Key", "lineno", "filename", "bank_ref"]))
    value = draw(st.one_of(hostile_text.map(lambda s: '"' + s + '"'),
                           st.sampled_from(["TRUE", "FALSE", "1", "-2.5", "2020-01-01", "CNY", "true"])))
    strings = " ".join('"' + draw(hostile_text) + '"' for _ in range(draw(st.integers(0, 3))))
    keys = [key, draw(st.sampled_from(["import_id", "bank_ref", key]))]
    metas = "".join(f"  {k}: {value}\n" for k in keys[: draw(st.integers(0, 2))])
    if draw(st.booleans()):
        text = f"{day} {draw(st.sampled_from(['*', '!', 'txn', 'P']))} {strings}\n{metas}"
        text += f"  {account}  {number} {currency}\n" * draw(st.integers(0, 2))
    else:
        text = f"{day} balance {account}  {number} {currency}\n{metas}"
    # And now and then a character anywhere.
    if draw(st.booleans()):
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.sampled_from([*HOSTILE, " ", "x", "*"])) + text[i:]
    return text


@settings(max_examples=600, deadline=None)
@given(near_plain_texts())
def test_what_the_recogniser_accepts_parses(text: str) -> None:
    if _plain(text, set()):
        entries, errors = _parse(text)
        assert errors == [] and len(entries) == 1, text
        # ... and it stays one whole directive among others
        entries, errors = _parse("2019-12-31 open Assets:Bank:X\n" + text + text)
        assert errors == [] and len(entries) == 3, text


def test_the_importers_text_is_recognised() -> None:
    txn = _txn(meta(bank_ref="SN1", import_id="bank-abc"), dt.date(2024, 1, 2), "某某公司", '转账 "季度" \\ 租金',
               BANK, Decimal("1234.50"), SUSPENSE)
    for text in (render(txn), format_entry(txn)):
        assert _plain(text, set()), text


# ------------------------------------------------------------------ hostile strings, end to end


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payee=hostile_text, narration=hostile_text, ref=hostile_text, printer=st.booleans())
def test_hostile_strings_round_trip_or_are_refused(small_compound: Path, payee: str, narration: str, ref: str,
                                                   printer: bool) -> None:
    # a fresh copy of the compound for each example
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        shutil.copytree(small_compound, root)
        _round_trip_or_refused(root, payee, narration, ref, printer)


def _round_trip_or_refused(small_compound: Path, payee: str, narration: str, ref: str, printer: bool) -> None:
    c = Compound.locate(small_compound)
    journal = small_compound / "journal.beancount"
    before = snapshot(small_compound)
    old = journal.read_bytes().decode("utf-8")
    n_old = len(_parse(old)[0])
    entries = [_txn(meta(bank_ref=ref, unmatched=narration, import_id=f"bank-{i}"), dt.date(2024, 1, 2 + i),
                    payee, narration, BANK, Decimal(i + 1), SUSPENSE) for i in range(3)]
    try:
        with c.transaction() as txn:
            txn.append("journal", entries, render=format_entry if printer else render, spaced=True)
    except (LedgerError, BadInput) as exc:
        # BadInput: text carrying markup (< >, a quoted link) is refused when staged (issue 14)
        assert "does not parse" in str(exc) or "cannot be written" in str(exc) or "markup" in str(exc)
        assert snapshot(small_compound) == before  # refused before any file was touched
        return
    parsed, errors = _parse(journal.read_bytes().decode("utf-8"))
    assert errors == []
    new = parsed[n_old:]
    assert len(new) == len(entries)
    for got, want in zip(new, entries, strict=True):
        assert (got.date, got.payee, got.narration) == (want.date, want.payee or None, want.narration)
        assert {k: v for k, v in got.meta.items() if k not in ("filename", "lineno")} == \
            {k: v for k, v in want.meta.items() if k not in ("filename", "lineno")}
        assert [(p.account, p.units) for p in got.postings] == [(p.account, p.units) for p in want.postings]
    # Written through a file and read back: the same (no newline translation on either side).
    loaded = [e for e in c.load().entries if getattr(e, "meta", {}).get("import_id", "").startswith("bank-")]
    assert [(e.payee, e.narration) for e in loaded] == [(e.payee or None, e.narration) for e in entries]


# ------------------------------------------------------------------ text that is not plain


def _staged(small_compound: Path, pieces: list[str]) -> None:
    texts = iter(pieces)
    c = Compound.locate(small_compound)
    with c.transaction() as txn:
        txn.append("journal", [object()] * len(pieces), render=lambda _e: next(texts))


PLAIN = '2024-01-02 * "x"\n  import_id: "a"\n  Assets:Bank:共有资金专户  1 CNY\n  Equity:Opening:期初余额  -1 CNY\n'


@pytest.mark.parametrize("pieces, message", [
    ([PLAIN, '2024-01-03 * "unterminated\n'], "does not parse"),
    # a string left open in one entry's text and closed in a later one's: the two parse
    # together, but not with the plain entry between them; each is parsed alone
    (['2024-01-01 * "a\n', PLAIN, '2024-01-03 * " "b"\n'], "does not parse"),
    # an option that changes how the plain entries after it parse: the whole text is parsed
    (['option "name_assets" "Vermoegen"\n', PLAIN], "Invalid account name"),
    # text that continues the plain entry before it (a second import_id): the whole text is parsed
    (['2024-01-02 * "x"\n  import_id: "a"\n', '  import_id: "b"\n'], "Duplicate metadata"),
    ([PLAIN, "2024-01-02 balance Assets:Bank:共有资金专户  1 CNY"], None),  # no final newline: parsed whole
    (['2024-01-02 * "\ud800"\n'], "cannot be written"),
    (['2024-02-30 * "x"\n'], "does not parse"),
])
def test_text_that_does_not_parse_is_refused(small_compound: Path, pieces: list[str], message: str | None) -> None:
    before = snapshot(small_compound)
    if message is None:
        _staged(small_compound, pieces)  # parses: written
        assert snapshot(small_compound) != before
        return
    with pytest.raises(LedgerError, match=message):
        _staged(small_compound, pieces)
    assert snapshot(small_compound) == before
