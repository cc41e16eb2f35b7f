"""Each demo proposal's plan: its steps (create, save, attach, submit, withdraw) at
simulated moments, for last year's call and this year's open one."""

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.calls.models import ProjectType
from app.core.time import brussels, to_brussels
from app.demo.attachments import Pdf, attachment
from app.demo.content import (
    DESIGN,
    GENERAL,
    LEERBOOM,
    POCL,
    PROVIDER_BY_SLUG,
    PROVIDERS,
    REST,
    SEED,
    THEMES,
    WITHDRAWAL_REASON,
    Provider,
)
from app.demo.dates import call_code, historic_window, start_of_day
from app.demo.fields import proposal_fields, revision, technologies_for

# ============================================================================ plans


@dataclass
class Step:
    at: datetime
    kind: str  # create | save | attach | submit | withdraw
    changes: dict[str, Any] = field(default_factory=dict)
    filename: str = ""
    content: Pdf | None = None  # of an attach step
    reason: str = ""
    exact: bool = False  # keep this moment as it is (not moved into office hours)


@dataclass
class Plan:
    provider: Provider
    theme: str
    steps: list[Step] = field(default_factory=list)

    def add(self, step: Step) -> None:
        assert not self.steps or self.steps[-1].at <= step.at, "steps must be in time order"
        self.steps.append(step)


def _office_hours(moment: datetime) -> datetime:
    """The same day's 08:00-22:30 (Brussels), squeezing the day's 24 hours linearly into it.

    The map keeps the order of moments, so a plan built with plain fractions of time stays
    in order, while applicants mostly work in the daytime and the evening.
    """
    local = to_brussels(moment)
    seconds = (local.hour * 3600 + local.minute * 60 + local.second) * 14.5 / 24 + 8 * 3600
    hour, rest = divmod(int(seconds), 3600)
    return brussels(local.year, local.month, local.day, hour, rest // 60, rest % 60).replace(
        microsecond=local.microsecond
    )


def _in_office_hours(plans: list["Plan"]) -> None:
    for plan in plans:
        for step in plan.steps:
            if not step.exact:
                step.at = _office_hours(step.at)
        assert all(a.at <= b.at for a, b in itertools.pairwise(plan.steps))


def _pick(fields: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {name: fields[name] for name in names if name in fields}


def _write(
    plan: Plan,
    rng: random.Random,
    fields: dict[str, Any],
    start: datetime,
    end: datetime,
    call_code: str,
    *,
    attachments: int = 2,
    sections: Sequence[Sequence[str]] = (GENERAL, DESIGN, REST),
) -> None:
    """Saves of ``fields`` section by section between ``start`` and ``end``, then files."""
    span = end - start
    for n, names in enumerate(sections):
        fraction = (0.02 if n == 0 else 0.15 + 0.6 * n / len(sections)) + rng.random() * 0.08
        plan.add(Step(start + span * fraction, "save", _pick(fields, names)))
    kinds = ["begroting", "planning", "storyboard"]
    if fields.get("partners"):
        kinds.append("partner")
    for n, kind in enumerate(rng.sample(kinds, min(attachments, len(kinds)))):
        name, content = attachment(kind, plan.provider, fields, call_code)
        plan.add(Step(start + span * (0.86 + 0.04 * n), "attach", filename=name, content=content))


def _historic_moment(
    rng: random.Random, opens: datetime, deadline: datetime, late: bool
) -> datetime:
    """A submission moment, more of them towards the end (before the office-hours map)."""
    first = to_brussels(opens).date()
    days = (to_brussels(deadline).date() - first).days
    offset = days - rng.randint(0, 4) if late else max(1, int(days * rng.random() ** 0.5))
    day = first + timedelta(days=offset)
    # Weights per hour before _office_hours: mornings and afternoons, fewer evenings.
    hour = rng.choices(
        range(24), weights=(2, 2, 6, 6, 6, 6, 6, 3, 7, 7, 7, 7, 7, 7, 7, 4, 4, 4, 3, 3, 3, 3, 2, 1)
    )[0]
    moment = brussels(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))
    return min(
        moment.replace(microsecond=rng.randrange(1_000_000)), deadline - timedelta(minutes=70)
    )


