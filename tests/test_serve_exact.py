"""The residents' server's credentials and login back-off, value by value: the hash format,
which stored hashes are accepted (on both sides of each limit), every refusal of the auth
file with its exact problem and fix, and the back-off schedule to the second.
(scripts/mutation.sh gate)"""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path
from typing import Any

import pytest

from assetreg import serve
from assetreg.errors import BadInput
from assetreg.serve import (
    AuthFile,
    AuthLimiter,
    ResidentsGate,
    hash_password,
    parse_auth_text,
    verify_password,
)

SALT = b"0123456789abcdef"


def test_the_hash_is_scrypt_with_its_cost_salt_and_digest_written_out() -> None:
    encoded = hash_password("jinghu-2025", log2_n=10, salt=SALT)
    want = hashlib.scrypt(b"jinghu-2025", salt=SALT, n=2**10, r=8, p=1, maxmem=2**26, dklen=32).hex()
    assert encoded == f"scrypt$10$8$1${SALT.hex()}${want}"
    assert verify_password("jinghu-2025", encoded) and not verify_password("jinghu-2026", encoded)
    default = hash_password("jinghu-2025")
    parts = default.split("$")
    assert parts[:4] == ["scrypt", "14", "8", "1"] and len(parts[4]) == 32 and len(parts[5]) == 64
    assert default != hash_password("jinghu-2025")  # a fresh salt each time


@pytest.mark.parametrize("encoded", [
    "bcrypt$10$8$1$30313233343536373839616263646566$" + "00" * 32,  # another scheme
    "scrypt$10$8$1$30313233343536373839616263646566",  # five parts
    "scrypt$ten$8$1$30313233343536373839616263646566$" + "00" * 32,
    "scrypt$10$8$1$zz$" + "00" * 32,  # salt not hex
    "",
])
def test_a_malformed_stored_hash_verifies_nothing(encoded: str) -> None:
    assert verify_password("anything", encoded) is False


def test_each_check_is_bounded_to_64_mib_so_the_cost_is_at_most_2_to_the_15() -> None:
    assert verify_password("pw", hash_password("pw", log2_n=15, salt=SALT))
    with pytest.raises(ValueError, match="memory limit exceeded"):
        hash_password("pw", log2_n=16, salt=SALT)
    forged = "scrypt$16$8$1$" + SALT.hex() + "$" + "00" * 32  # would need 64 MiB and more
    assert verify_password("pw", forged) is False
    assert not serve._check_hash(forged)


def test_a_digest_of_another_length_is_checked_at_its_length() -> None:
    short = hash_password("jinghu-2025", log2_n=10, salt=SALT)[:-32]  # a 16-byte digest
    want = hashlib.scrypt(b"jinghu-2025", salt=SALT, n=2**10, r=8, p=1, maxmem=2**26, dklen=16).hex()
    assert short.endswith(want) and verify_password("jinghu-2025", short)


GOOD = hash_password("jinghu-2025", log2_n=10, salt=SALT)


def with_part(i: int, value: str) -> str:
    parts = GOOD.split("$")
    parts[i] = value
    return "$".join(parts)


@pytest.mark.parametrize(("encoded", "ok"), [
    (GOOD, True),
    (with_part(1, "15"), True), (with_part(1, "16"), False), (with_part(1, "9"), False), (with_part(1, "ten"), False),
    (with_part(4, "ab" * 8), True), (with_part(4, "ab" * 7 + "a"), False),  # salt: 16 hex digits at least
    (with_part(5, "00" * 16), True), (with_part(5, "00" * 15 + "0"), False),  # digest: 32 hex digits at least
    (with_part(0, "Scrypt"), False), (with_part(2, "x"), False), (with_part(3, "x"), False),
    (with_part(4, "xy" * 8), False), (with_part(5, "xy" * 16), False), (GOOD + "$", False), ("plain-password", False),
])
def test_which_stored_hashes_the_auth_file_accepts(encoded: str, ok: bool) -> None:
    text = f"jinghu:resident:{encoded}\n"
    if ok:
        assert parse_auth_text(text).users == {"jinghu": {"resident": encoded}}
    else:
        with pytest.raises(BadInput) as err:
            parse_auth_text(text, "auth.txt")
        assert (err.value.problem, err.value.fix) == (
            "auth.txt line 1: the credential of 'resident' is not a salted scrypt hash "
            "(plain-text passwords are not accepted)",
            "re-create it with `assetreg serve-passwd FILE COMPOUND USER`")


