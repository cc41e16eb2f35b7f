"""An audit record's before and after data as its reader reads them: each key's name and
each value in the reader's language (moments in Brussels time, amounts in euro, yes or no,
the labels of coded values), in the order stored. The data itself stays as it was recorded;
the page also shows it raw (``raw_json``), so nothing is hidden.

A key without a name here (a new one) shows as stored, its value formatted by its type.
Coded values of the domains above this one (a proposal's status, a technology) are named by
labellers those domains register for the key (``register_values``), per object type or
action where one key means different things (a status).
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum, StrEnum
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import formatting
from app.core.permissions import Role

EMPTY = "—"
# Where the labellers of an application live (app.extensions[...]): {(key, context): labeller}
EXTENSION = "audit_value_labels"

# A labeller names one stored value (a code) in the reader's language, or None when it does
# not know the value (it is then shown as stored).
Labeller = Callable[[str], object | None]


class Kind(StrEnum):
    text = "text"  # as stored: names, free text
    code = "code"  # as stored, never translated: emails, references, hashes
    moment = "moment"  # an ISO instant -> Brussels time
    day = "day"  # an ISO date
    euro = "euro"
    percent = "percent"  # a figure in percent: 10.00 -> 10 %
    share = "share"  # a fraction: 0.25 -> 25 %
    number = "number"
    boolean = "boolean"
    bytes = "bytes"


@dataclass(frozen=True)
class Field:
    label: Any  # a lazy translated string
    kind: Kind = Kind.text


FIELDS: dict[str, Field] = {
    # calls
    "code": Field(_l("Code"), Kind.code),
    "title": Field(_l("Title")),
    "phase": Field(_l("Phase")),
    "opens_at": Field(_l("Opening of the submission period"), Kind.moment),
    "deadline": Field(_l("Deadline"), Kind.moment),
    "closes_at": Field(_l("Closing moment"), Kind.moment),
    "budget_eur": Field(_l("Call budget"), Kind.euro),
    "max_request_eur": Field(_l("Maximum per proposal"), Kind.euro),
    "min_own_contribution_pct": Field(_l("Minimum own contribution (%)"), Kind.percent),
    "project_start_earliest": Field(_l("Projects start at the earliest on"), Kind.day),
    "project_end_latest": Field(_l("Projects end at the latest on"), Kind.day),
    "provider_types": Field(_l("Eligible training providers")),
    "project_types": Field(_l("Project types")),
    "technologies": Field(_l("Technologies and methods")),
    "contact_name": Field(_l("Contact person or service")),
    "contact_email": Field(_l("Contact email address"), Kind.code),
    "call": Field(_l("Call"), Kind.code),
    "criteria": Field(_l("Award criteria")),
    # evaluation settings
    "reviews_per_proposal": Field(_l("Evaluators per proposal"), Kind.number),
    "total_threshold": Field(_l("Threshold for the weighted total (0 to 100)"), Kind.number),
    "disagreement_spread": Field(
        _l("Disagreement flag: spread of the weighted totals above"), Kind.number
    ),
    "criterion_spread_share": Field(
        _l("Disagreement per criterion: spread above this percentage of the criterion's scale"),
        Kind.share,
    ),
    "reserve_size": Field(_l("Size of the reserve list"), Kind.number),
    "objection_days": Field(_l("Calendar days to object after the notification"), Kind.number),
    "second_approval": Field(
        _l("Publishing a decision needs a second official's approval"), Kind.boolean
    ),
    # organisations and memberships
    "organisation": Field(_l("Organisation"), Kind.code),
    "legal_name": Field(_l("Legal name")),
    "enterprise_number": Field(_l("Enterprise number"), Kind.code),
    "provider_type": Field(_l("Type of training provider")),
    "address": Field(_l("Address")),
    "street": Field(_l("Street and number")),
    "postal_code": Field(_l("Postal code"), Kind.code),
    "city": Field(_l("Municipality")),
    "contact": Field(_l("Contact")),
    "evidence": Field(_l("Evidence (SHA-256)"), Kind.code),
    "admin": Field(_l("Administrator of the organisation"), Kind.boolean),
    "user": Field(_l("Account"), Kind.code),
    "user_id": Field(_l("Account number"), Kind.number),
    # accounts
    "email": Field(_l("Email address"), Kind.code),
    "roles": Field(_l("Roles")),
    "active": Field(_l("Active"), Kind.boolean),
    "language": Field(_l("Language of letters")),
    "name": Field(_l("Name")),
    "sessions": Field(_l("Sessions ended"), Kind.number),
    "sessions_ended": Field(_l("Sessions ended"), Kind.number),
    "tokens_revoked": Field(_l("API tokens revoked"), Kind.number),
    "emails_removed": Field(_l("Emails removed from the outbox"), Kind.number),
    # proposals
    "reference": Field(_l("Reference"), Kind.code),
    "status": Field(_l("Status")),
    "fields": Field(_l("Fields saved")),
    "version": Field(_l("Version"), Kind.number),
    "fingerprint": Field(_l("Fingerprint (SHA-256)"), Kind.code),
    "received_at": Field(_l("Received"), Kind.moment),
    "filename": Field(_l("File name")),
    "sha256": Field(_l("SHA-256"), Kind.code),
    "size": Field(_l("Size"), Kind.bytes),
    "attachments": Field(_l("Attachments (SHA-256)"), Kind.code),
    "reason": Field(_l("Reason")),
    # evaluation
    "result": Field(_l("Admissibility")),
    "checks": Field(_l("Checks")),
    "released": Field(_l("Released to the applicant"), Kind.boolean),
    "admissible": Field(_l("Admissible"), Kind.number),
    "inadmissible": Field(_l("Inadmissible"), Kind.number),
    "corrections": Field(_l("Corrections"), Kind.number),
    "emails": Field(_l("Emails"), Kind.number),
    "declared": Field(_l("Declared technologies")),
    "verified": Field(_l("Verified technologies")),
    "added": Field(_l("Added")),
    "removed": Field(_l("Removed")),
    "expertise": Field(_l("Expertise")),
    "affiliations": Field(_l("Affiliations (enterprise numbers)"), Kind.code),
    "proposal": Field(_l("Proposal"), Kind.code),
    "proposal_id": Field(_l("Proposal number"), Kind.number),
    "evaluator": Field(_l("Evaluator"), Kind.code),
    "new": Field(_l("New assignments (proposal number, evaluator number)")),
    "short": Field(_l("Evaluators short per proposal number")),
    "total": Field(_l("Weighted total"), Kind.number),
    "criterion": Field(_l("Criterion")),
    "score": Field(_l("Score"), Kind.number),
    "reviews_submitted": Field(_l("Reviews submitted"), Kind.number),
    "reviews_required": Field(_l("Reviews required"), Kind.number),
    "outcome": Field(_l("Outcome")),
    "number": Field(_l("Decision number"), Kind.number),
    "decision": Field(_l("Decision number"), Kind.number),
    "decision_record": Field(_l("Decision number"), Kind.number),
    "objection_until": Field(_l("Objections possible until"), Kind.day),
    "objection_id": Field(_l("Objection number"), Kind.number),
    "file": Field(_l("Attachment (SHA-256)"), Kind.code),
    "request": Field(_l("Publication request number"), Kind.number),
    "requested_by_id": Field(_l("Requested by (account number)"), Kind.number),
    # monitoring
    "project": Field(_l("Project"), Kind.code),
    "planned_mode": Field(_l("Planned mode")),
    "imported_on": Field(_l("Imported on"), Kind.day),
    "created": Field(_l("Enrolments added"), Kind.number),
    "updated": Field(_l("Enrolments changed"), Kind.number),
    "unchanged": Field(_l("Enrolments unchanged"), Kind.number),
    "late": Field(_l("Late registrations"), Kind.number),
    "errors": Field(_l("Errors"), Kind.number),
}

# The keys inside a stored mapping, where they have names of their own.
NESTED: dict[str, dict[str, Any]] = {
    "checks": {
        "on_time": _l("Submitted on time"),
        "complete": _l("Complete"),
        "provider_type": _l("Eligible provider type"),
        "budget": _l("Requested amount within the maximum"),
    },
}

LANGUAGES = {"nl": _l("Dutch"), "en": _l("English")}


@dataclass(frozen=True)
class Change:
    """One key of a record's before or after data, as the page shows it."""

    key: str  # as stored
    label: str  # its name in the reader's language, or the key itself
    value: str  # formatted for the reader
    named: bool  # the key has a name (else ``label`` is the key as stored)
    verbatim: bool  # the value is shown as stored (names, codes, text): not for translation


