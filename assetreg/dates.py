"""Date parsing shared by the CLI and the importers."""

from __future__ import annotations

import datetime as dt
import re

from .errors import BadInput

_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(text: str, what: str = "date") -> dt.date:
    """Parse 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日 or 20250301."""
    s = text.strip()
    for pattern in _PATTERNS:
        m = pattern.match(s)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return dt.date(y, mo, d)
            except ValueError:
                break
    raise BadInput(
        f"malformed {what}: {text!r}",
        "write the date as YYYY-MM-DD, e.g. 2025-03-01",
    )