def test_the_auth_file_skips_comments_and_blanks_and_groups_users_by_compound() -> None:
    other = hash_password("another-2025", log2_n=10, salt=SALT)
    text = f"# comment\n\n  jinghu:resident:{GOOD}  \njinghu:auditor:{other}\nqjp-2.b_c:x:{GOOD}\n"
    auth = parse_auth_text(text)
    assert auth.users == {"jinghu": {"resident": GOOD, "auditor": other}, "qjp-2.b_c": {"x": GOOD}}
    assert auth.for_compound("jinghu") == {"resident": GOOD, "auditor": other}
    assert auth.for_compound("nowhere") == {}


@pytest.mark.parametrize("line", [
    f"jinghu:{GOOD}",  # two parts
    f":resident:{GOOD}", f"jinghu::{GOOD}",
    f"-jinghu:resident:{GOOD}", f"jinghu:_resident:{GOOD}",  # a name starts with a letter or digit
    f"{'a' * 65}:resident:{GOOD}", f"jinghu:{'u' * 65}:{GOOD}",  # at most 64 characters
    f"景湖:resident:{GOOD}", f"jinghu:住户:{GOOD}",
])
def test_each_malformed_line_is_refused_with_its_number(line: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_auth_text(f"# header\n{line}\n", "auth.txt")
    assert (err.value.problem, err.value.fix) == (
        "auth.txt line 2: expected compound:user:hash",
        "create entries with `assetreg serve-passwd FILE COMPOUND USER`")


def test_a_colon_in_the_hash_is_part_of_the_hash_and_the_default_source_is_the_auth_file() -> None:
    with pytest.raises(BadInput) as err:
        parse_auth_text(f"jinghu:resident:{GOOD}:extra")
    assert err.value.problem == ("auth file line 1: the credential of 'resident' is not a salted scrypt hash "
                                 "(plain-text passwords are not accepted)")


def test_names_of_64_characters_are_accepted() -> None:
    name = "a" * 64
    assert parse_auth_text(f"{name}:{name}:{GOOD}").users == {name: {name: GOOD}}


def test_a_missing_auth_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(BadInput) as err:
        serve.read_auth_file(tmp_path / "auth.txt")
    assert (err.value.problem, err.value.fix) == (
        f"auth file {tmp_path / 'auth.txt'} not found", "create it with `assetreg serve-passwd FILE COMPOUND USER`")
    (tmp_path / "auth.txt").write_text(f"jinghu:resident:{GOOD}\nbad line\n", encoding="utf-8")
    with pytest.raises(BadInput) as err:
        serve.read_auth_file(tmp_path / "auth.txt")
    assert err.value.problem == f"{tmp_path / 'auth.txt'} line 2: expected compound:user:hash"


def test_setting_a_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "hash_password", lambda password: f"H({password})")
    path = tmp_path / "auth.txt"
    refusals = [
        (("bad id!", "resident", "12345678"),
         ("malformed compound id 'bad id!'", "use the ledger folder's name, e.g. qjp-jinghu-garden")),
        (("jinghu", "住户", "12345678"),
         ("malformed user name '住户'", "use ASCII letters, digits, '-', '_' or '.', e.g. resident")),
        (("jinghu", "resident", "1234567"),
         ("password shorter than 8 characters", "choose a password of at least 8 characters")),
    ]
    for args, want in refusals:
        with pytest.raises(BadInput) as err:
            serve.set_password(path, *args)
        assert (err.value.problem, err.value.fix) == want
    assert not path.exists()
    monkeypatch.setattr(serve, "parse_auth_text", lambda text, where: AuthFile({}))  # the stand-in hash is no scrypt
    serve.set_password(path, "jinghu", "resident", "12345678")
    assert path.read_text(encoding="utf-8") == (
        "# assetreg serve --auth-file: compound:user:scrypt hash (never plain passwords)\n"
        "jinghu:resident:H(12345678)\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    serve.set_password(path, "jinghu", "auditor", "abcdefgh")
    serve.set_password(path, "jinghu", "resident", "87654321")  # replaced, moved last
    serve.set_password(path, "jinghu-2", "resident", "12345678")  # another compound, same user
    assert path.read_text(encoding="utf-8").splitlines()[1:] == [
        "jinghu:auditor:H(abcdefgh)", "jinghu:resident:H(87654321)", "jinghu-2:resident:H(12345678)"]


def test_a_malformed_auth_file_is_not_extended(tmp_path: Path) -> None:
    path = tmp_path / "auth.txt"
    path.write_text("jinghu:resident:plaintext\n", encoding="utf-8")
    with pytest.raises(BadInput) as err:
        serve.set_password(path, "jinghu", "auditor", "12345678")
    assert err.value.problem == (f"{path} line 1: the credential of 'resident' is not a salted scrypt hash "
                                 "(plain-text passwords are not accepted)")
    assert path.read_text(encoding="utf-8") == "jinghu:resident:plaintext\n"


# ------------------------------------------------------------------ back-off


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fail(limiter: AuthLimiter, client: str = "10.0.0.1") -> float:
    wait = limiter.begin(client)
    if wait == 0:
        limiter.end(client, False)
    return wait


def test_the_back_off_doubles_from_the_fifth_failure_up_to_the_cap() -> None:
    clock = Clock()
    limiter = AuthLimiter(free=3, base=2.0, cap=20.0, clock=clock)
    assert [fail(limiter) for _ in range(3)] == [0.0, 0.0, 0.0]  # three free failures...
    assert limiter.begin("10.0.0.1") == 2.0  # ...the third started a wait of base * 2**0
    clock.now += 1.5
    assert limiter.begin("10.0.0.1") == 0.5
    clock.now += 0.5
    assert fail(limiter) == 0.0  # the fourth failure: 2 * 2**1 = 4 s
    assert limiter.begin("10.0.0.1") == 4.0
    waits = []
    for _ in range(4):
        clock.now += 100
        assert fail(limiter) == 0.0
        waits.append(limiter.begin("10.0.0.1"))
    assert waits == [8.0, 16.0, 20.0, 20.0]  # capped
    assert limiter.begin("10.0.0.2") == 0.0  # another client is not held back


def test_a_success_forgets_and_an_unchecked_attempt_counts_nothing() -> None:
    clock = Clock()
    limiter = AuthLimiter(free=2, base=1.0, clock=clock)
    fail(limiter)
    assert limiter.begin("c") == 0.0
    limiter.end("c", None)  # not checked (busy): no failure recorded
    limiter.end("nobody", False)  # an end without a begin changes nothing
    assert fail(limiter) == 0.0  # the second failure: now waits 1 s
    assert limiter.begin("10.0.0.1") == 1.0
    clock.now += 1.0
    assert limiter.begin("10.0.0.1") == 0.0
    limiter.end("10.0.0.1", True)
    assert [fail(limiter), fail(limiter)] == [0.0, 0.0]  # forgotten: two free failures again


def test_an_hour_of_quiet_forgets_a_client() -> None:
    clock = Clock()
    limiter = AuthLimiter(free=1, base=10.0, cap=1000.0, forget=3600.0, clock=clock)
    fail(limiter)
    assert limiter.begin("10.0.0.1") == 10.0
    clock.now += 3600.0  # exactly an hour after the last failure: still remembered
    assert limiter.begin("10.0.0.1") == 0.0
    limiter.end("10.0.0.1", False)
    assert limiter.begin("10.0.0.1") == 20.0  # the second failure
    clock.now += 3600.001  # more than an hour: forgotten
    assert limiter.begin("10.0.0.1") == 0.0
    limiter.end("10.0.0.1", False)
    assert limiter.begin("10.0.0.1") == 10.0  # counted as the first again


def test_attempts_under_way_use_up_the_free_ones_then_one_at_a_time() -> None:
    limiter = AuthLimiter(free=3, base=0.25, clock=Clock())
    assert [limiter.begin("c") for _ in range(4)] == [0.0, 0.0, 0.0, 0.25]
    limiter.end("c", False)
    limiter.end("c", False)
    assert limiter.begin("c") == 0.25  # 2 failures + 1 under way = 3: none more until it ends
    limiter.end("c", True)  # one succeeds while none other is under way: forgotten
    assert limiter.begin("c") == 0.0
    tiny = AuthLimiter(free=1, base=0.0, clock=Clock())
    assert [tiny.begin("d"), tiny.begin("d")] == [0.0, 0.001]  # never a wait of 0 while one is under way


def test_a_success_while_others_are_under_way_only_resets_the_count() -> None:
    limiter = AuthLimiter(free=2, base=1.0, clock=Clock())
    fail(limiter, "c")
    assert [limiter.begin("c"), limiter.begin("c")] == [0.0, 1.0]
    limiter.end("c", True)
    assert limiter.begin("c") == 0.0  # the count is 0 again; the one under way is still counted
    limiter.end("c", False)
    limiter.end("c", False)
    assert limiter.begin("c") == 1.0


def test_a_spray_from_many_addresses_drops_the_stale_ones() -> None:
    clock = Clock()
    limiter = AuthLimiter(forget=10.0, clock=clock)
    for i in range(9_999):
        fail(limiter, f"old-{i}")
    clock.now += 11.0
    fail(limiter, "new-0")
    assert len(limiter._state) == 10_000  # at the limit nothing is dropped yet
    fail(limiter, "new-1")
    assert sorted(limiter._state) == ["new-0", "new-1"]


# ------------------------------------------------------------------ the gate's answers


def call(gate: ResidentsGate, header: str | None = None, client: str = "10.0.0.9") -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": "/jinghu/income/", "REMOTE_ADDR": client}
    if header is not None:
        environ["HTTP_AUTHORIZATION"] = header
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        got["status"], got["headers"] = status, dict(headers)

    body = b"".join(gate(environ, start_response))
    return got["status"], got["headers"], body


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def gate() -> ResidentsGate:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"fava"]

    auth = AuthFile({"jinghu": {"resident": GOOD}})
    return ResidentsGate(app, lambda slug: slug if slug == "jinghu" else None, auth,
                         limiter=AuthLimiter(free=2, base=30.0, clock=Clock()))


