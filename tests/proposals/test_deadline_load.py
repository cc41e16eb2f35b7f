"""Under load, over real HTTP: the deadline instant and optimistic locking hold.

The portal runs as in production (gunicorn, several processes and threads, CSRF on)
against the test session's database; requests really overlap.
"""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.calls.models import Call
from app.core.db import db
from app.core.email import OutboxMessage
from app.core.time import before_deadline, utcnow
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from tests.factories import make_call, make_organisation, make_proposal, make_user
from tests.proposals._http import (
    arrival_in_refusal,
    gunicorn_server,
    hidden_inputs,
    logged_in_session,
)
from tests.proposals.deadline_helpers import ON_POSTGRESQL, in_parallel

pytestmark = [pytest.mark.timeout(180), pytest.mark.slow]


@pytest.fixture(scope="module")
def portal(app, database_url, tmp_path_factory):
    """gunicorn --threads 8 on the session's (migrated) database; always stopped. Four
    workers for the fifty submitters on PostgreSQL; on SQLite only the two members' race
    runs, and two workers (each booting the whole app) serve it."""
    workers = 4 if ON_POSTGRESQL else 2
    # The fifty organisations log in at once from this test's one address (in production,
    # fifty addresses). With 32 server threads more than the 20 password checks one address
    # may have under way (app.auth.login) can be running, and the next login would rightly
    # be told to wait: the limit is raised here, the test is about the deadline.
    settings = {"PORTAL_LOGIN_THROTTLE_MAX_PER_ADDRESS": str(2 * SUBMITTERS)}
    with gunicorn_server(
        database_url, tmp_path_factory.mktemp("gunicorn"), workers=workers, settings=settings
    ) as server:
        yield server


def _fresh() -> None:
    """Forget what this process's session cached: the server wrote behind its back."""
    db.session.rollback()
    db.session.expire_all()


def _csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    page.raise_for_status()
    return hidden_inputs(page.text)["csrf_token"]


# ------------------------------------------------------------------------- the deadline

SUBMITTERS = 50
SPREAD = timedelta(seconds=1.5)
CROWD = timedelta(milliseconds=50)


