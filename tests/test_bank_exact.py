"""importers/bank.py, pinned exactly, function by function: each message and hint as a whole
string, each booked entry as a whole entry (date, payee, narration, postings, metadata), each
masked text, each parsed cell, each boundary from both sides. Everything runs in process on
sheets built in memory (no files, no CLI), so a mutation run sees every difference."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser import parser
from conftest import SMALL_REGISTRY
from test_import_bank import contract_text

from assetreg.contracts import contracts_from_entries
from assetreg.errors import BadInput
from assetreg.options import options_from_entries
from assetreg.registry import registry_from_entries
from assetreg.resolutions import make_resolution_check, resolutions_from_entries
from importers import bank
from importers.bank import (
    FIELDS,
    FOOTERS,
    LAYOUTS_DIR,
    REQUIRED,
    BankImporter,
    BankLayout,
    Line,
    _bank_postings,
    _FastLine,
    _footer_key,
    _iso_day,
    _Matcher,
    _near,
    _norm,
    _period,
    _plain,
    _running,
    _same_normed,
    _same_party,
    _txn,
    aliases,
    builtin_layouts,
    is_footer,
    load_layout,
    narration_of,
    private,
    statement_rows,
)
from importers.base import Context, Plan
from importers.cells import Column, Fingerprints, Header, Problems, Row, RowReader, Sheet

BANK = "Assets:Bank:共有资金专户"
SUSPENSE = "Liabilities:Suspense:待查明款项"
HELD = "Assets:Receivable:物业代收"
DEPOSITS = "Liabilities:Deposits:经营押金"
FEES = "Expenses:Bank:银行手续费"
OPENING = "Equity:Opening:期初余额"
PARKING = "Income:Common:停车位"
SHOP = "清江浦区便民停车管理有限公司"  # the counterparty of contract_text()
MANAGER = "淮安景湖物业服务有限公司"
D = Decimal
SPLIT_FIX = f"see {LAYOUTS_DIR / 'split.yaml'} for the format"


# ------------------------------------------------------------------ helpers


def m(**kw: Any) -> dict[str, Any]:
    """Metadata as assetreg.ledger.meta writes it."""
    return {"filename": "<assetreg>", "lineno": 0, **kw}


def txn(meta: dict[str, Any], day: dt.date, payee: str | None, narration: str, amount: str, other: str) -> data.Transaction:
    n = D(amount)
    return data.Transaction(meta, day, "*", payee, narration, frozenset(), frozenset(), [
        data.Posting(BANK, Amount(n, "CNY"), None, None, None, None),
        data.Posting(other, Amount(-n, "CNY"), None, None, None, None)])


def bal(meta: dict[str, Any], day: dt.date, amount: str) -> data.Balance:
    return data.Balance(meta, day, BANK, Amount(D(amount), "CNY"), None, None)


def parse(text: str) -> list[Any]:
    entries, errors, _ = parser.parse_string(text)
    assert not errors, errors
    return entries


def option(name: str, value: str) -> str:
    return f'\n2020-01-01 custom "assetreg-option" "{name}" "{value}"\n'


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

BASE = SMALL_REGISTRY + contract_text() + option("manager-name", MANAGER)


def contract(cid: str = "C-2024-009", asset: str = "P-001", counterparty: str = SHOP,
             start: dt.date = dt.date(2024, 2, 1), end: dt.date = dt.date(2024, 12, 31), period: str = "month",
             decision: str = "permitted") -> str:
    """A contract entry as the policy gate writes it, with its own term and billing period."""
    from assetreg.contracts import content_hash
    from assetreg.ledger import custom, format_entry

    terms = {"assets": asset, "use": "parking-owner", "counterparty": counterparty,
             "counterparty_kind": "organisation", "start": start, "end": end,
             "price": Amount(D("150.00"), "CNY"), "period": period, "deposit": Amount(D("300.00"), "CNY")}
    entry = custom(dt.date(2024, 1, 25), "contract", [cid, "recorded"], **terms, decision=decision,
                   content_hash=content_hash(terms))
    return "\n" + format_entry(entry)


def ledger(extra: str = "") -> list[Any]:
    return parse(BASE + extra)


HEADER = ("交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号", "附言")
NO_BALANCE = ("交易日期", "摘要", "收入金额", "支出金额", "对方户名", "流水号", "附言")


def sheet(rows: list[tuple[Any, ...]] | list[list[Any]], name: str = "明细") -> Sheet:
    rows = [tuple(r) for r in rows]
    return Sheet(Path("s.xlsx"), name, rows[:30], lambda: iter(rows))


def read(rows: list[Any], entries: list[Any] | None = None, importer: BankImporter | None = None,
         ctx: Context | None = None) -> tuple[Plan, Problems]:
    imp = importer or BankImporter()
    s = sheet(rows)
    header = imp.header(s)
    assert header is not None
    problems = Problems()
    plan = imp.read(s, header, ctx or Context.of(list(entries or [])), problems)
    return plan, problems


def errors(problems: Problems) -> list[str]:
    return [str(e) for e in problems.errors]


def entries_of(plan: Plan) -> list[Any]:
    return [e for _, e in plan.writes]


def ids(*parts: tuple[Any, ...]) -> list[str]:
    """The fingerprints the importer gives, in the order it asks for them."""
    fp = Fingerprints("bank")
    return [fp(*p) for p in parts]


def line(amount: str = "100.00", summary: str = "转账", cp: str = "", ref: str = "SN1", note: str = "",
         day: dt.date = dt.date(2024, 3, 5), balance: str | None = None, row: int = 2) -> Line:
    return Line(row, day, D(amount), None if balance is None else D(balance), summary, cp, ref, note)


def matcher(extra: str = "", manager: str = MANAGER, options: dict[str, str] | None = None) -> _Matcher:
    entries = ledger(extra)
    resolutions = resolutions_from_entries(entries)
    registry = registry_from_entries(entries, make_resolution_check(resolutions))
    return _Matcher(manager, contracts_from_entries(entries), resolutions, registry, *aliases(options or {}))


SPLIT = next(x for x in builtin_layouts() if Path(x.source).name == "split.yaml")
SIGNED = next(x for x in builtin_layouts() if Path(x.source).name == "signed.yaml")
DIRECTION = next(x for x in builtin_layouts() if Path(x.source).name == "direction.yaml")


# ------------------------------------------------------------------ constants


def test_module_constants() -> None:
    assert bank.CURRENCY == "CNY"
    assert Path(bank.__file__).parent / "banks" == LAYOUTS_DIR
    assert FIELDS == ("date", "income", "expense", "amount", "direction", "balance", "summary", "counterparty",
                      "reference", "note")
    assert REQUIRED == {"split": ("date", "income", "expense"), "signed": ("date", "amount"),
                        "direction": ("date", "amount", "direction")}
    assert bank._BILLED == ("month", "quarter", "half-year", "year", "once")
    assert BankImporter.kind == "bank"
    assert BankImporter.title == "共有资金专户银行对账单"
    assert BankImporter.target == BANK


@pytest.mark.parametrize(("text", "fee"), [
    ("手续费", True), ("工本费", True), ("年费", True), ("短信", True), ("汇划费", True), ("账户管理费", True),
    ("服务费", True), ("结算费", True), ("邮电费", True), ("转账", False), ("管理费", False), ("费", False)])
def test_fee_words(text: str, fee: bool) -> None:
    assert bool(bank._FEE.search(text)) is fee


@pytest.mark.parametrize(("text", "deposit"), [("押金", True), ("保证金", True), ("退押", False), ("金", False)])
def test_deposit_words(text: str, deposit: bool) -> None:
    assert bool(bank._DEPOSIT.search(text)) is deposit


@pytest.mark.parametrize(("name", "organisation"), [
    ("某某公司", True), ("有限", True), ("某集团", True), ("银行", True), ("abc中心", True), ("ab中心", False),
    ("淮安市局", True), ("某某某委员会", True), ("某某某站", True), ("某某某店", True), ("某某某所", True),
    ("某某某部", True), ("某某某厂", True), ("某某某合作社", True), ("某某某协会", True), ("某某某学校", True),
    ("某某某医院", True), ("某某某分行", True), ("某某某支行", True), ("某某某办事处", True), ("某某某社区", True),
    ("某某某街道", True), ("某某某政府", True), ("某某某院", True), ("某某某馆", True), ("某某某会", True),
    ("某某某中心甲", False), ("张三", False), ("", False)])
def test_who_is_an_organisation(name: str, organisation: bool) -> None:
    assert bool(bank._ORG.search(name)) is organisation


def test_footer_words() -> None:
    assert FOOTERS == (
        "借方笔数", "贷方笔数", "借方发生额合计", "贷方发生额合计", "借方合计", "贷方合计", "借方发生额", "贷方发生额",
        "借方总额", "贷方总额", "收入笔数", "支出笔数", "收入合计", "支出合计", "收入总额", "支出总额", "总笔数", "交易笔数",
        "笔数", "期初余额", "期末余额", "上期余额", "本期余额", "打印日期", "打印时间", "打印人", "经办", "操作员", "制表",
        "复核", "查询时间", "查询日期", "查询区间", "起止日期", "温馨提示", "注:", "注：", "说明:", "说明：", "本对账单")


# ------------------------------------------------------------------ load_layout


def _cfg(tmp_path: Path, text: str, name: str = "my-bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _bad(path: Path) -> BadInput:
    with pytest.raises(BadInput) as exc:
        load_layout(path)
    return exc.value


def test_layout_read_whole(tmp_path: Path) -> None:
    path = _cfg(tmp_path, "name: 测试银行\nlayout: direction\ndirection_in: [贷, ' c r ']\ndirection_out: [借, ｄｒ]\n"
                          "columns:\n  note: 附言\n  date: [交易日期, 日期, 7]\n  amount: [金额]\n  direction: [借贷]\n"
                          "  balance: []\nfooters: [' 本页 合计 ', 借方笔数, 7]\n")
    assert load_layout(path) == BankLayout(
        name="测试银行", layout="direction",
        columns=(Column("date", "交易日期", ("日期", "7"), required=True), Column("amount", "金额", (), required=True),
                 Column("direction", "借贷", (), required=True), Column("note", "附言", (), required=False)),
        direction_in=frozenset({"贷", "C R"}), direction_out=frozenset({"借", "DR"}), source=str(path),
        footers=(*FOOTERS, "本页合计", "7"))


def test_layout_defaults(tmp_path: Path) -> None:
    path = _cfg(tmp_path, "columns: {date: 日期, income: 收入, expense: 支出, balance: 余额}\ndirection_in: null\n"
                          "direction_out: []\n")
    assert load_layout(path) == BankLayout(
        name="my-bank", layout="split",
        columns=(Column("date", "日期", (), required=True), Column("income", "收入", (), required=True),
                 Column("expense", "支出", (), required=True), Column("balance", "余额", (), required=False)),
        direction_in=frozenset(), direction_out=frozenset(), source=str(path), footers=FOOTERS)


def test_layout_signed_requires_only_date_and_amount(tmp_path: Path) -> None:
    path = _cfg(tmp_path, "layout: signed\ncolumns: {date: 日期, amount: 金额, income: 收入}\nfooters: 本页合计\n")
    layout = load_layout(path)
    assert layout.columns == (Column("date", "日期", (), required=True), Column("income", "收入", (), required=False),
                              Column("amount", "金额", (), required=True))
    assert layout.footers == (*FOOTERS, "本页合计")
    assert layout.direction_in == frozenset() and layout.direction_out == frozenset()


def test_layout_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    exc = _bad(path)
    assert exc.problem == f"{path}: cannot read bank layout ([Errno 2] No such file or directory: '{path}')"
    assert exc.fix == SPLIT_FIX


def test_layout_not_yaml(tmp_path: Path) -> None:
    path = _cfg(tmp_path, "columns: [unclosed\n")
    exc = _bad(path)
    assert exc.problem.startswith(f"{path}: cannot read bank layout (") and exc.problem.endswith(")")
    assert "while parsing" in exc.problem or "expected" in exc.problem
    assert exc.fix == SPLIT_FIX


@pytest.mark.parametrize("text", ["- a\n- b\n", "name: x\n", "columns: [日期]\n", "columns: 日期\n", ""])
def test_layout_without_a_columns_mapping(tmp_path: Path, text: str) -> None:
    path = _cfg(tmp_path, text)
    exc = _bad(path)
    assert exc.problem == f"{path}: a bank layout needs `name`, `layout` and a `columns` mapping"
    assert exc.fix == SPLIT_FIX


def test_layout_unknown_kind(tmp_path: Path) -> None:
    path = _cfg(tmp_path, "layout: twocolumn\ncolumns: {date: 日期}\n")
    exc = _bad(path)
    assert (exc.problem, exc.fix) == (f"{path}: unknown layout 'twocolumn'", "use one of split, signed, direction")


def test_layout_unknown_fields(tmp_path: Path) -> None:
    path = _cfg(tmp_path, "columns: {date: 日期, income: 收入, expense: 支出, payee: 户名, 7: x}\n")
    exc = _bad(path)
    assert exc.problem == f"{path}: unknown field(s) payee, 7"
    assert exc.fix == ("fields are date, income, expense, amount, direction, balance, summary, counterparty, "
                       "reference, note")


@pytest.mark.parametrize("footers", ["{a: 1}", "['']", "['  ']", "[1.5]", "[借方笔数, null]", "[[借方笔数]]"])
def test_layout_bad_footers(tmp_path: Path, footers: str) -> None:
    path = _cfg(tmp_path, f"columns: {{date: 日期, income: 收入, expense: 支出}}\nfooters: {footers}\n")
    exc = _bad(path)
    assert exc.problem == f"{path}: `footers` must be a list of the words footer rows start with"
    assert exc.fix == "e.g. footers: [借方笔数, 贷方笔数, 借方发生额合计]"


@pytest.mark.parametrize("footers", ["[]", "null", "0", "''"])
def test_layout_no_footers_of_its_own(tmp_path: Path, footers: str) -> None:
    path = _cfg(tmp_path, f"columns: {{date: 日期, income: 收入, expense: 支出}}\nfooters: {footers}\n")
    assert load_layout(path).footers == FOOTERS


def test_layout_footer_already_known_is_not_repeated(tmp_path: Path) -> None:
    path = _cfg(tmp_path, "columns: {date: 日期, income: 收入, expense: 支出}\nfooters: [借方 笔数, 甲, 甲, true]\n")
    assert load_layout(path).footers == (*FOOTERS, "甲", "True")


@pytest.mark.parametrize(("layout", "columns", "missing"), [
    ("split", "{date: 日期, income: 收入}", "expense"),
    ("split", "{date: 日期, income: [], expense: ''}", "income, expense"),
    ("split", "{balance: 余额}", "date, income, expense"),
    ("signed", "{date: 日期, income: 收入}", "amount"),
    ("direction", "{date: 日期, amount: 金额}", "direction"),
    ("direction", "{direction: 借贷}", "date, amount"),
])
def test_layout_missing_required_aliases(tmp_path: Path, layout: str, columns: str, missing: str) -> None:
    path = _cfg(tmp_path, f"layout: {layout}\ncolumns: {columns}\n")
    exc = _bad(path)
    assert exc.problem == f"{path}: layout {layout} needs header aliases for {missing}"
    assert exc.fix == SPLIT_FIX


def test_builtin_layouts_in_file_order() -> None:
    layouts = builtin_layouts()
    assert [(x.name, x.layout, Path(x.source).name) for x in layouts] == [
        ("借方/贷方分列", "split", "debit-credit.yaml"), ("金额+借贷标志", "direction", "direction.yaml"),
        ("带符号金额", "signed", "signed.yaml"), ("收入/支出分列", "split", "split.yaml")]
    assert layouts[0].footers == (*FOOTERS, "借方发生总额", "贷方发生总额", "借方总笔数", "贷方总笔数")
    assert layouts[1].direction_in == frozenset({"贷", "贷方", "收", "收入", "入", "转入", "C", "CR", "CREDIT"})
    assert layouts[1].direction_out == frozenset({"借", "借方", "支", "支出", "出", "转出", "D", "DR", "DEBIT"})
    assert SPLIT.columns[0] == Column("date", "交易日期", ("记账日期", "入账日期", "交易时间", "日期", "date"), required=True)
    assert [c.name for c in SPLIT.columns if c.required] == ["date", "income", "expense"]


# ------------------------------------------------------------------ footers


@pytest.mark.parametrize(("text", "key"), [(" 借 方　笔数 ", "借方笔数"), ("ＡＢ c", "ABc"), (None, ""), (12.0, "12")])
def test_footer_key(text: object, key: str) -> None:
    assert _footer_key(text) == key


@pytest.mark.parametrize(("cells", "footer"), [
    (("借方笔数：1",), True),
    ((None, "", "  ", "借 方笔数 3"), True),
    (("　贷方发生额合计",), True),
    ((None, "摘要", "借方笔数"), False),
    (("2024-03-01", "借方笔数"), False),
    ((dt.datetime(2024, 3, 1), "借方笔数"), False),
    ((12, "借方笔数"), False),
    ((None, None), False),
    ((), False),
    (("方笔数",), False),
])
def test_is_footer(cells: tuple[Any, ...], footer: bool) -> None:
    assert is_footer(cells, FOOTERS) is footer


def test_is_footer_with_the_layouts_words() -> None:
    assert is_footer((7, "x"), ("7",)) is False  # a number is never a footer's word
    assert is_footer((12.0,), ("12",)) is False
    assert is_footer(("7 笔",), ("7",)) is True
    assert is_footer(("本页合计 3",), ("本页合计",)) is True
    assert is_footer(("借方笔数 3",), ("本页合计",)) is False


def test_statement_rows_leaves_out_footers_and_stops_at_a_total() -> None:
    rows = [("标题",), ("交易日期", "收入"), ("2024-03-01", "1"), ("借方笔数 1",), (None, " "), ("2024-03-02", "2"),
            ("打印日期 2024",), ("合计", "3"), ("2024-03-03", "4"), ("借方笔数 2",)]
    header = Header(2, {"date": 0, "income": 1}, {"date": "交易日期", "income": "收入"})
    skipped: list[int] = []
    got = list(statement_rows(iter(rows), header, FOOTERS, skipped))
    assert got == [Row(3, ("2024-03-01", "1")), Row(6, ("2024-03-02", "2"))]
    assert skipped == [4, 7]


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(("name", "normed"), [
    ("ａｂ Ｃ（１）", "ABC(1)"), ("公司①", "公司1"), ("ﬁ", "FI"), ("  清江浦 区\u3000公司 ", "清江浦区公司"), ("", ""), ("x y", "XY")])
def test_norm(name: str, normed: str) -> None:
    assert _norm(name) == normed


def test_same_party() -> None:
    assert _same_party("清江浦 公司", "清江浦公司") is True
    assert _same_party("ｊｈ", "JH") is True
    assert _same_party("", "") is False
    assert _same_party("景湖物业", MANAGER) is False
    assert _same_normed("A", "A") is True
    assert _same_normed("", "") is False
    assert _same_normed("A", "B") is False


@pytest.mark.parametrize(("a", "b", "near"), [
    ("景湖", "淮安景湖物业", True), ("淮安景湖物业", "景湖", True), ("AB", "AB", False), ("", "AB", False),
    ("AB", "", False), ("景", "景湖物业", False), ("湖景", "景湖物业", False), ("AB", "ABC", True)])
def test_near(a: str, b: str, near: bool) -> None:
    assert _near(a, b) is near


def test_aliases_parse_every_separator() -> None:
    manager, parties = aliases({
        "manager-alias": "a,b，c、d;e；f|g ,, ｈ ",
        "counterparty-alias": "甲公司=甲,乙；丙公司 = 丙|丁\n甲公司=戊\n=无名；没有等号；己公司=；庚公司=、 "})
    assert manager == {"A", "B", "C", "D", "E", "F", "G", "H"}
    assert parties == {"甲公司": {"甲", "乙", "戊"}, "丙公司": {"丙", "丁"}, "己公司": set(), "庚公司": set()}


def test_aliases_unset() -> None:
    assert aliases({}) == (set(), {})
    assert aliases({"manager-alias": None, "counterparty-alias": None}) == (set(), {})
    opts = options_from_entries(ledger(option("manager-alias", "景湖物业")
                                       + option("counterparty-alias", f"{SHOP}=便民停车")))
    assert aliases(opts) == ({"景湖物业"}, {SHOP: {"便民停车"}})


# ------------------------------------------------------------------ privacy


@pytest.mark.parametrize(("text", "masked"), [
    ("电话 138 0013 8000 谢谢", "电话 *** 谢谢"), ("身份证320102199001011234", "身份证***"), ("C-2024-009", "C-2024-009"),
    ("", "")])
def test_private(text: str, masked: str) -> None:
    assert private(text) == masked


@pytest.mark.parametrize(("summary", "cp", "note", "person", "narration"), [
    # a person who paid: the 摘要 with their name taken out, the 附言 left out whole
    ("张三转账", "张三", "C-2024-009 2024年3月 张三", True, "个人转账"),
    ("张 三 13912345678", "张三", "", True, "个人 ***"),
    ("", "张三", "停车费", True, ""),
    # no payer named: the 附言's facts that the 摘要 does not already hold
    ("转账", "", "代张三缴纳2024年3月停车费 C-2024-009", True, "转账 2024年3月 停车费 C-2024-009"),
    ("停车费", "", "代张三缴纳2024年3月停车费", True, "停车费 2024年3月"),
    # an organisation: the same
    ("租金", SHOP, "王小明付 C-2024-009 租金 13912345678", False, "租金 C-2024-009"),
    ("转账 13912345678", SHOP, "2月代收公共收益", False, "转账 *** 2月代收公共收益"),
    ("", SHOP, "", False, ""),
    ("", SHOP, "停车费", False, "停车费"),
    ("转账", SHOP, "张三", False, "转账"),
])
def test_narration_of(summary: str, cp: str, note: str, person: bool, narration: str) -> None:
    assert narration_of(line(summary=summary, cp=cp, note=note), person) == narration


# ------------------------------------------------------------------ plain cells (the fast path)


@pytest.mark.parametrize(("value", "plain"), [
    ("1234.50", "1234.50"), ("1234", "1234.00"), ("1234.5", "1234.50"), ("-5", "-5.00"), ("0.05", "0.05"),
    ("123456789012", "123456789012.00"), (None, None), ("", None), ("  ", None), ("--", None), (" - ", None),
    ("—", None), ("/", None)])
def test_plain_reads(value: Any, plain: str | None) -> None:
    got = _plain(value)
    assert (None if got is None else str(got)) == plain


@pytest.mark.parametrize("value", ["1,000.00", "1234.567", "1234567890123", "12元", " 12", 5.0, 5, D("5"), "x"])
def test_plain_refuses(value: Any) -> None:
    assert _plain(value) is bank._NO


@pytest.mark.parametrize(("text", "day"), [
    ("2025-03-01", dt.date(2025, 3, 1)), ("2024-02-29", dt.date(2024, 2, 29)), ("2024-02-30", None),
    ("2025/03/01", None), ("2025-3-01 ", None), ("2025-03-1", None), ("20250301xx", None), ("2025-03-01 10:00", None), ("2025-W01-1", None),
    ("9999-12-31", None), ("2025.03-01", None), ("2025-03.01", None)])
def test_iso_day(text: str, day: dt.date | None) -> None:
    assert _iso_day(text) == day


def test_iso_day_range_ends() -> None:
    from assetreg.dates import FIRST_YEAR, LAST_YEAR

    assert _iso_day(f"{FIRST_YEAR:04d}-01-01") == dt.date(FIRST_YEAR, 1, 1)
    assert _iso_day(f"{LAST_YEAR:04d}-12-31") == dt.date(LAST_YEAR, 12, 31)
    assert _iso_day(f"{FIRST_YEAR - 1:04d}-12-31") is None
    assert _iso_day(f"{LAST_YEAR + 1:04d}-01-01") is None


FAST_NAMES = ("date", "income", "expense", "balance", "summary", "counterparty", "reference", "note")


def _fast(balance: bool = True, texts: bool = True) -> _FastLine:
    names = [n for n in FAST_NAMES if (balance or n != "balance") and (texts or n in ("date", "income", "expense",
                                                                                         "balance"))]
    header = Header(1, {n: i for i, n in enumerate(names)}, {n: n for n in names})
    return _FastLine(header, SPLIT)


def test_fast_line_reads_a_plain_line() -> None:
    fast = _fast()
    got = fast(Row(7, ("2024-03-05", "150.5", None, "1150.50", " 停车费  3月 ", "ＡＢ公司", None, "Ｃ-2024-009")))
    assert got == Line(7, dt.date(2024, 3, 5), D("150.50"), D("1150.50"), "停车费 3月", "AB公司", "", "C-2024-009")
    assert str(got.amount) == "150.50"
    out = fast(Row(8, (dt.datetime(2024, 3, 6, 9, 30), "-", "2", "1148.50", "", "", "", "")))
    assert out == Line(8, dt.date(2024, 3, 6), D("-2.00"), D("1148.50"), "", "", "", "")
    assert fast.days == {"2024-03-05": dt.date(2024, 3, 5)}
    assert fast.cleaned == {" 停车费  3月 ": "停车费 3月", "ＡＢ公司": "AB公司", "Ｃ-2024-009": "C-2024-009", "": ""}
    assert (fast.date, fast.inc, fast.exp, fast.bal, fast.texts, fast.width) == (0, 1, 2, 3, (4, 5, 6, 7), 8)


def test_fast_line_without_balance_or_texts() -> None:
    fast = _fast(balance=False, texts=False)
    assert (fast.bal, fast.texts, fast.width) == (None, (None, None, None, None), 3)
    assert fast(Row(2, ("2024-03-05", None, "3.00"))) == Line(2, dt.date(2024, 3, 5), D("-3.00"), None, "", "", "", "")
    assert fast(Row(2, ("2024-03-05", None))) is None  # shorter than the header


@pytest.mark.parametrize("cells", [
    ("2024-03-05", "1.00", None, "1.00", "a", "b", "c"),  # short row
    ("2024/3/5", "1.00", None, "1.00", "a", "b", "c", "d"),
    ("2024-02-30", "1.00", None, "1.00", "a", "b", "c", "d"),
    (dt.date(2024, 3, 5), "1.00", None, "1.00", "a", "b", "c", "d"),  # a date, not a datetime
    (45000, "1.00", None, "1.00", "a", "b", "c", "d"),
    (dt.datetime(9999, 1, 1), "1.00", None, "1.00", "a", "b", "c", "d"),
    ("2024-03-05", "1,000.00", None, "1.00", "a", "b", "c", "d"),
    ("2024-03-05", None, "1,000.00", "1.00", "a", "b", "c", "d"),
    ("2024-03-05", "1.00", "2.00", "1.00", "a", "b", "c", "d"),
    ("2024-03-05", None, None, "1.00", "a", "b", "c", "d"),
    ("2024-03-05", "0.00", None, "1.00", "a", "b", "c", "d"),
    ("2024-03-05", None, "0", "1.00", "a", "b", "c", "d"),
    ("2024-03-05", "-1.00", None, "1.00", "a", "b", "c", "d"),
    ("2024-03-05", None, "-1.00", "1.00", "a", "b", "c", "d"),
    ("2024-03-05", "1.00", None, None, "a", "b", "c", "d"),
    ("2024-03-05", "1.00", None, "1,000.00", "a", "b", "c", "d"),
    ("2024-03-05", "1.00", None, "1.00", 5, "b", "c", "d"),
    ("2024-03-05", "1.00", None, "1.00", "a", "b", "c", dt.date(2024, 1, 1)),
])
def test_fast_line_leaves_other_lines_to_the_full_reading(cells: tuple[Any, ...]) -> None:
    assert _fast()(Row(2, cells)) is None


def test_fast_line_datetime_in_range_end() -> None:
    from assetreg.dates import LAST_YEAR

    got = _fast(balance=False)(Row(2, (dt.datetime(LAST_YEAR, 12, 31), "1", None, None, None, None, None)))
    assert got == Line(2, dt.date(LAST_YEAR, 12, 31), D("1.00"), None, "", "", "", "")


# ------------------------------------------------------------------ the full reading of a line


def _full(cells: tuple[Any, ...], layout: BankLayout, names: tuple[str, ...],
          has_balance: bool = True) -> tuple[Line | None, list[str], list[str]]:
    header = Header(1, {n: i for i, n in enumerate(names)}, {n: f"{n}!" for n in names})
    problems = Problems()
    r = RowReader("f.xlsx", "s", header, problems)
    r.start(Row(5, cells))
    got = BankImporter([layout])._line(r, layout, has_balance)
    return got, errors(problems), [str(w) for w in problems.warnings]


SPLIT_NAMES = ("date", "income", "expense", "balance", "summary", "counterparty", "reference", "note")


@pytest.mark.parametrize(("cells", "message"), [
    (("2024-03-05", "1.00", "2.00", "9.00"),
     "f.xlsx:s:5:C(expense!): both money in (1.00) and money out (2.00) on one line (expected one of the two columns filled)"),
    (("2024-03-05", None, "--", "9.00"),
     "f.xlsx:s:5:B(income!): neither money in nor money out (expected an amount in one of the two columns)"),
    (("2024-03-05", "-1.00", None, "9.00"),
     "f.xlsx:s:5:B(income!): negative amount in a one-way column (expected a positive amount; money out goes in the other column)"),
    (("2024-03-05", None, "-1.00", "9.00"),
     "f.xlsx:s:5:C(expense!): negative amount in a one-way column (expected a positive amount; money out goes in the other column)"),
    (("2024-03-05", "0", "-1.00", "9.00"),
     "f.xlsx:s:5:C(expense!): negative amount in a one-way column (expected a positive amount; money out goes in the other column)"),
    (("2024-03-05", "0.00", None, "9.00"), "f.xlsx:s:5:B(income!): zero amount (expected a non-zero amount)"),
    (("2024-03-05", "0", "0", "9.00"), "f.xlsx:s:5:B(income!): zero amount (expected a non-zero amount)"),
    ((None, "1.00", None, "9.00"), "f.xlsx:s:5:A(date!): empty (expected the transaction date)"),
    (("2024-03-05", "1.00", None, None), "f.xlsx:s:5:D(balance!): empty (expected an amount such as 1,234.50)"),
])
def test_split_line_errors(cells: tuple[Any, ...], message: str) -> None:
    got, errs, _ = _full(cells, SPLIT, SPLIT_NAMES[:4])
    assert got is None
    assert errs == [message]


def test_split_line_negative_income_named_before_expense() -> None:
    _, errs, _ = _full(("2024-03-05", "-1.00", "-2.00", "9.00"), SPLIT, SPLIT_NAMES[:4])
    assert errs == ["f.xlsx:s:5:C(expense!): both money in (-1.00) and money out (-2.00) on one line "
                    "(expected one of the two columns filled)"]


def test_split_line_reads() -> None:
    got, errs, warns = _full(("2024-03-05", 1.005, None, 10.0, "  摘 要 ", 12, "SN 1", None), SPLIT, SPLIT_NAMES)
    assert errs == []
    assert warns == ["f.xlsx:s:5:B(income!): amount 1.005 rounded to 1.01 (expected a whole number of cents)"]
    assert got == Line(5, dt.date(2024, 3, 5), D("1.01"), D("10.00"), "摘 要", "12", "SN 1", "")
    got, errs, _ = _full(("2024年3月5日", "0", "2.50"), SPLIT, SPLIT_NAMES[:3], has_balance=False)
    assert errs == [] and got == Line(5, dt.date(2024, 3, 5), D("-2.50"), None, "", "", "", "")
    got, errs, _ = _full(("2024-03-05", "1,234.5", "—"), SPLIT, SPLIT_NAMES[:3], has_balance=False)
    assert errs == [] and got == Line(5, dt.date(2024, 3, 5), D("1234.50"), None, "", "", "", "")


def test_a_bad_date_still_reads_the_rest_and_returns_nothing() -> None:
    got, errs, _ = _full(("2024-02-30", "1.00", "2.00"), SPLIT, SPLIT_NAMES[:3], has_balance=False)
    assert got is None
    assert errs == ["f.xlsx:s:5:A(date!): no such day: '2024-02-30' (expected a date such as 2025-03-01, 2025/3/1 or "
                    "2025年3月1日)"]


SIGNED_NAMES = ("date", "amount", "balance", "summary")


@pytest.mark.parametrize(("cells", "amount"), [(("2024-03-05", "-3.00", "7"), "-3.00"), (("2024-03-05", 3, "7"), "3.00")])
def test_signed_line_reads(cells: tuple[Any, ...], amount: str) -> None:
    got, errs, _ = _full(cells, SIGNED, SIGNED_NAMES[:3])
    assert errs == [] and got == Line(5, dt.date(2024, 3, 5), D(amount), D("7.00"), "", "", "", "")


@pytest.mark.parametrize(("cells", "message"), [
    (("2024-03-05", "0.00", "7"), "f.xlsx:s:5:B(amount!): zero amount (expected a non-zero amount)"),
    (("2024-03-05", None, "7"), "f.xlsx:s:5:B(amount!): empty (expected an amount such as 1,234.50)"),
    (("2024-03-05", "x", "7"), "f.xlsx:s:5:B(amount!): not an amount: 'x' (expected an amount such as 1,234.50)"),
])
def test_signed_line_errors(cells: tuple[Any, ...], message: str) -> None:
    got, errs, _ = _full(cells, SIGNED, SIGNED_NAMES[:3])
    assert got is None and errs == [message]


DIRECTION_NAMES = ("date", "amount", "direction")


@pytest.mark.parametrize(("amount", "flag", "signed"), [
    ("5.00", "贷", "5.00"), ("-5.00", "贷", "5.00"), ("5.00", "借", "-5.00"), ("-5.00", "借", "-5.00"),
    ("5.00", "cr", "5.00"), ("5.00", " Ｄ ", "-5.00"), ("5.00", "debit", "-5.00")])
def test_direction_line_reads(amount: str, flag: str, signed: str) -> None:
    got, errs, _ = _full(("2024-03-05", amount, flag), DIRECTION, DIRECTION_NAMES, has_balance=False)
    assert errs == [] and got == Line(5, dt.date(2024, 3, 5), D(signed), None, "", "", "", "")


def test_direction_line_errors() -> None:
    got, errs, _ = _full(("2024-03-05", "5.00", "存"), DIRECTION, DIRECTION_NAMES, has_balance=False)
    assert got is None
    assert errs == ["f.xlsx:s:5:C(direction!): unknown direction '存' (expected C / CR / CREDIT / D / DEBIT / DR / 借 / "
                    "借方 / 入 / 出 / 支 / 支出 / 收 / 收入 / 贷 / 贷方 / 转入 / 转出)"]
    got, errs, _ = _full(("2024-03-05", "5.00", None), DIRECTION, DIRECTION_NAMES, has_balance=False)
    assert got is None and errs == ["f.xlsx:s:5:C(direction!): empty (expected 借 or 贷)"]
    got, errs, _ = _full(("2024-03-05", "0", "贷"), DIRECTION, DIRECTION_NAMES, has_balance=False)
    assert got is None and errs == ["f.xlsx:s:5:B(amount!): zero amount (expected a non-zero amount)"]
    # no amount: the flag is not read
    got, errs, _ = _full(("2024-03-05", None, "存"), DIRECTION, DIRECTION_NAMES, has_balance=False)
    assert got is None and errs == ["f.xlsx:s:5:B(amount!): empty (expected an amount such as 1,234.50)"]


def test_the_zero_amount_is_reported_once_after_other_errors() -> None:
    got, errs, _ = _full(("2024-03-05", "0", "7", "x"), SIGNED, (*SIGNED_NAMES[:2], "balance", "counterparty"))
    assert got is None
    assert errs == ["f.xlsx:s:5:B(amount!): zero amount (expected a non-zero amount)"]
    got, errs, _ = _full(("2024-03-05", "0", "x"), SIGNED, SIGNED_NAMES[:3])
    assert got is None
    assert errs == ["f.xlsx:s:5:C(balance!): not an amount: 'x' (expected an amount such as 1,234.50)"]


# ------------------------------------------------------------------ choosing a layout


def _layout(tmp_path: Path, name: str, columns: str) -> BankLayout:
    return load_layout(_cfg(tmp_path, f"name: {name}\nlayout: split\ncolumns: {columns}\n", f"{name}.yaml"))


def test_best_layout_names_most_columns_then_the_earliest_header(tmp_path: Path) -> None:
    three = _layout(tmp_path, "three", "{date: 日期, income: 收入, expense: 支出}")
    four = _layout(tmp_path, "four", "{date: 日期, income: 收入, expense: 支出, balance: 余额}")
    early = _layout(tmp_path, "early", "{date: 甲, income: 乙, expense: 丙}")
    s = sheet([("甲", "乙", "丙"), ("日期", "收入", "支出", "余额")])
    for layouts in ([three, four], [four, three]):
        imp = BankImporter(layouts)
        best = imp.best(s)
        assert best is not None and best[0] is four
        assert best[1] == Header(2, {"date": 0, "income": 1, "expense": 2, "balance": 3},
                                 {"date": "日期", "income": "收入", "expense": "支出", "balance": "余额"})
        assert imp.score(s) == 4 and imp.header(s) == best[1]
    for layouts in ([three, early], [early, three]):
        best = BankImporter(layouts).best(s)
        assert best is not None and best[0] is early and best[1].row == 1
    nothing = sheet([("x", "y")])
    imp = BankImporter([three])
    assert imp.best(nothing) is None and imp.header(nothing) is None and imp.score(nothing) == 0


def test_importer_layouts_and_columns() -> None:
    assert [x.name for x in BankImporter().layouts] == [x.name for x in builtin_layouts()]
    assert BankImporter([]).layouts == [] and BankImporter([]).columns == ()
    assert BankImporter([SIGNED, SPLIT]).columns == SIGNED.columns
    assert BankImporter().best(sheet([HEADER]))[0].name == "收入/支出分列"  # type: ignore[index]


# ------------------------------------------------------------------ reading a statement


D5 = dt.date(2024, 3, 5)


def test_read_books_a_contract_payment_and_its_balance() -> None:
    rows = [HEADER, ("2024-03-05", "停车费", "150.00", None, "1150.00", SHOP, "SN2", "2024年3月")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    opening, pay, balance = ids(("opening", D5, D("1000.00")),
                                (D5, D("150.00"), D("1150.00"), "停车费", SHOP, "SN2", "2024年3月"),
                                ("balance", dt.date(2024, 3, 6), D("1150.00")))
    assert entries_of(plan) == [
        txn(m(import_id=opening), D5, "期初", "共有资金专户期初余额（据银行对账单）", "1000.00", OPENING),
        txn(m(asset="P-001", contract="C-2024-009", period="2024-03", bank_ref="SN2", import_id=pay), D5, SHOP,
            "停车费 2024年3月", "150.00", PARKING),
        bal(m(import_id=balance), dt.date(2024, 3, 6), "1150.00")]
    assert [p for p, _ in plan.writes] == ["journal"] * 3
    assert [plan.rows[id(e)] for e in entries_of(plan)] == [2, 2, 2]
    assert plan.notes == ["layout: 收入/支出分列 (split.yaml)", f"opening balance 1000.00 booked against {OPENING}",
                          "1 × 合同收款"]
    assert (plan.kind, plan.sheet, plan.already) == ("bank", "明细", 0)


def test_read_notes_count_each_kind_in_order() -> None:
    rows = [NO_BALANCE,
            ("2024-03-05", "转账", "10.00", None, MANAGER, "A1", ""),
            ("2024-03-05", "转账", "20.00", None, MANAGER, "A2", ""),
            ("2024-03-05", "手续费", None, "1.00", "", "A3", ""),
            ("2024-03-05", "转账", "3.00", None, "", "A4", "")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    assert plan.notes == ["layout: 收入/支出分列 (split.yaml)", "1 × 待查明", "2 × 物业代收转入", "1 × 银行手续费"]
    assert [e.postings[1].account for e in entries_of(plan)] == [HELD, HELD, FEES, SUSPENSE]  # no balance column


def test_read_without_balance_column_books_no_opening_and_no_balance() -> None:
    rows = [NO_BALANCE, ("2024-03-05", "转账", "10.00", None, MANAGER, "A1", "")]
    plan, _ = read(rows, ledger())
    (only,) = ids((D5, D("10.00"), None, "转账", MANAGER, "A1", ""))
    assert entries_of(plan) == [txn(m(bank_ref="A1", import_id=only), D5, MANAGER, "转账", "10.00", HELD)]


def test_read_zero_opening_is_not_booked() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "10.00", None, "10.00", MANAGER, "A1", "")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    assert [type(e).__name__ for e in entries_of(plan)] == ["Transaction", "Balance"]
    assert plan.notes == ["layout: 收入/支出分列 (split.yaml)", "1 × 物业代收转入"]


def test_read_negative_opening() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "10.00", None, "-5.00", MANAGER, "A1", "")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    assert entries_of(plan)[0].postings[0].units == Amount(D("-15.00"), "CNY")
    assert plan.notes[1] == f"opening balance -15.00 booked against {OPENING}"


def test_read_already_imported_lines_are_counted_not_booked() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "10.00", None, "110.00", MANAGER, "A1", ""),
            ("2024-03-06", "转账", "20.00", None, "130.00", MANAGER, "A2", "")]
    first, _ = read(rows[:2], ledger())
    plan, problems = read(rows, [*ledger(), *entries_of(first)])
    assert errors(problems) == []
    assert plan.already == 1
    _, a2, b7 = ids((dt.date(2024, 3, 5), D("10.00"), D("110.00"), "转账", MANAGER, "A1", ""),
                    (dt.date(2024, 3, 6), D("20.00"), D("130.00"), "转账", MANAGER, "A2", ""),
                    ("balance", dt.date(2024, 3, 7), D("130.00")))
    assert entries_of(plan) == [txn(m(bank_ref="A2", import_id=a2), dt.date(2024, 3, 6), MANAGER, "转账", "20.00", HELD),
                                bal(m(import_id=b7), dt.date(2024, 3, 7), "130.00")]
    again, _ = read(rows, [*ledger(), *entries_of(first), *entries_of(plan)])
    assert entries_of(again) == [] and again.already == 2


def test_identical_lines_are_two_payments() -> None:
    rows = [NO_BALANCE, ("2024-03-05", "转账", "10.00", None, MANAGER, "A1", "")]
    rows.append(rows[1])
    plan, _ = read(rows, ledger())
    first, second = ids(*[(D5, D("10.00"), None, "转账", MANAGER, "A1", "")] * 2)
    assert [e.meta["import_id"] for e in entries_of(plan)] == [first, second]


def test_read_stops_on_cell_errors_with_only_its_notes() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "1.00", "2.00", "9.00", "", "", ""), ("借方笔数 1",)]
    plan, problems = read(rows, ledger())
    assert entries_of(plan) == []
    assert plan.notes == ["layout: 收入/支出分列 (split.yaml)",
                          "1 footer row(s) left out (row 3: 借方笔数/发生额合计 and the like)"]
    assert errors(problems) == ["s.xlsx:明细:2:D(支出金额): both money in (1.00) and money out (2.00) on one line "
                                "(expected one of the two columns filled)"]


def test_read_stops_on_a_cell_error_whatever_the_other_lines() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "1.00", None, "1.00", MANAGER, "A1", ""),
            ("2024-03-05", "转账", "x", None, "2.00", MANAGER, "A2", "")]
    plan, problems = read(rows, ledger())
    assert entries_of(plan) == [] and plan.notes == ["layout: 收入/支出分列 (split.yaml)"]
    assert errors(problems) == ["s.xlsx:明细:3:C(收入金额): not an amount: 'x' (expected an amount such as 1,234.50)"]


def test_read_with_no_lines() -> None:
    plan, problems = read([HEADER, ("期末余额 0",)], ledger())
    assert errors(problems) == [] and entries_of(plan) == []
    assert plan.notes == ["layout: 收入/支出分列 (split.yaml)",
                          "1 footer row(s) left out (row 2: 借方笔数/发生额合计 and the like)"]


@pytest.mark.parametrize(("n", "note"), [
    (5, "5 footer row(s) left out (row 3, 4, 5, 6, 7: 借方笔数/发生额合计 and the like)"),
    (6, "6 footer row(s) left out (row 3, 4, 5, 6, 7 …: 借方笔数/发生额合计 and the like)")])
def test_read_footer_note(n: int, note: str) -> None:
    rows = [NO_BALANCE, ("2024-03-05", "转账", "10.00", None, MANAGER, "A1", ""), *[("借方笔数 1",)] * n]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    assert plan.notes == ["layout: 收入/支出分列 (split.yaml)", note, "1 × 物业代收转入"]


def test_read_newest_first_is_reversed() -> None:
    rows = [HEADER, ("2024-03-06", "转账", "20.00", None, "130.00", MANAGER, "A2", ""),
            ("2024-03-05", "转账", "10.00", None, "110.00", MANAGER, "A1", "")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    got = entries_of(plan)
    assert [(e.date, e.meta.get("bank_ref")) for e in got] == [
        (D5, None), (D5, "A1"), (dt.date(2024, 3, 6), "A2"), (dt.date(2024, 3, 6), None), (dt.date(2024, 3, 7), None)]
    assert got[0].postings[0].units == Amount(D("100.00"), "CNY")
    assert [plan.rows[id(e)] for e in got] == [3, 3, 2, 3, 2]


def test_read_one_day_newest_first_is_ordered_by_the_balances() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "20.00", None, "130.00", MANAGER, "A2", ""),
            ("2024-03-05", "转账", "10.00", None, "110.00", MANAGER, "A1", "")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    assert [e.meta.get("bank_ref") for e in entries_of(plan)] == [None, "A1", "A2", None]
    assert entries_of(plan)[0].postings[0].units == Amount(D("100.00"), "CNY")
    assert entries_of(plan)[-1] == bal(m(import_id=entries_of(plan)[-1].meta["import_id"]), dt.date(2024, 3, 6), "130.00")


def test_read_one_day_in_order_stays() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "10.00", None, "110.00", MANAGER, "A1", ""),
            ("2024-03-05", "转账", "20.00", None, "130.00", MANAGER, "A2", "")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    assert [e.meta.get("bank_ref") for e in entries_of(plan)] == [None, "A1", "A2", None]


def test_read_one_day_whose_balances_follow_both_ways_stays() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "10.00", None, "110.00", MANAGER, "A1", ""),
            ("2024-03-05", "退回", None, "10.00", "100.00", "", "A2", "")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    got = entries_of(plan)
    assert [e.meta.get("bank_ref") for e in got] == [None, "A1", "A2", None]
    assert got[0].postings[0].units == Amount(D("100.00"), "CNY")
    assert got[-1].amount == Amount(D("100.00"), "CNY")


def test_read_one_day_without_balances_is_kept_in_file_order() -> None:
    rows = [NO_BALANCE, ("2024-03-05", "转账", "20.00", None, MANAGER, "A2", ""),
            ("2024-03-05", "转账", "10.00", None, MANAGER, "A1", "")]
    plan, _ = read(rows, ledger())
    assert [e.meta["bank_ref"] for e in entries_of(plan)] == ["A2", "A1"]


def test_read_one_day_whose_balances_follow_neither_way_is_an_error() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "20.00", None, "130.00", MANAGER, "A2", ""),
            ("2024-03-05", "转账", "10.00", None, "999.00", MANAGER, "A1", "")]
    plan, problems = read(rows, ledger())
    assert entries_of(plan) == []
    assert errors(problems) == ["s.xlsx:明细:3:E(余额): balance 999.00 does not follow from 130.00 (row 2) +10.00 "
                                "(expected 140.00; a line may be missing or an amount misread)"]


def test_check_order_dates() -> None:
    rows = [NO_BALANCE, ("2024-03-01", "转账", "1.00", None, "", "", ""), ("2024-03-05", "转账", "1.00", None, "", "", ""),
            ("2024-03-02", "转账", "1.00", None, "", "", ""), ("2024-03-04", "转账", "1.00", None, "", "", ""),
            ("2024-03-03", "转账", "1.00", None, "", "", ""), ("2024-03-06", "转账", "1.00", None, "", "", "")]
    plan, problems = read(rows, ledger())
    assert entries_of(plan) == []
    assert errors(problems) == [
        "s.xlsx:明细:4:A(交易日期): date 2024-03-02 comes after 2024-03-05 (row 3) (expected the rows in date order, as "
        "the bank exported them)",
        "s.xlsx:明细:6:A(交易日期): date 2024-03-03 comes after 2024-03-04 (row 5) (expected the rows in date order, as "
        "the bank exported them)"]


def test_check_order_balances_every_break_named() -> None:
    rows = [HEADER, ("2024-03-01", "转账", "1.00", None, "1.00", "", "", ""),
            ("2024-03-01", "转账", None, "2.00", "5.00", "", "", ""),
            ("2024-03-02", "转账", "1.00", None, "6.00", "", "", ""),
            ("2024-03-02", "转账", "1.00", None, "6.00", "", "", "")]
    plan, problems = read(rows, ledger())
    assert entries_of(plan) == []
    assert errors(problems) == [
        "s.xlsx:明细:3:E(余额): balance 5.00 does not follow from 1.00 (row 2) -2.00 (expected -1.00; a line may be "
        "missing or an amount misread)",
        "s.xlsx:明细:5:E(余额): balance 6.00 does not follow from 6.00 (row 4) +1.00 (expected 7.00; a line may be "
        "missing or an amount misread)"]


def test_check_order_dates_first_then_balances() -> None:
    rows = [HEADER, ("2024-03-01", "转账", "1.00", None, "1.00", "", "", ""),
            ("2024-03-03", "转账", "1.00", None, "9.00", "", "", ""),
            ("2024-03-02", "转账", "1.00", None, "9.00", "", "", ""),
            ("2024-03-04", "转账", "1.00", None, "9.00", "", "", "")]
    _, problems = read(rows, ledger())
    assert errors(problems) == ["s.xlsx:明细:4:A(交易日期): date 2024-03-02 comes after 2024-03-03 (row 3) (expected the "
                                "rows in date order, as the bank exported them)"]


def test_check_order_direct() -> None:
    header = Header(1, {"date": 0, "balance": 1}, {"date": "日期", "balance": "余额"})
    problems = Problems()
    r = RowReader("f", "s", header, problems)
    imp = BankImporter([SPLIT])
    lines = [line(balance="1.00", row=2), line("1.00", balance="2.00", row=3)]
    assert imp._check_order(lines, r, problems) is True
    assert imp._check_order([line(row=2), line(row=3)], r, problems) is True  # no balances: nothing to check
    assert imp._check_order([line(balance="1.00")], r, problems) is True
    assert problems.errors == []
    same_day = [line(row=2, day=D5), line(row=3, day=D5)]
    assert imp._check_order(same_day, r, problems) is True


# ------------------------------------------------------------------ balances


def test_balances_skip_today_and_later() -> None:
    today = dt.date.today()
    yesterday = today - dt.timedelta(days=1)
    rows = [HEADER, (yesterday.isoformat(), "转账", "10.00", None, "10.00", MANAGER, "A1", ""),
            (today.isoformat(), "转账", "5.00", None, "15.00", MANAGER, "A2", "")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == []
    balances = [e for e in entries_of(plan) if isinstance(e, data.Balance)]
    (bid,) = ids(("balance", today, D("10.00")))
    assert balances == [bal(m(import_id=bid), today, "10.00")]


def _hand_ledger(extra: str = "") -> list[Any]:
    """A ledger whose bank account holds 100.00 from 2024-03-01 (hand-made, no import ids)."""
    return ledger("""
