"""Beancount plugin: the books may only carry income from confirmed common assets,
under a contract in force that passed the policy gate, sealed periods stay sealed, and
no text in the books carries markup (``text-markup``, :mod:`assetreg.textsafe`).

    plugin "assetreg.plugin"

    2024-03-01 custom "asset" "P-017" "registered" ...
    2024-03-05 custom "asset" "P-017" "noticed" ...
    2024-04-10 * "物业公司" "4月停车费"
      asset: "P-017"
      contract: "C-2024-003"
      Assets:Receivable:物业代收   100.00 CNY
      Income:Common:停车位       -100.00 CNY

The transaction above is an error: on 2024-04-10 P-017 was under notice, not confirmed.
Every posting to an ``Income:Common`` account must name its asset(s) in an ``asset``
metadata field (on the posting or on the transaction; several separated by commas),
and each must be confirmed on the transaction's date. Illegal lifecycle steps found in
the registry (e.g. a hand-edited confirmation inside the notice window) are errors too.

The same checks as ``assetreg audit`` (see :mod:`assetreg.audit`) run here, but only
those that make the books wrong are errors: income without a contract in force that
day, or on a contract that did not pass the policy gate; a sealed period changed after
sealing; money in suspense at a sealed date. Business findings (arrears, an overdue
disclosure, …) stay in the audit report unless the compound lists their check ids in
``custom "assetreg-option" "audit-errors" "billing-arrears,disclosure-overdue"``.

The plugin adds no entries; it only reports. Each error's source is the offending entry's
metadata, so ``bean-check`` prints its file and line.

Beancount's ``load_file`` (what ``bean-check`` uses) pickles a slow load's result beside the
ledger (``.main.beancount.picklecache``) and unpickles it on the next run: a copy of the
roster and contracts in the compound folder, and a file whose unpickling runs code. assetreg
itself and Fava load without it; when the plugin runs under ``load_file``, it switches the
cache off for the rest of the process and removes the file the current load leaves, at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import os
from collections.abc import Iterator
from typing import Any, NamedTuple

from beancount import loader

from . import books, sealcache
from .audit import Finding, plugin_findings
from .audit import seals as seal_checks
from .audit.findings import finding
from .textsafe import markup_fields

__plugins__ = ("check_assets",)

# Checks whose messages predate the audit package and already cite their rule.
_RULE_IN_MESSAGE = frozenset({"registry", "income-asset", "income-unconfirmed"})

# Set by a caller that runs every check itself right after the load (``assetreg audit``):
# the plugin then only builds the index (and starts hashing the seals), so no check runs twice.
_INDEX_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("assetreg_index_only",
                                                                    default=False)


@contextlib.contextmanager
def index_only() -> Iterator[None]:
    """Loads inside this block build the ledger index but report nothing (the caller checks)."""
    token = _INDEX_ONLY.set(True)
    try:
        yield
    finally:
        _INDEX_ONLY.reset(token)


TEXT_MARKUP = "text-markup"
TEXT_RULE = "assetreg: outside text is data, never markup (issue 14; Fava shows ledger text unescaped)"


def markup_findings(entries: list[Any]) -> list[Finding]:
    """An error for every text field that carries markup (:func:`assetreg.textsafe.markup_fields`):
    Fava renders payees, narrations and metadata unescaped, so a hand-written ``<img …>`` would
    run as script for every resident."""
    out = []
    for e in entries:
        for field, text in markup_fields(e):
            shown = text if len(text) <= 60 else text[:57] + "…"
            out.append(finding(
                TEXT_MARKUP, "error",
                f"{field} 含有网页标记字符（< > 或带引号的链接）：{shown!r}；"
                "请删去，或改写为全角 ＜ ＞",
                TEXT_RULE, [e], field=field))
    return out


def book_findings(entries: list[Any], options_map: dict[str, Any],
                  verify_seals: bool = True) -> list[Finding]:
    """What ``bean-check`` would report on ``entries`` through this plugin, computed in
    process (an importer asks it of the ledger with its planned rows added)."""
    return [*plugin_findings(entries, options_map, books.of(entries, options_map), verify_seals),
            *markup_findings(entries)]


class AssetregPluginError(NamedTuple):
    source: dict[str, Any]
    message: str
    entry: Any


_CACHES_TO_REMOVE: set[str] = set()


def _remove_caches() -> None:
    for name in _CACHES_TO_REMOVE:
        with contextlib.suppress(OSError):
            os.remove(name)


def keep_pickle_cache_out(options_map: dict[str, Any]) -> str | None:
    """Beancount's pickle cache of this load is not kept beside the ledger: later loads in
    this process make none, and the one this load is about to write is removed at exit.
    Returns the cache's file name."""
    filename = options_map.get("filename")
    if not filename or os.environ.get("BEANCOUNT_DISABLE_LOAD_CACHE") is not None:
        return None
    pattern = os.environ.get("BEANCOUNT_LOAD_CACHE_FILENAME") or loader.PICKLE_CACHE_FILENAME
    cache = loader.get_cache_filename(pattern, str(filename))
    if not _CACHES_TO_REMOVE:
        atexit.register(_remove_caches)
    _CACHES_TO_REMOVE.add(cache)
    loader.initialize(use_cache=False)
    return cache


def check_assets(entries: list[Any], options_map: dict[str, Any], config: str | None = None):  # type: ignore[no-untyped-def]
    keep_pickle_cache_out(options_map)
    index = books.build(entries)
    books.publish(index, options_map)  # for the caller of the load: one index per load
    if _INDEX_ONLY.get():
        # The caller audits in full: rehashing the sealed entries needs nothing but the
        # entries, so it starts now on a second core while Beancount finishes the load.
        if index.seals:
            index.start_seal_hashes(seal_checks.hash_in_background(entries, index.seals, options_map))
        return entries, []
    # Seals whose files are byte-identical to a state that verified need not be rehashed
    # (assetreg.sealcache); `assetreg audit` always rehashes them.
    state = sealcache.fingerprint(options_map) if index.seals else None
    known_good = sealcache.verified(options_map, state)
    findings = plugin_findings(entries, options_map, index, verify_seals=not known_good)
    findings += markup_findings(entries)
    if state is not None and not known_good and not any(f.check == "seal-broken" for f in findings):
        sealcache.remember(options_map, state)
    errors: list[AssetregPluginError] = []
    fallback = {"filename": str(options_map.get("filename", "<assetreg>")), "lineno": 0}
    for f in findings:
        message = f"[{f.check}] {f.message}"
        if f.check not in _RULE_IN_MESSAGE:
            message += f" ({f.rule})"
        entry = f.entry
        source = entry.meta if entry is not None and getattr(entry, "meta", None) else fallback
        errors.append(AssetregPluginError(source, message, entry))
    return entries, errors
