"""The residents' view models (assetreg.views) against a compound whose figures we know.

Expected figures are summed here straight from the ledger's postings (or fixed by how the
fixture was written), not through the views, so a wrong view cannot agree with itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import data
from click.testing import CliRunner
from test_fava_fixture import build_compound, journal, load

from assetreg import disclosure, views
from assetreg.audit import run_checks
from assetreg.cli import main
from assetreg.ledger import Compound, load_path
from assetreg.policy import load_policy_set
from assetreg.resolutions import Resolution

TODAY = dt.date(2025, 11, 30)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("views") / "demo"
    entries, options_map = load(build_compound(root))
    return root, entries, options_map


@pytest.fixture(scope="module")
def books(ledger):  # type: ignore[no-untyped-def]
    root, entries, options_map = ledger
    return views.build_books(entries, options_map, root, TODAY)


def _postings(entries, prefix: str):  # type: ignore[no-untyped-def]
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                if p.account.startswith(prefix):
                    yield e, p


def test_asset_counts_by_status_and_filters(books: views.Books) -> None:
    page = views.registry_page(books)
    counts = {c.status: c.count for c in page.counts_by_status}
    assert counts == {"registered": 1, "noticed": 1, "confirmed": 2, "disputed": 1, "excluded": 1}
    assert page.total == 6 and len(page.rows) == 6
    parking = views.registry_page(books, kind="parking")
    assert [r.id for r in parking.rows] == ["P-001", "P-002"]
    confirmed_parking = views.registry_page(books, kind="parking", status="confirmed")
    assert [r.id for r in confirmed_parking.rows] == ["P-001", "P-002"]
    assert [r.id for r in views.registry_page(books, status="disputed").rows] == ["S-01"]
    assert views.registry_page(books, kind="room", status="confirmed").rows == ()
    assert views.registry_page(books, kind="<script>").rows == ()
    assert ("registry", "<script>", None) not in books.memo_


def test_asset_rows_income_this_year_and_total(ledger, books: views.Books) -> None:  # type: ignore[no-untyped-def]
    _, entries, _ = ledger
    total: dict[str, Decimal] = defaultdict(Decimal)
    this_year: dict[str, Decimal] = defaultdict(Decimal)
    for e, p in _postings(entries, "Income:Common"):
        total[e.meta["asset"]] -= p.units.number
        if e.date.year == TODAY.year:
            this_year[e.meta["asset"]] -= p.units.number
    rows = {r.id: r for r in views.registry_page(books).rows}
    for aid in ("P-001", "P-002"):
        assert rows[aid].income_total == total[aid]
        assert rows[aid].income_year == this_year[aid]
    assert rows["AD-001"].income_total == 0
    # P-001's current contract is the one in force, not the ended one.
    assert rows["P-001"].contract == "C-2025-001"
    assert rows["P-001"].contract_state == "in-force"
    assert (rows["P-001"].evidence[0].document or "").endswith("documents/P-001.pdf")
    assert rows["P-002"].evidence[0].document is None  # no document entry for it


def test_asset_page_history_and_income_by_period(books: views.Books) -> None:
    page = views.asset_page(books, "p-001")  # ids are case-insensitive, like the CLI
    assert page is not None
    assert [(h.date.isoformat(), h.action) for h in page.history] == [
        ("2024-01-02", "registered"), ("2024-01-05", "noticed"), ("2024-01-20", "confirmed")]
    assert page.history[2].reason == "公示期满无异议"
    assert views.Fact(label="区域", value="小区道路") in page.history[0].details
    periods = {r.period: r.amount for r in page.income_by_period}
    # C-2024-001: 150 a month Feb-Dec 2024 but July unpaid; C-2025-001: 160 a month in 2025.
    assert periods == {"2024H1": Decimal("750.00"), "2024H2": Decimal("750.00"),
                       "2025H1": Decimal("960.00"), "2025H2": Decimal("960.00")}
    assert [c.id for c in page.contracts] == ["C-2024-001", "C-2025-001"]
    r01 = views.asset_page(books, "R-01")
    assert r01 is not None and r01.status == "noticed"
    assert r01.open_objections[0].reason == "开发商主张该房屋为其所有"
    assert views.asset_page(books, "NOPE-1") is None


def test_contracts_in_force_ended_and_rejected(books: views.Books) -> None:
    page = views.contracts_page(books)
    assert [c.id for c in page.in_force] == ["C-2024-002", "C-2025-001"]
    assert [c.id for c in page.ended] == ["C-2024-001"]
    totals = journal()[1]
    for c in page.in_force + page.ended:
        assert c.income_total == totals[c.id]
        assert c.decision == "permitted" and c.rules == ("N-FIRE-LANE", "G-PARKING-OWNER")
        assert c.counterparty == ""  # an owner counterparty is never named
    ended = page.ended[0]
    assert ended.billing.status == "arrears"
    assert ended.billing.arrears == Decimal("150.00")
    one = views.contract_page(books, "C-2024-001")
    assert one is not None
    rows = one.billing.rows
    assert [r.period for r in rows if r.state == "arrears"] == ["2024-07"]
    assert len(rows) == 11 and sum(r.paid for r in rows) == Decimal("1500.00")
    res = ended.resolution
    assert res is not None and not res.missing
    assert res.id == "R-2024-01" and res.passed and res.matter == 8
    ratios = {r.key: (r.value, r.met) for r in res.ratios}
    assert ratios == {
        "participation-area": ("410.33 / 500.33 = 82.01%", True),
        "participation-heads": ("2 / 3 = 66.67%", True),  # exactly 2/3 meets "以上" (Art. 1259)
        "approval-area": ("310.33 / 410.33 = 75.63%", True),
        "approval-heads": ("2 / 2 = 100.00%", True),
    }
    assert res.thresholds.startswith("参与：面积与人数均2/3以上")
    # Paid ahead: December 2025 is paid before it starts.
    c2025 = next(c for c in page.in_force if c.id == "C-2025-001")
    assert c2025.billing.status == "paid" and c2025.billing.prepaid == Decimal("160.00")
    assert [(r.id, r.verdict) for r in page.rejected] == [
        ("PROP-2024-01", "forbidden"), ("PROP-2024-02", "not-permitted")]
    assert page.rejected[0].reasons == ("车位位于消防车道（消防法第28条）",)
    assert page.rejected[0].verdict_label.startswith("禁止")


def test_tally_ratios_are_recomputed_from_the_counts() -> None:
    counts = {"area_total": Decimal("1000"), "heads_total": Decimal("10"),
              "area_participating": Decimal("700"), "heads_participating": Decimal("7"),
              "area_approving": Decimal("350"), "heads_approving": Decimal("4")}
    # matter 9 needs "more than half": 350/700 is exactly half and fails; 4/7 passes
    r = Resolution("R-X", dt.date(2025, 1, 1), 9, False, "t", dict(counts))
    got = {x.key: (x.threshold, x.met) for x in views.tally_ratios(r)}
    assert got == {"participation-area": ("不少于2/3", True), "participation-heads": ("不少于2/3", True),
                   "approval-area": ("超过1/2", False), "approval-heads": ("超过1/2", True)}
    assert views.tally_ratios(Resolution("R-Y", dt.date(2025, 1, 1), 8, True, "t", {})) == ()


def test_billing_agrees_with_the_audit(ledger) -> None:  # type: ignore[no-untyped-def]
    root, entries, options_map = ledger
    for day in (dt.date(2024, 9, 15), TODAY, dt.date(2026, 11, 1)):
        books = views.build_books(entries, options_map, root, day)
        findings = run_checks(entries, options_map, day, only=["billing"])
        want: dict[str, Decimal] = defaultdict(Decimal)
        for f in findings:
            if f.check == "billing-arrears":
                want[f.facts["contract"]] += Decimal(f.facts["arrears"])
        got = {cid: views.billing(books, c).arrears for cid, c in books.contracts.items()}
        assert {k: v for k, v in got.items() if v} == dict(want), day


def test_income_by_period_cost_net_and_where_it_went(ledger, books: views.Books) -> None:  # type: ignore[no-untyped-def]
    _, entries, _ = ledger
    page = views.income_page(books)
    assert page.frequency == "half-year"
    income = sum((-p.units.number for _, p in _postings(entries, "Income:Common")), Decimal(0))
    cost = sum((p.units.number for _, p in _postings(entries, "Expenses:Manager")), Decimal(0))
    allocated = sum((p.units.number for _, p in _postings(entries, "Expenses:Allocation")), Decimal(0))
    t = page.totals
    assert (t.income, t.cost, t.net) == (income, cost, income - cost)
    assert t.allocated_total == allocated == Decimal("800.00")
    assert t.unallocated == income - cost - allocated
    rows = {r.period: r for r in page.rows}
    assert list(rows) == ["2024H1", "2024H2", "2025H1", "2025H2", "2026H1"]
    # 2024H1: five months on C-2024-001 (Feb-Jun) and two quarters on C-2024-002.
    assert rows["2024H1"].income == Decimal("750") + Decimal("900")
    assert rows["2024H1"].cost == (Decimal("1650") * Decimal("0.3")).quantize(Decimal("0.01"))
    assert rows["2024H1"].by_kind["parking"] == rows["2024H1"].income
    # Allocations count in the period they are dated in; 2026-01-15 opens 2026H1.
    assert rows["2026H1"].income == 0 and rows["2026H1"].allocated_total == Decimal("200.00")
    assert rows["2026H1"].unallocated == t.unallocated
    assert [k.kind for k in page.kinds] == ["parking"]


def test_income_page_matches_the_disclosure(ledger, books: views.Books) -> None:  # type: ignore[no-untyped-def]
    _, entries, options_map = ledger
    for row in views.income_page(books).rows:
        d = disclosure.build(entries, row.period, options_map, TODAY, findings=[])
        assert (d.gross, d.cost, d.net) == (row.income, row.cost, row.net), row.period
        share = views.unit_share(books, "2-102", row.period)
        assert share is not None
        assert share.rows[0].share == d.shares["2-102"]


def test_unit_share_sums_to_the_net_and_reveals_no_owner(books: views.Books) -> None:
    net = {r.period: r.net for r in views.income_page(books).rows}
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for number in books.roster.units:
        u = views.unit_share(books, number)
        assert u is not None
        for r in u.rows:
            sums[r.period] += r.share
        blob = json.dumps(dataclasses.asdict(u), default=str, ensure_ascii=False)
        assert "OWN-" not in blob and "DEV-" not in blob and "owner" not in blob
    assert dict(sums) == net
    one = views.unit_share(books, " 1-101 ", "2024H1")
    assert one is not None and [r.period for r in one.rows] == ["2024H1"]
    # 2024H1 net 1,155.00 (1,650.00 less the 30% cost); 1-101 holds 90.00 of 500.33 m²:
    # 1,155.00 x 90 / 500.33 = 207.7629... -> 207.76
    assert one.rows[0].net == Decimal("1155.00")
    assert one.rows[0].share == Decimal("207.76")
    assert one.fraction == "9000/50033"
    assert views.unit_share(books, "9-999") is None


def test_policy_page_lists_the_rules_in_force(ledger, books: views.Books) -> None:  # type: ignore[no-untyped-def]
    page = views.policy_page(books)
    root, _, _ = ledger
    ps = load_policy_set(Compound(root))
    assert page.available and page.id == ps.id
    assert [r.id for r in page.negative] == [r.id for r in ps.negative if r.in_effect(TODAY)]
    assert [r.id for r in page.guidance] == [r.id for r in ps.guidance if r.in_effect(TODAY)]
    for r in page.negative + page.guidance:
        assert r.legal_source, r.id
    fire = next(r for r in page.negative if r.id == "N-FIRE-LANE")
    assert any("消防车道" in m for m in fire.matches)
    parking = next(r for r in page.guidance if r.use == "parking-owner")
    assert any("第278条" in c for c in parking.conditions)
    # the contracts page names each deciding rule with its title and legal source
    rejected = views.contracts_page(books).rejected[0]
    assert rejected.rule_details == (
        views.RuleRef(id="N-FIRE-LANE", title=ps.rule("N-FIRE-LANE").title,  # type: ignore[union-attr]
                      source=ps.rule("N-FIRE-LANE").source, kind="negative"),)  # type: ignore[union-attr]
    assert "消防法" in rejected.rule_details[0].source


def test_audit_page_shows_the_audit_and_seals(ledger, books: views.Books) -> None:  # type: ignore[no-untyped-def]
    page = views.audit_page(books)
    _, entries, options_map = ledger
    findings = run_checks(entries, options_map, TODAY)
    assert page.audit_available
    assert [f.check for f in page.findings] == [f.check for f in findings]
    assert sum(g.count for g in page.by_check) == len(findings)
    arrears = [f for f in page.findings if f.check == "billing-arrears"]
    assert arrears and arrears[0].check_label == "欠缴"
    assert page.seal_available and page.seals == ()


def test_books_are_built_once_per_load(ledger) -> None:  # type: ignore[no-untyped-def]
    root, entries, options_map = ledger
    books = views.build_books(entries, options_map, Path(root), TODAY)
    assert views.contracts_page(books) is views.contracts_page(books)
    assert views.registry_page(books, "parking") is views.registry_page(books, "parking")


def test_audit_page_tells_an_intact_seal_from_a_broken_one(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    build_compound(root)
    r = CliRunner().invoke(main, ["seal", "-L", str(root), "--through", "2024-12-31",
                                  "--date", "2025-01-20"])
    assert r.exit_code == 0, r.output

    def seals() -> tuple[views.SealRow, ...]:
        entries, options_map = _load_any(root)
        page = views.audit_page(views.build_books(entries, options_map, root, TODAY))
        assert page.seal_available
        return page.seals

    assert [(s.through, s.changes) for s in seals()] == [(dt.date(2024, 12, 31), 0)]
    journal_file = root / "journal.beancount"
    text = journal_file.read_text(encoding="utf-8")
    # a hand edit inside the sealed period: one payment of 2024 changes its amount
    text = text.replace("Income:Common:停车位   -150.00 CNY", "Income:Common:停车位   -140.00 CNY", 1)
    text = text.replace("Expenses:Manager:物业经营成本   45.00 CNY", "Expenses:Manager:物业经营成本   35.00 CNY", 1)
    journal_file.write_text(text, encoding="utf-8")
    [(through, changes)] = [(s.through, s.changes) for s in seals()]
    assert through == dt.date(2024, 12, 31) and changes >= 1


def _load_any(root: Path):  # type: ignore[no-untyped-def]
    """Load a compound whose books may carry errors (a broken seal is one)."""
    loaded = load_path(root / "main.beancount")
    return loaded.entries, loaded.options_map


def test_pages_are_frozen_typed_models(ledger, books: views.Books) -> None:  # type: ignore[no-untyped-def]
    """Every page result is a frozen dataclass all the way down: no page dicts (the only
    dicts are amounts keyed by kind or account)."""
    pages = [views.registry_page(books), views.asset_page(books, "P-001"),
             views.contracts_page(books), views.contract_page(books, "C-2024-001"),
             views.income_page(books), views.unit_share(books, "1-101"),
             views.policy_page(books), views.audit_page(books)]

    def walk(value: object, where: str) -> None:
        if isinstance(value, tuple):
            for i, v in enumerate(value):
                walk(v, f"{where}[{i}]")
        elif isinstance(value, dict):
            assert all(isinstance(k, str) and isinstance(v, Decimal) for k, v in value.items()), where
        elif dataclasses.is_dataclass(value):
            assert type(value).__dataclass_params__.frozen, where  # type: ignore[attr-defined]
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name), f"{where}.{f.name}")
        else:
            assert isinstance(value, str | int | bool | Decimal | dt.date | None), (where, value)

    for page in pages:
        assert page is not None and dataclasses.is_dataclass(page)
        walk(page, type(page).__name__)
    with pytest.raises(dataclasses.FrozenInstanceError):
        views.registry_page(books).total = 0  # type: ignore[misc]


def test_the_core_does_not_import_the_views() -> None:
    """views sits on the core; only the Fava extension and the CLI may import it."""
    package = Path(views.__file__).resolve().parent.parent
    for path in package.rglob("*.py"):
        rel = path.relative_to(package)
        if rel.parts[0] in ("views", "fava_ext", "cli"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "import views" not in text and ".views" not in text, rel
