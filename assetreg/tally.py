"""Counting an owners' vote under Civil Code Art. 278, with exact fractions.

Two totals come from the units roster: total exclusive area, and total headcount (one
per owner key; the developer's unsold units together count as one). Then

* participation: owners holding at least 2/3 of the total area AND at least 2/3 of the
  headcount took part ("以上" includes equality, Art. 1259);
* approval, items 6-8 (raising the maintenance fund, rebuilding, operating common parts):
  at least 3/4 of the participating area AND of the participating headcount;
  other items: more than half of both ("过半数" is strict).

Each ballot is one unit's opinion: yes, no or abstain. Abstentions take part but do not
approve. A unit counts with its own area; an owner (head) takes part when any of their
units voted, and must not vote two ways. Silent owners follow the majority (从众) only
when the compound's rules say so (option ``follow-majority``): then the silent units
join the opinion that holds more than half of both the participating area and heads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from .errors import BadInput
from .units import Roster, normalize_unit_number

Vote = Literal["yes", "no", "abstain"]

VOTE_WORDS: dict[str, Vote] = {
    "同意": "yes", "赞成": "yes", "yes": "yes", "y": "yes", "agree": "yes", "approve": "yes",
    "反对": "no", "不同意": "no", "no": "no", "n": "no", "against": "no", "disagree": "no",
    "弃权": "abstain", "abstain": "abstain", "a": "abstain",
}
VOTE_LABELS: dict[Vote, str] = {"yes": "同意", "no": "反对", "abstain": "弃权"}

PARTICIPATION = Fraction(2, 3)
QUALIFIED = Fraction(3, 4)  # items 6-8
MAJORITY = Fraction(1, 2)  # other items, strictly more than
QUALIFIED_MATTERS = (6, 7, 8)

MATTERS: dict[int, str] = {
    1: "制定和修改业主大会议事规则",
    2: "制定和修改管理规约",
    3: "选举业主委员会或者更换业主委员会成员",
    4: "选聘和解聘物业服务企业或者其他管理人",
    5: "使用建筑物及其附属设施的维修资金",
    6: "筹集建筑物及其附属设施的维修资金",
    7: "改建、重建建筑物及其附属设施",
    8: "改变共有部分的用途或者利用共有部分从事经营活动",
    9: "有关共有和共同管理权利的其他重大事项",
}
LEGAL_SOURCE = "《民法典》第二百七十八条、第一千二百五十九条；最高人民法院建筑物区分所有权司法解释"


def parse_vote(text: Any, where: str) -> Vote:
    word = str(text if text is not None else "").strip().lower()
    if word in VOTE_WORDS:
        return VOTE_WORDS[word]
    raise BadInput(f"{where}: cannot read the vote {text!r}",
                   "write 同意, 反对 or 弃权 (or yes / no / abstain)")


@dataclass(frozen=True)
class Ballot:
    unit: str
    vote: Vote
    row: int | None = None  # spreadsheet row, for messages

    @property
    def where(self) -> str:
        return f"row {self.row}" if self.row is not None else f"ballot of {self.unit}"


@dataclass(frozen=True)
class Check:
    name: str  # participation-area | participation-heads | approval-area | approval-heads
    label: str
    numerator: Fraction
    denominator: Fraction
    threshold: Fraction
    strict: bool  # True: must exceed the threshold; False: equality suffices

    @property
    def ratio(self) -> Fraction:
        return self.numerator / self.denominator if self.denominator else Fraction(0)

    @property
    def met(self) -> bool:
        if not self.denominator:
            return False
        return self.ratio > self.threshold if self.strict else self.ratio >= self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "label": self.label,
            "numerator": _num(self.numerator), "denominator": _num(self.denominator),
            "ratio": str(self.ratio), "ratio_decimal": _dec(self.ratio),
            "threshold": f"{'>' if self.strict else '>='} {self.threshold}", "met": self.met,
        }


def _dec(f: Fraction) -> str:
    """A ratio for people to read (four places, rounded half-even); the verdict uses the Fraction."""
    return str((Decimal(f.numerator) / Decimal(f.denominator)).quantize(Decimal("0.0001")))


def _num(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else str(Decimal(f.numerator) / Decimal(f.denominator))


def approval_threshold(matter: int) -> tuple[Fraction, bool]:
    """(threshold, strict) of approval for an Art. 278 item."""
    return (QUALIFIED, False) if matter in QUALIFIED_MATTERS else (MAJORITY, True)


@dataclass(frozen=True)
class Tally:
    matter: int
    follow_majority: bool
    area_total: Decimal
    heads_total: int
    area_participating: Decimal
    heads_participating: int
    area_approving: Decimal
    heads_approving: int
    ballots: int
    followed_units: int  # silent units counted by 从众

    @property
    def checks(self) -> list[Check]:
        appr, strict = approval_threshold(self.matter)
        return [
            Check("participation-area", "参与表决专有面积 / 总面积",
                  Fraction(self.area_participating), Fraction(self.area_total), PARTICIPATION, False),
            Check("participation-heads", "参与表决人数 / 总人数",
                  Fraction(self.heads_participating), Fraction(self.heads_total), PARTICIPATION, False),
            Check("approval-area", "同意面积 / 参与表决面积",
                  Fraction(self.area_approving), Fraction(self.area_participating), appr, strict),
            Check("approval-heads", "同意人数 / 参与表决人数",
                  Fraction(self.heads_approving), Fraction(self.heads_participating), appr, strict),
        ]

    @property
    def passed(self) -> bool:
        return all(c.met for c in self.checks)

    @property
    def thresholds(self) -> str:
        appr, strict = approval_threshold(self.matter)
        rule = f"超过{appr}" if strict else f"{appr}以上"
        return f"参与：面积与人数均{PARTICIPATION}以上；同意：参与面积与人数均{rule}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "matter": self.matter, "matter_title": MATTERS[self.matter],
            "follow_majority": self.follow_majority,
            "area_total": str(self.area_total), "heads_total": self.heads_total,
            "area_participating": str(self.area_participating),
            "heads_participating": self.heads_participating,
            "area_approving": str(self.area_approving), "heads_approving": self.heads_approving,
            "ballots": self.ballots, "followed_units": self.followed_units,
            "checks": [c.as_dict() for c in self.checks],
            "thresholds": self.thresholds, "passed": self.passed, "source": LEGAL_SOURCE,
        }


def check_matter(matter: int) -> int:
    if not isinstance(matter, int) or not 1 <= matter <= 9:
        raise BadInput(f"matter {matter!r} is not an Art. 278 item",
                       "give --matter 1 to 9 (8 = changing the use of or operating common parts)")
    return matter


def tally(ballots: Iterable[Ballot], roster: Roster, matter: int, follow_majority: bool = False) -> Tally:
    """Count ``ballots`` against ``roster``; raises BadInput for unknown or duplicate units."""
    check_matter(matter)
    if not roster.units:
        raise BadInput("the units roster is empty: nothing to count against",
                       "add the units first (`assetreg unit add` or the roster importer)")
    by_unit: dict[str, Ballot] = {}
    head_vote: dict[str, tuple[Vote, Ballot]] = {}
    for b in ballots:
        number = normalize_unit_number(b.unit)
        unit = roster.get(number)
        if unit is None:
            raise BadInput(f"{b.where}: unknown unit {b.unit!r}",
                           "correct the 房号 to one in the roster (`assetreg unit list`)")
        if number in by_unit:
            raise BadInput(f"{b.where}: a second ballot for unit {number} "
                           f"(first at {by_unit[number].where})",
                           "keep one ballot per unit; strike the duplicate")
        by_unit[number] = b
        prev = head_vote.get(unit.head)
        if prev is not None and prev[0] != b.vote:
            raise BadInput(f"{b.where}: owner {unit.head} votes {VOTE_LABELS[b.vote]} for {number} "
                           f"but {VOTE_LABELS[prev[0]]} at {prev[1].where}",
                           "one owner counts as one head and has one opinion; correct the ballot sheet")
        head_vote.setdefault(unit.head, (b.vote, b))

    units = roster.units
    area: dict[Vote, Decimal] = {"yes": Decimal(0), "no": Decimal(0), "abstain": Decimal(0)}
    for number, b in by_unit.items():
        area[b.vote] += units[number].area
    heads: dict[Vote, int] = {"yes": 0, "no": 0, "abstain": 0}
    for vote, _ in head_vote.values():
        heads[vote] += 1
    area_part = sum(area.values(), Decimal(0))
    heads_part = len(head_vote)

    followed = 0
    if follow_majority and heads_part:
        majority = [v for v in area if 2 * area[v] > area_part and 2 * heads[v] > heads_part]
        if majority:
            v = majority[0]
            for number, unit in units.items():
                if number in by_unit:
                    continue
                followed += 1
                area[v] += unit.area
                area_part += unit.area
                if unit.head not in head_vote:
                    head_vote[unit.head] = (v, Ballot(number, v))
                    heads[v] += 1
                    heads_part += 1

    return Tally(
        matter=matter,
        follow_majority=follow_majority,
        area_total=sum((u.area for u in units.values()), Decimal(0)),
        heads_total=roster.headcount,
        area_participating=area_part,
        heads_participating=heads_part,
        area_approving=area["yes"],
        heads_approving=heads["yes"],
        ballots=len(by_unit),
        followed_units=followed,
    )
