"""Reading a compound's ledger and appending to it safely.

A compound is a folder: ``main.beancount`` includes split files for the registry,
the units roster, contracts and the journal. Every write goes through
:func:`Compound.transaction`, which

1. takes an exclusive lock on ``.assetreg.lock`` in the folder (so two commands
   never interleave and none loses an entry),
2. reloads the ledger under that lock, so the validation sees what is on disk now,
3. lets the caller validate everything and stage text for one or more files,
4. writes each changed file to a temporary file, fsyncs it and renames it over the
   original. If validation raised, nothing was written.

Posted entries are never edited: writes only append.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data
from beancount.parser import printer
from beancount.parser.grammar import ValueType

from .errors import BadInput, LedgerError
from .options import Options, options_from_entries

MAIN = "main.beancount"
SPLIT_FILES = {
    "accounts": "accounts.beancount",
    "units": "units.beancount",
    "registry": "registry.beancount",
    "contracts": "contracts.beancount",
    "journal": "journal.beancount",
}
DECISIONS_LOG = "decisions.beancount"  # rejected proposals, for residents to read
LOCK_NAME = ".assetreg.lock"
ENV_LEDGER = "ASSETREG_LEDGER"


@dataclass
class Loaded:
    entries: list[Any]
    errors: list[Any]
    options_map: dict[str, Any]
    options: Options


def load_path(path: Path) -> Loaded:
    """Load a Beancount file without beancount's pickle cache (it would write beside the ledger)."""
    entries, errors, options_map = loader._load([(str(path), True)], None, None, None)
    return Loaded(entries, errors, options_map, options_from_entries(entries))


@dataclass
class Compound:
    root: Path

    @classmethod
    def locate(cls, ledger: str | os.PathLike[str] | None) -> Compound:
        """Find a compound from a folder or its main.beancount (or $ASSETREG_LEDGER)."""
        if ledger is None or str(ledger) == "":
            ledger = os.environ.get(ENV_LEDGER)
        if not ledger:
            raise BadInput(
                "no ledger given",
                f"pass -L ledgers/<compound> or set {ENV_LEDGER}",
            )
        p = Path(ledger)
        root = p.parent if p.suffix == ".beancount" else p
        if not (root / MAIN).is_file():
            raise BadInput(
                f"{root} is not a compound ledger (no {MAIN} there)",
                f"create one with: assetreg init {root} --name <小区名称>",
            )
        return cls(root.resolve())

    @property
    def main(self) -> Path:
        return self.root / MAIN

    def file(self, part: str) -> Path:
        if part == "decisions":
            return self.root / DECISIONS_LOG
        return self.root / SPLIT_FILES[part]

    @property
    def id(self) -> str:
        return self.root.name

    def load(self) -> Loaded:
        if not self.main.is_file():
            raise LedgerError(f"{self.main}: ledger file missing")
        return load_path(self.main)

    def ledger_files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*.beancount") if p.is_file())

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        lock_path = self.root / LOCK_NAME
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.lock():
            txn = Transaction(self, self.load())
            yield txn
            txn.commit()


@dataclass
class Transaction:
    """Staged appends to a compound's files; written only by :meth:`commit`."""

    compound: Compound
    loaded: Loaded
    staged: dict[Path, list[str]] = field(default_factory=dict)

    @property
    def entries(self) -> list[Any]:
        return self.loaded.entries

    def append(self, part: str, entries: Sequence[Any]) -> None:
        path = self.compound.file(part)
        self.staged.setdefault(path, []).extend(format_entry(e) for e in entries)

    def append_text(self, part: str, text: str) -> None:
        self.staged.setdefault(self.compound.file(part), []).append(text)

    def commit(self) -> None:
        # A part that was staged nothing is not rewritten: a no-op must leave its bytes alone.
        self.staged = {path: chunks for path, chunks in self.staged.items() if any(chunks)}
        # Check the combined result parses before touching any file: a write that would
        # leave a syntax error in the ledger is refused like any other bad input.
        for path, chunks in self.staged.items():
            text = "".join(chunks)
            _check_parses(text, path)
        for path, chunks in self.staged.items():
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old and not old.endswith("\n"):
                old += "\n"
            atomic_write(path, old + "\n" + "".join(chunks) if old else "".join(chunks))
        self.staged.clear()


def _check_parses(text: str, path: Path) -> None:
    from beancount.parser import parser

    _, errors, _ = parser.parse_string(text)
    if errors:
        raise LedgerError(
            f"internal error: text staged for {path} does not parse: {errors[0].message}"
        )


def atomic_write(path: Path, text: str) -> None:
    """Write via a temp file in the same folder, fsync, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def format_entry(entry: Any) -> str:
    text: str = printer.format_entry(entry)
    return text if text.endswith("\n") else text + "\n"


def meta(**kwargs: Any) -> dict[str, Any]:
    """Entry metadata for generated entries; None values are left out."""
    m = data.new_metadata("<assetreg>", 0)
    for k, v in kwargs.items():
        if v is None:
            continue
        # Beancount's printer knows Decimal, not int; bool is an int but stays a bool.
        m[k] = Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v
    return m


def custom(date: dt.date, type_: str, values: Sequence[Any], **kwargs: Any) -> data.Custom:
    """Build a ``custom`` directive whose values are strings (or Decimals/dates/bools)."""
    typed = [ValueType(v, type(v)) for v in values]
    return data.Custom(meta(**kwargs), date, type_, typed)


def source_of(entry: Any) -> str:
    m = getattr(entry, "meta", None) or {}
    return f"{m.get('filename', '?')}:{m.get('lineno', '?')}"
