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
    # six lines in the half: income of February to June and the allocation, none with a voucher
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
               + income("2024-03-15", "2024-03", contract="C-1")
               + with_id(income("2024-03-31", "2024-03", contract="C-1"), "in-mar-2")
               + with_id(income("2024-04-01", "2024-04", contract="C-1"), "in-apr"))
    scan = b"%PDF-1.4\n% voucher\n"
    (small_compound / "documents" / "v.pdf").write_bytes(scan)
    sha = hashlib.sha256(scan).hexdigest()
    docs = "".join(f'\n2024-05-01 document Income:Common:停车位 "documents/v.pdf"\n  voucher-for: "import_id:{k}"\n'
                   f'  sha256: "{sha}"\n'
                   for k in ("in-feb", "in-mar", "in-mar-2", "in-apr"))
    append(small_compound / "registry.beancount", docs)
    loaded = load(small_compound, contracts=RESOLUTION + contract("C-1", "2024-01-01", "2024-12-31"), journal=journal)
    d = build(loaded, "2024-03")
    assert (d.lines, d.vouchered) == (3, 2)


def test_findings_default_to_the_audit_as_of_the_day_without_info(books: Loaded) -> None:
    d = disclosure.build(list(books.entries), "2024H1", books.options_map, as_of=dt.date(2024, 7, 10))
    assert d.findings == []  # only info findings (history, evidence hashes) that day
    d = disclosure.build(list(books.entries), "2024H1", books.options_map, as_of=dt.date(2025, 3, 1))
    assert [(f.check, f.severity, f.facts["period"]) for f in d.findings] == [
        ("disclosure-overdue", "warning", "2024H1"), ("disclosure-overdue", "warning", "2024H2")]
    given = (Finding("x", "info", "m", "r"),)
    assert build(books, "2024H1", findings=given).findings == [Finding("x", "info", "m", "r")]


# ------------------------------------------------------------------ unit order


def test_natural_key_exactly() -> None:
    assert disclosure.natural_key("9-2-201A") == ((0, 9, ""), (1, 0, "-"), (0, 2, ""), (1, 0, "-"), (0, 201, ""),
                                                  (1, 0, "A"))
    assert disclosure.natural_key("B1") == ((1, 0, "B"), (0, 1, ""))
    assert disclosure.natural_key("") == ()
    assert sorted(["10-1", "9-10", "9-2", "B-1", "9-2A", "1-1"], key=disclosure.natural_key) == [
        "1-1", "9-2", "9-2A", "9-10", "10-1", "B-1"]


# ------------------------------------------------------------------ the ledger record


def test_disclosure_entry_exactly(half: Disclosure) -> None:
    e = disclosure.disclosure_entry(half, dt.date(2024, 7, 10), "2024H1.xlsx")
    assert isinstance(e, data.Custom)
    assert (e.date, e.type, [(v.value, v.dtype) for v in e.values]) == (
        dt.date(2024, 7, 10), "disclosure", [("2024H1", str)])
    assert e.meta == {
        "filename": "<assetreg>", "lineno": 0, "start": dt.date(2024, 1, 1), "end": dt.date(2024, 6, 30),
        "gross": Amount(D("750.00"), "CNY"), "cost": Amount(D("225.00"), "CNY"), "net": Amount(D("525.00"), "CNY"),
        "allocated": Amount(D("300.00"), "CNY"), "units": D(5), "share_basis": "area", "report": "2024H1.xlsx",
        "digest": half.digest()}
    assert disclosure.DISCLOSURE_TYPE == "disclosure"


def test_disclosure_entry_amounts_to_the_cent_and_nothing_allocated(half: Disclosure) -> None:
    d = dataclasses.replace(half, gross=D("1.005"), cost=D("0.5"), allocations=[], shares={}, share_basis="unit")
    e = disclosure.disclosure_entry(d, dt.date(2024, 7, 10), "r.xlsx")
    assert [str(e.meta[k].number) for k in ("gross", "cost", "net", "allocated")] == ["1.00", "0.50", "0.50", "0.00"]
    assert {e.meta[k].currency for k in ("gross", "cost", "net", "allocated")} == {"CNY"}
    assert (e.meta["units"], e.meta["share_basis"], e.meta["report"]) == (D(0), "unit", "r.xlsx")
    assert "revises" not in e.meta and "reason" not in e.meta and "revises_digest" not in e.meta


