"""What residents may reach under ``assetreg serve``, and what every page they get carries.

Fava is made for one person keeping their own books: it serves the raw source
(``/api/source`` returns ``units.beancount`` with every owner key), the whole journal
(``/api/journal``, ``/download-journal/``: the contract → owner key → unit links our pages
deliberately hide), an editor, an importer and upload endpoints. Residents get an
**allow-list** instead, decided on the endpoint Fava's own URL map matches
(:meth:`ResidentsRoutes.check`), so a route a newer Fava adds is closed until it is listed
here:

* our extension pages (:mod:`assetreg.fava_ext`), their JS modules and GET endpoints;
* Fava's income statement, balance sheet and trial balance, and account pages, with the
  JSON APIs those pages call (their figures are sums; an account's journal shows no
  custom entries, so no roster or contract metadata);
* Fava's static files, ``/`` and ``/<compound>/`` (redirects), ``/jump`` back to a page of
  this site (never off-site), and evidence files under the compound's ``documents/``
  folder that a ``document`` entry names (no ``..``, no symlinks).

The journal is closed: it lists every ``custom "unit"`` and ``custom "contract"`` entry with
its metadata, owner keys included. Every other route answers 403 with a Chinese page; the
editing surfaces (editor, import, add-entry and source APIs) say the books are read-only
(账本只读). The screen matches: :func:`readonly_style` hides the links and dialogs that lead
there. Every response carries a Content-Security-Policy that allows script only from this
site's files (Fava 1.30 has no inline script; its ``<script type="application/json">``
blocks are data), so markup that reached a page anyway cannot run (:data:`CSP`).

The report-independent data Fava puts into every page (``ledger-data``) names the server's
absolute paths (the ledger's file, includes, document folders, error sources);
:func:`scrub_ledger_data` makes them relative to the compound folder.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from fava.application import CLIENT_SIDE_REPORTS
from flask import g
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from . import fava_ext

OUR_PAGES = frozenset(fava_ext.__all__)  # the extension classes' names: our five pages

# Fava's client-side reports residents may open (report_name of the ``report`` endpoint).
FAVA_REPORTS = frozenset({"income_statement", "balance_sheet", "trial_balance"})
# The JSON APIs those reports and the account pages call; everything else under /api/ is closed.
FAVA_APIS = frozenset({
    "json_api.get_income_statement", "json_api.get_balance_sheet", "json_api.get_trial_balance",
    "json_api.get_account_report", "json_api.get_changed", "json_api.get_ledger_data",
})
# Endpoints whose only purpose is changing or importing into the books (the answer says 只读).
EDITING_REPORTS = frozenset({"editor", "import"})
EDITING_APIS = frozenset({
    "json_api.get_source", "json_api.get_source_slice", "json_api.get_format_source",
    "json_api.get_imports", "json_api.get_extract", "json_api.get_payee_accounts",
    "json_api.get_payee_transaction", "json_api.get_narration_transaction",
    "json_api.get_narrations",
})

READ_ONLY = ("账本只读：居民查阅页面不提供编辑、导入或添加条目；账目的更正由业主委员会"
             "以冲正分录记入。(read-only)")
CLOSED = ("此页面不对居民开放。可查阅：共有资产、经营合同、收益公示、政策清单、审计，"
          "以及损益表、资产负债表、试算表和账户明细。(403 forbidden)")
OFF_SITE = "跳转只回到本站的页面，不跳转到本站以外的地址。(no off-site redirects)"
NOT_FOUND = "没有这个页面。(not found)"
NO_DOCUMENT = "没有这份凭证，或它不在本小区的 documents/ 文件夹中。(no such evidence)"

# Script only from this site's own files; no inline handlers, no eval, no plugins, no framing.
# Styles may be inline: Fava's Svelte components and our pages set style attributes.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


@dataclass(frozen=True)
class Verdict:
    """What to do with one request: pass it to Fava (``status`` 0), or answer it here."""

    status: int = 0
    message: str = ""
    environ: dict[str, str] = field(default_factory=dict)  # rewritten WSGI variables, if any

    @property
    def allowed(self) -> bool:
        return self.status == 0


ALLOW = Verdict()


def decide(endpoint: str, args: dict[str, Any], query: dict[str, str],
           document: Callable[[str], Verdict], same_site: Callable[[], bool]) -> Verdict:
    """The verdict for a request Fava's URL map matched to ``endpoint`` with ``args``.

    ``document`` checks an evidence file name; ``same_site`` whether ``/jump`` would
    redirect to this site."""
    if endpoint in ("static", "index"):
        return ALLOW
    if endpoint == "report":
        name = args.get("report_name", "")
        if name in FAVA_REPORTS:
            return ALLOW
        return Verdict(403, READ_ONLY if name in EDITING_REPORTS else CLOSED)
    if endpoint == "account":
        return ALLOW
    if endpoint in ("extension_report", "extension_js_module", "extension_endpoint"):
        return ALLOW if args.get("extension_name") in OUR_PAGES else Verdict(403, CLOSED)
    if endpoint == "document":
        return document(query.get("filename", ""))
    if endpoint == "jump":
        return ALLOW if same_site() else Verdict(403, OFF_SITE)
    if endpoint in FAVA_APIS:
        return ALLOW
    if endpoint in EDITING_APIS or endpoint.startswith(("json_api.put_", "json_api.delete_")):
        return Verdict(403, READ_ONLY)
    return Verdict(403, CLOSED)


def evidence_file(root: Path, name: str) -> Path | None:
    """The evidence file ``name`` (relative to the compound folder, or absolute) if it lies
    in ``root/documents/`` with no ``..`` and no symlink on the way; else None."""
    if not name or "\0" in name:
        return None
    path = Path(name)
    if ".." in path.parts:
        return None
    full = path if path.is_absolute() else root / path
    docs = root / "documents"
    if not full.is_relative_to(docs) or full == docs:
        return None
    # realpath resolves every symlink: equal to the plain absolute path means there was none.
    if os.path.realpath(full) != os.path.abspath(full) or not full.is_file():
        return None
    return full


class ResidentsRoutes:
    """The allow-list, applied to a WSGI environ by matching it against Fava's URL map."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def root_of(self, slug: str | None) -> Path | None:
        if not slug:
            return None
        ledgers = self.app.config["LEDGERS"]
        for s, ledger in ledgers.items():
            if s == slug:
                return Path(ledger.beancount_file_path).resolve().parent
        return None

    def match(self, environ: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """Fava's endpoint and arguments for this request; None when nothing matches."""
        adapter = self.app.url_map.bind_to_environ(environ)
        try:
            endpoint, args = adapter.match(method="GET")
        except RequestRedirect as redirect:
            # e.g. a missing trailing slash: Fava redirects, and the new URL is checked in turn.
            return "redirect", {"to": redirect.new_url}
        except HTTPException:
            return None
        return str(endpoint), dict(args)

    def check(self, environ: dict[str, Any]) -> Verdict:
        found = self.match(environ)
        if found is None:
            return Verdict(404, NOT_FOUND)
        endpoint, args = found
        if endpoint == "redirect":
            # A canonical-URL redirect (trailing slash, a default argument): decide on its target.
            target = urlsplit(args["to"])
            again = self.match({**environ, "PATH_INFO": unquote(target.path).encode("utf-8").decode("latin-1")})
            if again is None or again[0] == "redirect":
                return Verdict(404, NOT_FOUND)
            endpoint, args = again
        # PEP 3333: the query string's bytes arrive as latin-1; unencoded UTF-8 is decoded here.
        raw = environ.get("QUERY_STRING", "")
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            raw = raw.encode("latin-1").decode("utf-8")
        query = dict(parse_qsl(raw, keep_blank_values=True))
        root = self.root_of(args.get("bfile"))

        def document(name: str) -> Verdict:
            path = evidence_file(root, name) if root is not None else None
            if path is None:
                return Verdict(404, NO_DOCUMENT)
            # Our pages link evidence by its path in the compound folder (see relative_url_for);
            # Fava looks documents up by the absolute name its entries carry.
            return Verdict(environ={"QUERY_STRING": urlencode({**query, "filename": str(path)})})

        def same_site() -> bool:
            referrer = environ.get("HTTP_REFERER", "")
            if not referrer:
                return False  # nowhere to go back to (Fava 1.30 would fail with a 500)
            parts = urlsplit(referrer)
            host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
            return parts.scheme in ("http", "https") and parts.netloc == host

        return decide(endpoint, args, query, document, same_site)


# ------------------------------------------------------------------ answers


def refusal(verdict: Verdict, environ: dict[str, Any], home: str = "/") -> tuple[str, str, bytes]:
    """Status line, content type and body answering a refused request: JSON for Fava's
    frontend (it shows ``error``), a small Chinese page for a browser, else plain text."""
    status = {403: "403 FORBIDDEN", 404: "404 NOT FOUND"}.get(verdict.status, f"{verdict.status} ERROR")
    path = environ.get("PATH_INFO", "")
    accept = environ.get("HTTP_ACCEPT", "")
    if "/api/" in path:
        return status, "application/json", json.dumps({"error": verdict.message},
                                                      ensure_ascii=False).encode("utf-8")
    if "text/html" in accept:
        title = "账本只读" if verdict.message == READ_ONLY else "无法打开"
        body = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{title}</title></head><body style=\"font-family:sans-serif;margin:2em;"
                f'max-width:40em"><h1>{title}</h1><p id="assetreg-refusal">{html.escape(verdict.message)}</p>'
                f'<p><a href="{html.escape(home)}">返回本小区首页</a></p></body></html>')
        return status, "text/html; charset=utf-8", body.encode("utf-8")
    return status, "text/plain; charset=utf-8", (verdict.message + "\n").encode("utf-8")


