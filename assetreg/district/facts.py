"""One compound's facts for the district, taken from its loaded ledger's index.

:func:`facts` is a pure function of a load (entries, errors, options map) and a day: it
reads the index the plugin built (:func:`assetreg.books.of`), runs the compound's own
audit on it (:func:`assetreg.audit.run_checks`) and its own disclosure figures
(:func:`assetreg.disclosure.build`), so every figure the district shows is the figure the
compound shows itself. Nothing here touches files or the district store, so a
distributed engine (Dask, Ray, Spark) can map it over compounds as it is.

No owner key, name or phone leaves the compound: only counts, sums and contract terms
(use, price, period, the number of assets and their area).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from .. import accounts, periods
from ..audit import run_checks
from ..books import Books
from ..books import of as books_of
from ..contracts import Contract
from ..disclosure import build as build_disclosure
from ..ledger import Loaded, error_source
from ..options import OPTION_TYPE
from ..vocab import CENT, STATUS_LABELS, ZERO

# Bumped when the facts change shape or meaning: a store built by another version reloads.
FACTS_VERSION = "3"

# Beancount errors that mean a file could not be read at all: the compound is kept out.
BROKEN_ERRORS = frozenset({"LexerError", "ParserError", "ParserSyntaxError", "LoadError"})

SHARING_OPTION = "district-sharing"  # "beyond-district" (default) | "district-only"

# Uses whose price compares per square metre of room rather than per asset.
PER_AREA_USES = frozenset({"community-room", "storage", "catering"})

_AREA = re.compile(r"(\d+(?:\.\d+)?)\s*(?:㎡|m2|m²|平方米|平米)")


class BrokenLedger(Exception):
    """The compound's files do not load (syntax, a missing include, …)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if errors else "ledger does not load")
        self.errors = errors


@dataclass(frozen=True)
class ContractFact:
    """A contract's terms as the district compares them (no counterparty)."""

    contract: str
    use: str
    period: str  # month | quarter | half-year | year | once
    price: Decimal  # per billing period, as agreed
    start: dt.date
    end: dt.date  # last day in force
    in_force: bool  # on the facts' day
    assets: int
    area: Decimal | None  # m² of the rooms let, when the registry gives their size
    unit_price: Decimal  # per month per asset, or per month per m² for rooms
    basis: str  # "asset" | "m2"


@dataclass(frozen=True)
class CompoundFacts:
    compound: str  # folder name
    name: str  # compound-name option
    district: str  # policy-set district option
    as_of: dt.date
    households: int  # units on the roster that day
    assets: dict[str, int]  # 确权 status -> count (every status in vocab.STATUS_LABELS)
    contracts_in_force: int
    year: int  # the calendar year of ``as_of``: the income figures below are its first
    # day through ``as_of``
    gross: Decimal
    cost: Decimal  # the manager's cost deducted (Art. 282)
    net: Decimal
    to_maintenance: Decimal  # allocated to the maintenance fund (Regulations Art. 54)
    last_disclosure: str | None  # period key of the latest disclosure published
    last_disclosure_date: dt.date | None
    overdue_periods: tuple[str, ...]  # periods not disclosed in time
    findings: dict[tuple[str, str], int]  # (check, severity) -> count, bean-check errors included
    last_seal_through: dt.date | None
    last_seal_date: dt.date | None
    suspense: Decimal  # money waiting in suspense accounts at the end of ``as_of`` (absolute)
    beyond_district: bool = True  # False: the compound declines to share beyond the district
    sharing_since: dt.date | None = None  # the day of the setting in force, if any
    contracts: tuple[ContractFact, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> int:
        return sum(n for (_, s), n in self.findings.items() if s == "error")

    @property
    def warnings(self) -> int:
        return sum(n for (_, s), n in self.findings.items() if s == "warning")


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_EVEN)


def broken_errors(loaded: Loaded) -> list[str]:
    """The load errors that mean a file could not be read (empty when it loads)."""
    return [_error_text(e) for e in loaded.errors if type(e).__name__ in BROKEN_ERRORS]


