"""Form helpers shared by every domain: the base forms that refuse control characters and
name each empty required field in its error, the CSRF-only form, service errors on fields, the one way a view hands a posted form to a
service (``submit_form``), and fields for exact numbers (Dutch or English notation, never
floats)."""

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import flash, redirect
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    FileField,
    Form,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, StopValidation
from wtforms.widgets import TextArea

from app.core import formatting
from app.core.errors import DomainError, ValidationFailed
from app.core.money import InvalidAmount, format_decimal, parse_euro

# Single-line text: every C0 and C1 control character except tab, DEL, and the Unicode line and
# paragraph separators. A line break in a name would end up in an email header; NUL is refused
# by PostgreSQL in text.
SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# Multi-line text keeps its line breaks and tabs; only NUL is refused.
MULTI_LINE_FORBIDDEN = re.compile("\x00")


def has_forbidden_characters(text: str, *, multi_line: bool = False) -> bool:
    """Whether ``text`` holds a character no text field accepts (see above)."""
    pattern = MULTI_LINE_FORBIDDEN if multi_line else SINGLE_LINE_FORBIDDEN
    return bool(pattern.search(text))


def _refuse_single_line(value: object) -> object:
    if isinstance(value, str) and has_forbidden_characters(value):
        raise ValueError(
            str(_l("Remove the line breaks and other control characters from this field."))
        )
    return value


def _refuse_multi_line(value: object) -> object:
    if isinstance(value, str) and has_forbidden_characters(value, multi_line=True):
        raise ValueError(str(_l("Remove the invisible null characters from this text.")))
    return value


def _guard_text(field: Any) -> Any:
    """Put the control-character check first in a text field's filters; the error shows on
    the field and the typed text stays in it."""
    if isinstance(field, StringField):
        check = _refuse_multi_line if isinstance(field.widget, TextArea) else _refuse_single_line
        field.filters = (check, *field.filters)
    return field


_CHOICE_FIELDS = (RadioField, SelectField, SelectMultipleField)
# The two fields every visitor meets, worded as people say it rather than from the label.
EMAIL_REQUIRED = _l("Enter your email address.")
PASSWORD_REQUIRED = _l("Enter your password.")


def _in_sentence(label: str) -> str:
    """A label inside a sentence: 'Your full name' -> 'your full name' ('LMS' stays)."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def required_message(field: Any) -> str:
    """The error of an empty required field, naming it by its label, in the reader's
    language: 'Enter your full name', 'Choose your organisation', 'Tick “…”'."""
    from flask_babel import gettext as _

    label = str(field.label.text if field.label else field.name).strip().rstrip(":?")
    if isinstance(field, BooleanField):
        return _("Tick “%(label)s”.", label=label)
    if isinstance(field, FileField):
        return _("Choose a file: %(label)s.", label=_in_sentence(label))
    if isinstance(field, _CHOICE_FIELDS):
        return _("Choose %(label)s.", label=_in_sentence(label))
    return _("Enter %(label)s.", label=_in_sentence(label))


class Required(DataRequired):
    """``DataRequired`` whose message, unless one is given, names the field (see
    ``required_message``). Every portal form uses it for a bare ``DataRequired()``."""

    def __call__(self, form: Any, field: Any) -> None:
        try:
            super().__call__(form, field)
        except StopValidation:
            if self.message is None:
                raise StopValidation(required_message(field)) from None
            raise


class RequiredInput(InputRequired):
    """``InputRequired`` with the same named message."""

    def __call__(self, form: Any, field: Any) -> None:
        try:
            super().__call__(form, field)
        except StopValidation:
            if self.message is None:
                raise StopValidation(required_message(field)) from None
            raise


def _name_required(field: Any) -> Any:
    """A bare ``DataRequired()`` / ``InputRequired()`` (no message of its own) gets the
    message that names the field."""
    named = {DataRequired: Required, InputRequired: RequiredInput}
    validators = list(field.validators)
    for index, validator in enumerate(validators):
        kind = named.get(type(validator))
        if kind is not None and validator.message is None:
            validators[index] = kind()
    field.validators = validators
    return field


class _GuardedMeta:
    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
        field = _guard_text(super().bind_field(form, unbound_field, options))  # type: ignore[misc]
        return _name_required(field)


class PortalForm(FlaskForm):
    """The base of every form: single-line text fields refuse control characters (CR, LF,
    NUL, ...) and multi-line ones refuse NUL, each with an error on the field."""

    class Meta(_GuardedMeta):
        pass


class PortalSubForm(Form):
    """The base of rows inside a form (``FormField``), with the same checks as ``PortalForm``."""

    class Meta(_GuardedMeta):
        pass


class EmptyForm(PortalForm):
    """Buttons that post: only the CSRF token."""


def attach_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    """Show a service's errors on their fields (and so in the error summary); others flash."""
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is None:
            flash(message, "error")
        else:
            field.errors = [*list(field.errors or []), message]


