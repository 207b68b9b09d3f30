"""Evidence files: what may be recorded as evidence, what may be served, and their hashes.

Evidence (a 确权 confirmation's scans, an owner's signed consent) is a file in the compound
folder, usually under ``documents/``, named in the ledger by its path relative to the
folder. Two things make such a path lie:

* a ``..`` component, or an absolute path, names a file outside the folder's control;
* a symbolic link, in the path or as the file, makes the bytes whatever the link points
  to today -- another compound's file, ``/etc/passwd`` through a served page, or a file
  swapped after the record.

So a reference is refused at record time (:func:`check_reference`) when it holds either,
and the server asks :func:`evidence_ok` before sending a file. The bytes are hashed when
recorded (``sha256`` on a ``document`` entry, ``evidence_sha256`` on the entry that cites
evidence); the audit (``evidence-changed``) reports a file whose bytes changed since.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path, PurePosixPath

from .errors import BadInput

DOCUMENTS = "documents"
HASH_KEY = "sha256"  # on a ``document`` entry
EVIDENCE_HASH_KEY = "evidence_sha256"  # on an entry citing evidence; ";" between several


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def problem(root: Path, ref: str) -> str | None:
    """Why ``ref`` (a path relative to the compound folder ``root``) cannot be evidence, or
    None: no ``..``, not absolute, every component below the folder a real folder or (the
    last) a regular file, none a symbolic link."""
    text = ref.strip()
    if not text:
        return "the evidence path is empty"
    if "\\" in text or "\x00" in text:
        return f"evidence path {ref!r} holds a backslash or NUL"
    p = PurePosixPath(text)
    if p.is_absolute():
        return f"evidence path {ref!r} is absolute"
    if ".." in p.parts:
        return f"evidence path {ref!r} contains '..'"
    here = Path(root)
    for i, part in enumerate(p.parts):
        if part == ".":
            continue
        here = here / part
        try:
            st = os.lstat(here)
        except FileNotFoundError:
            return f"evidence {ref!r} is not a file in the compound folder"
        except OSError as exc:
            return f"evidence {ref!r} cannot be read: {exc.strerror}"
        if stat.S_ISLNK(st.st_mode):
            return f"evidence path {ref!r} goes through a symbolic link ({'/'.join(p.parts[:i + 1])})"
        last = i == len(p.parts) - 1
        if last and not stat.S_ISREG(st.st_mode):
            return f"evidence {ref!r} is not a regular file"
        if not last and not stat.S_ISDIR(st.st_mode):
            return f"evidence path {ref!r}: {'/'.join(p.parts[:i + 1])} is not a folder"
    return None


def check_reference(root: Path, ref: str, option: str = "--evidence") -> str:
    """The reference, stripped, when it may be recorded as evidence; else BadInput."""
    why = problem(root, ref)
    if why is not None:
        raise BadInput(f"{option}: {why}; evidence must be a real file under the compound folder",
                       f"copy the scan itself (not a link to it) into {root / DOCUMENTS}/ and pass its path "
                       f"relative to the folder, e.g. {option} {DOCUMENTS}/确权材料.pdf")
    return ref.strip()


def evidence_ok(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> bool:
    """May this evidence file be served? ``path`` absolute, or relative to ``root`` (the
    compound folder). Without ``root`` the path must lie under a ``documents`` folder,
    which then plays the part. True only for a regular file reached from there with no
    ``..`` and no symbolic link on the way (the folder itself included)."""
    p = Path(path)
    if ".." in p.parts or "\x00" in str(p):
        return False
    if root is not None:
        base = Path(root)
        if not p.is_absolute():
            p = base / p
    else:
        if not p.is_absolute():
            return False
        docs = [i for i, part in enumerate(p.parts[:-1]) if part == DOCUMENTS]
        if not docs:
            return False
        base = Path(*p.parts[:docs[-1]])
    base = Path(os.path.abspath(base))
    p = Path(os.path.abspath(p))
    try:
        rel = p.relative_to(base)
    except ValueError:
        return False
    # Below the folder, component by component (documents/ itself included); the folder
    # may sit anywhere, a link among its parents is the deployment's business.
    return problem(base, rel.as_posix()) is None