2024-03-01 * "期初"
  Assets:Bank:共有资金专户  100.00 CNY
  Equity:Opening:期初余额  -100.00 CNY
""" + extra)


def test_balances_continue_the_ledger() -> None:
    rows = [HEADER, ("2024-03-02", "转账", "50.00", None, "150.00", MANAGER, "A1", ""),
            ("2024-03-03", "转账", "1.00", None, "151.00", MANAGER, "A2", "")]
    # a posting dated the day after a line's day counts from that day on, not for its balance
    plan, problems = read(rows, _hand_ledger("""
2024-03-03 * "x"
  Assets:Bank:共有资金专户  7.00 CNY
  Equity:Opening:期初余额  -7.00 CNY
"""))
    assert errors(problems) == ["s.xlsx:明细:3:E(余额): after this import the ledger's Assets:Bank:共有资金专户 would hold "
                                "158.00 on 2024-03-04, the bank says 151.00 (expected the ledger to hold the statement's "
                                "opening balance first: import the earlier statements, or remove hand-made bank entries "
                                "these lines duplicate)"]
    assert plan.notes[-1] == "2 × 物业代收转入"  # the error is the whole story: no note of later days
    b3 = ids(("balance", dt.date(2024, 3, 3), D("150.00")))[0]
    assert [e for e in entries_of(plan) if isinstance(e, data.Balance)] == [bal(m(import_id=b3), dt.date(2024, 3, 3),
                                                                                "150.00")]
    assert not any(e.payee == "期初" for e in entries_of(plan) if isinstance(e, data.Transaction))


def test_balances_first_mismatch_named_later_ones_counted() -> None:
    rows = [HEADER, ("2024-03-02", "转账", "50.00", None, "999.00", MANAGER, "A1", ""),
            ("2024-03-03", "转账", "1.00", None, "1000.00", MANAGER, "A2", ""),
            ("2024-03-04", "转账", "1.00", None, "1001.00", MANAGER, "A3", ""),
            ("2024-03-05", "转账", "1.00", None, "1002.00", MANAGER, "A4", "")]
    plan, problems = read(rows, _hand_ledger())
    assert errors(problems) == ["s.xlsx:明细:2:E(余额): after this import the ledger's Assets:Bank:共有资金专户 would hold "
                                "150.00 on 2024-03-03, the bank says 999.00 (expected the ledger to hold the statement's "
                                "opening balance first: import the earlier statements, or remove hand-made bank entries "
                                "these lines duplicate)"]
    assert plan.notes[-1] == "3 later day(s) mismatch too"
    assert [e for e in entries_of(plan) if isinstance(e, data.Balance)] == []


def test_balances_two_mismatches() -> None:
    rows = [HEADER, ("2024-03-02", "转账", "50.00", None, "999.00", MANAGER, "A1", ""),
            ("2024-03-03", "转账", "1.00", None, "1000.00", MANAGER, "A2", "")]
    plan, problems = read(rows, _hand_ledger())
    assert len(problems.errors) == 1
    assert plan.notes[-1] == "1 later day(s) mismatch too"


def test_balances_already_asserted() -> None:
    rows = [HEADER, ("2024-03-02", "转账", "50.00", None, "150.00", MANAGER, "A1", "")]
    plan, problems = read(rows, _hand_ledger("\n2024-03-03 balance Assets:Bank:共有资金专户  150.00 CNY\n"))
    assert errors(problems) == []
    assert [type(e).__name__ for e in entries_of(plan)] == ["Transaction"]
    plan, problems = read(rows, _hand_ledger("\n2024-03-03 balance Assets:Bank:共有资金专户  140.00 CNY\n"))
    assert errors(problems) == ["s.xlsx:明细:2:E(余额): the ledger already asserts 140.00 in the account on 2024-03-03, "
                                "this statement ends the day at 150.00 (expected statements cut at day boundaries: an "
                                "earlier export probably ended in the middle of that day)"]
    assert [type(e).__name__ for e in entries_of(plan)] == ["Transaction"]


def test_balances_of_other_accounts_are_not_the_banks() -> None:
    rows = [HEADER, ("2024-03-02", "转账", "50.00", None, "150.00", MANAGER, "A1", "")]
    plan, problems = read(rows, _hand_ledger("\n2024-03-03 balance Equity:Opening:期初余额  -1.00 CNY\n"))
    assert errors(problems) == []
    assert [type(e).__name__ for e in entries_of(plan)] == ["Transaction", "Balance"]


def test_balances_one_per_day_from_its_last_line() -> None:
    rows = [HEADER, ("2024-03-02", "转账", "50.00", None, "150.00", MANAGER, "A1", ""),
            ("2024-03-02", "转账", "5.00", None, "155.00", MANAGER, "A2", ""),
            ("2024-03-04", "手续费", None, "1.00", "154.00", "", "A3", "")]
    plan, problems = read(rows, _hand_ledger())
    assert errors(problems) == []
    b3, b5 = ids(("balance", dt.date(2024, 3, 3), D("155.00")), ("balance", dt.date(2024, 3, 5), D("154.00")))
    assert [e for e in entries_of(plan) if isinstance(e, data.Balance)] == [
        bal(m(import_id=b3), dt.date(2024, 3, 3), "155.00"), bal(m(import_id=b5), dt.date(2024, 3, 5), "154.00")]
    assert [plan.rows[id(e)] for e in entries_of(plan) if isinstance(e, data.Balance)] == [3, 4]


def test_balance_seen_before_is_not_repeated() -> None:
    rows = [HEADER, ("2024-03-02", "转账", "50.00", None, "150.00", MANAGER, "A1", "")]
    ctx = Context.of(_hand_ledger())
    ctx.seen.add(ids(("balance", dt.date(2024, 3, 3), D("150.00")))[0])
    plan, problems = read(rows, ctx=ctx)
    assert errors(problems) == []
    assert [type(e).__name__ for e in entries_of(plan)] == ["Transaction"]


def test_opening_seen_before_is_not_booked_again() -> None:
    rows = [HEADER, ("2024-03-05", "转账", "10.00", None, "110.00", MANAGER, "A1", "")]
    ctx = Context.of(ledger())
    ctx.seen.add(ids(("opening", D5, D("100.00")))[0])
    plan, problems = read(rows, ctx=ctx)
    assert [type(e).__name__ for e in entries_of(plan)] == ["Transaction"]
    assert plan.notes == ["layout: 收入/支出分列 (split.yaml)", "1 × 物业代收转入"]
    assert errors(problems) == ["s.xlsx:明细:2:E(余额): after this import the ledger's Assets:Bank:共有资金专户 would hold "
                                "10.00 on 2024-03-06, the bank says 110.00 (expected the ledger to hold the statement's "
                                "opening balance first: import the earlier statements, or remove hand-made bank entries "
                                "these lines duplicate)"]


def test_bank_postings() -> None:
    entries = parse("""
