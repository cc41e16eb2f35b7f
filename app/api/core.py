"""flask-smorest Api, bearer-token authentication and JSON errors."""

from functools import wraps

import marshmallow as ma
from apispec import BasePlugin
from flask import g, request
from flask_smorest import Api, Blueprint

from app.auth.tokens import user_for_token
from app.core.errors import PermissionDenied
from app.extensions import csrf


class ApiErrorBody(ma.Schema):
    status = ma.fields.Integer(required=True, metadata={"example": 422})
    message = ma.fields.String(
        required=True, metadata={"description": "What went wrong, in the language of ?lang="}
    )
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String())),
        metadata={
            "description": "On a 422: each refused parameter by location, with the reasons "
            "in the language of ?lang=",
            "example": {"query": {"year": ["Not a whole number."]}},
        },
    )


class ApiErrorSchema(ma.Schema):
    """Every error the API answers: ``{"error": {"status", "message"[, "errors"]}}``."""

    error = ma.fields.Nested(ApiErrorBody, required=True)


class PortalApi(Api):
    # The body app.errors sends, also for the 422 and default responses flask-smorest
    # documents on every operation.
    ERROR_SCHEMA = ApiErrorSchema


class LanguageParameter(BasePlugin):
    """Documents ``?lang=`` on every path: the language of the API's messages
    (``app.extensions.select_locale``)."""

    PARAMETER = {
        "in": "query",
        "name": "lang",
        "required": False,
        "schema": {"type": "string", "enum": ["nl", "en"], "default": "nl"},
        "description": "The language of error messages: nl (Dutch, the default) or en",
    }

    def path_helper(self, path=None, operations=None, parameters=None, **kwargs):
        if parameters is not None:
            parameters.append(dict(self.PARAMETER))
        return None


api = PortalApi(
    spec_kwargs={
        "extra_plugins": [LanguageParameter()],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }
)
bp = Blueprint("api", __name__, description="ESF e-leren portal API")
csrf.exempt(bp)


class Unauthorised(Exception):
    pass


def token_required(*roles):
    """Authenticate with ``Authorization: Bearer TOKEN``: none or bad 401, wrong role 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _sep, token = header.partition(" ")
            user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                raise Unauthorised()
            if roles and not user.has_role(*roles):
                raise PermissionDenied()
            g.api_user = user
            return view(*args, **kwargs)

        apidoc = getattr(view, "_apidoc", {})
        wrapped._apidoc = apidoc  # type: ignore[attr-defined]  # keep flask-smorest's docs
        doc = apidoc.setdefault("manual_doc", {})
        doc["security"] = [{"bearerAuth": []}]
        return wrapped

    return decorator
