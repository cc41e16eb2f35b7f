"""Who may open what: one table for every route (``ACCESS``), its world and URLs.

Checked for every audience by tests/test_access_matrix.py and walked page by page in a
browser by tests/e2e/test_every_page.py. Every rule in ``app.url_map`` must have an entry
in ``ACCESS`` (a new route fails ``test_every_route_is_in_the_table`` until someone
decides who may use it).

Expected values are a status code, or ``(302, "/path")`` for a redirect whose location
path must match (``{org}``, ``{proposal}`` … are replaced as ``locations()`` says). POSTs
send an empty body (CSRF is off in the test app). API rules authenticate with the
audience's own bearer token.

The world has two calls: MATRIX-1, published and open, with the applicant's submitted
proposal; and MATRIX-2, evaluated and decided (tests/reviews/factories.py:
``decided_call``), for the routes in ``EVALUATED``: the evaluator's review, the
official's consensus, the decision, the applicant's objection.
"""

import io
import re
from dataclasses import dataclass

import pytest

from app.auth import links as auth_links
from app.auth import tokens as auth_tokens
from app.auth.models import ApiToken, User
from app.calls import documents
from app.calls.models import Call, CallDocument
from app.core.db import db
from app.monitoring.models import EnrolmentImport, FundedProject, ProjectTraining
from app.organisations import memberships as organisation_memberships
from app.organisations.models import Membership, Organisation, OrganisationEvidence
from app.proposals import services as proposals
from app.proposals.models import Proposal
from app.reviews.models import Assignment, DecisionRecord, PublicationRequest, Review
from app.reviews.objection_models import Objection
from tests.factories import (
    make_call,
    make_organisation,
    make_proposal,
    make_user,
)
from tests.monitoring.factories import add_enrolments, add_training, make_funded_project
from tests.reviews.factories import decided_call

AUDIENCES = ("anon", "applicant", "other_applicant", "evaluator", "official", "admin")

LOGIN = (302, "/auth/login")
HOME = (302, "/")
PROFILE = (302, "/auth/profile")
USERS = (302, "/auth/users")
ORG_A = (302, "/organisations/{org}")
PROPOSAL = (302, "/proposals/{proposal}")
ATTACHMENTS = (302, "/proposals/{proposal}/attachments")
NEW_PROPOSAL = (302, re.compile(r"/proposals/\d+"))
EVAL_HOME = (302, "/evaluation/calls/MATRIX-1")
EVAL_CRITERIA = (302, "/evaluation/calls/MATRIX-1/criteria")
EVAL_ASSIGNMENTS = (302, "/evaluation/calls/MATRIX-1/assignments")
EVAL_RANKING = (302, "/evaluation/calls/MATRIX-1/ranking")
REVIEW = (302, "/evaluation/assignments/{assignment}")
CALL_CODE = "MATRIX-1"  # the world's published, open call
CALL = (302, f"/calls/{CALL_CODE}")
EVALUATED_CODE = "MATRIX-2"  # the world's evaluated call: decision 1 published today
PUBLISH = (302, f"/evaluation/calls/{EVALUATED_CODE}/decision/publish")
TRAININGS = (302, re.compile(r"/monitoring/projects/\d+/trainings"))
DOCUMENT = (302, re.compile(r"/documents/[0-9a-f]{32}"))


def row(anon, applicant, other_applicant, evaluator, official, admin) -> dict:
    return dict(
        zip(AUDIENCES, (anon, applicant, other_applicant, evaluator, official, admin), strict=True)
    )


def everyone(expected) -> dict:
    return dict.fromkeys(AUDIENCES, expected)


def logged_in(expected, anon=LOGIN) -> dict:
    return {"anon": anon, **dict.fromkeys(AUDIENCES[1:], expected)}


