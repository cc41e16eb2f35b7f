"""Submitted versions: the snapshot a submission freezes, its fingerprint, and the changes
from one version to the next."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.organisations.models import Organisation
from app.proposals.fields import FIELD_NAMES, LABELS
from app.proposals.models import Proposal, ProposalVersion


def snapshot(proposal: Proposal) -> dict[str, Any]:
    """All fields and attachment hashes, as plain JSON values."""
    data: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = getattr(proposal, name)
        if isinstance(value, Decimal):
            value = f"{value:.2f}"
        elif isinstance(value, date):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        data[name] = value
    data["attachments"] = [
        {"filename": a.filename, "sha256": a.sha256, "size": a.size} for a in proposal.attachments
    ]
    return data


def organisation_snapshot(organisation: Organisation) -> dict[str, str]:
    """The organisation's identifying data as a submitted version keeps it."""
    return {
        "legal_name": organisation.legal_name,
        "enterprise_number": organisation.enterprise_number,
        "provider_type": organisation.provider_type.value,
        "street": organisation.street or "",
        "postal_code": organisation.postal_code or "",
        "city": organisation.city or "",
    }


def version_header(version: ProposalVersion) -> dict[str, Any]:
    """What a version's fingerprint covers besides its data, by its fingerprint scheme.

    Scheme 1 (versions from before organisations were frozen in) names the organisation
    by its enterprise number; scheme 2 covers the whole frozen organisation."""
    organisation = version.organisation_data
    header: dict[str, Any] = {
        "reference": version.proposal.reference,
        "call": version.proposal.call.code,
        "organisation": organisation.get("enterprise_number", ""),
        "version": version.number,
        "submitted_at": version.submitted_at.isoformat(),
    }
    if version.fingerprint_scheme >= 2:
        header["organisation"] = organisation
        header["scheme"] = version.fingerprint_scheme
    if version.fingerprint_scheme >= 3:
        header["declaration"] = version.declaration
    return header


def fingerprint_matches(version: ProposalVersion) -> bool:
    """Whether the stored fingerprint still matches the version's header and data."""
    return fingerprint(version_header(version), version.data) == version.fingerprint


def fingerprint(header: dict[str, Any], data: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"header": header, "content": data},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def has_unsubmitted_changes(proposal: Proposal) -> bool:
    if not proposal.versions:
        return True
    return proposal.versions[-1].data != snapshot(proposal)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any


def changes_between(older: dict[str, Any] | None, newer: dict[str, Any]) -> list[Change]:
    """What changed from one version's data to the next, field by field."""
    older = older or {}
    changes = []
    for name in (*FIELD_NAMES, "attachments"):
        if older.get(name) != newer.get(name):
            changes.append(Change(name, str(LABELS[name]), older.get(name), newer.get(name)))
    return changes


def version_history(proposal: Proposal) -> list[tuple[ProposalVersion, list[Change]]]:
    history, previous = [], None
    for version in proposal.versions:
        history.append((version, changes_between(previous, version.data)))
        previous = version.data
    return history
