"""``flask audit verify``: every stored version still has the fingerprint it was given, and
every submission the audit trail recorded still has its version (and the other way round)."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.audit.models import AuditRecord
from app.core.db import db
from app.core.integrity import CheckResult, verify_fingerprinted
from app.proposals.models import Attachment, ProposalVersion
from app.proposals.versions import fingerprint, fingerprint_matches, version_header


def verify_versions() -> CheckResult:
    """Recompute each version's fingerprint as submitting did; compare with the fingerprint
    stored on it and with the one in the audit record of its submission."""
    submitted = {  # (proposal id, version number) -> (fingerprint, audit record id)
        (row.entity_id, (row.after or {}).get("version")): (
            (row.after or {}).get("fingerprint"),
            row.id,
        )
        for row in db.session.execute(
            sa.select(AuditRecord.id, AuditRecord.entity_id, AuditRecord.after).where(
                AuditRecord.action == "proposal.submitted"
            )
        )
    }
    query = (
        sa.select(ProposalVersion)
        .options(joinedload(ProposalVersion.proposal))
        .order_by(ProposalVersion.id)
    )
    earlier = _earlier_enterprise_numbers()
    return verify_fingerprinted(
        "proposal versions",
        db.session.scalars(query.execution_options(yield_per=500)),
        submitted,
        key=lambda row: (row.proposal_id, row.number),
        label=lambda row: (
            f"proposal version {row.id} ({row.proposal.reference} version {row.number})"
        ),
        intact=lambda row: _matches(row, earlier),
        fingerprint=lambda row: row.fingerprint,
        event="submission",
        missing=lambda key: f"version {key[1]} of proposal {key[0]}, submitted",
    )


def _matches(version: ProposalVersion, earlier: dict[int, set[str]]) -> bool:
    """The version's fingerprint, recomputed as submitting did. A version from before the
    organisation was frozen in (scheme 1) covers only the enterprise number, which an
    official may have corrected since: its earlier numbers are tried too."""
    if fingerprint_matches(version):
        return True
    if version.fingerprint_scheme >= 2:
        return False
    header = version_header(version)
    return any(
        fingerprint({**header, "organisation": number}, version.data) == version.fingerprint
        for number in earlier.get(version.proposal.organisation_id, ())
    )


def _earlier_enterprise_numbers() -> dict[int, set[str]]:
    """The enterprise numbers each organisation had before an edit (from its audit records):
    a version's fingerprint covers the number at submission, which an official may have
    corrected since."""
    found: dict[int, set[str]] = {}
    for entity_id, before in db.session.execute(
        sa.select(AuditRecord.entity_id, AuditRecord.before).where(
            AuditRecord.action == "organisation.updated"
        )
    ):
        if number := (before or {}).get("enterprise_number"):
            found.setdefault(entity_id, set()).add(number)
    return found


def referenced_files() -> dict[str, str]:
    """Every stored file the proposals refer to: hash -> who refers to it."""
    found: dict[str, str] = {}
    for attachment_id, sha256 in db.session.execute(sa.select(Attachment.id, Attachment.sha256)):
        found.setdefault(sha256, f"attachment {attachment_id}")
    for version_id, data in db.session.execute(
        sa.select(ProposalVersion.id, ProposalVersion.data).execution_options(yield_per=500)
    ):
        for item in (data or {}).get("attachments") or []:
            found.setdefault(item["sha256"], f"proposal version {version_id}")
    return found
