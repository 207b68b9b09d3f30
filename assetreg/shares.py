"""Splitting money to the cent: the two rules every figure in assetreg uses.

The bottom layer (imports only :mod:`assetreg.vocab`). An asset's page, the audit and
the disclosure all split with these functions, so they agree to the cent.

- :func:`even_split` -- one amount named on several assets: equal parts in cents, the
  odd cents one each to the first parts (100.01 over three: 33.34, 33.34, 33.33).
- :func:`largest_remainder` -- an amount in proportion to weights (units' areas,
  accounts' gross): floor every exact share in cents, then one more cent to each of the
  largest remainders, ties by key (Art. 283 shares; the disclosure's method).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=str)


def even_split(amount: Decimal, n: int) -> list[Decimal]:
    """``amount`` in ``n`` parts that add up to it exactly.

    A whole number of cents splits in cents, the first parts taking the odd cents; an
    amount finer than cents (possible in a hand-written ledger) splits exactly."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        return [amount / n] * n
    whole = int(cents)
    base, extra = divmod(abs(whole), n)
    sign = -1 if whole < 0 else 1
    return [Decimal(sign * (base + (1 if i < extra else 0))).scaleb(-2) for i in range(n)]


def largest_remainder(total: Decimal, weights: dict[K, Fraction]) -> dict[K, Decimal]:
    """Split ``total`` (a whole number of cents) in proportion to ``weights``, in cents,
    so the parts add up exactly to ``total``. Empty when there is nothing to weigh.

    Computed in integers (weights scaled to a common denominator), which gives the same
    cents as exact fractions and is fast enough for thousands of units."""
    cents = total * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{total} is not a whole number of cents")
    if not weights:
        return {}
    denominator = math.lcm(*(w.denominator for w in weights.values()))
    scaled = {k: w.numerator * (denominator // w.denominator) for k, w in weights.items()}
    whole = sum(scaled.values())
    if whole <= 0:
        return {}
    n = int(cents)
    sign, n = (-1 if n < 0 else 1), abs(n)
    floors: dict[K, int] = {}
    remainders: list[tuple[int, K]] = []
    for k, w in scaled.items():
        q, r = divmod(n * w, whole)
        floors[k] = q
        remainders.append((-r, k))
    remainders.sort()
    for _, k in remainders[: n - sum(floors.values())]:
        floors[k] += 1
    return {k: Decimal(sign * v) / 100 for k, v in floors.items()}


def proportional(amount: Decimal, parts: dict[K, Decimal]) -> dict[K, Decimal]:
    """Split ``amount`` over the keys of ``parts`` in proportion to their sizes (e.g. a
    cost deducted over the income accounts or assets it was deducted from)."""
    if not parts:
        return {}
    if len(parts) == 1:
        return {next(iter(parts)): amount}
    weights = {k: Fraction(abs(v)) for k, v in parts.items()}
    cents = amount * 100
    if cents != cents.to_integral_value() or sum(weights.values()) == 0:
        # Not a whole number of cents: exact proportional decimals.
        total = sum(parts.values(), Decimal(0))
        return {k: amount * v / total for k, v in parts.items()} if total else {}
    return largest_remainder(amount, weights)
