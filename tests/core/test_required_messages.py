"""Every empty required field's error names the field, in the reader's language."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FileField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired

from app.core.forms import PortalForm


def test_the_registration_summary_names_every_missing_field(client):
    response = client.post("/auth/register", data={"mode": "new"})
    assert response.status_code in (200, 422)
    page = response.get_data(as_text=True)
    assert "Dit veld is verplicht" not in page
    for message in (
        "Vul uw volledige naam in.",
        "Vul uw e-mailadres in.",
        "Vul uw wachtwoord in.",
        "Vul officiële naam van de organisatie in.",
        "Vul ondernemingsnummer in.",
        "Kies soort opleidingsverstrekker.",
    ):
        assert message in page, message


def test_in_english_too(client):
    client.post("/language", data={"language": "en"})
    page = client.post("/auth/register", data={"mode": "join"}).get_data(as_text=True)
    assert "Enter your full name." in page
    assert "Enter enterprise number of the organisation to join." in page
    assert "This field is required" not in page


class _Form(PortalForm):
    class Meta:
        csrf = False

    name = StringField(_l("Your full name"), validators=[DataRequired()])
    lms = StringField("LMS used", validators=[InputRequired()])
    kind = RadioField("Type of provider", choices=[("a", "A")], validators=[DataRequired()])
    agree = BooleanField("I agree", validators=[DataRequired()])
    plan = FileField("Project plan", validators=[DataRequired()])
    own = StringField("Reason", validators=[DataRequired("Give the reason.")])


def test_each_kind_of_field_gets_its_own_wording(app):
    with app.test_request_context("/", method="POST", data={}):
        form = _Form()
        assert not form.validate()
        assert form.name.errors == ["Vul uw volledige naam in."]
        assert form.lms.errors == ["Vul LMS used in."]  # an abbreviation keeps its capitals
        assert form.kind.errors == ["Kies type of provider."]
        assert form.agree.errors == ["Vink “I agree” aan."]
        assert form.plan.errors == ["Kies een bestand: project plan."]
        assert form.own.errors == ["Give the reason."]  # a message of its own wins
