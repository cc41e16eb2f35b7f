"""Static files named by their content: cached by the browser for a year, never stale.

``url_for("static", filename=...)`` adds ``?v=`` and the first 12 hex digits of the file's
SHA-256; a response to that exact version says ``immutable`` with a year's ``max-age``, so a
page view costs one request instead of one plus a revalidation per stylesheet, script and
icon. A new build changes the digest, hence the URL. Any other request for a static file
(no version, an old one) is revalidated as before. ``scripts/build-assets.sh`` writes the
same digest into the references inside the built files (the module import in
``portal.js``, the images in ``portal.css``).
"""

import hashlib
import os
from typing import Any

from flask import Flask, Response, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"


def file_version(path: str) -> str:
    """The version of the file at ``path``: the first 12 hex digits of its SHA-256."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()[:12]


def install_static_versions(app: Flask) -> None:
    known: dict[str, tuple[int, int, str]] = {}  # path -> (mtime_ns, size, version)

    def version_of(filename: str) -> str | None:
        path = safe_join(app.static_folder or "", filename)
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        seen = known.get(path)
        if seen is None or seen[:2] != (stat.st_mtime_ns, stat.st_size):
            try:
                seen = (stat.st_mtime_ns, stat.st_size, file_version(path))
            except OSError:  # a directory, or gone since the stat
                return None
            known[path] = seen
        return seen[2]

    @app.url_defaults
    def _add_version(endpoint: str, values: dict[str, Any]) -> None:
        if (
            endpoint == "static"
            and "v" not in values
            and "filename" in values
            and (version := version_of(values["filename"]))
        ):
            values["v"] = version

    @app.after_request
    def _cache_a_version(response: Response) -> Response:
        if (
            request.endpoint == "static"
            and response.status_code in (200, 304)
            and (asked := request.args.get("v"))
            and asked == version_of((request.view_args or {}).get("filename", ""))
        ):
            response.headers["Cache-Control"] = IMMUTABLE
        return response