def readonly_style(closed_reports: Iterable[str]) -> str:
    """A stylesheet hiding Fava's editing surfaces and the links to closed reports: the "+"
    buttons and the add-entry, export and upload dialogs, the editor and import links."""
    links = sorted({*closed_reports, *EDITING_REPORTS})
    selectors = [f'aside li:has(> a[href$="/{name}/"])' for name in links]
    selectors += [f'aside a[href$="/{name}/"]' for name in links]
    selectors += ['a[href="#add-transaction"]', 'a[href="#export"]', ".aside-buttons a.button",
                  "dialog", 'button[data-key="?"]']
    return ("<style id=\"assetreg-readonly\">/* assetreg serve: 账本只读 */\n"
            + ",\n".join(selectors) + " { display: none !important; }\n</style>")


def closed_fava_reports() -> list[str]:
    """Fava's client-side report pages residents do not get (links to hide)."""
    extra = ["holdings", "help"]
    return sorted({*CLIENT_SIDE_REPORTS, *extra} - FAVA_REPORTS)


class PageEdit:
    """What every response to a resident gets (a :class:`~assetreg.serve_weight.Compress`
    edit): the security headers, and on Fava's full HTML pages the read-only stylesheet."""

    def __init__(self) -> None:
        self.style = readonly_style(closed_fava_reports()).encode("utf-8")

    def __call__(self, reply: Any, environ: dict[str, Any]) -> None:
        for name, value in SECURITY_HEADERS:
            reply.set_header(name, value)
        if (reply.status.startswith("200") and reply.header("Content-Type").startswith("text/html")
                and b"</head>" in reply.body):
            reply.body = reply.body.replace(b"</head>", self.style + b"</head>", 1)