def test_the_gates_refusals_word_for_word(gate: ResidentsGate) -> None:
    challenge = 'Basic realm="assetreg jinghu", charset="UTF-8"'
    status, headers, body = call(gate)
    assert (status, headers["WWW-Authenticate"], body.decode()) == (
        "401 UNAUTHORIZED", challenge, "请输入本小区的查阅账号和密码。(login required)\n")
    assert headers["Content-Type"] == "text/plain; charset=utf-8" and headers["Content-Length"] == str(len(body))
    assert call(gate, "Bearer x")[0] == "401 UNAUTHORIZED"
    assert call(gate, "Basic !!!not base64")[0] == "401 UNAUTHORIZED"  # a failure
    assert call(gate, basic("resident", "wrong-password"))[0] == "401 UNAUTHORIZED"  # the second: 30 s
    status, headers, body = call(gate, basic("resident", "jinghu-2025"))
    assert (status, headers["Retry-After"], body.decode()) == (
        "429 TOO MANY REQUESTS", "31", "密码错误次数过多，请 31 秒后再试。(too many failed logins)\n")
    assert call(gate, basic("resident", "jinghu-2025"), client="10.0.0.10") == ("200 OK", {"Content-Type": "text/plain"}, b"fava")


def test_a_busy_server_answers_503_and_counts_no_failure(gate: ResidentsGate) -> None:
    asked: list[Any] = []
    gate._slots = type("Full", (), {"acquire": lambda self, blocking=True: asked.append(blocking) or False,
                                    "release": lambda self: None})()
    status, headers, body = call(gate, basic("resident", "jinghu-2025"))
    assert (status, headers["Retry-After"], body.decode()) == (
        "503 SERVICE UNAVAILABLE", "2", "登录的人太多，请稍后再试。(busy)\n")
    assert gate.limiter._state["10.0.0.9"][:1] == [0]  # no failure recorded, nothing under way
    assert gate.limiter._state["10.0.0.9"][3] == 0
    assert asked == [False]  # never waits for a slot: a waiting worker serves no pages


