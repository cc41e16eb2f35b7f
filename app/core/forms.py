from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """Buttons that post: only the CSRF token."""
