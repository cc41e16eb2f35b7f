"""Worlds for the evaluation's tests: a closed call with submitted proposals (admissibility),
one ranked and ready to publish (decisions), and one reviewed by a panel of three evaluators
(the official's and evaluator's pages, exports, audit)."""

import io
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.calls.models import Call
from app.core.db import db
from app.core.time import brussels, utcnow
from app.proposals import services as proposals
from app.proposals.models import Proposal
from app.reviews import facts, objections
from app.reviews.facts import settings_of
from app.reviews.models import (
    Admissibility,
    Assignment,
    DecisionRecord,
    PublicationRequest,
    Review,
)
from app.reviews.objection_models import Objection, ObjectionKind
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import assignment as assignment_rules
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import decisions as decisions_rules
from app.reviews.rules import scoring as scoring_rules
from app.reviews.rules.criteria import CriterionInput
from tests import snapshots
from tests.factories import allow_fewer_reviews, complete_fields, make_call, make_user

OPEN = datetime(2021, 3, 1, tzinfo=UTC)
CODE = "ESF-2021"
BASE = f"/evaluation/calls/{CODE}"
EVALUATOR_NAMES = ("Vera Vermeulen", "Jan Janssens", "Piet Peeters")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class EvaluationWorld:
    call: Call
    official: object
    proposals: list = field(default_factory=list)
    applicants: list = field(default_factory=list)
    criteria: list = field(default_factory=list)


def submitted(
    call,
    *,
    language: str = "nl",
    attachment: bool = False,
    user=None,
    received_at: datetime = OPEN,
    **fields,
):
    """A proposal submitted at ``received_at`` (before the deadline) by ``user`` or a new
    applicant, and that applicant; with ``attachment`` a PDF project plan is attached first."""
    user = user or make_user("applicant", language=language)
    organisation_id = sorted(user.organisation_ids)[0]
    proposal = proposals.create_proposal(user, call.id, organisation_id, received_at=received_at)
    proposals.update_proposal(
        user, proposal.id, complete_fields(**fields), proposal.revision, received_at=received_at
    )
    if attachment:
        proposals.add_attachment(
            user, proposal.id, "projectplan.pdf", io.BytesIO(PDF), received_at=received_at
        )
    proposals.submit_proposal(user, proposal.id, received_at=received_at)
    return proposal, user


def evaluation_call(**overrides) -> Call:
    """The call ``CODE``, open from 1 January 2021 and closed on 31 March 2021."""
    return make_call(
        code=CODE,
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
        **overrides,
    )


def weighted_criteria(call, *weights_and_thresholds):
    """Criteria "Criterium 1".."Criterium n" from ``(weight, threshold or None)`` pairs."""
    items = [
        CriterionInput(
            f"Criterium {i}",
            f"Criterion {i}",
            Decimal(w),
            threshold=None if t is None else Decimal(t),
        )
        for i, (w, t) in enumerate(weights_and_thresholds, start=1)
    ]
    return criteria_rules.set_criteria(None, call.id, items)


def admissibility_world(count: int = 3, *, code: str = "ESF-2021", languages=("nl",)):
    """A call closed on 31 March 2021 with ``count`` submitted proposals, none decided."""
    call = make_call(
        code=code,
        opens_at=brussels(2021, 1, 1),
        deadline=brussels(2021, 3, 31, 23, 59, 59),
        budget_eur=Decimal("200000.00"),
    )
    world = EvaluationWorld(call, make_user("official", name="Olivia Official"))
    for i in range(count):
        proposal, user = submitted(
            call,
            language=languages[i % len(languages)],
            title=f"Project {i + 1}",
            requested_eur=Decimal("90000.00") if i < 2 else Decimal("50000.00"),
        )
        world.proposals.append(proposal)
        world.applicants.append(user)
    return world


