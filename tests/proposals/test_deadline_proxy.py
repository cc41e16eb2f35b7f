"""The last second before the deadline, through the production set-up: nginx in front of
gunicorn, both on 127.0.0.1, with the configuration README "Production" documents.

nginx stamps each request's arrival (X-Request-Start) and the portal, by default, trusts
that stamp from the local proxy; so a request that reached the proxy before the deadline
counts as on time even when it waited behind busy workers. Exactly the requests nginx
stamped before the end of the deadline's second are accepted: none is wrongly refused.
"""

import os
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.calls.models import Call
from app.core.db import db
from app.core.time import before_deadline, parse_request_start, utcnow
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
from tests.factories import make_call, make_organisation, make_proposal, make_user
from tests.proposals._http import (
    arrival_in_refusal,
    gunicorn_server,
    hidden_inputs,
    logged_in_session,
    nginx_available,
    nginx_proxy,
)
from tests.proposals.deadline_helpers import ON_POSTGRESQL, in_parallel

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow, pytest.mark.postgres_only]

SUBMITTERS = 30
BEFORE, AFTER = 24, 6  # in the last second before the end, and just after it


def _require_nginx() -> None:
    if not nginx_available():
        message = "nginx is missing: `make test` installs Debian's nginx (apt-get install nginx)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def production(app, database_url, tmp_path_factory):
    """gunicorn with few workers (so requests queue in the burst) behind nginx."""
    _require_nginx()
    work = tmp_path_factory.mktemp("proxied")
    with (
        gunicorn_server(database_url, work, workers=2, threads=2) as portal,
        nginx_proxy(portal.url.removeprefix("http://"), work / "nginx") as proxy,
    ):
        yield portal, proxy


@pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="the load test targets PostgreSQL (TEST_DATABASE_URL=postgresql://...)",
)
def test_the_last_second_through_nginx_refuses_no_request_that_arrived_in_time(
    production, one_password_hash
):
    portal, proxy = production
    log_start = portal.log_size()
    call = make_call(code="PROXY-1", deadline=utcnow() + timedelta(hours=1))
    users = [make_user(organisation=make_organisation()) for _ in range(SUBMITTERS)]
    ids = [make_proposal(call, user).id for user in users]
    emails = [user.email for user in users]
    db.session.commit()

    def prepare(i):  # log in and open the check page through the proxy, as a browser would
        session = logged_in_session(proxy.url, emails[i])
        page = session.get(f"{proxy.url}/proposals/{ids[i]}/check", timeout=60)
        page.raise_for_status()
        session.close()
        return session, hidden_inputs(page.text)["csrf_token"]

    prepared = in_parallel(SUBMITTERS, prepare, timeout=150)
    proxy.access_log.write_text("")  # from here on: the submissions only

    deadline = (utcnow() + timedelta(seconds=2.6)).replace(microsecond=0)
    end = deadline + timedelta(seconds=1)  # the deadline's whole second counts
    schedule = sorted(
        [
            end - timedelta(seconds=1) + i * timedelta(seconds=0.95) / (BEFORE - 1)
            for i in range(BEFORE)
        ]
        + [
            end + timedelta(seconds=0.05) + i * timedelta(seconds=0.25) / (AFTER - 1)
            for i in range(AFTER)
        ]
    )
    db.session.execute(sa.update(Call).where(Call.id == call.id).values(deadline=deadline))
    db.session.commit()
    assert utcnow() < schedule[0] - timedelta(seconds=0.3), "setup overran the schedule"
    ready = threading.Barrier(SUBMITTERS)

    def submit(i):
        session, token = prepared[i]
        ready.wait(timeout=30)
        time.sleep(max(0.0, (schedule[i] - utcnow()).total_seconds()))
        sent = utcnow()
        response = session.post(
            f"{proxy.url}/proposals/{ids[i]}/submit",
            timeout=120,
            data={"csrf_token": token, "declaration": "y"},
            allow_redirects=False,
        )
        session.close()
        return sent, response

    outcomes = in_parallel(SUBMITTERS, submit, timeout=150)

    statuses = [response.status_code for _sent, response in outcomes]
    assert set(statuses) <= {302, 409}, (statuses, portal.log_tail())
    stamps = {}
    for stamp, seconds, status, method, uri in proxy.arrivals():
        if method == "POST" and uri.endswith("/submit"):
            stamps[int(uri.split("/")[2])] = (parse_request_start(f"t={stamp}"), seconds, status)
    assert sorted(stamps) == sorted(ids), proxy.arrivals()

    db.session.rollback()
    db.session.expire_all()
    wrongly_refused = wrongly_accepted = answered_after_end = 0
    accepted = refused = 0
    for i, (sent, response) in enumerate(outcomes):
        stamped, seconds, status = stamps[ids[i]]
        assert status == response.status_code
        assert stamped >= sent - timedelta(milliseconds=5), (i, sent, stamped)
        on_time = before_deadline(stamped, deadline)
        proposal = db.session.get(Proposal, ids[i])
        versions = db.session.scalars(
            sa.select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
        ).all()
        if response.status_code == 302:
            accepted += 1
            wrongly_accepted += not on_time
            # The portal counted the proxy's stamp, not the moment a worker got to it.
            assert [v.submitted_at for v in versions] == [stamped], (i, versions, stamped)
            assert proposal.status is ProposalStatus.submitted
            answered_after_end += stamped + timedelta(seconds=seconds) >= end
        else:
            refused += 1
            wrongly_refused += on_time
            assert arrival_in_refusal(response.text, near=sent) == stamped, i
            assert versions == [] and proposal.status is ProposalStatus.draft
    print(
        f"\nthrough nginx: accepted {accepted}, refused {refused}; wrongly refused "
        f"{wrongly_refused}, wrongly accepted {wrongly_accepted}; {answered_after_end} "
        f"accepted request(s) were answered only after the end of the deadline's second; "
        f"slowest answer {max(s for _t, s, _st in stamps.values()) * 1000:.0f} ms"
    )
    assert wrongly_refused == 0 and wrongly_accepted == 0
    # Those sent after the end cannot carry an earlier stamp; the early ones make it.
    assert accepted >= 1 and refused >= AFTER
    assert not portal.server_errors(since=log_start), portal.log_tail()
