"""Extensions, unbound until ``create_app`` calls ``init_app``."""

from flask import current_app, request, session
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
wtf_helpers = WTFormsHelpers()

login_manager.login_view = "auth.login"
login_manager.login_message = None  # the login page itself explains
login_manager.session_protection = "strong"


def select_locale() -> str:
    """The language the user chose with the switch (or ``?lang=`` on the API), else Dutch."""
    from flask import has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang") if request.path.startswith("/api/") else None
    chosen = chosen or session.get("language")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
