"""What a proposal's content must respect: a draft's values on every save, the call's
eligibility rules while the applicant writes, and everything a submission needs."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.calls.models import Call, ProjectType, Technology
from app.core import formatting
from app.core.errors import ValidationFailed
from app.core.money import format_euro
from app.proposals.fields import LABELS
from app.proposals.models import Proposal


def check_shape(call: Call, proposal: Proposal, changes: Mapping[str, Any]) -> None:
    """Rules a draft must already respect: sane numbers, dates in order, known codes."""
    errors: dict[str, str] = {}
    data = _Merged(proposal, changes)
    if data.requested_eur is not None and data.requested_eur < 0:
        errors["requested_eur"] = _("The requested amount cannot be negative.")
    if data.own_contribution_eur is not None and data.own_contribution_eur < 0:
        errors["own_contribution_eur"] = _("The own contribution cannot be negative.")
    for name in ("requested_eur", "own_contribution_eur"):
        value = getattr(data, name)
        if value is not None and value >= Decimal("1000000000000"):
            errors[name] = _("This amount is too large.")
    if data.training_hours is not None and not 0 < data.training_hours <= 10000:
        errors["training_hours"] = _("Enter a number of hours between 1 and 10,000.")
    if data.expected_participants is not None and not 0 < data.expected_participants <= 1000000:
        errors["expected_participants"] = _(
            "Enter a number of participants between 1 and 1,000,000."
        )
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors["end_date"] = _("The end date must be on or after the start date.")
    if data.project_type is not None and data.project_type.value not in call.project_types:
        errors["project_type"] = _("This call does not fund this project type.")
    if data.technologies and not set(data.technologies) <= set(call.technologies):
        errors["technologies"] = _("Choose technologies from the call's list.")
    if errors:
        raise ValidationFailed(errors)


class _Merged:
    """The proposal as it would be after ``changes``: for checks across fields."""

    def __init__(self, proposal: Proposal, changes: Mapping[str, Any]) -> None:
        self._proposal, self._changes = proposal, changes

    def __getattr__(self, name: str) -> Any:
        if name in self._changes:
            return self._changes[name]
        return getattr(self._proposal, name)


# ---------------------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class RuleResult:
    key: str
    label: str
    passed: bool
    message: str
    field: str | None = None


def check_eligibility(proposal: Proposal) -> list[RuleResult]:
    """The call's eligibility rules, each passed or failed, while the applicant writes."""
    call, organisation = proposal.call, proposal.organisation
    results = [
        RuleResult(
            "provider_type",
            _("Provider type allowed"),
            call.allows_provider_type(organisation.provider_type),
            _("%(type)s providers may apply to this call.", type=organisation.provider_type.label)
            if call.allows_provider_type(organisation.provider_type)
            else _(
                "This call is not open to %(type)s providers.",
                type=str(organisation.provider_type.label).lower(),
            ),
        )
    ]

    requested = proposal.requested_eur
    within_max = requested is not None and 0 < requested <= call.max_request_eur
    results.append(
        RuleResult(
            "requested",
            _("Requested amount within the call's maximum"),
            within_max,
            _(
                "%(amount)s requested; the maximum is %(max)s.",
                amount=format_euro(requested),
                max=format_euro(call.max_request_eur),
            )
            if requested is not None
            else _(
                "Enter the requested amount (maximum %(max)s).",
                max=format_euro(call.max_request_eur),
            ),
            "requested_eur",
        )
    )

    own = proposal.own_contribution_eur
    minimum_pct = call.min_own_contribution_pct
    if own is None or requested is None:
        own_ok = False
        own_message = _("Enter the requested amount and the own contribution.")
    else:
        total = requested + own
        share = (own / total * 100) if total else Decimal("0")
        own_ok = share >= minimum_pct
        own_message = _(
            "Own contribution is %(share)s of the total cost; the call asks at least %(minimum)s.",
            share=formatting.percent(share),
            minimum=formatting.percent(minimum_pct),
        )
    results.append(
        RuleResult(
            "own_contribution",
            _("Own contribution within the call's limits"),
            own_ok,
            own_message,
            "own_contribution_eur",
        )
    )

    start, end = proposal.start_date, proposal.end_date
    if start is None or end is None:
        planning_ok, planning_message = False, _("Enter the start and end date.")
    else:
        problems = []
        if end < start:
            problems.append(_("the end date is before the start date"))
        if call.project_start_earliest and start < call.project_start_earliest:
            problems.append(
                _(
                    "the project starts before %(date)s",
                    date=formatting.day(call.project_start_earliest),
                )
            )
        if call.project_end_latest and end > call.project_end_latest:
            problems.append(
                _("the project ends after %(date)s", date=formatting.day(call.project_end_latest))
            )
        planning_ok = not problems
        planning_message = (
            _(
                "From %(start)s to %(end)s, within the call's period.",
                start=formatting.day(start),
                end=formatting.day(end),
            )
            if planning_ok
            else "; ".join(problems).capitalize() + "."
        )
    results.append(
        RuleResult(
            "planning",
            _("Planning within the call's period"),
            planning_ok,
            planning_message,
            "start_date",
        )
    )

    identified = bool(proposal.training_name.strip()) and (
        proposal.project_type is ProjectType.new or bool(proposal.training_current_form.strip())
    )
    results.append(
        RuleResult(
            "training",
            _("Training concerned identified"),
            identified,
            (
                _("%(training)s", training=proposal.training_name)
                + (f" ({proposal.training_reference})" if proposal.training_reference else "")
            )
            if identified
            else _("Name the training and, for an existing training, its current form."),
            "training_name",
        )
    )
    return results


REQUIRED_FIELDS = (
    "title",
    "project_type",
    "training_name",
    "learning_objectives",
    "content",
    "didactic_approach",
    "target_group",
    "disadvantaged_groups",
    "practice_oriented",
    "guidance_before",
    "guidance_during",
    "guidance_after",
    "lms_follow_up",
    "technologies",
    "start_date",
    "end_date",
    "requested_eur",
    "own_contribution_eur",
    "expected_participants",
)


def submission_problems(proposal: Proposal) -> dict[str, str]:
    """Every missing or wrong item, field by field, in the user's language."""
    problems: dict[str, str] = {}
    for name in REQUIRED_FIELDS:
        value = getattr(proposal, name)
        if value is None or value == "" or value == []:
            problems[name] = _("Fill in “%(field)s”", field=LABELS[name])
    if proposal.project_type in (ProjectType.convert, ProjectType.adapt):
        if not proposal.training_current_form:
            problems["training_current_form"] = _(
                "Fill in “%(field)s”", field=LABELS["training_current_form"]
            )
        if proposal.training_hours is None:
            problems["training_hours"] = _("Fill in “%(field)s”", field=LABELS["training_hours"])
    if proposal.practice_oriented and not proposal.practice_explanation:
        problems["practice_explanation"] = _(
            "Fill in “%(field)s”", field=LABELS["practice_explanation"]
        )
    if Technology.other.value in (proposal.technologies or []) and not proposal.technology_other:
        problems["technology_other"] = _("Describe the other technology or method.")
    for rule in check_eligibility(proposal):
        if not rule.passed and rule.field not in problems:
            problems[rule.field or rule.key] = f"{rule.label}: {rule.message}"
    return problems
