"""The policy sets contracts were decided under, kept in the compound folder.

A recorded contract names the policy set that let it in by id and hash. The district's
set and the compound's ``policy.yaml`` change over time, so the hash alone cannot bring
that set back. The gate therefore stages, with the first decision made under a set, the
set itself::

    ledgers/<compound>/policy-sets/<sha256 hex>.json

in exactly the canonical JSON :func:`~assetreg.policy.loading.policy_hash` hashes, so the
file's own sha256 is its name and the recorded ``policy_hash``: a file edited by hand
no longer matches and is not used. The audit's re-gate (``contract-regate``) judges each
contract under the set it finds here, and the write history watches the folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import ValidationError

from ..ledger import Transaction
from .schema import PolicySet

ARCHIVE_DIR = "policy-sets"


def canonical(ps: PolicySet) -> str:
    """The text :func:`assetreg.policy.loading.policy_hash` hashes."""
    return json.dumps(ps.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def path_for(root: Path, set_hash: str) -> Path | None:
    hexdigest = set_hash.removeprefix("sha256:")
    if len(hexdigest) != 64 or any(c not in "0123456789abcdef" for c in hexdigest):
        return None
    return root / ARCHIVE_DIR / f"{hexdigest}.json"


def archive(txn: Transaction, ps: PolicySet, set_hash: str) -> None:
    """Stage the set in the compound's archive unless it is there (or staged) already."""
    path = path_for(txn.compound.root, set_hash)
    if path is None or path.is_file() or txn.stages_file(path):
        return
    text = canonical(ps)
    if "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest() != set_hash:
        return  # not the set this hash names: keep nothing rather than a wrong set
    txn.write_file(path, text)


def recorded(root: Path, set_hash: str) -> PolicySet | None:
    """The set with this hash from the compound's archive, when its file is intact."""
    path = path_for(root, set_hash)
    if path is None:
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if "sha256:" + hashlib.sha256(raw).hexdigest() != set_hash:
        return None
    try:
        return PolicySet.model_validate(json.loads(raw.decode("utf-8")))
    except (ValueError, ValidationError):
        return None
