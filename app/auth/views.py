"""Account pages: thin, each calls a service."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import accounts, services
from app.auth import links as auth_links
from app.auth import login as auth_login
from app.auth import password_reset as auth_password_reset
from app.auth import sessions as auth_sessions
from app.auth import tokens as auth_tokens
from app.auth.forms import (
    AccountForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LetterLanguageForm,
    LoginForm,
    ResetPasswordForm,
    RolesForm,
    TokenForm,
)
from app.core.errors import DomainError, ValidationFailed
from app.core.forms import EmptyForm, attach_errors, submit_form
from app.core.permissions import Role, roles_required
from app.core.redirects import safe_next
from app.extensions import login_manager

bp = Blueprint("auth", __name__, template_folder="templates", url_prefix="/auth")

# The languages of letters, each named in itself.
LETTER_LANGUAGES = {"nl": "Nederlands", "en": "English"}


@bp.record_once
def _register_user_loader(_state) -> None:
    """Flask-Login finds the session's user through auth, wherever it is asked. The cookie
    carries the user id and a random session key, never part of the password hash; the key
    must have a live row in user_sessions (see app.auth.sessions.load_user)."""
    login_manager.user_loader(
        lambda user_id: auth_sessions.load_user(user_id, session.get("session_key"))
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = auth_login.authenticate(
                form.email.data, form.password.data, address=request.remote_addr or "unknown"
            )
        except DomainError as exc:
            form.password.errors = [exc.user_message()]
            if isinstance(exc, services.Throttled):
                return _too_many(render_template("auth/login.html", form=form), exc)
        else:
            chosen = session.get("language")  # the pages keep the language chosen before
            session.clear()  # no session fixation
            session["language"] = chosen or user.language
            session["session_key"] = auth_sessions.start_session(user)
            login_user(user)
            if user.email_verified_at is None:
                flash(_("Please confirm your email address with the link we sent you."), "info")
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


def _too_many(body: str, exc: services.Throttled):
    """429 with Retry-After: the message on the page says the same in the user's language."""
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    return body, 429, headers


@bp.post("/logout")
@login_required
def logout():
    language = session.get("language")
    auth_sessions.end_session(session.get("session_key"))
    logout_user()
    session.clear()
    if language:
        session["language"] = language
    flash(_("You have been logged out."), "success")
    return redirect(url_for("main.index"))


