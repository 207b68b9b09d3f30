"""The assetreg plugin seen through a real `bean-check` run: one ledger per case."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core.amount import Amount
from conftest import append

from assetreg.contracts import content_hash
from assetreg.ledger import custom, format_entry

BEAN_CHECK = shutil.which("bean-check") or str(Path(sys.executable).parent / "bean-check")


def bean_check(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    return subprocess.run([BEAN_CHECK, str(root / "main.beancount")], capture_output=True, text=True,
                          env=env, timeout=120)


INCOME = """
{date} * "物业公司" "停车费"
  asset: "{asset}"
  contract: "C-ALL"
  Assets:Receivable:物业代收    100.00 CNY
  Income:Common:停车位         -100.00 CNY
"""


@pytest.fixture
def small_compound(small_compound: Path) -> Path:
    """The shared fixture plus a gate-passed contract covering P-001 and AD-001 in 2024,
    so that these cases isolate the asset checks from the audit's contract checks."""
    terms = {"assets": "P-001,AD-001", "use": "parking-owner", "counterparty": "OWN-0001",
             "counterparty_kind": "owner", "start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31),
             "price": Amount(Decimal("100.00"), "CNY"), "period": "month"}
    entry = custom(dt.date(2023, 12, 20), "contract", ["C-ALL", "recorded"], **terms,
                   decision="permitted", content_hash=content_hash(terms))
    append(small_compound / "contracts.beancount", "\n" + format_entry(entry))
    return small_compound


def test_clean_compound_passes(small_compound: Path) -> None:
    append(small_compound / "journal.beancount", INCOME.format(date="2024-02-01", asset="P-001"))
    r = bean_check(small_compound)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize(
    ("date", "asset", "message"),
    [
        ("2024-01-10", "P-001", "当日状态：公示中"),  # before confirmation
        ("2024-02-01", "AD-001", "当日状态：已登记"),  # never confirmed
        ("2024-02-01", "P-404", "资产 P-404 不在登记簿中"),
    ],
)
def test_income_on_unconfirmed_asset_is_an_error_with_file_and_line(
    small_compound: Path, date: str, asset: str, message: str
) -> None:
    append(small_compound / "journal.beancount", INCOME.format(date=date, asset=asset))
    r = bean_check(small_compound)
    assert r.returncode != 0
    assert message in r.stdout + r.stderr
    lineno = (small_compound / "journal.beancount").read_text().splitlines().index(
        f'{date} * "物业公司" "停车费"') + 1
    assert f"journal.beancount:{lineno}:" in r.stdout + r.stderr


def test_income_after_dispute_is_an_error(small_compound: Path) -> None:
    append(small_compound / "registry.beancount",
           '\n2024-05-01 custom "asset" "P-001" "disputed"\n  reason: "权属诉讼"\n')
    append(small_compound / "journal.beancount", INCOME.format(date="2024-04-30", asset="P-001"))
    assert bean_check(small_compound).returncode == 0
    append(small_compound / "journal.beancount", INCOME.format(date="2024-05-01", asset="P-001"))
    r = bean_check(small_compound)
    assert r.returncode != 0
    assert "当日状态：有争议" in r.stdout + r.stderr


def test_income_without_asset_metadata_is_an_error(small_compound: Path) -> None:
    append(small_compound / "journal.beancount", """
2024-02-01 * "物业公司" "停车费"
  Assets:Receivable:物业代收    100.00 CNY
  Income:Common:停车位         -100.00 CNY
""")
    r = bean_check(small_compound)
    assert r.returncode != 0
    assert "未注明资产" in r.stdout + r.stderr


def test_asset_on_posting_overrides_transaction(small_compound: Path) -> None:
    append(small_compound / "journal.beancount", """
2024-02-01 * "物业公司" "停车费与广告费"
  asset: "P-001"
  contract: "C-ALL"
  Assets:Receivable:物业代收    200.00 CNY
  Income:Common:停车位         -100.00 CNY
  Income:Common:广告位         -100.00 CNY
    asset: "AD-001"
""")
    r = bean_check(small_compound)
    assert r.returncode != 0
    assert "资产 AD-001" in r.stdout + r.stderr
    assert "asset P-001" not in r.stdout + r.stderr


def test_hand_edited_illegal_confirmation_is_reported(empty_compound: Path) -> None:
    append(empty_compound / "registry.beancount", """
2024-01-02 custom "asset" "P-009" "registered"
  kind: "parking"
  location: "x"
  reason: "登记"
2024-01-05 custom "asset" "P-009" "noticed"
  days: 15
  reason: "公示"
2024-01-06 custom "asset" "P-009" "confirmed"
  evidence: "documents/x.pdf"
  reason: "提前确认"
2024-02-01 * "物业公司" "停车费"
  asset: "P-009"
  contract: "C-ALL"
  Assets:Receivable:物业代收    100.00 CNY
  Income:Common:停车位         -100.00 CNY
""")
    r = bean_check(empty_compound)
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "[registry] asset P-009: cannot confirm P-009 on 2024-01-06" in out
    # the illegal confirmation conferred nothing: the income is refused too
    assert "[income-unconfirmed] 资产 P-009" in out


def test_objection_naming_another_notice_is_reported(small_compound: Path) -> None:
    append(small_compound / "registry.beancount", """
2024-03-01 custom "asset" "AD-001" "noticed"
  days: 15
  reason: "公示"
2024-03-05 custom "asset" "AD-001" "objected"
  notice: 2024-02-01
  reason: "异议"
""")
    r = bean_check(small_compound)
    assert r.returncode != 0
    assert "objection names the notice of 2024-02-01" in r.stdout + r.stderr
