#!/usr/bin/env python3
"""Build the example compound ``ledgers/qjp-jinghu-garden`` the way its treasurer would.

清江浦区·景湖花园 is fictional but shaped like a real compound in Qingjiangpu, Huai'an:
12 buildings, about 1,000 units, 300 ground parking spaces on common roads, 40
advertising spots, four rooms, a base-station site on a roof, an express-locker and an
EV-charger site; assets in every confirmation state; two years of income (2024-11 ..
2026-10).

The ledger is what the project's own commands make of the compound's paperwork, kept in
``sources/``: the units roster and asset register (imported), the confirmation steps
(the 2024 campaign's hundreds of steps staged in one locked transaction in the very format
the registry commands write, which ``bean-check`` replays and checks; later steps through
the commands themselves), the owners' ballots (``resolution record``), the contracts sheet
(imported through the policy gate), rejected proposals (``contract record``), the
property company's monthly income reports and the bank statements of the owners'
account (imported), then disclosures and a seal. Only one entry is written by
hand, as a treasurer would: the opening balance (before the first statement's
deposits) and nothing else — transfers to the maintenance fund and the committee cite
their resolution in the bank's 摘要 and are booked by the import.

From 2025-11-01 the committee's approval rule holds (issue 15, ``record_payments``): every
payment of the last year is a proposal approved by two committee members (and the community
supervisor above ¥5,000, through an imported approval sheet) before the bank statement books
it; one proposal is rejected, and a barrier-gate repair paid before its second approval waits
in suspense (the audit reports it). The treasurer's scans of every cost and of income lines
above ¥5,000 are attached in bulk from ``sources/12-凭证清单.xlsx`` (``attach_vouchers``), all
but the two latest, which the audit lists.

Run ``python ledgers/make_example.py`` to rebuild it from scratch (deterministic; a test
checks that the committed copy equals a fresh build).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import struct
import sys
import zlib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

from beancount.core import data  # noqa: E402
from beancount.core.amount import Amount  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from example_sources import normalize_xlsx, write_ballots, write_proposal, write_sheet  # noqa: E402

from assetreg import accounts  # noqa: E402
from assetreg.cli import main as cli  # noqa: E402
from assetreg.evidence import sha256_file  # noqa: E402
from assetreg.ledger import Compound, custom, meta  # noqa: E402
from assetreg.pdf import write_pdf  # noqa: E402
from assetreg.scaffold import init_compound  # noqa: E402

COMPOUND_ID = "qjp-jinghu-garden"
NAME = "清江浦区·景湖花园"
MANAGER = "淮安景湖物业服务有限公司"
D = dt.date
CENT = Decimal("0.01")
END = D(2026, 10, 31)  # last day of the books' history


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def month_end(d: D) -> D:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def add_months(d: D, n: int) -> D:
    y, m = divmod(d.month - 1 + n, 12)
    return D(d.year + y, m + 1, 1)


class Treasurer:
    """Runs assetreg commands on the compound, failing loudly if one is refused."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runner = CliRunner()

    def run(self, *args: Any, expect: int = 0) -> str:
        argv = [str(a) for a in args] + ["-L", str(self.folder)]
        r = self.runner.invoke(cli, argv, catch_exceptions=False)
        if r.exit_code != expect:
            raise SystemExit(f"assetreg {' '.join(argv)} exited {r.exit_code}, expected {expect}:\n{r.output}")
        return r.output

    def write(self, part: str, entries: list[Any]) -> None:
        with Compound.locate(self.folder).transaction() as txn:
            txn.append(part, entries)


# ---------------------------------------------------------------- the paperwork

def evidence_sha(folder: Path, rel: str) -> str:
    """The hash the registry commands record with an evidence file (issue 14), for the
    steps this script stages in their format."""
    return sha256_file(folder / rel)


def make_units(rng: random.Random) -> list[dict[str, Any]]:
    layouts = [Decimal("89.46"), Decimal("103.72"), Decimal("118.35"), Decimal("128.90"), Decimal("143.18")]
    units: list[dict[str, Any]] = []
    for b in range(1, 13):
        floors = 21 if b <= 8 else 18
        entrances = 2 if b != 12 else 3
        layout = layouts[(b - 1) % len(layouts)]
        for e in range(1, entrances + 1):
            for f in range(1, floors + 1):
                for r in (1, 2):
                    area = layout + Decimal(rng.randint(-150, 150)) / 100
                    units.append({"number": f"{b}-{e}-{f}{r:02d}", "building": str(b), "area": area})
    order = list(range(len(units)))
    rng.shuffle(order)
    unsold = set(order[:23])  # the developer still holds a few unsold units
    owner_no, i = 0, 0
    rest = order[23:]
    while i < len(rest):
        owner_no += 1
        key = f"OWN-{owner_no:04d}"
        units[rest[i]]["owner"] = key
        if rng.random() < 0.05 and i + 1 < len(rest):  # some owners hold two units
            units[rest[i + 1]]["owner"] = key
            i += 1
        i += 1
    for n in unsold:
        units[n]["owner"] = "DEV-JH"
    for u in units:
        u["unsold"] = u["owner"] == "DEV-JH"
    return units


