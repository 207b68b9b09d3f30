"""Finding, validating and combining policy sets.

The district sets ship as data in the ``policies`` package (``policies/<id>.yaml``). A
compound may add its own ``policy.yaml`` beside ``main.beancount`` that narrows the
district set -- tighten a condition's parameter, add conditions, drop a guidance
category, add forbidden uses -- but can never drop or loosen a negative-list rule.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import BadInput
from ..ledger import Compound, Loaded
from . import yamlio
from .schema import CONDITION_PARAMS, Condition, GuidanceRule, Override, PolicySet, condition_id

COMPOUND_POLICY_FILE = "policy.yaml"
DEFAULT_DISTRICT = "huaian-qingjiangpu"


def district_dir() -> Path:
    """The folder of the ``policies`` data package (also when an editable install made it a
    namespace package, where importlib.resources cannot name one folder)."""
    import policies  # the data package beside assetreg, looked up only when a set is loaded

    for entry in [getattr(policies, "__file__", None), *getattr(policies, "__path__", [])]:
        if entry:
            p = Path(entry)
            p = p.parent if p.suffix == ".py" else p
            if p.is_dir() and any(p.glob("*.yaml")):
                return p
    return Path(str(resources.files("policies")))


def available_sets() -> dict[str, Path]:
    return {p.stem: p for p in sorted(district_dir().glob("*.yaml"))}


def policy_hash(ps: PolicySet) -> str:
    blob = json.dumps(ps.model_dump(mode="json"), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _loc(raw: Any, loc: tuple[Any, ...]) -> str:
    """'rule N-FIRE-LANE, field when[0].asset_zones[1]' from a pydantic error location."""
    rule = ""
    parts: list[str] = []
    node = raw
    for i, step in enumerate(loc):
        if isinstance(step, int):
            parts[-1:] = [f"{parts[-1]}[{step}]"] if parts else [f"[{step}]"]
        else:
            parts.append(str(step))
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            node = None
        if i == 1 and isinstance(node, dict) and node.get("id") and loc[0] in ("negative", "guidance"):
            rule = f"rule {node['id']}, "
            parts = [f"{loc[0]}[{loc[1]}]"]
    return f"{rule}field {'.'.join(parts) or '(top level)'}"


def explain(err: ValidationError, raw: Any, where: str) -> BadInput:
    first = err.errors()[0]
    more = f" (and {err.error_count() - 1} more problem(s))" if err.error_count() > 1 else ""
    msg = first["msg"].removeprefix("Value error, ")
    return BadInput(f"{where}: {_loc(raw, tuple(first['loc']))}: {msg}{more}",
                    "correct that field; policies/README.md describes the schema")


def parse_policy_set(raw: Any, where: str) -> PolicySet:
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: a policy set must be a mapping with id, negative and guidance",
                       "see policies/README.md")
    try:
        return PolicySet.model_validate(raw)
    except ValidationError as err:
        raise explain(err, raw, where) from None


def parse_override(raw: Any, where: str) -> Override:
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: a compound policy must be a mapping", "see policies/README.md")
    try:
        return Override.model_validate(raw)
    except ValidationError as err:
        raise explain(err, raw, where) from None


def load_file(path: Path) -> PolicySet:
    return parse_policy_set(yamlio.load_file(path), str(path))


def load_district(district: str) -> PolicySet:
    path = available_sets().get(district)
    if path is None:
        raise BadInput(f"no policy set {district!r}",
                       f"set the compound option `district` to one of: {', '.join(available_sets())}")
    ps = load_file(path)
    if ps.id != district:
        raise BadInput(f"{path}: its id is {ps.id!r}, not {district!r}", "make the id match the file name")
    return ps


def _stricter(direction: str, old: Any, new: Any) -> bool:
    if direction == "fixed":
        return bool(old == new)
    if old is None:  # adding a limit where there was none is stricter
        return True
    if new is None:
        return False
    if direction == "up":
        return bool(Decimal(str(new)) >= Decimal(str(old)))
    if direction == "down":
        return bool(Decimal(str(new)) <= Decimal(str(old)))
    if direction == "subset":
        return set(new) <= set(old)
    return False


def apply_override(base: PolicySet, ov: Override, where: str, name: str) -> PolicySet:
    """The district set narrowed by a compound's override; anything looser is refused."""
    if ov.extends is not None and ov.extends != base.id:
        raise BadInput(f"{where}: extends {ov.extends!r} but the compound's district is {base.id!r}",
                       f"write `extends: {base.id}` or change the compound option `district`")
    negative_ids = {r.id for r in base.negative}
    guidance = {g.id: g for g in base.guidance}
    by_use = {g.use: g.id for g in base.guidance}

    def refuse_negative(rid: str, what: str) -> None:
        if rid in negative_ids or rid.split(".")[0] in negative_ids:
            raise BadInput(f"{where}: {what} {rid} is a negative-list rule; a compound can never "
                           "drop or loosen a forbidden use",
                           f"remove {rid} from {what}; a compound may only add forbidden uses")

    dropped: set[str] = set()
    for item in ov.drop_guidance:
        refuse_negative(item, "drop_guidance")
        rid = by_use.get(item, item)
        if rid not in guidance:
            raise BadInput(f"{where}: drop_guidance names {item!r}, which is no guidance rule or use",
                           f"use one of: {', '.join(sorted(by_use))}")
        dropped.add(rid)

    # condition id -> (guidance id, index)
    cond_index: dict[str, tuple[str, int]] = {}
    for g in base.guidance:
        for i, c in enumerate(g.conditions):
            cond_index[condition_id(g, c)] = (g.id, i)
    new_conditions: dict[str, list[Condition]] = {g.id: list(g.conditions) for g in base.guidance}
    for cid, params in ov.params.items():
        refuse_negative(cid, "params")
        if cid not in cond_index:
            raise BadInput(f"{where}: params names condition {cid!r}, which the district set lacks",
                           f"use a condition id such as: {', '.join(sorted(cond_index)[:6])} …")
        gid, i = cond_index[cid]
        old = new_conditions[gid][i]
        allowed = CONDITION_PARAMS[old.kind]
        for key, value in params.items():
            if key not in allowed:
                raise BadInput(f"{where}: condition {cid}, field {key}: a {old.kind} condition has no "
                               "such parameter (its `when` and kind cannot be changed either)",
                               f"override one of: {', '.join(allowed) or 'nothing'}")
            if not _stricter(allowed[key], getattr(old, key), value):
                raise BadInput(f"{where}: condition {cid}, field {key}: {value!r} is looser than the "
                               f"district's {getattr(old, key)!r}; a compound may only be stricter",
                               "tighten the value or leave it out")
        try:
            new_conditions[gid][i] = Condition.model_validate({**old.model_dump(exclude_none=True), **params})
        except ValidationError as err:
            raise explain(err, params, f"{where}: condition {cid}") from None
    for gid, extra in ov.add_conditions.items():
        refuse_negative(gid, "add_conditions")
        if gid not in guidance:
            raise BadInput(f"{where}: add_conditions names {gid!r}, which is no guidance rule",
                           f"use one of: {', '.join(sorted(guidance))}")
        new_conditions[gid].extend(extra)
    for r in ov.negative:
        if r.id in negative_ids or r.id in guidance:
            raise BadInput(f"{where}: negative rule {r.id} reuses a district rule id",
                           "give the compound's own rule a new id, e.g. N-LOCAL-…")

    new_guidance: list[GuidanceRule] = []
    for g in base.guidance:
        if g.id in dropped:
            continue
        new_guidance.append(GuidanceRule.model_validate(
            {**g.model_dump(), "conditions": [c.model_dump() for c in new_conditions[g.id]]}))
    data = base.model_dump()
    data.update(
        id=f"{base.id}+{name}",
        title=ov.title or f"{base.title}（本小区从严）",
        negative=[*base.negative, *ov.negative],
        guidance=new_guidance,
        source=f"{base.source}; {name}/{COMPOUND_POLICY_FILE}".strip("; "),
    )
    try:
        return PolicySet.model_validate(data)
    except ValidationError as err:
        raise explain(err, data, where) from None


def load_policy_set(compound: Compound, loaded: Loaded | None = None) -> PolicySet:
    """The policy set in force for a compound: its district's set, narrowed by its own file."""
    if loaded is None:
        loaded = compound.load()
    district = loaded.options.get("district") or DEFAULT_DISTRICT
    base = load_district(district)
    path = compound.root / COMPOUND_POLICY_FILE
    if not path.is_file():
        return base
    ov = parse_override(yamlio.load_file(path), str(path))
    return apply_override(base, ov, str(path), compound.id)
