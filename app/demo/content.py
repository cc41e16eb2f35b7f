"""The demo's cast and prose, read from the JSON files in ``data/``.

Providers (with their addresses and contacts), the training themes they propose, the
phrases proposals are written from, and the evaluators with their expertise and
affiliations. The code that builds calls, proposals and reviews reads only these names;
changing the demo's wording means editing a data file, not the code.
"""

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from app.calls.models import ProjectType
from app.organisations import services as organisations
from app.organisations.enterprise_number import normalise
from app.organisations.models import ProviderType

DATA = Path(__file__).parent / "data"
SEED = 20270331  # the proposals' random draws
EVALUATION_SEED = SEED + 5  # the reviews'
CENT = Decimal("0.01")


@cache
def _load(name: str) -> Any:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def _tuples(value: Any) -> Any:
    """JSON lists back into the tuples the demo was written with (hashable, immutable)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


# ============================================================================ organisations


def demo_enterprise_number(name: str) -> str:
    """A valid (mod 97), stable enterprise number derived from a fictitious name."""
    digest = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big")
    body = 4_000_000 + digest % 5_000_000
    return normalise(f"{body:08d}{97 - body % 97:02d}")


def _ascii(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in flat.lower().replace(" ", ".") if c.isalnum() or c in ".-")


@dataclass(frozen=True)
class Provider:
    legal_name: str
    provider_type: ProviderType
    street: str
    postal_code: str
    city: str
    phone: str
    contact_name: str
    slug: str
    themes: tuple[str, ...] = ()
    number: str = ""  # a fixed enterprise number; derived from the name when empty
    account: str = ""  # a fixed applicant email; derived from the contact's name when empty
    contact_email: str = ""  # the organisation's address; info@<slug>.example when empty

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Provider":
        return cls(
            **{
                **data,
                "provider_type": ProviderType(data["provider_type"]),
                "themes": tuple(data.get("themes", ())),
            }
        )

    @property
    def enterprise_number(self) -> str:
        return self.number or demo_enterprise_number(self.legal_name)

    @property
    def email(self) -> str:
        return self.account or f"{_ascii(self.contact_name)}@{self.slug}.example"

    def organisation_input(self) -> organisations.OrganisationInput:
        return organisations.OrganisationInput(
            legal_name=self.legal_name,
            enterprise_number=self.enterprise_number,
            provider_type=self.provider_type,
            street=self.street,
            postal_code=self.postal_code,
            city=self.city,
            contact_name=self.contact_name,
            contact_email=self.contact_email or f"info@{self.slug}.example",
            contact_phone=self.phone,
        )


# The two organisations of the demo accounts (app/demo/accounts.py), then the further
# providers, each with one applicant account; themes = last year's proposals.
LEERBOOM, POCL = (Provider.from_data(p) for p in _load("providers")["demo_accounts"])
PROVIDERS: tuple[Provider, ...] = tuple(Provider.from_data(p) for p in _load("providers")["others"])
PROVIDER_BY_SLUG = {p.slug: p for p in PROVIDERS}

# ============================================================================ themes


@dataclass(frozen=True)
class Theme:
    key: str
    acronym: str
    trainings: tuple[tuple[str, int, str], ...]  # (name, hours, current classroom form)
    objectives: tuple[str, ...]
    modules: tuple[str, ...]
    target_groups: tuple[str, ...]
    practice: str
    vr: str
    ar: str
    ai: str
    employer: str  # a partner that offers workplaces and cases
    practical: float = 0.8  # chance that a proposal on this theme is practice-oriented


THEMES: dict[str, Theme] = {
    t["key"]: Theme(**{k: _tuples(v) for k, v in t.items()}) for t in _load("themes")
}

# ============================================================================ phrases

_PHRASES = _load("phrases")
TECH_PARTNERS: tuple[tuple[str, str], ...] = _tuples(_PHRASES["tech_partners"])
REFERRAL_PARTNERS: tuple[tuple[str, str], ...] = _tuples(_PHRASES["referral_partners"])
EMPLOYER_ROLES: tuple[str, ...] = _tuples(_PHRASES["employer_roles"])
LMS_NAMES: tuple[str, ...] = _tuples(_PHRASES["lms_names"])
OTHER_METHODS: tuple[str, ...] = _tuples(_PHRASES["other_methods"])
DISADVANTAGED: tuple[str, ...] = _tuples(_PHRASES["disadvantaged"])
GUIDANCE_BEFORE: tuple[str, ...] = _tuples(_PHRASES["guidance_before"])
GUIDANCE_DURING: tuple[str, ...] = _tuples(_PHRASES["guidance_during"])
GUIDANCE_AFTER: tuple[str, ...] = _tuples(_PHRASES["guidance_after"])
LMS_FOLLOW_UP: tuple[str, ...] = _tuples(_PHRASES["lms_follow_up"])
OPENINGS: dict[ProjectType, tuple[str, ...]] = {
    ProjectType(k): _tuples(v) for k, v in _PHRASES["openings"].items()
}
METHOD_SENTENCES: dict[str, str] = _PHRASES["method_sentences"]
CLOSINGS: tuple[str, ...] = _tuples(_PHRASES["closings"])
ENTRY_REQUIREMENTS: tuple[str, ...] = _tuples(_PHRASES["entry_requirements"])
MILESTONES: tuple[str, ...] = _tuples(_PHRASES["milestones"])
REVISION_SENTENCES: tuple[str, ...] = _tuples(_PHRASES["revision_sentences"])
WITHDRAWAL_REASON: str = _PHRASES["withdrawal_reason"]
GENERAL: tuple[str, ...] = _tuples(_PHRASES["general"])
DESIGN: tuple[str, ...] = _tuples(_PHRASES["design"])
REST: tuple[str, ...] = _tuples(_PHRASES["rest"])

CALL_DESCRIPTION = (DATA / "call_description.txt").read_text(encoding="utf-8").rstrip("\n")

# ============================================================================ evaluators


@dataclass(frozen=True)
class Expert:
    """A demo evaluator: expertise (technology codes), affiliations, a scoring habit."""

    email: str
    name: str
    expertise: tuple[str, ...]
    affiliations: tuple[tuple[str, str, str], ...] = ()  # (name, enterprise number, relation)
    bias: float = 0.0  # points on the 0-5 scale: below 0 harsher, above 0 more lenient
    # A conflict of interest the enterprise numbers cannot show: declared on the first
    # assigned proposal of one of these organisations (enterprise numbers), or else on the
    # first assigned proposal at all. The text takes {organisation}.
    conflict: str = ""
    conflict_with: tuple[str, ...] = ()


def _enterprise_number_of(name: str) -> str:
    """A demo provider's number, or the one derived from a partner's name."""
    provider = next((p for p in PROVIDERS if p.legal_name == name), None)
    return provider.enterprise_number if provider else demo_enterprise_number(name)


def _expert(data: dict[str, Any]) -> Expert:
    return Expert(
        email=data["email"],
        name=data["name"],
        expertise=tuple(data["expertise"]),
        affiliations=tuple(
            (a["organisation"], _enterprise_number_of(a["organisation"]), a["relation"])
            for a in data["affiliations"]
        ),
        bias=data.get("bias", 0.0),
        conflict=data.get("conflict", ""),
        conflict_with=tuple(
            PROVIDER_BY_SLUG[slug].enterprise_number for slug in data.get("conflict_with", ())
        ),
    )


EXPERTS: tuple[Expert, ...] = tuple(_expert(e) for e in _load("experts"))
EXPERT_BY_EMAIL = {e.email: e for e in EXPERTS}

TECHNOLOGY_NL = {
    "vr": "virtuele realiteit",
    "ar": "augmented reality",
    "ai": "artificiële intelligentie",
    "gamification": "gamification",
    "webinar": "webinars",
    "group_work": "groepswerk",
    "lms": "een leerplatform",
    "blended": "gemengd leren",
    "other": "andere werkvormen",
}