def submit_form(
    form: FlaskForm,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    then: str | Callable[[Any], str],
    refused: str | None = None,
    errors: Callable[[ValidationFailed], ValidationFailed] | None = None,
) -> Response | None:
    """Validate ``form`` and run ``action`` (the service call), the block every form view
    shares. Done: flash ``success`` (or ``success(result)``) and redirect to ``then`` (or
    ``then(result)``, when the result decides where to go: then give ``refused``). A
    ``DomainError`` (a rule said no): flash it and redirect to ``refused`` (default
    ``then``). ``ValidationFailed``: its errors go on the fields (through
    ``errors`` first, to reword them) and the result is None, as for a form that did not
    validate: the view renders the form again (422). ``NotFound`` and ``PermissionDenied``
    pass through to the 404 and 403 pages."""
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except ValidationFailed as exc:
        attach_errors(form, errors(exc) if errors else exc)
        return None
    except DomainError as exc:
        flash(exc.user_message(), "error")
        fallback = refused or then
        assert isinstance(fallback, str), "submit_form: give `refused` with a callable `then`"
        return redirect(fallback)
    flash(success(result) if callable(success) else success, "success")
    return redirect(then(result) if callable(then) else then)


class EuroField(StringField):
    """An exact euro amount typed as '12.500,50', '12500.50' or '150.000'; never a float."""

    data: Any  # like every WTForms field's: None until valid input is processed

    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        *,
        message: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message or _l(
            "Enter an amount in euro with at most two decimals, like 12.500,00."
        )

    def process_formdata(self, valuelist: Sequence[str]) -> None:
        self.data = None
        text = valuelist[0] if valuelist else ""
        try:
            self.data = parse_euro(text)
        except InvalidAmount:
            raise ValueError(str(self.message)) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        text = f"{self.data:.2f}"  # as a person types it: no thousands separator
        return text.replace(".", ",") if formatting.language() == "nl" else text