def test_disclosure_entry_of_a_revision(half: Disclosure) -> None:
    before = custom(dt.date(2024, 7, 10), "disclosure", ["2024H1"], digest="sha256:old")
    e = disclosure.disclosure_entry(half, dt.date(2024, 8, 1), "2024H1.xlsx", revises=before, reason="补记一笔收入")
    assert (e.meta["revises"], e.meta["revises_digest"], e.meta["reason"]) == (
        dt.date(2024, 7, 10), "sha256:old", "补记一笔收入")
    assert e.meta["digest"] == half.digest() and e.date == dt.date(2024, 8, 1)
    undigested = custom(dt.date(2024, 7, 9), "disclosure", ["2024H1"])
    e = disclosure.disclosure_entry(half, dt.date(2024, 8, 1), "x.xlsx", revises=undigested, reason=None)
    assert (e.meta["revises"], e.meta["revises_digest"]) == (dt.date(2024, 7, 9), "")
    assert "reason" not in e.meta


def entry(day: str, key: str | None, type_: str = "disclosure", **meta: Any) -> data.Custom:
    return custom(dt.date.fromisoformat(day), type_, [key] if key is not None else [], **meta)


def test_published_only_this_periods_disclosures_oldest_first() -> None:
    a = entry("2024-08-01", "2024H1", digest="b")
    b = entry("2024-07-10", "2024H1", digest="a")
    others = [entry("2024-07-11", "2024H2"), entry("2024-07-12", "2024H1", type_="resolution"),
              entry("2024-07-13", None), "not an entry",
              data.Note(data.new_metadata("x", 1), dt.date(2024, 7, 14), "Assets:Bank:共有资金专户", "2024H1", None, None)]
    assert disclosure.published([a, *others, b], H1) == [b, a]
    assert disclosure.published(others, H1) == []


def test_republication_first_time_same_figures_and_revisions(half: Disclosure) -> None:
    assert disclosure.republication([], half, False, None) == (True, None)
    same = entry("2024-07-10", "2024H1", digest=half.digest())
    older = entry("2024-07-01", "2024H1", digest="sha256:older")
    assert disclosure.republication([same, older], half, False, None) == (False, same)
    assert disclosure.republication([same, older], half, True, " 补记 ") == (True, same)
    changed = entry("2024-07-20", "2024H1", digest="sha256:other")
    assert disclosure.republication([same, changed], half, True, "补记") == (True, changed)
    assert disclosure.republication([entry("2024-07-20", "2024H2", digest="x")], half, False, None) == (True, None)


def test_republication_refuses_exactly(half: Disclosure) -> None:
    with pytest.raises(BadInput) as e:
        disclosure.republication([entry("2024-07-20", "2024H2")], half, True, "补记")
    assert (e.value.problem, e.value.fix) == ("2024H1 has not been disclosed yet: there is nothing to revise",
                                              "publish it without --revise")
    prior = [entry("2024-07-10", "2024H1", digest=half.digest())]
    for reason in (None, "", "  \t"):
        with pytest.raises(BadInput) as e:
            disclosure.republication(prior, half, True, reason)
        assert (e.value.problem, e.value.fix) == ("a revision of a published disclosure needs its reason",
                                                  "pass --reason '…' (kept in the ledger with the revision)")
    changed = entry("2024-07-10", "2024H1", digest="sha256:other")
    changed.meta.update(filename="/srv/demo/journal.beancount", lineno=42)
    with pytest.raises(BadInput) as e:
        disclosure.republication([changed], half, False, None)
    assert e.value.problem == ("2024H1 was disclosed on 2024-07-10 (/srv/demo/journal.beancount:42) "
                               "and its figures have changed since")
    assert e.value.fix == ("publish a revision with --revise --reason '…' (recorded), "
                           "or check what changed with `assetreg audit`")
    bare = data.Custom({}, dt.date(2024, 7, 11), "disclosure", custom(dt.date(2024, 7, 11), "x", ["2024H1"]).values)
    with pytest.raises(BadInput) as e:
        disclosure.republication([bare], half, False, None)
    assert e.value.problem == "2024H1 was disclosed on 2024-07-11 (?:?) and its figures have changed since"


def test_republication_of_a_built_disclosure_in_the_ledger(books: Loaded, half: Disclosure) -> None:
    record = disclosure.disclosure_entry(half, dt.date(2024, 7, 10), "2024H1.xlsx")
    assert disclosure.republication([*books.entries, record], half, False, None) == (False, record)


# ------------------------------------------------------------------ findings as published


def test_rel_strips_the_compound_folder_only() -> None:
    rel = disclosure._rel("/srv/demo")
    assert rel("/srv/demo/journal.beancount:12") == "journal.beancount:12"
    assert rel("/srv/demo2/journal.beancount:12") == "/srv/demo2/journal.beancount:12"
    assert rel("/srv/demo") == "/srv/demo"
    assert disclosure._rel("/srv/demo/")("/srv/demo/a.beancount:1") == "a.beancount:1"
    assert disclosure._rel(None)("/srv/demo/a.beancount:1") == "/srv/demo/a.beancount:1"
    assert disclosure._rel("")("/a.beancount:1") == "/a.beancount:1"


