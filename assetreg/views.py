"""View models of a compound's books: what residents see, computed once per load.

The Fava pages (:mod:`assetreg.fava_ext`) and any CLI report call these plain functions,
so the web page and ``assetreg …`` never disagree. :func:`build_books` indexes the
loaded entries once (registry replay, contracts, resolutions, income, costs and
allocations); the page functions below only select and sum from that index.

Income is a posting to an ``Income:Common:…`` account. The asset, contract and billing
period it belongs to are read from the posting's metadata, else the transaction's::

    2024-05-31 * "物业公司" "5月停车费"
      asset: "P-001"
      contract: "C-2024-001"
      period: "2024-05"
      Assets:Receivable:物业代收   150.00 CNY
      Income:Common:停车位        -150.00 CNY

When one posting names several assets, its amount is split evenly between them to the
cent (the remainder cent going to the first), so per-asset totals add up to the books.

Nothing here shows an owner's name or phone: the ledger holds none, and a unit lookup
reveals only the unit number, its building, its area and its share.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import importlib
import math
import os
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from beancount.core import data

from . import accounts
from .contracts import Contract, Due, contracts_from_entries, schedule
from .options import Options, options_from_entries
from .registry import KINDS, STATUS_LABELS, ZONES, Asset, Registry, registry_from_entries
from .resolutions import Resolution, make_resolution_check, resolutions_from_entries
from .units import Roster, roster_from_entries

T = TypeVar("T")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

KIND_OF_ACCOUNT = {acct: kind for kind, acct in accounts.INCOME_BY_KIND.items()}
ALLOCATION_ROOT = "Expenses:Allocation"
COST_ACCOUNT = accounts.MANAGER_COST

ALLOCATION_LABELS = {
    accounts.MAINTENANCE_FUND: "补充维修资金",
    accounts.COMMITTEE_FUNDS: "业委会工作经费",
    accounts.OTHER_USES: "业主大会决定用途",
}

VERDICT_LABELS = {
    "permitted": "准许",
    "forbidden": "禁止（负面清单）",
    "not-permitted": "不予准许",
}

USE_LABELS = {
    "parking-owner": "车位出租（业主）",
    "parking-nonowner": "车位出租（非业主）",
    "advertising-lift": "电梯广告",
    "advertising-board": "宣传栏广告",
    "advertising": "广告",
    "express-locker": "快递柜",
    "ev-charger": "充电桩",
    "vending": "自动售货机",
    "community-room": "社区服务用房",
    "base-station": "通信基站",
}

ORGANISATION_KINDS = ("organisation", "organization", "company")

PERIOD_LABELS = {"month": "月", "quarter": "季度", "half-year": "半年", "year": "年", "once": "一次性"}

FREQUENCY_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}


def yuan(amount: Decimal | int | None) -> str:
    """Money as residents read it: two decimals, thousands separated."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(CENT):,}"


# --------------------------------------------------------------------------- periods


def period_key(day: dt.date, frequency: str) -> str:
    """The disclosure period a day falls in: 2024-05, 2024Q2, 2024H1 or 2024."""
    if frequency == "month":
        return f"{day:%Y-%m}"
    if frequency == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if frequency == "year":
        return f"{day.year}"
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def period_label(key: str) -> str:
    if re.fullmatch(r"\d{4}-\d{2}", key):
        return f"{key[:4]}年{int(key[5:])}月"
    if "Q" in key:
        return f"{key[:4]}年第{key[-1]}季度"
    if "H" in key:
        return f"{key[:4]}年{'上' if key.endswith('1') else '下'}半年"
    return f"{key}年"


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class IncomeLine:
    date: dt.date
    account: str
    kind: str
    asset: str | None
    contract: str | None
    period: str | None
    amount: Decimal  # positive: money earned
    narration: str
    source: str


@dataclass(frozen=True)
class SpendLine:
    """The manager's cost deducted (Art. 282) or an allocation of net income."""

    date: dt.date
    account: str
    amount: Decimal
    period: str | None
    narration: str
    resolution: str | None
    source: str


@dataclass(frozen=True)
class Rejected:
    date: dt.date
    id: str
    verdict: str
    meta: dict[str, Any]
    source: str

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, self.verdict)


@dataclass
class Books:
    """Everything the residents' pages read, indexed once per load of the ledger."""

    entries: Sequence[Any]
    options_map: dict[str, Any]
    root: Path | None
    today: dt.date
    options: Options
    registry: Registry
    contracts: dict[str, Contract]
    resolutions: dict[str, Resolution]
    roster: Roster
    income: list[IncomeLine]
    costs: list[SpendLine]
    allocations: list[SpendLine]
    rejected: list[Rejected]
    documents: dict[str, str]  # evidence reference (relative) -> absolute document filename
    memo_: dict[Any, Any] = field(default_factory=dict)  # page results, computed once per load
    _locks: dict[Any, threading.Lock] = field(default_factory=dict)
    _locks_lock: threading.Lock = field(default_factory=threading.Lock)
    income_by_asset: dict[str, list[IncomeLine]] = field(default_factory=dict)
    income_by_contract: dict[str, list[IncomeLine]] = field(default_factory=dict)
    contracts_by_asset: dict[str, list[Contract]] = field(default_factory=dict)

    @property
    def frequency(self) -> str:
        f = self.options.get("disclosure-frequency")
        return f if f in FREQUENCY_MONTHS else "half-year"

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """A page result computed once per load (the books never change once built).

        Thread-safe: a request asking for a result being computed (e.g. by :func:`warm`)
        waits for it instead of computing it again.
        """
        if key in self.memo_:
            hit: T = self.memo_[key]
            return hit
        with self._locks_lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self.memo_:
                self.memo_[key] = compute()
        result: T = self.memo_[key]
        return result

    @property
    def share_basis(self) -> str:
        return "unit" if self.options.get("share-basis") == "unit" else "area"

    @property
    def title(self) -> str:
        return str(self.options_map.get("title", "")) if self.options_map else ""


