"""Light pages for residents on phones: gzip and cacheable static files (issue 10).

:class:`Compress` is a WSGI middleware in front of everything ``assetreg serve`` answers:

* text responses (HTML, JSON, JS, CSS, SVG) are gzipped when the browser accepts it
  (``Accept-Encoding``, honouring ``q=0``) and say ``Vary: Accept-Encoding``; fonts, images
  and PDFs are already compressed and pass through untouched;
* Fava's static files are cacheable: those whose name carries a content hash
  (``chunk-TVG7KHLA.js``, the fonts) or that are asked for with Fava's ``?mtime=`` stamp are
  ``immutable`` for a year, the others for an hour; a static file's gzip is kept in memory
  so it is compressed once, not per visitor.

Pages stay ``private, no-cache`` (they sit behind a password and change with the books).
"""

from __future__ import annotations

import gzip
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml",
                "application/xml", "application/manifest+json")
MIN_SIZE = 512  # below this gzip's header costs more than it saves
LEVEL = 6
YEAR = "public, max-age=31536000, immutable"
HOUR = "public, max-age=3600"
PAGE = "private, no-cache"
# esbuild's content hash in Fava's file names: app-ABCD1234.js, fira-sans-…-OYYTPMAV.woff2
_HASHED = re.compile(r"-[A-Z0-9]{8}\.[a-z0-9]+$")
_STATIC_CACHE_SIZE = 64


def accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            q = params.strip()
            if q.startswith("q="):
                try:
                    return float(q[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


def static_cache_control(path: str, query: str) -> str:
    if _HASHED.search(path) or "mtime=" in query:
        return YEAR
    return HOUR


class Buffered:
    """A WSGI response captured whole: status, headers and body."""

    def __init__(self, app: WSGIApp, environ: Environ) -> None:
        self.status = "500 INTERNAL SERVER ERROR"
        self.headers: list[tuple[str, str]] = []
        self.exc_info: Any = None
        chunks: list[bytes] = []

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            self.status, self.headers, self.exc_info = status, list(headers), exc_info
            return chunks.append

        result = app(environ, start)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        self.body = b"".join(chunks)

    def header(self, name: str) -> str:
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), "")

    def set_header(self, name: str, value: str | None) -> None:
        low = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != low]
        if value is not None:
            self.headers.append((name, value))

    def send(self, start_response: StartResponse) -> list[bytes]:
        self.set_header("Content-Length", str(len(self.body)))
        start_response(self.status, self.headers, self.exc_info)
        return [self.body]


class Compress:
    """gzip for text, cache headers for static files (see the module doc)."""

    def __init__(self, app: WSGIApp, edit: Callable[[Buffered, Environ], None] | None = None) -> None:
        self.app = app
        self.edit = edit  # applied to every response before compressing it
        self._static: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        reply = Buffered(self.app, environ)
        if self.edit is not None:
            self.edit(reply, environ)
        if environ.get("REQUEST_METHOD") == "HEAD":  # headers only: keep Fava's Content-Length
            start_response(reply.status, reply.headers, reply.exc_info)
            return []
        path = environ.get("PATH_INFO", "")
        static = path.startswith("/static/")
        if static and reply.status.startswith(("200", "304")):
            reply.set_header("Cache-Control", static_cache_control(path, environ.get("QUERY_STRING", "")))
        elif not reply.header("Cache-Control"):
            reply.set_header("Cache-Control", PAGE)
        kind = reply.header("Content-Type").lower()
        if not kind.startswith(COMPRESSIBLE) or reply.header("Content-Encoding"):
            return reply.send(start_response)
        reply.set_header("Vary", "Accept-Encoding")
        if (len(reply.body) < MIN_SIZE or not reply.status.startswith("200")
                or not accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", ""))):
            return reply.send(start_response)
        etag = reply.header("ETag")
        if etag:
            # The gzip is a different byte sequence: a weak validator (werkzeug compares
            # If-None-Match weakly, so a revalidation still gets its 304).
            reply.set_header("ETag", etag if etag.startswith("W/") else "W/" + etag)
        reply.body = self._gzip(reply.body, (path, etag) if static and etag else None)
        reply.set_header("Content-Encoding", "gzip")
        return reply.send(start_response)

    def _gzip(self, body: bytes, key: tuple[str, str] | None) -> bytes:
        if key is not None:
            with self._lock:
                hit = self._static.get(key)
            if hit is not None:
                return hit
        packed = gzip.compress(body, compresslevel=LEVEL, mtime=0)
        if key is not None:
            with self._lock:
                self._static[key] = packed
                while len(self._static) > _STATIC_CACHE_SIZE:
                    self._static.popitem(last=False)
        return packed
