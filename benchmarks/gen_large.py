#!/usr/bin/env python3
"""Generate a large, realistic compound for benchmarks.

Defaults: 5,000 units, 2,000 assets, 10 years of monthly income — about 240,000
postings. Deterministic for a given seed. Usage:

    python benchmarks/gen_large.py OUT_FOLDER [--units N] [--assets N] [--years N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assetreg import accounts
from assetreg.contracts import content_hash
from assetreg.pdf import write_pdf
from assetreg.scaffold import init_compound

MANAGER = "淮安大型物业服务有限公司"
KIND_BY_PREFIX = {"P": "parking", "AD": "advertising", "R": "room", "S": "site", "E": "other"}
USE_BY_KIND = {"parking": "parking-owner", "advertising": "advertising-lift", "room": "community-room",
               "site": "base-station", "other": "express-locker"}
ZONE_BY_KIND = {"parking": "road", "advertising": "lift", "room": "public-facility", "site": "roof",
                "other": "open-space"}


def _months(start: dt.date, n: int) -> list[dt.date]:
    out, d = [], start
    for _ in range(n):
        out.append(d)
        d = (d + dt.timedelta(days=32)).replace(day=1)
    return out


def generate(folder: Path, units: int = 5000, assets: int = 2000, years: int = 10, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)
    start = dt.date(2016, 1, 1)
    init_compound(folder, "基准测试·大型小区", dt.date(2010, 1, 1))
    evidence = "documents/confirmation.pdf"
    write_pdf(folder / evidence, ["benchmark evidence"])

    out: list[str] = []
    for i in range(units):
        b = i // 200 + 1
        out.append(f'2010-01-01 custom "unit" "{b}-{i % 200 + 1:03d}"\n  building: "{b}"\n'
                   f"  area: {Decimal(rng.randint(6000, 16000)) / 100}\n  owner: \"OWN-{i - 1 if i and rng.random() < .04 else i:05d}\"\n"
                   f"  unsold: {'TRUE' if i % 97 == 0 else 'FALSE'}\n")
    (folder / "units.beancount").write_text("".join(out), encoding="utf-8")

    # asset mix: mostly parking, then ads, a few rooms, sites and others
    mix = ["P"] * 70 + ["AD"] * 22 + ["R"] * 4 + ["S"] * 1 + ["E"] * 3
    ids: list[tuple[str, str]] = []
    counters: dict[str, int] = {}
    for _ in range(assets):
        p = rng.choice(mix)
        counters[p] = counters.get(p, 0) + 1
        ids.append((f"{p}-{counters[p]:04d}", KIND_BY_PREFIX[p]))
    reg = [f'2015-09-01 document {accounts.REGISTRY} "{evidence}"\n']
    for aid, kind in ids:
        reg.append(f'2015-09-01 custom "asset" "{aid}" "registered"\n  kind: "{kind}"\n'
                   f'  location: "区域{aid}"\n  zones: "{ZONE_BY_KIND[kind]}"\n  reason: "清查登记"\n')
        reg.append(f'2015-10-01 custom "asset" "{aid}" "noticed"\n  days: 15\n  reason: "确权公示"\n')
        reg.append(f'2015-11-01 custom "asset" "{aid}" "confirmed"\n  evidence: "{evidence}"\n'
                   '  reason: "公示期满无异议"\n')
    (folder / "registry.beancount").write_text("".join(reg), encoding="utf-8")

    # one contract per earning asset; ~660 assets earn each month -> ~3 postings each
    months = _months(start, 12 * years)
    earning = ids[: max(1, (240_000 // 3) // len(months))]
    con = ['2015-12-01 custom "resolution" "R-2015-01"\n  matter: 8\n  passed: TRUE\n'
           '  title: "利用共有部分经营的决定"\n  assets: "*"\n  uses: "*"\n']
    end = months[-1].replace(day=28) + dt.timedelta(days=4)
    end = end.replace(day=1) - dt.timedelta(days=1)
    prices: dict[str, Decimal] = {}
    for n, (aid, kind) in enumerate(earning, 1):
        price = Decimal(rng.choice([120, 150, 300, 800, 1500, 3000]))
        prices[aid] = price
        terms = {"assets": aid, "use": USE_BY_KIND[kind], "counterparty": MANAGER,
                 "counterparty_kind": "organisation", "start": start, "end": end,
                 "price": _amt(price), "period": "month", "manager_share": Decimal("0.30"),
                 "resolution": "R-2015-01"}
        con.append(f'2015-12-20 custom "contract" "C-{n:05d}" "recorded"\n  assets: "{aid}"\n'
                   f'  use: "{terms["use"]}"\n  counterparty: "{MANAGER}"\n  counterparty_kind: "organisation"\n'
                   f"  start: {start}\n  end: {end}\n  price: {price:.2f} CNY\n  period: \"month\"\n"
                   f'  manager_share: 0.30\n  resolution: "R-2015-01"\n  decision: "permitted"\n'
                   f'  policy_set: "huaian-qingjiangpu"\n  content_hash: "{content_hash(terms)}"\n')
    (folder / "contracts.beancount").write_text("".join(con), encoding="utf-8")

    jr: list[str] = []
    cid = {aid: f"C-{n:05d}" for n, (aid, _) in enumerate(earning, 1)}
    for m in months:
        label = f"{m:%Y-%m}"
        month_end = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        total = Decimal(0)
        for aid, kind in earning:
            gross = prices[aid]
            cost = (gross * Decimal("0.30")).quantize(Decimal("0.01"))
            net = gross - cost
            total += net
            jr.append(f'{month_end} * "{MANAGER}" "{label} {aid} 公共收益"\n  asset: "{aid}"\n'
                      f'  contract: "{cid[aid]}"\n  period: "{label}"\n'
                      f"  {accounts.HELD_BY_MANAGER}  {net:.2f} CNY\n"
                      f"  {accounts.MANAGER_COST}  {cost:.2f} CNY\n"
                      f"  {accounts.INCOME_BY_KIND[kind]}  {-gross:.2f} CNY\n")
        remit = month_end + dt.timedelta(days=15)
        jr.append(f'{remit} * "{MANAGER}" "{label} 代收公共收益转入"\n'
                  f"  {accounts.BANK}  {total:.2f} CNY\n  {accounts.HELD_BY_MANAGER}  {-total:.2f} CNY\n")
    (folder / "journal.beancount").write_text("".join(jr), encoding="utf-8")
    return folder / "main.beancount"


def _amt(x: Decimal):  # type: ignore[no-untyped-def]
    from beancount.core.amount import Amount

    return Amount(x.quantize(Decimal("0.01")), "CNY")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--assets", type=int, default=2000)
    ap.add_argument("--years", type=int, default=10)
    a = ap.parse_args()
    print(generate(a.out, a.units, a.assets, a.years))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# ---------------------------------------------------------------- shared by the benchmarks

def add_arguments(ap: argparse.ArgumentParser, runs: int = 3) -> None:
    """The options every benchmark takes: how often, how large, where."""
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--units", type=int, default=5000)
    ap.add_argument("--assets", type=int, default=2000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--keep", type=Path, default=None, help="generate here and keep it")
    ap.add_argument("--ledger", type=Path, default=None,
                    help="an already generated compound: time it as it is")


def compound(args: argparse.Namespace) -> tuple[Path, Path]:
    """The compound folder and its main file: ``--ledger`` as it is, else a new one."""
    if args.ledger is not None:
        folder = args.ledger.resolve()
        return folder, folder / "main.beancount"
    folder = args.keep or Path(tempfile.mkdtemp(prefix="assetreg-bench-")) / "large"
    return folder, generate(folder, args.units, args.assets, args.years)


def discard(args: argparse.Namespace, folder: Path) -> None:
    """Remove a compound generated for this run only."""
    if args.keep is None and args.ledger is None:
        shutil.rmtree(folder.parent, ignore_errors=True)
