"""The five residents' pages as Fava serves them (Flask test client, no browser).

The figures are checked against the ledger's postings; the browser tests
(test_serve_browser.py) do the same through a real chromium.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from beancount.core import data
from test_fava_fixture import build_compound, journal

from assetreg import views
from assetreg.serve import make_app, slugs

PAGES = ("AssetRegistry", "Contracts", "IncomeDisclosure", "PolicyLists", "SealsAudit")
TITLES = ("共有资产", "经营合同", "收益公示", "政策清单", "审计")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("pages") / "demo"
    build_compound(root)
    app = make_app([root])
    return app, "/" + quote(slugs(app)["demo"])


def text_of(html: str) -> str:
    """What a reader sees of the page body: tags and the JSON data blocks removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def get(served, path: str) -> str:  # type: ignore[no-untyped-def]
    app, base = served
    r = app.test_client().get(base + path)
    assert r.status_code == 200, (path, r.status_code)
    return r.get_data(as_text=True)


def test_extension_loads_without_errors_and_lists_the_pages(served) -> None:  # type: ignore[no-untyped-def]
    app, _ = served
    ledger = next(iter(dict(app.config["LEDGERS"].items()).values()))
    assert not ledger.errors, [e.message for e in ledger.errors]
    details = ledger.extensions.extension_details
    assert [(d.name, d.report_title) for d in details] == list(zip(PAGES, TITLES, strict=True))
    assert ledger.fava_options.language == "zh"


def test_root_redirects_to_the_asset_registry(served) -> None:  # type: ignore[no-untyped-def]
    app, base = served
    r = app.test_client().get("/")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(base + "/extension/AssetRegistry/")


@pytest.mark.parametrize(("page", "title"), zip(PAGES, TITLES, strict=True))
def test_each_page_renders_in_chinese(served, page: str, title: str) -> None:  # type: ignore[no-untyped-def]
    html = get(served, f"/extension/{page}/")
    assert f"<title>{title} - " in html
    body = text_of(html)
    assert "Traceback" not in body and "Error" not in body
    # Fava's own interface is in Chinese too (its translation catalogue is served with the page).
    found = re.search(r'<script type="application/json" id="translations">(.*?)</script>', html, re.S)
    assert found is not None and json.loads(found[1])["Income Statement"] == "损益表"


def test_asset_registry_counts_and_filters(served) -> None:  # type: ignore[no-untyped-def]
    body = text_of(get(served, "/extension/AssetRegistry/"))
    for label, n in (("已登记", 1), ("公示中", 1), ("已确权", 2), ("有争议", 1), ("已排除", 1)):
        assert f"{label} {n}" in body
    assert "共 6 项" in body
    html = get(served, "/extension/AssetRegistry/?kind=parking&status=confirmed")
    assert re.findall(r'<tr data-asset="([^"]+)"', html) == ["P-001", "P-002"]
    html = get(served, "/extension/AssetRegistry/?status=excluded")
    assert re.findall(r'<tr data-asset="([^"]+)"', html) == ["X-01"]


def test_asset_page_shows_history_and_income(served) -> None:  # type: ignore[no-untyped-def]
    totals = journal()[1]
    html = get(served, "/extension/AssetRegistry/?asset=P-001")
    body = text_of(html)
    assert "P-001 · 停车位 · 已确权" in body
    for day, step in (("2024-01-02", "登记"), ("2024-01-05", "确权公示"), ("2024-01-20", "确权")):
        assert f"{day} {step}" in body
    total = totals["C-2024-001"] + totals["C-2025-001"]
    assert re.search(r'id="asset-income-total">([^<]+)<', html)[1] == views.yuan(total)  # type: ignore[index]
    assert "documents/P-001.pdf" in body
    missing = text_of(get(served, "/extension/AssetRegistry/?asset=ZZ-9"))
    assert "没有编号为 ZZ-9 的共有资产" in missing


