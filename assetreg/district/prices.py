"""Price references across the district, and the finding for a contract let far below them.

For each use (lift advertising, owner parking, a base-station site, …) the prices of the
contracts in force in every compound make a distribution: median, quartiles, n. Prices
compare per month and per asset, or per month and per m² for rooms
(:mod:`.facts`). A contract whose price is below ``threshold`` × the median of the *other*
compounds' contracts for the same use — when at least ``min_sample`` of them exist — is a
district finding: the leak owners cannot see from inside one compound, a manager letting
common parts cheaply to an affiliate while the owners' income is what is left after its
"reasonable cost" (Art. 282). The finding names the comparable contracts.

This is a district-level check: it reads the district store, never a compound's audit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..audit.findings import Finding
from ..errors import BadInput
from ..vocab import USES
from .facts import cents

CHECK = "price-below-district"
RULE = ("民法典第282条（共有部分收入扣除合理成本后属于业主共有）；"
        "与街道内同类用途合同价格比较（小区清单化管理、共同监管）")
COMPARABLES_NAMED = 10  # the finding names this many comparables, nearest the median first


@dataclass(frozen=True)
class Settings:
    threshold: Decimal = Decimal("0.5")  # below this fraction of the median is a finding
    min_sample: int = 5  # comparable contracts needed before judging

    def __post_init__(self) -> None:
        if not Decimal(0) < self.threshold < Decimal(1):
            raise BadInput(f"price threshold {self.threshold} is not between 0 and 1",
                           "give a fraction of the median, e.g. --price-threshold 0.5")
        if self.min_sample < 1:
            raise BadInput(f"minimum sample {self.min_sample} is below 1",
                           "give a count of comparable contracts, e.g. --price-min-sample 5")


@dataclass(frozen=True)
class Reference:
    use: str
    basis: str  # "asset" (per asset per month) | "m2" (per m² per month)
    n: int
    compounds: int
    low: Decimal
    q1: Decimal
    median: Decimal
    q3: Decimal
    high: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"use": self.use, "basis": self.basis, "n": self.n, "compounds": self.compounds,
                "low": str(self.low), "q1": str(self.q1), "median": str(self.median),
                "q3": str(self.q3), "high": str(self.high)}


def quantile(values: Sequence[Decimal], q: Decimal) -> Decimal:
    """The ``q`` quantile of sorted values, interpolated linearly (inclusive method), in cents."""
    if not values:
        raise ValueError("no values")
    pos = (len(values) - 1) * q
    i = int(pos)
    frac = pos - i
    if i + 1 >= len(values):
        return cents(values[-1])
    return cents(values[i] + (values[i + 1] - values[i]) * frac)


def _reference(use: str, basis: str, rows: list[Mapping[str, Any]]) -> Reference:
    prices = sorted(r["unit_price"] for r in rows)
    return Reference(use, basis, len(prices), len({r["compound"] for r in rows}), prices[0],
                     quantile(prices, Decimal("0.25")), quantile(prices, Decimal("0.5")),
                     quantile(prices, Decimal("0.75")), prices[-1])


def _groups(contracts: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for r in contracts:
        if r["in_force"] and r["unit_price"] > 0:
            groups[r["use"], r["basis"]].append(r)
    return groups


def references(contracts: Iterable[Mapping[str, Any]]) -> list[Reference]:
    """Per use (and basis), the distribution of in-force contract prices across compounds."""
    return [_reference(u, b, rows) for (u, b), rows in sorted(_groups(contracts).items())]


def findings(contracts: Iterable[Mapping[str, Any]], settings: Settings | None = None) -> list[Finding]:
    """A warning for each contract in force priced below ``threshold`` × the median of the
    other compounds' contracts for the same use (given at least ``min_sample`` of them)."""
    settings = settings or Settings()
    out: list[Finding] = []
    for (use, basis), rows in sorted(_groups(contracts).items()):
        every = sorted(r["unit_price"] for r in rows)
        by_compound: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for r in rows:
            by_compound[r["compound"]].append(r)
        for compound, own in sorted(by_compound.items()):
            others_n = len(rows) - len(own)
            if others_n < settings.min_sample:
                continue
            # Leaving out k rows moves the median at most k places up the full list: only
            # a compound with a price below that bound needs its own reference worked out.
            bound = every[min(len(every) - 1, others_n // 2 + len(own))]
            if min(r["unit_price"] for r in own) >= bound * settings.threshold:
                continue
            others = [o for o in rows if o["compound"] != compound]
            ref = _reference(use, basis, others)
            for r in sorted(own, key=lambda r: r["contract"]):
                if r["unit_price"] >= ref.median * settings.threshold:
                    continue
                out.append(_finding(r, ref, others, settings))
    return out


def _finding(r: Mapping[str, Any], ref: Reference, others: list[Mapping[str, Any]],
             settings: Settings) -> Finding:
    near = sorted(others, key=lambda o: (abs(o["unit_price"] - ref.median), o["compound"],
                                         o["contract"]))
    named = [f"{o['compound']}/{o['contract']} ({o['unit_price']})" for o in near[:COMPARABLES_NAMED]]
    per = "元/㎡·月" if ref.basis == "m2" else "元/个·月"
    ratio = (r["unit_price"] / ref.median).quantize(Decimal("0.01"))
    return Finding(
        CHECK, "warning",
        f"{r['compound']}的合同{r['contract']}（{USES.get(ref.use, ref.use)}）价格{r['unit_price']}{per}，"
        f"仅为街道中位数{ref.median}的{ratio}倍（其他{ref.compounds}个小区{ref.n}份同类合同，"
        f"四分位{ref.q1}–{ref.q3}）；可比合同：" + "，".join(named),
        RULE, (),
        {"compound": str(r["compound"]), "contract": str(r["contract"]), "use": ref.use,
         "basis": ref.basis, "unit_price": str(r["unit_price"]), "median": str(ref.median),
         "q1": str(ref.q1), "q3": str(ref.q3), "n": str(ref.n), "ratio": str(ratio),
         "threshold": str(settings.threshold), "comparables": ", ".join(named)})
