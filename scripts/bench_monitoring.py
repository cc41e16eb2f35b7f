"""Benchmark of the year-over-year report on a scratch SQLite database (not a test).

    python scripts/bench_monitoring.py [ROWS] [--yoy-only]    # default 500000

Creates the schema in a temporary file, bulk-inserts ROWS enrolments over two years and
times ``reports.year_over_year`` (and the other reports) over 20 runs: median and p95 in ms.
"""

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa


class _Official:
    is_authenticated = True
    id = 0

    def has_role(self, *roles):
        return "official" in {str(r) for r in roles}


def main(rows: int) -> None:
    from app import create_app
    from app.core.db import db
    from app.monitoring import report_profiles, reports
    from app.monitoring.models import Enrolment

    path = Path(tempfile.mkdtemp()) / "bench.sqlite"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True, "SECRET_KEY": "bench"}
    )
    with app.app_context(), app.test_request_context():
        db.create_all()
        rng = random.Random(7)
        modes = ["online"] * 5 + ["blended"] * 3 + ["physical"] * 2
        started = time.perf_counter()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.execute(
                sa.text(
                    "INSERT INTO enrolment_imports (id, project_id, filename, sha256, imported_on,"
                    " status, rows_total, rows_done, created_count, updated_count,"
                    " unchanged_count, late_count, errors, created_at) VALUES (1, 1, 'b.csv', 'x',"
                    " '2026-01-01', 'done', 0, 0, 0, 0, 0, 0, '[]', '2026-01-01')"
                )
            )
            batch = []
            now = datetime(2026, 11, 1, tzinfo=UTC)
            for n in range(rows):
                year = 2025 if n % 2 else 2026
                month = rng.randint(1, 12)
                day = date(year, month, rng.randint(1, 28))
                birth = rng.choice([None, *range(1950, 2008)])
                batch.append(
                    {
                        "id": n + 1,
                        "project_id": 1 + n % 40,
                        "enrolment_id": f"E{n}",
                        "training_code": f"T{n % 300}",
                        "started_on": day,
                        "started_year": year,
                        "started_month": month,
                        "mode": rng.choice(modes),
                        "channel": rng.choice(["own", "partner"]),
                        "education": rng.choice(["low", "middle", "high", "unknown"]),
                        "birth_year": birth,
                        "age_at_start": year - birth if birth else None,
                        "gender": rng.choice(["f", "m", "x", "unknown"]),
                        "disability": rng.choice(["yes", "no", "unknown"]),
                        "migration_background": rng.choice(["yes", "no", "unknown"]),
                        "labour_status": rng.choice(
                            ["employed", "inactive", "unknown", "jobseeker_activation"]
                        ),
                        "status": "active",
                        "status_on": day,
                        "late": n % 97 == 0,
                        "first_import_id": 1,
                        "first_reported_at": now,
                        "updated_at": now,
                    }
                )
                if len(batch) == 20000:
                    connection.execute(sa.insert(Enrolment), batch)
                    batch = []
            if batch:
                connection.execute(sa.insert(Enrolment), batch)
            connection.exec_driver_sql(
                "INSERT INTO enrolment_status_changes (enrolment_pk, status, status_on,"
                " until_on, import_id) SELECT id, status, status_on, NULL, 1 FROM enrolments"
            )
            connection.exec_driver_sql("ANALYZE")
        print(f"inserted {rows} enrolments in {time.perf_counter() - started:.1f} s")
        official = _Official()

        def timed(label, fn, runs=20):
            fn()  # warm the cache
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            p95 = times[int(0.95 * (len(times) - 1))]
            print(f"{label:32s} median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms")

        timed("year_over_year 2026/2025", lambda: reports.year_over_year(official, 2026, 2025))
        timed(
            "year_over_year months 1,2",
            lambda: reports.year_over_year(official, 2026, 2025, months=(1, 2)),
        )
        if "--yoy-only" in sys.argv:
            return
        period = (date(2026, 1, 1), date(2026, 12, 31))
        timed(
            "status_shares",
            lambda: reports.status_shares(official, *period, date(2026, 6, 30)),
            runs=5,
        )
        timed(
            "mode_channel",
            lambda: reports.mode_channel(
                official, *period, base_start=date(2025, 1, 1), base_end=date(2025, 12, 31)
            ),
            runs=5,
        )
        timed("trainings", lambda: reports.trainings(official, *period), runs=5)
        timed("profile", lambda: report_profiles.profile(official, *period), runs=5)
        timed("esf_indicators", lambda: report_profiles.esf_indicators(official, *period), runs=5)


if __name__ == "__main__":
    numbers = [arg for arg in sys.argv[1:] if arg.isdigit()]
    main(int(numbers[0]) if numbers else 500000)