def test_contracts_page_and_a_contracts_income(served) -> None:  # type: ignore[no-untyped-def]
    totals = journal()[1]
    html = get(served, "/extension/Contracts/?state=all")  # every state, not only in force
    body = text_of(html)
    assert "PROP-2024-01" in body and "禁止（负面清单）" in body and "不予准许" in body
    assert "R-2024-01 通过" in body
    for cid, amount in totals.items():
        row = re.search(rf'<tr data-contract="{cid}">(.*?)</tr>', html, re.S)
        assert row is not None, cid
        assert views.yuan(amount) in row[1]
    one = get(served, "/extension/Contracts/?contract=C-2024-001")
    assert re.search(r'id="contract-income">([^<]+)<', one)[1] == views.yuan(totals["C-2024-001"])  # type: ignore[index]
    assert "欠费 150.00 元" in text_of(one)
    assert "参与表决人数 / 总人数 2 / 3 = 66.67% 不少于2/3 ✓" in text_of(one)
    assert "同意面积 / 参与表决面积 310.33 / 410.33 = 75.63% 不少于3/4 ✓" in text_of(one)


def test_income_page_totals_and_unit_lookup(served) -> None:  # type: ignore[no-untyped-def]
    app, _ = served
    ledger = next(iter(dict(app.config["LEDGERS"].items()).values()))
    income = sum((-p.units.number for e in ledger.all_entries if isinstance(e, data.Transaction)
                  for p in e.postings if p.account.startswith("Income:Common")), Decimal(0))
    html = get(served, "/extension/IncomeDisclosure/")
    assert re.search(r'id="total-income">([^<]+)<', html)[1] == views.yuan(income)  # type: ignore[index]
    html = get(served, "/extension/IncomeDisclosure/?unit=1-101&period=2024H1")
    body = text_of(html)
    assert "房号 1-101 （1号楼）" in body
    assert re.search(r'id="unit-share-total">([^<]+)<', html)[1] == "207.76"  # type: ignore[index]
    unknown = text_of(get(served, "/extension/IncomeDisclosure/?unit=9-9-999"))
    assert "名册中没有房号 9-9-999" in unknown


def test_no_page_shows_owner_keys(served) -> None:  # type: ignore[no-untyped-def]
    paths = [f"/extension/{p}/" for p in PAGES] + [
        "/extension/AssetRegistry/?asset=R-01",  # has an objection by an owner
        "/extension/Contracts/?contract=C-2025-001",  # an owner is the counterparty
        "/extension/IncomeDisclosure/?unit=1-102",
    ]
    for path in paths:
        body = text_of(get(served, path))
        assert not re.search(r"OWN-\d|DEV-\d", body), path
        assert not re.search(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])", body), path  # no mobiles


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_every_non_get_is_refused(served, method: str) -> None:  # type: ignore[no-untyped-def]
    app, base = served
    client = app.test_client()
    for path in ("/extension/AssetRegistry/", "/api/source", "/api/add_entries", "/"):
        r = client.open(base + path if path != "/" else path, method=method, data=b"x")
        assert r.status_code == 401, (method, path)
    # and the ledger files are untouched (nothing to write through)
    root = Path(app.config["ASSETREG_COMPOUNDS"]["demo"])
    assert "x" not in (root / "main.beancount").read_text(encoding="utf-8").splitlines()


def test_favas_own_pages_keep_working(served) -> None:  # type: ignore[no-untyped-def]
    app, base = served
    client = app.test_client()
    for page in ("income_statement", "balance_sheet", "trial_balance"):
        assert client.get(f"{base}/{page}/").status_code == 200
    # the journal lists the roster with owner keys, errors name server paths: closed to
    # residents under `assetreg serve` (issue 14; tests/security/test_serve_routes.py)
    for page in ("journal", "errors"):
        assert client.get(f"{base}/{page}/").status_code == 403
    r = client.get(f"{base}/api/income_statement")
    assert r.status_code == 200
    assert "Income:Common:停车位" in json.dumps(r.get_json(), ensure_ascii=False)


