"""The write history of a compound folder: one git commit per write made by assetreg.

Seals show a change to a sealed period, content hashes an accidental edit of a contract;
neither shows an edit by hand to the open period or to a file no seal covers. So every
write assetreg makes (a :meth:`Compound.transaction <assetreg.ledger.Compound.transaction>`
commit, a workbook saved into the folder) is committed, right after it, to a git
repository kept in the folder itself, with the command and its arguments as the message::

    ledgers/<compound>/.assetreg-history/     a bare repository; work tree: the folder

Why git (``git`` run as a subprocess) rather than a hash-chained log of our own: it is an
append-only, content-addressed, hash-chained store already, diffs name file and line,
anyone can inspect it with ordinary tools (``git --git-dir=.assetreg-history log -p``),
it is on every Debian machine and CI image, and a commit of a few changed files costs a
few milliseconds. A bare repository with the folder as its work tree (not a ``.git``
folder) keeps it out of the way of a project repository the folder may sit in (the
example compound inside assetreg's own repository): no nested repository, and one
``.gitignore`` line. Copying the folder copies its history with it.

Then the audit compares the folder with the last recorded write
(:func:`unrecorded`): any difference in a ledger file, a seal manifest or the compound's
policy file is a change no recorded write made, named by file and line. A change found
just before a write is committed first, as its own commit marked ``unrecorded`` (so the
write does not launder it into the history), and the audit keeps reporting it.

``assetreg init`` starts the history. A compound made before this existed gets it on its
next write: its state just before that write is committed first, as the baseline, marked
as not verified (nothing recorded how it came to be). Without ``git`` on the machine the
writes still happen and no history is kept; the audit says so.

Privacy: the history holds the ledger files, seal manifests and policy files (no names or
phones, by the ledger's rules) and workbooks assetreg saved there -- not the source sheets
or scans that may lie in the folder; command arguments are recorded as typed, and no
command takes a secret as an argument.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

HISTORY_DIR = ".assetreg-history"
# What the audit holds to the history: the ledger, the seal manifests, the compound's policy
# and the policy sets contracts were decided under.
WATCHED = ("*.beancount", "seals/", "policy.yaml", "policy-sets/")
# The repository's exclude file: everything but the watched files (at any depth), and never
# the lock, temp files of an atomic write, caches or the history itself (last match wins).
IGNORED = ("*", "!*/", "!*.beancount", "!/seals/**", "!/policy.yaml", "!/policy-sets/**",
           "/.assetreg-history/", "/.assetreg.lock", ".*.tmp", "__pycache__/", "*.picklecache")

KIND_KEY = "Assetreg-Kind"
WRITE, BASELINE, UNRECORDED, START = "write", "baseline", "unrecorded", "start"

_COMMAND: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "assetreg_history_command", default=None)


# ------------------------------------------------------------------ the command line

@contextlib.contextmanager
def command(argv: Sequence[str]) -> Iterator[None]:
    """Writes inside this block are recorded as made by ``argv`` (the CLI sets it)."""
    token = _COMMAND.set(tuple(argv))
    try:
        yield
    finally:
        _COMMAND.reset(token)


def command_line() -> str:
    """The command that is writing, as typed: the CLI's, else this process's arguments."""
    argv = _COMMAND.get()
    if argv is None:
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python"
        argv = (prog, *sys.argv[1:])
    # One line: an argument's own line breaks must not end the commit's subject.
    return shlex.join(a.replace("\r", "\\r").replace("\n", "\\n") for a in argv)


# ------------------------------------------------------------------ git

def git_available() -> bool:
    return shutil.which("git") is not None


def git_dir(root: Path) -> Path:
    return root / HISTORY_DIR


def exists(root: Path) -> bool:
    return (git_dir(root) / "HEAD").is_file()


class HistoryError(RuntimeError):
    pass


def _env() -> dict[str, str]:
    # A git run from a hook, or a developer's settings, must not redirect ours.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C",
               GIT_AUTHOR_NAME="assetreg", GIT_AUTHOR_EMAIL="assetreg@localhost",
               GIT_COMMITTER_NAME="assetreg", GIT_COMMITTER_EMAIL="assetreg@localhost",
               GIT_TERMINAL_PROMPT="0",
               # An audit's `git diff`/`status` must not take the index lock a write (under
               # the compound's lock) needs: reads refresh no index.
               GIT_OPTIONAL_LOCKS="0")
    return env


def git(root: Path, *args: str, check: bool = True, input_text: str | None = None) -> str:
    """Run git on the compound's history (the folder as the work tree); its stdout."""
    cmd = ["git", f"--git-dir={git_dir(root)}", f"--work-tree={root}", "-c", "core.quotepath=false",
           "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false",
           "-c", "core.safecrlf=false", *args]
    r = subprocess.run(cmd, cwd=root, env=_env(), capture_output=True, text=True, input=input_text,
                       encoding="utf-8", errors="surrogateescape")
    if check and r.returncode != 0:
        raise HistoryError(f"git {' '.join(args[:2])} failed in {root}: {r.stderr.strip()[:500]}")
    return r.stdout


