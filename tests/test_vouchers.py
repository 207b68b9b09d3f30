"""Vouchers: scans copied into the compound and linked to their entries; lines above the threshold
without one are flagged and audited (issue 15)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import CliRunner
from conftest import append, snapshot
from test_import_bank import CONTRACT, split_layout

from assetreg import books as ledger_index
from assetreg import vouchers
from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.ledger import Compound
from assetreg.pdf import write_pdf
from importers.testing import write_xlsx

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


def run(*args: object) -> tuple[int, str]:
    r = CliRunner().invoke(main, [str(a) for a in args])
    return r.exit_code, r.output


def ok(*args: object) -> str:
    code, out = run(*args)
    assert code == 0, out
    return out


@pytest.fixture
def banked(small_compound: Path, tmp_path: Path) -> Path:
    """The small compound with a month of bank lines imported (SN001..SN005)."""
    append(small_compound / "contracts.beancount", CONTRACT)
    ok("import", split_layout(tmp_path / "stmt.xlsx"), "-L", small_compound)
    return small_compound


def scan(folder: Path, name: str, content: bytes | None = None) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        write_pdf(path, [f"voucher {name}"])
    else:
        path.write_bytes(content)
    return path


def loaded_books(root: Path):  # type: ignore[no-untyped-def]
    loaded = Compound.locate(root).load()
    assert loaded.errors == [], [e.message for e in loaded.errors]
    return loaded, ledger_index.of(loaded.entries, loaded.options_map)


def entry_by_ref(entries: list, ref: str):  # type: ignore[no-untyped-def,type-arg]
    return next(e for e in entries if isinstance(e, data.Transaction) and e.meta.get("bank_ref") == ref)


def test_attach_copies_links_and_never_edits_the_entry(banked: Path, tmp_path: Path) -> None:
    journal = (banked / "journal.beancount").read_bytes()
    slip = scan(tmp_path / "scans", "slip.pdf")
    photo = scan(tmp_path / "scans", "photo.jpg", JPEG)
    out = ok("voucher", "attach", "SN002", slip, photo, "--date", "2024-04-02", "-L", banked)
    assert "2 voucher(s) attached" in out
    assert (banked / "journal.beancount").read_bytes() == journal
    sha = hashlib.sha256(slip.read_bytes()).hexdigest()
    stored = banked / "documents" / "凭证" / f"{sha[:16]}.pdf"
    assert stored.read_bytes() == slip.read_bytes()
    loaded, books = loaded_books(banked)
    docs = [e for e in loaded.entries if isinstance(e, data.Document) and e.meta.get("voucher-for")]
    assert {d.account for d in docs} == {"Income:Common:停车位"}
    assert {d.meta["sha256"] for d in docs} == {sha, hashlib.sha256(JPEG).hexdigest()}
    found = vouchers.for_entry(books, entry_by_ref(loaded.entries, "SN002"))
    assert [(v.kind, v.sha256) for v in found] == [("pdf", sha), ("jpg", hashlib.sha256(JPEG).hexdigest())]
    assert vouchers.for_entry(books, entry_by_ref(loaded.entries, "SN003")) == []
    # attaching again adds nothing
    before = snapshot(banked)
    out = ok("voucher", "attach", "SN002", slip, "--date", "2024-04-03", "-L", banked)
    assert "already attached" in out and snapshot(banked) == before
    assert bean_check(banked) == 0


def test_every_kind_of_ref_names_its_entry(banked: Path, tmp_path: Path) -> None:
    loaded, _ = loaded_books(banked)
    deposit = entry_by_ref(loaded.entries, "SN003")
    rel = f"journal.beancount:{deposit.meta['lineno']}"
    ok("voucher", "attach", deposit.meta["import_id"], scan(tmp_path, "a.png", PNG), "--date", "2024-04-02", "-L", banked)
    ok("voucher", "attach", rel, scan(tmp_path, "b.pdf"), "--date", "2024-04-02", "-L", banked)
    ok("voucher", "attach", "c-2024-009", scan(tmp_path, "c.pdf"), "--date", "2024-04-02", "-L", banked)
    # an entry with no import id or bank reference is named by its file and line
    opening_line = next(n for n, line in enumerate((banked / "units.beancount").read_text().splitlines(), 1)
                        if line.startswith("2020-01-01 custom \"unit\" \"1-102\""))
    ok("voucher", "attach", f"units.beancount:{opening_line}", scan(tmp_path, "d.pdf"), "--date", "2024-04-02",
       "-L", banked)
    loaded, books = loaded_books(banked)
    deposit = entry_by_ref(loaded.entries, "SN003")
    assert len(vouchers.for_entry(books, deposit)) == 2
    contract = next(e for e in loaded.entries if isinstance(e, data.Custom) and e.type == "contract")
    assert [v.kind for v in vouchers.for_entry(books, contract)] == ["pdf"]
    unit = next(e for e in loaded.entries if isinstance(e, data.Custom) and e.type == "unit"
                and e.values[0].value == "1-102")
    assert len(vouchers.for_entry(books, unit)) == 1
    keys = sorted(e.meta["voucher-for"].split(":")[0] for e in loaded.entries
                  if isinstance(e, data.Document) and e.meta.get("voucher-for"))
    assert keys == ["at", "contract", "import_id", "import_id"]


@pytest.mark.parametrize("case", ["text", "link", "big", "empty", "missing", "ref", "date"])
def test_refused_attachments_write_nothing(banked: Path, tmp_path: Path, case: str) -> None:
    append(banked / "accounts.beancount", '\n2020-01-01 custom "assetreg-option" "voucher-max-bytes" "1000"\n')
    good = scan(tmp_path, "good.pdf")
    ref, files, day, expected = "SN002", [good], "2024-04-02", ""
    if case == "text":
        files, expected = [scan(tmp_path, "fake.pdf", b"hello, not a pdf")], "not a PDF, JPEG or PNG"
    elif case == "link":
        os.symlink(good, tmp_path / "link.pdf")
        files, expected = [good, tmp_path / "link.pdf"], "symbolic link"
    elif case == "big":
        files, expected = [scan(tmp_path, "big.png", PNG + b"\x00" * 2000)], "more than the limit of 1000"
    elif case == "empty":
        files, expected = [scan(tmp_path, "e.pdf", b"")], "empty"
    elif case == "missing":
        files, expected = [good, tmp_path / "nope.pdf"], "no such file"
    elif case == "ref":
        ref, expected = "SN999", "nothing in the ledger is named"
    elif case == "date":
        day, expected = "2024-03-01", "before the entry's date"
    before = snapshot(banked)
    code, out = run("voucher", "attach", ref, *files, "--date", day, "-L", banked)
    assert code == 2 and expected in out, out
    assert snapshot(banked) == before


def test_lines_above_the_threshold_without_a_voucher_are_flagged_and_audited(banked: Path, tmp_path: Path) -> None:
    _, books = loaded_books(banked)
    assert vouchers.threshold(books) is None and not any(x.flagged for x in vouchers.lines(books))
    append(banked / "accounts.beancount", '\n2020-01-01 custom "assetreg-option" "voucher-threshold" "100"\n')
    append(banked / "journal.beancount", """
