"""District oversight: facts from small compounds, the build (parallel, incremental, a broken
compound kept out), the report's figures against each compound's own audit and disclosure,
the price-reference finding, the CLI's outputs and its bad input."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from assetreg import periods, plugin
from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.disclosure import build as build_disclosure
from assetreg.district import build, prices, report
from assetreg.district.facts import BrokenLedger, facts
from assetreg.ledger import Compound

REPO = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 12, 1)
N = 9


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_district", REPO / "ledgers" / "make_district.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("district") / "d"
    _generator().generate(root, compounds=N, units=60, assets=16)
    return root


@pytest.fixture(scope="module")
def built(district: Path) -> build.BuildResult:
    return build.build(district, jobs=2, as_of=AS_OF)


def _own(folder: Path) -> tuple[Counter[tuple[str, str]], object]:
    """A compound's own audit counts and disclosure of the year, as `assetreg audit` and
    `assetreg disclose` compute them."""
    with plugin.index_only():
        loaded = Compound.locate(folder).load()
    counts = Counter((f.check, f.severity) for f in run_checks(loaded.entries, loaded.options_map, AS_OF))
    d = build_disclosure(loaded.entries, periods.parse("2026"), loaded.options_map, as_of=AS_OF,
                         findings=[])
    return counts, d


# ------------------------------------------------------------------ facts


def test_facts_of_a_small_compound(small_compound: Path) -> None:
    loaded = Compound.locate(small_compound).load()
    f = facts(loaded, dt.date(2025, 1, 1))
    assert f.compound == small_compound.name
    assert f.households == 5
    assert f.assets["confirmed"] == 1 and f.assets["registered"] == 1
    assert f.gross == f.cost == f.net == Decimal(0)
    assert f.contracts == ()
    assert f.last_disclosure is None and f.last_seal_through is None


def test_facts_refuse_a_broken_ledger(small_compound: Path) -> None:
    with (small_compound / "journal.beancount").open("a", encoding="utf-8") as fh:
        fh.write("2025-01-01 * \"x\"\n  Assets:Bank:共有资金专户  1O.00 CNY\n")
    with pytest.raises(BrokenLedger) as err:
        facts(Compound.locate(small_compound).load(), dt.date(2025, 1, 1))
    assert "journal.beancount" in err.value.errors[0]


# ------------------------------------------------------------------ build


def test_build_keeps_the_broken_compound_out(built: build.BuildResult) -> None:
    assert len(built.compounds) == N and len(built.loaded) == N
    assert list(built.failed) == ["qjp-d12-04-broken"]
    assert "syntax error" in built.failed["qjp-d12-04-broken"][0]
    rep = report.build_report(built.store)
    assert "qjp-d12-04-broken" not in {r["compound"] for r in rep.rows}
    assert list(rep.failed) == ["qjp-d12-04-broken"]
    assert len(rep.rows) == N - 1


def test_report_agrees_with_each_compounds_audit_and_disclosure(district: Path,
                                                                built: build.BuildResult) -> None:
    rep = report.build_report(built.store)
    for row in rep.rows:
        counts, d = _own(district / row["compound"])
        assert row["gross"] == d.gross and row["cost"] == d.cost and row["net"] == d.net  # type: ignore[attr-defined]
        assert row["to_maintenance"] == d.allocated_by_account().get(  # type: ignore[attr-defined]
            "Expenses:Allocation:补充维修资金", Decimal(0))
        assert row["errors"] == sum(n for (_, s), n in counts.items() if s == "error")
        assert row["warnings"] == sum(n for (_, s), n in counts.items() if s == "warning")
        assert rep.checks.get(row["compound"], {}) == {
            c: {s: n for (c2, s), n in counts.items() if c2 == c} for c, _ in counts}
    total = sum((r["gross"] for r in rep.rows), Decimal(0))
    assert rep.totals["gross"] == total and isinstance(total, Decimal)
    by = {r["compound"]: r for r in rep.rows}
    assert by["qjp-d12-01-bad-disclosure"]["disclosure_overdue"] is True
    assert by["qjp-d12-02-unconfirmed"]["errors"] > 0
    assert by["qjp-d12-02-unconfirmed"]["confirmed_pct"] < 100
    assert by["qjp-d12-05-suspense"]["suspense"] == Decimal("880.00")
    assert by["qjp-d12-06-sealed"]["seal_age_days"] == (AS_OF - dt.date(2025, 12, 31)).days


def test_rebuild_reloads_only_the_changed_compound(district: Path, built: build.BuildResult) -> None:
    again = build.build(district, jobs=2, as_of=AS_OF)
    assert again.loaded == [] and len(again.reused) == N
    assert list(again.failed) == ["qjp-d12-04-broken"]  # still reported, not reloaded
    journal = district / "qjp-d12-07-well-run" / "journal.beancount"
    before = journal.read_bytes()
    try:
        journal.write_bytes(before + b"\n; a comment\n")
        third = build.build(district, jobs=2, as_of=AS_OF)
        assert third.loaded == ["qjp-d12-07-well-run"]
    finally:
        journal.write_bytes(before)
    assert build.build(district, jobs=1, as_of=AS_OF).loaded == ["qjp-d12-07-well-run"]


def test_parquet_partitions_by_compound(built: build.BuildResult) -> None:
    glob = str(built.store / "parquet" / "compounds" / "*" / "*.parquet")
    rows = duckdb.sql(f"SELECT compound, gross FROM read_parquet('{glob}', hive_partitioning=true) "
                      "ORDER BY compound").fetchall()
    rep = report.build_report(built.store)
    # the compound that declines to share beyond the district is in the district's tables only
    by = {r["compound"]: r for r in rep.rows}
    assert by["qjp-d12-09-district-only"]["beyond_district"] is False
    assert by["qjp-d12-09-district-only"]["sharing_since"] == dt.date(2026, 6, 1)
    assert [(c, g) for c, g in rows] == [(r["compound"], r["gross"]) for r in rep.rows
                                         if r["compound"] != "qjp-d12-09-district-only"]
    assert isinstance(rows[0][1], Decimal)
    assert not (built.store / "parquet" / "contracts" / "compound=qjp-d12-09-district-only").exists()


# ------------------------------------------------------------------ prices


def test_price_finding_names_the_comparables(built: build.BuildResult) -> None:
    rep = report.build_report(built.store)
    found = [f for f in rep.findings if f.check == prices.CHECK]
    assert found and {f.facts["compound"] for f in found} == {"qjp-d12-03-cheap-ads"}
    f = found[0]
    assert f.facts["use"] == "advertising-lift" and "第282条" in f.rule
    assert "qjp-d12-" in f.facts["comparables"] and "/C-AD" in f.facts["comparables"]
    assert Decimal(f.facts["unit_price"]) < Decimal(f.facts["median"]) / 2
    strict = report.build_report(built.store, prices.Settings(Decimal("0.5"), 1000))
    assert strict.findings == []


def test_quantiles_are_exact() -> None:
    values = [Decimal(x) for x in ("1", "2", "3", "4")]
    assert prices.quantile(values, Decimal("0.5")) == Decimal("2.50")
    assert prices.quantile(values, Decimal("0.25")) == Decimal("1.75")
    rows = [{"compound": f"c{i}", "contract": "C-1", "use": "x", "basis": "asset",
             "in_force": True, "unit_price": Decimal(p)} for i, p in enumerate([100, 100, 100, 30])]
    assert [f.facts["compound"] for f in prices.findings(rows, prices.Settings(Decimal("0.5"), 3))] == ["c3"]


# ------------------------------------------------------------------ CLI


def test_cli_report_json_and_xlsx(district: Path, built: build.BuildResult, tmp_path: Path) -> None:
    out = tmp_path / "d.xlsx"
    r = CliRunner().invoke(main, ["district", "report", str(district), "--as-of", str(AS_OF),
                                  "--json", "--xlsx", str(out), "--sort", "gross", "--desc"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    grosses = [Decimal(c["gross"]) for c in doc["compounds"]]
    assert grosses == sorted(grosses, reverse=True)
    assert doc["failed"][0]["compound"] == "qjp-d12-04-broken"
    assert any(f["check"] == prices.CHECK for f in doc["findings"])
    wb = load_workbook(out)
    assert {"小区", "价格参考", "价格偏低", "审计发现", "未能载入"} <= set(wb.sheetnames)
    assert wb["小区"].max_row == len(doc["compounds"]) + 2


def test_xlsx_text_is_never_a_formula(district: Path, tmp_path: Path) -> None:
    root = tmp_path / "d"
    shutil.copytree(district / "qjp-d12-07-well-run", root / "qjp-x")
    accounts = root / "qjp-x" / "accounts.beancount"
    accounts.write_text(accounts.read_text(encoding="utf-8").replace(
        '"清江浦区·示例小区07"', '"=HYPERLINK(\\"http://x\\")"'), encoding="utf-8")
    out = tmp_path / "x.xlsx"
    r = CliRunner().invoke(main, ["district", "report", str(root), "--as-of", str(AS_OF),
                                  "--xlsx", str(out), "-j", "1"])
    assert r.exit_code == 0, r.output
    cell = load_workbook(out)["小区"]["B2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


@pytest.mark.parametrize("args", [
    ["district", "report", "/nonexistent/district"],
    ["district", "build", "{root}/qjp-d12-07-well-run"],
    ["district", "report", "{root}", "--sort", "nope"],
    ["district", "report", "{root}", "--price-threshold", "abc"],
    ["district", "report", "{root}", "--price-threshold", "2"],
    ["district", "report", "{root}", "--xlsx", "{root}/x.csv"],
    ["district", "build", "{root}", "--jobs", "0"],
])
def test_cli_bad_input_exits_2(district: Path, args: list[str]) -> None:
    r = CliRunner().invoke(main, [a.format(root=district) for a in args])
    assert r.exit_code == 2, r.output
    assert "error:" in r.output


def test_cli_build_exits_1_when_a_compound_fails(district: Path, built: build.BuildResult) -> None:
    r = CliRunner().invoke(main, ["district", "build", str(district), "--as-of", str(AS_OF)])
    assert r.exit_code == 1
    assert "qjp-d12-04-broken" in r.output


# ------------------------------------------------------------------ the district page


def _basic(user: str, password: str) -> dict[str, str]:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_district_page_roles(district: Path, built: build.BuildResult, tmp_path: Path) -> None:
    from assetreg.serve import set_password, slugs
    from assetreg.serve_district import make_district_app

    auth = tmp_path / "auth.txt"
    set_password(auth, "district", "staff", "street-office-2026")
    set_password(auth, "qjp-d12-07-well-run", "resident", "resident-07-pass")
    set_password(auth, "qjp-d12-08-well-run", "resident", "resident-08-pass")
    app = make_district_app(district, auth, jobs=1)
    client = app.test_client()
    s = slugs(app)
    assert "qjp-d12-04-broken" not in s  # it does not load, so it is not served
    own = "/" + s["qjp-d12-07-well-run"] + "/extension/AssetRegistry/"
    other = "/" + s["qjp-d12-08-well-run"] + "/extension/AssetRegistry/"
    staff, resident = _basic("staff", "street-office-2026"), _basic("resident", "resident-07-pass")
    assert client.get("/district/").status_code == 401
    assert client.get("/district/", headers=resident).status_code == 401
    page = client.get("/district/?sort=gross&desc=1", headers=staff)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "街道共有资产与公共收益一览" in text
    assert "qjp-d12-03-cheap-ads" in text and "第282条" in text and "未能载入" in text
    assert "不对街道以外共享（自 2026-06-01 起）" in text
    assert f'href="/{quote(s["qjp-d12-07-well-run"])}/"' in text
    assert client.get("/district/?sort=nope", headers=staff).status_code == 400
    assert client.post("/district/", headers=staff).status_code == 401
    assert client.get(own, headers=resident).status_code == 200
    assert client.get(other, headers=resident).status_code == 401
    assert client.get(other, headers=staff).status_code == 200


def test_serve_district_bad_input(district: Path, tmp_path: Path) -> None:
    from assetreg.serve import set_password

    auth = tmp_path / "auth.txt"
    set_password(auth, "qjp-d12-07-well-run", "resident", "resident-07-pass")
    for args in (["serve"], ["serve", "--district", str(district), str(district / "qjp-d12-07-well-run")],
                 ["serve", "--district", str(district), "--auth-file", str(auth)]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2, (args, r.output)


def test_the_example_compound_agrees_with_its_own_audit(tmp_path: Path) -> None:
    """`district report ledgers` on the bundled example: the figures `assetreg audit` and
    `assetreg disclose` give for the same day and year."""
    as_of = "2025-12-31"
    r = CliRunner().invoke(main, ["district", "report", str(REPO / "ledgers"), "--store",
                                  str(tmp_path / "store"), "--json", "--as-of", as_of, "-j", "1"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)["compounds"][0]
    assert row["compound"] == "qjp-jinghu-garden"
    audit = CliRunner().invoke(main, ["audit", "-L", str(REPO / "ledgers" / "qjp-jinghu-garden"),
                                      "--json", "--as-of", as_of])
    counts = json.loads(audit.stdout)["counts"]
    assert (row["errors"], row["warnings"]) == (counts["error"], counts["warning"])
    loaded = Compound.locate(REPO / "ledgers" / "qjp-jinghu-garden").load()
    d = build_disclosure(loaded.entries, periods.parse("2025"), loaded.options_map,
                         as_of=dt.date(2025, 12, 31), findings=[])
    assert (Decimal(row["gross"]), Decimal(row["cost"]), Decimal(row["net"])) == (d.gross, d.cost, d.net)
    assert row["households"] == len(d.shares)



def test_the_sharing_setting_is_dated(district: Path) -> None:
    from assetreg.district.facts import district_sharing

    loaded = Compound.locate(district / "qjp-d12-09-district-only").load()
    assert district_sharing(loaded.entries, dt.date(2026, 5, 31)) == (True, None)
    assert district_sharing(loaded.entries, dt.date(2026, 6, 1)) == (False, dt.date(2026, 6, 1))


def test_fingerprint_rehashes_only_touched_files(tmp_path: Path, district: Path) -> None:
    from assetreg.district.discover import fingerprint

    folder = tmp_path / "c"
    shutil.copytree(district / "qjp-d12-07-well-run", folder)
    first, states = fingerprint(folder)
    assert fingerprint(folder, states) == (first, states)
    journal = folder / "journal.beancount"
    # a lying cache entry for an untouched file is trusted (that is the point)...
    fake = dict(states)
    fake["units.beancount"] = (*states["units.beancount"][:3], "00" * 32)
    assert fingerprint(folder, fake)[0] != first
    # ...but a file whose size or mtime changed is read again
    text = journal.read_bytes()
    journal.write_bytes(text + b"; x\n")
    changed, _ = fingerprint(folder, states)
    assert changed != first
    journal.write_bytes(text)  # same bytes again, new mtime: rehashed, same fingerprint
    assert fingerprint(folder, states)[0] == first


# ------------------------------------------------------------------ the store's index

def _store_rows(store: Path) -> list[object]:
    con = duckdb.connect(str(store / "district.duckdb"), read_only=True)
    try:
        return [con.execute(f"SELECT * EXCLUDE (seconds, cpu_seconds, fingerprint) FROM {t} ORDER BY ALL").fetchall()
                if t == "compounds" else con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("compounds", "checks", "contracts")]
    finally:
        con.close()


def test_changed_compounds_load_before_the_store_opens(district: Path, tmp_path: Path) -> None:
    """With the index a finished build leaves, the CLI forks the changed compound's load
    before it imports DuckDB; what it stores equals a build that asked the store."""
    import shutil
    import subprocess
    import sys

    root = tmp_path / "d"
    shutil.copytree(district, root, ignore=shutil.ignore_patterns(".assetreg-district"))
    store = root / ".assetreg-district"
    cmd = [sys.executable, "-c", "from assetreg.cli import main; main()", "district", "build",
           str(root), "--jobs", "2", "--as-of", AS_OF.isoformat()]
    assert subprocess.run(cmd, capture_output=True).returncode == 1  # the broken compound
    assert (store / build.INDEX_NAME).is_file()
    journal = root / "qjp-d12-07-well-run" / "journal.beancount"
    journal.write_bytes(journal.read_bytes() + b"\n; changed\n")
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert "1 loaded, 8 unchanged" in out.stdout, out.stdout + out.stderr
    early = _store_rows(store)
    (store / build.INDEX_NAME).write_text("{not json", encoding="utf-8")  # unreadable: ask the store
    journal.write_bytes(journal.read_bytes() + b"; again\n")
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert "1 loaded, 8 unchanged" in out.stdout, out.stdout + out.stderr
    assert _store_rows(store) == early


def test_a_build_cut_short_leaves_no_index(district: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from assetreg.district import store as store_mod

    root = tmp_path / "d"
    shutil.copytree(district, root, ignore=shutil.ignore_patterns(".assetreg-district"))
    build.build(root, jobs=1, as_of=AS_OF)
    index = root / ".assetreg-district" / build.INDEX_NAME
    assert index.is_file()
    journal = root / "qjp-d12-07-well-run" / "journal.beancount"
    journal.write_bytes(journal.read_bytes() + b"\n; changed\n")

    def boom(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store_mod.Store, "write", boom)
    with pytest.raises(KeyboardInterrupt):
        build.build(root, jobs=1, as_of=AS_OF)
    assert not index.exists()  # the next build asks the store, which a cut-short build may have changed
    monkeypatch.undo()
    assert build.build(root, jobs=1, as_of=AS_OF).loaded == ["qjp-d12-07-well-run"]
    assert index.is_file()


def test_sorting_puts_empty_cells_last_either_way(built: build.BuildResult) -> None:
    rep = report.build_report(built.store)
    for desc in (False, True):
        rows = report.sorted_by(rep, "seal_age_days", desc).rows
        values = [r["seal_age_days"] for r in rows]
        present = [v for v in values if v is not None]
        assert values == present + [None] * (len(values) - len(present))
        assert present == sorted(present, reverse=desc)
        ids = [r["compound"] for r in rows if r["seal_age_days"] is None]
        assert ids == sorted(ids)  # ties by compound id


def test_the_district_page_reads_the_store_once_per_change(built: build.BuildResult,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from assetreg import serve_district

    reads: list[Path] = []
    real = serve_district.build_report

    def counting(store: Path) -> report.Report:
        reads.append(store)
        return real(store)

    monkeypatch.setattr(serve_district, "build_report", counting)
    page = serve_district.DistrictPage(built.store, {})
    bodies = []
    for q in ("sort=gross&desc=1", "sort=gross&desc=0", "sort=errors&desc=1", "sort=gross&desc=1"):
        bodies.append(b"".join(page({"QUERY_STRING": q}, lambda *_: None)))
    assert len(reads) == 1
    assert bodies[0] == bodies[3] and bodies[0] != bodies[1]
    db = built.store / "district.duckdb"
    st = db.stat()
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # the store changed
    b"".join(page({"QUERY_STRING": "sort=gross&desc=1"}, lambda *_: None))
    assert len(reads) == 2