def ranked_world(count: int = 3, *, code: str = "ESF-2021", languages=("nl",), release=True):
    """``admissibility_world`` with every proposal admissible (released when ``release``) and
    a complete consensus: the decision can be published (two funded, the rest reserve)."""
    world = admissibility_world(count, code=code, languages=languages)
    for proposal in world.proposals:
        admissibility_rules.decide_admissibility(
            world.official, proposal.id, Admissibility.admissible
        )
    if release:
        preview = admissibility_rules.release_preview(world.official, world.call.id)
        admissibility_rules.release_results(world.official, world.call.id, preview.token)
    world.criteria = criteria_rules.set_criteria(
        None,
        world.call.id,
        [
            CriterionInput("Relevantie", "Relevance", Decimal("60"), threshold=Decimal("2")),
            CriterionInput("Didactiek", "Didactics", Decimal("40")),
        ],
    )
    allow_fewer_reviews(world.official, *world.proposals)
    for proposal in world.proposals:
        consensus_rules.record_consensus_set(
            world.official,
            proposal.id,
            {c.id: ("4", "Het panel vond het degelijk.", "") for c in world.criteria},
        )
    return world


@dataclass
class ReviewedWorld:
    call: Call
    official: object
    criteria: list
    proposals: list
    applicants: list
    evaluators: list


def reviewed_world(
    *, reviews: bool = True, consensus: bool = True, count: int = 3
) -> ReviewedWorld:
    """A closed call with ``count`` admissible proposals, three evaluators each, submitted
    reviews and (optionally) the consensus on every criterion."""
    call = evaluation_call(budget_eur=Decimal("200000.00"))
    criteria = weighted_criteria(call, ("60", "2"), ("40", None))
    official = make_user("official", name="Olivia Official", language="en")
    evaluators = [make_user("evaluator", name=name) for name in EVALUATOR_NAMES]
    amounts = [
        "90000.00",
        "90000.00",
        "50000.00",
        "10000.00",
        "20000.00",
        "30000.00",
        "40000.00",
        "15000.00",
    ]
    made = [
        submitted(
            call,
            language="en",
            requested_eur=Decimal(amounts[i % len(amounts)]),
            title=f"Project {i + 1}",
        )
        for i in range(count)
    ]
    pairs = [p for p, _user in made]
    for proposal in pairs:
        admissibility_rules.decide_admissibility(official, proposal.id, Admissibility.admissible)
    assignment_rules.auto_assign(official, call.id)
    if reviews:
        for n, evaluator in enumerate(evaluators):
            for assignment in facts.my_assignments(evaluator):
                conflicts_rules.declare(evaluator, assignment.id, False)
                scoring_rules.save_review(
                    evaluator,
                    assignment.id,
                    {
                        criteria[0].id: (str(2 + n), f"Sterk punt volgens {evaluator.name}"),
                        criteria[1].id: ("3", "Degelijk"),
                    },
                )
                scoring_rules.submit_review(evaluator, assignment.id)
    if consensus:
        allow_fewer_reviews(official, *pairs)
        scores = [("4", "3"), ("4", "3"), ("3", "5"), ("3", "4"), ("1.5", "5")]
        for i, proposal in enumerate(pairs):
            s1, s2 = scores[i % len(scores)]
            consensus_rules.record_consensus(
                official,
                proposal.id,
                criteria[0].id,
                s1,
                "Het panel vond de aanpak praktijkgericht.",
            )
            consensus_rules.record_consensus(
                official,
                proposal.id,
                criteria[1].id,
                s2,
                "Goede didactiek.",
                minority_view="Eén beoordelaar twijfelde",
            )
    return ReviewedWorld(call, official, criteria, pairs, [u for _p, u in made], evaluators)


def kept_reviewed_world(store: dict, **arguments) -> ReviewedWorld:
    """``reviewed_world(**arguments)`` built once per process and set of arguments (kept in
    ``store``, a dict of the test module), then its rows written back
    (``tests.snapshots.kept``): ask for it before the test writes anything."""
    key = tuple(sorted(arguments.items()))
    return snapshots.kept(store, key, lambda: reviewed_world(**arguments))


@dataclass
class DecidedCall:
    """A call that was evaluated and decided, seen from one applicant and one evaluator."""

    call: Call
    proposal: Proposal  # the applicant's: funded, with a project plan
    assignment: Assignment  # the evaluator's on it, the review submitted
    review: Review
    pending_assignment: Assignment  # the evaluator's on another proposal, not yet declared
    decision: DecisionRecord
    objection: Objection  # lodged by the applicant, with a PDF, not answered
    publication_request: PublicationRequest  # publishing again, awaiting a second official


