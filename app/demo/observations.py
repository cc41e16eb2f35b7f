"""Per criterion, the strong and weak points an evaluator can observe in a proposal, each
with a topic (a text never praises and criticises the same topic)."""

from app.calls.models import ProjectType
from app.demo.content import TECHNOLOGY_NL
from app.demo.facts import Facts, and_list, count_text, euro_text, month_text

# ============================================================================ observations
# Per criterion (in the order of DEFAULT_CRITERIA): strong and weak points, each with a
# topic. A text never praises and criticises the same topic.

Point = tuple[str, str]  # (topic, sentence)


def observations_of(f: Facts) -> list[tuple[list[Point], list[Point]]]:
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
                f"De {count_text(f.objectives)} leerdoelen zijn concreet en "
                "toetsbaar geformuleerd en sluiten aan bij de "
                f"{count_text(f.modules)} modules.",
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
                f"Het project beperkt zich tot {and_list(used)}; vernieuwend is dat vandaag niet meer.",
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
                f"De planning met {count_text(f.milestones)} mijlpalen tussen "
                f"{month_text(f.start)} en {month_text(f.end)} is realistisch.",
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
                f"De gevraagde subsidie van {euro_text(f.requested)} staat in "
                "verhouding tot het verwachte bereik van "
                f"{f.participants} deelnemers.",
            )
        )
    elif f.participants:
        weak.append(
            (
                "cost",
                f"Met {euro_text(f.requested)} voor {f.participants} deelnemers "
                f"(ongeveer {euro_text(f.per_participant)} per deelnemer) is de kost "
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
                f"Het partnerschap met {and_list(f.partners)} is sterk en de "
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
            ("measures", f"Het voorstel noemt concrete maatregelen voor {and_list(f.groups[:3])}.")
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
