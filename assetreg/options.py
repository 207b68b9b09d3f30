"""Per-compound settings, kept in the ledger as ``custom "assetreg-option"`` entries.

    2020-01-01 custom "assetreg-option" "notice-days" "15"

The latest entry for a name wins, so a change of rule is itself a dated record.
"""

from __future__ import annotations

from collections.abc import Iterable
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
}


@dataclass(frozen=True)
class Options:
    values: dict[str, str] = field(default_factory=lambda: dict(DEFAULTS))

    def get(self, name: str) -> str:
        return self.values.get(name, DEFAULTS.get(name, ""))

    def get_int(self, name: str) -> int:
        return int(self.get(name))

    @property
    def notice_days(self) -> int:
        return self.get_int("notice-days")


def options_from_entries(entries: Iterable[Any]) -> Options:
    values = dict(DEFAULTS)
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == OPTION_TYPE and len(entry.values) >= 2:
            values[str(entry.values[0].value)] = str(entry.values[1].value)
    return Options(values)
