#!/usr/bin/env python3
"""Generate an example district: small compounds with varied situations, for
`assetreg district` (tests, benchmarks, a demo).

    python ledgers/make_district.py OUT [--compounds 30] [--seed 12] [--units 120] [--assets 30]

Every compound is a real ledger (units, a registry with its 确权 steps, a resolution,
contracts with their policy decisions and content hashes, monthly income from 2025-01
to 2026-10 collected by the manager and remitted, half-yearly disclosures and
allocations). Most are well run; a few, by their position in the list, are not:

    position 1   bad-disclosure    the 2026H1 disclosure never published (disclosure-overdue)
    position 2   unconfirmed       two parking spaces earn income while only registered
                                   (bean-check error: income-unconfirmed)
    position 3   cheap-ads         lift adverts let to the manager's affiliate at a fifth of
                                   the going rate (the district price finding)
    position 4   broken            a syntax error in journal.beancount (does not load)
    position 5   suspense          a bank line left in suspense; 30% to the maintenance fund
    position 6   sealed            2025 sealed through 2025-12-31
    position 9   district-only     declines to share its figures beyond the district from
                                   2026-06-01 (``district-sharing`` option)

Compound folders are named ``qjp-d12-NN-<situation>``; run it into a new folder (it
refuses a folder that exists and is not empty). Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assetreg import accounts  # noqa: E402
from assetreg.contracts import content_hash  # noqa: E402
from assetreg.ledger import Compound  # noqa: E402
from assetreg.scaffold import init_compound  # noqa: E402
from assetreg.sealing import record as record_seal  # noqa: E402

MANAGER = "淮安某物业服务有限公司"
AFFILIATE = "淮安某物业关联传媒有限公司"
AD_AGENCY = "江苏某电梯传媒有限公司"
TELECOM = "中国某通信淮安分公司"
SITUATIONS = {1: "bad-disclosure", 2: "unconfirmed", 3: "cheap-ads", 4: "broken", 5: "suspense",
              6: "sealed", 9: "district-only"}
FIRST_MONTH = dt.date(2025, 1, 1)
MONTHS = 22  # 2025-01 .. 2026-10
EVIDENCE = "documents/confirmation.pdf"
C = Decimal("0.01")


def _month_end(m: dt.date) -> dt.date:
    return (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _months() -> list[dt.date]:
    out, d = [], FIRST_MONTH
    for _ in range(MONTHS):
        out.append(d)
        d = (d + dt.timedelta(days=32)).replace(day=1)
    return out


def _asset(aid: str, kind: str, zone: str, confirmed: bool, size: str | None = None) -> str:
    text = (f'2024-09-01 custom "asset" "{aid}" "registered"\n  kind: "{kind}"\n'
            f'  location: "区域{aid}"\n  zones: "{zone}"\n  reason: "共有资产清查登记"\n')
    if size:
        text += f'  size: "{size}"\n'
    if confirmed:
        text += (f'2024-10-01 custom "asset" "{aid}" "noticed"\n  days: 15\n  reason: "确权公示"\n'
                 f'2024-11-01 custom "asset" "{aid}" "confirmed"\n  evidence: "{EVIDENCE}"\n'
                 '  reason: "公示期满无异议"\n')
    return text


def _contract(cid: str, aid: str, use: str, who: str, kind: str, price: Decimal) -> str:
    start, end = FIRST_MONTH, dt.date(2027, 12, 31)
    terms = {"assets": aid, "use": use, "counterparty": who, "counterparty_kind": kind,
             "start": start, "end": end, "price": _amt(price), "period": "month",
             "manager_share": Decimal("0.30"), "resolution": "R-2024-01"}
    return (f'2024-12-20 custom "contract" "{cid}" "recorded"\n  assets: "{aid}"\n  use: "{use}"\n'
            f'  counterparty: "{who}"\n  counterparty_kind: "{kind}"\n  start: {start}\n'
            f'  end: {end}\n  price: {price:.2f} CNY\n  period: "month"\n  manager_share: 0.30\n'
            f'  resolution: "R-2024-01"\n  decision: "permitted"\n  policy_set: "huaian-qingjiangpu"\n'
            f'  content_hash: "{content_hash(terms)}"\n')


def _amt(x: Decimal):  # type: ignore[no-untyped-def]
    from beancount.core.amount import Amount  # only for the content hash of the terms

    return Amount(x.quantize(C), "CNY")


def generate_compound(folder: Path, n: int, situation: str, rng: random.Random,
                      units: int, assets: int) -> None:
    init_compound(folder, f"清江浦区·示例小区{n:02d}", dt.date(2020, 1, 1))
    (folder / EVIDENCE).write_bytes(b"%PDF-1.4\n% confirmation evidence\n")
    n_units = max(10, int(units * rng.uniform(0.6, 1.4)))
    out = []
    for i in range(n_units):
        b = i // 60 + 1
        out.append(f'2020-01-01 custom "unit" "{b}-{i % 60 + 1:03d}"\n  building: "{b}"\n'
                   f"  area: {Decimal(rng.randint(6000, 14000)) / 100}\n  owner: \"OWN-{i:04d}\"\n"
                   f"  unsold: FALSE\n")
    (folder / "units.beancount").write_text("".join(out), encoding="utf-8")

    n_assets = max(8, int(assets * rng.uniform(0.6, 1.4)))
    n_ads = max(2, n_assets // 6)
    parking = [f"P-{i:03d}" for i in range(1, n_assets - n_ads - 1)]
    ads = [f"AD-{i:02d}" for i in range(1, n_ads + 1)]
    reg = [f'2024-09-01 document {accounts.REGISTRY} "{EVIDENCE}"\n']
    unconfirmed = set(parking[:2]) if situation == "unconfirmed" else set()
    reg += [_asset(a, "parking", "road", a not in unconfirmed) for a in parking]
    reg += [_asset(a, "advertising", "lift", True) for a in ads]
    room_m2 = Decimal(rng.randint(40, 120))
    reg.append(_asset("R-01", "room", "public-facility", True, f"{room_m2}㎡"))
    reg.append(_asset("S-01", "site", "roof", True))
    (folder / "registry.beancount").write_text("".join(reg), encoding="utf-8")

    # prices: each compound near the district's going rate; cheap-ads lets its lifts cheaply
    parking_price = Decimal(rng.choice([100, 120, 120, 150, 150, 180]))
    ad_price = Decimal(rng.choice([250, 280, 300, 300, 320, 350]))
    ad_who, ad_price = ((AFFILIATE, (ad_price / 5).quantize(C)) if situation == "cheap-ads"
                        else (AD_AGENCY, ad_price))
    room_price = (room_m2 * Decimal(rng.choice([12, 15, 18]))).quantize(C)
    site_price = Decimal(rng.choice([1500, 1800, 2000]))
    con = ['2024-12-01 custom "resolution" "R-2024-01"\n  matter: 8\n  passed: TRUE\n'
           '  title: "利用共有部分经营的决定"\n  assets: "*"\n  uses: "*"\n']
    earning: list[tuple[str, str, str, Decimal]] = []  # asset, contract, kind, price
    for i, a in enumerate(parking, 1):
        cid = f"C-P{i:03d}"
        con.append(_contract(cid, a, "parking-owner", f"OWN-{i:04d}", "owner", parking_price))
        earning.append((a, cid, "parking", parking_price))
    for i, a in enumerate(ads, 1):
        cid = f"C-AD{i:02d}"
        con.append(_contract(cid, a, "advertising-lift", ad_who, "organisation", ad_price))
        earning.append((a, cid, "advertising", ad_price))
    con.append(_contract("C-R01", "R-01", "community-room", "清江浦区某养老服务中心", "organisation",
                         room_price))
    earning.append(("R-01", "C-R01", "room", room_price))
    con.append(_contract("C-S01", "S-01", "base-station", TELECOM, "organisation", site_price))
    earning.append(("S-01", "C-S01", "site", site_price))
    (folder / "contracts.beancount").write_text("".join(con), encoding="utf-8")

    jr: list[str] = []
    half: dict[str, Decimal] = {}
    for m in _months():
        label, end = f"{m:%Y-%m}", _month_end(m)
        total = Decimal(0)
        for aid, cid, kind, price in earning:
            cost = (price * Decimal("0.30")).quantize(C)
            total += price - cost
            jr.append(f'{end} * "{MANAGER}" "{label} {aid} 公共收益"\n  asset: "{aid}"\n'
                      f'  contract: "{cid}"\n  period: "{label}"\n'
                      f"  {accounts.HELD_BY_MANAGER}  {price - cost:.2f} CNY\n"
                      f"  {accounts.MANAGER_COST}  {cost:.2f} CNY\n"
                      f"  {accounts.INCOME_BY_KIND[kind]}  {-price:.2f} CNY\n")
        jr.append(f'{end + dt.timedelta(days=10)} * "{MANAGER}" "{label} 代收公共收益转入"\n'
                  f"  {accounts.BANK}  {total:.2f} CNY\n  {accounts.HELD_BY_MANAGER}  {-total:.2f} CNY\n")
        key = f"{m.year}H{1 if m.month <= 6 else 2}"
        half[key] = half.get(key, Decimal(0)) + total
    share = Decimal("0.30") if situation == "suspense" else Decimal("0.60")
    for key, net in half.items():
        if key == "2026H2" or (key == "2026H1" and situation == "bad-disclosure"):
            continue
        year, h = int(key[:4]), key[-1]
        start = dt.date(year, 1 if h == "1" else 7, 1)
        end = dt.date(year, 6, 30) if h == "1" else dt.date(year, 12, 31)
        day = end + dt.timedelta(days=20)
        fund = (net * share).quantize(C)
        jr.append(f'{day} custom "disclosure" "{key}"\n  start: {start}\n  end: {end}\n'
                  f'  net: {net:.2f} CNY\n  report: "收益公示-{key}.xlsx"\n')
        jr.append(f'{day + dt.timedelta(days=5)} * "业委会" "{key} 净收益分配"\n'
                  f'  resolution: "R-2024-01"\n'
                  f"  {accounts.MAINTENANCE_FUND}  {fund:.2f} CNY\n"
                  f"  {accounts.COMMITTEE_FUNDS}  {net - fund:.2f} CNY\n"
                  f"  {accounts.BANK}  {-net:.2f} CNY\n")
    if situation == "suspense":
        jr.append(f'2026-09-15 * "银行" "来源不明入账"\n  {accounts.BANK}  880.00 CNY\n'
                  f"  {accounts.SUSPENSE}  -880.00 CNY\n")
    (folder / "journal.beancount").write_text("".join(jr), encoding="utf-8")
    if situation == "district-only":
        with (folder / "accounts.beancount").open("a", encoding="utf-8") as f:
            f.write('\n2026-06-01 custom "assetreg-option" "district-sharing" "district-only"\n')
    if situation == "sealed":
        with Compound.locate(folder).transaction() as txn:
            record_seal(txn, dt.date(2025, 12, 31), day=dt.date(2026, 1, 25))
    if situation == "broken":
        with (folder / "journal.beancount").open("a", encoding="utf-8") as f:
            f.write(f'2026-10-31 * "{MANAGER}" "手工录入"\n  {accounts.BANK}  12O.00 CNY\n'
                    f"  {accounts.HELD_BY_MANAGER}\n")


def generate(out: Path, compounds: int = 30, seed: int = 12, units: int = 120,
             assets: int = 30) -> list[Path]:
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"error: {out} exists and is not empty; give a new folder")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    made = []
    for n in range(1, compounds + 1):
        situation = SITUATIONS.get(n, "well-run")
        folder = out / f"qjp-d12-{n:02d}-{situation}"
        generate_compound(folder, n, situation, rng, units, assets)
        made.append(folder)
    return made


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--compounds", type=int, default=30)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--units", type=int, default=120, help="about this many units per compound")
    ap.add_argument("--assets", type=int, default=30, help="about this many assets per compound")
    a = ap.parse_args()
    made = generate(a.out, a.compounds, a.seed, a.units, a.assets)
    print(f"{len(made)} compounds in {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