def make_assets() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []

    def add(aid: str, kind: str, location: str, description: str, size: str, basis: str, zones: str, fate: str) -> None:
        rows.append(dict(id=aid, kind=kind, location=location, description=description, size=size,
                         basis=basis, zones=zones, fate=fate))

    roads = ["1-3号楼间道路", "4-6号楼间道路", "7-9号楼间道路", "10-12号楼间道路", "东侧环路", "西侧环路"]
    for n in range(1, 301):
        zones, fate = "road", "confirmed"
        if 291 <= n <= 296:
            zones, fate = "road,fire-lane", "excluded"  # painted on the fire lane
        elif 281 <= n <= 290:
            fate = "disputed"  # the developer claims these as planned spaces it sold
        elif 297 <= n <= 300:
            fate = "noticed"  # newly painted spaces, notice running now
        add(f"P-{n:03d}", "停车位", f"{roads[(n - 1) // 50]} {n:03d}号车位", "地面停车位，占用业主共有道路",
            "1个 (2.5m×5.3m)", "民法典第275条", zones, fate)
    for b in range(1, 13):
        for lift in (1, 2):
            add(f"AD-{(b - 1) * 2 + lift:02d}", "广告位", f"{b}号楼{lift}号电梯轿厢", "电梯轿厢内框架广告位",
                "0.6m×0.9m", "民法典第274条", "lift", "confirmed")
    for n in range(25, 35):
        add(f"AD-{n:02d}", "广告位", f"{n - 24}号宣传栏", "小区宣传栏广告位", "2.4m×1.2m", "民法典第274条",
            "open-space", "confirmed")
    for n in range(35, 39):
        add(f"AD-{n:02d}", "广告位", f"{'东南西北'[n - 35]}门道闸", "出入口道闸杆广告位", "道闸杆1根",
            "民法典第274条", "entrance", "confirmed")
    add("AD-39", "广告位", "3号楼东山墙", "外墙广告位（拟设）", "6m×4m", "民法典第274条", "exterior-wall", "registered")
    add("AD-40", "广告位", "会所南墙", "外墙广告位", "3m×2m", "民法典第274条", "exterior-wall", "objected")
    add("R-01", "用房", "会所一层", "业主活动用房（会所）", "186.40㎡", "民法典第274条", "public-facility", "confirmed")
    add("R-02", "用房", "5号楼一层东", "空置物业服务用房", "42.30㎡", "民法典第274条", "residential-building", "resolution")
    add("R-03", "用房", "9号楼架空层", "架空层公共空间", "260.00㎡", "民法典第274条", "stilt-floor", "confirmed")
    add("R-04", "用房", "2号楼地下室", "地下储藏空间", "95.00㎡", "民法典第274条", "basement", "confirmed")
    add("S-01", "基站场地", "7号楼屋顶", "通信基站站址", "屋顶12㎡及机柜位", "民法典第274条", "roof", "confirmed")
    add("E-01", "其他", "北门内侧", "智能快递柜场地", "8㎡", "民法典第274条", "open-space", "confirmed")
    add("E-02", "其他", "地面停车区东南角", "电动汽车充电桩场地", "6个车位旁", "民法典第275条", "road", "confirmed")
    return rows


def ballots(rng: random.Random, units: list[dict[str, Any]], turnout: float, yes: float, no: float) -> list[tuple[str, str]]:
    """One ballot per unit of each voting owner; an owner votes the same way for all units."""
    by_owner: dict[str, list[str]] = {}
    for u in units:
        by_owner.setdefault(u["owner"], []).append(u["number"])
    out: list[tuple[str, str]] = []
    for owner in sorted(by_owner):
        if rng.random() > turnout:
            continue
        x = rng.random()
        vote = "同意" if x < yes else "反对" if x < yes + no else "弃权"
        out.extend((n, vote) for n in by_owner[owner])
    return out


# ---------------------------------------------------------------- the contracts

# The base station on 7号楼屋顶 directly affects the top-floor flats under it.
SITE_UNITS = ("7-1-2101", "7-1-2102", "7-2-2101", "7-2-2102")


def site_owners(units: list[dict[str, Any]]) -> list[str]:
    by_number = {u["number"]: u["owner"] for u in units}
    return list(dict.fromkeys(by_number[n] for n in SITE_UNITS))


