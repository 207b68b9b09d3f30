"""The 确权 steps as writes: register an asset, then notice, object, confirm, dispute,
resolve, exclude, amend.

Each function validates the step against the ledger as it will be once the transaction
commits (:meth:`~assetreg.ledger.Transaction.after`, so several steps can go in one
transaction), stages its entries (part "registry") and returns a :class:`Step`; like
:func:`assetreg.policy.gate.record` it never opens a transaction itself::

    with compound.transaction() as txn:
        confirmation.notice(txn, "P-017", dt.date(2024, 3, 5))
    with compound.transaction() as txn:
        confirmation.confirm(txn, "P-017", dt.date(2024, 3, 20),
                             evidence=["documents/P-017.pdf"])

The rules themselves are :func:`assetreg.registry.check_move`'s; this module adds what a
write needs besides: evidence must be a file in the compound folder or a ``document``
entry (a file not yet named by one gets its ``document`` entry in the same write), an
objection is recorded against the notice in force, and a notice's window defaults to the
compound's ``notice-days`` setting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.core import data

from . import accounts
from .errors import BadInput
from .evidence import EVIDENCE_HASH_KEY, HASH_KEY, check_reference, sha256_file
from .ledger import Transaction, custom, meta
from .privacy import refuse_personal_numbers
from .registry import (
    ASSET_TYPE,
    Registry,
    ResolutionCheck,
    check_move,
    registry_from_entries,
    validate_asset_id,
    validate_kind,
    validate_zones,
)
from .resolutions import make_resolution_check, resolutions_from_entries
from .units import validate_owner_key

PART = "registry"

# The reasons a step gets when the caller gives none (the CLI shows them as defaults).
REGISTER_REASON = "共有资产清查登记"
NOTICE_REASON = "确权公示"
CONFIRM_REASON = "公示期满无异议，确认为业主共有"


@dataclass(frozen=True)
class Step:
    """A lifecycle step staged on a transaction: the ``custom "asset"`` entry, and the
    ``document`` entries staged with it for evidence files not yet in the ledger."""

    asset_id: str
    action: str
    day: dt.date
    entry: data.Custom
    documents: tuple[data.Document, ...] = ()


def registry_after(txn: Transaction, asset_id: str | None = None) -> tuple[Registry, ResolutionCheck]:
    """The registry as it will be once ``txn`` commits, and the resolution check it used.

    With ``asset_id``, only that asset's events are replayed (an asset's state depends on its
    own events alone): a step over hundreds of assets in one transaction then costs one pass
    over the entries per asset, not a replay of the whole register."""
    entries = txn.after().entries
    rcheck = make_resolution_check(resolutions_from_entries(entries))
    if asset_id is not None:
        key = asset_id.strip().upper()
        entries = [e for e in entries if type(e) is data.Custom and e.type == ASSET_TYPE
                   and e.values and str(e.values[0].value).strip().upper() == key]
    return registry_from_entries(entries, rcheck), rcheck


def register(txn: Transaction, asset_id: str, day: dt.date, *, kind: str, location: str,
             description: str = "", size: str = "", basis: str = "", zones: str = "",
             structure: str = "", reason: str = REGISTER_REASON) -> Step:
    """Register a common asset (status: registered)."""
    asset_id = validate_asset_id(asset_id)
    kind = validate_kind(kind)
    zones = validate_zones(zones)
    if not location.strip():
        raise BadInput("empty --location", "say where the asset is")
    refuse_personal_numbers(location, "--location")
    refuse_personal_numbers(description, "--description")
    reg, _ = registry_after(txn, asset_id)
    check_move(reg.get(asset_id), "registered", day)
    entry = custom(day, ASSET_TYPE, [asset_id, "registered"], kind=kind,
                   location=location.strip(), description=description or None,
                   size=size or None, basis=basis or None, zones=zones or None,
                   structure=structure or None, reason=reason)
    txn.append(PART, [entry])
    return Step(asset_id, "registered", day, entry)


def step(txn: Transaction, asset_id: str, action: str, day: dt.date, *, reason: str,
         extra: dict[str, Any] | None = None, evidence: Sequence[str] = (),
         resolution: str | None = None) -> Step:
    """Any step after registration (``action`` is one of :data:`assetreg.registry.ACTIONS`)."""
    reg, rcheck = registry_after(txn, asset_id)
    a = reg.require(asset_id)
    root = txn.compound.root
    docs = _document_index(txn.after().entries, root)
    new_docs: list[data.Document] = []

    hashes: dict[str, str] = {}

    def evidence_check(ref: str) -> bool:
        # No '..', no absolute path, no symbolic link on the way (issue 14), whether or not
        # a document entry names the file already.
        if (root / ref).exists() or (root / ref).is_symlink() or ".." in Path(ref).parts:
            check_reference(root, ref)
        path = (root / ref).resolve()
        if str(path) in docs:
            if path.is_file():
                hashes[ref] = sha256_file(path)
            return True
        if path.is_file() and root in path.parents:
            hashes[ref] = sha256_file(path)
            new_docs.append(data.Document(meta(asset=a.id, **{HASH_KEY: hashes[ref]}), day,
                                          accounts.REGISTRY, str(Path(ref)), None, None))
            return True
        return False

    check_move(a, action, day, reason=reason, evidence=evidence, resolution=resolution,
               resolution_check=rcheck, evidence_check=evidence_check)
    fields: dict[str, Any] = dict(extra or {})
    if action == "objected":
        fields["notice"] = a.notice_start  # the notice the objection is recorded against
    if evidence:
        fields["evidence"] = ";".join(evidence)
        if hashes:
            fields[EVIDENCE_HASH_KEY] = ";".join(hashes.get(ref, "") for ref in evidence)
    if resolution:
        fields["resolution"] = resolution
    entry = custom(day, ASSET_TYPE, [a.id, action], **fields, reason=reason)
    txn.append(PART, [*new_docs, entry])
    return Step(a.id, action, day, entry, tuple(new_docs))


def notice(txn: Transaction, asset_id: str, day: dt.date, *, days: int | None = None,
           reason: str = NOTICE_REASON) -> Step:
    """Put an asset under public notice (公示) for ``days`` (default: the compound's
    ``notice-days``)."""
    if days is None:
        days = txn.after().options.get_int("notice-days", day)  # the window in force that day
    if days < 1:
        raise BadInput(f"notice window of {days} days", "give --days 1 or more (15 is usual)")
    return step(txn, asset_id, "noticed", day, reason=reason, extra={"days": days})


def object_(txn: Transaction, asset_id: str, day: dt.date, *, reason: str,
            by: str | None = None) -> Step:
    """Record an objection (by an owner key or unit number) against the notice in force."""
    extra = {"by": validate_owner_key(by)} if by else {}
    return step(txn, asset_id, "objected", day, reason=reason, extra=extra)


def confirm(txn: Transaction, asset_id: str, day: dt.date, *, evidence: Sequence[str],
            resolution: str | None = None, reason: str = CONFIRM_REASON) -> Step:
    """Confirm ownership (确权): evidence, and a passed notice or a cited resolution."""
    return step(txn, asset_id, "confirmed", day, reason=reason, evidence=tuple(evidence),
                resolution=resolution)


def dispute(txn: Transaction, asset_id: str, day: dt.date, *, reason: str) -> Step:
    """Mark an asset disputed (income on it is refused from this day)."""
    return step(txn, asset_id, "disputed", day, reason=reason)


def resolve(txn: Transaction, asset_id: str, day: dt.date, *, reason: str) -> Step:
    """Close a dispute; the asset returns to registered and can be re-noticed."""
    return step(txn, asset_id, "resolved", day, reason=reason)


def exclude(txn: Transaction, asset_id: str, day: dt.date, *, reason: str) -> Step:
    """Exclude an asset from the common assets (final)."""
    return step(txn, asset_id, "excluded", day, reason=reason)


def amend(txn: Transaction, asset_id: str, day: dt.date, *, reason: str,
          zones: str | None = None, structure: str | None = None, location: str | None = None,
          description: str | None = None, size: str | None = None) -> Step:
    """Record new facts about an asset (a dated event; nothing is overwritten)."""
    extra: dict[str, Any] = {}
    if zones is not None:
        extra["zones"] = validate_zones(zones)
    for k, v in (("structure", structure), ("location", location),
                 ("description", description), ("size", size)):
        if v is not None:
            extra[k] = refuse_personal_numbers(v, f"--{k}")
    if not extra:
        raise BadInput("nothing to amend",
                       "pass at least one of --zones --structure --location --description --size")
    return step(txn, asset_id, "amended", day, reason=reason, extra=extra)


def _document_index(entries: Iterable[Any], root: Path) -> set[str]:
    # Loaded document entries carry absolute paths; staged ones the path relative to the
    # compound folder, as written.
    return {str((root / e.filename).resolve()) for e in entries if isinstance(e, data.Document)}
