"""Throttling slows down, never locks the owner out, counts per address and per
account-and-address, and counts atomically: parallel tries never check more passwords than
the limit (run on SQLite and on PostgreSQL)."""

import http.cookiejar
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.auth import links as auth_links
from app.auth import login as auth_login
from app.auth import password_reset as auth_password_reset
from app.auth import services
from app.auth import tokens as auth_tokens
from app.core import throttle
from app.core.errors import Throttled
from app.core.time import utcnow
from tests.factories import DEFAULT_PASSWORD, make_user

WRONG = "Fout-Wachtwoord-123"


@pytest.fixture
def counted_checks(monkeypatch):
    """Count the password checks authenticate makes (in every thread)."""
    calls = {"n": 0}
    lock = threading.Lock()
    real = auth_login.check_password

    def counting(password_hash, password):
        with lock:
            calls["n"] += 1
        return real(password_hash, password)

    monkeypatch.setattr(auth_login, "check_password", counting)
    return calls


# ---------------------------------------------------------------- the rule, as services


def test_the_owner_on_another_address_is_never_refused():
    owner = make_user()
    now = utcnow()
    for _ in range(60):  # an attacker far beyond every limit, on one address
        with pytest.raises((services.InvalidCredentials, Throttled)):
            auth_login.authenticate(owner.email, WRONG, address="203.0.113.9", now=now)
    assert (
        auth_login.authenticate(owner.email, DEFAULT_PASSWORD, address="198.51.100.7", now=now)
        == owner
    )


def test_the_owner_on_the_same_address_waits_a_growing_delay_never_a_lock():
    owner = make_user()
    now = utcnow()
    for _ in range(5):
        with pytest.raises(services.InvalidCredentials):
            auth_login.authenticate(owner.email, WRONG, address="10.0.0.1", now=now)
    waits = []
    for _ in range(8):  # one more try as soon as allowed, wrong each time
        with pytest.raises(Throttled) as exc:
            auth_login.authenticate(owner.email, WRONG, address="10.0.0.1", now=now)
        waits.append(exc.value.retry_after)
        now += timedelta(seconds=exc.value.retry_after)
        with pytest.raises(services.InvalidCredentials):
            auth_login.authenticate(owner.email, WRONG, address="10.0.0.1", now=now)
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]  # doubles, at most the window
    with pytest.raises(Throttled):
        auth_login.authenticate(owner.email, DEFAULT_PASSWORD, address="10.0.0.1", now=now)
    now += timedelta(seconds=900)  # the right password, once allowed, logs in
    assert (
        auth_login.authenticate(owner.email, DEFAULT_PASSWORD, address="10.0.0.1", now=now) == owner
    )
    # ... and forgets the failures of that address
    assert throttle.attempts(f"login:acct:{owner.email}|10.0.0.1") == 0


def test_a_refused_try_counts_nothing():
    user = make_user()
    now = utcnow()
    for _ in range(5):
        with pytest.raises(services.InvalidCredentials):
            auth_login.authenticate(user.email, WRONG, address="10.0.0.1", now=now)
    for _ in range(10):
        with pytest.raises(Throttled):
            auth_login.authenticate(user.email, WRONG, address="10.0.0.1", now=now)
    assert throttle.attempts(f"login:acct:{user.email}|10.0.0.1") == 5
    assert throttle.attempts("login:addr:10.0.0.1") == 5


def test_an_address_trying_many_accounts_is_slowed_down_per_address():
    now = utcnow()
    victims = [make_user() for _ in range(3)]
    for i in range(20):
        with pytest.raises(services.InvalidCredentials):
            auth_login.authenticate(
                victims[i % 3].email if i % 2 else f"gok{i}@example.org",
                WRONG,
                address="203.0.113.9",
                now=now,
            )
    with pytest.raises(Throttled):
        auth_login.authenticate(victims[0].email, DEFAULT_PASSWORD, address="203.0.113.9", now=now)
    for victim in victims:  # the accounts themselves are untouched elsewhere
        assert (
            auth_login.authenticate(victim.email, DEFAULT_PASSWORD, address="10.1.1.1", now=now)
            == victim
        )


def test_successful_logins_from_one_office_address_do_not_use_up_its_limit():
    now = utcnow()
    staff = [make_user() for _ in range(25)]
    for member in staff:
        assert (
            auth_login.authenticate(member.email, DEFAULT_PASSWORD, address="192.0.2.1", now=now)
            == member
        )
    assert throttle.attempts("login:addr:192.0.2.1") == 0


