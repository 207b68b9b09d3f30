"""assetreg.disclosure pinned exactly, function by function (for mutation testing).

Every figure, row, label, message and workbook cell is compared whole: amounts to the
cent, each unit's exact share and its rounded share, the period's first and last day in
and the day before and after out, refused inputs with their exact problem and fix.
Everything runs in process on small ledgers built from the fixtures of conftest.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import segno
from beancount.core import data
from beancount.core.amount import Amount
from conftest import append
from openpyxl import load_workbook
from test_audit import RESOLUTION, contract_text, full_year, income
from test_disclosure import ALLOCATION, REJECTED

from assetreg import charts, disclosure, periods
from assetreg.audit.findings import Finding
from assetreg.disclosure import UNNAMED, Disclosure, Line
from assetreg.errors import BadInput
from assetreg.ledger import Compound, Loaded, custom

D = Decimal
H1 = periods.parse("2024H1")
MARCH = periods.parse("2024-03")


def load(root: Path, *, contracts: str = "", journal: str = "", decisions: str = "", options: str = "",
         units: str = "") -> Loaded:
    if contracts:
        append(root / "contracts.beancount", contracts)
    if journal:
        append(root / "journal.beancount", journal)
    if decisions:
        append(root / "decisions.beancount", decisions)
    if options:
        append(root / "accounts.beancount", options)
    if units:
        append(root / "units.beancount", units)
    return Compound.locate(root).load()


def build(loaded: Loaded, period: str | periods.Period, **kw: Any) -> Disclosure:
    kw.setdefault("findings", [])
    return disclosure.build(list(loaded.entries), period, loaded.options_map, **kw)


def option(name: str, value: str, day: str = "2020-01-01") -> str:
    return f'\n{day} custom "assetreg-option" "{name}" "{value}"\n'


def cost_only(day: str, amount: str) -> str:
    return (f'\n{day} * "景湖物业" "其他成本"\n  Expenses:Manager:物业经营成本  {amount} CNY\n'
            f"  Assets:Bank:共有资金专户  -{amount} CNY\n")


def allocation(day: str, amount: str, resolution: str | None,
               account: str = "Expenses:Allocation:业委会工作经费") -> str:
    meta = f'  resolution: "{resolution}"\n' if resolution else ""
    return (f'\n{day} * "业委会" "划转{amount}"\n{meta}  {account}  {amount} CNY\n'
            f"  Assets:Bank:共有资金专户  -{amount} CNY\n")


def decision(day: str, pid: str, verdict: str | None, use: str = "weird-use") -> str:
    head = f'\n{day} custom "decision" "{pid}"' + (f' "{verdict}"' if verdict else "")
    return (head + f'\n  use: "{use}"\n  assets: "R-1"\n  counterparty: "某公司"\n  rules: "N-X"\n'
            '  reasons: "理由"\n')


def resolution(day: str, rid: str, passed: bool) -> str:
    return (f'\n{day} custom "resolution" "{rid}"\n  matter: 9\n  passed: {"TRUE" if passed else "FALSE"}\n'
            f'  title: "标题{rid}"\n')


def contract(cid: str, start: str, end: str, **kw: Any) -> str:
    return contract_text(cid, start=start, end=end, **kw)


def with_kind(text: str, kind: str, counterparty: str) -> str:
    """A contract text with another counterparty (the hash no longer matches: the gate fails)."""
    return (text.replace('counterparty_kind: "owner"', f'counterparty_kind: "{kind}"')
            .replace('counterparty: "OWN-0001"', f'counterparty: "{counterparty}"'))


# ------------------------------------------------------------------ the published half year

@pytest.fixture
def books(small_compound: Path) -> Loaded:
    """The ledger of tests/test_disclosure.py: six months of 150.00 at 30% cost from
    February 2024, 300.00 allocated on 2024-06-20, one proposal rejected."""
    return load(small_compound, contracts=RESOLUTION + contract_text(), journal=full_year() + ALLOCATION,
                decisions=REJECTED)


@pytest.fixture
def half(books: Loaded) -> Disclosure:
    return build(books, "2024H1", as_of=dt.date(2024, 7, 10))


CONTRACT_ROW = {
    "id": "C-2024-001", "assets": "P-001", "use": "parking-owner", "n_assets": 1,
    "use_label": "停车位出租（业主）", "counterparty": "OWN-0001",
    "start": dt.date(2024, 2, 1), "end": dt.date(2024, 7, 31), "counterparty_public": "本小区业主",
    "income": D("750.00"), "ok": True, "price": D("150.00"), "period": "month", "resolution": "R-2023-01",
    "decision": "permitted", "rules": "G-PARKING-OWNER", "policy_set": "huaian-qingjiangpu",
    "gate": "通过", "decision_label": "准许",
}

UNIT_ROWS_H1 = [
    {"unit": "1-101", "building": "1", "area": D("90.00"), "exact": "189/2", "share": D("94.50")},
    {"unit": "1-102", "building": "1", "area": D("110.00"), "exact": "231/2", "share": D("115.50")},
    {"unit": "1-201", "building": "1", "area": D("100.00"), "exact": "105", "share": D("105.00")},
    {"unit": "2-101", "building": "2", "area": D("120.00"), "exact": "126", "share": D("126.00")},
    {"unit": "2-102", "building": "2", "area": D("80.00"), "exact": "84", "share": D("84.00")},
]

SUMMARY_H1 = {
    "period": "2024H1", "start": "2024-01-01", "end": "2024-06-30", "gross": "750.00", "cost": "225.00",
    "net": "525.00", "allocated": "300.00", "units": 5, "share_basis": "area", "shares_total": "525.0",
}


def test_half_year_every_field(half: Disclosure, books: Loaded) -> None:
    d = half
    assert d.period == H1 and d.compound == "测试小区"
    assert (d.gross, d.cost, d.net, d.allocated) == (D("750.00"), D("225.00"), D("525.00"), D("300.00"))
    assert d.by_kind == {"停车位": Line(D("750.00"), D("225.00"))}
    assert d.by_asset == {"P-001": Line(D("750.00"), D("225.00"))}
    assert d.asset_kinds == {"AD-001": "广告位", "P-001": "停车位"}
    assert d.allocations == [{
        "date": dt.date(2024, 6, 20), "account": "Expenses:Allocation:补充维修资金", "label": "补充维修资金",
        "amount": D("300.00"), "resolution": "R-2023-02", "resolution_title": "关于公共收益分配的决定",
        "narration": "2024年上半年净收益补充维修资金"}]
    assert d.allocated_by_account() == {"Expenses:Allocation:补充维修资金": D("300.00")}
    assert d.contracts == [CONTRACT_ROW]
    assert d.resolutions == []  # adopted in December 2023
    assert d.rejected == [{
        "id": "P-2024-007", "date": dt.date(2024, 3, 10), "verdict": "forbidden", "verdict_label": "禁止（负面清单）",
        "use": "storage", "use_label": "仓储", "assets": "R-09", "counterparty": "某仓储公司",
        "rules": "N-HAZARDOUS-STORAGE", "reasons": "地下室存放易燃物品属负面清单"}]
    assert d.findings == []
    assert d.share_basis == "area" and d.total_area == Fraction(500)
    assert d.units == UNIT_ROWS_H1
    assert d.shares == {"1-101": D("94.50"), "1-102": D("115.50"), "1-201": D("105.00"), "2-101": D("126.00"),
                        "2-102": D("84.00")}
    assert d.root == str(Path(books.options_map["filename"]).parent)
    assert (d.public_url, d.objection_days) == ("", 15)
    # six income lines to the end of June (February to June, and the allocation), none with a voucher
    assert (d.lines, d.vouchered) == (6, 0)
    # 525.00 net to 30 June, 300.00 of it allocated
    assert d.undistributed == D("225.00")


def test_summary_and_digest_exactly(half: Disclosure) -> None:
    assert half.summary() == SUMMARY_H1
    blob = ('{"shares": {"1-101": "94.5", "1-102": "115.5", "1-201": "105", "2-101": "126", "2-102": "84"}, '
            '"summary": {"allocated": "300.00", "cost": "225.00", "end": "2024-06-30", "gross": "750.00", '
            '"net": "525.00", "period": "2024H1", "share_basis": "area", "shares_total": "525.0", '
            '"start": "2024-01-01", "units": 5}}')
    assert half.digest() == "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()
    # text outside ASCII is hashed as itself (ensure_ascii=False), not as \\u escapes
    d = dataclasses.replace(half, shares={"甲-1": D("1.00")}, share_basis="unit")
    blob = ('{"shares": {"甲-1": "1.00"}, "summary": {"allocated": "300.00", "cost": "225.00", '
            '"end": "2024-06-30", "gross": "750.00", "net": "525.00", "period": "2024H1", '
            '"share_basis": "unit", "shares_total": "1.00", "start": "2024-01-01", "units": 1}}')
    assert d.digest() == "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def test_period_given_as_a_period_or_in_chinese_is_the_same(books: Loaded, half: Disclosure) -> None:
    assert build(books, H1, as_of=dt.date(2024, 7, 10)) == half
    assert build(books, "2024年上半年", as_of=dt.date(2024, 7, 10)) == half


def test_unit_share_looks_up_the_unit_written_loosely(half: Disclosure) -> None:
    assert half.unit_share("1-101") == D("94.50")
    assert half.unit_share("  2-102\t") == D("84.00")
    d = dataclasses.replace(half, shares={"B1-1": D("7.00")})
    assert d.unit_share("b1-1") == D("7.00")
    with pytest.raises(BadInput) as e:
        half.unit_share("9-999")
    assert e.value.problem == "unit '9-999' is not in the roster for 2024H1"
    assert e.value.fix == "check the unit number against `assetreg unit list`"


def test_allocated_and_by_account_add_per_account(half: Disclosure) -> None:
    allocs = [{"account": "Expenses:Allocation:甲", "amount": D("1.10")},
              {"account": "Expenses:Allocation:乙", "amount": D("2.00")},
              {"account": "Expenses:Allocation:甲", "amount": D("0.05")}]
    d = dataclasses.replace(half, allocations=allocs)
    assert d.allocated == D("3.15")
    assert d.allocated_by_account() == {"Expenses:Allocation:甲": D("1.15"), "Expenses:Allocation:乙": D("2.00")}
    assert list(d.allocated_by_account()) == ["Expenses:Allocation:甲", "Expenses:Allocation:乙"]
    empty = dataclasses.replace(half, allocations=[])
    assert empty.allocated == D("0") and isinstance(empty.allocated, Decimal)
    assert empty.allocated_by_account() == {}


def test_line_net() -> None:
    assert Line().net == D("0") and Line(D("10.50"), D("3.25")).net == D("7.25")
    assert Line(D("1"), D("3")).net == D("-2")


# ------------------------------------------------------------------ period edges


@pytest.fixture
def march(small_compound: Path) -> Loaded:
    """Income, cost, allocations, decisions, resolutions and contracts on 29 February,
    1 March, 31 March and 1 April 2024; only the middle two are in March."""
    contracts = RESOLUTION + contract("C-1", "2024-01-01", "2024-12-31")
    contracts += contract("C-IN-START", "2024-03-31", "2024-12-31") + contract("C-OUT-START", "2024-04-01", "2024-12-31")
    contracts += contract("C-IN-END", "2023-01-01", "2024-03-01") + contract("C-OUT-END", "2023-01-01", "2024-02-29")
    contracts += (contract("C-EARLY", "2024-01-01", "2024-12-31")
                  + '\n2024-03-01 custom "contract" "C-EARLY" "ended"\n  reason: "提前解约"\n')
    contracts += ('\n2024-01-25 custom "contract" "C-NOEND" "recorded"\n  assets: "P-001"\n'
                  '  use: "parking-owner"\n  start: 2024-01-01\n  decision: "permitted"\n')
    for day, rid, passed in [("2024-02-29", "R-OUT1", True), ("2024-03-31", "R-B", True),
                             ("2024-03-31", "R-A", False), ("2024-03-01", "R-Z", True),
                             ("2024-04-01", "R-OUT2", True)]:
        contracts += resolution(day, rid, passed)
    journal = ""
    for day, g, c in [("2024-02-29", "1.00", "0.30"), ("2024-03-01", "10.00", "3.00"),
                      ("2024-03-31", "100.00", "30.00"), ("2024-04-01", "1000.00", "300.00")]:
        journal += income(day, day[:7], gross=g, cost=c, contract="C-1")
    for day, a in [("2024-02-29", "0.01"), ("2024-03-01", "0.02"), ("2024-03-31", "0.04"), ("2024-04-01", "0.08")]:
        journal += cost_only(day, a)
    for day, a, r in [("2024-02-29", "1.00", "R-2023-02"), ("2024-03-01", "2.00", None),
                      ("2024-03-31", "4.00", "R-9999"), ("2024-04-01", "8.00", "R-2023-02")]:
        journal += allocation(day, a, r)
    decisions = "".join(decision(day, pid, v) for day, v, pid in [
        ("2024-02-29", "forbidden", "P-A"), ("2024-03-01", "forbidden", "P-B"),
        ("2024-03-31", "not-permitted", "P-C"), ("2024-04-01", "forbidden", "P-D"),
        ("2024-03-15", "permitted", "P-E")]) + decision("2024-03-15", "P-F", None)
    return load(small_compound, contracts=contracts, journal=journal, decisions=decisions)


def test_period_edges_income_cost_and_unnamed_cost(march: Loaded) -> None:
    d = build(march, "2024-03")
    assert d.period == MARCH
    # 10.00 + 100.00 on 1 and 31 March; 3.00 + 30.00 deducted with them, 0.02 + 0.04 apart
    assert (d.gross, d.cost, d.net) == (D("110.00"), D("33.06"), D("76.94"))
    assert d.by_asset == {UNNAMED: Line(D("0"), D("0.06")), "P-001": Line(D("110.00"), D("33.00"))}
    assert list(d.by_asset) == [UNNAMED, "P-001"]  # sorted
    assert d.by_kind == {"停车位": Line(D("110.00"), D("33.00")), UNNAMED: Line(D("0"), D("0.06"))}
    assert UNNAMED == "(未注明资产)"


def test_period_edges_allocations(march: Loaded) -> None:
    d = build(march, "2024-03")
    assert d.allocations == [
        {"date": dt.date(2024, 3, 1), "account": "Expenses:Allocation:业委会工作经费", "label": "业委会工作经费",
         "amount": D("2.00"), "resolution": "", "resolution_title": "", "narration": "划转2.00"},
        {"date": dt.date(2024, 3, 31), "account": "Expenses:Allocation:业委会工作经费", "label": "业委会工作经费",
         "amount": D("4.00"), "resolution": "R-9999", "resolution_title": "", "narration": "划转4.00"},
    ]
    assert d.allocated == D("6.00")
    # to 31 March: 111.00 income, 33.37 cost, 7.00 allocated
    assert d.undistributed == D("70.63")
    # the two incomes and the two allocations of March
    assert (d.lines, d.vouchered) == (4, 0)


def test_period_edges_contracts(march: Loaded) -> None:
    d = build(march, "2024-03")
    # starts on the last day: in; the day after: out; ends on the first day: in; the day
    # before: out; ended early on 1 March (last day in force 29 February): out; no end: left out
    assert [c["id"] for c in d.contracts] == ["C-1", "C-IN-END", "C-IN-START"]
    c1, in_end, in_start = d.contracts
    assert c1 == {**CONTRACT_ROW, "id": "C-1", "start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31),
                  "income": D("110.00")}
    assert (in_end["start"], in_end["end"], in_end["income"]) == (dt.date(2023, 1, 1), dt.date(2024, 3, 1), D("0"))
    assert (in_start["start"], in_start["end"]) == (dt.date(2024, 3, 31), dt.date(2024, 12, 31))
    # the early end is the end shown
    feb = build(march, "2024-02")
    early = next(c for c in feb.contracts if c["id"] == "C-EARLY")
    assert early["end"] == dt.date(2024, 2, 29)
    assert [c["id"] for c in feb.contracts] == ["C-1", "C-EARLY", "C-IN-END", "C-OUT-END"]
    assert next(c for c in feb.contracts if c["id"] == "C-1")["income"] == D("1.00")


def test_period_edges_resolutions_in_date_then_id_order(march: Loaded) -> None:
    d = build(march, "2024-03")
    assert d.resolutions == [
        {"id": "R-Z", "date": dt.date(2024, 3, 1), "title": "标题R-Z", "matter": 9, "passed": "通过"},
        {"id": "R-A", "date": dt.date(2024, 3, 31), "title": "标题R-A", "matter": 9, "passed": "未通过"},
        {"id": "R-B", "date": dt.date(2024, 3, 31), "title": "标题R-B", "matter": 9, "passed": "通过"},
    ]


def test_period_edges_rejected_proposals(march: Loaded) -> None:
    d = build(march, "2024-03")
    common = {"use": "weird-use", "use_label": "weird-use", "assets": "R-1", "counterparty": "某公司",
              "rules": "N-X", "reasons": "理由"}
    # permitted (P-E) and a decision without a verdict (P-F) are not rejections
    assert d.rejected == [
        {"id": "P-B", "date": dt.date(2024, 3, 1), "verdict": "forbidden", "verdict_label": "禁止（负面清单）", **common},
        {"id": "P-C", "date": dt.date(2024, 3, 31), "verdict": "not-permitted", "verdict_label": "不予准许", **common},
    ]


# ------------------------------------------------------------------ contracts: who is named, the gate


def contract_of(cid: str, kind: str, counterparty: str, decision: str | None = "permitted",
                use: str = "parking-owner") -> str:
    """A contract whose content hash matches its terms, with any counterparty kind and decision."""
    from assetreg.contracts import content_hash

    terms = {"assets": "P-001,AD-001", "use": use, "counterparty": counterparty, "counterparty_kind": kind,
             "start": dt.date(2024, 2, 1), "end": dt.date(2024, 7, 31), "price": Amount(D("150.00"), "CNY"),
             "period": "month", "manager_share": D("0.30"), "resolution": "R-2023-01"}
    return (f'\n2024-01-25 custom "contract" "{cid}" "recorded"\n  assets: "P-001,AD-001"\n'
            f'  use: "{use}"\n  counterparty: "{counterparty}"\n  counterparty_kind: "{kind}"\n'
            "  start: 2024-02-01\n  end: 2024-07-31\n  price: 150.00 CNY\n  period: \"month\"\n"
            '  manager_share: 0.30\n  resolution: "R-2023-01"\n'
            + (f'  decision: "{decision}"\n' if decision is not None else "")
            + f'  content_hash: "{content_hash(terms)}"\n')


def test_contract_rows_name_organisations_only_and_show_the_gate(small_compound: Path) -> None:
    loaded = load(small_compound, contracts=RESOLUTION
                  + contract_of("C-01", "organisation", "某物业公司")
                  + contract_of("C-02", "company", "某广告公司", use="weird-use")
                  + contract_of("C-03", "organization", "某公司")
                  + contract_of("C-04", "non-owner", "张三")
                  + contract_of("C-05", "stranger", "李四")
                  + contract_of("C-06", "owner", "OWN-0002", decision="forbidden")
                  + contract_of("C-07", "owner", "OWN-0002", decision="maybe")
                  + contract_of("C-08", "owner", "OWN-0002", decision=None)
                  + contract_text("C-09", tamper=True))
    d = build(loaded, "2024H1")
    rows = {c["id"]: c for c in d.contracts}
    assert list(rows) == [f"C-0{i}" for i in range(1, 10)]
    assert {k: (c["counterparty"], c["counterparty_public"]) for k, c in rows.items()} == {
        "C-01": ("某物业公司", "某物业公司"), "C-02": ("某广告公司", "某广告公司"), "C-03": ("某公司", "某公司"),
        "C-04": ("张三", "非业主个人"), "C-05": ("李四", "个人"), "C-06": ("OWN-0002", "本小区业主"),
        "C-07": ("OWN-0002", "本小区业主"), "C-08": ("OWN-0002", "本小区业主"), "C-09": ("OWN-0001", "本小区业主")}
    assert rows["C-01"] == {
        "id": "C-01", "assets": "P-001,AD-001", "use": "parking-owner", "n_assets": 2,
        "use_label": "停车位出租（业主）", "counterparty": "某物业公司", "start": dt.date(2024, 2, 1),
        "end": dt.date(2024, 7, 31), "counterparty_public": "某物业公司", "income": D("0"), "ok": True,
        "price": D("150.00"), "period": "month", "resolution": "R-2023-01", "decision": "permitted",
        "rules": "", "policy_set": "", "gate": "通过", "decision_label": "准许"}
    assert (rows["C-02"]["use"], rows["C-02"]["use_label"]) == ("weird-use", "weird-use")
    assert {k: (c["ok"], c["decision"], c["decision_label"], c["gate"]) for k, c in rows.items() if k >= "C-06"} == {
        "C-06": (False, "forbidden", "禁止（负面清单）", "未通过：记录的政策决定为“禁止（负面清单）”，不是“准许”"),
        "C-07": (False, "maybe", "maybe", "未通过：记录的政策决定为“maybe”，不是“准许”"),
        "C-08": (False, "", "未记录", "未通过：记录的政策决定为“未记录”，不是“准许”"),
        "C-09": (False, "permitted", "准许",
                 "未通过：合同条款与政策决定时记录的内容哈希不一致（条款在政策审查后被改动）"),
    }


# ------------------------------------------------------------------ income by kind and by asset


def test_cost_split_over_accounts_and_income_without_asset(small_compound: Path) -> None:
    opened = "\n2020-01-01 open Income:Common:场地占用 CNY\n"
    journal = ('\n2024-04-10 * "景湖物业" "两类收入"\n  asset: "P-001"\n  contract: "C-2024-001"\n'
               "  Assets:Receivable:物业代收  99.98 CNY\n  Expenses:Manager:物业经营成本  0.03 CNY\n"
               "  Income:Common:停车位  -60.00 CNY\n  Income:Common:广告位  -40.01 CNY\n"
               '\n2024-05-10 * "景湖物业" "场地"\n  contract: "C-2024-001"\n'
               "  Assets:Receivable:物业代收  19.00 CNY\n  Expenses:Manager:物业经营成本  1.00 CNY\n"
               "  Income:Common:场地占用  -20.00 CNY\n")
    loaded = load(small_compound, contracts=RESOLUTION + contract_text(), journal=journal, options=opened)
    d = build(loaded, "2024Q2")
    assert (d.gross, d.cost) == (D("120.01"), D("1.03"))
    # 0.03 over 60.00 and 40.01: 1.80 and 1.20 cents, the odd cent to the larger remainder
    assert d.by_kind == {"停车位": Line(D("60.00"), D("0.02")), "广告位": Line(D("40.01"), D("0.01")),
                         "场地占用": Line(D("20.00"), D("1.00"))}
    assert d.by_asset == {UNNAMED: Line(D("20.00"), D("1.00")), "P-001": Line(D("100.01"), D("0.03"))}
    assert d.contracts[0]["income"] == D("120.01")


def test_kind_label() -> None:
    assert disclosure._kind_label("Income:Common:停车位") == "停车位"
    assert disclosure._kind_label("Income:Common:经营用房") == "用房"
    assert disclosure._kind_label("Income:Common:场地占用") == "场地占用"
    assert disclosure._kind_label("Income:Other:甲:乙") == "乙"


# ------------------------------------------------------------------ each unit's share


def one_month(net_gross: str, net_cost: str) -> str:
    return income("2024-03-15", "2024-03", gross=net_gross, cost=net_cost)


def test_shares_to_the_cent_with_the_largest_remainders(small_compound: Path) -> None:
    loaded = load(small_compound, contracts=RESOLUTION + contract_text("C-2024-001", start="2024-01-01"),
                  journal=one_month("0.10", "0.03"))
    d = build(loaded, "2024-03")
    assert d.net == D("0.07")
    # exact 1.26, 1.54, 1.40, 1.68, 1.12 cents: floors 1 each, the two left-over cents to 1.68 and 1.54
    assert d.units == [
        {"unit": "1-101", "building": "1", "area": D("90.00"), "exact": "63/5000", "share": D("0.01")},
        {"unit": "1-102", "building": "1", "area": D("110.00"), "exact": "77/5000", "share": D("0.02")},
        {"unit": "1-201", "building": "1", "area": D("100.00"), "exact": "7/500", "share": D("0.01")},
        {"unit": "2-101", "building": "2", "area": D("120.00"), "exact": "21/1250", "share": D("0.02")},
        {"unit": "2-102", "building": "2", "area": D("80.00"), "exact": "7/625", "share": D("0.01")},
    ]
    assert sum(d.shares.values()) == D("0.07")


def test_negative_net_shares_negative(small_compound: Path) -> None:
    loaded = load(small_compound, journal=cost_only("2024-03-15", "0.07"))
    d = build(loaded, "2024-03")
    assert (d.gross, d.cost, d.net) == (D("0"), D("0.07"), D("-0.07"))
    assert d.by_asset == {UNNAMED: Line(D("0"), D("0.07"))} and d.by_kind == {UNNAMED: Line(D("0"), D("0.07"))}
    assert [(u["exact"], u["share"]) for u in d.units] == [
        ("-63/5000", D("-0.01")), ("-77/5000", D("-0.02")), ("-7/500", D("-0.01")), ("-21/1250", D("-0.02")),
        ("-7/625", D("-0.01"))]


def test_net_finer_than_a_cent_is_shared_rounded_to_the_cent(small_compound: Path) -> None:
    loaded = load(small_compound, contracts=RESOLUTION + contract_text("C-2024-001", start="2024-01-01"),
                  journal=one_month("0.105", "0.000"))
    d = build(loaded, "2024-03")
    assert d.net == D("0.105")
    # the exact share is of the net as booked; the cents share 0.10 (half to even)
    assert [u["exact"] for u in d.units] == ["189/10000", "231/10000", "21/1000", "63/2500", "21/1250"]
    # of 0.10: 1.8, 2.2, 2.0, 2.4, 1.6 cents; the two left-over cents to 1.8 and 1.6
    assert d.shares == {"1-101": D("0.02"), "1-102": D("0.02"), "1-201": D("0.02"), "2-101": D("0.02"),
                        "2-102": D("0.02")}
    assert sum(d.shares.values()) == D("0.10")


@pytest.mark.parametrize(("day", "basis"), [("2024-03-31", "unit"), ("2024-04-01", "area")])
def test_share_basis_in_force_on_the_periods_last_day(small_compound: Path, day: str, basis: str) -> None:
    loaded = load(small_compound, contracts=RESOLUTION + contract_text("C-2024-001", start="2024-01-01"),
                  journal=one_month("0.10", "0.03"), options=option("share-basis", "unit", day))
    d = build(loaded, "2024-03")
    assert d.share_basis == basis and d.summary()["share_basis"] == basis
    if basis == "unit":
        # 1.4 cents each: the two left-over cents to the first units by number (equal remainders)
        assert [(u["exact"], u["share"]) for u in d.units] == [
            ("7/500", D("0.02")), ("7/500", D("0.02")), ("7/500", D("0.01")), ("7/500", D("0.01")),
            ("7/500", D("0.01"))]
    else:
        assert [u["share"] for u in d.units] == [D("0.01"), D("0.02"), D("0.01"), D("0.02"), D("0.01")]


UNIT_3 = """
{day} custom "unit" "10-101"
  building: "10"
  area: 100.00
  owner: "OWN-0003"
  unsold: FALSE
