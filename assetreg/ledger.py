"""Reading a compound's ledger and appending to it safely.

A compound is a folder: ``main.beancount`` includes split files for the registry,
the units roster, contracts and the journal. Every write goes through
:func:`Compound.transaction`, which

1. takes an exclusive lock on ``.assetreg.lock`` in the folder (so two commands
   never interleave and none loses an entry),
2. reloads the ledger under that lock, so the validation sees what is on disk now,
3. lets the caller validate everything and stage entries for one or more files (and,
   for files that are not ledger files, such as a seal's manifest, their whole text),
4. renders the staged entries, checks the text parses, and writes each changed file to
   a temporary file, fsyncs it and renames it over the original. If validation raised,
   nothing was written.

While it is open, :meth:`Transaction.after` is the ledger as it will be once the write
is done, so a step can see what earlier steps in the same transaction staged.

Posted entries are never edited: writes only append.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import fcntl
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount import loader
from beancount.core import data
from beancount.parser import parser, printer
from beancount.parser.grammar import ValueType

from . import history
from .errors import BadInput, LedgerError
from .options import OPTION_TYPE, Options, options_from_entries
from .textsafe import markup_fields

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
    def lock(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the compound's write lock. When another command holds it, say so on stderr
        and wait up to ``timeout`` seconds (default ``$ASSETREG_LOCK_TIMEOUT``, else
        :data:`LOCK_TIMEOUT`); then give up with a :class:`BadInput` and nothing written."""
        lock_path = self.root / LOCK_NAME
        key = lock_path.resolve()
        if key in _HELD:
            # Already ours (a workbook saved while this process writes the ledger, as
            # `disclose` does): flock on a second descriptor would wait on ourselves.
            yield
            return
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _take_lock(fd, lock_path, lock_timeout() if timeout is None else timeout)
            _HELD.add(key)
            try:
                yield
            finally:
                _HELD.discard(key)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.lock():
            txn = Transaction(self, self.load())
            yield txn
            txn.commit()


LOCK_TIMEOUT = 120.0  # seconds a command waits for another one's write to finish
_HELD: set[Path] = set()  # the lock files this process holds now
ENV_LOCK_TIMEOUT = "ASSETREG_LOCK_TIMEOUT"
_LOCK_POLL = 0.05


def lock_timeout() -> float:
    text = os.environ.get(ENV_LOCK_TIMEOUT, "").strip()
    if not text:
        return LOCK_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise BadInput(f"{ENV_LOCK_TIMEOUT}={text!r} is not a number of seconds",
                       f"set {ENV_LOCK_TIMEOUT} to e.g. 120, or unset it for the default {LOCK_TIMEOUT:g}")
    return value


def _take_lock(fd: int, lock_path: Path, timeout: float) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    # Another assetreg command is writing: say so, rather than hang without a word.
    print(f"另一个 assetreg 命令正在写入本账本，等待其完成（最多 {timeout:g} 秒）… "
          f"(waiting for the lock {lock_path})", file=sys.stderr, flush=True)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BadInput(
                    f"{lock_path.parent}: another assetreg command has held the write lock ({lock_path.name}) "
                    f"for more than {timeout:g} s; nothing was written (账本正被另一命令写入，已放弃)",
                    f"wait for the other command to finish and run this one again; if none is running, "
                    f"a stuck process holds {lock_path} (raise the wait with {ENV_LOCK_TIMEOUT}=SECONDS)") from None
            time.sleep(min(_LOCK_POLL, left))


Render = Callable[[Any], str]


# What makes a spreadsheet program read a typed text as a formula (OWASP "CSV injection"):
# =, +, - and @ at the start, and tab or carriage return before them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(workbook: Any) -> int:
    """Store every text cell of ``workbook`` as text: openpyxl makes a formula of any text
    starting with "=", and a spreadsheet program re-reads a typed "+…", "-…" or "@…" as one
    when the cell is edited. Such cells become plain strings with Excel's quote prefix (shown
    as written, kept as text when edited). assetreg writes no formulas of its own, so every
    formula cell is outside text. Returns how many cells were changed."""
    changed = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" or (type(value) is str and value.startswith(FORMULA_START)):
                    text = value if isinstance(value, str) else str(getattr(value, "text", value) or "")
                    cell.value = text
                    cell.data_type = "s"
                    cell.quotePrefix = True
                    changed += 1
    return changed


