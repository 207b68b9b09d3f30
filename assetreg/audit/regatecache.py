"""The re-gate (:mod:`assetreg.audit.regate`) as the plugin runs it: skipped for a state
already re-gated clean.

Re-gating every recorded contract costs little (a few tenths of a millisecond each), but it
needs the policy package, whose pydantic models take about 0.2 s to import -- more than
the rest of a small compound's load. So, as with the seals (:mod:`assetreg.sealcache`), the
plugin remembers the fingerprint of a state whose contracts all passed -- every file the
load read, the compound's policy file and archived sets, and this code -- in the user's
cache folder, and skips the work (and the import) while the state is unchanged. Any edit
to a ledger file changes the fingerprint, so a tampered contract is always re-gated.
``assetreg audit`` always re-gates in full.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any

from .. import sealcache
from .context import Context
from .findings import Finding

_HERE = Path(__file__).resolve().parent


def check_regate(ctx: Context) -> list[Finding]:
    """The full re-gate (the audit's)."""
    from . import regate  # the policy package's pydantic models: imported only when re-gating

    return regate.check_regate(ctx)


def check_regate_cached(ctx: Context) -> list[Finding]:
    """The plugin's: nothing to do for a state that re-gated clean before."""
    state = fingerprint(ctx.options_map)
    if state is not None and _slot(ctx.options_map).is_file():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            if _slot(ctx.options_map).read_text(encoding="ascii").strip() == state:
                return []
    found = check_regate(ctx)
    if state is not None and not any(f.check == "contract-regate" for f in found):
        _remember(ctx.options_map, state)
    return found


def fingerprint(options_map: dict[str, Any]) -> str | None:
    base = sealcache.fingerprint(options_map)
    if base is None:
        return None
    h = hashlib.sha256(base.encode("ascii"))
    root = os.path.dirname(os.path.abspath(str(options_map.get("filename", ""))))
    policy_dir = _HERE.parent / "policy"
    extra = [os.path.join(root, "policy.yaml"), os.path.join(root, "policy-sets"),
             str(_HERE / "regate.py"), *(str(p) for p in sorted(policy_dir.glob("*.py")))]
    try:
        import policies  # the district sets' folder (a data package, no models): its files count too

        extra.extend(str(p) for p in sorted(Path(next(iter(policies.__path__))).glob("*.yaml")))
    except (ImportError, StopIteration):
        pass
    for name in extra:
        try:
            st = os.stat(name)
        except OSError:
            h.update(f"{name}\0-\0".encode("utf-8", "surrogateescape"))
            continue
        h.update(f"{name}\0{st.st_mtime_ns}\0{st.st_size}\0".encode("utf-8", "surrogateescape"))
        if os.path.isdir(name):
            for entry in sorted(os.listdir(name)):
                p = os.path.join(name, entry)
                with contextlib.suppress(OSError), open(p, "rb") as f:
                    h.update(entry.encode("utf-8", "surrogateescape") + hashlib.sha256(f.read()).digest())
        elif name.endswith((".yaml", ".json")):
            with contextlib.suppress(OSError), open(name, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def _slot(options_map: dict[str, Any]) -> Path:
    return sealcache.slot(options_map, "regate-verified")


def _remember(options_map: dict[str, Any], state: str) -> None:
    sealcache.write_slot(_slot(options_map), state)
