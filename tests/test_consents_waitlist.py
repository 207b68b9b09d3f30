"""Issue 13: consents of affected owners and the parking waiting list are ledger facts the
gate reads on the signing day; what a proposal claims can only add to them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import append, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_policy_support import gate_root, loaded, mapping

from assetreg import books
from assetreg.cli import main
from assetreg.ledger import Compound
from assetreg.policy import Decision, Proposal, decide, load_policy_set


@pytest.fixture
def gate(small_compound: Path) -> Path:
    return gate_root(small_compound)


def run(root: Path, use: str, **kw: Any) -> Decision:
    p = Proposal.from_mapping(mapping(use, **kw), "test")
    return decide(p, loaded(root), load_policy_set(Compound.locate(root)))


def cond(d: Decision, cid: str) -> Any:
    return next(r for r in d.rules if r.id == cid)


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output


CONSENTS = "G-BASE-STATION.CONSENTS"
OWNERS_FIRST = "G-PARKING-NONOWNER.OWNERS-FIRST"


# ---------------------------------------------------------------- consents

def test_recorded_consent_of_every_affected_owner_is_met(gate: Path) -> None:
    d = run(gate, "base-station", affected=[], consents=[])
    r = cond(d, CONSENTS)
    assert r.verdict == "met" and d.verdict == "permitted"
    assert r.facts["affected_units"] == ["1-101"] and r.facts["affected_owners"] == ["OWN-0001"]
    assert "OWN-0001" in r.facts["consents_in_ledger"]


def test_a_consent_not_in_the_ledger_is_not_taken_from_the_proposal(gate: Path) -> None:
    d = run(gate, "base-station", affected=[], consents=["NOBODY-9999"])
    r = cond(d, CONSENTS)
    assert r.verdict == "unmet" and d.verdict == "not-permitted"
    assert r.facts["consents_claimed_not_in_ledger"] == ["NOBODY-9999"] and "NOBODY" not in r.message


def test_an_asset_without_affected_units_recorded(gate: Path) -> None:
    d = run(gate, "base-station", assets=["LK-01"], affected=[], consents=[])
    r = cond(d, CONSENTS)
    assert r.verdict == "unmet" and "LK-01" in r.message and "consent affected" in r.remediation


@pytest.mark.parametrize(("extra", "verdict"), [
    ('2024-04-01 custom "consent" "S-01" "OWN-0001" "withdrawn"\n  reason: "撤回"\n', "unmet"),
    ('2024-04-25 custom "consent" "S-01" "OWN-0001" "withdrawn"\n  reason: "签约后撤回"\n', "met"),
    # the unit changed hands before signing: its new owner has not consented
    ('2024-04-01 custom "unit" "1-101"\n  building: "1"\n  area: 90.00\n  owner: "OWN-0003"\n  unsold: FALSE\n',
     "unmet"),
    # a new list of affected units adds 1-102, whose owner has not consented
    ('2024-04-01 custom "affected" "S-01"\n  units: "1-101,1-102"\n  reason: "扩大"\n', "unmet"),
])
def test_consents_as_of_the_signing_day(gate: Path, extra: str, verdict: str) -> None:
    append(gate / "registry.beancount", "\n" + extra)
    d = run(gate, "base-station", affected=[], consents=[])
    assert cond(d, CONSENTS).verdict == verdict, cond(d, CONSENTS).message


def test_a_consent_after_signing_does_not_count(gate: Path) -> None:
    d = run(gate, "base-station", signed="2024-03-05", notice_start="2024-02-10", notice_end="2024-02-25",
            affected=[], consents=[])
    assert cond(d, CONSENTS).verdict == "unmet"


def test_consent_commands(gate: Path) -> None:
    root = str(gate)
    before = snapshot(gate)
    for args, needle in (
        (["record", "--asset", "S-01", "--owner", "OWN-0404", "--evidence", "documents/P-001.pdf"], "no unit"),
        (["record", "--asset", "S-01", "--owner", "OWN-0002", "--evidence", "documents/nope.pdf"], "evidence"),
        (["record", "--asset", "S-99", "--owner", "OWN-0002", "--evidence", "documents/P-001.pdf"], "unknown asset"),
        (["record", "--asset", "S-01", "--owner", "OWN-0001", "--evidence", "documents/P-001.pdf"], "already"),
        (["withdraw", "--asset", "S-01", "--owner", "OWN-0002", "--reason", "x"], "no consent"),
        (["affected", "--asset", "S-01", "--units", "9-999", "--reason", "x"], "not on the roster"),
    ):
        code, out = cli("consent", *args, "--date", "2024-04-01", "-L", root)
        assert code == 2 and needle in out and "fix:" in out, out
    assert snapshot(gate) == before

    assert cli("consent", "affected", "--asset", "S-01", "--units", "1-101,1-102", "--reason", "顶层",
               "--date", "2024-04-01", "-L", root)[0] == 0
    r = cond(run(gate, "base-station", affected=[], consents=[]), CONSENTS)
    assert r.verdict == "unmet" and "1-102" in r.message and "OWN-" not in r.message
    assert r.facts["missing"] == ["OWN-0002"] and r.facts["missing_units"] == ["1-102"]
    code, out = cli("consent", "record", "--asset", "S-01", "--owner", "OWN-0002", "--evidence",
                    "documents/P-001.pdf", "--date", "2024-04-02", "-L", root)
    assert code == 0, out
    assert cond(run(gate, "base-station", affected=[], consents=[]), CONSENTS).verdict == "met"
    assert cli("consent", "withdraw", "--asset", "S-01", "--owner", "OWN-0002", "--reason", "书面撤回",
               "--date", "2024-04-10", "-L", root)[0] == 0
    assert cond(run(gate, "base-station", affected=[], consents=[]), CONSENTS).verdict == "unmet"
    code, out = cli("consent", "list", "--asset", "S-01", "-L", root, "--json")
    d = json.loads(out)
    assert [r["action"] for r in d["consents"]] == ["given", "given", "withdrawn"]
    index = books.build(Compound.locate(gate).load().entries)
    assert set(index.consents.given("S-01", dt.date(2024, 4, 30))) == {"OWN-0001"}


# ---------------------------------------------------------------- the waiting list

@pytest.mark.parametrize(("extra", "verdict"), [
    ("", "met"),
    ('2024-04-01 custom "waitlist" "OWN-0002" "joined"\n', "unmet"),
    ('2024-04-01 custom "waitlist" "OWN-0002" "joined"\n'
     '2024-04-15 custom "waitlist" "OWN-0002" "left"\n  reason: "已租到车位"\n', "met"),
    ('2024-04-25 custom "waitlist" "OWN-0002" "joined"\n', "met"),  # joined after signing
    ('2024-04-01 custom "waitlist" "OWN-0404" "joined"\n', "met"),  # holds no unit
])
def test_owners_first_reads_the_waiting_list_on_the_signing_day(gate: Path, extra: str, verdict: str) -> None:
    append(gate / "units.beancount", "\n" + extra)
    d = run(gate, "parking-nonowner", owners_waiting=0)
    r = cond(d, OWNERS_FIRST)
    assert r.verdict == verdict, r.message
    if verdict == "unmet":
        assert "1名业主" in r.message and r.facts["waiting_in_ledger"] == ["OWN-0002"]
        assert "OWN-" not in r.message  # residents read the reason: no owner keys


def test_a_declared_number_only_adds(gate: Path) -> None:
    assert cond(run(gate, "parking-nonowner", owners_waiting=2), OWNERS_FIRST).verdict == "unmet"
    assert cond(run(gate, "parking-nonowner", owners_waiting=None), OWNERS_FIRST).verdict == "met"


def test_waitlist_commands(gate: Path) -> None:
    root = str(gate)
    before = snapshot(gate)
    for args, needle in ((["add", "--owner", "OWN-0404"], "no unit"),
                         (["add", "--owner", "OWN-0002", "--unit", "1-101"], "not OWN-0002's"),
                         (["remove", "--owner", "OWN-0002", "--reason", "x"], "not on the waiting list")):
        code, out = cli("waitlist", *args, "--date", "2024-04-01", "-L", root)
        assert code == 2 and needle in out and "fix:" in out, out
    assert snapshot(gate) == before
    assert cli("waitlist", "add", "--owner", "OWN-0002", "--unit", "1-102", "--date", "2024-04-01", "-L", root)[0] == 0
    code, out = cli("waitlist", "add", "--owner", "OWN-0002", "--date", "2024-04-02", "-L", root)
    assert code == 2 and "already" in out
    code, out = cli("waitlist", "list", "--date", "2024-04-20", "-L", root, "--json")
    assert [r["owner"] for r in json.loads(out)["waiting"]] == ["OWN-0002"]
    assert cond(run(gate, "parking-nonowner"), OWNERS_FIRST).verdict == "unmet"
    assert cli("waitlist", "remove", "--owner", "OWN-0002", "--reason", "已租到车位", "--date", "2024-04-10",
               "-L", root)[0] == 0
    assert cond(run(gate, "parking-nonowner"), OWNERS_FIRST).verdict == "met"
    code, out = cli("waitlist", "list", "--date", "2024-04-20", "-L", root)
    assert code == 0 and "0 owner(s) waiting" in out


# ---------------------------------------------------------------- from a sheet

def test_consents_and_waitlist_sheets(gate: Path, tmp_path: Path) -> None:
    from importers.testing import write_xlsx

    root = str(gate)
    consents = write_xlsx(tmp_path / "同意.xlsx", [
        ["资产编号", "业主编号", "日期", "同意或撤回", "证明材料", "原因"],
        ["S-01", "OWN-0002", dt.date(2024, 4, 2), "同意", "documents/P-001.pdf", None],
        ["S-01", "OWN-0001", dt.date(2024, 4, 30), "撤回", None, "书面撤回"],
    ])
    bad = write_xlsx(tmp_path / "坏.xlsx", [
        ["资产编号", "业主编号", "日期", "同意或撤回", "证明材料", "原因"],
        ["S-01", "OWN-0404", dt.date(2024, 4, 2), "同意", "documents/P-001.pdf", None],
        ["S-01", "OWN-0002", dt.date(2024, 4, 2), "同意", None, None],
    ])
    before = snapshot(gate)
    code, out = cli("import", str(bad), "-L", root)
    assert code == 2 and "OWN-0404" in out and "坏.xlsx:" in out and "nothing was written" in out, out
    assert snapshot(gate) == before
    code, out = cli("import", str(consents), "-L", root)
    assert code == 0 and "2 entries written to contracts.beancount" in out, out
    code, out = cli("import", str(consents), "-L", root)
    assert code == 0 and "0 entries written, 2 row(s) already" in out, out
    found = books.build(Compound.locate(gate).load().entries).consents
    assert set(found.given("S-01", dt.date(2024, 4, 20))) == {"OWN-0001", "OWN-0002"}
    assert set(found.given("S-01", dt.date(2024, 5, 1))) == {"OWN-0002"}

    waiting = write_xlsx(tmp_path / "排队.xlsx", [
        ["业主编号", "日期", "排队或退出", "房号", "原因"],
        ["OWN-0002", dt.date(2024, 4, 1), "排队", "1-102", None],
    ])
    code, out = cli("import", str(waiting), "-L", root)
    assert code == 0 and "1 entry written" in out, out
    assert cond(run(gate, "parking-nonowner"), OWNERS_FIRST).verdict == "unmet"


# ---------------------------------------------------------------- what a proposal says cannot replace the ledger

KEYS = st.lists(st.sampled_from(["OWN-0001", "OWN-0002", "NOBODY-9999", "DEV-0000"]), max_size=3, unique=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(affected=KEYS, consents=KEYS, waiting=st.sampled_from([None, 0]))
def test_no_claim_in_a_proposal_makes_up_for_a_missing_ledger_fact(ledger_gaps: Any, affected: list[str],
                                                                   consents: list[str], waiting: int | None) -> None:
    ps = load_policy_set(Compound.locate(ledger_gaps.root))
    # S-01's only affected owner withdrew; OWN-0002 waits for a space
    site = Proposal.from_mapping(mapping("base-station", affected=affected, consents=consents), "prop")
    assert decide(site, ledger_gaps.loaded, ps).verdict == "not-permitted"
    park = Proposal.from_mapping(mapping("parking-nonowner", owners_waiting=waiting), "prop")
    d = decide(park, ledger_gaps.loaded, ps)
    assert d.verdict == "not-permitted" and OWNERS_FIRST in d.rule_ids


@pytest.fixture(scope="module")
def ledger_gaps(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from types import SimpleNamespace

    from conftest import SMALL_REGISTRY, SMALL_UNITS

    from assetreg.scaffold import init_compound

    root = tmp_path_factory.mktemp("gaps") / "demo"
    init_compound(root, "测试小区", dt.date(2020, 1, 1))
    append(root / "units.beancount", SMALL_UNITS + '\n2024-04-01 custom "waitlist" "OWN-0002" "joined"\n')
    append(root / "registry.beancount", SMALL_REGISTRY)
    gate_root(root)
    append(root / "registry.beancount",
           '\n2024-04-01 custom "consent" "S-01" "OWN-0001" "withdrawn"\n  reason: "撤回"\n')
    return SimpleNamespace(root=root, loaded=loaded(root))


def test_affected_units_of_a_rooftop_site_from_the_roster(gate: Path) -> None:
    root = str(gate)
    before = snapshot(gate)
    for args in (["--units", "1-101", "--building", "1"], ["--building", "9"], []):
        code, out = cli("consent", "affected", "--asset", "S-01", *args, "--reason", "顶层", "--date", "2024-04-01",
                        "-L", root)
        assert code == 2 and "fix:" in out, out
    assert snapshot(gate) == before
    code, out = cli("consent", "affected", "--asset", "S-01", "--building", "1", "--reason", "屋顶基站下的顶层住户",
                    "--date", "2024-04-01", "-L", root)
    assert code == 0 and "1-201" in out and "1-101" not in out, out
    r = cond(run(gate, "base-station", affected=[], consents=[]), CONSENTS)
    assert r.verdict == "unmet" and r.facts["affected_units"] == ["1-201"]
    code, out = cli("consent", "affected", "--asset", "S-01", "--building", "1", "--top-floors", "2",
                    "--reason", "两层", "--date", "2024-04-02", "-L", root)
    assert code == 0 and "1-101,1-102,1-201" in out, out
