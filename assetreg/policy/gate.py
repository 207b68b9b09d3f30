"""The gate: write a contract only when permitted; log a rejected proposal otherwise.

:func:`record` stages into a caller's :class:`~assetreg.ledger.Transaction` and never
opens one, so an importer can put many rows through the gate in one atomic write. It
decides on :meth:`~assetreg.ledger.Transaction.after`, the ledger as it will be once the
transaction commits, so contracts and resolutions staged earlier count in later checks.

A rejected proposal goes to the decisions log (``decisions.beancount``) for residents::

    2024-04-20 custom "decision" "C-2024-009" "forbidden"
      use: "parking-owner"
      assets: "P-031"
      counterparty: "OWN-0417"
      rules: "N-FIRE-LANE"
      reasons: "占用消防车道、疏散通道或安全出口"
      sources: "《中华人民共和国消防法》第二十八条"
      policy_set: "huaian-qingjiangpu"
      policy_hash: "sha256:…"
      decided: 2024-04-20
      content_hash: "sha256:…"
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from beancount.core import data

from ..contracts import CONTRACT_TYPE, content_hash, contracts_from_entries
from ..errors import BadInput
from ..ledger import Loaded, Transaction, custom, source_of
from .archive import archive
from .engine import Decision, decide
from .proposal import Proposal
from .schema import PolicySet

DECISION_TYPE = "decision"


def contract_entry(proposal: Proposal, decision: Decision, day: dt.date) -> data.Custom:
    terms = proposal.terms()
    facts = ",".join(k for k, v in proposal.facts.items() if v)
    # Dated on signing, so the entry precedes its billing periods and any early end in
    # the ledger's date order; the day of the decision is kept in ``decided``.
    return custom(
        proposal.signing_date, CONTRACT_TYPE, [proposal.id, "recorded"],
        **terms,
        affected=",".join(proposal.affected) or None,
        owners_waiting=proposal.owners_waiting,
        facts=facts or None,
        policy_set=decision.policy_set,
        policy_hash=decision.policy_hash,
        decision=decision.verdict,
        rules=",".join(decision.rule_ids),
        decided=day,
        content_hash=content_hash(terms),
    )


def decision_entry(proposal: Proposal, decision: Decision, day: dt.date) -> data.Custom:
    return custom(
        day, DECISION_TYPE, [proposal.id, decision.verdict],
        use=proposal.use,
        assets=",".join(proposal.assets),
        counterparty=proposal.counterparty.strip(),
        rules=",".join(decision.rule_ids),
        reasons=decision.reasons,
        sources=decision.sources,
        policy_set=decision.policy_set,
        policy_hash=decision.policy_hash,
        decided=day,
        content_hash=content_hash(proposal.terms()),
    )


def check_new_id(loaded: Loaded, proposal: Proposal) -> None:
    existing = contracts_from_entries(loaded.entries)
    if proposal.id in existing:
        raise BadInput(f"contract {proposal.id} is already recorded ({existing[proposal.id].source})",
                       "give the new contract its own id; a recorded contract is never rewritten")


def check(txn_or_loaded: Transaction | Loaded, proposal: Proposal, policy_set: PolicySet) -> Decision:
    """The dry run of :func:`record`."""
    loaded = txn_or_loaded.after() if isinstance(txn_or_loaded, Transaction) else txn_or_loaded
    check_new_id(loaded, proposal)
    return decide(proposal, loaded, policy_set)


def logged_rejection(loaded: Loaded, proposal: Proposal, decision: Decision) -> str | None:
    """``file:line`` of a rejection already logged for this proposal -- same id, same content
    hash, same verdict and deciding rules -- or None."""
    want = content_hash(proposal.terms())
    rules = ",".join(decision.rule_ids)
    for e in loaded.entries:
        if (type(e) is data.Custom and e.type == DECISION_TYPE and len(e.values) >= 2
                and e.values[0].value == proposal.id and e.values[1].value == decision.verdict
                and e.meta.get("content_hash") == want and e.meta.get("rules") == rules):
            return source_of(e)
    return None


def record(txn: Transaction, proposal: Proposal, policy_set: PolicySet,
           *, day: dt.date | None = None) -> Decision:
    """Decide ``proposal`` and stage the result in ``txn``: the contract (part "contracts")
    when permitted, a rejected-proposal entry (part "decisions") otherwise -- once: the same
    proposal denied again for the same rules stages nothing and says where it was logged."""
    day = day or dt.date.today()
    loaded = txn.after()
    check_new_id(loaded, proposal)
    decision = decide(proposal, loaded, policy_set)
    if decision.permitted:
        txn.append("contracts", [contract_entry(proposal, decision, day)])
        # the set itself, so the audit can re-run this decision under it (issue 14)
        archive(txn, policy_set, decision.policy_hash)
        return decision
    earlier = logged_rejection(loaded, proposal, decision)
    if earlier is not None:
        return replace(decision, already_logged=earlier)
    txn.append("decisions", [decision_entry(proposal, decision, day)])
    return decision


def end_contract(txn: Transaction, contract_id: str, day: dt.date, reason: str) -> data.Custom:
    """Stage the early end of a contract (an event; the recorded entry is never edited)."""
    cid = contract_id.strip().upper()
    found = contracts_from_entries(txn.after().entries)
    c = found.get(cid)
    if c is None:
        raise BadInput(f"no contract {cid} in the ledger", "check the id with `assetreg contract list`")
    if c.ended is not None:
        raise BadInput(f"contract {cid} already ended on {c.ended}", "an end is recorded once")
    if not reason.strip():
        raise BadInput("ending a contract needs a reason", "pass --reason '…'")
    if day < c.start or day > c.terms["end"]:
        raise BadInput(f"end date {day} is outside the term of {cid} ({c.start} to {c.terms['end']})",
                       "give the first day the contract is no longer in force, within its term")
    entry = custom(day, CONTRACT_TYPE, [cid, "ended"], reason=reason.strip())
    txn.append("contracts", [entry])
    return entry
