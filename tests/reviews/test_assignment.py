"""Properties of the assignment plan, for random inputs (hypothesis)."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from app.reviews.assignment import EvaluatorInfo, ProposalInfo, eligible, plan

CODES = ["vr", "ar", "ai", "gamification", "lms"]
NUMBERS = [f"0{n}00.000.000" for n in range(1, 9)]

proposals_st = st.lists(
    st.builds(
        ProposalInfo,
        id=st.integers(1, 10_000),
        technologies=st.frozensets(st.sampled_from(CODES), max_size=3),
        enterprise_numbers=st.frozensets(st.sampled_from(NUMBERS), min_size=1, max_size=2),
    ),
    max_size=25,
    unique_by=lambda p: p.id,
)
evaluators_st = st.lists(
    st.builds(
        EvaluatorInfo,
        id=st.integers(1, 10_000),
        expertise=st.frozensets(st.sampled_from(CODES), max_size=3),
        affiliations=st.frozensets(st.sampled_from(NUMBERS), max_size=2),
    ),
    max_size=12,
    unique_by=lambda e: e.id,
)


@settings(max_examples=150, deadline=None)
@given(
    proposals_st,
    evaluators_st,
    st.integers(1, 4),
    st.sets(st.tuples(st.integers(1, 10_000), st.integers(1, 10_000)), max_size=5),
)
def test_plan_properties(proposals, evaluators, n, conflicts):
    result = plan(proposals, evaluators, per_proposal=n, conflicts=conflicts)
    by_id = {e.id: e for e in evaluators}
    load = Counter(e for ids in result.assignments.values() for e in ids)
    for proposal in proposals:
        chosen = result.assignments[proposal.id]
        assert len(chosen) == len(set(chosen))  # nobody twice on one proposal
        # never affiliated, never a declared conflict
        assert all(eligible(proposal, by_id[e], conflicts) for e in chosen)
        eligible_count = sum(eligible(proposal, e, conflicts) for e in evaluators)
        # N per proposal when enough evaluators are eligible; otherwise all of them
        assert len(chosen) == min(n, eligible_count)
        assert result.short.get(proposal.id, 0) == n - len(chosen)
    # balance: if a has two more than b, b could not take any of a's proposals
    for a in evaluators:
        for b in evaluators:
            if load[a.id] >= load[b.id] + 2:
                for proposal in proposals:
                    if a.id in result.assignments[proposal.id]:
                        assert b.id in result.assignments[proposal.id] or not eligible(
                            proposal, b, conflicts
                        )
    # determinism, whatever the input order
    again = plan(
        list(reversed(proposals)), list(reversed(evaluators)), per_proposal=n, conflicts=conflicts
    )
    assert again.assignments == result.assignments


@settings(max_examples=100, deadline=None)
@given(proposals_st, evaluators_st, st.integers(1, 3))
def test_rerunning_keeps_what_is_valid(proposals, evaluators, n):
    first = plan(proposals, evaluators, per_proposal=n)
    second = plan(proposals, evaluators, per_proposal=n, kept=first.assignments)
    assert second.assignments == first.assignments
    assert second.new == []
    if proposals and first.assignments[proposals[0].id]:
        # one evaluator declares a conflict: only that slot is refilled
        victim = first.assignments[proposals[0].id][0]
        kept = {
            pid: [e for e in ids if (pid, e) != (proposals[0].id, victim)]
            for pid, ids in first.assignments.items()
        }
        third = plan(
            proposals, evaluators, per_proposal=n, kept=kept, conflicts={(proposals[0].id, victim)}
        )
        for pid, ids in kept.items():
            assert set(ids) <= set(third.assignments[pid])
        assert all(pid == proposals[0].id for pid, _e in third.new)
        assert victim not in third.assignments[proposals[0].id]


def test_no_conflicts_means_loads_within_one():
    proposals = [ProposalInfo(i, frozenset({"vr"}), frozenset({f"x{i}"})) for i in range(1, 11)]
    evaluators = [EvaluatorInfo(i) for i in range(1, 8)]
    result = plan(proposals, evaluators, per_proposal=3)
    load = Counter(e for ids in result.assignments.values() for e in ids)
    assert max(load.values()) - min(load.values()) <= 1
    assert sum(load.values()) == 30


def test_expertise_breaks_ties():
    proposal = ProposalInfo(1, frozenset({"vr", "ai"}), frozenset({"0100.000.000"}))
    evaluators = [
        EvaluatorInfo(1, frozenset({"lms"})),
        EvaluatorInfo(2, frozenset({"vr"})),
        EvaluatorInfo(3, frozenset({"vr", "ai"})),
        EvaluatorInfo(4),
    ]
    assert plan([proposal], evaluators, per_proposal=2).assignments == {1: [3, 2]}


def test_affiliated_evaluators_are_never_chosen():
    proposal = ProposalInfo(1, frozenset(), frozenset({"0100.000.000", "0200.000.000"}))
    evaluators = [EvaluatorInfo(1, affiliations=frozenset({"0200.000.000"})), EvaluatorInfo(2)]
    result = plan([proposal], evaluators, per_proposal=2)
    assert result.assignments == {1: [2]}
    assert result.short == {1: 1}


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 30), st.integers(1, 12), st.integers(1, 4))
def test_without_affiliations_loads_differ_by_at_most_one(n_proposals, n_evaluators, n):
    proposals = [
        ProposalInfo(i, enterprise_numbers=frozenset({f"p{i}"})) for i in range(1, n_proposals + 1)
    ]
    evaluators = [EvaluatorInfo(i) for i in range(1, n_evaluators + 1)]
    result = plan(proposals, evaluators, per_proposal=n)
    load = Counter({e.id: 0 for e in evaluators})
    load.update(e for ids in result.assignments.values() for e in ids)
    assert max(load.values()) - min(load.values()) <= 1
