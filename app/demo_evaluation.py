"""Last year's demo call, evaluated from start to finish, for ``seed-demo``.

After app/demo_proposals.py has built the calls, the official and nine evaluators take
last year's call through the whole evaluation with the real services (app/reviews):
criteria and settings, admissibility, evaluators' expertise and affiliations, automatic
assignment (which keeps affiliated evaluators away), declarations of conflicts of interest
(two evaluators declare one; the assignment is refilled), independent reviews, consensus
per criterion and a published decision, so a newcomer sees a complete, defensible ranking.

The reviews follow from a per-proposal quality drawn from a fixed random seed and from the
proposal's own content, so evaluators roughly agree, one is consistently harsher and one
more lenient (visible in the calibration), and on three proposals one evaluator strongly
disagrees (flagged). Every text is plausible Dutch that refers to the proposal.

Idempotent: a call with criteria, admissibility checks, assignments or a decision is left
as it is (an official may have started by hand); the summary line reads what is stored.
"""

import math
import random
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa

from app import demo_proposals
from app.auth import services as auth_services
from app.auth.models import User
from app.calls.models import Call, ProjectType
from app.core.db import db, transaction
from app.core.money import format_euro
from app.core.permissions import Role
from app.core.time import to_brussels, utcnow
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus
from app.reviews import facts as review_facts
from app.reviews.models import (
    Admissibility,
    AdmissibilityCheck,
    Assignment,
    AssignmentStatus,
    Criterion,
    DecisionRecord,
    EvaluatorProfile,
    Outcome,
    Review,
    ReviewStatus,
)
from app.reviews.rules import admissibility as admissibility_rules
from app.reviews.rules import assignment as assignment_rules
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import consensus as consensus_rules
from app.reviews.rules import criteria as criteria_rules
from app.reviews.rules import decisions as decisions_rules
from app.reviews.rules import scoring as scoring_rules

SEED = demo_proposals.SEED + 5
OFFICIAL_EMAIL = "ambtenaar@esf-eleren.example"  # app/demo.py creates this official
DECISION_AFTER = timedelta(weeks=10)  # published within the 12 weeks after the deadline


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


def _org(name: str) -> tuple[str, str]:
    """(name, enterprise number) of a demo provider or partner, as app/demo_proposals makes it."""
    return name, demo_proposals.demo_enterprise_number(name)


def _provider(slug: str) -> tuple[str, str]:
    provider = demo_proposals.PROVIDER_BY_SLUG[slug]
    return provider.legal_name, provider.enterprise_number


EXPERTS: tuple[Expert, ...] = (
    Expert(
        "beoordelaar@esf-eleren.example",
        "Sofie Maes",  # app/demo.py creates her
        ("lms", "blended", "group_work", "webinar"),
        ((*_provider("hogeschool-westhoek"), "gastdocent e-learning in de lerarenopleiding"),),
    ),
    Expert(
        "wouter.vanacker@xr-advies.example",
        "Wouter Van Acker",
        ("vr", "ar", "gamification"),
        ((*_org("XR Studio Kortrijk bv"), "medeoprichter en aandeelhouder"),),
        bias=0.05,
    ),
    Expert(
        "nathalie.declercq@esf-eleren.example",
        "Nathalie Declercq",
        ("ai", "lms", "webinar"),
        ((*_org("Data & Didactiek bv"), "onderzoekspartner in een lopend project"),),
    ),
    Expert(
        "thomas.willems@opleidingsadvies.example",
        "Thomas Willems",
        ("gamification", "webinar", "blended"),
        bias=0.4,
        conflict="Twee jaar geleden heb ik als freelance lesgever de klassikale versie "
        "van deze opleiding mee uitgewerkt voor {organisation}. Ik kan dit voorstel "
        "niet onafhankelijk beoordelen.",
        conflict_with=(
            _provider("lasacademie")[1],
            _provider("toc-kempen")[1],
            _provider("metaal-techniek")[1],
        ),
    ),
    Expert(
        "ann.verstraeten@esf-eleren.example",
        "Ann Verstraeten",
        ("group_work", "blended", "lms"),
        (
            (*_provider("zorgacademie-rivierenland"), "lid van de raad van bestuur"),
            (*_org("Expertisecentrum Zorg en Welzijn vzw"), "stafmedewerker vorming"),
        ),
        bias=0.1,
    ),
    Expert("marc.lemmens@werk-en-leren.example", "Marc Lemmens", ("vr", "ai", "lms"), bias=-0.45),
    Expert(
        "leen.claessens@esf-eleren.example",
        "Leen Claessens",
        ("ar", "gamification", "group_work"),
        ((*_provider("cvo-scheldeland"), "deeltijds lesgever Nederlands tweede taal"),),
        bias=-0.05,
    ),
    Expert(
        "ahmed.benali@datawijs.example",
        "Ahmed Benali",
        ("ai", "lms", "webinar", "other"),
        (
            (*_provider("digitaal-leerhuis"), "vroegere werkgever (tot september 2025)"),
            (*_org("Datawijs Advies bv"), "zaakvoerder"),
        ),
    ),
    Expert(
        "veerle.huysmans@esf-eleren.example",
        "Veerle Huysmans",
        ("blended", "webinar", "group_work"),
        bias=-0.1,
        conflict="Mijn partner werkt als opleidingscoördinator bij {organisation}. Dat is "
        "een belangenconflict, ook al staat die organisatie niet in mijn profiel.",
        conflict_with=(
            _provider("horecaschool-brugge")[1],
            _provider("kookatelier-meetjesland")[1],
            _provider("pvc-west")[1],
        ),
    ),
)
EXPERT_BY_EMAIL = {e.email: e for e in EXPERTS}

