"""共有资产: the asset list and an asset's own page."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from .. import charts, periods
from ..registry import Asset
from ..vocab import ACTION_LABELS, CONTRACT_STATE_LABELS, KINDS, STATUS_LABELS, ZERO, ZONES
from .base import Books, matches, source_ref
from .contracts import ContractSummary, contract_state, contract_summary, current_contract


@dataclass(frozen=True)
class Evidence:
    ref: str  # as the registry cites it ("documents/P-001.pdf")
    document: str | None  # the ``document`` entry's file, when there is one


@dataclass(frozen=True)
class AssetRow:
    """One asset in the registry list (and the head of its own page)."""

    id: str
    kind: str
    kind_label: str
    location: str
    description: str
    status: str
    status_label: str
    confirmed_on: dt.date | None  # the last confirmation, while confirmed
    evidence: tuple[Evidence, ...]
    contract: str | None  # the contract in force today, else the latest naming the asset
    contract_state: str | None
    contract_state_label: str
    income_year: Decimal
    income_total: Decimal
    zones: tuple[str, ...]  # where it sits (road, lift, ...), for the zone filter
    zone_label: str


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class ZoneCount:
    zone: str
    label: str
    count: int


@dataclass(frozen=True)
class RegistryPage:
    """共有资产: the assets shown (filtered by ``kind``/``status``/``zone`` and a search
    ``query``, "" for all) and counts of the whole registry."""

    year: int
    total: int  # assets in the registry, whatever the filter
    counts_by_status: tuple[StatusCount, ...]
    counts_by_kind: tuple[KindCount, ...]
    kind: str
    status: str
    rows: tuple[AssetRow, ...]
    income_year: Decimal
    income_total: Decimal
    violations: tuple[str, ...]  # registry events not accepted, with why
    zone: str = ""
    query: str = ""
    counts_by_zone: tuple[ZoneCount, ...] = ()


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class HistoryRow:
    date: dt.date
    action: str
    action_label: str
    reason: str
    details: tuple[Fact, ...]
    source: str  # file:line


@dataclass(frozen=True)
class ObjectionRow:
    date: dt.date
    reason: str  # who objected is not shown


@dataclass(frozen=True)
class PeriodAmount:
    period: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class AssetPage(AssetRow):
    """An asset's own page: its row, facts, history, contracts and income by period."""

    facts: tuple[Fact, ...]
    notice_start: dt.date | None
    notice_end: dt.date | None  # the last day of the objection window
    open_objections: tuple[ObjectionRow, ...]
    history: tuple[HistoryRow, ...]
    contracts: tuple[ContractSummary, ...]
    income_by_period: tuple[PeriodAmount, ...]


def _asset_row(books: Books, a: Asset) -> AssetRow:
    lines = books.index.income_by_asset.get(a.id, [])
    year = books.today.year
    c = current_contract(books, a.id)
    state = contract_state(c, books.today) if c else None
    confirmed = [ev.date for ev in a.events if ev.action == "confirmed"]
    zones = _zones(a)
    return AssetRow(
        id=a.id,
        kind=a.kind,
        kind_label=KINDS.get(a.kind, a.kind),
        location=a.facts.get("location", ""),
        description=a.facts.get("description", ""),
        status=a.status,
        status_label=STATUS_LABELS.get(a.status, a.status),
        confirmed_on=confirmed[-1] if confirmed and a.status == "confirmed" else None,
        evidence=tuple(Evidence(ref, books.documents.get(ref)) for ref in a.evidence),
        contract=c.id if c else None,
        contract_state=state,
        contract_state_label=CONTRACT_STATE_LABELS[state] if state else "",
        income_year=sum((amount for inc, amount in lines if inc.date.year == year), ZERO),
        income_total=sum((amount for _, amount in lines), ZERO),
        zones=zones,
        zone_label="、".join(ZONES.get(z, z) for z in zones),
    )


def _zones(a: Asset) -> tuple[str, ...]:
    return tuple(z for z in re.split(r"[,\s;，]+", str(a.facts.get("zones", ""))) if z)


def _asset_rows(books: Books) -> dict[str, AssetRow]:
    return {a.id: _asset_row(books, a)
            for a in sorted(books.registry.assets.values(), key=lambda a: a.id)}


def registry_page(books: Books, kind: str | None = None, status: str | None = None,
                  zone: str | None = None, query: str | None = None) -> RegistryPage:
    """共有资产: every asset (optionally filtered, or searched by id, place, description
    or contract), with counts by status, by kind and by zone."""
    rows = books.memo("asset-rows", lambda: _asset_rows(books))
    query = (query or "").strip()[:100]
    if (kind and kind not in KINDS) or (status and status not in STATUS_LABELS) \
            or (zone and zone not in ZONES) or query:
        # An unknown filter or a search from the query string is not remembered.
        return _registry_page(books, rows, kind, status, zone, query)
    return books.memo(("registry", kind, status, zone),
                      lambda: _registry_page(books, rows, kind, status, zone, ""))


