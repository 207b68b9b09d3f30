"""The schema of a policy set (pydantic): negative-list rules, guidance categories, conditions.

A *negative* rule forbids whatever matches any of its ``when`` clauses. A clause is a
conjunction of predicates on facts -- of the asset (its zones, structure, kind) and of
the proposal (use category, counterparty kind, yes/no facts such as ``residential_use``).
A *guidance* rule lists one use category a compound may choose, with the conditions a
contract must meet. Rules match on facts, not names: a parking contract on a space whose
zones include ``fire-lane`` is forbidden even though parking is on the guidance list.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The words of the schema (uses, proposal facts, structures, counterparty and condition
# kinds) and their Chinese labels live in the bottom layer, shared with every page.
from ..vocab import PROPOSAL_FACTS, STRUCTURES, ZONES

# Which parameters each condition kind takes, and in which direction a compound may
# tighten it: "up" = a larger value is stricter, "down" = smaller is stricter,
# "subset" = fewer choices is stricter, "fixed" = may not change.
CONDITION_PARAMS: dict[str, dict[str, str]] = {
    "resolution": {"matter": "fixed"},
    "notice": {"min_days": "up"},
    "max-term": {"months": "down"},
    "deposit": {"min_amount": "up", "min_periods": "up"},
    "manager-share": {"max": "down"},
    "consents": {"min": "up"},
    "owners-first": {},
    "counterparty-kind": {"kinds": "subset"},
}
REQUIRED_PARAMS: dict[str, tuple[str, ...]] = {
    "resolution": ("matter",),
    "notice": ("min_days",),
    "max-term": ("months",),
    "deposit": (),  # at least one of min_amount / min_periods, checked below
    "manager-share": ("max",),
    "consents": (),
    "owners-first": (),
    "counterparty-kind": ("kinds",),
}

_RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_USE_ID = re.compile(r"^[a-z][a-z0-9-]*$")


def _check_use(u: str) -> str:
    if not _USE_ID.match(u):
        raise ValueError(f"malformed use category {u!r}: lowercase letters, digits and '-'")
    return u


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Clause(_Strict):
    """All predicates given must hold (an absent predicate holds always)."""

    uses: list[str] | None = None
    uses_not: list[str] | None = None
    asset_zones: list[str] | None = None  # some asset sits in one of these zones
    asset_structure: list[str] | None = None  # some asset's structure names one of these
    asset_kinds: list[str] | None = None
    counterparty_kind: list[Literal["owner", "organisation", "non-owner"]] | None = None
    facts: dict[str, bool] | None = None  # proposal facts that must have these values

    @field_validator("uses", "uses_not")
    @classmethod
    def _uses(cls, v: list[str] | None) -> list[str] | None:
        for u in v or []:
            _check_use(u)
        return v

    @field_validator("asset_zones")
    @classmethod
    def _zones(cls, v: list[str] | None) -> list[str] | None:
        for z in v or []:
            if z not in ZONES:
                raise ValueError(f"unknown zone {z!r}; known zones: {', '.join(ZONES)}")
        return v

    @field_validator("asset_structure")
    @classmethod
    def _structure(cls, v: list[str] | None) -> list[str] | None:
        for x in v or []:
            if x not in STRUCTURES:
                raise ValueError(f"unknown structure {x!r}; known: {', '.join(STRUCTURES)}")
        return v

    @field_validator("facts")
    @classmethod
    def _facts(cls, v: dict[str, bool] | None) -> dict[str, bool] | None:
        for k in v or {}:
            if k not in PROPOSAL_FACTS:
                raise ValueError(f"unknown proposal fact {k!r}; known facts: {', '.join(PROPOSAL_FACTS)}")
        return v

    @model_validator(mode="after")
    def _not_empty(self) -> Clause:
        if not any(getattr(self, f) is not None for f in type(self).model_fields):
            raise ValueError("an empty clause would match everything; name at least one fact")
        return self


class Condition(_Strict):
    kind: Literal["resolution", "notice", "max-term", "deposit", "manager-share",
                  "consents", "owners-first", "counterparty-kind"]
    id: str | None = None  # default: "<rule id>.<kind>"
    title: str | None = None
    source: str | None = None  # default: the rule's legal source
    when: list[Clause] | None = None  # the condition applies only where a clause matches
    matter: int | None = Field(default=None, ge=1, le=9)
    min_days: int | None = Field(default=None, ge=1)
    months: int | None = Field(default=None, ge=1)
    min_amount: Decimal | None = Field(default=None, ge=0)
    min_periods: int | None = Field(default=None, ge=1)
    max: Decimal | None = Field(default=None, ge=0, le=1)
    min: int | None = Field(default=None, ge=1)
    kinds: list[Literal["owner", "organisation", "non-owner"]] | None = None

    @model_validator(mode="after")
    def _params(self) -> Condition:
        allowed = CONDITION_PARAMS[self.kind]
        for name in ("matter", "min_days", "months", "min_amount", "min_periods", "max", "min", "kinds"):
            if getattr(self, name) is not None and name not in allowed:
                raise ValueError(f"a {self.kind} condition takes no {name!r} (it takes: {', '.join(allowed) or 'nothing'})")
        for name in REQUIRED_PARAMS[self.kind]:
            if getattr(self, name) is None:
                raise ValueError(f"a {self.kind} condition needs {name!r}")
        if self.kind == "deposit" and self.min_amount is None and self.min_periods is None:
            raise ValueError("a deposit condition needs min_amount or min_periods")
        if self.id is not None and not _RULE_ID.match(self.id.replace(".", "-")):
            raise ValueError(f"malformed condition id {self.id!r}")
        return self


class Rule(_Strict):
    id: str
    version: int = Field(ge=1)
    effective_from: dt.date
    effective_to: dt.date | None = None
    title: str = Field(min_length=1)
    message: str = Field(min_length=1)
    remediation: str = ""  # a negative rule must say how to put things right
    source: str = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _RULE_ID.match(v):
            raise ValueError(f"malformed rule id {v!r}: use capitals, digits and '-', e.g. N-FIRE-LANE")
        return v

    @model_validator(mode="after")
    def _dates(self) -> Rule:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self

    def in_effect(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class NegativeRule(Rule):
    remediation: str = Field(min_length=1)
    when: list[Clause] = Field(min_length=1)


class GuidanceRule(Rule):
    use: str
    exclusive: bool = True  # the use needs the asset alone: no overlapping contracts
    conditions: list[Condition] = Field(default_factory=list)

    @field_validator("use")
    @classmethod
    def _use(cls, v: str) -> str:
        return _check_use(v)

    @model_validator(mode="after")
    def _condition_ids(self) -> GuidanceRule:
        seen: set[str] = set()
        for c in self.conditions:
            cid = condition_id(self, c)
            if cid in seen:
                raise ValueError(f"two conditions with id {cid}; give one an explicit id")
            seen.add(cid)
        return self


def condition_id(rule: GuidanceRule, cond: Condition) -> str:
    return cond.id or f"{rule.id}.{cond.kind.upper()}"


class PolicySet(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9+\-]*$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    effective_from: dt.date
    source: str = ""
    negative: list[NegativeRule]
    guidance: list[GuidanceRule]

    @model_validator(mode="after")
    def _unique(self) -> PolicySet:
        ids: set[str] = set()
        for r in [*self.negative, *self.guidance]:
            if r.id in ids:
                raise ValueError(f"rule id {r.id} is used twice")
            ids.add(r.id)
        uses: set[str] = set()
        for g in self.guidance:
            if g.use in uses:
                raise ValueError(f"use category {g.use} has two guidance rules")
            uses.add(g.use)
        return self

    def guidance_for(self, use: str) -> GuidanceRule | None:
        for g in self.guidance:
            if g.use == use:
                return g
        return None

    def rule(self, rule_id: str) -> Rule | None:
        for r in [*self.negative, *self.guidance]:
            if r.id == rule_id:
                return r
        return None


class Override(_Strict):
    """A compound's own, stricter policy (``policy.yaml`` in the compound folder)."""

    extends: str | None = None
    title: str | None = None
    drop_guidance: list[str] = Field(default_factory=list)  # use categories or guidance rule ids
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)  # condition id -> new params
    add_conditions: dict[str, list[Condition]] = Field(default_factory=dict)  # guidance id -> more
    negative: list[NegativeRule] = Field(default_factory=list)  # extra forbidden uses
