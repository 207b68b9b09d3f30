"""Issue 9's "done when", for suspense and corrections: a treasurer's month with commands only."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from conftest import SMALL_REGISTRY, SMALL_UNITS, append
from test_import_bank import contract_text
from test_suspense import RESOLUTIONS, bean_check, open_lines, run, statement
from test_suspense_sheet import GOOD, fill

from assetreg.audit import run_checks
from assetreg.ledger import Compound


def test_a_treasurers_month(tmp_path: Path) -> None:
    root = tmp_path / "new-compound"
    run("init", root, "--name", "测试小区", "--open-date", "2020-01-01")
    # the set-up a month starts from: roster, registry with P-001 confirmed, a permitted contract
    append(root / "units.beancount", SMALL_UNITS)
    append(root / "registry.beancount", SMALL_REGISTRY)
    (root / "documents" / "P-001.pdf").write_bytes(b"%PDF-1.4\n")
    append(root / "contracts.beancount", RESOLUTIONS + contract_text())
    # That set-up is written by hand, as in a compound kept before assetreg's write history:
    # the history starts (as an unverified baseline) with the month's first write.
    shutil.rmtree(root / ".assetreg-history")

    # 1. the bank statement: two lines matched, five unmatched
    res = run("import", statement(tmp_path / "3月对账单.xlsx"), "-L", root)
    assert "5 × 待查明" in res.output
    assert len(open_lines(root)) == 5

    # 2. the suspense list as a sheet; the treasurer fills what she found out, but the cost share
    sheet = run("suspense", "export", "-o", tmp_path / "待查明.xlsx", "--as-of", "2024-04-01", "-L", root)
    assert "wrote 5 open line(s)" in sheet.output
    filled = fill(tmp_path / "待查明.xlsx", {k: v for k, v in GOOD.items() if k != "SN008"})
    run("import", filled, "-L", root)
    assert [ln.bank_ref for ln in open_lines(root)] == ["SN008"]

    # 3. the manager's cost share (Art. 282), within the cap
    run("suspense", "assign", "SN008", "--as", "物业经营成本", "--reason", "3月经营成本分成", "-L", root)
    assert open_lines(root) == []

    # 4. one wrong booking: the March "停车费" was the contract's deposit
    run("correct", "SN002", "--reason", "对方附言有误，实为押金", "--as", "收取押金", "--contract", "C-2024-009",
        "--date", "2024-03-31", "-L", root)

    # 5. seal the month, then publish it (twice: one ledger entry)
    run("seal", "--through", "2024-03-31", "--date", "2024-04-05", "-L", root)
    run("disclose", "--period", "2024-03", "-o", tmp_path / "公示.xlsx", "--date", "2024-04-10", "-L", root)
    run("disclose", "--period", "2024-03", "-o", tmp_path / "公示.xlsx", "--date", "2024-04-11", "-L", root)

    r = bean_check(root)
    assert r.returncode == 0, r.stdout + r.stderr
    loaded = Compound.locate(root).load()
    findings = run_checks(loaded.entries, loaded.options_map, dt.date(2024, 4, 11))
    assert not [f for f in findings if f.check.startswith("suspense") or f.severity == "error"], \
        [f.message for f in findings]
    assert sum(1 for e in loaded.entries if getattr(e, "type", None) == "disclosure") == 1
    # nothing was edited: every entry the import wrote is still there as written
    journal = (root / "journal.beancount").read_text(encoding="utf-8")
    assert journal.count('unmatched: "') == 5 and journal.count("reverses:") == 1