# How many proposals get one evaluator far from the other two (flagged as disagreement).
DISAGREEMENTS = 3


def _ensure_evaluators(password: str) -> list[User]:
    users = []
    for expert in EXPERTS:
        user = auth_services.get_user_by_email(expert.email)
        if user is None:
            user = auth_services.create_user(
                None,
                auth_services.AccountInput(email=expert.email, name=expert.name, password=password),
                roles={Role.evaluator},
                verified=True,
            )
        if not user.is_evaluator:
            continue  # an account someone made by hand; leave its roles alone
        if db.session.get(EvaluatorProfile, user.id) is None:
            conflicts_rules.update_profile(
                user,
                expert.expertise,
                [
                    conflicts_rules.AffiliationInput(name, number, relation)
                    for name, number, relation in expert.affiliations
                ],
            )
        users.append(user)
    return users


# ============================================================================ facts


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
THEME_BY_ACRONYM = {t.acronym: t for t in demo_proposals.THEMES.values()}
TECH_PARTNERS = {name for name, _role in demo_proposals.TECH_PARTNERS}
REFERRAL_PARTNERS = {name for name, _role in demo_proposals.REFERRAL_PARTNERS}


@dataclass
class Facts:
    """What an evaluator reads in the version that counts, in the words they write with."""

    proposal: Proposal
    data: dict[str, Any]
    theme: demo_proposals.Theme | None
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


