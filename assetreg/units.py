"""The units roster: each exclusive unit, its area and its pseudonymous owner key.

    2020-01-01 custom "unit" "3-1-502"
      building: "3"
      area: 89.46
      owner: "OWN-0417"
      unsold: FALSE

No names or phone numbers: owners are known only by a key, and one key may hold
several units. Art. 278 counts two totals from this roster: total exclusive area,
and headcount -- one per owner key, all of the developer's unsold units together
counting as one (Supreme People's Court interpretation on building ownership).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from beancount.core import data

from .errors import BadInput
from .ledger import Transaction, custom
from .privacy import has_personal_number

UNIT_TYPE = "unit"
DEVELOPER_KEY = "DEVELOPER-UNSOLD"  # the one head all unsold units share

_UNIT_NO = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]{0,31}$")
# A pseudonymous key: capital letters, a dash, then capitals and digits (OWN-0417, DEV-0000,
# DEV-JH); never a name, whether written 张三, ZhangSan or Zhang-San.
_OWNER_KEY = re.compile(r"^[A-Z]{1,8}-[A-Z0-9][A-Z0-9-]{0,23}$")
_PHONE = re.compile(r"1[3-9]\d{9}")


@dataclass(frozen=True)
class Unit:
    number: str
    building: str
    area: Decimal
    owner: str
    unsold: bool
    date: dt.date
    source: str = ""

    @property
    def head(self) -> str:
        """The key Art. 278 counts one head per."""
        return DEVELOPER_KEY if self.unsold else self.owner

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.number,
            "building": self.building,
            "area": str(self.area),
            "owner": self.owner,
            "unsold": self.unsold,
            "date": self.date.isoformat(),
        }


@dataclass(frozen=True)
class Roster:
    units: dict[str, Unit]

    @property
    def total_area(self) -> Fraction:
        return sum((Fraction(u.area) for u in self.units.values()), Fraction(0))

    @property
    def heads(self) -> set[str]:
        return {u.head for u in self.units.values()}

    @property
    def headcount(self) -> int:
        return len(self.heads)

    def get(self, number: str) -> Unit | None:
        return self.units.get(normalize_unit_number(number))

    def require(self, number: str) -> Unit:
        unit = self.get(number)
        if unit is None:
            raise BadInput(
                f"unknown unit {number!r}",
                "check the unit number against `assetreg unit list`, or add it with `assetreg unit add`",
            )
        return unit


def normalize_unit_number(text: str) -> str:
    return text.strip().upper()


def validate_unit_number(text: str) -> str:
    s = normalize_unit_number(text)
    if not _UNIT_NO.match(s):
        raise BadInput(
            f"malformed unit number {text!r}",
            "use letters, digits and '-' only, e.g. 3-1-502 (building-entrance-room)",
        )
    return s


def validate_owner_key(text: str) -> str:
    s = text.strip()
    if _PHONE.search(s) or has_personal_number(s):
        raise BadInput(
            f"owner key {text!r} looks like {'a phone' if _PHONE.search(s.replace(' ', '').replace('-', '')) else 'an ID'} number",
            "never put phone numbers in the ledger; use a pseudonymous key such as OWN-0417",
        )
    if not _OWNER_KEY.match(s):
        raise BadInput(
            f"malformed owner key {text!r}",
            "use a pseudonymous key: capital letters, '-', then capitals or digits (e.g. OWN-0417); "
            "names are not allowed in the ledger",
        )
    return s


def parse_area(text: str | Decimal) -> Decimal:
    try:
        area = Decimal(str(text).strip())
    except InvalidOperation:
        raise BadInput(
            f"malformed area {text!r}", "give the exclusive area in m² as a number, e.g. 89.46"
        ) from None
    if not area.is_finite() or area <= 0:
        raise BadInput(
            f"area must be positive, got {text}",
            "give the exclusive area in m² from the property register, e.g. 89.46",
        )
    if area.as_tuple().exponent < -4:  # type: ignore[operator]
        raise BadInput(f"area {text} has more than 4 decimals", "round to what the register says")
    return area


def roster_from_entries(entries: Iterable[Any]) -> Roster:
    units: dict[str, Unit] = {}
    for e in entries:
        if isinstance(e, data.Custom) and e.type == UNIT_TYPE and e.values:
            number = normalize_unit_number(str(e.values[0].value))
            m = e.meta
            units[number] = Unit(
                number=number,
                building=str(m.get("building", "")),
                area=Decimal(str(m.get("area", "0"))),
                owner=str(m.get("owner", "")),
                unsold=bool(m.get("unsold", False)),
                date=e.date,
                source=f"{m.get('filename')}:{m.get('lineno')}",
            )
    return Roster(units)


def record_unit(txn: Transaction, number: str, day: dt.date, *, building: str,
                area: str | Decimal, owner: str, unsold: bool = False,
                update: bool = False) -> Unit:
    """Stage a unit of the roster in ``txn`` (part "units"); with ``update``, a change
    (e.g. a new owner key) to a unit already listed. Returns the unit as staged."""
    number = validate_unit_number(number)
    area_d = parse_area(area)
    owner = validate_owner_key(owner)
    if not building.strip():
        raise BadInput("empty --building", "give the building number, e.g. 3")
    existing = roster_from_entries(txn.after().entries).get(number)
    if existing and not update:
        raise BadInput(f"unit {number} is already in the roster ({existing.source})",
                       "pass --update to record a change for it")
    if update and not existing:
        raise BadInput(f"unit {number} is not in the roster", "add it without --update")
    txn.append("units", [custom(day, UNIT_TYPE, [number], building=building.strip(), area=area_d,
                                owner=owner, unsold=unsold)])
    return Unit(number, building.strip(), area_d, owner, unsold, day)
