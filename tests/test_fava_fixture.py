"""A compound with contracts, income, costs and allocations, for the residents' pages.

Used by the view, page, serve and browser tests (imported as a plain module; it has no
tests of its own). Until the example compound exists, this is the richest ledger the
pages are tested against; its figures are summed independently in :func:`expected`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from beancount import loader
from beancount.parser import parser

from assetreg.contracts import content_hash, contracts_from_entries
from assetreg.scaffold import init_compound

UNITS = """
2020-01-01 custom "unit" "1-101"
  building: "1"
  area: 90.00
  owner: "OWN-0001"
  unsold: FALSE
2020-01-01 custom "unit" "1-102"
  building: "1"
  area: 110.00
  owner: "OWN-0002"
  unsold: FALSE
2020-01-01 custom "unit" "1-201"
  building: "1"
  area: 100.00
  owner: "OWN-0002"
  unsold: FALSE
2020-01-01 custom "unit" "2-101"
  building: "2"
  area: 120.00
  owner: "DEV-0000"
  unsold: TRUE
2020-01-01 custom "unit" "2-102"
  building: "2"
  area: 80.33
  owner: "DEV-0000"
  unsold: TRUE
"""

REGISTRY = """
2024-01-02 custom "asset" "P-001" "registered"
  kind: "parking"
  location: "1号楼东侧道路"
  zones: "road"
  basis: "民法典第275条"
  reason: "共有资产清查登记"
2024-01-05 custom "asset" "P-001" "noticed"
  days: 15
  reason: "确权公示"
2024-01-20 document Equity:Registry:确权档案 "documents/P-001.pdf"
  asset: "P-001"
2024-01-20 custom "asset" "P-001" "confirmed"
  evidence: "documents/P-001.pdf"
  reason: "公示期满无异议"
2024-01-02 custom "asset" "P-002" "registered"
  kind: "parking"
  location: "2号楼北侧道路"
  zones: "road"
  reason: "共有资产清查登记"
2024-01-05 custom "asset" "P-002" "noticed"
  days: 15
  reason: "确权公示"
2024-01-21 custom "asset" "P-002" "confirmed"
  evidence: "documents/P-002.pdf"
  reason: "公示期满无异议"
2024-01-02 custom "asset" "AD-001" "registered"
  kind: "advertising"
  location: "1号楼电梯轿厢"
  zones: "lift"
  reason: "共有资产清查登记"
2024-01-02 custom "asset" "R-01" "registered"
  kind: "room"
  location: "会所一层"
  zones: "public-facility"
  reason: "共有资产清查登记"
2024-06-01 custom "asset" "R-01" "noticed"
  days: 15
  reason: "确权公示"
2024-06-03 custom "asset" "R-01" "objected"
  by: "OWN-0002"
  reason: "开发商主张该房屋为其所有"
2024-01-02 custom "asset" "S-01" "registered"
  kind: "site"
  location: "2号楼屋顶"
  zones: "roof"
  reason: "共有资产清查登记"
2024-02-01 custom "asset" "S-01" "disputed"
  reason: "运营商主张场地由开发商出租"
2024-01-02 custom "asset" "X-01" "registered"
  kind: "other"
  location: "小区南门外人行道"
  reason: "共有资产清查登记"
2024-01-10 custom "asset" "X-01" "excluded"
  reason: "市政道路，非小区共有"
"""

CONTRACTS = """
2024-01-25 custom "resolution" "R-2024-01"
  matter: 8
  passed: TRUE
  title: "关于地面停车位经营的决定"
  assets: "P-*"
  uses: "parking-owner"
  area_participating: 410.33
  area_total: 500.33
  heads_participating: 2
  heads_total: 3
  area_approving: 310.33
  heads_approving: 2
  ballots: 3
  follow_majority: FALSE
  thresholds: "参与：面积与人数均2/3以上；同意：参与面积与人数均3/4以上"
2024-01-28 custom "contract" "C-2024-001" "recorded"
  assets: "P-001"
  use: "parking-owner"
  counterparty: "OWN-0001"
  counterparty_kind: "owner"
  start: 2024-02-01
  end: 2024-12-31
  price: 150.00 CNY
  period: "month"
  deposit: 300.00 CNY
  manager_share: 0.30
  resolution: "R-2024-01"
  decision: "permitted"
  rules: "N-FIRE-LANE,G-PARKING-OWNER"
2024-01-28 custom "contract" "C-2024-002" "recorded"
  assets: "P-002"
  use: "parking-owner"
  counterparty: "OWN-0002"
  counterparty_kind: "owner"
  start: 2024-03-01
  end: 2034-02-28
  price: 450.00 CNY
  period: "quarter"
  deposit: 0.00 CNY
  manager_share: 0.30
  resolution: "R-2024-01"
  decision: "permitted"
  rules: "N-FIRE-LANE,G-PARKING-OWNER"
2024-12-20 custom "contract" "C-2025-001" "recorded"
  assets: "P-001"
  use: "parking-owner"
  counterparty: "OWN-0001"
  counterparty_kind: "owner"
  start: 2025-01-01
  end: 2034-12-31
  price: 160.00 CNY
  period: "month"
  deposit: 300.00 CNY
  manager_share: 0.30
  resolution: "R-2024-01"
  decision: "permitted"
  rules: "N-FIRE-LANE,G-PARKING-OWNER"
