#!/usr/bin/env python3
"""`assetreg audit` time ÷ plain `bean-check` time on the large compound, in one run.

Generates the large compound (benchmarks/gen_large.py), seals most of it
(`assetreg seal --through 2025-06-30`, so the plugin's seal check hashes ~95% of the
entries: the worst realistic case), and then times, alternating, several times:

- `bean-check main.beancount` — what a user runs (with the assetreg plugin);
- `assetreg audit -L FOLDER --json` — bean-check's load plus every audit check;
- `bean-check` on a copy of main.beancount without the plugin line.

Prints medians, the plugin's overhead with a seal in place and `assetreg audit` ÷ plain
`bean-check` (without the plugin): targets 1.10 or less each (issue 11).

The plugin remembers a verified state by the bytes of the files (assetreg.sealcache), in
a cache folder made fresh for this run: the first `bean-check` after sealing hashes the
sealed entries (cold), later ones with byte-identical files do not (warm); both are
shown. `assetreg audit` always rehashes every sealed entry.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_large import add_arguments, compound, discard

BIN = Path(sys.executable).parent
BEAN_CHECK = shutil.which("bean-check") or str(BIN / "bean-check")
ASSETREG = shutil.which("assetreg") or str(BIN / "assetreg")
ENV = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1",
       "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="assetreg-bench-cache-")}


def timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {r.returncode}:\n{(r.stdout + r.stderr)[:2000]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _seals(folder: Path) -> list[dict[str, str]]:
    out = []
    for line in (folder / "journal.beancount").read_text(encoding="utf-8").splitlines():
        if ' custom "seal" ' in line:
            out.append({"through": line.split('"')[3]})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(ap)
    ap.add_argument("--through", default="2025-06-30",
                    help="seal the books through this day (not with --ledger: timed as it is)")
    args = ap.parse_args()
    folder, main_file = compound(args)
    if args.ledger is not None:
        args.through = ""
    if args.through:
        subprocess.run([ASSETREG, "seal", "-L", str(folder), "--through", args.through,
                        "--date", args.through], check=True, env=ENV, capture_output=True)
    bare = folder / "main-without-plugin.beancount"
    bare.write_text("".join(line for line in main_file.read_text(encoding="utf-8").splitlines(True)
                            if not line.startswith('plugin "assetreg.plugin"')), encoding="utf-8")
    postings = sum(1 for line in (folder / "journal.beancount").open(encoding="utf-8")
                   if line.startswith("  ") and " CNY" in line)

    runs: dict[str, list[tuple[float, float]]] = {"audit": [], "check": [], "without": []}
    cold = timed([BEAN_CHECK, str(main_file)])  # the first check after sealing: hashes them
    for _ in range(args.runs):
        runs["without"].append(timed([BEAN_CHECK, str(bare)]))
        runs["check"].append(timed([BEAN_CHECK, str(main_file)]))
        # exit 1 is expected: the generated books have no disclosures or allocations
        runs["audit"].append(timed([ASSETREG, "audit", "-L", str(folder), "--json"], ok=(0, 1)))
    sealed = ", ".join(str(s.get("through")) for s in _seals(folder)) or "-"
    print(f"ledger: {postings} postings in {folder}, sealed through {sealed}")
    labels = {"audit": "assetreg audit", "check": "bean-check with plugin (seals known good)",
              "without": "bean-check without assetreg plugin"}
    # CPU time is what the code costs; wall time also carries whatever else the machine
    # was doing, so both are shown and the ratios are given for each.
    for i, kind in enumerate(("wall", "cpu")):
        med = {k: statistics.median(x[i] for x in v) for k, v in runs.items()}
        print(f"-- {kind} seconds")
        for k, label in labels.items():
            print(f"{label:36} median {med[k]:.2f}s  runs {[round(x[i], 2) for x in runs[k]]}")
        print(f"{'bean-check with plugin, first after seal':36} {cold[i]:.2f}s")
        print(f"audit / plain bean-check: {med['audit'] / med['without']:.3f}  (target <= 1.10)")
        print(f"audit / bean-check with plugin: {med['audit'] / med['check']:.3f}")
        print(f"plugin overhead, sealed, seals known good: {med['check'] / med['without']:.3f}"
              "  (target <= 1.10)")
        print(f"plugin overhead, sealed, first check after sealing: {cold[i] / med['without']:.3f}")
    discard(args, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
