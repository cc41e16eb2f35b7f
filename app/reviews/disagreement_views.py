"""Disagreement per criterion on the consensus page and the overview's limits (template
globals, so the pages' views stay as they are; the overview's view passes its counts)."""

from app.reviews import disagreement, facts
from app.reviews.blueprint import bp


@bp.app_template_global("sheet_disagreement")
def sheet_disagreement(sheet) -> dict:
    """Criterion id -> CriterionSpread for the submitted reviews on the consensus page."""
    per_criterion: dict[int, list] = {}
    for scores in sheet.scores.values():
        for criterion_id, score in scores.items():
            if score.score is not None:
                per_criterion.setdefault(criterion_id, []).append(score.score)
    settings = facts.settings_of(sheet.proposal.call)
    return {
        s.criterion.id: s
        for s in disagreement.criterion_spreads(per_criterion, sheet.criteria, settings)
    }


@bp.app_template_global("criterion_spread_limit")
def criterion_spread_limit(call, criterion):
    return disagreement.shown_limit(criterion, facts.settings_of(call))
