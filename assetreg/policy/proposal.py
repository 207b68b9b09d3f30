"""A proposed operating contract, as the committee writes it (``contract.yaml``) or as a
row of a contracts spreadsheet, validated before any rule looks at it.

    id: C-2024-001
    assets: [P-001, P-002]
    use: parking-owner
    counterparty: OWN-0417          # an owner key or an organisation -- never a person's name or ID
    counterparty_kind: owner        # owner | organisation | non-owner
    signed: 2024-04-20              # default: the start date
    start: 2024-05-01
    end: 2025-04-30
    price: 150.00                   # CNY per billing period
    period: month                   # month | quarter | half-year | year | once
    deposit: 300.00
    manager_share: 0.30             # the property company's written cost share
    resolution: R-2024-01
    notice_start: 2024-04-01
    notice_end: 2024-04-15
    consents: [OWN-0001]            # owner keys of directly affected owners who consented
    affected: [OWN-0001]            # owner keys of directly affected owners
    owners_waiting: 0               # owners waiting for a space (non-owner parking)
    facts: {residential_use: false, hazardous: false, noise_or_fumes: false}

The gate decides from the ledger: consents and affected units (``assetreg consent``), the
waiting list (``assetreg waitlist``) and whether a use houses people (from the use and the
asset). ``consents``, ``affected``, ``owners_waiting`` and the facts can only add to those
-- a consent named here must be in the ledger too -- never stand in for them.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from beancount.core.amount import Amount
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..dates import parse_date
from ..errors import BadInput
from ..periods import BILLING_PERIODS
from ..registry import validate_asset_id
from ..vocab import PROPOSAL_FACTS, USES, parse_label
from . import yamlio

_CONTRACT_ID = re.compile(r"^[A-Z][A-Z0-9]{0,7}-[A-Z0-9\-]{1,32}$")
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9\-]{1,31}$")
_ID_CARD = re.compile(r"\d{17}[\dXx]")
_PHONE = re.compile(r"1[3-9]\d{9}")

FIELD_HELP: dict[str, str] = {
    "id": "a contract id such as C-2024-001",
    "assets": "asset ids from `assetreg asset list`, e.g. [P-001, P-002] or \"P-001,P-002\"",
    "use": f"a use category, e.g. {', '.join(list(USES)[:5])} …",
    "counterparty": "an owner key (OWN-0417) or an organisation's name; never a person's name, ID or phone",
    "counterparty_kind": "owner, organisation or non-owner",
    "start": "the first day in force, YYYY-MM-DD",
    "end": "the last day in force, YYYY-MM-DD, not before start",
    "signed": "the signing date, YYYY-MM-DD",
    "price": "the amount due per billing period in CNY, e.g. 150.00",
    "period": f"one of {', '.join(BILLING_PERIODS)}",
    "deposit": "the deposit in CNY, e.g. 300.00 (0 if none)",
    "manager_share": "the property company's cost share as a fraction of income, 0 to 1, e.g. 0.30",
    "notice_start": "first day of the public notice, YYYY-MM-DD",
    "notice_end": "last day of the public notice, YYYY-MM-DD",
    "consents": "owner keys of consenting affected owners, e.g. [OWN-0001] (each must be recorded with `assetreg consent record`)",
    "affected": "owner keys of directly affected owners (added to those of the units recorded with `assetreg consent affected`)",
    "owners_waiting": "how many owners are waiting for a parking space (a whole number; the waiting list in the ledger counts too)",
}


def _split(v: Any) -> Any:
    if isinstance(v, str):
        return tuple(x.strip() for x in re.split(r"[,，;\s]+", v) if x.strip())
    return v


class Proposal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    assets: tuple[str, ...] = Field(min_length=1)
    use: str
    counterparty: str = Field(min_length=1)
    counterparty_kind: Literal["owner", "organisation", "non-owner"]
    start: dt.date
    end: dt.date
    signed: dt.date | None = None
    price: Decimal = Field(ge=0)
    currency: Literal["CNY"] = "CNY"
    period: Literal["month", "quarter", "half-year", "year", "once"] = "month"
    deposit: Decimal = Field(default=Decimal(0), ge=0)
    manager_share: Decimal | None = Field(default=None, ge=0, le=1)
    resolution: str | None = None
    notice_start: dt.date | None = None
    notice_end: dt.date | None = None
    consents: tuple[str, ...] = ()
    affected: tuple[str, ...] = ()
    owners_waiting: int | None = Field(default=None, ge=0)
    residential_use: bool = False
    hazardous: bool = False
    noise_or_fumes: bool = False
    blocks_light: bool = False
    alters_structure: bool = False

    @field_validator("price", "deposit")
    @classmethod
    def _money(cls, v: Decimal) -> Decimal:
        if v.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(f"{v} has more than two decimals (yuan and fen)")
        return v.quantize(Decimal("0.01"))

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        v = v.strip().upper()
        if not _CONTRACT_ID.match(v):
            raise ValueError(f"malformed contract id {v!r}")
        return v

    @field_validator("assets", "consents", "affected", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        return _split(v)

    @field_validator("assets")
    @classmethod
    def _assets(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for a in v:
            try:
                out.append(validate_asset_id(a))
            except BadInput as err:
                raise ValueError(err.problem) from None
        if len(set(out)) != len(out):
            raise ValueError("an asset is listed twice")
        return tuple(out)

    @field_validator("consents", "affected")
    @classmethod
    def _keys(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for k in v:
            if not _KEY.match(k) or _PHONE.search(k):
                raise ValueError(f"{k!r} is not a pseudonymous owner key such as OWN-0417")
        return v

    @field_validator("use")
    @classmethod
    def _use(cls, v: str) -> str:
        v = v.strip()
        if not re.match(r"^[a-z][a-z0-9-]*$", v):
            try:  # a use of the shared vocabulary by its label, as the templates show it
                return parse_label(USES, v, "use")
            except BadInput:
                raise ValueError(f"malformed use category {v!r}") from None
        return v

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> Proposal:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.signed is not None and self.signed > self.start:
            raise ValueError(f"signed {self.signed} is after start {self.start}")
        if (self.notice_start is None) != (self.notice_end is None):
            raise ValueError("give both notice_start and notice_end, or neither")
        if self.notice_start and self.notice_end and self.notice_end < self.notice_start:
            raise ValueError("notice_end is before notice_start")
        cp = self.counterparty.strip()
        if _ID_CARD.search(cp) or _PHONE.search(cp):
            raise ValueError("counterparty contains an ID-card or phone number; privacy forbids it in the ledger")
        if self.counterparty_kind in ("owner", "non-owner") and not _KEY.match(cp):
            raise ValueError(f"a private person is named by a pseudonymous key (e.g. OWN-0417), not {cp!r}")
        return self

    # -- derived facts

    @property
    def signing_date(self) -> dt.date:
        return self.signed or self.start

    @property
    def facts(self) -> dict[str, bool]:
        return {k: bool(getattr(self, k)) for k in PROPOSAL_FACTS}

    @classmethod
    def from_mapping(cls, mapping: dict[str, Any], where: str) -> Proposal:
        """Validate a contract given as a mapping; ``where`` names it in every error."""
        if not isinstance(mapping, dict):
            raise BadInput(f"{where}: a contract must be a mapping of fields", FIELD_HELP["id"])
        flat = dict(mapping)
        facts = flat.pop("facts", None) or {}
        if not isinstance(facts, dict):
            raise BadInput(f"{where}: field facts must be a mapping",
                           f"write facts: {{{', '.join(f'{k}: false' for k in PROPOSAL_FACTS)}}}")
        for k, v in facts.items():
            if k in flat:
                raise BadInput(f"{where}: field {k} is given twice (top level and under facts)",
                               "give it once")
            flat[k] = v
        for k, v in list(flat.items()):
            flat[k] = _clean(k, v, where)
            if flat[k] is None:
                del flat[k]  # an empty cell means "not given": the default applies
        try:
            return cls.model_validate(flat)
        except ValidationError as err:
            first = err.errors()[0]
            loc = ".".join(str(x) for x in first["loc"]) or "(contract)"
            name = str(first["loc"][0]) if first["loc"] else ""
            msg = first["msg"].removeprefix("Value error, ")
            if first["type"] == "extra_forbidden":
                fix = f"remove it or check the spelling; known fields: {', '.join(cls.model_fields)}"
            elif first["type"] == "missing":
                fix = f"add it: {FIELD_HELP.get(name, name)}"
            else:
                fix = f"give {FIELD_HELP.get(name, 'a valid value')}"
            raise BadInput(f"{where}: field {loc}: {msg}", fix) from None

    @classmethod
    def from_yaml(cls, path: Path) -> Proposal:
        return cls.from_mapping(yamlio.load_file(path), path.name)

    def terms(self) -> dict[str, Any]:
        """The contract terms as they are written to the ledger (``contracts.TERM_KEYS``)."""
        t: dict[str, Any] = {
            "assets": ",".join(self.assets),
            "use": self.use,
            "counterparty": self.counterparty.strip(),
            "counterparty_kind": self.counterparty_kind,
            "start": self.start,
            "end": self.end,
            "price": Amount(self.price, self.currency),
            "period": self.period,
            "deposit": Amount(self.deposit, self.currency),
        }
        if self.manager_share is not None:
            t["manager_share"] = self.manager_share
        if self.resolution:
            t["resolution"] = self.resolution
        if self.notice_start and self.notice_end:
            t["notice_start"] = self.notice_start
            t["notice_end"] = self.notice_end
        if self.consents:
            t["consents"] = ",".join(self.consents)
        t["signed"] = self.signing_date
        return t


def _clean(key: str, v: Any, where: str) -> Any:
    """Spreadsheet and YAML values into exact types: no floats, dates from text."""
    if isinstance(v, float):
        # openpyxl hands numbers over as floats; the shortest repr is the number typed in.
        v = Decimal(repr(v))
    if isinstance(v, dt.datetime):
        return v.date()
    if key in ("start", "end", "signed", "notice_start", "notice_end") and isinstance(v, str):
        return parse_date(v, f"{where}: field {key}") if v.strip() else None
    if key in ("price", "deposit", "manager_share") and isinstance(v, str):
        s = v.strip().replace(",", "").removeprefix("¥").removesuffix("CNY").removesuffix("元").strip()
        if key == "manager_share" and s.endswith("%"):
            try:
                return Decimal(s[:-1]) / 100
            except ArithmeticError:
                return v
        return s or None
    if isinstance(v, str) and v.strip() == "" and key not in ("id", "use", "counterparty"):
        return None
    return v
