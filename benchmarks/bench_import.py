"""Benchmark: import a 50,000-row bank statement, relative to merely reading it with openpyxl.

    python benchmarks/bench_import.py [--rows 50000]

Prints the time of ``assetreg import`` (the whole command: read, match every line, check
balances and the ledger plugin's book errors, format, write atomically) divided by the time
openpyxl takes to read the same sheet in read-only mode, both measured in this run, and
the process's peak memory. Targets (issue 11): ratio ≤ 0.7, peak memory < 300 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")

PARTIES = ["物业服务公司", "淮安某某广告传媒有限公司", "", "张三", "中国铁塔股份有限公司淮安市分公司"]


def write_statement(path: Path, rows: int) -> None:
    """A realistic statement: title rows, header, ``rows`` lines with a running balance, a 合计 row.
    Written in openpyxl's normal mode, so text goes to the shared-string table as Excel and
    the banks' exports do."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "账户明细"
    ws.append(["中国某某银行 账户明细查询"])
    ws.append(["账号：3201 0000 1234  户名：业主大会共有资金专户"])
    ws.append(["交易日期", "摘要", "收入金额", "支出金额", "余额", "对方户名", "流水号", "附言"])
    balance = 100_000_00  # in fen
    day = dt.date(2020, 1, 1)
    for i in range(rows):
        if i % 40 == 0:
            day += dt.timedelta(days=1)
        cents = 1000 + (i * 7919) % 500_000
        out = i % 5 == 2
        if out and balance - cents < 0:
            out = False
        balance += -cents if out else cents
        amount = f"{cents // 100}.{cents % 100:02d}"
        ws.append([day.isoformat(), "账户管理费" if out else "转账", None if out else amount,
                   amount if out else None, f"{balance // 100}.{balance % 100:02d}",
                   "" if out else PARTIES[i % len(PARTIES)], f"SN{i:08d}", ""])
    ws.append(["合计"])
    wb.save(path)


def read_only_time(path: Path) -> float:
    from openpyxl import load_workbook

    t = time.perf_counter()
    wb = load_workbook(path, read_only=True, data_only=True)
    n = 0
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            n += 1
    wb.close()
    return time.perf_counter() - t


def import_time(path: Path, root: Path) -> float:
    from assetreg.cli import main

    t = time.perf_counter()
    try:
        main(["import", str(path), "-L", str(root)], standalone_mode=False)
    finally:
        elapsed = time.perf_counter() - t
    return elapsed


def main_() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3, help="interleaved repetitions; the best of each is compared")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        xlsx = Path(tmp) / "statement.xlsx"
        # Generate in a child process so its memory does not count in this one's peak.
        subprocess.run([sys.executable, __file__, "--write", str(xlsx), str(args.rows)], check=True)
        from assetreg.scaffold import init_compound

        # Reads and imports alternate, each into a fresh compound, and the best time of each
        # is compared: on a shared machine the speed drifts, and the ratio should not depend
        # on which ran during someone else's test suite.
        reads, imports = [], []
        for n in range(args.repeat):
            root = Path(tmp) / f"bench{n}"
            init_compound(root, "基准小区", dt.date(2019, 1, 1))
            reads.append(read_only_time(xlsx))
            imports.append(import_time(xlsx, root))
            journal = (root / "journal.beancount").read_text(encoding="utf-8")
            assert journal.count("import_id") >= args.rows, "import wrote fewer entries than lines"
        read, imported = min(reads), min(imports)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"rows: {args.rows}")
        print(f"openpyxl read-only read: {read:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in reads)})")
        print(f"assetreg import:         {imported:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in imports)})")
        print(f"ratio import/read:       {imported / read:.2f}  (target <= 0.7)")
        print(f"peak memory:             {peak_mb:.0f} MB  (target < 300 MB)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--write":
        write_statement(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main_()
