#!/usr/bin/env python3
"""`assetreg district build` against plain `bean-check` of the same compounds, in one run.

Generates a district (ledgers/make_district.py) and measures, on this machine:

1. full build: `assetreg district build ROOT --jobs J` into a fresh store, wall seconds,
   ÷ (the sum of each compound's plain `bean-check` wall seconds ÷ J).  Issue 12: ≤ 1.2.
   The same ratio against in-process loads (no interpreter start per compound) is shown
   too: it is the stricter comparison.
2. rebuild after one compound changed (a comment appended to its journal): wall seconds
   ÷ that compound's plain `bean-check`.  Issue 12: ≤ 1.5.
3. the district page's server time for a sort order not yet rendered (the report read from
   the store once per change, as Fava reads its ledger once per change) ÷ Fava's income
   statement of the example compound.  Issue 12: ≤ 2.  The cold figure (report read from the
   store and rendered, once after each build) is printed beside it.

    python benchmarks/bench_district.py [--compounds 40] [--jobs 2] [--units 120 --assets 30] [--runs 2]

Each figure is the best of ``--runs`` runs (a shared machine only ever adds noise).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb
from bench_audit import ASSETREG, BEAN_CHECK, timed  # one timing helper for all the benchmarks

REPO = Path(__file__).resolve().parents[1]


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_district", REPO / "ledgers" / "make_district.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _seconds(f) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compounds", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--units", type=int, default=120)
    ap.add_argument("--assets", type=int, default=30)
    ap.add_argument("--runs", type=int, default=2, help="best of this many runs of each")
    ap.add_argument("--keep", type=Path, default=None, help="generate here and keep it")
    a = ap.parse_args()
    root = a.keep or Path(tempfile.mkdtemp(prefix="assetreg-bench-district-")) / "district"
    made = _generator().generate(root, a.compounds, units=a.units, assets=a.assets)
    postings = sum(sum(1 for line in (c / "journal.beancount").open(encoding="utf-8")
                       if line.startswith("  ") and " CNY" in line) for c in made)
    print(f"district: {len(made)} compounds, {postings} postings, in {root}")

    # exit 1: the generated district has a compound with unconfirmed income, one broken
    # Each figure is the best of --runs: the machine may be shared, and noise only adds.
    runs = {c.name: min(timed([BEAN_CHECK, str(c / "main.beancount")], ok=(0, 1))
                        for _ in range(a.runs)) for c in made}
    checks = {k: w for k, (w, _) in runs.items()}
    total = sum(checks.values())
    total_cpu = sum(cpu for _, cpu in runs.values())

    # In-process loads with the plugin: bean-check's work without a Python start each time.
    from beancount import loader  # after generation: the timing below is what counts

    t0 = time.perf_counter()
    for c in made:
        loader._load([(str(c / "main.beancount"), True)], None, None, None)
    in_process = time.perf_counter() - t0

    store = root / ".assetreg-district"
    cmd = [ASSETREG, "district", "build", str(root), "--jobs", str(a.jobs)]
    fulls = []
    for _ in range(a.runs):
        shutil.rmtree(store, ignore_errors=True)
        wall, parent_cpu = timed(cmd, ok=(0, 1))
        # The workers are the fork server's children, not ours: they record their own CPU.
        con = duckdb.connect(str(store / "district.duckdb"), read_only=True)
        worker_cpu = con.execute("SELECT sum(cpu_seconds) FROM compounds").fetchone()[0]
        con.close()
        fulls.append((wall, parent_cpu + worker_cpu))
    full = min(w for w, _ in fulls)
    full_cpu = min(c for _, c in fulls)
    same = min(timed(cmd, ok=(0, 1))[0] for _ in range(a.runs))

    changed = made[len(made) // 2]
    rebuilds = []
    for i in range(a.runs):
        with (changed / "journal.beancount").open("a", encoding="utf-8") as f:
            f.write(f"\n; benchmark: one compound changed ({i})\n")
        rebuilds.append(timed(cmd, ok=(0, 1)))  # one compound: loaded in the process itself
    rebuild, rebuild_cpu = min(rebuilds)
    one, one_cpu = min(timed([BEAN_CHECK, str(changed / "main.beancount")], ok=(0, 1))
                       for _ in range(a.runs))

    print(f"plain bean-check: sum {total:.2f}s over {len(made)} compounds "
          f"(median {sorted(checks.values())[len(checks) // 2]:.2f}s); in-process loads {in_process:.2f}s")
    print(f"full build, {a.jobs} jobs: {full:.2f}s; ratio to (sum of bean-check ÷ {a.jobs}) "
          f"{full / (total / a.jobs):.2f} (target <= 1.2); to (in-process loads ÷ {a.jobs}) "
          f"{full / (in_process / a.jobs):.2f}")
    print(f"  CPU: build {full_cpu:.2f}s (parent + workers) ÷ sum of bean-check {total_cpu:.2f}s "
          f"= {full_cpu / total_cpu:.2f}")
    print(f"build with nothing changed: {same:.2f}s")
    print(f"rebuild after one compound changed: {rebuild:.2f}s; that compound's bean-check "
          f"{one:.2f}s; ratio {rebuild / one:.2f} (target <= 1.5); CPU {rebuild_cpu:.2f}s ÷ "
          f"{one_cpu:.2f}s = {rebuild_cpu / one_cpu:.2f}")
    # The district page's server time (rendered afresh: no page cache) against Fava's
    # income statement of the example compound, both through the WSGI app in this process.
    from assetreg.district.page import render
    from assetreg.district.report import build_report
    from assetreg.serve import make_app, slugs
    from assetreg.serve_district import DistrictPage
    cold = min(_seconds(lambda: render(build_report(store, sort="gross", descending=True), {}))
               for _ in range(max(3, a.runs)))
    # Served: the report is read from the store once per change (as Fava reads its ledger
    # once per change); each request for a new sort order re-sorts and renders it.
    served = DistrictPage(store, {})
    orders = [f"sort={k}&desc={d}" for k in ("gross", "confirmed_pct", "errors", "net", "suspense")
              for d in (0, 1)]

    def get(query: str) -> None:
        served({"QUERY_STRING": query, "PATH_INFO": "/district/"}, lambda *_: None)
    get("sort=compound")  # the report read once
    page = min(_seconds(lambda q=q: get(q)) for q in orders)
    fava = make_app([REPO / "ledgers" / "qjp-jinghu-garden"])
    client = fava.test_client()
    url = f"/{next(iter(slugs(fava).values()))}/income_statement/"
    assert client.get(url).status_code == 200
    income = min(_seconds(lambda: client.get(url)) for _ in range(max(3, a.runs)))
    print(f"district page server time at {len(made)} compounds, a new sort order of the served "
          f"page: {page * 1000:.0f} ms; Fava income statement of the example compound: "
          f"{income * 1000:.0f} ms; ratio {page / income:.1f} (target <= 2)")
    print(f"  cold (report read from the store and rendered, after each build): {cold * 1000:.0f} ms")
    print(f"throughput: {len(made) / (full * a.jobs / 60):.0f} compounds per core-minute of wall "
          f"time, {len(made) / (full_cpu / 60):.0f} per CPU-minute (full build)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
