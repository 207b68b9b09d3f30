"""`asset notice|object|confirm` over several assets: ids, ranges, --from a sheet; every id
checked, one transaction, all or nothing with every failing id listed."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import append, snapshot

from assetreg.cli import main
from assetreg.cli.bulk import collect, expand
from assetreg.errors import BadInput
from assetreg.ledger import Compound
from assetreg.registry import registry_from_entries
from importers.testing import write_xlsx


def run(*args: object) -> tuple[int, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.output


def statuses(root: Path) -> dict[str, str]:
    reg = registry_from_entries(Compound.locate(root).load().entries)
    return {a.id: a.status for a in reg.assets.values()}


@pytest.fixture
def fifty(empty_compound: Path) -> Path:
    """P-001 … P-050 registered on 2024-01-02."""
    text = "".join(f'\n2024-01-02 custom "asset" "P-{n:03d}" "registered"\n  kind: "parking"\n'
                   f'  location: "地面车位{n}号"\n  zones: "road"\n  reason: "共有资产清查登记"\n' for n in range(1, 51))
    append(empty_compound / "registry.beancount", text)
    docs = empty_compound / "documents"
    for n in range(1, 51):
        (docs / f"P-{n:03d}.pdf").write_bytes(b"%PDF-1.4\n")
    return empty_compound


def test_ranges_expand_zero_padded() -> None:
    assert expand("P-001..P-003") == ["P-001", "P-002", "P-003"]
    assert expand("p-8..10") == ["P-8", "P-9", "P-10"]
    assert expand("AD-B-01..AD-B-02") == ["AD-B-01", "AD-B-02"]
    for bad, says in (("P-005..P-001", "backwards"), ("P-001..AD-003", "mixes prefixes"),
                      ("P-001..", "malformed range"), ("P-1..P-99999", "at most")):
        with pytest.raises(BadInput, match=says):
            expand(bad)


def test_collect_lists_every_malformed_id_at_once() -> None:
    assert collect(["P-001,P-002", "P-002", "p-003"], None) == ["P-001", "P-002", "P-003"]
    with pytest.raises(BadInput) as e:
        collect(["P-001", "停车位", "P-9..P-1", "x"], None)
    assert "3 malformed" in e.value.problem
    assert "'停车位'" in e.value.problem and "backwards" in e.value.problem and "'x'" in e.value.problem


def test_notice_a_range_then_confirm_each_with_its_own_evidence(fifty: Path) -> None:
    code, out = run("asset", "notice", "P-001..P-050", "--date", "2024-02-01", "-L", fifty)
    assert code == 0, out
    assert "wrote 50 noticed steps on 2024-02-01 to registry.beancount" in out
    assert set(statuses(fifty).values()) == {"noticed"}
    code, out = run("asset", "object", "P-007", "P-009", "--by", "OWN-0001", "--reason", "属开发商", "--date",
                    "2024-02-05", "-L", fifty)
    assert code == 0 and "wrote 2 objected steps" in out, out
    code, out = run("asset", "confirm", "P-001..P-006", "P-010..P-050", "--evidence", "documents/{id}.pdf",
                    "--date", "2024-02-20", "-L", fifty)
    assert code == 0, out
    assert "wrote 47 confirmed steps" in out and "47 document entries" in out
    s = statuses(fifty)
    assert [k for k, v in sorted(s.items()) if v != "confirmed"] == ["P-007", "P-008", "P-009"]
    reg = registry_from_entries(Compound.locate(fifty).load().entries)
    assert reg.require("P-023").evidence == ["documents/P-023.pdf"]
    assert Compound.locate(fifty).load().errors == []


def test_one_failing_asset_fails_all_and_every_failure_is_listed(fifty: Path) -> None:
    assert run("asset", "notice", "P-001..P-010", "--date", "2024-02-01", "-L", fifty)[0] == 0
    before = snapshot(fifty)
    # P-011..P-012 were never noticed; P-099 does not exist; P-001..P-010 are fine
    code, out = run("asset", "confirm", "P-001..P-012", "P-099", "--evidence", "documents/{id}.pdf",
                    "--date", "2024-02-20", "-L", fifty)
    assert code == 2, out
    assert "3 of 13 asset(s) cannot take this step; nothing was written" in out
    for aid in ("P-011", "P-012", "P-099"):
        assert f"  {aid}: " in out
    assert "P-001:" not in out
    assert snapshot(fifty) == before


def test_ids_from_a_sheet(fifty: Path, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "公示清单.xlsx",
                       [["第一批确权公示清单"], ["序号", "资产编号", "位置"],
                        *[[n, f"P-{n:03d}", "地面"] for n in range(1, 21)], ["合计", None, None]], title="清单")
    code, out = run("asset", "notice", "--from", sheet, "P-021", "--date", "2024-02-01", "-L", fifty)
    assert code == 0 and "wrote 21 noticed steps" in out, out
    bad = write_xlsx(tmp_path / "bad.xlsx", [["资产编号"], ["P-030"], ["三号车位"], ["P-031"]], title="清单")
    before = snapshot(fifty)
    code, out = run("asset", "notice", "--from", bad, "--date", "2024-02-01", "-L", fifty)
    assert code == 2 and "'三号车位' (bad.xlsx:清单:3:A)" in out, out
    assert snapshot(fifty) == before
    none = write_xlsx(tmp_path / "none.xlsx", [["位置"], ["地面"]])
    code, out = run("asset", "notice", "--from", none, "-L", fifty)
    assert code == 2 and "no sheet has a column headed 资产编号" in out


def test_ids_from_a_gbk_csv(fifty: Path, tmp_path: Path) -> None:
    path = tmp_path / "清单.csv"
    path.write_bytes("资产编号,位置\nP-040,地面\nP-041,地面\n".encode("gbk"))
    code, out = run("asset", "notice", "--from", path, "--date", "2024-02-01", "-L", fifty)
    assert code == 0 and "P-040, P-041" in out, out


def test_no_asset_named(fifty: Path) -> None:
    code, out = run("asset", "notice", "-L", fifty)
    assert code == 2 and "no asset named" in out


# ------------------------------------------------------------------ progress


def test_progress_only_on_a_terminal(fifty: Path) -> None:
    from assetreg.progress import Progress

    class Pipe:
        def __init__(self) -> None:
            self.text = ""

        def isatty(self) -> bool:
            return False

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

    class Tty(Pipe):
        def isatty(self) -> bool:
            return True

    for stream, shown in ((Pipe(), False), (Tty(), True)):
        with Progress("导入", total=10, stream=stream, delay=0) as p:  # type: ignore[arg-type]
            for n in range(1, 11):
                p.update(n)
        assert ("导入: 1/10 (10%)" in stream.text) is shown, stream.text
        assert stream.text.endswith("\r\x1b[K") or not shown


@pytest.mark.slow
def test_a_command_on_a_terminal_shows_progress_on_stderr(fifty: Path) -> None:
    """On a pseudo-terminal the bulk step draws its progress on stderr; piped, stderr is empty."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    code = ("import sys, assetreg.progress as p; p.DELAY = 0; from assetreg.cli import main; "
            "sys.argv = ['assetreg'] + sys.argv[1:]; main()")
    args = [sys.executable, "-c", code, "asset", "notice", "P-001..P-050", "--date", "2024-02-01", "-L", str(fifty)]
    master, slave = pty.openpty()
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=slave, env=env, timeout=120, check=False)
    os.close(slave)
    seen = b""
    try:
        while chunk := os.read(master, 65536):
            seen += chunk
    except OSError:
        pass
    os.close(master)
    assert proc.returncode == 0, proc.stdout
    assert "检查并登记".encode() in seen and b"/50" in seen
    assert "检查并登记".encode() not in proc.stdout  # stdout never carries progress
    piped = subprocess.run([*args[:3], "asset", "confirm", "P-001", "--evidence", "documents/P-001.pdf",
                            "--date", "2024-02-20", "-L", str(fifty)], capture_output=True, env=env, timeout=120,
                           check=False)
    assert piped.returncode == 0 and piped.stderr == b"", piped.stderr


def test_dispute_resolve_and_exclude_take_many_too(fifty: Path) -> None:
    code, out = run("asset", "dispute", "P-001..P-003", "--reason", "开发商主张产权", "--date", "2024-02-01", "-L", fifty)
    assert code == 0 and "wrote 3 disputed steps" in out, out
    code, out = run("asset", "resolve", "P-001", "P-002", "--reason", "法院判决归业主共有", "--date", "2024-03-01", "-L", fifty)
    assert code == 0 and "wrote 2 resolved steps" in out, out
    code, out = run("asset", "exclude", "P-003", "P-004", "--reason", "属开发商", "--date", "2024-03-02", "-L", fifty)
    assert code == 0 and "wrote 2 excluded steps" in out, out
    s = statuses(fifty)
    assert (s["P-001"], s["P-003"], s["P-004"]) == ("registered", "excluded", "excluded")