2024-03-25 * "淮安某建筑工程有限公司" "道闸维修"
  resolution: "R-X"
  Expenses:Allocation:业主大会决定用途   100.00 CNY
  Assets:Bank:共有资金专户              -100.00 CNY
2024-03-26 * "淮安某建筑工程有限公司" "道闸更换"
  Expenses:Allocation:业主大会决定用途   100.01 CNY
  Assets:Bank:共有资金专户              -100.01 CNY
""")
    loaded, books = loaded_books(banked)
    lines = vouchers.lines(books)
    assert [(x.kind, str(x.amount), x.flagged) for x in lines] == [
        ("income", "150.00", True), ("cost", "100.00", False), ("cost", "100.01", True)]  # 超过: 100 is not above
    ok("voucher", "attach", "SN002", scan(tmp_path, "slip.pdf"), "--date", "2024-04-02", "-L", banked)
    loaded = Compound.locate(banked).load()
    got = [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2024, 4, 25))
           if f.check.startswith("voucher")]
    assert [(f.check, f.facts["amount"], f.facts["age_days"]) for f in got] == [("voucher-missing", "100.01", "30")]
    assert got[0].entries[0].endswith("journal.beancount:" + str(lines[2].entry.meta["lineno"]))
    listing = ok("voucher", "list", "--missing", "-L", banked)
    assert "1 line(s), 0 with vouchers, 1 flagged" in listing


def test_a_changed_voucher_file_is_found(banked: Path, tmp_path: Path) -> None:
    ok("voucher", "attach", "SN002", scan(tmp_path, "slip.pdf"), "--date", "2024-04-02", "-L", banked)
    loaded = Compound.locate(banked).load()
    assert not [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2024, 4, 25))
                if f.check == "voucher-changed"]
    stored = next((banked / "documents" / "凭证").iterdir())
    stored.write_bytes(stored.read_bytes() + b"%% altered")
    got = [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2024, 4, 25))
           if f.check == "voucher-changed"]
    assert len(got) == 1 and "sha256" in got[0].message


def test_the_voucher_sheet_attaches_in_bulk_all_or_nothing_and_once(banked: Path, tmp_path: Path) -> None:
    folder = tmp_path / "凭证清单"
    scan(folder, "scans/slip-002.pdf")
    scan(folder, "scans/deposit.png", PNG)
    scan(folder, "scans/fake.pdf", b"GIF89a not a scan")
    (tmp_path / "outside.pdf").write_bytes(b"%PDF-1.4 outside")
    header = [["凭证清单"], ["对应记录", "凭证文件"]]
    bad = write_xlsx(folder / "bad.xlsx", [*header, ["SN002", "scans/slip-002.pdf"], ["SN003", "scans/fake.pdf"],
                                           ["SN777", "scans/deposit.png"], ["SN003", "../outside.pdf"]])
    before = snapshot(banked)
    code, out = run("import", bad, "-L", banked)
    assert code == 2 and snapshot(banked) == before
    assert "bad.xlsx:Sheet1:4:B(凭证文件)" in out and "not a PDF, JPEG or PNG" in out
    assert "bad.xlsx:Sheet1:5:A(对应记录)" in out and "SN777" in out
    assert "bad.xlsx:Sheet1:6:B(凭证文件)" in out
    sheet = write_xlsx(folder / "凭证清单.xlsx", [*header, ["SN002", "scans/slip-002.pdf"],
                                                  ["SN003", "scans/deposit.png"], ["SN002", "scans/deposit.png"]])
    out = ok("import", sheet, "-L", banked)
    assert "凭证清单 (vouchers)" in out and "3 entries written" in out
    assert len(list((banked / "documents" / "凭证").iterdir())) == 2  # the png is stored once
    out = ok("import", sheet, "-L", banked)
    assert "0 entries written, 3 row(s) already" in out
    assert bean_check(banked) == 0


def test_a_proposal_carries_its_voucher_by_content(small_compound: Path, tmp_path: Path) -> None:
    ok("payment", "approver", "add", "OWN-0002", "--group", "committee", "--role", "委员", "--date", "2024-03-01",
       "-L", small_compound)
    quote = scan(tmp_path, "quote.pdf")
    out = ok("payment", "propose", "--amount", "500", "--to", "淮安某建筑工程有限公司", "--purpose", "道闸维修",
             "--by", "OWN-0001", "--voucher", quote, "--date", "2024-03-02", "-L", small_compound)
    first = out.split("content hash ")[1].split()[0]
    other = scan(tmp_path, "quote2.pdf")
    out = ok("payment", "amend", "PAY-2024-001", "--voucher", other, "--by", "OWN-0001", "--date", "2024-03-03",
             "-L", small_compound)
    assert first not in out  # another scan is another content
    assert len(list((small_compound / "documents" / "凭证").iterdir())) == 2
    assert bean_check(small_compound) == 0


def bean_check(root: Path) -> int:
    r = subprocess.run([sys.executable, "-m", "beancount.scripts.check", str(root / "main.beancount")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.returncode


def test_a_sheet_cannot_reach_out_of_its_folder_through_a_linked_folder(banked: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    scan(outside, "secret.pdf")
    folder = tmp_path / "list"
    folder.mkdir()
    os.symlink(outside, folder / "scans")
    sheet = write_xlsx(folder / "凭证清单.xlsx", [["对应记录", "凭证文件"], ["SN002", "scans/secret.pdf"]])
    before = snapshot(banked)
    code, out = run("import", sheet, "-L", banked)
    assert code == 2 and "outside the folder" in out and "凭证清单.xlsx:Sheet1:2:B(凭证文件)" in out
    assert snapshot(banked) == before
    # from the command line a scan in a linked folder is fine: only the file itself may not be a link
    ok("voucher", "attach", "SN002", folder / "scans" / "secret.pdf", "--date", "2024-04-02", "-L", banked)
