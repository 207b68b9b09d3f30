"""The common-asset registry and its ownership-confirmation (确权) lifecycle.

Every step is an append-only, dated ``custom "asset"`` entry with its reason::

    2024-03-01 custom "asset" "P-017" "registered"
      kind: "parking"
      location: "3号楼东侧道路"
      description: "地面停车位，占用业主共有道路"
      size: "1个"
      basis: "民法典第275条"
      zones: "road"
      reason: "业委会清查共有资产"
    2024-03-05 custom "asset" "P-017" "noticed"
      days: 15
      reason: "确权公示"
    2024-03-25 custom "asset" "P-017" "confirmed"
      evidence: "documents/P-017-确权材料.pdf"
      reason: "公示期满无异议"
    2024-03-08 custom "asset" "P-018" "objected"
      by: "OWN-0102"
      notice: 2024-03-05
      reason: "该车位划在消防车道上"

States and the moves between them::

    registered --notice--> noticed --confirm--> confirmed
    noticed    --object--> noticed (objection open until disputed or overridden by a resolution)
    registered|noticed|confirmed --dispute--> disputed --resolve--> registered (re-notice)
    any but excluded --exclude--> excluded (terminal)
    registered|noticed|confirmed --amend--> same state (facts of the asset updated)

Confirmation needs evidence and either a notice whose window has passed with no
open objection, or a cited owners' resolution that passed on or before that day.
The window of a notice starting on day S with N days covers S .. S+N-1 (Art. 1259:
a period that "届满" includes its last day); confirmation is possible from S+N on.

Income may be booked only on a day the asset is confirmed; :meth:`Asset.confirmed_on`
answers that from the intervals this replay computes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

from .errors import BadInput
from .resolutions import make_resolution_check, resolutions_from_entries
from .vocab import KINDS, STATUS_LABELS, ZONES, parse_label

ASSET_TYPE = "asset"

ACTIONS = ("registered", "noticed", "objected", "confirmed", "disputed", "resolved", "excluded", "amended")
FACT_KEYS = ("kind", "location", "description", "size", "basis", "zones", "structure")

_ASSET_ID = re.compile(r"^[A-Z][A-Z0-9]{0,7}-[A-Z0-9\-]{1,24}$")


@dataclass(frozen=True)
class Event:
    date: dt.date
    action: str
    reason: str
    meta: dict[str, Any]
    source: str

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"date": self.date.isoformat(), "action": self.action, "reason": self.reason}
        for k, v in self.meta.items():
            d[k] = v.isoformat() if isinstance(v, dt.date) else str(v) if not isinstance(v, bool | int) else v
        d["source"] = self.source
        return d


@dataclass(frozen=True)
class Objection:
    date: dt.date
    by: str
    reason: str
    source: str


@dataclass
class Asset:
    id: str
    facts: dict[str, str] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    status: str = "registered"
    notice_start: dt.date | None = None
    notice_end: dt.date | None = None  # first day after the objection window
    objections: list[Objection] = field(default_factory=list)  # open ones, current notice
    confirmed_spans: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.facts.get("kind", "other")

    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(z for z in re.split(r"[,\s;，]+", self.facts.get("zones", "")) if z)

    @property
    def last_date(self) -> dt.date | None:
        return self.events[-1].date if self.events else None

    def confirmed_on(self, day: dt.date) -> bool:
        for start, end in self.confirmed_spans:
            if start <= day and (end is None or day < end):
                return True
        return False

    def status_on(self, day: dt.date) -> str | None:
        status = None
        for ev in self.events:
            if ev.date > day:
                break
            if ev.action == "registered":
                status = "registered"
            elif ev.action in ("noticed", "confirmed", "disputed", "excluded"):
                status = ev.action
            elif ev.action == "resolved":
                status = "registered"
        return status

    def as_dict(self, with_history: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, **self.facts, "status": self.status,
                             "status_label": STATUS_LABELS.get(self.status, self.status)}
        d["notice_start"] = self.notice_start.isoformat() if self.notice_start else None
        d["notice_end"] = self.notice_end.isoformat() if self.notice_end else None
        d["open_objections"] = [
            {"date": o.date.isoformat(), "by": o.by, "reason": o.reason} for o in self.objections
        ]
        d["evidence"] = list(self.evidence)
        if with_history:
            d["history"] = [e.as_dict() for e in self.events]
        return d


@dataclass(frozen=True)
class Violation:
    """An entry in the ledger that breaks the lifecycle (e.g. a hand edit)."""

    entry: Any
    message: str


# Hooks the rest of the package supplies: does a resolution id exist and pass by a date,
# and does an evidence reference name a document. Kept as callables so the registry
# does not depend on the policy engine.
ResolutionCheck = Callable[[str, dt.date], str | None]
EvidenceCheck = Callable[[str], bool]


@dataclass
class Registry:
    assets: dict[str, Asset]
    violations: list[Violation]

    def get(self, asset_id: str) -> Asset | None:
        return self.assets.get(asset_id.strip().upper())

    def require(self, asset_id: str) -> Asset:
        asset = self.get(asset_id)
        if asset is None:
            raise BadInput(
                f"unknown asset {asset_id!r}",
                "check the id against `assetreg asset list`, or register it with `assetreg asset add`",
            )
        return asset

    def counts_by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {s: 0 for s in STATUS_LABELS}
        for a in self.assets.values():
            counts[a.status] = counts.get(a.status, 0) + 1
        return counts


def validate_asset_id(text: str) -> str:
    s = text.strip().upper()
    if not _ASSET_ID.match(s):
        raise BadInput(
            f"malformed asset id {text!r}",
            "use a prefix, a dash and a number, e.g. P-017 (parking), AD-003 (advertising), R-01, S-01",
        )
    return s


def validate_kind(kind: str) -> str:
    """An asset kind as its key, given the key or its label (停车位)."""
    return parse_label(KINDS, kind, "asset kind")


def validate_zones(text: str) -> str:
    """Zones as their keys, comma-separated, given keys or labels (消防车道、绿地)."""
    zones = [z for z in re.split(r"[,\s;，；、]+", text.strip()) if z]
    return ",".join(dict.fromkeys(parse_label(ZONES, z, "zone") for z in zones))


def check_move(
    asset: Asset | None,
    action: str,
    day: dt.date,
    *,
    reason: str = "",
    evidence: Sequence[str] = (),
    resolution: str | None = None,
    resolution_check: ResolutionCheck | None = None,
    evidence_check: EvidenceCheck | None = None,
    notice: dt.date | None = None,
) -> None:
    """Raise :class:`BadInput` if ``action`` on ``asset`` at ``day`` is not a legal move.

    ``notice`` is the start of the notice an objection names, when it names one."""
    if action == "registered":
        if asset is not None:
            raise BadInput(
                f"asset {asset.id} is already registered ({asset.events[0].source})",
                "choose a new id; registered assets are never re-registered",
            )
        return
    if asset is None:
        # A hand-written step for an id the register never saw: a violation, not a crash.
        raise BadInput(f"{action} step for an asset that was never registered",
                       "register the asset first (`assetreg asset register`), then take its steps")
    name = asset.id
    if asset.last_date is not None and day < asset.last_date:
        raise BadInput(
            f"{action} dated {day} is before the last event of {name} ({asset.last_date})",
            "history is append-only: date the step on or after the last one",
        )
    if not reason.strip():
        raise BadInput(f"a {action} step needs a reason", "pass --reason '…' (in Chinese is fine)")
    status = asset.status
    if status == "excluded":
        raise BadInput(
            f"asset {name} was excluded on {asset.events[-1].date}; excluded is final",
            "register a new asset if the facts have changed",
        )
    if action == "noticed":
        if status != "registered":
            hint = {
                "noticed": f"it is already under notice since {asset.notice_start}",
                "confirmed": "it is already confirmed",
                "disputed": "resolve the dispute first with `assetreg asset resolve`, then re-notice",
            }.get(status, "")
            raise BadInput(f"cannot put {name} under notice: status is {status}", hint)
    elif action == "objected":
        if status != "noticed" or asset.notice_start is None or asset.notice_end is None:
            raise BadInput(
                f"cannot record an objection on {name}: it is not under public notice (status {status})",
                "objections are recorded against an open notice; put the asset under notice first",
            )
        if notice is not None and notice != asset.notice_start:
            raise BadInput(
                f"objection names the notice of {notice}, but the open notice of {name} began {asset.notice_start}",
                "record the objection against the notice in force",
            )
        if not (asset.notice_start <= day < asset.notice_end):
            last = asset.notice_end - dt.timedelta(days=1)
            raise BadInput(
                f"objection dated {day} is outside the notice window of {name} ({asset.notice_start} to {last})",
                "record objections dated within the window; a later complaint is a dispute (`asset dispute`)",
            )
    elif action == "confirmed":
        if status not in ("registered", "noticed"):
            hint = {
                "confirmed": "it is already confirmed",
                "disputed": "resolve the dispute (`assetreg asset resolve`) and re-notice the asset before confirming",
            }.get(status, "")
            raise BadInput(f"cannot confirm {name}: status is {status}", hint)
        if not evidence:
            raise BadInput(
                f"confirming {name} needs evidence",
                "pass --evidence documents/<file> (a file in the compound folder or a `document` entry)",
            )
        if evidence_check is not None:
            for ref in evidence:
                if not evidence_check(ref):
                    raise BadInput(
                        f"evidence {ref!r} not found: no such file in the compound folder and no document entry",
                        "put the scan under documents/ in the compound folder and pass its relative path",
                    )
        if resolution:
            problem = resolution_check(resolution, day) if resolution_check else None
            if problem:
                raise BadInput(f"cannot confirm {name} on resolution {resolution}: {problem}",
                               "cite a resolution that passed on or before the confirmation date")
            return
        if status != "noticed" or asset.notice_end is None:
            raise BadInput(
                f"cannot confirm {name}: it was never put under public notice",
                "put it under notice (`assetreg asset notice`) and confirm after the window, "
                "or cite an owners' resolution with --resolution",
            )
        if day < asset.notice_end:
            raise BadInput(
                f"cannot confirm {name} on {day}: its notice window runs until "
                f"{asset.notice_end - dt.timedelta(days=1)}",
                f"confirm on or after {asset.notice_end}, or cite an owners' resolution with --resolution",
            )
        if asset.objections:
            o = asset.objections[0]
            raise BadInput(
                f"cannot confirm {name}: {len(asset.objections)} open objection(s), first on {o.date}: {o.reason}",
                "record the dispute (`asset dispute`) and resolve it, or cite an owners' resolution",
            )
    elif action == "disputed":
        if status not in ("registered", "noticed", "confirmed"):
            raise BadInput(f"cannot dispute {name}: status is {status}", "it is already disputed")
    elif action == "resolved":
        if status != "disputed":
            raise BadInput(f"cannot resolve a dispute on {name}: status is {status}",
                           "only a disputed asset has a dispute to resolve")
    elif action in ("excluded", "amended"):
        pass
    else:
        raise BadInput(f"unknown lifecycle step {action!r}", f"use one of: {', '.join(ACTIONS)}")


def _apply(asset: Asset, ev: Event) -> None:
    a = ev.action
    asset.events.append(ev)
    if a in ("registered", "amended"):
        for k in FACT_KEYS:
            if k in ev.meta:
                asset.facts[k] = str(ev.meta[k])
    elif a == "noticed":
        days = int(ev.meta.get("days", 15))
        asset.status = "noticed"
        asset.notice_start = ev.date
        asset.notice_end = ev.date + dt.timedelta(days=days)
        asset.objections = []
    elif a == "objected":
        asset.objections.append(Objection(ev.date, str(ev.meta.get("by", "")), ev.reason, ev.source))
    elif a == "confirmed":
        asset.status = "confirmed"
        asset.objections = []
        asset.confirmed_spans.append((ev.date, None))
        for ref in str(ev.meta.get("evidence", "")).split(";"):
            if ref.strip():
                asset.evidence.append(ref.strip())
    elif a in ("disputed", "excluded"):
        if asset.status == "confirmed" and asset.confirmed_spans:
            start, _ = asset.confirmed_spans[-1]
            asset.confirmed_spans[-1] = (start, ev.date)
        asset.status = a
        asset.objections = []
    elif a == "resolved":
        asset.status = "registered"
        asset.notice_start = asset.notice_end = None


def registry_from_entries(
    entries: Iterable[Any],
    resolution_check: ResolutionCheck | None = None,
) -> Registry:
    """Replay every asset entry in date order; illegal steps become violations, not crashes.

    A confirmation that cites a resolution is checked against the resolutions in the same
    entries unless the caller passes its own ``resolution_check``."""
    if resolution_check is None:
        entries = list(entries)
        resolution_check = make_resolution_check(resolutions_from_entries(entries))
    assets: dict[str, Asset] = {}
    violations: list[Violation] = []
    for e in entries:
        if not (isinstance(e, data.Custom) and e.type == ASSET_TYPE):
            continue
        if len(e.values) < 2:
            violations.append(Violation(e, 'asset entry needs an id and a step: custom "asset" "ID" "step"'))
            continue
        asset_id = str(e.values[0].value).strip().upper()
        action = str(e.values[1].value)
        meta = {k: v for k, v in e.meta.items() if k not in ("filename", "lineno")}
        ev = Event(e.date, action, str(meta.pop("reason", "")), meta,
                   f"{e.meta.get('filename')}:{e.meta.get('lineno')}")
        asset = assets.get(asset_id)
        evidence = [r.strip() for r in str(meta.get("evidence", "")).split(";") if r.strip()]
        try:
            notice = meta.get("notice")
            check_move(asset, action, e.date, reason=ev.reason, evidence=evidence,
                       resolution=meta.get("resolution"), resolution_check=resolution_check,
                       notice=notice if isinstance(notice, dt.date) else None)
        except BadInput as err:
            # An illegal step is reported and not applied: it confers no status.
            violations.append(Violation(e, f"asset {asset_id}: {err.problem}"))
            continue
        if asset is None:
            asset = assets[asset_id] = Asset(asset_id)
        _apply(asset, ev)
    return Registry(assets, violations)
