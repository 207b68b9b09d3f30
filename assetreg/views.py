"""View models of a compound's books: what residents see, computed once per load.

The Fava pages (:mod:`assetreg.fava_ext`) and any CLI report call these plain functions,
so the web page and ``assetreg …`` never disagree. Every figure comes from the ledger
index (:mod:`assetreg.books`) that the plugin, the audit and the disclosure read too;
the page functions here only select and sum from it.

Nothing here shows an owner's name or phone: the ledger holds none, and a unit lookup
reveals only the unit number, its building, its area and its share.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from . import accounts, periods
from . import books as ledger_index
from .audit import run_checks
from .audit.income import gate_problem
from .books import Income
from .contracts import Contract, billing_period
from .ledger import Compound, Loaded
from .options import Options
from .policy import engine, load_policy_set, policy_hash
from .policy.schema import condition_id
from .registry import Asset, Registry
from .resolutions import Resolution
from .tally import Tally
from .units import Roster
from .vocab import (
    ACTION_LABELS,
    CENT,
    CHECK_LABELS,
    CONDITION_KINDS,
    CONTRACT_STATE_LABELS,
    COUNTERPARTY_KINDS,
    KINDS,
    ORGANISATION_KINDS,
    PROPOSAL_FACTS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    USES,
    VERDICT_LABELS,
    ZERO,
    ZONES,
)

T = TypeVar("T")

ALLOCATION_LABELS = accounts.ALLOCATION_LABELS


def yuan(amount: Decimal | int | None) -> str:
    """Money as residents read it: two decimals, thousands separated."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(CENT):,}"


# --------------------------------------------------------------------------- the pages' books


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
    """The ledger index of one load, with what the pages add: the compound folder, the
    day they are shown on, and page results computed once per load."""

    index: ledger_index.Books
    entries: Sequence[Any]
    options_map: dict[str, Any]
    root: Path | None
    today: dt.date
    rejected: list[Rejected]
    documents: dict[str, str]  # evidence reference (relative) -> absolute document filename
    memo_: dict[Any, Any] = field(default_factory=dict)  # page results, computed once per load
    _locks: dict[Any, threading.Lock] = field(default_factory=dict)
    _locks_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def options(self) -> Options:
        return self.index.options

    @property
    def registry(self) -> Registry:
        return self.index.registry

    @property
    def contracts(self) -> dict[str, Contract]:
        return self.index.contracts

    @property
    def resolutions(self) -> dict[str, Resolution]:
        return self.index.resolutions

    @property
    def roster(self) -> Roster:
        return self.index.roster

    @property
    def frequency(self) -> str:
        return self.index.frequency

    @property
    def share_basis(self) -> str:
        return self.index.share_basis

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
    def title(self) -> str:
        return str(self.options_map.get("title", "")) if self.options_map else ""


def _source(entry: Any) -> str:
    m = entry.meta or {}
    return f"{os.path.basename(str(m.get('filename', '?')))}:{m.get('lineno', '?')}"


def build_books(
    entries: Sequence[Any],
    options_map: dict[str, Any] | None = None,
    root: Path | None = None,
    today: dt.date | None = None,
    index: ledger_index.Books | None = None,
) -> Books:
    """The pages' books over the load's index (the plugin's, else built here)."""
    entries = list(entries)
    index = index or ledger_index.of(entries, options_map)
    rejected = []
    for e in index.decisions:
        if len(e.values) >= 2:
            m = {k: v for k, v in e.meta.items() if k not in ("filename", "lineno")}
            rejected.append(Rejected(e.date, str(e.values[0].value), str(e.values[1].value),
                                     m, _source(e)))
    return Books(
        index=index,
        entries=entries,
        options_map=options_map or {},
        root=root,
        today=today or dt.date.today(),
        rejected=rejected,
        documents=_evidence_documents(index.documents, root),
    )


def _evidence_documents(files: Iterable[str], root: Path | None) -> dict[str, str]:
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


def current_contract(books: Books, asset_id: str) -> Contract | None:
    """The contract in force today on the asset, else the latest one that names it."""
    found = books.index.contracts_by_asset.get(asset_id, [])
    active = [c for c in found if c.active_on(books.today)]
    if active:
        return max(active, key=lambda c: c.start)
    return max(found, key=lambda c: c.start) if found else None


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


