"""``seed-demo``: this year's open call, last year's call with its proposals evaluated to a
published decision, idempotency."""

import hashlib
import os
import shutil
import subprocess
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditRecord
from app.auth import login as auth_login
from app.auth import services as auth_services
from app.calls.models import Call, CallStatus, ProjectType
from app.core import files
from app.core.db import db
from app.core.permissions import Role
from app.core.time import to_brussels
from app.demo import attachments, content, dates
from app.demo import calls as demo_calls
from app.demo import evaluation as demo_evaluation
from app.demo import plans as demo_plans
from app.demo.accounts import DEMO_PASSWORD
from app.monitoring.models import Enrolment, FundedProject, Mode
from app.organisations.enterprise_number import is_valid
from app.organisations.models import Organisation, ProviderType
from app.proposals import eligibility as proposal_eligibility
from app.proposals import services as proposals
from app.proposals import versions as proposal_versions
from app.proposals.models import Proposal, ProposalStatus
from app.reviews import facts
from app.reviews import overview as review_overview
from app.reviews.models import (
    Admissibility,
    AdmissibilityCheck,
    Affiliation,
    Assignment,
    AssignmentStatus,
    ConsensusScore,
    Outcome,
    ReviewStatus,
)
from app.reviews.rules import criteria as criteria_rules

TODAY = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


