"""`assetreg serve --district ROOT`: every compound under ROOT in Fava, plus the district page.

The district store is brought up to date first (:func:`assetreg.district.build.build`);
the compounds that load are served by :func:`assetreg.serve.make_app` as usual, and
``/district/`` shows :mod:`assetreg.district.page`, read from the store on each request
(so a scheduled ``assetreg district build`` refreshes it without a restart).

Roles, with ``--auth-file``: users listed under the reserved id ``district`` are district
staff and open the district page and every compound; a compound's own users open only that
compound — never the district page nor another compound. Every non-GET request is refused.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from .district.build import build
from .district.discover import find_compounds
from .district.page import link, render
from .district.report import KINDS, Report, build_report, sorted_by
from .district.store import DB_NAME
from .errors import BadInput
from .serve import (
    AuthFile,
    Environ,
    ResidentsGate,
    StartResponse,
    _reply,
    make_app,
    outer,
    read_auth_file,
    slugs,
)

DISTRICT = "district"  # the URL prefix of the district page, and the auth file's id for staff


def make_district_app(root: Path, auth_file: Path | None = None, jobs: int | None = None) -> Any:
    res = build(root, jobs=jobs)
    folders = {c.id: c.path for c in find_compounds(root)}
    ok = [c for c in res.compounds if c not in res.failed and c in folders]
    if not ok:
        raise BadInput(f"no compound under {root} loads", "run `assetreg district build` to see why")
    auth = read_auth_file(auth_file) if auth_file is not None else None
    staff: dict[str, str] = {}
    if auth is not None:
        staff = auth.for_compound(DISTRICT)
        if not staff:
            raise BadInput(f"the auth file {auth_file} has no district user",
                           f"add one with `assetreg serve-passwd {auth_file} {DISTRICT} USER`")
        clash = sorted(u for c in ok for u in auth.for_compound(c) if u in staff)
        if clash:
            raise BadInput(f"user name(s) {', '.join(clash)} are both district staff and a compound's",
                           "give district staff their own user names")
    app = make_app([folders[c] for c in ok], None)
    served = slugs(app)
    if DISTRICT in served.values():
        raise BadInput(f"a compound's pages would be under /{DISTRICT}/, the district page's address",
                       "change that compound's title")
    inner = app.config["ASSETREG_GATE"]  # the residents' gate, so far without passwords
    if auth is not None:
        # District staff may open every compound; a compound's users only their own.
        inner.auth = AuthFile({c: {**auth.for_compound(c), **staff} for c in ok})
    page = ResidentsGate(
        DistrictPage(res.store, {c: link(s) for c, s in served.items()}),
        lambda first: DISTRICT if first == DISTRICT else None,
        AuthFile({DISTRICT: staff}) if auth is not None else None)

    def dispatch(environ: Environ, start_response: StartResponse) -> Any:
        first = (environ.get("PATH_INFO", "") or "/").lstrip("/").split("/", 1)[0]
        return (page if first == DISTRICT else inner)(environ, start_response)

    app.wsgi_app = outer(dispatch)  # headers, read-only style, gzip around both
    app.config["ASSETREG_DISTRICT"] = res.store
    return app


class DistrictPage:
    """WSGI app of ``/district/``: the report as HTML, sorted as the query string asks."""

    def __init__(self, store: Path, links: dict[str, str]) -> None:
        self.store, self.links = store, links
        # The report as read from the store, and the page as rendered per sort order, while
        # the store file is unchanged: like Fava's ledger, read once per change, not per request.
        self._report: tuple[int, Report] | None = None
        self._rows: dict[str, str] = {}  # each compound's table row, rendered once per report
        self._pages: dict[tuple[str, bool, int], bytes] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Any:
        q = parse_qs(environ.get("QUERY_STRING", ""))
        sort = q.get("sort", ["compound"])[0]
        desc = q.get("desc", ["0"])[0] == "1"
        if sort not in KINDS:
            return _reply(start_response, "400 BAD REQUEST", "没有这一列。(no such column)\n")
        key = (sort, desc, (self.store / DB_NAME).stat().st_mtime_ns)
        with self._lock:
            data = self._pages.get(key)
            if data is None:
                if self._report is None or self._report[0] != key[2]:
                    self._report = (key[2], build_report(self.store))
                    self._rows = {}
                data = render(sorted_by(self._report[1], sort, desc), self.links, sort, desc,
                              self._rows).encode("utf-8")
                self._pages = {k: v for k, v in self._pages.items() if k[2] == key[2]}
                self._pages[key] = data
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Length", str(len(data)))])
        return [data]