# --------------------------------------------------------------------------- 经营合同


def billing(books: Books, c: Contract, with_rows: bool = False) -> dict[str, Any]:
    """Amounts due to date against payments booked with ``contract:`` and ``period:`` meta.

    A period paid short counts as arrears once it ended more than ``billing-grace-days``
    ago (the audit's rule); before that it is shown as not yet due in full. ``with_rows``
    adds the period-by-period table (for a contract's own page).
    """
    dues, known = books.index.schedule(c)
    grace = dt.timedelta(days=books.index.option_int("billing-grace-days"))
    paid_by_period: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for inc in books.index.income_by_contract.get(c.id, []):
        paid_by_period[billing_period(dues, known, inc.period, inc.date) or "?"] += inc.gross
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
    out: dict[str, dict[str, str]] = {}
    # The engine's general rules, which no policy file lists (assetreg.policy.engine).
    out["A-ASSET-CONFIRMED"] = {"title": "资产须在合同起始日已确权", "kind": "general",
                                "source": engine.GENERAL_SOURCE}
    out["A-NO-OVERLAP"] = {"title": "同一资产同期不得有冲突的排他性合同", "kind": "general",
                           "source": engine.OVERLAP_SOURCE}
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


def gate_check(c: Contract) -> str:
    """Whether the recorded decision still matches the contract's terms (the audit's rule):
    "" when it does, the problem when not."""
    problem = gate_problem(c)
    return str(problem) if problem else ""


def contract_summary(books: Books, c: Contract) -> dict[str, Any]:
    state = contract_state(c, books.today)
    m = c.meta
    lines = books.index.income_by_contract.get(c.id, [])
    return {
        "id": c.id,
        "title": str(m.get("title", "")),
        "assets": c.assets,
        "use": c.use,
        "use_label": USES.get(c.use, c.use),
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
        "period_label": periods.FREQUENCY_LABELS.get(c.period, c.period),
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
        "income_total": sum((inc.gross for inc in lines), ZERO),
        "income_year": sum((inc.gross for inc in lines if inc.date.year == books.today.year), ZERO),
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
            "use": str(m.get("use", "")), "use_label": USES.get(str(m.get("use", "")), str(m.get("use", ""))),
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


def _by_asset(inc: Income) -> list[tuple[str, Decimal]]:
    """An income's amount per asset named ("" for income naming none)."""
    return list(inc.by_asset.items()) if inc.by_asset else [("", inc.gross)]


def contract_page(books: Books, cid: str) -> dict[str, Any] | None:
    c = books.contracts.get(cid.strip())
    if c is None:
        return None
    summary = contract_summary(books, c)
    summary["billing"] = billing(books, c, with_rows=True)
    summary["payments"] = [
        {"date": inc.date.isoformat(), "asset": asset, "period": inc.period or "",
         "amount": amount, "narration": inc.entry.narration or ""}
        for inc in sorted(books.index.income_by_contract.get(c.id, []), key=lambda inc: inc.date)
        for asset, amount in _by_asset(inc)
    ]
    return summary


# --------------------------------------------------------------------------- 收益公示


def income_page(books: Books) -> dict[str, Any]:
    """收益公示: per disclosure period, income by asset kind, cost deducted, net, where it went."""
    return books.memo("income", lambda: _income_page(books))


def _income_page(books: Books) -> dict[str, Any]:
    freq = books.frequency
    kinds = list(KINDS)
    by_period: dict[str, dict[str, Any]] = {}

    def row(key: str) -> dict[str, Any]:
        if key not in by_period:
            by_period[key] = {"period": key, "label": periods.label(key),
                            "by_kind": dict.fromkeys(kinds, ZERO), "income": ZERO, "cost": ZERO,
                            "net": ZERO, "allocated": dict.fromkeys(ALLOCATION_LABELS, ZERO),
                            "allocated_total": ZERO}
        return by_period[key]

    # Every amount belongs to the period its transaction is dated in -- the same rule as
    # `assetreg disclose` (assetreg.disclosure), so the page and the notice-board agree.
    index = books.index
    for inc in index.income:
        r = row(periods.key_of(inc.date, freq))
        for account, amount in inc.by_account.items():
            kind = accounts.kind_of_income(account)
            r["by_kind"][kind] = r["by_kind"].get(kind, ZERO) + amount
        r["income"] += inc.gross
    for mv in index.costs:
        row(periods.key_of(mv.date, freq))["cost"] += mv.amount
    for mv in index.allocations:
        r = row(periods.key_of(mv.date, freq))
        r["allocated"][mv.account] = r["allocated"].get(mv.account, ZERO) + mv.amount
        r["allocated_total"] += mv.amount
    rows = [by_period[k] for k in sorted(by_period)]
    seen = list(ALLOCATION_LABELS) + sorted({mv.account for mv in index.allocations} - set(ALLOCATION_LABELS))
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
        {"date": mv.date.isoformat(), "account": mv.account,
         "label": ALLOCATION_LABELS.get(mv.account, accounts.leaf(mv.account)),
         "amount": mv.amount, "narration": mv.entry.narration or "", "resolution": mv.resolution or ""}
        for mv in sorted(index.allocations, key=lambda mv: mv.date)
    ]
    return {
        "frequency": freq,
        "frequency_label": periods.FREQUENCY_LABELS.get(freq, freq),
        "kinds": [{"kind": k, "label": KINDS[k]} for k in used_kinds],
        "allocation_accounts": [{"account": a, "label": ALLOCATION_LABELS.get(a, a.rsplit(":", 1)[-1])}
                                for a in seen if totals["allocated"][a] != 0],
        "rows": rows,
        "totals": totals,
        "allocations": allocation_lines,
        "periods": [r["period"] for r in rows],
    }


