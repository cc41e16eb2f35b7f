"""The ranked order is cached per call under the last change of what it reads, so a change
shows at once: consensus, budget, settings; overrides
are read fresh; a cached answer equals a fresh computation."""

from decimal import Decimal

import sqlalchemy as sa
from flask_babel import force_locale

from app.core.cache import cache
from app.core.db import db
from app.reviews import facts
from app.reviews.models import Outcome
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import ranking as ranking_rules
from tests.reviews.factories import kept_reviewed_world

_BUILT: dict = {}  # per set of arguments: the rows of the first build in this process


def _view(rows):
    return [
        (
            r.proposal.reference,
            r.proposal.title,
            r.proposal.organisation.legal_name,
            r.score,
            r.requested,
            r.passed,
            r.failed,
            r.rank,
            r.cumulative,
            r.computed,
            r.outcome,
            r.submitted_at,
        )
        for r in rows
    ]


def _fresh(call_id):
    cache().clear()
    return _view(ranking_rules.ranking(call_id))


def _count(fn):
    statements = []

    def _before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", _before)
    try:
        result = fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _before)
    return len(statements), result


def test_a_cached_ranking_equals_a_fresh_one_and_reads_less():
    world = kept_reviewed_world(_BUILT, count=5)
    cache().clear()
    cold, first = _count(lambda: _view(ranking_rules.ranking(world.call.id)))
    warm, second = _count(lambda: _view(ranking_rules.ranking(world.call.id)))
    assert first == second == _fresh(world.call.id)
    assert warm < cold


def test_a_new_consensus_score_shows_at_once():
    world = kept_reviewed_world(_BUILT, count=3)
    before = _view(ranking_rules.ranking(world.call.id))
    last = before[-1][0]
    proposal = next(p for p in world.proposals if p.reference == last)
    for criterion in world.criteria:
        consensus_rules.record_consensus(
            world.official,
            proposal.id,
            criterion.id,
            str(criterion.scale_max),
            "Herzien na overleg.",
        )
    after = _view(ranking_rules.ranking(world.call.id))
    assert after[0][0] == last
    assert after == _fresh(world.call.id)


def test_a_budget_or_settings_change_shows_at_once():
    world = kept_reviewed_world(_BUILT, count=4)
    ranking_rules.ranking(world.call.id)  # cached
    world.call.budget_eur = Decimal("10000.00")
    db.session.commit()
    rows = ranking_rules.ranking(world.call.id)
    assert not any(r.computed is Outcome.funded for r in rows if r.requested > 10000)
    assert _view(rows) == _fresh(world.call.id)
    settings = facts.settings_of(world.call)
    settings.reserve_size = 0
    db.session.commit()
    rows = ranking_rules.ranking(world.call.id)
    assert not any(r.computed is Outcome.reserve for r in rows)
    assert _view(rows) == _fresh(world.call.id)


def test_a_renamed_organisation_keeps_its_submitted_name():
    """The ranking reads the organisation the evaluated version froze, so renaming it after
    submission changes nothing there (and needs no new computation)."""
    from app.organisations import services as organisations

    world = kept_reviewed_world(_BUILT, count=3)
    rows = ranking_rules.ranking(world.call.id)
    other = world.proposals[1]
    organisation = other.organisation
    submitted_name = organisation.legal_name
    data = organisations.OrganisationInput(
        legal_name="Hernoemd Opleidingscentrum",
        enterprise_number=organisation.enterprise_number,
        provider_type=organisation.provider_type,
        street=organisation.street,
        postal_code=organisation.postal_code,
        city=organisation.city,
    )
    organisations.update_organisation(world.official, organisation.id, data)
    names = {
        r.proposal.reference: r.proposal.organisation.legal_name
        for r in ranking_rules.ranking(world.call.id)
    }
    assert names[other.reference] == submitted_name
    assert _view(ranking_rules.ranking(world.call.id)) == _view(rows) == _fresh(world.call.id)


def test_an_override_shows_at_once_and_threshold_names_follow_the_language():
    world = kept_reviewed_world(_BUILT, count=3)
    rows = ranking_rules.ranking(world.call.id)
    target = rows[0].proposal
    ranking_rules.override_outcome(
        world.official, target.id, Outcome.rejected, "Dubbele financiering"
    )
    first = ranking_rules.ranking(world.call.id)[0]
    assert first.outcome is Outcome.rejected and first.override.reason == "Dubbele financiering"
    with force_locale("nl"):
        dutch = [r.failed for r in ranking_rules.ranking(world.call.id)]
    with force_locale("en"):
        english = [r.failed for r in ranking_rules.ranking(world.call.id)]
    assert len(dutch) == len(english)
    for nl, en in zip(dutch, english, strict=True):
        assert len(nl) == len(en)