def _lower_first(text: str) -> str:
    """'De begroting ...' -> 'de begroting ...'; leaves 'VR ...' and names alone."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _facts(proposal: Proposal, data: dict[str, Any]) -> Facts:
    theme = THEME_BY_ACRONYM.get(str(data.get("acronym", "")).split("-")[0])
    partners = [p.get("name", "") for p in data.get("partners") or []]
    employer = next((n for n in partners if theme and n == theme.employer), "")
    groups = []
    for line in str(data.get("disadvantaged_groups", "")).splitlines():
        line = line.lstrip("- ").strip()
        if ": " in line:
            groups.append(_lower_first(line.split(": ", 1)[0]))
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
        target=_lower_first(target) or "de doelgroep",
        groups=groups,
        employer=employer,
        tech_partner=next((n for n in partners if n in TECH_PARTNERS), ""),
        referral=next((n for n in partners if n in REFERRAL_PARTNERS), ""),
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


def _euro(amount: Decimal) -> str:
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


def _month(day: date) -> str:
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


def _count(number: int) -> str:
    return NUMBERS[number] if 0 <= number < len(NUMBERS) else str(number)


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


# ============================================================================ observations
# Per criterion (in the order of DEFAULT_CRITERIA): strong and weak points, each with a
# topic. A text never praises and criticises the same topic.

Point = tuple[str, str]  # (topic, sentence)


def _observations(f: Facts) -> list[tuple[list[Point], list[Point]]]:
    tech = f.technologies
    smart = tech & {"vr", "ar", "ai"}
    theme = f.theme

    strong: list[Point] = []  # relevance and practice orientation
    weak: list[Point] = []
    strong.append(
        (
            "need",
            f"De opleiding {f.training} speelt in op een reële vraag op de "
            f"arbeidsmarkt, en de doelgroep ({f.target}) is duidelijk "
            "afgebakend.",
        )
    )
    weak.append(
        (
            "need",
            "De arbeidsmarktnood wordt eerder aangenomen dan aangetoond; cijfers "
            "over vacatures of knelpuntberoepen ontbreken.",
        )
    )
    if f.practice and f.practice_quote:
        strong.append(
            (
                "practice",
                "Hoe de praktijk in de opleiding zit, is concreet "
                f"beschreven (\u201c{f.practice_quote.rstrip('.')}\u201d).",
            )
        )
    if f.practice:
        strong.append(
            (
                "practice",
                "De cursisten oefenen de handelingen zoals ze die op de "
                "werkvloer zullen uitvoeren; de opleiding is echt "
                "praktijkgericht.",
            )
        )
    else:
        weak.append(
            (
                "practice",
                "Het voorstel blijft vaag over hoe de cursisten de "
                "vaardigheden in de praktijk oefenen; praktijkdagen, een "
                "stage of een oefenruimte ontbreken.",
            )
        )
    if f.employer:
        strong.append(
            (
                "employer",
                f"Met {f.employer} als partner blijft de leerinhoud dicht "
                "bij wat werkgevers vragen.",
            )
        )
    else:
        weak.append(
            (
                "employer",
                "Er is geen werkgever als partner betrokken, waardoor de "
                "aansluiting bij de werkvloer minder gewaarborgd is.",
            )
        )
    relevance = (strong, weak)

    strong, weak = [], []  # didactic quality and fit with the target group
    if f.objectives and f.modules:
        strong.append(
            (
                "objectives",
                f"De {_count(f.objectives)} leerdoelen zijn concreet en "
                "toetsbaar geformuleerd en sluiten aan bij de "
                f"{_count(f.modules)} modules.",
            )
        )
    weak.append(
        (
            "objectives",
            "De leerdoelen zijn nog algemeen; hoe ze getoetst worden, blijft onduidelijk.",
        )
    )
    strong.append(
        (
            "guidance",
            "De begeleiding vóór, tijdens en na de opleiding is goed "
            "uitgewerkt, met een duidelijke opvolging van de voortgang in "
            "het leerplatform.",
        )
    )
    weak.append(
        (
            "guidance",
            "De opvolging tijdens de opleiding rust sterk op de cursist "
            f"zelf; voor {f.target} is dat een risico.",
        )
    )
    strong.append(("blend", f"Korte modules en vaste contactmomenten passen goed bij {f.target}."))
    weak.append(
        (
            "blend",
            "De verhouding tussen online leren en contactmomenten is voor deze "
            "doelgroep niet onderbouwd.",
        )
    )
    if f.data.get("project_type") == ProjectType.adapt.value:
        weak.append(
            (
                "adapt",
                "Wat er inhoudelijk verandert ten opzichte van de bestaande "
                "e-opleiding, is niet overal duidelijk.",
            )
        )
    didactics = (strong, weak)

    strong, weak = [], []  # use of technology and innovation
    if "vr" in tech and theme:
        strong.append(
            (
                "vr",
                f"Virtuele realiteit is hier functioneel, want in VR oefent de cursist {theme.vr}.",
            )
        )
        weak.append(
            (
                "headsets",
                "Hoeveel VR-brillen er zijn en hoe cursisten ze kunnen "
                "gebruiken, is niet uitgewerkt.",
            )
        )
    if "ar" in tech and theme:
        strong.append(
            ("ar", f"Augmented reality ondersteunt het leren op de werkplek; {theme.ar}.")
        )
    if "ai" in tech and theme:
        strong.append(
            (
                "ai",
                f"De inzet van AI is een meerwaarde; {theme.ai}. De lesgever "
                "blijft daarbij betrokken.",
            )
        )
        weak.append(
            (
                "privacy",
                "Privacy en de kwaliteitscontrole van de AI-feedback krijgen te weinig aandacht.",
            )
        )
    if "gamification" in tech:
        strong.append(
            (
                "gamification",
                "Gamification met badges en een zichtbaar leerpad houdt de motivatie hoog.",
            )
        )
    if smart:
        strong.append(
            ("fit", "De gekozen technologie past bij de leerdoelen en is meer dan een gadget.")
        )
    else:
        used = [
            TECHNOLOGY_NL[c] for c in ("lms", "webinar", "group_work", "gamification") if c in tech
        ] or ["een leerplatform"]
        weak.append(
            (
                "innovation",
                f"Het project beperkt zich tot {_and(used)}; vernieuwend is dat vandaag niet meer.",
            )
        )
        strong.append(
            (
                "simple",
                "De technologie is eenvoudig en beproefd, wat de drempel "
                "voor de doelgroep laag houdt.",
            )
        )
    if f.tech_partner:
        strong.append(
            ("partner", f"Als partner brengt {f.tech_partner} de nodige technische expertise in.")
        )
    weak.append(
        (
            "upkeep",
            "Hoe de digitale leermiddelen na de projectperiode onderhouden en "
            "geactualiseerd worden, is niet beschreven.",
        )
    )
    technology = (strong, weak)

    strong, weak = [], []  # feasibility and budget
    if f.milestones and f.start and f.end:
        strong.append(
            (
                "planning",
                f"De planning met {_count(f.milestones)} mijlpalen tussen "
                f"{_month(f.start)} en {_month(f.end)} is realistisch.",
            )
        )
    weak.append(
        (
            "planning",
            "De planning is krap; de pilot start laat, waardoor er weinig "
            "tijd overblijft om bij te sturen.",
        )
    )
    if f.participants and f.per_participant <= 1500:
        strong.append(
            (
                "cost",
                f"De gevraagde subsidie van {_euro(f.requested)} staat in "
                "verhouding tot het verwachte bereik van "
                f"{f.participants} deelnemers.",
            )
        )
    elif f.participants:
        weak.append(
            (
                "cost",
                f"Met {_euro(f.requested)} voor {f.participants} deelnemers "
                f"(ongeveer {_euro(f.per_participant)} per deelnemer) is de kost "
                "per deelnemer hoog.",
            )
        )
    weak.append(
        (
            "budget",
            "De begroting is weinig gedetailleerd; de verdeling tussen "
            "ontwikkeling en begeleiding is niet onderbouwd.",
        )
    )
    if f.partners:
        strong.append(
            (
                "partners",
                f"Het partnerschap met {_and(f.partners)} is sterk en de "
                "rollen zijn duidelijk verdeeld.",
            )
        )
    else:
        weak.append(
            (
                "partners",
                "Het project steunt volledig op de eigen organisatie; bij "
                "uitval van sleutelpersonen is er geen terugvalpositie.",
            )
        )
    strong.append(
        (
            "experience",
            "De organisatie heeft ervaring met vergelijkbare projecten "
            "en een duidelijke projectstructuur met een stuurgroep.",
        )
    )
    feasibility = (strong, weak)

    strong, weak = [], []  # reach of disadvantaged groups
    if f.groups:
        strong.append(
            ("measures", f"Het voorstel noemt concrete maatregelen voor {_and(f.groups[:3])}.")
        )
    strong.append(
        (
            "measures",
            "Het voorstel houdt in de werving en de communicatie rekening "
            "met de drempels die kansengroepen ervaren.",
        )
    )
    weak.append(
        (
            "measures",
            f"De maatregelen zijn algemeen geformuleerd en weinig afgestemd op {f.target}.",
        )
    )
    if f.referral:
        strong.append(
            ("referral", f"De samenwerking met {f.referral} voor de toeleiding is een sterk punt.")
        )
    else:
        weak.append(
            (
                "referral",
                "Hoe kansengroepen effectief worden toegeleid, blijft "
                "onduidelijk; een samenwerking met VDAB of een toeleidende "
                "organisatie ontbreekt.",
            )
        )
    if any("anderstalig" in g or "kortgeschoold" in g for g in f.groups):
        strong.append(
            (
                "language",
                "Eenvoudige taal, ondertiteling en persoonlijke begeleiding verlagen de drempel.",
            )
        )
    weak.append(("targets", "Er zijn geen streefcijfers voor het bereik van kansengroepen."))
    reach = (strong, weak)

    return [relevance, didactics, technology, feasibility, reach]


# ============================================================================ scores


def _on_scale(value: float, criterion: Criterion) -> Decimal:
    step = float(criterion.step)
    steps = math.floor(max(0.0, min(float(criterion.scale_max), value)) / step + 0.5)
    return (Decimal(steps) * criterion.step).quantize(criterion.step)


def _total(scores: Sequence[Decimal], criteria: Sequence[Criterion]) -> float:
    weights = sum(float(c.weight) for c in criteria)
    return (
        100
        * sum(
            float(c.weight) * float(s) / float(c.scale_max)
            for c, s in zip(criteria, scores, strict=True)
        )
        / weights
    )


def _nl(score: Decimal) -> str:
    return f"{score.normalize():f}".replace(".", ",")


@dataclass
class Scoring:
    """One proposal's evaluation: merit per criterion, then scores per assignment."""

    facts: Facts
    quality: float = 0.0
    merit: list[float] = field(default_factory=list)
    outlier: int | None = None  # evaluator id of the one who strongly disagrees ...
    outlier_shift: float = 0.0  # ... by this much on every criterion
    scores: dict[int, list[Decimal]] = field(default_factory=dict)  # evaluator id -> scores
    texts: dict[int, list["Written"]] = field(default_factory=dict)  # per criterion


