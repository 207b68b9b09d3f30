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
from .discover import CompoundDir, find_compounds, fingerprint
from .facts import FACTS_VERSION, BrokenLedger, CompoundFacts, facts
from .store import Store

STORE_DIR = ".assetreg-district"


@dataclass(frozen=True)
class Outcome:
    compound: str
    fingerprint: str
    facts: CompoundFacts | None
    errors: list[str]
    seconds: float


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
    t0 = time.perf_counter()
    cid = Path(path).name
    try:
        with plugin.index_only():  # facts() runs every check once on the index
            loaded = Compound(Path(path)).load()
        f = facts(loaded, as_of, cid)
        return Outcome(cid, print_, f, [], time.perf_counter() - t0)
    except BrokenLedger as err:
        return Outcome(cid, print_, None, err.errors, time.perf_counter() - t0)
    except Exception as err:  # a compound's failure must not stop the district
        return Outcome(cid, print_, None, [f"{type(err).__name__}: {err}"], time.perf_counter() - t0)


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
    prints = {c.id: f"{fingerprint(c.path)} facts-v{FACTS_VERSION}" for c in compounds}
    store = Store(out)
    try:
        known = store.known()
        result.removed = sorted(set(known) - set(prints))
        with store.batch():
            store.forget(result.removed)
        todo: list[CompoundDir] = []
        for c in compounds:
            k = known.get(c.id)
            if k is not None and k.fingerprint == prints[c.id] and k.as_of == as_of:
                result.reused.append(c.id)
            else:
                todo.append(c)
        todo.sort(key=_size, reverse=True)  # the largest first, so no worker idles at the end
        for o in _run(todo, as_of, prints, jobs):
            result.loaded.append(o.compound)
            with store.batch():
                if o.facts is None:
                    result.failed[o.compound] = o.errors
                    store.put_failure(o.compound, o.fingerprint, as_of, o.errors)
                else:
                    store.put(o.facts, o.fingerprint, o.seconds)
        for cid, k in known.items():  # failures carried over from the last build
            if cid in result.reused and not k.ok:
                rows = store.query("SELECT errors FROM failures WHERE compound = ?", [cid])
                result.failed[cid] = list(rows[0]["errors"]) if rows else []
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
        futures: list[Future[Outcome]] = [
            pool.submit(load_compound, str(c.path), as_of, prints[c.id]) for c in todo]
        for fut in as_completed(futures):
            yield fut.result()