def contract_rows(units: list[dict[str, Any]], rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(first-year contracts, 2025 renewals) in the columns of the contracts sheet."""
    owners = sorted({u["owner"] for u in units if not u["unsold"]})
    tenants = rng.sample(owners, 150)
    first: list[dict[str, Any]] = []
    renewals: list[dict[str, Any]] = []
    starts = [D(2024, 11, 1)] * 60 + [D(2024, 12, 1)] * 30 + [D(2025, 1, 1)] * 30 + [D(2025, 3, 1)] * 30
    for n, (owner, start) in enumerate(zip(tenants, starts, strict=True), 1):
        space = f"P-{n:03d}"
        end = add_months(start, 12) - dt.timedelta(days=1)
        row = dict(id=f"C-2024-P{n:03d}", assets=space, use="parking-owner", counterparty=owner,
                   counterparty_kind="业主", signed=start - dt.timedelta(days=10), start=start, end=end,
                   price=Decimal(1440), period="年", deposit=None, manager_share=Decimal("0.30"),
                   resolution="R-2024-01", title="地面车位年租（业主）")
        first.append(row)
        if n % 9 != 0:  # most owners renew for a second year
            renewals.append({**row, "id": f"C-2025-P{n:03d}", "signed": end - dt.timedelta(days=10),
                             "start": end + dt.timedelta(days=1), "end": add_months(end + dt.timedelta(days=1), 12) - dt.timedelta(days=1)})

    def org(cid: str, title: str, assets: str, use: str, who: str, start: D, end: D, price: int, period: str,
            deposit: int | None, share: str, resolution: str, notice_days: int, **extra: Any) -> dict[str, Any]:
        signed = start - dt.timedelta(days=15)
        return dict(id=cid, title=title, assets=assets, use=use, counterparty=who, counterparty_kind="单位",
                    signed=signed, start=start, end=end, price=Decimal(price), period=period,
                    deposit=None if deposit is None else Decimal(deposit), manager_share=Decimal(share),
                    resolution=resolution, notice_start=signed - dt.timedelta(days=notice_days + 2),
                    notice_end=signed - dt.timedelta(days=2), **extra)

    lifts = ",".join(f"AD-{n:02d}" for n in range(1, 25))
    boards = ",".join(f"AD-{n:02d}" for n in range(25, 39))
    first += [
        org("C-2024-002", "电梯轿厢框架广告", lifts, "advertising-lift", "淮安市梯媒广告有限公司",
            D(2024, 11, 1), D(2026, 10, 31), 21600, "季", 5000, "0.10", "R-2024-01", 7),
        org("C-2024-003", "宣传栏及道闸广告", boards, "advertising-board", "淮安市清浦广告传媒有限公司",
            D(2024, 11, 1), D(2025, 10, 31), 2800, "月", 2000, "0.10", "R-2024-01", 7),
        org("C-2024-004", "通信基站站址租赁", "S-01", "base-station", "中国铁塔股份有限公司淮安市分公司",
            D(2024, 11, 1), D(2029, 10, 31), 18000, "年", None, "0", "R-2024-01", 15,
            consents=",".join(site_owners(units))),
        org("C-2024-005", "会所用作社区养老服务站", "R-01", "community-room", "清江浦区颐和居家养老服务中心",
            D(2024, 11, 1), D(2027, 10, 31), 3000, "月", 6000, "0.05", "R-2024-01", 15),
        org("C-2025-001", "智能快递柜场地使用", "E-01", "express-locker", "淮安丰递智能科技有限公司",
            D(2025, 1, 1), D(2026, 12, 31), 6000, "半年", 1000, "0.10", "R-2024-01", 7),
        org("C-2025-N01", "富余车位临时出租（非业主）", ",".join(f"P-{n}" for n in range(271, 281)),
            "parking-nonowner", "淮安市景湖便利店有限公司", D(2025, 1, 1), D(2025, 6, 30), 2000, "月", 2000,
            "0.30", "R-2024-01", 7),
    ]
    renewals += [
        org("C-2025-002", "电动汽车充电桩场地", "E-02", "ev-charger", "淮安绿源充电科技有限公司",
            D(2025, 6, 1), D(2027, 5, 31), 900, "月", 3000, "0.10", "R-2025-02", 7),
        org("C-2025-N02", "富余车位临时出租（非业主）", ",".join(f"P-{n}" for n in range(271, 281)),
            "parking-nonowner", "淮安市景湖便利店有限公司", D(2025, 7, 1), D(2025, 12, 31), 2000, "月", 2000,
            "0.30", "R-2024-01", 7),
        org("C-2026-N01", "富余车位临时出租（非业主）", ",".join(f"P-{n}" for n in range(271, 281)),
            "parking-nonowner", "淮安市景湖便利店有限公司", D(2026, 1, 1), D(2026, 6, 30), 2000, "月", 2000,
            "0.30", "R-2024-01", 7),
        org("C-2026-N02", "富余车位临时出租（非业主）", ",".join(f"P-{n}" for n in range(271, 281)),
            "parking-nonowner", "淮安市景湖便利店有限公司", D(2026, 7, 1), D(2026, 12, 31), 2000, "月", 2000,
            "0.30", "R-2024-01", 7),
    ]
    return first, renewals


CONTRACT_HEADERS = ["合同编号", "资产编号", "用途", "对方", "对方类型", "签订日期", "起始日期", "终止日期", "每期金额",
                    "计费周期", "押金", "物业成本比例", "决议编号", "公示开始", "公示结束", "受影响业主", "同意业主",
                    "排队业主数"]


def contract_sheet_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    out = []
    for r in rows:
        out.append([r["id"], r["assets"], r["use"], r["counterparty"], r["counterparty_kind"], r["signed"], r["start"],
                    r["end"], float(r["price"]), r["period"], None if r["deposit"] is None else float(r["deposit"]),
                    float(r["manager_share"]), r["resolution"], r.get("notice_start"), r.get("notice_end"),
                    r.get("affected"), r.get("consents"), r.get("owners_waiting")])
    return out


PERIOD_MONTHS = {"月": 1, "季": 3, "半年": 6, "年": 12}


def billing(rows: list[dict[str, Any]], ended: dict[str, D]) -> list[tuple[D, dict[str, Any]]]:
    """(first day of each billing period up to END, contract) for every contract."""
    out = []
    for r in rows:
        last = min(r["end"], ended.get(r["id"], r["end"]), END)
        d = r["start"]
        while d <= last:
            out.append((d, r))
            d = add_months(d, PERIOD_MONTHS[r["period"]])
    return out


# ---------------------------------------------------------------- spending approvals and vouchers (issue 15)

RULE_FROM = D(2025, 11, 1)  # from the committee's 2025 election, money leaves only on approved proposals
SUPERVISOR = "SUP-QJP-JH01"
GATE_REPAIR = "道闸维修款"  # the barrier-gate repair, paid before its second approval


def committee_of(units: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(owner key, role) of the committee members who approve; the last keeps the books and proposes."""
    owners = sorted({u["owner"] for u in units if not u["unsold"]})
    roles = ["业委会主任", "业委会副主任", "业委会委员", "业委会委员（财务）"]
    return [(owners[10 + 37 * n], role) for n, role in enumerate(roles)]


def unapproved_spending() -> list[tuple[D, str, Decimal, Decimal, str, str]]:
    """Money out in the year under the rule besides allocations and deposits: a barrier-gate
    repair the treasurer paid three days before the second committee approval."""
    return [(D(2026, 5, 9), GATE_REPAIR, Decimal(0), Decimal("3200.00"), "淮安市安通门控设备有限公司", "")]


def record_payments(t: Treasurer, units: list[dict[str, Any]], bank: list[tuple[D, str, Decimal, Decimal, str, str]]) -> None:
    """The approval rule and approvers from RULE_FROM, and a proposal for every payment of the
    year that follows, approved by two committee members (and the community supervisor above
    ¥5,000, through the approval sheet the treasurer imports); one proposal rejected; the
    barrier-gate repair paid before its second approval (the audit finds it)."""
    (chair, _), (vice, _), (member, _), (treasurer, _) = committee = committee_of(units)
    t.run("payment", "rule", "--committee", 2, "--supervisor-above", 5000, "--resolution-above", 50000,
          "--window-days", 30, "--date", RULE_FROM)
    for key, role in committee:
        t.run("payment", "approver", "add", key, "--group", "committee", "--role", role, "--date", RULE_FROM)
    t.run("payment", "approver", "add", SUPERVISOR, "--group", "supervisor", "--role", "景湖社区居委会", "--date", RULE_FROM)
    outflows = sorted((x for x in bank if x[0] >= RULE_FROM and x[3] > 0 and x[1] != "账户管理费"),
                      key=lambda x: (x[0], x[1]))
    sheet_rows: list[list[Any]] = []
    for n, (day, summary, _, amount, who, _) in enumerate(outflows, 1):
        pid = f"PAY-{day.year}-{n:03d}"
        words = summary.split()
        purpose = "".join(w for w in words if not w.startswith(("R-", "C-", "PAY-")))
        extra: list[Any] = []
        if "R-2024-02" in summary:
            extra += ["--resolution", "R-2024-02"]
        contract = next((w for w in words if w.startswith("C-")), None)
        if contract:
            extra += ["--contract", contract]
        gate = summary == GATE_REPAIR
        proposed = day - dt.timedelta(days=3 if gate else 8)
        t.run("payment", "propose", "--id", pid, "--amount", amount, "--to", who, "--purpose", purpose,
              "--by", treasurer, "--date", proposed, *extra)
        if gate:
            t.run("payment", "approve", pid, "--by", chair, "--date", day - dt.timedelta(days=2))
            t.run("payment", "approve", pid, "--by", vice, "--date", day + dt.timedelta(days=3))
            continue
        t.run("payment", "approve", pid, "--by", chair, "--date", proposed + dt.timedelta(days=1))
        t.run("payment", "approve", pid, "--by", vice if n % 2 else member, "--date", proposed + dt.timedelta(days=2))
        if amount > 5000:
            shown = json.loads(t.run("payment", "show", pid, "--json", "--date", proposed))
            sheet_rows.append([pid, SUPERVISOR, proposed + dt.timedelta(days=3), "同意", shown["hash"][7:23], None])
    # a proposal the committee turned down
    pid = f"PAY-2026-{len(outflows) + 1:03d}"
    t.run("payment", "propose", "--id", pid, "--amount", "8800.00", "--to", "淮安市清浦广告传媒有限公司",
          "--purpose", "会所南墙广告灯箱制作", "--by", treasurer, "--date", "2026-08-03")
    t.run("payment", "approve", pid, "--by", vice, "--date", "2026-08-04")
    t.run("payment", "reject", pid, "--by", member, "--date", "2026-08-05",
          "--reason", "外墙广告决议R-2025-03未获通过，不得设置灯箱")
    sheet = write_sheet(t.folder / "sources" / "13-付款审批表-社区监督.xlsx", "审批", "景湖社区居委会 付款审批意见（监督人）",
                        ["付款申请编号", "审批人编号", "审批日期", "审批意见", "所见内容哈希", "理由"], sheet_rows)
    t.run("import", sheet)


def write_png(path: Path, seed: int) -> None:
    """A small real PNG (a grey slip with a coloured band), different for each seed."""
    w, h = 96, 64
    band = bytes(((seed * 53) % 256, (seed * 97) % 256, (seed * 29) % 256))
    rows = [b"\x00" + (band if 20 <= y < 28 else b"\xee\xee\xee") * w for y in range(h)]

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)


