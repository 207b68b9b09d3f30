from pathlib import Path

from assetreg.ledger import Compound


def test_small_compound_loads_clean(small_compound: Path) -> None:
    loaded = Compound.locate(small_compound).load()
    assert loaded.errors == []
