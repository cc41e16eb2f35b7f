"""The audit trail's hash chain and ``flask audit verify``: intact, then altered, removed,
inserted and corrupted, each named."""

import io
import json
import threading
from datetime import UTC, datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from app.audit import chain
from app.audit import services as audit
from app.audit.models import AuditRecord
from app.core import files
from app.core.db import db
from app.proposals import services as proposals
from app.proposals import versions as proposal_versions
from app.reviews.rules import decisions as decisions_rules
from tests import snapshots
from tests.reviews.factories import reviewed_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _raw(sql: str, *, disable: str | None = None, **params) -> None:
    """Run ``sql`` as an attacker with database access would (on PostgreSQL with the table's
    protecting trigger switched off for the statement)."""
    with db.engine.begin() as conn:
        if disable and _postgresql():
            conn.execute(
                sa.text(
                    f"ALTER TABLE {disable.split(':')[0]} DISABLE TRIGGER {disable.split(':')[1]}"
                )
            )
        conn.execute(sa.text(sql), params)
        if disable and _postgresql():
            conn.execute(
                sa.text(
                    f"ALTER TABLE {disable.split(':')[0]} ENABLE TRIGGER {disable.split(':')[1]}"
                )
            )


AUDIT = "audit_records:audit_records_append_only"
VERSIONS = "proposal_versions:proposal_versions_immutable"
DECISIONS = "decision_records:decision_records_immutable"


@pytest.fixture(scope="module")
def world_snapshot(app) -> snapshots.Snapshot:
    """A decided call: versions, an attachment, reviews, consensus, a decision record; built
    once per module (and worker), its rows and stored file kept."""
    with app.app_context():
        world = reviewed_world(count=2)
        applicant, proposal = world.applicants[0], world.proposals[0]
        proposals.add_attachment(
            applicant,
            proposal.id,
            "plan.pdf",
            io.BytesIO(PDF),
            received_at=datetime(2021, 3, 1, tzinfo=UTC),
        )
        decisions_rules.publish_decision(world.official, world.call.id)
        db.session.commit()
        snapshot = snapshots.take()
        db.session.remove()
        snapshots.wipe()
    return snapshot


@pytest.fixture
def world(world_snapshot) -> None:
    """The decided call's rows and file, as built, whatever the test before altered."""
    snapshots.restore(world_snapshot)


def _verify(runner):
    return runner.invoke(args=["audit", "verify"])


def _ids(action: str | None = None) -> list[int]:
    query = sa.select(AuditRecord.id).order_by(AuditRecord.id)
    if action:
        query = query.where(AuditRecord.action == action)
    return list(db.session.scalars(query))


def test_each_record_carries_the_hash_of_the_one_before():
    audit.record(None, "test.first", _Entity(1), after={"n": 1})
    audit.record(None, "test.second", _Entity(2), after={"n": 2})
    db.session.commit()
    first, second = db.session.scalars(sa.select(AuditRecord).order_by(AuditRecord.id))
    assert first.previous_hash == chain.GENESIS
    assert second.previous_hash == first.hash
    assert second.hash == chain.hash_of(second, first.hash)
    assert chain.verify(db.session.connection()).problem is None


class _Entity:
    __tablename__ = "tests"

    def __init__(self, id_: int):
        self.id = id_


def test_an_intact_world_verifies_with_a_one_line_summary(world, runner):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    total = len(_ids())
    assert lines[0].startswith(
        f"Intact: {total} audit records, 2 proposal versions, "
        "1 decision records, 1 stored files; audit chain head "
    )


def test_an_altered_field_is_named(world, runner):
    target = _ids("proposal.submitted")[0]
    _raw("UPDATE audit_records SET reason = 'forged' WHERE id = :id", disable=AUDIT, id=target)
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"audit record {target}: its content does not match its hash" in result.output


def test_a_removed_record_is_named_by_the_one_after_it(world, runner):
    ids = _ids()
    _raw("DELETE FROM audit_records WHERE id = :id", disable=AUDIT, id=ids[5])
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"audit record {ids[6]}: does not follow the chain" in result.output
    assert f"the record before it, {ids[4]}," in result.output


def test_a_forged_record_is_named(world, runner):
    head = db.session.execute(
        sa.select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1)
    ).one()
    _raw(
        "INSERT INTO audit_records (id, at, action, entity_type, entity_id, before, after, "
        "previous_hash, hash) VALUES (:id, :at, 'proposal.submitted', 'proposals', 1, '{}', "
        "'{}', :previous, :hash)",
        id=head.id + 1,
        at=datetime(2021, 3, 1),
        previous=head.hash,
        hash="f" * 64,
    )
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"audit record {head.id + 1}: its content does not match its hash" in result.output


def test_a_rewritten_chain_fails_against_a_noted_anchor(world, runner):
    anchor = db.session.scalar(sa.select(AuditRecord.hash).order_by(AuditRecord.id.desc()).limit(1))
    first = _ids()[0]
    # The attacker alters a record and recomputes every hash after it.
    _raw("UPDATE audit_records SET reason = 'forged' WHERE id = :id", disable=AUDIT, id=first)
    previous = chain.GENESIS
    rows = db.session.execute(sa.select(AuditRecord).order_by(AuditRecord.id)).scalars().all()
    updates = []
    for row in rows:
        digest = chain.hash_of(row, previous)
        updates.append({"id": row.id, "p": previous, "h": digest})
        previous = digest
    db.session.rollback()
    for update in updates:
        _raw(
            "UPDATE audit_records SET previous_hash = :p, hash = :h WHERE id = :id",
            disable=AUDIT,
            **update,
        )
    assert _verify(runner).exit_code == 0  # without an anchor a full rewrite cannot show
    result = runner.invoke(args=["audit", "verify", "--anchor", anchor])
    assert result.exit_code == 1
    assert f"the anchor {anchor} is no longer in the chain" in result.output


