"""The decision: may this proposed contract enter the books? Pure -- reads, never writes.

Semantics (forbid overrides permit, default deny):

1. every negative-list rule in effect on the signing date is evaluated; any match makes
   the proposal **forbidden**, whatever else holds;
2. the use category must be on the guidance list, else **not-permitted** (rule
   ``DEFAULT-DENY``, reported differently from forbidden);
3. each condition of that guidance rule is evaluated -- met, unmet, or not applicable
   (its ``when`` clauses did not match); any unmet condition makes it **not-permitted**;
4. two general checks apply to every proposal: each asset is confirmed (确权) on the
   start date (``A-ASSET-CONFIRMED``), and no other contract holds an asset for an
   overlapping term when either use is exclusive (``A-NO-OVERLAP``).

Every rule evaluated is reported with its verdict, the facts it used, its message,
remediation and legal source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any

from beancount.core import data

from ..consents import Consents, consents_from_entries
from ..contracts import Contract, contracts_from_entries
from ..errors import BadInput
from ..ledger import Loaded
from ..periods import add_months
from ..registry import Asset, registry_from_entries
from ..resolutions import Resolution, make_resolution_check, resolutions_from_entries
from ..units import UNIT_TYPE, Roster, roster_from_entries
from ..vocab import DWELLING_USES, DWELLING_WORDS, MAY_HOUSE_USES, UNDERGROUND_ZONES, USES
from ..waitlist import WaitList, waitlist_from_entries
from .loading import policy_hash
from .proposal import Proposal
from .schema import Clause, Condition, GuidanceRule, NegativeRule, PolicySet, condition_id

PERMITTED, FORBIDDEN, NOT_PERMITTED = "permitted", "forbidden", "not-permitted"

# Rule verdicts: a negative rule is "forbidden" or "clear"; the guidance lookup "listed" or
# "unlisted"; conditions and general checks "met", "unmet" or "not-applicable"; a rule
# whose dates do not cover the signing day is "not-in-effect".
DECISIVE = ("forbidden", "unlisted", "unmet")

GENERAL_SOURCE = "《民法典》第二百七十四条、第二百七十五条、第二百八十二条；清江浦区清理盘活共有资产机制（先确权、后经营）"
OVERLAP_SOURCE = "《民法典》第二百七十八条；本系统规则（资产经营平台：同一资产同期只能有一份排他性经营合同）"
CAP_SOURCE = "《民法典》第二百八十二条；本小区设置 manager-share-max（物业经营成本分成上限）"
DEFAULT_SOURCE = "清江浦区共有资产负面清单、指导清单机制：清单外用途不予许可"


@dataclass(frozen=True)
class RuleResult:
    id: str
    kind: str  # negative | guidance | condition | general | default
    verdict: str
    title: str
    facts: dict[str, Any]
    message: str
    remediation: str
    source: str
    version: int | None = None

    @property
    def decisive(self) -> bool:
        return self.verdict in DECISIVE

    @property
    def unverified(self) -> bool:
        """The rule's source is a reported practice, not verified law: say so, never present it as law."""
        return "未经核实" in self.source

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "verdict": self.verdict, "title": self.title,
                "version": self.version, "facts": _jsonable(self.facts), "message": self.message,
                "remediation": self.remediation, "source": self.source, "unverified": self.unverified}


