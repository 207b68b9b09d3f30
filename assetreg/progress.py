"""Progress of a long command on stderr — only when stderr is a terminal.

A treasurer importing a 50,000-line statement, or running the audit, seal or disclosure of
a large compound, waits several seconds: a line on the terminal says what is happening and
how far it got. Nothing is shown for the first second (a quick command stays silent), and
nothing at all when stderr is a file or a pipe, so scripts, logs and tests see only the
command's own output. stdout is never touched.

    with Progress("读取银行对账单", total=len(rows)) as p:
        for n, row in enumerate(rows, 1):
            ...
            p.update(n)

A stage that makes no calls while it runs (loading the ledger, the audit's checks) still
shows its elapsed time: on a terminal a daemon thread redraws the line every 0.2 s until
the progress is closed (close it before printing the command's output).
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

DELAY = 1.0  # seconds before the first line: quick commands show nothing
INTERVAL = 0.2  # seconds between redraws


class Progress:
    def __init__(self, what: str, total: int | None = None, *, stream: TextIO | None = None,
                 delay: float | None = None) -> None:
        self.what = what
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream)
        self.start = time.monotonic()
        self.delay = DELAY if delay is None else delay
        self._next = self.start + self.delay
        self._shown = False
        self.n = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if self.enabled:
            self._ticker = threading.Thread(target=self._tick, name="assetreg-progress", daemon=True)
            self._ticker.start()

    def _tick(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            with self._lock:
                if not self._stop.is_set():
                    self._draw(time.monotonic())
            self._stop.wait(INTERVAL)

    def update(self, n: int | None = None, what: str | None = None) -> None:
        """Record progress (``n`` done so far, or one more); redraw at most every INTERVAL."""
        self.n = self.n + 1 if n is None else n
        if what is not None:
            self.what = what
        if not self.enabled or self._stop.is_set():
            return
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + INTERVAL
        with self._lock:
            self._draw(now)

    def step(self, what: str) -> None:
        """A new stage of a command without counts (e.g. 加载账本 → 审计)."""
        self.update(self.n, what)

    def _draw(self, now: float) -> None:
        elapsed = now - self.start
        if self.total:
            pct = min(100, self.n * 100 // self.total)
            text = f"{self.what}: {self.n:,}/{self.total:,} ({pct}%) {elapsed:.0f}s"
        elif self.n:
            text = f"{self.what}: {self.n:,} {elapsed:.0f}s"
        else:
            text = f"{self.what}… {elapsed:.0f}s"
        self.stream.write("\r\x1b[K" + text)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._shown:
                self.stream.write("\r\x1b[K")  # leave the terminal line clean for the output
                self.stream.flush()
                self._shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