def test_a_password_reset_forgets_the_failures_on_every_address():
    user = make_user()
    now = utcnow()
    for _ in range(5):
        with pytest.raises(services.InvalidCredentials):
            auth_login.authenticate(user.email, WRONG, address="10.0.0.1", now=now)
    auth_password_reset.reset_password(
        auth_links.make_link_token(user, "reset"), "Een-Nieuw-Sterk-Wachtwoord"
    )
    assert auth_login.authenticate(user.email, "Een-Nieuw-Sterk-Wachtwoord", address="10.0.0.1")


def test_counters_quiet_for_a_day_are_pruned():
    now = utcnow()
    with pytest.raises(services.InvalidCredentials):
        auth_login.authenticate(
            "gok@example.org", WRONG, address="10.0.0.9", now=now - timedelta(days=2)
        )
    user = make_user()
    assert auth_login.authenticate(user.email, DEFAULT_PASSWORD, address="10.0.0.1", now=now)
    assert throttle.attempts("login:addr:10.0.0.9") == 0
    assert throttle.attempts("login:acct:gok@example.org|10.0.0.9") == 0


def test_control_characters_in_the_email_never_reach_the_counter_key():
    with pytest.raises(services.InvalidCredentials):
        auth_login.authenticate("a\x00b@example.org", WRONG, address="10.0.0.1\x00")
    assert throttle.attempts("login:acct:ab@example.org|10.0.0.1") == 1


def test_password_reset_requests_are_throttled_per_address_and_email():
    user = make_user()
    for _ in range(3):
        auth_password_reset.request_password_reset(user.email, address="10.0.0.1")
    with pytest.raises(Throttled):
        auth_password_reset.request_password_reset(user.email, address="10.0.0.1")
    auth_password_reset.request_password_reset(user.email, address="10.0.0.2")  # another address
    # an unknown address is counted the same way: the refusal tells nothing about accounts
    for _ in range(3):
        auth_password_reset.request_password_reset("niemand@example.org", address="10.0.0.3")
    with pytest.raises(Throttled):
        auth_password_reset.request_password_reset("niemand@example.org", address="10.0.0.3")


def test_token_creation_on_the_web_is_throttled_per_account():
    user = make_user()
    for _ in range(10):
        auth_tokens.create_token(user, user, "t", throttled=True)
    with pytest.raises(Throttled):
        auth_tokens.create_token(user, user, "t", throttled=True)
    auth_tokens.create_token(user, user, "cli")  # the operator's command line is not


# ---------------------------------------------------------------- requests


def english(client):
    assert client.post("/language", data={"language": "en"}).status_code == 302


def test_a_throttled_login_answers_429_with_the_wait_in_the_users_language(client):
    user = make_user()
    for _ in range(5):
        client.post("/auth/login", data={"email": user.email, "password": WRONG})
    response = client.post("/auth/login", data={"email": user.email, "password": WRONG})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert "Probeer het opnieuw over 30 seconden." in response.get_data(as_text=True)
    english(client)
    response = client.post("/auth/login", data={"email": user.email, "password": WRONG})
    assert "Too many attempts. Try again in 30 seconds." in response.get_data(as_text=True)


def test_the_owner_logs_in_after_the_wait(client, monkeypatch):
    user = make_user()
    for _ in range(5):
        client.post("/auth/login", data={"email": user.email, "password": WRONG})
    later = utcnow() + timedelta(seconds=31)
    monkeypatch.setattr(auth_login, "utcnow", lambda: later)
    response = client.post("/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_forgot_password_throttled_answers_429(client):
    english(client)
    for _ in range(3):
        assert (
            client.post("/auth/forgot-password", data={"email": "iemand@example.org"}).status_code
            == 200
        )
    response = client.post("/auth/forgot-password", data={"email": "iemand@example.org"})
    assert response.status_code == 429
    assert "Too many attempts. Try again in" in response.get_data(as_text=True)


def test_token_creation_throttled_answers_429(client, login):
    login(make_user())
    for _ in range(10):
        assert client.post("/auth/profile/tokens", data={"name": "t"}).status_code == 200
    assert client.post("/auth/profile/tokens", data={"name": "t"}).status_code == 429


def test_behind_the_readme_proxy_one_attackers_failures_block_no_one_else(app):
    """nginx forwards everyone from 10.0.0.2 and sets X-Forwarded-For; with
    PORTAL_PROXY_FIX_X_FOR=1 (as in the README) each client counts on its own address."""
    portal = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
            "PROXY_FIX_X_FOR": 1,
            "PROXY_FIX_X_PROTO": 1,
        }
    )
    owner, colleague = make_user(), make_user()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def post(client, email, password, client_address):
        return client.post(
            "/auth/login",
            data={"email": email, "password": password},
            environ_base=proxy,
            headers={"X-Forwarded-For": client_address, "X-Forwarded-Proto": "https"},
        )

    attacker = portal.test_client()
    statuses = [
        post(attacker, email, WRONG, "203.0.113.9").status_code
        for email in [owner.email] * 10 + [f"gok{i}@example.org" for i in range(30)]
    ]
    assert 429 in statuses
    assert (
        post(portal.test_client(), owner.email, DEFAULT_PASSWORD, "198.51.100.7").status_code == 302
    )
    assert (
        post(portal.test_client(), colleague.email, DEFAULT_PASSWORD, "198.51.100.8").status_code
        == 302
    )


