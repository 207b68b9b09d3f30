"""The residents' pages in Fava: thin classes handing :mod:`assetreg.views` results to templates.

Each class is one entry in Fava's sidebar; its template is ``templates/<Class>.html``.
The books are indexed once per load of the ledger (and once per day, since "this year"
and "in force" depend on the date) and shared by all five pages of that ledger.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from fava.ext import FavaExtensionBase
from flask import request

from .. import views
from ..vocab import CONTRACT_STATE_LABELS, KINDS, STATUS_LABELS, USES, ZONES

# The query-string keys of the lists' filters, search and pages.
FILTERS = ("kind", "status", "zone", "q", "state", "use", "page")

_LOCK = threading.Lock()
# FavaLedger has __slots__ (no weak references, no extra attributes), so the index is
# kept here by the ledger's id, holding the ledger and its entry list so neither id can
# be reused while cached; the oldest ledgers drop out beyond a handful.
_CACHE: OrderedDict[int, tuple[Any, Any, dt.date, views.Books]] = OrderedDict()
_CACHE_SIZE = 16


# Whether to compute every page's summary in a background thread after each load, so the
# first visitor of the audit or contracts page does not wait for it (off for benchmarks
# measuring a cold page).
WARM_AFTER_LOAD = True


def books_for(ledger: Any) -> views.Books:
    """The view index of a Fava ledger, rebuilt only when its entries (or the day) change."""
    today = dt.date.today()
    entries = ledger.all_entries
    with _LOCK:
        hit = _CACHE.get(id(ledger))
        if hit is not None and hit[1] is entries and hit[2] == today:
            _CACHE.move_to_end(id(ledger))
            return hit[3]
        books = views.build_books(entries, ledger.options,
                                  Path(ledger.beancount_file_path).parent, today)
        _CACHE[id(ledger)] = (ledger, entries, today, books)
        _CACHE.move_to_end(id(ledger))
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    if WARM_AFTER_LOAD:
        threading.Thread(target=_warm, args=(books,), name="assetreg-warm", daemon=True).start()
    return books


def _warm(books: views.Books) -> None:
    # A failure here shows up again, with its message, when the page itself is requested.
    with contextlib.suppress(Exception):
        views.warm(books)


class _ResidentsPage:
    """What every page shares; not itself a Fava extension (Fava instantiates every subclass)."""

    ledger: Any

    @property
    def books(self) -> views.Books:
        return books_for(self.ledger)

    def after_load_file(self) -> None:
        # Index right after (re)loading so the first visitor does not wait for it.
        books_for(self.ledger)

    @staticmethod
    def yuan(amount: Any) -> str:
        return views.yuan(amount)

    @staticmethod
    def arg(name: str) -> str:
        return (request.args.get(name) or "").strip()

    @staticmethod
    def args_without(*names: str) -> dict[str, str]:
        """The query string's filters, less ``names`` (links that change one filter keep the rest).

        Only the lists' own filters: any other key (say ``extension_name``) is dropped, not
        passed on to ``url_for``."""
        return {k: v[:100] for k, v in request.args.items() if k in FILTERS and k not in names and v}

    @property
    def kinds(self) -> dict[str, str]:
        return KINDS

    @property
    def zones(self) -> dict[str, str]:
        return ZONES


class AssetRegistry(_ResidentsPage, FavaExtensionBase):
    """共有资产: every asset, filterable by kind and status; an asset's own page."""

    report_title = "共有资产"

    def page(self) -> views.RegistryPage:
        return views.registry_page(self.books, self.arg("kind") or None, self.arg("status") or None,
                                   self.arg("zone") or None, self.arg("q") or None)

    def paged(self, page: views.RegistryPage) -> views.Paged[views.AssetRow]:
        return views.paginate(page.rows, self.arg("page"))

    def chart(self) -> str:
        return views.confirmation_chart(self.books)

    def asset(self) -> views.AssetPage | None:
        asset_id = self.arg("asset")
        return views.asset_page(self.books, asset_id) if asset_id else None

    @property
    def statuses(self) -> dict[str, str]:
        return STATUS_LABELS


class Contracts(_ResidentsPage, FavaExtensionBase):
    """经营合同: contracts with their policy decisions, resolutions and billing; rejected proposals."""

    report_title = "经营合同"

    def page(self) -> views.ContractsPage:
        return views.contracts_page(self.books)

    def state(self) -> str:
        """The state shown: in force unless the query string asks for another (or 'all')."""
        state = self.arg("state")
        return state if state in (*CONTRACT_STATE_LABELS, "all") else "in-force"

    def listed(self) -> tuple[views.ContractSummary, ...]:
        state = self.state()
        return views.contract_list(self.books, None if state == "all" else state,
                                   self.arg("use") or None, self.arg("kind") or None,
                                   self.arg("zone") or None, self.arg("q") or None)

    def paged(self, rows: tuple[views.ContractSummary, ...]) -> views.Paged[views.ContractSummary]:
        return views.paginate(rows, self.arg("page"))

    @property
    def states(self) -> dict[str, str]:
        return CONTRACT_STATE_LABELS

    @property
    def uses(self) -> dict[str, str]:
        return USES

    def contract(self) -> views.ContractSummary | None:
        cid = self.arg("contract")
        return views.contract_page(self.books, cid) if cid else None


class IncomeDisclosure(_ResidentsPage, FavaExtensionBase):
    """收益公示: income by period and kind, cost, net, where it went; a unit's share."""

    report_title = "收益公示"

    def page(self) -> views.IncomePage:
        return views.income_page(self.books)

    def lead(self) -> views.IncomeLead:
        return views.income_lead(self.books)

    def charts(self) -> views.IncomeCharts:
        return views.income_charts(self.books)

    def vouchers(self) -> views.VouchersPage:
        return views.vouchers_page(self.books, self.arg("vperiod") or None)

    def voucher_lines(self, page: views.VouchersPage) -> views.Paged[views.VoucherLine]:
        return views.paginate(page.lines, self.arg("page"))

    def unit(self) -> views.UnitShare | None:
        number = self.arg("unit")
        return views.unit_share(self.books, number, self.arg("period") or None) if number else None


class PolicyLists(_ResidentsPage, FavaExtensionBase):
    """政策清单: the negative and guidance lists in force."""

    report_title = "政策清单"

    def page(self) -> views.PolicyPage:
        return views.policy_page(self.books)


class SealsAudit(_ResidentsPage, FavaExtensionBase):
    """审计: the latest audit findings and sealed periods."""

    report_title = "审计"

    def page(self) -> views.AuditPage:
        return views.audit_page(self.books)