def enum_labeller(
    enum: type[Enum], attribute: str = "label", extra: Mapping[str, object] | None = None
) -> Labeller:
    """A labeller for an enum's values: ``getattr(Enum(value), attribute)``; ``extra`` names
    values outside the enum (``"computed"``)."""

    def label(value: str) -> object | None:
        if extra and value in extra:
            return extra[value]
        try:
            member = enum(value)
        except ValueError:
            return None
        label: object = getattr(member, attribute)
        return label

    return label


def register_values(
    app: Flask, key: str, labeller: Labeller, *, context: str | None = None
) -> None:
    """Name the stored values of ``key`` with ``labeller`` on ``app``'s audit log; ``context``
    (an object type such as ``proposals``, or an action code) limits it to those records."""
    app.extensions.setdefault(EXTENSION, {})[(key, context)] = labeller


def _default_labellers() -> dict[tuple[str, str | None], Labeller]:
    return {
        ("roles", None): enum_labeller(Role),
        ("language", None): lambda value: LANGUAGES.get(value),
    }


def _labellers() -> Mapping[tuple[str, str | None], Labeller]:
    return {**_default_labellers(), **current_app.extensions.get(EXTENSION, {})}


def readable(
    values: Mapping[str, Any] | None,
    *,
    action: str = "",
    entity_type: str = "",
    labellers: Mapping[tuple[str, str | None], Labeller] | None = None,
) -> list[Change]:
    """``values`` (a record's before or after data) as the reader reads them, in stored
    order. ``labellers``: the registered ones of the current application unless given."""
    if labellers is None:
        labellers = _labellers()
    changes = []
    for key, value in (values or {}).items():
        field = FIELDS.get(key)
        labeller = (
            labellers.get((key, action))
            or labellers.get((key, entity_type))
            or labellers.get((key, None))
        )
        text, verbatim = _value(key, value, field.kind if field else None, labeller)
        changes.append(
            Change(
                key=key,
                label=str(field.label) if field else key,
                value=text,
                named=field is not None,
                verbatim=verbatim,
            )
        )
    return changes


