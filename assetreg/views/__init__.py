"""View models of a compound's books: what residents see, computed once per load.

The Fava pages (:mod:`assetreg.fava_ext`) and any CLI report call these plain functions,
so the web page and ``assetreg …`` never disagree. Every figure comes from the ledger
index (:mod:`assetreg.books`) that the plugin, the audit and the disclosure read too;
the page functions here only select and sum from it. One module per page, each
returning frozen dataclasses: :mod:`.registry` (共有资产), :mod:`.contracts` (经营合同),
:mod:`.income` (收益公示), :mod:`.policy` (政策清单), :mod:`.audit` (审计), over the
pages' books in :mod:`.base`.

Nothing here shows an owner's name or phone: the ledger holds none, and a unit lookup
reveals only the unit number, its building, its area and its share.
"""

from __future__ import annotations

from .audit import AuditPage, CheckCount, FindingRow, SealRow, audit_page
from .base import PER_PAGE, Books, Paged, Rejected, build_books, paginate, yuan
from .contracts import (
    Billing,
    BillingRow,
    ContractsPage,
    ContractSummary,
    Payment,
    RejectedRow,
    ResolutionSummary,
    TallyRatio,
    billing,
    contract_list,
    contract_page,
    contract_state,
    contract_summary,
    contracts_page,
    current_contract,
    gate_check,
    resolution_summary,
    tally_ratios,
)
from .income import (
    AccountLabel,
    AllocationLine,
    Destination,
    IncomeCharts,
    IncomeLead,
    IncomePage,
    IncomeRow,
    IncomeTotals,
    KindLabel,
    ShareRow,
    UnitShare,
    income_charts,
    income_lead,
    income_page,
    unit_share,
)
from .policy import (
    PolicyPage,
    RuleRef,
    RuleView,
    clause_text,
    condition_text,
    policy_page,
    policy_set,
    rule_index,
)
from .registry import (
    AssetPage,
    AssetRow,
    Evidence,
    Fact,
    HistoryRow,
    KindCount,
    ObjectionRow,
    PeriodAmount,
    RegistryPage,
    StatusCount,
    ZoneCount,
    asset_page,
    confirmation_chart,
    registry_page,
)
from .vouchers import (
    PaymentTrail,
    TrailStep,
    VoucherLine,
    VoucherLink,
    VouchersPage,
    vouchers_page,
)

__all__ = [
    "PER_PAGE",
    "AccountLabel",
    "AllocationLine",
    "AssetPage",
    "AssetRow",
    "AuditPage",
    "Billing",
    "BillingRow",
    "Books",
    "CheckCount",
    "ContractSummary",
    "ContractsPage",
    "Destination",
    "Evidence",
    "Fact",
    "FindingRow",
    "HistoryRow",
    "IncomeCharts",
    "IncomeLead",
    "IncomePage",
    "IncomeRow",
    "IncomeTotals",
    "KindCount",
    "KindLabel",
    "ObjectionRow",
    "Paged",
    "Payment",
    "PaymentTrail",
    "PeriodAmount",
    "PolicyPage",
    "RegistryPage",
    "Rejected",
    "RejectedRow",
    "ResolutionSummary",
    "RuleRef",
    "RuleView",
    "SealRow",
    "ShareRow",
    "StatusCount",
    "TallyRatio",
    "TrailStep",
    "UnitShare",
    "VoucherLine",
    "VoucherLink",
    "VouchersPage",
    "ZoneCount",
    "asset_page",
    "audit_page",
    "billing",
    "build_books",
    "clause_text",
    "condition_text",
    "confirmation_chart",
    "contract_list",
    "contract_page",
    "contract_state",
    "contract_summary",
    "contracts_page",
    "current_contract",
    "gate_check",
    "income_charts",
    "income_lead",
    "income_page",
    "paginate",
    "policy_page",
    "policy_set",
    "registry_page",
    "resolution_summary",
    "rule_index",
    "tally_ratios",
    "unit_share",
    "vouchers_page",
    "warm",
    "yuan",
]


def warm(books: Books) -> None:
    """Compute every page's summary ahead of the first visitor (run after a load)."""
    registry_page(books)
    contracts_page(books)
    income_page(books)
    income_charts(books)
    confirmation_chart(books)
    policy_page(books)
    audit_page(books)
