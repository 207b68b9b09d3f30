#!/usr/bin/env python3
"""Time to the first page: `assetreg serve` ÷ plain `fava`, on the large compound, in one run.

Generates the large compound (benchmarks/gen_large.py) and, alternating, several times:

- starts `assetreg serve FOLDER` and times from the start of the process until
  ``GET /`` answers 200 -- Fava's default page of an assetreg compound is the
  共有资产 register, so this is the first assetreg page a resident sees;
- starts plain `fava` on a copy of main.beancount without the assetreg plugin, the
  extension and its default page (so Fava shows its own first page, the income statement)
  and times the same way. Fava loads a ledger on its first request; `assetreg serve`
  loads it (plugin included) before it listens.

Both are polled every 50 ms over loopback; each server is stopped after its first page.
Prints wall-clock medians and the ratio (target 1.3 or less, issue 11).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_large import add_arguments, compound, discard

BIN = Path(sys.executable).parent
ASSETREG = shutil.which("assetreg") or str(BIN / "assetreg")
FAVA = shutil.which("fava") or str(BIN / "fava")
TIMEOUT = 600.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def first_page(cmd: list[str], port: int, env: dict[str, str]) -> float:
    """Seconds from starting ``cmd`` until GET / on ``port`` answers 200 (redirects followed)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        while time.perf_counter() - t0 < TIMEOUT:
            if proc.poll() is not None:
                raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode} before serving")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=TIMEOUT) as r:
                    r.read()
                    if r.status == 200:
                        return time.perf_counter() - t0
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        raise SystemExit(f"{' '.join(cmd)}: no page within {TIMEOUT:.0f}s")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def plain_copy(main_file: Path) -> Path:
    """main.beancount without anything of assetreg: plugin, Fava extension, default page."""
    plain = main_file.with_name("main-plain-fava.beancount")
    keep = [line for line in main_file.read_text(encoding="utf-8").splitlines(True)
            if not line.startswith('plugin "assetreg.plugin"')
            and '"fava-extension"' not in line and '"default-page"' not in line]
    plain.write_text("".join(keep), encoding="utf-8")
    return plain


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(ap)
    args = ap.parse_args()
    folder, main_file = compound(args)
    plain = plain_copy(main_file)
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1",
           "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="assetreg-bench-cache-")}
    ours: list[float] = []
    fava: list[float] = []
    try:
        for _ in range(args.runs):
            port = free_port()
            fava.append(first_page([FAVA, str(plain), "--host", "127.0.0.1", "--port", str(port)],
                                   port, env))
            port = free_port()
            ours.append(first_page([ASSETREG, "serve", str(folder), "--port", str(port)], port, env))
    finally:
        plain.unlink(missing_ok=True)
    print(f"compound: {folder}")
    print(f"plain fava, first page (income statement): median {statistics.median(fava):.2f}s  "
          f"runs {[round(x, 2) for x in fava]}")
    print(f"assetreg serve, first page (共有资产):     median {statistics.median(ours):.2f}s  "
          f"runs {[round(x, 2) for x in ours]}")
    print(f"assetreg serve / plain fava: {statistics.median(ours) / statistics.median(fava):.3f}"
          "  (target <= 1.3)")
    discard(args, folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