def changes_of(record: Any, side: str) -> list[Change]:
    """A record's ``before`` or ``after`` data, readable (the template's ``audit_changes``)."""
    return readable(getattr(record, side), action=record.action, entity_type=record.entity_type)


def raw_json(values: Mapping[str, Any] | None) -> str:
    """The data as stored, for experts: indented JSON, keys in stored order."""
    return json.dumps(values or {}, ensure_ascii=False, indent=2)


def _value(key: str, value: Any, kind: Kind | None, labeller: Labeller | None) -> tuple[str, bool]:
    """The text of one value and whether it is shown as stored."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY, False
    if isinstance(value, bool):
        return (_("Yes") if value else _("No")), False
    if isinstance(value, dict):
        names = NESTED.get(key, {})
        parts = []
        for inner, item in value.items():
            text, _verbatim = _value(inner, item, None, None)
            parts.append(f"{names.get(inner, inner)}: {text}")
        return "; ".join(parts), not names
    if isinstance(value, list):
        items = [_item(item, kind, labeller) for item in value]
        return ", ".join(text for text, _verbatim in items), any(v for _text, v in items)
    return _item(value, kind, labeller)


def _item(value: Any, kind: Kind | None, labeller: Labeller | None) -> tuple[str, bool]:
    if isinstance(value, list):  # a pair such as (proposal, evaluator)
        return "(" + ", ".join(str(v) for v in value) + ")", True
    if isinstance(value, bool):
        return (_("Yes") if value else _("No")), False
    if labeller is not None and isinstance(value, str):
        label = labeller(value)
        if label is not None:
            return str(label), False
    try:
        formatted = _formatted(value, kind)
    except (ValueError, TypeError, InvalidOperation):
        formatted = None  # not what the key usually holds: shown as stored
    if formatted is not None:
        return formatted, False
    return str(value), True


def _formatted(value: Any, kind: Kind | None) -> str | None:
    """``value`` formatted as ``kind`` says, or (unknown key) as its type suggests; None
    when it is to be shown as stored."""
    if kind is Kind.moment or (kind is None and _looks_like_instant(value)):
        moment = datetime.fromisoformat(str(value))
        return formatting.moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    if kind is Kind.day:
        return formatting.day(date.fromisoformat(str(value)[:10]))
    if kind is Kind.euro:
        return formatting.euro(Decimal(str(value)))
    if kind is Kind.percent:
        return formatting.percent(Decimal(str(value)), places=None)
    if kind is Kind.share:
        return formatting.percent(Decimal(str(value)) * 100, places=None)
    if kind is Kind.number or (kind is None and isinstance(value, int | float)):
        return formatting.number(Decimal(str(value)))
    if kind is Kind.bytes:
        return formatting.kilobytes(int(value))
    return None


def _looks_like_instant(value: Any) -> bool:
    """An ISO timestamp with a time and an offset, as records store instants."""
    if not isinstance(value, str) or len(value) < 20 or value[10:11] != "T":
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False
