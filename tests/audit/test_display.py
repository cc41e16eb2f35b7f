"""The audit log's before/after data as a reader reads it (app.audit.display): named keys,
values in the reader's language, coded values through the labels their domains register,
unknown keys and odd values shown as stored."""

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_babel import force_locale

from app.audit import display
from app.calls.models import Technology
from app.core.db import db
from app.proposals.models import ProposalStatus

APP = Path(__file__).resolve().parents[2] / "app"


def _by_key(changes):
    return {c.key: c for c in changes}


def _nl(values, **where):
    with force_locale("nl"):
        return _by_key(display.readable(values, **where))


def _en(values, **where):
    with force_locale("en"):
        return _by_key(display.readable(values, **where))


def test_keys_are_named_in_the_reader_s_language():
    nl, en = _nl({"budget_eur": "1.00"}), _en({"budget_eur": "1.00"})
    assert (nl["budget_eur"].label, en["budget_eur"].label) == ("Oproepbudget", "Call budget")
    assert nl["budget_eur"].named


def test_amounts_moments_days_and_booleans_as_the_reader_writes_them():
    values = {
        "budget_eur": "2500000.00",
        "deadline": "2027-03-31T21:59:59+00:00",  # 23:59:59 in Brussels (summer time)
        "objection_until": "2026-06-24",
        "second_approval": True,
        "released": False,
        "min_own_contribution_pct": "10.00",
        "criterion_spread_share": "0.25",
        "score": "3.5",
        "size": 12288,
    }
    nl, en = _nl(values), _en(values)
    assert nl["budget_eur"].value == "€ 2.500.000,00"
    assert en["budget_eur"].value == "€2,500,000.00"
    assert nl["deadline"].value == "31-03-2027 23:59:59"
    assert en["deadline"].value == "31 Mar 2027 23:59:59"
    assert (nl["objection_until"].value, en["objection_until"].value) == (
        "24-06-2026",
        "24 Jun 2026",
    )
    assert (nl["second_approval"].value, nl["released"].value) == ("Ja", "Nee")
    assert (en["second_approval"].value, en["released"].value) == ("Yes", "No")
    assert nl["min_own_contribution_pct"].value == "10\u00a0%"
    assert nl["criterion_spread_share"].value == "25\u00a0%"
    assert (nl["score"].value, en["score"].value) == ("3,5", "3.5")
    assert nl["size"].value == "12\u00a0kB"
    assert not any(c.verbatim for c in nl.values())


def test_a_moment_in_winter_is_brussels_time_too():
    assert _nl({"received_at": "2026-01-15T10:00:00.5+00:00"})["received_at"].value == (
        "15-01-2026 11:00:00"
    )


def test_coded_values_go_through_the_labellers_their_domains_registered():
    values = {"technologies": ["vr", "ai"], "roles": ["official"], "language": "en"}
    nl = _nl(values)
    assert nl["technologies"].value == (
        f"{Technology.vr.label}, {Technology.ai.label}"
    )  # registered by the calls' blueprint on this app
    assert nl["technologies"].value == "Virtual reality (VR), Artificiële intelligentie (AI)"
    assert nl["roles"].value == "Ambtenaar"
    assert nl["language"].value == "Engels"


def test_a_status_is_named_by_the_object_type_and_an_outcome_by_the_action():
    assert _nl({"status": "submitted"}, entity_type="proposals")["status"].value == "Ingediend"
    assert _nl({"status": "accepted"}, entity_type="assignments")["status"].value == (
        "Geen belangenconflict gemeld"
    )
    assert _en({"status": "active"}, entity_type="funded_projects")["status"].value == "Active"
    upheld = _en({"outcome": "upheld"}, action="proposal.objection_answered")
    assert upheld["outcome"].value == "Upheld"
    computed = _en({"outcome": "computed"}, action="proposal.outcome_overridden")
    assert computed["outcome"].value == "Computed outcome"
    funded = _en({"outcome": "funded"}, action="proposal.outcome_overridden")
    assert funded["outcome"].value == "Approved"
    # elsewhere the status is shown as stored, marked so
    other = _en({"status": "submitted"}, entity_type="something_else")["status"]
    assert (other.value, other.verbatim) == ("submitted", True)


