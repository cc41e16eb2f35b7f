"""Deadline reminders: an email to every organisation with an unsubmitted draft, 7 days and
1 day before its deadline (``flask calls remind``)."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.calls import deadlines
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.time import before_deadline, format_brussels, utcnow
from app.organisations.services import active_members
from app.proposals.models import Proposal, ProposalStatus

# ---------------------------------------------------------------------------- reminders

REMINDER_WINDOWS = (("1d", timedelta(days=1)), ("7d", timedelta(days=7)))


def send_deadline_reminders(now: datetime | None = None) -> int:
    """Email every organisation with an unsubmitted draft 7 days and 1 day before its deadline.

    Idempotent: each (call, organisation, window, member) is emailed once, whenever and
    however often this runs. Returns the number of emails queued.
    """
    now = now or utcnow()
    queued = 0
    with transaction():
        drafts = db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.status == ProposalStatus.draft)
            .order_by(Proposal.organisation_id, Proposal.id)
        ).all()
        by_organisation: dict[tuple[int, int], list[Proposal]] = {}
        for proposal in drafts:
            by_organisation.setdefault((proposal.call_id, proposal.organisation_id), []).append(
                proposal
            )
        for (_call_id, organisation_id), proposals in by_organisation.items():
            call = proposals[0].call
            if not call.is_published or now < call.opens_at:
                continue
            deadline = deadlines.for_organisation(call, organisation_id)
            remaining = deadline - now
            if not before_deadline(now, deadline):
                continue
            window = next((key for key, span in REMINDER_WINDOWS if remaining <= span), None)
            if window is None:
                continue
            for member in active_members(organisation_id):
                message = enqueue(
                    "deadline_reminder",
                    to=member.email,
                    language=member.language,
                    dedupe_key=f"deadline-reminder:{call.id}:{organisation_id}:{window}:"
                    f"{member.id}",
                    subject=_l(
                        "Reminder: the call %(call)s closes on %(deadline)s",
                        call=call.title,
                        deadline=format_brussels(deadline, language=member.language),
                    ),
                    template="proposals/email/reminder.txt",
                    member=member,
                    call=call,
                    deadline=deadline,
                    proposals=proposals,
                    window=window,
                )
                queued += message is not None
    return queued
