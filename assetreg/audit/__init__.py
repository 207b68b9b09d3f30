"""Auditor checks over a compound's ledger.

Each check family is a small module; each check reads the facts gathered in one pass
(:mod:`assetreg.audit.context`) and returns :class:`Finding` objects naming the check,
its severity (error | warning | info), the entries concerned (file:line), the facts,
the rule or legal source, and a message.

:func:`run_checks` is what the CLI (``assetreg audit``) and Fava's audit page call; the
Beancount plugin calls :func:`plugin_findings`, which runs only the checks that make
the books wrong (plus any the compound lists in its ``audit-errors`` option).

=========================  ========  ==================================================
check id                   severity  what it finds
=========================  ========  ==================================================
registry                   error     an illegal step in an asset's 确权 history
income-asset               error     income naming no asset, or an unknown one
income-unconfirmed         error     income on an asset not confirmed that day (Art. 282)
income-no-contract         error     income without a contract in force (or covering the asset)
contract-gate              error     income on a contract whose decision is not "permitted"
                                     or whose terms no longer match its content_hash
contract-regate            error     a recorded contract that would not pass the policy gate
                                     again (set it was recorded under, facts as then)
contract-regate-policy-changed  warning  the same, when the set has changed since it was
                                     recorded (judged by today's set on the signing day)
manager-cost               warning   cost deducted above the agreed share (Art. 282)
billing-arrears            warning   a billing period paid less than due, after the grace days
billing-overpaid           warning   a period paid more than due, or not billed at all
allocation-split           warning   less than ``maintenance-share-min`` of the net to the
                                     maintenance fund (Regulations Art. 54)
spending-no-resolution     warning   spending citing no resolution that passed by its date
allocation-overdrawn       warning   an allocation that took 期末累计未分配 below zero
remittance-late            warning   collected income passed on after ``remittance-days``
remittance-aging           warning   collected income still held past ``remittance-days``
deposit-unlinked           warning   a deposit movement naming no contract
deposit-unreturned         warning   a deposit held after its contract ended
deposit-held               info      deposits held against contracts
disclosure-overdue         warning   a period not disclosed in time (Arts. 281, 943)
suspense-balance           warning   a suspense line still open (one finding per line, with its age)
suspense-at-seal           error     money in suspense at a sealed date
seal-broken                error     an entry in a sealed period edited, inserted or deleted
=========================  ========  ==================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from ..books import Books, no_gc
from ..books import of as books_of
from ..options import Options
from . import (
    approvals,
    billing,
    disclosure_due,
    documents,
    income,
    money,
    regatecache,
    seals,
    unrecorded,
    uses,
)
from .context import Context
from .findings import SEVERITIES, Finding

__all__ = ["BOOK_ERRORS", "CHECKS", "SEVERITIES", "Context", "Finding", "context", "plugin_findings",
           "run_checks"]

Check = Callable[[Context], list[Finding]]

# Families in report order, with the check ids each can emit.
CHECKS: dict[str, tuple[Check, tuple[str, ...]]] = {
    "registry": (income.check_registry, ("registry",)),
    "assets": (income.check_assets, ("income-asset", "income-unconfirmed")),
    "contracts": (income.check_contracts, ("income-no-contract", "contract-gate")),
    "regate": (regatecache.check_regate, ("contract-regate", "contract-regate-policy-changed")),
    "manager-cost": (income.check_manager_cost, ("manager-cost",)),
    "billing": (billing.check_billing, ("billing-arrears", "billing-overpaid")),
    "allocation": (uses.check_allocation, ("allocation-split",)),
    "spending": (uses.check_spending, ("spending-no-resolution",)),
    "undistributed": (uses.check_undistributed, ("allocation-overdrawn",)),
    "remittance": (money.check_remittance, ("remittance-late", "remittance-aging")),
    "deposits": (money.check_deposits, ("deposit-unlinked", "deposit-unreturned", "deposit-held")),
    "disclosure": (disclosure_due.check_disclosure, ("disclosure-overdue",)),
    "suspense": (money.check_suspense, ("suspense-balance", "suspense-at-seal")),
    "seals": (seals.check_seals, ("seal-broken",)),
    "approvals": (approvals.check_payments, ("payment-unapproved", "payment-approved-late",
                                             "payment-self-approval", "payment-hash-mismatch")),
    "vouchers": (approvals.check_vouchers, ("voucher-missing", "voucher-changed")),
    "seal-manifests": (seals.check_manifests, ("seal-manifest",)),
    "history": (unrecorded.check_unrecorded, ("ledger-unrecorded", "history-missing")),
    "evidence": (documents.check_evidence, ("evidence-changed", "evidence-unhashed")),
}

CHECK_IDS: tuple[str, ...] = tuple(i for _, ids in CHECKS.values() for i in ids)

# What makes the books wrong: bean-check (through the plugin) fails on these.
BOOK_ERRORS = frozenset({
    "registry", "income-asset", "income-unconfirmed", "income-no-contract", "contract-gate",
    "seal-broken", "suspense-at-seal", "seal-manifest", "contract-regate",
})


def run_checks(entries: list[Any], options_map: dict[str, Any] | None = None,
               as_of: dt.date | None = None, only: Iterable[str] | None = None,
               books: Books | None = None, parallel: bool = False) -> list[Finding]:
    """Run every check (or the families in ``only``) and return the findings, errors first.

    ``books`` is the load's index when the caller has it; else the one the plugin left
    with ``options_map``, else a new one (:func:`assetreg.books.of`). ``parallel`` hashes
    the sealed entries in a forked worker meanwhile (a command-line run; not in a server)."""
    wanted = set(only) if only is not None else set(CHECKS)
    out: list[Finding] = []
    with no_gc():
        ctx = context(entries, options_map, as_of, books)
        hashes = None
        if "seals" in wanted:
            # Started during the load when the plugin could (see plugin.index_only): always
            # collected, or the forked worker's hashing is wasted and it lingers unreaped
            # (a district build's index-only loads did that); else started now if asked.
            hashes = ctx.books.take_seal_hashes()
            if hashes is None and parallel:
                hashes = seals.hash_in_background(entries, ctx.books.seals, ctx.options_map)
        for name, (check, _) in CHECKS.items():
            if name not in wanted:
                continue
            if name == "seals" and hashes is not None:
                out.extend(seals.check_seals(ctx, now=hashes()))
            else:
                out.extend(check(ctx))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(out, key=lambda f: order[f.severity])  # stable: family order within a severity


def context(entries: list[Any], options_map: dict[str, Any] | None = None,
            as_of: dt.date | None = None, books: Books | None = None) -> Context:
    """What the checks read: the load's index and the audit date (default today)."""
    options_map = options_map or {}
    return Context(books or books_of(entries, options_map), entries, options_map,
                   as_of or dt.date.today())