def historic_plans(year: int) -> list[Plan]:
    """Last year's call (deadline 31 March ``year``): the same plans on every run."""
    rng = random.Random(SEED + year)
    opens, deadline = historic_window(year)
    period = (date(year, 7, 1), date(year + 1, 12, 31))
    code = call_code(year)
    slots = [(provider, theme) for provider in PROVIDERS for theme in provider.themes]
    count = len(slots)
    order = list(range(count))
    rng.shuffle(order)
    both, vr_only, ai_only = set(order[:4]), set(order[4:15]), set(order[15:22])
    rng.shuffle(order)
    drafts, withdrawn = order[:2], order[2]
    resubmitted = dict.fromkeys(order[3:8], 1) | dict.fromkeys(order[8:10], 2)
    last_hour = order[7:12]  # overlaps the resubmitted ones: some resubmit at the last minute
    final_minutes = {
        last_hour[0]: (23, 58),
        last_hour[1]: (23, 51),
        last_hour[2]: (23, 36),
        last_hour[3]: (23, 14),
        last_hour[4]: (23, 2),
    }
    late = set(order[12:22])
    types = [ProjectType.convert] * 45 + [ProjectType.adapt] * 25 + [ProjectType.new] * 30
    plans = []
    for index, (provider, theme_key) in enumerate(slots):
        theme = THEMES[theme_key]
        vr, ai = index in both or index in vr_only, index in both or index in ai_only
        fields = proposal_fields(
            rng, theme, rng.choice(types), technologies_for(rng, vr, ai), period, provider.city
        )
        plan = Plan(provider, theme_key)
        plans.append(plan)
        if index in drafts:
            created = opens + (deadline - opens) * rng.uniform(0.4, 0.8)
            plan.add(Step(created, "create"))
            sections = (GENERAL, DESIGN) if index == drafts[0] else (GENERAL,)
            _write(
                plan,
                rng,
                fields,
                created,
                created + timedelta(days=rng.randint(3, 20)),
                code,
                attachments=0,
                sections=sections,
            )
            continue
        versions = 1 + resubmitted.get(index, 0)
        if index in final_minutes:
            hour, minute = final_minutes[index]
            local = to_brussels(deadline)
            submits = [
                brussels(
                    local.year, local.month, local.day, hour, minute, rng.randrange(60)
                ).replace(microsecond=rng.randrange(10**6))
            ]
            exact = True
        else:
            submits = [_historic_moment(rng, opens, deadline, index in late)]
            exact = False
        for _ in range(versions - 1):
            earliest = max(opens + timedelta(hours=12), submits[0] - timedelta(days=25))
            if earliest >= submits[0]:
                earliest = opens + (submits[0] - opens) * 0.3
            submits.insert(0, earliest + (submits[0] - earliest) * rng.uniform(0.2, 0.8))
        if index == withdrawn:
            submits = [opens + (deadline - opens) * rng.uniform(0.3, 0.6)]
        created = max(
            opens + timedelta(hours=rng.randint(1, 48)),
            submits[0] - timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 9)),
        )
        if created >= submits[0]:
            created = opens + (submits[0] - opens) * 0.2
        plan.add(Step(created, "create"))
        _write(plan, rng, fields, created, submits[0], code, attachments=rng.randint(1, 3))
        plan.add(Step(submits[0], "submit", exact=exact and len(submits) == 1))
        for previous, moment in itertools.pairwise(submits):
            changes = revision(rng, theme, fields)
            fields = {**fields, **changes}
            plan.add(Step(previous + (moment - previous) * rng.uniform(0.3, 0.7), "save", changes))
            if rng.random() < 0.5:
                name, content = attachment("begroting", provider, fields, code)
                plan.add(
                    Step(
                        previous + (moment - previous) * 0.8,
                        "attach",
                        filename=name.replace(".pdf", " (herzien).pdf"),
                        content=content,
                    )
                )
            plan.add(Step(moment, "submit", exact=exact and moment == submits[-1]))
        if index == withdrawn:
            plan.add(
                Step(
                    submits[-1] + timedelta(days=rng.randint(10, 30), hours=3),
                    "withdraw",
                    reason=WITHDRAWAL_REASON,
                )
            )
    _in_office_hours(plans)
    return plans


