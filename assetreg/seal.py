"""Period seals: a hash over every entry dated up to a day, so later changes show.

    2025-07-05 custom "seal" "2025-06-30"
      hash: "sha256:9f2c…"
      entries: 1234
      months: "2024-01:31:5be0c2a1d4e9f7a3 2024-02:28:…"
      manifest: "seals/2025-06-30.manifest"
      manifest_hash: "sha256:…"

The hash covers a canonical serialisation of each entry, not the text of the files:
every entry becomes one string built from its fields (metadata sorted, postings sorted,
file name and line number left out), that string is hashed, and the per-entry digests
are hashed in (date, digest) order. Moving entries between files, reordering them or
reflowing whitespace leaves the hash as it was; editing, inserting or deleting an entry
dated up to the sealed day changes it. Numbers count as written: ``100.0`` and ``100.00``
differ (Beancount keeps a number's precision, and it shows in reports). ``custom "seal"`` entries themselves are left out, so a seal never seals
itself, and so are the padding transactions beancount derives from ``pad`` directives.

To name *what* changed, a seal also stores a per-month digest list in its metadata
(compact: one short digest and a count per month) and a manifest file beside the ledger
with one line per sealed entry (date, digest, a short label). The manifest's own hash is
in the seal, so a tampered manifest is noticed and the audit falls back to the months.
Corrections after a seal go in as reversals dated in the open period.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from .errors import BadInput
from .ledger import Transaction, custom, error_source

SEAL_TYPE = "seal"
# The version of the canonical form below; a seal records the one it was made with, so a
# future change of the form is reported as such and not as every entry having changed.
SCHEME = "assetreg-seal-1"
MANIFEST_DIR = "seals"
_SKIP_META = ("filename", "lineno")

_Transaction = data.Transaction
_Custom = data.Custom
_Open = data.Open
_Balance = data.Balance
_Document = data.Document
_Amount = Amount


# ------------------------------------------------------------ canonical form

def _val(v: Any) -> str:
    t = type(v)
    if t is str:
        return repr(v)
    if t is Decimal:
        return str(v)
    if t is _Amount:
        return f"{'' if v.number is None else v.number} {v.currency}"
    if t is dt.date:
        return str(v.isoformat())
    if t is bool or v is None:
        return str(v)
    if isinstance(v, tuple):  # Cost, CostSpec, ValueType and other small records
        return "(" + ",".join(_val(x) for x in v) + ")"
    if isinstance(v, set | frozenset):
        return "{" + ",".join(sorted(_val(x) for x in v)) + "}"
    if isinstance(v, list):
        return "[" + ",".join(_val(x) for x in v) + "]"
    return repr(v)


def _meta(m: dict[str, Any] | None) -> str:
    if not m:
        return ""
    # Most postings carry only their file and line: skip the sort for them (hot path).
    if len(m) == 2 and "lineno" in m and "filename" in m:
        return ""
    items = [
        f"{k}={_val(v)}" for k, v in m.items() if k not in _SKIP_META and not k.startswith("__")
    ]
    items.sort()
    return ";".join(items)


def _posting(p: Any) -> str:
    units = _val(p.units)
    cost = "" if p.cost is None else _val(p.cost)
    price = "" if p.price is None else _val(p.price)
    return f"{p.account}|{units}|{cost}|{price}|{p.flag}|{_meta(p.meta)}"


def canonical(entry: Any, root: str | None = None) -> str:
    """One string that identifies an entry's content, independent of where and how it is written.

    ``root`` (the compound folder) makes document paths relative, so the folder can move.
    """
    t = type(entry)
    if t is _Transaction:
        # The hot path (a ledger is mostly transactions): plain postings inline.
        postings = []
        for p in entry.postings:
            u, m = p.units, p.meta
            if (p.cost is None and p.price is None and type(u) is _Amount
                    and u.number is not None):
                if not m or (len(m) == 2 and "lineno" in m and "filename" in m):
                    postings.append(f"{p.account}|{u.number} {u.currency}|||{p.flag}|")
                else:
                    postings.append(f"{p.account}|{u.number} {u.currency}|||{p.flag}|{_meta(m)}")
            else:
                postings.append(_posting(p))
        postings.sort()
        m = entry.meta
        meta = [f"{k}={v!r}" if type(v) is str else f"{k}={_val(v)}"
                for k, v in m.items() if k != "filename" and k != "lineno" and k[0] != "_"]
        meta.sort()
        tags = _val(entry.tags) if entry.tags else ""
        links = _val(entry.links) if entry.links else ""
        return (f"txn\x1e{entry.date}\x1e{entry.flag}\x1e{entry.payee!r}\x1e{entry.narration!r}"
                f"\x1e{tags}\x1e{links}\x1e{';'.join(meta)}\x1e" + "\x1e".join(postings))
    if t is _Custom:
        return "\x1e".join((
            "custom", entry.date.isoformat(), repr(entry.type),
            ",".join(_val(v.value) for v in entry.values), _meta(entry.meta),
        ))
    if t is _Balance:  # the balance check fills tolerance/diff_amount; they are not content
        return "\x1e".join(("balance", entry.date.isoformat(), entry.account,
                            _val(entry.amount), _meta(entry.meta)))
    if t is _Document:
        name = entry.filename
        if root and os.path.isabs(name):
            name = os.path.relpath(name, root)
        return "\x1e".join(("document", entry.date.isoformat(), entry.account, repr(name),
                            _val(entry.tags), _val(entry.links), _meta(entry.meta)))
    fields = [t.__name__.lower(), entry.date.isoformat()]
    for name in t._fields:
        if name not in ("meta", "date"):
            fields.append(_val(getattr(entry, name)))
    fields.append(_meta(entry.meta))
    return "\x1e".join(fields)


def entry_digest(entry: Any, root: str | None = None) -> bytes:
    return hashlib.sha256(canonical(entry, root).encode("utf-8")).digest()


def label(entry: Any) -> str:
    """A short human description of an entry for the manifest and for findings."""
    t = type(entry)
    if t is _Transaction:
        text = f'txn "{entry.payee or ""}" "{entry.narration or ""}"'
        first = next((p for p in entry.postings if p.units is not None), None)
        if first is not None:
            text += f" {first.account} {first.units.number} {first.units.currency}"
    elif t is _Custom:
        text = f'custom "{entry.type}" ' + " ".join(f'"{v.value}"' for v in entry.values)
    else:
        account = getattr(entry, "account", "")
        text = f"{t.__name__.lower()} {account}".strip()
    return " ".join(text.split())[:160]


def _identity(entry_label: str) -> str:
    """What an edited entry keeps: its kind and the first word after it (payee or custom type)."""
    parts = entry_label.split(" ", 2)
    return " ".join(parts[:2])


def root_of(options_map: dict[str, Any] | None) -> str | None:
    if options_map and options_map.get("filename"):
        return os.path.dirname(os.path.abspath(str(options_map["filename"])))
    return None


def is_seal(entry: Any) -> bool:
    return type(entry) is _Custom and entry.type == SEAL_TYPE


def _excluded(entry: Any) -> bool:
    """Seals themselves, and the padding transactions beancount synthesises from ``pad``
    (it does so after plugins run, so the plugin would never see them; the ``pad``
    directive itself is sealed)."""
    t = type(entry)
    return (t is _Custom and entry.type == SEAL_TYPE) or (t is _Transaction and entry.flag == "P")


# ------------------------------------------------------------ seals in the ledger

@dataclass(frozen=True)
class Seal:
    through: dt.date
    date: dt.date  # the day the seal was made
    hash: str
    entries: int
    months: dict[str, tuple[int, str]]  # "2025-01" -> (count, short digest)
    manifest: str | None
    manifest_hash: str | None
    entry: Any = field(compare=False, repr=False)
    scheme: str = SCHEME

    @property
    def source(self) -> str:
        m = self.entry.meta
        return f"{m.get('filename', '?')}:{m.get('lineno', '?')}"


def _parse_months(text: str) -> dict[str, tuple[int, str]]:
    months: dict[str, tuple[int, str]] = {}
    for item in text.split():
        parts = item.split(":")
        if len(parts) == 3 and parts[1].isdigit():
            months[parts[0]] = (int(parts[1]), parts[2])
    return months


def seals_from_entries(entries: Iterable[Any]) -> list[Seal]:
    """Every ``custom "seal"`` entry, in ledger order (a malformed one is skipped here and
    reported by the audit's seal check)."""
    seals: list[Seal] = []
    for e in entries:
        if not is_seal(e) or not e.values:
            continue
        through = e.values[0].value
        if isinstance(through, str):
            try:
                through = dt.date.fromisoformat(through.strip())
            except ValueError:
                continue
        if not isinstance(through, dt.date):
            continue
        m = e.meta
        seals.append(Seal(
            through=through, date=e.date, hash=str(m.get("hash", "")),
            entries=int(m.get("entries", -1)),
            months=_parse_months(str(m.get("months", ""))),
            manifest=str(m["manifest"]) if m.get("manifest") else None,
            manifest_hash=str(m["manifest_hash"]) if m.get("manifest_hash") else None,
            entry=e, scheme=str(m.get("scheme", SCHEME)),
        ))
    return seals


# ------------------------------------------------------------ computing

@dataclass
class SealState:
    """What a seal over the entries up to ``through`` looks like now."""

    through: dt.date
    hash: str
    entries: int
    months: dict[str, tuple[int, str]]
    digests: list[tuple[dt.date, bytes, Any]]  # (date, digest, entry), sorted

    def months_text(self) -> str:
        return " ".join(f"{k}:{n}:{d}" for k, (n, d) in sorted(self.months.items()))

    def manifest_text(self) -> str:
        lines = [f"; assetreg seal manifest: entries dated up to {self.through}\n",
                 "; date digest label — written by `assetreg seal`, never edited\n"]
        for day, digest, entry in self.digests:
            lines.append(f"; {day.isoformat()} {digest.hex()[:32]} {label(entry)}\n")
        return "".join(lines)


def _sorted_digests(entries: Iterable[Any], through: dt.date, root: str | None
                    ) -> list[tuple[dt.date, bytes, Any]]:
    out = [(e.date, entry_digest(e, root), e) for e in entries
           if e.date <= through and not _excluded(e)]
    out.sort(key=lambda x: (x[0], x[1]))
    return out


def _month_digests(digests: Sequence[tuple[dt.date, bytes, Any]]) -> dict[str, tuple[int, str]]:
    by_month: dict[str, list[bytes]] = defaultdict(list)
    for day, digest, _ in digests:
        by_month[f"{day:%Y-%m}"].append(digest)
    return {k: (len(v), hashlib.sha256(b"".join(v)).hexdigest()[:16]) for k, v in by_month.items()}


def compute(entries: Iterable[Any], through: dt.date, root: str | None = None) -> SealState:
    digests = _sorted_digests(entries, through, root)
    h = hashlib.sha256()
    for _, digest, _ in digests:
        h.update(digest)
    return SealState(through, "sha256:" + h.hexdigest(), len(digests),
                     _month_digests(digests), digests)


def hashes_through(entries: Sequence[Any], throughs: Iterable[dt.date], root: str | None = None
                   ) -> dict[dt.date, tuple[str, int]]:
    """The seal hash (and entry count) at each of several days, in one pass over the entries.

    Entries are hashed once; digests are sorted within each day (the ledger is sorted by
    date already, so the running hash is a prefix hash) and the state is copied at each day.
    """
    wanted = sorted(set(throughs))
    if not wanted:
        return {}
    last = wanted[-1]
    ordered = entries if _is_date_sorted(entries) else sorted(entries, key=lambda e: e.date)
    hit = _memo_get(ordered, wanted, root)
    if hit is not None:
        return hit
    result: dict[dt.date, tuple[str, int]] = {}
    h = hashlib.sha256()
    count = 0
    i = 0
    day_digests: list[bytes] = []
    current: dt.date | None = None

    def flush() -> None:
        nonlocal count
        day_digests.sort()
        for d in day_digests:
            h.update(d)
        count += len(day_digests)
        day_digests.clear()

    for e in ordered:
        day = e.date
        if day > last:
            break
        if day != current:
            flush()
            while i < len(wanted) and wanted[i] < day:
                result[wanted[i]] = ("sha256:" + h.hexdigest(), count)
                i += 1
            current = day
        if _excluded(e):
            continue
        day_digests.append(hashlib.sha256(canonical(e, root).encode("utf-8")).digest())
    flush()
    while i < len(wanted):
        result[wanted[i]] = ("sha256:" + h.hexdigest(), count)
        i += 1
    _memo_put(ordered, last, root, result)
    return result


# ``assetreg audit`` loads the ledger (the plugin hashes the sealed entries) and then runs
# the seal check again on the same entry objects. The last result is kept together with
# the very objects it was computed from; it is reused only when the sealed entries are
# the same objects (``is``) in the same order, so an entry that differs in any way, even
# one rebuilt with equal content, means hashing again. Entries are immutable tuples.
_MEMO: dict[str, Any] = {}


def _sealed_prefix(ordered: Sequence[Any], last: dt.date) -> list[Any]:
    out = []
    for e in ordered:
        if e.date > last:
            break
        if not _excluded(e):
            out.append(e)
    return out


def _memo_put(ordered: Sequence[Any], last: dt.date, root: str | None,
              result: dict[dt.date, tuple[str, int]]) -> None:
    _MEMO.clear()
    _MEMO.update(entries=_sealed_prefix(ordered, last), last=last, root=root, result=dict(result))


def _memo_get(ordered: Sequence[Any], wanted: list[dt.date], root: str | None
              ) -> dict[dt.date, tuple[str, int]] | None:
    if not _MEMO or _MEMO["root"] != root or _MEMO["last"] != wanted[-1]:
        return None
    if not all(day in _MEMO["result"] for day in wanted):
        return None
    kept = _MEMO["entries"]
    now = _sealed_prefix(ordered, wanted[-1])
    if len(now) != len(kept) or not all(map(operator.is_, now, kept)):
        return None
    return {day: _MEMO["result"][day] for day in wanted}


def _is_date_sorted(entries: Sequence[Any]) -> bool:
    return all(entries[k].date <= entries[k + 1].date for k in range(len(entries) - 1))


# ------------------------------------------------------------ naming changes

@dataclass(frozen=True)
class Change:
    kind: str  # edited | inserted | deleted | month-changed | manifest-unusable
    date: dt.date | None
    text: str
    entry: Any = None  # the entry as it stands now (edited, inserted)

    @property
    def source(self) -> str | None:
        if self.entry is None:
            return None
        m = self.entry.meta
        return f"{m.get('filename', '?')}:{m.get('lineno', '?')}"


def read_manifest(path: Path) -> list[tuple[dt.date, str, str]] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    rows: list[tuple[dt.date, str, str]] = []
    for line in text.splitlines():
        parts = line[2:].split(" ", 2) if line.startswith("; ") else []
        if len(parts) >= 2 and len(parts[1]) == 32:
            try:
                rows.append((dt.date.fromisoformat(parts[0]), parts[1],
                             parts[2] if len(parts) > 2 else ""))
            except ValueError:
                continue
    return rows


def manifest_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def changes(seal: Seal, now: SealState, root: Path | None) -> list[Change]:
    """Name what differs between a seal and the entries as they are now."""
    rows: list[tuple[dt.date, str, str]] | None = None
    if seal.manifest and root is not None:
        path = root / seal.manifest
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = None
        if text is not None and manifest_hash(text) == seal.manifest_hash:
            rows = read_manifest(path)
    if rows is None:
        return _month_changes(seal, now)

    before = Counter((d, h) for d, h, _ in rows)
    labels = {(d, h): lab for d, h, lab in rows}
    current: dict[tuple[dt.date, str], list[Any]] = defaultdict(list)
    for day, digest, entry in now.digests:
        current[(day, digest.hex()[:32])].append(entry)
    after = Counter({k: len(v) for k, v in current.items()})
    removed = before - after
    added = after - before

    # Pair a removed and an added entry of the same day and identity as one edit.
    removed_by_day: dict[tuple[dt.date, str], list[tuple[dt.date, str]]] = defaultdict(list)
    for key, n in sorted(removed.items()):
        for _ in range(n):
            removed_by_day[(key[0], _identity(labels[key]))].append(key)
    out: list[Change] = []
    for key, n in sorted(added.items()):
        for k in range(n):
            entry = current[key][k]
            lab = label(entry)
            pool = removed_by_day.get((key[0], _identity(lab)))
            if pool:
                old = pool.pop(0)
                out.append(Change("edited", key[0], f"{lab} (sealed as: {labels[old]})", entry))
            else:
                out.append(Change("inserted", key[0], lab, entry))
    for pool in removed_by_day.values():
        for key in pool:
            out.append(Change("deleted", key[0], labels[key]))
    out.sort(key=lambda c: (c.date or dt.date.min, c.kind))
    return out


def _month_changes(seal: Seal, now: SealState) -> list[Change]:
    out = [Change("manifest-unusable", None,
                  f"manifest {seal.manifest or '(none)'} missing or altered; naming changed months only")]
    for month in sorted(set(seal.months) | set(now.months)):
        was, is_ = seal.months.get(month), now.months.get(month)
        if was != is_:
            n_was = was[0] if was else 0
            n_now = is_[0] if is_ else 0
            out.append(Change("month-changed", dt.date.fromisoformat(month + "-01"),
                              f"{month}: {n_was} entries sealed, {n_now} now, content differs"))
    return out


def seal_status(entries: Sequence[Any], options_map: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each seal with whether it still holds — for pages that list the seals (Fava)."""
    seals = [s for s in seals_from_entries(entries) if s.hash]
    now = hashes_through(entries, [s.through for s in seals], root_of(options_map))
    return [{"through": s.through, "date": s.date, "hash": s.hash, "entries": s.entries,
             "entries_now": now[s.through][1], "intact": now[s.through][0] == s.hash,
             "source": s.source} for s in seals]


# ------------------------------------------------------------ recording

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
    # audit.context imports this module (seals are part of the audit's facts): imported
    # here, when a seal is recorded, to keep the import graph acyclic.
    from .audit.context import build as build_context

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
    ctx = build_context(loaded.entries, loaded.options_map, day)
    left = {a: b for a, b in ctx.suspense_on(through).items() if b != 0}
    if left:
        account, balance = next(iter(left.items()))
        raise BadInput(f"{balance} is still in {account} on {through}",
                       "match the suspense lines to income, remittances or deposits first, "
                       "then seal")
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
