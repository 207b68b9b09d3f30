"""审计: the latest audit findings and the sealed periods."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..accounts import leaf
from ..audit import run_checks
from ..vocab import (
    AUDIT_FACT_LABELS,
    CHECK_LABELS,
    FREQUENCY_LABELS_ZH,
    SEAL_CHANGE_LABELS,
    SEVERITY_LABELS,
    VERDICT_LABELS,
)
from .base import Books, plain_text


@dataclass(frozen=True)
class FindingRow:
    check: str
    check_label: str
    severity: str
    severity_label: str
    message: str
    facts: str  # the facts the finding rests on, in one line
    source: str  # the legal or compound rule
    entries: tuple[str, ...]  # file:line, file names only


@dataclass(frozen=True)
class CheckCount:
    check: str
    label: str
    severity_label: str
    count: int


@dataclass(frozen=True)
class SealRow:
    through: dt.date
    changes: int  # changes to the sealed period the audit found
    date: dt.date  # the day the seal was made
    hash: str
    entries: int


@dataclass(frozen=True)
class AuditPage:
    """审计; when the checks cannot run, ``audit_available`` is false and ``message`` says why."""

    findings: tuple[FindingRow, ...]
    by_check: tuple[CheckCount, ...]
    seals: tuple[SealRow, ...]
    audit_available: bool
    message: str = ""
    seal_available: bool = True
    seal_message: str = ""


def _fact_value(key: str, value: str) -> str:
    """A fact's value in the residents' words: accounts by their Chinese leaf, codes by label."""
    if key == "account" and ":" in value:
        return leaf(value)
    if key == "decision":
        return VERDICT_LABELS.get(value, value) or "未记录"
    if key == "change":
        return SEAL_CHANGE_LABELS.get(value, "更多" if value == "more" else value)
    if key == "frequency":
        return FREQUENCY_LABELS_ZH.get(value, value)
    if key == "kind" and value in ("income", "cost"):
        return "收入" if value == "income" else "支出"
    if key == "state":
        return {"approved": "已批准", "pending": "待审批", "rejected": "已否决"}.get(value, value)
    return value


def fact_text(facts: dict[str, str]) -> str:
    """A finding's facts in one line, labelled in Chinese (the ids and amounts as recorded)."""
    return plain_text({AUDIT_FACT_LABELS.get(k, k): _fact_value(k, str(v)) for k, v in facts.items()})


def audit_page(books: Books) -> AuditPage:
    """审计: the latest audit findings (as of the books' day) and the sealed periods."""
    return books.memo("audit", lambda: _audit_page(books))


def _audit_page(books: Books) -> AuditPage:
    broken: dict[str, int] = {}  # seal (its "through" day) -> changes the audit found
    rows: list[FindingRow] = []
    message = ""
    try:
        findings = run_checks(list(books.entries), books.options_map, books.today,
                              books=books.index)
    except Exception as err:  # a failing check must not take the seal list down with it
        message = f"审计检查无法运行：{err}"
    else:
        for f in findings:
            if f.check == "seal-broken":
                through_fact = str(f.facts.get("through", ""))
                broken[through_fact] = broken.get(through_fact, 0) + 1
            rows.append(FindingRow(
                check=f.check,
                check_label=CHECK_LABELS.get(f.check, f.check),
                severity=f.severity,
                severity_label=SEVERITY_LABELS.get(f.severity, f.severity),
                message=f.message,
                facts=fact_text(f.facts),
                source=f.rule,
                entries=tuple(Path(str(w)).name for w in f.entries),
            ))
    counts: dict[str, int] = {}
    firsts: dict[str, FindingRow] = {}
    for row in rows:
        counts[row.check] = counts.get(row.check, 0) + 1
        firsts.setdefault(row.check, row)
    by_check = tuple(CheckCount(check, firsts[check].check_label, firsts[check].severity_label, n)
                     for check, n in counts.items())
    seals = tuple(SealRow(through=seal.through, changes=broken.get(seal.through.isoformat(), 0),
                          date=seal.date, hash=seal.hash, entries=seal.entries)
                  for seal in books.index.seals)
    return AuditPage(findings=tuple(rows), by_check=by_check, seals=seals,
                     audit_available=not message, message=message)
