"""The district page (街道共有资产与公共收益一览): the report as one read-only HTML page.

A table of every compound with the district totals, sortable by any column (``?sort=``,
``&desc=1``), a bar for each compound's 确权 rate and income per household, the price
references and price findings, and the compounds that did not load. Each compound's id
links to its own Fava pages (``links``), where a resident reads the books themselves.
Everything from a ledger is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import quote

from ..vocab import CHECK_LABELS, USES
from .report import COLUMNS, KINDS, Report

_STYLE = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 6px}
th{background:#f2f2f2;position:sticky;top:0}td.n{text-align:right;white-space:nowrap}
tr.total td{font-weight:bold;background:#fafafa}.bar{display:inline-block;height:8px;
background:#4a7bd0;margin-left:4px;vertical-align:middle}.warn{color:#b00}
"""


def _cell(v: Any, kind: str) -> str:
    if v is None:
        return "—"
    if kind == "bool" and isinstance(v, bool):  # the totals row counts them instead
        return '<span class="warn">是</span>' if v else "否"
    if kind == "money":
        return f"{v:,.2f}"
    return escape(str(v))


def render(rep: Report, links: Mapping[str, str] | None = None, sort: str = "compound",
           desc: bool = False, rows_html: dict[str, str] | None = None) -> str:
    """The page; ``links`` maps a compound id to the URL of its own pages. ``rows_html``
    keeps each compound's row as rendered, for the next sort order of the same report (a
    row does not depend on the order: only the header and the order of rows do)."""
    links = links or {}
    top_income = max((r["gross_per_household"] or Decimal(0) for r in rep.rows), default=Decimal(0))
    head = []
    for key, label, _ in COLUMNS:
        flip = "1" if key == sort and not desc else "0"
        mark = (" ▼" if desc else " ▲") if key == sort else ""
        head.append(f'<th><a href="?sort={key}&amp;desc={flip}">{escape(label)}</a>{mark}</th>')
    body = []
    cache = rows_html if rows_html is not None else {}
    for row in [*rep.rows, rep.totals]:
        row_key = "" if row is rep.totals else str(row["compound"])
        if row_key in cache:
            body.append(cache[row_key])
            continue
        cells = []
        for key, _, kind in COLUMNS:
            text = _cell(row.get(key), kind)
            if key == "compound" and row is not rep.totals and row["compound"] in links:
                text = f'<a href="{escape(links[row["compound"]])}">{text}</a>'
            if key == "name" and row is not rep.totals and row.get("beyond_district") is False:
                text += (f'<br><small class="warn" title="district-sharing">仅限街道内查阅，'
                         f'不对街道以外共享（自 {row["sharing_since"]} 起）</small>')
            elif key == "confirmed_pct" and row.get(key) is not None:
                text += f'<span class="bar" style="width:{int(row[key]) // 2}px"></span>'
            elif key == "gross_per_household" and row.get(key) and top_income:
                width = int(60 * row[key] / top_income)
                text += f'<span class="bar" style="width:{width}px"></span>'
            num = kind in ("int", "money", "pct")
            cells.append(f'<td class="n">{text}</td>' if num else f"<td>{text}</td>")
        attrs = (' class="total"' if row is rep.totals
                 else f' data-compound="{escape(str(row["compound"]))}"')
        cache[row_key] = f"<tr{attrs}>{''.join(cells)}</tr>"
        body.append(cache[row_key])
    refs = "".join(
        f"<tr><td>{escape(USES.get(r.use, r.use))}</td><td>{'元/㎡·月' if r.basis == 'm2' else '元/个·月'}</td>"
        f'<td class="n">{r.n}</td><td class="n">{r.compounds}</td><td class="n">{r.q1}</td>'
        f'<td class="n">{r.median}</td><td class="n">{r.q3}</td></tr>' for r in rep.references)
    found = "".join(
        f'<li class="warn">{escape(f.message)}<br><small>{escape(f.rule)}</small></li>'
        for f in rep.findings) or "<li>无</li>"
    checks = "".join(
        f"<li>{escape(c)}：" + "，".join(
            f"{escape(CHECK_LABELS.get(check, check))} {sum(sev.values())}" for check, sev in sorted(by.items()))
        + "</li>" for c, by in sorted(rep.checks.items()))
    failed = "".join(
        f"<li class=\"warn\">{escape(c)}：账本无法载入，未计入汇总 — {escape(errors[0] if errors else '')}</li>"
        for c, errors in rep.failed.items()) or "<li>无</li>"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>街道共有资产与公共收益一览</title>
<style>{_STYLE}</style></head><body>
<h1>街道共有资产与公共收益一览</h1>
<p>截至 {rep.as_of}：{len(rep.rows)} 个小区。每个数字取自该小区自己的账本、审计和收益公示；只读。
收入为 {rep.as_of.year} 年初至今。点击小区编号查看该小区的账本页面。</p>
<table id="district-table"><thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table>
<h2>同类用途价格参考（履行中合同）</h2>
<table><thead><tr><th>用途</th><th>计价</th><th>合同数</th><th>小区数</th><th>下四分位</th>
<th>中位数</th><th>上四分位</th></tr></thead><tbody>{refs}</tbody></table>
<h2>价格显著偏低的合同（民法典第282条）</h2>
<p>低于其他小区同类用途中位数的 {rep.settings.threshold} 倍，且可比合同不少于
{rep.settings.min_sample} 份。</p><ul>{found}</ul>
<h2>各小区审计发现</h2><ul>{checks}</ul>
<h2>未能载入的小区</h2><ul>{failed}</ul>
</body></html>
"""


def link(slug: str) -> str:
    return f"/{quote(slug)}/"


__all__ = ["KINDS", "link", "render"]
