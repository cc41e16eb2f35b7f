"""Assigning evaluators to proposals: a pure function, so its properties can be tested.

Rules, in order of strength:
1. never an evaluator affiliated with the applicant or a partner (enterprise numbers), nor
   one who declared a conflict on that proposal;
2. N evaluators per proposal when enough are eligible;
3. balanced loads: after a first greedy pass, new assignments move along chains from the
   busiest evaluators to the least busy ones until no chain is left, so if one evaluator
   has two more than another, the other could not take any of the first one's new
   proposals, even by passing one on (without affiliations and conflicts: loads differ by
   at most one);
4. expertise matched to the proposal's technologies where loads tie;
5. deterministic: the same input gives the same result (ties break on ids);
6. kept assignments stay: re-running after a change only fills what is missing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProposalInfo:
    id: int
    technologies: frozenset[str] = frozenset()
    enterprise_numbers: frozenset[str] = frozenset()  # applicant and partners


@dataclass(frozen=True)
class EvaluatorInfo:
    id: int
    expertise: frozenset[str] = frozenset()
    affiliations: frozenset[str] = frozenset()  # enterprise numbers


@dataclass
class Plan:
    """Evaluator ids per proposal id (kept ones first), and proposals left short."""

    assignments: dict[int, list[int]]
    new: list[tuple[int, int]] = field(default_factory=list)  # (proposal, evaluator) added
    short: dict[int, int] = field(default_factory=dict)  # proposal -> evaluators missing


def eligible(
    proposal: ProposalInfo, evaluator: EvaluatorInfo, conflicts: set[tuple[int, int]]
) -> bool:
    return (proposal.id, evaluator.id) not in conflicts and not (
        proposal.enterprise_numbers & evaluator.affiliations
    )


def plan(
    proposals: Iterable[ProposalInfo],
    evaluators: Iterable[EvaluatorInfo],
    *,
    per_proposal: int = 3,
    kept: Mapping[int, Iterable[int]] | None = None,
    conflicts: Iterable[tuple[int, int]] = (),
) -> Plan:
    proposals = sorted(proposals, key=lambda p: p.id)
    evaluators = sorted(evaluators, key=lambda e: e.id)
    conflict_set = set(conflicts)
    by_id = {e.id: e for e in evaluators}
    assignments: dict[int, list[int]] = {
        p.id: [e for e in (kept or {}).get(p.id, ()) if e in by_id] for p in proposals
    }
    load = dict.fromkeys(by_id, 0)
    for ids in assignments.values():
        for evaluator_id in ids:
            load[evaluator_id] += 1
    candidates = {p.id: [e for e in evaluators if eligible(p, e, conflict_set)] for p in proposals}
    result = Plan(assignments=assignments)
    # Round by round (first evaluator of every proposal, then the second, ...), hardest
    # proposals first, so that scarce evaluators go where nobody else can.
    order = sorted(proposals, key=lambda p: (len(candidates[p.id]), p.id))
    for _round in range(per_proposal):
        for proposal in order:
            chosen = assignments[proposal.id]
            if len(chosen) >= per_proposal:
                continue
            options = [e for e in candidates[proposal.id] if e.id not in chosen]
            if not options:
                continue
            best = min(
                options, key=lambda e: (load[e.id], -len(e.expertise & proposal.technologies), e.id)
            )
            chosen.append(best.id)
            load[best.id] += 1
            result.new.append((proposal.id, best.id))
    _rebalance(result, proposals, evaluators, candidates, load)
    for proposal in proposals:
        missing = per_proposal - len(assignments[proposal.id])
        if missing > 0:
            result.short[proposal.id] = missing
    return result


def _rebalance(
    result: Plan,
    proposals: list[ProposalInfo],
    evaluators: list[EvaluatorInfo],
    candidates: dict[int, list[EvaluatorInfo]],
    load: dict[int, int],
) -> None:
    """Move new assignments along chains from busy to idle evaluators.

    A chain a -> y1 -> ... -> b gives one of a's new proposals to y1, one of y1's to the
    next, and so on: only a loses one and only b gains one. Every move lowers the sum of
    squared loads, so this ends. Ties break on ids, so the result stays deterministic.
    """
    eligible_ids = {pid: {e.id for e in options} for pid, options in candidates.items()}
    order = [e.id for e in evaluators]
    while True:
        movable: dict[int, list[int]] = {}
        for proposal_id, evaluator_id in result.new:
            movable.setdefault(evaluator_id, []).append(proposal_id)
        moved = False
        for a in sorted(order, key=lambda e: (-load[e], e)):
            targets = {b for b in order if load[b] <= load[a] - 2}
            if not targets:
                break
            path = _chain(a, targets, movable, eligible_ids, result.assignments, order)
            if path:
                for giver, taker, proposal_id in path:
                    chosen = result.assignments[proposal_id]
                    chosen[chosen.index(giver)] = taker
                    result.new[result.new.index((proposal_id, giver))] = (proposal_id, taker)
                load[a] -= 1
                load[path[-1][1]] += 1
                moved = True
                break
        if not moved:
            return


def _chain(
    start: int,
    targets: set[int],
    movable: dict[int, list[int]],
    eligible_ids: dict[int, set[int]],
    assignments: dict[int, list[int]],
    order: list[int],
) -> list[tuple[int, int, int]] | None:
    """Breadth-first: the shortest chain of (giver, taker, proposal) from start to a target."""
    previous: dict[int, tuple[int, int] | None] = {start: None}
    queue = [start]
    while queue:
        giver = queue.pop(0)
        for proposal_id in sorted(movable.get(giver, [])):
            for taker in order:
                if (
                    taker in previous
                    or taker not in eligible_ids[proposal_id]
                    or taker in assignments[proposal_id]
                ):
                    continue
                previous[taker] = (giver, proposal_id)
                if taker in targets:
                    path = []
                    node = taker
                    while (step := previous[node]) is not None:
                        parent, via = step
                        path.append((parent, node, via))
                        node = parent
                    return list(reversed(path))
                queue.append(taker)
    return None
