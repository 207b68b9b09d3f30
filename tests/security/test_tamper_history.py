"""Issue 14: every write assetreg makes is recorded in an append-only history of the
compound folder, and the audit names any change to the ledger that no recorded write made."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SMALL_REGISTRY, SMALL_UNITS, append

from assetreg import history
from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.ledger import Compound, custom
from assetreg.scaffold import init_compound

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def log(root: Path) -> list[str]:
    """The recorded commits' subjects, newest first."""
    out = subprocess.run(["git", f"--git-dir={root / history.HISTORY_DIR}", "log", "--format=%s"],
                         capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def findings(root: Path, *checks: str) -> list:  # type: ignore[type-arg]
    loaded = Compound.locate(root).load()
    return [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 1, 1))
            if f.check in checks]


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    """A compound made with `assetreg init` and filled through assetreg commands only."""
    root = tmp_path / "demo"
    r = cli("init", str(root), "--name", "测试小区")
    assert r.exit_code == 0, r.output
    for n, owner in (("1-101", "OWN-0001"), ("1-102", "OWN-0002")):
        r = cli("unit", "add", n, "--building", "1", "--area", "90.5", "--owner", owner, "-L", str(root))
        assert r.exit_code == 0, r.output
    r = cli("asset", "add", "P-001", "--kind", "parking", "--location", "1号楼东侧道路",
            "--zones", "road", "--date", "2024-01-02", "-L", str(root))
    assert r.exit_code == 0, r.output
    return root


def test_init_starts_the_history_and_each_write_is_one_commit_with_its_command(recorded: Path) -> None:
    subjects = log(recorded)
    assert len(subjects) == 4  # init + three writes, one commit each
    assert subjects[-1].startswith("assetreg init ") and "测试小区" in subjects[-1]
    assert subjects[0] == shlex.join(["assetreg", "asset", "add", "P-001", "--kind", "parking", "--location",
                                      "1号楼东侧道路", "--zones", "road", "--date", "2024-01-02", "-L", str(recorded)])
    assert findings(recorded, "ledger-unrecorded", "history-missing") == []


def test_a_refused_write_records_nothing(recorded: Path) -> None:
    before = log(recorded)
    r = cli("unit", "add", "1-101", "--building", "1", "--area", "90", "--owner", "OWN-0009", "-L", str(recorded))
    assert r.exit_code == 2
    assert log(recorded) == before


def test_hand_edit_is_named_by_file_and_line_and_stays_reported_after_later_writes(recorded: Path) -> None:
    units = recorded / "units.beancount"
    text = units.read_text(encoding="utf-8")
    line = text.splitlines().index("  area: 90.5") + 1
    units.write_text(text.replace("  area: 90.5", "  area: 190.5", 1), encoding="utf-8")
    found = findings(recorded, "ledger-unrecorded")
    assert len(found) == 1, found
    f = found[0]
    assert f.severity == "error" and f.entries == (f"{units}:{line}",)
    assert f.facts["file"] == "units.beancount" and f.facts["removed"] == "  area: 90.5"
    assert f.facts["added"] == "  area: 190.5" and "第二百八十一条" in f.rule
    # the next write neither launders the edit nor fails: the edit is marked in the history
    r = cli("unit", "add", "1-201", "--building", "1", "--area", "100", "--owner", "OWN-0003", "-L", str(recorded))
    assert r.exit_code == 0 and "未经 assetreg 记录的改动" in r.output
    assert log(recorded)[1].startswith("unrecorded: changes found before `assetreg unit add 1-201")
    again = findings(recorded, "ledger-unrecorded")
    assert [(g.entries, g.facts["added"]) for g in again] == [(f.entries, "  area: 190.5")]
    assert again[0].facts["marked_in"]


def test_deleted_lines_new_files_and_manifests_are_reported(recorded: Path) -> None:
    reg = recorded / "registry.beancount"
    lines = reg.read_text(encoding="utf-8").splitlines(keepends=True)
    reg.write_text("".join(lines[:-1]), encoding="utf-8")  # the last line of the asset entry
    (recorded / "extra.beancount").write_text('2024-01-01 custom "unit" "9-999"\n', encoding="utf-8")
    (recorded / "seals").mkdir()
    (recorded / "seals" / "x.manifest").write_text("; forged\n", encoding="utf-8")
    (recorded / "documents" / "scan.pdf").write_bytes(b"%PDF")  # not a ledger file: not a finding
    got = {(f.facts["file"], f.facts["removed"], f.facts["added"]) for f in findings(recorded, "ledger-unrecorded")}
    assert got == {("registry.beancount", lines[-1].rstrip("\n"), ""),
                   ("extra.beancount", "", '2024-01-01 custom "unit" "9-999"'),
                   ("seals/x.manifest", "", "; forged")}