@dataclass(frozen=True)
class Decision:
    verdict: str
    proposal: Proposal
    policy_set: str
    policy_hash: str
    rules: list[RuleResult] = field(default_factory=list)
    # A rejection already in the decisions log for the same proposal (same content hash)
    # with the same verdict and rules: ``file:line`` of that entry; nothing is logged twice.
    already_logged: str | None = None

    @property
    def permitted(self) -> bool:
        return self.verdict == PERMITTED

    @property
    def deciding(self) -> list[RuleResult]:
        """The rules that made the decision: the decisive ones, or every rule that let it in."""
        if self.permitted:
            return [r for r in self.rules if r.verdict in ("clear", "listed", "met")]
        if self.verdict == FORBIDDEN:
            return [r for r in self.rules if r.verdict == "forbidden"]
        return [r for r in self.rules if r.decisive]

    @property
    def rule_ids(self) -> list[str]:
        ids: list[str] = []
        for r in self.deciding:
            if self.permitted and r.kind == "condition":
                continue  # the guidance rule stands for its conditions in the ledger
            if r.id not in ids:
                ids.append(r.id)
        return ids

    @property
    def sources(self) -> str:
        """The legal sources of the deciding rules (unverified ones marked)."""
        out = [r.source + ("（未经核实，非法律规定）" if r.unverified else "") for r in self.deciding
               if not (self.permitted and r.kind in ("negative", "condition"))]
        return "；".join(dict.fromkeys(out))

    @property
    def reasons(self) -> str:
        if self.permitted:
            return "符合负面清单与指导清单的全部条件"
        return "；".join(dict.fromkeys(r.message for r in self.deciding))

    def as_dict(self) -> dict[str, Any]:
        p = self.proposal
        return {
            "proposal": p.id, "use": p.use, "use_label": USES.get(p.use, ""),
            "assets": list(p.assets), "counterparty": p.counterparty, "signed": p.signing_date.isoformat(),
            "verdict": self.verdict, "policy_set": self.policy_set, "policy_hash": self.policy_hash,
            "deciding_rules": self.rule_ids, "reasons": self.reasons, "sources": self.sources,
            "already_logged": self.already_logged,
            "rules": [r.as_dict() for r in self.rules],
        }


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set):
        return [_jsonable(x) for x in v]
    if isinstance(v, dt.date | Decimal):
        return str(v)
    return v


# ---------------------------------------------------------------- facts and clauses

@dataclass(frozen=True)
class Context:
    proposal: Proposal
    assets: list[Asset]
    resolutions: dict[str, Resolution]
    contracts: dict[str, Contract]
    owner_keys: set[str]
    policy: PolicySet
    # The yes/no facts the rules match on: what the proposal states, raised (never lowered)
    # by what the gate derives from the use and the assets; ``housing`` says why a use
    # houses people when it does.
    facts: dict[str, bool] = field(default_factory=dict)
    housing: tuple[str, ...] = ()
    share_cap: Decimal = Decimal("0.3")
    # Ledger facts the conditions read: consents and affected units, the waiting list, and
    # the roster as it stood on the signing day.
    consents: Consents = field(default_factory=Consents)
    waitlist: WaitList = field(default_factory=WaitList)
    roster_signed: Roster = field(default_factory=lambda: Roster({}))
    unit_entries: tuple[Any, ...] = ()

    def roster_on(self, day: dt.date) -> Roster:
        if day == self.proposal.signing_date:
            return self.roster_signed
        return roster_from_entries(e for e in self.unit_entries if e.date <= day)


def use_houses_people(use: str) -> str | None:
    """Why ``use`` houses people (someone lives or sleeps there), or None."""
    if use in DWELLING_USES:
        return f"用途{use}（{USES.get(use, use)}）是居住用途"
    words = set(use.split("-"))
    hit = sorted(words & set(DWELLING_WORDS))
    if hit:
        return f"用途名称{use}含有居住、住宿含义（{','.join(hit)}）"
    return None


def housing_basis(proposal: Proposal, assets: Iterable[Asset]) -> tuple[str, ...]:
    """Why the proposal houses people: from the use and the assets' zones, and the
    proposal's own statement (which can only add to it)."""
    why: list[str] = []
    by_use = use_houses_people(proposal.use)
    if by_use:
        why.append(by_use)
    if proposal.use in MAY_HOUSE_USES:
        under = [a.id for a in assets if set(a.zones) & set(UNDERGROUND_ZONES)]
        if under:
            why.append(f"用途{proposal.use}（{USES.get(proposal.use, '')}）可能留宿，"
                       f"资产{','.join(under)}位于地下空间，无法排除有人居住")
    if proposal.residential_use:
        why.append("提案申报有人在此居住或住宿")
    return tuple(why)


def _tokens(text: str) -> set[str]:
    return {t.lower() for t in re.split(r"[,，;\s]+", text) if t}


