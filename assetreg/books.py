"""The ledger index: every fact assetreg derives from a compound's entries, built once per load.

The Beancount plugin, the audit, the residents' pages, the disclosure and the importers
all read the books through this one index, so a figure is computed by one rule in one
place: the registry replayed, resolutions, contracts with their billing schedules, the
roster, consents of affected owners, the parking waiting list, options and seals; every
income transaction with its gross, cost and per-asset split; the manager's cost,
allocations, spending, deposits, money held by the manager and suspense balances, as
dated movements.

One pass over the entries sorts them: transactions are indexed posting by posting, and
``custom`` directives are grouped by type so each model replays only its own. Nothing
here knows the date of today: checks and pages add their own ``as_of``.

Income is a posting to an ``Income:Common:…`` account. Its asset(s) are read from the
posting's ``asset`` metadata, else the transaction's (several separated by commas, the
amount split evenly to the cent by :func:`assetreg.shares.even_split`); its contract and
billing period from the transaction's ``contract`` and ``period`` metadata::

    2024-05-31 * "物业公司" "5月停车费"
      asset: "P-001"
      contract: "C-2024-001"
      period: "2024-05"
      Assets:Receivable:物业代收   150.00 CNY
      Income:Common:停车位        -150.00 CNY

Loading through Beancount, the plugin builds the index and leaves it with the load's
options map (the only channel a plugin has to its caller); :func:`of` picks it up there,
so ``assetreg audit``, ``assetreg serve`` and Fava index a load once.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from beancount.core import data

from . import accounts, periods
from .consents import AFFECTED_TYPE, CONSENT_TYPE, Consents, consents_from_entries
from .contracts import Contract, Due, contracts_from_entries, schedule
from .options import Options, options_from_entries
from .registry import ASSET_TYPE, Registry, registry_from_entries
from .resolutions import (
    RESOLUTION_TYPE,
    Resolution,
    make_resolution_check,
    resolutions_from_entries,
)
from .seal import SEAL_TYPE, Seal, seals_from_entries
from .shares import even_split, largest_remainder
from .units import UNIT_TYPE, Roster, roster_from_entries
from .vocab import ZERO
from .waitlist import WAITLIST_TYPE, WaitList, waitlist_from_entries

DISCLOSURE_TYPE = "disclosure"
DECISION_TYPE = "decision"
CONTRACT_TYPE = "contract"
OPTION_TYPE = "assetreg-option"

# Where a load's index waits for its caller (see :func:`of`).
_OPTIONS_KEY = "__assetreg_books__"


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
    contract: str | None
    period: str | None
    by_account: dict[str, Decimal]
    by_asset: dict[str, Decimal]  # gross per asset, in the order named (split evenly when several share a posting)
    missing_asset: Sequence[str]  # income accounts posted without any asset named

    @property
    def date(self) -> dt.date:
        d: dt.date = self.entry.date
        return d

    @property
    def assets(self) -> list[str]:
        """The asset ids named, in order."""
        return list(self.by_asset)


@dataclass(slots=True)
class Movement:
    """One posting of money that is not income: cost, allocation, spending, deposit, held."""

    date: dt.date
    amount: Decimal
    entry: Any
    contract: str | None = None
    resolution: str | None = None
    account: str = ""


@dataclass
class Books:
    entries: list[Any]  # as indexed
    options: Options
    registry: Registry
    resolutions: dict[str, Resolution]
    contracts: dict[str, Contract]
    contract_entries: dict[str, Any]  # contract id -> its "recorded" entry
    seals: list[Seal]
    roster: Roster
    unit_entries: list[Any]  # the roster's entries, for the roster as of a day
    income: list[Income] = field(default_factory=list)
    # Transactions with money other than income (cost, held, deposits, spending), as the
    # pass met them. The bean-check plugin reads none of it: the lists below are made on
    # first use, so a load allocates nothing per such posting.
    _moves: list[Any] = field(default_factory=list)
    _kinds: dict[str, tuple[int, bool]] = field(default_factory=dict)
    _movements: dict[int, list[Movement]] | None = None
    disclosures: list[Any] = field(default_factory=list)
    decisions: list[Any] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # filenames of ``document`` entries
    # running balance of each suspense account: dates and cumulative balances, date-sorted
    suspense: dict[str, tuple[list[dt.date], list[Decimal]]] = field(default_factory=dict)
    # the transactions posting to a suspense account, for the lines (assetreg.suspense)
    suspense_entries: list[Any] = field(default_factory=list)
    seal_malformed: list[Any] = field(default_factory=list)
    income_by_asset: dict[str, list[tuple[Income, Decimal]]] = field(default_factory=dict)
    income_by_contract: dict[str, list[Income]] = field(default_factory=dict)
    contracts_by_asset: dict[str, list[Contract]] = field(default_factory=dict)
    # Consents of affected owners with the affected-units lists, and the parking waiting list.
    consents: Consents = field(default_factory=Consents)
    waitlist: WaitList = field(default_factory=WaitList)
    padding: int = 0  # padding transactions among the entries (not indexed)
    # The seals' hashes being computed in a worker since the load, for the audit to collect.
    _seal_hashes: Callable[[], dict[dt.date, tuple[str, int]]] | None = None
    _schedules: dict[tuple[Any, ...], tuple[list[Due], frozenset[str]]] = field(default_factory=dict)
    _weights: dict[tuple[dt.date, str], dict[str, Fraction]] = field(default_factory=dict)

    # ---------------------------------------------------------------- settings

    # A setting read for a fact is the one in force on the fact's day (``on``); without a
    # day, the one in force today (assetreg.options).

    def option_decimal(self, name: str, on: dt.date | None = None) -> Decimal:
        return Decimal(self.options.get(name, on))

    def option_int(self, name: str, on: dt.date | None = None) -> int:
        return self.options.get_int(name, on)

    def frequency_on(self, day: dt.date | None) -> str:
        """The disclosure frequency on ``day`` (half-year when the option is not one of the words)."""
        f = self.options.get("disclosure-frequency", day)
        return f if f in periods.FREQUENCY_MONTHS else periods.DEFAULT_FREQUENCY

    @property
    def frequency(self) -> str:
        return self.frequency_on(None)

    def share_basis_on(self, day: dt.date | None) -> str:
        return "unit" if self.options.get("share-basis", day) == "unit" else "area"

    @property
    def share_basis(self) -> str:
        return self.share_basis_on(None)

    def start_seal_hashes(self, hashes: Callable[[], dict[dt.date, tuple[str, int]]]) -> None:
        self._seal_hashes = hashes

    def take_seal_hashes(self) -> Callable[[], dict[dt.date, tuple[str, int]]] | None:
        """The seal hashes started during the load, once (None when nothing was started)."""
        hashes, self._seal_hashes = self._seal_hashes, None
        return hashes

    # ---------------------------------------------------------------- money movements

    @property
    def costs(self) -> list[Movement]:
        """The manager's cost deducted (Art. 282): every posting to its account."""
        return self._movement_lists()[_COST]

    @property
    def held(self) -> list[Movement]:
        """Money collected by the manager and owed to the owners (HELD_BY_MANAGER postings)."""
        return self._movement_lists()[_HELD]

    @property
    def deposits(self) -> list[Movement]:
        return self._movement_lists()[_DEPOSIT]

    @property
    def spending(self) -> list[Movement]:
        """Expenses other than the manager's cost and bank fees (allocations included)."""
        return self._movement_lists()[_SPEND]

    @property
    def allocations(self) -> list[Movement]:
        """Net income allocated (``Expenses:Allocation:…``)."""
        return self._movement_lists()[_ALLOC]

    def _movement_lists(self) -> dict[int, list[Movement]]:
        if self._movements is None:
            with no_gc():
                self._movements = self._read_movements()
        return self._movements

    def _read_movements(self) -> dict[int, list[Movement]]:
        out: dict[int, list[Movement]] = {k: [] for k in (_COST, _HELD, _DEPOSIT, _SPEND, _ALLOC)}
        kinds = self._kinds
        for e in self._moves:
            for p in e.postings:
                units = p.units
                if units is None or units.number is None:
                    continue
                kind = kinds[p.account][0]
                if kind in (_INCOME, _OTHER):
                    continue
                n = units.number
                if kind == _COST:
                    out[_COST].append(Movement(e.date, n, e, account=p.account))
                elif kind == _HELD:
                    out[_HELD].append(Movement(e.date, n, e))
                elif kind == _DEPOSIT:
                    out[_DEPOSIT].append(Movement(e.date, n, e, _meta_text(p.meta, e.meta, "contract")))
                else:
                    mv = Movement(e.date, n, e, resolution=_meta_text(p.meta, e.meta, "resolution"),
                                  account=p.account)
                    out[_SPEND].append(mv)
                    if kind == _ALLOC:
                        out[_ALLOC].append(mv)
        return out

    # ---------------------------------------------------------------- derived facts

    def suspense_on(self, day: dt.date) -> dict[str, Decimal]:
        """Balance of each suspense account at the end of ``day``."""
        out: dict[str, Decimal] = {}
        for account, (dates, balances) in self.suspense.items():
            i = bisect.bisect_right(dates, day)
            if i:
                out[account] = balances[i - 1]
        return out

    def schedule(self, contract: Contract) -> tuple[list[Due], frozenset[str]]:
        """A contract's billing schedule and its period keys (empty when it bills nothing).

        Contracts on the same terms share one schedule (often hundreds of parking spaces do)."""
        if not ("start" in contract.terms and "end" in contract.terms and contract.price > 0):
            return [], frozenset()
        terms = (contract.start, contract.end, contract.period, contract.price)
        found = self._schedules.get(terms)
        if found is None:
            dues = schedule(contract)
            found = self._schedules[terms] = (dues, frozenset(d.period for d in dues))
        return found

    def roster_on(self, day: dt.date) -> Roster:
        """The roster as it stood at the end of ``day``."""
        return roster_from_entries(e for e in self.unit_entries if e.date <= day)

    def unit_weights(self, day: dt.date) -> dict[str, Fraction]:
        """Each unit's weight in the shares of net income (Art. 283) among the units on the
        roster at the end of ``day``: its exclusive area, or 1 where ``share-basis`` (in force
        that day) is unit."""
        basis = self.share_basis_on(day)
        key = (day, basis)
        found = self._weights.get(key)
        if found is None:
            roster = self.roster_on(day)
            if basis == "unit":
                found = {n: Fraction(1) for n in roster.units}
            else:
                found = {n: Fraction(u.area) for n, u in roster.units.items()}
            self._weights[key] = found
        return found

    def unit_shares(self, net: Decimal, day: dt.date) -> dict[str, Decimal]:
        """``net`` shared among the units on the roster at ``day``, to the cent, adding up."""
        return largest_remainder(net, self.unit_weights(day))