def _source(entry: Any) -> str:
    m = entry.meta or {}
    return f"{os.path.basename(str(m.get('filename', '?')))}:{m.get('lineno', '?')}"


def _meta_value(posting: Any, entry: Any, key: str) -> str | None:
    value = (posting.meta or {}).get(key) if posting.meta else None
    if value is None:
        value = entry.meta.get(key)
    return None if value is None else str(value).strip()


def _split_even(amount: Decimal, n: int) -> list[Decimal]:
    """``amount`` in ``n`` parts to the cent that add up exactly; the first gets the rest."""
    base = (amount / n).quantize(CENT, rounding=ROUND_DOWN)
    parts = [base] * n
    parts[0] += amount - base * n
    return parts


def build_books(
    entries: Sequence[Any],
    options_map: dict[str, Any] | None = None,
    root: Path | None = None,
    today: dt.date | None = None,
) -> Books:
    """Index a loaded ledger for the residents' pages (one pass over the entries)."""
    entries = list(entries)
    resolutions = resolutions_from_entries(entries)
    registry = registry_from_entries(entries, make_resolution_check(resolutions))
    contracts = contracts_from_entries(entries)
    income: list[IncomeLine] = []
    costs: list[SpendLine] = []
    allocations: list[SpendLine] = []
    rejected: list[Rejected] = []
    document_files: dict[str, str] = {}
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                acct = p.account
                if p.units is None or p.units.number is None:
                    continue
                number = p.units.number
                if accounts.is_common_income(acct):
                    asset_text = _meta_value(p, e, "asset")
                    ids = [a.strip().upper() for a in (asset_text or "").split(",") if a.strip()]
                    shares = _split_even(-number, len(ids)) if ids else [-number]
                    for i, amount in enumerate(shares):
                        income.append(IncomeLine(
                            e.date, acct, KIND_OF_ACCOUNT.get(acct, "other"),
                            ids[i] if ids else None, _meta_value(p, e, "contract"),
                            _meta_value(p, e, "period"), amount, e.narration or "", _source(e)))
                elif acct.startswith(ALLOCATION_ROOT + ":") or acct == COST_ACCOUNT:
                    line = SpendLine(e.date, acct, number, _meta_value(p, e, "period"),
                                     e.narration or "", _meta_value(p, e, "resolution"), _source(e))
                    (allocations if acct.startswith(ALLOCATION_ROOT) else costs).append(line)
        elif isinstance(e, data.Custom) and e.type == "decision" and len(e.values) >= 2:
            m = {k: v for k, v in e.meta.items() if k not in ("filename", "lineno")}
            rejected.append(Rejected(e.date, str(e.values[0].value), str(e.values[1].value),
                                     m, _source(e)))
        elif isinstance(e, data.Document):
            document_files[str(e.filename)] = str(e.filename)
    books = Books(
        entries=entries,
        options_map=options_map or {},
        root=root,
        today=today or dt.date.today(),
        options=options_from_entries(entries),
        registry=registry,
        contracts=contracts,
        resolutions=resolutions,
        roster=roster_from_entries(entries),
        income=income,
        costs=costs,
        allocations=allocations,
        rejected=rejected,
        documents=_evidence_documents(document_files, root),
    )
    for earned in income:
        if earned.asset:
            books.income_by_asset.setdefault(earned.asset, []).append(earned)
        if earned.contract:
            books.income_by_contract.setdefault(earned.contract, []).append(earned)
    for c in contracts.values():
        for a in c.assets:
            books.contracts_by_asset.setdefault(a.upper(), []).append(c)
    return books


def _evidence_documents(files: dict[str, str], root: Path | None) -> dict[str, str]:
    """Map evidence references as written ("documents/P-001.pdf") to Fava document files."""
    out: dict[str, str] = {}
    for filename in files:
        out[filename] = filename
        if root is not None:
            with contextlib.suppress(ValueError):  # a document outside the compound folder
                out[str(Path(filename).resolve().relative_to(root.resolve()))] = filename
    return out


# --------------------------------------------------------------------------- 共有资产


def contract_state(c: Contract, today: dt.date) -> str:
    if c.start > today:
        return "upcoming"
    return "in-force" if c.active_on(today) else "ended"


CONTRACT_STATE_LABELS = {"in-force": "履行中", "ended": "已终止", "upcoming": "未开始"}


def current_contract(books: Books, asset_id: str) -> Contract | None:
    """The contract in force today on the asset, else the latest one that names it."""
    found = books.contracts_by_asset.get(asset_id, [])
    active = [c for c in found if c.active_on(books.today)]
    if active:
        return max(active, key=lambda c: c.start)
    return max(found, key=lambda c: c.start) if found else None


