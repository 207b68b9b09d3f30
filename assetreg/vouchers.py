"""Vouchers (凭证): the invoice, receipt, contract page or bank slip behind a line of the books.

``assetreg voucher attach REF FILE…`` copies each scan into ``documents/凭证/`` under a name
made of its content hash (so the same scan is stored once, and a stored scan is never
overwritten by another) and links it to the entry with a Beancount ``document`` directive
in ``registry.beancount``, dated the day it was attached::

    2026-01-22 document Expenses:Allocation:补充维修资金 "documents/凭证/3f2a9c1b7d0e4a55.pdf"
      voucher-for: "import_id:bank:9c1e…"
      sha256: "3f2a9c1b7d0e4a55…"

Why a ``document`` and not a ``custom "voucher"``: a document directive carries metadata, so
it can name its entry; Fava lists it in the account's journal and serves the file, and
``bean-check`` reports a document whose file is missing, all without our code. The entry
itself is never edited: the link is the ``voucher-for`` key, the most stable identity the
entry has — its ``import_id`` (an imported row's fingerprint), else its ``bank_ref``, else
the contract id of a contract entry, else its ``file:line`` (files are append-only, so
the line of a posted entry does not move).

Only PDF, JPEG and PNG files are accepted, recognised by their first bytes (not their names),
no larger than the ``voucher-max-bytes`` setting, and never through a symbolic link.

:func:`for_entry` gives the pages an entry's vouchers; :func:`lines` every line of income
and cost with its vouchers, flagged when it is above the ``voucher-threshold`` setting and
has none (the audit's ``voucher-missing``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from beancount.core import data

from . import accounts
from .books import Books
from .errors import BadInput
from .ledger import Transaction, format_entry, meta
from .seal import seals_from_entries
from .vocab import ZERO

VOUCHER_DIR = "documents/凭证"
PART = "registry"
KEY = "voucher-for"
MAGIC = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))
KIND_LABELS = {"pdf": "PDF", "jpg": "照片", "png": "图片"}
_AT = re.compile(r"^(?P<file>[^:]+\.beancount):(?P<line>[0-9]+)$")


@dataclass(frozen=True)
class Voucher:
    filename: str  # as Beancount gives it (absolute once loaded)
    sha256: str
    kind: str  # pdf | jpg | png
    attached: dt.date
    key: str  # what it names its entry by
    entry: Any = field(compare=False, repr=False)  # the document directive

    @property
    def name(self) -> str:
        return os.path.basename(self.filename)


@dataclass(frozen=True)
class Line:
    """A line of income or cost, with its vouchers."""

    entry: Any
    date: dt.date
    kind: str  # income | cost
    amount: Decimal
    vouchers: tuple[Voucher, ...]
    flagged: bool  # above the threshold and without a voucher


# ------------------------------------------------------------------ reading a scan

def sniff(head: bytes) -> str | None:
    """The kind of a scan from its first bytes: pdf, jpg, png, or None."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def read_scan(path: Path, max_bytes: int, where: str | None = None) -> tuple[bytes, str, str]:
    """(bytes, kind, sha256) of a scan the compound accepts; BadInput naming the fix otherwise.

    ``where``: the folder the file must be inside (a sheet's folder), if any."""
    label = str(path)
    try:
        st = os.lstat(path)
    except OSError:
        raise BadInput(f"{label}: no such file", "give the path of the scan (PDF, JPEG or PNG)") from None
    if stat.S_ISLNK(st.st_mode):
        raise BadInput(f"{label} is a symbolic link", "give the scan file itself, not a link to it")
    if not stat.S_ISREG(st.st_mode):
        raise BadInput(f"{label} is not a regular file", "give the scan file (PDF, JPEG or PNG)")
    absolute = Path(os.path.abspath(path))
    if where is not None and Path(where).resolve() not in absolute.resolve().parents:
        raise BadInput(f"{label} is outside the folder {where}",
                       "list file names inside the sheet's folder (no '..', no absolute paths, no links out)")
    if st.st_size > max_bytes:
        raise BadInput(f"{label} is {st.st_size} bytes, more than the limit of {max_bytes}",
                       "scan at a lower resolution, or raise the compound's voucher-max-bytes setting")
    if st.st_size == 0:
        raise BadInput(f"{label} is empty", "give the scan file (PDF, JPEG or PNG)")
    try:
        # O_NOFOLLOW: the file checked above is the file read, not a link swapped in meanwhile
        fd = os.open(absolute, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise BadInput(f"{label}: cannot be read ({exc.strerror})", "give a readable scan file") from None
    with os.fdopen(fd, "rb") as f:
        blob = f.read(max_bytes + 1)
    if len(blob) > max_bytes:
        raise BadInput(f"{label} grew beyond the limit of {max_bytes} bytes while it was read", "try again")
    kind = sniff(blob[:16])
    if kind is None:
        raise BadInput(f"{label} is not a PDF, JPEG or PNG file (by its content, whatever its name)",
                       "scan or photograph the voucher as PDF, JPEG or PNG")
    return blob, kind, hashlib.sha256(blob).hexdigest()


def stored_name(sha256: str, kind: str) -> str:
    """Where a scan is kept, by its content: the same scan is stored once."""
    return f"{VOUCHER_DIR}/{sha256[:16]}.{kind}"


def stage_scan(txn: Transaction, blob: bytes, kind: str, sha256: str) -> str:
    """Stage a scan's copy in the compound (unless it is there already); its relative path."""
    rel = stored_name(sha256, kind)
    dest = txn.compound.root / rel
    if os.path.lexists(dest):
        if dest.is_symlink() or not dest.is_file():
            raise BadInput(f"{dest} is not a plain file", f"remove it; assetreg keeps vouchers under {VOUCHER_DIR}/")
        if hashlib.sha256(dest.read_bytes()).hexdigest() != sha256:
            raise BadInput(f"{dest} exists with other content than its name says",
                           "a stored voucher was changed: restore it from the backup (the audit reports it)")
        return rel
    if not txn.stages_file(rel):
        txn.write_file(rel, blob)
    return rel


def max_bytes_of(options: Any) -> int:
    try:
        return int(options.get("voucher-max-bytes"))
    except ValueError:
        raise BadInput(f"voucher-max-bytes setting {options.get('voucher-max-bytes')!r} is not a number",
                       "set it to a number of bytes, e.g. 20000000") from None


# ------------------------------------------------------------------ which entry

def _relpath(entry: Any, root: Path) -> str | None:
    fn = (getattr(entry, "meta", None) or {}).get("filename")
    if not fn:
        return None
    try:
        return Path(fn).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def link_key(entry: Any, root: Path) -> str:
    """The most stable identity of an entry (see the module's docstring)."""
    m = entry.meta or {}
    if m.get("import_id"):
        return f"import_id:{m['import_id']}"
    if m.get("bank_ref"):
        return f"bank_ref:{m['bank_ref']}"
    if isinstance(entry, data.Custom) and entry.type == "contract" and entry.values:
        return f"contract:{entry.values[0].value}"
    rel = _relpath(entry, root)
    if rel is None:
        raise BadInput("the entry has no file and line to name it by", "give its bank reference or import id")
    return f"at:{rel}:{m.get('lineno')}"


def resolve(entries: Sequence[Any], root: Path, ref: str) -> Any:
    """The one entry REF names: ``file:line``, an import id, a bank reference or a contract id."""
    ref = ref.strip()
    if not ref:
        raise BadInput("no REF", "give a bank reference, import id, contract id or file:line")
    at = _AT.match(ref)
    if at:
        rel, line = at.group("file"), int(at.group("line"))
        target = str((root / rel).resolve())
        found = [e for e in entries if (e.meta or {}).get("lineno") == line
                 and (e.meta.get("filename") == target or _relpath(e, root) == rel)]
        if not found:
            raise BadInput(f"no entry starts at {ref}", "give the file (relative to the compound) and the entry's first line")
        return found[0]
    hits = [e for e in entries if isinstance(e, data.Transaction | data.Custom)
            and ((e.meta or {}).get("import_id") == ref or (e.meta or {}).get("bank_ref") == ref)]
    if not hits:
        hits = [e for e in entries if isinstance(e, data.Custom) and e.type == "contract" and e.values
                and str(e.values[0].value).upper() == ref.upper() and len(e.values) > 1
                and e.values[1].value == "recorded"]
    if not hits:
        raise BadInput(f"nothing in the ledger is named {ref!r}",
                       "give a bank reference (流水号), an import id, a contract id or file:line (e.g. journal.beancount:120)")
    if len(hits) > 1:
        where = ", ".join(f"{_relpath(e, root)}:{e.meta.get('lineno')}" for e in hits[:5])
        raise BadInput(f"{ref!r} names {len(hits)} entries ({where})", "give the one you mean as file:line")
    return hits[0]


def account_of(entry: Any) -> str:
    """The account a voucher hangs on in Fava: the line's income or expense account."""
    if isinstance(entry, data.Transaction):
        names = [p.account for p in entry.postings]
        for prefix in ("Income:", "Expenses:", "Liabilities:Deposits"):
            hit = next((a for a in names if a.startswith(prefix)), None)
            if hit:
                return hit
        return next((a for a in names if a != accounts.BANK), names[0] if names else accounts.REGISTRY)
    account = getattr(entry, "account", None)
    return str(account) if account else accounts.REGISTRY


# ------------------------------------------------------------------ writes

@dataclass(frozen=True)
class Attached:
    entry: Any  # the entry the vouchers are for
    key: str
    staged: tuple[Any, ...]  # new document directives
    already: tuple[str, ...]  # files already linked to it


def attach(txn: Transaction, day: dt.date, ref: str, files: Sequence[Path], *,
           within: Path | None = None) -> Attached:
    """Stage scans and their links to the entry REF names (nothing of the entry changes).

    A scan already linked to the entry is left alone, so attaching twice adds nothing.
    ``within``: the folder the files must be in (a sheet's)."""
    if not files:
        raise BadInput("no FILE given", "give the scan(s) to attach: PDF, JPEG or PNG")
    after = txn.after()
    root = txn.compound.root
    entry = resolve(after.entries, root, ref)
    sealed = max((s.through for s in seals_from_entries(after.entries)), default=None)
    if sealed is not None and day <= sealed:
        raise BadInput(f"{day} is inside the period sealed through {sealed}",
                       f"attach with a date after {sealed} (the voucher's link is dated the day it is attached)")
    if day < entry.date:
        raise BadInput(f"--date {day} is before the entry's date {entry.date}", "attach on or after the entry's date")
    key = link_key(entry, root)
    linked = {str(e.meta.get("sha256")) for e in after.entries
              if isinstance(e, data.Document) and e.meta.get(KEY) == key}
    limit = max_bytes_of(after.options)
    staged: list[Any] = []
    already: list[str] = []
    for f in files:
        blob, kind, sha = read_scan(Path(f), limit, str(within) if within else None)
        if sha in linked:
            already.append(str(f))
            continue
        rel = stage_scan(txn, blob, kind, sha)
        linked.add(sha)
        staged.append(data.Document(meta(**{KEY: key, "sha256": sha}), day, account_of(entry), rel,
                                    frozenset(), frozenset()))
    if staged:
        txn.append(PART, staged, render=format_entry)
    return Attached(entry, key, tuple(staged), tuple(already))


# ------------------------------------------------------------------ for the pages and the audit

@dataclass
class VoucherIndex:
    by_key: dict[str, list[Voucher]] = field(default_factory=dict)
    at: list[tuple[str, int, Voucher]] = field(default_factory=list)  # file:line links

    def of_entry(self, entry: Any) -> list[Voucher]:
        m = getattr(entry, "meta", None) or {}
        keys = []
        if m.get("import_id"):
            keys.append(f"import_id:{m['import_id']}")
        if m.get("bank_ref"):
            keys.append(f"bank_ref:{m['bank_ref']}")
        if isinstance(entry, data.Custom) and entry.type == "contract" and entry.values:
            keys.append(f"contract:{entry.values[0].value}")
        out: list[Voucher] = []
        for k in keys:
            out.extend(self.by_key.get(k, ()))
        fn, line = str(m.get("filename", "")), m.get("lineno")
        for rel, n, v in self.at:
            if n == line and (fn == rel or fn.endswith("/" + rel)):
                out.append(v)
        seen: set[str] = set()
        return [v for v in out if not (v.sha256 in seen or seen.add(v.sha256))]  # type: ignore[func-returns-value]


def index_entries(entries: Iterable[Any]) -> VoucherIndex:
    idx = VoucherIndex()
    for e in entries:
        if type(e) is not data.Document:
            continue
        key = e.meta.get(KEY)
        if not key:
            continue
        fn = str(e.filename)
        kind = fn.rsplit(".", 1)[-1].lower()
        v = Voucher(fn, str(e.meta.get("sha256", "")), "jpg" if kind == "jpeg" else kind, e.date, str(key), e)
        key = str(key)
        if key.startswith("at:"):
            at = _AT.match(key[3:])
            if at:
                idx.at.append((at.group("file"), int(at.group("line")), v))
        else:
            idx.by_key.setdefault(key, []).append(v)
    return idx


_CACHE: dict[int, tuple[Books, VoucherIndex]] = {}


def index(books: Books) -> VoucherIndex:
    found = _CACHE.get(id(books))
    if found is not None and found[0] is books:
        return found[1]
    idx = index_entries(books.entries)
    _CACHE.clear()
    _CACHE[id(books)] = (books, idx)
    return idx


def for_entry(books: Books, entry: Any) -> list[Voucher]:
    """The vouchers of an entry (a transaction, or a contract's entry), oldest first."""
    return index(books).of_entry(entry)


def threshold(books: Books) -> Decimal | None:
    """Lines above this many yuan need a voucher (None: the compound sets no threshold)."""
    text = books.options.get("voucher-threshold").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def lines(books: Books, as_of: dt.date | None = None) -> list[Line]:
    """Every line of income (gross) and of cost or spending paid out, in date order, with its
    vouchers; flagged when above the threshold and without one."""
    idx = index(books)
    limit = threshold(books)
    out: list[Line] = []
    seen: set[int] = set()

    def add(entry: Any, kind: str, amount: Decimal) -> None:
        vs = tuple(idx.of_entry(entry))
        flagged = limit is not None and amount > limit and not vs
        out.append(Line(entry, entry.date, kind, amount, vs, flagged))

    for inc in books.income:
        if as_of is None or inc.date <= as_of:
            seen.add(id(inc.entry))
            add(inc.entry, "income", inc.gross)
    spent: dict[int, tuple[Any, Decimal]] = {}
    for mv in books.spending:
        if id(mv.entry) in seen or (as_of is not None and mv.date > as_of) or mv.amount <= 0:
            continue
        e, total = spent.get(id(mv.entry), (mv.entry, ZERO))
        spent[id(mv.entry)] = (e, total + mv.amount)
    for e, total in spent.values():
        add(e, "cost", total)
    out.sort(key=lambda x: x.date)
    return out


def check_files(books: Books) -> list[tuple[Voucher, str]]:
    """Vouchers whose stored file is missing or no longer has the recorded sha256."""
    out = []
    for vs in [*index(books).by_key.values(), [v for _, _, v in index(books).at]]:
        for v in vs:
            try:
                with open(v.filename, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                out.append((v, "文件缺失"))
                continue
            if digest != v.sha256:
                out.append((v, f"文件内容的sha256为{digest[:16]}…，登记为{v.sha256[:16]}…"))
    return out
