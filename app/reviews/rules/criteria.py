"""Step 1: the criteria a call is scored on and its evaluation settings (fixed once an
evaluator has scored)."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.calls.models import Call
from app.core.db import db, transaction
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.reviews import permissions
from app.reviews.facts import criteria_of, scores_exist, settings_of
from app.reviews.models import Criterion, EvaluationSettings

HUNDRED = Decimal("100")


# ---------------------------------------------------------------------------- criteria


@dataclass(frozen=True)
class CriterionInput:
    name_nl: str
    name_en: str
    weight: Decimal
    guidance_nl: str = ""
    guidance_en: str = ""
    scale_max: Decimal = Decimal("5")
    step: Decimal = Decimal("0.5")
    threshold: Decimal | None = None


DEFAULT_CRITERIA: tuple[CriterionInput, ...] = (
    CriterionInput(
        "Relevantie en praktijkgerichtheid",
        "Relevance and practice orientation",
        Decimal("25"),
        "Beantwoordt het project een reële opleidingsnood op de arbeidsmarkt? "
        "Leren de deelnemers handelen zoals op de werkvloer?",
        "Does the project meet a real training need on the labour market? Do learners "
        "practise as they would at work?",
        threshold=Decimal("2.5"),
    ),
    CriterionInput(
        "Didactische kwaliteit en afstemming op de doelgroep",
        "Didactic quality and fit with the target group",
        Decimal("25"),
        "Leerdoelen, leerinhoud en werkvormen sluiten aan bij de doelgroep; begeleiding "
        "voor, tijdens en na de opleiding; opvolging van de blend in het LMS.",
        "Objectives, content and methods fit the target group; guidance before, during and "
        "after the training; the blend followed up in the LMS.",
        threshold=Decimal("2.5"),
    ),
    CriterionInput(
        "Gebruik van technologie en innovatie",
        "Use of technology and innovation",
        Decimal("20"),
        "Versterkt de technologie (VR, AR, AI, gamification, ...) het leren, "
        "en is ze meer dan een gadget?",
        "Does the technology (VR, AR, AI, gamification, ...) strengthen learning rather "
        "than decorate it?",
    ),
    CriterionInput(
        "Haalbaarheid en begroting",
        "Feasibility and budget",
        Decimal("15"),
        "Realistische planning en mijlpalen, een begroting in verhouding tot de resultaten, "
        "een sterk partnerschap.",
        "A realistic plan and milestones, a budget in proportion to the results, a strong "
        "partnership.",
        threshold=Decimal("2"),
    ),
    CriterionInput(
        "Bereik van kansengroepen",
        "Reach of disadvantaged groups",
        Decimal("15"),
        "Hoe bereikt en ondersteunt het project kortgeschoolden, werkzoekenden, personen "
        "met een arbeidshandicap of een migratieachtergrond?",
        "How does the project reach and support low-educated learners, jobseekers, people "
        "with a disability or a migration background?",
    ),
)


def set_criteria(
    actor: User | None, call_id: int, items: Sequence[CriterionInput]
) -> list[Criterion]:
    """Replace the call's criteria (only before anyone has scored against them)."""
    if actor is not None:
        require(permissions.can_manage(actor))
    errors: dict[str, str] = {}
    if not items:
        errors["criteria"] = _("Define at least one criterion.")
    for index, item in enumerate(items):
        if not item.name_nl.strip() or not item.name_en.strip():
            errors[f"criteria-{index}-name"] = _(
                "Give every criterion a Dutch and an English name."
            )
        if item.weight <= 0:
            errors[f"criteria-{index}-weight"] = _("A weight must be more than 0.")
        if item.scale_max <= 0 or item.step <= 0 or (item.scale_max % item.step) != 0:
            errors[f"criteria-{index}-scale"] = _(
                "The scale's maximum must be a whole number of steps."
            )
        if item.threshold is not None and not 0 <= item.threshold <= item.scale_max:
            errors[f"criteria-{index}-threshold"] = _("A threshold must lie on the scale.")
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        call = db.session.get(Call, call_id)
        if call is None:
            raise NotFound()
        if scores_exist(call_id):
            raise DomainError(
                _("Evaluators have started scoring: the criteria can no longer change.")
            )
        before = [c.name_en for c in criteria_of(call_id)]
        db.session.execute(sa.delete(Criterion).where(Criterion.call_id == call_id))
        created = []
        for position, item in enumerate(items, start=1):
            criterion = Criterion(
                call_id=call_id,
                position=position,
                name_nl=item.name_nl.strip(),
                name_en=item.name_en.strip(),
                guidance_nl=item.guidance_nl.strip(),
                guidance_en=item.guidance_en.strip(),
                weight=item.weight,
                scale_max=item.scale_max,
                step=item.step,
                threshold=item.threshold,
            )
            db.session.add(criterion)
            created.append(criterion)
        settings_of(call)
        db.session.flush()
        audit.record(
            actor,
            "call.criteria_set",
            call,
            before={"criteria": before},
            after={"criteria": [f"{c.name_en} ({c.weight})" for c in created]},
        )
    return created