"""


@pytest.mark.parametrize(("day", "units"), [
    ("2024-03-31", ["1-101", "1-102", "1-201", "2-101", "2-102", "10-101"]),
    ("2024-04-01", ["1-101", "1-102", "1-201", "2-101", "2-102"])])
def test_roster_as_of_the_periods_last_day_in_natural_order(small_compound: Path, day: str,
                                                            units: list[str]) -> None:
    loaded = load(small_compound, contracts=RESOLUTION + contract_text("C-2024-001", start="2024-01-01"),
                  journal=one_month("0.10", "0.03"), units=UNIT_3.format(day=day))
    d = build(loaded, "2024-03")
    assert [u["unit"] for u in d.units] == units
    assert d.total_area == Fraction(500 if len(units) == 5 else 600)
    assert d.summary()["units"] == len(units) and sorted(d.shares) == sorted(units)
    if len(units) == 6:
        assert d.units[-1] == {"unit": "10-101", "building": "10", "area": D("100.00"), "exact": "7/600",
                               "share": D("0.01")}


def test_units_without_area_get_nothing(empty_compound: Path) -> None:
    units = "".join(f'\n2020-01-01 custom "unit" "{n}"\n  building: "1"\n  area: 0.00\n  owner: "OWN-0001"\n'
                    "  unsold: FALSE\n" for n in ("1-2", "1-10"))
    loaded = load(empty_compound, units=units, journal=cost_only("2024-03-15", "1.00"))
    d = build(loaded, "2024-03")
    assert d.shares == {}
    assert d.units == [{"unit": "1-2", "building": "1", "area": D("0.00"), "exact": "0", "share": D("0")},
                       {"unit": "1-10", "building": "1", "area": D("0.00"), "exact": "0", "share": D("0")}]


def test_no_units_no_rows(empty_compound: Path) -> None:
    d = build(load(empty_compound, journal=cost_only("2024-03-15", "1.00")), "2024-03")
    assert (d.units, d.shares, d.total_area) == ([], {}, Fraction(0))
    assert d.summary()["shares_total"] == "0"


# ------------------------------------------------------------------ settings, vouchers, the audit


@pytest.mark.parametrize(("options", "days", "url"), [
    ("", 15, ""),
    (option("notice-days", "20", "2020-01-02"), 20, ""),
    (option("notice-days", "twenty", "2020-01-02"), 15, ""),
    (option("public-url", "  https://example.org/公示?a=1  ") + option("compound-name", "景湖花园", "2020-01-02"),
     15, "https://example.org/公示?a=1"),
])
def test_objection_days_and_public_url(small_compound: Path, options: str, days: int, url: str) -> None:
    d = build(load(small_compound, options=options), "2024-03")
    assert (d.objection_days, d.public_url) == (days, url)
    assert d.compound == ("景湖花园" if url else "测试小区")


def test_lines_with_vouchers_in_the_period(small_compound: Path) -> None:
    def with_id(text: str, import_id: str) -> str:
        head, rest = text.split("\n  ", 1)
        return f'{head}\n  import_id: "{import_id}"\n  {rest}'

    journal = (with_id(income("2024-02-29", "2024-02", contract="C-1"), "in-feb")
               + with_id(income("2024-03-01", "2024-03", contract="C-1"), "in-mar")
               + income("2024-03-31", "2024-03", contract="C-1")
               + with_id(income("2024-04-01", "2024-04", contract="C-1"), "in-apr"))
    scan = b"%PDF-1.4\n% voucher\n"
    (small_compound / "documents" / "v.pdf").write_bytes(scan)
    sha = hashlib.sha256(scan).hexdigest()
    docs = "".join(f'\n2024-05-01 document Income:Common:停车位 "documents/v.pdf"\n  voucher-for: "import_id:{k}"\n'
                   f'  sha256: "{sha}"\n'
                   for k in ("in-feb", "in-mar", "in-apr"))
    append(small_compound / "registry.beancount", docs)
    loaded = load(small_compound, contracts=RESOLUTION + contract("C-1", "2024-01-01", "2024-12-31"), journal=journal)
    d = build(loaded, "2024-03")
    assert (d.lines, d.vouchered) == (2, 1)


def test_findings_default_to_the_audit_as_of_the_day_without_info(books: Loaded) -> None:
    d = disclosure.build(list(books.entries), "2024H1", books.options_map, as_of=dt.date(2024, 7, 10))
    assert d.findings == []  # only info findings (history, evidence hashes) that day
    d = disclosure.build(list(books.entries), "2024H1", books.options_map, as_of=dt.date(2025, 3, 1))
    assert [(f.check, f.severity, f.facts["period"]) for f in d.findings] == [
        ("disclosure-overdue", "warning", "2024H1"), ("disclosure-overdue", "warning", "2024H2")]
    given = (Finding("x", "info", "m", "r"),)
    assert build(books, "2024H1", findings=given).findings == [Finding("x", "info", "m", "r")]
