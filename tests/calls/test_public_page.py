"""The public call page: formatted description (sanitised), documents, award criteria,
contact, a call to action for visitors, and "not published yet" on a draft."""

import io
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from markupsafe import escape

from app.audit.models import AuditRecord
from app.calls import documents
from app.calls import services as calls
from app.calls.models import CallDocument
from app.core import files
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.richtext import render
from app.core.time import format_brussels, utcnow
from app.reviews.rules import criteria as reviews
from tests.factories import make_call, make_organisation, make_user

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _nl(message: str, **variables) -> str:
    with force_locale("nl"):
        return str(escape(gettext(message, **variables)))


def _page(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ formatted text


def test_formatting_keeps_paragraphs_lists_bold_and_links():
    html = str(
        render(
            "Eerste **alinea**\nmet een regel.\n\nTweede *alinea*.\n\n"
            "- een\n- twee\n\n1. drie\n\n[Meer](https://www.vlaanderen.be/esf)"
        )
    )
    assert '<p class="govuk-body">Eerste <strong>alinea</strong><br>' in html
    assert "<em>alinea</em>" in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html and "<li>twee</li>" in html
    assert '<ol class="govuk-list govuk-list--number">' in html
    assert (
        '<a class="govuk-link" href="https://www.vlaanderen.be/esf" '
        'rel="noopener noreferrer nofollow">Meer</a>'
    ) in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klik](javascript:alert(1))",
        '<a href="javascript:alert(1)">klik</a>',
        "[klik](data:text/html;base64,PHNjcmlwdD4=)",
        '<iframe src="https://evil.example"></iframe>',
        "![beeld](https://evil.example/x.png)",
        '<p style="position:fixed">x</p>',
    ],
)
def test_formatting_never_lets_markup_or_scripts_through(hostile):
    elements = _Elements()
    elements.feed(str(render(hostile)))
    assert {tag for tag, _attrs in elements.seen} <= {"p", "a", "br", "h3"}
    for _tag, attrs in elements.seen:
        assert set(attrs) <= {"class", "href", "rel"}
        assert attrs.get("href", "https:").startswith(("https:", "http:", "mailto:"))


class _Elements(HTMLParser):
    """Every element and its attributes, as a browser would build them."""

    def __init__(self):
        super().__init__()
        self.seen: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs)))


def test_headings_never_outrank_the_page():
    html = str(render("# Groot\n\n## Kleiner"))
    assert "<h1" not in html and "<h2" not in html
    assert html.count('<h3 class="govuk-heading-s">') == 2


def test_the_call_page_shows_the_formatted_description(client):
    make_call(code="FMT-1", description="Alinea **een**.\n\n- punt\n\n<script>x()</script>")
    page = _page(client.get("/calls/FMT-1"))
    assert "<strong>een</strong>" in page and "<li>punt</li>" in page
    assert "**" not in page
    assert "<script>x()" not in page and "&lt;script&gt;x()&lt;/script&gt;" in page


# ------------------------------------------------------------------ published or not


def test_a_draft_call_says_it_is_not_published_yet(client, login):
    make_call(code="DRAFT-1", publish=False)
    login(make_user("official"))
    page = _page(client.get("/calls/DRAFT-1"))
    assert _nl("This call is not published yet: only officials can see it.") in page
    assert _nl("The call is closed.") not in page


def test_a_visitor_is_invited_to_create_an_account(client):
    make_call(code="OPEN-1")
    page = _page(client.get("/calls/OPEN-1"))
    assert _nl("Create an account to apply") in page
    assert 'href="/auth/register"' in page
    assert _nl("Log in to start a proposal") in page


# ------------------------------------------------------------------ criteria and contact


def test_the_public_page_shows_the_award_criteria_with_weights_and_thresholds(client):
    call = make_call(code="CRIT-1")
    reviews.set_criteria(None, call.id, reviews.DEFAULT_CRITERIA)
    page = _page(client.get("/calls/CRIT-1"))
    assert _nl("Evaluation criteria") in page
    for criterion in reviews.DEFAULT_CRITERIA:
        assert str(escape(criterion.name_nl)) in page
    # the default total threshold (60) and a criterion threshold (2) are stated
    assert (
        _nl(
            "A proposal needs a weighted total of at least %(total)s, and at least the "
            "minimum score on each criterion that has one, to be ranked.",
            total="60",
        )
        in page
    )
    client.post("/language", data={"language": "en", "next": "/"})
    page = _page(client.get("/calls/CRIT-1"))
    assert "Evaluation criteria" in page
    assert str(escape(reviews.DEFAULT_CRITERIA[0].name_en)) in page


