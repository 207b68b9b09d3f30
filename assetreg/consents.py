"""Consents of directly affected owners (Property Management Regulations Art. 54), as facts
in the ledger rather than lists typed into a proposal.

Which units an asset directly affects is a register fact, recorded per asset (the latest
list on or before a day holds) -- e.g. the top-floor flats under a rooftop base station::

    2024-10-01 custom "affected" "S-01"
      units: "7-1-2101,7-1-2102,7-2-2101,7-2-2102"
      reason: "基站位于7号楼屋顶，顶层住户直接受影响"

An owner's consent is given, and may be withdrawn, by dated entries with the evidence::

    2024-10-08 custom "consent" "S-01" "OWN-0031" "given"
      evidence: "documents/2024-10-同意书-S-01-OWN-0031.pdf"
    2025-03-01 custom "consent" "S-01" "OWN-0031" "withdrawn"
      reason: "业主书面撤回同意"

The affected owners on a day are the roster's owners of the affected units that day; the
gate asks each of them for a consent given on or before the signing day, by an owner on
the roster on the day it was given, and not withdrawn by the signing day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data

from .errors import BadInput
from .evidence import EVIDENCE_HASH_KEY, check_reference, sha256_file
from .ledger import Transaction, custom, source_of
from .registry import registry_from_entries, validate_asset_id
from .units import Roster, roster_from_entries, validate_owner_key, validate_unit_number

CONSENT_TYPE = "consent"
AFFECTED_TYPE = "affected"
PART = "registry"


def _split(text: Any) -> tuple[str, ...]:
    return tuple(x.strip() for x in re.split(r"[,，;\s]+", str(text or "")) if x.strip())


@dataclass(frozen=True)
class ConsentEvent:
    asset: str
    owner: str
    action: str  # given | withdrawn
    date: dt.date
    evidence: str
    reason: str
    source: str


@dataclass
class Consents:
    """Every consent event and affected-units list, per asset, in date order."""

    events: dict[str, list[ConsentEvent]] = field(default_factory=dict)  # asset -> events
    affected: dict[str, list[tuple[dt.date, tuple[str, ...], str]]] = field(default_factory=dict)

    def affected_units(self, asset: str, day: dt.date) -> tuple[str, ...] | None:
        """The units the asset directly affects on ``day`` (None: no list recorded yet)."""
        found = None
        for d, units, _ in self.affected.get(asset, ()):
            if d <= day:
                found = units
        return found

    def state(self, asset: str, owner: str, day: dt.date) -> ConsentEvent | None:
        """The owner's last consent event for the asset on or before ``day``."""
        last = None
        for ev in self.events.get(asset, ()):
            if ev.owner == owner and ev.date <= day:
                last = ev
        return last

    def given(self, asset: str, day: dt.date) -> dict[str, ConsentEvent]:
        """Owner -> the consent in force for the asset at the end of ``day``."""
        out: dict[str, ConsentEvent] = {}
        for ev in self.events.get(asset, ()):
            if ev.date > day:
                break
            if ev.action == "given":
                out[ev.owner] = ev
            else:
                out.pop(ev.owner, None)
        return out


def consents_from_entries(entries: Iterable[Any]) -> Consents:
    c = Consents()
    Custom = data.Custom
    for e in entries:
        if type(e) is not Custom:
            continue
        if e.type == CONSENT_TYPE and len(e.values) >= 3:
            asset, owner, action = (str(v.value) for v in e.values[:3])
            c.events.setdefault(asset, []).append(ConsentEvent(
                asset, owner, action, e.date, str(e.meta.get("evidence", "")),
                str(e.meta.get("reason", "")), source_of(e)))
        elif e.type == AFFECTED_TYPE and e.values:
            c.affected.setdefault(str(e.values[0].value), []).append(
                (e.date, _split(e.meta.get("units")), source_of(e)))
    for evs in c.events.values():
        evs.sort(key=lambda ev: ev.date)
    for lists in c.affected.values():
        lists.sort(key=lambda x: x[0])
    return c


def roster_on(entries: Iterable[Any], day: dt.date) -> Roster:
    return roster_from_entries(e for e in entries if e.date <= day)


def owns_on(roster: Roster, owner: str) -> list[str]:
    """The units ``owner`` holds on the roster."""
    return sorted(n for n, u in roster.units.items() if u.owner == owner)