def _asset_ok(clause: Clause, a: Asset) -> bool:
    if clause.asset_zones is not None and not set(clause.asset_zones) & set(a.zones):
        return False
    if clause.asset_structure is not None and not (
            {s.lower() for s in clause.asset_structure} & _tokens(a.facts.get("structure", ""))):
        return False
    return clause.asset_kinds is None or a.kind in clause.asset_kinds


def _has_asset_predicates(clause: Clause) -> bool:
    return any(x is not None for x in (clause.asset_zones, clause.asset_structure, clause.asset_kinds))


def match(clause: Clause, ctx: Context) -> list[str] | None:
    """The ids of the assets the clause matched on (all of them when it names no asset
    fact), or None when it does not match."""
    p = ctx.proposal
    if clause.uses is not None and p.use not in clause.uses:
        return None
    if clause.uses_not is not None and p.use in clause.uses_not:
        return None
    if clause.counterparty_kind is not None and p.counterparty_kind not in clause.counterparty_kind:
        return None
    for k, v in (clause.facts or {}).items():
        if ctx.facts.get(k, p.facts[k]) != v:
            return None
    if not _has_asset_predicates(clause):
        return [a.id for a in ctx.assets]
    hits = [a.id for a in ctx.assets if _asset_ok(clause, a)]
    return hits or None


def clause_facts(clauses: Iterable[Clause], ctx: Context) -> dict[str, Any]:
    """The facts the clauses look at, with their values for this proposal."""
    p = ctx.proposal
    facts: dict[str, Any] = {}
    for c in clauses:
        if c.uses is not None or c.uses_not is not None:
            facts["use"] = p.use
        if c.counterparty_kind is not None:
            facts["counterparty_kind"] = p.counterparty_kind
        for k in c.facts or {}:
            facts[k] = ctx.facts.get(k, p.facts[k])
            if k == "residential_use" and ctx.housing:
                facts["residential_basis"] = list(ctx.housing)
        if c.asset_zones is not None:
            facts["asset_zones"] = {a.id: ",".join(a.zones) for a in ctx.assets}
        if c.asset_structure is not None:
            facts["asset_structure"] = {a.id: a.facts.get("structure", "") for a in ctx.assets}
        if c.asset_kinds is not None:
            facts["asset_kind"] = {a.id: a.kind for a in ctx.assets}
    return facts


# ---------------------------------------------------------------- rules

def _negative(rule: NegativeRule, ctx: Context, day: dt.date) -> RuleResult:
    facts = clause_facts(rule.when, ctx)
    if not rule.in_effect(day):
        return RuleResult(rule.id, "negative", "not-in-effect", rule.title, {"signed": day},
                          f"本规则生效期间为{rule.effective_from}至{rule.effective_to or '今'}，不适用",
                          "", rule.source, rule.version)
    for clause in rule.when:
        hits = match(clause, ctx)
        if hits is not None:
            facts["matched_assets"] = hits
            return RuleResult(rule.id, "negative", "forbidden", rule.title, facts, rule.message,
                              rule.remediation, rule.source, rule.version)
    return RuleResult(rule.id, "negative", "clear", rule.title, facts, f"不涉及：{rule.title}",
                      "", rule.source, rule.version)


def _months_end(start: dt.date, months: int) -> dt.date:
    return add_months(start, months) - dt.timedelta(days=1)


def _condition(g: GuidanceRule, c: Condition, ctx: Context) -> RuleResult:
    cid = condition_id(g, c)
    title = c.title or f"{g.title}：{_KIND_TITLES[c.kind]}"
    source = c.source or g.source
    p = ctx.proposal
    day = p.signing_date
    if c.when is not None and not any(match(cl, ctx) is not None for cl in c.when):
        return RuleResult(cid, "condition", "not-applicable", title, clause_facts(c.when, ctx),
                          "本条件的适用情形不涉及本提案", "", source, g.version)
    met, facts, message, fix = _CHECKS[c.kind](c, ctx, day)
    if c.when is not None:
        facts = {**clause_facts(c.when, ctx), **facts}
    return RuleResult(cid, "condition", "met" if met else "unmet", title, facts, message,
                      "" if met else fix, source, g.version)


