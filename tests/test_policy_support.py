"""Shared ledger fixtures for the policy-gate tests (no tests here).

``gate_root(root)`` turns the small compound into one with an asset in every zone the
default policy set cares about, all confirmed on 2024-01-20 (S-01 and AD-004 affect unit
1-101, whose owner OWN-0001 consented on 2024-03-10), and four resolutions:
R-2024-01 (item 8, passed, covers every asset and guidance use), R-2024-02 (item 8,
failed) and R-2024-03 (item 5, passed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assetreg.ledger import Compound

GUIDANCE_USES = ("parking-owner,parking-nonowner,parking-managed,advertising-lift,advertising-board,"
                 "advertising-exterior,express-locker,ev-charger,ebike-charging,vending,"
                 "community-room,base-station")

# asset id -> (kind, zones, structure)
GATE_ASSETS: dict[str, tuple[str, str, str]] = {
    "P-002": ("parking", "road", ""),
    "P-009": ("parking", "fire-lane,road", ""),
    "P-010": ("parking", "green-space", ""),
    "P-020": ("parking", "civil-defence,basement", ""),
    "R-01": ("room", "public-facility", "frame"),
    "R-02": ("room", "stilt-floor", "frame"),
    "R-03": ("room", "equipment-floor", "frame"),
    "R-04": ("room", "basement", "frame"),
    "R-05": ("room", "residential-building", "frame"),
    "AD-002": ("advertising", "lift", ""),
    "AD-003": ("advertising", "exterior-wall", "external-insulation"),
    "AD-004": ("advertising", "exterior-wall", "frame"),
    "AD-005": ("advertising", "open-space", ""),
    "S-01": ("site", "roof", "frame"),
    "LK-01": ("other", "open-space", ""),
    "EV-01": ("parking", "road", ""),
    "EB-01": ("other", "lobby-stairwell", ""),
    "EB-02": ("other", "open-space", ""),
    "V-01": ("other", "open-space", ""),
}


def asset_text(aid: str, kind: str, zones: str, structure: str = "", confirm: bool = True) -> str:
    s = (f'2024-01-02 custom "asset" "{aid}" "registered"\n  kind: "{kind}"\n'
         f'  location: "测试位置"\n  zones: "{zones}"\n')
    if structure:
        s += f'  structure: "{structure}"\n'
    s += '  reason: "共有资产清查登记"\n'
    if confirm:
        s += (f'2024-01-05 custom "asset" "{aid}" "noticed"\n  days: 15\n  reason: "确权公示"\n'
              f'2024-01-20 custom "asset" "{aid}" "confirmed"\n  evidence: "documents/P-001.pdf"\n'
              '  reason: "公示期满无异议"\n')
    return s


def resolution_text(rid: str, date: str, matter: int, passed: bool, assets: str, uses: str) -> str:
    return (f'{date} custom "resolution" "{rid}"\n  matter: {matter}\n'
            f'  passed: {"TRUE" if passed else "FALSE"}\n  title: "测试决议"\n'
            f'  assets: "{assets}"\n  uses: "{uses}"\n')


def gate_root(root: Path) -> Path:
    with (root / "registry.beancount").open("a", encoding="utf-8") as f:
        for aid, (kind, zones, structure) in GATE_ASSETS.items():
            f.write(asset_text(aid, kind, zones, structure))
        f.write(asset_text("P-011", "parking", "road", confirm=False))
        # the units each site with a consents condition directly affects, and their consents
        for aid in ("S-01", "AD-004"):
            f.write(f'2024-03-01 custom "affected" "{aid}"\n  units: "1-101"\n  reason: "测试：直接受影响的住户"\n'
                    f'2024-03-10 custom "consent" "{aid}" "OWN-0001" "given"\n'
                    '  evidence: "documents/P-001.pdf"\n')
    every = "P-*,R-*,AD-*,S-*,LK-*,EV-*,EB-*,V-*"
    with (root / "contracts.beancount").open("a", encoding="utf-8") as f:
        f.write(resolution_text("R-2024-01", "2024-03-01", 8, True, every, GUIDANCE_USES))
        f.write(resolution_text("R-2024-02", "2024-03-01", 8, False, every, GUIDANCE_USES))
        f.write(resolution_text("R-2024-03", "2024-03-01", 5, True, every, GUIDANCE_USES))
        f.write(resolution_text("R-2024-04", "2024-03-01", 8, True, "P-001", "parking-owner"))
    return root


# One asset per guidance use on which a well-formed proposal is permitted.
USE_ASSET = {
    "parking-owner": "P-001", "parking-nonowner": "P-002", "parking-managed": "P-002", "advertising-lift": "AD-002",
    "advertising-board": "AD-005", "advertising-exterior": "AD-004", "express-locker": "LK-01",
    "ev-charger": "EV-01", "ebike-charging": "EB-02", "vending": "V-01",
    "community-room": "R-01", "base-station": "S-01",
}


def mapping(use: str = "parking-owner", **over: Any) -> dict[str, Any]:
    """A proposal that meets every condition of ``use`` in the default set."""
    m: dict[str, Any] = {
        "id": "C-2024-100",
        "assets": [USE_ASSET.get(use, "P-001")],
        "use": use,
        "counterparty": "OWN-0001" if use == "parking-owner" else "淮安某科技有限公司",
        "counterparty_kind": "owner" if use == "parking-owner" else "organisation",
        "signed": "2024-04-20",
        "start": "2024-05-01",
        "end": "2024-10-31",
        "price": "150.00",
        "period": "month",
        "deposit": "1000.00",
        "manager_share": "0.30",
        "resolution": "R-2024-01",
        "notice_start": "2024-04-01",
        "notice_end": "2024-04-15",
        "consents": ["OWN-0001"],
        "affected": ["OWN-0001"],
        "owners_waiting": 0,
    }
    m.update(over)
    return {k: v for k, v in m.items() if v is not None}


def loaded(root: Path) -> Any:
    return Compound.locate(root).load()