@pytest.fixture
def pdfs_laid_out_once_per_run(monkeypatch, tmp_path_factory):
    """The demo's attachments laid out by WeasyPrint once per run, whichever worker seeds
    first: the same HTML always gives the same PDF bytes (``attachments.Pdf``), so a seed in
    another worker reads them from a folder the workers share."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's own
    folder = shared / "demo-pdfs"
    folder.mkdir(exist_ok=True)
    lay_out = attachments._pdf

    def _pdf(html: str) -> bytes:
        path = folder / f"{hashlib.sha256(html.encode()).hexdigest()}.pdf"
        if path.exists():
            return path.read_bytes()
        content = lay_out(html)
        written = path.with_name(f"{path.name}.{os.getpid()}")
        written.write_bytes(content)
        written.replace(path)  # whole or not at all, for a worker reading it
        return content

    monkeypatch.setattr(attachments, "_pdf", _pdf)


# The demo's enrolments: fewer than the 110,000 of `make run` (the same code, a tenth of
# the rows: about 9 s less per seed on a 2-core machine).
ENROLMENTS = 11_000


def _seed(runner) -> str:
    result = runner.invoke(args=["seed-demo", "--enrolments", str(ENROLMENTS)])
    assert result.exit_code == 0, result.output
    return result.output


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _call(code: str) -> Call:
    call = db.session.scalar(sa.select(Call).where(Call.code == code))
    assert call is not None, code
    return call


def _proposals(call: Call) -> list[Proposal]:
    return list(
        db.session.scalars(
            sa.select(Proposal).where(Proposal.call_id == call.id).order_by(Proposal.id)
        )
    )


def _is_pdf_on_disk(sha256: str) -> bool:
    content = files.path_for(sha256).read_bytes()
    return content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")


# The whole demo, twice: about 40 s on a quiet 2-core machine; room for a loaded one.
@pytest.mark.timeout(900)
@pytest.mark.slow
@pytest.mark.usefixtures("pdfs_laid_out_once_per_run")
def test_seed_demo_builds_the_open_and_the_closed_call_once(runner):
    with time_machine.travel(TODAY, tick=False):
        started = time.perf_counter()
        output = _seed(runner)
        print(f"seed-demo took {time.perf_counter() - started:.1f} s")  # shown with -s
        counts = _counts()
        assert _seed(runner) == output  # the second run creates nothing ...
        db.session.expire_all()
        assert _counts() == counts  # ... and changes no count

    lines = output.strip().splitlines()
    # One "ROLE EMAIL PASSWORD" line per demo account, each able to log in with that role.
    accounts = [
        line.split()
        for line in lines
        if not line.startswith(("call ", "evaluation ", "monitoring:"))
    ]
    assert all(len(account) == 3 for account in accounts), accounts
    assert {"applicant", "evaluator", "official", "admin"} <= {role for role, *_ in accounts}
    for role, email, password in accounts:
        user = auth_login.authenticate(email, password, address="127.0.0.1")
        assert Role(role) in user.roles
    assert any(
        line.startswith("call ESF-ELEREN-2027 (open) deadline 31-03-2027 23:59:59 ")
        for line in lines
    ), output
    assert any(
        line.startswith("call ESF-ELEREN-2026 (decided) deadline 31-03-2026 23:59:59 ")
        for line in lines
    ), output
    assert any(
        line.startswith("evaluation ESF-ELEREN-2026: ") and "decision 1 published" in line
        for line in lines
    ), output

    # This year's call: open, closing at 23:59:59 Brussels time on the next 31 March.
    open_call = _call("ESF-ELEREN-2027")
    assert open_call.deadline == datetime(2027, 3, 31, 21, 59, 59, tzinfo=UTC)
    assert open_call.opens_at <= TODAY
    assert open_call.status_at(TODAY) is CallStatus.open
    assert open_call.budget_eur == Decimal("4500000.00")
    assert open_call.max_request_eur == Decimal("150000.00")
    assert open_call.min_own_contribution_pct == Decimal("10.00")
    assert (open_call.project_start_earliest, open_call.project_end_latest) == (
        date(2027, 7, 1),
        date(2028, 12, 31),
    )
    assert "virtuele realiteit" in open_call.description.lower()
    assert "kansengroepen" in open_call.description
    current = _proposals(open_call)
    by_number = Counter((p.organisation.enterprise_number, p.status) for p in current)
    assert by_number[("0403.170.701", ProposalStatus.draft)] >= 1  # De Leerboom
    assert by_number[("0403.170.701", ProposalStatus.submitted)] >= 1
    assert by_number[("0216.477.175", ProposalStatus.submitted)] >= 1  # the provincial centre
    leerboom_draft = next(
        p
        for p in current
        if p.organisation.enterprise_number == "0403.170.701" and p.status is ProposalStatus.draft
    )
    assert leerboom_draft.title and proposal_eligibility.submission_problems(
        leerboom_draft
    )  # partial
    assert any(
        len(p.versions) == 2 for p in current if p.organisation.enterprise_number == "0403.170.701"
    )
    for proposal in current:
        assert all(open_call.opens_at <= v.submitted_at <= TODAY for v in proposal.versions)
        if proposal.status is ProposalStatus.submitted:
            assert proposal.attachments
            assert all(_is_pdf_on_disk(a.sha256) for a in proposal.attachments)

    # Last year's call: closed, with at least 40 submitted proposals, and now decided.
    closed = _call("ESF-ELEREN-2026")
    assert closed.deadline == datetime(2026, 3, 31, 21, 59, 59, tzinfo=UTC)
    assert closed.status_at(TODAY) is CallStatus.decided
    everything = _proposals(closed)
    submitted = [p for p in everything if p.status is ProposalStatus.submitted]
    withdrawn = [p for p in everything if p.status is ProposalStatus.withdrawn]
    drafts = [p for p in everything if p.status is ProposalStatus.draft]
    assert len(submitted) >= 40
    assert len(withdrawn) == 1
    assert withdrawn[0].withdrawal_reason and withdrawn[0].versions
    assert len(drafts) >= 2 and not any(p.versions for p in drafts)
    assert 25 <= len({p.organisation_id for p in everything}) <= 30
    resubmitted = [p for p in everything if len(p.versions) >= 2]
    assert len(resubmitted) >= 4
    for proposal in resubmitted:  # each version differs from the one before
        assert all(changes for _version, changes in proposal_versions.version_history(proposal))

    assert {p.organisation.provider_type for p in submitted} == set(ProviderType)
    assert {p.project_type for p in submitted} == set(ProjectType)
    vr = [p for p in submitted if "vr" in p.technologies]
    ai = [p for p in submitted if "ai" in p.technologies]
    assert 0.25 <= len(vr) / len(submitted) <= 0.45  # about a third
    assert 0.15 <= len(ai) / len(submitted) <= 0.35  # about a quarter
    assert set(vr) & set(ai)  # some with both
    assert any("vr" not in p.technologies and "ai" not in p.technologies for p in submitted)
    assert {True, False} == {p.practice_oriented for p in submitted}

    for proposal in submitted:
        assert Decimal("20000") <= proposal.requested_eur <= Decimal("150000")
        total = proposal.requested_eur + proposal.own_contribution_eur
        assert proposal.own_contribution_eur / total >= Decimal("0.10")
        assert proposal.attachments
        assert all(_is_pdf_on_disk(a.sha256) for a in proposal.attachments)
        assert not proposal_eligibility.submission_problems(proposal)
        assert all(is_valid(partner["enterprise_number"]) for partner in proposal.partners)
    assert any(p.requested_eur % 1 for p in submitted)  # exact cents sometimes

    # Submissions spread from the opening to the deadline, more towards the end.
    moments = sorted(v.submitted_at for p in everything for v in p.versions)
    assert closed.opens_at <= moments[0] and moments[-1] <= closed.deadline
    middle = closed.opens_at + (closed.deadline - closed.opens_at) / 2
    assert sum(m > middle for m in moments) > sum(m <= middle for m in moments)
    last_hour = [m for m in moments if closed.deadline - m < timedelta(hours=1)]
    assert len(last_hour) >= 3
    assert any(to_brussels(m).strftime("%H:%M") == "23:58" for m in last_hour)

    # Real audit records for every version and the withdrawal.
    def audited(action: str) -> int:
        return db.session.scalar(
            sa.select(sa.func.count(AuditRecord.id)).where(AuditRecord.action == action)
        )

    versions = sum(len(p.versions) for p in (*everything, *current))
    assert audited("proposal.submitted") == versions
    assert audited("proposal.withdrawn") == 1
    organisations = db.session.scalars(sa.select(Organisation)).all()
    assert all(is_valid(o.enterprise_number) for o in organisations)

    _check_evaluation(closed, everything)
    _check_monitoring(closed, lines)


def _check_evaluation(call: Call, everything: list[Proposal]) -> None:
    """Last year's call went through the whole evaluation (app/demo/evaluation.py)."""
    submitted = [p for p in everything if p.status is ProposalStatus.submitted]
    official = auth_services.get_user_by_email("ambtenaar@esf-eleren.example")

    # Criteria and settings.
    criteria = facts.criteria_of(call.id)
    assert [c.name_en for c in criteria] == [c.name_en for c in criteria_rules.DEFAULT_CRITERIA]
    settings = facts.settings_of(call)
    assert (
        settings.reviews_per_proposal,
        settings.total_threshold,
        settings.reserve_size,
        settings.objection_days,
    ) == (3, Decimal("60"), 5, 15)

    # Admissibility: every submitted proposal, two or three inadmissible with a reason.
    checks = {c.proposal_id: c for c in db.session.scalars(sa.select(AdmissibilityCheck))}
    assert set(checks) == {p.id for p in submitted}
    refused = [c for c in checks.values() if c.result is Admissibility.inadmissible]
    assert 2 <= len(refused) <= 3
    assert all(len(c.reason) > 60 and "{" not in c.reason for c in refused)
    admitted = {p.id: p for p in submitted if checks[p.id].result is Admissibility.admissible}

    # Evaluators: the demo evaluator and eight more, with expertise and affiliations, some
    # of them with organisations (applicants or partners) of this call.
    evaluators = facts.evaluators()
    assert len(evaluators) == 9
    assert "beoordelaar@esf-eleren.example" in {u.email for u in evaluators}
    assert auth_login.authenticate(
        "wouter.vanacker@xr-advies.example", DEMO_PASSWORD, address="127.0.0.1"
    ).is_evaluator
    affiliations: dict[int, set[str]] = {u.id: set() for u in evaluators}
    for affiliation in db.session.scalars(sa.select(Affiliation)):
        affiliations[affiliation.user_id].add(affiliation.enterprise_number)
    assert all(len(numbers) <= 2 for numbers in affiliations.values())
    numbers = {}
    for proposal in admitted.values():
        data = proposals.counting_version(proposal).data
        numbers[proposal.id] = {proposal.organisation.enterprise_number} | {
            partner["enterprise_number"] for partner in data.get("partners") or []
        }
    in_call = set().union(*numbers.values())
    assert sum(bool(n & in_call) for n in affiliations.values()) >= 4

    # Assignment: three accepted, submitted reviews per proposal, never by an evaluator
    # affiliated with the applicant or a partner; two declared conflicts, refilled.
    assignments = db.session.scalars(sa.select(Assignment)).all()
    accepted = defaultdict(list)
    for assignment in assignments:
        if assignment.status is AssignmentStatus.accepted:
            accepted[assignment.proposal_id].append(assignment)
    assert set(accepted) == set(admitted)
    for proposal_id, items in accepted.items():
        assert len(items) >= 3
        for assignment in items:
            assert not affiliations[assignment.evaluator_id] & numbers[proposal_id]
            review = assignment.review
            assert review is not None and review.status is ReviewStatus.submitted
            assert review.overall_comment
            assert len(review.scores) == len(criteria)
            for score in review.scores:
                assert 0 <= score.score <= 5 and score.score % Decimal("0.5") == 0
                assert len(score.justification) > 40
                assert "{" not in score.justification and "None" not in score.justification
    conflicts = [a for a in assignments if a.status is AssignmentStatus.conflict]
    assert 1 <= len(conflicts) <= 2 and all(a.conflict_reason for a in conflicts)
    loads = Counter(a.evaluator_id for items in accepted.values() for a in items)
    assert max(loads.values()) - min(loads.values()) <= 3

    # Evaluators roughly agree; a few proposals are flagged; a harsh and a lenient one show.
    overview = review_overview.review_overview(official, call.id)
    assert 2 <= sum(row.flagged for row in overview) <= 3
    calibration, _spreads = review_overview.calibration(official, call.id)
    by_email = {c.evaluator.email: c.mean_difference for c in calibration}
    assert by_email["marc.lemmens@werk-en-leren.example"] <= -5
    assert by_email["thomas.willems@opleidingsadvies.example"] >= 5
    assert sum(abs(d) < 5 for d in by_email.values()) >= 6

    # Consensus per proposal and criterion, within the reviews' range; a few minority views.
    consensus = db.session.scalars(sa.select(ConsensusScore)).all()
    assert {(c.proposal_id, c.criterion_id) for c in consensus} == {
        (p, c.id) for p in admitted for c in criteria
    }
    given = defaultdict(list)
    for items in accepted.values():
        for assignment in items:
            for score in assignment.review.scores:
                given[(assignment.proposal_id, score.criterion_id)].append(score.score)
    for item in consensus:
        values = given[(item.proposal_id, item.criterion_id)]
        assert min(values) <= item.score <= max(values)
        assert len(item.justification) > 40 and "{" not in item.justification
    assert 3 <= sum(bool(c.minority_view) for c in consensus) <= 20

    # The published decision: its clock, and every outcome in the ranking.
    record = facts.latest_decision(call.id)
    assert record is not None and record.number == 1
    assert record.notified_on == date(2026, 6, 9)  # ten weeks after the deadline
    assert record.objection_until == date(2026, 6, 24)
    rows = record.data["rows"]
    assert {row["proposal_id"] for row in rows} == set(admitted)
    outcomes = Counter(row["outcome"] for row in rows)
    assert set(outcomes) == {o.value for o in Outcome}, (
        f"{dict(outcomes)}: the call's budget ({call.budget_eur}) must fall within the "
        "passing proposals' requests (see app/demo/plans.py)"
    )


