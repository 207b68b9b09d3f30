"""Errors the CLI turns into exit codes (0 ok, 1 negative verdict, 2 bad input)."""

from __future__ import annotations


class AssetregError(Exception):
    """Base class for errors that carry a user-facing message."""

    exit_code = 2


class BadInput(AssetregError):
    """The user's input cannot be accepted. The message names the problem and the fix."""

    def __init__(self, problem: str, fix: str | None = None) -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(problem if fix is None else f"{problem}\n  fix: {fix}")


class LedgerError(AssetregError):
    """The ledger itself cannot be read (syntax errors, missing files)."""