# ------------------------------------------------------------------ building

_ASSET_IDS: dict[str, list[str]] = {}


def asset_ids(value: Any) -> list[str]:
    """The asset ids named in an ``asset`` field ("P-001, P-002"), upper-cased."""
    # Memoised: a ledger names the same few thousand asset fields over and over.
    key = str(value)
    ids = _ASSET_IDS.get(key)
    if ids is None:
        ids = [a.strip().upper() for a in key.split(",") if a.strip()]
        if len(_ASSET_IDS) < 100_000:
            _ASSET_IDS[key] = ids
    return ids


# What each account is to the index, worked out once per account name.
_INCOME, _COST, _HELD, _DEPOSIT, _SPEND, _ALLOC, _OTHER = range(7)


def _kind(account: str) -> tuple[int, bool]:
    if accounts.is_common_income(account):
        kind = _INCOME
    elif account == accounts.MANAGER_COST:
        kind = _COST
    elif account == accounts.HELD_BY_MANAGER:
        kind = _HELD
    elif account == accounts.DEPOSITS:
        kind = _DEPOSIT
    elif account.startswith(accounts.ALLOCATION_ROOT + ":"):
        kind = _ALLOC
    elif account.startswith("Expenses:") and account != accounts.BANK_FEES:
        kind = _SPEND
    else:
        kind = _OTHER
    return kind, is_suspense(account)