def test_pages_follow_the_ledger_when_it_changes(tmp_path: Path) -> None:
    """Fava reloads a changed ledger; our index is rebuilt with it, not served stale."""
    import time

    root = tmp_path / "demo"
    build_compound(root)
    app = make_app([root])
    url = "/" + quote(slugs(app)["demo"]) + "/extension/AssetRegistry/"
    client = app.test_client()
    assert "共 6 项" in text_of(client.get(url).get_data(as_text=True))
    with (root / "registry.beancount").open("a", encoding="utf-8") as f:
        f.write('\n2025-03-01 custom "asset" "AD-002" "registered"\n  kind: "advertising"\n'
                '  location: "2号楼电梯轿厢"\n  zones: "lift"\n  reason: "补充登记"\n')
    deadline = time.monotonic() + 20
    while "共 7 项" not in (body := text_of(client.get(url).get_data(as_text=True))):
        assert time.monotonic() < deadline, "the page never showed the new asset"
        time.sleep(0.2)
    assert "已登记 2" in body


def test_query_text_is_escaped(served) -> None:  # type: ignore[no-untyped-def]
    evil = "<script>alert(1)</script>"
    for path in (f"/extension/AssetRegistry/?asset={quote(evil)}",
                 f"/extension/Contracts/?contract={quote(evil)}",
                 f"/extension/IncomeDisclosure/?unit={quote(evil)}",
                 f"/extension/AssetRegistry/?kind={quote(evil)}"):
        html = get(served, path)
        assert evil not in html, path


EXAMPLE = Path(__file__).resolve().parent.parent / "ledgers" / "qjp-jinghu-garden"


@pytest.mark.slow
@pytest.mark.skipif(not EXAMPLE.is_dir(), reason="the example compound is not generated")
def test_example_compound_pages_reveal_no_owner_key(tmp_path: Path) -> None:
    """Every asset page, contract page and a sample of unit lookups of the example compound."""
    import shutil

    from assetreg.ledger import load_path

    root = tmp_path / EXAMPLE.name
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".assetreg.lock"))
    app = make_app([root])
    base = "/" + quote(slugs(app)[root.name])
    loaded = load_path(root / "main.beancount")
    owners = {str(e.meta["owner"]) for e in loaded.entries
              if isinstance(e, data.Custom) and e.type == "unit"}
    books = views.build_books(loaded.entries, loaded.options_map, root)
    paths = [f"/extension/{p}/" for p in PAGES]
    paths += [f"/extension/AssetRegistry/?asset={a}" for a in books.registry.assets]
    paths += [f"/extension/Contracts/?contract={c}" for c in books.contracts]
    paths += [f"/extension/IncomeDisclosure/?unit={u}" for u in sorted(books.roster.units)[::25]]
    client = app.test_client()
    pattern = re.compile("|".join(re.escape(o) for o in sorted(owners)) + r"(?!\d)")
    for path in paths:
        r = client.get(base + path)
        assert r.status_code == 200, path
        body = re.sub(r"<script\b.*?</script>", " ", r.get_data(as_text=True), flags=re.S)
        assert not pattern.search(body), (path, pattern.search(body))
        assert not re.search(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])", text_of(body)), path


@pytest.mark.skipif(not EXAMPLE.is_dir(), reason="the example compound is not generated")
def test_example_rejections_show_the_rule_and_unverified_sources(tmp_path: Path) -> None:
    """Issue 13: the refused tower lease (missing consent) with its source; a reported,
    unverified practice is not presented as law."""
    import shutil

    root = tmp_path / EXAMPLE.name
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".assetreg.lock"))
    app = make_app([root])
    base = "/" + quote(slugs(app)[root.name])
    client = app.test_client()
    page = text_of(client.get(base + "/extension/Contracts/").get_data(as_text=True))
    assert "X-2024-02" in page and "G-BASE-STATION.CONSENTS" in page and "房号7-2-2102" in page
    assert "物业管理条例》第五十四条" in page
    policy = text_of(client.get(base + "/extension/PolicyLists/").get_data(as_text=True))
    assert "未经核实，非法律规定" in policy
