"""Security headers on every response and the URL converters that keep hostile paths out of
the database (the auth blueprint registers the Flask-Login loader)."""

from typing import Any

from flask import Flask, Response, abort, request
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter

# The largest id a column holds (a 32-bit signed INTEGER on PostgreSQL).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` up to MAX_ID: /proposals/99999999999999999999 is a 404, not a database
    error."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class PlainTextConverter(UnicodeConverter):
    """The default ``<code>`` part without control characters: a NUL (which PostgreSQL refuses
    in text) or a line break in a call code is a 404 before any query runs."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


def install_url_converters(app: Flask) -> None:
    """Call before any route is registered."""
    app.url_map.converters.update(
        int=BoundedIntegerConverter, default=PlainTextConverter, string=PlainTextConverter
    )


def _csp() -> str:
    # No inline script and no inline style: everything comes from our own static files.
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def register_security(app: Flask) -> None:
    csp = _csp()

    @app.before_request
    def _refuse_nul_in_query() -> None:
        # PostgreSQL refuses NUL in text: a filter like ?q=%00 is a bad request, not a 500.
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            abort(400)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault(
                "Strict-Transport-Security",
                f"max-age={app.config['HSTS_MAX_AGE']}; includeSubDomains",
            )
        if (
            request.endpoint
            and not request.endpoint.startswith("static")
            and "Cache-Control" not in headers
        ):
            headers["Cache-Control"] = "no-store"  # pages hold confidential data
        return response