def _appeal(f: Facts, rng: random.Random) -> float:
    """How good the proposal looks on paper, before the evaluators' judgement."""
    return (
        0.3 * f.practice
        + 0.15 * min(len(f.technologies & {"vr", "ar", "ai"}), 2)
        + 0.1 * min(len(f.partners), 2)
        + 0.1 * bool(f.employer)
        + 0.05 * len(f.groups)
        + rng.gauss(0, 0.35)
    )


def _merit(
    f: Facts, quality: float, criteria: Sequence[Criterion], rng: random.Random
) -> list[float]:
    tech = f.technologies
    offsets = [
        (0.25 if f.practice else -0.5) + 0.1 * bool(f.employer),
        -0.1 * (f.data.get("project_type") == ProjectType.adapt.value),
        (0.4 if tech & {"vr", "ar"} else 0.2 if "ai" in tech else -0.6)
        + 0.1 * ("gamification" in tech),
        0.1 * min(len(f.partners), 2) - 0.3 * (f.per_participant > 1500),
        0.2 * bool(f.referral) + 0.05 * (len(f.groups) - 2),
    ]
    merit = [quality + o + rng.gauss(0, 0.25) for o in offsets]
    weights = [float(c.weight) for c in criteria]
    shift = quality - sum(w * m for w, m in zip(weights, merit, strict=True)) / sum(weights)
    return [max(0.5, min(4.9, m + shift)) for m in merit]


def _review_scores(
    plan: Scoring,
    evaluator_ids: Sequence[int],
    biases: dict[int, float],
    criteria: Sequence[Criterion],
    spread_limit: float,
) -> None:
    rng = random.Random(f"{SEED}:{plan.facts.proposal.reference}:scores")
    for evaluator_id in evaluator_ids:
        offset = biases.get(evaluator_id, 0.0)
        if evaluator_id == plan.outlier:
            offset += plan.outlier_shift
        plan.scores[evaluator_id] = [
            _on_scale(m + offset + rng.choice((-0.5, -0.25, 0, 0, 0, 0.25, 0.5)), c)
            for m, c in zip(plan.merit, criteria, strict=True)
        ]
    if plan.outlier is not None:
        return
    # Evaluators who roughly agree stay within the spread that flags a disagreement: pull
    # the score furthest from the others one step towards them until they do.
    while True:
        totals = {e: _total(s, criteria) for e, s in plan.scores.items()}
        if not totals or max(totals.values()) - min(totals.values()) <= spread_limit:
            return
        mean = statistics.fmean(totals.values())
        furthest = max(totals, key=lambda e: (abs(totals[e] - mean), e))
        direction = -1 if totals[furthest] > mean else 1
        scores = plan.scores[furthest]
        centre = [
            statistics.fmean(float(s[i]) for s in plan.scores.values())
            for i in range(len(criteria))
        ]
        index = max(
            range(len(criteria)), key=lambda i: (direction * (centre[i] - float(scores[i])), -i)
        )
        scores[index] = _on_scale(
            float(scores[index]) + direction * float(criteria[index].step), criteria[index]
        )


# ============================================================================ texts


