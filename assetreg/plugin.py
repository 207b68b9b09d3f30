"""Beancount plugin: the books may only carry income from confirmed common assets.

    plugin "assetreg.plugin"

    2024-03-01 custom "asset" "P-017" "registered" ...
    2024-03-05 custom "asset" "P-017" "noticed" ...
    2024-04-10 * "物业公司" "4月停车费"
      asset: "P-017"
      Assets:Receivable:物业代收   100.00 CNY
      Income:Common:停车位       -100.00 CNY

The transaction above is an error: on 2024-04-10 P-017 was under notice, not confirmed.
Every posting to an ``Income:Common`` account must name its asset(s) in an ``asset``
metadata field (on the posting or on the transaction; several separated by commas),
and each must be confirmed on the transaction's date. Illegal lifecycle steps found in
the registry (e.g. a hand-edited confirmation inside the notice window) are errors too.

The plugin adds no entries; it only reports. Each error's source is the offending entry's
metadata, so ``bean-check`` prints its file and line.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from beancount.core import data

from .accounts import INCOME_ROOT
from .registry import registry_from_entries
from .resolutions import make_resolution_check, resolutions_from_entries

__plugins__ = ("check_assets",)


class AssetregPluginError(NamedTuple):
    source: dict[str, Any]
    message: str
    entry: Any


def _asset_ids(value: Any) -> list[str]:
    return [a.strip().upper() for a in str(value).split(",") if a.strip()]


def check_assets(entries: list[Any], options_map: dict[str, Any], config: str | None = None):  # type: ignore[no-untyped-def]
    errors: list[AssetregPluginError] = []
    resolutions = resolutions_from_entries(entries)
    registry = registry_from_entries(entries, make_resolution_check(resolutions))
    for v in registry.violations:
        errors.append(AssetregPluginError(v.entry.meta, f"[registry] {v.message}", v.entry))

    prefix = INCOME_ROOT + ":"
    assets = registry.assets
    Transaction = data.Transaction
    for entry in entries:
        if type(entry) is not Transaction:
            continue
        txn_asset = entry.meta.get("asset")
        for posting in entry.postings:
            account = posting.account
            if not (account.startswith(prefix) or account == INCOME_ROOT):
                continue
            value = (posting.meta or {}).get("asset") or txn_asset
            if not value:
                errors.append(AssetregPluginError(
                    entry.meta,
                    f"[income-asset] income posted to {account} names no asset: add `asset: \"ID\"` "
                    "metadata so the income can be traced to a confirmed common asset",
                    entry))
                continue
            for asset_id in _asset_ids(value):
                asset = assets.get(asset_id)
                if asset is None:
                    errors.append(AssetregPluginError(
                        entry.meta,
                        f"[income-asset] income on unknown asset {asset_id}: register it first",
                        entry))
                elif not asset.confirmed_on(entry.date):
                    status = asset.status_on(entry.date) or "not yet registered"
                    errors.append(AssetregPluginError(
                        entry.meta,
                        f"[income-unconfirmed] income on asset {asset_id} dated {entry.date}, "
                        f"when its ownership was not confirmed (status that day: {status}); "
                        "book it only from the confirmation date (民法典第282条: income from "
                        "common parts belongs to the owners once ownership is established)",
                        entry))
    return entries, errors
