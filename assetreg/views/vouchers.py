"""收支凭证与付款审批 on 收益公示: every income and cost line of a period with its vouchers
(凭证), lines above the compound's threshold without one marked, and each payment's
approval trail -- roles and dates, never an owner key or a name.

The lines and the vouchers come from :mod:`assetreg.vouchers`, the trails from
:mod:`assetreg.payments`, over the same index the audit reads (``voucher-missing``,
``payment-unapproved`` …), so the page and the audit never disagree about a line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .. import payments, periods, vouchers
from ..vocab import PAYMENT_STATES, PAYMENT_STEPS
from .base import Books

KIND_LABELS = {"income": "收入", "cost": "支出"}


@dataclass(frozen=True)
class VoucherLink:
    name: str  # the stored file's name (its content hash and type)
    document: str  # the filename Fava serves it by (url_for('document', filename=…))
    kind: str  # pdf | jpg | png


@dataclass(frozen=True)
class VoucherLine:
    date: dt.date
    kind: str  # income | cost
    kind_label: str
    narration: str  # as booked (imported text is neutralised and masked at import)
    amount: Decimal
    vouchers: tuple[VoucherLink, ...]
    flagged: bool  # above the threshold and without a voucher
    payment: str  # the approved payment it paid (PAY-…), or ""


@dataclass(frozen=True)
class TrailStep:
    date: dt.date
    step: str  # 提出付款申请 / 同意 / 否决 …
    role: str  # the approver's role (业委会主任, 社区监督人 …), never a key


@dataclass(frozen=True)
class PaymentTrail:
    id: str
    date: dt.date
    amount: Decimal
    purpose: str
    state: str  # approved | pending | rejected | paid
    state_label: str
    steps: tuple[TrailStep, ...]


@dataclass(frozen=True)
class VouchersPage:
    period: str  # the period shown (key), "" when the books have no line
    period_label: str
    periods: tuple[tuple[str, str], ...]  # (key, Chinese label), newest first
    lines: tuple[VoucherLine, ...]  # of the period, in date order
    with_voucher: int
    flagged: int
    threshold: Decimal | None
    payments: tuple[PaymentTrail, ...]


def vouchers_page(books: Books, period: str | None = None) -> VouchersPage:
    return books.memo(("vouchers", period or ""), lambda: _page(books, period))


def _page(books: Books, wanted: str | None) -> VouchersPage:
    frequency = books.options.get("disclosure-frequency", books.today)
    # every period's page reads the same lines: worked out once per load
    all_lines = books.memo("voucher-lines", lambda: vouchers.lines(books.index, books.today))
    keys: dict[str, periods.Period] = {}
    for line in all_lines:
        p = periods.of(line.date, frequency)
        keys.setdefault(p.key, p)
    ordered = sorted(keys.values(), key=lambda p: p.start, reverse=True)
    chosen = keys.get(wanted or "") or (ordered[0] if ordered else None)
    shown = tuple(_line(books, line) for line in all_lines
                  if chosen is not None and chosen.start <= line.date <= chosen.end)
    return VouchersPage(
        chosen.key if chosen else "", chosen.label_zh if chosen else "",
        tuple((p.key, p.label_zh) for p in ordered), shown,
        sum(1 for line in shown if line.vouchers), sum(1 for line in shown if line.flagged),
        vouchers.threshold(books.index), _trails(books))


def links(found: Iterable[vouchers.Voucher]) -> list[VoucherLink]:
    """Vouchers as the pages link them (Fava serves the file by its name)."""
    return [VoucherLink(v.name, v.filename, v.kind) for v in found]


def _line(books: Books, line: vouchers.Line) -> VoucherLine:
    return VoucherLine(line.date, line.kind, KIND_LABELS.get(line.kind, line.kind),
                       str(getattr(line.entry, "narration", "") or ""), line.amount,
                       tuple(links(line.vouchers)), line.flagged,
                       str(line.entry.meta.get("payment", "") or ""))


def _trails(books: Books) -> tuple[PaymentTrail, ...]:
    book = payments.of(books.index)
    paid = {e.meta.get("payment") for e in books.entries
            if hasattr(e, "postings") and e.meta and e.meta.get("payment")}
    out = []
    for pid in sorted(book.proposals):
        proposal = book.proposals[pid]
        if not proposal.versions:
            continue
        current = proposal.current
        standing = book.standing(pid, books.today)
        state = standing.state if standing is not None else "pending"
        if state == "approved" and pid in paid:
            state = "paid"
        steps = tuple(TrailStep(dt.date.fromisoformat(s["date"]), _step_label(s["step"]), s["role"])
                      for s in payments.trail(books.index, pid))
        out.append(PaymentTrail(pid, proposal.versions[0].date, current.amount, current.purpose, state,
                                PAYMENT_STATES.get(state, state), steps))
    return tuple(out)


def _step_label(step: str) -> str:
    return PAYMENT_STEPS.get(step, step)
