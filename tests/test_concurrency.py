"""Two writers at once never interleave or lose an entry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import sys
from click.testing import CliRunner
from assetreg.cli import main
root, prefix, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    r = CliRunner().invoke(main, ["asset", "add", f"{prefix}-{i:03d}", "--kind", "advertising",
                                  "--location", f"位置{i}", "--date", "2024-05-01", "-L", root])
    assert r.exit_code == 0, r.output
"""


@pytest.mark.slow
def test_two_concurrent_writers(small_compound: Path) -> None:
    env = {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}
    n = 15
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(small_compound), prefix, str(n)], env=env)
             for prefix in ("AX", "BX")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    from click.testing import CliRunner

    from assetreg.cli import main

    out = CliRunner().invoke(main, ["asset", "list", "--json", "-L", str(small_compound)]).output
    ids = {a["id"] for a in json.loads(out)["assets"]}
    for prefix in ("AX", "BX"):
        assert {f"{prefix}-{i:03d}" for i in range(n)} <= ids
    text = (small_compound / "registry.beancount").read_text()
    assert text.count('"registered"') == 2 + 2 * n
    # no temp files left behind
    assert not list(small_compound.glob(".*.tmp"))


def test_a_transaction_that_stages_nothing_changes_no_byte(small_compound: Path) -> None:
    from conftest import snapshot

    from assetreg.ledger import Compound

    before = snapshot(small_compound)
    with Compound.locate(small_compound).transaction() as txn:
        txn.append("journal", [])
        txn.append("registry", ())
    assert snapshot(small_compound) == before
