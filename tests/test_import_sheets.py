"""Roster, asset register, the property company's income report and the contracts sheet."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner
from conftest import append, snapshot
from test_import_bank import contract_text
from test_policy_support import gate_root, mapping

from assetreg.cli import main
from assetreg.contracts import contracts_from_entries
from assetreg.registry import registry_from_entries
from assetreg.units import roster_from_entries
from importers.testing import write_xlsx


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def load(root: Path) -> list:
    entries, errors, _ = loader.load_file(str(root / "main.beancount"))
    assert not errors, [e.message for e in errors]
    return entries


def bean_check(root: Path) -> None:
    r = subprocess.run(["bean-check", str(root / "main.beancount")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


# ---------------------------------------------------------------- roster

ROSTER = [
    ["景湖花园 业主名册（专有部分）"],
    ["制表：业委会  2024年1月"],
    [" 房号 ", "楼 号", "专有部分面积(㎡)", "业主编号", "开发商未售", "登记日期"],
    ["３-1-502", 3, 89.46, "OWN-0417", "否", "2024/1/5"],
    ["3-1-601", "3", "1,05.5", "OWN-0418", None, dt.datetime(2024, 1, 5)],
    [],
    ["3-2-101", "３", "120", "DEV-0000", "是", "2024年1月5日"],
    ["合计", None, 315.0],
]


def test_roster_import_and_reimport(empty_compound: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "roster.xlsx", ROSTER, merges=["A1:F1"])
    res = run("import", xlsx, "-L", empty_compound)
    assert res.exit_code == 0, res.output
    roster = roster_from_entries(load(empty_compound))
    assert {u.number: (u.building, str(u.area), u.owner, u.unsold) for u in roster.units.values()} == {
        "3-1-502": ("3", "89.46", "OWN-0417", False),
        "3-1-601": ("3", "105.5", "OWN-0418", False),
        "3-2-101": ("3", "120", "DEV-0000", True),
    }
    assert all(u.date == dt.date(2024, 1, 5) for u in roster.units.values())
    before = snapshot(empty_compound)
    res = run("import", xlsx, "-L", empty_compound)
    assert res.exit_code == 0 and "3 row(s) already in the ledger" in res.output
    assert snapshot(empty_compound) == before


def test_roster_refuses_names_and_phones_and_lists_every_error(empty_compound: Path, tmp_path: Path) -> None:
    rows = [["房号", "楼栋", "专有部分面积", "业主编号", "开发商未售"],
            ["1-101", "1", "90", "张三", "否"],
            ["1-102", "1", "-3", "OWN-0002", "否"],
            ["1-103", "1", "80", "13912345678", "也许"],
            ["1-104", "1", "80", "OWN-0004", "否"]]
    xlsx = write_xlsx(tmp_path / "r.xlsx", rows, title="名册")
    before = snapshot(empty_compound)
    res = run("import", xlsx, "-L", empty_compound)
    assert res.exit_code == 2
    assert f"{xlsx}:名册:2:D(业主编号): malformed owner key '张三'" in res.output
    assert f"{xlsx}:名册:3:C(专有部分面积): area must be positive" in res.output
    assert f"{xlsx}:名册:4:D(业主编号): owner key '13912345678' looks like a phone number" in res.output
    assert f"{xlsx}:名册:4:E(开发商未售): not yes or no: '也许' (expected 是 or 否)" in res.output
    assert "4 errors" in res.output
    assert snapshot(empty_compound) == before


# ---------------------------------------------------------------- asset register

REGISTER = [
    ["共有资产登记表"],
    ["资产编号", "资产类型", "位置", "描述", "规模", "权属依据", "所在区域", "登记日期"],
    ["P-101", "停车位", "2号楼西侧道路", "地面车位", "1个", "民法典第275条", "小区道路", "2024-02-01"],
    ["AD-101", "advertising", "2号楼电梯", None, None, None, "lift", "2024-02-01"],
    ["R-101", "用房", "会所一层", None, "80㎡", "民法典第274条", "公共场地，规划公共服务设施", "2024-02-01"],
]


def test_register_import_writes_registered_events(small_compound: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "reg.xlsx", REGISTER, merges=["A1:H1"])
    res = run("import", xlsx, "-L", small_compound)
    assert res.exit_code == 0, res.output
    reg = registry_from_entries(load(small_compound))
    assert reg.assets["P-101"].status == "registered"
    assert reg.assets["R-101"].facts["zones"] == "open-space,public-facility"
    assert reg.assets["AD-101"].kind == "advertising"
    text = (small_compound / "registry.beancount").read_text(encoding="utf-8")
    assert 'custom "asset" "P-101" "registered"\n  kind: "parking"\n  location: "2号楼西侧道路"' in text
    assert run("import", xlsx, "-L", small_compound).output.count("3 row(s) already") == 1


def test_register_refuses_existing_id_and_bad_kind(small_compound: Path, tmp_path: Path) -> None:
    rows = [REGISTER[1], ["P-001", "停车位", "别处", None, None, None, None, "2024-02-01"],
            ["X1", "游泳池", "屋顶", None, None, None, "天台", "2024-02-01"]]
    xlsx = write_xlsx(tmp_path / "reg.xlsx", rows, title="登记")
    before = snapshot(small_compound)
    res = run("import", xlsx, "-L", small_compound)
    assert res.exit_code == 2
    assert ":登记:2:A(资产编号): asset P-001 is already registered" in res.output
    assert ":登记:3:A(资产编号): malformed asset id 'X1'" in res.output
    assert ":登记:3:B(资产类型): unknown asset kind '游泳池'" in res.output
    assert ":登记:3:G(所在区域): unknown zone '天台'" in res.output
    assert snapshot(small_compound) == before


# ---------------------------------------------------------------- income report


@pytest.fixture
def with_contract(small_compound: Path) -> Path:
    append(small_compound / "contracts.beancount", contract_text())
    return small_compound


def income_rows(*rows: list) -> list:
    return [["物业服务公司 2024年公共收益明细"], ["期间", "资产编号", "合同编号", "项目", "收入总额", "扣除成本", "应付业主"],
            *rows, ["合计"]]


def test_income_report_books_gross_cost_and_net(with_contract: Path, tmp_path: Path) -> None:
    rows = income_rows(["2024-03", "P-001", "C-2024-009", "停车", 150.0, "45", "105.00"],
                       ["2024年4月", "P-001", None, "停车", "150", 45.0, 105.0],
                       ["2024-04", "P-001", None, "停车", "150", 45.0, 105.0])  # identical rows stay two
    xlsx = write_xlsx(tmp_path / "inc.xlsx", rows, merges=["A1:G1"])
    res = run("import", xlsx, "-L", with_contract)
    assert res.exit_code == 0, res.output
    bean_check(with_contract)
    txns = [e for e in load(with_contract) if isinstance(e, data.Transaction)]
    assert len(txns) == 3
    t = txns[0]
    assert (t.date, t.payee, t.narration) == (dt.date(2024, 3, 31), "物业服务公司", "2024-03 停车位 P-001 公共收益")
    assert (t.meta["asset"], t.meta["contract"], t.meta["period"]) == ("P-001", "C-2024-009", "2024-03")
    assert [(p.account, str(p.units.number)) for p in t.postings] == [
        ("Assets:Receivable:物业代收", "105.00"), ("Expenses:Manager:物业经营成本", "45.00"),
        ("Income:Common:停车位", "-150.00")]
    assert len({t.meta["import_id"] for t in txns}) == 3
    before = snapshot(with_contract)
    assert "0 entries written, 3 row(s)" in run("import", xlsx, "-L", with_contract).output
    assert snapshot(with_contract) == before


def test_income_report_uses_manager_name_option(with_contract: Path, tmp_path: Path) -> None:
    append(with_contract / "accounts.beancount", '2020-01-01 custom "assetreg-option" "manager-name" "淮安景湖物业服务有限公司"\n')
    xlsx = write_xlsx(tmp_path / "inc.xlsx", income_rows(["2024-03", "P-001", "C-2024-009", "", 150, 45, 105]))
    assert run("import", xlsx, "-L", with_contract).exit_code == 0
    assert '* "淮安景湖物业服务有限公司" "2024-03 停车位 P-001 公共收益"' in (with_contract / "journal.beancount").read_text(encoding="utf-8")


def test_income_report_errors(with_contract: Path, tmp_path: Path) -> None:
    rows = income_rows(["2024-03", "P-001", "C-2024-009", "", 150, 45, 100],   # net ≠ gross − cost
                       ["2024-03", "AD-001", "C-2024-009", "", 150, 45, 105],   # not covered by the contract
                       ["2024-13", "P-001", "C-2024-009", "", 150, 45, 105],    # no such month
                       ["2024-03", "P-999", "", "", 150, 45, 105],              # unknown asset
                       ["2023-12", "P-001", "C-2024-009", "", 150, 45, 105],    # before confirmation
                       ["2024-03", "P-001", "C-2024-777", "", 150, 45, 105])    # unknown contract
    xlsx = write_xlsx(tmp_path / "inc.xlsx", rows, title="月报")
    before = snapshot(with_contract)
    res = run("import", xlsx, "-L", with_contract)
    assert res.exit_code == 2
    out = res.output
    assert ":月报:3:G(应付业主): net 100.00 is not gross 150.00 − cost 45.00 = 105.00" in out
    assert ":月报:4:B(资产编号): AD-001 not covered by contract C-2024-009" in out
    assert ":月报:5:A(期间): no such month" in out
    assert ":月报:6:B(资产编号): malformed asset id" not in out and ":月报:6:" in out
    assert ":月报:7:B(资产编号): asset P-001 is not confirmed on 2023-12-31" in out
    assert ":月报:8:C(合同编号): unknown contract C-2024-777" in out
    assert snapshot(with_contract) == before


def test_income_outside_the_contract_term_is_a_book_error(with_contract: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "inc.xlsx", income_rows(["2025-03", "P-001", "C-2024-009", "", 150, 45, 105]))
    before = snapshot(with_contract)
    res = run("import", xlsx, "-L", with_contract)
    assert res.exit_code == 2
    assert ":3:(row): [income-no-contract]" in res.output
    assert snapshot(with_contract) == before


# ---------------------------------------------------------------- contracts sheet

CONTRACT_HEADER = ["合同编号", "资产编号", "用途", "对方", "对方类型", "签订日期", "起始日期", "终止日期", "每期金额",
                   "计费周期", "押金", "物业成本比例", "决议编号", "公示开始", "公示结束", "同意业主", "受影响业主", "排队业主数"]


def contract_row(**over: object) -> list:
    m = mapping(**over)  # a proposal the default policy set permits
    m = {**m, "assets": ",".join(m["assets"]), "consents": ",".join(m["consents"]),
         "affected": ",".join(m["affected"])}
    keys = ["id", "assets", "use", "counterparty", "counterparty_kind", "signed", "start", "end", "price", "period",
            "deposit", "manager_share", "resolution", "notice_start", "notice_end", "consents", "affected",
            "owners_waiting"]
    labels = {"owner": "业主", "organisation": "单位", "month": "月"}
    return [labels.get(str(m.get(k)), m.get(k)) for k in keys]


def test_contracts_sheet_goes_through_the_gate(small_compound: Path, tmp_path: Path) -> None:
    root = gate_root(small_compound)
    rows = [["经营合同台账"], CONTRACT_HEADER, contract_row(), contract_row(id="C-2024-101", use="advertising-lift", price="1,200.00", manager_share="30%")]
    xlsx = write_xlsx(tmp_path / "c.xlsx", rows, merges=["A1:R1"])
    res = run("import", xlsx, "-L", root)
    assert res.exit_code == 0, res.output
    contracts = contracts_from_entries(load(root))
    assert contracts["C-2024-100"].meta["decision"] == "permitted"
    assert str(contracts["C-2024-101"].price) == "1200.00"
    assert str(contracts["C-2024-101"].manager_share) == "0.3"
    before = snapshot(root)
    res = run("import", xlsx, "-L", root)
    assert res.exit_code == 0 and "2 row(s) already in the ledger" in res.output
    assert snapshot(root) == before


def test_a_denied_contract_row_is_an_error_of_the_file(small_compound: Path, tmp_path: Path) -> None:
    root = gate_root(small_compound)
    rows = [CONTRACT_HEADER, contract_row(), contract_row(id="C-2024-102", use="storage")]
    xlsx = write_xlsx(tmp_path / "c.xlsx", rows, title="合同")
    before = snapshot(root)
    res = run("import", xlsx, "-L", root)
    assert res.exit_code == 2
    assert ":合同:3:A(合同编号): contract C-2024-102 is" in res.output
    assert snapshot(root) == before  # not even the permitted row, nor a decisions-log entry


def test_kind_option_and_unknown_headers(empty_compound: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "roster.xlsx", ROSTER)
    res = run("import", xlsx, "-L", empty_compound, "--kind", "bank")
    assert res.exit_code == 2 and "no sheet has the headers of a known kind" in res.output
    res = run("import", xlsx, "-L", empty_compound, "--kind", "nonsense")
    assert res.exit_code == 2 and "unknown --kind" in res.output
    res = run("import", xlsx, "-L", empty_compound, "--kind", "roster", "--dry-run")
    assert res.exit_code == 0 and "3 entries would be written to units.beancount" in res.output
    other = write_xlsx(tmp_path / "other.xlsx", [["姓名", "电话"], ["张三", "13912345678"]], title="通讯录")
    res = run("import", other, "-L", empty_compound)
    assert res.exit_code == 2
    assert "sheet '通讯录' row 1: 姓名 | 电话" in res.output and "roster (业主名册（专有部分）): 房号, 专有部分面积" in res.output
    assert "--bank-config" in res.output


def test_income_booked_by_hand_is_not_booked_again(with_contract: Path, tmp_path: Path) -> None:
    append(with_contract / "journal.beancount", """
2024-03-31 * "物业服务公司" "2024-03 停车费"
  asset: "P-001"
  contract: "C-2024-009"
  period: "2024-03"
  Assets:Receivable:物业代收   150.00 CNY
  Income:Common:停车位       -150.00 CNY
""")
    xlsx = write_xlsx(tmp_path / "inc.xlsx", income_rows(["2024-03", "P-001", "C-2024-009", "", 150, 45, 105]), title="月报")
    before = snapshot(with_contract)
    res = run("import", xlsx, "-L", with_contract)
    assert res.exit_code == 2
    assert ":月报:3:A(期间): income of C-2024-009 for 2024-03 on P-001 is already booked, not by an import" in res.output
    assert snapshot(with_contract) == before