def _init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", "--bare", str(git_dir(root))], env=_env(),
                   capture_output=True, check=True)
    git(root, "config", "core.bare", "false")
    # Each write adds a whole new copy of the files it appended to, loose: pack them (an
    # appended file deltas to almost nothing) every ~25 writes, in the write, not detached.
    git(root, "config", "gc.auto", "100")
    git(root, "config", "gc.autoDetach", "false")
    (git_dir(root) / "info").mkdir(exist_ok=True)
    (git_dir(root) / "info" / "exclude").write_text("\n".join(IGNORED) + "\n", encoding="utf-8")
    (git_dir(root) / "description").write_text(
        "assetreg write history of this compound folder: one commit per write\n", encoding="utf-8")


def _message(kind: str, summary: str, detail: str = "") -> str:
    body = f"\n\n{detail}" if detail else ""
    return f"{summary}{body}\n\n{KIND_KEY}: {kind}\n"


def _commit(root: Path, kind: str, summary: str, detail: str = "", allow_empty: bool = False,
            extra: Sequence[str] = ()) -> bool:
    # Only what the audit holds to the history (and a file a command saved): never the
    # treasurers' source sheets or scans lying in the folder, which may name people.
    git(root, "add", "-A", "--", ".")
    if extra:
        git(root, "add", "-f", "--", *extra)
    if not allow_empty and not git(root, "status", "--porcelain", "--untracked-files=no", check=True).strip():
        return False
    git(root, "commit", "-q", "--no-verify", *(["--allow-empty"] if allow_empty else []),
        "-F", "-", input_text=_message(kind, summary, detail))
    return True


def _dirty(root: Path) -> list[str]:
    """The watched files that differ from the last recorded write (or are new)."""
    out = git(root, "status", "--porcelain", "--untracked-files=all", "--", *WATCHED)
    return [line[3:] for line in out.splitlines() if line.strip()]


# ------------------------------------------------------------------ the hooks

def start(root: Path, summary: str | None = None) -> bool:
    """Start the history of a new compound folder (``assetreg init``): its first commit."""
    if not git_available() or exists(root):
        return False
    _init(root)
    _commit(root, START, summary or f"{command_line()}", "history started with the compound",
            allow_empty=True)
    return True


@dataclass(frozen=True)
class Before:
    """What :func:`before_write` found, for the notice a command prints."""

    started: bool = False  # the history began with this write (baseline committed)
    unrecorded: tuple[str, ...] = ()  # watched files changed by something other than assetreg


def before_write(root: Path) -> Before:
    """Under the write lock, before anything is written: give a compound without history its
    baseline, and commit changes no recorded write made as their own, marked, commit."""
    if not git_available():
        return Before()
    if not exists(root):
        _init(root)
        _commit(root, BASELINE,
                f"baseline: the folder as found before `{command_line()}`",
                "assetreg kept no history of this folder before; this state is not verified "
                "(nothing recorded how it came to be).", allow_empty=True)
        return Before(started=True)
    changed = _dirty(root)
    if changed:
        # The changed regions go into the message, so the audit reads them back from the
        # log instead of diffing (large) files again on every run.
        hunks = _working_changes(root)
        _commit(root, UNRECORDED,
                f"unrecorded: changes found before `{command_line()}`, made by no recorded write",
                "\n".join(changed) + "\n\n" + _encode(hunks))
    return Before(unrecorded=tuple(changed))


def after_write(root: Path) -> None:
    """Commit what the write just changed, with the command as the message."""
    if not git_available() or not exists(root):
        return
    _commit(root, WRITE, command_line(), f"written {dt.datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}")


def record_file(root: Path, path: Path) -> None:
    """A file written into the compound folder outside a transaction (a workbook): commit it."""
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except OSError:
        inside = False
    if inside and git_available() and exists(root):
        before_write(root)  # a hand edit of the ledger since the last write stays marked
        rel = path.resolve().relative_to(root.resolve()).as_posix()
        _commit(root, WRITE, command_line(), f"saved {rel}", extra=(rel,))