def _meta_text(posting_meta: dict[str, Any] | None, meta: dict[str, Any], key: str) -> str | None:
    value = (posting_meta and posting_meta.get(key)) or meta.get(key)
    return str(value) if value else None


def build(entries: Sequence[Any]) -> Books:
    """Index the entries (one pass, then one replay per model over its own directives)."""
    with no_gc():
        return _build(list(entries))


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Indexing and checking allocate many small objects but no cycles; with hundreds of
    thousands of entries alive, the cyclic collector would rescan them all again and
    again (it made the index five times slower inside a load)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(entries: list[Any]) -> Books:
    customs: dict[str, list[Any]] = defaultdict(list)
    transactions: list[Any] = []
    documents: list[str] = []
    padding = 0
    Transaction, Custom, Document = data.Transaction, data.Custom, data.Document
    for e in entries:
        t = type(e)
        if t is Transaction:
            if e.flag != "P":  # padding derived by beancount from ``pad``: not the treasurer's
                transactions.append(e)
            else:
                padding += 1
        elif t is Custom:
            customs[e.type].append(e)
        elif t is Document:
            documents.append(str(e.filename))
    resolutions = resolutions_from_entries(customs[RESOLUTION_TYPE])
    contracts = contracts_from_entries(customs[CONTRACT_TYPE])
    books = Books(
        entries=entries,
        options=options_from_entries(customs[OPTION_TYPE]),
        registry=registry_from_entries(customs[ASSET_TYPE], make_resolution_check(resolutions)),
        resolutions=resolutions,
        contracts=contracts,
        contract_entries={},
        seals=seals_from_entries(customs[SEAL_TYPE]),
        roster=roster_from_entries(customs[UNIT_TYPE]),
        unit_entries=customs[UNIT_TYPE],
        disclosures=customs[DISCLOSURE_TYPE],
        decisions=customs[DECISION_TYPE],
        documents=documents,
        consents=consents_from_entries([*customs[CONSENT_TYPE], *customs[AFFECTED_TYPE]]),
        waitlist=waitlist_from_entries(customs[WAITLIST_TYPE]),
        padding=padding,
    )
    for e in customs[CONTRACT_TYPE]:
        if len(e.values) >= 2 and e.values[1].value == "recorded":
            books.contract_entries.setdefault(str(e.values[0].value), e)
    books.seal_malformed = [e for e in customs[SEAL_TYPE] if not e.values or not e.meta.get("hash")]
    _index_transactions(books, transactions)
    for inc in books.income:
        for a, amount in inc.by_asset.items():
            books.income_by_asset.setdefault(a, []).append((inc, amount))
        if inc.contract:
            books.income_by_contract.setdefault(inc.contract, []).append(inc)
    for c in contracts.values():
        for a in c.assets:
            books.contracts_by_asset.setdefault(a.upper(), []).append(c)
    return books


