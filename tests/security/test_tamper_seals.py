"""Issue 14: a tampered or deleted seal manifest is reported while the ledger is intact,
by the audit and by bean-check (the plugin)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import append
from test_audit import RESOLUTION, contract_text, full_year

from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.ledger import Compound

BEAN_CHECK = str(Path(sys.executable).parent / "bean-check")
MANIFEST = Path("seals") / "2024-06-30.manifest"


@pytest.fixture
def sealed(small_compound: Path) -> Path:
    append(small_compound / "contracts.beancount", RESOLUTION + contract_text())
    append(small_compound / "journal.beancount", full_year())
    r = CliRunner().invoke(main, ["seal", "-L", str(small_compound), "--through", "2024-06-30",
                                  "--date", "2024-07-05"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return small_compound


def manifest_findings(root: Path) -> list:  # type: ignore[type-arg]
    loaded = Compound.locate(root).load()
    return [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 1, 1))
            if f.check in ("seal-manifest", "seal-broken")]


def bean_check(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    return subprocess.run([BEAN_CHECK, str(root / "main.beancount")], capture_output=True,
                          text=True, env=env, timeout=120)


def test_intact_seal_and_manifest_report_nothing(sealed: Path) -> None:
    assert manifest_findings(sealed) == []
    assert bean_check(sealed).returncode == 0


@pytest.mark.parametrize("how", ["edited", "truncated", "deleted"])
def test_tampered_manifest_with_intact_ledger_is_reported(sealed: Path, how: str) -> None:
    path = sealed / MANIFEST
    text = path.read_text(encoding="utf-8")
    if how == "edited":  # one digest changed: the kind of edit that would hide an entry's change
        lines = text.splitlines(keepends=True)
        lines[2] = lines[2][:15] + ("0" if lines[2][15] != "0" else "1") + lines[2][16:]
        path.write_text("".join(lines), encoding="utf-8")
    elif how == "truncated":
        path.write_text(text.splitlines(keepends=True)[0], encoding="utf-8")
    else:
        path.unlink()
    found = manifest_findings(sealed)
    assert [f.check for f in found] == ["seal-manifest"], found
    f = found[0]
    assert f.severity == "error" and f.facts["manifest"] == str(MANIFEST)
    assert f.entries and f.entries[0].endswith(".beancount:" + f.entries[0].rsplit(":", 1)[1])
    assert ("已被删除" if how == "deleted" else "已被改动") in f.message
    assert "封存清单" in f.rule
    r = bean_check(sealed)
    assert r.returncode != 0 and "[seal-manifest]" in r.stdout + r.stderr