# ------------------------------------------------------------------ reading it

@dataclass(frozen=True)
class Hunk:
    """One changed region of a file, against the last recorded write."""

    file: str  # relative to the compound folder
    line: int  # first line of the region in the file as it is now (or where it was removed)
    removed: tuple[str, ...]
    added: tuple[str, ...]
    commit: str = ""  # for a change found before a write: the commit that marked it
    when: str = ""


_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def parse_diff(text: str, commit: str = "", when: str = "") -> list[Hunk]:
    hunks: list[Hunk] = []
    file = ""
    cur: tuple[int, list[str], list[str]] | None = None

    def flush() -> None:
        if cur is not None and file:
            hunks.append(Hunk(file, cur[0], tuple(cur[1]), tuple(cur[2]), commit, when))

    for line in text.splitlines():
        if line.startswith("diff --git "):
            flush()
            cur = None
            file = ""
        elif line.startswith("+++ "):
            name = line[4:]
            file = name[2:] if name.startswith("b/") else file
        elif line.startswith("--- "):
            name = line[4:]
            if name.startswith("a/"):
                file = name[2:]
        elif line.startswith("@@"):
            flush()
            m = _HUNK.match(line)
            start = int(m.group(3)) if m else 0
            cur = (max(start, 1), [], [])
        elif cur is not None and line.startswith("-"):
            cur[1].append(line[1:])
        elif cur is not None and line.startswith("+"):
            cur[2].append(line[1:])
    flush()
    return hunks


def _working_changes(root: Path) -> list[Hunk]:
    """The watched files against the last recorded write, region by region."""
    diff = git(root, "diff", "-U0", "--no-color", "--no-renames", "--no-ext-diff", "HEAD", "--", *WATCHED)
    out = parse_diff(diff)
    for name in git(root, "ls-files", "--others", "--exclude-standard", "--", *WATCHED).splitlines():
        try:
            text = (root / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        out.append(Hunk(name, 1, (), tuple(text.splitlines()[:3])))
    return out


_MARK = "assetreg-hunk "
MAX_KEPT = 500  # regions kept in one marking commit's message; the rest are counted


def _encode(hunks: list[Hunk]) -> str:
    lines = [_MARK + json.dumps([h.file, h.line, list(h.removed[:5]), list(h.added[:5])], ensure_ascii=False)
             for h in hunks[:MAX_KEPT]]
    if len(hunks) > MAX_KEPT:
        lines.append(f"{_MARK}{json.dumps(['', 0, [], [f'… {len(hunks) - MAX_KEPT} more regions']])}")
    return "\n".join(lines)


def _decode(body: str, commit: str, when: str) -> list[Hunk]:
    out: list[Hunk] = []
    for line in body.splitlines():
        if line.startswith(_MARK):
            try:
                file, at, removed, added = json.loads(line[len(_MARK):])
            except (ValueError, TypeError):
                continue
            out.append(Hunk(str(file), int(at), tuple(map(str, removed)), tuple(map(str, added)), commit, when))
    return out


def unrecorded(root: Path) -> list[Hunk]:
    """Every change to a watched file that no recorded write made: changes found (and
    marked) before earlier writes, oldest first, then the folder against the last write."""
    out: list[Hunk] = []
    log = git(root, "log", "--reverse", "--format=%H%x1f%cI%x1f%B%x1e", f"--grep=^{KIND_KEY}: {UNRECORDED}$")
    for record in log.split("\x1e"):
        parts = record.strip("\n").split("\x1f", 2)
        if len(parts) == 3:
            out.extend(_decode(parts[2], parts[0][:12], parts[1]))
    out.extend(_working_changes(root))
    return out


def baseline(root: Path) -> str | None:
    """The date of the unverified baseline the history started from, if it did."""
    out = git(root, "log", "--format=%cI", f"--grep=^{KIND_KEY}: {BASELINE}$", check=False).split()
    return out[-1] if out else None


def writes(root: Path, limit: int = 20) -> list[tuple[str, str, str]]:
    """The last recorded writes: (commit, date, command)."""
    out = git(root, "log", f"-{limit}", "--format=%h%x1f%cI%x1f%s")
    return [tuple(line.split("\x1f", 2)) for line in out.splitlines() if line]  # type: ignore[misc]
