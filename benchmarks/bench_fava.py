#!/usr/bin/env python3
"""Render time of each residents' page ÷ Fava's own income statement, in one run.

Generates the large compound (benchmarks/gen_large.py), loads it once in the app
`assetreg serve` runs (Fava, read-only, behind the gate), and times GET requests through
Flask's test client -- the server's whole work for a page, without network or browser.

Fava 1.30 renders its income statement in the browser: the page is an HTML shell plus one
JSON request (``/api/income_statement``). Its time here is the sum of both. Our pages are
rendered on the server, complete, in one request.

Two measurements per page, each the median of ``--runs``:

* cold: the first request after the ledger was loaded and indexed (our page summaries and
  Fava's filtered-ledger cache both emptied before each run);
* warm: the same request again (what every later visitor gets).

Target (issue 6): every page's ratio 2 or less. `assetreg serve` computes every page's
summary in a background thread right after each load, so visitors get the warm figure;
the cold one is what a page costs when nothing was precomputed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gen_large import add_arguments, compound

from assetreg import views
from assetreg.fava_ext import pages
from assetreg.serve import make_app, slugs

TARGET = 2.0


def timed_get(client: Any, url: str) -> float:
    t0 = time.perf_counter()
    r = client.get(url)
    elapsed = time.perf_counter() - t0
    if r.status_code != 200:
        raise SystemExit(f"GET {url}: {r.status_code}")
    r.close()
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(ap, runs=5)
    ap.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = ap.parse_args()

    folder, _ = compound(args)

    pages.WARM_AFTER_LOAD = False  # measure our pages' own first render, not a warmed cache
    t0 = time.perf_counter()
    app = make_app([folder])
    load = time.perf_counter() - t0
    slug = "/" + quote(slugs(app)[folder.resolve().name])
    ledger = next(iter(dict(app.config["LEDGERS"].items()).values()))
    t0 = time.perf_counter()
    books = views.build_books(ledger.all_entries, ledger.options, folder)
    index = time.perf_counter() - t0
    books = pages.books_for(ledger)
    client = app.test_client()

    first_asset = min(books.registry.assets)
    first_contract = min(books.contracts) if books.contracts else ""
    first_unit = min(books.roster.units) if books.roster.units else ""
    ours = {
        "共有资产 (all assets)": "/extension/AssetRegistry/",
        "共有资产 filtered": "/extension/AssetRegistry/?kind=parking&status=confirmed",
        "共有资产 one asset": f"/extension/AssetRegistry/?asset={first_asset}",
        "经营合同": "/extension/Contracts/",
        "经营合同 one contract": f"/extension/Contracts/?contract={first_contract}",
        "收益公示": "/extension/IncomeDisclosure/",
        "收益公示 unit lookup": f"/extension/IncomeDisclosure/?unit={first_unit}",
        "政策清单": "/extension/PolicyLists/",
        "审计": "/extension/SealsAudit/",
    }

    def income_statement() -> float:
        return (timed_get(client, slug + "/income_statement/")
                + timed_get(client, slug + "/api/income_statement"))

    def clear() -> None:
        books.memo_.clear()
        ledger.get_filtered.cache_clear()

    cold: dict[str, list[float]] = {name: [] for name in ["损益表 (Fava)", *ours]}
    warm: dict[str, list[float]] = {name: [] for name in cold}
    for _ in range(args.runs):
        clear()
        cold["损益表 (Fava)"].append(income_statement())
        warm["损益表 (Fava)"].append(income_statement())
        for name, path in ours.items():
            clear()
            cold[name].append(timed_get(client, slug + path))
            warm[name].append(timed_get(client, slug + path))

    postings = sum(len(e.postings) for e in ledger.all_entries if hasattr(e, "postings"))
    base_cold = statistics.median(cold["损益表 (Fava)"])
    base_warm = statistics.median(warm["损益表 (Fava)"])
    print(f"ledger: {folder} -- {len(books.registry.assets)} assets, {len(books.roster.units)} units, "
          f"{len(books.contracts)} contracts, {postings} postings")
    print(f"Fava load incl. plugin and our index: {load:.2f}s; our index alone (build_books): {index:.2f}s")
    print(f"{'page':28} {'cold s':>8} {'ratio':>6} {'warm s':>8} {'ratio':>6}")
    results = []
    worst_cold = worst_warm = 0.0
    for name in cold:
        c, w = statistics.median(cold[name]), statistics.median(warm[name])
        rc, rw = c / base_cold, w / base_warm
        if name != "损益表 (Fava)":
            worst_cold, worst_warm = max(worst_cold, rc), max(worst_warm, rw)
        results.append({"page": name, "cold_s": round(c, 4), "cold_ratio": round(rc, 3),
                        "warm_s": round(w, 4), "warm_ratio": round(rw, 3)})
        print(f"{name:28} {c:8.3f} {rc:6.2f} {w:8.3f} {rw:6.2f}")
    for label, worst in (("warm (as served: summaries computed after each load)", worst_warm),
                         ("cold (first request, nothing precomputed)", worst_cold)):
        verdict = "OK" if worst <= TARGET else "ABOVE TARGET"
        print(f"worst ratio, {label}: {worst:.2f} (target {TARGET} or less): {verdict}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"load_s": load, "index_s": index, "pages": results,
                                         "worst_warm_ratio": worst_warm,
                                         "worst_cold_ratio": worst_cold},
                                        ensure_ascii=False, indent=2),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
