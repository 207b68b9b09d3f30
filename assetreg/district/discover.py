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


def fingerprint(folder: Path) -> str:
    """sha256 over every non-hidden file's relative path and content."""
    h = hashlib.sha256()
    for here, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            p = Path(here) / name
            h.update(p.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return "sha256:" + h.hexdigest()