def test_an_unknown_key_and_an_unknown_value_are_shown_as_stored():
    nl = _nl(
        {"mystery_key": "raw value", "phase": "archived", "count": 1234, "flag": True},
        entity_type="calls",
    )
    assert (nl["mystery_key"].label, nl["mystery_key"].named) == ("mystery_key", False)
    assert (nl["mystery_key"].value, nl["mystery_key"].verbatim) == ("raw value", True)
    assert nl["phase"].label == "Fase"
    assert (nl["phase"].value, nl["phase"].verbatim) == ("archived", True)
    assert nl["count"].value == "1.234"  # a number, though unnamed
    assert nl["flag"].value == "Ja"


def test_a_value_that_is_not_what_its_key_holds_is_shown_as_stored():
    nl = _nl({"budget_eur": "veel", "deadline": "morgen", "size": "groot"})
    assert [(c.value, c.verbatim) for c in nl.values()] == [
        ("veel", True),
        ("morgen", True),
        ("groot", True),
    ]


def test_nested_data_and_empty_values():
    nl = _nl(
        {
            "checks": {"on_time": True, "budget": False},
            "short": {"12": 1},
            "new": [[12, 3], [15, 37]],
            "contact_email": "",
            "project_end_latest": None,
            "criteria": [],
        }
    )
    assert nl["checks"].value == "Tijdig ingediend: Ja; Gevraagd bedrag binnen het maximum: Nee"
    assert not nl["checks"].verbatim
    assert (nl["short"].value, nl["short"].verbatim) == ("12: 1", True)
    assert nl["new"].value == "(12, 3), (15, 37)"
    assert {nl[k].value for k in ("contact_email", "project_end_latest", "criteria")} == {"—"}


def test_texts_and_codes_are_shown_as_stored_and_marked_so():
    nl = _nl({"email": "a@b.be", "title": "Lassen met VR", "fingerprint": "ab" * 32})
    assert all(c.verbatim for c in nl.values())
    assert nl["email"].value == "a@b.be"


def test_the_order_is_the_stored_order_and_the_raw_json_keeps_everything():
    values = {"b_key": 1, "budget_eur": "1.00", "a_key": "é"}
    assert [c.key for c in display.readable(values)] == ["b_key", "budget_eur", "a_key"]
    assert (
        display.raw_json(values) == '{\n  "b_key": 1,\n  "budget_eur": "1.00",\n  "a_key": "é"\n}'
    )
    assert display.raw_json(None) == "{}"


def test_labellers_can_be_given_and_limited_to_a_context():
    labellers = {
        ("status", "proposals"): display.enum_labeller(ProposalStatus),
        ("code", None): lambda value: "Label" if value == "x" else None,
    }
    with force_locale("en"):
        changes = _by_key(
            display.readable(
                {"status": "draft", "code": "x"}, entity_type="proposals", labellers=labellers
            )
        )
        assert (changes["status"].value, changes["code"].value) == ("Draft", "Label")
        plain = _by_key(display.readable({"status": "draft"}, labellers=labellers))
        assert plain["status"].value == "draft"


def test_a_record_s_sides(app):
    from app.audit.models import AuditRecord

    record = AuditRecord(
        at=datetime(2026, 1, 1, tzinfo=UTC),
        action="proposal.submitted",
        entity_type="proposals",
        entity_id=1,
        before={"status": "draft"},
        after={"status": "submitted"},
    )
    with force_locale("nl"):
        assert [c.value for c in display.changes_of(record, "before")] == ["Concept"]
        assert [c.value for c in display.changes_of(record, "after")] == ["Ingediend"]
    db.session.expunge_all()


# ------------------------------------------------------------- every recorded key has a name


def _recorded_keys() -> set[str]:
    """The keys of the dicts written literally as ``before=``/``after=`` of record(...) and
    returned by the snapshot functions whose result is recorded."""
    keys: set[str] = set()
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            dicts = []
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "record":
                dicts = [kw.value for kw in node.keywords if kw.arg in ("before", "after")]
            elif isinstance(node, ast.FunctionDef) and "snapshot" in node.name:
                dicts = [n.value for n in ast.walk(node) if isinstance(n, ast.Return)]
            for value in dicts:
                if isinstance(value, ast.Dict):
                    keys.update(k.value for k in value.keys if isinstance(k, ast.Constant))
    return keys


def test_the_scan_finds_the_keys():
    assert {"budget_eur", "second_approval", "fingerprint", "roles"} <= _recorded_keys()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_recorded_key_has_a_name(language):
    unnamed = sorted(_recorded_keys() - set(display.FIELDS))
    assert not unnamed, f"add these to app/audit/display.py FIELDS: {unnamed}"
    with force_locale(language):
        assert all(str(field.label) for field in display.FIELDS.values())
