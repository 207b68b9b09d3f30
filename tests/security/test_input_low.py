"""Issue 14, low items: dates that are no moment of a day or out of any compound's years;
temp files a killed write left; Beancount's pickle cache beside the ledger; a compound's
name that would inject directives."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from beancount import loader
from click.testing import CliRunner

from assetreg.cli import main
from assetreg.dates import parse_date
from assetreg.errors import BadInput
from assetreg.ledger import Compound, custom
from importers.cells import CellProblem
from importers.cells import parse_date as parse_cell_date

REPO = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------ dates


@pytest.mark.parametrize("text", ["2024-03-01 25:99", "2024-03-01 24:00", "2024-03-01 10:60", "2024-03-01 10:00:61",
                                  "9999-12-31", "1899-12-31", "2101-01-01", "2024/3/1 99:00", "0001-01-01"])
def test_the_cell_date_parser_refuses(text: str) -> None:
    with pytest.raises(CellProblem):
        parse_cell_date(text)


@pytest.mark.parametrize("value", [dt.datetime(9999, 12, 31), dt.date(1, 1, 1), dt.date(2101, 1, 1)])
def test_date_cells_out_of_any_compounds_years_are_refused(value: dt.date) -> None:
    with pytest.raises(CellProblem, match="no such day"):
        parse_cell_date(value)


@pytest.mark.parametrize("text", ["9999-12-31", "1899-12-31", "2101-01-01"])
def test_the_written_date_parser_refuses(text: str) -> None:
    with pytest.raises(BadInput, match="malformed"):
        parse_date(text)


@pytest.mark.parametrize(("text", "day"), [("2024-03-01 23:59:59", dt.date(2024, 3, 1)),
                                           ("2024-03-01 0:00", dt.date(2024, 3, 1)),
                                           ("2100-12-31", dt.date(2100, 12, 31)),
                                           ("1900-01-01", dt.date(1900, 1, 1))])
def test_real_moments_still_read(text: str, day: dt.date) -> None:
    assert parse_cell_date(text) == day


def test_a_command_refuses_a_far_date(small_compound: Path) -> None:
    r = CliRunner().invoke(main, ["asset", "add", "AD-009", "--kind", "advertising", "--location", "2号楼",
                                  "--date", "9999-12-31", "-L", str(small_compound)])
    assert r.exit_code == 2, r.output


# ------------------------------------------------------------------ temp files


KILLED_WRITE = """
import sys, time
from pathlib import Path
import assetreg.ledger as ledger
real = ledger.os.replace
def stuck(src, dst):  # killed between writing the temp file and renaming it
    print("written", flush=True)
    time.sleep(60)
ledger.os.replace = stuck
ledger.atomic_write(Path(sys.argv[1]), "new\\n")
"""


def test_temp_files_left_by_a_killed_write_are_removed_by_the_next(small_compound: Path) -> None:
    target = small_compound / "journal.beancount"
    p = subprocess.Popen([sys.executable, "-c", KILLED_WRITE, str(target)], stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline().strip() == "written"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    left = list(small_compound.glob(".*.tmp"))
    assert left, "the killed write should have left its temp file"
    # a temp file of a write still running is not touched
    live = small_compound / f".registry.beancount.{os.getpid()}-x1.tmp"
    live.write_text("someone else's write in progress")
    with Compound.locate(small_compound).transaction() as txn:
        txn.append("registry", [custom(dt.date(2024, 5, 1), "asset", ["AD-009", "registered"], kind="advertising",
                                       location="2号楼")])
    assert not any(p.exists() for p in left)
    assert live.exists()
    live.unlink()


def test_a_workbook_save_removes_its_own_stale_temp(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from assetreg.ledger import save_workbook

    stale = tmp_path / ".r.xlsx.999999999-abc.tmp"  # no such process
    stale.write_bytes(b"half a workbook")
    other = tmp_path / ".notes.txt.999999999-abc.tmp"  # some other program's: left alone
    other.write_bytes(b"x")
    save_workbook(Workbook(), tmp_path / "r.xlsx")
    assert not stale.exists() and other.exists()


# ------------------------------------------------------------------ pickle cache

SLOW_LOAD = """
import os, sys
os.environ.pop("BEANCOUNT_DISABLE_LOAD_CACHE", None)
from beancount import loader
loader.PICKLE_CACHE_THRESHOLD = 0.0  # as if the load were slow: what bean-check does on a large ledger
loader.initialize(True)
entries, errors, _ = loader.load_file(sys.argv[1])
assert entries
"""


def test_bean_checks_pickle_cache_is_not_left_in_the_compound_folder(small_compound: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BEANCOUNT_DISABLE_LOAD_CACHE"}
    subprocess.run([sys.executable, "-c", SLOW_LOAD, str(small_compound / "main.beancount")], check=True, env=env)
    assert not [p.name for p in small_compound.iterdir() if "pickle" in p.name]


def test_bean_check_itself_leaves_no_cache(small_compound: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BEANCOUNT_DISABLE_LOAD_CACHE"}
    bean_check = shutil.which("bean-check", path=str(Path(sys.executable).parent))
    assert bean_check
    subprocess.run([bean_check, str(small_compound / "main.beancount")], check=True, env=env, capture_output=True)
    assert not [p.name for p in small_compound.iterdir() if "pickle" in p.name]
    assert loader.PICKLE_CACHE_FILENAME.startswith(".")  # the name the test looks for


# ------------------------------------------------------------------ init --name


@pytest.mark.parametrize("name", ["景湖花园\n2020-01-01 open Assets:Evil CNY", "景湖\r花园", "景湖\u2028花园",
                                  "景湖\x00花园", "景湖\u202e花园", "<script>alert(1)</script>", "长" * 65])
def test_init_refuses_a_name_that_is_not_one_plain_line(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "x-garden"
    r = CliRunner().invoke(main, ["init", str(folder), "--name", name])
    assert r.exit_code == 2, r.output
    assert not folder.exists() or not any(folder.iterdir())


def test_init_accepts_a_plain_name(tmp_path: Path) -> None:
    folder = tmp_path / "x-garden"
    t = time.perf_counter()
    r = CliRunner().invoke(main, ["init", str(folder), "--name", " 景湖花园（二期）"])
    assert r.exit_code == 0, r.output
    assert time.perf_counter() - t < 30
    loaded = Compound.locate(folder).load()
    assert not loaded.errors and loaded.options.get("compound-name") == "景湖花园（二期）"
    assert "Assets:Evil" not in (folder / "main.beancount").read_text(encoding="utf-8")