def _period_shares(books: Books, row: dict[str, Any]) -> dict[str, Decimal]:
    """Every unit's share of one period's net: the disclosure's rule (units on the roster
    at the period's end, largest remainder), from the same index."""
    return books.index.unit_shares(row["net"].quantize(CENT), periods.end_of(row["period"]))


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
    return {"uses": USES, "facts": PROPOSAL_FACTS, "counterparty": COUNTERPARTY_KINDS,
            "conditions": CONDITION_KINDS}


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
    """The compound's policy set (None when the compound folder is not known)."""
    def load() -> Any:
        if books.root is None:
            return None
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
    digest = policy_hash(pset)
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


def audit_page(books: Books) -> dict[str, Any]:
    """审计: the latest audit findings (as of the books' day) and the sealed periods."""
    return books.memo("audit", lambda: _audit_page(books))


def _audit_page(books: Books) -> dict[str, Any]:
    broken: dict[str, int] = {}  # seal (its "through" day) -> changes the audit found
    out: dict[str, Any] = {"findings": [], "seals": [], "audit_available": False,
                           "seal_available": True, "message": "", "seal_message": ""}
    try:
        findings = run_checks(list(books.entries), books.options_map, books.today,
                              books=books.index)
    except Exception as err:  # a failing check must not take the seal list down with it
        out["message"] = f"审计检查无法运行：{err}"
    else:
        out["audit_available"] = True
        for f in findings:
            if f.check == "seal-broken":
                through_fact = str(f.facts.get("through", ""))
                broken[through_fact] = broken.get(through_fact, 0) + 1
            out["findings"].append({
                "check": f.check,
                "check_label": CHECK_LABELS.get(f.check, f.check),
                "severity": f.severity,
                "severity_label": SEVERITY_LABELS.get(f.severity, f.severity),
                "message": f.message,
                "facts": _text(f.facts),
                "source": f.rule,
                "entries": [Path(str(w)).name for w in f.entries],
            })
    groups: dict[str, dict[str, Any]] = {}
    for row in out["findings"]:
        g = groups.setdefault(row["check"], {"check": row["check"], "label": row["check_label"],
                                             "severity_label": row["severity_label"], "count": 0})
        g["count"] += 1
    out["by_check"] = list(groups.values())
    for seal in books.index.seals:
        through = seal.through.isoformat()
        out["seals"].append({
            "through": through,
            "changes": broken.get(through, 0),
            "date": seal.date.isoformat(),
            "hash": seal.hash,
            "entries": str(seal.entries),
        })
    return out


def warm(books: Books) -> None:
    """Compute every page's summary ahead of the first visitor (run after a load)."""
    registry_page(books)
    contracts_page(books)
    income_page(books)
    policy_page(books)
    audit_page(books)
