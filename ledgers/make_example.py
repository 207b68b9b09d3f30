#!/usr/bin/env python3
"""Generate the example compound ``ledgers/qjp-jinghu-garden`` (deterministic).

清江浦区·景湖花园 is fictional but shaped like a real compound in Qingjiangpu, Huai'an:
12 buildings, about 1,000 units, about 300 ground parking spaces on common roads,
40 advertising spots, a few rooms, a base-station site on a roof, assets in every
lifecycle state, and two years of income (2024-11 .. 2026-10).

Run ``python ledgers/make_example.py`` to rebuild it from scratch; the output is
committed, and a test checks that the committed copy equals a fresh build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from beancount.core.amount import Amount

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from assetreg import accounts  # noqa: E402
from assetreg.contracts import content_hash  # noqa: E402
from assetreg.ledger import atomic_write, custom, format_entry  # noqa: E402
from assetreg.pdf import write_pdf  # noqa: E402
from assetreg.scaffold import init_compound  # noqa: E402

COMPOUND_ID = "qjp-jinghu-garden"
NAME = "清江浦区·景湖花园"
MANAGER = "淮安景湖物业服务有限公司"
CENT = Decimal("0.01")
D = dt.date


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def cny(x: Decimal | int | str) -> Amount:
    return Amount(cents(Decimal(x)), "CNY")


@dataclass
class AssetSpec:
    id: str
    kind: str
    location: str
    description: str
    size: str
    basis: str
    zones: str
    fate: str  # confirmed | noticed | disputed | excluded | registered | objected | resolution


# ---------------------------------------------------------------- units

def make_units(rng: random.Random) -> list[dict[str, Any]]:
    layouts = [Decimal("89.46"), Decimal("103.72"), Decimal("118.35"), Decimal("128.90"), Decimal("143.18")]
    units: list[dict[str, Any]] = []
    owner_no = 0
    for b in range(1, 13):
        floors = 21 if b <= 8 else 18
        entrances = 2 if b != 12 else 3
        layout = layouts[(b - 1) % len(layouts)]
        for e in range(1, entrances + 1):
            for f in range(1, floors + 1):
                for r in (1, 2):
                    number = f"{b}-{e}-{f}{r:02d}"
                    area = layout + Decimal(rng.randint(-150, 150)) / 100
                    units.append({"number": number, "building": str(b), "area": area})
    # a handful of owners hold two units; the developer still holds some unsold units
    rng.shuffle(units)
    unsold = set(range(0, 23))
    i = 0
    while i < len(units):
        u = units[i]
        if i in unsold:
            u["owner"], u["unsold"] = "DEV-JH", True
            i += 1
            continue
        owner_no += 1
        key = f"OWN-{owner_no:04d}"
        u["owner"], u["unsold"] = key, False
        if rng.random() < 0.05 and i + 1 < len(units) and (i + 1) not in unsold:
            units[i + 1]["owner"], units[i + 1]["unsold"] = key, False
            i += 1
        i += 1
    units.sort(key=lambda u: [int(x) for x in u["number"].split("-")])
    return units


# ---------------------------------------------------------------- assets

def make_assets(rng: random.Random) -> list[AssetSpec]:
    specs: list[AssetSpec] = []
    roads = ["1-3号楼间道路", "4-6号楼间道路", "7-9号楼间道路", "10-12号楼间道路", "东侧环路", "西侧环路"]
    for n in range(1, 301):
        road = roads[(n - 1) // 50]
        fate = "confirmed"
        zones = "road"
        if 291 <= n <= 296:
            zones, fate = "road,fire-lane", "excluded"  # marked on the fire lane: never operable
        elif 281 <= n <= 290:
            fate = "disputed"  # developer claims these as planned spaces it sold
        elif 297 <= n <= 300:
            fate = "noticed"  # newly painted spaces, notice running now
        specs.append(AssetSpec(f"P-{n:03d}", "parking", f"{road} {n:03d}号车位",
                               "地面停车位，占用业主共有道路", "1个 (2.5m×5.3m)", "民法典第275条", zones, fate))
    for b in range(1, 13):
        for lift in (1, 2):
            n = (b - 1) * 2 + lift
            specs.append(AssetSpec(f"AD-{n:02d}", "advertising", f"{b}号楼{lift}号电梯轿厢",
                                   "电梯轿厢内框架广告位", "0.6m×0.9m", "民法典第274条", "lift", "confirmed"))
    for n in range(25, 35):
        specs.append(AssetSpec(f"AD-{n:02d}", "advertising", f"{n - 24}号宣传栏",
                               "小区宣传栏广告位", "2.4m×1.2m", "民法典第274条", "open-space", "confirmed"))
    for n in range(35, 39):
        specs.append(AssetSpec(f"AD-{n:02d}", "advertising", f"{'东南西北'[n - 35]}门道闸",
                               "出入口道闸杆广告位", "道闸杆1根", "民法典第274条", "entrance", "confirmed"))
    specs.append(AssetSpec("AD-39", "advertising", "3号楼东山墙", "外墙广告位（拟设）", "6m×4m",
                           "民法典第274条", "exterior-wall", "registered"))
    specs.append(AssetSpec("AD-40", "advertising", "会所南墙", "外墙广告位", "3m×2m",
                           "民法典第274条", "exterior-wall", "objected"))
    specs += [
        AssetSpec("R-01", "room", "会所一层", "业主活动用房（会所）", "186.40㎡", "民法典第274条",
                  "public-facility", "confirmed"),
        AssetSpec("R-02", "room", "5号楼一层东", "空置物业服务用房", "42.30㎡", "民法典第274条",
                  "residential-building", "resolution"),
        AssetSpec("R-03", "room", "9号楼架空层", "架空层公共空间", "260.00㎡", "民法典第274条",
                  "stilt-floor", "confirmed"),
        AssetSpec("R-04", "room", "2号楼地下室", "地下储藏空间", "95.00㎡", "民法典第274条",
                  "basement", "registered"),
        AssetSpec("S-01", "site", "7号楼屋顶", "通信基站站址", "屋顶12㎡及机柜位", "民法典第274条",
                  "roof", "confirmed"),
        AssetSpec("E-01", "other", "北门内侧", "智能快递柜场地", "8㎡", "民法典第274条",
                  "open-space", "confirmed"),
        AssetSpec("E-02", "other", "地面停车区东南角", "电动汽车充电桩场地", "6个车位旁", "民法典第275条",
                  "road", "confirmed"),
    ]
    return specs


# ---------------------------------------------------------------- the ledger

class Book:
    """Collects entries per split file; written once at the end."""

    def __init__(self) -> None:
        self.parts: dict[str, list[str]] = {p: [] for p in ("units", "registry", "contracts", "journal")}

    def add(self, part: str, entry: Any) -> None:
        self.parts[part].append(format_entry(entry) + "\n")

    def text(self, part: str, text: str) -> None:
        self.parts[part].append(text.rstrip("\n") + "\n\n")


def txn(date: D, payee: str, narration: str, postings: list[tuple[str, Decimal]], **meta: str) -> str:
    lines = [f'{date} * "{payee}" "{narration}"']
    for k, v in meta.items():
        lines.append(f'  {k}: "{v}"')
    for account, amount in postings:
        lines.append(f"  {account:<36} {amount:>12} CNY")
    return "\n".join(lines)


def build(folder: Path) -> Path:
    rng = random.Random(20241101)
    if folder.exists():
        shutil.rmtree(folder)
    init_compound(folder, NAME, D(2020, 1, 1))
    book = Book()
    atomic_write(folder / "accounts.beancount", (folder / "accounts.beancount").read_text(encoding="utf-8")
                 + f'2020-01-01 custom "assetreg-option" "manager-name" "{MANAGER}"\n'
                 + '2020-01-01 custom "assetreg-option" "district" "huaian-qingjiangpu"\n')

    units = make_units(rng)
    for u in units:
        book.add("units", custom(D(2020, 1, 1), "unit", [u["number"]], building=u["building"],
                                 area=u["area"], owner=u["owner"], unsold=u["unsold"]))

    # -- registry: the 2024 clear-up campaign, and what came after
    docs = folder / "documents"
    evidence = {
        "parking": "documents/2024-03-确权-地面停车位.pdf",
        "advertising": "documents/2024-03-确权-广告位.pdf",
        "room": "documents/2024-03-确权-用房.pdf",
        "site": "documents/2024-03-确权-基站与场地.pdf",
        "other": "documents/2024-03-确权-基站与场地.pdf",
    }
    for rel in sorted(set(evidence.values())):
        kinds = "/".join(k for k, r in evidence.items() if r == rel)
        write_pdf(folder / rel, [f"Jinghu Garden owners' committee - ownership confirmation record ({kinds})",
                                 "Survey drawing, public notice photos and the committee's hearing minutes.",
                                 "Fictional example document generated by ledgers/make_example.py"])
    seen_docs: set[str] = set()
    for rel in evidence.values():
        if rel in seen_docs:
            continue
        seen_docs.add(rel)
        book.text("registry", f'2024-03-20 document {accounts.REGISTRY} "{rel}"\n  title: "确权公示及结果"')
    write_pdf(docs / "2025-04-R-02-决议.pdf", ["Owners' assembly resolution R-2025-01 on room R-02 (fictional)."])
    book.text("registry", f'2025-04-28 document {accounts.REGISTRY} "documents/2025-04-R-02-决议.pdf"\n  asset: "R-02"')

    assets = make_assets(rng)
    for a in assets:
        book.add("registry", custom(D(2024, 2, 26), "asset", [a.id, "registered"], kind=a.kind,
                                    location=a.location, description=a.description, size=a.size,
                                    basis=a.basis, zones=a.zones, reason="2024年共有资产清查登记"))
    for a in assets:
        if a.fate in ("confirmed", "disputed", "excluded", "objected", "resolution"):
            book.add("registry", custom(D(2024, 3, 1), "asset", [a.id, "noticed"], days=15,
                                        reason="共有资产确权公示（第一批）"))
        if a.fate == "excluded":
            book.add("registry", custom(D(2024, 3, 8), "asset", [a.id, "objected"], by="OWN-0102",
                                        reason="该车位划在消防车道上，不应作为车位经营"))
            book.add("registry", custom(D(2024, 3, 25), "asset", [a.id, "excluded"],
                                        reason="经核实位于消防车道，依《消防法》第28条取消车位，不纳入经营"))
        elif a.fate == "disputed":
            book.add("registry", custom(D(2024, 3, 10), "asset", [a.id, "objected"], by="DEV-JH",
                                        reason="开发商称该车位为规划车位，已出售"))
            book.add("registry", custom(D(2024, 3, 18), "asset", [a.id, "disputed"],
                                        reason="开发商主张权属，待核查规划许可及销售合同"))
        elif a.fate == "objected":
            book.add("registry", custom(D(2024, 3, 12), "asset", [a.id, "objected"], by="OWN-0388",
                                        reason="外墙广告影响采光，要求先征求相邻业主意见"))
        elif a.fate == "confirmed":
            book.add("registry", custom(D(2024, 3, 20), "asset", [a.id, "confirmed"],
                                        evidence=evidence[a.kind], reason="公示期满无异议，确认为业主共有"))
        elif a.fate == "noticed":
            book.add("registry", custom(D(2026, 11, 20), "asset", [a.id, "noticed"], days=15,
                                        reason="新划车位确权公示（第二批）"))
    # R-02: notice drew an objection; the owners' assembly confirmed it by resolution
    book.add("registry", custom(D(2024, 3, 9), "asset", ["R-02", "objected"], by="OWN-0517",
                                reason="物业称该房为其自有，业主要求出示产权证明"))
    book.text("contracts", _resolution("R-2025-01", D(2025, 4, 26), 9, "关于确认5号楼一层空置物业服务用房为业主共有的决定",
                                       "R-02", "confirm-ownership"))
    book.add("registry", custom(D(2025, 4, 28), "asset", ["R-02", "confirmed"],
                                evidence="documents/2025-04-R-02-决议.pdf", resolution="R-2025-01",
                                reason="业主大会决议确认为业主共有（物业未能出示产权证明）"))
    # A dispute that was resolved: P-285 re-noticed and confirmed
    book.add("registry", custom(D(2025, 9, 1), "asset", ["P-285", "resolved"],
                                reason="开发商未能提供该车位的规划许可及销售合同，撤回主张"))
    book.add("registry", custom(D(2025, 9, 5), "asset", ["P-285", "noticed"], days=15, reason="争议解决后重新公示"))
    book.add("registry", custom(D(2025, 9, 22), "asset", ["P-285", "confirmed"], evidence=evidence["parking"],
                                reason="重新公示期满无异议，确认为业主共有"))

    # -- contracts and the money
    confirmed_parking = [a.id for a in assets if a.kind == "parking" and a.fate == "confirmed"]
    lift_ads = [f"AD-{n:02d}" for n in range(1, 25)]
    boards = [f"AD-{n:02d}" for n in range(25, 39)]
    contracts = [
        dict(id="C-2024-001", title="地面停车位委托经营（业主月租）", assets=",".join(confirmed_parking),
             use="parking-owner", counterparty=MANAGER, counterparty_kind="organisation",
             start=D(2024, 11, 1), end=D(2026, 10, 31), price=cny(len(confirmed_parking) * 120),
             period="month", deposit=None, manager_share=Decimal("0.30"), resolution="R-2024-01",
             via="manager", kind="parking"),
        dict(id="C-2024-002", title="电梯轿厢框架广告", assets=",".join(lift_ads), use="advertising-lift",
             counterparty="淮安市梯媒广告有限公司", counterparty_kind="organisation",
             start=D(2024, 11, 1), end=D(2026, 10, 31), price=cny(24 * 300 * 3), period="quarter",
             deposit=cny(5000), manager_share=Decimal("0.10"), resolution="R-2024-01", via="manager",
             kind="advertising"),
        dict(id="C-2024-003", title="宣传栏及道闸广告", assets=",".join(boards), use="advertising-board",
             counterparty="淮安市清浦广告传媒有限公司", counterparty_kind="organisation",
             start=D(2024, 11, 1), end=D(2025, 10, 31), price=cny(2800), period="month", deposit=cny(2000),
             manager_share=Decimal("0.10"), resolution="R-2024-01", via="manager", kind="advertising"),
        dict(id="C-2024-004", title="通信基站站址租赁", assets="S-01", use="base-station",
             counterparty="中国铁塔股份有限公司淮安市分公司", counterparty_kind="organisation",
             start=D(2024, 11, 1), end=D(2029, 10, 31), price=cny(18000), period="year", deposit=None,
             manager_share=Decimal("0"), resolution="R-2024-01", via="bank", kind="site"),
        dict(id="C-2024-005", title="会所用作社区养老服务站", assets="R-01", use="community-room",
             counterparty="清江浦区颐和居家养老服务中心", counterparty_kind="organisation",
             start=D(2024, 11, 1), end=D(2027, 10, 31), price=cny(3000), period="month", deposit=cny(6000),
             manager_share=Decimal("0.05"), resolution="R-2024-01", via="bank", kind="room"),
        dict(id="C-2025-001", title="智能快递柜场地使用", assets="E-01", use="express-locker",
             counterparty="淮安丰递智能科技有限公司", counterparty_kind="organisation",
             start=D(2025, 1, 1), end=D(2026, 12, 31), price=cny(6000), period="half-year", deposit=cny(1000),
             manager_share=Decimal("0.10"), resolution="R-2024-01", via="manager", kind="other"),
        dict(id="C-2025-002", title="电动汽车充电桩场地", assets="E-02", use="ev-charger",
             counterparty="淮安绿源充电科技有限公司", counterparty_kind="organisation",
             start=D(2025, 6, 1), end=D(2027, 5, 31), price=cny(900), period="month", deposit=cny(3000),
             manager_share=Decimal("0.10"), resolution="R-2025-02", via="manager", kind="other"),
    ]
    book.text("contracts", _resolution("R-2024-01", D(2024, 9, 28), 8,
                                       "关于利用共有部分经营（停车、广告、基站、用房、快递柜）的决定",
                                       "P-*,AD-*,S-01,R-01,E-01",
                                       "parking-owner,parking-nonowner,advertising-lift,advertising-board,base-station,community-room,express-locker"))
    book.text("contracts", _resolution("R-2025-02", D(2025, 4, 26), 8, "关于在停车区设置电动汽车充电桩的决定",
                                       "E-02", "ev-charger"))
    book.text("contracts", _resolution("R-2024-02", D(2024, 9, 28), 9,
                                       "关于公共收益分配的决定：净收益的60%补充维修资金，10%作业委会工作经费",
                                       "", "income-allocation"))
    for c in contracts:
        terms = {k: c[k] for k in ("assets", "use", "counterparty", "counterparty_kind", "start", "end",
                                   "price", "period", "deposit", "manager_share", "resolution") if c[k] is not None}
        terms["notice_start"] = c["start"] - dt.timedelta(days=40)
        terms["notice_end"] = c["start"] - dt.timedelta(days=26)
        book.add("contracts", custom(c["start"] - dt.timedelta(days=20), "contract", [c["id"], "recorded"],
                                     title=c["title"], **terms, decision="permitted", policy_set="huaian-qingjiangpu",
                                     content_hash=content_hash(terms)))
    # the boards contract ended early
    book.add("contracts", custom(D(2025, 8, 1), "contract", ["C-2024-003", "ended"],
                                 reason="广告公司经营困难，双方协商提前解除"))
    ends = {"C-2024-003": D(2025, 7, 31)}

    book.text("journal", txn(D(2024, 10, 31), "期初", "共有资金专户期初余额（清查前历年结余）",
                             [(accounts.BANK, Decimal("186420.55")), (accounts.OPENING, Decimal("-186420.55"))]))
    held = Decimal(0)
    month = D(2024, 11, 1)
    last = D(2026, 10, 1)
    pending: list[tuple[D, Decimal, str]] = []
    net_by_half: dict[str, Decimal] = {}
    while month <= last:
        month_end = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        label = f"{month:%Y-%m}"
        month_net = Decimal(0)
        for c in contracts:
            end = ends.get(c["id"], c["end"])
            if not (c["start"] <= month <= end):
                continue
            months = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}[c["period"]]
            offset = (month.year - c["start"].year) * 12 + month.month - c["start"].month
            if offset % months:
                continue
            gross = c["price"].number
            if c["use"] == "parking-owner":  # occupancy varies month to month
                gross = cents(gross * Decimal(rng.randint(88, 100)) / 100)
            if c["id"] == "C-2025-002" and label == "2026-09":
                continue  # the charger operator skipped a month: arrears the audit should show
            cost = cents(gross * c["manager_share"])
            net = gross - cost
            asset_meta = c["assets"] if len(c["assets"]) < 40 else c["assets"].split(",")[0]
            asset_list = c["assets"]
            income_acct = accounts.INCOME_BY_KIND[c["kind"]]
            if c["via"] == "manager":
                postings = [(accounts.HELD_BY_MANAGER, net)]
                if cost:
                    postings.append((accounts.MANAGER_COST, cost))
                postings.append((income_acct, -gross))
                book.text("journal", txn(month_end, MANAGER, f"{label} {c['title']} 公共收益",
                                         postings, asset=asset_list, contract=c["id"], period=label))
                held += net
                pending.append((month_end, net, c["id"]))
            else:
                paid = month + dt.timedelta(days=rng.randint(3, 12))
                postings = [(accounts.BANK, gross), (income_acct, -gross)]
                book.text("journal", txn(paid, c["counterparty"], f"{label} {c['title']} 租金",
                                         postings, asset=asset_list, contract=c["id"], period=label))
            month_net += net
            del asset_meta
        half = f"{month.year}H{1 if month.month <= 6 else 2}"
        net_by_half[half] = net_by_half.get(half, Decimal(0)) + month_net
        # the property company remits last month's collections around the 20th (late in two months)
        remit_day = month_end + dt.timedelta(days=20 if label not in ("2025-12", "2026-08") else 55)
        total = sum((p[1] for p in pending), Decimal(0))
        if total and remit_day <= D(2026, 11, 25):
            book.text("journal", txn(remit_day, MANAGER, f"{label} 代收公共收益转入共有资金专户",
                                     [(accounts.BANK, total), (accounts.HELD_BY_MANAGER, -total)]))
            held -= total
            pending = []
        month = (month + dt.timedelta(days=32)).replace(day=1)

    # deposits received at signing, returned when the boards contract ended
    for c in contracts:
        if c["deposit"] is not None:
            book.text("journal", txn(c["start"] - dt.timedelta(days=5), c["counterparty"], f"{c['title']} 履约押金",
                                     [(accounts.BANK, c["deposit"].number), (accounts.DEPOSITS, -c["deposit"].number)],
                                     contract=c["id"]))
    book.text("journal", txn(D(2025, 8, 15), "淮安市清浦广告传媒有限公司", "宣传栏及道闸广告 提前解除 退还押金",
                             [(accounts.DEPOSITS, Decimal(2000)), (accounts.BANK, Decimal(-2000))], contract="C-2024-003"))
    # half-yearly allocation under R-2024-02
    for half, alloc_day in (("2024H2", D(2025, 1, 20)), ("2025H1", D(2025, 7, 20)), ("2025H2", D(2026, 1, 20)),
                            ("2026H1", D(2026, 7, 20))):
        net = net_by_half.get(half, Decimal(0))
        fund = cents(net * Decimal("0.60"))
        committee = cents(net * Decimal("0.10"))
        book.text("journal", txn(alloc_day, "业委会", f"{half} 公共净收益分配：补充维修资金60%、业委会工作经费10%",
                                 [(accounts.MAINTENANCE_FUND, fund), (accounts.COMMITTEE_FUNDS, committee),
                                  (accounts.BANK, -(fund + committee))], resolution="R-2024-02", period=half))
    # bank fees, and one unexplained deposit waiting in suspense
    for q in range(8):
        day = D(2024, 12, 21) + dt.timedelta(days=91 * q)
        book.text("journal", txn(day, "银行", "账户管理费", [(accounts.BANK_FEES, Decimal("30.00")),
                                                             (accounts.BANK, Decimal("-30.00"))]))
    book.text("journal", txn(D(2026, 10, 14), "张**", "转账 备注：车位费", [(accounts.BANK, Decimal("360.00")),
                                                                          (accounts.SUSPENSE, Decimal("-360.00"))]))

    for part, chunks in book.parts.items():
        path = folder / f"{part}.beancount"
        atomic_write(path, path.read_text(encoding="utf-8") + "\n" + "".join(chunks))
    return folder / "main.beancount"


def _resolution(rid: str, day: D, matter: int, title: str, assets: str, uses: str) -> str:
    return "\n".join([
        f'{day} custom "resolution" "{rid}"',
        f"  matter: {matter}",
        "  passed: TRUE",
        f'  title: "{title}"',
        f'  assets: "{assets}"',
        f'  uses: "{uses}"',
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / COMPOUND_ID)
    args = parser.parse_args(argv)
    main_file = build(args.out)
    print(f"wrote {main_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
