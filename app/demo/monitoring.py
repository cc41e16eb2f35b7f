"""Demo monitoring data for ``seed-demo``: the funded projects of last year's decided call,
their trainings, and two consecutive years of monthly enrolment imports.

Every project reports once a month (an import dated the 5th of the next month). About 110,000
enrolments from January of last year up to last month, with plausible profiles, seasons
(a summer dip, a September peak), online growing and physical shrinking in the second year,
some partner platforms, statuses that move on with time (enrolled, active, then completed
or dropped) with their history, about 3% late registrations (reported a month after their
month), and August of the base year without any online enrolment (the platforms' summer
migration). Rows are built by ``app.monitoring.imports`` (``enrolment_values``) and written
in bulk; idempotent: a project that already has enrolments is left alone.
"""

import hashlib
import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.calls.models import Call
from app.core.db import db, table_of, transaction
from app.core.time import utcnow
from app.demo.dates import call_code, open_call_year
from app.monitoring import imports, services
from app.monitoring.models import (
    Enrolment,
    EnrolmentImport,
    FundedProject,
    ImportStatus,
    ProjectTraining,
    ReportedMonth,
)
from app.reviews.models import DecisionRecord

SEED = 20250105
ENROLMENTS = 110_000  # about this many over all projects and months, unless asked otherwise

TRAINING_TOPICS = [
    ("Lassen in virtuele realiteit", "blended"),
    ("Basis Excel", "online"),
    ("Heftruck veilig besturen", "physical"),
    ("Digitale klantenservice", "online"),
    ("Zorg aan huis: tiltechnieken", "blended"),
    ("Nederlands op de werkvloer", "online"),
    ("Elektriciteit: veilig werken", "physical"),
    ("Projectmatig werken", "online"),
    ("Boekhouden voor starters", "online"),
    ("CNC-programmeren", "blended"),
    ("Onthaal en communicatie", "blended"),
    ("Cyberveiligheid voor kmo's", "online"),
]
SEASON = [1.0, 1.1, 1.05, 0.95, 0.9, 0.75, 0.5, 0.45, 1.35, 1.25, 1.15, 0.8]


def _cum(weights):
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


EDUCATION = (("low", "middle", "high", "unknown"), _cum((25, 40, 26, 9)))
GENDER = (("f", "m", "x", "unknown"), _cum((52, 45, 1, 2)))
DISABILITY = (("yes", "no", "unknown"), _cum((7, 83, 10)))
MIGRATION = (("yes", "no", "unknown"), _cum((19, 69, 12)))
LABOUR = (
    ("jobseeker_activation", "temporarily_unemployed", "inactive", "employed", "unknown"),
    _cum((31, 7, 10, 47, 5)),
)


def _months(now: datetime) -> list[tuple[int, int]]:
    """January of last year up to last month."""
    base = now.year - 1
    out = []
    year, month = base, 1
    while (year, month) < (now.year, now.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def decided_call_record(now: datetime) -> DecisionRecord | None:
    code = call_code(open_call_year(now) - 1)
    return db.session.scalar(
        sa.select(DecisionRecord)
        .join(Call)
        .where(Call.code == code)
        .order_by(DecisionRecord.number.desc())
        .limit(1)
    )


def seed_monitoring(now: datetime | None = None, *, enrolments: int = ENROLMENTS) -> str:
    """Open the funded projects of the decided demo call and give them about
    ``enrolments`` enrolments in all (projects that have some already keep theirs)."""
    now = now or utcnow()
    record = decided_call_record(now)
    if record is None:
        return "monitoring: no published decision, no funded projects"
    services.open_projects_for_decision(None, record)
    projects = list(
        db.session.scalars(
            sa.select(FundedProject)
            .where(FundedProject.call_id == record.call_id)
            .order_by(FundedProject.reference)
        )
    )
    done = set(db.session.scalars(sa.select(Enrolment.project_id).distinct()))
    todo = [p for p in projects if p.id not in done]
    if todo:
        with transaction():
            _seed(todo, len(projects), now, enrolments)
    total = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Enrolment)
        .where(Enrolment.project_id.in_([p.id for p in projects]))
    )
    return (
        f"monitoring: {len(projects)} funded projects, {total} enrolments "
        f"({_months(now)[0][0]}-{now.year}, monthly imports)"
    )


def _seed(projects: list[FundedProject], count: int, now: datetime, enrolments: int) -> None:
    rng = random.Random(SEED)
    months = _months(now)
    cutoff = date(now.year, now.month, 1) - timedelta(days=1)  # end of last month
    # per project, in a month of average season: the seasons of the months covered add up
    per_project_month = enrolments / (max(count, 1) * sum(SEASON[m - 1] for _, m in months))
    for index, project in enumerate(projects):
        rng = random.Random(SEED + index)
        _seed_project(project, index, rng, months, cutoff, per_project_month)