def attach_vouchers(t: Treasurer, folder: Path) -> None:
    """The treasurer scans the vouchers of every cost and every income line above ¥5,000 and
    attaches them in bulk (凭证清单): bank slips for transfers out and the tower's rent, the
    property company's invoices for the lift adverts and the locker site, the tower lease's
    signed page. The two latest lines above the threshold are not scanned yet: the audit
    lists them (voucher-missing)."""
    from assetreg.ledger import load_path  # the example reads its own ledger only here

    t.write("accounts", [custom(D(2026, 2, 1), "assetreg-option", ["voucher-threshold", "5000"])])
    entries = load_path(folder / "main.beancount").entries
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    costs = [e for e in txns if any(p.account.startswith("Expenses:Allocation") for p in e.postings)]
    income = [e for e in txns if any(p.account.startswith("Income:") and p.units.number < -5000 for p in e.postings)]
    missing = sorted(income, key=lambda e: e.date)[-2:]
    src = folder / "sources" / "凭证"
    rows: list[list[Any]] = []
    for n, e in enumerate(sorted([*costs, *(e for e in income if e not in missing)], key=lambda e: e.date), 1):
        ref = str(e.meta.get("bank_ref") or e.meta["import_id"])
        if e.meta.get("bank_ref"):
            name = f"{e.date}-{'转账回单' if e in costs else '收款回单'}-{n:02d}.png"
            write_png(src / name, n)
        else:
            name = f"{e.date}-发票-{n:02d}.pdf"
            write_pdf(src / name, [f"Invoice for {e.narration[:7]} common income, {e.date}",
                                   "Fictional example voucher generated by ledgers/make_example.py"])
        rows.append([ref, f"凭证/{name}"])
    lease = "2024-10-基站租赁合同签字页.pdf"
    write_pdf(src / lease, ["Base-station site lease C-2024-004, signature page (fictional example)."])
    rows.append(["C-2024-004", f"凭证/{lease}"])
    sheet = write_sheet(folder / "sources" / "12-凭证清单.xlsx", "凭证", f"{NAME} 凭证清单", ["对应记录", "凭证文件"], rows,
                        widths={1: 40, 2: 40})
    t.run("import", sheet, "--date", END)