def save_workbook(workbook: Any, path: Path) -> None:
    """Save an openpyxl workbook whole or not at all (a temp file beside it, fsync, rename),
    with every text from outside stored as text (:func:`neutralise_formulas`). Every
    workbook assetreg writes goes through here."""
    neutralise_formulas(workbook)
    path = Path(path)
    _clean_stale_temps(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.resolve().parent)
    os.close(fd)
    try:
        workbook.save(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _history_saved(path)


def format_entry(entry: Any) -> str:
    text: str = printer.format_entry(entry)
    return text if text.endswith("\n") else text + "\n"


@dataclass(frozen=True)
class Block:
    """Entries staged together for one file, and how :meth:`Transaction.commit` writes them:
    each rendered by ``render``, one after another, or with a blank line between them
    (``spaced``, the importers' layout)."""

    entries: tuple[Any, ...]
    render: Render = format_entry
    spaced: bool = False

    def pieces(self) -> list[str]:
        """The text of each entry, as rendered."""
        return [self.render(e) for e in self.entries]

    def text(self, pieces: list[str] | None = None) -> str:
        return ("\n" if self.spaced else "").join(self.pieces() if pieces is None else pieces)


def _order(entry: Any) -> tuple[dt.date, int]:
    # Beancount's own order without the line number: entries staged on the same day
    # and of the same type come after the loaded ones, in the order they were staged.
    return entry.date, data.SORT_ORDER.get(type(entry), 0)


@dataclass
class Transaction:
    """Entries staged for a compound's files; rendered and written only by :meth:`commit`.

    ``loaded`` is the ledger as it was read under the lock; :meth:`after` adds what has
    been staged since, so later steps in the same transaction see earlier ones."""

    compound: Compound
    loaded: Loaded
    _blocks: dict[Path, list[Block]] = field(default_factory=dict, init=False, repr=False)
    _files: dict[Path, str | bytes] = field(default_factory=dict, init=False, repr=False)
    _after: list[Any] | None = field(default=None, init=False, repr=False)
    _after_options: Options | None = field(default=None, init=False, repr=False)

    @property
    def entries(self) -> list[Any]:
        """The entries as loaded, before anything staged here."""
        return self.loaded.entries

    def append(self, part: str, entries: Iterable[Any], *, render: Render = format_entry,
               spaced: bool = False) -> None:
        """Stage ``entries`` at the end of ``part`` (a split file: "registry", "journal", …).

        Text carrying markup is refused here, for every command alike (Fava shows ledger
        text unescaped; the plugin would report it as ``text-markup`` after the write)."""
        block = Block(tuple(entries), render, spaced)
        for e in block.entries:
            for name, text in markup_fields(e):
                raise BadInput(f"{name} {text!r} contains markup (< > or a quoted link); "
                               "ledger text is shown on residents' pages",
                               "leave the markup out, or write the full-width ＜ ＞ instead")
        self._blocks.setdefault(self.compound.file(part), []).append(block)
        if self._after is not None:
            for e in block.entries:
                bisect.insort_right(self._after, e, key=_order)
        if any(_is_option(e) for e in block.entries):
            self._after_options = None

    def write_file(self, path: str | os.PathLike[str], text: str | bytes) -> Path:
        """Stage the whole text (or bytes: a voucher's scan) of a file in the compound folder
        that is not part of the ledger (a seal's manifest); it is written by the same commit
        as the entries, or not at all. Returns the absolute path."""
        p = Path(path)
        p = (p if p.is_absolute() else self.compound.root / p).resolve()
        if self.compound.root not in p.parents:
            raise LedgerError(f"internal error: {p} is outside the compound folder {self.compound.root}")
        if p.suffix == ".beancount":
            raise LedgerError(f"internal error: {p} is a ledger file; stage entries for it instead")
        if p in self._files:
            raise LedgerError(f"internal error: {p} is already staged in this transaction")
        self._files[p] = text
        return p

    def stages_file(self, path: str | os.PathLike[str]) -> bool:
        """Is the whole text of this file (absolute, or relative to the folder) staged?"""
        p = Path(path)
        return (p if p.is_absolute() else self.compound.root / p).resolve() in self._files

    def staged_entries(self, part: str | None = None) -> list[Any]:
        """The entries staged so far (for one part, or all), in the order they were staged."""
        paths = [self.compound.file(part)] if part is not None else list(self._blocks)
        return [e for p in paths for b in self._blocks.get(p, ()) for e in b.entries]

    def after(self) -> Loaded:
        """The ledger as it will be once this transaction commits: the loaded entries and
        the staged ones in date order (staged after loaded on the same day and type), with
        the settings they make. The staged entries are not run through Beancount's booking
        or plugins; ``errors`` are those of the load."""
        if self._after is None:
            self._after = sorted([*self.loaded.entries, *self.staged_entries()], key=_order)
        if self._after_options is None:
            staged_options = any(_is_option(e) for e in self.staged_entries())
            self._after_options = (options_from_entries(self._after) if staged_options
                                   else self.loaded.options)
        lo = self.loaded
        return Loaded(list(self._after), lo.errors, lo.options_map, self._after_options)

    def preview(self) -> list[tuple[Path, str]]:
        """(file, text) of each staged block, in the order :meth:`commit` appends them."""
        return [(path, text) for path, blocks in self._blocks.items()
                for text in (b.text() for b in blocks) if text]

    def commit(self) -> None:
        texts: dict[Path, str] = {}
        for path, blocks in self._blocks.items():
            pieces = [b.pieces() for b in blocks]
            text = "".join(b.text(p) for b, p in zip(blocks, pieces, strict=True))
            if not text:
                continue
            # Check the combined result parses before touching any file: a write that would
            # leave a syntax error in the ledger is refused like any other bad input.
            check_parses([p for ps in pieces for p in ps], text, path)
            texts[path] = text
        if texts or self._files:
            self._history_before()
        # Other files first, so no ledger entry ever names a file that is not there.
        # A part that was staged nothing is not rewritten: a no-op must leave its bytes alone.
        for path, content in self._files.items():
            atomic_write(path, content)
        for path, text in texts.items():
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old and not old.endswith("\n"):
                old += "\n"
            atomic_write(path, old + "\n" + text if old else text)
        if texts or self._files:
            self._history_after()
        self._blocks.clear()
        self._files.clear()
        self._after = None
        self._after_options = None

    # ---- the write history (assetreg.history): one commit per write, under the lock

    def _history_before(self) -> None:
        """Before anything is written: a compound without history gets its baseline, and
        changes no recorded write made are committed as such (not laundered by this one)."""
        try:
            found = history.before_write(self.compound.root)
        except (history.HistoryError, OSError) as exc:
            raise LedgerError(f"cannot record this write in the compound's history "
                              f"({self.compound.root / history.HISTORY_DIR}): {exc}; nothing was written") from None
        if found.started:
            _notice(f"注意：{self.compound.root} 此前没有写入历史，已从本次写入开始记录"
                    f"（{history.HISTORY_DIR}/；此前的状态作为未经核实的基线保存）")
        if found.unrecorded:
            _notice(f"警告：{', '.join(found.unrecorded)} 有未经 assetreg 记录的改动；已在历史中单独标记，"
                    "`assetreg audit` 会逐处列出（ledger-unrecorded）")

    def _history_after(self) -> None:
        try:
            history.after_write(self.compound.root)
        except (history.HistoryError, OSError) as exc:  # the write is done: say so, do not undo it
            _notice(f"警告：本次写入已完成，但未能记入写入历史：{exc}")


def _notice(text: str) -> None:
    print(text, file=sys.stderr)


def _history_saved(path: Path) -> None:
    """A workbook saved into a compound folder is a write too: commit it to the history.
    (Callers of :func:`save_workbook` hold no transaction, so the lock is free to take.)"""
    p = path.resolve()
    root = next((d for d in p.parents if (d / MAIN).is_file()), None)
    if root is None or not history.exists(root):
        return
    try:
        with Compound(root).lock():
            history.record_file(root, p)
    except (history.HistoryError, OSError) as exc:
        _notice(f"警告：{path} 已保存，但未能记入写入历史：{exc}")


def _is_option(entry: Any) -> bool:
    return isinstance(entry, data.Custom) and entry.type == OPTION_TYPE


# ------------------------------------------------------------------ the parse check
#
# Parsing fifty thousand staged entries with Beancount's parser took longer than the rest of
# an import. Most staged text is of a few plain shapes, so each entry's text is first matched
# against a strict subset of Beancount's syntax that is certain to parse, line for line:
#
#     DATE FLAG ["STRING" ["STRING"]]          DATE balance ACCOUNT  NUMBER CURRENCY
#       key: "STRING" | NUMBER | TRUE | FALSE    key: …
#       ACCOUNT  NUMBER CURRENCY
#
# where a STRING holds no control character and no quote or backslash other than the two
# escapes \" and \\, an ACCOUNT is one of the five default roots, a capitalised ASCII component
# and further components of ASCII letters, digits, - and CJK ideographs (accepted by the lexer
# and by the parser's account check alike), the date is a real date and no key repeats (nor
# is one filename or lineno, which the parser sets itself). Such a text is a whole directive
# that neither continues the one before it nor changes how the ones after it parse.
#
# Every other entry's text is parsed by Beancount on its own: one that parses alone, starts
# with a date at the start of a line and ends its last line is whole too, unless it changes
# how later text parses (option, pushtag, pushmeta). Parsed together instead, one entry's
# unclosed string could end in the next one's text. When an entry's text is not of that kind,
# or there are many such entries, the whole text is parsed at once, as it will be written.

_CHARS = r'[^"\\\x00-\x1f\x7f-\x9f\ud800-\udfff]*'
_STR = rf'"{_CHARS}(?:\\["\\]{_CHARS})*"'
_CJK = "\u4e00-\u9fff"
_ACCOUNT = (rf"(?:Assets|Liabilities|Equity|Income|Expenses):[A-Z][A-Za-z0-9-]*"
            rf"(?::[A-Z0-9{_CJK}][A-Za-z0-9{_CJK}-]*)*")
_NUM = r"-?[0-9]+(?:\.[0-9]+)?"
_CUR = r"[A-Z][A-Z0-9'._-]*[A-Z0-9]"
_META = rf"(?:  (?!filename:|lineno:)[a-z][a-zA-Z0-9_-]+: (?:{_STR}|{_NUM}|TRUE|FALSE)\n)*"
_PLAIN = re.compile(
    rf"([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}) "
    rf"(?:[*!](?: {_STR}){{0,2}}\n{_META}(?:  {_ACCOUNT} +{_NUM} {_CUR}\n)*"
    rf"|balance {_ACCOUNT} +{_NUM} {_CUR}\n{_META})")
_KEY = re.compile(r"^  ([a-z][a-zA-Z0-9_-]+):", re.MULTILINE)
_STATEFUL = re.compile(r"option|pushtag|pushmeta")


def _plain(text: str, dates: set[str]) -> bool:
    """Is ``text`` one directive of the strict subset above (so it parses, on its own and
    among others)? ``dates`` remembers the date texts found valid."""
    m = _PLAIN.fullmatch(text)
    if m is None:
        return False
    day = m.group(1)
    if day not in dates:
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            return False
        dates.add(day)
    keys = _KEY.findall(text)
    return len(keys) < 2 or len(keys) == len(set(keys))


def check_parses(pieces: Sequence[str], text: str, path: Path) -> None:
    """Refuse (LedgerError) to write ``text``, the rendered ``pieces`` (one per entry, in
    order) with blank lines between some, if it would not parse."""
    dates: set[str] = set()
    rest = [p for p in pieces if p and not _plain(p, dates)]
    if not rest:
        return
    if (len(rest) > _ALONE or any(p[0] not in "0123456789" or not p.endswith("\n") for p in rest)
            or any(_STATEFUL.search(p) for p in rest)):
        _parse_check(text, path)
        return
    for p in rest:
        _parse_check(p, path)


_ALONE = 200  # beyond so many entries that are not plain, one parse of the whole text is cheaper


def _parse_check(text: str, path: Path) -> None:
    try:
        _, errors, _ = parser.parse_string(text)
    except UnicodeEncodeError as exc:
        raise LedgerError(f"text staged for {path} cannot be written: {exc.reason} "
                          f"({text[exc.start:exc.end]!r}); nothing was written") from None
    if errors:
        err = errors[0]
        lineno = (err.source or {}).get("lineno")
        lines = text.splitlines()
        at = (f" at {lines[lineno - 1]!r}"
              if isinstance(lineno, int) and 0 < lineno <= len(lines) else "")
        raise LedgerError(
            f"internal error: text staged for {path} does not parse{at}: {err.message}; nothing was written"
        )


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write via a temp file in the same folder, fsync, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale_temps(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=".tmp", dir=path.parent)
    try:
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as b:
                b.write(text)
                b.flush()
                os.fsync(b.fileno())
        else:
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


# A write's temp file is named `.NAME.PID-RANDOM.tmp`, so that the next write can tell one
# left by a killed command (its process is gone) from one another command is writing now.
_TEMP = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)-[^.]+\.tmp")
_OLD_TEMP_AGE = 3600  # seconds; temps named before the pid was in the name


