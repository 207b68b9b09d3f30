#!/usr/bin/env python3
"""A logged-in resident's latency while others flood `assetreg serve` with wrong passwords (issue 14).

Starts `assetreg serve` behind an auth file on a copy of the example compound (or
``--ledger``). A resident, already logged in, asks for ``/api/changed`` (the smallest page
behind the password) every 20 ms from 127.0.0.1 and the latency of each answer is recorded:

* quiet: nobody else;
* one address: ``--requests`` wrong-password requests from 127.0.0.2, ``--threads`` at a time;
* many addresses: the same number spread over 100 addresses (127.0.1.1 …), so the per-client
  back-off lets each of them through several times (only ``SCRYPT_SLOTS`` checked at once).

Prints the median, 95th percentile and maximum latency of each phase, and how the flood was
answered (401 checked, 429 backed off, 503 busy). On main the issue measured 2 ms quiet and
0.9–1.5 s under 400 requests.

    python benchmarks/bench_auth_flood.py [--requests 400] [--threads 40]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import multiprocessing
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
USER, PASSWORD = "resident", "bench-flood-2025"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str, auth: str, source: str = "127.0.0.1") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Authorization": auth})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def probe(port: int, path: str, stop: Any, out: Any) -> None:
    """The resident, in a process of its own (the flood's threads would otherwise hold the
    client's GIL and be counted as server latency)."""
    auth = basic(USER, PASSWORD)
    while not stop.is_set():
        t0 = time.perf_counter()
        status = get(port, path, auth)
        out.put(time.perf_counter() - t0)
        assert status == 200, status
        time.sleep(0.02)


def flood(port: int, path: str, requests: int, threads: int, sources: list[str]) -> Counter[int]:
    counts: Counter[int] = Counter()
    lock = threading.Lock()
    todo = list(range(requests))

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                n = todo.pop()
            status = get(port, path, basic("resident", f"wrong-{n}"), sources[n % len(sources)])
            with lock:
                counts[status] += 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return counts


def phase(port: int, path: str, name: str, run: object) -> None:
    stop, results = multiprocessing.Event(), multiprocessing.Queue()
    resident = multiprocessing.Process(target=probe, args=(port, path, stop, results))
    resident.start()
    time.sleep(0.5)  # the resident is under way before the flood starts
    t0 = time.perf_counter()
    answered = run() if callable(run) else time.sleep(2.0)
    took = time.perf_counter() - t0
    stop.set()
    resident.join()
    lat = []
    while not results.empty():
        lat.append(results.get())
    lat.sort()
    p95 = lat[max(0, int(len(lat) * 0.95) - 1)]
    print(f"{name:16s} resident: median {statistics.median(lat) * 1000:7.1f} ms, p95 {p95 * 1000:7.1f} ms, "
          f"max {lat[-1] * 1000:7.1f} ms over {len(lat)} requests; flood {took:5.1f} s"
          + (f", answered {dict(sorted(answered.items()))}" if answered else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ledger", type=Path, default=REPO / "ledgers" / "qjp-jinghu-garden")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--threads", type=int, default=40)
    args = parser.parse_args()
    assetreg = shutil.which("assetreg", path=str(Path(sys.executable).parent)) or "assetreg"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / args.ledger.resolve().name
        shutil.copytree(args.ledger, root, ignore=shutil.ignore_patterns(".assetreg.lock"))
        auth = Path(tmp) / "auth.txt"
        subprocess.run([assetreg, "serve-passwd", str(auth), root.name, USER, "--password-stdin"],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        port = free_port()
        log = (Path(tmp) / "serve.log").open("w+")
        proc = subprocess.Popen([assetreg, "serve", str(root), "--port", str(port), "--auth-file", str(auth)],
                                stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    get(port, "/static/app.css", "")
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise SystemExit("assetreg serve did not come up:\n" + log.read()) from None
                    time.sleep(0.3)
            log.seek(0)
            base = f"http://127.0.0.1:{port}/"
            slug = next(ln for ln in log.read().splitlines() if ln.startswith(f"{root.name}: http")
                        ).split(base, 1)[1].rstrip("/")
            path = f"/{quote(slug)}/api/changed"
            assert get(port, path, basic(USER, PASSWORD)) == 200  # logged in: later checks are cached
            phase(port, path, "quiet", None)
            phase(port, path, "one address", lambda: flood(port, path, args.requests, args.threads,
                                                           ["127.0.0.2"]))
            many = [f"127.0.{1 + i // 250}.{1 + i % 250}" for i in range(100)]
            phase(port, path, "100 addresses", lambda: flood(port, path, args.requests, args.threads, many))
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.close()


if __name__ == "__main__":
    main()
