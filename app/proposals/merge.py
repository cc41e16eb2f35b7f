"""Conflicts per field: a save conflicts only with changes to the same fields.

A section form carries, besides the proposal's revision, a short hash of each of its fields
as they were when the form was loaded (its *base*). On saving, each field is one of:

- unchanged by the user (typed value == base): left as it is now, whoever changed it since;
- changed by the user, untouched since (current == base): saved;
- changed by both: a conflict, unless both ended up with the same value.

So two members saving different sections, or different fields of one section, never
conflict; the same field changed in two places does, and the page says by whom (or "in
another window" when it was the same person)."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.core.db import db
from app.proposals.models import Proposal


def plain(value: Any) -> Any:
    """A field's value as plain JSON, the same whether it comes from the form or the row:
    stripped text, empty text as None, amounts with two decimals, ISO dates, enum values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(item) for item in value] or None
    if isinstance(value, dict):
        return {key: plain(item) for key, item in sorted(value.items())}
    return value


def field_hash(value: Any) -> str:
    """A short hash of a field's value (16 hex digits: enough to tell two versions apart)."""
    text = json.dumps(plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def base_of(proposal: Proposal, names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """The base a form loaded now carries: each field's hash."""
    return {name: field_hash(getattr(proposal, name)) for name in names}


def encode_base(base: Mapping[str, str]) -> str:
    return json.dumps(dict(base), separators=(",", ":"), sort_keys=True)


def decode_base(text: str | None) -> dict[str, str] | None:
    """The base sent back by a form; None when missing or unreadable (then the whole
    proposal's revision decides, as for older forms)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return None
    return value


@dataclass(frozen=True)
class Rebased:
    """What to save (``changes``), and the fields changed both here and elsewhere."""

    changes: dict[str, Any]
    clashes: list[str]


def rebase(proposal: Proposal, changes: Mapping[str, Any], base: Mapping[str, str]) -> Rebased:
    """Three-way merge of ``changes`` (typed on a form loaded at ``base``) onto the proposal
    as it is now. A field missing from ``base`` counts as changed by the user."""
    kept: dict[str, Any] = {}
    clashes: list[str] = []
    for name, typed in changes.items():
        mine = field_hash(typed)
        then = base.get(name)
        if mine == then:
            continue  # the user left it alone: keep what is there now
        now = field_hash(getattr(proposal, name))
        if then is not None and now != then and now != mine:
            clashes.append(name)
        kept[name] = typed
    return Rebased(kept, clashes)


@dataclass(frozen=True)
class LastChange:
    actor_id: int | None
    actor_name: str
    at: datetime


def last_change(proposal: Proposal, fields: list[str]) -> LastChange | None:
    """Who last saved one of ``fields`` of the proposal, and when (from the audit trail)."""
    records = db.session.scalars(
        sa.select(AuditRecord)
        .where(
            AuditRecord.action == "proposal.saved",
            AuditRecord.entity_type == "proposals",
            AuditRecord.entity_id == proposal.id,
        )
        .order_by(AuditRecord.id.desc())
        .limit(50)
    )
    wanted = set(fields)
    for record in records:
        if wanted & set((record.after or {}).get("fields") or []):
            return LastChange(record.actor_id, record.actor.name if record.actor else "", record.at)
    return None
