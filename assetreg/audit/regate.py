"""``contract-regate``: every recorded contract passes the policy gate again.

A contract enters the books only through the gate, and its entry keeps the terms, a
``content_hash`` over them and the policy set (id and hash) that let it in. The hash only
shows an accidental edit: whoever edits the terms by hand can recompute it. So the audit
re-runs the gate (:func:`assetreg.policy.engine.decide_in`) on each recorded contract as it
reads now, with

* the policy set it was recorded under: the set in force when the ``policy_hash`` agrees,
  else the copy the gate archived in the compound folder (``policy-sets/<hash>.json``,
  :mod:`assetreg.policy.archive`, used only while its bytes still hash to that name);
  a contract whose set is neither (recorded before the archive existed) is judged under
  today's set -- whose rules each carry their own effective dates, applied on the signing
  day -- and reported as a warning (``contract-regate-policy-changed``);
* the ledger's facts as they stood when it was recorded: the assets' registered facts
  (zones, structure, kind) up to the later of its signing and decision days, the
  contracts recorded before it (those after it were checked against it), and the
  roster, resolutions, consents and waiting list as of its signing day (the gate's own
  rules read those as of that day).

A contract that would not pass is an error naming the contract, its entry's file:line, the
deciding rule ids, their facts and legal sources. The cost is one decision per contract,
reading the ledger index (no pass over the entries per contract), so the plugin runs it
too: ``bean-check`` fails on a hand-edited contract.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from ..contracts import Contract
from ..errors import BadInput
from ..ledger import SPLIT_FILES, Compound, Loaded
from ..policy.archive import recorded as archived
from ..policy.engine import PERMITTED, Decision, context_of, decide_in, share_cap
from ..policy.loading import DEFAULT_DISTRICT, load_district, load_policy_set, policy_hash
from ..policy.proposal import Proposal
from ..policy.schema import PolicySet
from ..registry import FACT_KEYS, Asset
from ..units import Roster, roster_from_entries
from ..vocab import PROPOSAL_FACTS, VERDICT_LABELS
from .context import Context
from .findings import Finding, finding

CHECK = "contract-regate"
CHECK_CHANGED = "contract-regate-policy-changed"  # a warning: not what the plugin fails on
RULE = ("经营合同须经负面清单与指导清单审查后方可记账（清江浦区共有资产负面清单、指导清单机制；"
        "民法典第二百七十八条、第二百八十二条）；已记录合同的条款不得手工改动，更正以终止并重新记录")

# The proposal's fields as the gate writes them into the contract entry (gate.contract_entry).
_FIELDS = ("assets", "use", "counterparty", "counterparty_kind", "start", "end", "signed", "price",
           "period", "deposit", "manager_share", "resolution", "notice_start", "notice_end",
           "consents", "affected", "owners_waiting")
CONTRACTS_FILE = SPLIT_FILES["contracts"]
_LAST = 1 << 62


def check_regate(ctx: Context) -> list[Finding]:
    books = ctx.books
    if not books.contracts:
        return []
    root = _root(ctx.options_map)
    try:
        policy, phash = _policy(root, ctx)
        loaded = Loaded(ctx.entries, [], ctx.options_map, books.options)
        share_cap(loaded)  # a malformed setting is reported once, here
    except BadInput as err:
        return [finding(CHECK, "error", f"无法加载本小区的政策集，已记录的合同未能重新审查：{err.problem}",
                        RULE, [], fix=err.fix)]
    unit_entries = tuple(books.unit_entries)
    # The roster as of a day is a function of how many roster entries precede it: most
    # signing days share one, so it is built once per distinct prefix.
    unit_days = [e.date for e in unit_entries]
    rosters: dict[int, tuple[Roster, set[str]]] = {}  # with the owner keys on that roster
    sets: dict[str, PolicySet | None] = {}  # recorded hash -> the archived set, if intact
    order = _recorded_order(books.contracts, books.contract_entries)
    out: list[Finding] = []
    # In the order recorded: a contract that fails is one the gate would never have let in,
    # so the contracts recorded after it are judged without it (an end date moved by hand
    # into the next contract's term is reported once, on the contract edited).
    failed: set[str] = set()
    for c in sorted(books.contracts.values(), key=lambda c: order.get(c.id, _LAST)):
        entry = books.contract_entries.get(c.id)
        try:
            proposal = proposal_of(c)
        except BadInput as err:
            out.append(finding(CHECK, "error",
                               f"合同{c.id}的记录条款不是一份有效合同（recorded terms invalid）：{err.problem}",
                               RULE, [entry], contract=c.id, fix=err.fix))
            failed.add(c.id)
            continue
        cutoff = max(proposal.signing_date, _day(c.meta.get("decided")) or proposal.signing_date)
        assets: list[Asset] = []
        unknown = []
        for aid in proposal.assets:
            a = books.registry.get(aid)
            if a is None:
                unknown.append(aid)
            else:
                assets.append(_as_of(a, cutoff))
        if unknown:
            out.append(finding(CHECK, "error", f"合同{c.id}所涉资产{','.join(unknown)}不在登记簿中",
                               RULE, [entry], contract=c.id, assets=",".join(unknown)))
            failed.add(c.id)
            continue
        mine = order.get(c.id)
        before = {o.id: o for aid in proposal.assets for o in books.contracts_by_asset.get(aid, ())
                  if o.id != c.id and o.id not in failed
                  and (mine is None or o.id not in order or order[o.id] < mine)}
        day = proposal.signing_date
        n = bisect.bisect_right(unit_days, day)
        if n not in rosters:
            signed = roster_from_entries(unit_entries[:n])
            rosters[n] = (signed, {u.owner for u in signed.units.values()})
        roster, owner_keys = rosters[n]
        used, used_hash, exact = _recorded_set(root, c, policy, phash, sets)
        decision = decide_in(context_of(
            proposal, assets, books.resolutions, before, owner_keys, used, share_cap(loaded, day), books.consents,
            books.waitlist, roster, unit_entries), used_hash)
        if decision.verdict == PERMITTED:
            continue
        failed.add(c.id)
        out.append(_finding(c, entry, decision, used, used_hash, exact))
    return out


def _recorded_set(root: Path | None, c: Contract, policy: PolicySet, phash: str,
                  sets: dict[str, PolicySet | None]) -> tuple[PolicySet, str, bool]:
    """The set to judge ``c`` under, its hash, and whether it is the one it was recorded
    under: the set in force when the hashes agree, else the compound's archived copy
    (policy-sets/), else -- not exact -- the set in force."""
    recorded_hash = str(c.meta.get("policy_hash", "") or "")
    if recorded_hash == phash:
        return policy, phash, True
    if recorded_hash and root is not None:
        if recorded_hash not in sets:
            sets[recorded_hash] = archived(root, recorded_hash)
        found = sets[recorded_hash]
        if found is not None:
            return found, recorded_hash, True
    return policy, phash, False


def _finding(c: Contract, entry: Any, decision: Decision, policy: PolicySet, phash: str,
             exact: bool) -> Finding:
    recorded_set = str(c.meta.get("policy_set", ""))
    recorded_hash = str(c.meta.get("policy_hash", ""))
    rules = decision.rule_ids
    rule_facts = {r.id: r.facts for r in decision.deciding}
    verdict = VERDICT_LABELS.get(decision.verdict, decision.verdict)
    if exact:
        how = f"按记录时的政策集{policy.id}（哈希{phash[:19]}…一致）重新审查"
        check, severity = CHECK, "error"
    else:
        how = (f"记录时的政策集{recorded_set or '（未记录）'}（{recorded_hash[:19] or '无哈希'}）已变更且未存档，"
               f"按现行政策集{policy.id}在签约日有效的规则重新审查")
        check, severity = CHECK_CHANGED, "warning"
    message = (f"合同{c.id}{how}：{verdict}——{decision.reasons}"
               f"（{check}: {','.join(rules)}；记录的决定为{c.meta.get('decision', '?')}）")
    return finding(
        check, severity, message, f"{RULE}；{decision.sources}", [entry],
        contract=c.id, verdict=decision.verdict, rules=",".join(rules),
        signed=decision.proposal.signing_date, policy_set=policy.id, policy_hash_used=phash,
        policy_set_recorded=recorded_set, policy_hash_recorded=recorded_hash,
        sources=decision.sources,
        rule_facts=json.dumps(_jsonable(rule_facts), ensure_ascii=False, sort_keys=True))


def proposal_of(c: Contract) -> Proposal:
    """The proposal a recorded contract entry says was decided (its terms as they read now)."""
    m = c.meta
    mapping: dict[str, Any] = {"id": c.id}
    for k in _FIELDS:
        v = m.get(k)
        if v is None:
            continue
        if hasattr(v, "number") and hasattr(v, "currency"):  # an Amount
            mapping["currency"] = v.currency
            v = v.number
        elif k == "owners_waiting":
            v = int(v)
        mapping[k] = v
    for f in str(m.get("facts", "") or "").split(","):
        if f.strip() in PROPOSAL_FACTS:
            mapping[f.strip()] = True
    return Proposal.from_mapping(mapping, f"{c.source}: contract {c.id}")


def _as_of(a: Asset, day: dt.date) -> Asset:
    """The asset with its registered facts as they stood on ``day`` (its status is read by
    date already)."""
    if not any(ev.date > day and ev.action in ("registered", "amended") for ev in a.events):
        return a
    facts: dict[str, str] = {}
    for ev in a.events:
        if ev.date <= day and ev.action in ("registered", "amended"):
            facts.update({k: str(ev.meta[k]) for k in FACT_KEYS if k in ev.meta})
    return dataclasses.replace(a, facts=facts)


def _recorded_order(contracts: dict[str, Contract], entries: dict[str, Any]) -> dict[str, int]:
    """Each contract's place in the order it was recorded: the gate appends to the contracts
    file, so its line there. A contract in another file (written by hand) has no place and
    is compared with every other."""
    order: dict[str, int] = {}
    for cid in contracts:
        meta = getattr(entries.get(cid), "meta", None) or {}
        line = meta.get("lineno")
        if isinstance(line, int) and os.path.basename(str(meta.get("filename", ""))) == CONTRACTS_FILE:
            order[cid] = line
    return order


_POLICY_CACHE: dict[tuple[Any, ...], tuple[PolicySet, str]] = {}


def _policy(root: Path | None, ctx: Context) -> tuple[PolicySet, str]:
    """The policy set in force for the compound and its hash (kept while the files that make
    it are unchanged: a Fava reload or a second audit does not validate the YAML again)."""
    district = ctx.books.options.get("district") or ""
    override = root / "policy.yaml" if root is not None else None
    key = (district, str(root), _stamp(override))
    found = _POLICY_CACHE.get(key)
    if found is None:
        if root is not None:
            ps = load_policy_set(Compound(root), Loaded(ctx.entries, [], ctx.options_map, ctx.books.options))
        else:
            ps = load_district(district or DEFAULT_DISTRICT)
        found = _POLICY_CACHE[key] = (ps, policy_hash(ps))
    return found


def _stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _root(options_map: dict[str, Any]) -> Path | None:
    name = options_map.get("filename") if options_map else None
    if not name or str(name).startswith("<"):
        return None
    return Path(os.path.dirname(os.path.abspath(str(name))))


def _day(v: Any) -> dt.date | None:
    return v if isinstance(v, dt.date) else None


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set):
        return [_jsonable(x) for x in v]
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    return str(v)
