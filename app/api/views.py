"""API endpoints of the foundation."""

import marshmallow as ma
from flask import g

from app.api.core import ApiErrorSchema, bp, token_required


class MeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    roles = ma.fields.List(ma.fields.String(), required=True)
    organisations = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "Enterprise numbers"}
    )


@bp.route("/me")
@bp.response(200, MeSchema)
@bp.alt_response(401, schema=ApiErrorSchema, description="No or invalid token")
@token_required()
def me():
    """The account the token belongs to."""
    user = g.api_user
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": sorted(r.value for r in user.roles),
        "organisations": sorted(o.enterprise_number for o in user.organisations),
    }
