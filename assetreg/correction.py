"""Corrections (冲正): a reversal of a posted entry, and optionally the entry it should have been.

    assetreg correct bank-5c0f… --reason "付款方注明的合同号有误" --to-contract C-2024-010
    assetreg correct journal.beancount:812 --reason "重复入账"

A posted entry is never edited. The reversal is a new transaction with every posting of
the original negated, dated in the open period (today, or ``--date`` after the last seal
and not before the original), naming what it reverses::

    2025-07-03 * "清江浦区便民停车管理有限公司" "冲正：停车费"
      reverses: "bank-5c0f…"
      corrects: "journal.beancount:812"
      corrects_sealed: 2025-06-30        (only when the original lies in a sealed period)
      reason: "付款方注明的合同号有误"
      asset: "P-001"  contract: "C-2024-009"  period: "2024-03"   (as the original, so the
      import_id: "correct-…"                                        audit reads it against them)
      Assets:Bank:共有资金专户       -150.00 CNY
      Income:Common:停车位          150.00 CNY

The replacement routes the original's money (its one ``Assets:`` posting) through the same
rules as ``assetreg suspense assign`` (:func:`assetreg.reclassify.route`). A bank line the
bank really moved is never only reversed: it needs its replacement, or the account would no
longer agree with the statement. The original inside a sealed period stays untouched and the
seal keeps verifying: the correction is dated after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from . import accounts, suspense
from .books import build
from .errors import BadInput
from .ledger import Transaction, meta
from .reclassify import Checker, Choice, entry, opening, route
from .seal import root_of

# Metadata a reversal keeps from the original, so the checks read it against the same
# contract, asset, billing period and resolution.
KEPT = ("asset", "contract", "period", "resolution")
_FILE_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")


@dataclass(frozen=True)
class Corrected:
    original: Any
    reversal: data.Transaction
    replacement: data.Transaction | None


def where(entry: Any, root: str | None) -> str:
    m = entry.meta or {}
    name = str(m.get("filename", "?"))
    if root and os.path.isabs(name):
        name = os.path.relpath(name, root)
    return f"{name}:{m.get('lineno', '?')}"


def find_entry(entries: list[Any], ref: str, root: str | None) -> Any:
    """The transaction ``ref`` names: an import id, a file:line, a bank reference (one
    entry only) or a suspense line id (the entry that now holds the line's money)."""
    key = ref.strip()
    txns = [e for e in entries if type(e) is data.Transaction and e.flag != "P"]
    hits = [e for e in txns if str(e.meta.get("import_id", "")) == key]
    if not hits and (m := _FILE_LINE.match(key)):
        name, line = m.group("file"), int(m.group("line"))
        for e in txns:
            fn = str(e.meta.get("filename", ""))
            if e.meta.get("lineno") == line and (fn == name or fn.endswith(os.sep + name)
                                                 or (root and os.path.join(root, name) == fn)):
                hits.append(e)
    if not hits and key.upper().startswith("S-"):
        line_ = suspense.find(suspense.lines(entries), key)
        holders = [e for e in txns if str(e.meta.get("clears", "")) == line_.id and not _reversed(txns, e)]
        hits = holders[-1:] or [line_.entry]
    if not hits:
        # the entry that now holds the line's money: not a reversal, not reversed
        hits = [e for e in txns if key and str(e.meta.get("bank_ref", "")) == key
                and not e.meta.get("reverses") and _reversed(txns, e) is None]
    if not hits:
        raise BadInput(f"no entry {key!r} in the ledger",
                       "name it by its import_id, file:line (as bean-check and the audit print it), bank reference or S-… line")
    if len(hits) > 1:
        raise BadInput(f"{key!r} names {len(hits)} entries: " + ", ".join(where(e, root) for e in hits),
                       "name one of them by file:line")
    return hits[0]


def _reversed(txns: list[Any], e: Any) -> Any:
    ref = suspense.entry_ref(e)
    return next((t for t in txns if str(t.meta.get("reverses", "")) == ref), None)


def correct(txn: Transaction, ref: str, reason: str, *, day: dt.date | None = None,
            replacement: Choice | None = None) -> Corrected:
    """Stage the reversal of the entry ``ref`` names (and the replacement when given)."""
    if not reason.strip():
        raise BadInput("a correction needs its reason", "pass --reason '…' (it is kept with the reversal)")
    after = txn.after()
    root = root_of(txn.loaded.options_map)
    original = find_entry(after.entries, ref, root)
    txns = [e for e in after.entries if type(e) is data.Transaction]
    done = _reversed(txns, original)
    if done is not None:
        raise BadInput(f"{where(original, root)} is already reversed by {where(done, root)}",
                       "a posted entry is reversed once; correct the replacement instead")
    if original.meta.get("reverses"):
        raise BadInput(f"{where(original, root)} is itself a reversal", "book the entry anew instead of reversing a reversal")
    checker = Checker(txn)
    day = day or dt.date.today()
    if day < original.date:
        raise BadInput(f"--date {day} is before the entry it corrects ({original.date})", "date the correction later")
    checker.open_day(day, "the correction")
    money = [p for p in original.postings if p.account.startswith("Assets:") and p.units is not None]
    if replacement is None and any(p.account == accounts.BANK for p in money):
        raise BadInput(f"{where(original, root)} moved money in {accounts.BANK}, which the bank really did",
                       "give what it should have been (--to-contract C-… or --as KIND); only a booking the bank "
                       "did not make is reversed alone")
    oref = suspense.entry_ref(original)
    sealed = checker.sealed if checker.sealed is not None and original.date <= checker.sealed else None
    n = sum(1 for e in txns if str(e.meta.get("corrects", "")) == where(original, root))
    iid = "correct-" + hashlib.sha256(f"{oref}\x1f{n}".encode()).hexdigest()[:20]
    kept = {k: original.meta[k] for k in KEPT if original.meta.get(k)}
    m = meta(reverses=oref, corrects=where(original, root), corrects_sealed=sealed,
             reason=reason.strip(), **kept, import_id=iid)
    # a posting's own metadata (an ``asset`` on one income posting) goes with its reversal
    postings = [data.Posting(p.account, Amount(-p.units.number, p.units.currency), None, None, None,
                             {k: v for k, v in p.meta.items() if k not in ("filename", "lineno")} or None
                             if p.meta else None)
                for p in original.postings if p.units is not None and p.units.number is not None]
    reversal = data.Transaction(m, day, "*", original.payee, f"冲正：{original.narration or ''}",
                                frozenset(), frozenset(), postings)
    staged: list[Any] = [reversal]
    new = None
    if replacement is not None:
        if len(money) != 1:
            raise BadInput(f"{where(original, root)} has {len(money)} postings to Assets accounts; "
                           "a replacement routes the money of one", "reverse it alone and book the right entry anew")
        amount = money[0].units.number
        r = route(build(after.entries), replacement, amount, day)
        label = suspense.KINDS[replacement.kind]
        rm = meta(replaces=oref, assigned=replacement.kind, reason=reason.strip(), **r.meta,
                  bank_ref=original.meta.get("bank_ref") or None, import_id="re" + iid)
        new = entry(day, original.payee or "", f"更正为：{label}（{original.narration or ''}）", rm,
                    money[0].account, amount, r.account)
        staged = [*opening(r, day), reversal, new]
    checker.stage(staged)
    return Corrected(original, reversal, new)
