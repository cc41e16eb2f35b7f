"""Files the portal builds in memory and hands over as downloads."""

import io

from flask import Response, send_file


def download(body: bytes | str, mimetype: str, filename: str) -> Response:
    """``body`` as an attachment named ``filename`` (Werkzeug writes the header, with an
    RFC 6266 ``filename*`` for names beyond ASCII), never kept in a cache: exports and
    letters hold confidential data."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=filename, max_age=0, etag=False, conditional=False)
    response.headers["Cache-Control"] = "no-store"
    return response
