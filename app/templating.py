"""Template globals and filters shared by every page."""

from flask import Flask, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader, pass_context

from app.calls.models import ProjectType, Technology
from app.core import formatting, richtext
from app.core.countdown import countdown
from app.core.email import external_url
from app.core.permissions import Role, has_role
from app.core.time import to_brussels

# (endpoint, label, roles that see it; empty = everyone logged in)
NAVIGATION: list[tuple[str, object, tuple[Role, ...]]] = [
    ("calls.index", _l("Calls"), ()),
    ("proposals.index", _l("Proposals"), (Role.applicant, Role.official)),
    ("organisations.mine", _l("My organisation"), (Role.applicant,)),
    ("reviews.mine", _l("To evaluate"), (Role.evaluator,)),
    ("organisations.index", _l("Organisations"), (Role.official, Role.admin)),
    ("organisations.pending", _l("Organisations to confirm"), (Role.official, Role.admin)),
    ("reviews.index", _l("Evaluation"), (Role.official,)),
    ("reporting.index", _l("Statistics"), (Role.official,)),
    ("monitoring.projects", _l("Funded projects"), (Role.applicant, Role.official)),
    ("monitoring_reports.index", _l("Monitoring reports"), (Role.official,)),
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
        items.append(
            {"endpoint": endpoint, "text": str(label), "active": request.endpoint == endpoint}
        )
    return items


def password_texts(**params) -> dict:
    """GOV.UK password-input texts in the user's language, merged with ``params``."""
    from flask_babel import gettext as _

    return {
        "showPasswordText": _("Show"),
        "hidePasswordText": _("Hide"),
        "showPasswordAriaLabelText": _("Show password"),
        "hidePasswordAriaLabelText": _("Hide password"),
        "passwordShownAnnouncementText": _("Your password is visible"),
        "passwordHiddenAnnouncementText": _("Your password is hidden"),
        **params,
    }


def character_count_texts() -> dict:
    """GOV.UK character-count messages in the user's language (``%{count}`` is filled in by
    the component, with the page's number format)."""
    from flask_babel import gettext as _

    return {
        "textareaDescriptionText": _("You can enter up to %{count} characters"),
        "charactersUnderLimitText": {
            "one": _("You have %{count} character remaining"),
            "other": _("You have %{count} characters remaining"),
        },
        "charactersAtLimitText": _("You have 0 characters remaining"),
        "charactersOverLimitText": {
            "one": _("You have %{count} character too many"),
            "other": _("You have %{count} characters too many"),
        },
    }


@pass_context
def page_has_errors(context) -> bool:
    """Whether the page shows an error summary: a form with errors, an ``errors`` mapping,
    or a flashed error. The page title then starts with "Error:" (WCAG 3.3.1)."""
    from flask import get_flashed_messages
    from flask_wtf import FlaskForm

    if any(isinstance(value, FlaskForm) and value.errors for value in context.values()):
        return True
    if isinstance(context.get("errors"), dict) and context.get("errors"):
        return True
    return bool(get_flashed_messages(category_filter=["error"]))


def project_type_label(value) -> str:
    return ProjectType(getattr(value, "value", value)).label


def technology_labels(codes) -> list[str]:
    return [str(Technology(code).label) for code in codes or []]


def init_app(app: Flask) -> None:
    own = [app.jinja_loader] if app.jinja_loader is not None else []
    app.jinja_loader = ChoiceLoader(
        [
            *own,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                    # The library's own macros, for our translated wrappers in
                    # templates/govuk_frontend_jinja/ that take their place.
                    "govuk_library": PackageLoader("govuk_frontend_jinja"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    formatting.init_app(app)  # euro, number, percent, day, brussels, kilobytes, duration
    app.jinja_env.filters["to_brussels"] = to_brussels
    app.jinja_env.filters["richtext"] = richtext.render
    # A global (not a context variable), so the component macros that libraries import
    # without context can call it.
    app.jinja_env.globals["character_count_texts"] = character_count_texts

    @app.context_processor
    def _globals():
        return {
            "current_language": str(get_locale() or "nl"),
            "languages": app.config["LANGUAGES"],
            "navigation_items": navigation_items,
            "password_texts": password_texts,
            "page_has_errors": page_has_errors,
            "has_role": lambda *roles: has_role(current_user, *roles),
            "Role": Role,
            "countdown_for": countdown,
            "external_url": external_url,
            "project_type_label": project_type_label,
            "technology_labels": technology_labels,
        }
