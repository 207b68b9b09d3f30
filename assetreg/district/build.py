"""`assetreg district build`: load every changed compound in worker processes, keep the facts.

1. Find the compounds under the root and fingerprint their files (:mod:`.discover`).
2. A compound whose fingerprint and day match the store's is not loaded again.
3. The others are loaded in a :class:`~concurrent.futures.ProcessPoolExecutor`, largest
   first; each worker loads one ledger with its plugin (index only, as ``assetreg audit``
   does) and returns :func:`.facts.facts` of it, or the errors that kept it from loading.
4. The parent writes each result to the store as it arrives, compound by compound in its
   own transaction; a compound that fails is recorded with its errors and kept out of
   the figures, and never stops the others. Compounds gone from the root are forgotten.

Workers start from a fork server (not from the parent, which holds DuckDB's threads) --
except when the build can tell what changed before DuckDB is even imported: the store
leaves a small index of its compounds' fingerprints beside it (``index.json``, rewritten
after each build, removed while one runs), so the changed compounds are forked off at
once and load while the parent imports DuckDB and opens the store. After one compound
changed, that overlap is most of the difference to a plain ``bean-check`` of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import plugin
from ..ledger import Compound
from .discover import STORE_DIR, CompoundDir, FileState, find_compounds, fingerprint
from .facts import FACTS_VERSION, BrokenLedger, CompoundFacts, facts

FLUSH_EVERY = 100  # outcomes per store transaction
FLUSH_SECONDS = 30.0
INDEX_NAME = "index.json"  # the store's compounds, fingerprints and file states, for a quick start


@dataclass(frozen=True)
class Outcome:
    compound: str
    fingerprint: str
    facts: CompoundFacts | None
    errors: list[str]
    seconds: float  # wall-clock seconds to load and take the facts
    cpu: float = 0.0  # CPU seconds of the same, in the worker


@dataclass
class BuildResult:
    store: Path
    as_of: dt.date
    compounds: list[str] = field(default_factory=list)  # every compound found
    loaded: list[str] = field(default_factory=list)  # loaded in this build
    reused: list[str] = field(default_factory=list)  # byte-identical to the last build
    failed: dict[str, list[str]] = field(default_factory=dict)  # did not load: errors
    removed: list[str] = field(default_factory=list)  # gone from the root
    seconds: float = 0.0


def default_store(root: Path) -> Path:
    return root / STORE_DIR


def load_compound(path: str, as_of: dt.date, print_: str) -> Outcome:
    """Load one compound and take its facts (runs in a worker; never raises)."""
    t0, c0 = time.perf_counter(), time.process_time()
    cid = Path(path).name
    f: CompoundFacts | None = None
    try:
        with plugin.index_only():  # facts() runs every check once on the index
            loaded = Compound(Path(path)).load()
        f = facts(loaded, as_of, cid)
        errors: list[str] = []
    except BrokenLedger as err:
        errors = err.errors
    except Exception as err:  # a compound's failure must not stop the district
        errors = [f"{type(err).__name__}: {err}"]
    # file:line relative to the district, not this machine's folders
    errors = [e.replace(str(Path(path).parent) + os.sep, "") for e in errors]
    return Outcome(cid, print_, f, errors, time.perf_counter() - t0, time.process_time() - c0)


def _size(c: CompoundDir) -> int:
    return sum(p.stat().st_size for p in c.path.glob("*.beancount"))


def build(root: Path, out: Path | None = None, jobs: int | None = None,
          as_of: dt.date | None = None) -> BuildResult:
    """Bring the store at ``out`` (default ``ROOT/.assetreg-district``) up to date."""
    t0 = time.perf_counter()
    as_of = as_of or dt.date.today()
    compounds = find_compounds(root)
    out = out or default_store(root)
    out.mkdir(parents=True, exist_ok=True)
    result = BuildResult(out, as_of, [c.id for c in compounds])
    index = _read_index(out)
    _drop_index(out)  # until this build has finished, the store alone says what it holds
    prints: dict[str, str] = {}
    states: dict[str, dict[str, FileState]] = {}
    early: Running | None = None
    if index is not None:
        _fingerprints(compounds, {c: v["files"] for c, v in index.items()}, prints, states)
        changed = [c for c in compounds if not _current(index.get(c.id), prints[c.id], as_of)]
        early = _start(changed, as_of, prints, jobs)  # forked before DuckDB is imported
    # DuckDB is imported here, after any early workers are forked: a fork must not copy
    # a process holding DuckDB's threads.
    from .store import Store

    store = Store(out)
    try:
        seen = store.file_states() if index is None else {c: v["files"] for c, v in index.items()}
        if index is None:
            _fingerprints(compounds, seen, prints, states)
        store.put_file_states({c: s for c, s in states.items() if s != seen.get(c)})
        known = store.known()
        result.removed = sorted(set(known) - set(prints))
        store.write([], [], result.removed)
        todo: list[CompoundDir] = []
        for c in compounds:
            k = known.get(c.id)
            if k is not None and k.fingerprint == prints[c.id] and k.as_of == as_of:
                if early is not None and c.id in early.ids:
                    continue  # loaded anyway (the index was behind the store): keep the new load
                result.reused.append(c.id)
                if not k.ok:  # a failure carried over from the last build
                    rows = store.query("SELECT errors FROM failures WHERE compound = ?", [c.id])
                    result.failed[c.id] = list(rows[0]["errors"]) if rows else []
            elif early is None or c.id not in early.ids:
                todo.append(c)
        todo.sort(key=_size, reverse=True)  # the largest first, so no worker idles at the end
        good: list[tuple[CompoundFacts, str, float, float]] = []
        bad: list[tuple[str, str, dt.date, list[str]]] = []
        ok: dict[str, bool] = {}
        last = time.perf_counter()
        outcomes = early.outcomes() if early is not None else iter(())
        for o in itertools.chain(outcomes, _run(todo, as_of, prints, jobs)):
            result.loaded.append(o.compound)
            ok[o.compound] = o.facts is not None
            if o.facts is None:
                result.failed[o.compound] = o.errors
                bad.append((o.compound, o.fingerprint, as_of, o.errors))
            else:
                good.append((o.facts, o.fingerprint, o.seconds, o.cpu))
            # Written in batches: each a transaction, so a build cut short keeps what it did.
            if len(good) + len(bad) >= FLUSH_EVERY or time.perf_counter() - last > FLUSH_SECONDS:
                store.write(good, bad)
                good, bad, last = [], [], time.perf_counter()
        store.write(good, bad)
        for cid in result.reused:
            ok[cid] = known[cid].ok
        _write_index(out, {c.id: {"fingerprint": prints[c.id], "as_of": as_of.isoformat(),
                                  "ok": ok[c.id], "files": states[c.id]} for c in compounds})
    finally:
        store.close()
    result.loaded.sort()
    result.seconds = time.perf_counter() - t0
    return result


def _fingerprints(compounds: list[CompoundDir], seen: dict[str, dict[str, FileState]],
                  prints: dict[str, str], states: dict[str, dict[str, FileState]]) -> None:
    for c in compounds:
        digest, states[c.id] = fingerprint(c.path, seen.get(c.id))
        prints[c.id] = f"{digest} facts-v{FACTS_VERSION}"


def _current(entry: dict[str, Any] | None, print_: str, as_of: dt.date) -> bool:
    return entry is not None and entry["fingerprint"] == print_ and entry["as_of"] == as_of.isoformat()


def _read_index(out: Path) -> dict[str, dict[str, Any]] | None:
    """The store's index as the last finished build left it, or None (no index, or one
    that does not read: then the store is asked, as it always can be)."""
    try:
        data = json.loads((out / INDEX_NAME).read_text(encoding="utf-8"))
        if data.get("facts") != FACTS_VERSION:
            return None
        compounds = data["compounds"]
        for v in compounds.values():
            v["files"] = {k: tuple(st) for k, st in v["files"].items()}
        return dict(compounds)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _drop_index(out: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (out / INDEX_NAME).unlink()


def _write_index(out: Path, compounds: dict[str, dict[str, Any]]) -> None:
    tmp = out / f".{INDEX_NAME}.tmp"
    tmp.write_text(json.dumps({"facts": FACTS_VERSION, "compounds": compounds}), encoding="utf-8")
    os.replace(tmp, out / INDEX_NAME)


@dataclass
class Running:
    """Loads started before the store was opened (forked from this process)."""

    ids: set[str]
    pool: ProcessPoolExecutor | None
    futures: dict[Future[Outcome], CompoundDir]
    prints: dict[str, str]

    def outcomes(self) -> Iterator[Outcome]:
        try:
            for fut in as_completed(self.futures):
                yield _outcome(fut, self.futures[fut], self.prints)
        finally:
            if self.pool is not None:
                self.pool.shutdown()


def _start(todo: list[CompoundDir], as_of: dt.date, prints: dict[str, str],
           jobs: int | None) -> Running | None:
    """Fork workers for ``todo`` now, while this process holds no DuckDB (None when there is
    nothing to do, one job only, or DuckDB is already here)."""
    jobs = jobs or os.cpu_count() or 1
    if not todo or jobs <= 1 or "duckdb" in sys.modules:
        return None
    todo = sorted(todo, key=_size, reverse=True)
    # With the fork context every worker is started at the first submit, so all of them
    # are forked here, before DuckDB is imported.
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=multiprocessing.get_context("fork"))
    futures = {pool.submit(load_compound, str(c.path), as_of, prints[c.id]): c for c in todo}
    return Running({c.id for c in todo}, pool, futures, prints)


def _outcome(fut: Future[Outcome], c: CompoundDir, prints: dict[str, str]) -> Outcome:
    try:
        return fut.result()
    except Exception as err:  # a worker died (out of memory, killed): that compound failed
        return Outcome(c.id, prints[c.id], None, [f"worker failed: {type(err).__name__}: {err}"], 0.0)


def _run(todo: list[CompoundDir], as_of: dt.date, prints: dict[str, str],
         jobs: int | None) -> Iterator[Outcome]:
    """Outcomes in the order they finish: in this process for one job, else in workers."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(todo) <= 1:
        for c in todo:
            yield load_compound(str(c.path), as_of, prints[c.id])
        return
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=ctx) as pool:
        futures: dict[Future[Outcome], CompoundDir] = {
            pool.submit(load_compound, str(c.path), as_of, prints[c.id]): c for c in todo}
        for fut in as_completed(futures):
            yield _outcome(fut, futures[fut], prints)
