"""``disclosure-overdue``: every period of the compound's disclosure frequency must be
published (``custom "disclosure" "2025H1"``, written by ``assetreg disclose``) within
``disclosure-days`` after it ends, starting with the first period that has income.
A disclosure of a longer period (a year) covers the shorter ones inside it.
"""

from __future__ import annotations

import datetime as dt

from .. import periods
from ..errors import BadInput
from .context import Context
from .findings import Finding, finding

RULE = "民法典第281条、第943条（定期公开共有部分经营与收益情况）；小区公示频次规定"


def check_disclosure(ctx: Context) -> list[Finding]:
    if not ctx.books.income:
        return []
    published: list[periods.Period] = []
    out: list[Finding] = []
    for e in ctx.books.disclosures:
        try:
            published.append(periods.parse(str(e.values[0].value)))
        except (BadInput, IndexError):
            out.append(finding("disclosure-overdue", "warning",
                               "收益公示记录的期间无法识别",
                               RULE, [e]))
    first = min(inc.entry.date for inc in ctx.books.income)
    # Period after period from the first income: each is of the frequency in force on its
    # first day not yet covered (a change takes effect with the next period), and due
    # ``disclosure-days`` (in force at its end) after it ends, that day included.
    required: list[tuple[periods.Period, dt.timedelta, str]] = []
    cursor = first
    while cursor <= ctx.as_of:
        frequency = ctx.books.options.get("disclosure-frequency", cursor)
        try:
            p = periods.of(cursor, frequency)
        except BadInput as err:
            return [*out, finding("disclosure-overdue", "warning",
                                  f"选项 disclosure-frequency 有误：{err.problem}", RULE, [])]
        days = dt.timedelta(days=ctx.books.option_int("disclosure-days", p.end))
        if p.end + days >= ctx.as_of:
            break
        required.append((p, days, frequency))
        cursor = p.end + dt.timedelta(days=1)
    for p, days, frequency in required:
        if not any(q.start <= p.start and p.end <= q.end for q in published):
            out.append(finding(
                "disclosure-overdue", "warning",
                f"{periods.label(p.key)}（{p.start} 至 {p.end}）的公共收益尚未公示，应于 "
                f"{p.end + days} 前公示（命令：`assetreg disclose --period {p.key}`）",
                RULE, [], period=p.key, due=p.end + days, frequency=frequency))
    return out