@pytest.mark.postgres_only
@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="the load test targets PostgreSQL (TEST_DATABASE_URL=postgresql://...)",
)
def test_fifty_parallel_submissions_straddle_the_deadline(portal, one_password_hash):
    """Fifty organisations submit around the deadline: exactly those that arrived before
    the end of the deadline's second are accepted, each once, completely; the others
    change nothing and are told the precise moment their request arrived."""
    clock, log_start = time.monotonic(), portal.log_size()
    call = make_call(code="LOAD-1", deadline=utcnow() + timedelta(hours=1))
    users, proposals = [], []
    for _ in range(SUBMITTERS):
        user = make_user(organisation=make_organisation())
        users.append(user)
        proposals.append(make_proposal(call, user))
    ids = [proposal.id for proposal in proposals]
    emails = [user.email for user in users]  # threads have no app context: plain values
    before = {p.id: (p.revision, p.updated_at) for p in proposals}
    db.session.commit()

    def prepare(i):  # log in and open the check page, as an applicant would
        session = logged_in_session(portal.url, emails[i])
        token = _csrf_token(session, f"{portal.url}/proposals/{ids[i]}/check")
        session.close()  # no kept-alive connection: each submit opens its own
        return session, token

    setup_seconds = time.monotonic() - clock
    prepared = in_parallel(SUBMITTERS, prepare)
    login_seconds = time.monotonic() - clock - setup_seconds

    # Only now, with everyone ready, set the deadline a little ahead (stored to the second).
    deadline = (utcnow() + timedelta(seconds=2.6)).replace(microsecond=0)
    end = deadline + timedelta(seconds=1)  # 21:59:59 accepts up to 21:59:59.999999
    db.session.execute(sa.update(Call).where(Call.id == call.id).values(deadline=deadline))
    db.session.commit()
    # Half start evenly from 1.5 s before to 1.5 s after the end, so both groups exist
    # whatever the machine's load; the other half crowd the end itself (within 50 ms),
    # where the requests truly overlap.
    even, crowd = SUBMITTERS // 2, SUBMITTERS - SUBMITTERS // 2
    schedule = sorted(
        [end - SPREAD + i * (2 * SPREAD / (even - 1)) for i in range(even)]
        + [end - CROWD + i * (2 * CROWD / (crowd - 1)) for i in range(crowd)]
    )
    assert utcnow() < schedule[0] - timedelta(seconds=0.5), "setup overran the schedule"
    ready = threading.Barrier(SUBMITTERS)

    def submit(i):
        session, token = prepared[i]
        ready.wait(timeout=30)
        time.sleep(max(0.0, (schedule[i] - utcnow()).total_seconds()))
        sent = utcnow()
        response = session.post(
            f"{portal.url}/proposals/{ids[i]}/submit",
            timeout=60,
            data={"csrf_token": token, "declaration": "y"},
            allow_redirects=False,
        )
        return sent, response

    started = time.monotonic()
    try:
        outcomes = in_parallel(SUBMITTERS, submit)
    finally:
        for session, _token in prepared:
            session.close()
    firing_seconds = time.monotonic() - started

    statuses = [response.status_code for _sent, response in outcomes]
    assert set(statuses) <= {302, 409}, (statuses, portal.log_tail())
    _fresh()
    accepted, refused, lags = [], [], []
    for i, (sent, response) in enumerate(outcomes):
        proposal = db.session.get(Proposal, ids[i])
        versions = db.session.scalars(
            sa.select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
        ).all()
        submitted = db.session.scalars(
            sa.select(AuditRecord).where(
                AuditRecord.action == "proposal.submitted", AuditRecord.entity_id == proposal.id
            )
        ).all()
        messages = db.session.scalars(
            sa.select(OutboxMessage).where(
                OutboxMessage.kind == "proposal_submitted",
                OutboxMessage.dedupe_key.like(f"proposal-submitted:%:{users[i].id}"),
            )
        ).all()
        if response.status_code == 302:
            assert response.headers["Location"].endswith(f"/proposals/{proposal.id}")
            assert len(versions) == 1, (i, versions)
            version = versions[0]
            arrival = version.submitted_at
            assert version.number == 1 and version.submitted_by_id == users[i].id
            assert len(version.fingerprint) == 64
            assert proposal.status is ProposalStatus.submitted
            assert proposal.submitted_at == arrival
            assert [m.dedupe_key for m in messages] == [
                f"proposal-submitted:{version.id}:{users[i].id}"
            ]
            assert messages[0].recipient == emails[i]
            assert len(submitted) == 1
            assert submitted[0].after["received_at"] == arrival.isoformat()
            assert submitted[0].after["version"] == 1
            assert submitted[0].actor_id == users[i].id
            accepted.append(i)
        else:
            arrival = arrival_in_refusal(response.text, near=sent)
            assert arrival >= end, (i, arrival, end)
            assert proposal.status is ProposalStatus.draft
            assert proposal.submitted_at is None
            assert (proposal.revision, proposal.updated_at) == before[proposal.id]
            assert versions == [] and submitted == [] and messages == []
            refused.append(i)
        # The server's clock stamped the arrival; it cannot precede the sending.
        assert arrival >= sent - timedelta(milliseconds=5), (i, sent, arrival)
        lags.append((arrival - sent).total_seconds())
        # Exactly those received before the end of the deadline's second are accepted.
        assert (response.status_code == 302) == before_deadline(arrival, deadline), (
            i,
            response.status_code,
            arrival,
            deadline,
        )

    # Nothing else slipped in: totals match the accepted ones.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProposalVersion)) == len(
        accepted
    )
    assert db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.kind == "proposal_submitted")
    ) == len(accepted)
    assert db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditRecord)
        .where(AuditRecord.action == "proposal.submitted")
    ) == len(accepted)
    assert accepted and refused, (len(accepted), len(refused))
    assert not portal.server_errors(since=log_start), portal.log_tail()
    sent_in_time = sum(sent < end for i, (sent, _response) in enumerate(outcomes) if i in refused)
    print(
        f"\n{sent_in_time} refused request(s) left the client before the end but reached "
        f"the application after it"
    )
    print(
        f"accepted {len(accepted)}, refused {len(refused)}; setup {setup_seconds:.1f} s, "
        f"logins {login_seconds:.1f} s, firing {firing_seconds:.1f} s, checks "
        f"{time.monotonic() - started - firing_seconds:.1f} s; arrival after sending: median "
        f"{sorted(lags)[len(lags) // 2] * 1000:.1f} ms, max {max(lags) * 1000:.1f} ms"
    )