def _check_monitoring(call: Call, lines: list[str]) -> None:
    """The decided call's funded projects report their enrolments (app/demo/monitoring.py)."""
    # A project per funded proposal, about the enrolments asked for, started from January
    # 2025 to October 2026; no online enrolment in August of the base year; online grows in
    # the second year; about 3% reported a month late.
    monitoring = next(line for line in lines if line.startswith("monitoring: "))
    projects, enrolments = (int(word) for word in monitoring.split() if word.isdigit())
    funded = Counter(row["outcome"] for row in facts.latest_decision(call.id).data["rows"])
    assert (
        projects
        == funded[Outcome.funded.value]
        == db.session.scalar(sa.select(sa.func.count()).select_from(FundedProject))
    )
    assert 0.9 * ENROLMENTS <= enrolments <= 1.1 * ENROLMENTS, monitoring
    first, last = db.session.execute(
        sa.select(sa.func.min(Enrolment.started_on), sa.func.max(Enrolment.started_on))
    ).one()
    assert (first.year, first.month) == (2025, 1) and (last.year, last.month) == (2026, 10)
    by_mode = Counter(
        (started.year, started.month == 8, mode)
        for started, mode in db.session.execute(sa.select(Enrolment.started_on, Enrolment.mode))
    )
    assert by_mode[(2025, True, Mode.online)] == 0
    assert by_mode[(2026, True, Mode.online)] > 0
    online = {  # the share of online enrolments per year
        year: sum(n for (y, _, mode), n in by_mode.items() if y == year and mode is Mode.online)
        / sum(n for (y, _, _), n in by_mode.items() if y == year)
        for year in (2025, 2026)
    }
    assert online[2026] > online[2025], online
    late = db.session.scalar(sa.select(sa.func.count()).where(Enrolment.late))
    assert 0.015 * enrolments <= late <= 0.05 * enrolments, late