def test_compound_without_history_gets_it_on_its_next_write_and_says_so(tmp_path: Path) -> None:
    root = tmp_path / "old"
    init_compound(root, "旧小区", dt.date(2020, 1, 1))  # as before the history existed
    append(root / "units.beancount", SMALL_UNITS)
    append(root / "registry.beancount", SMALL_REGISTRY)
    note = findings(root, "history-missing", "ledger-unrecorded")
    assert [(f.check, f.severity) for f in note] == [("history-missing", "info")]
    r = cli("asset", "add", "AD-002", "--kind", "advertising", "--location", "2号楼电梯",
            "--zones", "lift", "--date", "2024-02-01", "-L", str(root))
    assert r.exit_code == 0, r.output
    assert "此前没有写入历史" in r.output
    subjects = log(root)
    assert len(subjects) == 2 and subjects[1].startswith("baseline: the folder as found before `assetreg asset add")
    assert findings(root, "history-missing", "ledger-unrecorded") == []


def test_python_api_writes_are_recorded_too(recorded: Path) -> None:
    with Compound.locate(recorded).transaction() as txn:
        txn.append("accounts", [custom(dt.date(2020, 1, 1), "assetreg-option", ["notice-days", "20"])])
    assert len(log(recorded)) == 5
    assert findings(recorded, "ledger-unrecorded") == []


def test_workbook_saved_into_the_folder_is_recorded(recorded: Path) -> None:
    r = cli("audit", "-L", str(recorded), "--xlsx", str(recorded / "审计发现.xlsx"))
    assert r.exit_code in (0, 1), r.output
    assert log(recorded)[0].startswith("assetreg audit ")
    out = history.git(recorded, "show", "--stat", "--format=", "HEAD")
    assert "审计发现.xlsx" in out


def test_a_copy_carries_its_history_and_a_project_repository_around_it_is_untouched(
        recorded: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "ledgers").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / ".gitignore").write_text(".assetreg-history/\n", encoding="utf-8")
    copy = project / "ledgers" / "demo"
    shutil.copytree(recorded, copy)
    # as from a git hook of the project: GIT_DIR names the project's repository
    env = {**os.environ, "GIT_DIR": str(project / ".git"), "GIT_WORK_TREE": str(project)}
    r = subprocess.run([shutil.which("assetreg") or "assetreg", "unit", "add", "2-101", "--building", "2",
                        "--area", "88", "--owner", "OWN-0004", "-L", str(copy)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert log(copy)[0].startswith("assetreg unit add 2-101") and len(log(copy)) == 5
    assert len(log(recorded)) == 4  # the original's history is its own
    status = subprocess.run(["git", "-C", str(project), "status", "--porcelain", "--ignored"],
                            capture_output=True, text=True, check=True).stdout
    assert "!! ledgers/demo/.assetreg-history/" in status
    assert subprocess.run(["git", "-C", str(project), "rev-parse", "--verify", "HEAD"],
                          capture_output=True).returncode != 0  # nothing was committed to the project


def test_source_sheets_and_scans_in_the_folder_stay_out_of_the_history(recorded: Path) -> None:
    """They may name people; the history holds the ledger, seals and policy files only."""
    (recorded / "sources").mkdir()
    (recorded / "sources" / "业主名册.xlsx").write_bytes(b"PK names and phones")
    (recorded / "documents" / "同意书.pdf").write_bytes(b"%PDF signed by a person")
    r = cli("unit", "add", "1-201", "--building", "1", "--area", "100", "--owner", "OWN-0003", "-L", str(recorded))
    assert r.exit_code == 0, r.output
    tracked = history.git(recorded, "ls-files").splitlines()
    assert "units.beancount" in tracked
    assert not [t for t in tracked if t.startswith(("sources/", "documents/"))], tracked


def test_history_command_lists_writes_and_exits_1_on_an_unrecorded_change(recorded: Path) -> None:
    r = cli("history", "-L", str(recorded))
    assert r.exit_code == 0, r.output
    assert r.output.count("\n") == 4 and "assetreg asset add P-001" in r.output.splitlines()[0]
    journal = recorded / "journal.beancount"
    journal.write_text(journal.read_text(encoding="utf-8") + "2024-05-01 * \"手工补记\"\n", encoding="utf-8")
    r = cli("history", "-L", str(recorded))
    assert r.exit_code == 1
    assert f"UNRECORDED {journal}:2" in r.output and '+ 2024-05-01 * "手工补记"' in r.output
