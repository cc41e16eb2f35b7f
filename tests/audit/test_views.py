"""The officials' audit log page, and the append-only rule."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.db import db
from tests.factories import make_user

ROW_ACTION = re.compile(r'data-action="([a-z_]+\.[a-z_.]+)"')


def row_actions(response) -> list[str]:
    assert response.status_code == 200
    return ROW_ACTION.findall(response.get_data(as_text=True))


def add_record(action: str, at: datetime, entity_id: int = 1) -> None:
    db.session.add(
        AuditRecord(
            at=at,
            action=action,
            entity_type="organisations",
            entity_id=entity_id,
            before={},
            after={"note": action},
        )
    )
    db.session.commit()


@pytest.fixture
def official_client(client, login):
    login(make_user("official"))
    return client


def test_official_sees_the_records(official_client):
    actions = row_actions(official_client.get("/audit/"))
    # the official's own account: created, membership none (not an applicant), logged in
    assert "user.created" in actions
    assert "user.logged_in" in actions


def test_filter_by_action(official_client):
    add_record("test.alpha", datetime(2024, 3, 1, 10, tzinfo=UTC))
    add_record("test.beta", datetime(2024, 3, 1, 11, tzinfo=UTC))
    assert row_actions(official_client.get("/audit/", query_string={"action": "test.alpha"})) == [
        "test.alpha"
    ]
    # the filter matches a prefix, e.g. every user.* action
    actions = row_actions(official_client.get("/audit/", query_string={"action": "user."}))
    assert actions and all(a.startswith("user.") for a in actions)


def test_filter_by_date_in_brussels_time(official_client):
    add_record("test.before", datetime(2024, 2, 29, 22, 30, tzinfo=UTC))  # 29 Feb 23:30
    add_record("test.on_the_day", datetime(2024, 2, 29, 23, 30, tzinfo=UTC))  # 1 Mar 00:30
    add_record("test.late_that_day", datetime(2024, 3, 1, 22, 30, tzinfo=UTC))  # 1 Mar 23:30
    add_record("test.after", datetime(2024, 3, 1, 23, 30, tzinfo=UTC))  # 2 Mar 00:30

    def actions(**args):
        return [
            a
            for a in row_actions(official_client.get("/audit/", query_string=args))
            if a.startswith("test.")
        ]

    assert actions(since="2024-03-01", until="2024-03-01") == [
        "test.late_that_day",
        "test.on_the_day",
    ]  # newest first
    assert actions(since="2024-03-02") == ["test.after"]
    assert actions(until="2024-02-29") == ["test.before"]
    # a malformed date is ignored rather than an error
    assert len(actions(since="gisteren")) == 4


def test_filter_by_object(official_client):
    add_record("test.one", datetime(2024, 3, 1, tzinfo=UTC), entity_id=41)
    add_record("test.two", datetime(2024, 3, 1, tzinfo=UTC), entity_id=42)
    actions = row_actions(
        official_client.get(
            "/audit/", query_string={"entity_type": "organisations", "entity_id": "42"}
        )
    )
    assert actions == ["test.two"]


@pytest.mark.parametrize("role", ["applicant", "evaluator"])
def test_others_get_403(client, login, role):
    login(make_user(role))
    assert client.get("/audit/").status_code == 403


def test_admin_sees_the_log_too(client, login):
    login(make_user("admin"))
    assert client.get("/audit/").status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_records_cannot_be_updated():
    make_user()
    record = db.session.scalar(sa.select(AuditRecord).limit(1))
    record.action = "tampered"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "tampered")
        )
        == 0
    )


def test_records_cannot_be_deleted():
    make_user()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord))
    record = db.session.scalar(sa.select(AuditRecord).limit(1))
    db.session.delete(record)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord)) == total


@pytest.mark.parametrize(
    "statement", [sa.update(AuditRecord).values(action="tampered"), sa.delete(AuditRecord)]
)
def test_bulk_statements_cannot_change_records_on_postgresql(statement):
    """A database trigger guards PostgreSQL; on SQLite only the ORM refuses."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL, the production database")
    make_user()
    try:
        with pytest.raises((RuntimeError, sa.exc.DBAPIError)):
            db.session.execute(statement)
            db.session.commit()
    finally:
        db.session.rollback()