def test_rows_findings_exactly() -> None:
    found = [Finding("income-asset", "error", "收入未注明资产", "民法典第282条",
                     ("/srv/demo/journal.beancount:12", "/srv/demo/j2.beancount:3")),
             Finding("made-up", "odd", "说明", "依据")]
    assert disclosure._rows_findings(found, "/srv/demo") == [
        ["错误", "收入未注明资产", "income-asset", "收入未注明资产", "民法典第282条",
         "journal.beancount:12; j2.beancount:3"],
        ["odd", "made-up", "made-up", "说明", "依据", ""]]
    assert disclosure._rows_findings([Finding("x", "warning", "m", "r", ("/a:1",))], None) == [
        ["警告", "x", "x", "m", "r", "/a:1"]]


def test_basis_text(half: Disclosure) -> None:
    assert disclosure._basis_text(half) == "按专有部分面积（民法典第283条）"
    assert disclosure._basis_text(dataclasses.replace(half, share_basis="unit")) == "按户均分（民法典第283条）"


# ------------------------------------------------------------------ a disclosure made by hand, for the outputs


def contract_row(cid: str, use_label: str, ok: bool = True, n_assets: int = 1, income: str = "10.00",
                 **kw: Any) -> dict[str, Any]:
    row = {"id": cid, "assets": "P-001", "use": "u", "n_assets": n_assets, "use_label": use_label,
           "counterparty": "OWN-0001", "start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31),
           "counterparty_public": "本小区业主", "income": D(income), "ok": ok, "price": D("150.00"),
           "period": "month", "resolution": "R-1", "decision": "permitted", "rules": "G-1", "policy_set": "ps",
           "gate": "通过" if ok else "未通过：改动", "decision_label": "准许"}
    row.update(kw)
    return row


def handmade(**kw: Any) -> Disclosure:
    d = Disclosure(
        period=H1, compound="景湖<花园>",
        by_kind={"停车位": Line(D("1000.00"), D("300.00")), "广告位": Line(D("2000.50"), D("0.25"))},
        by_asset={"AD-001": Line(D("2000.50"), D("0.25")), "P-001": Line(D("1000.00"), D("300.00"))},
        asset_kinds={"AD-001": "广告位", "P-001": "停车位"},
        gross=D("3000.50"), cost=D("300.25"),
        allocations=[
            {"date": dt.date(2024, 3, 1), "account": "Expenses:Allocation:补充维修资金", "label": "补充维修资金",
             "amount": D("1000.00"), "resolution": "R-2", "resolution_title": "分配", "narration": "划转一"},
            {"date": dt.date(2024, 4, 1), "account": "Expenses:Allocation:业委会工作经费", "label": "业委会工作经费",
             "amount": D("200.00"), "resolution": "", "resolution_title": "", "narration": "划转二"},
            {"date": dt.date(2024, 5, 1), "account": "Expenses:Allocation:补充维修资金", "label": "补充维修资金",
             "amount": D("0.25"), "resolution": "R-1", "resolution_title": "经营", "narration": "划转三"}],
        contracts=[contract_row("C-1", "停车位", income="1.00"), contract_row("C-2", "广告", n_assets=3, income="2.00",
                                                                           resolution=""),
                   contract_row("C-3", "停车位", ok=False, income="4.00", decision_label="未记录")],
        resolutions=[{"id": "R-1", "date": dt.date(2024, 2, 1), "title": "关于<经营>", "matter": 8, "passed": "通过"}],
        rejected=[{"id": "P-1", "date": dt.date(2024, 3, 10), "verdict": "forbidden", "verdict_label": "禁止（负面清单）",
                   "use": "storage", "use_label": "仓储", "assets": "R-09", "counterparty": "某公司",
                   "rules": "N-1", "reasons": "理由"}],
        findings=[Finding("income-asset", "error", "说明一", "依据一", ("/srv/demo/journal.beancount:3",)),
                  Finding("disclosure-overdue", "warning", "说明二", "依据二"),
                  Finding("income-asset", "error", "说明三", "依据一"),
                  Finding("made-up", "info", "说明四", "依据四"),
                  Finding("contract-gate", "error", "说明五", "依据五"),
                  Finding("a-check", "odd", "说明六", "依据六")],
        share_basis="area", total_area=Fraction(601, 2),
        units=[{"unit": "1-2", "building": "1", "area": D("100.25"), "exact": "1/3", "share": D("1350.12")},
               {"unit": "1-10", "building": "1", "area": D("100.25"), "exact": "2/3", "share": D("1350.13")},
               {"unit": "B-1", "building": "B<", "area": D("100.00"), "exact": "0", "share": D("0.00")}],
        shares={"1-2": D("1350.12"), "1-10": D("1350.13"), "B-1": D("0.00")},
        root="/srv/demo", public_url="https://example.org/公示?a=1&b=<2>", objection_days=20, lines=7, vouchered=3,
        undistributed=D("1500.00"))
    return dataclasses.replace(d, **kw)


