"""A demo proposal's fields: every answer written from its theme and a seeded random
generator, and the revision an applicant makes before submitting again."""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.calls.models import ProjectType
from app.demo.content import (
    CENT,
    CLOSINGS,
    DISADVANTAGED,
    EMPLOYER_ROLES,
    ENTRY_REQUIREMENTS,
    GUIDANCE_AFTER,
    GUIDANCE_BEFORE,
    GUIDANCE_DURING,
    LMS_FOLLOW_UP,
    LMS_NAMES,
    METHOD_SENTENCES,
    MILESTONES,
    OPENINGS,
    OTHER_METHODS,
    REFERRAL_PARTNERS,
    REVISION_SENTENCES,
    TECH_PARTNERS,
    Theme,
    demo_enterprise_number,
)
from app.demo.dates import add_months, end_of_month

# ============================================================================ proposal content


def _partner(name: str, role: str) -> dict:
    return {"name": name, "enterprise_number": demo_enterprise_number(name), "role": role}


def technologies_for(rng: random.Random, vr: bool, ai: bool) -> list[str]:
    chosen = ["vr"] * vr + ["ai"] * ai
    for code, chance in (
        ("ar", 0.2),
        ("gamification", 0.35),
        ("webinar", 0.4),
        ("group_work", 0.35),
        ("lms", 0.92),
        ("blended", 0.8),
        ("other", 0.08),
    ):
        if rng.random() < chance:
            chosen.append(code)
    if "lms" not in chosen and "blended" not in chosen:
        chosen.append("lms")
    return chosen


