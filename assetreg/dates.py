"""Date parsing shared by the CLI and the importers.

One parser of the written forms, :func:`date_fields`; :func:`parse_date` is what the CLI and
the policy files use, and ``importers.cells.parse_date`` wraps it for spreadsheet cells
(Excel dates and serial numbers, full-width digits, a time of day after the date).
"""

from __future__ import annotations

import datetime as dt
import re

from .errors import BadInput

_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
# A time of day after the date, as bank exports write it: "2025-03-01 10:22:33".
_TIME_TAIL = re.compile(r"(?:\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?")
# The years a compound's books can speak of: a date outside them is a typo (9999-12-31,
# 2205-03-01), not an open end. The same bounds as the billing months (importers.cells).
FIRST_YEAR, LAST_YEAR = 1900, 2100


def in_range(day: dt.date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def _time_ok(m: re.Match[str]) -> bool:
    h, mi, sec = m.groups()
    return h is None or (int(h) <= 23 and int(mi) <= 59 and (sec is None or int(sec) <= 59))


def date_fields(text: str, *, time_of_day: bool = False) -> tuple[int, int, int] | None:
    """Year, month and day written as 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日 or 20250301
    (the whole of ``text``; with ``time_of_day`` a valid time may follow), the year between
    1900 and 2100, not checked as a day of the calendar; None for anything else."""
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m is None:
            continue
        if m.end() != len(text):
            tail = _TIME_TAIL.fullmatch(text, m.end()) if time_of_day else None
            if tail is None or not _time_ok(tail):  # 2024-03-01 25:99 is no moment of a day
                continue
        y, mo, d = (int(g) for g in m.groups())
        if not FIRST_YEAR <= y <= LAST_YEAR:
            return None
        return y, mo, d
    return None


def parse_date(text: str, what: str = "date") -> dt.date:
    """Parse 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日 or 20250301."""
    fields = date_fields(text.strip())
    if fields is not None:
        try:
            return dt.date(*fields)
        except ValueError:
            pass
    raise BadInput(
        f"malformed {what}: {text!r}",
        "write the date as YYYY-MM-DD, e.g. 2025-03-01",
    )
