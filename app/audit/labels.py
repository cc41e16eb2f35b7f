"""Readable names of the audit log's action codes and object types, in the reader's language.

The codes stay what is stored and filtered on (``proposal.saved``); the page shows the name.
A code without a name here (a new action) is shown readably from the code itself, with the
code beside it, so nothing is ever hidden.
"""

from flask_babel import lazy_gettext as _l

ACTIONS = {
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
    "assignment.conflict_declared": _l("Conflict of interest declared"),
    "assignment.created": _l("Evaluator assigned"),
    "assignment.no_conflict_declared": _l("No conflict of interest declared"),
    "assignment.removed": _l("Evaluator assignment removed"),
    "call.admissibility_released": _l("Admissibility results released"),
    "call.closed": _l("Call closed"),
    "call.created": _l("Call created"),
    "call.criteria_set": _l("Award criteria set"),
    "call.deadline_brought_forward": _l("Deadline brought forward"),
    "call.decision_published": _l("Decision published"),
    "call.document_added": _l("Call document added"),
    "call.document_removed": _l("Call document removed"),
    "call.evaluation_settings_updated": _l("Evaluation settings changed"),
    "call.evaluation_started": _l("Evaluation started"),
    "call.evaluators_assigned": _l("Evaluators assigned"),
    "call.extension_granted": _l("Deadline extension granted"),
    "call.publication_approved": _l("Publication approved by a second official"),
    "call.publication_requested": _l("Publication requested"),
    "call.publication_withdrawn": _l("Publication request withdrawn"),
    "call.published": _l("Call published"),
    "call.rules_changed_after_deadline": _l("Call rules changed after the deadline"),
    "call.updated": _l("Call changed"),
    "enrolment_import.done": _l("Enrolment import processed"),
    "enrolment_import.failed": _l("Enrolment import failed"),
    "enrolment_import.queued": _l("Enrolment import uploaded"),
    "enrolment_import.refused": _l("Enrolment import refused"),
    "evaluator.profile_updated": _l("Evaluator profile changed"),
    "membership.approved": _l("Membership approved"),
    "membership.created": _l("Membership created"),
    "membership.rejected": _l("Membership refused"),
    "membership.requested": _l("Membership requested"),
    "organisation.confirmed": _l("Organisation confirmed"),
    "organisation.contact_anonymised": _l("Organisation contact anonymised"),
    "organisation.created": _l("Organisation created"),
    "organisation.evidence_added": _l("Organisation evidence added"),
    "organisation.refused": _l("Organisation refused"),
    "organisation.registered": _l("Organisation registered"),
    "organisation.updated": _l("Organisation changed"),
    "project.ended": _l("Project ended"),
    "project.opened": _l("Project opened"),
    "project.reopened": _l("Project reopened"),
    "proposal.admissibility_corrected": _l("Admissibility correction sent"),
    "proposal.admissibility_released": _l("Admissibility result sent"),
    "proposal.admissible": _l("Proposal found admissible"),
    "proposal.attachment_added": _l("Attachment added"),
    "proposal.attachment_removed": _l("Attachment removed"),
    "proposal.consensus_recorded": _l("Consensus score recorded"),
    "proposal.created": _l("Proposal started"),
    "proposal.deleted": _l("Draft proposal deleted"),
    "proposal.explanation_answered": _l("Request for explanation answered"),
    "proposal.explanation_lodged": _l("Explanation requested"),
    "proposal.inadmissible": _l("Proposal found inadmissible"),
    "proposal.objection_answered": _l("Objection answered"),
    "proposal.objection_decision_published": _l("Decision on objection published"),
    "proposal.objection_lodged": _l("Objection lodged"),
    "proposal.outcome_overridden": _l("Outcome overridden"),
    "proposal.review_quorum_overridden": _l("Evaluation quorum overridden"),
    "proposal.saved": _l("Proposal saved"),
    "proposal.submitted": _l("Proposal submitted"),
    "proposal.technologies_verified": _l("Technologies verified"),
    "proposal.withdrawn": _l("Proposal withdrawn"),
    "read.attachment": _l("Attachment read"),
    "read.decision_record": _l("Decision record read"),
    "read.objection_file": _l("Objection file read"),
    "read.ranking_export": _l("Ranking exported"),
    "read.summary_report": _l("Evaluation summary read"),
    "read.proposal_pdf": _l("Whole proposal downloaded (PDF)"),
    "review.reopened": _l("Evaluation reopened"),
    "review.submitted": _l("Evaluation submitted"),
    "training.added": _l("Training added"),
    "training.changed": _l("Training changed"),
    "training.removed": _l("Training removed"),
    "user.activated": _l("Account activated"),
    "user.anonymised": _l("Account anonymised"),
    "user.created": _l("Account created"),
    "user.deactivated": _l("Account deactivated"),
    "user.email_verified": _l("Email address confirmed"),
    "user.letter_language_changed": _l("Language of letters changed"),
    "user.logged_in": _l("Logged in"),
    "user.logged_out_everywhere": _l("Logged out everywhere"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset"),
    "user.password_reset_requested": _l("Password reset requested"),
    "user.registered": _l("Account registered"),
    "user.registration_refused": _l("Registration refused"),
    "user.roles_changed": _l("Roles changed"),
}

OBJECT_TYPES = {
    "api_tokens": _l("API token"),
    "assignments": _l("Assignment"),
    "call_documents": _l("Call document"),
    "calls": _l("Call"),
    "criteria": _l("Criterion"),
    "deadline_extensions": _l("Deadline extension"),
    "decision_records": _l("Decision"),
    "enrolment_imports": _l("Enrolment import"),
    "enrolments": _l("Enrolment"),
    "evaluator_profiles": _l("Evaluator profile"),
    "funded_projects": _l("Funded project"),
    "memberships": _l("Membership"),
    "objections": _l("Objection"),
    "organisation_evidence": _l("Organisation evidence"),
    "organisations": _l("Organisation"),
    "project_trainings": _l("Training"),
    "proposal_versions": _l("Proposal version"),
    "proposals": _l("Proposal"),
    "reviews": _l("Evaluation"),
    "users": _l("Account"),
}


def _readable(code: str) -> str:
    """'proposal.draft_deleted' -> 'Proposal draft deleted' (for codes without a name)."""
    text = code.replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def action_label(code: str) -> str:
    """The readable name of an action code, in the reader's language."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else _readable(code)


def object_label(table: str) -> str:
    """The readable name of an object type (a table name), in the reader's language."""
    label = OBJECT_TYPES.get(table)
    return str(label) if label is not None else _readable(table)
