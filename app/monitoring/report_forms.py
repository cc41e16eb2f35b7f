"""The monitoring report forms (read from the query string): shape and plain checks only;
the report services check the rules again."""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.validators import Optional

from app.core.forms import PortalForm, WholeNumberField
from app.proposals.forms import DayField

YEAR_MESSAGE = _l("Enter a year from 2000 to 2100, like 2026.")


class _GetForm(PortalForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    call = StringField(_l("Call"), validators=[Optional()])
    project = StringField(_l("Funded project"), validators=[Optional()])
    day = DayField(_l("Status and profile as of"))


def _year_ok(field) -> bool:
    if field.data is None or not 2000 <= field.data <= 2100:
        field.errors = [*field.errors, str(YEAR_MESSAGE)]
        return False
    return True


def _order(form, first: str, second: str) -> bool:
    start, end = getattr(form, first), getattr(form, second)
    if start.data and end.data and end.data < start.data:
        end.errors = [*end.errors, str(_l("The end must be on or after the start."))]
        return False
    return True


class MonthsField(SelectMultipleField):
    """Month numbers 1-12, as checkboxes; any other value is one clear error."""

    def process_formdata(self, valuelist):
        try:
            self.data = sorted({int(value) for value in valuelist})
        except ValueError:
            self.data = []
            raise ValueError(str(MONTHS_MESSAGE)) from None


MONTHS_MESSAGE = _l("Choose months from 1 to 12.")


class ReportForm(_GetForm):
    """The reports page: a year against a base year (optional months), and a period."""

    year = WholeNumberField(_l("Year"), message=YEAR_MESSAGE)
    base = WholeNumberField(_l("Base year"), message=YEAR_MESSAGE)
    months = MonthsField(
        _l("Months (none: the whole year)"),
        coerce=int,
        choices=[(m, str(m)) for m in range(1, 13)],
        validate_choice=False,
    )
    start = DayField(_l("Period from"))
    end = DayField(_l("Period to"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.months.errors and any(not 1 <= m <= 12 for m in self.months.data or []):
            self.months.errors = [*self.months.errors, str(MONTHS_MESSAGE)]
            valid = False
        for field in (self.year, self.base):
            if not field.errors:
                valid = _year_ok(field) and valid
        if not self.year.errors and not self.base.errors and self.year.data == self.base.data:
            self.base.errors = [
                *self.base.errors,
                str(_l("Choose a base year other than the year.")),
            ]
            valid = False
        return _order(self, "start", "end") and valid


class AnswerSheetForm(_GetForm):
    """The answer sheet: a period against a base period."""

    start = DayField(_l("Period from"))
    end = DayField(_l("Period to"))
    base_start = DayField(_l("Base period from"))
    base_end = DayField(_l("Base period to"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        valid = _order(self, "start", "end") and valid
        return _order(self, "base_start", "base_end") and valid


def default_day(today: date, end: date | None) -> date:
    return min(end, today) if end else today
