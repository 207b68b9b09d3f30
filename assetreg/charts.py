"""Charts as inline SVG, drawn on the server: no script, no network, no CDN.

Residents open the pages in WeChat on a 390 px phone and print the 公示 for the notice
board, so a chart is a plain ``<svg viewBox=…>`` that scales with its box (readable at
phone width, crisp on paper), followed by the same figures as a table behind a
``<details>`` tap -- the table is what a screen reader, a copy-paste and a test read.

Every text that reaches the markup (labels, titles, amounts) is escaped here: labels
come from the ledger and the ledger's text is data, never markup.

Bottom layer: only the standard library.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

# Colours that stay apart in greyscale print and for the common colour blindnesses
# (Okabe-Ito), in the order series are drawn.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")

WIDTH = 360  # viewBox width: one unit is about one CSS pixel on a 390 px phone
FONT = 11


@dataclass(frozen=True)
class Series:
    """One stacked part of every bar (e.g. an asset kind), with a value per category."""

    label: str
    values: tuple[Decimal, ...]
    color: str = ""


@dataclass(frozen=True)
class Item:
    """One bar of a horizontal bar chart, or one part of a progress bar."""

    label: str
    value: Decimal
    color: str = ""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def money(amount: Decimal) -> str:
    """An amount as a table shows it: two decimals, thousands separated."""
    return f"{Decimal(amount).quantize(Decimal('0.01')):,}"


def short(amount: Decimal) -> str:
    """An amount short enough for a bar's label: 1.2万, 8,400."""
    a = Decimal(amount)
    if abs(a) >= 10000:
        return f"{(a / 10000).quantize(Decimal('0.1'))}万"
    return f"{a.quantize(Decimal('1')):,}"


def _text_width(text: str, size: float = FONT) -> float:
    """Rough rendered width: a CJK character is one em, other characters about 0.6 em."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


def _nice_max(top: Decimal) -> tuple[Decimal, Decimal]:
    """An axis maximum at or above ``top`` and its tick step (1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return Decimal(1), Decimal(1)
    raw = top / 4
    power = Decimal(1).scaleb(raw.adjusted())  # the power of ten at or below a quarter of the top
    for m in (1, 2, 5, 10):
        step = power * m
        if step * 4 >= top:
            break
    n = int((top / step).to_integral_value(rounding="ROUND_CEILING"))
    return step * n, step


def _legend(labels: Sequence[tuple[str, str]], y: float) -> tuple[str, float]:
    """Swatches and labels wrapped to the chart's width; returns the markup and its bottom."""
    parts, x = [], 8.0
    for label, color in labels:
        w = 14 + _text_width(label) + 12
        if x + w > WIDTH and x > 8:
            x, y = 8.0, y + FONT + 7
        parts.append(f'<rect x="{x:.1f}" y="{y - FONT + 2:.1f}" width="10" height="10" fill="{color}"/>'
                     f'<text x="{x + 14:.1f}" y="{y:.1f}">{_e(label)}</text>')
        x += w
    return "".join(parts), y + 6


def _category_label(label: str, x: float, y: float) -> str:
    """A category under its bar: ``2025年上半年`` on two lines (年 / 上半年) to fit a phone."""
    head, sep, tail = label.partition("年")
    if sep and tail:
        return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle">'
                f'<tspan x="{x:.1f}">{_e(head + sep)}</tspan>'
                f'<tspan x="{x:.1f}" dy="{FONT + 2}">{_e(tail)}</tspan></text>')
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{_e(label)}</text>'


