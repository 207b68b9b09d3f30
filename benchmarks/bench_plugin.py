#!/usr/bin/env python3
"""bean-check time with the assetreg plugin ÷ the same ledger without it, in one run.

Generates the large compound (benchmarks/gen_large.py), writes a copy of its
main.beancount without the `plugin "assetreg.plugin"` line beside it, and runs
`bean-check` on both, alternating, several times. Prints medians and the ratio.
Target (issue 11): 1.10 or less (issue 2 asked 1.15).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_audit import BEAN_CHECK, timed  # one timing helper for all the benchmarks
from gen_large import add_arguments, compound, discard


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(ap)
    args = ap.parse_args()
    folder, main_file = compound(args)
    bare = folder / "main-without-plugin.beancount"
    bare.write_text("".join(line for line in main_file.read_text(encoding="utf-8").splitlines(True)
                            if not line.startswith('plugin "assetreg.plugin"')), encoding="utf-8")
    postings = sum(1 for line in (folder / "journal.beancount").open(encoding="utf-8")
                   if line.startswith("  ") and " CNY" in line)
    with_plugin, without = [], []
    for _ in range(args.runs):
        without.append(timed([BEAN_CHECK, str(bare)]))
        with_plugin.append(timed([BEAN_CHECK, str(main_file)]))
    print(f"ledger: {postings} postings in {folder}")
    for what, i in (("wall", 0), ("cpu", 1)):
        a = statistics.median(x[i] for x in with_plugin)
        b = statistics.median(x[i] for x in without)
        print(f"{what}: bean-check with assetreg plugin median {a:.2f}s, without {b:.2f}s, "
              f"ratio {a / b:.3f}  (target <= 1.10)")
    # The same question in-process, less exposed to machine noise: the plugin pass alone
    # against the plain load of the same ledger.
    from beancount import loader

    from assetreg import plugin

    t0 = time.perf_counter()
    entries, _, options_map = loader._load([(str(bare), True)], None, None, None)
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, errors = plugin.check_assets(entries, options_map)
    alone = time.perf_counter() - t0
    print(f"in-process: plain load {load:.2f}s, plugin pass {alone:.2f}s, "
          f"ratio {(load + alone) / load:.3f}  ({len(errors)} plugin errors)")
    discard(args, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
