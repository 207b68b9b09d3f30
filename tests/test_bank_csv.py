"""Bank statements as real exports come: .csv in GBK/GB18030 or UTF-8, footers such as
借方笔数 / 借方发生额合计 / 贷方笔数 below the lines, headers not known without --bank-config."""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import CliRunner
from conftest import append, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_import_bank import CONTRACT, LINES, split_layout

from assetreg.cli import main
from assetreg.errors import BadInput
from importers import csvread
from importers.bank import FOOTERS, BankImporter, builtin_layouts, is_footer, load_layout
from importers.base import Context
from importers.cells import Problems, workbook
from importers.kinds import choose
from importers.testing import write_xlsx

HEADER = ["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号", "附言"]
FOOT = [["借方笔数：1", None, "借方发生额合计：5.50"], ["贷方笔数：4", None, "贷方发生额合计：2,038.00"],
        ["打印日期：2024-04-01"]]


def run(*args: object) -> tuple[int, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.output


@pytest.fixture
def compound(small_compound: Path) -> Path:
    append(small_compound / "contracts.beancount", CONTRACT)
    return small_compound


def statement_rows(lines=LINES, footer=FOOT) -> list[list[object]]:
    rows: list[list[object]] = [["账户明细查询"], HEADER]
    for d, s, i, o, b, cp, sn, note in lines:
        rows.append([d.isoformat(), s, i, o, b, cp, sn, note])
    return [*rows, *footer]


def write_csv(path: Path, rows: list[list[object]], encoding: str, delimiter: str = ",") -> Path:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if v is None else v for v in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def journal(root: Path) -> str:
    return (root / "journal.beancount").read_text(encoding="utf-8")


# ------------------------------------------------------------------ footers


def test_footer_rows_are_not_lines(compound: Path, tmp_path: Path) -> None:
    xlsx = write_xlsx(tmp_path / "对账单.xlsx", statement_rows(), title="明细")
    code, out = run("import", xlsx, "-L", compound)
    assert code == 0, out
    assert "3 footer row(s) left out (row 8, 9, 10" in out
    assert "借方笔数" not in journal(compound)


def test_without_the_footer_words_the_footer_is_an_error(tmp_path: Path) -> None:
    """The test above fails for the right reason: a footer read as a line is a bad date."""
    assert is_footer(("借方笔数：1", None), FOOTERS) and is_footer((None, " 贷方发生额合计 ", 1), FOOTERS)
    assert not is_footer(("2024-03-01", "借方笔数"), FOOTERS) and not is_footer((dt.datetime(2024, 3, 1),), FOOTERS)
    xlsx = write_xlsx(tmp_path / "s.xlsx", statement_rows(footer=[["本页借方合计笔数 3"]]))
    layout = load_layout(Path(__file__).parents[1] / "importers" / "banks" / "split.yaml")
    with workbook(xlsx) as sheets:
        imp, chosen = choose(xlsx, sheets, [BankImporter([layout])])
        problems = Problems()
        imp.read(chosen[0][0], chosen[0][1], Context.of([]), problems)
    assert problems.errors and "本页借方合计笔数" in str(problems.errors[0])


def test_footer_words_are_configurable_in_the_bank_yaml(compound: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "my-bank.yaml"
    cfg.write_text((Path(__file__).parents[1] / "importers" / "banks" / "split.yaml").read_text(encoding="utf-8")
                   + "footers: [本页借方合计笔数]\n", encoding="utf-8")
    xlsx = write_xlsx(tmp_path / "s.xlsx", statement_rows(footer=[["本页借方合计笔数 3"]]))
    code, out = run("import", xlsx, "-L", compound)
    assert code == 2 and "本页借方合计笔数" in out
    code, out = run("import", xlsx, "-L", compound, "--bank-config", cfg)
    assert code == 0 and "1 footer row(s) left out" in out, out
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nlayout: split\ncolumns: {date: [日期], income: [收入], expense: [支出]}\nfooters: {a: 1}\n",
                   encoding="utf-8")
    code, out = run("import", xlsx, "-L", compound, "--bank-config", bad)
    assert code == 2 and "`footers` must be a list" in out


def test_built_in_debit_credit_layout_adds_its_footers() -> None:
    layout = next(x for x in builtin_layouts() if x.source.endswith("debit-credit.yaml"))
    assert "借方发生总额" in layout.footers and set(FOOTERS) <= set(layout.footers)


# ------------------------------------------------------------------ csv


@pytest.mark.parametrize(("encoding", "delimiter"), [("gbk", ","), ("gb18030", "\t"), ("utf-8", ","),
                                                     ("utf-8-sig", ";"), ("utf-16", "\t")])
def test_a_csv_export_books_what_the_xlsx_books(compound: Path, tmp_path: Path, encoding: str, delimiter: str) -> None:
    xlsx_root = tmp_path / "twin"
    import shutil

    shutil.copytree(compound, xlsx_root)
    assert run("import", split_layout(tmp_path / "s.xlsx"), "-L", xlsx_root)[0] == 0
    rows = statement_rows()
    path = write_csv(tmp_path / "账户明细.csv", rows, encoding, delimiter)
    code, out = run("import", path, "-L", compound)
    assert code == 0, out
    assert "账户明细.csv: 共有资金专户银行对账单 (bank), sheet 账户明细: " in out
    assert "entries written to journal.beancount" in out
    assert journal(compound) == journal(xlsx_root)  # the same entries, the same fingerprints
    before = snapshot(compound)
    code, out = run("import", path, "-L", compound)
    assert code == 0 and "0 entries written" in out
    assert snapshot(compound) == before


def test_excel_text_guards_and_time_of_day(compound: Path, tmp_path: Path) -> None:
    rows = statement_rows()
    for r in rows[2:7]:
        r[0] = f'="{r[0]} 10:22:33"'
        r[6] = f'="{r[6]}"'
    path = write_csv(tmp_path / "s.csv", rows, "gbk")
    code, out = run("import", path, "-L", compound)
    assert code == 0, out
    assert 'bank_ref: "SN002"' in journal(compound)


def test_encoding_is_detected() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.csv"
        for text, encoding, found in (("日期,金额\n", "gbk", "gb18030"), ("日期,金额\n", "utf-8", "utf-8"),
                                      ("date,amount\n", "ascii", "utf-8"), ("日期\n", "utf-8-sig", "utf-8-sig"),
                                      ("日期\n", "utf-16", "utf-16"), ("𠀀日期\n", "gb18030", "gb18030")):
            p.write_bytes(text.encode(encoding))
            assert csvread.detect_encoding(p) == found, (text, encoding)
        p.write_bytes(b"\x81\x30\xff\xff\xff")
        with pytest.raises(BadInput, match="neither UTF-8 nor GBK"):
            csvread.detect_encoding(p)


def test_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "s.csv", statement_rows(), "gbk")
    monkeypatch.setattr(csvread, "BYTE_LIMIT", 100)
    with pytest.raises(BadInput, match="more than 0 MiB"):
        csvread.CsvSheet(path)
    monkeypatch.setattr(csvread, "BYTE_LIMIT", 10**6)
    monkeypatch.setattr(csvread, "CELL_LIMIT", 20)
    with pytest.raises(BadInput, match="more than 20 cells by row 4"):
        list(csvread.CsvSheet(path).rows())
    long_field = tmp_path / "long.csv"
    long_field.write_bytes(b'a,"' + b"x" * 200_000 + b'"\n')
    with pytest.raises(BadInput, match="cannot read it as CSV"):
        list(csvread.CsvSheet(long_field).rows())


