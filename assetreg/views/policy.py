"""政策清单: the negative and guidance lists in force, and the rule index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..ledger import Compound, Loaded
from ..policy import engine, load_policy_set, policy_hash
from ..policy.schema import condition_id
from ..vocab import (
    CONDITION_KINDS,
    COUNTERPARTY_KINDS,
    KINDS,
    PROPOSAL_FACTS,
    USES,
    ZONES,
)
from .base import Books, plain_text


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


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
    return "，且".join(parts) if parts else plain_text(clause)


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
        "message": plain_text(_attr(rule, "message", default="")),
        "remediation": plain_text(_attr(rule, "remediation", default="")),
        "matches": [clause_text(c, labels) for c in when],
        "conditions": [condition_text(c, labels) for c in conditions],
        "legal_source": plain_text(_attr(rule, "source", "legal_source", default="")),
        "effective": f"{start or ''} 起" + (f"，至 {end}" if end else ""),
    }


def policy_page(books: Books) -> dict[str, Any]:
    """政策清单: the negative and guidance lists in force for this compound."""
    return books.memo("policy", lambda: _policy_page(books))


def policy_set(books: Books) -> Any:
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
    policy_set(books)
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


def rule_index(books: Books) -> dict[str, dict[str, str]]:
    """Title and legal source of every rule and condition id in the compound's policy set."""
    return books.memo("rule-index", lambda: _rule_index(books))


def _rule_index(books: Books) -> dict[str, dict[str, str]]:
    pset = policy_set(books)
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
