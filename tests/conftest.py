"""Shared fixtures: small real compound ledgers built with `assetreg init` and plain text."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
# The plugin remembers verified seals in the user's cache folder (assetreg.sealcache):
# tests keep theirs in a folder of their own, so no run sees another's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="assetreg-test-cache-")

from assetreg.scaffold import init_compound

SMALL_UNITS = """
2020-01-01 custom "unit" "1-101"
  building: "1"
  area: 90.00
  owner: "OWN-0001"
  unsold: FALSE
2020-01-01 custom "unit" "1-102"
  building: "1"
  area: 110.00
  owner: "OWN-0002"
  unsold: FALSE
2020-01-01 custom "unit" "1-201"
  building: "1"
  area: 100.00
  owner: "OWN-0002"
  unsold: FALSE
2020-01-01 custom "unit" "2-101"
  building: "2"
  area: 120.00
  owner: "DEV-0000"
  unsold: TRUE
2020-01-01 custom "unit" "2-102"
  building: "2"
  area: 80.00
  owner: "DEV-0000"
  unsold: TRUE
"""

SMALL_REGISTRY = """
2024-01-02 custom "asset" "P-001" "registered"
  kind: "parking"
  location: "1号楼东侧道路"
  zones: "road"
  basis: "民法典第275条"
  reason: "共有资产清查登记"
2024-01-05 custom "asset" "P-001" "noticed"
  days: 15
  reason: "确权公示"
2024-01-20 document Equity:Registry:确权档案 "documents/P-001.pdf"
  asset: "P-001"
2024-01-20 custom "asset" "P-001" "confirmed"
  evidence: "documents/P-001.pdf"
  reason: "公示期满无异议"
2024-01-02 custom "asset" "AD-001" "registered"
  kind: "advertising"
  location: "1号楼电梯轿厢"
  zones: "lift"
  reason: "共有资产清查登记"
"""


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


@pytest.fixture
def empty_compound(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    init_compound(root, "测试小区", dt.date(2020, 1, 1))
    return root


@pytest.fixture
def small_compound(empty_compound: Path) -> Path:
    """Five units (two owners, a developer with two unsold units); P-001 confirmed, AD-001 registered."""
    root = empty_compound
    append(root / "units.beancount", SMALL_UNITS)
    append(root / "registry.beancount", SMALL_REGISTRY)
    (root / "documents" / "P-001.pdf").write_bytes(b"%PDF-1.4\n% evidence\n")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every ledger file's bytes, to assert a failed command changed nothing."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        # the lock, and the write history (its own tests check a refused write adds no commit)
        if p.is_file() and p.name != ".assetreg.lock" and ".assetreg-history" not in p.relative_to(root).parts
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under mutation testing (scripts/mutation.sh, pytest -x per mutant), run the tests that
    compare exact values first: a mutant is then usually killed in the first second instead
    of after the slower scenario tests that happen to be listed before them."""
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
    exact = ("exact", "findings", "errors", "changes")

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return 0 if any(k in name for k in exact) else 1 if "boundaries" in name else 2

    items.sort(key=rank)