WEAK_LEADS = ("Aandachtspunt: ", "Minder overtuigend: ", "Werkpunt: ", "Wel jammer: ")
STRONG_LEADS = ("Positief is wel: ", "Sterk blijft: ", "Wel goed: ")
PRAISE = (
    " Een voorbeeld voor andere projecten.",
    " Hier valt weinig op aan te merken.",
    " Overtuigend uitgewerkt.",
)
CRITICISM = (" Dit is onvoldoende voor deze oproep.", " Op dit punt schiet het voorstel tekort.")


def _pick(
    points: list[Point], count: int, rng: random.Random, avoid: Collection[str] = ()
) -> list[Point]:
    """Up to ``count`` points, none on a topic in ``avoid`` (unless nothing else is left)."""
    allowed = [p for p in points if p[0] not in avoid] or points
    return rng.sample(allowed, min(count, len(allowed)))


@dataclass
class Written:
    """What one evaluator wrote on one criterion: the points their text is made of."""

    strong: list[Point]
    weak: list[Point]


def _justification(
    score: Decimal, strong: list[Point], weak: list[Point], rng: random.Random, tails: list[str]
) -> tuple[str, Written]:
    """The evaluator's text for one criterion at ``score``; ``tails`` are the closing
    remarks still unused in this review."""
    if score >= 4:
        good = _pick(strong, 2, rng)
        text = " ".join(t for _topic, t in good)
        if score >= Decimal("4.5") and tails and rng.random() < 0.6:
            text += tails.pop(0)
        return text, Written(good, [])
    if score >= 3:
        [good] = _pick(strong, 1, rng)
        [bad] = _pick(weak, 1, rng, {good[0]})
        return (f"{good[1]} {rng.choice(WEAK_LEADS)}{_lower_first(bad[1])}", Written([good], [bad]))
    if score >= 2:
        [bad] = _pick(weak, 1, rng)
        [good] = _pick(strong, 1, rng, {bad[0]})
        return (
            f"{bad[1]} {rng.choice(STRONG_LEADS)}{_lower_first(good[1])}",
            Written([good], [bad]),
        )
    bad = _pick(weak, 2, rng)
    text = " ".join(t for _topic, t in bad)
    if tails and rng.random() < 0.7:
        text += tails.pop(0)
    return text, Written([], bad)


def _overall(
    plan: Scoring, scores: Sequence[Decimal], criteria: Sequence[Criterion], rng: random.Random
) -> str:
    total = _total(scores, criteria)
    relative = [float(s) / float(c.scale_max) for s, c in zip(scores, criteria, strict=True)]
    best = criteria[max(range(len(criteria)), key=lambda i: (relative[i], -i))]
    worst = criteria[min(range(len(criteria)), key=lambda i: (relative[i], i))]
    f = plan.facts
    if total >= 80:
        opening = rng.choice(
            (
                "Een sterk en zorgvuldig uitgewerkt voorstel.",
                f"Een overtuigend voorstel voor de opleiding {f.training}.",
            )
        )
        advice = rng.choice(("Ik adviseer financiering.", "Zeker financieren."))
    elif total >= 70:
        opening = rng.choice(
            (
                f"Een degelijk voorstel met een duidelijke meerwaarde voor {f.target}.",
                "Een goed voorstel met enkele werkpunten.",
            )
        )
        advice = "Ik adviseer financiering."
    elif total >= 60:
        opening = rng.choice(
            (
                "Een verdedigbaar voorstel, maar met duidelijke werkpunten.",
                f"Het voorstel voor {f.training} is op punten nog te weinig uitgewerkt.",
            )
        )
        advice = "Financiering is verdedigbaar als de werkpunten worden opgevolgd."
    else:
        opening = rng.choice(
            (
                "Het voorstel overtuigt in de huidige vorm niet.",
                "Een voorstel met een goede bedoeling, maar te weinig uitgewerkt.",
            )
        )
        advice = rng.choice(
            (
                "Ik adviseer het voorstel niet te financieren.",
                "Een herwerkte versie kan bij een volgende oproep kansen maken.",
            )
        )
    middle = (
        f"Het voorstel scoort het sterkst op {_lower_first(best.name_nl)}, het zwakst "
        f"op {_lower_first(worst.name_nl)}."
        if best.id != worst.id
        else ""
    )
    return " ".join(part for part in (opening, middle, advice) if part)


