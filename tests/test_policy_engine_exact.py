"""assetreg.policy.engine pinned exactly, function by function (for mutation testing).

Every rule result is compared whole -- id, kind, verdict, title, facts, message,
remediation, source and version -- and every boundary from both sides: a notice of
exactly the required days and one day short, a term ending on the last allowed day and
the day after, a deposit of exactly the requirement and one fen short, a share at the cap
and 0.0001 over, a rule in effect on its last day and not the day after. Contexts are
built in process (``context_of`` and in-memory entries), without ledger files.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_policy_support import GATE_ASSETS, GUIDANCE_USES, mapping

from assetreg.consents import ConsentEvent, Consents
from assetreg.contracts import Contract
from assetreg.errors import BadInput
from assetreg.ledger import Loaded, custom
from assetreg.options import options_from_entries
from assetreg.policy import engine
from assetreg.policy.engine import Context, Decision, RuleResult, context_of, decide_in
from assetreg.policy.loading import load_district, policy_hash
from assetreg.policy.proposal import Proposal
from assetreg.policy.schema import Clause, Condition, GuidanceRule, NegativeRule, PolicySet
from assetreg.registry import Asset, Event
from assetreg.resolutions import Resolution
from assetreg.units import Roster, Unit
from assetreg.vocab import PROPOSAL_FACTS, USES
from assetreg.waitlist import WaitEvent, WaitList

D = Decimal
SIGNED = dt.date(2024, 4, 20)
START = dt.date(2024, 5, 1)
END = dt.date(2024, 10, 31)
DEFAULT = load_district("huaian-qingjiangpu")

GENERAL_SOURCE = ("《民法典》第二百七十四条、第二百七十五条、第二百八十二条；"
                  "清江浦区清理盘活共有资产机制（先确权、后经营）")
OVERLAP_SOURCE = "《民法典》第二百七十八条；本系统规则（资产经营平台：同一资产同期只能有一份排他性经营合同）"
CAP_SOURCE = "《民法典》第二百八十二条；本小区设置 manager-share-max（物业经营成本分成上限）"
DEFAULT_SOURCE = "清江浦区共有资产负面清单、指导清单机制：清单外用途不予许可"
CONFIRM_FIX = "先完成确权公示并确认（`assetreg asset notice` / `asset confirm`），再把起始日定在确权之后"
OVERLAP_FIX = "另选资产，或把起始日定在现有合同终止之后（提前终止用 `assetreg contract end`）"
OVERLAP_TITLE = "同一资产同期不得有冲突的排他性合同"
CAP_TITLE = "物业经营成本分成不得超过本小区上限"
DENY_FIX = "改用指导清单中的用途类别（`assetreg policy show`），或提请区里将该用途列入指导清单"
CONSENT_FIX = ("用 `assetreg consent affected --asset … --units …` 记录直接受影响的房号，"
               "再用 `assetreg consent record --asset … --owner OWN-… --date … --evidence …` "
               "逐户记录书面同意（签约日之前）")
WAIT_FIX = ("先满足业主的停车需要：把车位租给排队名单上的业主（`assetreg waitlist list`），"
            "业主租到车位或放弃后用 `assetreg waitlist remove` 记录，再考虑出租给非业主")
KIND_FIX = "改用与相对方类型相符的用途类别（如非业主停车用 parking-nonowner）"


def fix_278(matter: int, three_quarters: bool) -> str:
    need = "同意达参与者3/4以上" if three_quarters else "同意过参与者半数"
    return (f"召开业主大会，就第278条第{matter}项事项表决（参与面积和人数均2/3以上，{need}），"
            "决议载明资产与用途，在签约前通过后在合同中写明决议编号")


# ---------------------------------------------------------------- building blocks

def make_asset(aid: str, kind: str = "parking", zones: str = "road", structure: str | None = None,
               confirmed: dt.date | None = dt.date(2024, 1, 20), until: dt.date | None = None,
               registered: dt.date = dt.date(2024, 1, 2)) -> Asset:
    facts = {"kind": kind, "zones": zones}
    if structure is not None:
        facts["structure"] = structure
    events = [Event(registered, "registered", "登记", {}, "registry.beancount:1")]
    spans: list[tuple[dt.date, dt.date | None]] = []
    if confirmed is not None:
        events.append(Event(confirmed, "confirmed", "确权", {}, "registry.beancount:2"))
        spans.append((confirmed, until))
    if until is not None:
        events.append(Event(until, "disputed", "争议", {}, "registry.beancount:3"))
    return Asset(aid, facts=facts, events=events, confirmed_spans=spans)


ASSETS: dict[str, Asset] = {"P-001": make_asset("P-001")}
for _aid, (_kind, _zones, _structure) in GATE_ASSETS.items():
    ASSETS[_aid] = make_asset(_aid, _kind, _zones, _structure or None)
ASSETS["P-011"] = make_asset("P-011", confirmed=None)

EVERY = "P-*,R-*,AD-*,S-*,LK-*,EV-*,EB-*,V-*"


def resolution(rid: str = "R-2024-01", date: dt.date = dt.date(2024, 3, 1), matter: int = 8,
               passed: bool = True, assets: str = EVERY, uses: str = GUIDANCE_USES, **meta: Any) -> Resolution:
    return Resolution(rid, date, matter, passed, "测试决议", {"assets": assets, "uses": uses, **meta},
                      "contracts.beancount:7")


RESOLUTIONS = {"R-2024-01": resolution()}


def unit(number: str, owner: str, date: dt.date = dt.date(2020, 1, 1), area: str = "90.00") -> Unit:
    return Unit(number, number.split("-")[0], D(area), owner, owner.startswith("DEV"), date)


ROSTER = Roster({"1-101": unit("1-101", "OWN-0001"), "1-102": unit("1-102", "OWN-0002", area="110.00"),
                 "1-201": unit("1-201", "OWN-0002", area="100.00"),
                 "2-101": unit("2-101", "DEV-0000", area="120.00")})


def unit_entry(number: str, owner: str, date: dt.date) -> Any:
    return custom(date, "unit", [number], building=number.split("-")[0], area=D("90.00"), owner=owner,
                  unsold=False)


UNIT_ENTRIES = tuple(unit_entry(u.number, u.owner, u.date) for u in ROSTER.units.values())


def consent(asset: str, owner: str, date: dt.date, action: str = "given", line: int = 30) -> ConsentEvent:
    return ConsentEvent(asset, owner, action, date, "documents/P-001.pdf", "", f"registry.beancount:{line}")


def consents_of(affected: dict[str, list[tuple[dt.date, tuple[str, ...]]]],
                events: list[ConsentEvent]) -> Consents:
    c = Consents()
    for aid, lists in affected.items():
        c.affected[aid] = [(d, units, "registry.beancount:20") for d, units in lists]
    for ev in sorted(events, key=lambda e: e.date):
        c.events.setdefault(ev.asset, []).append(ev)
    return c


CONSENTS = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))], "AD-004": [(dt.date(2024, 3, 1), ("1-101",))]},
                       [consent("S-01", "OWN-0001", dt.date(2024, 3, 10), line=31),
                        consent("AD-004", "OWN-0001", dt.date(2024, 3, 10), line=32)])


def proposal(use: str = "parking-owner", **over: Any) -> Proposal:
    return Proposal.from_mapping(mapping(use, **over), "test")


CAP = D("0.3")


def ctx_of(p: Proposal, *, assets: list[Asset] | None = None, resolutions: dict[str, Resolution] | None = None,
           contracts: dict[str, Contract] | None = None, owner_keys: set[str] | None = None,
           policy: PolicySet = DEFAULT, cap: Decimal = CAP, consents: Consents | None = None,
           waitlist: WaitList | None = None, roster: Roster = ROSTER,
           unit_entries: tuple[Any, ...] = UNIT_ENTRIES) -> Context:
    return context_of(p, [ASSETS[a] for a in p.assets] if assets is None else assets,
                      RESOLUTIONS if resolutions is None else resolutions, contracts or {},
                      {"OWN-0001", "OWN-0002", "DEV-0000"} if owner_keys is None else owner_keys, policy, cap,
                      CONSENTS if consents is None else consents, waitlist or WaitList(), roster, unit_entries)


def rule_result(d: Decision, rid: str) -> RuleResult:
    found = [r for r in d.rules if r.id == rid]
    assert len(found) == 1, [r.id for r in d.rules]
    return found[0]


def neg(rid: str = "N-TEST", when: list[dict[str, Any]] | None = None, frm: str = "2021-01-01",
        to: str | None = None, version: int = 2) -> NegativeRule:
    return NegativeRule.model_validate({
        "id": rid, "version": version, "effective_from": frm, "effective_to": to, "title": "测试负面规则",
        "message": "命中测试负面规则", "remediation": "改正它", "source": "测试依据第一条",
        "when": when or [{"asset_zones": ["fire-lane"]}]})


def guidance(use: str = "vending", conditions: list[dict[str, Any]] | None = None, rid: str = "G-TEST",
             frm: str = "2021-01-01", to: str | None = None, exclusive: bool = True,
             source: str = "测试指导依据") -> GuidanceRule:
    return GuidanceRule.model_validate({
        "id": rid, "version": 4, "effective_from": frm, "effective_to": to, "use": use, "title": "测试指导规则",
        "message": "测试用途可以经营", "source": source, "exclusive": exclusive,
        "conditions": conditions or []})


def policy_set(negative: list[NegativeRule], guidance_rules: list[GuidanceRule]) -> PolicySet:
    return PolicySet(id="test-set", version="1", title="测试政策集", effective_from=dt.date(2021, 1, 1),
                     negative=negative, guidance=guidance_rules)


def cond(kind: str, **kw: Any) -> Condition:
    return Condition.model_validate({"kind": kind, **kw})


# ---------------------------------------------------------------- RuleResult and _jsonable

@pytest.mark.parametrize(("verdict", "decisive"), [
    ("forbidden", True), ("unlisted", True), ("unmet", True), ("clear", False), ("listed", False),
    ("met", False), ("not-applicable", False), ("not-in-effect", False), ("permitted", False),
])
def test_decisive_verdicts(verdict: str, decisive: bool) -> None:
    assert RuleResult("X-A", "general", verdict, "t", {}, "m", "", "s").decisive is decisive
    assert engine.DECISIVE == ("forbidden", "unlisted", "unmet")
    assert (engine.PERMITTED, engine.FORBIDDEN, engine.NOT_PERMITTED) == ("permitted", "forbidden", "not-permitted")


def test_rule_result_as_dict_whole() -> None:
    facts = {"signed": dt.date(2024, 4, 20), "share": D("0.30"), 3: ("a", dt.date(2024, 1, 1)),
             "nested": {"x": [D("1.5"), {"y": {"z"}}]}, "flag": True, "n": 7, "none": None, "f": Fraction(1, 3)}
    r = RuleResult("G-X.NOTICE", "condition", "unmet", "标题", facts, "理由", "改正", "某报道（未经核实）", 3)
    assert r.unverified is True and r.decisive is True
    assert r.as_dict() == {
        "id": "G-X.NOTICE", "kind": "condition", "verdict": "unmet", "title": "标题", "version": 3,
        "facts": {"signed": "2024-04-20", "share": "0.30", "3": ["a", "2024-01-01"],
                  "nested": {"x": ["1.5", {"y": ["z"]}]}, "flag": True, "n": 7, "none": None, "f": Fraction(1, 3)},
        "message": "理由", "remediation": "改正", "source": "某报道（未经核实）", "unverified": True}
    plain = RuleResult("N-A", "negative", "clear", "t", {}, "m", "", "《民法典》未经")
    assert plain.unverified is False and plain.version is None
    assert plain.as_dict()["version"] is None and plain.as_dict()["unverified"] is False


def test_jsonable_exactly() -> None:
    assert engine._jsonable({1: {2: (D("1.10"), [dt.date(2024, 2, 29)])}}) == {"1": {"2": ["1.10", ["2024-02-29"]]}}
    assert engine._jsonable({"s"}) == ["s"]
    assert engine._jsonable(("a", 1)) == ["a", 1]
    assert engine._jsonable(D("0.3")) == "0.3"
    assert engine._jsonable(dt.date(2024, 1, 5)) == "2024-01-05"
    assert engine._jsonable("text") == "text" and engine._jsonable(None) is None and engine._jsonable(5) == 5


# ---------------------------------------------------------------- Decision

def _r(rid: str, kind: str, verdict: str, message: str, source: str) -> RuleResult:
    return RuleResult(rid, kind, verdict, "t", {}, message, "", source)


PERMITTED_RULES = [
    _r("N-A", "negative", "clear", "不涉及：甲", "负面依据甲"),
    _r("N-B", "negative", "not-in-effect", "不适用", "负面依据乙"),
    _r("G-X", "guidance", "listed", "可以", "指导依据"),
    _r("G-X.RESOLUTION", "condition", "met", "决议已通过", "条件依据"),
    _r("G-X.TERM", "condition", "not-applicable", "不涉及", "条件依据（未经核实）"),
    _r("G-X.CD", "condition", "met", "人防", "据报道（未经核实）"),
    _r("A-ASSET-CONFIRMED", "general", "met", "全部确权", "一般依据"),
    _r("A-NO-OVERLAP", "general", "met", "无冲突", "一般依据"),
    _r("A-MANAGER-SHARE-CAP", "general", "not-applicable", "未约定", "上限依据"),
    _r("A-LATE", "general", "met", "后来", "据报道（未经核实）"),
    _r("A-LATE", "general", "met", "后来", "据报道（未经核实）"),
]


def test_a_permitted_decision_names_every_rule_that_let_it_in() -> None:
    d = Decision("permitted", proposal(), "test-set", "sha256:h", PERMITTED_RULES)
    assert d.permitted is True and d.already_logged is None
    assert [r.id for r in d.deciding] == ["N-A", "G-X", "G-X.RESOLUTION", "G-X.CD", "A-ASSET-CONFIRMED",
                                          "A-NO-OVERLAP", "A-LATE", "A-LATE"]
    assert d.rule_ids == ["N-A", "G-X", "A-ASSET-CONFIRMED", "A-NO-OVERLAP", "A-LATE"]
    assert d.sources == "指导依据；一般依据；据报道（未经核实）（未经核实，非法律规定）"
    assert d.reasons == "符合负面清单与指导清单的全部条件"


def test_a_forbidden_decision_names_only_the_negative_rules_hit() -> None:
    rules = [_r("N-A", "negative", "forbidden", "占用消防车道", "消防法"),
             _r("N-B", "negative", "clear", "不涉及", "其他"),
             _r("N-C", "negative", "forbidden", "占用消防车道", "消防法"),
             _r("N-D", "negative", "forbidden", "危险品", "据报道（未经核实）"),
             _r("DEFAULT-DENY", "default", "unlisted", "清单外", DEFAULT_SOURCE),
             _r("A-ASSET-CONFIRMED", "general", "unmet", "未确权", GENERAL_SOURCE)]
    d = Decision("forbidden", proposal(), "test-set", "sha256:h", rules)
    assert d.permitted is False
    assert [r.id for r in d.deciding] == ["N-A", "N-C", "N-D"]
    assert d.rule_ids == ["N-A", "N-C", "N-D"]
    assert d.reasons == "占用消防车道；危险品"
    assert d.sources == "消防法；据报道（未经核实）（未经核实，非法律规定）"


def test_a_not_permitted_decision_names_the_decisive_rules_conditions_included() -> None:
    rules = [_r("N-A", "negative", "clear", "不涉及", "其他"),
             _r("G-X", "guidance", "listed", "可以", "指导依据"),
             _r("G-X.NOTICE", "condition", "unmet", "未公示", "条件依据"),
             _r("G-X.TERM", "condition", "met", "期限内", "条件依据"),
             _r("G-X.CD", "condition", "unmet", "未公示", "条件依据"),
             _r("A-NO-OVERLAP", "general", "unmet", "已占用", OVERLAP_SOURCE),
             _r("A-NO-OVERLAP", "general", "unmet", "已占用", OVERLAP_SOURCE)]
    d = Decision("not-permitted", proposal(), "test-set", "sha256:h", rules, already_logged="decisions.beancount:9")
    assert [r.id for r in d.deciding] == ["G-X.NOTICE", "G-X.CD", "A-NO-OVERLAP", "A-NO-OVERLAP"]
    assert d.rule_ids == ["G-X.NOTICE", "G-X.CD", "A-NO-OVERLAP"]
    assert d.reasons == "未公示；已占用"
    assert d.sources == "条件依据；" + OVERLAP_SOURCE
    assert d.already_logged == "decisions.beancount:9"


def test_decision_as_dict_whole() -> None:
    p = proposal("no-such-use", assets=["P-001", "P-002"], counterparty="OWN-0002", signed=None)
    rules = [_r("DEFAULT-DENY", "default", "unlisted", "清单外", DEFAULT_SOURCE)]
    d = Decision("not-permitted", p, "test-set", "sha256:abc", rules, already_logged="decisions.beancount:4")
    assert d.as_dict() == {
        "proposal": "C-2024-100", "use": "no-such-use", "use_label": "", "assets": ["P-001", "P-002"],
        "counterparty": "OWN-0002", "signed": "2024-05-01", "verdict": "not-permitted", "policy_set": "test-set",
        "policy_hash": "sha256:abc", "deciding_rules": ["DEFAULT-DENY"], "reasons": "清单外",
        "sources": DEFAULT_SOURCE, "already_logged": "decisions.beancount:4",
        "rules": [{"id": "DEFAULT-DENY", "kind": "default", "verdict": "unlisted", "title": "t", "version": None,
                   "facts": {}, "message": "清单外", "remediation": "", "source": DEFAULT_SOURCE,
                   "unverified": False}]}
    assert Decision("permitted", proposal(), "s", "h").as_dict()["use_label"] == USES["parking-owner"]
    assert Decision("permitted", proposal(), "s", "h").as_dict()["signed"] == "2024-04-20"
    assert Decision("permitted", proposal(), "s", "h").rules == []


# ---------------------------------------------------------------- who lives there

@pytest.mark.parametrize(("use", "why"), [
    ("dormitory", "用途dormitory（宿舍（集体住宿））是居住用途"),
    ("residential-let", "用途residential-let（出租居住）是居住用途"),
    ("staff-housing", "用途名称staff-housing含有居住、住宿含义（housing）"),
    ("hotel-sleeping-dorm", "用途名称hotel-sleeping-dorm含有居住、住宿含义（dorm,hotel,sleeping）"),
    ("community-room", None),
    ("parking-owner", None),
    ("sleepy-cafe", None),  # a word must be whole, not a prefix
])
def test_use_houses_people(use: str, why: str | None) -> None:
    assert engine.use_houses_people(use) == why


def test_housing_basis_from_use_zone_and_statement() -> None:
    room = make_asset("R-04", "room", "basement")
    garage = make_asset("R-06", "room", "garage")
    cd = make_asset("P-020", "parking", "civil-defence,road")
    up = make_asset("R-01", "room", "public-facility")
    label = USES["community-room"]
    p = proposal("community-room", assets=["R-04", "R-01", "R-06", "P-020"])
    assert engine.housing_basis(p, [room, up, garage, cd]) == (
        f"用途community-room（{label}）可能留宿，资产R-04,R-06,P-020位于地下空间，无法排除有人居住",)
    assert engine.housing_basis(p, [up]) == ()
    assert engine.housing_basis(proposal("vending", assets=["R-04"]), [room]) == ()
    stated = proposal("dormitory", assets=["R-04"], facts={"residential_use": True})
    assert engine.housing_basis(stated, [room]) == ("用途dormitory（宿舍（集体住宿））是居住用途",
                                                    "提案申报有人在此居住或住宿")
    assert engine.housing_basis(proposal("vending", facts={"residential_use": True}), [up]) == (
        "提案申报有人在此居住或住宿",)


def test_context_of_raises_residential_use_never_lowers_it() -> None:
    p = proposal("community-room", assets=["R-04"], facts={"hazardous": True})
    c = ctx_of(p)
    assert c.facts == {"residential_use": True, "hazardous": True, "noise_or_fumes": False,
                       "blocks_light": False, "alters_structure": False}
    assert c.housing == (f"用途community-room（{USES['community-room']}）可能留宿，资产R-04位于地下空间，无法排除有人居住",)
    assert c.share_cap == D("0.3") and c.roster_signed is ROSTER and c.unit_entries == UNIT_ENTRIES
    plain = ctx_of(proposal("vending", assets=["R-01"]))
    assert plain.facts["residential_use"] is False and plain.housing == ()


# ---------------------------------------------------------------- clauses

def test_tokens() -> None:
    assert engine._tokens("Frame，External-Insulation; x  y,,") == {"frame", "external-insulation", "x", "y"}
    assert engine._tokens("") == set()


@pytest.mark.parametrize(("clause", "ok"), [
    ({"asset_zones": ["basement"]}, True),
    ({"asset_zones": ["roof"]}, False),
    ({"asset_structure": ["external-insulation"]}, True),
    ({"asset_structure": ["curtain-wall"]}, False),
    ({"asset_kinds": ["advertising"]}, True),
    ({"asset_kinds": ["parking"]}, False),
    ({"asset_zones": ["exterior-wall"], "asset_kinds": ["parking"]}, False),
    ({"asset_zones": ["roof"], "asset_kinds": ["advertising"]}, False),
    ({"asset_structure": ["curtain-wall"], "asset_kinds": ["advertising"]}, False),
    ({"asset_zones": ["exterior-wall"], "asset_structure": ["external-insulation"], "asset_kinds": ["advertising"]},
     True),
])
def test_asset_ok(clause: dict[str, Any], ok: bool) -> None:
    a = make_asset("AD-009", "advertising", "exterior-wall,basement", "Frame, External-Insulation")
    assert engine._asset_ok(Clause.model_validate(clause), a) is ok


def test_asset_without_structure_matches_no_structure_clause() -> None:
    assert engine._asset_ok(Clause(asset_structure=["frame"]), make_asset("P-001")) is False


@pytest.mark.parametrize(("clause", "has"), [
    ({"asset_zones": ["roof"]}, True), ({"asset_structure": ["frame"]}, True), ({"asset_kinds": ["room"]}, True),
    ({"uses": ["vending"]}, False), ({"facts": {"hazardous": True}}, False),
    ({"counterparty_kind": ["owner"]}, False), ({"uses_not": ["vending"]}, False),
])
def test_has_asset_predicates(clause: dict[str, Any], has: bool) -> None:
    assert engine._has_asset_predicates(Clause.model_validate(clause)) is has


def test_match_each_predicate() -> None:
    p = proposal("vending", assets=["R-04", "R-01", "P-002"], facts={"hazardous": True},
                 counterparty="某公司", counterparty_kind="organisation")
    c = ctx_of(p)
    M = lambda **kw: engine.match(Clause(**kw), c)  # noqa: E731
    assert M(uses=["vending"]) == ["R-04", "R-01", "P-002"]
    assert M(uses=["parking-owner"]) is None
    assert M(uses_not=["vending"]) is None
    assert M(uses_not=["parking-owner"]) == ["R-04", "R-01", "P-002"]
    assert M(counterparty_kind=["organisation"]) == ["R-04", "R-01", "P-002"]
    assert M(counterparty_kind=["owner", "non-owner"]) is None
    assert M(facts={"hazardous": True}) == ["R-04", "R-01", "P-002"]
    assert M(facts={"hazardous": False}) is None
    assert M(facts={"hazardous": True, "blocks_light": True}) is None
    assert M(asset_zones=["basement", "road"]) == ["R-04", "P-002"]
    assert M(asset_zones=["roof"]) is None
    assert M(asset_kinds=["room"], uses=["vending"]) == ["R-04", "R-01"]
    assert M(asset_kinds=["room"], uses=["storage"]) is None


def test_match_reads_the_derived_facts_first_then_the_proposal() -> None:
    p = proposal("residential-let", assets=["R-04"], facts={"residential_use": False, "hazardous": True})
    derived = ctx_of(p)
    assert engine.match(Clause(facts={"residential_use": True}), derived) == ["R-04"]
    assert engine.match(Clause(facts={"residential_use": False}), derived) is None
    # a context whose derived facts say nothing falls back to what the proposal states
    bare = Context(p, [ASSETS["R-04"]], {}, {}, set(), DEFAULT)
    assert engine.match(Clause(facts={"hazardous": True}), bare) == ["R-04"]
    assert engine.match(Clause(facts={"residential_use": False}), bare) == ["R-04"]
    assert engine.match(Clause(facts={"residential_use": True}), bare) is None


def test_clause_facts_names_every_predicate() -> None:
    p = proposal("community-room", assets=["R-04", "AD-003"], counterparty="某公司",
                 counterparty_kind="organisation")
    c = ctx_of(p)
    clauses = [Clause(uses=["x"]), Clause(counterparty_kind=["owner"]),
               Clause(facts={"residential_use": True, "hazardous": False}), Clause(asset_zones=["roof"]),
               Clause(asset_structure=["frame"]), Clause(asset_kinds=["room"])]
    assert engine.clause_facts(clauses, c) == {
        "use": "community-room", "counterparty_kind": "organisation", "residential_use": True,
        "residential_basis": list(c.housing), "hazardous": False,
        "asset_zones": {"R-04": "basement", "AD-003": "exterior-wall"},
        "asset_structure": {"R-04": "frame", "AD-003": "external-insulation"},
        "asset_kind": {"R-04": "room", "AD-003": "advertising"}}
    assert engine.clause_facts([Clause(uses_not=["x"])], c) == {"use": "community-room"}
    assert engine.clause_facts([Clause(asset_structure=["frame"])], ctx_of(proposal())) == {
        "asset_structure": {"P-001": ""}}
    # no one lives there: no basis to report
    plain = ctx_of(proposal("vending", assets=["R-01"]))
    assert engine.clause_facts([Clause(facts={"residential_use": True})], plain) == {"residential_use": False}
    assert engine.clause_facts([Clause(facts={"hazardous": True})], c) == {"hazardous": False}
    assert engine.clause_facts([], c) == {}


# ---------------------------------------------------------------- negative rules

def test_negative_forbidden_reports_the_first_matching_clause() -> None:
    rule = neg(when=[{"asset_zones": ["roof"]}, {"asset_zones": ["fire-lane", "road"]}, {"uses": ["parking-owner"]}])
    c = ctx_of(proposal(assets=["P-001", "P-009", "R-01"]))
    assert engine._negative(rule, c, SIGNED) == RuleResult(
        "N-TEST", "negative", "forbidden", "测试负面规则",
        {"use": "parking-owner", "asset_zones": {"P-001": "road", "P-009": "fire-lane,road", "R-01": "public-facility"},
         "matched_assets": ["P-001", "P-009"]},
        "命中测试负面规则", "改正它", "测试依据第一条", 2)


def test_negative_clear() -> None:
    c = ctx_of(proposal())
    assert engine._negative(neg(), c, SIGNED) == RuleResult(
        "N-TEST", "negative", "clear", "测试负面规则", {"asset_zones": {"P-001": "road"}},
        "不涉及：测试负面规则", "", "测试依据第一条", 2)


@pytest.mark.parametrize(("frm", "to", "day", "verdict"), [
    ("2024-04-20", None, SIGNED, "forbidden"),
    ("2024-04-21", None, SIGNED, "not-in-effect"),
    ("2021-01-01", "2024-04-20", SIGNED, "forbidden"),
    ("2021-01-01", "2024-04-19", SIGNED, "not-in-effect"),
])
def test_negative_in_effect_on_the_signing_day(frm: str, to: str | None, day: dt.date, verdict: str) -> None:
    c = ctx_of(proposal(assets=["P-009"]))
    r = engine._negative(neg(frm=frm, to=to), c, day)
    assert r.verdict == verdict
    if verdict == "not-in-effect":
        assert r == RuleResult("N-TEST", "negative", "not-in-effect", "测试负面规则", {"signed": SIGNED},
                               f"本规则生效期间为{frm}至{to or '今'}，不适用", "", "测试依据第一条", 2)


def test_negative_uses_the_signing_day_given() -> None:
    c = ctx_of(proposal(assets=["P-009"]))
    assert engine._negative(neg(to="2024-04-20"), c, dt.date(2024, 4, 21)).message == \
        "本规则生效期间为2021-01-01至2024-04-20，不适用"


# ---------------------------------------------------------------- conditions: framing

def test_months_end() -> None:
    assert engine._months_end(START, 6) == END
    assert engine._months_end(dt.date(2024, 3, 15), 12) == dt.date(2025, 3, 14)
    assert engine._months_end(dt.date(2024, 1, 1), 1) == dt.date(2024, 1, 31)


def test_kind_titles_and_checks() -> None:
    assert engine._KIND_TITLES == {
        "resolution": "业主大会决议", "notice": "签约前公示", "max-term": "最长期限", "deposit": "押金",
        "manager-share": "物业成本分成", "consents": "利害关系业主同意", "owners-first": "业主优先",
        "counterparty-kind": "相对方类型"}
    assert {
        "resolution": engine._c_resolution, "notice": engine._c_notice, "max-term": engine._c_max_term,
        "deposit": engine._c_deposit, "manager-share": engine._c_manager_share, "consents": engine._c_consents,
        "owners-first": engine._c_owners_first, "counterparty-kind": engine._c_counterparty} == engine._CHECKS


def test_condition_default_title_source_and_unmet_remediation() -> None:
    c = cond("max-term", months=6)
    g = guidance(conditions=[c.model_dump(exclude_none=True)])
    p = proposal("vending", end="2024-11-01")
    assert engine._condition(g, c, ctx_of(p)) == RuleResult(
        "G-TEST.MAX-TERM", "condition", "unmet", "测试指导规则：最长期限",
        {"start": START, "end": dt.date(2024, 11, 1), "max_months": 6, "latest_end": END},
        "期限至2024-11-01，超过6个月（最晚2024-10-31）", "把终止日改为2024-10-31或更早；期满可重新公示、签约",
        "测试指导依据", 4)
    assert engine._condition(g, c, ctx_of(proposal("vending"))) == RuleResult(
        "G-TEST.MAX-TERM", "condition", "met", "测试指导规则：最长期限",
        {"start": START, "end": END, "max_months": 6, "latest_end": END}, "期限在6个月以内", "", "测试指导依据", 4)


def test_condition_with_when_applies_only_where_a_clause_matches() -> None:
    c = cond("max-term", id="G-TEST.CD-TERM", title="人防车位租期", months=1, source="据报道（未经核实）",
             when=[{"asset_zones": ["roof"]}, {"asset_zones": ["civil-defence"]}])
    g = guidance(conditions=[c.model_dump(exclude_none=True)])
    assert engine._condition(g, c, ctx_of(proposal("vending", assets=["P-001"]))) == RuleResult(
        "G-TEST.CD-TERM", "condition", "not-applicable", "人防车位租期", {"asset_zones": {"P-001": "road"}},
        "本条件的适用情形不涉及本提案", "", "据报道（未经核实）", 4)
    r = engine._condition(g, c, ctx_of(proposal("vending", assets=["P-020"])))
    assert r == RuleResult(
        "G-TEST.CD-TERM", "condition", "unmet", "人防车位租期",
        {"asset_zones": {"P-020": "civil-defence,basement"}, "start": START, "end": END, "max_months": 1,
         "latest_end": dt.date(2024, 5, 31)},
        "期限至2024-10-31，超过1个月（最晚2024-05-31）", "把终止日改为2024-05-31或更早；期满可重新公示、签约",
        "据报道（未经核实）", 4)
    assert list(r.facts) == ["asset_zones", "start", "end", "max_months", "latest_end"]


# ---------------------------------------------------------------- resolution

RES_FACTS = {"resolution": "R-2024-01", "required_matter": 8, "signed": SIGNED}


def _res_facts(r: Resolution, **extra: Any) -> dict[str, Any]:
    return {**RES_FACTS, "resolution": r.id, "resolution_date": r.date, "matter": r.matter, "passed": r.passed,
            "resolution_assets": list(r.assets), "resolution_uses": list(r.uses),
            "resolution_source": "contracts.beancount:7", **extra}


def test_resolution_met_on_the_signing_day_itself() -> None:
    r = resolution(date=SIGNED, assets="P-001,R-*", uses="parking-owner")
    got = engine._c_resolution(cond("resolution", matter=8), ctx_of(proposal(), resolutions={r.id: r}), SIGNED)
    assert got == (True, _res_facts(r), "决议R-2024-01（第8项）已于2024-04-20通过，涵盖本合同的资产与用途", "")


def test_resolution_the_day_after_signing_is_no_authority() -> None:
    r = resolution(date=dt.date(2024, 4, 21))
    got = engine._c_resolution(cond("resolution", matter=8), ctx_of(proposal(), resolutions={r.id: r}), SIGNED)
    assert got == (False, _res_facts(r),
                   "决议R-2024-01于2024-04-21通过，晚于签约日2024-04-20：签约时没有业主大会的授权",
                   "合同按签约日2024-04-20审查，仍不予许可；原签约日期如实记录，不得更改。"
                   "业主大会可以作出新的决议予以追认，追认后依据该决议重新订立合同，"
                   "作为新合同重新记录（`assetreg contract record`）")


@pytest.mark.parametrize(("matter", "three_quarters"), [(5, False), (6, True), (7, True), (8, True), (9, False)])
def test_resolution_missing_and_the_vote_it_needs(matter: int, three_quarters: bool) -> None:
    c = cond("resolution", matter=matter)
    got = engine._c_resolution(c, ctx_of(proposal(resolution=None)), SIGNED)
    assert got == (False, {"resolution": None, "required_matter": matter, "signed": SIGNED},
                   "合同未引用业主大会决议", fix_278(matter, three_quarters))


def test_resolution_not_in_the_ledger() -> None:
    got = engine._c_resolution(cond("resolution", matter=8), ctx_of(proposal(resolution="R-2099-01")), SIGNED)
    assert got == (False, {**RES_FACTS, "resolution": "R-2099-01"}, "引用的决议R-2099-01不在账本中",
                   "先用 `assetreg resolution record` 记录决议及其计票")


TALLY = {"area_participating": D("400.00"), "area_total": D("500.00"), "heads_participating": 3,
         "heads_total": 3, "area_approving": D("200.00"), "heads_approving": 2,
         "thresholds": "参与：2/3以上；同意：3/4以上"}
REACHED = ("参与面积400.00/500.00（80.00%）、参与人数3/3（100.00%）；同意面积200.00/400.00（50.00%）、"
           "同意人数2/3（66.66%）（参与：2/3以上；同意：3/4以上）")


def test_resolution_failed_says_what_it_reached() -> None:
    r = resolution(passed=False, **TALLY)
    got = engine._c_resolution(cond("resolution", matter=8), ctx_of(proposal(), resolutions={r.id: r}), SIGNED)
    assert got == (False, _res_facts(r, reached=REACHED), f"决议R-2024-01未获通过：{REACHED}", fix_278(8, True))
    bare = resolution(passed=False)
    got = engine._c_resolution(cond("resolution", matter=8), ctx_of(proposal(), resolutions={r.id: bare}), SIGNED)
    assert got == (False, _res_facts(bare), "决议R-2024-01未获通过", fix_278(8, True))
    assert "reached" not in got[1]


def test_resolution_of_another_matter() -> None:
    r = resolution(matter=5)
    got = engine._c_resolution(cond("resolution", matter=8), ctx_of(proposal(), resolutions={r.id: r}), SIGNED)
    assert got == (False, _res_facts(r), "决议R-2024-01表决的是第278条第5项，本用途需要第8项", fix_278(8, True))


def test_resolution_of_a_later_matter() -> None:
    r = resolution(matter=9)
    got = engine._c_resolution(cond("resolution", matter=8), ctx_of(proposal(), resolutions={r.id: r}), SIGNED)
    assert got == (False, _res_facts(r), "决议R-2024-01表决的是第278条第9项，本用途需要第8项", fix_278(8, True))


def test_resolution_cited_as_an_empty_string_is_none() -> None:
    p = proposal().model_copy(update={"resolution": ""})
    got = engine._c_resolution(cond("resolution", matter=8), ctx_of(p), SIGNED)
    assert got == (False, {**RES_FACTS, "resolution": ""}, "合同未引用业主大会决议", fix_278(8, True))


def test_resolution_not_covering_assets_or_use() -> None:
    r = resolution(assets="P-001", uses="vending")
    c = ctx_of(proposal(assets=["P-002", "P-001", "R-01"]), resolutions={r.id: r})
    got = engine._c_resolution(cond("resolution", matter=8), c, SIGNED)
    assert got == (False, _res_facts(r), "决议R-2024-01未涵盖资产P-002,R-01", fix_278(8, True))
    got = engine._c_resolution(cond("resolution", matter=8), ctx_of(proposal(), resolutions={r.id: r}), SIGNED)
    assert got == (False, _res_facts(r), "决议R-2024-01未涵盖用途parking-owner", fix_278(8, True))


# ---------------------------------------------------------------- ratios and tallies

@pytest.mark.parametrize(("num", "den", "text"), [
    ("2", "3", "2/3（66.66%）"),  # rounded down, never overstated
    ("1", "8", "1/8（12.50%）"),
    (D("400.00"), D("500.00"), "400.00/500.00（80.00%）"),
    (3, 3, "3/3（100.00%）"),
    (0, 3, "0/3（0.00%）"),
    ("1", "30000", "1/30000（0.00%）"),
    ("2", "0", "2/0"),
    ("abc", "3", "abc/3"),
    ("3", "x", "3/x"),
])
def test_ratio(num: Any, den: Any, text: str) -> None:
    assert engine._ratio(num, den) == text


KEYS = ("area_participating", "area_total", "heads_participating", "heads_total", "area_approving", "heads_approving")


def test_tally_reached_whole() -> None:
    assert engine.tally_reached(resolution(**TALLY)) == REACHED
    no_thresholds = {k: v for k, v in TALLY.items() if k != "thresholds"}
    assert engine.tally_reached(resolution(**no_thresholds)) == REACHED.replace("参与：2/3以上；同意：3/4以上", "")


@pytest.mark.parametrize("missing", KEYS)
def test_tally_reached_needs_every_count(missing: str) -> None:
    assert engine.tally_reached(resolution(**{k: v for k, v in TALLY.items() if k != missing})) == ""


# ---------------------------------------------------------------- notice

NOTICE_FIX = "签约前在小区公示栏和业主群公示至少7日（含首尾两日），公示期满后再签约"


def _notice(start: str | None, end: str | None, signed: str = "2024-04-20") -> Any:
    p = proposal("parking-nonowner", notice_start=start, notice_end=end, signed=signed)
    return engine._c_notice(cond("notice", min_days=7), ctx_of(p), p.signing_date)


def _nfacts(start: str, end: str, days: int, signed: dt.date = SIGNED) -> dict[str, Any]:
    return {"notice_start": dt.date.fromisoformat(start), "notice_end": dt.date.fromisoformat(end), "min_days": 7,
            "signed": signed, "days": days}


def test_notice_exactly_the_days_ending_the_day_before_signing() -> None:
    assert _notice("2024-04-13", "2024-04-19") == (True, _nfacts("2024-04-13", "2024-04-19", 7), "已于签约前公示7日", "")


def test_notice_longer_than_required_says_its_own_days() -> None:
    assert _notice("2024-04-01", "2024-04-15") == (True, _nfacts("2024-04-01", "2024-04-15", 15), "已于签约前公示15日", "")


def test_notice_one_day_short() -> None:
    assert _notice("2024-04-14", "2024-04-19") == (False, _nfacts("2024-04-14", "2024-04-19", 6),
                                                   "公示仅6日，少于7日", NOTICE_FIX)


def test_notice_ending_on_the_signing_day_has_not_run_its_course() -> None:
    assert _notice("2024-04-10", "2024-04-20") == (False, _nfacts("2024-04-10", "2024-04-20", 11),
                                                   "公示至2024-04-20，签约日2024-04-20时公示期尚未届满", NOTICE_FIX)


def test_no_notice() -> None:
    assert _notice(None, None) == (False, {"notice_start": None, "notice_end": None, "min_days": 7, "signed": SIGNED},
                                   "未进行签约前公示", NOTICE_FIX)
    # half a notice (only a model_copy can make one) is no notice either
    p = proposal("parking-nonowner").model_copy(update={"notice_end": None})
    assert engine._c_notice(cond("notice", min_days=7), ctx_of(p), SIGNED)[2] == "未进行签约前公示"
    p = proposal("parking-nonowner").model_copy(update={"notice_start": None})
    assert engine._c_notice(cond("notice", min_days=7), ctx_of(p), SIGNED)[2] == "未进行签约前公示"


# ---------------------------------------------------------------- max term

def _term(end: str, months: int = 6, start: str = "2024-05-01") -> Any:
    p = proposal("parking-nonowner", start=start, end=end)
    return engine._c_max_term(cond("max-term", months=months), ctx_of(p), SIGNED)


def test_max_term_exactly_and_one_day_over() -> None:
    facts = {"start": START, "end": END, "max_months": 6, "latest_end": END}
    assert _term("2024-10-31") == (True, facts, "期限在6个月以内", "")
    over = dt.date(2024, 11, 1)
    assert _term("2024-11-01") == (False, {**facts, "end": over}, "期限至2024-11-01，超过6个月（最晚2024-10-31）",
                                   "把终止日改为2024-10-31或更早；期满可重新公示、签约")
    assert _term("2025-05-14", 12, "2024-05-15")[0] is True
    assert _term("2025-05-15", 12, "2024-05-15")[0] is False


# ---------------------------------------------------------------- deposit

def _deposit(deposit: str, price: str = "150.00", **c: Any) -> Any:
    p = proposal("parking-nonowner", deposit=deposit, price=price)
    return engine._c_deposit(cond("deposit", **c), ctx_of(p), SIGNED)


def test_deposit_of_one_period() -> None:
    facts = {"deposit": D("150.00"), "price": D("150.00"), "min_amount": None, "min_periods": 1,
             "required": D("150.00")}
    assert _deposit("150.00", min_periods=1) == (True, facts, "押金150.00元，不低于150.00元", "")
    assert _deposit("149.99", min_periods=1) == (False, {**facts, "deposit": D("149.99")},
                                                 "押金149.99元，低于要求的150.00元", "约定不少于150.00元的押金")


def test_deposit_of_two_periods() -> None:
    assert _deposit("300.00", min_periods=2)[0] is True
    assert _deposit("299.99", min_periods=2)[1]["required"] == D("300.00")
    assert _deposit("299.99", min_periods=2)[0] is False


def test_deposit_the_larger_of_amount_and_periods() -> None:
    r = _deposit("500.00", min_amount=D("500"), min_periods=2)
    assert r == (True, {"deposit": D("500.00"), "price": D("150.00"), "min_amount": D("500"), "min_periods": 2,
                        "required": D("500")}, "押金500.00元，不低于500元", "")
    assert _deposit("499.99", min_amount=D("500"), min_periods=2)[0] is False
    r = _deposit("600.00", price="300.00", min_amount=D("500"), min_periods=2)
    assert r[0] is True and r[1]["required"] == D("600.00") and r[2] == "押金600.00元，不低于600.00元"
    assert _deposit("599.99", price="300.00", min_amount=D("500"), min_periods=2)[0] is False
    assert _deposit("100.00", min_amount=D("100"))[1]["required"] == D("100")
    assert _deposit("100.00", min_amount=D("100"))[0] is True


def test_a_zero_deposit_is_never_enough() -> None:
    assert _deposit("0", min_amount=D("0")) == (
        False, {"deposit": D("0.00"), "price": D("150.00"), "min_amount": D("0"), "min_periods": None,
                "required": D("0")}, "押金0.00元，低于要求的0元", "约定不少于0元的押金")
    assert _deposit("0.01", min_amount=D("0"))[0] is True
    assert _deposit("0", price="0", min_periods=1)[0] is False


# ---------------------------------------------------------------- manager share (the guidance condition)

SHARE_FIX = "在合同中书面约定物业公司经营成本分成比例，不超过0.3（0 表示不分成）"


@pytest.mark.parametrize(("share", "expected"), [
    ("0.3", (True, {"manager_share": D("0.3"), "max": D("0.3")}, "物业成本分成0.3，未超过上限0.3", "")),
    ("0", (True, {"manager_share": D("0"), "max": D("0.3")}, "物业成本分成0，未超过上限0.3", "")),
    ("0.3001", (False, {"manager_share": D("0.3001"), "max": D("0.3")}, "物业成本分成0.3001超过上限0.3", SHARE_FIX)),
    (None, (False, {"manager_share": None, "max": D("0.3")}, "未书面约定物业公司的经营成本分成", SHARE_FIX)),
])
def test_manager_share_condition(share: str | None, expected: Any) -> None:
    p = proposal("advertising-lift", manager_share=share)
    assert engine._c_manager_share(cond("manager-share", max=D("0.3")), ctx_of(p), SIGNED) == expected


# ---------------------------------------------------------------- consents

def _consents(p: Proposal, consents: Consents, *, minimum: int | None = None, roster: Roster = ROSTER,
              unit_entries: tuple[Any, ...] = UNIT_ENTRIES) -> Any:
    c = cond("consents") if minimum is None else cond("consents", min=minimum)
    return engine._c_consents(c, ctx_of(p, consents=consents, roster=roster, unit_entries=unit_entries), p.signing_date)


def site(**over: Any) -> Proposal:
    over.setdefault("affected", [])
    over.setdefault("consents", [])
    return proposal("base-station", **over)


def _cfacts(**over: Any) -> dict[str, Any]:
    f: dict[str, Any] = {"signed": SIGNED, "affected_units": ["1-101"], "affected_owners": ["OWN-0001"],
                         "consents_in_ledger": {"OWN-0001": ["S-01 2024-03-10 registry.beancount:31"]},
                         "min": 1, "missing": [], "missing_units": []}
    f.update(over)
    return f


def test_consents_met() -> None:
    assert _consents(site(), CONSENTS) == (True, _cfacts(), "直接受影响的1户业主均已书面同意（账本记录）", "")


def test_consents_more_than_the_owners_affected() -> None:
    assert _consents(site(), CONSENTS, minimum=2) == (False, _cfacts(min=2), "直接利害关系业主同意1户，少于2户",
                                                      CONSENT_FIX)


def test_consents_count_only_affected_owners() -> None:
    # OWN-0002 consented too, but no unit of theirs is affected: two consents, one that counts
    c = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))]},
                    [consent("S-01", "OWN-0001", dt.date(2024, 3, 10), line=31),
                     consent("S-01", "OWN-0002", dt.date(2024, 3, 9), line=35)])
    got = _consents(site(), c, minimum=2)
    assert got == (
        False, _cfacts(min=2, consents_in_ledger={"OWN-0001": ["S-01 2024-03-10 registry.beancount:31"],
                                                  "OWN-0002": ["S-01 2024-03-09 registry.beancount:35"]}),
        "直接利害关系业主同意1户，少于2户", CONSENT_FIX)
    assert list(got[1]["consents_in_ledger"]) == ["OWN-0001", "OWN-0002"]  # sorted, not in the order given


def test_consents_an_empty_list_of_units_still_needs_one() -> None:
    c = consents_of({"S-01": [(dt.date(2024, 3, 1), ())]}, [])
    assert _consents(site(), c) == (False, _cfacts(affected_units=[], affected_owners=[], consents_in_ledger={}),
                                    "直接利害关系业主同意0户，少于1户", CONSENT_FIX)


def test_consents_an_owner_without_consent_by_unit() -> None:
    c = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",)), (SIGNED, ("1-101", "1-201", "1-102", "9-999"))]},
                    [consent("S-01", "OWN-0001", dt.date(2024, 3, 10), line=31)])
    assert _consents(site(), c) == (
        False, _cfacts(affected_units=["1-101", "1-102", "1-201", "9-999"], affected_owners=["OWN-0001", "OWN-0002"],
                       missing=["OWN-0002"], missing_units=["1-201", "1-102"]),
        "受影响业主中有1户在签约日2024-04-20没有有效的书面同意（房号1-201,1-102）", CONSENT_FIX)


def test_consents_a_list_recorded_the_day_after_signing_does_not_count() -> None:
    c = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",)), (dt.date(2024, 4, 21), ("1-101", "1-102"))]},
                    [consent("S-01", "OWN-0001", dt.date(2024, 3, 10), line=31)])
    assert _consents(site(), c)[0] is True


def test_consents_an_affected_owner_named_only_by_the_proposal() -> None:
    got = _consents(site(affected=["OWN-0009"]), CONSENTS)
    assert got == (False, _cfacts(affected_owners=["OWN-0001", "OWN-0009"], missing=["OWN-0009"]),
                   "受影响业主中有1户在签约日2024-04-20没有有效的书面同意", CONSENT_FIX)


def test_consents_several_assets_name_the_asset_of_each_missing_owner() -> None:
    c = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))], "AD-004": [(dt.date(2024, 3, 1), ("1-102",))]},
                    [consent("S-01", "OWN-0001", dt.date(2024, 3, 10), line=31)])
    got = _consents(site(assets=["S-01", "AD-004"]), c)
    assert got == (False, _cfacts(affected_units=["1-101", "1-102"], affected_owners=["OWN-0001", "OWN-0002"],
                                  missing=["OWN-0002（AD-004）"], missing_units=["1-102"]),
                   "受影响业主中有1户在签约日2024-04-20没有有效的书面同意（房号1-102）", CONSENT_FIX)
    both = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))], "AD-004": [(dt.date(2024, 3, 1), ("1-101",))]},
                       [consent("S-01", "OWN-0001", dt.date(2024, 3, 10), line=31),
                        consent("AD-004", "OWN-0001", dt.date(2024, 3, 11), line=32)])
    got = _consents(site(assets=["S-01", "AD-004"]), both)
    assert got == (True, _cfacts(consents_in_ledger={"OWN-0001": ["S-01 2024-03-10 registry.beancount:31",
                                                                  "AD-004 2024-03-11 registry.beancount:32"]}),
                   "直接受影响的1户业主均已书面同意（账本记录）", "")


def test_consents_assets_without_a_list_of_units() -> None:
    got = _consents(site(assets=["LK-01", "S-01", "V-01"]), CONSENTS)
    assert got == (False, _cfacts(), "资产LK-01,V-01未记录直接受影响的房号，无法确定利害关系业主", CONSENT_FIX)
    c = consents_of({"S-01": [(dt.date(2024, 4, 21), ("1-101",))]}, [])
    got = _consents(site(), c)
    assert got == (False, _cfacts(affected_units=[], affected_owners=[], consents_in_ledger={}),
                   "资产S-01未记录直接受影响的房号，无法确定利害关系业主", CONSENT_FIX)


def test_consents_claimed_by_the_proposal_must_be_in_the_ledger() -> None:
    got = _consents(site(consents=["OWN-0001", "OWN-0002", "NOBODY-9"]), CONSENTS)
    assert got == (False, _cfacts(consents_claimed=["OWN-0001", "OWN-0002", "NOBODY-9"],
                                  consents_claimed_not_in_ledger=["NOBODY-9", "OWN-0002"]),
                   "提案所列的同意业主中有2户在账本中没有签约日有效的同意记录（不在名册上、未记录或已撤回）", CONSENT_FIX)
    got = _consents(site(consents=["OWN-0001"]), CONSENTS)
    assert got == (True, _cfacts(consents_claimed=["OWN-0001"]), "直接受影响的1户业主均已书面同意（账本记录）", "")


def test_consents_withdrawn_or_given_after_signing() -> None:
    on_day = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))]},
                         [consent("S-01", "OWN-0001", dt.date(2024, 3, 10), line=31),
                          consent("S-01", "OWN-0001", SIGNED, "withdrawn", line=33)])
    assert _consents(site(), on_day)[:3] == (
        False, _cfacts(consents_in_ledger={}, missing=["OWN-0001"], missing_units=["1-101"]),
        "受影响业主中有1户在签约日2024-04-20没有有效的书面同意（房号1-101）")
    after = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))]},
                        [consent("S-01", "OWN-0001", dt.date(2024, 3, 10), line=31),
                         consent("S-01", "OWN-0001", dt.date(2024, 4, 21), "withdrawn", line=33)])
    assert _consents(site(), after)[0] is True
    late = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))]},
                       [consent("S-01", "OWN-0001", dt.date(2024, 4, 21), line=31)])
    assert _consents(site(), late)[0] is False
    on_signing = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))]},
                             [consent("S-01", "OWN-0001", SIGNED, line=31)])
    assert _consents(site(), on_signing)[1]["consents_in_ledger"] == {
        "OWN-0001": ["S-01 2024-04-20 registry.beancount:31"]}


def test_consents_from_someone_not_an_owner_on_the_day_given() -> None:
    # OWN-0005 bought 1-101 on 2024-04-01 but signed a consent on 2024-03-15, before owning it
    entries = (*UNIT_ENTRIES, unit_entry("1-101", "OWN-0005", dt.date(2024, 4, 1)))
    roster = Roster({**ROSTER.units, "1-101": unit("1-101", "OWN-0005", dt.date(2024, 4, 1))})
    c = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))]},
                    [consent("S-01", "OWN-0005", dt.date(2024, 3, 15), line=34)])
    got = _consents(site(), c, roster=roster, unit_entries=entries)
    assert got == (False, _cfacts(affected_owners=["OWN-0005"], consents_in_ledger={}, missing=["OWN-0005"],
                                  missing_units=["1-101"], consents_not_from_roster=["OWN-0005"]),
                   "受影响业主中有1户在签约日2024-04-20没有有效的书面同意（房号1-101）", CONSENT_FIX)
    # given on the very day the roster entry names them: an owner that day
    c = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))]},
                    [consent("S-01", "OWN-0005", dt.date(2024, 4, 1), line=34)])
    got = _consents(site(), c, roster=roster, unit_entries=entries)
    assert got == (True, _cfacts(affected_owners=["OWN-0005"],
                                 consents_in_ledger={"OWN-0005": ["S-01 2024-04-01 registry.beancount:34"]}),
                   "直接受影响的1户业主均已书面同意（账本记录）", "")


# ---------------------------------------------------------------- owners first

def _wait(events: list[WaitEvent], declared: int | None = 0) -> Any:
    p = proposal("parking-nonowner", owners_waiting=declared)
    return engine._c_owners_first(cond("owners-first"), ctx_of(p, waitlist=WaitList(events)), SIGNED)


def _w(owner: str, date: dt.date, action: str = "joined") -> WaitEvent:
    return WaitEvent(owner, action, date, "", "", "units.beancount:9")


def test_owners_first_met() -> None:
    assert _wait([]) == (True, {"signed": SIGNED, "waiting_in_ledger": [], "owners_waiting_declared": 0},
                         "签约日2024-04-20车位排队名单上没有业主", "")
    assert _wait([], None)[:2] == (True, {"signed": SIGNED, "waiting_in_ledger": [], "owners_waiting_declared": None})
    assert _wait([_w("OWN-0002", dt.date(2024, 4, 21))])[0] is True
    assert _wait([_w("OWN-0404", dt.date(2024, 4, 1))])[0] is True  # no unit on the roster


def test_owners_first_the_ledger_list() -> None:
    got = _wait([_w("OWN-0002", dt.date(2024, 4, 2)), _w("OWN-0001", SIGNED)], 5)
    assert got == (False, {"signed": SIGNED, "waiting_in_ledger": ["OWN-0002", "OWN-0001"], "owners_waiting_declared": 5},
                   "签约日2024-04-20车位排队名单上仍有2名业主在等候车位", WAIT_FIX)


def test_owners_first_a_declared_number() -> None:
    assert _wait([], 1) == (False, {"signed": SIGNED, "waiting_in_ledger": [], "owners_waiting_declared": 1},
                            "提案申报仍有1名业主在等候车位", WAIT_FIX)


# ---------------------------------------------------------------- counterparty kind

def _kind(c: Condition, owner_keys: set[str] | None = None, **over: Any) -> Any:
    p = proposal(**over)
    return engine._c_counterparty(c, ctx_of(p, owner_keys=owner_keys), SIGNED)


def test_counterparty_owner_on_the_roster() -> None:
    assert _kind(cond("counterparty-kind", kinds=["owner"])) == (
        True, {"counterparty": "OWN-0001", "counterparty_kind": "owner", "kinds": ["owner"], "in_roster": True},
        "相对方类型owner符合要求", "")


def test_counterparty_owner_not_on_the_roster() -> None:
    assert _kind(cond("counterparty-kind", kinds=["owner"]), {"OWN-0002"}) == (
        False, {"counterparty": "OWN-0001", "counterparty_kind": "owner", "kinds": ["owner"], "in_roster": False},
        "OWN-0001不是名册中的业主编号", "核对业主编号（`assetreg unit list`），或把相对方类型改为 non-owner")


def test_counterparty_of_another_kind() -> None:
    c = cond("counterparty-kind", kinds=["organisation", "non-owner"])
    assert _kind(c) == (False, {"counterparty": "OWN-0001", "counterparty_kind": "owner",
                                "kinds": ["organisation", "non-owner"]},
                        "相对方类型为owner，本用途只限organisation/non-owner", KIND_FIX)
    assert _kind(c, counterparty="某公司", counterparty_kind="organisation") == (
        True, {"counterparty": "某公司", "counterparty_kind": "organisation", "kinds": ["organisation", "non-owner"]},
        "相对方类型organisation符合要求", "")
    # a non-owner is not looked up in the roster
    assert _kind(c, set(), counterparty="VIS-0001", counterparty_kind="non-owner")[0] is True


def test_counterparty_condition_without_kinds_admits_none() -> None:
    c = Condition.model_construct(kind="counterparty-kind", kinds=None, when=None, title=None, source=None, id=None)
    assert _kind(c) == (False, {"counterparty": "OWN-0001", "counterparty_kind": "owner", "kinds": []},
                        "相对方类型为owner，本用途只限", KIND_FIX)


# ---------------------------------------------------------------- asset confirmed

def test_confirmed_on_the_start_day() -> None:
    p = proposal(start="2024-05-01")
    a = make_asset("P-001", confirmed=dt.date(2024, 5, 1))
    assert engine._confirmed(ctx_of(p, assets=[a])) == RuleResult(
        "A-ASSET-CONFIRMED", "general", "met", "资产须在合同起始日已确权",
        {"start": START, "status_on_start": {"P-001": "confirmed"}}, "全部资产在起始日已确权", "", GENERAL_SOURCE)


def test_not_confirmed_on_the_start_day() -> None:
    p = proposal(assets=["P-001", "P-002", "P-003", "P-004"], signed="2024-04-20")
    later = make_asset("P-001", confirmed=dt.date(2024, 5, 2))
    fine = make_asset("P-002")
    disputed = make_asset("P-003", until=START)  # the span ends the day it is disputed
    unknown = make_asset("P-004", registered=dt.date(2024, 6, 1), confirmed=None)
    assert engine._confirmed(ctx_of(p, assets=[later, fine, disputed, unknown])) == RuleResult(
        "A-ASSET-CONFIRMED", "general", "unmet", "资产须在合同起始日已确权",
        {"start": START, "status_on_start": {"P-001": "registered", "P-002": "confirmed", "P-003": "disputed",
                                             "P-004": "not-registered"}},
        "资产P-001,P-003,P-004在起始日2024-05-01未确权", CONFIRM_FIX, GENERAL_SOURCE)


# ---------------------------------------------------------------- overlapping contracts

def contract(cid: str, assets: str, use: str, start: str, end: str, ended: dt.date | None = None) -> Contract:
    return Contract(cid, dt.date(2024, 1, 1), {"assets": assets, "use": use, "start": dt.date.fromisoformat(start),
                                              "end": dt.date.fromisoformat(end)}, {}, "contracts.beancount:3",
                    ended=ended)


SHARED_POLICY = policy_set([], [guidance("vending", exclusive=False, rid="G-VEND"),
                                guidance("ev-charger", exclusive=False, rid="G-EV"),
                                guidance("parking-owner", rid="G-PARK")])


def test_exclusive() -> None:
    assert engine._exclusive(SHARED_POLICY, "vending") is False
    assert engine._exclusive(SHARED_POLICY, "parking-owner") is True
    assert engine._exclusive(SHARED_POLICY, "storage") is True


def _overlap(p: Proposal, *others: Contract, policy: PolicySet = SHARED_POLICY) -> RuleResult:
    return engine._overlap(ctx_of(p, contracts={c.id: c for c in others}, policy=policy))


def test_overlap_on_the_first_and_last_day() -> None:
    p = proposal(assets=["P-001", "P-002"])
    before = contract("C-2023-001", "P-002,P-001", "parking-owner", "2024-01-01", "2024-05-01")
    after = contract("C-2025-001", "P-001", "vending", "2024-10-31", "2025-06-30")
    assert _overlap(p, before, after) == RuleResult(
        "A-NO-OVERLAP", "general", "unmet", OVERLAP_TITLE,
        {"exclusive": True, "start": START, "end": END, "overlapping": [
            {"contract": "C-2023-001", "assets": ["P-001", "P-002"], "use": "parking-owner",
             "start": dt.date(2024, 1, 1), "end": dt.date(2024, 5, 1)},
            {"contract": "C-2025-001", "assets": ["P-001"], "use": "vending",
             "start": dt.date(2024, 10, 31), "end": dt.date(2025, 6, 30)}]},
        "资产P-001,P-002在2024-01-01至2024-05-01已由合同C-2023-001占用", OVERLAP_FIX, OVERLAP_SOURCE)


def test_no_overlap_the_day_before_and_after() -> None:
    p = proposal(assets=["P-001"])
    others = (contract("C-2023-001", "P-001", "parking-owner", "2024-01-01", "2024-04-30"),
              contract("C-2025-001", "P-001", "parking-owner", "2024-11-01", "2025-06-30"),
              contract("C-2024-050", "P-002", "parking-owner", "2024-05-01", "2024-10-31"),
              contract("C-2024-100", "P-001", "parking-owner", "2024-05-01", "2024-10-31"),  # itself
              contract("C-2024-060", "P-001", "parking-owner", "2024-01-01", "2024-12-31",
                       ended=dt.date(2024, 5, 1)))  # ended early: last day 2024-04-30
    assert _overlap(p, *others) == RuleResult(
        "A-NO-OVERLAP", "general", "met", OVERLAP_TITLE, {"exclusive": True, "start": START, "end": END,
                                                          "overlapping": []},
        "期间内没有冲突的合同", "", OVERLAP_SOURCE)


def test_overlap_when_either_use_is_exclusive() -> None:
    shared = proposal("vending", assets=["P-001"])
    with_shared = contract("C-2024-001", "P-001", "ev-charger", "2024-01-01", "2024-12-31")
    assert _overlap(shared, with_shared).verdict == "met"
    assert _overlap(shared, with_shared).facts["exclusive"] is False
    with_exclusive = contract("C-2024-002", "P-001", "parking-owner", "2024-01-01", "2024-12-31")
    assert _overlap(shared, with_exclusive).verdict == "unmet"
    with_unlisted = contract("C-2024-003", "P-001", "storage", "2024-01-01", "2024-12-31")
    assert _overlap(shared, with_unlisted).verdict == "unmet"
    assert _overlap(proposal(assets=["P-001"]), with_shared).verdict == "unmet"


# ---------------------------------------------------------------- the cost-share cap (Art. 282)

@pytest.mark.parametrize(("x", "text"), [(D("0.3"), "30%"), (D("0.30"), "30%"), (D("1"), "100%"), (D("0"), "0%"),
                                         (D("0.3001"), "30.01%"), (D("0.005"), "0.5%"), (D("0.25"), "25%")])
def test_pct(x: Decimal, text: str) -> None:
    assert engine._pct(x) == text


@pytest.mark.parametrize(("share", "cap", "verdict", "message", "fix"), [
    ("0.30", "0.3", "met", "物业成本分成30%，未超过本小区上限30%", ""),
    ("0", "0.3", "met", "物业成本分成0%，未超过本小区上限30%", ""),
    ("0.3001", "0.3", "unmet", "合同约定物业成本分成30.01%，超过本小区上限30%（第二百八十二条：扣除合理成本后的收入归业主共有）",
     "把 manager_share 降到0.3（30%）以内；上限由业主大会决定，记在本小区设置 manager-share-max 中"),
    ("0.0001", "0", "unmet", "合同约定物业成本分成0.01%，超过本小区上限0%（第二百八十二条：扣除合理成本后的收入归业主共有）",
     "把 manager_share 降到0（0%）以内；上限由业主大会决定，记在本小区设置 manager-share-max 中"),
    (None, "0.3", "not-applicable", "合同未约定物业成本分成", ""),
])
def test_share_cap_rule(share: str | None, cap: str, verdict: str, message: str, fix: str) -> None:
    p = proposal("vending", manager_share=share)
    assert engine._share_cap(ctx_of(p, cap=D(cap))) == RuleResult(
        "A-MANAGER-SHARE-CAP", "general", verdict, CAP_TITLE,
        {"manager_share": None if share is None else D(share), "manager_share_max": D(cap)}, message, fix, CAP_SOURCE)


def _loaded(*entries: Any) -> Loaded:
    return Loaded(list(entries), [], {}, options_from_entries(entries))


def _cap(value: str, day: dt.date = dt.date(2020, 1, 1)) -> Any:
    return custom(day, "assetreg-option", ["manager-share-max", value])


@pytest.mark.parametrize(("text", "cap"), [("0", D("0")), ("1", D("1")), ("0.25", D("0.25")), ("1.0000", D("1"))])
def test_share_cap_setting(text: str, cap: Decimal) -> None:
    assert engine.share_cap(_loaded(_cap(text)), SIGNED) == cap


def test_share_cap_default_and_as_of_the_day() -> None:
    assert engine.share_cap(_loaded(), SIGNED) == D("0.3")
    loaded = _loaded(_cap("0.2", SIGNED))
    assert engine.share_cap(loaded, SIGNED) == D("0.2")
    assert engine.share_cap(loaded, dt.date(2024, 4, 19)) == D("0.3")
    assert engine.share_cap(_loaded(_cap("0.2", dt.date(2000, 1, 1)))) == D("0.2")  # default: today


@pytest.mark.parametrize("text", ["30%", "", "1.0001", "-0.0001", "Infinity", "-1"])
def test_share_cap_setting_not_a_share(text: str) -> None:
    with pytest.raises(BadInput) as err:
        engine.share_cap(_loaded(_cap(text)), SIGNED)
    assert err.value.problem == f"the compound's setting manager-share-max is {text!r}, not a share from 0 to 1"
    assert err.value.fix == ('set it in accounts.beancount, e.g. 2020-01-01 custom "assetreg-option" '
                             '"manager-share-max" "0.3"')


@pytest.mark.parametrize("text", ["NaN", "sNaN"])
def test_share_cap_nan_is_bad_input(text: str) -> None:
    with pytest.raises(BadInput) as err:
        engine.share_cap(_loaded(_cap(text)), SIGNED)
    assert err.value.problem == f"the compound's setting manager-share-max is {text!r}, not a share from 0 to 1"


# ---------------------------------------------------------------- context from the ledger entries

def _asset_entries(aid: str, zones: str = "road") -> list[Any]:
    return [custom(dt.date(2024, 1, 2), "asset", [aid, "registered"], kind="parking", zones=zones, reason="登记"),
            custom(dt.date(2024, 1, 5), "asset", [aid, "noticed"], days=15, reason="公示"),
            custom(dt.date(2024, 1, 20), "asset", [aid, "confirmed"], evidence="documents/P-001.pdf", reason="确权")]


def _ledger(*extra: Any) -> Loaded:
    return _loaded(
        *_asset_entries("P-001"), *_asset_entries("P-002"),
        unit_entry("1-101", "OWN-0001", dt.date(2020, 1, 1)), unit_entry("1-102", "OWN-0002", dt.date(2020, 1, 1)),
        unit_entry("1-201", "OWN-0003", SIGNED), unit_entry("1-202", "OWN-0004", dt.date(2024, 4, 21)),
        custom(dt.date(2024, 3, 1), "resolution", ["R-2024-01"], matter=8, passed=True, title="决议",
               assets="P-*", uses="parking-owner,parking-nonowner"),
        custom(dt.date(2024, 3, 1), "affected", ["P-002"], units="1-101", reason="测试"),
        custom(dt.date(2024, 3, 10), "consent", ["P-002", "OWN-0001", "given"], evidence="documents/P-001.pdf"),
        custom(dt.date(2024, 4, 1), "waitlist", ["OWN-0002", "joined"]),
        *extra)


def test_context_reads_the_ledger_as_of_the_signing_day() -> None:
    loaded = _ledger(_cap("0.2", SIGNED), _cap("0.1", dt.date(2024, 4, 21)))
    p = proposal(assets=["P-002", "P-001"])
    c = engine.context(p, loaded, DEFAULT)
    assert [a.id for a in c.assets] == ["P-002", "P-001"] and c.proposal is p and c.policy is DEFAULT
    assert list(c.resolutions) == ["R-2024-01"] and c.contracts == {}
    assert c.owner_keys == {"OWN-0001", "OWN-0002", "OWN-0003"}  # OWN-0004 (unit 1-202) came the day after
    assert sorted(c.roster_signed.units) == ["1-101", "1-102", "1-201"]  # a unit entered the day after: not yet
    assert [e.values[0].value for e in c.unit_entries] == ["1-101", "1-102", "1-201", "1-202"]
    assert c.share_cap == D("0.2")
    assert c.consents.affected_units("P-002", SIGNED) == ("1-101",)
    assert [ev.owner for ev in c.waitlist.events] == ["OWN-0002"]
    assert c.facts["residential_use"] is False and c.housing == ()
    d = engine.decide(p, loaded, DEFAULT)
    assert d.policy_hash == policy_hash(DEFAULT) and d.policy_set == "huaian-qingjiangpu"
    assert d.verdict == "not-permitted" and d.rule_ids == ["A-MANAGER-SHARE-CAP"]  # 0.30 over the compound's 0.2
    assert engine.decide(proposal(assets=["P-002", "P-001"], manager_share="0.2"), loaded, DEFAULT).permitted


def test_context_unknown_asset() -> None:
    with pytest.raises(BadInput) as err:
        engine.context(proposal(assets=["P-001", "P-404"]), _ledger(), DEFAULT)
    assert err.value.problem == "C-2024-100: field assets: unknown asset P-404"
    assert err.value.fix == "check the id against `assetreg asset list`, or register it first"


def test_context_defaults() -> None:
    p = proposal()
    c = Context(p, [ASSETS["P-001"]], {}, {}, set(), DEFAULT)
    assert c.facts == {} and c.housing == () and c.share_cap == D("0.3")
    assert c.consents == Consents() and c.waitlist == WaitList() and c.roster_signed == Roster({})
    assert c.unit_entries == ()


def test_roster_on_a_day() -> None:
    c = ctx_of(proposal(), roster=Roster({}),
               unit_entries=(unit_entry("1-101", "OWN-0001", dt.date(2024, 1, 1)),
                             unit_entry("1-101", "OWN-0007", dt.date(2024, 3, 1))))
    assert c.roster_on(SIGNED) is c.roster_signed
    assert c.roster_on(dt.date(2024, 3, 1)).units["1-101"].owner == "OWN-0007"
    assert c.roster_on(dt.date(2024, 2, 29)).units["1-101"].owner == "OWN-0001"
    assert c.roster_on(dt.date(2023, 12, 31)).units == {}


def test_an_owner_counterparty_is_judged_on_the_roster_of_the_signing_day() -> None:
    loaded = _ledger(unit_entry("1-101", "OWN-0009", dt.date(2024, 6, 1)))  # OWN-0001 sold after signing
    d = engine.decide(proposal(assets=["P-001"]), loaded, DEFAULT)
    assert rule_result(d, "G-PARKING-OWNER.COUNTERPARTY-KIND").verdict == "met"


# ---------------------------------------------------------------- the decision

TINY = policy_set([neg("N-FIRE"), neg("N-HAZ", when=[{"facts": {"hazardous": True}}], to="2024-04-20", version=1)],
                  [guidance("vending", [{"kind": "max-term", "months": 6}], to="2024-04-20")])


def test_decide_in_permitted_whole() -> None:
    p = proposal("vending", manager_share=None)
    d = decide_in(ctx_of(p, policy=TINY), "sha256:given")
    asset_zones = {"asset_zones": {"V-01": "open-space"}}
    assert d.rules == [
        RuleResult("N-FIRE", "negative", "clear", "测试负面规则", asset_zones, "不涉及：测试负面规则", "",
                   "测试依据第一条", 2),
        RuleResult("N-HAZ", "negative", "clear", "测试负面规则", {"hazardous": False}, "不涉及：测试负面规则", "",
                   "测试依据第一条", 1),
        RuleResult("G-TEST", "guidance", "listed", "测试指导规则", {"use": "vending"}, "测试用途可以经营", "",
                   "测试指导依据", 4),
        RuleResult("G-TEST.MAX-TERM", "condition", "met", "测试指导规则：最长期限",
                   {"start": START, "end": END, "max_months": 6, "latest_end": END}, "期限在6个月以内", "",
                   "测试指导依据", 4),
        RuleResult("A-ASSET-CONFIRMED", "general", "met", "资产须在合同起始日已确权",
                   {"start": START, "status_on_start": {"V-01": "confirmed"}}, "全部资产在起始日已确权", "",
                   GENERAL_SOURCE),
        RuleResult("A-NO-OVERLAP", "general", "met", OVERLAP_TITLE,
                   {"exclusive": True, "start": START, "end": END, "overlapping": []}, "期间内没有冲突的合同", "",
                   OVERLAP_SOURCE),
        RuleResult("A-MANAGER-SHARE-CAP", "general", "not-applicable", CAP_TITLE,
                   {"manager_share": None, "manager_share_max": D("0.3")}, "合同未约定物业成本分成", "", CAP_SOURCE),
    ]
    assert (d.verdict, d.policy_set, d.policy_hash, d.proposal) == ("permitted", "test-set", "sha256:given", p)
    assert d.rule_ids == ["N-FIRE", "N-HAZ", "G-TEST", "A-ASSET-CONFIRMED", "A-NO-OVERLAP"]
    assert d.sources == f"测试指导依据；{GENERAL_SOURCE}；{OVERLAP_SOURCE}"
    assert decide_in(ctx_of(p, policy=TINY)).policy_hash == policy_hash(TINY)


def test_decide_in_forbidden_on_the_last_day_of_a_rule() -> None:
    p = proposal("vending", facts={"hazardous": True}, end="2024-11-01")
    d = decide_in(ctx_of(p, policy=TINY), "sha256:h")
    assert d.verdict == "forbidden" and d.rule_ids == ["N-HAZ"] and d.reasons == "命中测试负面规则"
    assert rule_result(d, "N-HAZ") == RuleResult(
        "N-HAZ", "negative", "forbidden", "测试负面规则", {"hazardous": True, "matched_assets": ["V-01"]},
        "命中测试负面规则", "改正它", "测试依据第一条", 1)
    assert rule_result(d, "G-TEST.MAX-TERM").verdict == "unmet"  # forbid overrides the unmet condition too
    later = decide_in(ctx_of(proposal("vending", facts={"hazardous": True}, signed="2024-04-21"), policy=TINY), "h")
    assert later.verdict == "not-permitted" and rule_result(later, "N-HAZ").verdict == "not-in-effect"


def test_decide_in_guidance_not_in_effect_the_day_after_it_ends() -> None:
    p = proposal("vending", signed="2024-04-21")
    d = decide_in(ctx_of(p, policy=TINY), "h")
    assert d.verdict == "not-permitted" and d.rule_ids == ["DEFAULT-DENY"]
    assert rule_result(d, "DEFAULT-DENY") == RuleResult(
        "DEFAULT-DENY", "default", "unlisted", "清单外用途默认不予许可", {"use": "vending", "signed": dt.date(2024, 4, 21)},
        f"用途vending（{USES['vending']}）的指导规则G-TEST在签约日不适用，不予许可", DENY_FIX, DEFAULT_SOURCE)
    assert [r.id for r in d.rules] == ["N-FIRE", "N-HAZ", "DEFAULT-DENY", "A-ASSET-CONFIRMED", "A-NO-OVERLAP",
                                       "A-MANAGER-SHARE-CAP"]
    early = policy_set([], [guidance("vending", frm="2024-04-20")])
    assert decide_in(ctx_of(proposal("vending"), policy=early), "h").verdict == "permitted"
    assert decide_in(ctx_of(proposal("vending", signed="2024-04-19"), policy=early), "h").rule_ids == ["DEFAULT-DENY"]


def test_decide_in_evaluates_every_condition_in_order() -> None:
    p = proposal("parking-nonowner", owners_waiting=2, deposit="149.99")
    d = decide_in(ctx_of(p), "h")
    assert [(r.id, r.verdict) for r in d.rules] == [
        *[(r.id, "clear") for r in DEFAULT.negative], ("G-PARKING-NONOWNER", "listed"),
        ("G-PARKING-NONOWNER.RESOLUTION", "met"), ("G-PARKING-NONOWNER.OWNERS-FIRST", "unmet"),
        ("G-PARKING-NONOWNER.MAX-TERM", "met"), ("G-PARKING-NONOWNER.DEPOSIT", "unmet"),
        ("G-PARKING-NONOWNER.NOTICE", "met"), ("G-PARKING-NONOWNER.COUNTERPARTY-KIND", "met"),
        ("A-ASSET-CONFIRMED", "met"), ("A-NO-OVERLAP", "met"), ("A-MANAGER-SHARE-CAP", "met")]
    assert d.rule_ids == ["G-PARKING-NONOWNER.OWNERS-FIRST", "G-PARKING-NONOWNER.DEPOSIT"]
    assert d.reasons == "提案申报仍有2名业主在等候车位；押金149.99元，低于要求的150.00元"
    assert d.sources == "《民法典》第二百七十六条；" + DEFAULT.guidance_for("parking-nonowner").source  # type: ignore[union-attr]


@pytest.mark.parametrize(("use", "label"), [("storage", USES["storage"]), ("made-up-use", "未知用途")])
def test_decide_in_unlisted_use(use: str, label: str) -> None:
    d = decide_in(ctx_of(proposal(use), policy=TINY), "h")
    assert d.verdict == "not-permitted"
    assert rule_result(d, "DEFAULT-DENY") == RuleResult(
        "DEFAULT-DENY", "default", "unlisted", "清单外用途默认不予许可", {"use": use, "signed": SIGNED},
        f"用途{use}（{label}）不在指导清单中，不予许可", DENY_FIX, DEFAULT_SOURCE)
    assert d.reasons == f"用途{use}（{label}）不在指导清单中，不予许可" and d.sources == DEFAULT_SOURCE


def test_decide_in_a_general_check_alone_refuses() -> None:
    d = decide_in(ctx_of(proposal("vending", manager_share="0.3001"), policy=TINY), "h")
    assert d.verdict == "not-permitted" and d.rule_ids == ["A-MANAGER-SHARE-CAP"] and d.sources == CAP_SOURCE
    d = decide_in(ctx_of(proposal("vending", assets=["P-011"]), policy=TINY), "h")
    assert d.verdict == "not-permitted" and d.rule_ids == ["A-ASSET-CONFIRMED"]
    assert d.reasons == "资产P-011在起始日2024-05-01未确权"


# ---------------------------------------------------------------- properties over the district set

PROPOSALS = st.fixed_dictionaries({
    "use": st.sampled_from(sorted(USES)),
    "assets": st.lists(st.sampled_from(sorted(ASSETS)), min_size=1, max_size=3, unique=True),
    "facts": st.fixed_dictionaries({k: st.booleans() for k in PROPOSAL_FACTS}),
    "deposit": st.sampled_from(["0", "150.00", "1000.00"]),
    "manager_share": st.sampled_from([None, "0", "0.3", "0.3001"]),
    "resolution": st.sampled_from(["R-2024-01", None]),
    "end": st.sampled_from(["2024-10-31", "2024-11-01", "2026-12-31"]),
    "owners_waiting": st.sampled_from([0, 1]),
})


@settings(max_examples=120, deadline=None)
@given(PROPOSALS)
def test_forbid_overrides_permit_and_the_deciding_rules_are_exact(kw: dict[str, Any]) -> None:
    p = Proposal.from_mapping(mapping(**kw), "prop")
    d = decide_in(ctx_of(p), "sha256:x")
    negatives = [r for r in d.rules if r.kind == "negative"]
    assert [r.id for r in negatives] == [r.id for r in DEFAULT.negative]
    hit = [r for r in negatives if r.verdict == "forbidden"]
    decisive = [r for r in d.rules if r.verdict in ("forbidden", "unlisted", "unmet")]
    if hit:
        assert d.verdict == "forbidden"
        assert d.rule_ids == [r.id for r in hit]
        assert d.reasons == "；".join(dict.fromkeys(r.message for r in hit))
        assert all(r.facts["matched_assets"] and set(r.facts["matched_assets"]) <= set(p.assets) for r in hit)
    elif decisive:
        assert d.verdict == "not-permitted"
        assert d.rule_ids == list(dict.fromkeys(r.id for r in decisive))
        assert d.reasons == "；".join(dict.fromkeys(r.message for r in decisive))
    else:
        assert d.verdict == "permitted" and d.reasons == "符合负面清单与指导清单的全部条件"
    assert (d.verdict == "forbidden") == any(r.verdict == "forbidden" for r in d.rules)
    assert [r.id for r in d.rules][-3:] == ["A-ASSET-CONFIRMED", "A-NO-OVERLAP", "A-MANAGER-SHARE-CAP"]
    if "P-009" in p.assets or "P-010" in p.assets or p.hazardous:
        assert d.verdict == "forbidden"
    if DEFAULT.guidance_for(p.use) is None:
        assert "DEFAULT-DENY" in [r.id for r in d.rules]


def test_consents_are_counted_over_every_asset_of_the_proposal() -> None:
    # two sites, each affecting one owner who consented for it: two consents count, not the last site's one
    second = make_asset("S-02", "site", "rooftop", None)
    c = consents_of({"S-01": [(dt.date(2024, 3, 1), ("1-101",))], "S-02": [(dt.date(2024, 3, 1), ("1-102",))]},
                    [consent("S-01", "OWN-0001", dt.date(2024, 3, 10), line=31),
                     consent("S-02", "OWN-0002", dt.date(2024, 3, 11), line=35)])
    p = site(assets=["S-01", "S-02"])
    got = engine._c_consents(cond("consents", min=2), ctx_of(p, assets=[ASSETS["S-01"], second], consents=c),
                             p.signing_date)
    assert got[0] is True and got[2] == "直接受影响的2户业主均已书面同意（账本记录）"


def test_overlap_looks_past_itself_and_past_contracts_that_do_not_clash() -> None:
    p = proposal(assets=["P-001"])
    itself = contract("C-2024-100", "P-001", "parking-owner", "2024-05-01", "2024-10-31")
    elsewhere = contract("C-2024-050", "P-002", "parking-owner", "2024-05-01", "2024-10-31")
    clash = contract("C-2024-070", "P-001", "parking-owner", "2024-06-01", "2024-06-30")
    assert _overlap(p, itself, clash).facts["overlapping"] == [
        {"contract": "C-2024-070", "assets": ["P-001"], "use": "parking-owner",
         "start": dt.date(2024, 6, 1), "end": dt.date(2024, 6, 30)}]
    assert _overlap(p, elsewhere, clash).verdict == "unmet"


def test_context_confirms_an_asset_on_a_resolution_in_the_ledger() -> None:
    by_resolution = (custom(dt.date(2024, 1, 2), "asset", ["P-003", "registered"], kind="parking", zones="road",
                            reason="登记"),
                     custom(dt.date(2024, 3, 2), "asset", ["P-003", "confirmed"], evidence="documents/P-001.pdf",
                            resolution="R-2024-01", reason="业主大会决定"))
    c = engine.context(proposal(assets=["P-003"]), _ledger(*by_resolution), DEFAULT)
    assert c.assets[0].status == "confirmed" and c.assets[0].confirmed_on(dt.date(2024, 3, 2))
