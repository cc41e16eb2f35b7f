"""Time an enrolment import of N generated rows (CSV and XLSX) on a scratch database.

    python scripts/bench_monitoring_import.py [ROWS] [DATABASE_URL]

Default: 100,000 rows on a temporary SQLite file. Prints the seconds (wall clock and this
process's CPU; the database server's CPU is not in the latter on PostgreSQL) for a first
import (all new), the same file again (no-op) and, for CSV, a file changing every status.
"""

import io
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rows(n: int, *, status: str = "enrolled", seed: int = 1):
    rng = random.Random(seed)
    base = date(2025, 1, 1)
    for i in range(n):
        started = base + timedelta(days=rng.randrange(365))
        yield [
            f"E{i:07d}",
            f"T{rng.randrange(5) + 1}",
            started.isoformat(),
            rng.choice(("online", "blended", "physical")),
            status,
            (started if status == "enrolled" else date(2026, 1, 10)).isoformat(),
            rng.choice(("own", "partner")),
            rng.choice(("low", "middle", "high", "unknown")),
            str(rng.randrange(1950, 2005)),
            rng.choice("fmx"),
            rng.choice(("yes", "no")),
            rng.choice(("yes", "no", "unknown")),
            "employed",
        ]


def main() -> None:
    import csv

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    tmp = Path(tempfile.mkdtemp())
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tmp / 'bench.sqlite'}"
    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_FOLDER": str(tmp / "up"),
            "JOBS_IMMEDIATE": False,
            "SECRET_KEY": "bench",
        }
    )
    with app.app_context():
        import flask_migrate

        from app.core.db import db
        from app.monitoring import imports, services
        from app.monitoring.import_checks import COLUMNS

        flask_migrate.upgrade()
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.monitoring.factories import add_training, make_funded_project

        def csv_file(status="enrolled") -> bytes:
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(rows(n, status=status))
            return out.getvalue().encode()

        def xlsx_file() -> bytes:
            import openpyxl

            workbook = openpyxl.Workbook(write_only=True)
            sheet = workbook.create_sheet()
            sheet.append(list(COLUMNS))
            for row in rows(n):
                sheet.append(row)
            out = io.BytesIO()
            workbook.save(out)
            return out.getvalue()

        def timed(label, project, data, name, as_of=date(2026, 2, 1)):
            batch = services.queue_import(
                None, project.id, name, io.BytesIO(data), as_of=as_of, enqueue=False
            )
            start, cpu = time.perf_counter(), time.process_time()
            batch = imports.run_import(batch.id)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(
                f"{label:<28} {seconds:6.2f} s wall {cpu:6.2f} s cpu  "
                f"status={batch.status.value} "
                f"new={batch.created_count} updated={batch.updated_count} "
                f"unchanged={batch.unchanged_count} errors={batch.error_count}"
            )

        print(f"{n} rows on {db.engine.dialect.name}")
        for kind in ("csv", "xlsx"):
            project, _member = make_funded_project()
            for code in ("T1", "T2", "T3", "T4", "T5"):
                add_training(project, code)
            data = csv_file() if kind == "csv" else xlsx_file()
            print(f"{kind}: {len(data) / 1e6:.1f} MB")
            timed(f"{kind} first import", project, data, f"e.{kind}")
            timed(f"{kind} same file again", project, data, f"e.{kind}")
            if kind == "csv":
                timed(
                    "csv every status changed",
                    project,
                    csv_file("active"),
                    "c.csv",
                    as_of=date(2026, 2, 2),
                )


if __name__ == "__main__":
    main()
