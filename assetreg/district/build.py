"""`assetreg district build`: load every changed compound in worker processes, keep the facts.

1. Find the compounds under the root and fingerprint their files (:mod:`.discover`).
2. A compound whose fingerprint and day match the store's is not loaded again.
3. The others are loaded in a :class:`~concurrent.futures.ProcessPoolExecutor`, largest
   first; each worker loads one ledger with its plugin (index only, as ``assetreg audit``
   does) and returns :func:`.facts.facts` of it, or the errors that kept it from loading.
4. The parent writes each result to the store as it arrives, compound by compound in its
   own transaction; a compound that fails is recorded with its errors and kept out of
   the figures, and never stops the others. Compounds gone from the root are forgotten.

Workers start from a fork server (not from the parent, which holds DuckDB's threads).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .. import plugin
from ..ledger import Compound
from .discover import STORE_DIR, CompoundDir, FileState, find_compounds, fingerprint
from .facts import FACTS_VERSION, BrokenLedger, CompoundFacts, facts
from .store import Store

FLUSH_EVERY = 100  # outcomes per store transaction
FLUSH_SECONDS = 30.0


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
    store = Store(out)
    try:
        seen = store.file_states()
        prints: dict[str, str] = {}
        states: dict[str, dict[str, FileState]] = {}
        for c in compounds:
            digest, states[c.id] = fingerprint(c.path, seen.get(c.id))
            prints[c.id] = f"{digest} facts-v{FACTS_VERSION}"
        store.put_file_states({c: s for c, s in states.items() if s != seen.get(c)})
        known = store.known()
        result.removed = sorted(set(known) - set(prints))
        store.write([], [], result.removed)
        todo: list[CompoundDir] = []
        for c in compounds:
            k = known.get(c.id)
            if k is not None and k.fingerprint == prints[c.id] and k.as_of == as_of:
                result.reused.append(c.id)
                if not k.ok:  # a failure carried over from the last build
                    rows = store.query("SELECT errors FROM failures WHERE compound = ?", [c.id])
                    result.failed[c.id] = list(rows[0]["errors"]) if rows else []
            else:
                todo.append(c)
        todo.sort(key=_size, reverse=True)  # the largest first, so no worker idles at the end
        good: list[tuple[CompoundFacts, str, float, float]] = []
        bad: list[tuple[str, str, dt.date, list[str]]] = []
        last = time.perf_counter()
        for o in _run(todo, as_of, prints, jobs):
            result.loaded.append(o.compound)
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
    finally:
        store.close()
    result.loaded.sort()
    result.seconds = time.perf_counter() - t0
    return result


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
            try:
                yield fut.result()
            except Exception as err:  # a worker died (out of memory, killed): that compound failed
                c = futures[fut]
                yield Outcome(c.id, prints[c.id], None, [f"worker failed: {type(err).__name__}: {err}"],
                              0.0)