def _consensus(
    plan: Scoring, index: int, criterion: Criterion, rng: random.Random
) -> tuple[Decimal, str, str]:
    """The panel's score, its justification drawing on the reviews, a minority view."""
    given = {e: s[index] for e, s in plan.scores.items()}
    values = sorted(given.values())
    low, high = values[0], values[-1]
    number = {1: "De beoordelaar", 2: "Beide beoordelaars", 3: "De drie beoordelaars"}.get(
        len(values), "Alle beoordelaars"
    )
    dissenter = None
    if plan.outlier is not None and plan.outlier in given and len(values) >= 3:
        score = _on_scale(float(statistics.median(values)), criterion)
        opening = (
            f"De scores lopen uiteen ({_nl(low)} tot {_nl(high)}). Na bespreking "
            "volgt het panel de meerderheid van de beoordelaars."
        )
        if abs(given[plan.outlier] - score) >= Decimal("1.5"):
            dissenter = plan.outlier
    else:
        mean = sum(values) / len(values)
        score = (
            (mean / criterion.step).quantize(Decimal("1"), ROUND_HALF_UP) * criterion.step
        ).quantize(criterion.step)
        if low == high:
            opening = f"{number} geven dezelfde score."
        elif high - low <= 1:
            opening = rng.choice(
                (
                    f"De scores liggen dicht bij elkaar ({_nl(low)} tot {_nl(high)}).",
                    "De beoordelaars komen tot een gelijkaardig oordeel.",
                )
            )
        else:
            opening = (
                f"De scores lopen uiteen ({_nl(low)} tot {_nl(high)}); na bespreking "
                "houdt het panel het midden."
            )
            apart = [e for e, v in given.items() if abs(v - score) >= Decimal("1.5")]
            if len(apart) == 1:
                dissenter = apart[0]
    written = {e: texts[index] for e, texts in plan.texts.items()}
    strengths = Counter(p for w in written.values() for p in w.strong)
    weaknesses = Counter(p for w in written.values() for p in w.weak)
    parts, said = [opening], set()
    if strengths and score >= 2:
        (topic, text), count = strengths.most_common(1)[0]
        parts.append(
            ("Alle beoordelaars noemen als sterkte: " if count == len(values) > 1 else "Sterk: ")
            + _lower_first(text)
        )
        said.add(topic)
    left = [(point, count) for point, count in weaknesses.most_common() if point[0] not in said]
    if left and score < Decimal("4.5"):
        (topic, text), count = left[0]
        parts.append(("Gedeeld werkpunt: " if count > 1 else "Werkpunt: ") + _lower_first(text))
        said.add(topic)
        if score < 2 and len(left) > 1:
            parts.append("Bovendien: " + _lower_first(left[1][0][1]))
    minority = ""
    if dissenter is not None:
        theirs = given[dissenter]
        harsher = theirs < score
        points = written[dissenter].weak if harsher else written[dissenter].strong
        point = next((p for p in points if p[0] not in said), None)
        if point is not None:
            minority = (
                f"Eén beoordelaar geeft {_nl(theirs)} en oordeelt "
                f"{'strenger' if harsher else 'milder'}: {_lower_first(point[1])}"
            )
        else:
            minority = (
                f"Eén beoordelaar geeft {_nl(theirs)}: voor die beoordelaar wegen de "
                f"{'werkpunten' if harsher else 'sterktes'} zwaarder door dan voor "
                "de anderen."
            )
    return score, " ".join(parts), minority


# ============================================================================ admissibility


def _budget_mismatch(proposal: Proposal, counting) -> tuple[str, Decimal] | None:
    """(filename, amount) when the budget attached states another subsidy than the form."""
    attached = [
        a
        for a in counting.data.get("attachments") or []
        if a["filename"].startswith("Projectbegroting")
    ]
    if not attached:
        return None
    latest = attached[-1]
    for version in proposal.versions:
        if any(a["sha256"] == latest["sha256"] for a in version.data.get("attachments") or []):
            amount = Decimal(str(version.data.get("requested_eur") or "0"))
            if amount != Decimal(str(counting.data.get("requested_eur") or "0")):
                return latest["filename"], amount
            return None
    return None


def _inadmissible(submitted: list[tuple[Proposal, Any]]) -> dict[int, str]:
    """Two or three proposals an official finds inadmissible, with the reason."""
    rng = random.Random(f"{SEED}:admissibility")
    reasons: dict[int, str] = {}
    for proposal, version in submitted:
        found = _budget_mismatch(proposal, version)
        if found:
            filename, amount = found
            reasons[proposal.id] = (
                f"De begroting in bijlage ({filename}) vermeldt een gevraagde subsidie van "
                f"{format_euro(amount)}, het aanvraagformulier "
                f"{format_euro(Decimal(str(version.data['requested_eur'])))}. De gevraagde "
                "subsidie ligt daardoor niet eenduidig vast."
            )
            break
    others = [(p, v) for p, v in submitted if p.id not in reasons]
    new = [(p, v) for p, v in others if v.data.get("project_type") == ProjectType.new.value]
    existing = [
        (p, v)
        for p, v in others
        if v.data.get("project_type") != ProjectType.new.value and v.data.get("training_reference")
    ]
    if new:
        proposal, version = rng.choice(new)
        reasons[proposal.id] = (
            "De opleiding staat niet in de opleidingsdatabank en er is geen aanvraag tot "
            f"opname. Voor de nieuwe opleiding {version.data.get('training_name')} werd bij de "
            "Vlaamse opleidingsincentives geen aanvraag tot opname ingediend, zodat niet "
            "vaststaat dat ze in aanmerking komt."
        )
    if existing and len(reasons) < 3:
        proposal, version = rng.choice(existing)
        reasons[proposal.id] = (
            f"Het opgegeven opleidingsnummer {version.data.get('training_reference')} komt niet "
            "voor in de opleidingsdatabank van de Vlaamse opleidingsincentives, en er is geen "
            "aanvraag tot opname ingediend. De opleiding komt zo niet in aanmerking."
        )
    return reasons


# ============================================================================ the evaluation


def _decision_day(call: Call, now: datetime) -> date:
    """Ten weeks after the deadline (within the 12 weeks), but never after today."""
    return min(to_brussels(call.deadline + DECISION_AFTER).date(), to_brussels(now).date())


