"""The facts every check reads, gathered in one pass over the entries.

Checks never loop over the whole ledger themselves: they read the lists built here,
so running all of them stays linear in the size of the ledger.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from .. import accounts
from ..contracts import Contract, contracts_from_entries
from ..options import Options, options_from_entries
from ..registry import Registry, registry_from_entries
from ..resolutions import Resolution, make_resolution_check, resolutions_from_entries
from ..seal import Seal, seals_from_entries

ZERO = Decimal(0)
DISCLOSURE_TYPE = "disclosure"
DECISION_TYPE = "decision"


def is_suspense(account: str) -> bool:
    """Accounts where unmatched money waits: the chart's suspense account and any other
    account an importer opens for lines it could not match."""
    return (account == accounts.SUSPENSE or ":Suspense" in account or ":Unmatched" in account
            or "待查明" in account or "未匹配" in account)


@dataclass(slots=True)
class Income:
    """A transaction that books common income (one or more ``Income:Common`` postings)."""

    entry: Any
    gross: Decimal  # income recognised (positive)
    cost: Decimal  # the manager's cost deducted in the same transaction
    assets: list[str]  # asset ids named, in order
    contract: str | None
    period: str | None
    by_account: dict[str, Decimal]
    by_asset: dict[str, Decimal]  # gross per asset (split evenly when several share a posting)
    missing_asset: list[str]  # income accounts posted without any asset named


@dataclass(slots=True)
class Movement:
    date: dt.date
    amount: Decimal
    entry: Any
    contract: str | None = None
    resolution: str | None = None
    account: str = ""


@dataclass
class Context:
    entries: list[Any]
    options_map: dict[str, Any]
    as_of: dt.date
    options: Options
    registry: Registry
    resolutions: dict[str, Resolution]
    contracts: dict[str, Contract]
    contract_entries: dict[str, Any]
    seals: list[Seal]
    income: list[Income] = field(default_factory=list)
    held: list[Movement] = field(default_factory=list)  # HELD_BY_MANAGER postings
    deposits: list[Movement] = field(default_factory=list)
    spending: list[Movement] = field(default_factory=list)  # Expenses other than cost and fees
    allocations: list[Movement] = field(default_factory=list)
    disclosures: list[Any] = field(default_factory=list)
    decisions: list[Any] = field(default_factory=list)
    # running balance of each suspense account: dates and cumulative balances, date-sorted
    suspense: dict[str, tuple[list[dt.date], list[Decimal]]] = field(default_factory=dict)
    seal_malformed: list[Any] = field(default_factory=list)

    def suspense_on(self, day: dt.date) -> dict[str, Decimal]:
        """Balance of each suspense account at the end of ``day``."""
        out: dict[str, Decimal] = {}
        for account, (dates, balances) in self.suspense.items():
            i = bisect.bisect_right(dates, day)
            if i:
                out[account] = balances[i - 1]
        return out

    def option_decimal(self, name: str) -> Decimal:
        return Decimal(self.options.get(name))

    def option_int(self, name: str) -> int:
        return self.options.get_int(name)


_ASSET_IDS: dict[str, list[str]] = {}


def _asset_ids(value: Any) -> list[str]:
    # Memoised: a ledger names the same few thousand asset fields over and over.
    key = str(value)
    ids = _ASSET_IDS.get(key)
    if ids is None:
        ids = [a.strip().upper() for a in key.split(",") if a.strip()]
        if len(_ASSET_IDS) < 100_000:
            _ASSET_IDS[key] = ids
    return ids


def _even_split(n: Decimal, k: int) -> list[Decimal]:
    """``n`` split over ``k`` assets named on one posting, in cents that add up to ``n``
    exactly (the first assets take the odd cents)."""
    cents = n * 100
    if cents != cents.to_integral_value():
        return [n / k] * k
    whole = int(cents)
    base, extra = divmod(abs(whole), k)
    sign = -1 if whole < 0 else 1
    return [Decimal(sign * (base + (1 if i < extra else 0))).scaleb(-2) for i in range(k)]


# What each account is to the audit, worked out once per account name.
_INCOME, _COST, _HELD, _DEPOSIT, _SPEND, _ALLOC, _OTHER = range(7)


def _kind(account: str) -> tuple[int, bool]:
    if account.startswith(accounts.INCOME_ROOT + ":") or account == accounts.INCOME_ROOT:
        kind = _INCOME
    elif account == accounts.MANAGER_COST:
        kind = _COST
    elif account == accounts.HELD_BY_MANAGER:
        kind = _HELD
    elif account == accounts.DEPOSITS:
        kind = _DEPOSIT
    elif account.startswith("Expenses:Allocation:"):
        kind = _ALLOC
    elif account.startswith("Expenses:") and account != accounts.BANK_FEES:
        kind = _SPEND
    else:
        kind = _OTHER
    return kind, is_suspense(account)


def build(entries: list[Any], options_map: dict[str, Any], as_of: dt.date | None = None,
          money: bool = True) -> Context:
    """Gather the facts. ``money=False`` skips the lists only the money checks read
    (remittances, deposits, spending), which the plugin usually does not run."""
    resolutions = resolutions_from_entries(entries)
    contracts = contracts_from_entries(entries)
    ctx = Context(
        entries=entries,
        options_map=options_map,
        as_of=as_of or dt.date.today(),
        options=options_from_entries(entries),
        registry=registry_from_entries(entries, make_resolution_check(resolutions)),
        resolutions=resolutions,
        contracts=contracts,
        contract_entries={},
        seals=seals_from_entries(entries),
    )
    suspense: dict[str, tuple[list[dt.date], list[Decimal]]] = defaultdict(lambda: ([], []))
    Transaction, Custom = data.Transaction, data.Custom
    kinds: dict[str, tuple[int, bool]] = {}
    for e in entries:
        t = type(e)
        if t is Custom:
            if e.type == DISCLOSURE_TYPE:
                ctx.disclosures.append(e)
            elif e.type == DECISION_TYPE:
                ctx.decisions.append(e)
            elif e.type == "contract" and len(e.values) >= 2 and e.values[1].value == "recorded":
                ctx.contract_entries.setdefault(str(e.values[0].value), e)
            elif e.type == "seal" and (not e.values or not e.meta.get("hash")):
                ctx.seal_malformed.append(e)
            continue
        if t is not Transaction or e.flag == "P":
            continue
        m = e.meta
        gross = cost = ZERO
        income_accounts: dict[str, Decimal] | None = None
        by_asset: dict[str, Decimal] = {}
        named: list[str] = []
        missing: list[str] = []
        for p in e.postings:
            account = p.account
            units = p.units
            if units is None or units.number is None:
                continue
            n = units.number
            kind_s = kinds.get(account)
            if kind_s is None:
                kind_s = kinds[account] = _kind(account)
            kind, in_suspense = kind_s
            if kind == _INCOME:
                gross -= n
                if income_accounts is None:
                    income_accounts = {}
                income_accounts[account] = income_accounts.get(account, ZERO) - n
                value = (p.meta and p.meta.get("asset")) or m.get("asset")
                ids = _asset_ids(value) if value else []
                if not ids:
                    missing.append(account)
                elif len(ids) == 1:
                    a = ids[0]
                    if a not in named:
                        named.append(a)
                    by_asset[a] = by_asset.get(a, ZERO) - n
                else:
                    for a, part in zip(ids, _even_split(n, len(ids)), strict=True):
                        if a not in named:
                            named.append(a)
                        by_asset[a] = by_asset.get(a, ZERO) - part
            elif kind == _COST:
                cost += n
            elif not money:
                pass
            elif kind == _HELD:
                ctx.held.append(Movement(e.date, n, e))
            elif kind == _DEPOSIT:
                pm = p.meta or {}
                ctx.deposits.append(Movement(e.date, n, e, str(pm.get("contract") or m.get("contract") or "") or None))
            elif kind in (_SPEND, _ALLOC):
                pm = p.meta or {}
                mv = Movement(e.date, n, e, resolution=str(pm.get("resolution") or m.get("resolution") or "") or None,
                              account=account)
                ctx.spending.append(mv)
                if kind == _ALLOC:
                    ctx.allocations.append(mv)
            if in_suspense:
                dates, balances = suspense[account]
                prev = balances[-1] if balances else ZERO
                if dates and dates[-1] == e.date:
                    balances[-1] = prev + n
                else:
                    dates.append(e.date)
                    balances.append(prev + n)
        if income_accounts is not None:
            contract = m.get("contract")
            period = m.get("period")
            ctx.income.append(Income(
                e, gross, cost, named, str(contract) if contract else None,
                str(period) if period else None, income_accounts, by_asset, missing))
    ctx.suspense = dict(suspense)
    return ctx