Check = tuple[bool, dict[str, Any], str, str]


def _c_resolution(c: Condition, ctx: Context, day: dt.date) -> Check:
    p = ctx.proposal
    facts: dict[str, Any] = {"resolution": p.resolution, "required_matter": c.matter, "signed": day}
    fix = (f"召开业主大会，就第278条第{c.matter}项事项表决（参与面积和人数均2/3以上，"
           f"{'同意达参与者3/4以上' if c.matter in (6, 7, 8) else '同意过参与者半数'}），"
           "决议载明资产与用途，在签约前通过后在合同中写明决议编号")
    if not p.resolution:
        return False, facts, "合同未引用业主大会决议", fix
    r = ctx.resolutions.get(p.resolution)
    if r is None:
        return False, facts, f"引用的决议{p.resolution}不在账本中", "先用 `assetreg resolution record` 记录决议及其计票"
    facts.update(resolution_date=r.date, matter=r.matter, passed=r.passed,
                 resolution_assets=list(r.assets), resolution_uses=list(r.uses), resolution_source=r.source)
    if not r.passed:
        reached = tally_reached(r)
        if reached:
            facts["reached"] = reached
        return False, facts, f"决议{r.id}未获通过" + (f"：{reached}" if reached else ""), fix
    if r.matter != c.matter:
        return False, facts, f"决议{r.id}表决的是第278条第{r.matter}项，本用途需要第{c.matter}项", fix
    if r.date > day:
        return (False, facts,
                f"决议{r.id}于{r.date}通过，晚于签约日{day}：签约时没有业主大会的授权",
                f"合同按签约日{day}审查，仍不予许可；原签约日期如实记录，不得更改。"
                "业主大会可以作出新的决议予以追认，追认后依据该决议重新订立合同，"
                "作为新合同重新记录（`assetreg contract record`）")
    uncovered = [a for a in p.assets if not r.covers_asset(a)]
    if uncovered:
        return False, facts, f"决议{r.id}未涵盖资产{','.join(uncovered)}", fix
    if not r.covers_use(p.use):
        return False, facts, f"决议{r.id}未涵盖用途{p.use}", fix
    return True, facts, f"决议{r.id}（第{r.matter}项）已于{r.date}通过，涵盖本合同的资产与用途", ""


