"""The pages' books (one load's ledger index, the day, memoised page results) and shared helpers.

Every page module builds its results from a :class:`Books`; the results are frozen
dataclasses, computed once per load through :meth:`Books.memo`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar

from .. import books as ledger_index
from ..contracts import Contract
from ..options import Options
from ..registry import Registry
from ..resolutions import Resolution
from ..units import Roster
from ..vocab import (
    CENT,
    VERDICT_LABELS,
)

T = TypeVar("T")


def yuan(amount: Decimal | int | None) -> str:
    """Money as residents read it: two decimals, thousands separated."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(CENT):,}"


# --------------------------------------------------------------------------- the pages' books


@dataclass(frozen=True)
class Rejected:
    date: dt.date
    id: str
    verdict: str
    meta: dict[str, Any]  # the decision entry's metadata (Beancount values)
    source: str

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, self.verdict)


@dataclass
class Books:
    """The ledger index of one load, with what the pages add: the compound folder, the
    day they are shown on, and page results computed once per load."""

    index: ledger_index.Books
    entries: Sequence[Any]
    options_map: dict[str, Any]
    root: Path | None
    today: dt.date
    rejected: list[Rejected]
    documents: dict[str, str]  # evidence reference (relative) -> absolute document filename
    memo_: dict[Hashable, Any] = field(default_factory=dict)  # page results, once per load
    _locks: dict[Hashable, threading.Lock] = field(default_factory=dict)
    _locks_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def options(self) -> Options:
        return self.index.options

    @property
    def registry(self) -> Registry:
        return self.index.registry

    @property
    def contracts(self) -> dict[str, Contract]:
        return self.index.contracts

    @property
    def resolutions(self) -> dict[str, Resolution]:
        return self.index.resolutions

    @property
    def roster(self) -> Roster:
        return self.index.roster

    @property
    def frequency(self) -> str:
        return self.index.frequency

    @property
    def share_basis(self) -> str:
        return self.index.share_basis

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A page result computed once per load (the books never change once built).

        Thread-safe: a request asking for a result being computed (e.g. by :func:`warm`)
        waits for it instead of computing it again.
        """
        if key in self.memo_:
            hit: T = self.memo_[key]
            return hit
        with self._locks_lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self.memo_:
                self.memo_[key] = compute()
        result: T = self.memo_[key]
        return result

    @property
    def title(self) -> str:
        return str(self.options_map.get("title", "")) if self.options_map else ""


def _source(entry: Any) -> str:
    m = entry.meta or {}
    return f"{os.path.basename(str(m.get('filename', '?')))}:{m.get('lineno', '?')}"


def build_books(
    entries: Sequence[Any],
    options_map: dict[str, Any] | None = None,
    root: Path | None = None,
    today: dt.date | None = None,
    index: ledger_index.Books | None = None,
) -> Books:
    """The pages' books over the load's index (the plugin's, else built here)."""
    entries = list(entries)
    index = index or ledger_index.of(entries, options_map)
    rejected: list[Rejected] = []
    for e in index.decisions:
        if len(e.values) >= 2:
            m = {k: v for k, v in e.meta.items() if k not in ("filename", "lineno")}
            rejected.append(Rejected(e.date, str(e.values[0].value), str(e.values[1].value),
                                     m, _source(e)))
    return Books(
        index=index,
        entries=entries,
        options_map=options_map or {},
        root=root,
        today=today or dt.date.today(),
        rejected=rejected,
        documents=_evidence_documents(index.documents, root),
    )


def _evidence_documents(files: Iterable[str], root: Path | None) -> dict[str, str]:
    """Map evidence references as written ("documents/P-001.pdf") to Fava document files."""
    out: dict[str, str] = {}
    for filename in files:
        out[filename] = filename
        if root is not None:
            with contextlib.suppress(ValueError):  # a document outside the compound folder
                out[str(Path(filename).resolve().relative_to(root.resolve()))] = filename
    return out


PER_PAGE = 30  # rows per page of a long list: a phone screenful or three


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a long list (pages count from 1; an out-of-range page shows the last)."""

    rows: tuple[T, ...]
    page: int
    pages: int
    total: int  # rows in the whole (filtered) list
    first: int  # 1-based position of the first row shown (0 when empty)
    last: int


def paginate(rows: Sequence[T], page: int | str | None, per_page: int = PER_PAGE) -> Paged[T]:
    """The ``page``-th slice of ``rows``; a page number that is not a number shows page 1."""
    try:
        n = int(str(page or 1))
    except ValueError:
        n = 1
    pages = max(1, -(-len(rows) // per_page))
    n = min(max(n, 1), pages)
    start = (n - 1) * per_page
    shown = tuple(rows[start:start + per_page])
    return Paged(shown, n, pages, len(rows), start + 1 if shown else 0, start + len(shown))


def matches(query: str, *texts: object) -> bool:
    """Whether every word of a search query occurs in one of the texts (case-insensitive)."""
    words = query.casefold().split()
    hay = " ".join(str(t) for t in texts).casefold()
    return all(w in hay for w in words)


def rule_ids(value: object) -> tuple[str, ...]:
    """Rule ids as a contract's or a decision's ``rules:`` meta lists them."""
    return tuple(x.strip() for x in re.split(r"[,;\s]+", str(value or "")) if x.strip())


def plain_text(value: object) -> str:
    """Facts (a mapping), a list or a value as one line of text."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "；".join(plain_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {plain_text(v)}" for k, v in value.items())
    return str(value)


def source_ref(source: str) -> str:
    """``file:line`` of a ledger source as residents see it: the file's name, no folders."""
    parts = source.rsplit(":", 1)
    return f"{Path(parts[0]).name}:{parts[-1]}"
