"""The portal as gunicorn serves it in the benchmark, plus two things for measuring:

- ``/bench/hello``: a hello-world answered before Flask, the reference for the machine;
- an ``X-Bench-Queries`` header on every response: the SQL statements the request ran
  (sync workers handle one request at a time, so one counter per process is exact).
"""

import sqlalchemy as sa

from app import create_app
from app.core.db import db

portal = create_app()
_statements = [0]

with portal.app_context():
    sa.event.listen(
        db.engine,
        "before_cursor_execute",
        lambda *_args: _statements.__setitem__(0, _statements[0] + 1),
    )

HELLO = b"Hello, world!\n"


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/bench/hello":
        start_response(
            "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(HELLO)))]
        )
        return [HELLO]
    _statements[0] = 0

    def counted(status, headers, exc_info=None):
        return start_response(
            status, [*headers, ("X-Bench-Queries", str(_statements[0]))], exc_info
        )

    return portal(environ, counted)
