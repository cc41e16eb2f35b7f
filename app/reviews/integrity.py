"""``flask audit verify``: every decision record still has the fingerprint it was published
with, and every publication the audit trail recorded still has its record."""

import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.integrity import CheckResult
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
    count = 0
    for row in db.session.execute(
        sa.select(
            DecisionRecord.id,
            DecisionRecord.number,
            DecisionRecord.data,
            DecisionRecord.fingerprint,
        ).order_by(DecisionRecord.id)
    ):
        name = f"decision record {row.id} (number {row.number})"
        if fingerprint(row.data) != row.fingerprint:
            return CheckResult(
                "decision records",
                count,
                f"{name}: its content does not match its fingerprint (altered)",
            )
        recorded = published.pop(row.id, None)
        if recorded is None:
            return CheckResult(
                "decision records", count, f"{name}: no audit record of its publication (inserted)"
            )
        if recorded[0] != row.fingerprint:
            return CheckResult(
                "decision records",
                count,
                f"{name}: its fingerprint differs from the one in audit record "
                f"{recorded[1]} (replaced)",
            )
        count += 1
    if published:
        record_id, (_, audit_id) = min(published.items(), key=lambda item: item[1][1])
        return CheckResult(
            "decision records",
            count,
            f"decision record {record_id}, published in audit record {audit_id}: missing (removed)",
        )
    return CheckResult("decision records", count)


def referenced_files() -> dict[str, str]:
    return {
        sha256: f"objection {objection_id}"
        for objection_id, sha256 in db.session.execute(
            sa.select(Objection.id, Objection.sha256).where(Objection.sha256.is_not(None))
        )
    }