def _registry_page(books: Books, all_rows: dict[str, AssetRow], kind: str | None,
                   status: str | None, zone: str | None = None, query: str = "") -> RegistryPage:
    assets = sorted(books.registry.assets.values(), key=lambda a: a.id)
    rows = tuple(r for r in (all_rows[a.id] for a in assets)
                 if (not kind or r.kind == kind) and (not status or r.status == status)
                 and (not zone or zone in r.zones)
                 and (not query or matches(query, r.id, r.location, r.description, r.kind_label,
                                           r.status_label, r.zone_label, r.contract or "")))
    by_status = books.registry.counts_by_status()
    by_kind: dict[str, int] = dict.fromkeys(KINDS, 0)
    by_zone: dict[str, int] = {}
    for a in assets:
        by_kind[a.kind] = by_kind.get(a.kind, 0) + 1
        for z in all_rows[a.id].zones:
            by_zone[z] = by_zone.get(z, 0) + 1
    return RegistryPage(
        year=books.today.year,
        total=len(assets),
        counts_by_status=tuple(StatusCount(s, STATUS_LABELS.get(s, s), n) for s, n in by_status.items()),
        counts_by_kind=tuple(KindCount(k, KINDS.get(k, k), n) for k, n in by_kind.items()),
        kind=kind or "",
        status=status or "",
        rows=rows,
        income_year=sum((r.income_year for r in rows), ZERO),
        income_total=sum((r.income_total for r in rows), ZERO),
        violations=tuple(v.message for v in books.registry.violations),
        zone=zone or "",
        query=query,
        counts_by_zone=tuple(ZoneCount(z, ZONES.get(z, z), n) for z, n in
                             sorted(by_zone.items(), key=lambda x: (-x[1], x[0]))),
    )


# Status colours of the confirmation chart: done green, under way amber/blue, problems red/grey.
STATUS_COLORS = {"confirmed": "#009E73", "noticed": "#E69F00", "registered": "#56B4E9",
                 "disputed": "#D55E00", "excluded": "#999999"}


def confirmation_chart(books: Books) -> str:
    """确权进度: the register's assets by 确权 status, as an inline SVG bar and a table."""
    return books.memo("chart-confirmation", lambda: _confirmation_chart(books))


def _confirmation_chart(books: Books) -> str:
    counts = books.registry.counts_by_status()
    items = [charts.Item(STATUS_LABELS.get(s, s), Decimal(counts.get(s, 0)), STATUS_COLORS.get(s, ""))
             for s in STATUS_LABELS]
    done = counts.get("confirmed", 0)
    total = sum(counts.values())
    return charts.progress("chart-confirmation", "确权进度", items, "项",
                           f"共 {total} 项共有资产，已确权 {done} 项。")


# History metadata shown on an asset's page, with Chinese labels; other keys are not shown.
EVENT_META_LABELS = {
    "kind": "类别", "location": "位置", "description": "说明", "size": "规模", "basis": "依据",
    "zones": "区域", "structure": "结构", "days": "公示天数", "evidence": "证据",
    "resolution": "业主大会决议", "document": "文件",
}
# Not shown: ``by`` of an objection (an owner key: who objected is not the public's business).


def _fact_text(key: str, value: object) -> str:
    """A registry fact as residents read it: kinds and zones by their Chinese names."""
    text = str(value)
    if key == "kind":
        return KINDS.get(text, text)
    if key == "zones":
        return "、".join(ZONES.get(z, z) for z in re.split(r"[,\s;，]+", text) if z)
    return text


def asset_page(books: Books, asset_id: str) -> AssetPage | None:
    """An asset's own page: facts, dated confirmation history, contracts, income by period."""
    a = books.registry.get(asset_id)
    if a is None:
        return None
    history = tuple(
        HistoryRow(
            date=ev.date,
            action=ev.action,
            action_label=ACTION_LABELS.get(ev.action, ev.action),
            reason=ev.reason,
            details=tuple(Fact(EVENT_META_LABELS[k], _fact_text(k, v))
                          for k, v in ev.meta.items() if k in EVENT_META_LABELS),
            source=source_ref(ev.source),
        )
        for ev in a.events
    )
    freq = books.frequency
    by_period: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for inc, amount in books.index.income_by_asset.get(a.id, []):
        by_period[periods.key_of(inc.date, freq)] += amount
    contracts = sorted(books.index.contracts_by_asset.get(a.id, []), key=lambda c: c.start)
    return AssetPage(
        **vars(_asset_row(books, a)),  # the row's fields, as the list shows them
        facts=tuple(Fact(EVENT_META_LABELS.get(k, k), _fact_text(k, v))
                    for k, v in a.facts.items() if k not in ("kind", "location")),
        notice_start=a.notice_start,
        notice_end=a.notice_end - dt.timedelta(days=1) if a.notice_end else None,
        open_objections=tuple(ObjectionRow(o.date, o.reason) for o in a.objections),
        history=history,
        contracts=tuple(contract_summary(books, c) for c in contracts),
        income_by_period=tuple(PeriodAmount(k, periods.label(k), v)
                               for k, v in sorted(by_period.items())),
    )
