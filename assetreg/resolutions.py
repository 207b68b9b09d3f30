"""Owners' resolutions as recorded in the ledger.

    2024-02-20 custom "resolution" "R-2024-01"
      matter: 8
      passed: TRUE
      title: "关于地面停车位经营的决定"
      assets: "P-*"
      uses: "parking-owner,parking-nonowner"

The tally that produced ``passed`` is kept in the same entry (see the policy module);
here we only answer what other modules ask: does a resolution exist, did it pass,
and was it adopted by a given day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from beancount.core import data

RESOLUTION_TYPE = "resolution"


@dataclass(frozen=True)
class Resolution:
    id: str
    date: dt.date
    matter: int
    passed: bool
    title: str
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""


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


def make_resolution_check(resolutions: dict[str, Resolution]):  # type: ignore[no-untyped-def]
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
