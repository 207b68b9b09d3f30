"""Income disclosure: periods, exact unit shares, the workbook, the HTML page and the ledger record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import append, snapshot
from openpyxl import load_workbook
from test_audit import RESOLUTION, contract_text, full_year

from assetreg import disclosure
from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.errors import BadInput
from assetreg.ledger import Compound

REJECTED = """
2024-03-10 custom "decision" "P-2024-007" "forbidden"
  use: "storage"
  assets: "R-09"
  counterparty: "某仓储公司"
  rules: "N-HAZARDOUS-STORAGE"
  reasons: "地下室存放易燃物品属负面清单"
"""

ALLOCATION = """
2024-06-20 * "业委会" "2024年上半年净收益补充维修资金"
  resolution: "R-2023-02"
  Expenses:Allocation:补充维修资金  300.00 CNY
  Assets:Bank:共有资金专户  -300.00 CNY
"""


@pytest.fixture
def books(small_compound: Path) -> Path:
    append(small_compound / "contracts.beancount", RESOLUTION + contract_text())
    append(small_compound / "journal.beancount", full_year() + ALLOCATION)
    append(small_compound / "decisions.beancount", REJECTED)
    return small_compound


def test_build_half_year(books: Path) -> None:
    loaded = Compound.locate(books).load()
    d = disclosure.build(loaded.entries, "2024H1", loaded.options_map, as_of=dt.date(2024, 7, 10))
    # February to June: five months at 150.00, 30% cost
    assert (d.gross, d.cost, d.net) == (Decimal("750.00"), Decimal("225.00"), Decimal("525.00"))
    assert d.by_kind["停车位"].net == Decimal("525.00")
    assert d.by_asset["P-001"].gross == Decimal("750.00")
    assert d.allocated == Decimal("300.00") and d.allocations[0]["resolution"] == "R-2023-02"
    assert [c["id"] for c in d.contracts] == ["C-2024-001"]
    assert d.contracts[0]["decision"] == "permitted" and d.contracts[0]["gate"] == "通过"
    assert [r["id"] for r in d.rejected] == ["P-2024-007"]
    # areas 90, 110, 100, 120, 80 of 500 m²
    assert d.unit_share("1-101") == Decimal("94.50")
    assert d.unit_share("2-102") == Decimal("84.00")
    assert sum(d.shares.values()) == d.net
    with pytest.raises(BadInput):
        d.unit_share("9-999")


def test_share_basis_by_unit(books: Path) -> None:
    append(books / "accounts.beancount", '\n2020-01-01 custom "assetreg-option" "share-basis" "unit"\n')
    loaded = Compound.locate(books).load()
    d = disclosure.build(loaded.entries, "2024H1", loaded.options_map, as_of=dt.date(2024, 7, 10))
    assert set(d.shares.values()) == {Decimal("105.00")}


def test_disclose_cli_writes_workbook_page_and_ledger_entry(books: Path, tmp_path: Path) -> None:
    out, page = tmp_path / "2024H1.xlsx", tmp_path / "2024H1.html"
    r = CliRunner().invoke(main, ["disclose", "-L", str(books), "--period", "2024H1", "-o", str(out),
                                  "--html", str(page), "--date", "2024-07-10"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert {"概要", "按类别", "按资产", "收益去向", "经营合同", "业主大会决议", "否决的提案", "审计发现",
            "各户分摊"} <= set(wb.sheetnames)
    rows = list(wb["各户分摊"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5
    assert sum(Decimal(str(r[4])) for r in rows) == Decimal("525.00")
    assert wb["否决的提案"]["A2"].value == "P-2024-007"
    html = page.read_text(encoding="utf-8")
    assert "公共收益公示" in html and "94.50" in html and "P-2024-007" in html
    loaded = Compound.locate(books).load()
    assert loaded.errors == []
    entries = [e for e in loaded.entries if getattr(e, "type", None) == "disclosure"]
    assert len(entries) == 1 and entries[0].values[0].value == "2024H1"
    assert entries[0].meta["net"].number == Decimal("525.00")
    # the overdue check sees it: 2024H1 no longer overdue, 2024H2 is
    found = run_checks(loaded.entries, loaded.options_map, dt.date(2025, 3, 1))
    assert [f.facts["period"] for f in found if f.check == "disclosure-overdue"] == ["2024H2"]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--period", "2024H3", "-o", "{tmp}/r.xlsx"], "malformed period"),
    (["--period", "2024H2", "-o", "{tmp}/r.xlsx", "--date", "2024-12-01"], "has not ended"),
    (["--period", "2024H1", "-o", "{tmp}/r.csv", "--date", "2024-07-10"], "does not end in .xlsx"),
    (["--period", "2024H1", "-o", "{tmp}/nowhere/r.xlsx", "--date", "2024-07-10"], "does not exist"),
])
def test_disclose_bad_input_exits_2_and_writes_nothing(books: Path, tmp_path: Path, args: list[str], fragment: str) -> None:
    before = snapshot(books)
    r = CliRunner().invoke(main, ["disclose", "-L", str(books), *[a.format(tmp=tmp_path) for a in args]])
    assert r.exit_code == 2, r.output
    assert fragment in r.output
    assert snapshot(books) == before
    assert not list(tmp_path.glob("*.xlsx"))


@pytest.mark.browser
def test_disclosure_page_renders_and_prints(books: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    loaded = Compound.locate(books).load()
    d = disclosure.build(loaded.entries, "2024H1", loaded.options_map, as_of=dt.date(2024, 7, 10))
    page_file = tmp_path / "p.html"
    page_file.write_text(disclosure.render_html(d), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            assert page.locator("h1").inner_text().endswith("公共收益公示")
            cells = page.locator("#shares .u .amt").all_inner_texts()  # every unit's share
            assert sum(Decimal(c.replace(",", "")) for c in cells) == d.net
            pdf = page.pdf(format="A4")
            assert pdf.startswith(b"%PDF")
        finally:
            browser.close()


def test_income_shared_by_several_assets_splits_to_the_cent(books: Path) -> None:
    append(books / "journal.beancount", """
2024-06-30 * "景湖物业" "宣传栏广告（两处）"
  asset: "P-001,AD-001"
  contract: "C-2024-001"
  Assets:Receivable:物业代收  70.00 CNY
  Expenses:Manager:物业经营成本  30.01 CNY
  Income:Common:广告位  -100.01 CNY
""")
    loaded = Compound.locate(books).load()
    d = disclosure.build(loaded.entries, "2024H1", loaded.options_map, as_of=dt.date(2024, 7, 10))
    assert d.by_asset["AD-001"].gross == Decimal("50.00") and d.by_asset["AD-001"].cost == Decimal("15.00")
    assert sum(x.gross for x in d.by_asset.values()) == d.gross
    assert sum(x.cost for x in d.by_asset.values()) == d.cost
    assert sum(x.net for x in d.by_kind.values()) == d.net


def test_published_report_names_ledger_lines_relative_to_the_compound() -> None:
    from assetreg.disclosure import _rows_findings

    class F:
        severity, check, message, rule = "warning", "x", "m", "r"
        entries = ("/srv/ledgers/demo/journal.beancount:12", "/elsewhere/other.beancount:3")

    rows = _rows_findings([F()], "/srv/ledgers/demo")
    assert rows[0][-1] == "journal.beancount:12; /elsewhere/other.beancount:3"
