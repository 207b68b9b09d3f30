"""The notice-board 公示 (issue 10): the A4 document, its PDF, the workbook's print setup.

On the example compound's first half of 2026: the summary prints on at most 4 A4 pages,
then every unit's share in natural unit order; the PDF is made by Debian's chromium
(offline) and its pages are A4. Figures are checked against the disclosure built from
the ledger (assetreg.disclosure.build), which itself agrees with the residents' pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from assetreg import disclosure, pdf, periods
from assetreg.cli import main
from assetreg.disclosure import natural_key
from assetreg.ledger import Loaded, load_path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "ledgers" / "qjp-jinghu-garden"
ARTIFACTS = REPO / "test-artifacts"
PUBLISHED = dt.date(2026, 7, 25)
URL = "https://jinghu.example.org/公示/2026H1?a=1&b=<2>"

pytestmark = pytest.mark.skipif(not EXAMPLE.is_dir(), reason="the example compound is not built")


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load_path(EXAMPLE.resolve() / "main.beancount")


@pytest.fixture(scope="module")
def half(loaded: Loaded) -> disclosure.Disclosure:
    d = disclosure.build(list(loaded.entries), "2026年上半年", loaded.options_map, as_of=PUBLISHED)
    return dataclasses.replace(d, public_url=URL)


def test_natural_unit_order() -> None:
    units = ["9-2-1301", "10-1-101", "9-2-201", "9-10-101", "9-2-202", "1-1-101", "9-2-201A", "B1-1"]
    assert sorted(units, key=natural_key) == ["1-1-101", "9-2-201", "9-2-201A", "9-2-202", "9-2-1301",
                                              "9-10-101", "10-1-101", "B1-1"]


def test_period_in_chinese_is_the_same_period(half: disclosure.Disclosure) -> None:
    assert half.period == periods.parse("2026H1") and half.period.label_zh == "2026年上半年"


def test_summary_and_shares_in_the_html(half: disclosure.Disclosure) -> None:
    page = disclosure.render_html(half, published=PUBLISHED)
    assert "@page { size: A4" in page
    assert '<div class="period" id="period">2026年上半年</div>' in page
    assert '<b id="published">2026-07-25</b>' in page
    days = half.objection_days
    last = PUBLISHED + dt.timedelta(days=days - 1)
    assert f'<b id="objection">2026-07-25 至 {last}</b>（{days}日）' in page
    assert "以书面形式向业主委员会提出" in page and "业主委员会（盖章）" in page and "主任（签字）" in page
    money = f"{half.net:,.2f}"
    assert f'<b id="fig-net">{money}</b>' in page and f'<b id="fig-gross">{half.gross:,.2f}</b>' in page
    # the QR code names the address; the address itself is escaped in the text
    assert 'id="qr"' in page and "<svg" in page and "&lt;2&gt;" in page and "<2>" not in page
    # every unit once, in natural order, the amounts adding up to the net
    units = re.findall(r'<div class="u" data-unit="([^"]+)"><span>[^<]+</span><span class="amt">([^<]+)</span>', page)
    assert [u for u, _ in units] == sorted(half.shares, key=natural_key)
    assert sum(Decimal(a.replace(",", "")) for _, a in units) == half.net
    assert len(units) == len(half.shares) > 900
    # contracts in brief: one row per use, adding up to every contract in force
    by_use = re.search(r'<table id="contracts-by-use">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert by_use is not None
    counts = [int(n) for n in re.findall(r'<tr><td>[^<]+</td><td class="num">(\d+)</td>', by_use[1])]
    assert sum(counts) == len(half.contracts) and len(counts) < 12


def test_no_qr_without_a_public_url_and_no_english_labels(half: disclosure.Disclosure) -> None:
    page = disclosure.render_html(dataclasses.replace(half, public_url=""), published=PUBLISHED)
    assert 'id="qr"' not in page and "扫码" not in page
    text = re.sub(r"<style>.*?</style>|<svg.*?</svg>|<[^>]+>", " ", page, flags=re.S)
    tokens = set(re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*", text))
    words = {w for w in tokens if re.search(r"[A-Za-z]{2}", w) and not re.search(r"\d", w)}
    ids = {w for w in words if re.fullmatch(r"[A-Z]+(-[A-Z0-9]+)*", w)}  # rule ids (ids with digits pass)
    assert words - ids == set(), words - ids


def test_workbook_prints_on_a4_in_chinese_and_natural_order(half: disclosure.Disclosure, tmp_path: Path) -> None:
    out = tmp_path / "公示.xlsx"
    disclosure.write_xlsx(half, out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["概要", "按类别", "按资产", "收益去向", "经营合同", "业主大会决议", "否决的提案",
                             "审计发现", "各户分摊"]
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        if ws.title != "概要":
            assert ws.print_title_rows == "$1:$1", ws.title  # the header row on every printed page
            header = [c.value for c in ws[1]]
            assert all(re.search(r"[\u4e00-\u9fff]", str(h)) for h in header), (ws.title, header)
    shares = wb["各户分摊"]
    units = [r[0] for r in shares.iter_rows(min_row=2, values_only=True)]
    assert units == sorted(units, key=natural_key) and units.index("9-2-201") < units.index("9-2-1301")
    summary = {r[0]: r[1] for r in wb["概要"].iter_rows(min_row=2, values_only=True)}
    assert summary["公示期间"] == "2026年上半年" and Decimal(str(summary["净收益"])) == half.net
    assert not any(re.search(r"\((gross|net|cost|units)\)", str(k)) for k in summary)
    findings = list(wb["审计发现"].iter_rows(min_row=2, values_only=True))
    assert findings and all(re.search(r"[\u4e00-\u9fff]", str(f[3])) for f in findings)  # messages in Chinese
    assert {f[0] for f in findings} <= {"错误", "警告", "提示"}
    contracts = list(wb["经营合同"].iter_rows(min_row=2, values_only=True))
    assert not any(str(c[3]).startswith("OWN-") for c in contracts)  # owners are not named


def _pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """Each page's MediaBox size in points (chromium writes the page dictionaries uncompressed)."""
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
    boxes = [(float(w), float(h)) for w, h in
             re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)]
    assert len(boxes) == pages, (pages, boxes[:3])
    return boxes


