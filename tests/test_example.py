"""The bundled example compound: passes bean-check and is what its generator makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assetreg.ledger import Compound, load_path
from assetreg.registry import registry_from_entries
from assetreg.units import roster_from_entries

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "ledgers" / "qjp-jinghu-garden"


def test_example_passes_checks() -> None:
    loaded = Compound.locate(EXAMPLE).load()
    assert loaded.errors == [], [e.message for e in loaded.errors[:5]]
    reg = registry_from_entries(loaded.entries)
    counts = reg.counts_by_status()
    assert all(counts[s] > 0 for s in ("registered", "noticed", "confirmed", "disputed", "excluded"))
    assert 280 <= sum(1 for a in reg.assets.values() if a.kind == "parking") <= 320
    roster = roster_from_entries(loaded.entries)
    assert 900 <= len(roster.units) <= 1100
    assert len({u.building for u in roster.units.values()}) == 12


@pytest.mark.slow
def test_example_is_what_the_generator_makes(tmp_path: Path) -> None:
    out = tmp_path / "qjp-jinghu-garden"
    subprocess.run([sys.executable, str(REPO / "ledgers" / "make_example.py"), "--out", str(out)],
                   check=True, capture_output=True)
    def files(root: Path) -> dict[Path, bytes]:
        # Hidden files and folders are the machine's, not the build's: the lock, and the
        # write history (.assetreg-history/, commits carry the time of the build).
        return {p.relative_to(root): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)}

    committed, fresh = files(EXAMPLE), files(out)
    assert sorted(map(str, fresh)) == sorted(map(str, committed))
    changed = [str(k) for k in fresh if fresh[k] != committed[k]]
    assert changed == [], f"regenerate with `python ledgers/make_example.py`: {changed}"
    assert load_path(out / "main.beancount").errors == []
