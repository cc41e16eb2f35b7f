"""What the demo evaluators know of a proposal: its facts read from the submitted version,
and the Dutch phrasing helpers (amounts, months, counts, lists) their texts use."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.core.money import format_euro
from app.demo.content import REFERRAL_PARTNERS, TECH_PARTNERS, THEMES, Theme
from app.proposals.models import Proposal

# ============================================================================ facts


THEME_BY_ACRONYM = {t.acronym: t for t in THEMES.values()}
TECH_PARTNER_NAMES = {name for name, _role in TECH_PARTNERS}
REFERRAL_PARTNER_NAMES = {name for name, _role in REFERRAL_PARTNERS}


@dataclass
class Facts:
    """What an evaluator reads in the version that counts, in the words they write with."""

    proposal: Proposal
    data: dict[str, Any]
    theme: Theme | None
    technologies: set[str]
    training: str
    target: str  # "werkzoekenden die ..." (lower case, no full stop)
    groups: list[str]  # "kortgeschoolde werkzoekenden", "anderstaligen", ...
    employer: str
    tech_partner: str
    referral: str
    partners: list[str]
    requested: Decimal
    participants: int
    objectives: int
    modules: int
    milestones: int
    practice: bool
    practice_quote: str
    start: date | None
    end: date | None

    @property
    def per_participant(self) -> Decimal:
        return (self.requested / max(self.participants, 1)).quantize(Decimal("1"))


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return match.group(1) if match else text.strip()


def lower_first(text: str) -> str:
    """'De begroting ...' -> 'de begroting ...'; leaves 'VR ...' and names alone."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def facts_of(proposal: Proposal, data: dict[str, Any]) -> Facts:
    theme = THEME_BY_ACRONYM.get(str(data.get("acronym", "")).split("-")[0])
    partners = [p.get("name", "") for p in data.get("partners") or []]
    employer = next((n for n in partners if theme and n == theme.employer), "")
    groups = []
    for line in str(data.get("disadvantaged_groups", "")).splitlines():
        line = line.lstrip("- ").strip()
        if ": " in line:
            groups.append(lower_first(line.split(": ", 1)[0]))
    quote = _first_sentence(str(data.get("practice_explanation") or ""))
    target = _first_sentence(str(data.get("target_group") or "")).rstrip(".")

    def day(value) -> date | None:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return None

    return Facts(
        proposal=proposal,
        data=data,
        theme=theme,
        technologies=set(data.get("technologies") or ()),
        training=str(data.get("training_name") or proposal.title),
        target=lower_first(target) or "de doelgroep",
        groups=groups,
        employer=employer,
        tech_partner=next((n for n in partners if n in TECH_PARTNER_NAMES), ""),
        referral=next((n for n in partners if n in REFERRAL_PARTNER_NAMES), ""),
        partners=partners,
        requested=Decimal(str(data.get("requested_eur") or "0")),
        participants=int(data.get("expected_participants") or 0),
        objectives=str(data.get("learning_objectives", "")).count("\n- "),
        modules=len(re.findall(r"^\d+\. ", str(data.get("content", "")), re.MULTILINE)),
        milestones=len(data.get("milestones") or ()),
        practice=bool(data.get("practice_oriented")),
        practice_quote=quote if 40 <= len(quote) <= 170 else "",
        start=day(data.get("start_date")),
        end=day(data.get("end_date")),
    )


def euro_text(amount: Decimal) -> str:
    return format_euro(amount).replace(",00", "")


MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def month_text(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


NUMBERS = (
    "nul",
    "één",
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
)


def count_text(number: int) -> str:
    return NUMBERS[number] if 0 <= number < len(NUMBERS) else str(number)


def and_list(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]