def _started(call: Call) -> bool:
    def exists(query) -> bool:
        return db.session.scalar(query.limit(1)) is not None

    in_call = sa.select(Proposal.id).where(Proposal.call_id == call.id)
    return (
        exists(sa.select(Criterion.id).where(Criterion.call_id == call.id))
        or exists(
            sa.select(AdmissibilityCheck.id).where(AdmissibilityCheck.proposal_id.in_(in_call))
        )
        or exists(sa.select(Assignment.id).where(Assignment.proposal_id.in_(in_call)))
        or exists(sa.select(DecisionRecord.id).where(DecisionRecord.call_id == call.id))
    )


def _declare_all(official: User, call: Call, users: dict[int, User]) -> int:
    """Every evaluator declares on their new assignments; two declare a conflict once."""
    conflicts = 0
    declared_conflict: set[int] = set()
    for _round in range(4):
        waiting = list(
            db.session.scalars(
                sa.select(Assignment)
                .join(Proposal, Proposal.id == Assignment.proposal_id)
                .where(
                    Proposal.call_id == call.id,
                    Assignment.status == AssignmentStatus.awaiting_declaration,
                )
                .order_by(Assignment.id)
            )
        )
        if not waiting:
            break
        mine: dict[int, list[Assignment]] = defaultdict(list)
        for assignment in waiting:
            mine[assignment.evaluator_id].append(assignment)
        chosen: dict[int, Assignment] = {}
        for evaluator_id, assignments in mine.items():
            expert = EXPERT_BY_EMAIL.get(users[evaluator_id].email)
            if expert is None or not expert.conflict or evaluator_id in declared_conflict:
                continue
            preferred = [
                a
                for a in assignments
                if a.proposal.organisation.enterprise_number in expert.conflict_with
            ]
            chosen[evaluator_id] = (preferred or assignments)[0]
        for assignment in waiting:
            evaluator = users[assignment.evaluator_id]
            if chosen.get(evaluator.id) is assignment:
                expert = EXPERT_BY_EMAIL[evaluator.email]
                conflicts_rules.declare(
                    evaluator,
                    assignment.id,
                    True,
                    expert.conflict.format(
                        organisation=assignment.proposal.organisation.legal_name
                    ),
                )
                declared_conflict.add(evaluator.id)
                conflicts += 1
            else:
                conflicts_rules.declare(evaluator, assignment.id, False)
        if chosen:
            assignment_rules.auto_assign(official, call.id)  # fills the places the conflicts left
    return conflicts


def evaluate(call: Call, password: str, now: datetime) -> None:
    """Take ``call`` (closed, with submitted proposals) through the whole evaluation."""
    official = auth_services.get_user_by_email(OFFICIAL_EMAIL)
    if official is None:  # pragma: no cover (app/demo.py creates the official first)
        raise RuntimeError(f"the demo official {OFFICIAL_EMAIL} is missing")
    evaluators = _ensure_evaluators(password)

    criteria = criteria_rules.set_criteria(None, call.id, criteria_rules.DEFAULT_CRITERIA)
    settings = review_facts.settings_of(call)
    settings.reviews_per_proposal = 3
    settings.total_threshold = Decimal("60")
    settings.reserve_size = 5
    settings.objection_days = 15

    # Admissibility of every proposal submitted (not withdrawn) before the deadline.
    deadlines = proposals.deadlines_by_organisation(call)
    submitted = []
    for proposal in db.session.scalars(
        sa.select(Proposal)
        .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.submitted)
        .order_by(Proposal.id)
    ):
        version = proposals.counting_version(
            proposal, deadlines.get(proposal.organisation_id, call.closes_at)
        )
        if version is not None:
            submitted.append((proposal, version))
    refused = _inadmissible(submitted)
    for proposal, _version in submitted:
        if proposal.id in refused:
            admissibility_rules.decide_admissibility(
                official, proposal.id, Admissibility.inadmissible, refused[proposal.id]
            )
        else:
            admissibility_rules.decide_admissibility(
                official, proposal.id, Admissibility.admissible
            )
    release = admissibility_rules.release_preview(official, call.id)
    if release.proposals:  # the applicants are told, in one confirmed step
        admissibility_rules.release_results(official, call.id, release.token)

    # Assignment, declarations (two conflicts, refilled), then the reviews.
    assignment_rules.auto_assign(official, call.id)
    users = {u.id: u for u in review_facts.evaluators()}
    _declare_all(official, call, users)

    admitted = [(p, v) for p, v in submitted if p.id not in refused]
    rng = random.Random(f"{SEED}:{call.code}")
    facts = [_facts(p, v.data) for p, v in admitted]
    by_appeal = sorted(facts, key=lambda f: (_appeal(f, rng), f.proposal.id))
    count = len(by_appeal)
    plans: dict[int, Scoring] = {}
    for rank, f in enumerate(by_appeal):
        # A ladder of qualities, weakest first: about a sixth below the total threshold.
        quality = 2.45 + 2.2 * (rank / max(count - 1, 1)) ** 0.7
        plans[f.proposal.id] = Scoring(f, quality, _merit(f, quality, criteria, rng))
    # One good proposal fails the feasibility threshold (a budget that does not add up).
    middle = [p for p in plans.values() if 3.5 <= p.quality <= 4.0]
    weak_budget = None
    if middle and criteria[3].threshold is not None:
        weak_budget = rng.choice(sorted(middle, key=lambda p: p.facts.proposal.id))
        weak_budget.merit[3] = float(criteria[3].threshold) - 0.6

    accepted = list(
        db.session.scalars(
            sa.select(Assignment)
            .join(Proposal, Proposal.id == Assignment.proposal_id)
            .where(Proposal.call_id == call.id, Assignment.status == AssignmentStatus.accepted)
            .order_by(Assignment.id)
        )
    )
    assigned: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in accepted:
        assigned[assignment.proposal_id].append(assignment)
    disputed = sorted(
        (
            p
            for p in plans.values()
            if 3.0 <= p.quality <= 4.2
            and p is not weak_budget
            and len(assigned[p.facts.proposal.id]) >= 3
        ),
        key=lambda p: p.facts.proposal.id,
    )
    for number, plan in enumerate(rng.sample(disputed, min(DISAGREEMENTS, len(disputed)))):
        plan.outlier = rng.choice(sorted(a.evaluator_id for a in assigned[plan.facts.proposal.id]))
        plan.outlier_shift = -1.6 if number % 2 == 0 else 1.6  # much harsher, more lenient
    biases = {u.id: EXPERT_BY_EMAIL[u.email].bias for u in evaluators}
    limit = float(settings.disagreement_spread) * 0.9
    for proposal_id, plan in plans.items():
        _review_scores(
            plan, [a.evaluator_id for a in assigned[proposal_id]], biases, criteria, limit
        )

    for assignment in accepted:
        plan = plans[assignment.proposal_id]
        evaluator = users[assignment.evaluator_id]
        text_rng = random.Random(f"{SEED}:{plan.facts.proposal.reference}:{evaluator.email}")
        observations = _observations(plan.facts)
        scores = plan.scores[evaluator.id]
        praise = text_rng.sample(PRAISE, len(PRAISE))  # each closing remark once a review
        criticism = text_rng.sample(CRITICISM, len(CRITICISM))
        written, used = {}, []
        for criterion, score, (strong, weak) in zip(criteria, scores, observations, strict=True):
            text, points = _justification(
                score, strong, weak, text_rng, praise if score >= 4 else criticism
            )
            written[criterion.id] = (str(score), text)
            used.append(points)
        plan.texts[evaluator.id] = used
        scoring_rules.save_review(
            evaluator, assignment.id, written, _overall(plan, scores, criteria, text_rng)
        )
        scoring_rules.submit_review(evaluator, assignment.id)

    # Consensus per proposal and criterion, then the decision.
    for proposal_id, plan in plans.items():
        consensus_rng = random.Random(f"{SEED}:{plan.facts.proposal.reference}:consensus")
        for index, criterion in enumerate(criteria):
            score, text, minority = _consensus(plan, index, criterion, consensus_rng)
            consensus_rules.record_consensus(
                official, proposal_id, criterion.id, score, text, minority
            )
    decisions_rules.publish_decision(official, call.id, today=_decision_day(call, now))


