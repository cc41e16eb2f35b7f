"""The mention finder: technologies a proposal's texts name but its form did not declare."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.calls.models import Call
from app.core.db import db
from app.core.permissions import require
from app.core.time import utcnow
from app.proposals.fields import LABELS
from app.proposals.models import Proposal, ProposalVersion
from app.reporting import permissions
from app.reporting.proposal_rows import ProposalRow, load_rows

# Terms that name a technology, in Dutch and English. Spaces match any run of spaces or a
# hyphen; every term matches as a whole word, case-insensitively, so "AI" is not found in
# "detail" or "Maillot". Optional endings are written as regular expressions.
# Not searched: the LMS and blended learning, which every e-training of this call uses
# (the form itself asks how the LMS follows learners up), nor everyday words like group work.
TERMS: dict[str, tuple[str, ...]] = {
    "vr": (
        "VR",
        "VR-bril(?:len)?",
        "VR headsets?",
        "virtuele realiteit",
        "virtuele werkelijkheid",
        "virtual reality",
        "360 graden video's?",
    ),
    "ar": (
        "AR",
        "AR-bril(?:len)?",
        "augmented reality",
        "toegevoegde realiteit",
        "aangevulde realiteit",
        "verrijkte realiteit",
        "mixed reality",
    ),
    "ai": (
        "AI",
        "A\\.I\\.",
        "artifici[eë]le intelligentie",
        "kunstmatige intelligentie",
        "artificial intelligence",
        "chatbots?",
        "ChatGPT",
        "generatieve AI",
        "machine learning",
        "taalmodel(?:len)?",
        "language models?",
    ),
    "gamification": (
        "gamification",
        "gamificatie",
        "serious games?",
        "game-based learning",
        "spelelementen",
        "escape rooms?",
    ),
    "webinar": ("webinars?", "webinaries?", "live-?streams?"),
}

# The texts searched: every free-text field of the submitted version.
TEXT_FIELDS = (
    "title",
    "acronym",
    "training_name",
    "training_current_form",
    "learning_objectives",
    "content",
    "didactic_approach",
    "target_group",
    "disadvantaged_groups",
    "practice_explanation",
    "guidance_before",
    "guidance_during",
    "guidance_after",
    "lms_follow_up",
    "technology_other",
)


def _pattern(terms: Sequence[str]) -> re.Pattern[str]:
    parts = sorted(terms, key=len, reverse=True)  # the longest term wins: "VR-bril" over "VR"
    body = "|".join(part.replace(" ", r"[\s\-]+") for part in parts)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


PATTERNS: dict[str, re.Pattern[str]] = {code: _pattern(terms) for code, terms in TERMS.items()}


@dataclass(frozen=True)
class Mention:
    technology: str
    term: str  # as written in the text
    start: int
    end: int


def find_mentions(text: str, technologies: Iterable[str] | None = None) -> list[Mention]:
    """Every whole-word mention of a technology term in ``text``, in order of appearance."""
    found = []
    for code, pattern in PATTERNS.items():
        if technologies is not None and code not in technologies:
            continue
        for match in pattern.finditer(text or ""):
            found.append(Mention(code, match.group(0), match.start(), match.end()))
    return sorted(found, key=lambda m: (m.start, m.technology))


@dataclass(frozen=True)
class Excerpt:
    field: str
    label: str
    before: str
    term: str
    after: str


def text_mentions(
    data: dict[str, Any], technologies: Iterable[str] | None = None
) -> list[tuple[str, Excerpt]]:
    """(technology, excerpt) for every mention in a version's texts, field by field."""
    found = []
    for name in TEXT_FIELDS:
        text = data.get(name) or ""
        for mention in find_mentions(text, technologies):
            found.append((mention.technology, excerpt(name, text, mention)))
    return found


@dataclass
class MentionReview:
    row: ProposalRow
    undeclared: dict[str, list[Excerpt]]  # technology code -> where it is mentioned

    @property
    def reviewed(self) -> bool:
        """An official verified the technologies of the version in force."""
        return self.row.is_verified and not self.row.verification_outdated


def excerpt(name: str, text: str, mention: Mention, width: int = 60) -> Excerpt:
    start, end = max(0, mention.start - width), min(len(text), mention.end + width)
    before = ("…" if start else "") + text[start : mention.start]
    after = text[mention.end : end] + ("…" if end < len(text) else "")
    return Excerpt(
        name,
        str(LABELS[name]),
        re.sub(r"\s+", " ", before),
        mention.term,
        re.sub(r"\s+", " ", after),
    )


def undeclared_mentions(
    actor: User, call: Call, as_of: datetime | None = None
) -> list[MentionReview]:
    """Submitted proposals whose texts mention a technology of the call they did not declare,
    for an official to review. Not yet reviewed ones first."""
    require(permissions.can_view_statistics(actor))
    as_of = as_of or utcnow()
    rows = {row.id: row for row in load_rows(call, as_of) if row.status == "submitted"}
    if not rows:
        return []
    last = (
        sa.select(ProposalVersion.proposal_id, sa.func.max(ProposalVersion.number).label("number"))
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(Proposal.call_id == call.id, ProposalVersion.submitted_at <= as_of)
        .group_by(ProposalVersion.proposal_id)
        .subquery()
    )
    texts = db.session.execute(
        sa.select(ProposalVersion.proposal_id, ProposalVersion.data)
        .join(
            last,
            sa.and_(
                last.c.proposal_id == ProposalVersion.proposal_id,
                last.c.number == ProposalVersion.number,
            ),
        )
        .order_by(ProposalVersion.proposal_id)
    )
    reviews = []
    for pid, data in texts:
        row = rows.get(pid)
        if row is None:  # withdrawn by then
            continue
        wanted = [
            code for code in call.technologies if code in PATTERNS and code not in row.technologies
        ]
        undeclared: dict[str, list[Excerpt]] = {}
        for code, found in text_mentions(data, wanted):
            undeclared.setdefault(code, []).append(found)
        if undeclared:
            ordered = {code: undeclared[code] for code in call.technologies if code in undeclared}
            reviews.append(MentionReview(row, ordered))
    return sorted(reviews, key=lambda r: (r.reviewed, r.row.reference))
