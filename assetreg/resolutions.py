"""Owners' resolutions as recorded in the ledger, with the tally that decided them.

    2024-02-20 custom "resolution" "R-2024-01"
      matter: 8
      passed: TRUE
      title: "关于地面停车位经营的决定"
      assets: "P-*"
      uses: "parking-owner,parking-nonowner"
      area_participating: 61234.56
      area_total: 80000.00
      heads_participating: 700
      heads_total: 950
      area_approving: 50000.00
      heads_approving: 600
      follow_majority: FALSE
      thresholds: "参与：面积与人数均2/3以上；同意：参与面积与人数均3/4以上"

``matter`` is the Art. 278 item (1-9); ``assets`` lists asset ids, where a trailing
``*`` covers every id with that prefix ("P-*" = every parking space); ``uses`` lists the
use categories the assembly approved. :func:`record_resolution` is the only writer: it
stores what :func:`assetreg.tally.tally` counted, so ``passed`` is never typed by hand.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

from .errors import BadInput
from .ledger import Transaction, custom
from .tally import MATTERS, Tally
from .vocab import USES, parse_label

RESOLUTION_TYPE = "resolution"
_RES_ID = re.compile(r"^[A-Z][A-Z0-9]{0,7}-[A-Z0-9\-]{1,32}$")
_ASSET_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,7}-([A-Z0-9\-]{1,24}|\*|[A-Z0-9\-]{1,23}\*)$")
_USE = re.compile(r"^[a-z][a-z0-9-]*$")


def _split(text: Any) -> tuple[str, ...]:
    return tuple(x.strip() for x in re.split(r"[,，;\s]+", str(text or "")) if x.strip())


@dataclass(frozen=True)
class Resolution:
    id: str
    date: dt.date
    matter: int
    passed: bool
    title: str
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    @property
    def assets(self) -> tuple[str, ...]:
        return tuple(a.upper() for a in _split(self.meta.get("assets")))

    @property
    def uses(self) -> tuple[str, ...]:
        return _split(self.meta.get("uses"))

    def covers_asset(self, asset_id: str) -> bool:
        aid = asset_id.strip().upper()
        return any(fnmatch.fnmatchcase(aid, p) for p in self.assets)

    def covers_use(self, use: str) -> bool:
        return use in self.uses

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "date": self.date.isoformat(), "matter": self.matter,
                             "matter_title": MATTERS.get(self.matter, ""), "passed": self.passed,
                             "title": self.title, "assets": list(self.assets), "uses": list(self.uses)}
        for k, v in self.meta.items():
            if k not in d:
                d[k] = v if isinstance(v, bool | int | str) else str(v)
        d["source"] = self.source
        return d


def resolutions_from_entries(entries: Iterable[Any]) -> dict[str, Resolution]:
    found: dict[str, Resolution] = {}
    for e in entries:
        if isinstance(e, data.Custom) and e.type == RESOLUTION_TYPE and e.values:
            rid = str(e.values[0].value).strip()
            m = {k: v for k, v in e.meta.items() if k not in ("filename", "lineno")}
            found[rid] = Resolution(
                id=rid,
                date=e.date,
                matter=int(m.get("matter", 0)),
                passed=bool(m.get("passed", False)),
                title=str(m.get("title", "")),
                meta=m,
                source=f"{e.meta.get('filename')}:{e.meta.get('lineno')}",
            )
    return found


def make_resolution_check(resolutions: dict[str, Resolution]) -> Callable[[str, dt.date], str | None]:
    """A check for the registry: None when ``rid`` passed on or before ``day``, else why not."""

    def check(rid: str, day: dt.date) -> str | None:
        r = resolutions.get(rid)
        if r is None:
            return "no such resolution in the ledger"
        if not r.passed:
            return f"it did not pass ({r.source})"
        if r.date > day:
            return f"it was adopted on {r.date}, after {day}"
        return None

    return check


def validate_subject(assets: str | Sequence[str], uses: str | Sequence[str]) -> tuple[str, str]:
    """The ``assets`` and ``uses`` fields of a resolution, normalised; BadInput if malformed."""
    a_list = _split(assets) if isinstance(assets, str) else tuple(a.strip() for a in assets)
    u_list = _split(uses) if isinstance(uses, str) else tuple(u.strip() for u in uses)
    # a use of the shared vocabulary may be given by its label (停车位出租（业主）); a policy
    # set's own use categories by their ids
    u_list = tuple(parse_label(USES, u, "use") if not _USE.match(u) and u else u for u in u_list)
    a_norm = [a.upper() for a in a_list if a]
    for a in a_norm:
        if not _ASSET_PATTERN.match(a):
            raise BadInput(f"malformed asset or pattern {a!r} in --assets",
                           "list asset ids (P-001) or prefixes ending in * (P-*), comma-separated")
    for u in u_list:
        if not _USE.match(u):
            raise BadInput(f"malformed use category {u!r} in --uses", f"use ids such as: {', '.join(USES)}")
    return ",".join(a_norm), ",".join(u_list)


def record_resolution(
    txn: Transaction,
    rid: str,
    day: dt.date,
    result: Tally,
    title: str,
    assets: str | Sequence[str] = "",
    uses: str | Sequence[str] = "",
) -> Any:
    """Stage a resolution with its tally in ``txn`` (part "contracts"); returns the entry."""
    rid = rid.strip().upper()
    if not _RES_ID.match(rid):
        raise BadInput(f"malformed resolution id {rid!r}", "use e.g. R-2024-01")
    if not title.strip():
        raise BadInput("a resolution needs a title", "pass --title '关于……的决定'")
    existing = resolutions_from_entries(txn.after().entries)
    if rid in existing:
        raise BadInput(f"resolution {rid} is already recorded ({existing[rid].source})",
                       "choose a new id; recorded resolutions are never rewritten")
    a_text, u_text = validate_subject(assets, uses)
    if result.matter == 8 and not (a_text and u_text):
        raise BadInput("a resolution on operating common parts (item 8) must name its assets and uses",
                       "pass --assets (e.g. P-*) and --uses (e.g. parking-owner)")
    entry = custom(
        day, RESOLUTION_TYPE, [rid],
        matter=result.matter, passed=result.passed, title=title.strip(),
        assets=a_text or None, uses=u_text or None,
        area_participating=result.area_participating, area_total=result.area_total,
        heads_participating=result.heads_participating, heads_total=result.heads_total,
        area_approving=result.area_approving, heads_approving=result.heads_approving,
        ballots=result.ballots, follow_majority=result.follow_majority,
        followed_units=result.followed_units or None,
        thresholds=result.thresholds,
    )
    txn.append("contracts", [entry])
    return entry