def scoring_started(call_id: int) -> bool:
    """True once an evaluator saved a score: the criteria and outcome rules are fixed."""
    return scores_exist(call_id)


@dataclass(frozen=True)
class SettingsInput:
    reviews_per_proposal: int
    total_threshold: Decimal
    disagreement_spread: Decimal
    reserve_size: int
    objection_days: int
    criterion_spread_share: Decimal | None = None  # None: a third of the scale
    second_approval: bool = False  # publishing needs a second official (rules/decisions.py)


def _settings_snapshot(settings: EvaluationSettings) -> dict[str, Any]:
    return {
        "reviews_per_proposal": settings.reviews_per_proposal,
        "total_threshold": str(settings.total_threshold),
        "disagreement_spread": str(settings.disagreement_spread),
        "reserve_size": settings.reserve_size,
        "objection_days": settings.objection_days,
        "criterion_spread_share": None
        if settings.criterion_spread_share is None
        else str(settings.criterion_spread_share),
        "second_approval": bool(settings.second_approval),
    }


def update_settings(actor: User, call_id: int, data: SettingsInput) -> EvaluationSettings:
    """Change a call's evaluation settings. Once scoring has started the rules that decide
    outcomes (total threshold, reserve size) are fixed."""
    require(permissions.can_manage(actor))
    errors: dict[str, str] = {}
    if not 1 <= data.reviews_per_proposal <= 10:
        errors["reviews_per_proposal"] = _("Choose from 1 to 10 evaluators per proposal.")
    if not Decimal("0") <= data.total_threshold <= HUNDRED:
        errors["total_threshold"] = _("The total threshold lies from 0 to 100.")
    if not Decimal("0") <= data.disagreement_spread <= HUNDRED:
        errors["disagreement_spread"] = _("The disagreement spread lies from 0 to 100.")
    if not 0 <= data.reserve_size <= 1000:
        errors["reserve_size"] = _("The reserve list holds from 0 to 1000 proposals.")
    if not 1 <= data.objection_days <= 365:
        errors["objection_days"] = _("Allow from 1 to 365 calendar days to object.")
    if data.criterion_spread_share is not None and not Decimal(
        "0"
    ) < data.criterion_spread_share <= Decimal("1"):
        errors["criterion_spread_percent"] = _(
            "The percentage of the scale lies above 0 and at most 100."
        )
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        call = db.session.get(Call, call_id)
        if call is None:
            raise NotFound()
        settings = settings_of(call)
        before = _settings_snapshot(settings)
        if scores_exist(call_id) and (
            data.total_threshold != settings.total_threshold
            or data.reserve_size != settings.reserve_size
        ):
            raise DomainError(
                _(
                    "Evaluators have started scoring: the total threshold and the "
                    "size of the reserve list can no longer change."
                )
            )
        settings.reviews_per_proposal = data.reviews_per_proposal
        settings.total_threshold = data.total_threshold
        settings.disagreement_spread = data.disagreement_spread
        settings.reserve_size = data.reserve_size
        settings.objection_days = data.objection_days
        settings.criterion_spread_share = data.criterion_spread_share
        settings.second_approval = data.second_approval
        db.session.flush()
        audit.record(
            actor,
            "call.evaluation_settings_updated",
            call,
            before=before,
            after=_settings_snapshot(settings),
        )
    return settings