def test_a_verified_login_is_remembered_per_compound_and_header(gate: ResidentsGate, monkeypatch: pytest.MonkeyPatch) -> None:
    good = basic("resident", "jinghu-2025")
    assert call(gate, good)[0] == "200 OK"
    monkeypatch.setattr(serve, "verify_password", lambda *a: pytest.fail("checked again"))
    assert call(gate, good)[0] == "200 OK"  # no second scrypt for the page's next request
    assert not gate._known("jinghu", "Basic " + good[6:] + "=")  # another header is another login
    assert not gate._known("other", good)


def test_an_unknown_user_is_checked_against_a_hash_of_the_compounds_cost(gate: ResidentsGate,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = serve.verify_password
    monkeypatch.setattr(serve, "verify_password", lambda password, encoded: seen.append(encoded) or real(password, encoded))
    assert call(gate, basic("stranger", "jinghu-2025"))[0] == "401 UNAUTHORIZED"
    assert seen[0].split("$")[:4] == ["scrypt", "10", "8", "1"] and seen[0] != GOOD
    assert gate._dummy({}).split("$")[1] == "14"  # a compound without users: the default cost
    assert gate._dummy({"a": GOOD}) == seen[0]  # made once per cost


def test_the_remembered_logins_are_bounded(gate: ResidentsGate) -> None:
    gate._ok = {bytes([i % 256, i // 256]) for i in range(1024)}
    assert call(gate, basic("resident", "jinghu-2025"))[0] == "200 OK"
    assert len(gate._ok) == 1025  # up to 1024 are kept...
    assert call(gate, basic("resident", "jinghu-2025") + " ")[0] == "200 OK"  # (another header)
    assert len(gate._ok) == 1  # ...beyond, cleared, then this login kept


def test_a_password_may_hold_a_colon_but_the_header_must_be_clean_base64() -> None:
    colon = hash_password("jing:hu:2025", log2_n=10, salt=SALT)
    g = ResidentsGate(lambda environ, start: start("200 OK", []) or [b""], lambda slug: slug,
                      AuthFile({"jinghu": {"resident": colon}}), limiter=AuthLimiter(free=100))
    assert call(g, basic("resident", "jing:hu:2025"))[0] == "200 OK"
    good = basic("resident", "jinghu-2025")
    assert call(gate_for_good(), good[:10] + "!" + good[10:])[0] == "401 UNAUTHORIZED"  # not silently skipped


def gate_for_good() -> ResidentsGate:
    return ResidentsGate(lambda environ, start: start("200 OK", []) or [b""], lambda slug: slug,
                         AuthFile({"jinghu": {"resident": GOOD}}), limiter=AuthLimiter(free=100))


# ------------------------------------------------------------------ the app


@pytest.fixture  # per test: mutmut credits a call to the test whose setup made it
def served(tmp_path: Path) -> tuple[Any, Path, Path]:
    from test_fava_fixture import build_compound

    base = tmp_path
    a, b = base / "compound-a", base / "compound-b"
    build_compound(a, "甲小区")
    build_compound(b, "乙小区")
    auth = base / "auth.txt"
    auth.write_text(f"compound-a:resident:{GOOD}\ncompound-b:resident:{GOOD}\n", encoding="utf-8")
    app = serve.make_app([a, b], auth)
    # loaded when the server starts, not by the first resident's request
    app.config["ASSETREG_TEST_LOADED_AT_START"] = app.config["LEDGERS"]._ledgers is not None
    return app, a, b


def test_the_compounds_to_serve_are_named_once_each(served: tuple[Any, Path, Path]) -> None:
    _, a, _ = served
    with pytest.raises(BadInput) as err:
        serve.locate_ledgers([])
    assert (err.value.problem, err.value.fix) == (
        "no ledger given", "pass one or more compound folders, e.g. ledgers/qjp-jinghu-garden")
    with pytest.raises(BadInput) as err:
        serve.locate_ledgers([a, a / "main.beancount", a.parent / "compound-b", a.parent / "compound-b"])
    assert (err.value.problem, err.value.fix) == (
        "compound folder name(s) given twice: compound-a, compound-b",
        "serve each compound once; folder names identify compounds in the auth file")


def test_every_compound_served_needs_a_user(served: tuple[Any, Path, Path], tmp_path: Path) -> None:
    _, a, b = served
    auth = tmp_path / "auth.txt"
    auth.write_text(f"compound-a:resident:{GOOD}\n", encoding="utf-8")
    with pytest.raises(BadInput) as err:
        serve.make_app([b, a, a.parent / "nope-c"][:2], auth)
    assert (err.value.problem, err.value.fix) == (
        f"the auth file {auth} has no user for compound(s) compound-b",
        f"add one with `assetreg serve-passwd {auth} compound-b USER`")
    auth.write_text("# nobody yet\n", encoding="utf-8")
    with pytest.raises(BadInput) as err:
        serve.make_app([a, b], auth)
    assert err.value.problem.endswith("has no user for compound(s) compound-a, compound-b")


def test_the_app_is_read_only_loaded_gated_and_confined(served: tuple[Any, Path, Path]) -> None:
    app, a, b = served
    assert app.config["ASSETREG_COMPOUNDS"] == {"compound-a": a, "compound-b": b}
    # Fava's own read-only mode too (a second lock behind the gate's GET/HEAD only)
    assert "_read_only" in [f.__name__ for f in app.before_request_funcs[None]]
    assert app.config["ASSETREG_TEST_LOADED_AT_START"] is True
    gate = app.config["ASSETREG_GATE"]
    assert isinstance(gate, ResidentsGate) and gate.routes is not None and gate.auth is not None
    prefix = "/" + serve.slugs(app)["compound-a"]
    client = app.test_client()
    login = {"Authorization": basic("resident", "jinghu-2025")}
    closed = client.get(prefix + "/journal/", headers={**login, "Accept": "text/html"})
    assert closed.status_code == 403 and "此页面不对居民开放" in closed.get_data(as_text=True)
    page = client.get(prefix + "/income_statement/", headers=login)
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert 'id="assetreg-readonly"' in page.get_data(as_text=True)
    assert serve.slugs(app) == {"compound-a": serve.slugs(app)["compound-a"],
                                "compound-b": serve.slugs(app)["compound-b"]}
    assert gate.compound_of_slug(serve.slugs(app)["compound-b"]) == "compound-b"
    assert gate.compound_of_slug("no-such-slug") is None


def test_run_serves_with_its_threads_and_backlog_and_stops_on_interrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    class FakeServer:
        def __init__(self, bind: Any, app: Any, **kw: Any) -> None:
            calls.append(("init", bind, app, kw))

        def start(self) -> None:
            calls.append(("start",))
            raise KeyboardInterrupt

        def stop(self) -> None:
            calls.append(("stop",))

    monkeypatch.setattr(serve, "Server", FakeServer)
    app = object()
    serve.run(app, "127.0.0.1", 5000)
    assert calls == [("init", ("127.0.0.1", 5000), app, {"numthreads": 24, "request_queue_size": 256}),
                     ("start",), ("stop",)]


def test_the_limiter_defaults() -> None:
    limiter = AuthLimiter()
    assert (limiter.free, limiter.base, limiter.cap, limiter.forget) == (5, 1.0, 900.0, 3600.0)


def test_a_new_client_may_try_at_once_even_at_clock_zero() -> None:
    clock = Clock()
    clock.now = 0.0
    limiter = AuthLimiter(clock=clock)
    assert limiter.begin("c") == 0.0 and limiter._state["c"] == [0, 0.0, 0.0, 1]


def test_at_the_end_of_a_wait_the_attempt_is_under_way() -> None:
    clock = Clock()
    limiter = AuthLimiter(free=1, base=2.0, clock=clock)
    fail(limiter, "c")
    clock.now += 2.0  # exactly when the wait ends
    assert limiter.begin("c") == 0.0 and limiter._state["c"][3] == 1


def test_a_success_beside_attempts_under_way_keeps_the_client_with_no_failures() -> None:
    limiter = AuthLimiter(free=3, base=1.0, clock=Clock())
    fail(limiter, "c")
    assert [limiter.begin("c"), limiter.begin("c")] == [0.0, 0.0]  # two under way, one failure
    limiter.end("c", True)
    assert limiter._state["c"] == [0, 0.0, 1000.0, 1]  # one still under way; the failures forgotten


def test_the_spray_keeps_a_client_exactly_an_hour_old_and_counts_the_new_one() -> None:
    clock = Clock()
    limiter = AuthLimiter(forget=10.0, clock=clock)
    fail(limiter, "edge")
    clock.now += 1.0
    for i in range(9_999):
        fail(limiter, f"old-{i}")
    clock.now += 10.0  # "edge" is 11 s old, the others exactly 10 s
    fail(limiter, "new")
    assert len(limiter._state) == 10_000 and "edge" not in limiter._state and limiter._state["new"][0] == 1


def test_the_gates_other_answers_word_for_word(gate: ResidentsGate) -> None:
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/jinghu/income/"}
    got: dict[str, Any] = {}
    body = b"".join(gate(environ, lambda status, headers: got.update(status=status, headers=dict(headers))))
    assert (got["status"], body.decode()) == (
        "401 UNAUTHORIZED", "只读：此账本仅供查阅，不接受修改。(read-only: only GET requests are served)\n")
    assert call_path(gate, "/nowhere/") == ("404 NOT FOUND", "没有这个小区账本。(not found)\n")
    status, headers, body = call(gate, basic("resident", "wrong-password"))
    assert (status, headers["WWW-Authenticate"], body.decode()) == (
        "401 UNAUTHORIZED", 'Basic realm="assetreg jinghu", charset="UTF-8"',
        "请输入本小区的查阅账号和密码。(login required)\n")


def call_path(gate: ResidentsGate, path: str | None) -> tuple[str, str]:
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET"}
    if path is not None:
        environ["PATH_INFO"] = path
    got: dict[str, Any] = {}
    body = b"".join(gate(environ, lambda status, headers: got.update(status=status)))
    return got["status"], body.decode()


def test_a_request_without_a_path_is_the_public_root_and_a_slug_may_start_with_x() -> None:
    g = ResidentsGate(lambda environ, start: start("200 OK", []) or [b"fava"],
                      lambda slug: slug if slug == "Xin" else None, AuthFile({"Xin": {"resident": GOOD}}),
                      limiter=AuthLimiter(free=100))
    assert call_path(g, None) == ("200 OK", "fava")
    assert call_path(g, "/Xin/")[0] == "401 UNAUTHORIZED"  # its compound's login, not "no such compound"


def test_a_refused_route_answers_with_its_type_and_length(served: tuple[Any, Path, Path]) -> None:
    app, _, _ = served
    prefix = "/" + serve.slugs(app)["compound-a"]
    r = app.test_client().get(prefix + "/journal/", headers={"Authorization": basic("resident", "jinghu-2025")})
    assert r.status_code == 403 and r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.headers["Content-Length"] == str(len(r.get_data()))


def test_a_refusal_by_the_routes_carries_its_type_and_exact_length() -> None:
    from assetreg.serve_policy import CLOSED, Verdict

    class Refuse:
        def check(self, environ: dict[str, Any]) -> Verdict:
            return Verdict(403, CLOSED)

    g = ResidentsGate(lambda environ, start: pytest.fail("reached Fava"), lambda slug: slug, None,
                      routes=Refuse())  # type: ignore[arg-type]
    got: dict[str, Any] = {}
    body = b"".join(g({"REQUEST_METHOD": "GET", "PATH_INFO": "/jinghu/journal/"},
                      lambda status, headers: got.update(status=status, headers=headers)))
    assert got["status"] == "403 FORBIDDEN" and body == (CLOSED + "\n").encode()
    assert got["headers"] == [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
