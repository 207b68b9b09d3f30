"""Logins under `assetreg serve` (issue 14, low): an unknown user costs what a wrong password
costs, a client that keeps failing backs off, guesses sent at once get no more checks than
guesses sent one by one, and a flood of wrong passwords leaves a logged-in resident's pages fast.

On main an unknown user was refused without a scrypt (a timing oracle for user names), every
guess was checked, and a resident's latency rose from 2 ms to 0.9–1.5 s under 400 requests.
"""

from __future__ import annotations

import base64
import http.client
import multiprocessing
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from serve_fixtures import copy_example

import assetreg.serve as serve
from assetreg.serve import AuthLimiter, make_app, set_password, slugs

RIGHT, WRONG = "jinghu-garden-2025", "not-the-password"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    tmp = tmp_path_factory.mktemp("auth")
    root = copy_example(tmp)
    auth = tmp / "auth.txt"
    set_password(auth, root.name, "resident", RIGHT)
    app = make_app([root], auth)
    return app, "/" + quote(slugs(app)[root.name]) + "/api/changed"


@pytest.fixture
def gate(site):  # type: ignore[no-untyped-def]
    """The site's gate with a fresh limiter on a clock the test moves, and no verified logins."""
    app, _ = site
    g = app.config["ASSETREG_GATE"]
    clock = Clock()
    g.limiter = AuthLimiter(clock=clock)
    g._ok.clear()
    return g, clock


def _get(app: Any, url: str, password: str, addr: str = "10.0.0.1", user: str = "resident") -> Any:
    return app.test_client().get(url, headers=basic(user, password), environ_base={"REMOTE_ADDR": addr})


def test_an_unknown_user_costs_the_same_scrypt_as_a_wrong_password(site, gate, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app, url = site
    calls: list[str] = []
    real = serve.verify_password

    def counting(password: str, encoded: str) -> bool:
        calls.append(encoded)
        return real(password, encoded)

    monkeypatch.setattr(serve, "verify_password", counting)
    times: dict[str, list[float]] = {"unknown": [], "wrong": []}
    for n in range(4):
        for kind, user in (("unknown", f"nobody{n}"), ("wrong", "resident")):
            t0 = time.perf_counter()
            assert _get(app, url, WRONG + str(n), addr=f"10.1.{n}.{len(kind)}", user=user).status_code == 401
            times[kind].append(time.perf_counter() - t0)
    assert len(calls) == 8 and all(c.startswith("scrypt$14$") for c in calls)  # one scrypt each
    ratio = statistics.median(times["unknown"]) / statistics.median(times["wrong"])
    assert 0.5 < ratio < 2.0, times


def test_a_failing_client_backs_off_and_others_do_not(site, gate) -> None:  # type: ignore[no-untyped-def]
    app, url = site
    g, clock = gate
    for _ in range(5):
        assert _get(app, url, WRONG).status_code == 401
    blocked = _get(app, url, RIGHT)  # even the right password is not checked while it waits
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "2"
    assert "秒后再试" in blocked.get_data(as_text=True)
    assert _get(app, url, WRONG, addr="10.0.0.2").status_code == 401  # another client: unaffected
    clock.now += 1.5
    assert _get(app, url, WRONG).status_code == 401  # 6th failure: now 2 s
    clock.now += 1.5
    assert _get(app, url, WRONG).status_code == 429
    clock.now += 1.0
    assert _get(app, url, RIGHT).status_code == 200  # a success forgets the failures
    g._ok.clear()
    for _ in range(5):
        assert _get(app, url, WRONG).status_code == 401
    assert _get(app, url, WRONG).status_code == 429


def test_a_logged_in_resident_is_not_locked_out_by_guesses_from_the_same_address(site, gate) -> None:  # type: ignore[no-untyped-def]
    app, url = site
    assert _get(app, url, RIGHT).status_code == 200
    for _ in range(8):
        _get(app, url, WRONG)
    assert _get(app, url, WRONG).status_code == 429
    assert _get(app, url, RIGHT).status_code == 200  # the verified login needs no new check


def test_guesses_sent_at_once_get_no_more_checks(site, gate, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app, url = site
    calls: list[int] = []
    real = serve.verify_password

    def slow(password: str, encoded: str) -> bool:
        calls.append(1)
        return real(password, encoded)

    monkeypatch.setattr(serve, "verify_password", slow)
    statuses: list[int] = []

    def guess(n: int) -> None:
        statuses.append(_get(app, url, f"{WRONG}{n}").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) <= 5, len(calls)
    assert set(statuses) <= {401, 429, 503} and statuses.count(401) == len(calls)


# ------------------------------------------------------------------ a flood, over real sockets


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(port: int, path: str, headers: dict[str, str], source: str = "127.0.0.1") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def _flood(port: int, path: str, n: int, threads: int) -> None:
    todo = list(range(n))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            _request(port, path, basic("resident", f"guess-{i}"), source="127.0.0.2")

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


@pytest.mark.slow
def test_a_resident_stays_fast_during_a_flood_of_wrong_passwords(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    auth = tmp_path / "auth.txt"
    set_password(auth, root.name, "resident", RIGHT)
    port = _free_port()
    exe = shutil.which("assetreg", path=str(Path(sys.executable).parent)) or "assetreg"
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen([exe, "serve", str(root), "--port", str(port), "--auth-file", str(auth)],
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                _request(port, "/static/app.css", {})
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.3)
        log.seek(0)
        base = f"http://127.0.0.1:{port}/"
        slug = next(ln for ln in log.read().splitlines() if ln.startswith(f"{root.name}: http")
                    ).split(base, 1)[1].rstrip("/")
        path = f"/{quote(slug)}/api/changed"
        me = basic("resident", RIGHT)
        assert _request(port, path, me) == 200  # logged in
        flood = multiprocessing.get_context("spawn").Process(target=_flood, args=(port, path, 400, 40))
        flood.start()
        latencies = []
        while flood.is_alive() or len(latencies) < 20:
            t0 = time.perf_counter()
            assert _request(port, path, me) == 200
            latencies.append(time.perf_counter() - t0)
            time.sleep(0.02)
        flood.join()
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        assert statistics.median(latencies) < 0.1 and p95 < 0.5, (statistics.median(latencies), p95)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
