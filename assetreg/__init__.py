"""assetreg: registry and double-entry ledger of a compound's common assets.

The Beancount ledger in each compound folder is the one source of truth; every
model in this package is derived from its entries.
"""

__version__ = "0.1.0"