def open_plans(year: int, opens: datetime, now: datetime) -> list[Plan]:
    """This year's open call: the demo organisations' drafts and submissions, and a few more.

    Moments are fractions of the time between the opening and the start of today (moved
    into office hours), or ``now`` when the call opened today.
    """
    rng = random.Random(SEED + 10 * year)
    period = (date(year, 7, 1), date(year + 1, 12, 31))
    code = call_code(year)
    horizon = start_of_day(now)
    if horizon - opens < timedelta(days=2):
        horizon = now

    def at(fraction: float) -> datetime:
        return opens + (horizon - opens) * fraction

    plans = []

    # De Leerboom: a submitted proposal with two versions, and a draft half filled in.
    fields = proposal_fields(
        rng,
        THEMES["kinderopvang"],
        ProjectType.convert,
        ["vr", "ai", "group_work", "lms", "blended"],
        period,
        LEERBOOM.city,
        training=1,
    )
    fields.update(
        title="Kinderbegeleider buitenschoolse opvang: blended leren met VR", acronym="KIDS-VR"
    )
    plan = Plan(LEERBOOM, "kinderopvang")
    plan.add(Step(at(0.10), "create"))
    _write(plan, rng, fields, at(0.10), at(0.40), code, attachments=2)
    plan.add(Step(at(0.40), "submit"))
    changes = revision(rng, THEMES["kinderopvang"], fields)
    plan.add(Step(at(0.62), "save", changes))
    name, content = attachment("begroting", LEERBOOM, {**fields, **changes}, code)
    plan.add(
        Step(at(0.64), "attach", filename=name.replace(".pdf", " (herzien).pdf"), content=content)
    )
    plan.add(Step(at(0.80), "submit"))
    plans.append(plan)

    fields = proposal_fields(
        rng,
        THEMES["taal"],
        ProjectType.new,
        ["ai", "lms", "webinar"],
        period,
        LEERBOOM.city,
        training=0,
    )
    fields.update(title="Nederlands op de werkvloer voor de kinderopvang", acronym="TAAL-KO")
    plan = Plan(LEERBOOM, "taal")
    plan.add(Step(at(0.85), "create"))
    plan.add(
        Step(at(0.86), "save", _pick(fields, (*GENERAL, "learning_objectives", "target_group")))
    )
    plans.append(plan)

    # The provincial centre: one submitted, one draft that lacks only its budget.
    fields = proposal_fields(
        rng,
        THEMES["elektriciteit"],
        ProjectType.adapt,
        ["ar", "webinar", "lms", "blended"],
        period,
        POCL.city,
        training=1,
    )
    plan = Plan(POCL, "elektriciteit")
    plan.add(Step(at(0.30), "create"))
    _write(plan, rng, fields, at(0.30), at(0.70), code, attachments=3)
    plan.add(Step(at(0.70), "submit"))
    plans.append(plan)

    fields = proposal_fields(
        rng,
        THEMES["heftruck"],
        ProjectType.convert,
        ["vr", "lms", "blended", "gamification"],
        period,
        POCL.city,
        training=0,
    )
    plan = Plan(POCL, "heftruck")
    plan.add(Step(at(0.50), "create"))
    _write(
        plan,
        rng,
        fields,
        at(0.50),
        at(0.92),
        code,
        attachments=1,
        sections=(GENERAL, DESIGN, [n for n in REST if not n.endswith("_eur")]),
    )
    plans.append(plan)

    # Providers from last year's call apply again.
    for slug, theme, ptype, technologies, start, end in (
        ("lasacademie", "lassen", ProjectType.new, ["vr", "ar", "lms", "blended"], 0.05, 0.50),
        (
            "cvo-leuven-hageland",
            "ict",
            ProjectType.adapt,
            ["ai", "lms", "webinar", "group_work"],
            0.45,
            0.93,
        ),
    ):
        provider = PROVIDER_BY_SLUG[slug]
        fields = proposal_fields(rng, THEMES[theme], ptype, technologies, period, provider.city)
        plan = Plan(provider, theme)
        plan.add(Step(at(start), "create"))
        _write(plan, rng, fields, at(start), at(end), code, attachments=2)
        plan.add(Step(at(end), "submit"))
        plans.append(plan)
    provider = PROVIDER_BY_SLUG["zorgacademie-rivierenland"]
    fields = proposal_fields(
        rng, THEMES["zorg"], ProjectType.convert, ["vr", "lms"], period, provider.city
    )
    plan = Plan(provider, "zorg")
    plan.add(Step(at(0.75), "create"))
    plan.add(Step(at(0.76), "save", _pick(fields, GENERAL)))
    plans.append(plan)
    if horizon != now:
        _in_office_hours(plans)
    return plans
