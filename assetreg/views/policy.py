"""政策清单: the negative and guidance lists in force, the rule index, clauses and conditions in words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..ledger import Compound, Loaded
from ..policy import engine, load_policy_set, policy_hash
from ..policy.schema import Clause, Condition, GuidanceRule, NegativeRule, PolicySet, condition_id
from ..vocab import (
    CONDITION_KINDS,
    COUNTERPARTY_KINDS,
    KINDS,
    PROPOSAL_FACTS,
    STRUCTURES,
    USES,
    ZONES,
)
from .base import Books, plain_text


@dataclass(frozen=True)
class RuleRef:
    """A rule or condition id as a contract or a rejected proposal cites it."""

    id: str
    title: str
    source: str  # legal source
    kind: str  # negative | guidance | condition | general | other


@dataclass(frozen=True)
class RuleView:
    """One rule of the negative or guidance list, in words."""

    id: str
    title: str
    version: str
    use: str  # a guidance rule's use category; "" for a negative rule
    use_label: str
    message: str
    remediation: str
    matches: tuple[str, ...]  # a negative rule's clauses
    conditions: tuple[str, ...]  # a guidance rule's conditions
    legal_source: str
    effective: str


@dataclass(frozen=True)
class PolicyPage:
    """政策清单; when not ``available``, ``message`` says why and the rest is empty."""

    available: bool
    message: str = ""
    id: str = ""
    title: str = ""
    version: str = ""
    source: str = ""
    hash: str = ""
    negative: tuple[RuleView, ...] = ()
    guidance: tuple[RuleView, ...] = ()
    not_in_force: tuple[str, ...] = ()


def _names(values: Iterable[object], labels: dict[str, str]) -> str:
    return "、".join(labels.get(str(v), str(v)) for v in values)


def clause_text(clause: Clause) -> str:
    """A negative-list clause in words: every stated fact must hold."""
    parts = []
    if clause.asset_zones:
        parts.append("资产位于" + _names(clause.asset_zones, ZONES))
    if clause.asset_kinds:
        parts.append("资产类别为" + _names(clause.asset_kinds, KINDS))
    if clause.asset_structure:
        parts.append("资产结构涉及" + _names(clause.asset_structure, STRUCTURES))
    if clause.uses:
        parts.append("用途为" + _names(clause.uses, USES))
    if clause.uses_not:
        parts.append("用途不是" + _names(clause.uses_not, USES))
    if clause.counterparty_kind:
        parts.append("相对方为" + _names(clause.counterparty_kind, COUNTERPARTY_KINDS))
    for fact, value in (clause.facts or {}).items():
        parts.append(("" if value else "并非") + PROPOSAL_FACTS.get(fact, fact))
    if parts:
        return "，且".join(parts)
    # Only empty predicates (``uses: []``): say them as given.
    return plain_text({k: v for k, v in clause.model_dump().items() if v not in (None, "", [], {})})


def condition_text(cond: Condition) -> str:
    """A guidance-list condition in words, with its parameters."""
    kind = cond.kind
    detail = {
        "resolution": f"业主大会依民法典第278条第一款第{cond.matter}项表决通过的决议",
        "notice": f"签约前公示不少于{cond.min_days}日",
        "max-term": f"合同期限不超过{cond.months}个月",
        "deposit": "押金不少于" + "、".join(
            x for x in (f"{cond.min_amount}元" if cond.min_amount is not None else "",
                        f"{cond.min_periods}期租金" if cond.min_periods is not None else "") if x),
        "manager-share": f"书面约定物业经营成本分成，且不超过{cond.max}",
        "consents": "直接利害关系业主书面同意" + (f"（至少{cond.min}户）" if cond.min else ""),
        "owners-first": "优先满足业主需要：有业主排队时不得租给非业主（民法典第276条）",
        "counterparty-kind": "相对方限于" + _names(cond.kinds or [], COUNTERPARTY_KINDS),
    }.get(kind, CONDITION_KINDS.get(kind, kind))
    text = f"{cond.title}：{detail}" if cond.title else detail
    if cond.when:
        text += "（适用于：" + "；或".join(clause_text(c) for c in cond.when) + "）"
    if cond.source:
        unverified = "（未经核实，非法律规定）" if "未经核实" in cond.source else ""
        text += f" 〔{cond.source}{unverified}〕"
    return text


def _rule_view(rule: NegativeRule | GuidanceRule) -> RuleView:
    use = rule.use if isinstance(rule, GuidanceRule) else ""
    end = rule.effective_to
    return RuleView(
        id=rule.id,
        title=rule.title,
        version=str(rule.version),
        use=use,
        use_label=USES.get(use, use) if use else "",
        message=rule.message,
        remediation=rule.remediation,
        matches=tuple(clause_text(c) for c in rule.when) if isinstance(rule, NegativeRule) else (),
        conditions=tuple(condition_text(c) for c in rule.conditions)
        if isinstance(rule, GuidanceRule) else (),
        legal_source=rule.source,
        effective=f"{rule.effective_from} 起" + (f"，至 {end}" if end else ""),
    )


def _load_policy_set(books: Books) -> PolicySet | Exception | None:
    """The compound's policy set; None when the compound folder is not known, the error
    when it cannot be read (a malformed policy set must not take the other pages down)."""
    if books.root is None:
        return None
    loaded = Loaded(list(books.entries), [], books.options_map, books.options)
    try:
        return load_policy_set(Compound(books.root), loaded)
    except Exception as err:
        return err


def policy_set(books: Books) -> PolicySet | None:
    """The compound's policy set (None when the folder is not known or the set is unreadable)."""
    result = books.memo("policy-set", lambda: _load_policy_set(books))
    return None if isinstance(result, Exception) else result


