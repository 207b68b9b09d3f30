"""Issue 14: evidence under documents/ -- a symbolic link or '..' is refused when recorded and
not served (evidence_ok), and the audit reports evidence whose bytes changed since recording."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import snapshot

from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.evidence import evidence_ok, sha256_file
from assetreg.ledger import Compound


def cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings(root: Path, *checks: str) -> list:  # type: ignore[type-arg]
    loaded = Compound.locate(root).load()
    assert loaded.errors == [], [e.message for e in loaded.errors]
    return [f for f in run_checks(loaded.entries, loaded.options_map, dt.date(2025, 1, 1))
            if f.check in checks]


@pytest.fixture
def noticed(small_compound: Path, tmp_path: Path) -> Path:
    """AD-001 under notice since 2024-02-01 (window over on 2024-02-16); a scan in documents/
    and one outside the compound folder."""
    r = cli("asset", "notice", "AD-001", "--date", "2024-02-01", "-L", str(small_compound))
    assert r.exit_code == 0, r.output
    (small_compound / "documents" / "AD-001.pdf").write_bytes(b"%PDF-1.4\n% AD-001 confirmation\n")
    (tmp_path / "elsewhere.pdf").write_bytes(b"%PDF-1.4\n% not ours\n")
    return small_compound


def confirm(root: Path, ref: str):  # type: ignore[no-untyped-def]
    return cli("asset", "confirm", "AD-001", "--evidence", ref, "--date", "2024-02-20", "-L", str(root))


@pytest.mark.parametrize("make, ref", [
    ("link-outside", "documents/link.pdf"),
    ("link-inside", "documents/link.pdf"),
    ("linked-folder", "documents/sub/AD-001.pdf"),
    ("dotdot", "documents/../documents/AD-001.pdf"),
])
def test_links_and_dotdot_are_refused_at_record_time(noticed: Path, tmp_path: Path, make: str, ref: str) -> None:
    docs = noticed / "documents"
    if make == "link-outside":
        (docs / "link.pdf").symlink_to(tmp_path / "elsewhere.pdf")
    elif make == "link-inside":
        (docs / "link.pdf").symlink_to(docs / "AD-001.pdf")
    elif make == "linked-folder":
        (docs / "sub").symlink_to(docs)
    before = snapshot(noticed)
    r = confirm(noticed, ref)
    assert r.exit_code == 2, r.output
    assert ("symbolic link" in r.output or "'..'" in r.output or "not a file in the compound folder" in r.output)
    assert snapshot(noticed) == before
    # the consent command refuses the same paths
    r = cli("consent", "affected", "--asset", "AD-001", "--units", "1-101", "--reason", "电梯轿厢广告",
            "--date", "2024-02-02", "-L", str(noticed))
    assert r.exit_code == 0, r.output
    before = snapshot(noticed)
    r = cli("consent", "record", "--asset", "AD-001", "--owner", "OWN-0001", "--evidence", ref,
            "--date", "2024-02-03", "-L", str(noticed))
    assert r.exit_code == 2, r.output
    assert snapshot(noticed) == before


def test_recorded_evidence_carries_its_hash_and_a_changed_file_is_reported(noticed: Path) -> None:
    scan = noticed / "documents" / "AD-001.pdf"
    r = confirm(noticed, "documents/AD-001.pdf")
    assert r.exit_code == 0, r.output
    registry = (noticed / "registry.beancount").read_text(encoding="utf-8")
    assert f'sha256: "{sha256_file(scan)}"' in registry and f'evidence_sha256: "{sha256_file(scan)}"' in registry
    r = cli("consent", "affected", "--asset", "AD-001", "--units", "1-101", "--reason", "电梯轿厢广告",
            "--date", "2024-02-02", "-L", str(noticed))
    assert r.exit_code == 0, r.output
    consent = noticed / "documents" / "同意书-OWN-0001.pdf"
    consent.write_bytes(b"%PDF-1.4\n% signed\n")
    r = cli("consent", "record", "--asset", "AD-001", "--owner", "OWN-0001", "--evidence",
            "documents/同意书-OWN-0001.pdf", "--date", "2024-02-03", "-L", str(noticed))
    assert r.exit_code == 0, r.output
    assert findings(noticed, "evidence-changed") == []

    scan.write_bytes(b"%PDF-1.4\n% a different scan\n")  # swapped after the record
    consent.unlink()
    consent.symlink_to(scan)  # and the consent replaced by a link
    found = findings(noticed, "evidence-changed")
    got = sorted((f.facts["file"], f.entries[0].rsplit("/", 1)[1].split(":")[0]) for f in found)
    assert got == [("documents/AD-001.pdf", "registry.beancount"),  # the document entry
                   ("documents/AD-001.pdf", "registry.beancount"),  # the confirmation citing it
                   ("documents/同意书-OWN-0001.pdf", "registry.beancount")]
    assert all(f.severity == "error" for f in found)
    assert any("symbolic link" in f.message for f in found)
    assert any("内容已改变" in f.message for f in found)


def test_evidence_recorded_without_a_hash_is_an_info_note(small_compound: Path) -> None:
    # the fixture's document entry for P-001 predates hashes
    notes = findings(small_compound, "evidence-unhashed", "evidence-changed")
    assert [(f.check, f.severity) for f in notes] == [("evidence-unhashed", "info")]
    assert "documents/P-001.pdf" in notes[0].message


def test_evidence_ok_serves_only_real_files_under_documents(tmp_path: Path) -> None:
    root = tmp_path / "c"
    docs = root / "documents"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.pdf").write_bytes(b"a")
    (docs / "sub" / "b.pdf").write_bytes(b"b")
    (tmp_path / "secret").write_bytes(b"s")
    (docs / "link.pdf").symlink_to(tmp_path / "secret")
    (docs / "inner-link.pdf").symlink_to(docs / "a.pdf")
    (docs / "dirlink").symlink_to(docs / "sub")
    assert evidence_ok(docs / "a.pdf") and evidence_ok(docs / "sub" / "b.pdf")
    assert evidence_ok("documents/a.pdf", root) and evidence_ok(docs / "a.pdf", root)
    for bad in (docs / "link.pdf", docs / "inner-link.pdf", docs / "dirlink" / "b.pdf",
                Path(str(docs) + "/../documents/a.pdf"), docs / "missing.pdf", docs / "sub",
                tmp_path / "secret", Path("documents/a.pdf")):
        assert not evidence_ok(bad), bad
    assert not evidence_ok("documents/../../secret", root) and not evidence_ok(tmp_path / "secret", root)
    assert not evidence_ok("documents/link.pdf", root)
    os.chmod(docs / "a.pdf", 0o644)
