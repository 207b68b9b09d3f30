"""Weight of the served pages (issue 10): gzip for text when the browser accepts it, cacheable
static files, pages never cached by shared caches. Figures: benchmarks/bench_weight.py.

On main nothing was compressed and Fava's static files were sent with ``no-cache``."""

from __future__ import annotations

import gzip
from typing import Any
from urllib.parse import quote

import pytest
from serve_fixtures import copy_example

from assetreg.serve import make_app, slugs
from assetreg.serve_weight import accepts_gzip, static_cache_control


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    root = copy_example(tmp_path_factory.mktemp("weight"))
    app = make_app([root])
    return app, "/" + quote(slugs(app)[root.name])


@pytest.mark.parametrize(("header", "ok"), [
    ("gzip, deflate, br", True), ("br;q=1.0, gzip;q=0.8", True), ("gzip;q=0", False),
    ("identity", False), ("", False), ("*", True), ("deflate, *;q=0", False)])
def test_accept_encoding(header: str, ok: bool) -> None:
    assert accepts_gzip(header) is ok


def test_pages_and_api_answers_are_gzipped_when_asked(served) -> None:  # type: ignore[no-untyped-def]
    app, prefix = served
    client = app.test_client()
    for path in ("/extension/IncomeDisclosure/", "/extension/Contracts/", "/api/income_statement",
                 "/extension/AssetRegistry/?partial=true"):
        plain = client.get(prefix + path)
        packed = client.get(prefix + path, headers={"Accept-Encoding": "gzip, deflate"})
        assert plain.status_code == packed.status_code == 200
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip"
        assert packed.headers["Vary"] == plain.headers["Vary"] == "Accept-Encoding"
        assert gzip.decompress(packed.data) == plain.data
        assert len(packed.data) * 3 < len(plain.data), path  # text compresses well
        assert int(packed.headers["Content-Length"]) == len(packed.data)
        assert packed.headers["Cache-Control"] == "private, no-cache"  # behind a password, changes
    refused = client.get(prefix + "/extension/IncomeDisclosure/", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers


def test_static_files_are_cacheable_and_compressed_once(served) -> None:  # type: ignore[no-untyped-def]
    app, _ = served
    client = app.test_client()
    js = client.get("/static/app.js?mtime=1", headers={"Accept-Encoding": "gzip"})
    assert js.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert js.headers["Content-Encoding"] == "gzip" and js.headers["ETag"].startswith("W/")
    again = client.get("/static/app.js?mtime=1", headers={"Accept-Encoding": "gzip",
                                                          "If-None-Match": js.headers["ETag"]})
    assert again.status_code == 304  # revalidation still works with the weak validator
    font = client.get("/static/fira-sans-latin-400-normal-OYYTPMAV.woff2", headers={"Accept-Encoding": "gzip"})
    assert font.headers["Cache-Control"].endswith("immutable")
    assert "Content-Encoding" not in font.headers  # already compressed: sent as is
    css = client.get("/static/app.css", headers={"Accept-Encoding": "gzip"})  # no stamp: an hour
    assert css.headers["Cache-Control"] == "public, max-age=3600"
    assert static_cache_control("/static/chunk-TVG7KHLA.js", "") == "public, max-age=31536000, immutable"
    assert static_cache_control("/static/favicon.ico", "") == "public, max-age=3600"


def test_small_and_refused_answers_stay_plain(served) -> None:  # type: ignore[no-untyped-def]
    app, prefix = served
    client = app.test_client()
    r = client.get(prefix + "/api/changed", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and "Content-Encoding" not in r.headers  # below 512 bytes
    r = client.get(prefix + "/journal/", headers={"Accept-Encoding": "gzip", "Accept": "text/html"})
    assert r.status_code == 403 and "Content-Encoding" not in r.headers
    assert "不对居民开放" in r.get_data(as_text=True)