def policy_page(books: Books) -> PolicyPage:
    """政策清单: the negative and guidance lists in force for this compound."""
    return books.memo("policy", lambda: _policy_page(books))


def _policy_page(books: Books) -> PolicyPage:
    pset = books.memo("policy-set", lambda: _load_policy_set(books))
    if isinstance(pset, Exception):
        return PolicyPage(available=False, message=f"政策清单无法读取：{pset}")
    if pset is None:
        return PolicyPage(available=False, message="尚未接入政策模块（负面清单与指导清单）。")
    today = books.today
    return PolicyPage(
        available=True,
        id=pset.id,
        title=pset.title,
        version=pset.version,
        source=pset.source,
        hash=policy_hash(pset),
        negative=tuple(_rule_view(r) for r in pset.negative if r.in_effect(today)),
        guidance=tuple(_rule_view(r) for r in pset.guidance if r.in_effect(today)),
        not_in_force=tuple(r.id for r in [*pset.negative, *pset.guidance] if not r.in_effect(today)),
    )


def rule_index(books: Books) -> dict[str, RuleRef]:
    """Title and legal source of every rule and condition id in the compound's policy set."""
    return books.memo("rule-index", lambda: _rule_index(books))


def _rule_index(books: Books) -> dict[str, RuleRef]:
    pset = policy_set(books)
    if pset is None:
        return {}
    out: dict[str, RuleRef] = {}

    def add(rule_id: str, title: str, source: str, kind: str) -> None:
        out[rule_id] = RuleRef(rule_id, title, source, kind)

    # The engine's general rules, which no policy file lists (assetreg.policy.engine).
    add("A-ASSET-CONFIRMED", "资产须在合同起始日已确权", engine.GENERAL_SOURCE, "general")
    add("A-NO-OVERLAP", "同一资产同期不得有冲突的排他性合同", engine.OVERLAP_SOURCE, "general")
    add("A-MANAGER-SHARE-CAP", "物业经营成本分成不得超过本小区上限", engine.CAP_SOURCE, "general")
    add("DEFAULT-DENY", "清单外用途默认不予许可", engine.DEFAULT_SOURCE, "default")
    for rule in pset.negative:
        add(rule.id, rule.title, rule.source, "negative")
    for guide in pset.guidance:
        add(guide.id, guide.title, guide.source, "guidance")
        for cond in guide.conditions:
            add(condition_id(guide, cond), cond.title or CONDITION_KINDS.get(cond.kind, cond.kind),
                cond.source or guide.source, "condition")
    return out