def plugin_error_ids(options: Options) -> set[str]:
    extra = {x.strip() for x in options.get("audit-errors").split(",") if x.strip()}
    return set(BOOK_ERRORS) | (extra & set(CHECK_IDS))


def plugin_findings(entries: list[Any], options_map: dict[str, Any],
                    books: Books | None = None, verify_seals: bool = True) -> list[Finding]:
    """The findings bean-check reports as errors: the book-wrong checks, plus the check ids
    the compound lists in ``audit-errors``. The audit date
    is as of the day bean-check runs (or the last entry, if later). ``verify_seals=False``
    leaves out rehashing the sealed entries (the caller knows they verified)."""
    last = entries[-1].date if entries else dt.date.today()
    out: list[Finding] = []
    with no_gc():
        ctx = context(entries, options_map, max(last, dt.date.today()), books)
        ids = plugin_error_ids(ctx.books.options)
        for name, (check, emits) in CHECKS.items():
            if not ids.intersection(emits) or (name == "seals" and not verify_seals):
                continue
            if name == "regate":  # skipped for a state that re-gated clean (regatecache)
                check = regatecache.check_regate_cached
            # A broken seal is named entry by entry here too: that costs a second pass,
            # but only when a seal is broken.
            out.extend(f for f in check(ctx) if f.check in ids)
    return out