def test_the_default_total_threshold_has_one_home(client, monkeypatch):
    """The call page (before any settings exist) and a call's first settings both read
    app.reviews.models.DEFAULT_TOTAL_THRESHOLD."""
    from app.reviews import facts
    from app.reviews import models as review_models
    from app.reviews.models import EvaluationSettings

    monkeypatch.setattr(review_models, "DEFAULT_TOTAL_THRESHOLD", Decimal("55"))
    call = make_call(code="CRIT-2")
    reviews.set_criteria(None, call.id, reviews.DEFAULT_CRITERIA)
    db.session.execute(sa.delete(EvaluationSettings).where(EvaluationSettings.call_id == call.id))
    db.session.commit()
    sentence = _nl(
        "A proposal needs a weighted total of at least %(total)s, and at least the "
        "minimum score on each criterion that has one, to be ranked.",
        total="55",
    )
    assert sentence in _page(client.get("/calls/CRIT-2"))
    assert facts.settings_of(call).total_threshold == Decimal("55")
    db.session.commit()
    assert sentence in _page(client.get("/calls/CRIT-2"))


def test_a_call_without_criteria_shows_no_criteria_table(client):
    make_call(code="NOCRIT-1")
    assert _nl("Evaluation criteria") not in _page(client.get("/calls/NOCRIT-1"))


def test_the_contact_is_saved_and_shown(client, login):
    make_call(
        code="CONTACT-1",
        contact_name="ESF-Agentschap, team e-leren",
        contact_email="eleren@esf.example",
    )
    page = _page(client.get("/calls/CONTACT-1"))
    assert "ESF-Agentschap, team e-leren" in page
    assert 'href="mailto:eleren@esf.example"' in page


def test_a_malformed_contact_email_is_refused_and_the_input_kept(client, login):
    call = make_call(code="CONTACT-2")
    login(make_user("official"))
    page = _page(client.get(f"/calls/{call.code}/edit"))
    assert _nl("Contact email address") in page
    form = {
        "code": call.code,
        "title": call.title,
        "description": "",
        "opens_at": "2020-01-01 09:00:00",
        "deadline": "2099-03-31 23:59:59",
        "budget_eur": "1000000",
        "max_request_eur": "150000",
        "min_own_contribution_pct": "10",
        "provider_types": ["public", "private"],
        "project_types": ["convert"],
        "technologies": ["vr"],
        "contact_name": "Team",
        "contact_email": "geen adres",
    }
    response = client.post(f"/calls/{call.code}/edit", data=form)
    assert response.status_code == 422
    page = _page(response)
    assert _nl("Enter an email address like info@example.be.") in page
    assert 'value="geen adres"' in page


@pytest.mark.parametrize(
    "address",
    [
        "<script>@example.be",  # characters no address has
        "info@example..be",  # two dots in a row
        "info@-example.be",  # a domain label starting with a hyphen
        "a,b@example.be",
        "info@example.be\u202e",  # an invisible direction override
        "info@example",  # no domain
        "info@" + "a" * 250 + ".be",  # longer than an address may be
    ],
)
def test_the_contact_email_is_checked_as_account_addresses_are(address):
    """email_validator, as for accounts: the looser shape check let all of these through."""
    with pytest.raises(ValidationFailed) as refused:
        make_call(code="CONTACT-3", contact_email=address)
    assert "contact_email" in refused.value.errors


def test_the_contact_email_is_kept_normalised():
    call = make_call(code="CONTACT-4", contact_email="  eleren@ESF.Example.be ")
    assert call.contact_email == calls.contact_address("eleren@esf.example.be")
    assert call.contact_email.endswith("@esf.example.be")


# ------------------------------------------------------------------ documents