def _temp_prefix(path: Path) -> str:
    return f".{path.name}.{os.getpid()}-"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _clean_stale_temps(path: Path) -> list[Path]:
    """Remove the temp files a killed write left in ``path``'s folder (`.*.tmp` whose writer
    is no longer running) for ``path`` itself or any ledger file beside it; returns them. A
    temp of a live process, or of a file of some other program, is left alone."""
    removed: list[Path] = []
    folder = path.resolve().parent
    try:
        candidates = [p for p in folder.glob(".*.tmp") if p.is_file()]
    except OSError:
        return removed
    now = time.time()
    for p in candidates:
        m = _TEMP.fullmatch(p.name)
        ours = m.group("name") if m else p.name[1:].rsplit(".", 2)[0]
        if ours != path.name and not ours.endswith(".beancount"):
            continue
        try:
            stale = (not _alive(int(m.group("pid")))) if m else now - p.stat().st_mtime > _OLD_TEMP_AGE
            if stale:
                p.unlink()
                removed.append(p)
        except (OSError, ValueError):
            continue
    return removed


def meta(**kwargs: Any) -> dict[str, Any]:
    """Entry metadata for generated entries; None values are left out."""
    m = data.new_metadata("<assetreg>", 0)
    for k, v in kwargs.items():
        if v is None:
            continue
        # Beancount's printer knows Decimal, not int; bool is an int but stays a bool.
        m[k] = v if type(v) is str else Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v
    return m


def custom(date: dt.date, type_: str, values: Sequence[Any], **kwargs: Any) -> data.Custom:
    """Build a ``custom`` directive whose values are strings (or Decimals/dates/bools)."""
    typed = [ValueType(v, type(v)) for v in values]
    return data.Custom(meta(**kwargs), date, type_, typed)


def error_source(err: Any) -> str | None:
    """``file:line`` of a Beancount load error, when it has one."""
    src = getattr(err, "source", None)
    if isinstance(src, dict) and src.get("filename"):
        return f"{src['filename']}:{src.get('lineno', '?')}"
    return None


def source_of(entry: Any) -> str:
    m = getattr(entry, "meta", None) or {}
    return f"{m.get('filename', '?')}:{m.get('lineno', '?')}"
