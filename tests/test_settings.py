"""`assetreg settings show|set`: dated, checked settings, listed with where they came from;
and every reader of a setting takes the value in force on the day of its fact."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import append, snapshot

from assetreg import books
from assetreg.cli import main
from assetreg.ledger import Compound
from assetreg.options import options_from_entries


def run(*args: object) -> tuple[int, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.output


def options_text(root: Path) -> str:
    return (root / "accounts.beancount").read_text(encoding="utf-8")


def test_set_writes_a_dated_checked_entry_and_show_lists_it(empty_compound: Path) -> None:
    code, out = run("settings", "set", "manager-share-max", "25%", "--date", "2024-01-01", "-L", empty_compound)
    assert code == 0, out
    assert "wrote manager-share-max = 0.25 from 2024-01-01 (was 0.3) to accounts.beancount" in out
    assert '2024-01-01 custom "assetreg-option" "manager-share-max" "0.25"' in options_text(empty_compound)
    code, out = run("settings", "show", "--json", "-L", empty_compound, "--date", "2024-06-01")
    assert code == 0, out
    rows = {r["key"]: r for r in json.loads(out)["settings"]}
    share = rows["manager-share-max"]
    line = options_text(empty_compound).splitlines().index(
        '2024-01-01 custom "assetreg-option" "manager-share-max" "0.25"') + 1
    assert (share["value"], share["since"], share["source"], share["default"]) == (
        "0.25", "2024-01-01", f"accounts.beancount:{line}", "0.3")
    assert rows["notice-days"]["source"].startswith("accounts.beancount:")  # written by init
    assert rows["remittance-days"] == {**rows["remittance-days"], "value": "30", "since": None, "source": ""}
    # before the day it took effect, the default is in force
    code, out = run("settings", "show", "--json", "-L", empty_compound, "--date", "2023-12-31")
    early = {r["key"]: r for r in json.loads(out)["settings"]}["manager-share-max"]
    assert early["value"] == "0.3" and early["since"] is None
    assert early["scheduled"] == [{"date": "2024-01-01", "value": "0.25", "source": share["source"]}]
    code, out = run("settings", "show", "-L", empty_compound, "--date", "2024-06-01")
    assert "manager-share-max" in out and f"自 2024-01-01 起，{share['source']}" in out and "默认值" in out


@pytest.mark.parametrize(("key", "value", "written"), [
    ("manager-share-max", "0.30", "0.3"), ("manager-share-max", "３０％", "0.3"), ("maintenance-share-min", "1", "1"),
    ("notice-days", "20天", "20"), ("disclosure-frequency", "季度", "quarter"), ("disclosure-frequency", "month", "month"),
    ("share-basis", "按户", "unit"), ("follow-majority", "是", "true"), ("audit-errors", "billing-arrears, disclosure-overdue",
                                                                     "billing-arrears,disclosure-overdue"),
    ("manager-name", "  淮安景湖物业服务有限公司 ", "淮安景湖物业服务有限公司"),
    ("manager-alias", "景湖物业，淮安景湖物业", "景湖物业,淮安景湖物业"),
    ("counterparty-alias", "淮安市景湖便利店有限公司=景湖便利店，景湖便利", "淮安市景湖便利店有限公司=景湖便利店、景湖便利"),
    ("bank-account", "3201 2345-6789", "320123456789"), ("district", "huaian-qingjiangpu", "huaian-qingjiangpu"),
    ("district-sharing", "仅限本区", "district-only"),
])
def test_values_are_checked_and_written_in_one_form(empty_compound: Path, key: str, value: str, written: str) -> None:
    code, out = run("settings", "set", key, value, "--date", "2021-01-01", "-L", empty_compound)
    assert code == 0, out
    entries = Compound.locate(empty_compound).load()
    assert not entries.errors
    assert entries.options.get(key, dt.date(2021, 1, 1)) == written


@pytest.mark.parametrize(("key", "value", "says"), [
    ("manager-share-max", "1.5", "not a share from 0 to 1"), ("manager-share-max", "-0.1", "not a share"),
    ("manager-share-max", "三成", "not a share"), ("notice-days", "0", "not a number of days"),
    ("notice-days", "7.5", "not a number of days"), ("disclosure-frequency", "weekly", "use one of: 月 (month)"),
    ("share-basis", "owners", "unknown share-basis"), ("audit-errors", "no-such-check", "unknown audit check"),
    ("manager-name", "淮安\n景湖物业", "line break"), ("manager-name", '景湖"物业', "a name never has"),
    ("manager-name", "<script>x</script>", "a name never has"), ("compound-name", "a\tb", "control character"),
    ("bank-account", "12ab", "not a bank account number"), ("district", "atlantis", "no policy set 'atlantis'"),
    ("nonsense", "1", "unknown setting 'nonsense'"),
])
def test_bad_values_are_refused_and_nothing_is_written(empty_compound: Path, key: str, value: str, says: str) -> None:
    before = snapshot(empty_compound)
    code, out = run("settings", "set", "-L", empty_compound, "--", key, value)
    assert code == 2 and says in out, out
    assert "fix:" in out
    assert snapshot(empty_compound) == before


def test_unknown_key_lists_the_known_ones(empty_compound: Path) -> None:
    code, out = run("settings", "set", "notice_days", "7", "-L", empty_compound)
    assert code == 2 and "notice-days (确权公示天数)" in out and "manager-name (物业公司名称)" in out


def test_same_value_writes_nothing_and_a_later_entry_is_pointed_out(empty_compound: Path) -> None:
    before = snapshot(empty_compound)
    code, out = run("settings", "set", "notice-days", "15", "--date", "2022-01-01", "-L", empty_compound)
    assert code == 0 and "already 15" in out and "nothing written" in out
    assert snapshot(empty_compound) == before
    assert run("settings", "set", "notice-days", "10", "--date", "2025-01-01", "-L", empty_compound)[0] == 0
    code, out = run("settings", "set", "notice-days", "20", "--date", "2024-01-01", "-L", empty_compound)
    assert code == 0 and "sets notice-days = 10 from 2025-01-01, which still applies" in out


def test_a_day_inside_a_sealed_period_is_refused(empty_compound: Path) -> None:
    assert run("seal", "--through", "2024-12-31", "--date", "2025-01-05", "-L", empty_compound)[0] == 0
    before = snapshot(empty_compound)
    code, out = run("settings", "set", "notice-days", "7", "--date", "2024-06-01", "-L", empty_compound)
    assert code == 2 and "sealed through 2024-12-31" in out
    assert snapshot(empty_compound) == before
    assert run("settings", "set", "notice-days", "7", "--date", "2025-01-06", "-L", empty_compound)[0] == 0


def test_show_flags_unknown_names_and_values_that_do_not_pass(empty_compound: Path) -> None:
    append(empty_compound / "accounts.beancount",
           '\n2020-01-01 custom "assetreg-option" "notice-dayz" "7"\n'
           '2020-01-01 custom "assetreg-option" "manager-share-max" "30%"\n')
    code, out = run("settings", "show", "-L", empty_compound)
    assert code == 0, out
    assert "unknown setting 'notice-dayz'" in out and "accounts.beancount:" in out
    assert "would write '0.3'" in out


# ------------------------------------------------------------------ as of a day


def test_options_are_read_as_of_a_day(empty_compound: Path) -> None:
    append(empty_compound / "accounts.beancount",
           '\n2025-01-01 custom "assetreg-option" "notice-days" "7"\n'
           '2023-01-01 custom "assetreg-option" "notice-days" "10"\n')
    opts = Compound.locate(empty_compound).load().options
    assert opts.get("notice-days", dt.date(2022, 12, 31)) == "15"
    assert opts.get("notice-days", dt.date(2023, 1, 1)) == "10"
    assert opts.get("notice-days", dt.date(2024, 12, 31)) == "10"
    assert opts.get("notice-days", dt.date(2025, 1, 1)) == "7"
    assert opts.get("remittance-days", dt.date(2000, 1, 1)) == "30"  # the default
    # Entries in any order: the date decides, not the position in the file.
    assert options_from_entries(reversed(Compound.locate(empty_compound).load().entries)).get(
        "notice-days", dt.date(2024, 6, 1)) == "10"


def test_a_later_notice_window_does_not_govern_an_earlier_notice(small_compound: Path) -> None:
    assert run("settings", "set", "notice-days", "7", "--date", "2025-01-01", "-L", small_compound)[0] == 0
    assert run("asset", "notice", "AD-001", "--date", "2024-06-01", "-L", small_compound)[0] == 0
    text = (small_compound / "registry.beancount").read_text(encoding="utf-8")
    assert "days: 15" in text.split('"AD-001" "noticed"')[1][:60]


def test_manager_share_cap_applies_from_its_day(small_compound: Path) -> None:
    """The audit's manager-cost check: a 25% cost in 2024 is within the 30% default; the 20%
    cap set from 2025 makes the same share a finding only for 2025 income."""
    append(small_compound / "journal.beancount", """
