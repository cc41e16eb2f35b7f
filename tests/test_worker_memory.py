"""A web worker does not hold the heavy libraries until a request needs them: matplotlib
(charts), openpyxl (and numpy, which it pulls in: spreadsheets) and WeasyPrint (PDFs) are
imported on first use, which keeps about 50 MB out of every worker that never draws a chart
or writes a spreadsheet (README "Performance", worker memory)."""

import subprocess
import sys
from pathlib import Path

HEAVY = ("matplotlib", "openpyxl", "numpy", "weasyprint")


def test_creating_the_app_imports_no_chart_spreadsheet_or_pdf_library(tmp_path):
    code = (
        "import sys\n"
        "from app import create_app\n"
        "create_app()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={
            "PATH": "/usr/bin:/bin",
            "PORTAL_SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
            "PORTAL_JOBS_FILE": str(tmp_path / "jobs.sqlite"),
        },
    )
    assert out.stdout.strip().splitlines()[-1:] in ([""], []), out.stdout
