"""What every check reads: the ledger index (:mod:`assetreg.books`) and the audit's date.

Checks never loop over the whole ledger themselves: they read the lists of the index,
built once per load, so running all of them stays linear in the size of the ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..books import Books, Income, Movement, is_suspense
from ..vocab import ZERO

__all__ = ["ZERO", "Context", "Income", "Movement", "is_suspense"]


@dataclass(frozen=True)
class Context:
    """The checks read the facts from ``books`` and judge them as of ``as_of``."""

    books: Books
    entries: list[Any]  # the loaded entries (the seal check hashes exactly these)
    options_map: dict[str, Any]
    as_of: dt.date
