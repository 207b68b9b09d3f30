#!/usr/bin/env python3
"""Bytes a resident's phone downloads: the first visit to 收益公示 and each later page (issue 10).

Starts `assetreg serve` (behind an auth file, as deployed) on a copy of the example compound
(or ``--ledger``), opens Debian's chromium at 390×844 with an empty cache and counts, with the
DevTools protocol, the bytes each response took on the wire (``Network.loadingFinished``'s
``encodedDataLength``: headers and the body as sent, compressed or not):

1. first visit: ``/<compound>/extension/IncomeDisclosure/`` until the network is idle;
2. each later assetreg page opened from the sidebar (Fava's router fetches it), and the same
   page opened by a full load (a link shared in WeChat) with the cache of the first visit.

The run is repeated with ``Accept-Encoding: identity`` (no gzip, as main served) for
comparison. Targets: first visit ≤ 400 KB, each later assetreg page ≤ 60 KB.

    python benchmarks/bench_weight.py [--ledger ledgers/qjp-jinghu-garden]
"""

from __future__ import annotations

import argparse
import base64
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
USER, PASSWORD = "resident", "bench-weight-2025"
LATER = [("共有资产", "AssetRegistry"), ("经营合同", "Contracts"), ("政策清单", "PolicyLists"),
         ("审计", "SealsAudit")]
FIRST_TARGET, LATER_TARGET = 400 * 1024, 60 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Meter:
    """Sums encodedDataLength of finished responses on a page's CDP session."""

    def __init__(self, page: Any) -> None:
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.total = self.count = self.cached = 0
        self.session.on("Network.loadingFinished", self._done)
        self.session.on("Network.requestServedFromCache", self._cached)

    def _done(self, event: dict[str, Any]) -> None:
        self.total += int(event.get("encodedDataLength", 0))
        self.count += 1

    def _cached(self, event: dict[str, Any]) -> None:
        self.cached += 1

    def take(self) -> tuple[int, int, int]:
        out = (self.total, self.count, self.cached)
        self.total = self.count = self.cached = 0
        return out


def measure(base: str, slug: str, identity: bool) -> dict[str, tuple[int, int, int]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, tuple[int, int, int]] = {}
    # The password goes with every request, as a browser sends it after the first challenge.
    # (Playwright's http_credentials would answer the challenge by intercepting requests,
    # which switches chromium's HTTP cache off and so hides what caching saves.)
    login = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    headers = {"Authorization": login}
    if identity:
        headers["Accept-Encoding"] = "identity"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN",
            extra_http_headers=headers)
        page = context.new_page()
        page.set_default_timeout(120_000)
        meter = Meter(page)
        home = f"{base}/{quote(slug)}/extension/"
        page.goto(home + "IncomeDisclosure/")
        page.wait_for_load_state("networkidle")
        time.sleep(0.5)
        out["first visit: 收益公示"] = meter.take()
        for title, name in LATER:
            # through the sidebar (the ☰ menu on a phone): Fava's router fetches the page
            page.evaluate("n => document.querySelector(`aside a[href$='/extension/${n}/']`).click()", name)
            page.wait_for_url(f"**/extension/{name}/")
            page.wait_for_load_state("networkidle")
            time.sleep(0.5)
            out[f"later, from the sidebar: {title}"] = meter.take()
        for title, name in LATER:
            page.goto(home + name + "/")
            page.wait_for_load_state("networkidle")
            time.sleep(0.5)
            out[f"later, full load: {title}"] = meter.take()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ledger", type=Path, default=REPO / "ledgers" / "qjp-jinghu-garden")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    assetreg = shutil.which("assetreg", path=str(bin_dir)) or "assetreg"
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
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    urllib.request.urlopen(base + "/static/app.css", timeout=5).close()
                    break
                except (urllib.error.URLError, ConnectionError):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise SystemExit("assetreg serve did not come up:\n" + log.read()) from None
                    time.sleep(0.3)
            log.seek(0)
            line = next(ln for ln in log.read().splitlines() if ln.startswith(f"{root.name}: http"))
            slug = line.split(f"{base}/", 1)[1].rstrip("/")
            results = {"gzip": measure(base, slug, identity=False),
                       "identity (the same, without compression)": measure(base, slug, identity=True)}
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.close()
    ok = True
    for mode, rows in results.items():
        print(f"\n== {mode}")
        for what, (size, n, cached) in rows.items():
            target = FIRST_TARGET if what.startswith("first") else LATER_TARGET
            mark = "ok" if size <= target else "OVER"
            if mode == "gzip":
                ok &= size <= target
            print(f"  {what:32s} {size / 1024:8.1f} KB in {n:3d} responses, {cached:2d} from cache"
                  f"  (target {target // 1024} KB: {mark})")
    print("\nall targets met" if ok else "\nsome targets missed")


if __name__ == "__main__":
    main()