@pytest.mark.parametrize(
    ("language", "saved", "unknown", "kind"),
    [
        ("nl", "Voorstel opgeslagen", "Proposal draft deleted", "Organisatie"),
        ("en", "Proposal saved", "Proposal draft deleted", "Organisation"),
    ],
)
def test_actions_are_shown_by_name_in_the_readers_language(
    official_client, language, saved, unknown, kind
):
    add_record("proposal.saved", datetime(2027, 1, 5, tzinfo=UTC))
    add_record("proposal.draft_deleted", datetime(2027, 1, 6, tzinfo=UTC))  # no name yet
    official_client.post("/language", data={"language": language})
    page = official_client.get("/audit/").get_data(as_text=True)
    assert f">{saved}</span>" in page and f">{unknown}</span>" in page
    assert f">{saved}</option>" in page  # the filter names them too
    assert f"{kind} 1</td>" in page
    # the code is only the filter's value (and the stored data's, as stored)
    assert 'data-action="proposal.saved">proposal.saved<' not in page
    assert ">proposal.saved</option>" not in page


def _changed_call_record() -> None:
    db.session.add(
        AuditRecord(
            at=datetime(2027, 1, 7, tzinfo=UTC),
            action="call.updated",
            entity_type="calls",
            entity_id=1,
            before={
                "budget_eur": "2000000.00",
                "deadline": "2027-03-31T21:59:59+00:00",
                "technologies": ["vr", "lms"],
                "second_approval": False,
                "mystery_key": "raw value",
            },
            after={
                "budget_eur": "2500000.00",
                "deadline": "2027-04-30T21:59:59+00:00",
                "technologies": ["vr", "ai", "lms"],
                "second_approval": True,
                "mystery_key": "other value",
            },
        )
    )
    db.session.commit()


def _row(page: str) -> str:
    start = page.index('data-action="call.updated"')
    return page[start : page.index("</tr>", start)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            [
                "<strong>Oproepbudget</strong>: <span>€ 2.000.000,00</span>",
                "<strong>Oproepbudget</strong>: <span>€ 2.500.000,00</span>",
                "<strong>Deadline</strong>: <span>31-03-2027 23:59:59</span>",
                "<strong>Deadline</strong>: <span>30-04-2027 23:59:59</span>",
                "<span>Virtual reality (VR), Artificiële intelligentie (AI), Leerplatform (LMS)",
                "<span>Nee</span>",
                "<span>Ja</span>",
                "Ruwe gegevens",
            ],
        ),
        (
            "en",
            [
                "<strong>Call budget</strong>: <span>€2,500,000.00</span>",
                "<strong>Deadline</strong>: <span>31 Mar 2027 23:59:59</span>",
                "<span>Virtual reality (VR), Artificial intelligence (AI), Learning platform (LMS)",
                "<span>No</span>",
                "<span>Yes</span>",
                "Raw data",
            ],
        ),
    ],
)
def test_before_and_after_are_readable_in_the_reader_s_language(
    official_client, language, expected
):
    _changed_call_record()
    official_client.post("/language", data={"language": language})
    row = _row(official_client.get("/audit/").get_data(as_text=True))
    for text in expected:
        assert text in row, text
    assert "budget_eur" not in row.split("<details")[0]  # the readable list names the keys
    assert "2027-03-31T21:59:59" not in row.split("<details")[0]


def test_an_unknown_key_is_shown_as_stored_and_the_raw_data_keeps_everything(official_client):
    _changed_call_record()
    row = _row(official_client.get("/audit/").get_data(as_text=True))
    assert '<code class="portal-audit__key" translate="no">mystery_key</code>' in row
    assert '<span translate="no">raw value</span>' in row
    assert row.count('<details class="govuk-details portal-audit__raw">') == 2  # before, after
    raw = re.findall(r'<pre class="portal-audit__json" translate="no">(.*?)</pre>', row, re.S)
    assert len(raw) == 2
    assert "&#34;budget_eur&#34;: &#34;2000000.00&#34;" in raw[0]
    assert "&#34;deadline&#34;: &#34;2027-04-30T21:59:59+00:00&#34;" in raw[1]
    assert "&#34;second_approval&#34;: true" in raw[1]
    # named values in the reader's language are for translation; the list as a whole is not
    assert 'portal-audit__data" translate="no"' not in row


def test_a_record_without_data_shows_neither_a_list_nor_raw_data(official_client):
    add_record("test.empty", datetime(2027, 1, 8, tzinfo=UTC))
    page = official_client.get("/audit/", query_string={"action": "test.empty"})
    row = page.get_data(as_text=True)
    start = row.index('data-action="test.empty"')
    cells = row[start : row.index("</tr>", start)]
    assert cells.count("<details") == 1  # the after side ({"note": ...}) only