def _ratio(num: Any, den: Any) -> str:
    """``num/den`` and its percentage, computed exactly (Fraction), shown to 0.01%."""
    try:
        f = Fraction(str(num)) / Fraction(str(den))
    except (ValueError, ZeroDivisionError):
        return f"{num}/{den}"
    pct = (Decimal(f.numerator) * 100 / Decimal(f.denominator)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{num}/{den}（{pct}%）"


def tally_reached(r: Resolution) -> str:
    """What a resolution's recorded tally reached, in words (empty when it holds no tally)."""
    m = r.meta
    keys = ("area_participating", "area_total", "heads_participating", "heads_total",
            "area_approving", "heads_approving")
    if not all(k in m for k in keys):
        return ""
    return (f"参与面积{_ratio(m['area_participating'], m['area_total'])}、参与人数"
            f"{_ratio(m['heads_participating'], m['heads_total'])}；同意面积"
            f"{_ratio(m['area_approving'], m['area_participating'])}、同意人数"
            f"{_ratio(m['heads_approving'], m['heads_participating'])}（{m.get('thresholds', '')}）")


def _c_notice(c: Condition, ctx: Context, day: dt.date) -> Check:
    p = ctx.proposal
    assert c.min_days is not None
    facts: dict[str, Any] = {"notice_start": p.notice_start, "notice_end": p.notice_end,
                             "min_days": c.min_days, "signed": day}
    fix = f"签约前在小区公示栏和业主群公示至少{c.min_days}日（含首尾两日），公示期满后再签约"
    if p.notice_start is None or p.notice_end is None:
        return False, facts, "未进行签约前公示", fix
    days = (p.notice_end - p.notice_start).days + 1  # Art. 1259: both days count
    facts["days"] = days
    if days < c.min_days:
        return False, facts, f"公示仅{days}日，少于{c.min_days}日", fix
    if p.notice_end >= day:
        return False, facts, f"公示至{p.notice_end}，签约日{day}时公示期尚未届满", fix
    return True, facts, f"已于签约前公示{days}日", ""


def _c_max_term(c: Condition, ctx: Context, day: dt.date) -> Check:
    p = ctx.proposal
    assert c.months is not None
    latest = _months_end(p.start, c.months)
    facts = {"start": p.start, "end": p.end, "max_months": c.months, "latest_end": latest}
    if p.end > latest:
        return (False, facts, f"期限至{p.end}，超过{c.months}个月（最晚{latest}）",
                f"把终止日改为{latest}或更早；期满可重新公示、签约")
    return True, facts, f"期限在{c.months}个月以内", ""


def _c_deposit(c: Condition, ctx: Context, day: dt.date) -> Check:
    p = ctx.proposal
    need = Decimal(0)
    if c.min_amount is not None:
        need = max(need, c.min_amount)
    if c.min_periods is not None:
        need = max(need, p.price * c.min_periods)
    facts = {"deposit": p.deposit, "price": p.price, "min_amount": c.min_amount,
             "min_periods": c.min_periods, "required": need}
    if p.deposit < need or p.deposit == 0:
        return False, facts, f"押金{p.deposit}元，低于要求的{need}元", f"约定不少于{need}元的押金"
    return True, facts, f"押金{p.deposit}元，不低于{need}元", ""


def _c_manager_share(c: Condition, ctx: Context, day: dt.date) -> Check:
    p = ctx.proposal
    facts = {"manager_share": p.manager_share, "max": c.max}
    fix = f"在合同中书面约定物业公司经营成本分成比例，不超过{c.max}（0 表示不分成）"
    if p.manager_share is None:
        return False, facts, "未书面约定物业公司的经营成本分成", fix
    assert c.max is not None
    if p.manager_share > c.max:
        return False, facts, f"物业成本分成{p.manager_share}超过上限{c.max}", fix
    return True, facts, f"物业成本分成{p.manager_share}，未超过上限{c.max}", ""


def _c_consents(c: Condition, ctx: Context, day: dt.date) -> Check:
    """Every owner of a unit the assets directly affect (a register fact, the latest list on
    or before signing) has a consent in the ledger, given by an owner on the roster that day
    and not withdrawn by signing; an owner the proposal names besides must have one too."""
    p = ctx.proposal
    need = c.min or 1
    roster = ctx.roster_signed
    no_list = [a.id for a in ctx.assets if ctx.consents.affected_units(a.id, day) is None]
    units: list[str] = []
    affected: set[str] = set(p.affected)  # what the proposal says can only add owners to ask
    valid: dict[str, list[str]] = {}  # owner -> their consents in force ("asset date file:line")
    stale: set[str] = set()
    missing: list[str] = []
    missing_units: list[str] = []
    consented: set[str] = set()
    for a in ctx.assets:
        units_a = ctx.consents.affected_units(a.id, day) or ()
        units.extend(u for u in units_a if u not in units)
        owners_a = {roster.units[u].owner for u in units_a if u in roster.units} | set(p.affected)
        affected |= owners_a
        given_a: set[str] = set()
        for owner, ev in ctx.consents.given(a.id, day).items():
            if any(u.owner == owner for u in ctx.roster_on(ev.date).units.values()):
                valid.setdefault(owner, []).append(f"{a.id} {ev.date} {ev.source}")
                given_a.add(owner)
            else:
                stale.add(owner)
        lacking = owners_a - given_a
        missing.extend(o if len(ctx.assets) == 1 else f"{o}（{a.id}）" for o in sorted(lacking))
        missing_units.extend(u for u in units_a if u in roster.units and roster.units[u].owner in lacking)
        consented |= owners_a & given_a
    claimed_missing = sorted(set(p.consents) - set(valid))
    facts: dict[str, Any] = {"signed": day, "affected_units": sorted(units), "affected_owners": sorted(affected),
                             "consents_in_ledger": {k: v for k, v in sorted(valid.items())},
                             "min": need, "missing": missing, "missing_units": missing_units}
    if p.consents:
        facts["consents_claimed"] = list(p.consents)
    if stale:
        facts["consents_not_from_roster"] = sorted(stale)
    fix = ("用 `assetreg consent affected --asset … --units …` 记录直接受影响的房号，"
           "再用 `assetreg consent record --asset … --owner OWN-… --date … --evidence …` "
           "逐户记录书面同意（签约日之前）")
    if no_list:
        return False, facts, f"资产{','.join(no_list)}未记录直接受影响的房号，无法确定利害关系业主", fix
    # The message is shown to residents: it names units and counts, never an owner key
    # (the keys are in the facts, for the treasurer).
    if claimed_missing:
        facts["consents_claimed_not_in_ledger"] = claimed_missing
        return (False, facts, f"提案所列的同意业主中有{len(claimed_missing)}户在账本中没有签约日有效的同意记录"
                "（不在名册上、未记录或已撤回）", fix)
    if missing:
        where = f"（房号{','.join(missing_units)}）" if missing_units else ""
        return False, facts, f"受影响业主中有{len(missing)}户在签约日{day}没有有效的书面同意{where}", fix
    got = len(consented)
    if got < need:
        return False, facts, f"直接利害关系业主同意{got}户，少于{need}户", fix
    return True, facts, f"直接受影响的{len(affected)}户业主均已书面同意（账本记录）", ""


def _c_owners_first(c: Condition, ctx: Context, day: dt.date) -> Check:
    """Owners on the waiting list in the ledger on the signing day (Art. 276); a number the
    proposal declares can only add to them."""
    p = ctx.proposal
    waiting = ctx.waitlist.waiting(day, ctx.roster_signed)
    keys = [ev.owner for ev in waiting]
    n = max(len(keys), p.owners_waiting or 0)
    facts: dict[str, Any] = {"signed": day, "waiting_in_ledger": keys, "owners_waiting_declared": p.owners_waiting}
    fix = ("先满足业主的停车需要：把车位租给排队名单上的业主（`assetreg waitlist list`），"
           "业主租到车位或放弃后用 `assetreg waitlist remove` 记录，再考虑出租给非业主")
    if keys:  # shown to residents: a count, the keys are in the facts
        return False, facts, f"签约日{day}车位排队名单上仍有{len(keys)}名业主在等候车位", fix
    if n:
        return False, facts, f"提案申报仍有{n}名业主在等候车位", fix
    return True, facts, f"签约日{day}车位排队名单上没有业主", ""


def _c_counterparty(c: Condition, ctx: Context, day: dt.date) -> Check:
    p = ctx.proposal
    kinds = c.kinds or []
    facts: dict[str, Any] = {"counterparty": p.counterparty, "counterparty_kind": p.counterparty_kind,
                             "kinds": kinds}
    if p.counterparty_kind not in kinds:
        return (False, facts, f"相对方类型为{p.counterparty_kind}，本用途只限{'/'.join(kinds)}",
                "改用与相对方类型相符的用途类别（如非业主停车用 parking-nonowner）")
    if p.counterparty_kind == "owner":
        facts["in_roster"] = p.counterparty in ctx.owner_keys
        if p.counterparty not in ctx.owner_keys:
            return (False, facts, f"{p.counterparty}不是名册中的业主编号",
                    "核对业主编号（`assetreg unit list`），或把相对方类型改为 non-owner")
    return True, facts, f"相对方类型{p.counterparty_kind}符合要求", ""


_CHECKS = {
    "resolution": _c_resolution, "notice": _c_notice, "max-term": _c_max_term,
    "deposit": _c_deposit, "manager-share": _c_manager_share, "consents": _c_consents,
    "owners-first": _c_owners_first, "counterparty-kind": _c_counterparty,
}
_KIND_TITLES = {
    "resolution": "业主大会决议", "notice": "签约前公示", "max-term": "最长期限", "deposit": "押金",
    "manager-share": "物业成本分成", "consents": "利害关系业主同意", "owners-first": "业主优先",
    "counterparty-kind": "相对方类型",
}


def _confirmed(ctx: Context) -> RuleResult:
    p = ctx.proposal
    status = {a.id: (a.status_on(p.start) or "not-registered") for a in ctx.assets}
    bad = [a.id for a in ctx.assets if not a.confirmed_on(p.start)]
    facts = {"start": p.start, "status_on_start": status}
    if bad:
        return RuleResult("A-ASSET-CONFIRMED", "general", "unmet", "资产须在合同起始日已确权", facts,
                          f"资产{','.join(bad)}在起始日{p.start}未确权",
                          "先完成确权公示并确认（`assetreg asset notice` / `asset confirm`），再把起始日定在确权之后",
                          GENERAL_SOURCE)
    return RuleResult("A-ASSET-CONFIRMED", "general", "met", "资产须在合同起始日已确权", facts,
                      "全部资产在起始日已确权", "", GENERAL_SOURCE)


def _exclusive(policy: PolicySet, use: str) -> bool:
    g = policy.guidance_for(use)
    return True if g is None else g.exclusive


def _overlap(ctx: Context) -> RuleResult:
    p = ctx.proposal
    mine = _exclusive(ctx.policy, p.use)
    clashes: list[dict[str, Any]] = []
    for other in ctx.contracts.values():
        if other.id == p.id:
            continue
        shared = sorted(set(other.assets) & set(p.assets))
        if not shared or other.end < p.start or p.end < other.start:
            continue
        if mine or _exclusive(ctx.policy, other.use):
            clashes.append({"contract": other.id, "assets": shared, "use": other.use,
                            "start": other.start, "end": other.end})
    facts = {"exclusive": mine, "start": p.start, "end": p.end, "overlapping": clashes}
    title = "同一资产同期不得有冲突的排他性合同"
    if clashes:
        c = clashes[0]
        return RuleResult("A-NO-OVERLAP", "general", "unmet", title, facts,
                          f"资产{','.join(c['assets'])}在{c['start']}至{c['end']}已由合同{c['contract']}占用",
                          "另选资产，或把起始日定在现有合同终止之后（提前终止用 `assetreg contract end`）",
                          OVERLAP_SOURCE)
    return RuleResult("A-NO-OVERLAP", "general", "met", title, facts, "期间内没有冲突的合同", "",
                      OVERLAP_SOURCE)


def context(proposal: Proposal, loaded: Loaded, policy_set: PolicySet) -> Context:
    entries = loaded.entries
    resolutions = resolutions_from_entries(entries)
    registry = registry_from_entries(entries, make_resolution_check(resolutions))
    assets: list[Asset] = []
    for aid in proposal.assets:
        a = registry.get(aid)
        if a is None:
            raise BadInput(f"{proposal.id}: field assets: unknown asset {aid}",
                           "check the id against `assetreg asset list`, or register it first")
        assets.append(a)
    unit_entries = tuple(e for e in entries if type(e) is data.Custom and e.type == UNIT_TYPE)
    day = proposal.signing_date
    roster = roster_from_entries(e for e in unit_entries if e.date <= day)
    # An owner counterparty is judged by the roster on the signing day, like every other fact:
    # a later sale does not make a lawful contract unlawful, nor a later purchase the reverse.
    owner_keys = {u.owner for u in roster.units.values()}
    return context_of(proposal, assets, resolutions, contracts_from_entries(entries), owner_keys,
                      policy_set, share_cap(loaded, day), consents_from_entries(entries),
                      waitlist_from_entries(entries), roster, unit_entries)


def context_of(proposal: Proposal, assets: list[Asset], resolutions: dict[str, Resolution],
               contracts: dict[str, Contract], owner_keys: set[str], policy_set: PolicySet,
               cap: Decimal, consents: Consents, waitlist: WaitList, roster_signed: Roster,
               unit_entries: tuple[Any, ...]) -> Context:
    """The context from ledger facts gathered elsewhere (the audit's re-gate reads them from
    the ledger index instead of scanning the entries once per contract)."""
    housing = housing_basis(proposal, assets)
    facts = {**proposal.facts, "residential_use": bool(housing)}
    return Context(proposal, assets, resolutions, contracts, owner_keys, policy_set, facts, housing,
                   cap, consents, waitlist, roster_signed, unit_entries)


def share_cap(loaded: Loaded, day: dt.date | None = None) -> Decimal:
    """The compound's cap on the manager's cost share (setting ``manager-share-max``) in force
    on ``day`` (the signing day; default today)."""
    text = loaded.options.get("manager-share-max", day)
    try:
        cap = Decimal(text)
    except ArithmeticError:
        cap = Decimal(-1)
    if not cap.is_finite() or not Decimal(0) <= cap <= Decimal(1):  # NaN compares as an error
        raise BadInput(f"the compound's setting manager-share-max is {text!r}, not a share from 0 to 1",
                       'set it in accounts.beancount, e.g. 2020-01-01 custom "assetreg-option" '
                       '"manager-share-max" "0.3"')
    return cap


def _pct(x: Decimal) -> str:
    return f"{(x * 100).normalize():f}%"


def _share_cap(ctx: Context) -> RuleResult:
    p = ctx.proposal
    cap = ctx.share_cap
    facts: dict[str, Any] = {"manager_share": p.manager_share, "manager_share_max": cap}
    title = "物业经营成本分成不得超过本小区上限"
    if p.manager_share is None:
        return RuleResult("A-MANAGER-SHARE-CAP", "general", "not-applicable", title, facts,
                          "合同未约定物业成本分成", "", CAP_SOURCE)
    if p.manager_share > cap:
        return RuleResult(
            "A-MANAGER-SHARE-CAP", "general", "unmet", title, facts,
            f"合同约定物业成本分成{_pct(p.manager_share)}，超过本小区上限{_pct(cap)}"
            "（第二百八十二条：扣除合理成本后的收入归业主共有）",
            f"把 manager_share 降到{cap}（{_pct(cap)}）以内；上限由业主大会决定，"
            "记在本小区设置 manager-share-max 中", CAP_SOURCE)
    return RuleResult("A-MANAGER-SHARE-CAP", "general", "met", title, facts,
                      f"物业成本分成{_pct(p.manager_share)}，未超过本小区上限{_pct(cap)}", "", CAP_SOURCE)


def decide(proposal: Proposal, loaded: Loaded, policy_set: PolicySet) -> Decision:
    return decide_in(context(proposal, loaded, policy_set))


def decide_in(ctx: Context, set_hash: str | None = None) -> Decision:
    """The decision on ``ctx.proposal`` under ``ctx.policy``, from the facts in ``ctx``
    (``set_hash``: the policy set's hash, when the caller has it; else computed)."""
    proposal, policy_set = ctx.proposal, ctx.policy
    day = proposal.signing_date
    results = [_negative(r, ctx, day) for r in policy_set.negative]
    g = policy_set.guidance_for(proposal.use)
    if g is None or not g.in_effect(day):
        why = "不在指导清单中" if g is None else f"的指导规则{g.id}在签约日不适用"
        results.append(RuleResult(
            "DEFAULT-DENY", "default", "unlisted", "清单外用途默认不予许可", {"use": proposal.use, "signed": day},
            f"用途{proposal.use}（{USES.get(proposal.use, '未知用途')}）{why}，不予许可",
            "改用指导清单中的用途类别（`assetreg policy show`），或提请区里将该用途列入指导清单",
            DEFAULT_SOURCE))
    else:
        results.append(RuleResult(g.id, "guidance", "listed", g.title, {"use": proposal.use},
                                  g.message, "", g.source, g.version))
        results.extend(_condition(g, c, ctx) for c in g.conditions)
    results.append(_confirmed(ctx))
    results.append(_overlap(ctx))
    results.append(_share_cap(ctx))

    if any(r.verdict == "forbidden" for r in results):
        verdict = FORBIDDEN
    elif any(r.decisive for r in results):
        verdict = NOT_PERMITTED
    else:
        verdict = PERMITTED
    return Decision(verdict, proposal, policy_set.id, set_hash or policy_hash(policy_set), results)
