"""Error handlers in one place: HTML for pages, JSON under /api."""

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, default_exceptions

from app.api.core import Unauthorised
from app.api.messages import translated
from app.core.db import db
from app.core.errors import DomainError, NotFound, PermissionDenied


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def respond(status: int, message: str, **extra):
    if _wants_json():
        return {"error": {"status": status, "message": message, **extra}}, status
    return render_template("errors/error.html", status=status, message=message), status


def _not_found() -> str:
    if _wants_json():  # an API client asked for a record, not a page
        return _("Nothing was found at this address, or it is not yours to see.")
    return _("This page does not exist or is not yours to see.")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Unauthorised)
    def _unauthorised(_exc: Unauthorised):
        response, status = respond(
            401, _("A valid API token is required: send 'Authorization: Bearer TOKEN'.")
        )
        return response, status, {"WWW-Authenticate": 'Bearer realm="api"'}

    @app.errorhandler(PermissionDenied)
    def _forbidden(exc: PermissionDenied):
        return respond(403, exc.user_message())

    @app.errorhandler(NotFound)
    def _not_found_domain(_exc: NotFound):
        return respond(404, _not_found())

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return respond(409, exc.user_message())

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError):
        return respond(
            400,
            _(
                "The form had expired or was sent from elsewhere. Nothing was "
                "saved; please go back, reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        default = getattr(default_exceptions.get(status), "description", None)
        if exc.description and exc.description != default:
            return respond(status, exc.description)  # ours, given with abort(): translated
        extra = {}
        # The API's arguments (webargs): which one was refused and why, under "errors", in
        # the reader's language.
        refused = getattr(exc, "data", None)
        if status == 422 and isinstance(refused, dict) and refused.get("messages"):
            extra["errors"] = translated(refused["messages"])
        messages = {
            400: _("The request could not be understood: check the address or what was typed."),
            401: _("Please log in first."),
            403: _("You are not allowed to do this."),
            404: _not_found(),
            405: _("This action is not possible here."),
            413: _(
                "The file is too large: an attachment may be at most %(size)d MB. "
                "Nothing was saved.",
                size=current_app.config["PROPOSAL_MAX_ATTACHMENT_BYTES"] // (1024 * 1024),
            ),
            422: _("Some of the request's parameters are missing or not valid."),
        }
        message = messages.get(
            status, _("The request could not be handled (error %(status)d).", status=status)
        )
        return respond(status, message, **extra)

    @app.errorhandler(500)
    def _server_error(_exc):
        db.session.rollback()
        return respond(500, _("Something went wrong on our side; nothing was saved."))
