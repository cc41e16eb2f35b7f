"""Build the benchmark data set in a fresh database, quickly.

    DATABASE_URL=... python bench/build.py [--proposals 5000 --organisations 2000
                                            --evaluators 300 --reviews-per-proposal 3]

A closed call in evaluation with N submitted proposals (their immutable versions made by
the same ``snapshot`` and ``fingerprint`` as a submission), every proposal admissible,
three accepted assignments each with a submitted review on the default criteria, and the
consensus recorded: the state an official's pages see after the evaluation. An open call
with the bench applicant's drafts for the draft-save and submit endpoints.

Accounts, calls, criteria and settings go through the services; the big tables are bulk
inserts of rows shaped as the services write them (one password hash for every account).
Prints a JSON document with the ids the benchmark needs.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

PASSWORD = "Bench-portaal-2026!"  # the bench accounts' password, printed
CLOSED, OPEN, PREVIOUS = "BENCH-2026", "BENCH-OPEN", "BENCH-2025"
SUBMIT_DRAFTS = 3000  # complete drafts the submit endpoint works through
SAVE_DRAFTS = 16  # one per load-generator connection


def enterprise_number(n: int) -> str:
    body = 3000000 + n
    digits = f"{body:08d}{97 - body % 97:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def _reset_database(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        name = sa.engine.make_url(url).database or ""
        if "bench" not in name:  # it empties the database: never one that is not for this
            sys.exit(f"Refusing to empty the database {name!r}: its name must contain 'bench'")
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()


def _analyze(url: str) -> None:
    """PostgreSQL's table statistics, as a running server has them: a data set loaded in
    bulk has none until autovacuum gets to it, and without them PostgreSQL chose plans two
    to three times slower for the change keys and the call-wide counts. SQLite keeps no
    statistics unless ANALYZE is run, which the portal does not do: it is left as is."""
    if url.startswith("sqlite:"):
        return
    engine = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",  # VACUUM runs outside a transaction
    )
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


def _bulk(table, rows: list[dict], chunk: int = 2000) -> None:
    from app.core.db import db

    for start in range(0, len(rows), chunk):
        db.session.execute(table.insert(), rows[start : start + chunk])


def _fix_sequences(tables) -> None:
    from app.core.db import db

    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def _number_proposals() -> None:
    """Each call's proposal counter at its number of proposals (the references were numbered
    1..n here), so a draft started later gets the next reference instead of colliding."""
    from app.calls.models import Call
    from app.core.db import db
    from app.proposals.models import Proposal

    db.session.execute(
        sa.update(Call).values(
            proposals_numbered=sa.select(sa.func.count(Proposal.id))
            .where(Proposal.call_id == Call.id)
            .scalar_subquery()
        )
    )
    db.session.commit()


def _monitoring(args, official, proposal_row, fields_for, now) -> int:
    """Last year's decided call with funded projects, and ``args.enrolments`` enrolments
    over two years of monthly imports, built by the monitoring demo's row builder and
    written through its bulk path (``imports.insert_enrolments``/``insert_history``)."""
    from app.calls import services as calls
    from app.core.db import db
    from app.demo import monitoring as demo
    from app.monitoring.models import Enrolment, FundedProject
    from app.proposals.models import Proposal, ProposalStatus
    from app.reviews.models import DecisionRecord

    projects = 40
    previous = calls.create_call(
        None,
        calls.CallInput(
            PREVIOUS,
            "Benchmark call (last year, decided)",
            now + timedelta(days=1),
            now + timedelta(days=2),
            budget_eur=Decimal("8000000"),
            max_request_eur=Decimal("200000"),
        ),
    )
    db.session.commit()
    first = db.session.scalar(sa.select(sa.func.max(Proposal.id))) + 1
    rows = [
        proposal_row(
            first + k,
            previous,
            f"{PREVIOUS}-{k + 1:04d}",
            k + 1,
            official.id,
            fields_for(k),
            ProposalStatus.submitted,
            now - timedelta(days=400),
        )
        for k in range(projects)
    ]
    _bulk(Proposal.__table__, rows)
    _number_proposals()
    decided = now - timedelta(days=380)
    record = db.session.execute(
        sa.insert(DecisionRecord.__table__).returning(DecisionRecord.__table__.c.id),
        [
            {
                "call_id": previous.id,
                "number": 1,
                "published_at": decided,
                "published_by_id": official.id,
                "reason": "",
                "data": {"rows": []},
                "fingerprint": "0" * 64,
                "notified_on": decided.date(),
                "objection_until": decided.date(),
            }
        ],
    ).scalar_one()
    _bulk(
        FundedProject.__table__,
        [
            {
                "reference": row["reference"],
                "proposal_id": row["id"],
                "call_id": previous.id,
                "organisation_id": row["organisation_id"],
                "decision_record_id": record,
                "title": row["title"],
                "status": "active",
                "created_at": decided,
            }
            for row in rows
        ],
    )
    db.session.commit()
    funded = list(
        db.session.scalars(
            sa.select(FundedProject)
            .where(FundedProject.call_id == previous.id)
            .order_by(FundedProject.reference)
        )
    )
    months = demo._months(now)
    cutoff = date(now.year, now.month, 1) - timedelta(days=1)
    # the demo's row volume per project and month, scaled to the wanted total (its
    # seasons and project sizes average about 0.91 and 1.0)
    volume = args.enrolments / (projects * len(months) * 0.91)
    for index, project in enumerate(funded):
        demo._seed_project(project, index, random.Random(demo.SEED + index), months, cutoff, volume)
        db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) or 0


def build(args) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from app.auth import services as auth
    from app.auth import tokens as auth_tokens
    from app.auth.models import User, UserRole
    from app.auth.passwords import hash_password
    from app.calls import services as calls
    from app.calls.models import CallPhase, ProjectType
    from app.core.db import db
    from app.core.permissions import Role
    from app.demo.content import THEMES
    from app.demo.fields import proposal_fields, technologies_for
    from app.organisations.models import Membership, MembershipStatus, Organisation, ProviderType
    from app.proposals import services as proposals
    from app.proposals import versions as proposal_versions
    from app.proposals.models import Proposal, ProposalStatus, ProposalVersion
    from app.reviews import facts
    from app.reviews.models import (
        Admissibility,
        AdmissibilityCheck,
        Assignment,
        AssignmentStatus,
        ConsensusScore,
        Review,
        ReviewStatus,
        Score,
    )
    from app.reviews.rules import criteria as criteria_rules

    rng = random.Random(2026)
    started = time.monotonic()
    app = create_app()
    with app.app_context():
        upgrade()
        now = datetime.now(UTC).replace(microsecond=0)
        password_hash = hash_password(PASSWORD)
        official = auth.create_user(
            None,
            auth.AccountInput("ambtenaar@bench.example", "Bench Official", PASSWORD),
            roles={Role.official},
            verified=True,
        )
        # calls through the service; the closed one then moved into the past
        closed = calls.create_call(
            None,
            calls.CallInput(
                CLOSED,
                "Benchmark call (closed)",
                now + timedelta(days=1),
                now + timedelta(days=90),
                budget_eur=Decimal("40000000"),
                max_request_eur=Decimal("200000"),
            ),
        )
        calls.publish_call(None, closed.id)
        opens, deadline = (
            datetime(2026, 1, 5, 8, tzinfo=UTC),
            datetime(2026, 3, 31, 21, 59, 59, tzinfo=UTC),
        )
        closed.opens_at, closed.deadline = opens, deadline
        closed.phase = CallPhase.evaluation
        open_call = calls.create_call(
            None,
            calls.CallInput(
                OPEN,
                "Benchmark call (open)",
                now + timedelta(days=1),
                now + timedelta(days=200),
                budget_eur=Decimal("4000000"),
                max_request_eur=Decimal("200000"),
            ),
        )
        calls.publish_call(None, open_call.id)
        open_call.opens_at = now - timedelta(days=30)
        db.session.commit()
        criteria_rules.set_criteria(None, closed.id, criteria_rules.DEFAULT_CRITERIA)
        settings = facts.settings_of(closed)
        db.session.commit()
        criteria = facts.criteria_of(closed.id)

        # organisations, their applicants, evaluators
        n_org = args.organisations
        provider_types = list(ProviderType)
        _bulk(
            Organisation.__table__,
            [
                {
                    "id": i,
                    "legal_name": f"Opleidingscentrum {i:04d}",
                    "enterprise_number": enterprise_number(i),
                    "provider_type": provider_types[i % len(provider_types)],
                    "street": "Kouter 1",
                    "postal_code": "9000",
                    "city": "Gent",
                    "contact_name": "",
                    "contact_email": "",
                    "contact_phone": "",
                    "created_at": opens,
                }
                for i in range(1, n_org + 2)
            ],
        )  # the last one: the bench applicant's

        def organisation_snapshot(i: int) -> dict:
            """The organisation as a submitted version freezes it
            (``proposal_versions.organisation_snapshot``)."""
            return {
                "legal_name": f"Opleidingscentrum {i:04d}",
                "enterprise_number": enterprise_number(i),
                "provider_type": provider_types[i % len(provider_types)].value,
                "street": "Kouter 1",
                "postal_code": "9000",
                "city": "Gent",
            }

        bench_org = n_org + 1
        first_user = official.id + 1
        users, roles, memberships = [], [], []
        for i in range(1, n_org + 2):
            uid = first_user + i - 1
            users.append(
                {
                    "id": uid,
                    "email": f"aanvrager{i:04d}@bench.example",
                    "name": f"Aanvrager {i:04d}",
                    "password_hash": password_hash,
                    "active": True,
                    "email_verified_at": opens,
                    "language": "nl",
                    "created_at": opens,
                }
            )
            roles.append({"user_id": uid, "role": Role.applicant})
            memberships.append(
                {
                    "id": i,
                    "user_id": uid,
                    "organisation_id": i,
                    "status": MembershipStatus.active,
                    "requested_at": opens,
                    "decided_at": opens,
                }
            )
        first_evaluator = first_user + n_org + 1
        evaluator_ids = list(range(first_evaluator, first_evaluator + args.evaluators))
        for k, uid in enumerate(evaluator_ids, start=1):
            users.append(
                {
                    "id": uid,
                    "email": f"beoordelaar{k:03d}@bench.example",
                    "name": f"Beoordelaar {k:03d}",
                    "password_hash": password_hash,
                    "active": True,
                    "email_verified_at": opens,
                    "language": "nl",
                    "created_at": opens,
                }
            )
            roles.append({"user_id": uid, "role": Role.evaluator})
        _bulk(User.__table__, users)
        _bulk(UserRole.__table__, roles)
        _bulk(Membership.__table__, memberships)

        # proposals and their versions, as a submission writes them
        themes = list(THEMES.values())
        project_types = list(ProjectType)
        period = (date(2026, 9, 1), date(2028, 8, 31))
        proposal_rows, version_rows = [], []
        version_id = 0

        def fields_for(n: int) -> dict:
            technologies = technologies_for(rng, rng.random() < 0.3, rng.random() < 0.25)
            return proposal_fields(
                rng,
                themes[n % len(themes)],
                project_types[n % len(project_types)],
                technologies,
                period,
                "Gent",
            )

        def proposal_row(pid, call, reference, organisation_id, user_id, fields, status, at):
            row = {
                "id": pid,
                "call_id": call.id,
                "organisation_id": organisation_id,
                "reference": reference,
                "status": status,
                "revision": 1,
                "created_at": at,
                "created_by_id": user_id,
                "updated_at": at,
                "updated_by_id": user_id,
                "submitted_at": None,
                "withdrawn_at": None,
                "withdrawal_reason": "",
            }
            row.update(fields)
            return row

        span = (deadline - opens).total_seconds()
        for n in range(1, args.proposals + 1):
            organisation_id = (n - 1) % n_org + 1
            user_id = first_user + organisation_id - 1
            fields = fields_for(n)
            created = opens + timedelta(seconds=span * rng.random() * 0.8)
            reference = f"{CLOSED}-{n:04d}"
            row = proposal_row(
                n,
                closed,
                reference,
                organisation_id,
                user_id,
                fields,
                ProposalStatus.submitted,
                created,
            )
            times = [created + timedelta(days=rng.randint(1, 15))]
            if rng.random() < 0.15:  # resubmitted once
                times.append(times[0] + timedelta(days=rng.randint(1, 5)))
            times = [min(t, deadline - timedelta(minutes=5)) for t in times]
            data = proposal_versions.snapshot(Proposal(**fields))
            frozen = organisation_snapshot(organisation_id)
            for number, at in enumerate(times, start=1):
                version_id += 1
                # as ``proposals.submit_proposal`` makes it (fingerprint scheme 2)
                header = {
                    "reference": reference,
                    "call": CLOSED,
                    "organisation": frozen,
                    "version": number,
                    "submitted_at": at.isoformat(),
                    "scheme": 2,
                }
                version_rows.append(
                    {
                        "id": version_id,
                        "proposal_id": n,
                        "number": number,
                        "submitted_at": at,
                        "submitted_by_id": user_id,
                        "data": data,
                        "organisation": frozen,
                        "fingerprint_scheme": 2,
                        "deadline_in_force": deadline,
                        "fingerprint": proposal_versions.fingerprint(header, data),
                    }
                )
            row["submitted_at"] = row["updated_at"] = times[-1]
            proposal_rows.append(row)
        # the bench applicant's drafts in the open call
        bench_user = first_user + bench_org - 1
        drafts = []
        for k in range(1, SUBMIT_DRAFTS + SAVE_DRAFTS + 1):
            pid = args.proposals + k
            drafts.append(pid)
            proposal_rows.append(
                proposal_row(
                    pid,
                    open_call,
                    f"{OPEN}-{k:04d}",
                    bench_org,
                    bench_user,
                    fields_for(k),
                    ProposalStatus.draft,
                    now - timedelta(days=1),
                )
            )
        _bulk(Proposal.__table__, proposal_rows, chunk=500)
        _number_proposals()
        _bulk(ProposalVersion.__table__, version_rows, chunk=500)
        del proposal_rows, version_rows

        # evaluation: admissible, three accepted assignments with submitted reviews, consensus
        decided = deadline + timedelta(days=3)
        counting = dict(
            db.session.execute(
                sa.select(ProposalVersion.proposal_id, sa.func.max(ProposalVersion.id)).group_by(
                    ProposalVersion.proposal_id
                )
            ).all()
        )
        checks = {"on_time": True, "complete": True, "provider_type": True, "budget": True}
        _bulk(
            AdmissibilityCheck.__table__,
            [
                {
                    "id": n,
                    "proposal_id": n,
                    "version_id": counting[n],
                    "result": Admissibility.admissible,
                    "reason": "",
                    "checks": checks,
                    "checked_by_id": official.id,
                    "checked_at": decided,
                }
                for n in range(1, args.proposals + 1)
            ],
        )
        assignments, review_rows, scores, consensus = [], [], [], []
        per = args.reviews_per_proposal
        aid = sid = cid = 0
        for n in range(1, args.proposals + 1):
            chosen = [evaluator_ids[((n - 1) * per + j) % len(evaluator_ids)] for j in range(per)]
            for evaluator_id in chosen:
                aid += 1
                assignments.append(
                    {
                        "id": aid,
                        "proposal_id": n,
                        "evaluator_id": evaluator_id,
                        "status": AssignmentStatus.accepted,
                        "automatic": True,
                        "assigned_by_id": official.id,
                        "assigned_at": decided,
                        "declared_at": decided + timedelta(days=1),
                        "conflict_reason": "",
                    }
                )
                review_rows.append(
                    {
                        "id": aid,
                        "assignment_id": aid,
                        "status": ReviewStatus.submitted,
                        "overall_comment": "Degelijk voorstel.",
                        "created_at": decided,
                        "updated_at": decided + timedelta(days=5),
                        "submitted_at": decided + timedelta(days=5),
                    }
                )
                for criterion in criteria:
                    sid += 1
                    value = Decimal(rng.randint(4, 10)) / 2
                    scores.append(
                        {
                            "id": sid,
                            "review_id": aid,
                            "criterion_id": criterion.id,
                            "score": min(value, criterion.scale_max),
                            "justification": "Onderbouwd in het voorstel.",
                        }
                    )
            for criterion in criteria:
                cid += 1
                consensus.append(
                    {
                        "id": cid,
                        "proposal_id": n,
                        "criterion_id": criterion.id,
                        "score": min(Decimal(rng.randint(5, 10)) / 2, criterion.scale_max),
                        "justification": "Het panel is het eens.",
                        "minority_view": "",
                        "recorded_by_id": official.id,
                        "recorded_at": decided + timedelta(days=8),
                    }
                )
        _bulk(Assignment.__table__, assignments, chunk=5000)
        _bulk(Review.__table__, review_rows, chunk=5000)
        _bulk(Score.__table__, scores, chunk=5000)
        _bulk(ConsensusScore.__table__, consensus, chunk=5000)
        db.session.commit()
        _fix_sequences(
            [
                "organisations",
                "users",
                "memberships",
                "proposals",
                "proposal_versions",
                "admissibility_checks",
                "assignments",
                "reviews",
                "review_scores",
                "consensus_scores",
            ]
        )
        db.session.commit()

        enrolments = (
            _monitoring(args, official, proposal_row, fields_for, now) if args.enrolments else 0
        )

        # an API token for the official; one submitted version in the open call (receipt)
        applicant = db.session.get(User, bench_user)
        _token, token = auth_tokens.create_token(official, official, "bench")
        receipt_proposal = drafts[-1]
        proposals.submit_proposal(applicant, receipt_proposal)
        db.session.commit()
        info = {
            "dataset": {
                "proposals": args.proposals,
                "organisations": n_org,
                "evaluators": args.evaluators,
                "reviews": len(review_rows),
                "scores": len(scores),
                "consensus_scores": len(consensus),
                "versions": version_id,
                "enrolments": enrolments,
            },
            "closed_call": CLOSED,
            "open_call": OPEN,
            "password": PASSWORD,
            "official": official.email,
            "official_token": token,
            "evaluator": f"beoordelaar{1:03d}@bench.example",
            "applicant": applicant.email,
            "receipt_proposal": receipt_proposal,
            "proposal_page": receipt_proposal,
            "save_drafts": drafts[SUBMIT_DRAFTS : SUBMIT_DRAFTS + SAVE_DRAFTS - 1],
            "submit_drafts": drafts[:SUBMIT_DRAFTS],
            "settings_reviews_per_proposal": settings.reviews_per_proposal,
            "monitoring_year": now.year,
            "monitoring_base": now.year - 1,
            "seconds": round(time.monotonic() - started, 1),
        }
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proposals", type=int, default=5000)
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--evaluators", type=int, default=300)
    parser.add_argument("--reviews-per-proposal", type=int, default=3)
    parser.add_argument(
        "--enrolments",
        type=int,
        default=500_000,
        help="monitoring enrolments over two years (0: none)",
    )
    parser.add_argument("--out", default=None, help="write the JSON here too")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("Set DATABASE_URL (sqlite:///path or postgresql://...)")
    _reset_database(url)
    info = build(args)
    _analyze(url)
    text = json.dumps(info, indent=2)
    if args.out:
        Path(args.out).write_text(text)
    print(json.dumps({k: v for k, v in info.items() if k not in ("submit_drafts",)}))


if __name__ == "__main__":
    main()