@pytest.mark.usefixtures("pdfs_laid_out_once_per_run")
def test_seed_evaluation_leaves_a_call_already_in_evaluation_alone(runner):
    """An official who started by hand keeps their work: the demo does not evaluate."""
    with time_machine.travel(TODAY, tick=False):
        demo_calls.build_calls(DEMO_PASSWORD)  # the calls, not yet evaluated
        earlier = _call("ESF-ELEREN-2026")
        criteria_rules.set_criteria(None, earlier.id, criteria_rules.DEFAULT_CRITERIA[:2])
        output = _seed(runner)
    assert "evaluation ESF-ELEREN-2026: 0 admissible, 0 inadmissible" in output
    assert "no decision published" in output
    assert len(facts.criteria_of(earlier.id)) == 2
    assert not db.session.scalars(sa.select(Assignment)).all()


def test_decision_day_is_ten_weeks_after_the_deadline_but_not_after_today():
    call = Call(deadline=dates.deadline_of_year(2026))
    assert demo_evaluation._decision_day(call, TODAY) == date(2026, 6, 9)
    soon = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
    assert demo_evaluation._decision_day(call, soon) == date(2026, 4, 20)


@pytest.mark.parametrize(
    ("now", "year"),
    [
        (datetime(2026, 11, 23, 10, 30, tzinfo=UTC), 2027),
        (datetime(2027, 1, 5, 8, 0, tzinfo=UTC), 2027),
        (datetime(2027, 3, 31, 21, 59, 58, tzinfo=UTC), 2027),
        (datetime(2027, 3, 31, 22, 0, 0, tzinfo=UTC), 2028),  # 00:00 on 1 April in Brussels
        (datetime(2027, 8, 15, 12, 0, tzinfo=UTC), 2028),
    ],
)
def test_the_open_call_closes_on_the_next_31_march(now, year):
    assert dates.open_call_year(now) == year
    assert dates.deadline_of_year(year) == datetime(year, 3, 31, 21, 59, 59, tzinfo=UTC)


