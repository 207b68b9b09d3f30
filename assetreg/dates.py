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
_TIME_TAIL = re.compile(r"(\s*\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def date_fields(text: str, *, time_of_day: bool = False) -> tuple[int, int, int] | None:
    """Year, month and day written as 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日 or 20250301
    (the whole of ``text``; with ``time_of_day`` a time may follow), not checked as a day of
    the calendar; None for anything else."""
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m and (m.end() == len(text) or (time_of_day and _TIME_TAIL.fullmatch(text, m.end()))):
            y, mo, d = (int(g) for g in m.groups())
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
