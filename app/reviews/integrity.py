"""``flask audit verify``: every decision record still has the fingerprint it was published
with, and every publication the audit trail recorded still has its record."""

import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.integrity import CheckResult, verify_fingerprinted
from app.reviews.models import DecisionRecord
from app.reviews.objection_models import Objection
from app.reviews.ranking_policy import fingerprint


def verify_decision_records() -> CheckResult:
    published = {  # decision record id -> (fingerprint, audit record id)
        row.entity_id: ((row.after or {}).get("fingerprint"), row.id)
        for row in db.session.execute(
            sa.select(AuditRecord.id, AuditRecord.entity_id, AuditRecord.after).where(
                AuditRecord.action == "call.decision_published"
            )
        )
    }
    return verify_fingerprinted(
        "decision records",
        db.session.execute(
            sa.select(
                DecisionRecord.id,
                DecisionRecord.number,
                DecisionRecord.data,
                DecisionRecord.fingerprint,
            ).order_by(DecisionRecord.id)
        ),
        published,
        key=lambda row: row.id,
        label=lambda row: f"decision record {row.id} (number {row.number})",
        intact=lambda row: fingerprint(row.data) == row.fingerprint,
        fingerprint=lambda row: row.fingerprint,
        event="publication",
        missing=lambda record_id: f"decision record {record_id}, published",
    )


def referenced_files() -> dict[str, str]:
    return {
        sha256: f"objection {objection_id}"
        for objection_id, sha256 in db.session.execute(
            sa.select(Objection.id, Objection.sha256).where(Objection.sha256.is_not(None))
        )
    }
