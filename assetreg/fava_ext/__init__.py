"""Fava extension: the residents' view of a compound's books, in Chinese, read-only.

Enabled in every compound ledger by ``assetreg init``::

    2000-01-01 custom "fava-extension" "assetreg.fava_ext"

Fava instantiates every ``FavaExtensionBase`` subclass found in this module, so this
module exposes exactly the five pages and nothing else that subclasses it.
"""

from .pages import AssetRegistry, Contracts, IncomeDisclosure, PolicyLists, SealsAudit

__all__ = ["AssetRegistry", "Contracts", "IncomeDisclosure", "PolicyLists", "SealsAudit"]

# Fava lists the pages in the sidebar in the alphabetical order of these class names,
# which is also the order residents read them in: 共有资产, 经营合同, 收益公示, 政策清单, 审计.