# ------------------------------------------------------------------------- optimistic locking

ROUNDS = 10


def _general(title: str, revision: str, token: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "revision": revision,
        "then": "overview",
        "title": title,
        "acronym": "VR-LAS",
        "project_type": "convert",
        "training_name": "Basisopleiding lassen",
        "training_current_form": "Klassikale opleiding in het atelier",
        "training_hours": "40",
        "training_reference": "OPL-12345",
    }


def test_two_members_saving_the_same_draft_at_once(portal, one_password_hash):
    """Two members open the same part and save different texts at the same moment, ten
    times over: one save wins, the other gets the conflict page with both texts, and
    nothing is overwritten silently."""
    organisation = make_organisation()
    members = [
        make_user(organisation=organisation, name=name) for name in ("Anna Peeters", "Bram Claes")
    ]
    proposal = make_proposal(make_call(code="LOAD-2"), members[0])
    proposal_id = proposal.id
    db.session.commit()
    log_start = portal.log_size()
    emails = [member.email for member in members]  # threads have no app context
    sessions = in_parallel(2, lambda i: logged_in_session(portal.url, emails[i]))
    try:
        winners = _race_rounds(portal, sessions, proposal_id, members)
    finally:
        for session in sessions:
            session.close()

    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "proposal.saved", AuditRecord.entity_id == proposal_id)
        )
        == 1 + ROUNDS
    )  # make_proposal's save, then one per round
    assert not portal.server_errors(since=log_start), portal.log_tail()
    print(f"\nwinners per round (0 = {members[0].name}, 1 = {members[1].name}): {winners}")


def _race_rounds(portal, sessions, proposal_id, members) -> list[int]:
    edit_url = f"{portal.url}/proposals/{proposal_id}/edit/general"
    member_ids = [member.id for member in members]
    names = [member.name for member in members]
    winners = []
    for round_number in range(1, ROUNDS + 1):
        _fresh()
        revision_before = db.session.get(Proposal, proposal_id).revision
        opened = [hidden_inputs(session.get(edit_url, timeout=30).text) for session in sessions]
        assert [form["revision"] for form in opened] == [str(revision_before)] * 2
        texts = [f"Ronde {round_number}: titel van {name}" for name in names]
        both_ready = threading.Barrier(2)

        def save(i, texts=texts, opened=opened, both_ready=both_ready):
            data = _general(texts[i], opened[i]["revision"], opened[i]["csrf_token"])
            both_ready.wait(timeout=30)
            return sessions[i].post(edit_url, data=data, timeout=60, allow_redirects=False)

        responses = in_parallel(2, save)
        statuses = [response.status_code for response in responses]
        assert sorted(statuses) == [302, 409], (round_number, statuses, portal.log_tail())
        winner, loser = (0, 1) if statuses[0] == 302 else (1, 0)
        conflict_page = responses[loser].text
        assert texts[loser] in conflict_page and texts[winner] in conflict_page, round_number
        # Saving again from the conflict page would knowingly build on the winner's save.
        assert hidden_inputs(conflict_page)["revision"] == str(revision_before + 1)
        _fresh()
        saved = db.session.get(Proposal, proposal_id)
        assert saved.title == texts[winner]
        assert saved.updated_by_id == member_ids[winner]
        assert saved.revision == revision_before + 1
        winners.append(winner)
    return winners


def test_helpers_read_the_refusal_moment():
    """The refusal page's moment is Brussels time; both autumn readings are handled."""
    page = "<p>... om 31-03-2027 23:59:59.000001 toe. ...</p>"
    assert arrival_in_refusal(page, near=datetime(2027, 3, 31, 22, tzinfo=UTC)) == datetime(
        2027, 3, 31, 21, 59, 59, 1, tzinfo=UTC
    )
    twice = "31-10-2027 02:30:00.000000"
    assert arrival_in_refusal(twice, near=datetime(2027, 10, 31, 1, 29, tzinfo=UTC)) == datetime(
        2027, 10, 31, 1, 30, tzinfo=UTC
    )
    assert arrival_in_refusal(twice, near=datetime(2027, 10, 31, 0, 29, tzinfo=UTC)) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )
