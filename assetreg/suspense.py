"""Suspense lines (待查明款项): the bank lines the importer could not match, one by one.

The bank importer books a line it cannot match against ``Liabilities:Suspense:待查明款项``
with the reason in ``unmatched:``. Each such posting is a *line* with a stable id derived
from the entry's ``import_id`` (else from its content), so the same line has the same id
in every report, sheet and command::

    S-3F9A21C0   2024-03-12   88.00   个人   SN005   "张三转账" → "个人转账"

A line is cleared by a later transaction that moves it out of suspense and names it
(``clears: "S-3F9A21C0"``, written by ``assetreg suspense assign`` or the filled
待查明 sheet); a reversal (``reverses:``, written by ``assetreg correct``) counts for the
line of the entry it reverses, so reversing an assignment reopens its line. A line is
open while its own postings do not add up to zero: money in and money out on two
different lines never cancel each other out.

The kinds a line can be assigned to, with the Chinese labels treasurers pick in the
sheet's 归属 drop-down, are :data:`KINDS`; :mod:`assetreg.reclassify` writes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from beancount.core import data

from .books import is_suspense
from .errors import BadInput
from .seal import canonical
from .vocab import ZERO

__all__ = ["DIRECTION", "KINDS", "ZERO", "Line", "entry_ref", "find", "lines", "mask", "open_lines", "parse_kind"]

# What a line can turn out to be: key → the label in the 归属 drop-down.
KINDS: Final[dict[str, str]] = {
    "contract": "合同收款",
    "remittance": "物业代收转入",
    "deposit": "收取押金",
    "deposit-return": "退还押金",
    "manager-share": "物业经营成本（第282条）",
    "maintenance-fund": "补充维修资金（按决议）",
    "committee-funds": "业委会工作经费（按决议）",
    "other-cost": "其他支出（按决议）",
    "interest": "银行结息",
    "fee": "银行手续费",
    "refund": "退款",
    "transfer": "本小区账户间转账",
}
# Which way the money of each kind goes: "in" (into the bank account), "out", or both.
DIRECTION: Final[dict[str, str]] = {
    "contract": "in", "remittance": "in", "deposit": "in", "deposit-return": "out",
    "manager-share": "out", "maintenance-fund": "out", "committee-funds": "out", "other-cost": "out",
    "interest": "in", "fee": "out", "refund": "both", "transfer": "both",
}

_PHONE_OR_ID = re.compile(r"1[3-9]\d{9}|\d{17}[\dXx]")


def mask(text: str) -> str:
    """Phone and ID numbers never leave the ledger (the importer masks them the same way)."""
    return _PHONE_OR_ID.sub("***", text)


def _label_key(text: str) -> str:
    return re.sub(r"[\s（）()]", "", text).lower()


_BY_LABEL = {_label_key(v): k for k, v in KINDS.items()}
# A label without its bracketed note is the same kind ("物业经营成本").
_BY_LABEL.update({_label_key(re.sub(r"（.*?）", "", v)): k for k, v in KINDS.items()})


def parse_kind(text: str) -> str:
    """A kind given as its key (``fee``) or its label (``银行手续费``)."""
    t = str(text).strip()
    if t in KINDS:
        return t
    key = _BY_LABEL.get(_label_key(t))
    if key is None:
        raise BadInput(f"unknown kind {t!r}",
                       "one of: " + ", ".join(f"{k} ({v})" for k, v in KINDS.items()))
    return key


# ------------------------------------------------------------------ entry identity

def entry_ref(entry: Any) -> str:
    """A stable id of a transaction: its ``import_id``, else a digest of its content."""
    iid = (entry.meta or {}).get("import_id")
    if iid:
        return str(iid)
    return "E-" + hashlib.sha256(canonical(entry).encode("utf-8")).hexdigest()[:16]


def _line_id(ref: str, n: int, of: int, taken: Container[str]) -> str:
    digest = hashlib.sha256(ref.encode("utf-8")).hexdigest().upper()
    part = f"-{n + 1}" if of > 1 else ""
    for width in (8, 12, 16):  # two refs sharing eight hex digits: a longer id for the later one
        lid = "S-" + digest[:width] + part
        if lid not in taken:
            return lid
    k = 2  # entries identical to the letter (hand-written twice): numbered in date order
    while f"S-{digest[:8]}{part}.{k}" in taken:
        k += 1
    return f"S-{digest[:8]}{part}.{k}"


@dataclass(frozen=True)
class Line:
    """One posting into suspense and what is known about it."""

    id: str
    date: dt.date
    amount: Decimal  # as the bank saw it: + money in, − money out
    account: str
    payee: str  # the counterparty as booked (个人 for a private person)
    hint: str  # the entry's narration: the bank's 摘要/附言 as the importer kept it, masked
    bank_ref: str
    reason: str  # why the importer could not match it
    entry: Any
    moves: tuple[tuple[dt.date, Decimal], ...]  # the line's postings in suspense, its own first

    @property
    def open(self) -> Decimal:
        """What is still in suspense of this line (with the sign of its first posting)."""
        return sum((n for _, n in self.moves), ZERO)

    @property
    def is_open(self) -> bool:
        return self.open != 0

    def left_on(self, day: dt.date) -> Decimal:
        """What of the line was in suspense at the end of ``day`` (the posting's sign)."""
        return sum((n for d, n in self.moves if d <= day), ZERO)

    def open_on(self, day: dt.date) -> bool:
        """Was the line open at the end of ``day``?"""
        return self.date <= day and self.left_on(day) != 0

    def age(self, as_of: dt.date) -> int:
        return (as_of - self.date).days

    @property
    def ref(self) -> str:
        return entry_ref(self.entry)

    def as_dict(self, as_of: dt.date) -> dict[str, Any]:
        return {"line": self.id, "date": self.date.isoformat(), "amount": str(self.amount),
                "direction": "in" if self.amount > 0 else "out", "account": self.account,
                "counterparty": self.payee, "bank_ref": self.bank_ref, "hint": self.hint,
                "reason": self.reason, "age_days": self.age(as_of), "entry": self.ref,
                "source": f"{self.entry.meta.get('filename', '?')}:{self.entry.meta.get('lineno', '?')}"}


def lines(entries: Iterable[Any], as_of: dt.date | None = None) -> list[Line]:
    """Every suspense line among ``entries`` (transactions dated up to ``as_of``), open or
    not, in date order. ``entries`` may be a whole ledger or only the transactions that post
    to a suspense account (:attr:`assetreg.books.Books.suspense_entries`)."""
    found: dict[str, list[Any]] = {}  # line id → [its entry, its posting, its movements]
    of_entry: dict[str, list[str]] = {}  # entry ref → the lines its suspense postings belong to
    order: list[str] = []
    left: dict[str, Decimal] = {}  # what each line still holds in suspense
    # lines by (account, what they hold): a hand-written clearing looks its line up here
    # (entries may be stale: ``left`` is checked before one is used)
    clearable: dict[tuple[str, Decimal], list[str]] = {}
    txns = [e for e in entries if type(e) is data.Transaction and e.flag != "P"
            and (as_of is None or e.date <= as_of)]
    moving = [(e, [p for p in e.postings if is_suspense(p.account) and p.units is not None
                   and p.units.number is not None]) for e in txns]
    # Day by day; within a day the lines first, then what clears them, then reversals, so
    # the order entries sort in on one day does not matter (an entry staged this minute
    # has no line number yet).
    moving = sorted(((e, ps) for e, ps in moving if ps),
                    key=lambda m: (m[0].date, 2 if m[0].meta.get("reverses") else 1 if m[0].meta.get("clears") else 0,
                                   data.entry_sortkey(m[0])))
    for e, postings in moving:
        m = e.meta
        ref = entry_ref(e)
        if m.get("reverses"):
            targets = of_entry.get(str(m["reverses"]), [])
        elif m.get("clears"):
            targets = [str(m["clears"]).strip().upper()] * len(postings)
        else:
            targets = []
            touches_bank = any(q.account.startswith("Assets:Bank") for q in e.postings)
            for n, p in enumerate(postings):
                # A hand-written entry (no importer's ``unmatched``) that takes out of suspense
                # exactly what an earlier line left there clears that line, the oldest first;
                # one that moves suspense to another account without touching the bank clears
                # the oldest lines it covers: how ledgers were cleared before ``clears:`` existed.
                held = None
                if not m.get("unmatched"):
                    waiting = clearable.get((p.account, -p.units.number))  # type: ignore[union-attr,operator]
                    held = next((lid for lid in waiting or () if left[lid] == -p.units.number), None)  # type: ignore[union-attr,operator]
                if held is not None:
                    targets.append(held)
                    continue
                if not m.get("unmatched") and not touches_bank and _take_oldest(p, e.date, order, found, left, clearable):
                    targets.append("")  # spread over the lines it clears
                    continue
                lid = _line_id(ref, n, len(postings), found)
                found[lid] = [e, p, []]
                order.append(lid)
                targets.append(lid)
        of_entry[ref] = targets
        for lid, p in zip(targets, postings, strict=False):
            if lid in found:
                n_: Decimal = p.units.number  # type: ignore[union-attr,assignment]
                found[lid][2].append((e.date, n_))
                left[lid] = left.get(lid, ZERO) + n_
                if left[lid]:
                    clearable.setdefault((p.account, left[lid]), []).append(lid)
    out = []
    for lid in order:
        e, p, moves = found[lid]
        out.append(Line(
            id=lid, date=e.date, amount=-p.units.number, account=p.account,
            payee=e.payee or "", hint=mask(e.narration or ""), bank_ref=str(e.meta.get("bank_ref") or ""),
            reason=str(e.meta.get("unmatched") or ""), entry=e, moves=tuple(sorted(moves, key=lambda m: m[0]))))
    return out


def _take_oldest(p: Any, day: dt.date, order: list[str], found: dict[str, list[Any]], left: dict[str, Decimal],
                 clearable: dict[tuple[str, Decimal], list[str]]) -> bool:
    """Spread posting ``p`` over the oldest open lines of its account it can clear; False
    (nothing spread) when they hold less than it takes out."""
    rest: Decimal = p.units.number
    pool = [lid for lid in order if found[lid][1].account == p.account and left.get(lid, ZERO)
            and (left[lid] > 0) != (rest > 0)]
    if abs(sum((left[lid] for lid in pool), ZERO)) < abs(rest):
        return False
    for lid in pool:
        if not rest:
            break
        take = -left[lid] if abs(left[lid]) <= abs(rest) else rest
        found[lid][2].append((day, take))
        left[lid] += take
        rest -= take
        if left[lid]:
            clearable.setdefault((p.account, left[lid]), []).append(lid)
    return True


def open_lines(entries: Iterable[Any], as_of: dt.date | None = None) -> list[Line]:
    """The lines still (at the end of ``as_of``) waiting in suspense."""
    return [ln for ln in lines(entries, as_of) if ln.is_open]


def find(all_lines: list[Line], ref: str) -> Line:
    """A line by its id, bank reference or import id (BadInput when none or several)."""
    key = ref.strip()
    by_id = [ln for ln in all_lines if ln.id == key.upper()]
    if by_id:
        return by_id[0]
    hits = [ln for ln in all_lines if key and key in (ln.bank_ref, ln.ref)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise BadInput(f"{key!r} names {len(hits)} suspense lines: {', '.join(ln.id for ln in hits)}",
                       "give the line id (S-…) from `assetreg suspense list`")
    raise BadInput(f"no suspense line {key!r}", "see the open lines and their ids with `assetreg suspense list`")
