"""Bank statements: the fingerprint reads the amount, and phone and ID numbers never reach
the ledger, whichever mobile prefix (13x to 19x) they carry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from test_import_bank import CONTRACT, journal_entries, run

from assetreg.errors import BadInput
from assetreg.units import validate_owner_key
from importers.bank import private
from importers.testing import write_xlsx

HEADER = ["交易日期", "摘要", "收入金额", "支出金额", "对方户名", "流水号", "附言"]


def statement(path: Path, *lines: tuple[str, str, str, str]) -> Path:
    """No balance column, no serial number: what a bank's web export of one day may look like.
    Each line: (date, summary, amount in, note)."""
    rows: list[list[object]] = [HEADER]
    for day, summary, amount, note in lines:
        rows.append([day, summary, amount, None, "业主个人", None, note])
    return write_xlsx(path, rows)


@pytest.fixture
def compound(small_compound: Path) -> Path:
    (small_compound / "contracts.beancount").open("a", encoding="utf-8").write(CONTRACT)
    return small_compound


def bank_amounts(root: Path) -> list[Decimal]:
    return sorted(p.units.number for e in journal_entries(root) if isinstance(e, data.Transaction)
                  for p in e.postings if p.account == "Assets:Bank:共有资金专户")


def test_two_statements_differing_only_in_one_amount_both_book(compound: Path, tmp_path: Path) -> None:
    a = statement(tmp_path / "a.xlsx", ("2024-03-12", "转账", "88.00", "停车费"))
    b = statement(tmp_path / "b.xlsx", ("2024-03-12", "转账", "99.00", "停车费"))
    assert run("import", a, "-L", compound).exit_code == 0
    res = run("import", b, "-L", compound)
    assert res.exit_code == 0, res.output
    assert "1 entry written to journal.beancount" in res.output, res.output
    assert bank_amounts(compound) == [Decimal("88.00"), Decimal("99.00")]
    # and each is still recognised when its statement comes again
    for again in (a, b):
        res = run("import", again, "-L", compound)
        assert res.exit_code == 0 and "0 entries written" in res.output, res.output
    assert bank_amounts(compound) == [Decimal("88.00"), Decimal("99.00")]


def test_one_cent_apart_is_another_payment_and_identical_lines_stay_two(compound: Path, tmp_path: Path) -> None:
    line = ("2024-03-12", "转账", "88.00", "停车费")
    assert run("import", statement(tmp_path / "a.xlsx", line, line), "-L", compound).exit_code == 0
    assert run("import", statement(tmp_path / "b.xlsx", line, line, ("2024-03-12", "转账", "88.01", "停车费")),
               "-L", compound).exit_code == 0
    assert bank_amounts(compound) == [Decimal("88.00"), Decimal("88.00"), Decimal("88.01")]


MOBILES = [f"1{second}{rest}" for second in "3456789" for rest in ("012345678", "912345678")]


@pytest.mark.parametrize("phone", MOBILES)
def test_every_mobile_prefix_is_masked(phone: str) -> None:
    assert private(f"张三 {phone} 3号楼") == "张三 *** 3号楼"
    assert private(f"电话{phone}转账") == "电话***转账"
    assert private(phone) == "***"
    with pytest.raises(BadInput, match="looks like a phone number"):
        validate_owner_key(f"OWN-{phone}")


@pytest.mark.parametrize(("text", "masked"), [
    ("320102199001011234", "***"), ("32010219900101123X", "***"), ("32010219900101123x", "***"),
    ("身份证320102199001011234号", "身份证***号"),
    ("19912345678 13912345678", "*** ***"),
    ("SN20240312001", "SN20240312001"),  # a bank reference: 11 digits but not a mobile number
    ("12012345678", "12012345678"), ("10012345678", "10012345678"), ("1991234567", "1991234567"),
    ("2024年3月 C-2024-009", "2024年3月 C-2024-009"), ("", ""),
])
def test_ids_masked_and_other_numbers_kept(text: str, masked: str) -> None:
    assert private(text) == masked


def test_a_19x_number_in_a_note_never_reaches_the_ledger(compound: Path, tmp_path: Path) -> None:
    xlsx = statement(tmp_path / "a.xlsx", ("2024-03-12", "转账 19912345678", "88.00", "联系 17712345678 / 16612345678"))
    assert run("import", xlsx, "-L", compound).exit_code == 0
    text = (compound / "journal.beancount").read_text(encoding="utf-8")
    for phone in ("19912345678", "17712345678", "16612345678"):
        assert phone not in text
    assert "***" in text


def test_lines_a_day_apart_are_different_payments(compound: Path, tmp_path: Path) -> None:
    xlsx = statement(tmp_path / "a.xlsx", ("2024-03-12", "转账", "88.00", "停车费"), ("2024-03-13", "转账", "88.00", "停车费"))
    assert run("import", xlsx, "-L", compound).exit_code == 0
    days = sorted(e.date for e in journal_entries(compound) if isinstance(e, data.Transaction))
    assert days == [dt.date(2024, 3, 12), dt.date(2024, 3, 13)]
