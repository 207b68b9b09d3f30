"""审计: the latest audit findings and the sealed periods."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..audit import run_checks
from ..vocab import (
    CHECK_LABELS,
    SEVERITY_LABELS,
)
from .base import Books, plain_text


def audit_page(books: Books) -> dict[str, Any]:
    """审计: the latest audit findings (as of the books' day) and the sealed periods."""
    return books.memo("audit", lambda: _audit_page(books))


def _audit_page(books: Books) -> dict[str, Any]:
    broken: dict[str, int] = {}  # seal (its "through" day) -> changes the audit found
    out: dict[str, Any] = {"findings": [], "seals": [], "audit_available": False,
                           "seal_available": True, "message": "", "seal_message": ""}
    try:
        findings = run_checks(list(books.entries), books.options_map, books.today,
                              books=books.index)
    except Exception as err:  # a failing check must not take the seal list down with it
        out["message"] = f"审计检查无法运行：{err}"
    else:
        out["audit_available"] = True
        for f in findings:
            if f.check == "seal-broken":
                through_fact = str(f.facts.get("through", ""))
                broken[through_fact] = broken.get(through_fact, 0) + 1
            out["findings"].append({
                "check": f.check,
                "check_label": CHECK_LABELS.get(f.check, f.check),
                "severity": f.severity,
                "severity_label": SEVERITY_LABELS.get(f.severity, f.severity),
                "message": f.message,
                "facts": plain_text(f.facts),
                "source": f.rule,
                "entries": [Path(str(w)).name for w in f.entries],
            })
    groups: dict[str, dict[str, Any]] = {}
    for row in out["findings"]:
        g = groups.setdefault(row["check"], {"check": row["check"], "label": row["check_label"],
                                             "severity_label": row["severity_label"], "count": 0})
        g["count"] += 1
    out["by_check"] = list(groups.values())
    for seal in books.index.seals:
        through = seal.through.isoformat()
        out["seals"].append({
            "through": through,
            "changes": broken.get(through, 0),
            "date": seal.date.isoformat(),
            "hash": seal.hash,
            "entries": str(seal.entries),
        })
    return out


