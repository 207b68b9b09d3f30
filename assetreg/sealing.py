"""Sealing a period: the step that records a seal (:mod:`assetreg.seal` holds what a seal is).

    assetreg seal -L ledgers/x --through 2025-06-30

checks the books may be sealed (they pass bean-check, no later seal, nothing left in
suspense on the sealed day) and stages the ``custom "seal"`` entry and its manifest in
one transaction, like :func:`assetreg.policy.gate.record` does for a contract.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from beancount.core import data

from . import books, suspense
from .errors import BadInput
from .ledger import Transaction, custom, error_source
from .seal import (
    MANIFEST_DIR,
    SCHEME,
    SEAL_TYPE,
    SealState,
    compute,
    manifest_hash,
    root_of,
    seals_from_entries,
)


@dataclass(frozen=True)
class SealRecord:
    """What :func:`record` staged: the seal entry (part "journal") and its manifest file."""

    state: SealState
    entry: data.Custom
    manifest: Path


def record(txn: Transaction, through: dt.date, *, day: dt.date | None = None) -> SealRecord:
    """Seal every entry dated up to ``through``: check the books may be sealed, then stage
    the seal entry (dated ``day``, default today) and its manifest in ``txn``.

    Refused (BadInput) when ``through`` is after ``day``, the ledger has bean-check errors,
    a seal already covers ``through``, money is still in a suspense account on ``through``,
    or the manifest file exists."""
    day = day or dt.date.today()
    if through > day:
        raise BadInput(f"--through {through} is after the seal's date {day}",
                       "seal only a period that has ended: --through on or before --date")
    loaded = txn.after()
    if loaded.errors:
        first = loaded.errors[0]
        raise BadInput(
            f"the ledger does not pass bean-check ({len(loaded.errors)} errors; first at "
            f"{error_source(first) or '?'}: {' '.join(str(first.message).split())[:300]})",
            "fix the books (see `assetreg audit`) before sealing them")
    later = [s for s in seals_from_entries(loaded.entries) if s.through >= through]
    if later:
        raise BadInput(f"already sealed through {later[0].through} ({later[0].source})",
                       "seal a later day; a sealed period is never sealed again")
    index = books.of(loaded.entries, loaded.options_map)
    left = [ln for ln in suspense.lines(index.suspense_entries) if ln.open_on(through)]
    if left:
        shown = "; ".join(f"{ln.id} {ln.date} {ln.amount} {ln.payee or '-'}"
                          + (f" ({ln.reason})" if ln.reason else "") for ln in left[:20])
        where = ", ".join(sorted({ln.account for ln in left}))
        raise BadInput(f"{len(left)} suspense line(s) still open in {where} on {through}: {shown}"
                       + (" …" if len(left) > 20 else ""),
                       "assign each line (`assetreg suspense assign LINE --as KIND` or "
                       "`assetreg suspense export` and import the filled sheet), then seal")
    state = compute(loaded.entries, through, root_of(loaded.options_map))
    rel = f"{MANIFEST_DIR}/{through.isoformat()}.manifest"
    manifest_path = txn.compound.root / rel
    if manifest_path.exists():
        raise BadInput(f"{manifest_path} already exists",
                       "a manifest is never overwritten; remove a stray one only if no seal names it")
    text = state.manifest_text()
    entry = custom(day, SEAL_TYPE, [through.isoformat()], scheme=SCHEME, hash=state.hash,
                   entries=state.entries, months=state.months_text(), manifest=rel,
                   manifest_hash=manifest_hash(text))
    # Written by the same commit as the seal entry, or not at all.
    path = txn.write_file(rel, text)
    txn.append("journal", [entry])
    return SealRecord(state, entry, path)
