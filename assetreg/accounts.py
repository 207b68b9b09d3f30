"""The chart of accounts every compound ledger opens.

The bottom layer: imports nothing from assetreg.

Beancount requires the first component under a root to start with an ASCII capital,
so the English grouping comes first and the Chinese leaf is what residents read in Fava.
"""

from __future__ import annotations

from typing import Final

BANK: Final = "Assets:Bank:共有资金专户"  # owners' dedicated account, supervised by the committee
HELD_BY_MANAGER: Final = "Assets:Receivable:物业代收"  # collected by the property company, owed to owners
DEPOSITS: Final = "Liabilities:Deposits:经营押金"  # deposits held against contracts
SUSPENSE: Final = "Liabilities:Suspense:待查明款项"  # bank lines not yet matched to anything
MANAGER_COST: Final = "Expenses:Manager:物业经营成本"  # the manager's reasonable cost (Art. 282)
MAINTENANCE_FUND: Final = "Expenses:Allocation:补充维修资金"  # top-up of the maintenance fund (Art. 281)
COMMITTEE_FUNDS: Final = "Expenses:Allocation:业委会工作经费"
OTHER_USES: Final = "Expenses:Allocation:业主大会决定用途"
BANK_FEES: Final = "Expenses:Bank:银行手续费"
# Interest the bank pays on the dedicated account (结息): the owners' money, but not income
# from common parts, so outside Income:Common. Opened when first booked (assetreg.reclassify).
BANK_INTEREST: Final = "Income:Bank:银行结息"
OPENING: Final = "Equity:Opening:期初余额"
REGISTRY: Final = "Equity:Registry:确权档案"  # holds no money: evidence documents hang here

INCOME_ROOT: Final = "Income:Common"
INCOME_BY_KIND: Final = {
    "parking": "Income:Common:停车位",
    "advertising": "Income:Common:广告位",
    "room": "Income:Common:经营用房",
    "site": "Income:Common:基站场地",
    "other": "Income:Common:其他",
}

# Each income account's asset kind (the inverse of INCOME_BY_KIND).
KIND_OF_ACCOUNT: Final = {account: kind for kind, account in INCOME_BY_KIND.items()}

ALLOCATION_ROOT: Final = "Expenses:Allocation"
# Where net income went, as residents read it (the leaves of the allocation accounts).
ALLOCATION_LABELS: Final = {
    MAINTENANCE_FUND: "补充维修资金",
    COMMITTEE_FUNDS: "业委会工作经费",
    OTHER_USES: "业主大会决定用途",
}

ALL_ACCOUNTS: Final = (
    BANK,
    HELD_BY_MANAGER,
    DEPOSITS,
    SUSPENSE,
    *INCOME_BY_KIND.values(),
    MANAGER_COST,
    MAINTENANCE_FUND,
    COMMITTEE_FUNDS,
    OTHER_USES,
    BANK_FEES,
    OPENING,
    REGISTRY,
)


def is_common_income(account: str) -> bool:
    return account == INCOME_ROOT or account.startswith(INCOME_ROOT + ":")


def kind_of_income(account: str) -> str:
    """The asset kind an income account books (``other`` for an account outside the chart)."""
    return KIND_OF_ACCOUNT.get(account, "other")


def leaf(account: str) -> str:
    return account.rsplit(":", 1)[-1]