def facts(loaded: Loaded, as_of: dt.date, compound: str | None = None,
          books: Books | None = None) -> CompoundFacts:
    """The compound's district facts as of ``as_of``; :class:`BrokenLedger` if it did not load.

    ``compound`` defaults to the name of the folder holding the loaded ``main.beancount``."""
    broken = broken_errors(loaded)
    if broken:
        raise BrokenLedger(broken)
    options_map = loaded.options_map
    if compound is None:
        compound = Path(str(options_map.get("filename", "?"))).parent.name
    books = books or books_of(loaded.entries, options_map)

    # The compound's own audit, as `assetreg audit` runs it: bean-check's own errors
    # (balances, …; the plugin's are the audit's findings) and then every check.
    counts: Counter[tuple[str, str]] = Counter()
    for err in loaded.errors:
        if type(err).__name__ != "AssetregPluginError":
            counts["bean-check", "error"] += 1
    findings = run_checks(loaded.entries, options_map, as_of, books=books)
    overdue: list[str] = []
    for f in findings:
        counts[f.check, f.severity] += 1
        if f.check == "disclosure-overdue" and f.facts.get("period"):
            overdue.append(f.facts["period"])

    # This year to date: the disclosure's own sums over the year's first day to ``as_of``.
    full = periods.parse(str(as_of.year))
    year = periods.Period(full.key, full.start, min(full.end, as_of))
    d = build_disclosure(loaded.entries, year, options_map, as_of=as_of, findings=[], books=books)

    statuses = Counter(a.status for a in books.registry.assets.values())
    last = _last_disclosure(books)
    seal = max(books.seals, key=lambda s: (s.through, s.date), default=None)
    sharing = district_sharing(loaded.entries, as_of)
    return CompoundFacts(
        compound=compound,
        name=books.options.get("compound-name") or compound,
        district=books.options.get("district"),
        as_of=as_of,
        households=len(books.roster_on(as_of).units),
        assets={s: statuses.get(s, 0) for s in STATUS_LABELS},
        contracts_in_force=sum(1 for c in books.contracts.values() if _in_force(c, as_of)),
        year=as_of.year,
        gross=d.gross,
        cost=d.cost,
        net=d.net,
        to_maintenance=d.allocated_by_account().get(accounts.MAINTENANCE_FUND, ZERO),
        last_disclosure=last[0] if last else None,
        last_disclosure_date=last[1] if last else None,
        overdue_periods=tuple(overdue),
        findings=dict(sorted(counts.items())),
        last_seal_through=seal.through if seal else None,
        last_seal_date=seal.date if seal else None,
        suspense=sum((abs(b) for b in books.suspense_on(as_of).values()), ZERO),
        contracts=tuple(_contract_facts(books, as_of)),
        beyond_district=sharing[0],
        sharing_since=sharing[1],
    )


def district_sharing(entries: list[Any], as_of: dt.date) -> tuple[bool, dt.date | None]:
    """Whether the compound shares its figures beyond the district on ``as_of``, and since
    when: the latest ``custom "assetreg-option" "district-sharing" "district-only"`` (or
    ``"beyond-district"``) dated on or before that day. A dated setting: a compound may
    decline from a day on, or share again."""
    found: tuple[bool, dt.date | None] = (True, None)
    for e in entries:
        if (type(e) is data.Custom and e.type == OPTION_TYPE and e.date <= as_of
                and len(e.values) >= 2 and e.values[0].value == SHARING_OPTION):
            found = (str(e.values[1].value).strip() != "district-only", e.date)
    return found


def _error_text(err: Any) -> str:
    src = error_source(err)
    msg = " ".join(str(getattr(err, "message", err)).split())
    return f"{src}: {msg}" if src else msg


def _last_disclosure(books: Books) -> tuple[str, dt.date] | None:
    best: tuple[dt.date, dt.date, str] | None = None
    for e in books.disclosures:
        try:
            p = periods.parse(str(e.values[0].value))
        except Exception:  # an unreadable period is the audit's finding, not a disclosure
            continue
        if best is None or (p.end, e.date) > best[:2]:
            best = (p.end, e.date, p.key)
    return (best[2], best[1]) if best else None


def _in_force(c: Contract, day: dt.date) -> bool:
    start, end = c.terms.get("start"), c.terms.get("end")
    return isinstance(start, dt.date) and isinstance(end, dt.date) and c.active_on(day)


def room_area(books: Books, asset_ids: list[str]) -> Decimal | None:
    """Total m² of the assets, from the registry's ``size`` fact; None if any is unknown."""
    total = ZERO
    for aid in asset_ids:
        a = books.registry.assets.get(aid.upper())
        m = _AREA.search(a.facts.get("size", "")) if a else None
        if m is None:
            return None
        total += Decimal(m.group(1))
    return total


def months_of(c: Contract) -> Decimal:
    """Months one billing period covers (for ``once``, the whole term, at least one)."""
    if c.period in periods.FREQUENCY_MONTHS:
        return Decimal(periods.FREQUENCY_MONTHS[c.period])
    days = (c.end - c.start).days + 1
    return max(Decimal(1), (Decimal(days) * 12 / Decimal("365.25")).quantize(Decimal(1)))


def _contract_facts(books: Books, as_of: dt.date) -> list[ContractFact]:
    out: list[ContractFact] = []
    for cid, c in sorted(books.contracts.items()):
        start, end = c.terms.get("start"), c.terms.get("end")
        if not isinstance(start, dt.date) or not isinstance(end, dt.date) or c.price <= 0:
            continue
        n = max(1, len(c.assets))
        area = room_area(books, c.assets) if c.use in PER_AREA_USES else None
        monthly = c.price / months_of(c)
        if area:
            unit_price, basis = cents(monthly / area), "m2"
        else:
            unit_price, basis = cents(monthly / n), "asset"
        out.append(ContractFact(cid, c.use, c.period, c.price, c.start, c.end, c.active_on(as_of),
                                len(c.assets), area, unit_price, basis))
    return out