2024-03-05 * "b"
  Assets:Bank:共有资金专户  -2.00 CNY
  Expenses:Bank:银行手续费  2.00 CNY
2024-03-01 * "a"
  Assets:Bank:共有资金专户  10.00 CNY
  Assets:Bank:共有资金专户  5.00 CNY
  Equity:Opening:期初余额  -15.00 CNY
2024-03-02 balance Assets:Bank:共有资金专户  15.00 CNY
2024-03-03 * "other"
  Expenses:Bank:银行手续费  1.00 CNY
  Equity:Opening:期初余额  -1.00 CNY
""")
    assert _bank_postings(entries) == ([dt.date(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2024, 3, 5)],
                                       [D("5.00"), D("15.00"), D("13.00")])
    assert _bank_postings([]) == ([], [])


@pytest.mark.parametrize(("amounts", "balances", "running"), [
    (["1", "2", "3"], ["1", "3", "6"], True), (["1", "2"], ["1", "4"], False), (["1"], [None], True),
    (["1", "2"], [None, "3"], False), (["1", "2"], ["1", None], False), ([], [], True)])
def test_running(amounts: list[str], balances: list[str | None], running: bool) -> None:
    lines = [line(a, balance=b) for a, b in zip(amounts, balances, strict=True)]
    assert _running(lines) is running


def test_txn() -> None:
    meta = m(bank_ref="x")
    assert _txn(meta, D5, "甲", "n", BANK, D("-3.50"), FEES) == txn(meta, D5, "甲", "n", "-3.50", FEES)
    assert _txn(meta, D5, "", "n", "Assets:Other", D("1"), FEES).payee is None
    assert _txn(meta, D5, "", "n", "Assets:Other", D("1"), FEES).postings[0].account == "Assets:Other"


# ------------------------------------------------------------------ the billing period


def _dues(period: str = "month", start: dt.date = dt.date(2024, 2, 1), end: dt.date = dt.date(2024, 12, 31)) -> list[Any]:
    from assetreg.contracts import Due

    if period == "once":
        return [Due("once", start, end, D(1))]
    out = []
    day = start
    months = {"month": 1, "quarter": 3}[period]
    while day <= end:
        nxt = dt.date(day.year + (day.month - 1 + months) // 12, (day.month - 1 + months) % 12 + 1, 1)
        out.append(Due(f"{day:%Y-%m}", day, min(nxt - dt.timedelta(days=1), end), D(1)))
        day = nxt
    return out


@pytest.mark.parametrize(("day", "text", "period"), [
    (dt.date(2024, 3, 5), "", "2024-03"),
    (dt.date(2024, 3, 5), "2024年5月租金", "2024-05"),
    (dt.date(2024, 3, 5), "2024 - 6", "2024-06"),
    (dt.date(2024, 3, 5), "２０２４／７", "2024-07"),
    (dt.date(2024, 3, 5), "2024.12", "2024-12"),
    (dt.date(2024, 3, 5), "2024.1", "2024-01"),
    (dt.date(2024, 3, 5), "2024-13", "2024-03"),
    (dt.date(2024, 3, 5), "2024-00", "2024-03"),
    (dt.date(2024, 3, 5), "2023年5月", "2023-05"),
    (dt.date(2024, 3, 5), "SN20240512", "2024-03"),
])
def test_period_without_a_schedule(day: dt.date, text: str, period: str) -> None:
    assert _period(day, text, []) == period


@pytest.mark.parametrize(("day", "text", "period"), [
    (dt.date(2024, 3, 5), "", "2024-03"), (dt.date(2024, 2, 1), "", "2024-02"), (dt.date(2024, 2, 29), "", "2024-02"),
    (dt.date(2024, 12, 31), "", "2024-12"), (dt.date(2024, 1, 31), "", "2024-02"), (dt.date(2025, 1, 1), "", "2024-12"),
    (dt.date(2023, 5, 5), "", "2024-02"), (dt.date(2024, 3, 5), "2024年7月", "2024-07"),
    (dt.date(2024, 3, 5), "2023年7月", "2024-02"), (dt.date(2024, 3, 5), "2026年7月", "2024-12"),
])
def test_period_of_a_monthly_schedule(day: dt.date, text: str, period: str) -> None:
    assert _period(day, text, _dues()) == period


@pytest.mark.parametrize(("day", "period"), [
    (dt.date(2024, 4, 30), "2024-02"), (dt.date(2024, 5, 1), "2024-05"), (dt.date(2024, 7, 31), "2024-05"),
    (dt.date(2024, 8, 1), "2024-08")])
def test_period_of_a_quarterly_schedule(day: dt.date, period: str) -> None:
    assert _period(day, "", _dues("quarter")) == period


def test_period_once() -> None:
    assert _period(dt.date(2024, 2, 1), "", _dues("once")) == "once"
    assert _period(dt.date(2024, 12, 31), "", _dues("once")) == "once"
    assert _period(dt.date(2024, 3, 5), "2024年2月", _dues("once")) == "once"
    assert _period(dt.date(2024, 3, 5), "", _dues("once")) == "once"
    assert _period(dt.date(2030, 3, 5), "", _dues("once")) == "once"


# ------------------------------------------------------------------ the matcher: names


def test_matcher_setup() -> None:
    mt = matcher(RESOLUTIONS, options={"manager-alias": "景湖物业", "counterparty-alias": f"{SHOP}=便民停车、停车公司"})
    assert (mt.manager, mt.manager_norm, mt.manager_names) == (MANAGER, MANAGER, {MANAGER, "景湖物业"})
    assert [(c.id, cid, party) for c, cid, party in mt.contracts] == [("C-2024-009", "C-2024-009", SHOP)]
    assert mt.party_names == {"C-2024-009": {SHOP, "便民停车", "停车公司"}}
    assert [rid for rid, _ in mt.resolutions] == ["R-2024-05", "R-2024-06"]


def test_matcher_name() -> None:
    mt = matcher()
    assert mt.name("某某 有限公司") == ("某某有限公司", True, "某某 有限公司")
    assert mt.name("张 三") == ("张三", False, "个人")
    assert mt.name("") == ("", False, "")
    assert mt._names == {"某某 有限公司": ("某某有限公司", True, "某某 有限公司"), "张 三": ("张三", False, "个人"),
                         "": ("", False, "")}
    mt._names["张 三"] = ("x", True, "y")
    assert mt.name("张 三") == ("x", True, "y")  # worked out once


def test_matcher_by_party_and_is_manager() -> None:
    mt = matcher(options={"manager-alias": "景湖物业", "counterparty-alias": f"{SHOP}=便民停车"})
    assert [c.id for c in mt.by_party(SHOP)] == ["C-2024-009"]
    assert [c.id for c in mt.by_party("便民停车")] == ["C-2024-009"]
    assert mt.by_party("停车") == [] and mt.by_party("") == []
    assert mt.is_manager(MANAGER) is True and mt.is_manager("景湖物业") is True
    assert mt.is_manager("景湖") is False and mt.is_manager("") is False
    mt._by_party["X"] = ["cached"]  # type: ignore[list-item]
    assert mt.by_party("X") == ["cached"]


def test_matcher_empty_names_never_match() -> None:
    mt = _Matcher("", contracts_from_entries(parse(contract_text(counterparty=""))), {}, None)  # type: ignore[arg-type]
    assert mt.party_names == {"C-2024-009": set()}
    assert mt.is_manager("") is False and mt.by_party("") == []


def test_matcher_candidates() -> None:
    mt = matcher(contract_text(cid="C-2024-010", counterparty="景湖便民停车管理有限公司"),
                 options={"manager-alias": "景湖物业服务,景湖物业"})
    assert mt.candidates("") == ""
    assert mt.candidates("景湖物业") == f"物业公司 {MANAGER}"
    assert mt.candidates("便民停车") == f"合同 C-2024-009 {SHOP}；合同 C-2024-010 景湖便民停车管理有限公司"
    assert mt.candidates("景湖") == f"物业公司 {MANAGER}；合同 C-2024-010 景湖便民停车管理有限公司"
    assert mt.candidates("无关") == ""
    assert mt.candidates(MANAGER) == f"物业公司 {MANAGER}"  # an alias is part of the name itself
    spaced = matcher(manager="景湖 物业 有限公司")
    assert spaced.candidates("景湖物业") == "物业公司 景湖 物业 有限公司"  # the name as the option writes it


def test_matcher_gate_and_dues_are_worked_out_once() -> None:
    mt = matcher(contract_text(cid="C-2024-010", decision="forbidden"))
    contracts = {c.id: c for c, _, _ in mt.contracts}
    assert mt.gate(contracts["C-2024-009"]) is None
    assert mt.gate(contracts["C-2024-010"]) == "记录的政策决定为“禁止（负面清单）”，不是“准许”"
    assert mt._gate["C-2024-009"] is None
    mt._gate["C-2024-009"] = "cached"
    assert mt.gate(contracts["C-2024-009"]) == "cached"
    dues, keys = mt.dues(contracts["C-2024-009"])
    assert [d.period for d in dues] == [f"2024-{n:02d}" for n in range(2, 13)] and keys == {d.period for d in dues}
    assert mt.dues(contracts["C-2024-009"])[0] is dues


# ------------------------------------------------------------------ the matcher: classify


def classify(ln: Line, extra: str = "", options: dict[str, str] | None = None) -> tuple[data.Transaction, str]:
    return matcher(extra, options=options).classify(ln, "ID")


def test_classify_manager() -> None:
    got = classify(line("1500.00", "转账", MANAGER, "SN1", "2月代收公共收益"))
    assert got == (txn(m(bank_ref="SN1", import_id="ID"), D5, MANAGER, "转账 2月代收公共收益", "1500.00", HELD), "物业代收转入")


def test_classify_manager_alias_keeps_the_payer() -> None:
    opts = {"manager-alias": "淮安景湖物业服务有限公司清江浦分公司"}
    payer = "淮安景湖物业服务有限公司清江浦分公司"
    got = classify(line("10.00", "", payer, ""), options=opts)
    assert got == (txn(m(payer=payer, import_id="ID"), D5, MANAGER, "银行流水", "10.00", HELD), "物业代收转入")
    spaced = classify(line("10.00", "", "淮安 景湖物业服务有限公司", ""))
    assert spaced[0].meta == m(import_id="ID") and spaced[1] == "物业代收转入"  # the name itself, however spaced


def test_classify_money_out_to_the_manager_is_not_a_remittance() -> None:
    got = classify(line("-10.00", "转账", MANAGER, "SN1"))
    assert got == (txn(m(bank_ref="SN1", unmatched="支出未匹配", import_id="ID"), D5, MANAGER, "转账", "-10.00",
                       SUSPENSE), "待查明")


def test_classify_contract_payment() -> None:
    got = classify(line("150.00", "停车费", SHOP, "SN2", "2024年4月"))
    assert got == (txn(m(asset="P-001", contract="C-2024-009", period="2024-04", bank_ref="SN2", import_id="ID"), D5,
                       SHOP, "停车费 2024年4月", "150.00", PARKING), "合同收款")


def test_classify_contract_by_its_id_from_a_person() -> None:
    got = classify(line("150.00", "张三转账", "张三", "", "c-2024-009 车位"))
    assert got == (txn(m(asset="P-001", contract="C-2024-009", period="2024-03", import_id="ID"), D5, "个人",
                       "个人转账", "150.00", PARKING), "合同收款")


def test_classify_contract_id_in_the_reference_or_spaced() -> None:
    assert classify(line("150.00", "转账", "", "C-2024-009"))[1] == "合同收款"
    assert classify(line("150.00", "C - 2024 - 009", "", ""))[1] == "合同收款"


def test_classify_contract_payment_payee_from_the_contract() -> None:
    got = classify(line("150.00", "C-2024-009", "", ""))
    assert got[0].payee == SHOP and got[0].narration == "C-2024-009"


def test_classify_nothing_matched() -> None:
    got = classify(line("88.00", "转账", "张三", "SN5", "13912345678 3号楼张三"))
    assert got == (txn(m(bank_ref="SN5", unmatched="未匹配到合同或物业公司", import_id="ID"), D5, "个人", "转账", "88.00",
                       SUSPENSE), "待查明")
    got = classify(line("88.00", "", "", ""))
    assert got == (txn(m(unmatched="未匹配到合同或物业公司", import_id="ID"), D5, None, "银行流水", "88.00", SUSPENSE), "待查明")


def test_classify_suspense_names_the_candidates() -> None:
    got = classify(line("100.00", "转账", "景湖物业服务", "SN1"))
    near = f"物业公司 {MANAGER}"
    reason = ("未匹配到合同或物业公司；对方户名与已知名称不完全一致，可能是：" + near
              + "（如确为同一方，请在设置中登记别名后重新导入）")
    assert got == (txn(m(bank_ref="SN1", unmatched=reason, candidates=near, import_id="ID"), D5, "个人", "转账",
                       "100.00", SUSPENSE), "待查明")
    got = classify(line("100.00", "转账", f"{SHOP}分店", "SN1"))
    near = f"合同 C-2024-009 {SHOP}"
    assert got[0].meta == m(bank_ref="SN1", unmatched="未匹配到合同或物业公司；对方户名与已知名称不完全一致，可能是：" + near
                            + "（如确为同一方，请在设置中登记别名后重新导入）", candidates=near, import_id="ID")
    assert got[0].payee == f"{SHOP}分店"


def test_classify_bank_fees() -> None:
    got = classify(line("-5.50", "账户管理费", "", "SN4"))
    assert got == (txn(m(bank_ref="SN4", import_id="ID"), D5, "银行", "账户管理费", "-5.50", FEES), "银行手续费")
    got = classify(line("-5.50", "转账", "中国工商银行淮安分行", "", "短信服务"))
    assert got == (txn(m(import_id="ID"), D5, "中国工商银行淮安分行", "转账", "-5.50", FEES), "银行手续费")
    got = classify(line("-5.50", "转账", "", "手续费"))  # the word in the reference counts too
    assert got[1] == "银行手续费"


def test_classify_a_fee_to_someone_else_is_suspense() -> None:
    got = classify(line("-5.50", "服务费", "某某科技有限公司", "SN4"))
    assert got == (txn(m(bank_ref="SN4", unmatched="支出未匹配", import_id="ID"), D5, "某某科技有限公司", "服务费", "-5.50",
                       SUSPENSE), "待查明")
    got = classify(line("-5.50", "转账", "", "SN4"))
    assert got == (txn(m(bank_ref="SN4", unmatched="支出未匹配", import_id="ID"), D5, None, "转账", "-5.50", SUSPENSE),
                   "待查明")


def test_classify_deposit_received_and_returned() -> None:
    got = classify(line("300.00", "押金", SHOP, "SN3", "C-2024-009"))
    assert got == (txn(m(contract="C-2024-009", bank_ref="SN3", import_id="ID"), D5, SHOP, "押金 C-2024-009", "300.00",
                       DEPOSITS), "押金")
    got = classify(line("-300.00", "退还保证金", SHOP, ""))
    assert got == (txn(m(contract="C-2024-009", import_id="ID"), D5, SHOP, "退还保证金", "-300.00", DEPOSITS), "退还押金")
    got = classify(line("300.00", "转账", "", "", "保证金 C-2024-009"))
    assert got == (txn(m(contract="C-2024-009", import_id="ID"), D5, SHOP, "转账 保证金 C-2024-009", "300.00", DEPOSITS),
                   "押金")


def test_classify_deposit_unmatched() -> None:
    got = classify(line("300.00", "押金", "张三", "SN3"))
    assert got == (txn(m(bank_ref="SN3", unmatched="押金未注明合同", import_id="ID"), D5, "个人", "押金", "300.00",
                       SUSPENSE), "待查明")
    two = contract_text(cid="C-2024-010")
    got = classify(line("300.00", "押金", SHOP, "SN3"), two)
    assert got == (txn(m(bank_ref="SN3", unmatched="押金未能对应到唯一合同", import_id="ID"), D5, SHOP, "押金", "300.00",
                       SUSPENSE), "待查明")
    got = classify(line("300.00", "押金 C-2024-010", SHOP, "SN3"), two)
    assert got[0].meta == m(contract="C-2024-010", bank_ref="SN3", import_id="ID")


def test_classify_several_contracts() -> None:
    two = contract_text(cid="C-2024-010")
    got = classify(line("150.00", "停车费", SHOP, "SN2"), two)
    assert got == (txn(m(bank_ref="SN2", unmatched="对方有多份合同，请在附言注明合同编号", import_id="ID"), D5, SHOP,
                       "停车费", "150.00", SUSPENSE), "待查明")
    got = classify(line("150.00", "停车费 C-2024-010", SHOP, "SN2"), two)
    assert got[0].meta["contract"] == "C-2024-010" and got[1] == "合同收款"


def test_classify_several_contracts_only_one_in_force() -> None:
    mt = matcher(contract(cid="C-2025-001", start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)))
    got = mt.classify(line("150.00", "停车费", SHOP, "SN2"), "ID")
    assert got[0].meta["contract"] == "C-2024-009" and got[1] == "合同收款"
    got = mt.classify(line("150.00", "停车费", SHOP, "SN2", day=dt.date(2025, 3, 1)), "ID")
    assert got == (txn(m(asset="P-001", contract="C-2025-001", period="2025-03", bank_ref="SN2", import_id="ID"),
                       dt.date(2025, 3, 1), SHOP, "停车费", "150.00", PARKING), "合同收款")
    got = mt.classify(line("150.00", "停车费", SHOP, "SN2", day=dt.date(2026, 3, 1)), "ID")
    assert got[0].meta["unmatched"] == "对方有多份合同，请在附言注明合同编号"


def test_classify_contract_billed_otherwise_uses_the_calendar_month() -> None:
    mt = matcher(contract(cid="C-2024-010", counterparty="某某广告有限公司", asset="P-001", period="weekly"))
    got = mt.classify(line("150.00", "停车费 2024年7月", "某某广告有限公司", ""), "ID")
    assert got[0].meta == m(asset="P-001", contract="C-2024-010", period="2024-07", import_id="ID")
    got = mt.classify(line("150.00", "停车费", "某某广告有限公司", "", day=dt.date(2024, 2, 1)), "ID")
    assert got[0].meta["period"] == "2024-02"
    assert mt._dues == {"C-2024-010": ([], set())}  # no schedule is made for it


def test_classify_unbilled_contract_out_of_force_goes_to_suspense() -> None:
    mt = matcher(contract(cid="C-2024-010", counterparty="某某广告有限公司", asset="P-001", period="weekly"))
    got = mt.classify(line("150.00", "停车费", "某某广告有限公司", "", day=dt.date(2025, 3, 1)), "ID")
    assert got[0].meta["unmatched"] == "合同C-2024-010在2025-03-01不在有效期内"


def test_classify_contract_refused_by_the_gate() -> None:
    text = contract_text(cid="C-2024-010", counterparty="某某广告有限公司", decision="refused")
    got = classify(line("150.00", "广告费", "某某广告有限公司", "SN2"), text)
    assert got == (txn(m(bank_ref="SN2", unmatched="合同C-2024-010未通过政策闸门", import_id="ID"), D5, "某某广告有限公司",
                       "广告费", "150.00", SUSPENSE), "待查明")


def test_classify_contract_on_an_unconfirmed_or_unknown_asset() -> None:
    text = contract_text(cid="C-2024-010", asset="AD-001", counterparty="某某广告有限公司")
    got = classify(line("500.00", "广告费", "某某广告有限公司", "SN1"), text)
    assert got == (txn(m(bank_ref="SN1", unmatched="合同C-2024-010的资产在2024-03-05未确权", import_id="ID"), D5,
                       "某某广告有限公司", "广告费", "500.00", SUSPENSE), "待查明")
    text = contract_text(cid="C-2024-010", asset="X-404", counterparty="某某广告有限公司")
    got = classify(line("500.00", "广告费", "某某广告有限公司", "SN1"), text)
    assert got[0].meta["unmatched"] == "合同C-2024-010的资产在2024-03-05未确权"
    text = contract_text(cid="C-2024-010", asset="P-001,AD-001", counterparty="某某广告有限公司")
    got = classify(line("500.00", "广告费", "某某广告有限公司", "SN1"), text)
    assert got[0].meta["unmatched"] == "合同C-2024-010的资产在2024-03-05未确权"


def test_classify_contract_without_assets() -> None:
    text = contract_text(cid="C-2024-010", asset="", counterparty="某某广告有限公司")
    got = classify(line("500.00", "广告费", "某某广告有限公司", "SN1"), text)
    assert got[0].meta["unmatched"] == "合同C-2024-010的资产在2024-03-05未确权"


def test_classify_asset_confirmed_on_the_day() -> None:
    got = classify(line("150.00", "停车费", SHOP, "", day=dt.date(2024, 1, 20)))
    # before the contract's start: its first billing period
    assert got == (txn(m(asset="P-001", contract="C-2024-009", period="2024-02", import_id="ID"), dt.date(2024, 1, 20),
                       SHOP, "停车费", "150.00", PARKING), "合同收款")
    got = classify(line("150.00", "停车费", SHOP, "", day=dt.date(2024, 1, 19)))
    assert got[0].meta["unmatched"] == "合同C-2024-009的资产在2024-01-19未确权"


def test_classify_late_payment_of_a_billed_contract_books_its_last_period() -> None:
    got = classify(line("150.00", "停车费", SHOP, "", day=dt.date(2025, 2, 3)))
    assert got[0].meta == m(asset="P-001", contract="C-2024-009", period="2024-12", import_id="ID")


def test_classify_asset_ids_upper_and_kind_account() -> None:
    text = contract_text(cid="C-2024-010", asset="p-001", counterparty="某某广告有限公司")
    got = classify(line("500.00", "广告费", "某某广告有限公司", "SN1"), text)
    assert got[0].meta["asset"] == "P-001" and got[0].postings[1].account == PARKING


def test_classify_income_of_an_unknown_kind_is_other() -> None:
    reg = SMALL_REGISTRY.replace('kind: "parking"', 'kind: "mystery"')
    entries = parse(reg + contract_text())
    resolutions = resolutions_from_entries(entries)
    mt = _Matcher(MANAGER, contracts_from_entries(entries), resolutions,
                  registry_from_entries(entries, make_resolution_check(resolutions)))
    got = mt.classify(line("150.00", "停车费", SHOP, ""), "ID")
    assert got[0].postings[1].account == "Income:Common:其他"


def _ended(on: str) -> str:
    return f'\n{on} custom "contract" "C-2024-009" "ended"\n  reason: "提前解约"\n'


def test_classify_contract_out_of_force_without_a_schedule() -> None:
    # ended on its first day: never in force, no billing period
    got = classify(line("150.00", "停车费", SHOP, "SN2"), _ended("2024-02-01"))
    assert got == (txn(m(bank_ref="SN2", unmatched="合同C-2024-009在2024-03-05不在有效期内", import_id="ID"), D5, SHOP,
                       "停车费", "150.00", SUSPENSE), "待查明")
    # ended the day after its start: in force on its first day only
    got = classify(line("150.00", "停车费", SHOP, "SN2", day=dt.date(2024, 2, 1)), _ended("2024-02-02"))
    assert got[0].meta == m(asset="P-001", contract="C-2024-009", period="2024-02", bank_ref="SN2", import_id="ID")


# ------------------------------------------------------------------ the matcher: allocations


def test_allocation_from_a_person_without_a_summary() -> None:
    got = allocate(line("-10.00", "", "张三", "", "R-2024-05 维修资金"))
    assert got == (txn(m(resolution="R-2024-05", import_id="ID"), D5, "个人", "银行流水", "-10.00", MAINT), "按决议支出")


def allocate(ln: Line, extra: str = RESOLUTIONS) -> tuple[data.Transaction, str] | None:
    return matcher(extra).allocation(ln, "ID")


MAINT = "Expenses:Allocation:补充维修资金"
FUND_CENTRE = "淮安市住房专项维修资金管理中心"


def test_allocation_to_the_maintenance_fund() -> None:
    got = allocate(line("-1000.00", "划转维修资金", FUND_CENTRE, "SN9", "依据R-2024-05 经办张三"))
    assert got == (txn(m(resolution="R-2024-05", bank_ref="SN9", import_id="ID"), D5, FUND_CENTRE,
                       "划转维修资金 R-2024-05", "-1000.00", MAINT), "按决议支出")


@pytest.mark.parametrize(("summary", "note", "account"), [
    ("转账", "维修基金 R-2024-05", MAINT),
    ("转账", "业委会 R-2024-05", "Expenses:Allocation:业委会工作经费"),
    ("转账", "业主委员会 r-2024-05", "Expenses:Allocation:业委会工作经费"),
    ("工作经费", "R-2024-05", "Expenses:Allocation:业委会工作经费"),
    ("维修资金 业委会", "R-2024-05", MAINT),
    ("转账", "社区活动 R-2024-05", "Expenses:Allocation:业主大会决定用途"),
])
def test_allocation_accounts(summary: str, note: str, account: str) -> None:
    got = allocate(line("-10.00", summary, FUND_CENTRE, "", note))
    assert got is not None and got[0].postings[1].account == account


def test_allocation_to_a_person() -> None:
    got = allocate(line("-10.00", "张三 R-2024-05 工作经费", "张三", "", "张三 13912345678"))
    assert got == (txn(m(resolution="R-2024-05", import_id="ID"), D5, "个人", "个人 R-2024-05 工作经费", "-10.00",
                       "Expenses:Allocation:业委会工作经费"), "按决议支出")


def test_allocation_narration_fallback_and_no_counterparty() -> None:
    got = allocate(line("-10.00", "", "", "R-2024-05"))
    # the id in the reference is not a citation (only 摘要 and 附言 are read)
    assert got is None
    got = allocate(line("-10.00", "", "", "", "R-2024-05"))
    assert got == (txn(m(resolution="R-2024-05", import_id="ID"), D5, "个人", "R-2024-05", "-10.00",
                       "Expenses:Allocation:业主大会决定用途"), "按决议支出")


@pytest.mark.parametrize(("amount", "note", "day"), [
    ("10.00", "R-2024-05", D5),  # money in
    ("-10.00", "", D5),  # cites nothing
    ("-10.00", "R-2024-06", D5),  # did not pass
    ("-10.00", "R-2024-05 R-2024-06", D5),  # several
    ("-10.00", "R-2024-05", dt.date(2024, 2, 19)),  # passed after the day
])
def test_no_allocation(amount: str, note: str, day: dt.date) -> None:
    assert allocate(line(amount, "维修资金", FUND_CENTRE, "", note, day=day)) is None


def test_allocation_on_the_day_the_resolution_passed() -> None:
    got = allocate(line("-10.00", "维修资金", FUND_CENTRE, "", "R-2024-05", day=dt.date(2024, 2, 20)))
    assert got is not None and got[0].date == dt.date(2024, 2, 20)


def test_no_allocation_of_a_zero_amount() -> None:
    assert allocate(line("0.00", "维修资金", FUND_CENTRE, "", "R-2024-05")) is None


def test_no_resolutions_no_allocation() -> None:
    assert allocate(line("-10.00", "维修资金", FUND_CENTRE, "", "R-2024-05"), "") is None


def test_read_books_an_allocation() -> None:
    rows = [NO_BALANCE, ("2024-03-20", "划转维修资金", None, "1000.00", FUND_CENTRE, "SN900", "依据R-2024-05")]
    plan, problems = read(rows, ledger(RESOLUTIONS))
    assert errors(problems) == []
    (iid,) = ids((dt.date(2024, 3, 20), D("-1000.00"), None, "划转维修资金", FUND_CENTRE, "SN900", "依据R-2024-05"))
    assert entries_of(plan) == [txn(m(resolution="R-2024-05", bank_ref="SN900", import_id=iid), dt.date(2024, 3, 20),
                                    FUND_CENTRE, "划转维修资金 R-2024-05", "-1000.00", MAINT)]
    assert plan.notes[-1] == "1 × 按决议支出"


def test_read_uses_the_declared_aliases() -> None:
    extra = option("manager-alias", "景湖物业") + option("counterparty-alias", f"{SHOP}=便民停车")
    rows = [NO_BALANCE, ("2024-03-05", "转账", "10.00", None, "景湖物业", "A1", ""),
            ("2024-03-05", "停车费", "150.00", None, "便民停车", "A2", "")]
    plan, problems = read(rows, ledger(extra))
    assert errors(problems) == []
    a1, a2 = ids((D5, D("10.00"), None, "转账", "景湖物业", "A1", ""), (D5, D("150.00"), None, "停车费", "便民停车", "A2", ""))
    assert entries_of(plan) == [
        txn(m(bank_ref="A1", payer="景湖物业", import_id=a1), D5, MANAGER, "转账", "10.00", HELD),
        txn(m(asset="P-001", contract="C-2024-009", period="2024-03", bank_ref="A2", import_id=a2), D5, "个人", "停车费",
            "150.00", PARKING)]


def test_read_default_manager_name() -> None:
    entries = parse(SMALL_REGISTRY + contract_text() + option("manager-name", ""))
    rows = [NO_BALANCE, ("2024-03-05", "转账", "10.00", None, "物业服务公司", "A1", "")]
    plan, _ = read(rows, entries)
    assert [(e.payee, e.postings[1].account) for e in entries_of(plan)] == [("物业服务公司", HELD)]


RULE = """
2024-01-01 custom "approval-rule" "payments"
  committee: 2
  window-days: 60