def top_floor_units(roster: Roster, building: str, floors: int = 1) -> list[str]:
    """The units of ``building`` on its top ``floors`` floors -- those under a rooftop site --
    read from unit numbers written building-entrance-floor+room (``7-1-2101``: floor 21)."""
    by_floor: dict[str, int] = {}
    for n, u in roster.units.items():
        if u.building != building:
            continue
        last = n.rsplit("-", 1)[-1]
        if len(last) < 3 or not last.isdigit():
            raise BadInput(f"unit {n} does not give its floor as building-entrance-floor+room (e.g. 7-1-2101)",
                           "list the affected units with --units instead")
        by_floor[n] = int(last[:-2])
    if not by_floor:
        raise BadInput(f"building {building!r} has no units on the roster", "check the building with `assetreg unit list`")
    if floors < 1:
        raise BadInput(f"--top-floors {floors}", "give 1 or more floors")
    top = max(by_floor.values())
    return sorted(n for n, f in by_floor.items() if f > top - floors)


# ------------------------------------------------------------------ writes

def _asset(entries: list[Any], asset_id: str) -> str:
    aid = validate_asset_id(asset_id)
    registry_from_entries(entries).require(aid)
    return aid


def record_affected(txn: Transaction, asset_id: str, day: dt.date, units: str | Iterable[str],
                    reason: str) -> data.Custom:
    """Stage the list of units an asset directly affects (it replaces any earlier list)."""
    entries = txn.after().entries
    aid = _asset(entries, asset_id)
    nums = [validate_unit_number(u) for u in (_split(units) if isinstance(units, str) else units)]
    if not nums:
        raise BadInput("no units given", "pass --units with the affected units, e.g. 7-1-2101,7-1-2102")
    roster = roster_on(entries, day)
    unknown = [n for n in nums if roster.get(n) is None]
    if unknown:
        raise BadInput(f"units not on the roster on {day}: {', '.join(unknown)}",
                       "check the unit numbers with `assetreg unit list`")
    if not reason.strip():
        raise BadInput("a list of affected units needs a reason", "pass --reason '…' (why these units)")
    entry = custom(day, AFFECTED_TYPE, [aid], units=",".join(dict.fromkeys(nums)), reason=reason.strip())
    txn.append(PART, [entry])
    return entry


def record_consent(txn: Transaction, asset_id: str, owner: str, day: dt.date, evidence: str) -> data.Custom:
    """Stage an affected owner's consent, with the evidence (a file in the compound folder)."""
    entries = txn.after().entries
    aid = _asset(entries, asset_id)
    key = validate_owner_key(owner)
    if not owns_on(roster_on(entries, day), key):
        raise BadInput(f"{key} holds no unit on the roster on {day}",
                       "check the owner key with `assetreg unit list`; a consent is given by an owner")
    root: Path = txn.compound.root
    ref = evidence.strip()
    path = (root / ref).resolve()
    if not ref or not path.is_file() or root.resolve() not in path.parents:
        raise BadInput(f"evidence {evidence!r} is not a file in the compound folder",
                       "put the signed consent (scan or photo) under documents/ and pass its path, "
                       "e.g. --evidence documents/同意书-S-01-OWN-0031.pdf")
    ref = check_reference(root, ref)  # no '..' and no symbolic link (issue 14)
    last = consents_from_entries(entries).state(aid, key, dt.date.max)
    if last is not None and last.action == "given":
        raise BadInput(f"{key}'s consent for {aid} is already recorded ({last.source})",
                       "a consent is recorded once; withdraw it first to record a new one")
    entry = custom(day, CONSENT_TYPE, [aid, key, "given"], evidence=ref,
                   **{EVIDENCE_HASH_KEY: sha256_file(path)})
    txn.append(PART, [entry])
    return entry


def withdraw_consent(txn: Transaction, asset_id: str, owner: str, day: dt.date, reason: str) -> data.Custom:
    """Stage the withdrawal of a consent in force."""
    entries = txn.after().entries
    aid = _asset(entries, asset_id)
    key = validate_owner_key(owner)
    last = consents_from_entries(entries).state(aid, key, dt.date.max)
    if last is None or last.action != "given":
        raise BadInput(f"{key} has no consent for {aid} in force to withdraw",
                       "check with `assetreg consent list --asset " + aid + "`")
    if day < last.date:
        raise BadInput(f"withdrawal on {day} is before the consent of {last.date}",
                       "give the day the owner withdrew, on or after the consent")
    if not reason.strip():
        raise BadInput("a withdrawal needs a reason", "pass --reason '…'")
    entry = custom(day, CONSENT_TYPE, [aid, key, "withdrawn"], reason=reason.strip())
    txn.append(PART, [entry])
    return entry