def _index_transactions(books: Books, transactions: list[Any]) -> None:
    # The hot loop of every load (the bean-check plugin runs it): locals for the lookups,
    # one kind per account name, and nothing allocated per posting that is not income.
    suspense: dict[str, tuple[list[dt.date], list[Decimal]]] = defaultdict(lambda: ([], []))
    kinds = books._kinds
    income = books.income
    add_move = books._moves.append
    in_suspense_entries = books.suspense_entries
    no_missing: tuple[str, ...] = ()
    for e in transactions:
        gross = cost = ZERO
        income_accounts: dict[str, Decimal] | None = None
        by_asset: dict[str, Decimal] = {}
        missing: Sequence[str] = no_missing
        moves = False
        for p in e.postings:
            units = p.units
            if units is None:
                continue
            n = units.number
            if n is None:
                continue
            account = p.account
            kind_s = kinds.get(account)
            if kind_s is None:
                kind_s = kinds[account] = _kind(account)
            kind, in_suspense = kind_s
            if kind == _INCOME:
                gross -= n
                if income_accounts is None:
                    income_accounts = {account: -n}
                else:
                    income_accounts[account] = income_accounts.get(account, ZERO) - n
                pm = p.meta
                value = (pm and pm.get("asset")) or e.meta.get("asset")
                ids = asset_ids(value) if value else ()
                if not ids:
                    missing = [*missing, account]
                elif len(ids) == 1:
                    a = ids[0]
                    by_asset[a] = by_asset.get(a, ZERO) - n
                else:
                    for a, part in zip(ids, even_split(n, len(ids)), strict=True):
                        by_asset[a] = by_asset.get(a, ZERO) - part
            elif kind != _OTHER:
                if kind == _COST:
                    cost += n
                moves = True
            if in_suspense:
                if not in_suspense_entries or in_suspense_entries[-1] is not e:
                    in_suspense_entries.append(e)
                dates, balances = suspense[account]
                prev = balances[-1] if balances else ZERO
                if dates and dates[-1] == e.date:
                    balances[-1] = prev + n
                else:
                    dates.append(e.date)
                    balances.append(prev + n)
        if moves:
            add_move(e)
        if income_accounts is not None:
            m = e.meta
            contract = m.get("contract")
            period = m.get("period")
            income.append(Income(
                e, gross, cost, str(contract) if contract else None,
                str(period) if period else None, income_accounts, by_asset, missing))
    books.suspense = dict(suspense)


# ------------------------------------------------------------------ one index per load

def publish(books: Books, options_map: dict[str, Any]) -> None:
    """Leave the index with a load's options map, for :func:`of` (called by the plugin)."""
    options_map[_OPTIONS_KEY] = books


def of(entries: Sequence[Any], options_map: dict[str, Any] | None) -> Books:
    """The index of a load: the one the plugin built while Beancount loaded it, else a new one.

    The plugin sees the entries before Beancount's own ``pad`` and ``balance`` steps, which
    add padding transactions (the index skips them) and fill in balance results (the index
    holds no balances), so its index holds for the loaded entries too. Entries that are not
    that load's (say, the ledger with a transaction's staged entries added, passed with the
    same options map) are indexed anew."""
    found = options_map.get(_OPTIONS_KEY) if options_map else None
    if isinstance(found, Books) and _same_load(found, entries):
        return found
    return build(entries)


def _same_load(books: Books, entries: Sequence[Any]) -> bool:
    if entries is books.entries:
        return True
    Transaction = data.Transaction
    padding = sum(1 for e in entries if type(e) is Transaction and e.flag == "P")
    return len(entries) - padding == len(books.entries) - books.padding
