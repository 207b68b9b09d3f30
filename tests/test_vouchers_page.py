"""收支凭证与付款审批 on 收益公示, over the example compound: every line with a voucher
opens it, lines above the threshold without one are marked, each payment's trail shows
roles and dates, never an owner key (issue 15)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from assetreg import payments, views, vouchers
from assetreg.ledger import Compound
from assetreg.serve import make_app, slugs

EXAMPLE = Path(__file__).resolve().parents[1] / "ledgers" / "qjp-jinghu-garden"


@pytest.fixture(scope="module")
def served():  # type: ignore[no-untyped-def]
    app = make_app([EXAMPLE])
    return app, "/" + quote(next(iter(slugs(app).values())))


@pytest.fixture(scope="module")
def books() -> views.Books:
    loaded = Compound.locate(EXAMPLE).load()
    return views.build_books(loaded.entries, loaded.options_map, EXAMPLE)


def _page(served, query: str = "") -> str:  # type: ignore[no-untyped-def]
    app, base = served
    r = app.test_client().get(f"{base}/extension/IncomeDisclosure/{query}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_each_period_lists_its_lines_with_their_vouchers(books: views.Books) -> None:
    every = vouchers.lines(books.index, books.today)
    assert any(line.vouchers for line in every)  # the example has vouchers to show
    for key, _label in views.vouchers_page(books).periods:
        page = views.vouchers_page(books, key)
        assert page.period == key
        in_period = [line for line in every if line.date.isoformat()[:4] == key[:4]]
        assert {(line.date, line.amount) for line in page.lines} <= {(x.date, x.amount) for x in in_period}
        assert page.with_voucher == sum(1 for line in page.lines if line.vouchers)
    total = sum(len(views.vouchers_page(books, k).lines) for k, _ in views.vouchers_page(books).periods)
    assert total == len(every)  # every line in exactly one period


def test_a_voucher_opens_from_its_line(served, books: views.Books) -> None:  # type: ignore[no-untyped-def]
    page = next(views.vouchers_page(books, k) for k, _ in views.vouchers_page(books).periods
                if views.vouchers_page(books, k).with_voucher)
    html = _page(served, f"?vperiod={page.period}")
    links = re.findall(r'<a class="ar-voucher" href="([^"]+)"', html)
    assert links, "no voucher link on the page"
    app, _ = served
    r = app.test_client().get(links[0].replace("&amp;", "&"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] in ("application/pdf", "image/png", "image/jpeg")


def test_lines_without_a_voucher_above_the_threshold_are_marked(books: views.Books) -> None:
    limit = vouchers.threshold(books.index)
    assert limit is not None  # the example sets one
    for key, _ in views.vouchers_page(books).periods:
        for line in views.vouchers_page(books, key).lines:
            assert line.flagged == (line.amount > limit and not line.vouchers)
    assert any(line.flagged for key, _ in views.vouchers_page(books).periods
               for line in views.vouchers_page(books, key).lines)


def test_payment_trails_show_roles_and_dates_never_keys(served, books: views.Books) -> None:  # type: ignore[no-untyped-def]
    page = views.vouchers_page(books)
    book = payments.of(books.index)
    assert {t.id for t in page.payments} == {pid for pid, p in book.proposals.items() if p.versions}
    states = {t.id: t.state for t in page.payments}
    assert states["PAY-2026-008"] == "rejected"
    assert "paid" in states.values()
    html = _page(served)
    assert 'id="payment-trails"' in html and "OWN-" not in html
    for t in page.payments:
        assert all(isinstance(s.date, dt.date) and s.role and "OWN-" not in s.role for s in t.steps)


def test_the_printed_notice_counts_the_lines_with_vouchers(books: views.Books) -> None:
    from assetreg import periods
    from assetreg.disclosure import build, render_html

    key = next(k for k, _ in views.vouchers_page(books).periods if views.vouchers_page(books, k).with_voucher)
    page = views.vouchers_page(books, key)
    d = build(list(books.entries), periods.parse(key), books.options_map, as_of=books.today, findings=[])
    assert (d.lines, d.vouchered) == (len(page.lines), page.with_voucher)
    assert f"本期 {d.lines} 笔收支中 {d.vouchered} 笔附有原始凭证" in render_html(d)


def test_a_contracts_page_opens_its_signed_pages_and_its_payments_vouchers(served, books: views.Books) -> None:  # type: ignore[no-untyped-def]
    page = views.contract_page(books, "C-2024-004")
    assert page is not None and page.vouchers  # the example attached the signed lease
    paid = [c for c in books.contracts
            if any(p.vouchers for p in (views.contract_page(books, c) or page).payments)]
    assert paid, "no contract payment with a voucher in the example"
    html = _page_of(served, f"Contracts/?contract={paid[0]}")
    assert 'class="ar-voucher"' in html
    html = _page_of(served, "Contracts/?contract=C-2024-004")
    assert 'id="contract-vouchers"' in html


def _page_of(served, path: str) -> str:  # type: ignore[no-untyped-def]
    app, base = served
    r = app.test_client().get(f"{base}/extension/{path}")
    assert r.status_code == 200
    return r.get_data(as_text=True)
