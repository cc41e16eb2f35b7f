"""Files the portal builds in memory, or keeps on disk, handed over as downloads."""

import io
from pathlib import Path

from flask import Response, send_file


def download(body: bytes | str, mimetype: str, filename: str) -> Response:
    """``body`` as an attachment named ``filename`` (Werkzeug writes the header, with an
    RFC 6266 ``filename*`` for names beyond ASCII), never kept in a cache: exports and
    letters hold confidential data."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename,
        max_age=0,
        etag=False,
        conditional=False,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def download_file(path: str | Path, mimetype: str, filename: str) -> Response:
    """The stored file at ``path`` as an attachment named ``filename``, with the same
    headers as :func:`download`."""
    response = send_file(
        path,
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename,
        max_age=0,
        etag=False,
        conditional=False,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