# ------------------------------------------------------------------ ledger data


def _relative(value: Any, root: Path) -> Any:
    if isinstance(value, str) and value.startswith(str(root)):
        return os.path.relpath(value, root)
    if isinstance(value, list):
        return [_relative(v, root) for v in value]
    return value


def scrub_text(text: str, root: Path) -> str:
    return text.replace(str(root) + os.sep, "").replace(str(root), ".")


def scrub_ledger_data(data: dict[str, Any], root: Path) -> dict[str, Any]:
    """Fava's ``ledger-data`` without the server's paths or the list of payees.

    File names (options, accounts' open entries) become relative to the compound folder;
    an error keeps its message (paths
    made relative) and its file:line, not the offending entry's metadata; payees (bank
    counterparties) are left out, as the journal is."""
    out = dict(data)
    options = dict(out.get("options") or {})
    for key in ("filename", "include", "documents"):
        if key in options:
            options[key] = _relative(options[key], root)
    out["options"] = options
    fava_options = dict(out.get("fava_options") or {})
    for key in ("default_file", "import_config"):
        if fava_options.get(key):
            fava_options[key] = _relative(fava_options[key], root)
    if "import_dirs" in fava_options:
        fava_options["import_dirs"] = []
    out["fava_options"] = fava_options
    errors = []
    for err in out.get("errors") or []:
        source = err.get("source") or None
        if source is not None:
            source = {"filename": _relative(str(source.get("filename", "")), root),
                      "lineno": source.get("lineno", 0)}
        errors.append({**err, "source": source, "message": scrub_text(str(err.get("message", "")), root)})
    out["errors"] = errors
    details = {}
    for account, d in (out.get("account_details") or {}).items():
        meta = dict(d.get("meta") or {})
        if "filename" in meta:
            meta["filename"] = _relative(str(meta["filename"]), root)
        details[account] = {**d, "meta": meta}
    out["account_details"] = details
    out["payees"] = []
    return out


def _ledger_root() -> Path:
    return Path(g.ledger.beancount_file_path).resolve().parent


def confine(app: Any) -> None:
    """Make Fava's own output fit for residents: ``ledger-data`` scrubbed
    (:func:`scrub_ledger_data`) in pages and in ``/api/ledger_data``, and links to evidence
    written relative to the compound folder (``document/?filename=documents/…``)."""
    globals_ = app.jinja_env.globals
    fava_url_for = globals_["url_for"]
    fava_ledger_data = globals_["get_ledger_data"]

    def url_for(endpoint: str, **values: Any) -> str:
        if endpoint == "document" and isinstance(values.get("filename"), str):
            values["filename"] = _relative(values["filename"], _ledger_root())
        return str(fava_url_for(endpoint, **values))

    def get_ledger_data() -> dict[str, Any]:
        plain = json.loads(app.json.dumps(fava_ledger_data()))
        return scrub_ledger_data(plain, _ledger_root())

    # The same dict object is shared with the extensions' template environments.
    globals_["url_for"] = url_for
    globals_["get_ledger_data"] = get_ledger_data
    view = app.view_functions["json_api.get_ledger_data"]

    def ledger_data_view(*args: Any, **kwargs: Any) -> Any:
        response = view(*args, **kwargs)
        body = json.loads(response.get_data(as_text=True))
        body["data"] = scrub_ledger_data(body.get("data") or {}, _ledger_root())
        response.set_data(json.dumps(body, ensure_ascii=False))
        return response

    app.view_functions["json_api.get_ledger_data"] = ledger_data_view
