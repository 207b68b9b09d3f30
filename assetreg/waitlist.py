"""The parking waiting list (Art. 276: planned parking first meets the owners' needs), as
facts in the ledger: owners join and leave it by dated entries::

    2025-03-01 custom "waitlist" "OWN-0417" "joined"
      unit: "3-1-502"
    2025-06-01 custom "waitlist" "OWN-0417" "left"
      reason: "已租到车位"

The owners-first condition of the policy gate reads who was waiting on the signing day:
owners whose last entry on or before that day is ``joined`` and who still hold a unit on
the roster that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

from .errors import BadInput
from .ledger import Transaction, custom, source_of
from .units import Roster, roster_from_entries, validate_owner_key, validate_unit_number

WAITLIST_TYPE = "waitlist"
PART = "units"


@dataclass(frozen=True)
class WaitEvent:
    owner: str
    action: str  # joined | left
    date: dt.date
    unit: str
    reason: str
    source: str


@dataclass
class WaitList:
    events: list[WaitEvent] = field(default_factory=list)  # in date order

    def on(self, day: dt.date) -> dict[str, WaitEvent]:
        """Owner -> the entry by which they joined, for everyone on the list at the end of ``day``."""
        out: dict[str, WaitEvent] = {}
        for ev in self.events:
            if ev.date > day:
                break
            if ev.action == "joined":
                out.setdefault(ev.owner, ev)
            else:
                out.pop(ev.owner, None)
        return out

    def waiting(self, day: dt.date, roster: Roster) -> list[WaitEvent]:
        """Owners on the list at the end of ``day`` who hold a unit on ``roster``, in the order they joined."""
        owners = {u.owner for u in roster.units.values()}
        return sorted((ev for k, ev in self.on(day).items() if k in owners), key=lambda ev: (ev.date, ev.owner))


def waitlist_from_entries(entries: Iterable[Any]) -> WaitList:
    w = WaitList()
    Custom = data.Custom
    for e in entries:
        if type(e) is Custom and e.type == WAITLIST_TYPE and len(e.values) >= 2:
            w.events.append(WaitEvent(str(e.values[0].value), str(e.values[1].value), e.date,
                                      str(e.meta.get("unit", "")), str(e.meta.get("reason", "")), source_of(e)))
    w.events.sort(key=lambda ev: ev.date)
    return w


def add(txn: Transaction, owner: str, day: dt.date, unit: str | None = None, note: str = "") -> data.Custom:
    """Stage an owner joining the parking waiting list."""
    entries = txn.after().entries
    key = validate_owner_key(owner)
    roster = roster_from_entries(e for e in entries if e.date <= day)
    held = sorted(n for n, u in roster.units.items() if u.owner == key)
    if not held:
        raise BadInput(f"{key} holds no unit on the roster on {day}",
                       "the waiting list is for owners: check the key with `assetreg unit list`")
    if unit is not None:
        unit = validate_unit_number(unit)
        if unit not in held:
            raise BadInput(f"unit {unit} is not {key}'s on {day} (they hold {', '.join(held)})",
                           "give one of the owner's units, or leave --unit out")
    current = waitlist_from_entries(entries).on(dt.date.max).get(key)
    if current is not None:
        raise BadInput(f"{key} is already on the waiting list (since {current.date}, {current.source})",
                       "an owner is on the list once; remove them first to add them again")
    entry = custom(day, WAITLIST_TYPE, [key, "joined"], unit=unit, reason=note.strip() or None)
    txn.append(PART, [entry])
    return entry


def remove(txn: Transaction, owner: str, day: dt.date, reason: str) -> data.Custom:
    """Stage an owner leaving the waiting list."""
    entries = txn.after().entries
    key = validate_owner_key(owner)
    current = waitlist_from_entries(entries).on(dt.date.max).get(key)
    if current is None:
        raise BadInput(f"{key} is not on the waiting list", "check with `assetreg waitlist list`")
    if day < current.date:
        raise BadInput(f"{day} is before {key} joined the list on {current.date}",
                       "give the day they left, on or after the day they joined")
    if not reason.strip():
        raise BadInput("leaving the list needs a reason", "pass --reason '…' (e.g. 已租到车位)")
    entry = custom(day, WAITLIST_TYPE, [key, "left"], reason=reason.strip())
    txn.append(PART, [entry])
    return entry