"""


def test_read_outflows_wait_for_an_approved_payment_once_there_is_a_rule() -> None:
    rows = [NO_BALANCE, ("2024-03-20", "划转维修资金", None, "1000.00", FUND_CENTRE, "SN900", "依据R-2024-05"),
            ("2024-03-21", "手续费", None, "2.00", "", "SN901", "")]
    plan, problems = read(rows, ledger(RESOLUTIONS + RULE))
    assert errors(problems) == []
    a, b = ids((dt.date(2024, 3, 20), D("-1000.00"), None, "划转维修资金", FUND_CENTRE, "SN900", "依据R-2024-05"),
               (dt.date(2024, 3, 21), D("-2.00"), None, "手续费", "", "SN901", ""))
    assert entries_of(plan) == [
        txn(m(bank_ref="SN900", unmatched="支出没有对应的付款申请（金额、收款方）", import_id=a), dt.date(2024, 3, 20),
            FUND_CENTRE, "划转维修资金 R-2024-05", "-1000.00", SUSPENSE),
        txn(m(bank_ref="SN901", import_id=b), dt.date(2024, 3, 21), "银行", "手续费", "-2.00", FEES)]
    assert plan.notes[1:] == ["1 × 待查明（无已批准的付款申请）", "1 × 银行手续费"]


def test_read_a_signed_statement_newest_first() -> None:
    rows = [("交易明细",), ("交易日期", "交易金额", "余额", "摘要", "对方户名", "流水号", "备注"),
            ("2024年3月6日", -2, 118.0, " 手续费 ", "", "S2", None),
            ("2024年3月5日", 20.0, 120, "转账", MANAGER, "S1", "")]
    plan, problems = read(rows, ledger())
    assert errors(problems) == [] and problems.warnings == []
    d6 = dt.date(2024, 3, 6)
    opening, s1, s2, b6, b7 = ids(("opening", D5, D("100.00")), (D5, D("20.00"), D("120.00"), "转账", MANAGER, "S1", ""),
                                  (d6, D("-2.00"), D("118.00"), "手续费", "", "S2", ""),
                                  ("balance", d6, D("120.00")), ("balance", dt.date(2024, 3, 7), D("118.00")))
    assert entries_of(plan) == [
        txn(m(import_id=opening), D5, "期初", "共有资金专户期初余额（据银行对账单）", "100.00", OPENING),
        txn(m(bank_ref="S1", import_id=s1), D5, MANAGER, "转账", "20.00", HELD),
        txn(m(bank_ref="S2", import_id=s2), d6, "银行", "手续费", "-2.00", FEES),
        bal(m(import_id=b6), d6, "120.00"), bal(m(import_id=b7), dt.date(2024, 3, 7), "118.00")]
    assert [plan.rows[id(e)] for e in entries_of(plan)] == [4, 4, 3, 4, 3]
    assert plan.notes == ["layout: 带符号金额 (signed.yaml)", f"opening balance 100.00 booked against {OPENING}",
                          "1 × 物业代收转入", "1 × 银行手续费"]


def test_read_a_direction_statement() -> None:
    rows = [("交易日期", "交易金额", "借贷标志", "余额", "对方户名"),
            ("2024-03-05", "20.00", "贷", "120.00", MANAGER), ("2024-03-06", "2.00", "借", "118.00", "张三"),
            ("2024-03-07", "1.00", "存", "119.00", "")]
    plan, problems = read(rows, ledger())
    assert entries_of(plan) == [] and plan.notes == ["layout: 金额+借贷标志 (direction.yaml)"]
    assert len(problems.errors) == 1 and problems.errors[0].column == "C(借贷标志)"
    plan, problems = read(rows[:3], ledger())
    assert errors(problems) == []
    assert [(e.date, e.postings[0].units.number, e.postings[1].account) for e in entries_of(plan)
            if isinstance(e, data.Transaction)] == [(D5, D("100.00"), OPENING), (D5, D("20.00"), HELD),
                                                    (dt.date(2024, 3, 6), D("-2.00"), SUSPENSE)]


def test_allocation_cites_a_resolution_whatever_its_case() -> None:
    lower = RESOLUTIONS.replace('"R-2024-05"', '"r-2024-05"')
    got = allocate(line("-10.00", "维修资金", FUND_CENTRE, "", "R-2024-05"), lower)
    assert got is not None and got[0].meta["resolution"] == "r-2024-05" and got[0].postings[1].account == MAINT


def test_near_takes_the_shorter_name_whatever_their_order_in_the_alphabet() -> None:
    from importers.bank import _near

    assert _near("A物业", "物业") and _near("物业", "A物业")  # "A物业" sorts first but is the longer
    assert not _near("", "物业") and not _near("物业", "物业")
