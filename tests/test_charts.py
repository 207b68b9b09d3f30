"""Server-side SVG charts (assetreg.charts): scalable, escaped, and their figures as a table."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from assetreg import charts

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"


def _svg(fragment: str) -> ET.Element:
    m = re.search(r"<svg.*?</svg>", fragment, re.S)
    assert m is not None
    return ET.fromstring(m[0])  # well-formed XML, or this raises


def _table(fragment: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S)
    assert body is not None
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body[1])]


def test_stacked_bars_scale_to_the_box_and_carry_their_figures() -> None:
    html = charts.stacked_bars("c1", "各期收入", ["2025年上半年", "2025年下半年"], [
        charts.Series("停车位", (D("98400.00"), D("127200.00"))),
        charts.Series("广告位", (D("60000.00"), D("0"))),
    ])
    svg = _svg(html)
    assert svg.get("viewBox", "").startswith("0 0 360 ") and svg.get("width") == "100%"
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("data-value")]
    assert [(r.get("data-series"), r.get("data-category"), r.get("data-value")) for r in bars] == [
        ("停车位", "2025年上半年", "98400.00"), ("广告位", "2025年上半年", "60000.00"),
        ("停车位", "2025年下半年", "127200.00")]  # a zero part draws nothing
    # heights in proportion to the values, on one axis
    h = {(r.get("data-series"), r.get("data-category")): float(r.get("height", "0")) for r in bars}
    assert h["停车位", "2025年上半年"] / h["停车位", "2025年下半年"] == pytest.approx(98400 / 127200, rel=1e-2)
    assert _table(html) == [["2025年上半年", "98,400.00", "60,000.00", "158,400.00"],
                            ["2025年下半年", "127,200.00", "0.00", "127,200.00"]]
    assert "<details" in html and "查看数据表" in html and 'data-chart="c1"' in html
    # totals above the bars, short enough for a phone
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert "15.8万" in texts and "12.7万" in texts
    assert "2025年" in "".join(texts) and "上半年" in "".join(texts)  # the period on two lines


def test_labels_from_the_ledger_are_escaped_everywhere() -> None:
    evil = '<script>alert("x")</script>&'
    for html in (charts.stacked_bars("c", evil, [evil], [charts.Series(evil, (D(5),))]),
                 charts.hbars("c", evil, [charts.Item(evil, D(5))]),
                 charts.progress("c", evil, [charts.Item(evil, D(5))])):
        assert "<script>" not in html and "&lt;script&gt;" in html
        _svg(html)  # still well-formed


def test_hbars_shares_and_the_total() -> None:
    html = charts.hbars("d", "净收益去向", [charts.Item("补充维修资金", D("600.00")),
                                       charts.Item("业委会工作经费", D("100.00")),
                                       charts.Item("尚未分配", D("300.00"))])
    svg = _svg(html)
    widths = {r.get("data-label"): float(r.get("width", "0")) for r in svg.iter(f"{SVG}rect")}
    assert widths["补充维修资金"] == pytest.approx(6 * widths["业委会工作经费"], rel=1e-2)
    assert "补充维修资金（60.0%）" in "".join(svg.itertext())
    assert _table(html)[-1] == ["合计", "1,000.00"]


def test_progress_of_confirmation_with_nothing_and_with_negatives() -> None:
    empty = charts.progress("p", "确权进度", [charts.Item("已确权", D(0)), charts.Item("公示中", D(0))])
    assert [r for r in _svg(empty).iter(f"{SVG}rect") if r.get("data-value")] == []
    assert _table(empty)[-1] == ["合计", "0", "—"]
    full = charts.progress("p", "确权进度", [charts.Item("已确权", D(3)), charts.Item("公示中", D(1))])
    rects = [r for r in _svg(full).iter(f"{SVG}rect") if r.get("data-value")]
    assert [float(r.get("width", "0")) for r in rects] == pytest.approx([264.0, 88.0])
    assert _table(full) == [["已确权", "3", "75.0%"], ["公示中", "1", "25.0%"], ["合计", "4", "100%"]]
    # a negative amount (more allocated than earned) draws no bar but stays in the table
    neg = charts.hbars("n", "去向", [charts.Item("尚未分配", D("-5.00")), charts.Item("补充维修资金", D("10"))])
    assert _table(neg)[0] == ["尚未分配", "-5.00"]


@pytest.mark.parametrize(("top", "axis"), [(D(0), D(1)), (D("0.5"), D("0.6")), (D("0.55"), D("0.6")), (D(7), D(8)), (D(181000), D(200000)),
                                           (D(220600), D(300000)), (D(1000), D(1000))])
def test_axis_maximum_is_round_and_covers_the_top(top: Decimal, axis: Decimal) -> None:
    got, step = charts._nice_max(top)
    assert got == axis and got >= top and got % step == 0 and got / step <= 5