def decided_call(code: str, applicant, evaluator, official) -> DecidedCall:
    """A call closed ten days ago: ``applicant``'s proposal and another one admissible (the
    results released), ``evaluator`` and a second evaluator reviewed the first, ``evaluator``
    has not yet declared on the second; the consensus, decision 1 published today, the
    applicant's objection lodged within its window, and another official's request to
    publish again (the call now wants a second official's approval) waiting for
    ``official``."""
    now = utcnow()
    received_at = now - timedelta(days=20)
    call = make_call(
        code=code,
        title="ESF e-leren (beoordeeld)",
        opens_at=now - timedelta(days=60),
        deadline=now - timedelta(days=10),
        budget_eur=Decimal("200000.00"),
    )
    criteria = criteria_rules.set_criteria(
        None,
        call.id,
        [
            CriterionInput("Relevantie", "Relevance", Decimal("60"), threshold=Decimal("2")),
            CriterionInput("Didactiek", "Didactics", Decimal("40")),
        ],
    )
    proposal, _user = submitted(
        call, user=applicant, attachment=True, received_at=received_at, title="Lassen in VR"
    )
    other, _other_user = submitted(
        call, received_at=received_at, title="Koken met AR", requested_eur=Decimal("50000.00")
    )
    for item in (proposal, other):
        admissibility_rules.decide_admissibility(official, item.id, Admissibility.admissible)
    preview = admissibility_rules.release_preview(official, call.id)
    admissibility_rules.release_results(official, call.id, preview.token)
    second = make_user("evaluator", name="Tweede Beoordelaar")
    assignment = assignment_rules.assign(official, proposal.id, evaluator.id)
    reviews = [
        (evaluator, assignment, ("4", "3")),
        (second, assignment_rules.assign(official, proposal.id, second.id), ("3.5", "4.5")),
        (second, assignment_rules.assign(official, other.id, second.id), ("3", "3")),
    ]
    for who, mine, (relevance, didactics) in reviews:
        conflicts_rules.declare(who, mine.id, False)
        scoring_rules.save_review(
            who,
            mine.id,
            {
                criteria[0].id: (relevance, "Sterk praktijkgericht."),
                criteria[1].id: (didactics, "Degelijke didactiek."),
            },
            "Een goed voorstel.",
        )
        scoring_rules.submit_review(who, mine.id)
    pending_assignment = assignment_rules.assign(official, other.id, evaluator.id)
    allow_fewer_reviews(official, proposal, other, reason="Twee beoordelingen volstaan.")
    for item in (proposal, other):
        consensus_rules.record_consensus(
            official, item.id, criteria[0].id, "4", "Het panel vond de aanpak praktijkgericht."
        )
        consensus_rules.record_consensus(official, item.id, criteria[1].id, "3", "Goede didactiek.")
    decision = decisions_rules.publish_decision(official, call.id)
    objection = objections.lodge_objection(
        applicant,
        proposal.id,
        objections.ObjectionInput(
            ObjectionKind.objection,
            "Het praktijkluik staat op pagina 4 en werd niet gelezen.",
            "bewijs.pdf",
            io.BytesIO(PDF),
        ),
    )
    settings = settings_of(call)
    criteria_rules.update_settings(
        official,
        call.id,
        criteria_rules.SettingsInput(
            settings.reviews_per_proposal,
            settings.total_threshold,
            settings.disagreement_spread,
            settings.reserve_size,
            settings.objection_days,
            settings.criterion_spread_share,
            second_approval=True,
        ),
    )
    requester = make_user("official", name="Tweede Ambtenaar")
    seen = decisions_rules.publication_preview(requester, call.id).fingerprint
    request = decisions_rules.request_publication(
        requester, call.id, seen, "Nieuwe beslissing na het bezwaar."
    )
    return DecidedCall(
        call,
        proposal,
        assignment,
        assignment.review,
        pending_assignment,
        decision,
        objection,
        request,
    )


def count_page_queries(client, url: str) -> int:
    """How many SQL statements one GET of ``url`` runs (it must answer 200)."""
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        db.session.expire_all()
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements)


def pdf_text(data: bytes, tmp_path) -> str | None:
    """The PDF's text laid out by ``pdftotext``, or None where that tool is missing."""
    if not shutil.which("pdftotext"):
        return None
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
