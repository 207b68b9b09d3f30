"""What every check reads: the ledger index (:mod:`assetreg.books`) and the audit's date.

Checks never loop over the whole ledger themselves: they read the lists of the index,
built once per load, so running all of them stays linear in the size of the ledger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..books import Books, Income, Movement, is_suspense
from ..vocab import ZERO

__all__ = ["ZERO", "Context", "Income", "Movement", "is_suspense"]


@dataclass(frozen=True)
class Context:
    books: Books
    entries: list[Any]  # the loaded entries (the seal check hashes exactly these)
    options_map: dict[str, Any]
    as_of: dt.date

    # The index's facts under the names the checks use.
    @property
    def options(self) -> Any:
        return self.books.options

    @property
    def registry(self) -> Any:
        return self.books.registry

    @property
    def resolutions(self) -> Any:
        return self.books.resolutions

    @property
    def contracts(self) -> Any:
        return self.books.contracts

    @property
    def contract_entries(self) -> dict[str, Any]:
        return self.books.contract_entries

    @property
    def seals(self) -> Any:
        return self.books.seals

    @property
    def seal_malformed(self) -> list[Any]:
        return self.books.seal_malformed

    @property
    def income(self) -> list[Income]:
        return self.books.income

    @property
    def held(self) -> list[Movement]:
        return self.books.held

    @property
    def deposits(self) -> list[Movement]:
        return self.books.deposits

    @property
    def spending(self) -> list[Movement]:
        return self.books.spending

    @property
    def allocations(self) -> list[Movement]:
        return self.books.allocations

    @property
    def disclosures(self) -> list[Any]:
        return self.books.disclosures

    @property
    def decisions(self) -> list[Any]:
        return self.books.decisions

    @property
    def suspense(self) -> dict[str, tuple[list[dt.date], list[Decimal]]]:
        return self.books.suspense

    def suspense_on(self, day: dt.date) -> dict[str, Decimal]:
        return self.books.suspense_on(day)

    def option_decimal(self, name: str) -> Decimal:
        return self.books.option_decimal(name)

    def option_int(self, name: str) -> int:
        return self.books.option_int(name)
