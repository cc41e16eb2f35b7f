"""Security headers on every response (the auth blueprint registers the Flask-Login loader)."""

from flask import Flask, Response, request


def _csp() -> str:
    # No inline script and no inline style: everything comes from our own static files.
    return "; ".join([
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
    ])


def register_security(app: Flask) -> None:
    csp = _csp()

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
            headers.setdefault("Strict-Transport-Security",
                               f"max-age={app.config['HSTS_MAX_AGE']}; includeSubDomains")
        if request.endpoint and not request.endpoint.startswith("static") and \
                "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-store"  # pages hold confidential data
        return response
