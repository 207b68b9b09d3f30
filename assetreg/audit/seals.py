"""``seal-broken``: an entry dated inside a sealed period was edited, inserted or deleted
after the seal. Each change is named (from the seal's manifest, or by month when the
manifest is gone). Corrections belong in the open period as reversals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import seal as sealing
from .context import Context
from .findings import Finding, finding

MAX_NAMED = 200  # changes named one by one per seal; the rest are counted

RULE = "期间封存：已公示期间不得更改，更正以冲销分录记入未封存期间（民法典第281条、第943条）"


def check_seals(ctx: Context, name_changes: bool = True) -> list[Finding]:
    out: list[Finding] = [
        finding("seal-broken", "error", "seal entry without a through date or a hash", RULE, [e])
        for e in ctx.seal_malformed
    ]
    seals = [s for s in ctx.seals if s.hash and s.scheme == sealing.SCHEME]
    out.extend(
        finding("seal-broken", "error",
                f"the seal through {s.through} was made with scheme {s.scheme!r}, which this "
                f"version of assetreg cannot recompute (it uses {sealing.SCHEME!r})",
                RULE, [s.entry], through=s.through, scheme=s.scheme)
        for s in ctx.seals if s.hash and s.scheme != sealing.SCHEME)
    if not seals:
        return out
    root = sealing.root_of(ctx.options_map)
    now = sealing.hashes_through(ctx.entries, [s.through for s in seals], root)
    for s in seals:
        got, count = now[s.through]
        if got == s.hash:
            continue
        facts: dict[str, Any] = {"through": s.through, "sealed_hash": s.hash, "hash_now": got,
                 "sealed_entries": s.entries, "entries_now": count}
        if not name_changes:
            out.append(finding(
                "seal-broken", "error",
                f"the period sealed through {s.through} ({s.source}) has changed: {s.entries} "
                f"entries sealed, {count} now, hash differs; run `assetreg audit` to see which",
                RULE, [s.entry], **facts))
            continue
        state = sealing.compute(ctx.entries, s.through, root)
        changes = sealing.changes(s, state, Path(root) if root else None)
        for c in changes[:MAX_NAMED]:
            refs = [s.entry] if c.entry is None else [c.entry, s.entry]
            out.append(finding(
                "seal-broken", "error",
                f"sealed through {s.through}: {c.kind} {c.date or ''} {c.text}".replace("  ", " "),
                RULE, refs, change=c.kind, date=c.date or "", **facts))
        if len(changes) > MAX_NAMED:
            out.append(finding(
                "seal-broken", "error",
                f"sealed through {s.through}: {len(changes) - MAX_NAMED} more changes not listed "
                f"({len(changes)} in all)", RULE, [s.entry], change="more",
                changes=len(changes), **facts))
        if not changes:
            out.append(finding("seal-broken", "error",
                               f"the period sealed through {s.through} has changed (hash differs)",
                               RULE, [s.entry], **facts))
    return out
