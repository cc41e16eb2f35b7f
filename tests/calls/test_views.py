"""Call pages through HTTP: officials manage calls, everyone reads published ones."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from markupsafe import escape

from app.audit.models import AuditRecord
from app.calls import services
from app.calls.models import Call, CallPhase, CallStatus
from app.calls.services import parse_local
from app.core.db import db
from app.core.time import utcnow
from tests.factories import make_call, make_organisation, make_user


def _nl(message: str, **variables) -> str:
    """The Dutch text of an interface message (the default language), as HTML shows it."""
    with force_locale("nl"):
        return str(escape(gettext(message, **variables)))


def _form(**overrides) -> dict:
    data = {
        "code": "ESF-ELEREN-2027",
        "title": "ESF e-leren 2027",
        "description": "Oproep voor e-learningprojecten.\n\nTweede alinea.",
        "opens_at": "2027-01-15 09:00:00",
        "deadline": "2027-03-31 23:59:59",
        "budget_eur": "2.000.000,00",
        "max_request_eur": "150000",
        "min_own_contribution_pct": "12,5",
        "project_start_earliest": "2027-09-01",
        "project_end_latest": "2029-08-31",
        "provider_types": ["public", "private"],
        "project_types": ["convert", "new"],
        "technologies": ["vr", "ar", "ai", "lms"],
    }
    data.update(overrides)
    return _as_boxes(data, "opens_at", "deadline")


def _as_boxes(data: dict, *names: str) -> dict:
    """'2027-03-31 23:59:59' sent as the page sends it: a date box and a time box."""
    for name in names:
        if name in data:
            day, _, clock = data.pop(name).partition(" ")
            data[f"{name}-date"], data[f"{name}-time"] = day, clock
    return data


def _calls() -> list[Call]:
    return list(db.session.scalars(sa.select(Call)))


def _page(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ creating a call


def test_an_official_creates_a_call_through_the_form(client, as_role):
    official = as_role("official")
    page = client.get("/calls/new")
    assert page.status_code == 200
    assert 'name="deadline-date" type="date"' in _page(page)
    assert 'name="deadline-time" type="time"' in _page(page)
    assert _nl("Brussels time (Europe/Brussels).") in _page(page)

    response = client.post("/calls/new", data=_form())
    assert response.status_code == 302, _page(response)
    assert urlsplit(response.headers["Location"]).path == "/calls/ESF-ELEREN-2027"
    [call] = _calls()
    assert call.phase is CallPhase.draft
    assert call.deadline == datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC)  # summer time
    assert call.opens_at == datetime(2027, 1, 15, 8, 0, tzinfo=UTC)  # winter time
    assert call.budget_eur == Decimal("2000000.00")
    assert call.max_request_eur == Decimal("150000.00")
    assert call.min_own_contribution_pct == Decimal("12.50")
    assert call.project_types == ["convert", "new"]
    assert call.technologies == ["vr", "ar", "ai", "lms"]
    record = db.session.scalar(sa.select(AuditRecord).where(AuditRecord.action == "call.created"))
    assert record.actor_id == official.id


def test_bad_input_is_shown_in_dutch_on_its_fields_and_nothing_is_saved(client, as_role):
    if _nl("There is a problem") == "There is a problem":
        pytest.skip("the Dutch catalogue is not compiled (make translations)")
    as_role("official")
    response = client.post(
        "/calls/new",
        data=_form(
            title="",
            opens_at="2027-02-30 09:00",
            deadline="2027-03-28 02:30:00",
            budget_eur="veel",
            technologies=[],
        ),
    )
    assert response.status_code == 422
    page = _page(response)
    assert 'lang="nl"' in page
    assert "Er is een probleem" in page  # the error summary
    assert _nl("Enter a title for the call.") in page
    assert _nl("Enter a real date and a time like 23:59.") in page
    assert (
        _nl(
            "This time does not exist in Brussels: the clocks go forward an hour that "
            "night. Choose another time."
        )
        in page
    )
    assert (
        _nl("Enter an amount in euro, for example 150000 or 150.000,00, with at most two decimals.")
        in page
    )
    assert _nl("Choose at least one technology.") in page
    assert 'href="#deadline"' in page  # the summary links to the field
    assert 'value="2027-03-28"' in page and 'value="02:30:00"' in page  # kept as typed
    assert _calls() == []


def test_the_services_rules_show_on_the_form(client, as_role):
    as_role("official")
    make_call(code="ESF-BEZET")
    response = client.post(
        "/calls/new", data=_form(code="esf-bezet", deadline="2027-01-01 00:00:00")
    )
    assert response.status_code == 422
    page = _page(response)
    assert _nl("The deadline must be after the opening moment.") in page
    assert _nl("The code %(code)s is already used by another call.", code="ESF-BEZET") in page
    assert len(_calls()) == 1


@pytest.mark.parametrize("role", ["applicant", "evaluator", "admin"])
def test_others_may_not_manage_calls(client, as_role, role):
    call = make_call(code="ESF-VAST")
    as_role(role)
    assert client.get("/calls/new").status_code == 403
    assert client.post("/calls/new", data=_form()).status_code == 403
    assert client.get("/calls/ESF-VAST/edit").status_code == 403
    assert client.post("/calls/ESF-VAST/edit", data=_form(code="ESF-VAST")).status_code == 403
    assert client.post("/calls/ESF-VAST/close", data={"reason": "x"}).status_code == 403
    assert client.post("/calls/ESF-VAST/extensions", data={}).status_code == 403
    assert len(_calls()) == 1
    db.session.refresh(call)
    assert call.closed_at is None


def test_anonymous_visitors_are_sent_to_log_in(client):
    make_call(code="ESF-VAST")
    response = client.get("/calls/new")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"


# ------------------------------------------------------------------ who sees what


def test_drafts_are_404_for_everyone_but_officials(client, login):
    make_call(code="ESF-CONCEPT", title="Geheim concept", publish=False)
    for path in ("/calls/ESF-CONCEPT", "/calls/ESF-CONCEPT/deadline.ics"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Geheim concept" not in _page(response)
    assert "Geheim concept" not in _page(client.get("/calls/"))

    login(make_user("applicant"))
    assert client.get("/calls/ESF-CONCEPT").status_code == 404
    assert "Geheim concept" not in _page(client.get("/calls/"))


def test_officials_see_drafts_in_the_list_with_a_new_call_button(client, as_role):
    make_call(code="ESF-CONCEPT", title="Geheim concept", publish=False)
    as_role("official")
    page = _page(client.get("/calls/"))
    assert "Geheim concept" in page
    assert 'href="/calls/new"' in page
    assert client.get("/calls/ESF-CONCEPT").status_code == 200


def test_the_public_list_shows_status_and_deadline_in_brussels_time(client):
    make_call(
        code="ESF-2021",
        title="Oproep 2021",
        opens_at=parse_local("2021-01-15 09:00"),
        deadline=parse_local("2021-03-31 23:59:59"),
    )
    page = _page(client.get("/calls/"))
    assert "Oproep 2021" in page
    assert "31-03-2021 23:59:59" in page
    assert _nl("Closed") in page
    assert 'href="/calls/new"' not in page


def test_the_detail_page_shows_the_deadline_in_brussels_time(client):
    make_call(
        code="ESF-2021",
        opens_at=parse_local("2021-01-15 09:00"),
        deadline=parse_local("2021-03-31 23:59:59"),
        description="Over e-leren.",
        budget_eur=Decimal("2500000.00"),
        max_request_eur=Decimal("150000.00"),
        technologies=["vr", "ai"],
        provider_types=["private"],
    )
    response = client.get("/calls/esf-2021")  # the code is not case-sensitive
    assert response.status_code == 200
    page = _page(response)
    assert "31-03-2021 23:59:59" in page
    assert "21:59:59" not in page  # never the UTC wall-clock time
    assert "€ 2.500.000,00" in page
    assert "€ 150.000,00" in page
    assert "Over e-leren." in page
    assert 'href="/calls/ESF-2021/deadline.ics"' in page
    assert _nl("The call is closed.") in page
    assert "data-deadline" not in page  # no live countdown for a closed call
    assert "/proposals/new/" not in page


def test_an_open_call_has_a_live_countdown(client):
    deadline = (utcnow() + timedelta(days=2, hours=3)).replace(microsecond=0)
    make_call(code="ESF-OPEN", deadline=deadline)
    page = _page(client.get("/calls/ESF-OPEN"))
    iso = deadline.isoformat().replace("+00:00", "Z")
    assert f'data-deadline="{iso}"' in page
    assert 'role="timer"' in page
    match = re.search(r'role="timer"[^>]*>([^<]*)<', page)
    assert match and re.search(r"\b2 (dagen|days)\b", match.group(1)), page


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "The call is closed."),
        (-5, "The call is closed."),
        (1, "1 second left"),
        (61, "1 minute and 1 second left"),
        (3600, "1 hour, 0 minutes and 0 seconds left"),
        (2 * 86400 + 3 * 3600 + 4 * 60 + 5, "2 days, 3 hours, 4 minutes and 5 seconds left"),
    ],
)
def test_the_remaining_time_in_words(app, seconds, text):
    from app.core.countdown import remaining_text

    with app.test_request_context(), force_locale("en"):
        assert remaining_text(seconds) == text


def test_seconds_left_includes_the_deadlines_stated_second():
    from app.core.countdown import seconds_left

    deadline = datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC)
    assert seconds_left(deadline, deadline - timedelta(seconds=59)) == 60
    assert seconds_left(deadline, deadline + timedelta(microseconds=500000)) == 1
    assert seconds_left(deadline, deadline + timedelta(seconds=1)) == 0
    assert seconds_left(deadline, deadline + timedelta(days=1)) == 0


def test_an_applicant_can_start_a_proposal_on_an_open_call(client, login, app):
    make_call(code="ESF-OPEN")
    login(make_user("applicant"))
    page = _page(client.get("/calls/ESF-OPEN"))
    if "proposals.new" in app.view_functions:
        assert 'action="/proposals/new/ESF-OPEN"' in page
        assert 'method="post"' in page


def test_no_start_button_for_officials_or_on_closed_calls(client, login):
    now = utcnow()
    make_call(code="ESF-OPEN")
    make_call(code="ESF-DICHT", opens_at=now - timedelta(days=9), deadline=now - timedelta(days=1))
    login(make_user("applicant"))
    assert "/proposals/new/" not in _page(client.get("/calls/ESF-DICHT"))
    client.post("/auth/logout")
    login(make_user("official"))
    assert "/proposals/new/" not in _page(client.get("/calls/ESF-OPEN"))


def test_the_home_page_lists_open_calls_for_anonymous_visitors(client):
    now = utcnow()
    make_call(code="ESF-OPEN", title="Open oproep")
    make_call(
        code="ESF-DICHT",
        title="Gesloten oproep",
        opens_at=now - timedelta(days=9),
        deadline=now - timedelta(days=1),
    )
    make_call(code="ESF-CONCEPT", title="Concept oproep", publish=False)
    page = _page(client.get("/"))
    assert "Open oproep" in page
    assert 'href="/calls/ESF-OPEN"' in page
    assert "Gesloten oproep" not in page
    assert "Concept oproep" not in page
    assert _nl("Register your organisation") in page  # the existing content stays


def test_the_menu_has_calls_for_everyone_logged_in(client, as_role):
    as_role("evaluator")
    assert 'href="/calls/"' in _page(client.get("/auth/profile"))


# ------------------------------------------------------------------ the .ics file


def test_the_ics_file_has_the_deadline_in_utc_and_an_alarm_a_day_before(client):
    call = make_call(
        code="ESF-2027",
        title="ESF e-leren 2027; blended, met VR",
        opens_at=parse_local("2027-01-15 09:00"),
        deadline=parse_local("2027-03-31 23:59:59"),
    )
    response = client.get("/calls/ESF-2027/deadline.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    text = raw.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
    unfolded = text.replace("\r\n ", "")
    lines = unfolded.split("\r\n")
    assert "VERSION:2.0" in lines
    assert "DTSTART:20270331T215959Z" in lines
    assert "BEGIN:VALARM" in lines
    assert "TRIGGER;RELATED=START:-P1D" in lines
    assert "ACTION:DISPLAY" in lines
    assert lines.index("BEGIN:VALARM") > lines.index("BEGIN:VEVENT")
    assert any(line.startswith("PRODID:") for line in lines)
    assert any(re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", line) for line in lines)
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert "ESF e-leren 2027\\; blended\\, met VR" in summary
    uid = next(line for line in lines if line.startswith("UID:"))
    assert uid == f"UID:call-{call.id}-deadline@localhost"

    # the UID stays when the call number changes
    services.update_call(
        make_user("official"),
        call.id,
        services.CallInput(
            code="ESF-2027-B", title=call.title, opens_at=call.opens_at, deadline=call.deadline
        ),
    )
    again = client.get("/calls/ESF-2027-B/deadline.ics").get_data(as_text=True)
    assert uid + "\r\n" in again


def test_long_ics_lines_are_folded_without_splitting_characters():
    from app.calls.ics import fold

    line = "SUMMARY:" + "é" * 80
    folded = fold(line)
    chunks = folded.encode("utf-8").split(b"\r\n ")
    assert all(len(chunk) <= 75 for chunk in chunks)
    assert [chunk.decode("utf-8") for chunk in chunks]  # each chunk is valid UTF-8
    assert folded.replace("\r\n ", "") == line
    assert fold("SUMMARY:kort") == "SUMMARY:kort"


# ------------------------------------------------------------------ edit, publish, close


def test_the_edit_form_shows_the_times_in_brussels_with_seconds(client, as_role):
    make_call(
        code="ESF-2027",
        opens_at=parse_local("2027-01-15 09:00"),
        deadline=parse_local("2027-03-31 23:59:59"),
        publish=False,
    )
    as_role("official")
    page = _page(client.get("/calls/ESF-2027/edit"))
    assert 'name="deadline-date" type="date" value="2027-03-31"' in page
    assert 'name="deadline-time" type="time" step="1" value="23:59:59"' in page
    assert 'name="opens_at-date" type="date" value="2027-01-15"' in page
    assert 'name="opens_at-time" type="time" step="1" value="09:00"' in page
    assert 'value="1000000,00"' in page


def test_an_official_edits_publishes_and_closes_a_call(client, as_role):
    now = utcnow()
    call = make_call(code="ESF-2027", publish=False, opens_at=now - timedelta(days=1))
    as_role("official")
    response = client.post(
        "/calls/ESF-2027/edit",
        data=_form(
            code="ESF-2027",
            title="Nieuwe titel",
            opens_at=services.brussels_input(call.opens_at),
            deadline=services.brussels_input(call.deadline),
        ),
    )
    assert response.status_code == 302, _page(response)
    db.session.refresh(call)
    assert call.title == "Nieuwe titel"

    assert 'action="/calls/ESF-2027/publish"' in _page(client.get("/calls/ESF-2027"))
    response = client.post("/calls/ESF-2027/publish")
    assert response.status_code == 302
    db.session.refresh(call)
    assert call.status is CallStatus.open

    page = client.get("/calls/ESF-2027/close")
    assert page.status_code == 200
    response = client.post("/calls/ESF-2027/close", data={"reason": ""})
    assert response.status_code == 422
    assert _nl("Give the reason for closing the call early.") in _page(response)
    response = client.post("/calls/ESF-2027/close", data={"reason": "Fout in de oproepfiche"})
    assert response.status_code == 302
    db.session.refresh(call)
    assert call.closed_at is not None
    assert call.closed_reason == "Fout in de oproepfiche"
    assert "Fout in de oproepfiche" in _page(client.get("/calls/ESF-2027"))


def test_publishing_twice_explains_instead_of_failing(client, as_role):
    make_call(code="ESF-2027")
    as_role("official")
    response = client.post("/calls/ESF-2027/publish", follow_redirects=True)
    assert response.status_code == 200
    assert _nl("This call has already been published.") in _page(response)


def test_an_official_grants_an_extension(client, as_role):
    call = make_call(
        code="ESF-2027",
        opens_at=parse_local("2026-01-15 09:00"),
        deadline=parse_local("2027-03-31 23:59:59"),
    )
    organisation = make_organisation(legal_name="Leerhuis vzw")
    as_role("official")
    page = _page(client.get("/calls/ESF-2027/extensions"))
    assert f"Leerhuis vzw ({organisation.enterprise_number})" in page

    response = client.post(
        "/calls/ESF-2027/extensions",
        data={
            "organisation_id": str(organisation.id),
            "deadline": "2027-03-31 23:59:59",
            "reason": "Storing",
        },
    )
    assert response.status_code == 422
    assert _nl(
        "The extended deadline must be after the call's deadline (%(deadline)s).",
        deadline="31-03-2027 23:59:59",
    ) in _page(response)

    response = client.post(
        "/calls/ESF-2027/extensions",
        data={
            "organisation_id": str(organisation.id),
            "deadline-date": "2027-04-02",
            "deadline-time": "12:00",
            "reason": "Storing bij de indiening",
        },
    )
    assert response.status_code == 302
    assert services.deadline_for(call, organisation.id) == parse_local("2027-04-02 12:00")
    page = _page(client.get("/calls/ESF-2027/extensions"))
    assert "02-04-2027 12:00:00" in page
    assert "Storing bij de indiening" in page
    record = db.session.scalar(
        sa.select(AuditRecord).where(AuditRecord.action == "call.extension_granted")
    )
    assert record.reason == "Storing bij de indiening"


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (
            {"deadline-date": "", "deadline-time": "12:00"},
            "Enter the date, for example 31-03-2027.",
        ),
        (
            {"deadline-date": "2027-04-02", "deadline-time": ""},
            "Enter the time, for example 23:59.",
        ),
        (
            {"deadline-date": "2027-03-28", "deadline-time": "02:30"},
            "This time does not exist in Brussels: the clocks go forward an hour that night. "
            "Choose another time.",
        ),
    ],
)
def test_the_extension_deadline_boxes_explain_what_is_missing(client, as_role, boxes, message):
    make_call(
        code="ESF-2027",
        opens_at=parse_local("2026-01-15 09:00"),
        deadline=parse_local("2027-03-27 23:59:59"),
    )
    organisation = make_organisation()
    as_role("official")
    response = client.post(
        "/calls/ESF-2027/extensions",
        data={"organisation_id": str(organisation.id), "reason": "Storing", **boxes},
    )
    assert response.status_code == 422
    page = _page(response)
    assert _nl(message) in page
    assert 'href="#deadline"' in page and 'id="deadline" name="deadline-date"' in page


def test_the_extension_form_speaks_english_too(client, as_role):
    make_call(code="ESF-2027")
    as_role("official")
    client.post("/language", data={"language": "en"})
    page = _page(client.get("/calls/ESF-2027/extensions"))
    assert "Brussels time (Europe/Brussels)." in page and ">Date</label>" in page


def test_an_extension_needs_an_organisation(client, as_role):
    make_call(code="ESF-2027")
    as_role("official")
    response = client.post(
        "/calls/ESF-2027/extensions",
        data={"organisation_id": "", "deadline": "2099-01-01 00:00:00", "reason": "x"},
    )
    assert response.status_code == 422
    assert _nl("Choose an organisation.") in _page(response)


def test_editing_an_open_call_keeps_its_times_when_they_are_not_changed(client, as_role):
    call = make_call(code="ESF-OPEN")  # times with microseconds, as from utcnow()
    opens_at, deadline = call.opens_at, call.deadline
    assert opens_at.microsecond or deadline.microsecond
    as_role("official")
    response = client.post(
        "/calls/ESF-OPEN/edit",
        data=_form(
            code="ESF-OPEN",
            title="Andere titel",
            opens_at=services.brussels_input(opens_at),
            deadline=services.brussels_input(deadline),
            budget_eur="1000000",
            max_request_eur="150000",
        ),
    )
    assert response.status_code == 302, _page(response)
    db.session.refresh(call)
    assert call.title == "Andere titel"
    assert (call.opens_at, call.deadline) == (opens_at, deadline)
