"""Helpers for the serving tests in tests/security (not a conftest: the other security tests
keep their own helpers, and a second conftest module name would shadow tests/conftest.py)."""

from __future__ import annotations

import base64
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cheroot.wsgi import Server

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "ledgers" / "qjp-jinghu-garden"
USER, PASSWORD = "resident", "jinghu-garden-2025"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PAYLOAD = '<img src=x onerror="window.__xss=(window.__xss||0)+1">'


def copy_example(dest: Path) -> Path:
    root = dest / EXAMPLE.name
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".assetreg.lock"))
    return root


def plant(root: Path) -> None:
    """A transfer whose payee, narration and metadata carry a script, written straight into
    the ledger file (as a hand edit or a bypassed import would): the plugin reports it, and
    Fava still renders it (unescaped) on the journal and the bank account's page."""
    with (root / "journal.beancount").open("a", encoding="utf-8") as f:
        f.write(f"""
2026-11-20 * "{PAYLOAD.replace('"', "'")}" "附言 {PAYLOAD.replace('"', "'")}"
  note: "{PAYLOAD.replace('"', "'")}"
  Assets:Bank:共有资金专户   0.01 CNY
  Liabilities:Suspense:待查明款项  -0.01 CNY
""")


def basic(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@contextmanager
def serving(app: Any, threads: int = 8) -> Iterator[str]:
    """``app`` on a loopback port in a thread (cheroot, as `assetreg serve` runs it); yields the base URL."""
    server = Server(("127.0.0.1", 0), app, numthreads=threads)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        host, port = server.bind_addr[:2]
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        thread.join(timeout=10)


def need_browser() -> None:
    import pytest  # only the browser tests ask

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian chromium not found at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("python playwright is not installed")
