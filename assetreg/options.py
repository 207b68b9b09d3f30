"""Per-compound settings, kept in the ledger as dated ``custom "assetreg-option"`` entries.

    2020-01-01 custom "assetreg-option" "notice-days" "15"

A setting takes effect on its date and governs what happens from that day on: a change of
rule is itself a dated record, and a later-dated entry does not reach back to earlier facts
(a notice of 2024 keeps the window in force in 2024). :meth:`Options.get` with ``on=`` is the
value in effect on a day; without it, the value in effect today. ``assetreg settings set``
(:mod:`assetreg.settings`) writes these entries after checking the value.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

OPTION_TYPE = "assetreg-option"

DEFAULTS: dict[str, str] = {
    "notice-days": "15",  # objection window of an ownership-confirmation notice
    "district": "huaian-qingjiangpu",  # which policy set applies
    "disclosure-frequency": "half-year",  # month | quarter | half-year (Arts. 281, 943)
    "maintenance-share-min": "0.5",  # least share of net income to the maintenance fund
    "remittance-days": "30",  # days the property company may hold collected income
    "follow-majority": "false",  # 从众: silent owners follow the majority
    "manager-name": "物业服务公司",  # the property company: payee of its reports, sender of remittances
    # Other names the bank writes for them; a bank line matches only an exact name or alias.
    "manager-alias": "",  # e.g. "景湖物业，淮安景湖物业服务有限公司清江浦分公司"
    "counterparty-alias": "",  # e.g. "淮安市景湖便利店有限公司=景湖便利店、淮安景湖便利店；…"
    # Audit (assetreg.audit): grace periods, limits and which findings fail bean-check.
    # Cap on the manager's cost share (Art. 282): the gate holds every contract that names a
    # share to it; the audit takes it as the share of a contract that names none.
    "manager-share-max": "0.3",
    "billing-grace-days": "31",  # days after a billing period ends before it counts as in arrears
    "allocation-days": "90",  # days after a year ends to allocate its net income (Regulations Art. 54)
    "deposit-return-days": "30",  # days after a contract ends to return its deposit
    "disclosure-days": "30",  # days after a period ends to publish its disclosure (Arts. 281, 943)
    "share-basis": "area",  # area | unit: how net income is shared among units (Art. 283)
    "audit-errors": "",  # extra audit check ids bean-check reports as errors, comma separated
    "district-sharing": "beyond-district",  # or district-only: no figures beyond the district (dated)
    # Vouchers (assetreg.vouchers): income and cost lines of more than this many yuan without a
    # voucher are flagged (empty: none are); the largest scan `voucher attach` accepts.
    "voucher-threshold": "",
    "voucher-max-bytes": "20000000",
    "public-url": "",  # the compound's page online (https://…): the printed 公示 carries it as a QR code
}


@dataclass(frozen=True)
class Setting:
    """One dated option entry: its value from ``date`` on, and where it is written."""

    name: str
    value: str
    date: dt.date
    source: str  # "accounts.beancount:23", or "" for an entry not yet written


def _source(entry: Any) -> str:
    m = entry.meta or {}
    name = str(m.get("filename") or "")
    if not name or name.startswith("<"):
        return ""
    tail = name.rsplit("/", 1)[-1]
    return f"{tail}:{m['lineno']}" if m.get("lineno") else tail


@dataclass(frozen=True)
class Options:
    """Every setting's dated history; ``get`` reads the value in effect on a day."""

    history: Mapping[str, tuple[Setting, ...]] = field(default_factory=dict)  # date order

    def setting(self, name: str, on: dt.date | None = None) -> Setting | None:
        """The entry in effect on ``on`` (default today), None when the default applies."""
        found = self.history.get(name)
        if not found:
            return None
        day = dt.date.today() if on is None else on
        i = bisect.bisect_right([s.date for s in found], day)
        return found[i - 1] if i else None

    def get(self, name: str, on: dt.date | None = None) -> str:
        s = self.setting(name, on)
        return s.value if s is not None else DEFAULTS.get(name, "")

    def get_int(self, name: str, on: dt.date | None = None) -> int:
        return int(self.get(name, on))

    def changes(self, name: str) -> list[dt.date]:
        """The days a setting changes value (for rules read over a span of days)."""
        return [s.date for s in self.history.get(name, ())]

    @property
    def values(self) -> dict[str, str]:
        """Every setting's value in effect today."""
        return {name: self.get(name) for name in {*DEFAULTS, *self.history}}

    @property
    def notice_days(self) -> int:
        return self.get_int("notice-days")

    def notice_days_on(self, day: dt.date) -> int:
        return self.get_int("notice-days", day)


def options_from_entries(entries: Iterable[Any]) -> Options:
    found: dict[str, list[Setting]] = {}
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == OPTION_TYPE and len(entry.values) >= 2:
            name = str(entry.values[0].value)
            found.setdefault(name, []).append(
                Setting(name, str(entry.values[1].value), entry.date, _source(entry)))
    # Date order; entries of one day keep their order, so the one written last wins.
    return Options({k: tuple(sorted(v, key=lambda s: s.date)) for k, v in found.items()})
