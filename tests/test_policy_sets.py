"""Policy sets as data: validation names file, rule and field; compounds may only narrow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import snapshot

from assetreg.cli import main
from assetreg.errors import BadInput
from assetreg.ledger import Compound
from assetreg.policy import available_sets, load_district, load_file, load_policy_set, policy_hash

DEFAULT_FILE = available_sets()["huaian-qingjiangpu"]


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output


def raw() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))


def test_default_set_loads_and_every_rule_names_its_source() -> None:
    ps = load_district("huaian-qingjiangpu")
    assert len(ps.negative) >= 10 and len(ps.guidance) >= 10
    for r in [*ps.negative, *ps.guidance]:
        assert r.id and r.version >= 1 and r.effective_from and r.title and r.message and r.source
    for r in ps.negative:
        assert r.remediation
    assert policy_hash(ps) == policy_hash(load_district("huaian-qingjiangpu"))
    # money and shares in the data are exact
    share = next(c for c in ps.guidance_for("advertising-lift").conditions if c.kind == "manager-share")  # type: ignore[union-attr]
    assert str(share.max) == "0.30"


@pytest.mark.parametrize(("edit", "needles"), [
    (lambda d: d["negative"][0]["when"][0].update(asset_zones=["moon"]),
     ["rule N-FIRE-LANE", "when[0].asset_zones", "unknown zone 'moon'"]),
    (lambda d: d["negative"][1].pop("source"), ["rule N-GREEN-SPACE", "field", "source", "Field required"]),
    (lambda d: d["guidance"][1]["conditions"][2].update(months="six"), ["rule G-PARKING-NONOWNER", "conditions[2].months"]),
    (lambda d: d["guidance"][0]["conditions"][0].pop("matter"), ["rule G-PARKING-OWNER", "needs 'matter'"]),
    (lambda d: d["guidance"][0]["conditions"].append({"kind": "notice", "months": 3}),
     ["rule G-PARKING-OWNER", "takes no 'months'"]),
    (lambda d: d["negative"][2]["when"][0].update(facts={"smelly": True}), ["rule N-PUBLIC-FACILITY", "unknown proposal fact"]),
    (lambda d: d["negative"].append(dict(d["negative"][0])), ["N-FIRE-LANE is used twice"]),
    (lambda d: d["negative"][0].update(id="fire lane"), ["malformed rule id"]),
    (lambda d: d["negative"][0].update(when=[{}]), ["empty clause"]),
])
def test_malformed_set_is_refused_naming_file_rule_field(tmp_path: Path, edit, needles: list[str]) -> None:  # type: ignore[no-untyped-def]
    d = raw()
    edit(d)
    f = tmp_path / "broken.yaml"
    f.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BadInput) as err:
        load_file(f)
    text = str(err.value)
    assert str(f) in text
    for n in needles:
        assert n in text, text
    code, out = cli("policy", "validate", str(f))
    assert code == 2 and str(f) in out


def test_policy_yaml_syntax_error(tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("id: [unclosed\n", encoding="utf-8")
    code, out = cli("policy", "validate", str(f))
    assert code == 2 and "not valid YAML" in out


def test_validate_list_show(small_compound: Path) -> None:
    code, out = cli("policy", "validate")
    assert code == 0 and "huaian-qingjiangpu" in out
    code, out = cli("policy", "validate", str(DEFAULT_FILE))
    assert code == 0
    code, out = cli("policy", "list", "-L", str(small_compound))
    assert code == 0 and "in force for this compound: huaian-qingjiangpu" in out
    code, out = cli("policy", "show")
    assert code == 0 and "N-FIRE-LANE" in out and "G-PARKING-NONOWNER.MAX-TERM" in out and "消防法" in out
    code, out = cli("policy", "show", "--json")
    assert json.loads(out)["hash"].startswith("sha256:")
    code, out = cli("policy", "show", "no-such-district")
    assert code == 2 and "no policy set" in out


# ---------------------------------------------------------------- compound overrides

def override(root: Path, text: str) -> Compound:
    (root / "policy.yaml").write_text(text, encoding="utf-8")
    return Compound.locate(root)


def test_stricter_override(small_compound: Path) -> None:
    c = override(small_compound, """