def _svg(chart_id: str, title: str, height: float, body: str) -> str:
    return (f'<svg class="ar-svg" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" role="img" '
            f'aria-labelledby="{_e(chart_id)}-t" preserveAspectRatio="xMidYMid meet" '
            f'font-size="{FONT}" font-family="sans-serif" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{_e(chart_id)}-t">{_e(title)}</title>{body}</svg>')


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 1) -> str:
    head = "".join(f'<th{" class=num" if i >= numeric_from else ""}>{_e(h)}</th>'
                   for i, h in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td{" class=num" if i >= numeric_from else ""}>{_e(v)}</td>'
                                    for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(chart_id: str, title: str, svg: str, table: str, note: str = "") -> str:
    note_html = f'<p class="ar-chart-note">{_e(note)}</p>' if note else ""
    return (f'<figure class="ar-chart" id="{_e(chart_id)}" data-chart="{_e(chart_id)}">'
            f'<figcaption>{_e(title)}</figcaption>{svg}{note_html}'
            f'<details class="ar-chart-data"><summary>查看数据表</summary>'
            f'<div class="ar-chart-table" style="overflow-x:auto;max-width:100%">{table}</div></details></figure>')


def stacked_bars(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series],
                 unit: str = "元", note: str = "") -> str:
    """Vertical bars, one per category (a period), stacked by series (e.g. asset kinds),
    each bar's total written above it; the figures again as a table."""
    colors = [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]
    n = max(len(categories), 1)
    totals = [sum((s.values[i] for s in series if s.values[i] > 0), Decimal(0)) for i in range(len(categories))]
    top, step = _nice_max(max(totals, default=Decimal(0)))
    left, right, plot_top, plot_h = 46.0, 8.0, 18.0, 150.0
    base = plot_top + plot_h
    slot = (WIDTH - left - right) / n
    bar_w = min(slot * 0.62, 48.0)
    parts = []
    tick = Decimal(0)
    while tick <= top:
        y = base - float(tick / top) * plot_h
        parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_e(short(tick))}</text>')
        tick += step
    for i, cat in enumerate(categories):
        x = left + slot * i + (slot - bar_w) / 2
        y = base
        for s, color in zip(series, colors, strict=True):
            v = s.values[i]
            if v <= 0:
                continue
            h = float(v / top) * plot_h
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}" '
                         f'data-series="{_e(s.label)}" data-category="{_e(cat)}" data-value="{v}">'
                         f'<title>{_e(cat)} {_e(s.label)}：{_e(money(v))} {_e(unit)}</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                     f'font-weight="bold">{_e(short(totals[i]))}</text>')
        parts.append(_category_label(cat, x + bar_w / 2, base + FONT + 4))
    parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{base}" y2="{base}" stroke="#333"/>')
    legend, bottom = _legend([(s.label, c) for s, c in zip(series, colors, strict=True)],
                             base + 2 * FONT + 26)
    parts.append(legend)
    svg = _svg(chart_id, title, bottom + 4, "".join(parts))
    header = ["期间", *[f"{s.label}（{unit}）" for s in series], f"合计（{unit}）"]
    rows = [[cat, *[money(s.values[i]) for s in series], money(sum((s.values[i] for s in series), Decimal(0)))]
            for i, cat in enumerate(categories)]
    return _figure(chart_id, title, svg, _table(header, rows), note)


def hbars(chart_id: str, title: str, items: Sequence[Item], unit: str = "元", note: str = "",
          header: tuple[str, str] = ("去向", "金额")) -> str:
    """Horizontal bars, one per item, label above its bar and amount at its end."""
    top = max((it.value for it in items), default=Decimal(0))
    total = sum((it.value for it in items), Decimal(0))
    row_h, y, parts = 34.0, 4.0, []
    for i, it in enumerate(items):
        color = it.color or PALETTE[i % len(PALETTE)]
        w = float(it.value / top) * (WIDTH - 96) if top > 0 and it.value > 0 else 0.0
        share = f"（{(it.value / total * 100).quantize(Decimal('0.1'))}%）" if total > 0 else ""
        parts.append(f'<text x="4" y="{y + FONT:.1f}">{_e(it.label)}{_e(share)}</text>'
                     f'<rect x="4" y="{y + FONT + 4:.1f}" width="{max(w, 1.5):.1f}" height="12" fill="{color}" '
                     f'data-label="{_e(it.label)}" data-value="{it.value}"><title>{_e(it.label)}：'
                     f'{_e(money(it.value))} {_e(unit)}</title></rect>'
                     f'<text x="{8 + max(w, 1.5):.1f}" y="{y + FONT + 14:.1f}" fill="#333">{_e(money(it.value))}</text>')
        y += row_h
    svg = _svg(chart_id, title, y + 2, "".join(parts))
    rows = [[it.label, money(it.value)] for it in items]
    rows.append(["合计", money(total)])
    return _figure(chart_id, title, svg, _table([header[0], f"{header[1]}（{unit}）"], rows), note)


def progress(chart_id: str, title: str, items: Sequence[Item], unit: str = "项", note: str = "") -> str:
    """One bar split into parts (e.g. assets by 确权 status), with counts and shares."""
    total = sum((it.value for it in items), Decimal(0))
    x, parts = 4.0, []
    span = WIDTH - 8
    colors = [it.color or PALETTE[i % len(PALETTE)] for i, it in enumerate(items)]
    for it, color in zip(items, colors, strict=True):
        if it.value <= 0 or total <= 0:
            continue
        w = float(it.value / total) * span
        parts.append(f'<rect x="{x:.1f}" y="6" width="{w:.1f}" height="22" fill="{color}" '
                     f'data-label="{_e(it.label)}" data-value="{it.value}"><title>{_e(it.label)}：'
                     f'{it.value} {_e(unit)}</title></rect>')
        x += w
    labels = [(f"{it.label} {it.value}{unit}" + (f"（{(it.value / total * 100).quantize(Decimal('0.1'))}%）"
                                                  if total > 0 else ""), c)
              for it, c in zip(items, colors, strict=True) if it.value > 0]
    legend, bottom = _legend(labels, 28 + FONT + 10)
    parts.append(legend)
    svg = _svg(chart_id, title, bottom + 2, "".join(parts))
    rows = [[it.label, f"{it.value}",
             f"{(it.value / total * 100).quantize(Decimal('0.1'))}%" if total > 0 else "—"] for it in items]
    rows.append(["合计", f"{total}", "100%" if total > 0 else "—"])
    return _figure(chart_id, title, svg, _table(["状态", f"数量（{unit}）", "占比"], rows), note)
