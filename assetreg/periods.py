"""Periods: the year, half, quarter or month that disclosures, billing and reports use.

The bottom layer (imports only :mod:`assetreg.errors`). A period is written ``2025``,
``2025H1``, ``2025Q3`` or ``2025-07``; the same key names it in the ledger (``period:``
metadata, ``custom "disclosure" "2025H1"``), in reports and on the residents' pages,
where :func:`label` gives its Chinese name.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Final

from .errors import BadInput

# Months in one period of each frequency: the compound's disclosure frequency and a
# contract's billing period use the same words.
FREQUENCY_MONTHS: Final[dict[str, int]] = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}
# A contract may also be paid once for its whole term.
BILLING_PERIODS: Final = (*FREQUENCY_MONTHS, "once")
FREQUENCY_LABELS: Final[dict[str, str]] = {
    "month": "月", "quarter": "季度", "half-year": "半年", "year": "年", "once": "一次性"}
DEFAULT_FREQUENCY: Final = "half-year"

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})\s*[Hh]([12])$")
_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
# The same periods as residents write them (and as :func:`label` prints them).
_ZH_YEAR = re.compile(r"^(\d{4})\s*年(?:度|全年)?$")
_ZH_HALF = re.compile(r"^(\d{4})\s*年\s*([上下])\s*半\s*年(?:度)?$")
_ZH_QUARTER = re.compile(r"^(\d{4})\s*年\s*第\s*([1-4一二三四])\s*季\s*度?$")
_ZH_MONTH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:份)?$")
_ZH_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}


@dataclass(frozen=True)
class Period:
    key: str  # 2025, 2025H1, 2025Q3 or 2025-07
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        """The key, as written in the ledger (kept for callers that print it)."""
        return self.key

    @property
    def label_zh(self) -> str:
        return label(self.key)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _months(year: int, first: int, count: int) -> tuple[dt.date, dt.date]:
    last = first + count - 1
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def _from_chinese(s: str) -> str:
    """``2026年上半年`` → ``2026H1`` (and the year, quarter and month forms); else ``s``."""
    if m := _ZH_YEAR.match(s):
        return m[1]
    if m := _ZH_HALF.match(s):
        return f"{m[1]}H{1 if m[2] == '上' else 2}"
    if m := _ZH_QUARTER.match(s):
        return f"{m[1]}Q{_ZH_DIGITS.get(m[2], m[2])}"
    if m := _ZH_MONTH.match(s):
        return f"{m[1]}-{m[2]}"
    return s


def parse(text: str) -> Period:
    """Parse 2025, 2025H1, 2025Q3 or 2025-07 (or 2025年, 2025年上半年, 2025年第3季度,
    2025年7月); BadInput with the fix otherwise."""
    s = _from_chinese(text.strip())
    if m := _YEAR.match(s):
        y = int(m[1])
        return Period(f"{y}", *_months(y, 1, 12))
    if m := _HALF.match(s):
        y, h = int(m[1]), int(m[2])
        return Period(f"{y}H{h}", *_months(y, 6 * h - 5, 6))
    if m := _QUARTER.match(s):
        y, q = int(m[1]), int(m[2])
        return Period(f"{y}Q{q}", *_months(y, 3 * q - 2, 3))
    if (m := _MONTH.match(s)) and 1 <= int(m[2]) <= 12:
        y, mo = int(m[1]), int(m[2])
        return Period(f"{y}-{mo:02d}", *_months(y, mo, 1))
    raise BadInput(
        f"malformed period {text!r}",
        "write a year (2025), a half (2025H1), a quarter (2025Q3) or a month (2025-07)",
    )


def of(day: dt.date, frequency: str) -> Period:
    """The period of ``frequency`` that ``day`` falls in."""
    n = FREQUENCY_MONTHS.get(frequency)
    if n is None:
        raise BadInput(f"unknown disclosure frequency {frequency!r}",
                       f"set the option to one of: {', '.join(FREQUENCY_MONTHS)}")
    index = (day.month - 1) // n
    key = {1: f"{day.year}-{day.month:02d}", 3: f"{day.year}Q{index + 1}",
           6: f"{day.year}H{index + 1}", 12: f"{day.year}"}[n]
    return Period(key, *_months(day.year, index * n + 1, n))


def key_of(day: dt.date, frequency: str) -> str:
    """The key of the period of ``frequency`` that ``day`` falls in (``of(day, f).key``)."""
    return _key_of_month(day.year, day.month, frequency)


@functools.lru_cache(maxsize=4096)
def _key_of_month(year: int, month: int, frequency: str) -> str:
    # Asked once per income line by the pages: worked out once per month.
    return of(dt.date(year, month, 1), frequency).key


def between(first: dt.date, last_end: dt.date, frequency: str) -> list[Period]:
    """The periods of ``frequency`` from the one holding ``first`` up to those ending by ``last_end``."""
    out: list[Period] = []
    p = of(first, frequency)
    while p.end <= last_end:
        out.append(p)
        p = of(p.end + dt.timedelta(days=1), frequency)
    return out


def end_of(key: str) -> dt.date:
    return parse(key).end


def label(key: str) -> str:
    """A period key as residents read it: 2024年5月, 2024年第2季度, 2024年上半年, 2024年."""
    try:
        p = parse(key)
    except BadInput:
        return key
    k = p.key
    if "-" in k:
        return f"{k[:4]}年{int(k[5:])}月"
    if "Q" in k:
        return f"{k[:4]}年第{k[-1]}季度"
    if "H" in k:
        return f"{k[:4]}年{'上' if k.endswith('1') else '下'}半年"
    return f"{k}年"


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` moved by whole months, kept on the same day or the month's last day."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
