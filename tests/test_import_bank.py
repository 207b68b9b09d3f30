"""Bank statements in several layouts → journal transactions and balance assertions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from beancount.core.amount import Amount
from click.testing import CliRunner
from conftest import append, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from assetreg.cli import main
from assetreg.contracts import content_hash
from assetreg.ledger import custom, format_entry
from importers.testing import write_xlsx


def contract_text(cid: str = "C-2024-009", asset: str = "P-001",
                  counterparty: str = "清江浦区便民停车管理有限公司", decision: str = "permitted") -> str:
    """A contract entry as the policy gate writes it (decision and content hash included)."""
    terms = {"assets": asset, "use": "parking-owner", "counterparty": counterparty,
             "counterparty_kind": "organisation", "start": dt.date(2024, 2, 1), "end": dt.date(2024, 12, 31),
             "price": Amount(Decimal("150.00"), "CNY"), "period": "month",
             "deposit": Amount(Decimal("300.00"), "CNY")}
    entry = custom(dt.date(2024, 1, 25), "contract", [cid, "recorded"], **terms, decision=decision,
                   content_hash=content_hash(terms))
    return "\n" + format_entry(entry)


CONTRACT = contract_text()

# One month of the dedicated account: remittance, contract payment, deposit, fee, unknown.
LINES = [
    # date, summary, in, out, balance, counterparty, serial, note
    (dt.date(2024, 3, 1), "转账", "1500.00", None, "11500.00", "物业服务公司", "SN001", "2月代收公共收益"),
    (dt.date(2024, 3, 5), "停车费", "150.00", None, "11650.00", "清江浦区便民停车管理有限公司", "SN002", "2024年3月"),
    (dt.date(2024, 3, 5), "押金", "300.00", None, "11950.00", "清江浦区便民停车管理有限公司", "SN003", "C-2024-009"),
    (dt.date(2024, 3, 10), "账户管理费", None, "5.50", "11944.50", "", "SN004", ""),
    (dt.date(2024, 3, 12), "张三转账", "88.00", None, "12032.50", "张三", "SN005", "13912345678 3号楼张三"),
]
TITLE = [["中国某某银行 账户明细查询"], ["账号：3201 0000 1234  户名：测试小区业主大会"], []]


def _money(text: str | None, style: str) -> object:
    if text is None:
        return None
    if style == "text-commas":
        return f"{float(text):,.2f}"  # numbers stored as text with thousands separators
    return float(text)


def split_layout(path: Path, lines=LINES) -> Path:
    rows = [*TITLE, ["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号", "附言"]]
    for d, s, i, o, b, cp, sn, note in lines:
        rows.append([d.strftime("%Y/%-m/%-d"), s, _money(i, "text-commas"), _money(o, "text-commas"),
                     _money(b, "text-commas"), cp, sn, note])
    rows.append(["合计", None, "2,038.00", "5.50"])
    rows.append(["打印日期：2024-04-01"])
    return write_xlsx(path, rows, title="账户明细", merges=["A1:H1", "A2:H2"])


def signed_layout(path: Path, lines=LINES) -> Path:
    """Newest first, one signed amount column, dates as 2024年3月1日, full-width digits."""
    rows = [["交易明细"], ["交易日期", "交易金额", "余额", "摘要", "对方户名", "交易流水号", "备注"]]
    for d, s, i, o, b, cp, sn, note in reversed(lines):
        amount = float(i) if i else -float(o)
        fullwidth = str(sn).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        rows.append([f"{d.year}年{d.month}月{d.day}日", amount, float(b), f" {s} ", cp, fullwidth, note])
    rows.append(["总计", 2032.50])
    return write_xlsx(path, rows, title="明细", merges=["A1:G1"])


def debit_credit_layout(path: Path, lines=LINES) -> Path:
    """Excel dates, 借方/贷方 columns, a blank row in the middle."""
    rows = [["对公账户对账单"], ["记账日期", "凭证号", "摘要", "借方发生额", "贷方发生额", "余额", "对方户名", "附言"]]
    for n, (d, s, i, o, b, cp, sn, note) in enumerate(lines):
        if n == 2:
            rows.append([])
        rows.append([dt.datetime(d.year, d.month, d.day, 9, 30), sn, s, float(o) if o else None,
                     float(i) if i else None, float(b), cp, note])
    rows.append(["本期合计", None, None, 5.5, 2038.0])
    return write_xlsx(path, rows, number_formats={"A": "yyyy-mm-dd"})


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def compound(small_compound: Path) -> Path:
    append(small_compound / "contracts.beancount", CONTRACT)
    return small_compound


def journal_entries(root: Path) -> list:
    entries, errors, _ = loader.load_file(str(root / "main.beancount"))
    assert not errors, [e.message for e in errors]
    return entries


@pytest.mark.parametrize("layout", [split_layout, signed_layout, debit_credit_layout])
def test_each_layout_books_every_line_and_passes_bean_check(compound: Path, tmp_path: Path, layout) -> None:
    xlsx = layout(tmp_path / "stmt.xlsx")
    res = run("import", xlsx, "-L", compound)
    assert res.exit_code == 0, res.output
    entries = journal_entries(compound)
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    by_ref = {t.meta.get("bank_ref"): t for t in txns}
    assert set(by_ref) >= {"SN001", "SN002", "SN003", "SN004", "SN005"}
    accounts_of = {ref: {p.account for p in t.postings} for ref, t in by_ref.items() if ref}
    assert "Assets:Receivable:物业代收" in accounts_of["SN001"]
    assert "Income:Common:停车位" in accounts_of["SN002"]
    pay = by_ref["SN002"]
    assert (pay.meta["asset"], pay.meta["contract"], pay.meta["period"]) == ("P-001", "C-2024-009", "2024-03")
    assert "Liabilities:Deposits:经营押金" in accounts_of["SN003"]
    assert "Expenses:Bank:银行手续费" in accounts_of["SN004"]
    assert "Liabilities:Suspense:待查明款项" in accounts_of["SN005"]
    # privacy: a person's name and phone number never reach the ledger
    text = (compound / "journal.beancount").read_text(encoding="utf-8")
    assert "张三" not in text and "13912345678" not in text
    # opening balance from the first line, and one assertion per day dated the next day
    opening = [t for t in txns if t.payee == "期初"]
    assert opening and opening[0].postings[0].units.number == 10000
    balances = {e.date: e.amount.number for e in entries if isinstance(e, data.Balance)}
    assert balances == {dt.date(2024, 3, 2): 11500, dt.date(2024, 3, 6): 11950,
                        dt.date(2024, 3, 11): pytest.approx(11944.5), dt.date(2024, 3, 13): pytest.approx(12032.5)}


def test_layouts_give_the_same_fingerprints_so_reimport_adds_nothing(compound: Path, tmp_path: Path) -> None:
    assert run("import", split_layout(tmp_path / "a.xlsx"), "-L", compound).exit_code == 0
    before = snapshot(compound)
    for layout in (split_layout, signed_layout, debit_credit_layout):
        res = run("import", layout(tmp_path / f"{layout.__name__}.xlsx"), "-L", compound)
        assert res.exit_code == 0, res.output
        assert "0 entries written" in res.output
    assert snapshot(compound) == before


def test_overlapping_later_export_adds_only_new_lines(compound: Path, tmp_path: Path) -> None:
    assert run("import", split_layout(tmp_path / "a.xlsx", LINES[:3]), "-L", compound).exit_code == 0
    res = run("import", split_layout(tmp_path / "b.xlsx", LINES[1:]), "-L", compound)
    assert res.exit_code == 0, res.output
    txns = [e for e in journal_entries(compound) if isinstance(e, data.Transaction) and "bank_ref" in e.meta]
    assert sorted(t.meta["bank_ref"] for t in txns) == ["SN001", "SN002", "SN003", "SN004", "SN005"]


def test_one_bad_cell_writes_nothing_and_names_file_sheet_row_column(compound: Path, tmp_path: Path) -> None:
    lines = list(LINES)
    lines[3] = (dt.date(2024, 3, 10), "账户管理费", None, "五元", "11944.50", "", "SN004", "")
    rows = [["交易日期", "摘要", "收入金额", "支出金额", "余额"]]
    rows += [[d.isoformat(), s, i, o, b] for d, s, i, o, b, *_ in lines]
    rows.append(["2024-02-30", "x", "1.00", None, "12033.50"])
    xlsx = write_xlsx(tmp_path / "bad.xlsx", rows, title="明细")
    before = snapshot(compound)
    res = CliRunner().invoke(main, ["import", str(xlsx), "-L", str(compound)])
    assert res.exit_code == 2
    assert f"{xlsx}:明细:5:D(支出金额): not an amount: '五元' (expected an amount such as 1,234.50)" in res.output
    assert f"{xlsx}:明细:7:A(交易日期): no such day" in res.output
    assert snapshot(compound) == before


def test_balance_that_does_not_follow_is_an_error(compound: Path, tmp_path: Path) -> None:
    lines = list(LINES)
    d, s, _, o, b, cp, sn, note = lines[2]
    lines[2] = (d, s, "310.00", o, b, cp, sn, note)  # misread amount: the running balance breaks
    before = snapshot(compound)
    res = CliRunner().invoke(main, ["import", str(split_layout(tmp_path / "x.xlsx", lines)), "-L", str(compound)])
    assert res.exit_code == 2
    assert "E(余额): balance 11950.00 does not follow from 11650.00" in res.output
    assert snapshot(compound) == before


def test_statement_that_does_not_continue_the_ledger_is_refused(compound: Path, tmp_path: Path) -> None:
    assert run("import", split_layout(tmp_path / "a.xlsx", LINES[:2]), "-L", compound).exit_code == 0
    later = [(dt.date(2024, 4, 1), "转账", "100.00", None, "99999.00", "物业服务公司", "SN100", "")]
    before = snapshot(compound)
    res = CliRunner().invoke(main, ["import", str(split_layout(tmp_path / "b.xlsx", later)), "-L", str(compound)])
    assert res.exit_code == 2
    assert "would hold 11750.00 on 2024-04-02, the bank says 99999.00" in res.output
    assert snapshot(compound) == before


def test_dry_run_prints_and_writes_nothing(compound: Path, tmp_path: Path) -> None:
    before = snapshot(compound)
    res = run("import", split_layout(tmp_path / "a.xlsx"), "-L", compound, "--dry-run")
    assert res.exit_code == 0
    assert 'balance Assets:Bank:共有资金专户' in res.output and "dry run:" in res.output
    assert snapshot(compound) == before


def test_payment_on_unconfirmed_asset_goes_to_suspense(compound: Path, tmp_path: Path) -> None:
    append(compound / "contracts.beancount", contract_text("C-2024-010", "AD-001", "淮安某某广告传媒有限公司"))
    lines = [(dt.date(2024, 3, 1), "广告费", "500.00", None, "500.00", "淮安某某广告传媒有限公司", "SN1", "")]
    assert run("import", split_layout(tmp_path / "a.xlsx", lines), "-L", compound).exit_code == 0
    t = next(e for e in journal_entries(compound) if isinstance(e, data.Transaction) and e.meta.get("bank_ref") == "SN1")
    assert t.postings[1].account == "Liabilities:Suspense:待查明款项"
    assert "未确权" in t.meta["unmatched"]


def test_new_bank_layout_from_a_config_file(compound: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "mybank.yaml"
    cfg.write_text("name: 某农商行\nlayout: split\ncolumns:\n  date: [发生日期]\n  income: [存入]\n"
                   "  expense: [支取]\n  balance: [结余]\n  summary: [说明]\n", encoding="utf-8")
    rows = [["发生日期", "说明", "存入", "支取", "结余"], ["2024-03-01", "利息", "1.20", None, "1.20"]]
    xlsx = write_xlsx(tmp_path / "nb.xlsx", rows)
    res = CliRunner().invoke(main, ["import", str(xlsx), "-L", str(compound)])
    assert res.exit_code == 2 and "no sheet has the headers of a known kind" in res.output
    res = run("import", xlsx, "-L", compound, "--bank-config", cfg)
    assert res.exit_code == 0, res.output
    assert "某农商行" in res.output
    journal_entries(compound)


def test_lines_in_a_sealed_period_are_refused(compound: Path, tmp_path: Path) -> None:
    append(compound / "journal.beancount", '\n2024-04-05 custom "seal" "2024-03-10"\n  hash: "sha256:00"\n  entries: 1\n')
    before = snapshot(compound)
    res = CliRunner().invoke(main, ["import", str(split_layout(tmp_path / "a.xlsx")), "-L", str(compound)])
    assert res.exit_code == 2
    assert ":账户明细:8:(row): dated 2024-03-10, inside the period sealed through 2024-03-10" in res.output
    assert ":账户明细:9:" not in res.output  # 2024-03-12 is in the open period
    assert "4 errors" in res.output  # one per row
    assert snapshot(compound) == before


def test_one_sheet_per_month_continues_across_sheets(compound: Path, tmp_path: Path) -> None:
    header = ["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号"]
    march = [header, ["2024-03-01", "转账", "100.00", None, "100.00", "物业服务公司", "A1"]]
    april = [["4月"], header, ["2024-04-01", "转账", "100.00", None, "200.00", "物业服务公司", "A2"]]
    xlsx = write_xlsx(tmp_path / "months.xlsx", march, title="3月", extra_sheets={"4月": april})
    res = run("import", xlsx, "-L", compound)
    assert res.exit_code == 0, res.output
    assert "sheet 3月, 4月" in res.output
    balances = {e.date: e.amount.number for e in journal_entries(compound) if isinstance(e, data.Balance)}
    assert balances == {dt.date(2024, 3, 2): 100, dt.date(2024, 4, 2): 200}


def test_an_earlier_export_cut_mid_day_is_named(compound: Path, tmp_path: Path) -> None:
    assert run("import", split_layout(tmp_path / "a.xlsx", LINES[:2]), "-L", compound).exit_code == 0
    before = snapshot(compound)
    res = CliRunner().invoke(main, ["import", str(split_layout(tmp_path / "b.xlsx")), "-L", str(compound)])
    assert res.exit_code == 2
    assert "the ledger already asserts 11650.00 in the account on 2024-03-06, this statement ends the day at 11950.00" in res.output
    assert snapshot(compound) == before


@pytest.mark.parametrize(("name", "organisation"), [
    ("王会", False), ("李院长", False), ("欧阳小明", False), ("张三", False),
    ("清江浦区颐和居家养老服务中心", True), ("中国铁塔股份有限公司淮安市分公司", True),
    ("景湖花园业主委员会", True), ("工商银行", True), ("淮安市景湖便利店", True)])
def test_who_counts_as_an_organisation(name: str, organisation: bool) -> None:
    from importers.bank import _ORG

    assert bool(_ORG.search(name)) is organisation


def test_dashes_in_the_unused_column_and_one_day_newest_first(compound: Path, tmp_path: Path) -> None:
    rows = [["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号"],
            ["2024-03-01", "手续费", "--", "2.00", "198.00", "", "C3"],
            ["2024-03-01", "转账", "100.00", "-", "200.00", "物业服务公司", "C2"],
            ["2024-03-01", "转账", "100.00", "—", "100.00", "物业服务公司", "C1"]]
    res = run("import", write_xlsx(tmp_path / "d.xlsx", rows), "-L", compound)
    assert res.exit_code == 0, res.output
    balances = [(e.date, e.amount.number) for e in journal_entries(compound) if isinstance(e, data.Balance)]
    assert balances == [(dt.date(2024, 3, 2), Decimal("198.00"))]


amount_text = st.decimals(min_value=Decimal("-0.50"), max_value=10**6, places=2).map(lambda d: f"{d:.2f}")
odd_amount = st.sampled_from([None, "", "--", "1,000.00", "1.005", 5.0, "0.00", "-3.00"])
plain_text = st.one_of(st.text(max_size=6), st.just(""), st.none(), st.just("１２"), st.integers(0, 99))
plain_date = st.one_of(st.dates(min_value=dt.date(1990, 1, 1)).map(dt.date.isoformat),
                       st.datetimes(min_value=dt.datetime(1990, 1, 1)), st.sampled_from(["2024-02-30", "2024/3/1"]))


@st.composite
def bank_cells(draw: st.DrawFn) -> tuple:
    amount = draw(amount_text)
    money_in = draw(st.booleans())
    cells = [draw(plain_date), amount if money_in else None, None if money_in else amount, draw(amount_text),
             *(draw(plain_text) for _ in range(4))]
    if draw(st.integers(0, 3)) == 0:  # now and then an odd amount anywhere
        cells[draw(st.integers(1, 3))] = draw(odd_amount)
    return tuple(cells)


@settings(max_examples=200, deadline=None)
@given(bank_cells())
def test_the_fast_reading_of_a_plain_line_is_the_full_reading(cells: tuple) -> None:
    from importers.bank import BankImporter, _FastLine
    from importers.cells import Header, Problems, Row, RowReader

    layout = next(x for x in BankImporter().layouts if Path(x.source).name == "split.yaml")
    names = ("date", "income", "expense", "balance", "summary", "counterparty", "reference", "note")
    header = Header(1, {n: i for i, n in enumerate(names)}, {n: n for n in names})
    row = Row(2, cells)
    fast = _FastLine(header, layout)(row)
    if fast is None:
        return  # not plain: the full reading alone applies
    r = RowReader("f.xlsx", "s", header, Problems())
    r.start(row)
    assert BankImporter()._line(r, layout, True) == fast


RESOLUTIONS = """
2024-02-20 custom "resolution" "R-2024-05"
  matter: 9
  passed: TRUE
  title: "公共收益分配"