# ------------------------------------------------------------------ the notice-board page

URL = "https://example.org/公示?a=1&b=<2>"

HEAD = ('<!doctype html><html lang=zh-CN><head><meta charset=utf-8>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>景湖&lt;花园&gt; 公共收益公示 2024年上半年</title><style>")

# The page of handmade(), published 2024-07-10: its parts (joined by newlines), with the
# two charts and the QR code as placeholders.
BODY = [
    ('<section class="summary" id="summary"><div class="head"><div>'
     '<div class="compound">景湖&lt;花园&gt;</div><h1>公共收益公示</h1>'
     '<div class="period" id="period">2024年上半年</div>'
     '<p>公示期间：2024-01-01 至 2024-06-30\u3000公示日期：<b id="published">2024-07-10</b></p>'
     '<p>公示期（异议期）：<b id="objection">2024-07-10 至 2024-07-29</b>（20日）</p>'
     '<p class="muted">依据：民法典第281、282、283、943条；《物业管理条例》第54条。金额单位：元。</p></div>'
     '<div class="qr" id="qr">@QR@扫码查看网上公示<br>https://example.org/公示?a=1&amp;b=&lt;2&gt;</div>'
     '</div>'),
    ('<h2>一、收支概要</h2><div class="figures" id="figures"><div class="figure"><span>公共收益收入</span>'
     '<b id="fig-gross">3,000.50</b></div><div class="figure"><span>扣除物业经营成本</span>'
     '<b id="fig-cost">300.25</b></div><div class="figure"><span>净收益</span>'
     '<b id="fig-net">2,700.25</b></div></div>'),
    ('<h2>二、按资产类别</h2><div class="two"><div><table id="by-kind"><thead><tr><th>类别</th>'
     '<th class="num">收入</th><th class="num">成本</th><th class="num">净收益</th></tr></thead><tbody>'
     '<tr><td>广告位</td><td class="num">2,000.50</td><td class="num">0.25</td>'
     '<td class="num">2,000.25</td></tr><tr><td>停车位</td><td class="num">1,000.00</td>'
     '<td class="num">300.00</td><td class="num">700.00</td></tr><tr><td>合计</td>'
     '<td class="num">3,000.50</td><td class="num">300.25</td><td class="num">2,700.25</td></tr>'
     '</tbody></table></div><div>@KIND_CHART@</div></div>'),
    ('<h2>三、净收益去向</h2><div class="two"><div><table id="destinations"><thead><tr><th>去向</th>'
     '<th class="num">金额</th></tr></thead><tbody><tr><td>本期划转：补充维修资金</td>'
     '<td class="num">1,000.25</td></tr><tr><td>本期划转：业委会工作经费</td><td class="num">200.00</td>'
     '</tr><tr><td>截至期末累计未分配</td><td class="num">1,500.00</td></tr></tbody></table>'
     '<p class="muted">本期划转依据业主大会决议 R-1、R-2；净收益通常在期后按决议划转，“累计未分配”为截至 2024-06-30 已取得而尚未划转的净收益。</p>'
     '</div><div>@DEST_CHART@</div></div>'),
    ('<h2>四、本期履行的经营合同（3 份）</h2><table id="contracts-by-use"><thead><tr><th>用途</th>'
     '<th class="num">合同</th><th class="num">资产</th><th class="num">未通过审查</th>'
     '<th class="num">本期收入</th></tr></thead><tbody><tr><td>停车位</td><td class="num">2</td>'
     '<td class="num">2</td><td class="num">1</td><td class="num">5.00</td></tr><tr><td>广告</td>'
     '<td class="num">1</td><td class="num">3</td><td class="num">0</td>'
     '<td class="num">2.00</td></tr></tbody></table>'),
    ('<table id="contracts-listed"><thead><tr><th>合同</th><th>用途</th><th>相对方</th><th>期限</th>'
     '<th class="num">价格</th><th>决议</th><th>政策决定</th></tr></thead><tbody><tr><td>C-1</td>'
     '<td>停车位</td><td>本小区业主</td><td>2024-01-01至2024-12-31</td><td class="num">150.00</td>'
     '<td>R-1</td><td>准许</td></tr><tr><td>C-2</td><td>广告</td><td>本小区业主</td>'
     '<td>2024-01-01至2024-12-31</td><td class="num">150.00</td><td>—</td><td>准许</td></tr><tr>'
     '<td>C-3</td><td>停车位</td><td>本小区业主</td><td>2024-01-01至2024-12-31</td>'
     '<td class="num">150.00</td><td>R-1</td><td>未记录（审查未通过）</td></tr></tbody></table>'),
    ('<p class="muted">每份合同的资产、价格、决议与规则见公示工作簿“经营合同”表。</p>'),
    ('<h2>五、业主大会决议与否决的提案</h2>'),
    ('<table><thead><tr><th>决议</th><th>日期</th><th>标题</th><th>结果</th></tr></thead><tbody><tr>'
     '<td>R-1</td><td>2024-02-01</td><td>关于&lt;经营&gt;</td><td>通过</td></tr></tbody></table>'),
    ('<table><thead><tr><th>提案</th><th>日期</th><th>结论</th><th>用途</th><th>规则</th></tr></thead>'
     '<tbody><tr><td>P-1</td><td>2024-03-10</td><td>禁止（负面清单）</td><td>仓储</td><td>N-1</td></tr>'
     '</tbody></table>'),
    ('<h2>六、审计情况</h2><table id="audit"><thead><tr><th>检查</th><th>级别</th><th class="num">发现</th>'
     '</tr></thead><tbody><tr><td>合同未通过政策审查</td><td>错误</td><td class="num">1</td></tr><tr>'
     '<td>收入未注明资产</td><td>错误</td><td class="num">2</td></tr><tr><td>收益公示逾期</td><td>警告</td>'
     '<td class="num">1</td></tr><tr><td>made-up</td><td>提示</td><td class="num">1</td></tr><tr>'
     '<td>a-check</td><td>odd</td><td class="num">1</td></tr></tbody></table>'
     '<p class="muted">每条发现的说明、依据与账本位置见公示工作簿“审计发现”表。</p>'),
    ('<div class="notice" id="how-to-object"><b>异议与查阅</b>'
     '<p>本公示自 2024-07-10 起公示 20 日，至 2024-07-29 止。业主对公示内容有异议的，请在公示期内以书面形式向业主委员会提出，写明房号、异议事项及理由，并可附相关材料；业主委员会将书面答复，并将处理结果公示。</p>'
     '<p id="vouchers">本期 7 笔收支中 3 笔附有原始凭证（发票、收据、合同页、银行回单），可在网上收益公示页面“收支凭证”中逐笔打开。</p>'
     '<p>业主可向业主委员会申请查阅收支明细与原始凭证，或扫描右上角二维码在网上查阅（https://example.org/公示?a=1&amp;b=&lt;2&gt;）。各户分享额见后附表，完整明细（按资产、每份合同、每条审计发现）见公示工作簿。</p>'
     '</div><div class="sign" id="signatures"><div>业主委员会（盖章）</div><div>主任（签字）</div>'
     '<div>委员（签字）</div><div>日期</div></div></section>'),
    ('<section class="shares" id="shares"><h2>各户应享份额（2024年上半年）</h2>'
     '<p>按专有部分面积比例分摊（民法典第283条），全体专有面积 300.50 ㎡；以分为单位，最大余数法取整，3 户合计恰为净收益 <b>2,700.25</b> 元。分享额为账面份额，实际用途以业主大会决定为准。房号后为金额（元）。</p>'
     '<div class="cols"><h3>1号楼</h3><div class="u" data-unit="1-2"><span>1-2</span>'
     '<span class="amt">1,350.12</span></div><div class="u" data-unit="1-10"><span>1-10</span>'
     '<span class="amt">1,350.13</span></div><h3>B&lt;号楼</h3><div class="u" data-unit="B-1">'
     '<span>B-1</span><span class="amt">0.00</span></div></div></section></body></html>'),
]


def kind_chart() -> str:
    return charts.hbars("nb-kinds", "收入按资产类别",
                        [charts.Item("广告位", D("2000.50")), charts.Item("停车位", D("1000.00"))],
                        header=("类别", "收入"))


def dest_chart(undistributed: str = "1500.00") -> str:
    return charts.hbars("nb-dest", "净收益去向", [charts.Item("补充维修资金", D("1000.25")),
                                                 charts.Item("业委会工作经费", D("200.00")),
                                                 charts.Item("期末累计未分配", D(undistributed))])


def body_of(page: str) -> str:
    head, body = page.split("</style></head><body>")
    assert head == HEAD + disclosure.PRINT_CSS
    return body


def test_page_exactly() -> None:
    page = disclosure.render_html(handmade(), published=dt.date(2024, 7, 10))
    expected = ("\n".join(BODY) + "\n").replace("@QR@", disclosure._qr_svg(URL)).replace(
        "@KIND_CHART@", kind_chart()).replace("@DEST_CHART@", dest_chart())
    assert body_of(page) == expected


def test_page_published_today_by_default() -> None:
    today = dt.date.today()
    page = disclosure.render_html(handmade(objection_days=1), parts=("summary",))
    assert f'<b id="published">{today}</b>' in page
    assert f'<b id="objection">{today} 至 {today}</b>（1日）' in page
    assert f"<p>本公示自 {today} 起公示 1 日，至 {today} 止。" in page


def test_page_parts() -> None:
    d = handmade()
    both = body_of(disclosure.render_html(d, dt.date(2024, 7, 10)))
    summary = body_of(disclosure.render_html(d, dt.date(2024, 7, 10), parts=("summary",)))
    shares = body_of(disclosure.render_html(d, dt.date(2024, 7, 10), parts=("shares",)))
    assert summary.startswith('<section class="summary" id="summary">') and 'id="shares"' not in summary
    assert shares.startswith('<section class="shares" id="shares">') and 'id="summary"' not in shares
    assert summary.endswith("</section></body></html>\n") and shares.endswith("</section></body></html>\n")
    assert both == summary.removesuffix("</body></html>\n") + "\n" + shares
    assert body_of(disclosure.render_html(d, dt.date(2024, 7, 10), parts=())) == "</body></html>\n"


def test_page_without_public_url_resolutions_rejections_findings_or_cited_resolutions() -> None:
    d = handmade(public_url="", resolutions=[], rejected=[], findings=[],
                 allocations=[{**a, "resolution": ""} for a in handmade().allocations])
    body = body_of(disclosure.render_html(d, dt.date(2024, 7, 10), parts=("summary",)))
    assert 'id="qr"' not in body and "扫码" not in body and "二维码" not in body
    assert ('<p class="muted">依据：民法典第281、282、283、943条；《物业管理条例》第54条。金额单位：元。</p>'
            "</div></div>\n<h2>一、收支概要</h2>") in body
    assert "业主大会决议与否决的提案" not in body and "六、" not in body
    assert ('<p class="muted">每份合同的资产、价格、决议与规则见公示工作簿“经营合同”表。</p>\n'
            '<h2>五、审计情况</h2><p id="audit">截至公示日，审计未发现问题。</p>\n'
            '<div class="notice" id="how-to-object">') in body
    assert "<p>业主可向业主委员会申请查阅收支明细与原始凭证。各户分享额见后附表" in body
    assert '<p class="muted">本期划转依据业主大会决议 （未引用）；净收益通常在期后按决议划转' in body


@pytest.mark.parametrize(("resolutions", "rejected", "tables"), [
    (True, False, ["决议"]), (False, True, ["提案"])])
def test_page_with_resolutions_or_rejections_only(resolutions: bool, rejected: bool, tables: list[str]) -> None:
    base = handmade()
    d = handmade(resolutions=base.resolutions if resolutions else [], rejected=base.rejected if rejected else [])
    body = body_of(disclosure.render_html(d, dt.date(2024, 7, 10), parts=("summary",)))
    section = body.split("<h2>五、业主大会决议与否决的提案</h2>\n")[1].split("\n<h2>六、审计情况</h2>")[0]
    assert [t.split("</th>")[0] for t in section.split("<table><thead><tr><th>")[1:]] == tables


def listed(d: Disclosure) -> list[str]:
    body = body_of(disclosure.render_html(d, dt.date(2024, 7, 10), parts=("summary",)))
    if 'id="contracts-listed"' not in body:
        return []
    table = body.split('<table id="contracts-listed">')[1].split("</table>")[0]
    return [row.split("</td>")[0] for row in table.split("<tr><td>")[1:]]


def test_page_lists_contracts_of_a_use_with_at_most_five_and_every_failed_one() -> None:
    five = [contract_row(f"C-{i}", "停车位") for i in range(1, 6)]
    assert listed(handmade(contracts=five)) == ["C-1", "C-2", "C-3", "C-4", "C-5"]
    six = [*five, contract_row("C-6", "停车位")]
    assert listed(handmade(contracts=six)) == []
    six_one_failed = [*five, contract_row("C-6", "停车位", ok=False)]
    assert listed(handmade(contracts=[*six_one_failed, contract_row("A-1", "广告")])) == ["C-6", "A-1"]
    body = body_of(disclosure.render_html(handmade(contracts=[contract_row("A-1", "广告", n_assets=2),
                                                              *six_one_failed]),
                                          dt.date(2024, 7, 10), parts=("summary",)))
    # uses by number of contracts, most first
    assert ('<h2>四、本期履行的经营合同（7 份）</h2><table id="contracts-by-use"><thead><tr><th>用途</th>'
            '<th class="num">合同</th><th class="num">资产</th><th class="num">未通过审查</th>'
            '<th class="num">本期收入</th></tr></thead><tbody><tr><td>停车位</td><td class="num">6</td>'
            '<td class="num">6</td><td class="num">1</td><td class="num">60.00</td></tr><tr><td>广告</td>'
            '<td class="num">1</td><td class="num">2</td><td class="num">0</td><td class="num">10.00</td></tr>'
            '</tbody></table>') in body


def test_page_shares_by_unit_and_without_area() -> None:
    d = handmade(share_basis="unit")
    body = body_of(disclosure.render_html(d, dt.date(2024, 7, 10), parts=("shares",)))
    assert ("<p>按户均分（民法典第283条）；以分为单位，最大余数法取整，3 户合计恰为净收益 <b>2,700.25</b> 元。"
            in body)
    d = handmade(total_area=Fraction(0), units=[], shares={}, gross=D("1234567.891"), cost=D("0"))
    body = body_of(disclosure.render_html(d, dt.date(2024, 7, 10), parts=("shares",)))
    assert body == ('<section class="shares" id="shares"><h2>各户应享份额（2024年上半年）</h2>'
                    "<p>按专有部分面积比例分摊（民法典第283条），全体专有面积 0.00 ㎡；以分为单位，最大余数法取整，"
                    "0 户合计恰为净收益 <b>1,234,567.89</b> 元。分享额为账面份额，实际用途以业主大会决定为准。"
                    '房号后为金额（元）。</p><div class="cols"></div></section></body></html>\n')


def test_qr_code_of_the_public_url() -> None:
    svg = disclosure._qr_svg(URL)
    assert svg == str(segno.make(URL, error="m").svg_inline(scale=4, border=2, title="扫码查看网上公示"))
    assert svg.startswith("<svg") and "<title>扫码查看网上公示</title>" in svg
    size = (segno.make(URL, error="m").symbol_size(scale=4, border=2))
    assert f'width="{size[0]}" height="{size[1]}"' in svg


# ------------------------------------------------------------------ the workbook

M = "#,##0.00"
DAY = "yyyy-mm-dd"


def cells(ws: Any) -> list[list[Any]]:
    """Every cell's value, with its number format where it has one."""
    return [[(c.value, c.number_format) if c.number_format != "General" else c.value for c in row]
            for row in ws.iter_rows()]


def t(y: int, m: int, d: int) -> tuple[dt.datetime, str]:
    return (dt.datetime(y, m, d), DAY)


SHEETS = {
    "概要": [
        ["景湖<花园> 公共收益公示 2024年上半年（2024-01-01 至 2024-06-30）", None],
        ["公示期间", "2024年上半年"],
        ["公共收益收入", (3000.5, M)], ["扣除物业经营成本", (300.25, M)], ["净收益", (2700.25, M)],
        ["本期划转合计", (1200.25, M)], ["  其中：补充维修资金", (1000.25, M)], ["  其中：业委会工作经费", (200, M)],
        ["期末累计未分配", (1500, M)], ["分摊方式", "按专有部分面积（民法典第283条）"], ["户数", 3],
        ["各户分摊合计", (2700.25, M)], ["未解决的审计发现", 6], ["附有凭证的收支", "3 / 7 笔"],
        ["异议期", "公示之日起 20 日内"], ["网上查阅", URL]],
    "按类别": [
        ["类别", "收入", "成本", "净收益"],
        ["停车位", (1000, M), (300, M), (700, M)], ["广告位", (2000.5, M), (0.25, M), (2000.25, M)]],
    "按资产": [
        ["资产", "类别", "收入", "成本", "净收益"],
        ["AD-001", "广告位", (2000.5, M), (0.25, M), (2000.25, M)],
        ["P-001", "停车位", (1000, M), (300, M), (700, M)],
        [UNNAMED, None, (0, M), (0.01, M), (-0.01, M)]],
    "收益去向": [
        ["日期", "去向", "金额", "决议", "决议标题", "摘要"],
        [t(2024, 3, 1), "补充维修资金", (1000, M), "R-2", "分配", "划转一"],
        [t(2024, 4, 1), "业委会工作经费", (200, M), None, None, "划转二"],
        [t(2024, 5, 1), "补充维修资金", (0.25, M), "R-1", "经营", "划转三"]],
    "经营合同": [
        ["合同", "资产", "用途", "相对方", "起", "止", "价格", "周期", "本期收入", "决议", "政策决定", "规则", "政策集",
         "政策审查"],
        ["C-1", "P-001", "停车位", "本小区业主", t(2024, 1, 1), t(2024, 12, 31), (150, M), "month", (1, M), "R-1", "准许",
         "G-1", "ps", "通过"],
        ["C-2", "P-001", "广告", "本小区业主", t(2024, 1, 1), t(2024, 12, 31), (150, M), "month", (2, M), None, "准许",
         "G-1", "ps", "通过"],
        ["C-3", "P-001", "停车位", "本小区业主", t(2024, 1, 1), t(2024, 12, 31), (150, M), "month", (4, M), "R-1",
         "未记录", "G-1", "ps", "未通过：改动"]],
    "业主大会决议": [
        ["决议", "日期", "标题", "事项", "结果"], ["R-1", t(2024, 2, 1), "关于<经营>", 8, "通过"]],
    "否决的提案": [
        ["提案", "日期", "结论", "用途", "资产", "相对方", "规则", "理由"],
        ["P-1", t(2024, 3, 10), "禁止（负面清单）", "仓储", "R-09", "某公司", "N-1", "理由"]],
    "审计发现": [
        ["级别", "检查", "检查编号", "说明", "依据", "账本位置"],
        ["错误", "收入未注明资产", "income-asset", "说明一", "依据一", "journal.beancount:3"],
        ["警告", "收益公示逾期", "disclosure-overdue", "说明二", "依据二", None],
        ["错误", "收入未注明资产", "income-asset", "说明三", "依据一", None],
        ["提示", "made-up", "made-up", "说明四", "依据四", None],
        ["错误", "合同未通过政策审查", "contract-gate", "说明五", "依据五", None],
        ["odd", "a-check", "a-check", "说明六", "依据六", None]],
    "各户分摊": [
        ["房号", "楼栋", "专有面积(㎡)", "精确份额(元)", "分摊金额(元)"],
        ["1-2", "1", 100.25, "1/3", (1350.12, M)], ["1-10", "1", 100.25, "2/3", (1350.13, M)],
        ["B-1", "B<", 100, "0", (0, M)]],
}

LAYOUT = {  # orientation, column widths
    "概要": ("portrait", {"A": 36, "B": 40}),
    "按类别": ("portrait", dict.fromkeys("ABCD", 16)),
    "按资产": ("portrait", dict.fromkeys("ABCDE", 16)),
    "收益去向": ("landscape", {**dict.fromkeys("ABCD", 16), "E": 40, "F": 40}),
    "经营合同": ("landscape", {**dict.fromkeys("ABCDEFGHIJKMN", 16), "B": 20, "L": 40}),
    "业主大会决议": ("portrait", {**dict.fromkeys("ABDE", 16), "C": 50}),
    "否决的提案": ("landscape", {**dict.fromkeys("ABCDEF", 16), "G": 30, "H": 50}),
    "审计发现": ("landscape", {**dict.fromkeys("ABC", 16), "D": 60, "E": 30, "F": 30}),
    "各户分摊": ("portrait", dict.fromkeys("ABCDE", 16)),
}


@pytest.fixture
def workbook(tmp_path: Path) -> Any:
    d = handmade()
    d.by_asset[UNNAMED] = Line(D("0"), D("0.01"))
    out = tmp_path / "公示.xlsx"
    disclosure.write_xlsx(d, out)
    return load_workbook(out)


def test_workbook_every_cell(workbook: Any) -> None:
    assert workbook.sheetnames == list(SHEETS)
    assert {ws.title: cells(ws) for ws in workbook.worksheets} == SHEETS


def test_workbook_print_setup_and_layout(workbook: Any) -> None:
    for ws in workbook.worksheets:
        orientation, widths = LAYOUT[ws.title]
        assert ws.page_setup.orientation == orientation, ws.title
        assert {k: v.width for k, v in ws.column_dimensions.items()} == widths, ws.title
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True
        assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
        assert ws.print_options.horizontalCentered is True
        assert (ws.page_margins.left, ws.page_margins.right) == (0.5, 0.5)
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
        assert ws.oddHeader.center.text == "景湖<花园> 公共收益公示 2024年上半年"
        if ws.title == "概要":
            assert (ws.print_title_rows, ws.freeze_panes) == (None, None)
            assert (ws["A1"].font.b, ws["A1"].font.sz) == (True, 14)
            assert not ws["A1"].alignment.wrap_text
            assert not ws["A2"].font.b
        else:
            assert (ws.print_title_rows, ws.freeze_panes) == ("$1:$1", "A2"), ws.title
            assert all(c.font.b and c.alignment.wrap_text and c.alignment.vertical == "top" for c in ws[1]), ws.title
            assert not any(c.font.b for c in ws[2]), ws.title


def test_workbook_summary_by_unit_without_url(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    disclosure.write_xlsx(handmade(share_basis="unit", public_url="", allocations=[]), out)
    rows = cells(load_workbook(out)["概要"])
    assert rows[5:] == [["本期划转合计", (0, M)], ["期末累计未分配", (1500, M)], ["分摊方式", "按户均分（民法典第283条）"],
                        ["户数", 3], ["各户分摊合计", (2700.25, M)], ["未解决的审计发现", 6],
                        ["附有凭证的收支", "3 / 7 笔"], ["异议期", "公示之日起 20 日内"]]
