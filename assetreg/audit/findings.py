"""What an audit check reports: one finding per problem, pointing at the entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem found in the books.

    ``entries`` are ``file:line`` references; ``facts`` are the numbers and ids the
    verdict rests on (as strings, so they print and serialise exactly); ``rule`` names
    the legal or compound rule. ``entry`` is the first entry concerned, kept so the
    Beancount plugin can report the finding at that entry's file and line.
    """

    check: str
    severity: str
    message: str
    rule: str
    entries: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)
    entry: Any = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "message": self.message,
            "rule": self.rule,
            "entries": list(self.entries),
            "facts": dict(self.facts),
        }


def source(entry: Any) -> str:
    m = getattr(entry, "meta", None) or {}
    return f"{m.get('filename', '?')}:{m.get('lineno', '?')}"


def finding(check: str, severity: str, message: str, rule: str,
            entries: list[Any] | tuple[Any, ...] = (), /, **facts: Any) -> Finding:
    """Build a finding from entry objects (their file:line become ``entries``)."""
    assert severity in SEVERITIES, severity
    refs = tuple(source(e) for e in entries if e is not None)
    first = next((e for e in entries if e is not None), None)
    return Finding(check, severity, message, rule, refs,
                   {k: _fact(v) for k, v in facts.items()}, first)


def _fact(v: Any) -> str:
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    return str(v)