2024-02-21 custom "resolution" "R-2024-06"
  matter: 9
  passed: FALSE
  title: "未通过的分配方案"
"""


@pytest.mark.parametrize(
    ("summary", "note", "account", "resolution"),
    [
        ("划转维修资金", "依据R-2024-05", "Expenses:Allocation:补充维修资金", "R-2024-05"),
        ("转账", "业委会工作经费 R-2024-05", "Expenses:Allocation:业委会工作经费", "R-2024-05"),
        ("转账", "社区活动 R-2024-05", "Expenses:Allocation:业主大会决定用途", "R-2024-05"),
        ("划转维修资金", "依据R-2024-06", "Liabilities:Suspense:待查明款项", None),  # did not pass
        ("划转维修资金", "", "Liabilities:Suspense:待查明款项", None),  # cites nothing
    ],
)
def test_outflow_citing_a_passed_resolution_is_an_allocation(
    compound: Path, tmp_path: Path, summary: str, note: str, account: str, resolution: str | None
) -> None:
    append(compound / "contracts.beancount", RESOLUTIONS)
    lines = [*LINES[:1], (dt.date(2024, 3, 20), summary, None, "1000.00", "10500.00",
                          "淮安市住房专项维修资金管理中心", "SN900", note)]
    res = run("import", split_layout(tmp_path / "stmt.xlsx", lines), "-L", compound)
    assert res.exit_code == 0, res.output
    txn = next(t for t in journal_entries(compound)
               if isinstance(t, data.Transaction) and t.meta.get("bank_ref") == "SN900")
    assert account in {p.account for p in txn.postings}
    assert txn.meta.get("resolution") == resolution