2024-06-30 * "物业服务公司" "2024-06 停车位 P-001"
  asset: "P-001"
  Assets:Receivable:物业代收        75.00 CNY
  Expenses:Manager:物业经营成本       25.00 CNY
  Income:Common:停车位            -100.00 CNY

2025-06-30 * "物业服务公司" "2025-06 停车位 P-001"
  asset: "P-001"
  Assets:Receivable:物业代收        75.00 CNY
  Expenses:Manager:物业经营成本       25.00 CNY
  Income:Common:停车位            -100.00 CNY
""")
    assert run("settings", "set", "manager-share-max", "20%", "--date", "2025-01-01", "-L", small_compound)[0] == 0
    from assetreg.audit import run_checks

    loaded = Compound.locate(small_compound).load()
    found = [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 7, 1))
             if f.check == "manager-cost"]
    assert [f.message.split("物业于 ")[1][:10] for f in found] == ["2025-06-30"], [f.message for f in found]


def test_the_disclosure_frequency_changes_with_the_next_period(small_compound: Path) -> None:
    append(small_compound / "journal.beancount", """
2024-02-10 * "物业服务公司" "停车"
  asset: "P-001"
  Assets:Receivable:物业代收        100.00 CNY
  Income:Common:停车位            -100.00 CNY
""")
    assert run("settings", "set", "disclosure-frequency", "quarter", "--date", "2025-01-01", "-L", small_compound)[0] == 0
    _code, out = run("audit", "--json", "--as-of", "2025-06-01", "-L", small_compound)
    due = sorted(f["facts"]["period"] for f in json.loads(out)["findings"] if f["check"] == "disclosure-overdue")
    # half-years in 2024, then quarters: 2025Q1 is due by 2025-04-30
    assert due == ["2024H1", "2024H2", "2025Q1"], due


def test_books_share_basis_is_read_on_the_day(small_compound: Path) -> None:
    assert run("settings", "set", "share-basis", "unit", "--date", "2025-01-01", "-L", small_compound)[0] == 0
    b = books.build(Compound.locate(small_compound).load().entries)
    assert b.share_basis_on(dt.date(2024, 12, 31)) == "area" and b.share_basis_on(dt.date(2025, 1, 1)) == "unit"
    assert set(b.unit_weights(dt.date(2024, 12, 31)).values()) != {1}
    assert set(b.unit_weights(dt.date(2025, 1, 1)).values()) == {1}
