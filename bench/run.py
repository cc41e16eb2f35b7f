"""Serve the portal with gunicorn and drive each endpoint with wrk; print the table and
write bench/results.json. Run through `make bench` (which builds the data set first).

    python bench/run.py --info bench/.work/dataset.json [--duration 10] [--only NAME,...]

Adding an endpoint is one line in ENDPOINTS: its name, who asks, the path (``{call}`` is
the closed call's code, other fields come from the data set's description), and for
POSTs which kind of body the wrk script sends.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "portal-bench"  # the same for login and load: sessions are bound to it


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str  # anonymous, official, token (the official's API token), evaluator, applicant
    path: str
    kind: str = "get"  # get | save | submit (POSTs, see bench/wrk.lua) | job (see below)
    single: bool = False  # too slow for a load run: timed one request at a time


# kind "job": a document prepared in the background (the PDFs the pages offer): the path
# is the POST that queues it; the time is from that POST until its page links the file,
# with `flask jobs worker` running beside gunicorn as in production.


ENDPOINTS = [
    Endpoint("reference", "anonymous", "/bench/hello"),
    Endpoint("calls_api", "anonymous", "/api/v1/calls"),
    Endpoint("stats_api", "token", "/api/v1/calls/{call}/stats"),
    Endpoint("dashboard", "official", "/reporting/calls/{call}"),
    Endpoint("proposal_list", "official", "/reporting/calls/{call}/proposals"),
    Endpoint("overview", "official", "/evaluation/calls/{call}/overview"),
    Endpoint("ranking", "official", "/evaluation/calls/{call}/ranking"),
    Endpoint("admissibility", "official", "/evaluation/calls/{call}/admissibility"),
    Endpoint("assignments", "official", "/evaluation/calls/{call}/assignments"),
    Endpoint("calibration", "official", "/evaluation/calls/{call}/calibration"),
    Endpoint("loads", "official", "/evaluation/calls/{call}/loads"),
    Endpoint("evaluator_list", "evaluator", "/evaluation/"),
    Endpoint("proposal_page", "applicant", "/proposals/{proposal_page}"),
    Endpoint("draft_save", "applicant", "/proposals/{save_draft}/edit/budget", kind="save"),
    Endpoint("submit", "applicant", "/proposals/{submit_draft}/submit", kind="submit"),
    Endpoint("receipt_pdf", "applicant", "/proposals/{receipt_proposal}/versions/1/receipt.pdf"),
    Endpoint("monitoring_yoy", "token", "/api/v1/monitoring/yoy?year={year}&base={base}"),
    Endpoint("stats_pdf", "official", "/reporting/calls/{call}/report.pdf/prepare", kind="job"),
    Endpoint("ranking_pdf", "official", "/evaluation/calls/{call}/ranking.pdf/prepare", kind="job"),
]
JOB_TIMEOUT_S = 600


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores{memory}"


class JobWorker:
    """`flask jobs worker` on the bench's queue, as production runs it beside gunicorn."""

    def __init__(self, env: dict) -> None:
        flask = shutil.which("flask", path=str(Path(sys.executable).parent)) or "flask"
        self.process = subprocess.Popen(
            [flask, "--app", "app", "jobs", "worker"],
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def run_job(base: str, path: str, headers: dict, csrf: str) -> dict:
    """Queue a document, follow its page until it links the file: the milliseconds."""
    from urllib.parse import urlsplit

    started = time.monotonic()
    response = requests.post(
        base + path, headers=headers, data={"csrf_token": csrf}, allow_redirects=False, timeout=75
    )
    if response.status_code != 302:
        return {"status": response.status_code, "error": "not queued"}
    page = urlsplit(response.headers["Location"]).path
    while time.monotonic() - started < JOB_TIMEOUT_S:
        text = requests.get(base + page, headers=headers, timeout=75).text
        if f"{page}/file" in text:
            elapsed = (time.monotonic() - started) * 1000
            size = len(requests.get(f"{base}{page}/file", headers=headers, timeout=75).content)
            return {"status": 302, "ms": round(elapsed, 1), "bytes": size}
        if "govuk-error-summary__title" in text:
            return {"status": 302, "error": "the job failed"}
        time.sleep(0.25)
    return {"status": 302, "error": f"not ready after {JOB_TIMEOUT_S} s"}


class Server:
    def __init__(self, port: int, env: dict, workers: int = 2) -> None:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which(
            "gunicorn"
        )
        self.process = subprocess.Popen(
            [
                gunicorn,
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "90",
                "--graceful-timeout",
                "5",
                "--log-level",
                "warning",
                "--chdir",
                str(ROOT),
                "bench.wsgi:application",
            ],
            env=env,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if requests.get(self.base + "/bench/hello", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def worker_rss_mb(self) -> list[float]:
        out = subprocess.run(
            ["ps", "-o", "rss=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        return [round(int(kb) / 1024, 1) for kb in out]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def login(base: str, email: str, password: str) -> tuple[str, str]:
    """The session cookie and its form token, logged in as ``email``."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    page = session.get(base + "/auth/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = session.post(
        base + "/auth/login",
        data={"csrf_token": token, "email": email, "password": password},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"login as {email} failed ({response.status_code})")
    page = session.get(base + "/auth/profile").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items()), token


def _warm(url: str, headers: dict) -> None:
    """Two requests at once, so both workers have compiled the page's templates."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _n: requests.get(url, headers=headers, timeout=75), range(2)))


def run_wrk(url: str, headers: dict, concurrency: int, duration: int, env: dict) -> dict:
    command = [
        "wrk",
        f"-t{concurrency}",
        f"-c{concurrency}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
    ]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    out = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "BENCH_THREADS": str(concurrency)},
    ).stdout
    line = next((line for line in out.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        return {"error": out[-500:]}
    data = json.loads(line[6:])
    data["rps"] = round(data["requests"] / data["seconds"], 1) if data["seconds"] else 0
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--info", required=True, help="the JSON bench/build.py wrote")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--concurrency", default="4,8")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench does it)")
    info = json.loads(Path(args.info).read_text())
    levels = [int(c) for c in args.concurrency.split(",")]
    wanted = {name for name in args.only.split(",") if name}
    endpoints = [e for e in ENDPOINTS if not wanted or e.name in wanted or e.name == "reference"]
    # before the run, so a long run never fails at its end for want of a module
    import sqlalchemy as sa

    dialect = sa.engine.make_url(os.environ.get("DATABASE_URL", "sqlite://")).get_backend_name()
    work = ROOT / "bench" / ".work"
    env = {
        **os.environ,
        "PORTAL_SECRET_KEY": "bench-secret",
        "PORTAL_MAIL_BACKEND": "console",
        "PORTAL_JOBS_FILE": str(work / f"jobs-{dialect}.sqlite"),
        "PORTAL_DOCUMENTS_DIR": str(work / f"documents-{dialect}"),
    }
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))  # stop gunicorn on the way out
    server = Server(args.port, env)
    worker = JobWorker(env) if any(e.kind == "job" for e in endpoints) else None
    results: dict[str, dict] = {}
    try:
        cookies = {
            role: login(server.base, info[role], info["password"])
            for role in ("official", "evaluator", "applicant")
        }
        save_drafts = list(info["save_drafts"])
        submit_drafts = list(info["submit_drafts"])
        for endpoint in endpoints:
            fields = {
                "call": info["closed_call"],
                "proposal_page": info["proposal_page"],
                "receipt_proposal": info["receipt_proposal"],
                "year": info.get("monitoring_year"),
                "base": info.get("monitoring_base"),
                "save_draft": save_drafts[-1] if save_drafts else 0,
                "submit_draft": submit_drafts[0] if submit_drafts else 0,
            }
            path = endpoint.path.format(**fields)
            headers = {"User-Agent": USER_AGENT}
            csrf = ""
            if endpoint.role == "token":
                headers["Authorization"] = f"Bearer {info['official_token']}"
            elif endpoint.role != "anonymous":
                headers["Cookie"], csrf = cookies[endpoint.role]
            if endpoint.kind == "job":
                results[endpoint.name] = _job_entry(server.base, path, headers, csrf, args)
                print(f"{endpoint.name:15s} done", file=sys.stderr)
                continue
            method = "POST" if endpoint.kind != "get" else "GET"
            # one request first: status, size and queries (and a warm worker)
            started = time.monotonic()
            try:
                response = requests.request(
                    method,
                    server.base + path,
                    headers=headers,
                    allow_redirects=False,
                    data={
                        "csrf_token": csrf,
                        "revision": "1",
                        "requested_eur": "15000",
                        "own_contribution_eur": "5000",
                        "declaration": "y",  # the declaration on honour, for submit
                    }
                    if method == "POST"
                    else None,
                    timeout=75,
                )
                first_ms = (time.monotonic() - started) * 1000
                entry = {
                    "status": response.status_code,
                    "bytes": len(response.content),
                    "queries": int(response.headers.get("X-Bench-Queries", "0")),
                    "first_ms": round(first_ms, 1),
                }
            except requests.RequestException as exc:
                entry = {
                    "status": None,
                    "error": f"{type(exc).__name__}",
                    "queries": None,
                    "first_ms": None,
                }
            if method == "GET" and entry.get("status") == 200:
                _warm(server.base + path, headers)
            if endpoint.kind == "submit":
                submit_drafts.pop(0)
            elif endpoint.kind == "save":
                save_drafts.pop()
            expect = 302 if method == "POST" else 200
            if entry.get("status") != expect:
                print(
                    f"{endpoint.name}: status {entry.get('status')} (expected {expect}), skipped",
                    file=sys.stderr,
                )
                results[endpoint.name] = {**entry, "p50_ms": None, "p95_ms": None, "rps": None}
                continue
            if endpoint.single:
                times = [entry["first_ms"]]
                while sum(times) < args.duration * 1000 and len(times) < 5:
                    started = time.monotonic()
                    requests.get(server.base + path, headers=headers, timeout=75)
                    times.append((time.monotonic() - started) * 1000)
                times.sort()
                entry.update(
                    {
                        "p50_ms": round(times[len(times) // 2], 1),
                        "p95_ms": round(times[-1], 1),
                        "rps": round(1000 * len(times) / sum(times), 2),
                        "runs": len(times),
                        "note": "one request at a time",
                    }
                )
                results[endpoint.name] = entry
                continue
            for concurrency in levels:
                ids = []
                if endpoint.kind == "save":
                    ids, save_drafts = save_drafts[:concurrency], save_drafts[concurrency:]
                elif endpoint.kind == "submit":
                    share = len(submit_drafts) // len(levels)
                    ids, submit_drafts = submit_drafts[:share], submit_drafts[share:]
                measured = run_wrk(
                    server.base + path,
                    headers,
                    concurrency,
                    args.duration,
                    {
                        "BENCH_KIND": endpoint.kind,
                        "BENCH_CSRF": csrf,
                        "BENCH_EXPECT": str(expect),
                        "BENCH_IDS": ",".join(map(str, ids)),
                    },
                )
                entry[f"c{concurrency}"] = measured
                if measured.get("unexpected") or measured.get("errors"):
                    print(
                        f"{endpoint.name} c{concurrency}: {measured.get('unexpected')} unexpected"
                        f" answers, {measured.get('errors')} errors",
                        file=sys.stderr,
                    )
            first = entry.get(f"c{levels[0]}", {})
            entry.update(
                {
                    "p50_ms": first.get("p50_ms"),
                    "p95_ms": first.get("p95_ms"),
                    "rps": first.get("rps"),
                }
            )
            results[endpoint.name] = entry
            print(f"{endpoint.name:15s} done", file=sys.stderr)
        memory = server.worker_rss_mb()
    finally:
        server.stop()
        if worker:
            worker.stop()

    reference = results.get("reference", {}).get("rps") or 0
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": dialect,
        "dataset": info["dataset"],
        "duration_s": args.duration,
        "concurrency": levels,
        "worker_rss_mb": memory,
        "endpoints": results,
    }
    Path(args.out).write_text(json.dumps(document, indent=2) + "\n")
    print(table(document, reference, levels))


def _job_entry(base: str, path: str, headers: dict, csrf: str, args) -> dict:
    """A prepared document, timed from the request to the ready file, one at a time (once
    more while that took under the run's duration, up to three times)."""
    runs = []
    while len(runs) < 3 and sum(r.get("ms", 0) for r in runs) < args.duration * 1000:
        run = run_job(base, path, headers, csrf)
        runs.append(run)
        if "error" in run:
            break
    times = sorted(r["ms"] for r in runs if "ms" in r)
    entry = {
        "status": runs[0].get("status"),
        "bytes": runs[0].get("bytes"),
        "queries": None,
        "runs": len(times),
        "note": "background job: from the request to the ready file, one at a time",
    }
    if not times:
        print(f"job {path}: {runs[-1].get('error')}", file=sys.stderr)
        return {
            **entry,
            "error": runs[-1].get("error"),
            "p50_ms": None,
            "p95_ms": None,
            "rps": None,
        }
    return {
        **entry,
        "first_ms": times[0],
        "p50_ms": times[len(times) // 2],
        "p95_ms": times[-1],
        "rps": round(1000 * len(times) / sum(times), 3),
    }


def _ms(value) -> str:
    return "-" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(document: dict, reference: float, levels: list[int]) -> str:
    lines = [
        f"{document['date']} · {document['machine']} · {document['database']} · "
        + ", ".join(f"{k} {v}" for k, v in document["dataset"].items()),
        "",
        "| endpoint | c | p50 ms | p95 ms | req/s | queries | KB | vs reference |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in document["endpoints"].items():
        runs = [(f"c{c}", entry.get(f"c{c}")) for c in levels if entry.get(f"c{c}")] or [
            ("1" if entry.get("note") else "-", entry)
        ]
        for label, run in runs:
            rps = run.get("rps")
            ratio = f"{rps / reference:.1%}" if rps and reference else "-"
            size = entry.get("bytes")
            lines.append(
                f"| {name} | {label.lstrip('c')} | {_ms(run.get('p50_ms'))} | "
                f"{_ms(run.get('p95_ms'))} | {'-' if rps is None else rps} | "
                f"{'-' if entry.get('queries') is None else entry['queries']} | "
                f"{'-' if size is None else f'{size / 1024:.0f}'} | {ratio} |"
            )
    lines.append("")
    lines.append(f"gunicorn workers after the run: {document['worker_rss_mb']} MB resident")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