def summary(call: Call) -> str:
    """One line: admissibility, reviews, flags, the published decision's outcomes."""
    in_call = sa.select(Proposal.id).where(Proposal.call_id == call.id)
    checks = dict(
        db.session.execute(
            sa.select(AdmissibilityCheck.result, sa.func.count(AdmissibilityCheck.id))
            .where(AdmissibilityCheck.proposal_id.in_(in_call))
            .group_by(AdmissibilityCheck.result)
        ).all()
    )
    submitted = db.session.scalar(
        sa.select(sa.func.count(Review.id))
        .join(Assignment, Assignment.id == Review.assignment_id)
        .where(Assignment.proposal_id.in_(in_call), Review.status == ReviewStatus.submitted)
    )
    conflicts = db.session.scalar(
        sa.select(sa.func.count(Assignment.id)).where(
            Assignment.proposal_id.in_(in_call), Assignment.status == AssignmentStatus.conflict
        )
    )
    evaluators = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Assignment.evaluator_id))).where(
            Assignment.proposal_id.in_(in_call), Assignment.status == AssignmentStatus.accepted
        )
    )
    line = (
        f"evaluation {call.code}: {checks.get(Admissibility.admissible, 0)} admissible, "
        f"{checks.get(Admissibility.inadmissible, 0)} inadmissible, {evaluators} "
        f"evaluators, {conflicts} conflicts of interest, {submitted} reviews"
    )
    record = review_facts.latest_decision(call.id)
    if record is None:
        return line + ", no decision published"
    outcomes = Counter(row["outcome"] for row in record.data["rows"])
    return (
        line + f", decision {record.number} published (notified "
        f"{record.notified_on:%d-%m-%Y}): "
        + ", ".join(f"{outcomes.get(o.value, 0)} {o.value.replace('_', ' ')}" for o in Outcome)
    )


def seed_calls(password: str, now: datetime | None = None) -> list[str]:
    """Build the demo calls (app/demo_proposals.py), evaluate last year's call once.

    One summary line per call (as the calls stand after the evaluation), then one for the
    evaluation."""
    now = now or utcnow()
    demo_proposals.seed_calls(password, now)
    year = demo_proposals.open_call_year(now)
    codes = [demo_proposals.call_code(y) for y in (year, year - 1)]
    calls = {c.code: c for c in db.session.scalars(sa.select(Call).where(Call.code.in_(codes)))}
    earlier = calls[codes[1]]
    if not _started(earlier):
        with transaction():
            evaluate(earlier, password, now)
    return [*(demo_proposals.summary(calls[code], now) for code in codes), summary(earlier)]
