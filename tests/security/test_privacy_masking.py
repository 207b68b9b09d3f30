"""Issue 14, privacy: phone and ID numbers however grouped, 15-digit IDs, names in 附言 and
names written with spaces or dots never reach the ledger; asset facts refuse personal numbers;
owner keys follow the pseudonymous pattern."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import CliRunner
from conftest import append, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st
from test_import_bank import contract_text, journal_entries

from assetreg.cli import main
from assetreg.errors import BadInput
from assetreg.privacy import mask_name, mask_numbers, note_facts
from assetreg.units import validate_owner_key
from importers.bank import Line, narration_of
from importers.testing import write_xlsx

SHOP = "淮安市景湖便利店有限公司"

# (对方户名, 摘要, 附言, what must not survive)
LINES = [
    ("", "转账", "联系人 138 0013 8000", ["13800138000"]),
    ("", "转账", "139-1234-5678 车位费", ["13912345678"]),
    (SHOP, "货款", "身份证 320102 19900101 123X", ["32010219900101123X"]),
    (SHOP, "租金", "经办人身份证110101800101123", ["110101800101123"]),
    (SHOP, "租金 191 2345 6789", "", ["19123456789"]),
    ("", "转账", "代张三缴纳2025年3月车位费", ["张三"]),
    (SHOP, "租金", "王小明付 C-2024-009 租金", ["王小明"]),
    ("赵 六", "赵六转账", "3号楼赵六车位费", ["赵六", "赵 六"]),
    ("欧阳·娜娜", "欧阳娜娜 转账", "欧阳娜娜", ["欧阳娜娜", "欧阳·娜娜"]),
    ("李 四", "李·四 转账", "", ["李四", "李 四", "李·四"]),
]


def _statement(path: Path) -> Path:
    rows = [["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号", "附言"]]
    balance = 10000
    for n, (cp, summary, note, _) in enumerate(LINES, start=1):
        balance += 10
        rows.append(["2024-03-05", summary, "10.00", None, f"{balance}.00", cp, f"SN{n:03d}", note])
    return write_xlsx(path, rows, title="明细")


def _digits(text: str) -> str:
    return re.sub(r"[\s\-－—·]", "", text)


def test_nothing_personal_survives_a_bank_import(small_compound: Path, tmp_path: Path) -> None:
    append(small_compound / "contracts.beancount", contract_text(counterparty=SHOP))
    r = CliRunner().invoke(main, ["import", str(_statement(tmp_path / "s.xlsx")), "-L", str(small_compound)])
    assert r.exit_code == 0, r.output
    text = (small_compound / "journal.beancount").read_text(encoding="utf-8")
    flat = _digits(text)
    for _, _, _, secrets in LINES:
        for secret in secrets:
            assert secret not in text and _digits(secret) not in flat, secret
    # what the books need from a 附言 stays: the contract id and the period
    booked = {e.meta["bank_ref"]: e for e in journal_entries(small_compound)
              if isinstance(e, data.Transaction) and "bank_ref" in e.meta}
    assert "C-2024-009" in booked["SN007"].narration and "2025年3月" in booked["SN006"].narration


# ------------------------------------------------------------------ properties

SEPARATORS = st.sampled_from([" ", "-", "－", "—", "\u3000", "\u2010"])


@st.composite
def grouped(draw: st.DrawFn, digits: str) -> str:
    """``digits`` with a separator (or none) between any two of them."""
    out = digits[0]
    for d in digits[1:]:
        if draw(st.integers(0, 3)) == 0:
            out += draw(SEPARATORS)
        out += d
    return out


mobiles = st.builds(lambda p, rest: f"1{p}{rest}", st.sampled_from("3456789"),
                    st.text("0123456789", min_size=9, max_size=9))
ids18 = st.builds(lambda body, last: body + last, st.text("0123456789", min_size=17, max_size=17),
                  st.sampled_from("0123456789Xx"))
ids15 = st.text("0123456789", min_size=15, max_size=15)
around = st.sampled_from(["", "电话", "联系人：", "手机号 ", "tel:", "ID ", "3号楼 ", "（", "身份证号码"])
after = st.sampled_from(["", " 谢谢", "）", "。", " 3号楼", "车位费"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(mobiles, ids18, ids15).flatmap(lambda n: st.tuples(st.just(n), grouped(n))), around, after)
def test_phone_and_id_numbers_are_masked_however_grouped(number_written: tuple[str, str], before: str,
                                                         tail: str) -> None:
    number, written = number_written
    masked = mask_numbers(before + written + tail)
    assert number.upper() not in _digits(masked).upper(), (written, masked)
    assert "***" in masked


@given(st.sampled_from(["2024-11 2024-12", "2025-03-01", "C-2024-005", "R-2024-02", "1,234.50", "3号楼2单元502",
                        "2019-01-01 2019-02-01", "2025年3月1日", "SN001 2025-03"]))
def test_dates_amounts_and_ids_are_not_taken_for_personal_numbers(text: str) -> None:
    assert mask_numbers(text) == text


SURNAMES = ["赵", "钱", "孙", "李", "周", "吴", "郑", "王", "欧阳", "司马", "诸葛", "上官"]
GIVEN = "明华娜伟芳静丽强敏军杰涛洋艳勇霞刚秀英平六三四"
NAME_SEPS = st.sampled_from(["", " ", "·", "・", " · "])


@st.composite
def names(draw: st.DrawFn) -> tuple[str, str, str]:
    """A name, as the bank wrote the payer, and as it is written in 摘要 or 附言."""
    name = draw(st.sampled_from(SURNAMES)) + draw(st.text(GIVEN, min_size=1, max_size=2))
    return name, draw(NAME_SEPS).join(name), draw(NAME_SEPS).join(name)


def _no_name(name: str, text: str) -> bool:
    return name not in re.sub(r"[\s·・]", "", text)


@settings(max_examples=300, deadline=None)
@given(names(), st.sampled_from(["{n}转账", "转账 {n}", "{n} 车位费 2025-03", "代{n}付"]),
       st.sampled_from(["", "{n}", "代{n}缴纳2025年3月车位费", "{n} 电话13800138000", "{n}租金C-2024-005"]),
       st.sampled_from(["person", "", SHOP]))
def test_names_never_survive_into_a_narration(written: tuple[str, str, str], summary: str, note: str,
                                              payer: str) -> None:
    name, as_payer, in_text = written
    cp = as_payer if payer == "person" else payer
    line = Line(1, dt.date(2025, 3, 5), 1, None, summary.format(n=in_text) if payer == "person" else "转账",
                cp, "", note.format(n=in_text))
    text = narration_of(line, person=payer == "person")
    assert _no_name(name, text), (line, text)


@given(names())
def test_mask_name_takes_a_name_out_however_spaced(written: tuple[str, str, str]) -> None:
    name, as_payer, in_text = written
    assert _no_name(name, mask_name(f"{in_text}转账", as_payer))


def test_note_facts_keeps_only_what_the_books_need() -> None:
    assert note_facts("代张三缴纳2025年3月车位费 C-2024-005") == "2025年3月 车位费 C-2024-005"
    assert note_facts("2月代收公共收益") == "2月代收公共收益"  # nothing but facts: as written
    assert note_facts("张三") == ""


# ------------------------------------------------------------------ typed text


@pytest.mark.parametrize("args", [
    ["--location", "联系人 138 0013 8000"],
    ["--location", "3号楼", "--description", "管理员身份证320102 19900101 123X"],
    ["--location", "3号楼", "--description", "看管人139-1234-5678"],
])
def test_asset_add_refuses_personal_numbers(small_compound: Path, args: list[str]) -> None:
    before = snapshot(small_compound)
    r = CliRunner().invoke(main, ["asset", "add", "AD-009", "--kind", "advertising", *args, "--date", "2024-05-01",
                                  "-L", str(small_compound)])
    assert r.exit_code == 2, r.output
    assert "phone or ID number" in r.output
    assert snapshot(small_compound) == before


def test_asset_amend_refuses_personal_numbers(small_compound: Path) -> None:
    before = snapshot(small_compound)
    r = CliRunner().invoke(main, ["asset", "amend", "P-001", "--location", "东侧 管理员13800138000",
                                  "--reason", "更正", "--date", "2024-05-01", "-L", str(small_compound)])
    assert r.exit_code == 2, r.output
    assert snapshot(small_compound) == before


@pytest.mark.parametrize("key", ["ZhangSan", "Zhang-San", "zhangsan1", "张三", "OWN13812345678", "OWN-138 0013 8000",
                                 "own-0001", "OWN-", "-0001"])
def test_owner_keys_are_pseudonymous(key: str) -> None:
    with pytest.raises(BadInput):
        validate_owner_key(key)


@pytest.mark.parametrize("key", ["OWN-0417", "DEV-0000", "OWN-9", "OWN-A12", "OWN-00001", "DEV-JH"])
def test_pseudonymous_keys_pass(key: str) -> None:
    assert validate_owner_key(key) == key


def test_the_roster_refuses_a_name_as_owner_key(empty_compound: Path, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [["房号", "楼栋", "专有部分面积", "业主编号"],
                                            ["1-101", "1", "90.00", "OWN-0001"],
                                            ["1-102", "1", "95.00", "ZhangSan"]])
    before = snapshot(empty_compound)
    r = CliRunner().invoke(main, ["import", str(path), "-L", str(empty_compound), "--date", "2020-01-01"])
    assert r.exit_code == 2, r.output
    assert "ZhangSan" in r.output and "pseudonymous" in r.output
    assert snapshot(empty_compound) == before
