"""Template globals and filters shared by every page."""

from flask import Flask, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from app.core.permissions import Role, has_role
from app.core.time import format_brussels, to_brussels

# (endpoint, label, roles that see it; empty = everyone logged in)
NAVIGATION: list[tuple[str, object, tuple[Role, ...]]] = [
    ("organisations.mine", _l("My organisation"), (Role.applicant,)),
    ("organisations.index", _l("Organisations"), (Role.official, Role.admin)),
    ("audit.index", _l("Audit log"), (Role.official, Role.admin)),
    ("auth.users", _l("Accounts"), (Role.admin,)),
    ("auth.profile", _l("Profile"), ()),
]


def navigation_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, label, roles in NAVIGATION:
        if roles and not has_role(current_user, *roles):
            continue
        items.append({"endpoint": endpoint, "text": str(label),
                      "active": request.endpoint == endpoint})
    return items


def password_texts(**params) -> dict:
    """GOV.UK password-input texts in the user's language, merged with ``params``."""
    from flask_babel import gettext as _

    return {"showPasswordText": _("Show"), "hidePasswordText": _("Hide"),
            "showPasswordAriaLabelText": _("Show password"),
            "hidePasswordAriaLabelText": _("Hide password"),
            "passwordShownAnnouncementText": _("Your password is visible"),
            "passwordHiddenAnnouncementText": _("Your password is hidden"), **params}


def init_app(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader([
        app.jinja_loader,
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                      "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf")}),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["brussels"] = format_brussels
    app.jinja_env.filters["to_brussels"] = to_brussels

    @app.context_processor
    def _globals():
        return {
            "current_language": str(get_locale() or "nl"),
            "languages": app.config["LANGUAGES"],
            "navigation_items": navigation_items,
            "password_texts": password_texts,
            "has_role": lambda *roles: has_role(current_user, *roles),
            "Role": Role,
        }
