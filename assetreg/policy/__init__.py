"""The policy gate: policy sets as data, the decision engine, and the contract gate.

    from assetreg.policy import load_policy_set, Proposal, decide, record

    ps = load_policy_set(compound)
    proposal = Proposal.from_mapping(yaml_dict, "contract.yaml")
    with compound.transaction() as txn:
        decision = record(txn, proposal, ps)   # contract if permitted, else the decisions log
"""

from ..vocab import USES
from .engine import FORBIDDEN, NOT_PERMITTED, PERMITTED, Decision, RuleResult, decide
from .gate import DECISION_TYPE, check, end_contract, record
from .loading import (
    COMPOUND_POLICY_FILE,
    DEFAULT_DISTRICT,
    available_sets,
    load_district,
    load_file,
    load_policy_set,
    policy_hash,
)
from .proposal import Proposal
from .schema import PolicySet

__all__ = [
    "COMPOUND_POLICY_FILE", "DECISION_TYPE", "DEFAULT_DISTRICT", "FORBIDDEN", "NOT_PERMITTED",
    "PERMITTED", "USES", "Decision", "PolicySet", "Proposal", "RuleResult", "available_sets",
    "check", "decide", "end_contract", "load_district", "load_file", "load_policy_set",
    "policy_hash", "record",
]
