"""Remembering that a compound's seals were verified, so ``bean-check`` need not rehash them.

Verifying a seal means hashing every sealed entry again -- most of a mature ledger. When
the files a load read are byte-identical to a state whose seals all verified, the
entries are the same and so are their hashes: the plugin may skip the work. What it
remembers is a fingerprint of that state (the SHA-256 of every file the load read, the
names of the files Beancount's ``documents`` option would turn into entries, the
compound folder and the seal scheme), one small file per compound in the user's cache
folder (``$XDG_CACHE_HOME/assetreg``, never beside the ledger).

This is only a shortcut for ``bean-check`` and Fava. ``assetreg audit`` always verifies
every seal in full, and a fingerprint that cannot be read or written just means the
plugin hashes the entries, as it would without a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from .seal import SCHEME

_CHUNK = 1 << 20


def cache_dir(kind: str = "seals-verified") -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "assetreg" / kind


def slot(options_map: dict[str, Any], kind: str = "seals-verified") -> Path:
    """The file remembering one compound's last verified state (by its main file's path)."""
    main = os.path.abspath(str(options_map.get("filename", "")))
    return cache_dir(kind) / hashlib.sha256(main.encode("utf-8", "surrogateescape")).hexdigest()


def write_slot(path: Path, state: str) -> None:
    """Write a state into a slot atomically; quietly not at all if the cache is unwritable."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(state + "\n")
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def fingerprint(options_map: dict[str, Any]) -> str | None:
    """The state a load read, or None when it cannot be told (a file gone or unreadable)."""
    files = sorted(str(f) for f in options_map.get("include") or ())
    if not files:
        return None
    h = hashlib.sha256(f"{SCHEME}\0{options_map.get('filename', '')}\0".encode())
    try:
        for name in files:
            h.update(name.encode("utf-8", "surrogateescape") + b"\0")
            with open(name, "rb") as f:
                while chunk := f.read(_CHUNK):
                    h.update(chunk)
            h.update(b"\0")
        root = os.path.dirname(str(options_map.get("filename", "")))
        for folder in options_map.get("documents") or ():
            top = os.path.join(root, folder)
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames.sort()
                for fn in sorted(filenames):
                    h.update(os.path.join(dirpath, fn).encode("utf-8", "surrogateescape") + b"\0")
    except OSError:
        return None
    return h.hexdigest()


def _slot(options_map: dict[str, Any]) -> Path:
    return slot(options_map)


def verified(options_map: dict[str, Any], state: str | None) -> bool:
    """Whether ``state`` is the last state of this compound whose seals all verified."""
    if state is None:
        return False
    try:
        return _slot(options_map).read_text(encoding="ascii").strip() == state
    except (OSError, UnicodeDecodeError):
        return False


def remember(options_map: dict[str, Any], state: str | None) -> None:
    """Record ``state`` as verified (atomically; quietly not at all if the cache is unwritable)."""
    if state is not None:
        write_slot(_slot(options_map), state)