class DecimalTextField(StringField):
    """An exact decimal typed as '2,5' or '2.5' (never a float); None when left empty.

    ``places`` limits the decimals; ``strip`` characters (such as '%') are ignored."""

    data: Any  # like every WTForms field's: None until valid input is processed

    LIMIT = Decimal(10) ** 9

    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        *,
        message: Any = None,
        places: int | None = None,
        strip: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Enter a number, like 2,5.")
        self.places, self.strip = places, strip

    def process_formdata(self, valuelist: Sequence[str]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if self.strip:
            text = text.rstrip(self.strip).strip()
        if not text:
            return
        try:
            value = Decimal(text.replace(",", "."))
            # Nothing the portal stores comes near a billion; 1e30 is a typing error.
            if (
                not value.is_finite()
                or abs(value) >= self.LIMIT
                or (
                    self.places is not None
                    and value != value.quantize(Decimal(1).scaleb(-self.places))
                )
            ):
                raise ValueError(str(self.message))
        except InvalidOperation:
            raise ValueError(str(self.message)) from None
        self.data = value

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return format_decimal(self.data)


class WholeNumberField(StringField):
    """A whole number of 0 or more; None when left empty."""

    data: Any  # like every WTForms field's: None until valid input is processed

    def __init__(
        self,
        label: Any = None,
        validators: Sequence[Any] | None = None,
        *,
        message: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Enter a whole number, like 3.")

    def process_formdata(self, valuelist: Sequence[str]) -> None:
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise ValueError(str(self.message))
        self.data = int(text)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class BrusselsMomentInput:
    """A date box and a time box (native ``type=date`` and ``type=time`` inputs) in one
    fieldset, stating that the time is Brussels time; the date box carries the field's id,
    so the error summary's link lands on it."""

    def __call__(self, field: Any, params: dict[str, Any] | None = None, **kwargs: Any) -> Markup:
        from flask import render_template

        html = render_template("_macros/moment_input.html", field=field, params=params or {})
        return Markup(html)  # noqa: S704 (the template escapes every value)


class BrusselsMomentField(StringField):
    """A Brussels wall-clock date and time in, an aware UTC instant out (``None`` until valid).

    The browser sends ``NAME-date`` (2027-03-31) and ``NAME-time`` (23:59 or 23:59:59); a
    single ``NAME`` text like '2027-03-31 23:59:59' (scripts, older pages) is read too. Both
    go through app.core.time.parse_local; the errors are in the reader's language."""

    data: Any  # like every WTForms field's: None until valid input is processed

    widget = BrusselsMomentInput()

    def __init__(
        self, label: Any = None, validators: Sequence[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.parts: tuple[str, str] | None = None

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        if formdata is not None and (
            f"{self.name}-date" in formdata or f"{self.name}-time" in formdata
        ):
            day = (formdata.get(f"{self.name}-date") or "").strip()
            clock = (formdata.get(f"{self.name}-time") or "").strip()
            self.parts = (day, clock)
            combined = MultiDict(formdata)
            combined.setlist(self.name, [f"{day} {clock}".strip()])
            formdata = combined
        super().process(formdata, data, extra_filters)

    def process_formdata(self, valuelist: Sequence[str]) -> None:
        from flask_babel import gettext as _

        from app.core.time import InvalidLocalTime, parse_local

        self.data = None
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        if not self.raw_text:
            return
        if self.parts is not None and not self.parts[0]:
            raise ValueError(_("Enter the date, for example 31-03-2027."))
        if self.parts is not None and not self.parts[1]:
            raise ValueError(_("Enter the time, for example 23:59."))
        try:
            self.data = parse_local(self.raw_text)
        except InvalidLocalTime as exc:
            try:  # the same text read as UTC tells a bad format from a skipped hour
                parse_local(self.raw_text, "UTC")
            except InvalidLocalTime:
                raise ValueError(_("Enter a real date and a time like 23:59.")) from exc
            raise ValueError(
                _(
                    "This time does not exist in Brussels: the clocks go forward an hour that "
                    "night. Choose another time."
                )
            ) from exc

    def date_value(self) -> str:
        """The date box's value: what was sent, else the stored instant's Brussels date."""
        if self.parts is not None:
            return self.parts[0]
        if self.raw_data:
            return str(self.raw_data[0]).strip()[:10]
        local = self._local()
        return local.date().isoformat() if local else ""

    def time_value(self) -> str:
        """The time box's value: HH:MM, or HH:MM:SS when the seconds are not zero."""
        if self.parts is not None:
            return self.parts[1]
        if self.raw_data:
            return str(self.raw_data[0]).strip()[11:]
        local = self._local()
        if local is None:
            return ""
        return local.strftime("%H:%M:%S" if local.second else "%H:%M")

    def _local(self) -> datetime | None:
        from app.core.time import to_brussels

        return to_brussels(self.data) if isinstance(self.data, datetime) else None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        local = self._local()
        return local.strftime("%Y-%m-%d %H:%M:%S") if local else ""
