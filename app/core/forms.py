from flask import flash
from flask_wtf import FlaskForm

from app.core.errors import ValidationFailed


class EmptyForm(FlaskForm):
    """Buttons that post: only the CSRF token."""


def attach_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    """Show a service's errors on their fields (and so in the error summary); others flash."""
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is None:
            flash(message, "error")
        else:
            field.errors = [*list(field.errors or []), message]
