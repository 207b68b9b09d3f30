"""Finding the compounds of a district and fingerprinting their files.

A compound is a folder holding ``main.beancount``; the search does not descend into one
(its ``documents/`` or ``sources/`` are not compounds) nor into hidden folders (the
district store lives in ``ROOT/.assetreg-district`` by default).

The fingerprint is a hash of every non-hidden file in the compound folder, by relative
path and content: two builds see the same fingerprint exactly when the files are
byte-identical, so an unchanged compound need not be loaded again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput
from ..ledger import MAIN

STORE_DIR = ".assetreg-district"  # the store's default folder in the root (hidden: no compound)


@dataclass(frozen=True)
class CompoundDir:
    id: str  # the folder's name, as everywhere else in assetreg
    path: Path


def find_compounds(root: Path) -> list[CompoundDir]:
    """Every compound folder under ``root``, sorted by id; BadInput when there is none."""
    if not root.is_dir():
        raise BadInput(f"district root {root} is not a folder",
                       "give the folder that holds the compound folders, e.g. ledgers/")
    if (root / MAIN).is_file():
        raise BadInput(f"{root} is itself a compound (it holds {MAIN})",
                       f"give the folder above it: {root.resolve().parent}")
    found: dict[str, Path] = {}
    for here, dirs, files in os.walk(root):
        if MAIN in files and Path(here) != root:
            path = Path(here)
            if path.name in found:
                raise BadInput(f"two compounds are both named {path.name!r}: {found[path.name]} "
                               f"and {path}", "rename one folder; a compound's id is its folder name")
            found[path.name] = path
            dirs[:] = []  # a compound's own subfolders hold no compounds
            continue
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    if not found:
        raise BadInput(f"no compound under {root} (no folder holding {MAIN})",
                       "give the folder that holds the compound folders, e.g. ledgers/")
    return [CompoundDir(k, found[k].resolve()) for k in sorted(found)]


# A file as last hashed: (size, mtime in ns, inode, sha256 hex); keyed by relative path.
FileState = tuple[int, int, int, str]


def fingerprint(folder: Path, seen: dict[str, FileState] | None = None
                ) -> tuple[str, dict[str, FileState]]:
    """sha256 over every non-hidden file's relative path and content, and each file's state.

    A file whose size, mtime and inode are those in ``seen`` is not read again (as git's
    index does); any other file is hashed, so the fingerprint still changes exactly when
    a file's bytes, a file's name or the set of files does."""
    seen = seen or {}
    h = hashlib.sha256()
    states: dict[str, FileState] = {}
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            p = Path(here) / name
            rel = p.relative_to(folder).as_posix()
            st = p.stat()
            old = seen.get(rel)
            if old is not None and old[:3] == (st.st_size, st.st_mtime_ns, st.st_ino):
                digest = old[3]
            else:
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
            states[rel] = (st.st_size, st.st_mtime_ns, st.st_ino, digest)
            h.update(rel.encode("utf-8") + b"\0" + bytes.fromhex(digest))
    return "sha256:" + h.hexdigest(), states