def test_plans_are_the_same_on_every_run():
    opens = dates.open_call_opening(2027, TODAY)
    assert opens == datetime(2026, 10, 1, 7, 0, tzinfo=UTC)  # 09:00 Brussels
    assert demo_plans.historic_plans(2026) == demo_plans.historic_plans(2026)
    assert demo_plans.open_plans(2027, opens, TODAY) == demo_plans.open_plans(2027, opens, TODAY)


@pytest.mark.parametrize("now", [TODAY, datetime(2027, 4, 2, 8, 30, tzinfo=UTC)])
def test_plan_moments_stay_in_order_and_within_the_window(now):
    """Also when the call opens today (between April and September the opening is clamped)."""
    year = dates.open_call_year(now)
    opens = dates.open_call_opening(year, now)
    assert opens <= now
    for plans, start, end in (
        (demo_plans.historic_plans(year - 1), *dates.historic_window(year - 1)),
        (demo_plans.open_plans(year, opens, now), opens, now),
    ):
        for plan in plans:
            moments = [step.at for step in plan.steps]
            assert moments == sorted(moments)
            assert start <= moments[0] and moments[-1] <= end
            assert plan.steps[0].kind == "create"


def test_demo_enterprise_numbers_are_valid_and_distinct():
    numbers = [p.enterprise_number for p in (content.LEERBOOM, content.POCL, *content.PROVIDERS)]
    partners = {
        partner["enterprise_number"]
        for plan in demo_plans.historic_plans(2026)
        for step in plan.steps
        for partner in step.changes.get("partners", [])
    }
    assert all(is_valid(number) for number in [*numbers, *partners])
    assert len(set(numbers)) == len(numbers)
    assert not set(numbers) & partners
    emails = [p.email for p in content.PROVIDERS]
    assert len(set(emails)) == len(emails) and all(e.endswith(".example") for e in emails)


def test_attachments_are_real_pdfs_the_same_on_every_run(tmp_path):
    provider = content.PROVIDERS[0]
    fields = {
        "title": "Nieuwe e-opleiding <Lassen> & co",
        "acronym": "LAS-VR",
        "requested_eur": Decimal("87432.56"),
        "own_contribution_eur": Decimal("9714.73"),
    }
    name, document = attachments.attachment("begroting", provider, fields, "ESF-ELEREN-2027")
    pdf = document.render()
    assert name == "Projectbegroting.pdf"
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    path = tmp_path / name
    path.write_bytes(pdf)
    assert files.looks_like_pdf(path)
    attachments._pdf.cache_clear()  # rendered again, not remembered: the same bytes
    assert document.render() == pdf
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (Debian's poppler-utils, `make pdf-tools`) reads the words")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "€ 87.432,56" in text and "Nieuwe e-opleiding <Lassen> & co" in text
    assert provider.legal_name in text