def _seed_project(
    project: FundedProject,
    index: int,
    rng: random.Random,
    months: list[tuple[int, int]],
    cutoff: date,
    volume: float,
) -> None:
    topics = rng.sample(TRAINING_TOPICS, rng.randint(3, 5))
    prefix = "".join(ch for ch in project.reference if ch.isalnum())[-4:]
    trainings = [
        ProjectTraining(
            project_id=project.id, code=f"{prefix}-T{n + 1}", title=title, planned_mode=mode
        )
        for n, (title, mode) in enumerate(topics)
    ]
    db.session.add_all(trainings)
    # one import per month, reported on the 5th of the next month
    import_rows = []
    for year, month in months:
        ny, nm = _next(year, month)
        name = f"inschrijvingen-{year}-{month:02d}.csv"
        import_rows.append(
            {
                "project_id": project.id,
                "filename": name,
                "sha256": hashlib.sha256(f"{project.reference}/{name}".encode()).hexdigest(),
                "imported_on": date(ny, nm, 5),
                "status": ImportStatus.done.value,
                "rows_total": 0,
                "rows_done": 0,
                "created_count": 0,
                "updated_count": 0,
                "unchanged_count": 0,
                "late_count": 0,
                "errors": [],
                "error_count": 0,
                "created_by_id": None,
                "created_at": datetime(ny, nm, 5, 9, tzinfo=UTC),
                "finished_at": datetime(ny, nm, 5, 9, 1, tzinfo=UTC),
            }
        )
    table = table_of(EnrolmentImport)
    result = db.session.execute(
        sa.insert(table).returning(table.c.id, table.c.imported_on), import_rows
    )
    import_of = {}  # (year, month) of the report -> (import id, reported at)
    for import_id, imported_on in result:
        y, m = (
            (imported_on.year, imported_on.month - 1)
            if imported_on.month > 1
            else (imported_on.year - 1, 12)
        )
        import_of[(y, m)] = (
            import_id,
            datetime(imported_on.year, imported_on.month, imported_on.day, 9, tzinfo=UTC),
        )
    last_import = import_of[months[-1]]
    size = 0.6 + 0.8 * rng.random()
    partner_share = 0.45 if index % 4 == 1 else 0.12
    counters: dict[str, int] = {}
    values, histories, counts = [], [], {k: [0, 0] for k in import_of}
    base_year = months[0][0]
    for year, month in months:
        n = round(volume * size * SEASON[month - 1] * rng.uniform(0.9, 1.1))
        days = (date(*_next(year, month), 1) - date(year, month, 1)).days
        for _ in range(n):
            title, planned = rng.choice(topics)
            training = trainings[topics.index((title, planned))]
            mode = planned if rng.random() < 0.8 else rng.choice(("online", "blended", "physical"))
            # online grows, physical shrinks in the second year
            if year > base_year and mode == "physical" and rng.random() < 0.25:
                mode = "online"
            if year == base_year and month == 8 and mode == "online":
                mode = "blended"  # the platforms' summer migration: no online enrolment
            started = date(year, month, rng.randint(1, days))
            channel = "partner" if mode != "physical" and rng.random() < partner_share else "own"
            age = int(rng.triangular(17, 64, 31))
            key = f"{year}{month:02d}"
            counters[key] = counters.get(key, 0) + 1
            row = {
                "enrolment_id": f"{prefix}-{key}-{counters[key]:05d}",
                "training_code": training.code,
                "started_on": started,
                "mode": mode,
                "channel": channel,
                "education": rng.choices(EDUCATION[0], cum_weights=EDUCATION[1])[0],
                "birth_year": started.year - age if rng.random() < 0.93 else None,
                "gender": rng.choices(GENDER[0], cum_weights=GENDER[1])[0],
                "disability": rng.choices(DISABILITY[0], cum_weights=DISABILITY[1])[0],
                "migration_background": rng.choices(MIGRATION[0], cum_weights=MIGRATION[1])[0],
                "labour_status": rng.choices(LABOUR[0], cum_weights=LABOUR[1])[0],
            }
            history = _history(rng, started, cutoff)
            row["status"], row["status_on"] = history[-1]
            late = rng.random() < 0.03 and (year, month) != months[-1]
            report = _next(year, month) if late else (year, month)
            import_id, reported_at = import_of.get(report, last_import)
            counts[report if report in counts else months[-1]][0] += 1
            counts[report if report in counts else months[-1]][1] += late
            enrolment = imports.enrolment_values(
                row, project_id=project.id, import_id=import_id, now=reported_at, late=late
            )
            enrolment["updated_at"] = reported_at
            values.append(enrolment)
            histories.append(
                [
                    (status, day, import_of.get((day.year, day.month), last_import)[0])
                    for status, day in history
                ]
            )
    db.session.flush()
    pks = imports.insert_enrolments(values)
    changes = []
    for enrolment, steps in zip(values, histories, strict=True):
        pk = pks[enrolment["enrolment_id"]]
        for i, (status, day, import_id) in enumerate(steps):
            changes.append(
                {
                    "enrolment_pk": pk,
                    "status": status,
                    "status_on": day,
                    "until_on": steps[i + 1][1] if i + 1 < len(steps) else None,
                    "import_id": max(import_id, enrolment["first_import_id"]),
                }
            )
    imports.insert_history(changes)
    db.session.execute(
        sa.insert(table_of(ReportedMonth)),
        [
            {
                "project_id": project.id,
                "year": y,
                "month": m,
                "first_import_id": import_of[(y, m)][0],
                "first_reported_at": import_of[(y, m)][1],
            }
            for y, m in months
        ],
    )
    db.session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"))
        .values(
            rows_total=sa.bindparam("b_n"),
            rows_done=sa.bindparam("b_n"),
            created_count=sa.bindparam("b_n"),
            late_count=sa.bindparam("b_late"),
        ),
        [{"b_id": import_of[k][0], "b_n": n, "b_late": late} for k, (n, late) in counts.items()],
    )


def _history(rng: random.Random, started: date, cutoff: date) -> list[tuple[str, date]]:
    """Enrolled on the start day, active a week later, then completed or dropped; only
    what happened by ``cutoff``."""
    steps = [("enrolled", started)]
    active = started + timedelta(days=rng.randint(3, 10))
    if active <= cutoff:
        steps.append(("active", active))
        roll = rng.random()
        if roll < 0.68:
            end = ("completed", active + timedelta(days=rng.randint(20, 120)))
        elif roll < 0.88:
            end = ("dropped", active + timedelta(days=rng.randint(5, 60)))
        else:
            end = None
        if end and end[1] <= cutoff:
            steps.append(end)
    return steps