def proposal_fields(
    rng: random.Random,
    theme: Theme,
    project_type: ProjectType,
    technologies: list[str],
    period: tuple[date, date],
    city: str,
    training: int | None = None,
) -> dict[str, Any]:
    """Every field of a complete proposal, in plausible Dutch, drawn from ``theme``."""
    name, hours, classroom = theme.trainings[
        rng.randrange(len(theme.trainings)) if training is None else training
    ]
    lms = rng.choice(LMS_NAMES)
    other = rng.choice(OTHER_METHODS) if "other" in technologies else ""
    if "vr" in technologies and rng.random() < 0.6:
        title = rng.choice(
            (
                f"{name} met virtuele realiteit",
                f"{name}: blended leren met VR",
                f"Virtueel oefenen, echt leren: {name}",
            )
        )
    elif "ai" in technologies and rng.random() < 0.5:
        title = rng.choice((f"{name} met een AI-coach", f"Slim leren met AI: {name}"))
    elif "ar" in technologies and rng.random() < 0.5:
        title = f"{name} met augmented reality"
    else:
        title = rng.choice(
            {
                ProjectType.convert: (
                    f"{name}: van klaslokaal naar blended leren",
                    f"{name} als blended e-opleiding",
                ),
                ProjectType.adapt: (
                    f"{name} vernieuwd",
                    f"{name}: de e-opleiding in een nieuw jasje",
                    f"Herwerking van de e-opleiding {name}",
                ),
                ProjectType.new: (
                    f"Nieuwe e-opleiding {name}",
                    f"{name}, online en op eigen tempo",
                    f"{name} online",
                ),
            }[project_type]
        )
    tag = (
        "VR"
        if "vr" in technologies
        else "AI"
        if "ai" in technologies
        else "AR"
        if "ar" in technologies
        else rng.choice(("BLEND", "ONLINE", "E"))
    )
    if project_type is ProjectType.convert:
        current = classroom
    elif project_type is ProjectType.adapt:
        current = (
            f"Bestaande e-opleiding in {lms}: {rng.randint(4, 9)} modules in zelfstudie, "
            "vooral tekst en pdf's, zonder contactmomenten of begeleiding. De inhoud "
            f"dateert van {period[0].year - rng.randint(5, 8)} en werkt niet goed op een "
            "smartphone."
        )
    else:
        current = ""
    objectives = rng.sample(theme.objectives, rng.randint(3, 5))
    modules = sorted(rng.sample(range(len(theme.modules)), rng.randint(4, len(theme.modules))))
    online = rng.choice((50, 60, 60, 70, 75))
    didactic = [rng.choice(OPENINGS[project_type])]
    for code in (
        "lms",
        "blended",
        "vr",
        "ar",
        "ai",
        "gamification",
        "webinar",
        "group_work",
        "other",
    ):
        if code in technologies:
            didactic.append(
                METHOD_SENTENCES[code].format(
                    vr=theme.vr,
                    ar=theme.ar,
                    ai=theme.ai,
                    lms=lms,
                    online=online,
                    contact=100 - online,
                    other=other,
                )
            )
    didactic.append(rng.choice(CLOSINGS))
    target = rng.choice(theme.target_groups)
    practice = rng.random() < (
        0.97 if "vr" in technologies or "ar" in technologies else theme.practical
    )
    explanation = ""
    if practice:
        explanation = theme.practice
        if "vr" in technologies:
            explanation += (
                " De VR-oefeningen bereiden de echte handelingen voor; pas wie ze "
                "beheerst, oefent op de werkvloer."
            )
    start = add_months(period[0], rng.randint(0, 5))
    end = min(period[1], end_of_month(add_months(start, rng.randint(11, 17))))
    span = (end - start).days
    milestone_names = [m for m in MILESTONES if rng.random() < 0.7] or list(MILESTONES[2:5])
    milestones = [
        {
            "date": (
                start + timedelta(days=span * (i + 1) // (len(milestone_names) + 1))
            ).isoformat(),
            "description": text,
        }
        for i, text in enumerate(milestone_names)
    ]
    if rng.random() < 0.35:
        requested = Decimal(rng.randint(2_000_000, 15_000_000)) / 100
    else:
        requested = Decimal(rng.randint(40, 300) * 500)
    own = (requested * Decimal(rng.randint(12, 45)) / 100).quantize(
        Decimal("1") if requested % 500 == 0 else CENT
    )
    partners = []
    if rng.random() < 0.6:
        partners.append(_partner(theme.employer, rng.choice(EMPLOYER_ROLES)))
        if rng.random() < 0.4:
            pool = TECH_PARTNERS if {"vr", "ar", "ai"} & set(technologies) else REFERRAL_PARTNERS
            partners.append(_partner(*rng.choice(pool)))
    participants = rng.randint(15, 60) if hours >= 150 else rng.randint(40, 400)
    return {
        "title": title,
        "acronym": f"{theme.acronym}-{tag}",
        "project_type": project_type,
        "training_name": name,
        "training_current_form": current,
        "training_hours": hours,
        "training_reference": (
            "" if project_type is ProjectType.new else f"OPL-{rng.randint(10000, 99999)}"
        ),
        "learning_objectives": "Na de opleiding:\n" + "\n".join(f"- {o}" for o in objectives),
        "content": f"De opleiding bestaat uit {len(modules)} modules:\n"
        + "\n".join(f"{n}. {theme.modules[i]}" for n, i in enumerate(modules, 1)),
        "didactic_approach": " ".join(didactic),
        "target_group": (
            target[0].upper() + target[1:] + ". " + rng.choice(ENTRY_REQUIREMENTS).format(city=city)
        ),
        "disadvantaged_groups": "We richten ons uitdrukkelijk op kansengroepen:\n"
        + "\n".join(f"- {text}" for text in rng.sample(DISADVANTAGED, rng.randint(2, 3))),
        "practice_oriented": practice,
        "practice_explanation": explanation,
        "guidance_before": rng.choice(GUIDANCE_BEFORE),
        "guidance_during": rng.choice(GUIDANCE_DURING),
        "guidance_after": rng.choice(GUIDANCE_AFTER),
        "lms_follow_up": rng.choice(LMS_FOLLOW_UP).format(lms=lms),
        "technologies": technologies,
        "technology_other": other[0].upper() + other[1:] if other else "",
        "start_date": start,
        "end_date": end,
        "milestones": milestones,
        "requested_eur": requested,
        "own_contribution_eur": own,
        "partners": partners,
        "expected_participants": participants,
    }


def revision(rng: random.Random, theme: Theme, fields: dict[str, Any]) -> dict[str, Any]:
    """What an applicant changes before resubmitting: two or three real improvements."""
    changes: dict[str, Any] = {}
    for kind in rng.sample(
        ("budget", "objective", "participants", "partner", "method", "guidance"), rng.randint(2, 3)
    ):
        if kind == "budget" and fields["requested_eur"] > 25000:
            changes["requested_eur"] = (
                fields["requested_eur"] * Decimal(100 - rng.randint(3, 12)) / 100
            ).quantize(CENT)
        elif kind == "objective":
            extra = next(
                (o for o in theme.objectives if o not in fields["learning_objectives"]),
                "De cursist reflecteert op het eigen leerproces en stelt leerdoelen bij.",
            )
            changes["learning_objectives"] = fields["learning_objectives"] + f"\n- {extra}"
        elif kind == "participants":
            changes["expected_participants"] = (
                fields["expected_participants"] * rng.randint(110, 130) // 100
            )
        elif kind == "partner" and len(fields["partners"]) < 2:
            name, role = rng.choice(REFERRAL_PARTNERS)
            if all(p["name"] != name for p in fields["partners"]):
                changes["partners"] = [*fields["partners"], _partner(name, role)]
        elif kind == "method":
            missing = [
                c
                for c in ("webinar", "gamification", "group_work")
                if c not in fields["technologies"]
            ]
            if missing:
                code = rng.choice(missing)
                changes["technologies"] = [*fields["technologies"], code]
                changes["didactic_approach"] = (
                    fields["didactic_approach"] + " " + METHOD_SENTENCES[code]
                )
        elif kind == "guidance":
            changes["guidance_during"] = (
                fields["guidance_during"] + " Nieuw: cursisten die "
                "twee weken niet inloggen, krijgen een telefoontje "
                "van de coach."
            )
    if not changes or ("learning_objectives" not in changes and rng.random() < 0.5):
        text = changes.get("didactic_approach", fields["didactic_approach"])
        extra = next((e for e in REVISION_SENTENCES if e not in text), "")
        if extra or not changes:
            changes["didactic_approach"] = f"{text} {extra or REVISION_SENTENCES[0]}"
    return changes
