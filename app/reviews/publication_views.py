"""Publishing a decision: the preview (what is published, who is emailed, one letter), the
explicit confirmation and, when the call wants it, a second official's approval. Officials
only; the rules are in app.reviews.rules.decisions."""

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calls.models import Call
from app.core import formatting
from app.core.errors import DomainError
from app.core.forms import EmptyForm, submit_form
from app.core.permissions import Role, roles_required
from app.reviews.blueprint import bp
from app.reviews.confirm_forms import ApprovalForm, PublishForm
from app.reviews.facts import settings_of
from app.reviews.models import Outcome
from app.reviews.rules import decisions as decisions_rules
from app.reviews.view_helpers import call_by_code


def _preview_page(
    call: Call, form: PublishForm | None = None, approval: ApprovalForm | None = None
):
    try:
        preview = decisions_rules.publication_preview(current_user, call.id)
    except DomainError as exc:
        return render_template(
            "reviews/official/publish.html", call=call, preview=None, problem=exc.user_message()
        )
    if form is None:
        form = PublishForm(formdata=None, fingerprint=preview.fingerprint)
    form.fingerprint.data = preview.fingerprint
    return render_template(
        "reviews/official/publish.html",
        call=call,
        preview=preview,
        outcomes=[Outcome(value) for value in preview.counts],
        form=form,
        approval_form=approval or ApprovalForm(formdata=None),
        requested_by_me=preview.pending is not None
        and preview.pending.requested_by_id == current_user.id,
        problem=None,
    )


@bp.get("/calls/<code>/decision/publish")
@roles_required(Role.official)
def publish_preview(code: str):
    return _preview_page(call_by_code(code))


@bp.post("/calls/<code>/ranking/publish")
@roles_required(Role.official)
def publish(code: str):
    """Publish at once, or (second approval) ask another official to approve."""
    call = call_by_code(code)
    form = PublishForm()
    reason = form.reason.data or ""
    fingerprint = form.fingerprint.data or ""
    if settings_of(call).second_approval:
        done = submit_form(
            form,
            lambda: decisions_rules.request_publication(current_user, call.id, fingerprint, reason),
            success=_(
                "The publication is requested. Another official approves it on this page; "
                "nothing has been sent yet."
            ),
            then=url_for(".publish_preview", code=call.code),
        )
    else:
        done = submit_form(
            form,
            lambda: decisions_rules.publish_decision(
                current_user, call.id, reason, expected=fingerprint
            ),
            success=lambda record: _(
                "Decision %(number)d on %(code)s is published: every applicant is notified and "
                "may object until %(date)s.",
                number=record.number,
                code=call.code,
                date=formatting.day(record.objection_until),
            ),
            then=url_for(".ranking", code=call.code, _anchor="decisions"),
            refused=url_for(".publish_preview", code=call.code),
        )
    if done:
        return done
    return _preview_page(call, form=form), 422


@bp.post("/calls/<code>/decision/requests/<int:request_id>/approve")
@roles_required(Role.official)
def approve_publication(code: str, request_id: int):
    call = call_by_code(code)
    decisions_rules.publication_request(call.id, request_id)  # 404 before the form's errors
    form = ApprovalForm()
    done = submit_form(
        form,
        lambda: decisions_rules.approve_publication(current_user, call.id, request_id),
        success=lambda record: _(
            "You approved the publication: decision %(number)d on %(code)s is published and "
            "every applicant is notified.",
            number=record.number,
            code=call.code,
        ),
        then=url_for(".ranking", code=call.code, _anchor="decisions"),
        refused=url_for(".publish_preview", code=call.code),
    )
    if done:
        return done
    return _preview_page(call, approval=form), 422


@bp.post("/calls/<code>/decision/requests/<int:request_id>/withdraw")
@roles_required(Role.official)
def withdraw_publication(code: str, request_id: int):
    call = call_by_code(code)
    back = url_for(".publish_preview", code=call.code)
    done = submit_form(
        EmptyForm(),
        lambda: decisions_rules.withdraw_publication(current_user, call.id, request_id),
        success=_("The request to publish was withdrawn; nothing was sent."),
        then=back,
    )
    return done or redirect(back)