@pytest.fixture(scope="module")
def chromium() -> Iterator[str]:
    exe = pdf.find_chromium()
    if exe is None:
        pytest.skip("no chromium to print with (apt-get install chromium)")
    yield exe


@pytest.mark.browser
def test_summary_fits_four_a4_pages_and_the_pdf_is_a4(half: disclosure.Disclosure, chromium: str,
                                                      tmp_path: Path) -> None:
    summary_html = tmp_path / "summary.html"
    summary_html.write_text(disclosure.render_html(half, PUBLISHED, parts=("summary",)), encoding="utf-8")
    whole_html = tmp_path / "whole.html"
    whole_html.write_text(disclosure.render_html(half, PUBLISHED), encoding="utf-8")
    assert pdf.print_to_pdf(summary_html, tmp_path / "summary.pdf")
    assert pdf.print_to_pdf(whole_html, tmp_path / "whole.pdf")
    summary = _pdf_pages((tmp_path / "summary.pdf").read_bytes())
    whole = _pdf_pages((tmp_path / "whole.pdf").read_bytes())
    for w, h in summary + whole:
        assert abs(w - 595.28) < 1.5 and abs(h - 841.89) < 1.5, (w, h)  # A4, not US Letter
    assert 1 <= len(summary) <= 4, len(summary)
    # the shares start on a page of their own and take a handful of pages for ~1,000 units
    assert len(summary) < len(whole) <= len(summary) + 6, (len(summary), len(whole))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "whole.pdf", ARTIFACTS / "notice-board-2026H1.pdf")
    _print_view_shots(whole_html)


def _print_view_shots(page: Path) -> None:
    """The print view, one A4 page's content box (186 × 271 mm at 96 dpi) per picture, for a
    person to look at (no pdftoppm here): test-artifacts/notice-board-N.png."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=pdf.find_chromium(), args=list(pdf.CHROMIUM_FLAGS[1:]))
        try:
            view = browser.new_page(viewport={"width": 703, "height": 1024})
            view.goto(page.as_uri())
            view.emulate_media(media="print")
            height = int(view.evaluate("document.documentElement.scrollHeight"))
            for n, top in enumerate(range(0, min(height, 1024 * 8), 1024)):
                view.screenshot(path=str(ARTIFACTS / f"notice-board-{n}.png"), full_page=True,
                                clip={"x": 0, "y": top, "width": 703, "height": min(1024, height - top)})
        finally:
            browser.close()


@pytest.mark.browser
def test_disclose_writes_workbook_page_and_pdf(chromium: str, tmp_path: Path) -> None:
    root = tmp_path / EXAMPLE.name
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".assetreg.lock"))
    with (root / "accounts.beancount").open("a", encoding="utf-8") as f:
        f.write('\n2020-01-01 custom "assetreg-option" "public-url" "https://jinghu.example.org/"\n')
    out, page = tmp_path / "公示.xlsx", tmp_path / "公示.html"
    r = CliRunner().invoke(main, ["disclose", "-L", str(root), "--period", "2026年上半年", "-o", str(out),
                                  "--html", str(page), "--date", "2026-07-25"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    made = page.with_suffix(".pdf")
    assert made.read_bytes().startswith(b"%PDF") and 4 <= len(_pdf_pages(made.read_bytes())) <= 10
    assert "https://jinghu.example.org/" in page.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary files left behind
    # a public-url that is not a web address: nothing written, the ledger untouched
    journal = (root / "journal.beancount").read_bytes()
    with (root / "accounts.beancount").open("a", encoding="utf-8") as f:
        f.write('\n2020-01-02 custom "assetreg-option" "public-url" "javascript:alert(1)"\n')
    bad = CliRunner().invoke(main, ["disclose", "-L", str(root), "--period", "2026H1", "-o",
                                    str(tmp_path / "b.xlsx"), "--html", str(tmp_path / "b.html"),
                                    "--date", "2026-07-26"])
    assert bad.exit_code == 2 and "public-url" in bad.output
    assert not (tmp_path / "b.xlsx").exists() and (root / "journal.beancount").read_bytes() == journal


def test_pdf_is_skipped_with_a_message_without_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       small_compound: Path) -> None:
    from test_disclosure import (
        books as books_fixture,  # the small compound with a half-year of income
    )

    monkeypatch.setenv("ASSETREG_CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert pdf.find_chromium() is None
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    assert pdf.print_to_pdf(page, tmp_path / "p.pdf") is False and not (tmp_path / "p.pdf").exists()
    root = books_fixture.__wrapped__(small_compound)  # type: ignore[attr-defined]
    out, html_out = tmp_path / "r.xlsx", tmp_path / "r.html"
    r = CliRunner().invoke(main, ["disclose", "-L", str(root), "--period", "2024年上半年", "-o", str(out),
                                  "--html", str(html_out), "--date", "2024-07-10"])
    assert r.exit_code == 0, r.output
    assert out.exists() and html_out.exists() and not html_out.with_suffix(".pdf").exists()
    assert "未找到 chromium，未生成 PDF" in r.output