def test_an_official_adds_a_document_that_everyone_downloads(client, login):
    call = make_call(code="DOC-1")
    login(make_user("official"))
    response = client.post(
        f"/calls/{call.code}/documents",
        data={"title": "Oproeptekst", "file": (io.BytesIO(PDF), "oproep\u202etxt.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    document = db.session.scalar(sa.select(CallDocument))
    assert document.title == "Oproeptekst" and document.filename == "oproeptxt.pdf"
    assert (
        db.session.scalar(
            sa.select(AuditRecord.action).where(AuditRecord.action == "call.document_added")
        )
        is not None
    )
    client.post("/auth/logout")
    page = _page(client.get("/calls/DOC-1"))
    assert "Oproeptekst" in page
    download = client.get(f"/calls/DOC-1/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "oproeptxt.pdf" in download.headers["Content-Disposition"]


def test_a_non_pdf_is_refused_with_the_title_kept(client, login):
    call = make_call(code="DOC-2")
    login(make_user("official"))
    response = client.post(
        f"/calls/{call.code}/documents",
        data={"title": "Begroting", "file": (io.BytesIO(b"MZ\x90"), "x.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = _page(response)
    assert _nl("The file is not a PDF. Save or export the document as PDF and try again.") in page
    assert 'value="Begroting"' in page
    assert db.session.scalar(sa.select(sa.func.count(CallDocument.id))) == 0


def test_documents_of_a_draft_call_stay_hidden_from_the_public(client):
    official = make_user("official")
    make_call(code="DOC-3", publish=False)
    document = documents.add_document(official, "DOC-3", "Ontwerp", "o.pdf", io.BytesIO(PDF))
    assert client.get(f"/calls/DOC-3/documents/{document.id}").status_code == 404
    applicant = make_user("applicant")
    with pytest.raises(NotFound):
        documents.document_file(applicant, "DOC-3", document.id)


def test_a_document_is_reachable_only_through_its_own_call(client):
    official = make_user("official")
    make_call(code="DOC-4")
    make_call(code="DOC-5")
    document = documents.add_document(official, "DOC-4", "Gids", "g.pdf", io.BytesIO(PDF))
    assert client.get(f"/calls/DOC-5/documents/{document.id}").status_code == 404
    assert client.get(f"/calls/DOC-4/documents/{document.id + 99}").status_code == 404


def test_only_officials_add_or_remove_documents():
    official = make_user("official")
    make_call(code="DOC-6")
    document = documents.add_document(official, "DOC-6", "Gids", "g.pdf", io.BytesIO(PDF))
    for role in ("applicant", "evaluator", "admin"):
        with pytest.raises(PermissionDenied):
            documents.add_document(make_user(role), "DOC-6", "X", "x.pdf", io.BytesIO(PDF))
        with pytest.raises(PermissionDenied):
            documents.remove_document(make_user(role), "DOC-6", document.id)
    documents.remove_document(official, "DOC-6", document.id)
    assert db.session.get(CallDocument, document.id) is None
    # the file stays: stored content is shared by hash and kept for the audit trail
    assert files.path_for(document.sha256).exists()


def test_a_document_needs_a_title():
    make_call(code="DOC-7")
    with pytest.raises(ValidationFailed) as caught:
        documents.add_document(make_user("official"), "DOC-7", " ", "g.pdf", io.BytesIO(PDF))
    assert "title" in caught.value.errors


def test_the_number_of_documents_is_limited():
    official = make_user("official")
    make_call(code="DOC-8")
    for n in range(documents.MAX_DOCUMENTS):
        documents.add_document(
            official, "DOC-8", f"D{n}", "d.pdf", io.BytesIO(PDF + str(n).encode())
        )
    with pytest.raises(ValidationFailed) as caught:
        documents.add_document(official, "DOC-8", "Nog een", "d.pdf", io.BytesIO(PDF))
    assert "file" in caught.value.errors
    assert Decimal(documents.MAX_DOCUMENTS) == 20


# ------------------------------------------------------------------ individual extensions


def test_an_extension_is_emailed_and_shown_to_the_organisation(client, login):
    call = make_call(code="EXT-1", deadline=utcnow() + timedelta(hours=1))
    organisation = make_organisation()
    member = make_user("applicant", organisation=organisation)
    outsider = make_user("applicant")
    new_deadline = call.deadline + timedelta(days=2)
    calls.grant_extension(
        make_user("official"),
        call.id,
        organisation.id,
        new_deadline,
        "Overmacht: brand in het opleidingscentrum",
    )
    messages = list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "deadline_extension")
        )
    )
    assert [m.recipient for m in messages] == [member.email]
    assert "Overmacht: brand" in messages[0].body and "EXT-1" in messages[0].subject
    # granting the same deadline again sends nothing more; a new deadline is news
    calls.grant_extension(make_user("official"), call.id, organisation.id, new_deadline, "Idem")
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.kind == "deadline_extension"
            )
        )
        == 1
    )

    login(member)
    page = _page(client.get("/calls/EXT-1"))
    assert (
        _nl(
            "%(organisation)s has its own deadline: %(deadline)s (Brussels time).",
            organisation=organisation.legal_name,
            deadline=format_brussels(new_deadline),
        )
        in page
    )
    client.post("/auth/logout")
    login(outsider)
    assert _nl("Extended") not in _page(client.get("/calls/EXT-1"))


def test_after_the_call_deadline_an_extended_organisation_can_still_start(client, login):
    call = make_call(code="EXT-2", deadline=utcnow() - timedelta(hours=1))
    organisation = make_organisation()
    member = make_user("applicant", organisation=organisation)
    login(make_user("applicant"))  # another organisation: the call is closed for them
    assert 'action="/proposals/new/EXT-2"' not in _page(client.get("/calls/EXT-2"))
    client.post("/auth/logout")
    calls.grant_extension(
        make_user("official"),
        call.id,
        organisation.id,
        call.deadline + timedelta(days=2),
        "Overmacht",
    )
    login(member)
    assert 'action="/proposals/new/EXT-2"' in _page(client.get("/calls/EXT-2"))