def _asset_row(books: Books, a: Asset) -> dict[str, Any]:
    lines = books.income_by_asset.get(a.id, [])
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
        "income_year": sum((x.amount for x in lines if x.date.year == year), ZERO),
        "income_total": sum((x.amount for x in lines), ZERO),
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


ACTION_LABELS = {
    "registered": "登记",
    "noticed": "确权公示",
    "objected": "异议",
    "confirmed": "确权",
    "disputed": "争议",
    "resolved": "争议解决",
    "excluded": "排除",
    "amended": "信息更正",
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
    for line in books.income_by_asset.get(a.id, []):
        by_period[period_key(line.date, freq)] += line.amount
    contracts = sorted(books.contracts_by_asset.get(a.id, []), key=lambda c: c.start)
    return {
        **row,
        "facts": [{"label": EVENT_META_LABELS.get(k, k), "value": _fact_text(k, v)}
                  for k, v in a.facts.items() if k not in ("kind", "location")],
        "notice_start": a.notice_start.isoformat() if a.notice_start else "",
        "notice_end": (a.notice_end - dt.timedelta(days=1)).isoformat() if a.notice_end else "",
        "open_objections": [{"date": o.date.isoformat(), "reason": o.reason} for o in a.objections],
        "history": history,
        "contracts": [contract_summary(books, c) for c in contracts],
        "income_by_period": [{"period": k, "label": period_label(k), "amount": v}
                             for k, v in sorted(by_period.items())],
    }


# --------------------------------------------------------------------------- 经营合同


def _pay_period(dues: Sequence[Due], known: set[str], text: str | None, day: dt.date) -> str | None:
    """The billing period a payment is for -- the same rule as the audit's billing check:
    its ``period:`` when the schedule bills it, else the period its month (or date) falls in."""
    if dues and dues[0].period == "once":
        return "once"
    if text:
        if text in known:
            return text
        try:
            day = dt.date.fromisoformat(text + "-01")
        except ValueError:
            return text
    for d in dues:
        if d.start <= day <= d.end or (d.start.year, d.start.month) == (day.year, day.month):
            return d.period
    return text


def billing(books: Books, c: Contract, with_rows: bool = False) -> dict[str, Any]:
    """Amounts due to date against payments booked with ``contract:`` and ``period:`` meta.

    A period paid short counts as arrears once it ended more than ``billing-grace-days``
    ago (the audit's rule); before that it is shown as not yet due in full. ``with_rows``
    adds the period-by-period table (for a contract's own page).
    """
    dues = schedule(c) if c.price > 0 else []
    known = {d.period for d in dues}
    grace = dt.timedelta(days=int(books.options.get("billing-grace-days") or 31))
    paid_by_period: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in books.income_by_contract.get(c.id, []):
        paid_by_period[_pay_period(dues, known, line.period, line.date) or "?"] += line.amount
    rows = []
    due_to_date = arrears = prepaid = over = ZERO
    periods_due = 0
    open_short = False
    today = books.today
    for d in dues:
        paid = paid_by_period.get(d.period, ZERO)
        if d.start > today:
            prepaid += paid
            continue
        periods_due += 1
        due_to_date += d.amount
        late = d.end + grace < today
        short = d.amount - paid if paid < d.amount else ZERO
        if paid > d.amount:
            over += paid - d.amount
        if short and late:
            arrears += short
        elif short:
            open_short = True
        if with_rows:
            rows.append({"period": d.period, "start": d.start.isoformat(), "end": d.end.isoformat(),
                         "due": d.amount, "paid": paid, "short": short,
                         "state": "arrears" if short and late else "open" if short else "paid"})
    unmatched = sum((v for k, v in paid_by_period.items() if k not in known), ZERO)
    over += unmatched
    paid_total = sum(paid_by_period.values(), ZERO)
    notes = []
    if arrears > 0:
        status, label = "arrears", f"欠费 {yuan(arrears)} 元"
    elif open_short:
        status, label = "open", "当期未缴（宽限期内）"
    else:
        status, label = "paid", "已结清" if periods_due else "尚无到期款项"
    if over > 0:
        notes.append(f"多收 {yuan(over)} 元")
    if prepaid > 0:
        notes.append(f"预收 {yuan(prepaid)} 元")
    if notes:
        label += "（" + "，".join(notes) + "）"
    return {"rows": rows, "due_to_date": due_to_date, "paid_total": paid_total,
            "unmatched": unmatched, "arrears": arrears, "overpaid": over, "prepaid": prepaid,
            "status": status, "status_label": label}


TALLY_KEYS = ("area_total", "heads_total", "area_participating", "heads_participating",
              "area_approving", "heads_approving")


def _percent(f: Fraction) -> str:
    return f"{(Decimal(f.numerator) / Decimal(f.denominator) * 100).quantize(Decimal('0.01'))}%"


def _number(f: Fraction) -> str:
    text = str(f.numerator) if f.denominator == 1 else str(Decimal(f.numerator) / Decimal(f.denominator))
    return f"{Decimal(text):,}"


def tally_ratios(r: Resolution) -> list[dict[str, Any]]:
    """The four Art. 278 ratios of a recorded resolution, each with its threshold and verdict.

    Recomputed from the counts stored with the resolution by ``assetreg resolution record``,
    with the tally module's own rules (thresholds by matter, "以上" inclusive, "过半数"
    strict -- Art. 1259), so the page shows exactly what decided it.
    """
    if not all(k in r.meta for k in TALLY_KEYS):
        return []
    try:
        from .tally import Tally
    except ImportError:
        return []
    m = r.meta
    tally = Tally(matter=r.matter, follow_majority=bool(m.get("follow_majority", False)),
                  area_total=Decimal(str(m["area_total"])), heads_total=int(m["heads_total"]),
                  area_participating=Decimal(str(m["area_participating"])),
                  heads_participating=int(m["heads_participating"]),
                  area_approving=Decimal(str(m["area_approving"])),
                  heads_approving=int(m["heads_approving"]),
                  ballots=int(m.get("ballots", 0)), followed_units=int(m.get("followed_units", 0)))
    out = []
    for c in tally.checks:
        out.append({
            "key": c.name, "label": c.label,
            "value": f"{_number(c.numerator)} / {_number(c.denominator)} = {_percent(c.ratio)}"
            if c.denominator else "—",
            "threshold": ("超过" if c.strict else "不少于") + str(c.threshold),
            "met": c.met,
        })
    return out


def resolution_summary(books: Books, rid: str | None) -> dict[str, Any] | None:
    if not rid:
        return None
    r = books.resolutions.get(rid)
    if r is None:
        return {"id": rid, "missing": True}
    return {"id": r.id, "date": r.date.isoformat(), "title": r.title, "matter": r.matter,
            "passed": r.passed, "ratios": tally_ratios(r), "ballots": r.meta.get("ballots", ""),
            "thresholds": str(r.meta.get("thresholds", "")), "missing": False}


def _rules(value: Any) -> list[str]:
    return [x.strip() for x in re.split(r"[,;\s]+", str(value or "")) if x.strip()]


def rule_index(books: Books) -> dict[str, dict[str, str]]:
    """Title and legal source of every rule and condition id in the compound's policy set."""
    return books.memo("rule-index", lambda: _rule_index(books))


def _rule_index(books: Books) -> dict[str, dict[str, str]]:
    pset = _policy_set(books)
    if pset is None:
        return {}
    try:
        from .policy.schema import CONDITION_KINDS, condition_id
    except ImportError:
        return {}
    out: dict[str, dict[str, str]] = {}
    # The engine's general rules, which no policy file lists (assetreg.policy.engine).
    try:
        from .policy import engine
        out["A-ASSET-CONFIRMED"] = {"title": "资产须在合同起始日已确权", "kind": "general",
                                    "source": str(getattr(engine, "GENERAL_SOURCE", ""))}
        out["A-NO-OVERLAP"] = {"title": "同一资产同期不得有冲突的排他性合同", "kind": "general",
                               "source": str(getattr(engine, "OVERLAP_SOURCE", ""))}
    except ImportError:
        pass
    for kind, rules in (("negative", getattr(pset, "negative", [])),
                        ("guidance", getattr(pset, "guidance", []))):
        for rule in rules:
            out[rule.id] = {"title": rule.title, "source": rule.source, "kind": kind}
            for cond in getattr(rule, "conditions", []) or []:
                out[condition_id(rule, cond)] = {
                    "title": cond.title or CONDITION_KINDS.get(cond.kind, cond.kind),
                    "source": cond.source or rule.source, "kind": "condition"}
    return out


def _rule_details(books: Books, ids: list[str]) -> list[dict[str, str]]:
    index = rule_index(books)
    return [{"id": i, "title": index.get(i, {}).get("title", ""),
             "source": index.get(i, {}).get("source", ""),
             "kind": index.get(i, {}).get("kind", "negative" if i.startswith("N-") else "other")}
            for i in ids]


def gate_check(c: Contract) -> str | None:
    """Whether the recorded decision still matches the contract's terms (the audit's rule):
    "" when it does, the problem when not, None when the audit module is not installed."""
    try:
        from .audit.income import gate_problem
    except ImportError:
        return None
    problem = gate_problem(c)
    return str(problem) if problem else ""


def contract_summary(books: Books, c: Contract) -> dict[str, Any]:
    state = contract_state(c, books.today)
    m = c.meta
    lines = books.income_by_contract.get(c.id, [])
    return {
        "id": c.id,
        "title": str(m.get("title", "")),
        "assets": c.assets,
        "use": c.use,
        "use_label": USE_LABELS.get(c.use, c.use),
        "counterparty_kind": str(c.terms.get("counterparty_kind", "")),
        # An organisation is named; an owner counterparty stays "业主" (no key, no name).
        "counterparty": str(c.terms.get("counterparty", ""))
        if str(c.terms.get("counterparty_kind", "")) in ORGANISATION_KINDS else "",
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "ended_early": c.ended.isoformat() if c.ended else "",
        "end_reason": c.end_reason,
        "state": state,
        "state_label": CONTRACT_STATE_LABELS[state],
        "price": c.price,
        "period": c.period,
        "period_label": PERIOD_LABELS.get(c.period, c.period),
        "deposit": c.deposit,
        "manager_share": c.terms.get("manager_share", ""),
        "decision": str(m.get("decision", "")),
        "decision_label": VERDICT_LABELS.get(str(m.get("decision", "")), str(m.get("decision", "未记录"))),
        "rules": _rules(m.get("rules")),
        "rule_details": _rule_details(books, _rules(m.get("rules"))),
        "policy_set": str(m.get("policy_set", "")),
        "gate": gate_check(c),
        "resolution": resolution_summary(books, c.terms.get("resolution")),
        "billing": billing(books, c),
        "income_total": sum((x.amount for x in lines), ZERO),
        "income_year": sum((x.amount for x in lines if x.date.year == books.today.year), ZERO),
        "recorded": c.date.isoformat(),
        "source": Path(c.source.rsplit(":", 1)[0]).name + ":" + c.source.rsplit(":", 1)[-1],
    }


def contracts_page(books: Books) -> dict[str, Any]:
    """经营合同: contracts in force, upcoming and ended; rejected proposals and why."""
    return books.memo("contracts", lambda: _contracts_page(books))


def _contracts_page(books: Books) -> dict[str, Any]:
    summaries = [contract_summary(books, c)
                 for c in sorted(books.contracts.values(), key=lambda c: (c.start, c.id))]
    rejected = []
    for r in sorted(books.rejected, key=lambda r: (r.date, r.id)):
        m = r.meta
        rejected.append({
            "date": r.date.isoformat(), "id": r.id, "verdict": r.verdict,
            "verdict_label": r.verdict_label,
            "use": str(m.get("use", "")), "use_label": USE_LABELS.get(str(m.get("use", "")), str(m.get("use", ""))),
            "assets": str(m.get("assets", "")), "rules": _rules(m.get("rules")),
            "rule_details": _rule_details(books, _rules(m.get("rules"))),
            "reasons": [s.strip() for s in re.split(r"[;；\n]+", str(m.get("reasons", m.get("reason", "")))) if s.strip()],
        })
    return {
        "in_force": [s for s in summaries if s["state"] == "in-force"],
        "upcoming": [s for s in summaries if s["state"] == "upcoming"],
        "ended": [s for s in summaries if s["state"] == "ended"],
        "rejected": rejected,
        "arrears_total": sum((s["billing"]["arrears"] for s in summaries), ZERO),
    }


def contract_page(books: Books, cid: str) -> dict[str, Any] | None:
    c = books.contracts.get(cid.strip())
    if c is None:
        return None
    summary = contract_summary(books, c)
    summary["billing"] = billing(books, c, with_rows=True)
    summary["payments"] = [
        {"date": x.date.isoformat(), "asset": x.asset or "", "period": x.period or "",
         "amount": x.amount, "narration": x.narration}
        for x in sorted(books.income_by_contract.get(c.id, []), key=lambda x: x.date)
    ]
    return summary


# --------------------------------------------------------------------------- 收益公示


def income_page(books: Books) -> dict[str, Any]:
    """收益公示: per disclosure period, income by asset kind, cost deducted, net, where it went."""
    return books.memo("income", lambda: _income_page(books))


def _income_page(books: Books) -> dict[str, Any]:
    freq = books.frequency
    kinds = list(KINDS)
    periods: dict[str, dict[str, Any]] = {}

    def row(key: str) -> dict[str, Any]:
        if key not in periods:
            periods[key] = {"period": key, "label": period_label(key),
                            "by_kind": dict.fromkeys(kinds, ZERO), "income": ZERO, "cost": ZERO,
                            "net": ZERO, "allocated": dict.fromkeys(ALLOCATION_LABELS, ZERO),
                            "allocated_total": ZERO}
        return periods[key]

    # Every amount belongs to the period its transaction is dated in -- the same rule as
    # `assetreg disclose` (assetreg.disclosure), so the page and the notice-board agree.
    for x in books.income:
        r = row(period_key(x.date, freq))
        r["by_kind"][x.kind] = r["by_kind"].get(x.kind, ZERO) + x.amount
        r["income"] += x.amount
    for s in books.costs:
        row(period_key(s.date, freq))["cost"] += s.amount
    for s in books.allocations:
        r = row(period_key(s.date, freq))
        r["allocated"][s.account] = r["allocated"].get(s.account, ZERO) + s.amount
        r["allocated_total"] += s.amount
    rows = [periods[k] for k in sorted(periods)]
    seen = list(ALLOCATION_LABELS) + sorted({s.account for s in books.allocations} - set(ALLOCATION_LABELS))
    for r in rows:
        for a in seen:
            r["allocated"].setdefault(a, ZERO)
    # Net income is usually allocated after its period ends, so what is left unallocated
    # is shown as a running balance at each period's end.
    left = ZERO
    for r in rows:
        r["net"] = r["income"] - r["cost"]
        left += r["net"] - r["allocated_total"]
        r["unallocated"] = left
    totals: dict[str, Any] = {
        "by_kind": {k: sum((r["by_kind"].get(k, ZERO) for r in rows), ZERO) for k in kinds},
        "income": sum((r["income"] for r in rows), ZERO),
        "cost": sum((r["cost"] for r in rows), ZERO),
        "net": sum((r["net"] for r in rows), ZERO),
        "allocated": {a: sum((r["allocated"].get(a, ZERO) for r in rows), ZERO) for a in seen},
        "allocated_total": sum((r["allocated_total"] for r in rows), ZERO),
        "unallocated": left,
    }
    used_kinds = [k for k in kinds if totals["by_kind"][k] != 0] or kinds[:1]
    allocation_lines = [
        {"date": s.date.isoformat(), "account": s.account,
         "label": ALLOCATION_LABELS.get(s.account, s.account.rsplit(":", 1)[-1]),
         "amount": s.amount, "narration": s.narration, "resolution": s.resolution or ""}
        for s in sorted(books.allocations, key=lambda s: s.date)
    ]
    return {
        "frequency": freq,
        "frequency_label": PERIOD_LABELS.get(freq, freq),
        "kinds": [{"kind": k, "label": KINDS[k]} for k in used_kinds],
        "allocation_accounts": [{"account": a, "label": ALLOCATION_LABELS.get(a, a.rsplit(":", 1)[-1])}
                                for a in seen if totals["allocated"][a] != 0],
        "rows": rows,
        "totals": totals,
        "allocations": allocation_lines,
        "periods": [r["period"] for r in rows],
    }


def _largest_remainder(total: Decimal, weights: dict[str, Fraction]) -> dict[str, Decimal]:
    """Split ``total`` in cents in proportion to ``weights`` so the parts sum exactly.

    The same rule as the disclosure (``assetreg.disclosure.largest_remainder``): floor every
    exact share, then one more cent to each of the largest remainders, ties by key. Done
    here in integers (weights scaled to a common denominator), which gives the same cents
    and is fast enough to split among thousands of units per request.
    """
    if not weights:
        return {}
    denominator = math.lcm(*(w.denominator for w in weights.values()))
    scaled = {k: w.numerator * (denominator // w.denominator) for k, w in weights.items()}
    whole = sum(scaled.values())
    if whole <= 0:
        return {}
    cents = int((total.quantize(CENT) * 100).to_integral_value())
    sign, n = (-1 if cents < 0 else 1), abs(cents)
    floors: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for k, w in scaled.items():
        q, r = divmod(n * w, whole)
        floors[k] = q
        remainders.append((-r, k))
    remainders.sort()
    for _, k in remainders[: n - sum(floors.values())]:
        floors[k] += 1
    return {k: Decimal(sign * v) / 100 for k, v in floors.items()}


def _period_end(key: str) -> dt.date:
    if re.fullmatch(r"\d{4}-\d{2}", key):
        y, m = int(key[:4]), int(key[5:])
    elif "Q" in key:
        y, m = int(key[:4]), 3 * int(key[-1])
    elif "H" in key:
        y, m = int(key[:4]), 6 * int(key[-1])
    else:
        y, m = int(key), 12
    nxt = dt.date(y + m // 12, m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _period_shares(books: Books, row: dict[str, Any]) -> dict[str, Decimal]:
    """Every unit's share of one period's net: units on the roster at the period's end."""
    end = _period_end(row["period"])
    by_unit = books.share_basis == "unit"
    weights = {u.number: Fraction(1) if by_unit else Fraction(u.area)
               for u in books.roster.units.values() if u.date <= end}
    return _largest_remainder(row["net"], weights)


def unit_share(books: Books, unit_number: str, period: str | None = None) -> dict[str, Any] | None:
    """A unit's share of each period's net income, as the disclosure computes it.

    Art. 283: in proportion to exclusive area (or equally per unit where the compound's
    ``share-basis`` option says ``unit``), among the units on the roster at the period's
    end, rounded to cents by largest remainder so all shares add up to the net exactly.
    Returns only the unit number, building, area and amounts -- never an owner's key,
    name or phone.
    """
    unit = books.roster.get(unit_number)
    if unit is None:
        return None
    by_unit = books.share_basis == "unit"
    rows = []
    for r in income_page(books)["rows"]:
        if period and r["period"] != period:
            continue
        shares = books.memo(("shares", r["period"]), functools.partial(_period_shares, books, r))
        if unit.number not in shares:
            continue  # not yet on the roster at the period's end
        share = shares[unit.number]
        rows.append({"period": r["period"], "label": r["label"], "net": r["net"], "share": share})
    whole_area = books.memo("total-area", lambda: books.roster.total_area)
    whole = Fraction(len(books.roster.units)) if by_unit else whole_area
    frac = (Fraction(1) if by_unit else Fraction(unit.area)) / whole if whole else Fraction(0)
    return {
        "unit": unit.number,
        "building": unit.building,
        "area": unit.area,
        "basis": "unit" if by_unit else "area",
        "total_area": whole_area.numerator / Decimal(whole_area.denominator) if whole_area else ZERO,
        "units": len(books.roster.units),
        "fraction": f"{frac.numerator}/{frac.denominator}",
        "percent": (Decimal(frac.numerator) / Decimal(frac.denominator) * 100).quantize(Decimal("0.0001")),
        "rows": rows,
        "share_total": sum((x["share"] for x in rows), ZERO),
    }


# --------------------------------------------------------------------------- 政策清单 / 审计


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "；".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {_text(v)}" for k, v in value.items())
    if hasattr(value, "model_dump"):
        return _text({k: v for k, v in value.model_dump().items() if v not in (None, "", [], {})})
    return str(value)


def _policy_labels() -> dict[str, dict[str, str]]:
    """Chinese names of uses, proposal facts, counterparty and condition kinds (policy schema)."""
    try:
        from .policy import schema
    except ImportError:
        return {"uses": USE_LABELS, "facts": {}, "counterparty": {}, "conditions": {}}
    return {"uses": {**USE_LABELS, **getattr(schema, "USES", {})},
            "facts": getattr(schema, "PROPOSAL_FACTS", {}),
            "counterparty": getattr(schema, "COUNTERPARTY_KINDS", {}),
            "conditions": getattr(schema, "CONDITION_KINDS", {})}


def _names(values: Iterable[Any], labels: dict[str, str]) -> str:
    return "、".join(labels.get(str(v), str(v)) for v in values)


def clause_text(clause: Any, labels: dict[str, dict[str, str]]) -> str:
    """A negative-list clause in words: every stated fact must hold."""
    parts = []
    if _attr(clause, "asset_zones"):
        parts.append("资产位于" + _names(clause.asset_zones, ZONES))
    if _attr(clause, "asset_kinds"):
        parts.append("资产类别为" + _names(clause.asset_kinds, KINDS))
    if _attr(clause, "asset_structure"):
        parts.append("资产结构涉及" + _names(clause.asset_structure, {}))
    if _attr(clause, "uses"):
        parts.append("用途为" + _names(clause.uses, labels["uses"]))
    if _attr(clause, "uses_not"):
        parts.append("用途不是" + _names(clause.uses_not, labels["uses"]))
    if _attr(clause, "counterparty_kind"):
        parts.append("相对方为" + _names(clause.counterparty_kind, labels["counterparty"]))
    for fact, value in (_attr(clause, "facts") or {}).items():
        parts.append(("" if value else "并非") + labels["facts"].get(fact, fact))
    return "，且".join(parts) if parts else _text(clause)


def condition_text(cond: Any, labels: dict[str, dict[str, str]]) -> str:
    """A guidance-list condition in words, with its parameters."""
    kind = str(_attr(cond, "kind", default=""))
    title = _attr(cond, "title")
    p = {k: _attr(cond, k) for k in ("matter", "min_days", "months", "min_amount", "min_periods",
                                     "max", "min", "kinds")}
    detail = {
        "resolution": f"业主大会依民法典第278条第一款第{p['matter']}项表决通过的决议",
        "notice": f"签约前公示不少于{p['min_days']}日",
        "max-term": f"合同期限不超过{p['months']}个月",
        "deposit": "押金不少于" + "、".join(
            x for x in (f"{p['min_amount']}元" if p["min_amount"] is not None else "",
                        f"{p['min_periods']}期租金" if p["min_periods"] is not None else "") if x),
        "manager-share": f"书面约定物业经营成本分成，且不超过{p['max']}",
        "consents": "直接利害关系业主书面同意" + (f"（至少{p['min']}户）" if p["min"] else ""),
        "owners-first": "优先满足业主需要：有业主排队时不得租给非业主（民法典第276条）",
        "counterparty-kind": "相对方限于" + _names(p["kinds"] or [], labels["counterparty"]),
    }.get(kind, labels["conditions"].get(kind, kind))
    text = f"{title}：{detail}" if title else detail
    when = _attr(cond, "when")
    if when:
        text += "（适用于：" + "；或".join(clause_text(c, labels) for c in when) + "）"
    source = _attr(cond, "source")
    if source:
        text += f" 〔{source}〕"
    return text


def _rule_view(rule: Any, labels: dict[str, dict[str, str]]) -> dict[str, Any]:
    when = _attr(rule, "when") or []
    conditions = _attr(rule, "conditions") or []
    start, end = _attr(rule, "effective_from"), _attr(rule, "effective_to")
    use = _attr(rule, "use")
    return {
        "id": str(_attr(rule, "id", default="")),
        "title": str(_attr(rule, "title", default="")),
        "version": str(_attr(rule, "version", default="")),
        "use": str(use or ""),
        "use_label": labels["uses"].get(str(use), str(use)) if use else "",
        "message": _text(_attr(rule, "message", default="")),
        "remediation": _text(_attr(rule, "remediation", default="")),
        "matches": [clause_text(c, labels) for c in when],
        "conditions": [condition_text(c, labels) for c in conditions],
        "legal_source": _text(_attr(rule, "source", "legal_source", default="")),
        "effective": f"{start or ''} 起" + (f"，至 {end}" if end else ""),
    }


def policy_page(books: Books) -> dict[str, Any]:
    """政策清单: the negative and guidance lists in force for this compound."""
    return books.memo("policy", lambda: _policy_page(books))


def _policy_set(books: Books) -> Any:
    """The compound's policy set (None when the policy module or the folder is missing)."""
    def load() -> Any:
        try:
            from .policy import load_policy_set
        except ImportError:
            return None
        if books.root is None:
            return None
        from .ledger import Compound, Loaded

        loaded = Loaded(list(books.entries), [], books.options_map, books.options)
        try:
            return load_policy_set(Compound(books.root), loaded)
        except Exception as err:  # a malformed policy set must not take the other pages down
            return err
    result = books.memo("policy-set", load)
    return None if isinstance(result, Exception) else result


def _policy_page(books: Books) -> dict[str, Any]:
    _policy_set(books)
    pset = books.memo("policy-set", lambda: None)
    if isinstance(pset, Exception):
        return {"available": False, "message": f"政策清单无法读取：{pset}"}
    if pset is None:
        return {"available": False, "message": "尚未接入政策模块（负面清单与指导清单）。"}
    labels = _policy_labels()

    def in_force(rule: Any) -> bool:
        check = getattr(rule, "in_effect", None)
        return bool(check(books.today)) if callable(check) else True

    negative = list(_attr(pset, "negative", default=[]) or [])
    guidance = list(_attr(pset, "guidance", default=[]) or [])
    try:
        from .policy import policy_hash
        digest = policy_hash(pset)
    except ImportError:
        digest = ""
    return {
        "available": True,
        "id": str(_attr(pset, "id", default="")),
        "title": str(_attr(pset, "title", default="")),
        "version": str(_attr(pset, "version", default="")),
        "source": str(_attr(pset, "source", default="")),
        "hash": digest,
        "negative": [_rule_view(r, labels) for r in negative if in_force(r)],
        "guidance": [_rule_view(r, labels) for r in guidance if in_force(r)],
        "not_in_force": [str(r.id) for r in [*negative, *guidance] if not in_force(r)],
    }


SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

# The audit's check ids (assetreg.audit.CHECKS) as residents read them.
CHECK_LABELS = {
    "registry": "登记簿记录不合规",
    "income-asset": "收入未注明资产",
    "income-unconfirmed": "收入所涉资产未确权",
    "income-no-contract": "收入无有效合同",
    "contract-gate": "合同未通过政策审查",
    "manager-cost": "物业扣除成本超过约定比例",
    "billing-arrears": "欠缴",
    "billing-overpaid": "多收",
    "allocation-split": "净收益分配不符合规定比例",
    "spending-no-resolution": "支出无业主大会决议",
    "remittance-late": "物业代收款逾期未转入",
    "remittance-aging": "物业代收款账龄",
    "deposit-unlinked": "押金未关联合同",
    "deposit-unreturned": "合同终止后押金未退",
    "deposit-held": "在押押金",
    "disclosure-overdue": "收益公示逾期",
    "suspense-balance": "待查明款项有余额",
    "suspense-at-seal": "封账日待查明款项有余额",
    "seal-broken": "已封账期间被改动",
}


def audit_page(books: Books) -> dict[str, Any]:
    """审计: the latest audit findings (as of the books' day) and the sealed periods."""
    return books.memo("audit", lambda: _audit_page(books))


def _audit_page(books: Books) -> dict[str, Any]:
    broken: dict[str, int] = {}  # seal (its "through" day) -> changes the audit found
    out: dict[str, Any] = {"findings": [], "seals": [], "audit_available": False,
                           "seal_available": False, "message": "", "seal_message": ""}
    try:
        audit = importlib.import_module("assetreg.audit")
        run_checks = audit.run_checks
    except (ImportError, AttributeError):
        out["message"] = "尚未接入审计模块：暂无审计结果。"
    else:
        try:
            findings = run_checks(list(books.entries), books.options_map, books.today)
        except Exception as err:
            out["message"] = f"审计检查无法运行：{err}"
        else:
            out["audit_available"] = True
            for f in findings:
                if _attr(f, "check") == "seal-broken":
                    through_fact = str((_attr(f, "facts") or {}).get("through", ""))
                    broken[through_fact] = broken.get(through_fact, 0) + 1
                sev = str(_attr(f, "severity", default=""))
                where = _attr(f, "entries", "locations", "where", default=[]) or []
                check = str(_attr(f, "check", "check_id", "id", default=""))
                out["findings"].append({
                    "check": check,
                    "check_label": CHECK_LABELS.get(check, check),
                    "severity": sev,
                    "severity_label": SEVERITY_LABELS.get(sev, sev),
                    "message": _text(_attr(f, "message", "title", default="")),
                    "facts": _text(_attr(f, "facts", default="")),
                    "source": _text(_attr(f, "legal_source", "rule", "source", default="")),
                    "entries": [Path(str(w)).name for w in (where if isinstance(where, list | tuple) else [where])],
                })
    groups: dict[str, dict[str, Any]] = {}
    for f in out["findings"]:
        g = groups.setdefault(f["check"], {"check": f["check"], "label": f["check_label"],
                                           "severity_label": f["severity_label"], "count": 0})
        g["count"] += 1
    out["by_check"] = list(groups.values())
    try:
        seal = importlib.import_module("assetreg.seal")
        seals_from_entries = seal.seals_from_entries
    except (ImportError, AttributeError):
        out["seal_message"] = "尚未接入封账模块：暂无封账记录。"
    else:
        out["seal_available"] = True
        seals = seals_from_entries(books.entries)
        values = seals.values() if isinstance(seals, dict) else seals
        for s in values:
            through = _attr(s, "through", "date", default="")
            through_text = through.isoformat() if isinstance(through, dt.date) else str(through)
            out["seals"].append({
                "through": through_text,
                "changes": broken.get(through_text, 0),
                "date": _text(_attr(s, "date", "sealed_on", default="")),
                "hash": str(_attr(s, "hash", "digest", default="")),
                "entries": _text(_attr(s, "count", "entries", default="")),
            })
    return out


def warm(books: Books) -> None:
    """Compute every page's summary ahead of the first visitor (run after a load)."""
    registry_page(books)
    contracts_page(books)
    income_page(books)
    policy_page(books)
    audit_page(books)