def test_an_altered_version_is_named(world, runner):
    version_id = db.session.scalar(sa.text("SELECT min(id) FROM proposal_versions"))
    _raw(
        "UPDATE proposal_versions SET data = :data WHERE id = :id",
        disable=VERSIONS,
        id=version_id,
        data='{"title": "Een ander project"}',
    )
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"proposal version {version_id} (" in result.output
    assert "does not match its fingerprint (altered)" in result.output


def test_a_version_re_fingerprinted_still_differs_from_its_audit_record(world, runner):
    version_id = db.session.scalar(sa.text("SELECT min(id) FROM proposal_versions"))
    _raw(
        "UPDATE proposal_versions SET submitted_at = :at WHERE id = :id",
        disable=VERSIONS,
        id=version_id,
        at=datetime(2021, 3, 2),
    )
    version = db.session.get(proposals.ProposalVersion, version_id)
    forged = proposal_versions.fingerprint(proposal_versions.version_header(version), version.data)
    db.session.rollback()
    _raw(
        "UPDATE proposal_versions SET fingerprint = :f WHERE id = :id",
        disable=VERSIONS,
        id=version_id,
        f=forged,
    )
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"proposal version {version_id} (" in result.output
    assert "differs from the one in audit record" in result.output


def test_a_removed_version_is_named(world, runner):
    version_id = db.session.scalar(sa.text("SELECT max(id) FROM proposal_versions"))
    db.session.rollback()
    with db.engine.connect() as conn:  # foreign keys and triggers off, as an attacker could
        if _postgresql():  # for this transaction only
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.execute(sa.text("DELETE FROM proposal_versions WHERE id = :id"), {"id": version_id})
        conn.commit()
        if not _postgresql():
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    result = _verify(runner)
    assert result.exit_code == 1
    assert "missing (removed)" in result.output


def test_an_altered_decision_record_is_named(world, runner):
    record_id = db.session.scalar(sa.text("SELECT id FROM decision_records"))
    _raw(
        "UPDATE decision_records SET data = :data WHERE id = :id",
        disable=DECISIONS,
        id=record_id,
        data='{"ranking": []}',
    )
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"decision record {record_id} (number 1): its content does not match" in result.output


def test_a_forged_decision_record_is_named(world, runner):
    row = db.session.execute(sa.text("SELECT * FROM decision_records")).mappings().one()
    data = dict(row)
    data.update(id=row["id"] + 1, number=2)
    columns = ", ".join(data)
    db.session.rollback()
    _raw(
        f"INSERT INTO decision_records ({columns}) VALUES ({', '.join(':' + c for c in data)})",
        **{k: (v if not isinstance(v, dict) else json.dumps(v)) for k, v in data.items()},
    )
    result = _verify(runner)
    assert result.exit_code == 1
    assert (
        f"decision record {row['id'] + 1} (number 2): no audit record of its "
        "publication (inserted)" in result.output
    )


def test_a_corrupted_file_is_named(world, runner):
    path = files.stored_files()[0]
    path.write_bytes(path.read_bytes() + b"x")
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"stored file {path.name}: its content does not match" in result.output


def test_a_missing_file_is_named(world, runner):
    path = files.stored_files()[0]
    path.unlink()
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"stored file {path.name}: missing" in result.output


def test_parallel_writers_keep_one_chain(app):
    """Eight threads append at once, each in its own transaction and connection."""
    errors = []

    def write(n: int) -> None:
        with app.app_context():
            try:
                for i in range(10):
                    audit.record(None, "test.parallel", _Entity(n * 100 + i))
                    db.session.commit()
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = chain.verify(db.session.connection())
    assert report.problem is None
    assert report.count == 80


def test_the_migration_chains_the_records_that_exist():
    """Records written before the chain existed get their hashes from the migration."""
    audit.record(None, "test.old", _Entity(1), after={"text": "één"})
    audit.record(None, "test.old", _Entity(2), reason="waarom")
    db.session.commit()
    db.session.remove()
    flask_migrate.downgrade(revision="7c2e4a9d1f35")
    try:
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_records")) == 2
        db.session.remove()
    finally:
        flask_migrate.upgrade()
    db.session.remove()
    report = chain.verify(db.session.connection())
    assert report.problem is None and report.count == 2


def test_an_enterprise_number_corrected_after_submission_is_no_alarm(world, runner):
    from app.organisations import services as organisations
    from app.organisations.models import Organisation
    from tests.factories import make_user, valid_enterprise_number

    organisation = db.session.get(
        Organisation, db.session.scalar(sa.select(proposals.Proposal.organisation_id).limit(1))
    )
    official = make_user("official")
    data = organisations.OrganisationInput(
        legal_name=organisation.legal_name,
        enterprise_number=valid_enterprise_number(999),
        provider_type=organisation.provider_type,
        street=organisation.street,
        postal_code=organisation.postal_code,
        city=organisation.city,
    )
    organisations.update_organisation(official, organisation.id, data)
    result = _verify(runner)
    assert result.exit_code == 0, result.output