# ---------------------------------------------------------------- parallel, over real HTTP


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a successful login answers 302: report it, do not follow


def _post_login(url: str, email: str, password: str) -> int:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
    )
    data = urllib.parse.urlencode({"email": email, "password": password}).encode()
    try:
        with opener.open(urllib.request.Request(f"{url}/auth/login", data=data), timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _burst(url: str, emails: list[str]) -> list[int]:
    start = threading.Barrier(len(emails))

    def one(email):
        start.wait()
        return _post_login(url, email, WRONG)

    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        return list(pool.map(one, emails))


def test_40_parallel_wrong_tries_check_at_most_the_limit(live_url, counted_checks):
    user = make_user()
    statuses = _burst(live_url, [user.email] * 40)
    assert counted_checks["n"] == 5  # the limit per account on one address, never more
    assert sorted(statuses) == [200] * 5 + [429] * 35


def test_40_parallel_tries_on_many_accounts_check_at_most_the_address_limit(
    live_url, counted_checks
):
    statuses = _burst(live_url, [f"gok{i}@example.org" for i in range(40)])
    assert counted_checks["n"] == 20
    assert sorted(statuses) == [200] * 20 + [429] * 20


def test_parallel_right_and_wrong_passwords_on_one_address_never_fail_or_deadlock(
    live_url, counted_checks
):
    """Logins that succeed give back and clear counters while others count on the same
    rows: no error, every right password logs in, the wrong ones check at most the limit."""
    staff = [make_user() for _ in range(10)]
    target = make_user()
    jobs = [(member.email, DEFAULT_PASSWORD) for member in staff] + [(target.email, WRONG)] * 10
    start = threading.Barrier(len(jobs))

    def one(job):
        start.wait()
        return job[1], _post_login(live_url, *job)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(one, jobs))
    assert (
        sorted(status for password, status in results if password == DEFAULT_PASSWORD) == [302] * 10
    )
    wrong = sorted(status for password, status in results if password == WRONG)
    assert wrong == [200] * 5 + [429] * 5
    assert counted_checks["n"] == 15


# ---------------------------------------------------------------- Redis, when REDIS_URL is set


@pytest.fixture
def redis_url(app, tmp_path):
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("redis-server not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    app.config["REDIS_URL"] = url
    try:
        yield url
    finally:
        app.config["REDIS_URL"] = None
        app.extensions.pop("portal_throttle_redis", None)
        process.terminate()
        process.wait(timeout=10)


def test_with_redis_parallel_tries_check_at_most_the_limit(app, redis_url, counted_checks):
    user = make_user()
    email = user.email  # read here: the threads have sessions of their own
    start = threading.Barrier(40)

    def one(_):
        start.wait()
        with app.app_context():
            try:
                auth_login.authenticate(email, WRONG, address="10.0.0.1")
            except Throttled:
                return 429
            except services.InvalidCredentials:
                return 200

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(one, range(40)))
    assert counted_checks["n"] == 5
    assert sorted(statuses) == [200] * 5 + [429] * 35
    assert throttle.attempts(f"login:acct:{user.email}|10.0.0.1") == 5
    # the owner elsewhere logs in; then on this address after the wait
    assert auth_login.authenticate(user.email, DEFAULT_PASSWORD, address="10.0.0.2") == user
    later = utcnow() + timedelta(seconds=31)
    assert (
        auth_login.authenticate(user.email, DEFAULT_PASSWORD, address="10.0.0.1", now=later) == user
    )
    assert throttle.attempts(f"login:acct:{user.email}|10.0.0.1") == 0


@pytest.mark.parametrize(
    ("seconds", "english", "dutch"),
    [
        (1, "Try again in 1 second.", "Probeer het opnieuw over 1 seconde."),
        (90, "Try again in 90 seconds.", "Probeer het opnieuw over 90 seconden."),
        (91, "Try again in 2 minutes.", "Probeer het opnieuw over 2 minuten."),
        (900, "Try again in 15 minutes.", "Probeer het opnieuw over 15 minuten."),
    ],
)
def test_the_wait_is_said_in_seconds_or_minutes_in_the_users_language(seconds, english, dutch):
    from flask_babel import force_locale

    with force_locale("en"):
        assert Throttled(retry_after=seconds).user_message().endswith(english)
    with force_locale("nl"):
        assert Throttled(retry_after=seconds).user_message().endswith(dutch)