ACCESS: dict[tuple[str, str], dict] = {
    # ------------------------------------------------------------ main
    ("main.index", "GET"): everyone(200),
    ("main.set_language", "POST"): everyone(HOME),
    ("main.health", "GET"): everyone(200),
    # a prepared document is its requester's only (the walk's id names none: 404)
    ("main.document", "GET"): logged_in(404),
    ("main.document_file", "GET"): logged_in(404),
    ("main.privacy_page", "GET"): everyone(200),
    ("main.personal_data", "GET"): logged_in(200),  # always one's own data
    # anonymising the applicant: administrators only; an empty POST lacks the confirmation
    ("main.anonymise", "GET"): row(LOGIN, 403, 403, 403, 403, 200),
    ("main.anonymise", "POST"): row(LOGIN, 403, 403, 403, 403, 422),
    # ------------------------------------------------------------ auth
    ("auth.login", "GET"): logged_in(HOME, anon=200),
    ("auth.login", "POST"): logged_in(HOME, anon=200),  # anon: empty form re-rendered
    ("auth.logout", "POST"): logged_in(HOME),
    ("auth.verify_email", "GET"): everyone(LOGIN),  # a valid link of the applicant
    ("auth.resend_verification", "POST"): logged_in(PROFILE),
    ("auth.forgot_password", "GET"): everyone(200),
    ("auth.forgot_password", "POST"): everyone(200),
    ("auth.reset_password", "GET"): everyone(200),  # a valid link of the applicant
    ("auth.reset_password", "POST"): everyone(200),
    ("auth.profile", "GET"): logged_in(200),
    ("auth.change_password", "POST"): logged_in(422),
    ("auth.letter_language", "POST"): logged_in(422),  # an empty body chooses nothing
    ("auth.logout_everywhere", "POST"): logged_in(LOGIN),
    ("auth.create_token", "POST"): logged_in(200),
    # the applicant's token: its owner and admins revoke it, others get 404
    ("auth.revoke_token", "POST"): row(LOGIN, PROFILE, 404, 404, 404, PROFILE),
    ("auth.users", "GET"): row(LOGIN, 403, 403, 403, 403, 200),
    ("auth.set_roles", "POST"): row(LOGIN, 403, 403, 403, 403, USERS),
    # without active=1 the administrator is sent to the confirmation of the deactivation
    ("auth.set_active", "POST"): row(
        LOGIN, 403, 403, 403, 403, (302, re.compile(r"/auth/users/\d+/deactivate"))
    ),
    ("auth.deactivate", "GET"): row(LOGIN, 403, 403, 403, 403, 200),
    ("auth.deactivate", "POST"): row(LOGIN, 403, 403, 403, 403, USERS),
    ("auth.new_account", "GET"): row(LOGIN, 403, 403, 403, 403, 200),
    ("auth.new_account", "POST"): row(LOGIN, 403, 403, 403, 403, 422),  # empty form: errors
    # ------------------------------------------------------------ organisations
    ("registration.register", "GET"): everyone(200),
    ("registration.register", "POST"): everyone(200),  # empty form re-rendered with errors
    ("organisations.mine", "GET"): row(LOGIN, 200, 200, 403, 403, 403),
    ("organisations.join", "POST"): row(LOGIN, 422, 422, 403, 403, 403),
    ("organisations.index", "GET"): row(LOGIN, 403, 403, 403, 200, 200),
    ("organisations.detail", "GET"): row(LOGIN, 200, 404, 404, 200, 200),
    # a pending request to join A: A's member administrator (the applicant) and officials
    # decide, others get 404
    ("organisations.decide_membership", "POST"): row(LOGIN, ORG_A, 404, 404, ORG_A, ORG_A),
    ("organisations.edit", "GET"): row(LOGIN, 200, 404, 404, 200, 200),
    # the officials' queue of self-registered organisations; A itself is confirmed, so
    # confirming it again is refused with a message on its page
    ("organisations.pending", "GET"): row(LOGIN, 403, 403, 403, 200, 200),
    ("organisations.confirm", "POST"): row(LOGIN, 403, 403, 403, ORG_A, ORG_A),
    ("organisations.refuse", "POST"): row(LOGIN, 403, 403, 403, 422, 422),  # no reason
    # members supply evidence (an empty form: 422); officials judge it, others do not see A
    ("organisations.upload_evidence", "POST"): row(LOGIN, 422, 404, 404, 403, 403),
    ("organisations.evidence", "GET"): row(LOGIN, 200, 404, 404, 200, 200),
    # an empty body leaves the form filled from the organisation: saved unchanged
    ("organisations.edit", "POST"): row(LOGIN, ORG_A, 404, 404, ORG_A, ORG_A),
    # ------------------------------------------------------------ calls
    # the world's call is published and open: public pages for everyone, officials manage
    ("calls.index", "GET"): everyone(200),
    ("calls.detail", "GET"): everyone(200),
    ("calls.ics", "GET"): everyone(200),
    ("calls.new", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("calls.new", "POST"): row(LOGIN, 403, 403, 403, 422, 403),  # empty form: errors
    ("calls.edit", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("calls.edit", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    # already published: the official is told so on the call's page
    ("calls.publish", "POST"): row(LOGIN, 403, 403, 403, CALL, 403),
    ("calls.close", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("calls.close", "POST"): row(LOGIN, 403, 403, 403, 422, 403),  # the reason is required
    ("calls.extensions", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("calls.extensions", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    ("calls.document", "GET"): everyone(200),  # the call is published: its documents are public
    ("calls.manage_documents", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("calls.manage_documents", "POST"): row(LOGIN, 403, 403, 403, 422, 403),  # no file: errors
    ("calls.remove_document", "POST"): row(
        LOGIN, 403, 403, 403, (302, f"/calls/{CALL_CODE}/documents"), 403
    ),
    # ------------------------------------------------------------ audit
    ("audit.index", "GET"): row(LOGIN, 403, 403, 403, 200, 200),
    # ------------------------------------------------------------ API (bearer tokens)
    ("api-docs.openapi_json", "GET"): everyone(200),
    ("api.me", "GET"): logged_in(200, anon=401),
    ("api.list_calls", "GET"): everyone(200),  # public: no token needed
    ("api.call_stats", "GET"): row(401, 403, 403, 403, 200, 403),
    ("api.call_proposals", "GET"): row(401, 403, 403, 403, 200, 403),
    ("api.call_ranking", "GET"): row(401, 403, 403, 403, 200, 403),
    # without the required query parameters an official's token gets 422
    ("api.monitoring_yoy", "GET"): row(401, 403, 403, 403, 422, 403),
    ("api.monitoring_profile", "GET"): row(401, 403, 403, 403, 422, 403),
    # ------------------------------------------------------------ evaluation: evaluators
    # On the evaluated call MATRIX-2: the world's evaluator submitted their review of the
    # applicant's proposal (declaring: their other assignment, not declared yet). Other roles
    # get 403; another evaluator gets 404 (tests/reviews/test_evaluator_views.py).
    ("reviews.mine", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("reviews.profile", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    # an empty body saves an empty profile
    ("reviews.profile", "POST"): row(LOGIN, 403, 403, (302, "/evaluation/profile"), 403, 403),
    ("reviews.declare", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("reviews.declare", "POST"): row(LOGIN, 403, 403, 422, 403, 403),  # no answer chosen
    ("reviews.review", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    # the submitted review is locked: back to it, with a message
    ("reviews.review", "POST"): row(LOGIN, 403, 403, REVIEW, 403, 403),
    ("reviews.others", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("reviews.download", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("reviews.proposal_pdf", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    # ------------------------------------------------------------ evaluation: officials
    # on the world's OPEN call: not yet evaluable, so empty POSTs are refused or re-rendered
    ("reviews.index", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.call", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.start_evaluation", "POST"): row(LOGIN, 403, 403, 403, EVAL_HOME, 403),
    ("reviews.criteria", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.criteria", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    ("reviews.default_criteria", "POST"): row(LOGIN, 403, 403, 403, EVAL_CRITERIA, 403),
    ("reviews.settings", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    ("reviews.admissibility", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.decide_admissibility", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    ("reviews.decide_admissibility_bulk", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    ("reviews.release_admissibility", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.confirm_release", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    ("reviews.assignments", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.loads", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.auto_assign", "POST"): row(LOGIN, 403, 403, 403, EVAL_ASSIGNMENTS, 403),
    # the evaluated call's pages: the applicant's admissible proposal, the evaluator's
    # assignment not declared yet (removing it needs a reason), the submitted review
    ("reviews.assign", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.assign", "POST"): row(LOGIN, 403, 403, 403, 422, 403),  # no evaluator chosen
    ("reviews.remove_assignment", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.remove_assignment", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    ("reviews.overview", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.calibration_page", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.consensus", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.consensus", "POST"): row(LOGIN, 403, 403, 403, 422, 403),  # no scores
    ("reviews.override_review_quorum", "POST"): row(LOGIN, 403, 403, 403, 422, 403),  # reason
    ("reviews.reopen_review", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.reopen_review", "POST"): row(LOGIN, 403, 403, 403, 422, 403),  # no reason
    ("reviews.ranking", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.override", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    ("reviews.publish_preview", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    # an empty post lacks the confirmation: the preview again, with the error
    ("reviews.publish", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    # the evaluated call: another official's request to publish again waits for the world's
    # official (an empty approval lacks the confirmation); decision 1 is published
    ("reviews.approve_publication", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    ("reviews.withdraw_publication", "POST"): row(LOGIN, 403, 403, 403, PUBLISH, 403),
    ("reviews.decision_record", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.ranking_export", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reviews.prepare_ranking_pdf", "POST"): row(LOGIN, 403, 403, 403, DOCUMENT, 403),
    # The applicant's decided proposal: its summary and its objection (lodged in the window,
    # with a PDF, not answered) are for its organisation's members and officials; everyone
    # else, the evaluator who reviewed it included, may not learn they exist (404).
    ("reviews.summary_report", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    # only members object; an empty form: the text is required
    ("reviews.lodge_objection", "GET"): row(LOGIN, 200, 404, 404, 404, 404),
    ("reviews.lodge_objection", "POST"): row(LOGIN, 422, 404, 404, 404, 404),
    ("reviews.objection", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("reviews.objection_file", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("reviews.answer_objection", "POST"): row(LOGIN, 403, 403, 403, 422, 403),  # no answer
    # not upheld: no new decision, a message on the objection's page
    ("reviews.republish_after_objection", "POST"): row(
        LOGIN, 403, 403, 403, (302, "/evaluation/objections/{objection}"), 403
    ),
    ("reviews.objections_queue", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    # ------------------------------------------------------------ reporting (officials only)
    ("reporting.index", "GET"): row(
        LOGIN, 403, 403, 403, (302, f"/reporting/calls/{CALL_CODE}"), 403
    ),
    ("reporting.dashboard", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reporting.chart", "GET"): row(LOGIN, 403, 403, 403, 200, 403),  # name=technologies
    ("reporting.export_figures", "GET"): row(LOGIN, 403, 403, 403, 200, 403),  # fmt=csv
    ("reporting.export_proposals", "GET"): row(LOGIN, 403, 403, 403, 200, 403),  # fmt=csv
    ("reporting.report", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reporting.prepare_report", "POST"): row(LOGIN, 403, 403, 403, DOCUMENT, 403),
    ("reporting.proposals", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reporting.mentions", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reporting.verify", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    # an empty body names no version: nothing is recorded
    ("reporting.verify", "POST"): row(LOGIN, 403, 403, 403, 422, 403),
    # ------------------------------------------------------------ monitoring reports (officials)
    ("monitoring_reports.index", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("monitoring_reports.chart", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("monitoring_reports.export", "GET"): row(LOGIN, 403, 403, 403, 200, 403),  # yoy.csv
    ("monitoring_reports.report_pdf", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("monitoring_reports.answer_sheet", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("monitoring_reports.answer_sheet_download", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    # ------------------------------------------------------------ proposals
    # The world's proposal P belongs to organisation A (the applicant's), is submitted to
    # the open call and has one attachment. Other organisations, evaluators and admins
    # may not learn that it exists (404); officials read it but never change it.
    ("proposals.index", "GET"): logged_in(200),
    ("proposals.new", "GET"): row(LOGIN, 200, 200, 403, 403, 403),
    # an empty POST starts a draft for the applicant's only organisation
    ("proposals.new", "POST"): row(LOGIN, NEW_PROPOSAL, NEW_PROPOSAL, 403, 403, 403),
    ("proposals.detail", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("proposals.edit", "GET"): row(LOGIN, 200, 404, 404, PROPOSAL, 404),
    ("proposals.edit", "POST"): row(LOGIN, 422, 404, 404, PROPOSAL, 404),  # no revision
    ("proposals.attachments", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("proposals.attachments", "POST"): row(LOGIN, 422, 404, 404, 403, 404),  # no file
    ("proposals.remove_attachment", "POST"): row(LOGIN, ATTACHMENTS, 404, 404, 403, 404),
    ("proposals.download", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("proposals.check", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    # the declaration on honour is not ticked: the check-your-answers page again
    ("proposals.submit", "POST"): row(LOGIN, 422, 404, 404, 403, 404),
    ("proposals.full_pdf", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("proposals.withdraw", "GET"): row(LOGIN, 200, 404, 404, PROPOSAL, 404),
    ("proposals.withdraw", "POST"): row(LOGIN, 422, 404, 404, PROPOSAL, 404),  # no reason
    # the world's proposal was submitted: only a never-submitted draft can be deleted
    ("proposals.delete", "GET"): row(LOGIN, PROPOSAL, 404, 404, PROPOSAL, 404),
    ("proposals.delete", "POST"): row(LOGIN, PROPOSAL, 404, 404, PROPOSAL, 404),
    ("proposals.version", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("proposals.receipt", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    # ------------------------------------------------------------ monitoring: projects
    # The world's funded project belongs to organisation A: its members and officials see
    # and report on it; other organisations, evaluators and admins may not learn it exists.
    ("monitoring.projects", "GET"): row(LOGIN, 200, 200, 403, 200, 403),
    ("monitoring.project", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("monitoring.upload", "POST"): row(LOGIN, 422, 404, 404, 422, 404),  # no file
    ("monitoring.import_detail", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("monitoring.trainings", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("monitoring.trainings", "POST"): row(LOGIN, 422, 404, 404, 422, 404),  # no code
    ("monitoring.edit_training", "GET"): row(LOGIN, 200, 404, 404, 200, 404),
    ("monitoring.edit_training", "POST"): row(LOGIN, 422, 404, 404, 422, 404),
    ("monitoring.remove_training", "POST"): row(LOGIN, TRAININGS, 404, 404, TRAININGS, 404),
}


def rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


# ---------------------------------------------------------------- the walk


@dataclass
class World:
    organisation: Organisation
    other_organisation: Organisation
    applicant: User
    other_applicant: User
    pending: Membership
    token: ApiToken
    verify_token: str
    reset_token: str
    call: Call
    document: CallDocument
    proposal: Proposal
    project: FundedProject
    training: ProjectTraining
    enrolment_import: EnrolmentImport
    evaluator: User
    official: User
    admin: User
    # the evaluated and decided call (EVALUATED_CODE) and its objects
    evaluated_call: Call
    evaluated_proposal: Proposal  # the applicant's, funded
    assignment: Assignment  # the evaluator's on it, review submitted
    review: Review
    pending_assignment: Assignment  # the evaluator's on another proposal, not declared
    decision: DecisionRecord
    objection: Objection  # the applicant's, with a PDF, not answered
    publication_request: PublicationRequest  # waiting for the official's approval


def build_world() -> World:
    """The matrix's world, also walked page by page by tests/e2e/test_every_page.py."""
    organisation = make_organisation()
    other_organisation = make_organisation()
    applicant = make_user("applicant", organisation=organisation)
    other_applicant = make_user("applicant", organisation=other_organisation)
    requester = make_user("applicant")  # a member of a third organisation
    pending = organisation_memberships.request_membership(requester, organisation.enterprise_number)
    token, _plain = auth_tokens.create_token(applicant, applicant, "matrix")
    # the project's own call first, so that MATRIX-1 stays the newest call
    project, _member = make_funded_project(member=applicant)
    call = make_call(code=CALL_CODE)
    document = documents.add_document(
        make_user("official"),
        CALL_CODE,
        "Oproeptekst",
        "oproep.pdf",
        io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
    )
    proposal = make_proposal(call, applicant, submit=True)
    proposals.add_attachment(applicant, proposal.id, "plan.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"))
    evidence = OrganisationEvidence(
        organisation=organisation,
        filename="mandaat.pdf",
        sha256=proposal.attachments[0].sha256,
        size=15,
    )
    db.session.add(evidence)
    db.session.commit()
    training = add_training(project, "T1")
    add_enrolments(project, [])
    enrolment_import = EnrolmentImport.query.filter_by(project_id=project.id).one()
    evaluator = make_user("evaluator")
    official = make_user("official")
    decided = decided_call(EVALUATED_CODE, applicant, evaluator, official)
    return World(
        organisation=organisation,
        other_organisation=other_organisation,
        applicant=applicant,
        other_applicant=other_applicant,
        pending=pending,
        token=token,
        verify_token=auth_links.make_link_token(applicant, "verify"),
        reset_token=auth_links.make_link_token(applicant, "reset"),
        call=call,
        document=document,
        proposal=proposal,
        project=project,
        training=training,
        enrolment_import=enrolment_import,
        evaluator=evaluator,
        official=official,
        admin=make_user("admin"),
        evaluated_call=decided.call,
        evaluated_proposal=decided.proposal,
        assignment=decided.assignment,
        review=decided.review,
        pending_assignment=decided.pending_assignment,
        decision=decided.decision,
        objection=decided.objection,
        publication_request=decided.publication_request,
    )


# The routes that show the evaluated call (EVALUATED_CODE) and its objects: on the open
# call MATRIX-1 nobody could reach them (no admissible proposal, no review, no decision).
EVALUATED = frozenset(
    {
        "reviews.declare",
        "reviews.review",
        "reviews.others",
        "reviews.download",
        "reviews.proposal_pdf",
        "reviews.assign",
        "reviews.remove_assignment",
        "reviews.consensus",
        "reviews.override_review_quorum",
        "reviews.reopen_review",
        "reviews.approve_publication",
        "reviews.withdraw_publication",
        "reviews.decision_record",
        "reviews.summary_report",
        "reviews.lodge_objection",
        "reviews.objection",
        "reviews.objection_file",
        "reviews.answer_objection",
        "reviews.republish_after_objection",
    }
)

# Pages whose ACCESS row holds on both calls, checked (GET) and walked on each: on MATRIX-1
# they are empty or open, on MATRIX-2 they show reviews, a ranking, a decision, an objection.
ALSO_ON_THE_EVALUATED_CALL = frozenset(
    {
        "calls.detail",
        "proposals.detail",
        "reviews.call",
        "reviews.criteria",
        "reviews.admissibility",
        "reviews.release_admissibility",
        "reviews.assignments",
        "reviews.loads",
        "reviews.overview",
        "reviews.calibration_page",
        "reviews.ranking",
        "reviews.publish_preview",
        "reviews.objections_queue",
        "reporting.dashboard",
        "reporting.proposals",
    }
)

# the evaluator's assignment awaiting the declaration: declaring, and removing it
PENDING_ASSIGNMENT = frozenset({"reviews.declare", "reviews.remove_assignment"})


def _evaluated_values(endpoint: str, world: World) -> dict:
    assignment = world.pending_assignment if endpoint in PENDING_ASSIGNMENT else world.assignment
    return {
        "code": world.evaluated_call.code,
        "proposal_id": world.evaluated_proposal.id,
        "assignment_id": assignment.id,
        "review_id": world.review.id,
        "objection_id": world.objection.id,
        "request_id": world.publication_request.id,
        "number": world.decision.number,
        "sha256": world.evaluated_proposal.attachments[0].sha256,
    }


def url_args(rule, world: World, *, evaluated: bool = False) -> dict:
    """The rule's URL arguments from the world; the evaluated call's for the rules in
    ``EVALUATED``, and with ``evaluated`` for those in ``ALSO_ON_THE_EVALUATED_CALL``."""
    values = {
        "organisation_id": world.organisation.id,
        "membership_id": world.pending.id,
        "token_id": world.token.id,
        "user_id": world.applicant.id,
        "code": world.call.code,
        "proposal_id": world.proposal.id,
        "section": "general",
        "number": 1,
        "sha256": world.proposal.attachments[0].sha256,
        "attachment_id": world.proposal.attachments[0].id,
        "name": "technologies",
        "fmt": "csv",
        "table": "yoy",
        "project_id": world.project.id,
        "training_id": world.training.id,
        "import_id": world.enrolment_import.id,
        "document_id": world.document.id,
        "evidence_id": world.organisation.evidence[0].id,
    }
    if rule.endpoint in EVALUATED or evaluated:
        values.update(_evaluated_values(rule.endpoint, world))
    args = {}
    for name in rule.arguments:
        if name == "token":
            args[name] = (
                world.reset_token if rule.endpoint == "auth.reset_password" else world.verify_token
            )
        elif name in values:
            args[name] = values[name]
        else:  # pragma: no cover - a new kind of URL argument
            pytest.fail(f"{rule.endpoint}: no fixture value for URL argument {name!r}")
    return args


def locations(world: World) -> dict:
    """What a redirect's expected path may name: ``{org}``, ``{proposal}`` …"""
    return {
        "org": world.organisation.id,
        "proposal": world.proposal.id,
        "assignment": world.assignment.id,
        "evaluated_proposal": world.evaluated_proposal.id,
        "objection": world.objection.id,
    }


def audience_user(audience: str, world: World) -> User | None:
    return None if audience == "anon" else getattr(world, audience)