"""

DECISIONS = """
2024-03-01 custom "decision" "PROP-2024-01" "forbidden"
  use: "parking-nonowner"
  assets: "X-01"
  rules: "N-FIRE-LANE"
  reasons: "车位位于消防车道（消防法第28条）"
2024-04-01 custom "decision" "PROP-2024-02" "not-permitted"
  use: "storage-rental"
  assets: "R-01"
  rules: ""
  reasons: "用途不在指导清单内（默认不予准许）"
"""


def _month_starts(start: dt.date, end: dt.date, step: int = 1) -> list[dt.date]:
    out, d = [], start
    while d <= end:
        out.append(d)
        m = d.month - 1 + step
        d = dt.date(d.year + m // 12, m % 12 + 1, 1)
    return out


def journal() -> tuple[str, dict[str, Decimal]]:
    """Income on the three contracts (a few periods left unpaid), costs and allocations.

    Returns the ledger text and the contracts' income totals for independent checks.
    """
    chunks: list[str] = []
    totals = {"C-2024-001": Decimal(0), "C-2024-002": Decimal(0), "C-2025-001": Decimal(0)}

    def pay(day: dt.date, cid: str, asset: str, period: str, amount: Decimal) -> None:
        # The property company collects, keeps its 30% cost share and owes the rest.
        totals[cid] += amount
        cost = (amount * Decimal("0.30")).quantize(Decimal("0.01"))
        chunks.append(
            f'{day} * "物业公司" "停车费 {asset} {period}"\n'
            f'  asset: "{asset}"\n  contract: "{cid}"\n  period: "{period}"\n'
            f"  Assets:Receivable:物业代收   {amount - cost:.2f} CNY\n"
            f"  Expenses:Manager:物业经营成本   {cost:.2f} CNY\n"
            f"  Income:Common:停车位   {-amount:.2f} CNY\n"
        )
        chunks.append(
            f'{day + dt.timedelta(days=10)} * "物业公司" "转入共有资金专户 {asset} {period}"\n'
            f"  Assets:Bank:共有资金专户   {amount - cost:.2f} CNY\n"
            f"  Assets:Receivable:物业代收   {cost - amount:.2f} CNY\n"
        )

    for d in _month_starts(dt.date(2024, 2, 1), dt.date(2024, 12, 1)):
        if d.month != 7:  # July 2024 was never paid: arrears on C-2024-001
            pay(d + dt.timedelta(days=4), "C-2024-001", "P-001", f"{d:%Y-%m}", Decimal("150"))
    for d in _month_starts(dt.date(2024, 3, 1), dt.date(2025, 12, 1), 3):
        pay(d + dt.timedelta(days=9), "C-2024-002", "P-002", f"{d:%Y-%m}", Decimal("450"))
    for d in _month_starts(dt.date(2025, 1, 1), dt.date(2025, 12, 1)):
        pay(d + dt.timedelta(days=4), "C-2025-001", "P-001", f"{d:%Y-%m}", Decimal("160"))
    # Half of each half-year's net goes to the maintenance fund early in the next half.
    for half, day in (("2024H1", "2024-07-15"), ("2024H2", "2025-01-15"),
                      ("2025H1", "2025-07-15"), ("2025H2", "2026-01-15")):
        chunks.append(
            f'{day} * "业委会" "{half} 净收益补充维修资金"\n  period: "{half}"\n  resolution: "R-2024-01"\n'
            f"  Expenses:Allocation:补充维修资金   200.00 CNY\n  Assets:Bank:共有资金专户\n"
        )
    return "\n".join(chunks), totals


def contracts_text() -> str:
    """The contracts as the policy gate records them: with the content hash of their terms."""
    entries, errors, _ = parser.parse_string(CONTRACTS)
    assert not errors, errors
    text = CONTRACTS
    for cid, c in contracts_from_entries(entries).items():
        head = f'custom "contract" "{cid}" "recorded"\n'
        text = text.replace(head, f'{head}  content_hash: "{content_hash(c.terms)}"\n')
    return text


def build_compound(root: Path, name: str = "测试小区") -> Path:
    """A real compound folder that bean-check accepts; returns its main.beancount."""
    main = init_compound(root, name, dt.date(2020, 1, 1))
    for part, text in (("units", UNITS), ("registry", REGISTRY), ("contracts", contracts_text()),
                       ("journal", journal()[0])):
        with (root / f"{part}.beancount").open("a", encoding="utf-8") as f:
            f.write(text)
    with (root / "decisions.beancount").open("a", encoding="utf-8") as f:
        f.write(DECISIONS)
    (root / "documents" / "P-001.pdf").write_bytes(b"%PDF-1.4\n% evidence\n")
    (root / "documents" / "P-002.pdf").write_bytes(b"%PDF-1.4\n% evidence\n")
    return main


def load(main: Path):  # type: ignore[no-untyped-def]
    entries, errors, options_map = loader.load_file(str(main))
    assert not errors, [e.message for e in errors]
    return entries, options_map
