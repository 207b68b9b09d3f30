"""Serving the residents' view: Fava, read-only, in Chinese, optionally behind passwords.

    assetreg serve ledgers/qjp-jinghu-garden [--host 127.0.0.1] [--port 5000] [--auth-file FILE]

:func:`make_app` wraps Fava's Flask application (``fava.application.create_app`` with
``read_only=True``) in :class:`ResidentsGate`, a WSGI middleware that

* refuses every request that is not a GET with 401, before Fava sees it (Fava's own
  read-only mode does the same; the gate does not depend on it);
* asks Fava for the Chinese interface whatever the browser prefers;
* with an auth file, requires HTTP basic auth per compound: a request under a
  compound's URL prefix (``/<slug>/…``) must carry the credentials of a user listed for
  that compound. Anything else but Fava's static files, ``/`` and ``/jump`` (which hold
  no ledger data) is refused, so a path that names no served compound never reaches Fava.
  An unknown user costs the same scrypt as a wrong password (no user enumeration by
  timing); a client address that keeps failing waits longer and longer
  (:class:`AuthLimiter`, 429 with ``Retry-After``), and at most :data:`SCRYPT_SLOTS`
  passwords are checked at once, so a flood of guesses cannot starve other residents;
* lets through only what residents may reach (:mod:`assetreg.serve_policy`: our pages,
  a few of Fava's reports, static files; raw source, the journal, downloads, the editor
  and internal APIs answer 403 in Chinese).

Around the gate, :class:`~assetreg.serve_weight.Compress` adds the security headers
(Content-Security-Policy: script only from this site), hides Fava's editing surfaces
on screen, gzips text and makes static files cacheable.

The auth file holds hashed credentials only, one line per compound and user::

    # compound:user:scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>
    qjp-jinghu-garden:resident:scrypt$14$8$1$6f1c…$9a0e…

The compound is the ledger folder's name. ``assetreg serve-passwd FILE COMPOUND USER``
adds or replaces a line (the password is read without echo, or from stdin).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cheroot.wsgi import Server
from fava.application import create_app

from .errors import BadInput
from .ledger import Compound, atomic_write
from .serve_policy import PageEdit, ResidentsRoutes, confine, refusal
from .serve_weight import Compress

SCHEME = "scrypt"
# scrypt cost: N = 2**14, r = 8, p = 1 (about 16 MiB and a few tens of ms per check).
LOG2_N, BLOCK, PARALLEL = 14, 8, 1
# Each check may use at most MAXMEM (64 MiB): scrypt needs 128 * r * N bytes, so with r = 8
# the largest usable cost is N = 2**15. A stored hash of a higher cost could never verify.
MAXMEM = 2**26
MIN_LOG2_N, MAX_LOG2_N = 10, 15
MIN_PASSWORD = 8
SCRYPT_SLOTS = 2  # passwords checked at the same time (each ~16 MiB and tens of ms of a core)
THREADS = 24  # cheroot worker threads: a slow client or a queue of logins does not block pages
# Connections the kernel queues while every worker is busy (cheroot's default of 5 drops a
# burst's SYNs, and each dropped one costs its client a 1 s retransmit).
BACKLOG = 256
PUBLIC_PREFIXES = ("static",)  # Fava's own JS/CSS/fonts: no ledger data
PUBLIC_PATHS = ("", "jump", "favicon.ico")  # "/" redirects to the first compound; /jump redirects back

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.]{0,63}$")


# ------------------------------------------------------------------ credentials


def hash_password(password: str, *, log2_n: int = LOG2_N, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**log2_n, r=BLOCK,
                            p=PARALLEL, maxmem=MAXMEM, dklen=32)
    return f"{SCHEME}${log2_n}${BLOCK}${PARALLEL}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, log2_n, r, p, salt, want = encoded.split("$")
        if scheme != SCHEME:
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=2 ** int(log2_n),
                             r=int(r), p=int(p), maxmem=MAXMEM, dklen=len(want) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), want)


@dataclass(frozen=True)
class AuthFile:
    """compound id -> user -> encoded hash."""

    users: dict[str, dict[str, str]]

    def for_compound(self, compound: str) -> dict[str, str]:
        return self.users.get(compound, {})


def _check_hash(encoded: str) -> bool:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return False
    try:
        int(parts[1]), int(parts[2]), int(parts[3]), bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        return False
    return MIN_LOG2_N <= int(parts[1]) <= MAX_LOG2_N and len(parts[4]) >= 16 and len(parts[5]) >= 32


def parse_auth_text(text: str, where: str = "auth file") -> AuthFile:
    users: dict[str, dict[str, str]] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(":", 2)
        if len(parts) != 3 or not _NAME.match(parts[0]) or not _NAME.match(parts[1]):
            raise BadInput(
                f"{where} line {n}: expected compound:user:hash",
                "create entries with `assetreg serve-passwd FILE COMPOUND USER`",
            )
        compound, user, encoded = parts
        if not _check_hash(encoded):
            raise BadInput(
                f"{where} line {n}: the credential of {user!r} is not a salted scrypt hash "
                "(plain-text passwords are not accepted)",
                "re-create it with `assetreg serve-passwd FILE COMPOUND USER`",
            )
        users.setdefault(compound, {})[user] = encoded
    return AuthFile(users)


def read_auth_file(path: Path) -> AuthFile:
    if not path.is_file():
        raise BadInput(f"auth file {path} not found",
                       "create it with `assetreg serve-passwd FILE COMPOUND USER`")
    return parse_auth_text(path.read_text(encoding="utf-8"), str(path))


def set_password(path: Path, compound: str, user: str, password: str) -> None:
    """Add or replace ``user`` of ``compound`` in the auth file (created 0600 if new)."""
    if not _NAME.match(compound):
        raise BadInput(f"malformed compound id {compound!r}",
                       "use the ledger folder's name, e.g. qjp-jinghu-garden")
    if not _NAME.match(user):
        raise BadInput(f"malformed user name {user!r}",
                       "use ASCII letters, digits, '-', '_' or '.', e.g. resident")
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"password shorter than {MIN_PASSWORD} characters",
                       f"choose a password of at least {MIN_PASSWORD} characters")
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    parse_auth_text(old, str(path))  # refuse to extend a malformed file
    lines = [ln for ln in old.splitlines()
             if not ln.strip().startswith(f"{compound}:{user}:")]
    if not lines:
        lines = ["# assetreg serve --auth-file: compound:user:scrypt hash (never plain passwords)"]
    lines.append(f"{compound}:{user}:{hash_password(password)}")
    atomic_write(path, "\n".join(lines) + "\n")
    os.chmod(path, 0o600)


# ------------------------------------------------------------------ failed logins


class AuthLimiter:
    """Failed logins per client address, with exponential back-off.

    The first :attr:`free` failures cost nothing but the scrypt; after that each failure
    makes the client wait ``base * 2**(n - free)`` seconds (at most :attr:`cap`) before the
    next attempt is even checked. Attempts still being checked count as failures-to-be, so
    forty guesses sent at once get no more checks than forty sent one by one. A success
    forgets the client; so does an hour of quiet. Clients are told apart by the connecting
    address (behind a reverse proxy, that is the proxy: put the limit there too)."""

    def __init__(self, free: int = 5, base: float = 1.0, cap: float = 900.0, forget: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base, self.cap, self.forget, self.clock = free, base, cap, forget, clock
        # client -> [failures, blocked until, last failure, attempts being checked]
        self._state: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def begin(self, client: str) -> float:
        """0 when ``client`` may try a password now (the attempt is then under way until
        :meth:`end`); else the seconds it must wait."""
        with self._lock:
            now = self.clock()
            state = self._state.get(client)
            if state is not None and now - state[2] > self.forget and not state[3]:
                state = None
                del self._state[client]
            if state is None:
                state = self._state[client] = [0, 0.0, now, 0]
                if len(self._state) > 10_000:  # a spray from many addresses: drop the stale ones
                    self._state = {c: v for c, v in self._state.items()
                                   if now - v[2] <= self.forget or v[3]}
                    self._state[client] = state
            if state[1] > now:
                return state[1] - now
            # Attempts under way may use up the free ones; past them, one attempt at a time.
            if state[3] and state[0] + state[3] >= self.free:
                return max(self.base, 0.001)
            state[3] += 1
            return 0.0

    def end(self, client: str, ok: bool | None) -> None:
        """The attempt :meth:`begin` allowed is over: ``ok`` True (logged in), False (failed)
        or None (not checked at all, e.g. the server was busy)."""
        with self._lock:
            state = self._state.get(client)
            if state is None:
                return
            state[3] = max(0, state[3] - 1)
            if ok is None:
                return
            if ok:
                if not state[3]:
                    del self._state[client]
                else:
                    state[0] = 0
                return
            now = self.clock()
            state[0] += 1
            state[2] = now
            if state[0] >= self.free:
                state[1] = now + min(self.cap, self.base * 2 ** (state[0] - self.free))


# ------------------------------------------------------------------ the gate

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def _reply(start_response: StartResponse, status: str, body: str,
           headers: Sequence[tuple[str, str]] = ()) -> list[bytes]:
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(data))), *headers])
    return [data]


class ResidentsGate:
    """WSGI middleware in front of Fava: GET and HEAD only, Chinese, basic auth per compound,
    residents' routes only."""

    def __init__(self, app: WSGIApp, compound_of_slug: Callable[[str], str | None],
                 auth: AuthFile | None = None, routes: ResidentsRoutes | None = None,
                 limiter: AuthLimiter | None = None) -> None:
        self.app = app
        self.compound_of_slug = compound_of_slug
        self.auth = auth
        self.routes = routes
        self.limiter = limiter or AuthLimiter()
        # Verified Authorization headers, kept as keyed digests (never the header itself),
        # so that each page's dozen API calls do not each pay for a scrypt.
        self._key = secrets.token_bytes(32)
        self._ok: set[bytes] = set()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(SCRYPT_SLOTS)
        # An unknown user is checked against a hash of the same cost as the compound's own
        # users' (made once per cost), so it costs what a wrong password costs.
        self._dummies: dict[str, str] = {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):  # HEAD: GET without a body
            return _reply(start_response, "401 UNAUTHORIZED",
                          "只读：此账本仅供查阅，不接受修改。(read-only: only GET requests are served)\n")
        environ["HTTP_ACCEPT_LANGUAGE"] = "zh"
        if self.auth is not None:
            # PEP 3333: PATH_INFO is already percent-decoded, its bytes carried as latin-1.
            raw = environ.get("PATH_INFO", "") or "/"
            try:
                path = raw.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                path = raw
            first = path.lstrip("/").split("/", 1)[0]
            if first not in PUBLIC_PATHS and first not in PUBLIC_PREFIXES:
                compound = self.compound_of_slug(first)
                if compound is None:
                    return _reply(start_response, "404 NOT FOUND", "没有这个小区账本。(not found)\n")
                refused = self._login(compound, environ, start_response)
                if refused is not None:
                    return refused
        if self.routes is not None:
            verdict = self.routes.check(environ)
            if not verdict.allowed:
                status, kind, body = refusal(verdict, environ)
                start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body)))])
                return [body]
            environ.update(verdict.environ)
        return self.app(environ, start_response)

    def _login(self, compound: str, environ: Environ,
               start_response: StartResponse) -> list[bytes] | None:
        """None when the request carries a valid login for ``compound``; else the refusal."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        if self._known(compound, header):
            return None
        client = str(environ.get("REMOTE_ADDR", ""))
        challenge = [("WWW-Authenticate", f'Basic realm="assetreg {compound}", charset="UTF-8"')]
        if not header.startswith("Basic "):
            # A browser's first request carries no password: ask for one, nothing failed yet.
            return _reply(start_response, "401 UNAUTHORIZED", "请输入本小区的查阅账号和密码。(login required)\n",
                          challenge)
        wait = self.limiter.begin(client)
        if wait > 0:
            return _reply(start_response, "429 TOO MANY REQUESTS",
                          f"密码错误次数过多，请 {int(wait) + 1} 秒后再试。(too many failed logins)\n",
                          [("Retry-After", str(int(wait) + 1))])
        ok: bool | None = None
        try:
            # No queue: a worker thread waiting for a slot is a thread not serving pages.
            if not self._slots.acquire(blocking=False):
                return _reply(start_response, "503 SERVICE UNAVAILABLE", "登录的人太多，请稍后再试。(busy)\n",
                              [("Retry-After", "2")])
            try:
                ok = self._verify(compound, header)
            finally:
                self._slots.release()
        finally:
            self.limiter.end(client, ok)
        if not ok:
            return _reply(start_response, "401 UNAUTHORIZED", "请输入本小区的查阅账号和密码。(login required)\n",
                          challenge)
        return None

    def _dummy(self, users: dict[str, str]) -> str:
        cost = next(iter(users.values()), "").split("$")[1:2] or [str(LOG2_N)]
        with self._lock:
            dummy = self._dummies.get(cost[0])
        if dummy is None:
            dummy = hash_password(secrets.token_hex(16), log2_n=int(cost[0]))
            with self._lock:
                self._dummies[cost[0]] = dummy
        return dummy

    def _token(self, compound: str, header: str) -> bytes:
        return hmac.new(self._key, f"{compound}\0{header}".encode(), hashlib.sha256).digest()

    def _known(self, compound: str, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        with self._lock:
            return self._token(compound, header) in self._ok

    def _verify(self, compound: str, header: str) -> bool:
        try:
            user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        users = self.auth.for_compound(compound) if self.auth else {}
        encoded = users.get(user)
        # An unknown user gets the same scrypt as a known one (and then fails).
        if not verify_password(password, encoded or self._dummy(users)) or encoded is None:
            return False
        with self._lock:
            if len(self._ok) > 1024:
                self._ok.clear()
            self._ok.add(self._token(compound, header))
        return True


# ------------------------------------------------------------------ the app


def locate_ledgers(ledgers: Sequence[str | os.PathLike[str]]) -> list[Compound]:
    if not ledgers:
        raise BadInput("no ledger given", "pass one or more compound folders, e.g. ledgers/qjp-jinghu-garden")
    compounds = [Compound.locate(str(x)) for x in ledgers]
    ids = [c.id for c in compounds]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise BadInput(f"compound folder name(s) given twice: {', '.join(dupes)}",
                       "serve each compound once; folder names identify compounds in the auth file")
    return compounds


def make_app(ledgers: Sequence[str | os.PathLike[str]], auth_file: Path | None = None) -> Any:
    """Fava for the given compounds, read-only and in Chinese, behind :class:`ResidentsGate`.

    Returns the Flask app (its ``wsgi_app`` is wrapped), with ``config["ASSETREG_COMPOUNDS"]``
    mapping each compound id to its folder.
    """
    compounds = locate_ledgers(ledgers)
    auth = read_auth_file(auth_file) if auth_file is not None else None
    if auth is not None:
        missing = [c.id for c in compounds if not auth.for_compound(c.id)]
        if missing:
            raise BadInput(
                f"the auth file {auth_file} has no user for compound(s) {', '.join(missing)}",
                f"add one with `assetreg serve-passwd {auth_file} {missing[0]} USER`",
            )
    app = create_app([str(c.main) for c in compounds], load=True, read_only=True)
    by_main = {str(c.main): c.id for c in compounds}

    def compound_of_slug(slug: str) -> str | None:
        # Looked up per request: Fava derives slugs from titles, which may change on reload.
        for s, ledger in app.config["LEDGERS"].items():
            if s == slug:
                return by_main.get(str(Path(ledger.beancount_file_path).resolve()))
        return None

    confine(app)
    gate = ResidentsGate(app.wsgi_app, compound_of_slug, auth, ResidentsRoutes(app))
    app.wsgi_app = outer(gate)  # type: ignore[method-assign]
    app.config["ASSETREG_GATE"] = gate
    app.config["ASSETREG_COMPOUNDS"] = {c.id: c.root for c in compounds}
    return app


def outer(app: WSGIApp) -> Compress:
    """What wraps every answer: security headers, the read-only stylesheet, gzip, caching."""
    return Compress(app, PageEdit())


def slugs(app: Any) -> dict[str, str]:
    """Each compound id and the URL prefix (Fava's slug) its pages are under."""
    out: dict[str, str] = {}
    for slug, ledger in app.config["LEDGERS"].items():
        out[Path(ledger.beancount_file_path).resolve().parent.name] = slug
    return out


def run(app: Any, host: str, port: int) -> None:  # pragma: no cover - blocks until stopped
    server = Server((host, port), app, numthreads=THREADS, request_queue_size=BACKLOG)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