extends: huaian-qingjiangpu
params:
  G-PARKING-NONOWNER.MAX-TERM: {months: 3}
  G-AD-LIFT.MANAGER-SHARE: {max: 0.20}
  G-PARKING-NONOWNER.NOTICE: {min_days: 10}
drop_guidance: [vending, G-EV-CHARGER]
add_conditions:
  G-PARKING-OWNER:
    - {kind: notice, min_days: 7}
negative:
  - id: N-LOCAL-NO-ROOF
    version: 1
    effective_from: 2024-01-01
    title: 本小区屋顶不出租
    when: [{asset_zones: [roof]}]
    message: 本小区管理规约禁止出租屋顶
    remediation: 另选场地
    source: 本小区管理规约第十二条
""")
    ps = load_policy_set(c)
    assert ps.id == f"huaian-qingjiangpu+{small_compound.name}"
    assert ps.guidance_for("vending") is None and ps.guidance_for("ev-charger") is None
    nonowner = ps.guidance_for("parking-nonowner")
    assert nonowner is not None
    assert next(x for x in nonowner.conditions if x.kind == "max-term").months == 3
    assert [x.kind for x in ps.guidance_for("parking-owner").conditions][-1] == "notice"  # type: ignore[union-attr]
    assert ps.negative[-1].id == "N-LOCAL-NO-ROOF" and len(ps.negative) == 11
    assert policy_hash(ps) != policy_hash(load_district("huaian-qingjiangpu"))
    code, out = cli("policy", "validate", "-L", str(small_compound))
    assert code == 0 and ps.id in out


@pytest.mark.parametrize(("text", "needle"), [
    ("drop_guidance: [N-FIRE-LANE]\n", "can never drop or loosen"),
    ("params:\n  N-FIRE-LANE: {months: 1}\n", "can never drop or loosen"),
    ("params:\n  G-PARKING-NONOWNER.MAX-TERM: {months: 12}\n", "looser than the district's"),
    ("params:\n  G-AD-LIFT.MANAGER-SHARE: {max: 0.5}\n", "looser"),
    ("params:\n  G-PARKING-NONOWNER.NOTICE: {min_days: 3}\n", "looser"),
    ("params:\n  G-PARKING-OWNER.RESOLUTION: {matter: 5}\n", "looser"),
    ("params:\n  G-PARKING-NONOWNER.COUNTERPARTY-KIND: {kinds: [owner, organisation, non-owner]}\n", "looser"),
    ("params:\n  G-PARKING-OWNER.CIVIL-DEFENCE-TERM: {when: []}\n", "has no such parameter"),
    ("extends: somewhere-else\n", "extends 'somewhere-else'"),
    ("negative:\n  - {id: N-FIRE-LANE, version: 2, effective_from: 2024-01-01, title: t, message: m, "
     "remediation: r, source: s, when: [{asset_zones: [road]}]}\n", "reuses a district rule id"),
    ("drop_guidance: [catering]\n", "no guidance rule or use"),
    ("loosen: everything\n", "loosen"),
])
def test_looser_override_is_refused(small_compound: Path, text: str, needle: str) -> None:
    c = override(small_compound, text)
    with pytest.raises(BadInput) as err:
        load_policy_set(c)
    assert needle in str(err.value) and "policy.yaml" in str(err.value)
    before = snapshot(small_compound)
    code, _out = cli("policy", "validate", "-L", str(small_compound))
    assert code == 2
    assert snapshot(small_compound) == before


def test_district_option_selects_the_set(small_compound: Path) -> None:
    with (small_compound / "accounts.beancount").open("a", encoding="utf-8") as f:
        f.write('2020-01-01 custom "assetreg-option" "district" "atlantis"\n')
    with pytest.raises(BadInput, match="no policy set 'atlantis'"):
        load_policy_set(Compound.locate(small_compound))