# ---------------------------------------------------------------- build

def build(folder: Path) -> Path:
    rng = random.Random(20241101)
    if folder.exists():
        shutil.rmtree(folder)
    init_compound(folder, NAME, D(2020, 1, 1))
    t = Treasurer(folder)
    src = folder / "sources"
    t.write("accounts", [custom(D(2020, 1, 1), "assetreg-option", ["manager-name", MANAGER]),
                         custom(D(2020, 1, 1), "assetreg-option", ["district", "huaian-qingjiangpu"])])

    # 1. the units roster, as the housing bureau's register gives it (owner keys, no names)
    units = make_units(rng)
    roster = write_sheet(src / "01-业主名册.xlsx", "名册", f"{NAME} 专有部分名册（业主以编号代替姓名）",
                         ["房号", "楼栋", "专有部分面积", "业主编号", "开发商未售", "登记日期"],
                         [[u["number"], int(u["building"]), float(u["area"]), u["owner"], "是" if u["unsold"] else "否",
                           D(2020, 1, 1)] for u in units], widths={1: 12, 4: 12})
    t.run("import", roster, "--date", "2020-01-01")

    # 2. the 2024 clear-up: the asset register, then notice, objections, confirmations
    assets = make_assets()
    register = write_sheet(src / "02-共有资产登记表.xlsx", "登记表", f"{NAME} 共有资产清查登记表（2024年2月）",
                           ["资产编号", "资产类型", "位置", "描述", "规模", "权属依据", "所在区域", "登记日期", "登记原因"],
                           [[a["id"], a["kind"], a["location"], a["description"], a["size"], a["basis"], a["zones"],
                             D(2024, 2, 26), "2024年共有资产清查登记"] for a in assets], widths={3: 24, 4: 26})
    t.run("import", register, "--date", "2024-02-26")
    evidence = {"停车位": "documents/2024-03-确权-地面停车位.pdf", "广告位": "documents/2024-03-确权-广告位.pdf",
                "用房": "documents/2024-03-确权-用房.pdf", "基站场地": "documents/2024-03-确权-基站与场地.pdf",
                "其他": "documents/2024-03-确权-基站与场地.pdf"}
    for rel in sorted(set(evidence.values())):
        write_pdf(folder / rel, ["Jinghu Garden owners' committee - ownership confirmation record",
                                 "Survey drawing, public notice photos and the committee's hearing minutes.",
                                 "Fictional example document generated by ledgers/make_example.py"])
    steps: list[Any] = []
    seen_docs: set[str] = set()
    for a in assets:
        if a["fate"] in ("noticed", "registered"):
            continue
        steps.append(custom(D(2024, 3, 1), "asset", [a["id"], "noticed"], days=15, reason="共有资产确权公示（第一批）"))
    for a in assets:
        aid, fate = a["id"], a["fate"]
        if fate == "excluded":
            steps.append(custom(D(2024, 3, 8), "asset", [aid, "objected"], by="OWN-0102", notice=D(2024, 3, 1),
                                reason="该车位划在消防车道上，不应作为车位经营"))
            steps.append(custom(D(2024, 3, 25), "asset", [aid, "excluded"],
                                reason="经核实位于消防车道，依《消防法》第28条取消车位，不纳入经营"))
        elif fate == "disputed":
            steps.append(custom(D(2024, 3, 10), "asset", [aid, "objected"], by="DEV-JH", notice=D(2024, 3, 1),
                                reason="开发商称该车位为规划车位，已出售"))
            steps.append(custom(D(2024, 3, 18), "asset", [aid, "disputed"], reason="开发商主张权属，待核查规划许可及销售合同"))
        elif fate == "objected":
            steps.append(custom(D(2024, 3, 12), "asset", [aid, "objected"], by="OWN-0388", notice=D(2024, 3, 1),
                                reason="外墙广告影响采光，要求先征求相邻业主意见"))
        elif fate == "resolution":
            steps.append(custom(D(2024, 3, 9), "asset", [aid, "objected"], by="OWN-0517", notice=D(2024, 3, 1),
                                reason="物业称该房为其自有，业主要求出示产权证明"))
        elif fate == "confirmed":
            rel = evidence[a["kind"]]
            if rel not in seen_docs:
                seen_docs.add(rel)
                steps.append(data.Document(meta(title="确权公示及结果", sha256=evidence_sha(folder, rel)),
                                           D(2024, 3, 20), accounts.REGISTRY, rel, None, None))
            steps.append(custom(D(2024, 3, 20), "asset", [aid, "confirmed"], evidence=rel,
                                evidence_sha256=evidence_sha(folder, rel), reason="公示期满无异议，确认为业主共有"))
        elif fate == "noticed":
            steps.append(custom(D(2026, 11, 20), "asset", [aid, "noticed"], days=15, reason="新划车位确权公示（第二批）"))
    t.write("registry", steps)

    # 3. the owners' assembly of September 2024 (ballots counted against the roster)
    votes = src / "03-表决票-2024年9月业主大会-第8项.xlsx"
    write_ballots(votes, "景湖花园2024年第一次业主大会 表决票统计（利用共有部分经营）", ballots(rng, units, 0.86, 0.90, 0.06))
    t.run("resolution", "record", votes, "--matter", 8, "--id", "R-2024-01", "--date", "2024-09-28",
          "--title", "关于利用共有部分经营（停车、广告、基站、用房、快递柜）的决定",
          "--assets", "P-*,AD-*,S-01,R-01,E-01",
          "--uses", "parking-owner,parking-nonowner,advertising-lift,advertising-board,base-station,community-room,express-locker")
    votes = src / "04-表决票-2024年9月业主大会-收益分配.xlsx"
    write_ballots(votes, "景湖花园2024年第一次业主大会 表决票统计（公共收益分配）", ballots(rng, units, 0.86, 0.80, 0.12))
    t.run("resolution", "record", votes, "--matter", 9, "--id", "R-2024-02", "--date", "2024-09-28",
          "--title", "关于公共收益分配的决定：净收益的60%补充维修资金，10%作业委会工作经费")

    # 3b. the base station's affected owners and their written consents (物业管理条例第54条);
    #     the tower company's first proposal, signed before the last consent, is refused
    owners = site_owners(units)
    t.run("consent", "affected", "--asset", "S-01", "--building", "7", "--top-floors", 1, "--date", "2024-10-01",
          "--reason", "基站位于7号楼屋顶，其下顶层住户直接受影响")
    consent_doc = "documents/2024-10-基站-顶层业主同意书.pdf"
    write_pdf(folder / consent_doc, ["Written consents of the top-floor owners of building 7 to the base station on its roof.",
                                     "Fictional example document generated by ledgers/make_example.py"])
    for n, owner in enumerate(owners):
        day = D(2024, 10, 8) if n < len(owners) - 1 else D(2024, 10, 14)
        t.run("consent", "record", "--asset", "S-01", "--owner", owner, "--evidence", consent_doc, "--date", day)
    props = src / "proposals"
    path = write_proposal(props / "2024-10-基站-缺少业主同意.yaml", dict(
        id="X-2024-02", assets=["S-01"], use="base-station", counterparty="中国铁塔股份有限公司淮安市分公司",
        counterparty_kind="organisation", signed=D(2024, 10, 12), start=D(2024, 11, 1), end=D(2029, 10, 31),
        price="18000.00", period="year", deposit="0.00", manager_share="0", resolution="R-2024-01",
        notice_start=D(2024, 9, 26), notice_end=D(2024, 10, 10), consents=owners[:-1]),
        "铁塔公司在顶层最后一户业主书面同意之前签约：缺少直接利害关系业主同意，不予许可")
    t.run("contract", "record", path, "--date", "2024-10-12", expect=1)

    # 4. the contracts of the first year, through the policy gate
    first, renewals = contract_rows(units, rng)
    sheet = write_sheet(src / "05-经营合同-2024.xlsx", "合同", f"{NAME} 共有部分经营合同登记（2024年度）",
                        CONTRACT_HEADERS, contract_sheet_rows(first))
    t.run("import", sheet, "--date", "2024-10-25")

    # 5. owners queue for a parking space in spring 2025 (Art. 276); then proposals the
    #    gate turned down, logged for residents to see
    waiting = [u["owner"] for u in units if not u["unsold"]][200:203]
    for n, owner in enumerate(waiting):
        t.run("waitlist", "add", "--owner", owner, "--date", D(2025, 3, 3) + dt.timedelta(days=7 * n),
              "--note", "申请租用地面车位")
    for name, proposal, comment, day in (
        ("2024-10-R04-集体宿舍.yaml", dict(id="X-2024-01", assets=["R-04"], use="community-room",
                                            counterparty="淮安市某劳务派遣有限公司", counterparty_kind="organisation",
                                            signed=D(2024, 10, 20), start=D(2024, 11, 1), end=D(2025, 10, 31),
                                            price="4500.00", period="month", deposit="4500.00", manager_share="0.10",
                                            resolution="R-2024-01", notice_start=D(2024, 10, 1), notice_end=D(2024, 10, 16)),
         "物业提议把2号楼地下室改作员工集体宿舍：地下室住人，负面清单禁止", D(2024, 10, 20)),
        ("2025-05-非业主车位一年.yaml", dict(id="X-2025-01", assets=["P-282"], use="parking-nonowner",
                                             counterparty="淮安市某物流有限公司", counterparty_kind="organisation",
                                             signed=D(2025, 5, 10), start=D(2025, 6, 1), end=D(2026, 5, 31),
                                             price="300.00", period="month", deposit="300.00", manager_share="0.30",
                                             resolution="R-2024-01", notice_start=D(2025, 4, 20), notice_end=D(2025, 5, 5)),
         "物流公司要租一个车位一年：非业主租期超过6个月、仍有业主排队、车位有争议", D(2025, 5, 10)),
        ("2025-08-会所办喜宴.yaml", dict(id="X-2025-02", assets=["R-03"], use="event-hire",
                                          counterparty="淮安市某婚庆服务有限公司", counterparty_kind="organisation",
                                          signed=D(2025, 8, 1), start=D(2025, 9, 1), end=D(2025, 9, 30),
                                          price="5000.00", period="once", deposit="1000.00", manager_share="0.10",
                                          notice_start=D(2025, 7, 10), notice_end=D(2025, 7, 25)),
         "婚庆公司租用架空层办喜宴：指导清单没有这一用途", D(2025, 8, 1)),
    ):
        path = write_proposal(props / name, proposal, comment)
        t.run("contract", "record", path, "--date", day, expect=1)

    # 6. R-02 confirmed by resolution; the EV-charger resolution; a dispute resolved
    votes = src / "06-表决票-2025年4月业主大会-确权.xlsx"
    write_ballots(votes, "景湖花园2025年第一次业主大会 表决票统计（5号楼用房确权）", ballots(rng, units, 0.83, 0.88, 0.05))
    t.run("resolution", "record", votes, "--matter", 9, "--id", "R-2025-01", "--date", "2025-04-26",
          "--title", "关于确认5号楼一层空置物业服务用房为业主共有的决定")
    write_pdf(folder / "documents/2025-04-R-02-决议.pdf", ["Owners' assembly resolution R-2025-01 on room R-02 (fictional)."])
    t.run("asset", "confirm", "R-02", "--date", "2025-04-28", "--evidence", "documents/2025-04-R-02-决议.pdf",
          "--resolution", "R-2025-01", "--reason", "业主大会决议确认为业主共有（物业未能出示产权证明）")
    votes = src / "07-表决票-2025年4月业主大会-充电桩.xlsx"
    write_ballots(votes, "景湖花园2025年第一次业主大会 表决票统计（充电桩）", ballots(rng, units, 0.83, 0.88, 0.05))
    t.run("resolution", "record", votes, "--matter", 8, "--id", "R-2025-02", "--date", "2025-04-26",
          "--title", "关于在停车区设置电动汽车充电桩的决定", "--assets", "E-02", "--uses", "ev-charger")
    votes = src / "08-表决票-2025年4月业主大会-外墙广告.xlsx"
    write_ballots(votes, "景湖花园2025年第一次业主大会 表决票统计（外墙广告）", ballots(rng, units, 0.80, 0.62, 0.25))
    t.run("resolution", "record", votes, "--matter", 8, "--id", "R-2025-03", "--date", "2025-04-26",
          "--title", "关于在3号楼山墙和会所南墙设置外墙广告的决定", "--assets", "AD-39,AD-40",
          "--uses", "advertising-exterior")  # recorded as failed: 60% approval, below 3/4
    t.run("contract", "end", "C-2024-003", "--date", "2025-08-01", "--reason", "广告公司经营困难，双方协商提前解除")
    t.run("asset", "resolve", "P-285", "--date", "2025-09-01", "--reason", "开发商未能提供该车位的规划许可及销售合同，撤回主张")
    t.run("asset", "notice", "P-285", "--date", "2025-09-05", "--days", 15, "--reason", "争议解决后重新公示")
    t.run("asset", "confirm", "P-285", "--date", "2025-09-22", "--evidence", evidence["停车位"],
          "--reason", "重新公示期满无异议，确认为业主共有")

    # the owners waiting in spring got the spaces of owners who did not renew
    for owner in waiting:
        t.run("waitlist", "remove", "--owner", owner, "--date", "2025-05-25", "--reason", "已租到车位（未续租业主空出的车位）")

    # 7. renewals and new contracts of 2025
    sheet = write_sheet(src / "09-经营合同-2025.xlsx", "合同", f"{NAME} 共有部分经营合同登记（2025年度）",
                        CONTRACT_HEADERS, contract_sheet_rows(renewals))
    t.run("import", sheet, "--date", "2025-05-20")

    # 8. the money: monthly reports of the property company and the owners' bank account
    opening = Decimal("186420.55")
    t.write("journal", [data.Transaction(
        meta(), D(2024, 9, 30), "*", "业委会", "共有资金专户期初余额（清查前历年结余）", frozenset(), frozenset(),
        [data.Posting(accounts.BANK, Amount(opening, "CNY"), None, None, None, None),
         data.Posting(accounts.OPENING, Amount(-opening, "CNY"), None, None, None, None)])])

    ended = {"C-2024-003": D(2025, 7, 31)}
    via_bank = {"C-2024-004", "C-2024-005"}
    dues = billing(first + renewals, ended)
    bank: list[tuple[D, str, Decimal, Decimal, str, str]] = []  # day, summary, in, out, counterparty, note
    net_by_half: dict[str, Decimal] = {}
    report_rows: dict[D, list[list[Any]]] = {}
    for start, r in sorted(dues, key=lambda x: (x[0], x[1]["id"])):
        label = f"{start:%Y-%m}"
        gross = r["price"]
        if r["id"] == "C-2025-002" and label == "2026-09":
            continue  # the charger operator skipped a month: arrears for the audit
        share = r["manager_share"]
        if r["id"] == "C-2024-002" and label == "2026-05":
            share = Decimal("0.15")  # deducted more than the agreed 10%: the audit flags it
        cost = cents(gross * share)
        half = f"{start.year}H{1 if start.month <= 6 else 2}"
        if r["id"] in via_bank:
            paid = start + dt.timedelta(days=rng.randint(3, 12))
            bank.append((paid, f"{label} {r.get('title', '')} 租金 {r['id']}", gross, Decimal(0), r["counterparty"], ""))
            net_by_half[half] = net_by_half.get(half, Decimal(0)) + gross
            continue
        asset = r["assets"] if "," not in r["assets"] else ""
        report_rows.setdefault(start, []).append(
            [label, asset, r["id"], r.get("title", "地面车位年租（业主）"), float(gross), float(cost), float(gross - cost)])
        net_by_half[half] = net_by_half.get(half, Decimal(0)) + gross - cost
    month = D(2024, 11, 1)
    while month <= END:
        rows = report_rows.get(month, [])
        for d in list(report_rows):
            if d.year == month.year and d.month == month.month and d != month:
                rows += report_rows[d]
        if rows:
            path = write_sheet(src / "物业收益月报" / f"{month:%Y-%m}.xlsx", "收益明细",
                               f"{MANAGER} 景湖花园公共收益月报（{month.year}年{month.month}月）",
                               ["期间", "资产编号", "合同编号", "项目", "收入总额", "扣除成本", "应付业主"], rows,
                               total=["合计", None, None, None, sum(x[4] for x in rows), sum(x[5] for x in rows),
                                      sum(x[6] for x in rows)], widths={4: 26})
            t.run("import", path)
            net = sum((Decimal(str(x[6])) for x in rows), Decimal(0))
            late = f"{month:%Y-%m}" in ("2025-12", "2026-08")
            remit = month_end(month) + dt.timedelta(days=55 if late else 20)
            if remit <= END:
                bank.append((remit, f"{month:%Y-%m} 代收公共收益转入", cents(net), Decimal(0), MANAGER, ""))
        month = add_months(month, 1)
    for r in first + renewals:
        if r["deposit"]:
            bank.append((r["signed"], f"履约押金 {r['id']}", r["deposit"], Decimal(0), r["counterparty"], ""))
            end = ended.get(r["id"], r["end"])
            if end < END and r["use"] in ("parking-nonowner", "advertising-board"):
                bank.append((end + dt.timedelta(days=10), f"退还押金 {r['id']}", Decimal(0), r["deposit"],
                             r["counterparty"], ""))
    for half, day in (("2024H2", D(2025, 1, 20)), ("2025H1", D(2025, 7, 20)), ("2025H2", D(2026, 1, 20)),
                      ("2026H1", D(2026, 7, 20))):
        fund = cents(net_by_half.get(half, Decimal(0)) * Decimal("0.60"))
        committee = cents(net_by_half.get(half, Decimal(0)) * Decimal("0.10"))
        bank.append((day, f"划转 {half} 补充维修资金 R-2024-02", Decimal(0), fund, "淮安市住房专项维修资金管理中心", ""))
        bank.append((day, f"划转 {half} 业委会工作经费 R-2024-02", Decimal(0), committee, "景湖花园业主委员会", ""))
    for q in range(8):
        bank.append((D(2024, 12, 21) + dt.timedelta(days=91 * q), "账户管理费", Decimal(0), Decimal("30.00"), "", ""))
    bank.append((D(2026, 10, 14), "转账", Decimal("360.00"), Decimal(0), "个人", "车位费"))
    bank += unapproved_spending()
    record_payments(t, units, bank)  # the year under the approval rule (issue 15)

    bank.sort(key=lambda x: (x[0], x[1]))
    balance = opening
    lines = []
    for n, (day, summary, inflow, outflow, who, note) in enumerate(bank, 1):
        balance += inflow - outflow
        lines.append([day, summary, float(inflow) if inflow else None, float(outflow) if outflow else None,
                      float(balance), who, f"JH{day:%Y%m%d}{n:04d}", note])
    cut = D(2025, 10, 31)
    for name, part in (("10-银行对账单-2024-11至2025-10.xlsx", [x for x in lines if x[0] <= cut]),
                       # the second export overlaps the first by two weeks: nothing is booked twice
                       ("11-银行对账单-2025-10中至2026-10.xlsx", [x for x in lines if x[0] >= D(2025, 10, 15)])):
        path = write_sheet(src / name, "明细", "中国银行淮安清江浦支行 账户明细 户名：景湖花园业主大会共有资金专户",
                           ["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号", "附言"], part,
                           total=["合计", None, sum(x[2] or 0 for x in part), sum(x[3] or 0 for x in part)],
                           widths={1: 12, 2: 34, 6: 30})
        t.run("import", path)

    # 9. disclosures for the periods published so far, and a seal on 2025
    reports = folder / "reports"
    reports.mkdir()
    for period, day in (("2024H2", "2025-01-25"), ("2025H1", "2025-07-25"), ("2025H2", "2026-01-25")):
        t.run("disclose", "--period", period, "-o", reports / f"收益公示-{period}.xlsx",
              "--html", reports / f"收益公示-{period}.html", "--date", day,
              "--no-pdf")  # a PDF is not byte-reproducible (dates, ids): print it with `disclose`
        normalize_xlsx(reports / f"收益公示-{period}.xlsx")
    t.run("seal", "--through", "2025-12-31", "--date", "2026-01-26")
    # an owner joins the waiting list in the autumn of 2026 and is still waiting
    t.run("waitlist", "add", "--owner", [u["owner"] for u in units if not u["unsold"]][250], "--date", "2026-09-07",
          "--note", "申请租用地面车位")
    attach_vouchers(t, folder)
    return folder / "main.beancount"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / COMPOUND_ID)
    args = parser.parse_args(argv)
    main_file = build(args.out)
    print(f"wrote {main_file}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