# ------------------------------------------------------------------ unknown headers


def test_unknown_headers_name_bank_config_and_show_what_was_seen(compound: Path, tmp_path: Path) -> None:
    rows = [["某某银行交易明细"], ["入账时间", "借贷", "发生金额", "结余", "交易说明"], ["2024-03-01", "贷", "10", "10", "x"]]
    path = write_csv(tmp_path / "x.csv", rows, "gbk")
    before = snapshot(compound)
    code, out = run("import", path, "-L", compound)
    assert code == 2
    assert "headers seen: sheet 'x' row 2: 入账时间 | 借贷 | 发生金额 | 结余 | 交易说明" in out
    assert "--bank-config" in out and "importers/banks/split.yaml" in out
    assert snapshot(compound) == before


# ------------------------------------------------------------------ property


LINE_TEXT = st.text(alphabet=st.sampled_from("转账停车费押金收入物业公司甲乙丙丁ABC 0123456789-/（）,;\"'"), max_size=12)


@st.composite
def statements(draw: st.DrawFn) -> tuple[list[tuple[dt.date, str, Decimal, str]], list[list[object]]]:
    n = draw(st.integers(1, 12))
    day = dt.date(2024, 3, 1)
    lines = []
    for _ in range(n):
        day += dt.timedelta(days=draw(st.integers(0, 3)))
        cents = draw(st.integers(1, 10**9))
        lines.append((day, draw(LINE_TEXT).strip() or "转账", Decimal(cents) / 100, draw(LINE_TEXT).strip()))
    footer = draw(st.lists(st.sampled_from([w for w in FOOTERS if w[-1] not in ":："]), max_size=4))
    foot_rows: list[list[object]] = [[f"{w}：{draw(st.integers(0, 99))}", None, draw(st.sampled_from(["", "12.00"]))]
                                     for w in footer]
    return lines, foot_rows


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stmt=statements(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"]),
       delimiter=st.sampled_from([",", "\t", ";"]))
def test_any_statement_in_any_encoding_reads_its_lines_exactly(tmp_path: Path, stmt, encoding: str,
                                                               delimiter: str) -> None:
    lines, footer = stmt
    rows: list[list[object]] = [HEADER]
    balance = Decimal(0)
    for d, summary, amount, note in lines:
        balance += amount
        rows.append([d.isoformat(), summary, f"{amount:.2f}", None, f"{balance:,.2f}", "某某公司", None, note])
    rows.extend(footer)
    path = write_csv(tmp_path / f"p-{codecs.lookup(encoding).name}.csv", rows, encoding, delimiter)
    layout = next(x for x in builtin_layouts() if x.source.endswith("split.yaml"))
    imp = BankImporter([layout])
    with workbook(path) as sheets:
        header = imp.header(sheets[0])
        assert header is not None
        problems = Problems()
        plan = imp.read(sheets[0], header, Context.of([]), problems)
    assert problems.errors == []
    booked = [(e.date, e.postings[0].units.number) for _, e in plan.writes if isinstance(e, data.Transaction)]
    assert booked == [(d, a) for d, _, a, _ in lines]
    assert bool(footer) == any("footer row(s) left out" in n for n in plan.notes)
