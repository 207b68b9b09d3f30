"""共有资产: the asset list and an asset's own page."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import periods
from ..registry import Asset
from ..vocab import (
    ACTION_LABELS,
    CONTRACT_STATE_LABELS,
    KINDS,
    STATUS_LABELS,
    ZERO,
    ZONES,
)
from .base import Books
from .contracts import contract_state, contract_summary, current_contract


def _asset_row(books: Books, a: Asset) -> dict[str, Any]:
    lines = books.index.income_by_asset.get(a.id, [])
    year = books.today.year
    c = current_contract(books, a.id)
    confirmed = [ev.date for ev in a.events if ev.action == "confirmed"]
    return {
        "id": a.id,
        "kind": a.kind,
        "kind_label": KINDS.get(a.kind, a.kind),
        "location": a.facts.get("location", ""),
        "description": a.facts.get("description", ""),
        "status": a.status,
        "status_label": STATUS_LABELS.get(a.status, a.status),
        "confirmed_on": confirmed[-1].isoformat() if confirmed and a.status == "confirmed" else "",
        "evidence": [{"ref": ref, "document": books.documents.get(ref)} for ref in a.evidence],
        "contract": c.id if c else None,
        "contract_state": contract_state(c, books.today) if c else None,
        "contract_state_label": CONTRACT_STATE_LABELS[contract_state(c, books.today)] if c else "",
        "income_year": sum((amount for inc, amount in lines if inc.date.year == year), ZERO),
        "income_total": sum((amount for _, amount in lines), ZERO),
    }


def registry_page(books: Books, kind: str | None = None, status: str | None = None) -> dict[str, Any]:
    """共有资产: every asset (optionally filtered), with counts by status and by kind."""
    rows = books.memo("asset-rows", lambda: {
        a.id: _asset_row(books, a) for a in sorted(books.registry.assets.values(), key=lambda a: a.id)})
    if (kind and kind not in KINDS) or (status and status not in STATUS_LABELS):
        # An unknown filter from the query string matches nothing and is not remembered.
        return _registry_page(books, rows, kind, status)
    return books.memo(("registry", kind, status), lambda: _registry_page(books, rows, kind, status))


def _registry_page(books: Books, all_rows: dict[str, dict[str, Any]], kind: str | None,
                   status: str | None) -> dict[str, Any]:
    assets = sorted(books.registry.assets.values(), key=lambda a: a.id)
    rows = [all_rows[a.id] for a in assets
            if (not kind or a.kind == kind) and (not status or a.status == status)]
    by_status = books.registry.counts_by_status()
    by_kind: dict[str, int] = dict.fromkeys(KINDS, 0)
    for a in assets:
        by_kind[a.kind] = by_kind.get(a.kind, 0) + 1
    return {
        "year": books.today.year,
        "total": len(assets),
        "counts_by_status": [{"status": s, "label": STATUS_LABELS.get(s, s), "count": n}
                             for s, n in by_status.items()],
        "counts_by_kind": [{"kind": k, "label": KINDS.get(k, k), "count": n}
                           for k, n in by_kind.items()],
        "kind": kind or "",
        "status": status or "",
        "rows": rows,
        "income_year": sum((r["income_year"] for r in rows), ZERO),
        "income_total": sum((r["income_total"] for r in rows), ZERO),
        "violations": [v.message for v in books.registry.violations],
    }


# History metadata shown on an asset's page, with Chinese labels; other keys are not shown.
EVENT_META_LABELS = {
    "kind": "类别", "location": "位置", "description": "说明", "size": "规模", "basis": "依据",
    "zones": "区域", "structure": "结构", "days": "公示天数", "evidence": "证据",
    "resolution": "业主大会决议", "document": "文件",
}
# Not shown: ``by`` of an objection (an owner key: who objected is not the public's business).


def _fact_text(key: str, value: Any) -> str:
    """A registry fact as residents read it: kinds and zones by their Chinese names."""
    text = str(value)
    if key == "kind":
        return KINDS.get(text, text)
    if key == "zones":
        return "、".join(ZONES.get(z, z) for z in re.split(r"[,\s;，]+", text) if z)
    return text


def asset_page(books: Books, asset_id: str) -> dict[str, Any] | None:
    """An asset's own page: facts, dated confirmation history, contracts, income by period."""
    a = books.registry.get(asset_id)
    if a is None:
        return None
    row = _asset_row(books, a)
    history = []
    for ev in a.events:
        details = []
        for k, v in ev.meta.items():
            if k in EVENT_META_LABELS:
                details.append({"label": EVENT_META_LABELS[k], "value": _fact_text(k, v)})
        history.append({
            "date": ev.date.isoformat(),
            "action": ev.action,
            "action_label": ACTION_LABELS.get(ev.action, ev.action),
            "reason": ev.reason,
            "details": details,
            "source": Path(ev.source.rsplit(":", 1)[0]).name + ":" + ev.source.rsplit(":", 1)[-1],
        })
    freq = books.frequency
    by_period: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for inc, amount in books.index.income_by_asset.get(a.id, []):
        by_period[periods.key_of(inc.date, freq)] += amount
    contracts = sorted(books.index.contracts_by_asset.get(a.id, []), key=lambda c: c.start)
    return {
        **row,
        "facts": [{"label": EVENT_META_LABELS.get(k, k), "value": _fact_text(k, v)}
                  for k, v in a.facts.items() if k not in ("kind", "location")],
        "notice_start": a.notice_start.isoformat() if a.notice_start else "",
        "notice_end": (a.notice_end - dt.timedelta(days=1)).isoformat() if a.notice_end else "",
        "open_objections": [{"date": o.date.isoformat(), "reason": o.reason} for o in a.objections],
        "history": history,
        "contracts": [contract_summary(books, c) for c in contracts],
        "income_by_period": [{"period": k, "label": periods.label(k), "amount": v}
                             for k, v in sorted(by_period.items())],
    }


