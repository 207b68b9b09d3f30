"""Operating contracts as recorded in the ledger, and their billing schedules.

A contract enters the books only through the policy gate (``assetreg contract record``),
which writes one entry carrying the contract's terms and the decision that let it in::

    2024-04-20 custom "contract" "C-2024-001" "recorded"
      assets: "P-001,P-002"
      use: "parking-owner"
      counterparty: "OWN-0417"
      counterparty_kind: "owner"
      start: 2024-05-01
      end: 2025-04-30
      price: 150.00 CNY
      period: "month"
      deposit: 300.00 CNY
      manager_share: 0.30
      resolution: "R-2024-01"
      notice_start: 2024-04-01
      notice_end: 2024-04-15
      consents: "OWN-0001,OWN-0002"
      policy_set: "huaian-qingjiangpu"
      policy_hash: "sha256:…"
      decision: "permitted"
      rules: "N-FIRE-LANE,G-PARKING-OWNER"
      content_hash: "sha256:…"

Ending early is its own entry (``custom "contract" "C-2024-001" "ended"`` with a reason);
nothing is edited. ``price`` is due per ``period`` (month, quarter, half-year, year, or
once for the whole term); :func:`schedule` turns that into the list of amounts due that
the audit compares payments against. Income transactions name the contract, the asset
and the billing period they pay for (``contract:``, ``asset:``, ``period: "2024-05"``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount

from .periods import FREQUENCY_MONTHS, add_months

CONTRACT_TYPE = "contract"

# Terms that define a contract; the content hash covers exactly these.
TERM_KEYS = (
    "assets", "use", "counterparty", "counterparty_kind", "start", "end", "price", "period",
    "deposit", "manager_share", "resolution", "notice_start", "notice_end", "consents", "signed",
)


@dataclass(frozen=True)
class Due:
    period: str  # first month of the billing period, "2024-05"; or "once"
    start: dt.date
    end: dt.date  # inclusive
    amount: Decimal


@dataclass
class Contract:
    id: str
    date: dt.date  # day recorded
    terms: dict[str, Any]
    meta: dict[str, Any]
    source: str
    ended: dt.date | None = None  # early end (last day in force is the day before)
    end_reason: str = ""
    events: list[tuple[dt.date, str, str]] = field(default_factory=list)

    @property
    def assets(self) -> list[str]:
        return [a.strip() for a in str(self.terms.get("assets", "")).split(",") if a.strip()]

    @property
    def use(self) -> str:
        return str(self.terms.get("use", ""))

    @property
    def start(self) -> dt.date:
        value: dt.date = self.terms["start"]
        return value

    @property
    def end(self) -> dt.date:
        """Last day in force, taking an early end into account."""
        value: dt.date = self.terms["end"]
        if self.ended is not None and self.ended <= value:
            return self.ended - dt.timedelta(days=1)
        return value

    @property
    def price(self) -> Decimal:
        amt = self.terms.get("price")
        return amt.number if amt is not None else Decimal(0)

    @property
    def deposit(self) -> Decimal:
        amt = self.terms.get("deposit")
        return amt.number if amt is not None else Decimal(0)

    @property
    def manager_share(self) -> Decimal:
        return Decimal(str(self.terms.get("manager_share", "0")))

    @property
    def period(self) -> str:
        return str(self.terms.get("period", "month"))

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def content_hash(self) -> str:
        return content_hash(self.terms)


def content_hash(terms: dict[str, Any]) -> str:
    """Hash of the terms in a canonical form, independent of key order and formatting."""
    canon = {k: _canon(terms[k]) for k in TERM_KEYS if k in terms and terms[k] is not None}
    blob = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _canon(v: Any) -> Any:
    if isinstance(v, Amount) and v.number is not None:
        return f"{v.number.normalize():f} {v.currency}"
    if isinstance(v, Decimal):
        return f"{v.normalize():f}"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return v
    return str(v)


def schedule(contract: Contract) -> list[Due]:
    """Amounts due, one per billing period from start to end (a partial last period is due in full)."""
    if contract.period == "once":
        return [Due("once", contract.start, contract.end, contract.price)]
    months = FREQUENCY_MONTHS[contract.period]
    dues: list[Due] = []
    start = contract.start
    while start <= contract.end:
        nxt = add_months(start, months)
        end = min(nxt - dt.timedelta(days=1), contract.end)
        dues.append(Due(f"{start:%Y-%m}", start, end, contract.price))
        start = nxt
    return dues


def billing_period(dues: Sequence[Due], keys: Set[str], named: str | None, day: dt.date) -> str | None:
    """The billing period a payment is for: the period it names when the schedule bills
    it, else the period its named month (or, naming none, its date) falls in."""
    if dues and dues[0].period == "once":
        return "once"
    if named:
        if named in keys:
            return named
        try:
            day = dt.date.fromisoformat(named + "-01")
        except ValueError:
            return named
    for d in dues:
        if d.start <= day <= d.end or (d.start.year, d.start.month) == (day.year, day.month):
            return d.period
    return named


def contracts_from_entries(entries: Iterable[Any]) -> dict[str, Contract]:
    found: dict[str, Contract] = {}
    for e in entries:
        if not (isinstance(e, data.Custom) and e.type == CONTRACT_TYPE and len(e.values) >= 2):
            continue
        cid = str(e.values[0].value)
        action = str(e.values[1].value)
        m = {k: v for k, v in e.meta.items() if k not in ("filename", "lineno")}
        src = f"{e.meta.get('filename')}:{e.meta.get('lineno')}"
        if action == "recorded" and cid not in found:
            terms = {k: m[k] for k in TERM_KEYS if k in m}
            found[cid] = Contract(cid, e.date, terms, m, src, events=[(e.date, "recorded", "")])
        elif action == "ended" and cid in found:
            c = found[cid]
            c.ended = e.date
            c.end_reason = str(m.get("reason", ""))
            c.events.append((e.date, "ended", c.end_reason))
    return found
