"""A real HTTP server for concurrency tests, and small helpers to speak to it like a browser.

``gunicorn_server()`` runs the portal as in production: gunicorn, several worker processes
with several threads each, CSRF protection on, against the test session's database.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import requests

from app.core.time import BRUSSELS
from tests.factories import DEFAULT_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class PortalServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def server_errors(self, since: int = 0) -> list[str]:
        """Tracebacks and 5xx answers logged after byte ``since`` (none when all went well)."""
        with open(self.log_path, "rb") as log:
            log.seek(since)
            text = log.read().decode(errors="replace")
        return [
            line
            for line in text.splitlines()
            if "Traceback" in line or re.search(r'" 5\d\d ', line)
        ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The master stops itself if the test process dies without cleaning up (kill -9).
_WATCHDOG = """\
import os, signal, threading, time

def when_ready(server):
    parent = int(os.environ["LOAD_TEST_PARENT_PID"])

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()
"""


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # gunicorn: graceful stop of the master and its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # our own session: the master and its workers
        process.wait(timeout=10)


@contextmanager
def gunicorn_server(
    database_url: str,
    workdir: Path,
    *,
    workers: int = 4,
    threads: int = 8,
    settings: dict[str, str] | None = None,
) -> Iterator[PortalServer]:
    """``gunicorn 'app:create_app()'`` on a free local port; stopped whatever happens.
    ``settings`` adds ``PORTAL_*`` variables (the app's configuration) to its environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PORTAL_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    uploads = workdir / "uploads"
    uploads.mkdir(exist_ok=True)
    env.update(
        {
            "DATABASE_URL": database_url,
            "PORTAL_SECRET_KEY": "load-test-secret",
            "PORTAL_UPLOAD_FOLDER": str(uploads),
            "PORTAL_MAIL_BACKEND": "smtp",
            "PORTAL_MAIL_SERVER": "127.0.0.1",
            "PORTAL_MAIL_PORT": "1",
            "PORTAL_SERVER_BASE_URL": "http://localhost",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(settings or {})
    env["LOAD_TEST_PARENT_PID"] = str(os.getpid())  # read by the watchdog only
    config = workdir / "gunicorn_watchdog.py"
    config.write_text(_WATCHDOG)
    log_path = workdir / "gunicorn.log"
    last_error = "did not start"
    for _attempt in range(3):  # a free port can be taken between choosing and binding it
        port = _free_port()
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    str(config),
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "5",
                    "--keep-alive",
                    "30",
                    "--access-logfile",
                    "-",
                    "--error-logfile",
                    "-",
                    "app:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = PortalServer(f"http://127.0.0.1:{port}", process, log_path)
        try:
            if _wait_until_healthy(server):
                yield server
                return
            last_error = server.log_tail()
        finally:
            _stop(process)
    raise RuntimeError(f"gunicorn did not start:\n{last_error}")


def _wait_until_healthy(server: PortalServer, timeout: float = 60) -> bool:
    """True once every worker can answer; False if the master died (e.g. port in use)."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if server.process.poll() is not None:
            return False
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                # Let the slower workers finish booting too: a few more answers in a row.
                for _ in range(8):
                    requests.get(f"{server.url}/healthz", timeout=10).raise_for_status()
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.values.setdefault(attributes["name"], attributes.get("value") or "")


def hidden_inputs(html: str) -> dict[str, str]:
    """The hidden inputs of a page (csrf_token, revision), first occurrence of each name."""
    parser = _Inputs()
    parser.feed(html)
    return parser.values


def logged_in_session(
    base_url: str, email: str, password: str = DEFAULT_PASSWORD
) -> requests.Session:
    """A cookie jar logged in through the real login form (CSRF token included)."""
    session = requests.Session()
    page = session.get(f"{base_url}/auth/login", timeout=30)
    page.raise_for_status()
    response = session.post(
        f"{base_url}/auth/login",
        timeout=30,
        allow_redirects=False,
        data={
            "email": email,
            "password": password,
            "csrf_token": hidden_inputs(page.text).get("csrf_token", ""),
        },
    )
    if response.status_code != 302:
        raise AssertionError(f"login of {email} answered {response.status_code}")
    return session


_PRECISE = re.compile(r"\b(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})\b")


def arrival_in_refusal(html: str, near: datetime) -> datetime:
    """The arrival moment a refusal page states (Brussels time, microseconds) in UTC.

    In the hour that occurs twice in autumn, the reading nearest to ``near`` is taken.
    """
    found = _PRECISE.findall(html)
    if len(found) != 1:
        raise AssertionError(f"expected one precise moment in the refusal page, found {found}")
    day, month, year, hour, minute, second, micro = map(int, found[0])
    readings = [
        datetime(
            year, month, day, hour, minute, second, micro, tzinfo=BRUSSELS, fold=fold
        ).astimezone(UTC)
        for fold in (0, 1)
    ]
    return min(readings, key=lambda moment: abs(moment - near))


# ------------------------------------------------------------------------- nginx in front

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

# The production set-up of README "Production": nginx stamps each request's arrival
# (X-Request-Start, replacing any a client sent) and forwards it to gunicorn on 127.0.0.1.
# ``$arrival`` is set once per request, so the stamp sent and the one logged are the same.
_NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {work}/client_body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    log_format arrival '$arrival $request_time $status $request_method $request_uri';
    upstream portal {{ server {upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 12m;
        location / {{
            set $arrival $msec;
            access_log {work}/nginx-access.log arrival;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Start "t=$arrival";
            proxy_read_timeout 120s;
            proxy_pass http://portal;
        }}
    }}
}}
"""


@dataclass
class ProxyServer:
    url: str
    process: subprocess.Popen
    access_log: Path
    error_log: Path

    def arrivals(self) -> list[tuple[str, float, int, str, str]]:
        """(stamp as sent to the app, seconds until answered, status, method, uri) per
        request nginx handled."""
        rows = []
        for line in self.access_log.read_text().splitlines():
            stamp, seconds, status, method, uri = line.split(" ", 4)
            rows.append((stamp, float(seconds), int(status), method, uri))
        return rows


def nginx_available() -> bool:
    return os.path.exists(NGINX)


@contextmanager
def nginx_proxy(upstream: str, workdir: Path) -> Iterator[ProxyServer]:
    """Debian's nginx on a free 127.0.0.1 port in front of ``upstream`` (host:port), with a
    temporary configuration; stopped whatever happens."""
    workdir.mkdir(parents=True, exist_ok=True)
    last_error = "did not start"
    for _attempt in range(3):
        port = _free_port()
        conf = workdir / "nginx.conf"
        conf.write_text(
            _NGINX_CONF.format(
                user="user root;" if os.geteuid() == 0 else "",
                work=workdir,
                upstream=upstream,
                port=port,
            )
        )
        error_log = workdir / "nginx-error.log"
        process = subprocess.Popen(
            [NGINX, "-c", str(conf), "-p", str(workdir), "-e", str(error_log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proxy = ProxyServer(
            f"http://127.0.0.1:{port}", process, workdir / "nginx-access.log", error_log
        )
        try:
            if _wait_for_proxy(proxy):
                proxy.access_log.write_text("")  # only what the test sends
                yield proxy
                return
            last_error = error_log.read_text() if error_log.exists() else last_error
        finally:
            if process.poll() is None:
                process.terminate()  # nginx: fast shutdown of the master and its worker
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
    raise RuntimeError(f"nginx did not start:\n{last_error}")


def _wait_for_proxy(proxy: ProxyServer, timeout: float = 20) -> bool:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if proxy.process.poll() is not None:
            return False
        try:
            if requests.get(f"{proxy.url}/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return False