@bp.get("/verify/<token>")
def verify_email(token: str):
    try:
        auth_links.verify_email(token)
    except DomainError as exc:
        return render_template("auth/link_problem.html", message=exc.user_message()), 400
    flash(_("Your email address is confirmed. You can now log in."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/verify/resend")
@login_required
def resend_verification():
    if current_user.email_verified_at is None:
        auth_links.send_verification_email(current_user)
    flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            auth_password_reset.request_password_reset(
                form.email.data, address=request.remote_addr or "unknown"
            )
        except services.Throttled as exc:
            form.email.errors = [exc.user_message()]
            return _too_many(render_template("auth/forgot_password.html", form=form), exc)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        auth_password_reset.check_reset_token(token)
    except DomainError as exc:
        return render_template("auth/link_problem.html", message=exc.user_message()), 400
    form = ResetPasswordForm()
    done = submit_form(
        form,
        lambda: auth_password_reset.reset_password(token, form.password.data),
        success=_("Your password has been changed. You can now log in."),
        then=url_for("auth.login"),
        refused=url_for("auth.reset_password", token=token),
    )
    return done or render_template("auth/reset_password.html", form=form)


@bp.route("/profile", methods=["GET"])
@login_required
def profile():
    return _profile_page()


def _profile_page(status: int = 200, **forms):
    """The profile with its forms; ``forms`` replaces one with the submitted one."""
    context = {
        "password_form": ChangePasswordForm(),
        "token_form": TokenForm(),
        "letter_form": LetterLanguageForm(language=current_user.language),
        "new_token": None,
        **forms,
    }
    return render_template(
        "auth/profile.html",
        tokens=auth_tokens.list_tokens(current_user),
        empty_form=EmptyForm(),
        session_count=auth_sessions.count_sessions(current_user),
        **context,
    ), status


@bp.post("/profile/letter-language")
@login_required
def letter_language():
    form = LetterLanguageForm()
    done = submit_form(
        form,
        lambda: services.set_letter_language(current_user, form.language.data),
        success=lambda _result: _(
            "Your letters will be written in %(language)s.",
            language=LETTER_LANGUAGES[current_user.language],
        ),
        then=url_for("auth.profile"),
    )
    return done or _profile_page(422, letter_form=form)


@bp.post("/profile/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    done = submit_form(
        form,
        lambda: auth_password_reset.change_password(
            current_user,
            form.current_password.data,
            form.new_password.data,
            keep_session=session.get("session_key"),
        ),
        success=_("Your password has been changed."),
        then=url_for("auth.profile"),
    )
    return done or _profile_page(422, password_form=form)


@bp.post("/profile/sessions/end")
@login_required
def logout_everywhere():
    if EmptyForm().validate_on_submit():
        language = session.get("language")
        auth_sessions.end_all_sessions(current_user)
        logout_user()
        session.clear()
        if language:
            session["language"] = language
        flash(_("You have been logged out on every device."), "success")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.profile"))


@bp.post("/profile/tokens")
@login_required
def create_token():
    form = TokenForm()
    new_token = None
    status = 200
    if form.validate_on_submit():
        try:
            _token, new_token = auth_tokens.create_token(
                current_user, current_user, form.name.data, throttled=True
            )
        except services.Throttled as exc:
            form.name.errors = [exc.user_message()]
            status = 429
        else:
            form = TokenForm(formdata=None)
    return _profile_page(status, token_form=form, new_token=new_token)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if EmptyForm().validate_on_submit():
        auth_tokens.revoke_token(current_user, token_id)
        flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.profile"))


@bp.get("/users")
@roles_required(Role.admin)
def users():
    filters = accounts.AccountFilters.of(request.args)
    page = accounts.search_accounts(current_user, filters, request.args)
    return render_template(
        "auth/users.html",
        page=page,
        filters=filters,
        form=RolesForm(),
        empty_form=EmptyForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.admin)
def new_account():
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_account(
                current_user,
                form.name.data,
                form.email.data,
                {Role(r) for r in form.roles.data or []},
                form.language.data or "nl",
            )
        except ValidationFailed as exc:
            attach_errors(form, exc)
        else:
            flash(
                _(
                    "The account of %(email)s has been created; a link to choose a password "
                    "has been sent.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("auth.users", q=user.email))
    status = 422 if form.errors else 200
    return render_template("auth/new_account.html", form=form), status


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles_required(Role.admin)
def deactivate(user_id: int):
    """What deactivating does, then the confirmation."""
    user = accounts.get_account(current_user, user_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.set_active(current_user, user_id, False)
        except DomainError as exc:
            flash(exc.user_message(), "error")
        else:
            flash(_("%(email)s is now deactivated.", email=user.email), "success")
        return redirect(url_for("auth.users", q=user.email))
    return render_template(
        "auth/deactivate.html",
        user=user,
        sessions=auth_sessions.count_sessions(user),
        is_self=user.id == current_user.id,
        form=form,
    )


@bp.post("/users/<int:user_id>/roles")
@roles_required(Role.admin)
def set_roles(user_id: int):
    form = RolesForm()
    if form.validate_on_submit():
        try:
            services.set_roles(current_user, user_id, {Role(r) for r in form.roles.data or []})
        except DomainError as exc:
            flash(exc.user_message(), "error")
        else:
            flash(_("Roles saved."), "success")
    return redirect(url_for("auth.users"))


@bp.post("/users/<int:user_id>/active")
@roles_required(Role.admin)
def set_active(user_id: int):
    if request.form.get("active") != "1":  # deactivating asks for confirmation first
        return redirect(url_for("auth.deactivate", user_id=user_id))
    if EmptyForm().validate_on_submit():
        try:
            user = services.set_active(current_user, user_id, True)
        except DomainError as exc:
            flash(exc.user_message(), "error")
        else:
            flash(_("%(email)s is now active.", email=user.email), "success")
            return redirect(url_for("auth.users", q=user.email))
    return redirect(url_for("auth.users"))
