"""Demo calls and proposals for ``seed-demo``: this year's open call and last year's closed one.

Everything goes through the real services with ``received_at`` set to the simulated moment,
so proposals get real references, audit records, immutable versions with fingerprints,
stored PDF attachments and queued emails. The plans are built from a fixed random seed and
the current date only, so every run produces the same data. Everything is built in one
transaction (the services nest), so a failure leaves nothing half made, and a call whose
code already exists is skipped, so running the command again changes nothing.
"""

import hashlib
import io
import itertools
import random
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.auth import services as auth_services
from app.auth.models import User
from app.calls import services as calls
from app.calls.models import Call, ProjectType
from app.core.db import db, transaction
from app.core.money import format_euro
from app.core.permissions import Role
from app.core.time import BRUSSELS, brussels, format_brussels, to_brussels, utcnow
from app.organisations import services as organisations
from app.organisations.enterprise_number import normalise
from app.organisations.models import ProviderType
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus

SEED = 20270331
CENT = Decimal("0.01")

# ============================================================================ dates


def deadline_of_year(year: int) -> datetime:
    """31 March ``year``, 23:59:59 Brussels time (21:59:59 UTC: summer time has begun)."""
    return brussels(year, 3, 31, 23, 59, 59)


def open_call_year(now: datetime) -> int:
    """The year of the first 31 March 23:59:59 (Brussels) deadline still ahead of ``now``."""
    year = to_brussels(now).year
    while deadline_of_year(year) <= now:
        year += 1
    return year


def _start_of_day(moment: datetime) -> datetime:
    local = to_brussels(moment)
    return brussels(local.year, local.month, local.day)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _end_of_month(day: date) -> date:
    return _add_months(day, 1) - timedelta(days=1)


# ============================================================================ small PDFs


def _pdf_text(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252", errors="replace")


def tiny_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A valid one-page PDF (Helvetica, WinAnsi) with a title and some lines of text."""
    wrapped: list[str] = []
    for line in lines:
        wrapped.extend(textwrap.wrap(line, 88, break_on_hyphens=False) or [""])
    ops = [
        b"BT",
        b"/F1 15 Tf",
        b"56 780 Td",
        b"(" + _pdf_text(title) + b") Tj",
        b"/F1 10 Tf",
        b"0 -26 Td",
    ]
    for line in wrapped[:60]:
        ops += [b"(" + _pdf_text(line) + b") Tj", b"0 -14 Td"]
    ops.append(b"ET")
    stream = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


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
            contact_email=f"info@{self.slug}.example",
            contact_phone=self.phone,
        )


PUBLIC, PRIVATE = ProviderType.public, ProviderType.private

# The two organisations app/demo.py creates (its demo applicants are members).
LEERBOOM = Provider(
    "Vormingscentrum De Leerboom vzw",
    PRIVATE,
    "Kouter 12",
    "9000",
    "Gent",
    "09 123 45 67",
    "Els Vermeulen",
    "leerboom",
    number="0403.170.701",
    account="aanvrager@leerboom.example",
)
POCL = Provider(
    "Provinciaal Opleidingscentrum Limburg",
    PUBLIC,
    "Universiteitslaan 1",
    "3500",
    "Hasselt",
    "011 23 45 67",
    "Jan Claes",
    "pocl",
    number="0216.477.175",
    account="aanvrager@pocl.example",
)

# Further providers, each with one applicant account; themes = last year's proposals.
PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "Centrum voor Volwassenenonderwijs Scheldeland",
        PUBLIC,
        "Lange Leemstraat 88",
        "2018",
        "Antwerpen",
        "03 218 40 10",
        "Lotte Peeters",
        "cvo-scheldeland",
        ("taal", "administratie"),
    ),
    Provider(
        "Technisch Opleidingscentrum Kempen vzw",
        PRIVATE,
        "Industrieweg 14",
        "2440",
        "Geel",
        "014 56 78 90",
        "Bart Van den Broeck",
        "toc-kempen",
        ("lassen", "onderhoud"),
    ),
    Provider(
        "Zorgacademie Rivierenland vzw",
        PRIVATE,
        "Nekkerspoel 21",
        "2800",
        "Mechelen",
        "015 41 22 33",
        "Sarah Janssens",
        "zorgacademie-rivierenland",
        ("zorg", "schoonmaak"),
    ),
    Provider(
        "Hogeschool Westhoek",
        PUBLIC,
        "Doorniksesteenweg 145",
        "8500",
        "Kortrijk",
        "056 26 41 00",
        "Katrien Hermans",
        "hogeschool-westhoek",
        ("ict", "zorg"),
    ),
    Provider(
        "Opleidingsfonds Logistiek Vlaanderen vzw",
        PRIVATE,
        "Mechelsesteenweg 271",
        "1800",
        "Vilvoorde",
        "02 255 18 40",
        "Koen Maes",
        "ofl-vlaanderen",
        ("logistiek", "heftruck"),
    ),
    Provider(
        "Sectorfonds Schoonmaak & Facility vzw",
        PRIVATE,
        "Leuvensesteenweg 510",
        "1930",
        "Zaventem",
        "02 721 30 05",
        "Annelies Smets",
        "sectorfonds-schoonmaak",
        ("schoonmaak",),
    ),
    Provider(
        "Bouwleercentrum Limburg vzw",
        PRIVATE,
        "Ambachtslaan 6",
        "3600",
        "Genk",
        "089 35 62 10",
        "Jef Aerts",
        "bouwleercentrum-limburg",
        ("bouw", "veiligheid"),
    ),
    Provider(
        "Horecaschool Brugge vzw",
        PRIVATE,
        "Sint-Pieterskaai 40",
        "8000",
        "Brugge",
        "050 45 61 20",
        "Ellen Van Damme",
        "horecaschool-brugge",
        ("horeca",),
    ),
    Provider(
        "Centrum voor Volwassenenonderwijs Leuven-Hageland",
        PUBLIC,
        "Vaartstraat 70",
        "3000",
        "Leuven",
        "016 22 45 80",
        "Tom Jacobs",
        "cvo-leuven-hageland",
        ("ict", "administratie", "taal"),
    ),
    Provider(
        "Lasacademie Vlaanderen bv",
        PRIVATE,
        "Kachtemsestraat 199",
        "8800",
        "Roeselare",
        "051 22 90 14",
        "Lieven Martens",
        "lasacademie",
        ("lassen",),
    ),
    Provider(
        "Provinciaal Vormingscentrum West-Vlaanderen",
        PUBLIC,
        "Torhoutsesteenweg 7",
        "8400",
        "Oostende",
        "059 34 21 00",
        "Freya Dewulf",
        "pvc-west",
        ("veiligheid", "horeca"),
    ),
    Provider(
        "Kinderopvang Academie vzw",
        PRIVATE,
        "Kerkstraat 37",
        "9300",
        "Aalst",
        "053 70 44 12",
        "Evelien Coppens",
        "kinderopvang-academie",
        ("kinderopvang",),
    ),
    Provider(
        "Stedelijk Opleidingscentrum Sint-Niklaas",
        PUBLIC,
        "Grote Markt 1",
        "9100",
        "Sint-Niklaas",
        "03 778 30 00",
        "Yasmina El Amrani",
        "soc-sint-niklaas",
        ("taal", "schoonmaak"),
    ),
    Provider(
        "Elektro Vorming Oost-Vlaanderen vzw",
        PRIVATE,
        "Noordlaan 22",
        "9200",
        "Dendermonde",
        "052 21 67 45",
        "Dirk Wouters",
        "elektro-vorming",
        ("elektriciteit",),
    ),
    Provider(
        "Transportacademie Noorderkempen vzw",
        PRIVATE,
        "Steenweg op Gierle 300",
        "2300",
        "Turnhout",
        "014 42 15 60",
        "Nico Segers",
        "transportacademie",
        ("transport", "heftruck"),
    ),
    Provider(
        "Digitaal Leerhuis Gent bv",
        PRIVATE,
        "Wiedauwkaai 10",
        "9000",
        "Gent",
        "09 265 12 80",
        "Ruben De Clercq",
        "digitaal-leerhuis",
        ("ict",),
    ),
    Provider(
        "Hogeschool Kempenland",
        PUBLIC,
        "Kleinhoefstraat 4",
        "2200",
        "Herentals",
        "014 21 80 70",
        "Stijn Dumont",
        "hogeschool-kempenland",
        ("onderhoud", "elektriciteit"),
    ),
    Provider(
        "Lokaal Bestuur Lier – Opleidingsdienst",
        PUBLIC,
        "Paradeplein 2",
        "2500",
        "Lier",
        "03 800 05 00",
        "Hilde Vermeersch",
        "lier-opleidingen",
        ("kinderopvang", "schoonmaak"),
    ),
    Provider(
        "Retail Skills Vlaanderen vzw",
        PRIVATE,
        "Zelebaan 45",
        "9160",
        "Lokeren",
        "09 348 22 10",
        "Marijke Desmet",
        "retail-skills",
        ("klant",),
    ),
    Provider(
        "Centrum voor Volwassenenonderwijs Vlaamse Ardennen",
        PUBLIC,
        "Tussenmuren 9",
        "9700",
        "Oudenaarde",
        "055 31 40 62",
        "Griet Vandenberghe",
        "cvo-vlaamse-ardennen",
        ("taal", "kinderopvang"),
    ),
    Provider(
        "Veiligheidsinstituut Haven Antwerpen vzw",
        PRIVATE,
        "Noorderlaan 133",
        "2030",
        "Antwerpen",
        "03 545 71 00",
        "Wim Claes",
        "veiligheidsinstituut",
        ("veiligheid",),
    ),
    Provider(
        "Metaal & Techniek Opleidingen nv",
        PRIVATE,
        "Bruggesteenweg 112",
        "8900",
        "Ieper",
        "057 20 33 91",
        "Kristof Verbruggen",
        "metaal-techniek",
        ("lassen", "elektriciteit"),
    ),
    Provider(
        "Werkplekleren Limburg vzw",
        PRIVATE,
        "Koolmijnlaan 201",
        "3580",
        "Beringen",
        "011 45 90 20",
        "Mehmet Yilmaz",
        "werkplekleren-limburg",
        ("logistiek", "taal"),
    ),
    Provider(
        "Kookatelier Meetjesland bv",
        PRIVATE,
        "Stationsplein 3",
        "9900",
        "Eeklo",
        "09 377 81 14",
        "Bram Verhoeven",
        "kookatelier-meetjesland",
        ("horeca",),
    ),
    Provider(
        "Centrum voor Basiseducatie Midden-Limburg",
        PUBLIC,
        "Naamsesteenweg 18",
        "3800",
        "Sint-Truiden",
        "011 68 52 30",
        "Inge Goossens",
        "cbe-midden-limburg",
        ("taal", "ict"),
    ),
    Provider(
        "Technologisch Opleidingscentrum Zuid-West-Vlaanderen vzw",
        PRIVATE,
        "Expresweg 5",
        "8790",
        "Waregem",
        "056 60 17 45",
        "Joris Pauwels",
        "toc-zuidwest",
        ("onderhoud",),
    ),
    Provider(
        "Zorgopleidingen Tongeren vzw",
        PRIVATE,
        "Maastrichterstraat 50",
        "3700",
        "Tongeren",
        "012 39 14 70",
        "Nathalie Mertens",
        "zorgopleidingen-tongeren",
        ("zorg",),
    ),
    Provider(
        "Stad Halle – Dienst Werk en Opleiding",
        PUBLIC,
        "Oudstrijderslaan 18",
        "1500",
        "Halle",
        "02 365 95 10",
        "Liesbeth Lambrechts",
        "halle-werk",
        ("klant", "bouw"),
    ),
)

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
    t.key: t
    for t in (
        Theme(
            "lassen",
            "LAS",
            (
                (
                    "Lasser MIG/MAG",
                    120,
                    "Klassikale opleiding met praktijk in het lasatelier, vijf "
                    "dagen per week gedurende zes weken.",
                ),
                (
                    "TIG-lassen van roestvast staal",
                    80,
                    "Avondopleiding in het lasatelier, twee avonden per week.",
                ),
                (
                    "Basis lassen en snijden",
                    40,
                    "Dagopleiding in het lasatelier met klassikale theorie.",
                ),
            ),
            (
                "De cursist leest een lasschets en kiest het juiste lasproces.",
                "De cursist stelt stroomsterkte, draadsnelheid en gasdebiet correct in.",
                "De cursist last een hoeknaad en een stompe naad in positie PA en PF volgens "
                "EN ISO 9606-1.",
                "De cursist herkent lasfouten zoals porositeit, bindingsfouten en inkartelingen.",
                "De cursist werkt veilig met beschermgas, lasdampafzuiging en persoonlijke "
                "beschermingsmiddelen.",
                "De cursist bereidt naden voor en controleert de maatvoering.",
            ),
            (
                "Veiligheid en gezondheid in het lasatelier",
                "Materiaalkennis: staal, roestvast staal en aluminium",
                "Lasprocessen en lasparameters",
                "Lastekeningen en lassymbolen lezen",
                "Naadvoorbereiding en hechten",
                "Visuele controle en lasfouten",
                "Praktijkproef lassen in positie",
            ),
            (
                "werkzoekenden die zich willen omscholen tot lasser",
                "operatoren in de metaalverwerking die willen doorgroeien naar lasser",
                "werknemers van kmo's in de metaalsector die een lascertificaat willen behalen",
            ),
            "Elke module eindigt met een praktijkopdracht in het lasatelier van een "
            "partnerbedrijf; de cursist last proefstukken die volgens de norm beoordeeld worden.",
            "het lassen van hoek- en stompe naden in een lassimulator, zonder materiaalverbruik "
            "en met meting van toortshoek, snelheid en afstand",
            "een AR-lashelm toont tijdens het oefenen de ideale toortshoek en voortloopsnelheid",
            "een beeldherkenningsmodel beoordeelt foto's van de gelaste proefstukken en geeft "
            "meteen feedback op de naad",
            "Metaalconstructie Verstraete nv",
            0.95,
        ),
        Theme(
            "zorg",
            "ZORG",
            (
                (
                    "Zorgkundige",
                    200,
                    "Klassikale opleiding in een centrum voor volwassenenonderwijs "
                    "met stage in een woonzorgcentrum.",
                ),
                ("Logistiek assistent in de zorg", 60, "Dagopleiding in groep met rollenspelen."),
                (
                    "Ergonomisch tillen en verplaatsen van zorgvragers",
                    16,
                    "Tweedaagse klassikale training in een oefenkamer.",
                ),
            ),
            (
                "De cursist past de principes van ergonomisch werken toe bij transfers.",
                "De cursist observeert de zorgvrager en rapporteert veranderingen correct in het "
                "zorgdossier.",
                "De cursist communiceert respectvol met zorgvragers met dementie.",
                "De cursist werkt volgens de richtlijnen voor handhygiëne en infectiepreventie.",
                "De cursist herkent signalen van ondervoeding en uitdroging.",
                "De cursist handelt correct bij een val.",
            ),
            (
                "Basiszorg en comfort",
                "Ergonomie en transfers",
                "Communicatie met zorgvragers en familie",
                "Infectiepreventie en handhygiëne",
                "Zorgdossier en rapportage",
                "Omgaan met dementie",
                "Ethiek en beroepsgeheim",
            ),
            (
                "werkzoekenden die een job in de ouderenzorg ambiëren",
                "logistiek medewerkers in woonzorgcentra die willen doorgroeien naar zorgkundige",
                "zij-instromers uit andere sectoren met interesse in de zorg",
            ),
            "De cursist oefent elke handeling eerst in een oefenkamer en past ze daarna toe "
            "tijdens begeleide stagedagen in een woonzorgcentrum.",
            "transfers van een zorgvrager, waarbij de simulatie de belasting van de rug zichtbaar "
            "maakt",
            "stap-voor-stapinstructies verschijnen over de oefenpop bij het aanleggen van "
            "steunkousen of een wondverband",
            "een gesprekspartner op basis van AI speelt een zorgvrager met beginnende dementie, "
            "zodat de cursist communicatie kan oefenen",
            "WZC Hof ter Linden vzw",
            0.85,
        ),
        Theme(
            "logistiek",
            "LOG",
            (
                (
                    "Magazijnmedewerker",
                    80,
                    "Klassikale opleiding met oefeningen in een oefenmagazijn.",
                ),
                (
                    "Orderpicker met scanner en WMS",
                    24,
                    "Driedaagse training in het magazijn van de werkgever.",
                ),
                ("Voorraadbeheer en inventaris", 32, "Avondcursus in het opleidingscentrum."),
            ),
            (
                "De cursist werkt met een handscanner en een warehouse management system.",
                "De cursist pickt orders foutloos volgens de FIFO- en FEFO-principes.",
                "De cursist stapelt en wikkelt pallets stabiel en veilig.",
                "De cursist controleert inkomende goederen aan de hand van de pakbon.",
                "De cursist herkent gevaarlijke stoffen aan hun pictogrammen.",
                "De cursist past de basisregels van ergonomisch tillen toe.",
            ),
            (
                "De logistieke keten en de rol van het magazijn",
                "Ontvangst en controle van goederen",
                "Opslag, locaties en voorraadbeheer",
                "Orderpicking met scanner",
                "Verpakken, laden en verzenden",
                "Veiligheid en ergonomie in het magazijn",
            ),
            (
                "werkzoekenden zonder ervaring in de logistiek",
                "uitzendkrachten in distributiecentra",
                "kortgeschoolde werknemers die willen doorgroeien naar een vaste functie in het "
                "magazijn",
            ),
            "De cursist verwerkt echte orders in een oefenmagazijn met scanner en WMS, en loopt "
            "twee dagen mee in een distributiecentrum.",
            "orderpicking in een virtueel distributiecentrum, met tijdsdruk en realistische "
            "storingen",
            "een smartglass toont bij pick-by-vision de locatie en de hoeveelheid van elk artikel",
            "adaptieve oefenreeksen passen zich aan de fouten aan die de cursist maakt bij het "
            "picken",
            "Schelde Distributie nv",
            0.8,
        ),
        Theme(
            "heftruck",
            "HEF",
            (
                (
                    "Heftruckbestuurder",
                    35,
                    "Vijfdaagse klassikale opleiding met rijoefeningen op het terrein.",
                ),
                ("Reachtruck en orderpicker", 21, "Driedaagse praktijkopleiding in een magazijn."),
                (
                    "Veilig werken met de elektrische pallettruck",
                    8,
                    "Eendaagse opleiding op de werkvloer.",
                ),
            ),
            (
                "De cursist voert de dagelijkse controle van de heftruck uit.",
                "De cursist rijdt veilig met en zonder last in smalle gangen.",
                "De cursist stockeert en haalt pallets uit rekken op hoogte.",
                "De cursist kent de risico's van kantelen en aanrijdingen en voorkomt ze.",
                "De cursist leest een lastdiagram en bepaalt de maximale last.",
                "De cursist laadt en lost een vrachtwagen veilig.",
            ),
            (
                "Wetgeving en verantwoordelijkheid van de bestuurder",
                "Opbouw en dagelijkse controle van de heftruck",
                "Stabiliteit en lastdiagram",
                "Rijtechniek en manoeuvreren",
                "Werken op hoogte in stellingen",
                "Laden en lossen van vrachtwagens",
            ),
            (
                "werkzoekenden die een job als magazijnier ambiëren",
                "magazijnmedewerkers die een attest heftruck willen behalen",
                "arbeiders in de bouw en de industrie die af en toe met een heftruck rijden",
            ),
            "Na de online theorie rijdt de cursist een vast parcours op het oefenterrein; de "
            "praktijkproef gebeurt op een echte heftruck.",
            "het rijden met een heftruck in een druk magazijn, met voetgangers, onverwachte "
            "obstakels en lasten op hoogte",
            "AR-markeringen op het oefenterrein tonen de draaicirkel en de veilige afstand tot "
            "voetgangers",
            "een AI-model analyseert de rijgegevens uit de simulator en wijst per cursist de "
            "zwakke punten aan",
            "Transport Peeters & Zonen bv",
            0.95,
        ),
        Theme(
            "horeca",
            "HOR",
            (
                (
                    "Hulpkok",
                    160,
                    "Dagopleiding in de opleidingskeuken met stage in een restaurant.",
                ),
                ("Zaalmedewerker", 80, "Klassikale opleiding met praktijk in een oefenrestaurant."),
                (
                    "Voedselveiligheid en HACCP in de keuken",
                    12,
                    "Avondsessies in het opleidingscentrum.",
                ),
            ),
            (
                "De cursist werkt volgens de HACCP-principes en de autocontrolegids.",
                "De cursist bereidt eenvoudige gerechten volgens een technische fiche.",
                "De cursist informeert gasten correct over allergenen.",
                "De cursist organiseert de mise-en-place voor een service.",
                "De cursist reinigt en ontsmet de keuken volgens een schoonmaakplan.",
                "De cursist gaat klantvriendelijk om met klachten.",
            ),
            (
                "Hygiëne en voedselveiligheid",
                "Allergenen en etikettering",
                "Basistechnieken in de keuken",
                "Mise-en-place en organisatie van de service",
                "Gastvrijheid en klantencontact",
                "Duurzaam werken en voedselverspilling beperken",
            ),
            (
                "werkzoekenden die in de horeca willen starten",
                "zij-instromers en herintreders in de horeca",
                "medewerkers van grootkeukens in scholen en woonzorgcentra",
            ),
            "Elke week is er een praktijkdag in de opleidingskeuken, en de opleiding sluit af met "
            "een stage van twee weken in een restaurant of grootkeuken.",
            "een druk servicemoment in een virtuele keuken, waarin de cursist hygiënefouten moet "
            "opsporen",
            "allergeneninformatie en bereidingsstappen verschijnen bij het scannen van een gerecht",
            "een virtuele gast op basis van AI bestelt in eenvoudig Nederlands en stelt vragen "
            "over allergenen",
            "Brasserie De Oude Markt bv",
            0.9,
        ),
        Theme(
            "bouw",
            "BOUW",
            (
                (
                    "Renovatie en na-isolatie van woningen",
                    60,
                    "Klassikale opleiding met praktijk op een oefenwerf.",
                ),
                ("Metselaar", 240, "Dagopleiding op de oefenwerf van het opleidingscentrum."),
                ("Luchtdicht bouwen", 16, "Tweedaagse opleiding op de werf."),
            ),
            (
                "De cursist leest bouwplannen en meetstaten.",
                "De cursist plaatst isolatie en een luchtdichte laag zonder koudebruggen.",
                "De cursist werkt veilig op steigers en ladders.",
                "De cursist kiest materialen volgens de EPB-eisen.",
                "De cursist metselt een spouwmuur volgens de regels van de kunst.",
                "De cursist organiseert de eigen werkplek en beperkt bouwafval.",
            ),
            (
                "Plannen lezen en meten",
                "Bouwfysica: warmte, vocht en luchtdichtheid",
                "Isolatiematerialen en hun plaatsing",
                "Veilig werken op hoogte",
                "Afwerking en controle met een blowerdoortest",
                "Duurzaam en circulair bouwen",
            ),
            (
                "werkzoekenden met interesse in de bouw",
                "bouwvakkers die zich willen specialiseren in renovatie",
                "nieuwkomers met bouwervaring uit hun land van herkomst",
            ),
            "De cursist werkt op een oefenwerf aan een renovatiewoning op ware grootte en voert "
            "zelf een luchtdichtheidsmeting uit.",
            "het plaatsen van isolatie en luchtdichting in een virtuele renovatiewoning, waarbij "
            "warmteverlies zichtbaar wordt",
            "bouwplannen en leidingen verschijnen in 3D over de ruwbouw",
            "een AI-toepassing analyseert foto's van de uitvoering en duidt mogelijke koudebruggen "
            "aan",
            "Bouwbedrijf Janssens-Wouters nv",
            0.95,
        ),
        Theme(
            "ict",
            "DIGI",
            (
                (
                    "Digitale basisvaardigheden voor werkzoekenden",
                    40,
                    "Klassikale lessen in een computerklas.",
                ),
                ("Junior webontwikkelaar", 400, "Voltijdse dagopleiding in groep."),
                (
                    "Cyberveiligheid voor kmo-medewerkers",
                    12,
                    "Halve dagen in het opleidingscentrum.",
                ),
            ),
            (
                "De cursist gebruikt e-mail, cloudopslag en videobellen zelfstandig.",
                "De cursist herkent phishingberichten en gaat veilig om met wachtwoorden.",
                "De cursist bouwt een eenvoudige webapplicatie met HTML, CSS en JavaScript.",
                "De cursist werkt met versiebeheer in Git.",
                "De cursist zoekt informatie online en beoordeelt ze kritisch.",
                "De cursist past de basisregels van de GDPR toe bij het werken met klantgegevens.",
            ),
            (
                "Werken met de computer en het internet",
                "Veilig online: wachtwoorden, phishing en updates",
                "Samenwerken in de cloud",
                "Programmeren voor beginners",
                "Webapplicaties bouwen",
                "Privacy en GDPR op het werk",
            ),
            (
                "werkzoekenden met weinig digitale vaardigheden",
                "werknemers van kmo's zonder eigen IT-afdeling",
                "hogeropgeleide werkzoekenden die zich willen omscholen naar een IT-functie",
            ),
            "De cursist werkt aan realistische opdrachten van partnerbedrijven en sluit af met een "
            "eigen project dat hij of zij voorstelt aan een jury.",
            "een virtueel kantoor waarin phishingaanvallen en social engineering worden nagespeeld",
            "uitleg verschijnt wanneer de cursist de smartphone op een netwerkopstelling richt",
            "een AI-leerassistent beantwoordt vragen over code en stelt oefeningen op maat voor",
            "Codeklaar bv",
            0.45,
        ),
        Theme(
            "taal",
            "TAAL",
            (
                (
                    "Nederlands op de werkvloer",
                    60,
                    "Klassikale taallessen in het bedrijf, twee keer per week.",
                ),
                (
                    "Beroepsgericht Nederlands voor de zorg",
                    80,
                    "Klassikale lessen Nederlands tweede taal in het centrum.",
                ),
                (
                    "Taalcoaching voor anderstalige productiemedewerkers",
                    30,
                    "Individuele coaching op de werkvloer.",
                ),
            ),
            (
                "De cursist begrijpt werkinstructies en veiligheidsvoorschriften.",
                "De cursist meldt een probleem of een ongeval duidelijk aan de leidinggevende.",
                "De cursist voert een kort telefoongesprek met een klant of collega.",
                "De cursist vult een werkbon of registratieformulier correct in.",
                "De cursist neemt deel aan een teamoverleg en stelt vragen.",
                "De cursist kent de vaktaal van de eigen functie.",
            ),
            (
                "Kennismaken en samenwerken",
                "Instructies begrijpen en navragen",
                "Veiligheid en welzijn: de belangrijkste woorden",
                "Telefoneren en berichten schrijven",
                "Vaktaal van de eigen sector",
                "Overleggen en feedback geven",
            ),
            (
                "anderstalige werknemers in productie, schoonmaak en logistiek",
                "anderstalige werkzoekenden in een traject naar werk",
                "nieuwkomers die een job combineren met een taaltraject",
            ),
            "De oefeningen gebruiken foto's, video's en documenten van de eigen werkplek; de "
            "taalcoach oefent op de werkvloer mee in echte situaties.",
            "gesprekken met collega's en leidinggevenden op een virtuele werkvloer, met "
            "realistische achtergrondgeluiden",
            "Nederlandse benamingen en uitspraak verschijnen bij machines en gereedschap",
            "spraakherkenning beoordeelt de uitspraak en een AI-gesprekspartner laat de cursist "
            "vrij oefenen",
            "Voedingsbedrijf Vanderlinden nv",
            0.6,
        ),
        Theme(
            "veiligheid",
            "VCA",
            (
                ("Basisveiligheid VCA", 16, "Tweedaagse klassikale opleiding met examen."),
                (
                    "Veiligheid voor operationeel leidinggevenden (VOL-VCA)",
                    24,
                    "Driedaagse klassikale opleiding.",
                ),
                (
                    "Brandpreventie en eerste interventie",
                    8,
                    "Eendaagse opleiding met blusoefening.",
                ),
            ),
            (
                "De cursist herkent gevaren en risico's op de werkplek.",
                "De cursist gebruikt persoonlijke beschermingsmiddelen correct.",
                "De cursist handelt correct bij een ongeval of een beginnende brand.",
                "De cursist voert een laatste-minuut-risicoanalyse uit.",
                "De cursist kent de regels voor werken in besloten ruimten en op hoogte.",
                "De cursist kent de betekenis van veiligheidssignalisatie.",
            ),
            (
                "Wetgeving en verantwoordelijkheden",
                "Gevaren herkennen en risico's inschatten",
                "Persoonlijke en collectieve bescherming",
                "Gevaarlijke stoffen",
                "Brand en explosie",
                "Handelen bij ongevallen",
            ),
            (
                "werkzoekenden die een job zoeken in de bouw of de industrie",
                "uitzendkrachten die een VCA-attest nodig hebben",
                "werknemers van onderaannemers in de petrochemie",
            ),
            "Na de online voorbereiding oefent de cursist in een praktijkruimte met echte "
            "beschermingsmiddelen en neemt hij of zij deel aan een blusoefening.",
            "gevaarlijke situaties op een werf of in een fabriek herkennen, zonder zelf risico te "
            "lopen",
            "veiligheidssignalisatie en risico's worden over de echte werkplek getoond",
            "een AI-systeem kiest per cursist vragen op basis van eerdere antwoorden, als "
            "voorbereiding op het examen",
            "Chemiepark Zandvliet Services nv",
            0.75,
        ),
        Theme(
            "elektriciteit",
            "ELEK",
            (
                (
                    "Residentieel elektrotechnisch installateur",
                    300,
                    "Dagopleiding met praktijk in het elektriciteitsatelier.",
                ),
                ("Elektrische veiligheid BA4/BA5", 16, "Tweedaagse klassikale opleiding."),
                (
                    "Installatie van laadpalen en zonnepanelen",
                    40,
                    "Praktijkopleiding in het atelier.",
                ),
            ),
            (
                "De cursist leest elektrische schema's en situatieplannen volgens het AREI.",
                "De cursist maakt een installatie spanningsloos volgens de vijf veiligheidsregels.",
                "De cursist meet isolatieweerstand en aardingsweerstand.",
                "De cursist sluit een verdeelbord aan met differentieelschakelaars.",
                "De cursist zoekt systematisch storingen in een installatie.",
                "De cursist installeert een laadpaal volgens de voorschriften.",
            ),
            (
                "Basis elektriciteit en meettechniek",
                "Het AREI en de keuring",
                "Schema's lezen en tekenen",
                "Verdeelborden en beveiliging",
                "Foutzoeken",
                "Laadpalen, zonnepanelen en thuisbatterijen",
            ),
            (
                "werkzoekenden met technische interesse",
                "technici die zich willen bijscholen in hernieuwbare energie",
                "werknemers die een BA4- of BA5-bevoegdheid nodig hebben",
            ),
            "De cursist bouwt en keurt installaties op werkpanelen in het atelier en zoekt "
            "ingebouwde fouten.",
            "het spanningsloos maken van een verdeelbord volgens de vijf veiligheidsregels, waarbij "
            "de gevolgen van fouten zonder gevaar zichtbaar worden",
            "schema's en kabeltracés worden over een echte installatie geprojecteerd",
            "een foutzoekassistent op basis van AI leidt de cursist met gerichte vragen naar de "
            "oorzaak van een storing",
            "Elektro Goossens bv",
            0.9,
        ),
        Theme(
            "kinderopvang",
            "KIDS",
            (
                (
                    "Kinderbegeleider baby's en peuters",
                    220,
                    "Dagopleiding met stage in een kinderdagverblijf.",
                ),
                ("Kinderbegeleider buitenschoolse opvang", 120, "Avondopleiding met stage."),
                ("EHBO bij baby's en kinderen", 12, "Klassikale opleiding met oefenpoppen."),
            ),
            (
                "De cursist observeert de ontwikkeling van kinderen en rapporteert aan de ouders.",
                "De cursist zorgt voor een veilige en hygiënische leefomgeving.",
                "De cursist voert een wenningsgesprek met ouders.",
                "De cursist biedt spel- en ontwikkelingskansen aan op maat van het kind.",
                "De cursist handelt correct bij verslikking en koorts.",
                "De cursist gaat open om met diversiteit in gezinnen.",
            ),
            (
                "Ontwikkeling van het jonge kind",
                "Veiligheid, hygiëne en gezondheid",
                "Communicatie met ouders",
                "Spel en activiteiten",
                "EHBO bij baby's en kinderen",
                "Diversiteit en inclusie in de opvang",
            ),
            (
                "werkzoekenden die kinderbegeleider willen worden",
                "begeleiders in de kinderopvang zonder kwalificatie",
                "anderstalige vrouwen met interesse in de kinderopvang",
            ),
            "De cursist loopt stage in een kinderdagverblijf en brengt situaties uit de stage mee "
            "naar de contactmomenten.",
            "een drukke leefgroep waarin de cursist observeert, prioriteiten stelt en EHBO toepast",
            "instructies voor reanimatie en verslikking worden over een oefenpop getoond",
            "een AI-gesprekspartner speelt een ouder, zodat de cursist moeilijke gesprekken kan "
            "oefenen",
            "Kinderdagverblijf 't Rakkertje vzw",
            0.8,
        ),
        Theme(
            "schoonmaak",
            "NET",
            (
                (
                    "Schoonmaker in de zorg",
                    40,
                    "Klassikale opleiding met praktijk in een oefenkamer.",
                ),
                (
                    "Professioneel schoonmaken voor starters",
                    24,
                    "Driedaagse opleiding op de werkvloer.",
                ),
                ("Werken met schoonmaakmachines", 8, "Eendaagse praktijkopleiding."),
            ),
            (
                "De cursist reinigt volgens een vaste werkvolgorde, van schoon naar vuil.",
                "De cursist doseert reinigingsmiddelen correct en veilig.",
                "De cursist past de hygiënerichtlijnen toe in een ziekenhuiskamer.",
                "De cursist gebruikt een schrobzuigmachine veilig.",
                "De cursist werkt ergonomisch en voorkomt rug- en schouderklachten.",
                "De cursist communiceert vriendelijk met patiënten en personeel.",
            ),
            (
                "Basis van professioneel reinigen",
                "Reinigingsmiddelen en pictogrammen",
                "Hygiëne en infectiepreventie",
                "Machines en materiaal",
                "Ergonomie",
                "Klantgericht werken",
            ),
            (
                "anderstalige werkzoekenden",
                "schoonmakers in ziekenhuizen en woonzorgcentra",
                "herintreders die opnieuw aan de slag willen",
            ),
            "De cursist oefent in een ingerichte oefenkamer en wordt op de eigen werkplek "
            "beoordeeld met een checklist.",
            "het hygiënisch reinigen van een ziekenhuiskamer, waarbij besmetting zichtbaar wordt "
            "gemaakt",
            "doseerinstructies en pictogrammen verschijnen bij het scannen van een product",
            "een AI-toepassing laat de cursist met foto's oefenen op het herkennen van vlekken en "
            "materialen",
            "Net & Proper Facility Services nv",
            0.85,
        ),
        Theme(
            "klant",
            "KLANT",
            (
                ("Winkelmedewerker", 80, "Klassikale opleiding met stage in een winkel."),
                (
                    "Klantgericht communiceren aan de telefoon",
                    16,
                    "Tweedaagse training met rollenspelen.",
                ),
                ("Kassamedewerker", 24, "Driedaagse opleiding in een oefenwinkel."),
            ),
            (
                "De cursist verwelkomt klanten en peilt naar hun behoeften.",
                "De cursist gaat rustig om met een klacht of een agressieve klant.",
                "De cursist verwerkt betalingen en retours correct.",
                "De cursist presenteert producten aantrekkelijk.",
                "De cursist beantwoordt vragen via telefoon, chat en e-mail.",
                "De cursist werkt samen in een team met wisselende uurroosters.",
            ),
            (
                "De klant centraal",
                "Verkoopgesprekken",
                "Omgaan met klachten en agressie",
                "Kassa en betalingen",
                "Klantencontact via telefoon, chat en e-mail",
                "Winkelinrichting en presentatie",
            ),
            (
                "jongeren zonder diploma secundair onderwijs",
                "werkzoekenden die in de retail willen werken",
                "medewerkers van een klantendienst",
            ),
            "Rollenspelen met echte situaties uit de winkel en een stage bij een partnerwinkel "
            "maken de opleiding praktijkgericht.",
            "lastige klantgesprekken aan de kassa en in de winkel",
            "productinformatie verschijnt wanneer de cursist een rek scant",
            "een virtuele klant op basis van AI reageert op de aanpak van de cursist",
            "Buurtsuper Vermeersch bv",
            0.7,
        ),
        Theme(
            "transport",
            "TRANS",
            (
                (
                    "Vrachtwagenchauffeur C/CE",
                    280,
                    "Klassikale theorie en rijlessen met instructeur.",
                ),
                ("Nascholing vakbekwaamheid chauffeurs", 35, "Vijf klassikale lesdagen."),
                ("Defensief en zuinig rijden", 8, "Eendaagse opleiding op het oefenterrein."),
            ),
            (
                "De cursist rijdt defensief en brandstofzuinig.",
                "De cursist gebruikt de tachograaf en kent de rij- en rusttijden.",
                "De cursist zekert een lading volgens de normen.",
                "De cursist controleert het voertuig voor vertrek.",
                "De cursist handelt correct bij een ongeval.",
                "De cursist communiceert professioneel met klanten bij een levering.",
            ),
            (
                "Rij- en rusttijden en de tachograaf",
                "Ladingzekering",
                "Defensief en zuinig rijden",
                "Voertuigtechniek en dagelijkse controle",
                "Gezondheid, ergonomie en vermoeidheid",
                "Klantgericht leveren",
            ),
            (
                "werkzoekenden die vrachtwagenchauffeur willen worden",
                "chauffeurs die hun vakbekwaamheid moeten vernieuwen",
                "bestelwagenchauffeurs in de pakjesbezorging",
            ),
            "De cursist oefent op een rijsimulator en daarna met een instructeur op de weg en op "
            "het oefenterrein.",
            "rijsituaties in een simulator: slecht weer, de dode hoek en noodremmingen",
            "de stappen van de ladingzekering worden over een echte oplegger getoond",
            "een AI-analyse van de rijstijl in de simulator geeft persoonlijke tips om zuiniger te "
            "rijden",
            "Transport Lambrecht nv",
            0.9,
        ),
        Theme(
            "administratie",
            "ADMIN",
            (
                ("Administratief medewerker", 120, "Dagopleiding in een computerklas."),
                (
                    "Boekhouden voor kmo's",
                    60,
                    "Avondopleiding in het centrum voor volwassenenonderwijs.",
                ),
                ("Digitale facturatie en e-invoicing", 8, "Eendaagse workshop."),
            ),
            (
                "De cursist verwerkt inkomende en uitgaande facturen.",
                "De cursist werkt met een boekhoudpakket en met de Peppol-standaard voor "
                "e-facturen.",
                "De cursist stelt een btw-aangifte op.",
                "De cursist beheert een digitale agenda en het klassement.",
                "De cursist schrijft heldere zakelijke e-mails.",
                "De cursist maakt eenvoudige rapporten met een rekenblad.",
            ),
            (
                "Kantoortoepassingen",
                "Zakelijk communiceren",
                "Facturatie en e-invoicing",
                "Basis boekhouden",
                "Btw en fiscaliteit",
                "Rapporteren met rekenbladen",
            ),
            (
                "werkzoekenden met een diploma secundair onderwijs",
                "zelfstandigen en medewerkers van kmo's",
                "herintreders die hun digitale vaardigheden willen opfrissen",
            ),
            "De cursist verwerkt de administratie van een fictieve kmo met echte documenten en "
            "software.",
            "een virtuele kantooromgeving waarin de cursist een drukke werkdag moet organiseren",
            "uitleg verschijnt bij papieren documenten wanneer de cursist ze met een tablet scant",
            "een AI-assistent legt boekingsvoorstellen uit en laat de cursist oordelen of ze "
            "kloppen",
            "Boekhoudkantoor Claeys & Partners bv",
            0.4,
        ),
        Theme(
            "onderhoud",
            "TECH",
            (
                ("Onderhoudstechnicus industrie", 320, "Dagopleiding met praktijk in het atelier."),
                ("PLC-programmeren voor beginners", 40, "Avondopleiding met oefenopstellingen."),
                ("Pneumatica en hydraulica", 32, "Praktijkopleiding in het atelier."),
            ),
            (
                "De cursist voert preventief onderhoud uit volgens een onderhoudsplan.",
                "De cursist zoekt storingen in pneumatische en hydraulische schakelingen.",
                "De cursist programmeert een eenvoudige PLC-sturing.",
                "De cursist leest technische tekeningen en schema's.",
                "De cursist werkt veilig volgens de LOTO-procedure.",
                "De cursist rapporteert storingen en interventies in het onderhoudssysteem.",
            ),
            (
                "Veilig werken en LOTO",
                "Mechanica en aandrijvingen",
                "Pneumatica en hydraulica",
                "Elektriciteit en sensoren",
                "PLC en automatisering",
                "Storingsanalyse en rapportering",
            ),
            (
                "operatoren die willen doorgroeien naar onderhoudstechnicus",
                "werkzoekenden met een technisch diploma",
                "technici uit de voedingsindustrie",
            ),
            "De cursist werkt aan oefenopstellingen met ingebouwde storingen en loopt mee met een "
            "onderhoudsploeg.",
            "een virtuele productielijn met storingen die de cursist moet opsporen en verhelpen",
            "onderhoudsinstructies en onderdeelnummers verschijnen over de machine",
            "een AI-toepassing voorspelt uit sensordata wanneer een onderdeel aan vervanging toe "
            "is, en de cursist leert die voorspelling te interpreteren",
            "Voedingsfabriek Callewaert nv",
            0.9,
        ),
    )
}

TECH_PARTNERS = (
    (
        "XR Studio Kortrijk bv",
        "ontwikkelt de VR- en AR-toepassingen en zorgt voor de technische ondersteuning",
    ),
    ("Leerlab Digitaal vzw", "begeleidt de didactische vertaling naar het leerplatform"),
    ("Data & Didactiek bv", "bouwt en test de AI-toepassing en bewaakt de privacy"),
)
REFERRAL_PARTNERS = (
    (
        "Werkwinkel Regio Oost vzw",
        "zorgt voor de toeleiding van werkzoekenden en de opvolging na de opleiding",
    ),
    ("Vzw Samen Sterk naar Werk", "bereikt kansengroepen via buurtwerk en zelforganisaties"),
)
EMPLOYER_ROLES = (
    "stelt stageplaatsen en praktijkcasussen ter beschikking",
    "levert inhoudelijke expertise en toetst de leerinhoud aan de praktijk",
    "stelt zijn werkvloer open voor de praktijkdagen en neemt deel aan de stuurgroep",
)

LMS_NAMES = ("Moodle", "Canvas", "Chamilo", "Totara", "Docebo", "onze eigen Moodle-omgeving")
OTHER_METHODS = (
    "360°-video's die op de werkvloer zijn opgenomen",
    "podcasts om onderweg te beluisteren",
    "digitale open badges per verworven competentie",
    "een serious game op tablet",
    "microlearning via een smartphone-app",
)

DISADVANTAGED = (
    "Kortgeschoolde werkzoekenden: korte modules, veel beeldmateriaal en eenvoudige taal "
    "(niveau B1).",
    "Anderstaligen: alle video's zijn ondertiteld en de vaktaal wordt ondersteund met "
    "pictogrammen en een woordenlijst.",
    "Personen met een arbeidshandicap: het leerplatform volgt de WCAG-richtlijnen en het "
    "tempo is individueel aan te passen.",
    "55-plussers: een aparte digitale startsessie neemt drempels weg bij het werken met het "
    "leerplatform.",
    "Langdurig werkzoekenden: we werken samen met de trajectbegeleiders van VDAB voor de "
    "toeleiding en de opvolging.",
    "Jongeren zonder diploma secundair onderwijs: een coach volgt hen op en houdt het leren "
    "concreet en haalbaar.",
    "Personen met een migratieachtergrond: we werven via zelforganisaties en integratiediensten.",
    "Cursisten zonder eigen laptop lenen een toestel en kunnen in ons open leercentrum werken.",
)
GUIDANCE_BEFORE = (
    "Een intakegesprek peilt naar motivatie, voorkennis en digitale vaardigheden; wie dat "
    "nodig heeft, volgt eerst een korte digitale startmodule.",
    "Elke kandidaat krijgt een infosessie en een instaptoets. Samen met de trajectbegeleider "
    "maken we een persoonlijk leerplan.",
    "Voor de start krijgt de cursist een welkomstpakket met login, een rondleiding in het "
    "leerplatform en een eerste afspraak met de coach.",
)
GUIDANCE_DURING = (
    "Een vaste coach volgt de voortgang wekelijks op in het leerplatform en neemt contact op "
    "met wie achterop raakt.",
    "Elke week is er een vragenuur, online en in het centrum, en een forum dat de lesgever "
    "dagelijks opvolgt.",
    "De lesgever geeft binnen drie werkdagen persoonlijke feedback op elke opdracht; tijdens "
    "de contactmomenten bespreken we die feedback.",
)
GUIDANCE_AFTER = (
    "Drie maanden na de opleiding volgt een opvolggesprek over de stap naar werk of de "
    "toepassing op de werkvloer.",
    "De cursist behoudt een jaar toegang tot het leerplatform en kan deelnemen aan opfrissessies.",
    "Samen met VDAB en uitzendkantoren leiden we cursisten naar passende vacatures; de coach "
    "blijft het aanspreekpunt.",
)
LMS_FOLLOW_UP = (
    "In {lms} zien de lesgevers per cursist welke modules afgewerkt zijn, de scores op de "
    "oefeningen en de aanwezigheid op de contactmomenten. Een dashboard signaleert wie twee "
    "weken niet actief was.",
    "De online modules en de contactmomenten staan in {lms} in één leerpad; ook de "
    "aanwezigheid wordt er geregistreerd. Elke maand bespreekt het team de "
    "voortgangsrapporten.",
    "{lms} registreert de voortgang en de leertijd per module; de coach gebruikt die gegevens "
    "bij de wekelijkse opvolging en past het leerpad aan waar nodig.",
)
OPENINGS = {
    ProjectType.convert: (
        "We zetten de bestaande klassikale opleiding om naar een blended e-opleiding. De "
        "theorie verhuist naar korte online modules in het leerplatform; de contactmomenten "
        "gebruiken we voor oefenen, feedback en praktijk.",
        "De klassikale opleiding vraagt nu veel verplaatsingen en vaste lesdagen, wat "
        "werkenden en ouders met jonge kinderen afschrikt. In de blended versie leert de "
        "cursist de theorie thuis, op eigen tempo, en komt hij of zij naar het centrum om te "
        "oefenen.",
    ),
    ProjectType.adapt: (
        "De bestaande e-opleiding sluit niet meer aan bij de doelgroep: de modules zijn te "
        "lang en te tekstueel. We herwerken ze tot korte, interactieve leereenheden en voegen "
        "begeleide contactmomenten toe.",
        "Uit de evaluaties blijkt dat veel cursisten de bestaande e-opleiding niet afmaken. We "
        "passen ze aan: kortere modules, meer oefeningen met directe feedback en vaste "
        "contactmomenten met de lesgever.",
    ),
    ProjectType.new: (
        "We ontwikkelen een nieuwe blended e-opleiding, vertrekkend van de competenties in "
        "het beroepskwalificatiedossier en van de vragen van werkgevers uit de sector.",
        "Werkgevers in de regio vragen al langer naar deze opleiding, maar een klassikaal "
        "aanbod bestaat er niet. We ontwikkelen ze meteen als blended e-opleiding.",
    ),
}
METHOD_SENTENCES = {
    "vr": "In virtuele realiteit oefent de cursist {vr}. Zo kan hij of zij fouten maken "
    "zonder gevolgen en een handeling zo vaak herhalen als nodig.",
    "ar": "Augmented reality ondersteunt het oefenen in de praktijk: {ar}.",
    "ai": "We zetten AI in als hulpmiddel, niet als vervanging van de lesgever: {ai}. De "
    "lesgever kijkt de feedback steekproefsgewijs na.",
    "gamification": "Gamification houdt de motivatie hoog: de cursist verdient badges per "
    "afgewerkte module en ziet de eigen voortgang op een leerpad.",
    "webinar": "Om de twee weken is er 's avonds een live webinar met ruimte voor vragen en "
    "toelichting door experts uit de sector.",
    "group_work": "In groepsopdrachten werken cursisten samen aan een realistische casus en "
    "leren ze van elkaars aanpak.",
    "lms": "Alle leermateriaal, opdrachten en toetsen staan in het leerplatform ({lms}), ook "
    "bruikbaar op een smartphone.",
    "blended": "De opleiding combineert ongeveer {online} % thuisleeruren met {contact} % "
    "contactmomenten.",
    "other": "Daarnaast gebruiken we {other}.",
}
CLOSINGS = (
    "Elke module start met een korte instapvraag, bevat een video van hoogstens vijf minuten "
    "en eindigt met een oefening met directe feedback.",
    "We testen elke module vooraf met een kleine groep cursisten uit de doelgroep en sturen "
    "bij op basis van hun ervaringen.",
    "Lesgevers volgen vooraf een korte opleiding over begeleiden op afstand.",
)
ENTRY_REQUIREMENTS = (
    "Er zijn geen diplomavereisten; een basiskennis Nederlands (niveau A2) volstaat, "
    "ondersteund met beeldmateriaal.",
    "Instappen kan zonder voorkennis; een korte instaptoets bepaalt of de cursist eerst een "
    "voortraject nodig heeft.",
    "We richten ons op cursisten uit {city} en omgeving; de contactmomenten vinden plaats in "
    "ons centrum en bij partnerbedrijven.",
)
MILESTONES = (
    "Analyse van de doelgroep en de leerdoelen afgerond",
    "Storyboards en scenario's goedgekeurd door de stuurgroep",
    "Eerste modules beschikbaar in het leerplatform",
    "Pilootgroep gestart",
    "Evaluatie van de pilot en bijsturing",
    "Volledige uitrol en opname in de opleidingsdatabank",
    "Eindrapport en verspreiding van de resultaten",
)
REVISION_SENTENCES = (
    "Na overleg met de stuurgroep voegen we na elke module een korte reflectieopdracht toe.",
    "Op vraag van de partners voorzien we een extra contactmoment halverwege de opleiding.",
    "Elke cursist krijgt een digitaal portfolio waarin de praktijkopdrachten worden verzameld.",
)
WITHDRAWAL_REASON = (
    "De partnerwerkgever heeft zich teruggetrokken, waardoor de praktijkdagen niet "
    "gegarandeerd zijn. We trekken het voorstel in en dienen een herwerkte versie in bij een "
    "volgende oproep."
)

GENERAL = (
    "title",
    "acronym",
    "project_type",
    "training_name",
    "training_current_form",
    "training_hours",
    "training_reference",
)
DESIGN = (
    "learning_objectives",
    "content",
    "didactic_approach",
    "target_group",
    "disadvantaged_groups",
    "practice_oriented",
    "practice_explanation",
    "guidance_before",
    "guidance_during",
    "guidance_after",
    "lms_follow_up",
)
REST = (
    "technologies",
    "technology_other",
    "start_date",
    "end_date",
    "milestones",
    "requested_eur",
    "own_contribution_eur",
    "partners",
    "expected_participants",
)


# ============================================================================ proposal content


def _partner(name: str, role: str) -> dict:
    return {"name": name, "enterprise_number": demo_enterprise_number(name), "role": role}


def _technologies(rng: random.Random, vr: bool, ai: bool) -> list[str]:
    chosen = ["vr"] * vr + ["ai"] * ai
    for code, chance in (
        ("ar", 0.2),
        ("gamification", 0.35),
        ("webinar", 0.4),
        ("group_work", 0.35),
        ("lms", 0.92),
        ("blended", 0.8),
        ("other", 0.08),
    ):
        if rng.random() < chance:
            chosen.append(code)
    if "lms" not in chosen and "blended" not in chosen:
        chosen.append("lms")
    return chosen


def proposal_fields(
    rng: random.Random,
    theme: Theme,
    project_type: ProjectType,
    technologies: list[str],
    period: tuple[date, date],
    city: str,
    training: int | None = None,
) -> dict[str, Any]:
    """Every field of a complete proposal, in plausible Dutch, drawn from ``theme``."""
    name, hours, classroom = theme.trainings[
        rng.randrange(len(theme.trainings)) if training is None else training
    ]
    lms = rng.choice(LMS_NAMES)
    other = rng.choice(OTHER_METHODS) if "other" in technologies else ""
    if "vr" in technologies and rng.random() < 0.6:
        title = rng.choice(
            (
                f"{name} met virtuele realiteit",
                f"{name}: blended leren met VR",
                f"Virtueel oefenen, echt leren: {name}",
            )
        )
    elif "ai" in technologies and rng.random() < 0.5:
        title = rng.choice((f"{name} met een AI-coach", f"Slim leren met AI: {name}"))
    elif "ar" in technologies and rng.random() < 0.5:
        title = f"{name} met augmented reality"
    else:
        title = rng.choice(
            {
                ProjectType.convert: (
                    f"{name}: van klaslokaal naar blended leren",
                    f"{name} als blended e-opleiding",
                ),
                ProjectType.adapt: (
                    f"{name} vernieuwd",
                    f"{name}: de e-opleiding in een nieuw jasje",
                    f"Herwerking van de e-opleiding {name}",
                ),
                ProjectType.new: (
                    f"Nieuwe e-opleiding {name}",
                    f"{name}, online en op eigen tempo",
                    f"{name} online",
                ),
            }[project_type]
        )
    tag = (
        "VR"
        if "vr" in technologies
        else "AI"
        if "ai" in technologies
        else "AR"
        if "ar" in technologies
        else rng.choice(("BLEND", "ONLINE", "E"))
    )
    if project_type is ProjectType.convert:
        current = classroom
    elif project_type is ProjectType.adapt:
        current = (
            f"Bestaande e-opleiding in {lms}: {rng.randint(4, 9)} modules in zelfstudie, "
            "vooral tekst en pdf's, zonder contactmomenten of begeleiding. De inhoud "
            f"dateert van {period[0].year - rng.randint(5, 8)} en werkt niet goed op een "
            "smartphone."
        )
    else:
        current = ""
    objectives = rng.sample(theme.objectives, rng.randint(3, 5))
    modules = sorted(rng.sample(range(len(theme.modules)), rng.randint(4, len(theme.modules))))
    online = rng.choice((50, 60, 60, 70, 75))
    didactic = [rng.choice(OPENINGS[project_type])]
    for code in (
        "lms",
        "blended",
        "vr",
        "ar",
        "ai",
        "gamification",
        "webinar",
        "group_work",
        "other",
    ):
        if code in technologies:
            didactic.append(
                METHOD_SENTENCES[code].format(
                    vr=theme.vr,
                    ar=theme.ar,
                    ai=theme.ai,
                    lms=lms,
                    online=online,
                    contact=100 - online,
                    other=other,
                )
            )
    didactic.append(rng.choice(CLOSINGS))
    target = rng.choice(theme.target_groups)
    practice = rng.random() < (
        0.97 if "vr" in technologies or "ar" in technologies else theme.practical
    )
    explanation = ""
    if practice:
        explanation = theme.practice
        if "vr" in technologies:
            explanation += (
                " De VR-oefeningen bereiden de echte handelingen voor; pas wie ze "
                "beheerst, oefent op de werkvloer."
            )
    start = _add_months(period[0], rng.randint(0, 5))
    end = min(period[1], _end_of_month(_add_months(start, rng.randint(11, 17))))
    span = (end - start).days
    milestone_names = [m for m in MILESTONES if rng.random() < 0.7] or list(MILESTONES[2:5])
    milestones = [
        {
            "date": (
                start + timedelta(days=span * (i + 1) // (len(milestone_names) + 1))
            ).isoformat(),
            "description": text,
        }
        for i, text in enumerate(milestone_names)
    ]
    if rng.random() < 0.35:
        requested = Decimal(rng.randint(2_000_000, 15_000_000)) / 100
    else:
        requested = Decimal(rng.randint(40, 300) * 500)
    own = (requested * Decimal(rng.randint(12, 45)) / 100).quantize(
        Decimal("1") if requested % 500 == 0 else CENT
    )
    partners = []
    if rng.random() < 0.6:
        partners.append(_partner(theme.employer, rng.choice(EMPLOYER_ROLES)))
        if rng.random() < 0.4:
            pool = TECH_PARTNERS if {"vr", "ar", "ai"} & set(technologies) else REFERRAL_PARTNERS
            partners.append(_partner(*rng.choice(pool)))
    participants = rng.randint(15, 60) if hours >= 150 else rng.randint(40, 400)
    return {
        "title": title,
        "acronym": f"{theme.acronym}-{tag}",
        "project_type": project_type,
        "training_name": name,
        "training_current_form": current,
        "training_hours": hours,
        "training_reference": (
            "" if project_type is ProjectType.new else f"OPL-{rng.randint(10000, 99999)}"
        ),
        "learning_objectives": "Na de opleiding:\n" + "\n".join(f"- {o}" for o in objectives),
        "content": f"De opleiding bestaat uit {len(modules)} modules:\n"
        + "\n".join(f"{n}. {theme.modules[i]}" for n, i in enumerate(modules, 1)),
        "didactic_approach": " ".join(didactic),
        "target_group": (
            target[0].upper() + target[1:] + ". " + rng.choice(ENTRY_REQUIREMENTS).format(city=city)
        ),
        "disadvantaged_groups": "We richten ons uitdrukkelijk op kansengroepen:\n"
        + "\n".join(f"- {text}" for text in rng.sample(DISADVANTAGED, rng.randint(2, 3))),
        "practice_oriented": practice,
        "practice_explanation": explanation,
        "guidance_before": rng.choice(GUIDANCE_BEFORE),
        "guidance_during": rng.choice(GUIDANCE_DURING),
        "guidance_after": rng.choice(GUIDANCE_AFTER),
        "lms_follow_up": rng.choice(LMS_FOLLOW_UP).format(lms=lms),
        "technologies": technologies,
        "technology_other": other[0].upper() + other[1:] if other else "",
        "start_date": start,
        "end_date": end,
        "milestones": milestones,
        "requested_eur": requested,
        "own_contribution_eur": own,
        "partners": partners,
        "expected_participants": participants,
    }


def revision(rng: random.Random, theme: Theme, fields: dict[str, Any]) -> dict[str, Any]:
    """What an applicant changes before resubmitting: two or three real improvements."""
    changes: dict[str, Any] = {}
    for kind in rng.sample(
        ("budget", "objective", "participants", "partner", "method", "guidance"), rng.randint(2, 3)
    ):
        if kind == "budget" and fields["requested_eur"] > 25000:
            changes["requested_eur"] = (
                fields["requested_eur"] * Decimal(100 - rng.randint(3, 12)) / 100
            ).quantize(CENT)
        elif kind == "objective":
            extra = next(
                (o for o in theme.objectives if o not in fields["learning_objectives"]),
                "De cursist reflecteert op het eigen leerproces en stelt leerdoelen bij.",
            )
            changes["learning_objectives"] = fields["learning_objectives"] + f"\n- {extra}"
        elif kind == "participants":
            changes["expected_participants"] = (
                fields["expected_participants"] * rng.randint(110, 130) // 100
            )
        elif kind == "partner" and len(fields["partners"]) < 2:
            name, role = rng.choice(REFERRAL_PARTNERS)
            if all(p["name"] != name for p in fields["partners"]):
                changes["partners"] = [*fields["partners"], _partner(name, role)]
        elif kind == "method":
            missing = [
                c
                for c in ("webinar", "gamification", "group_work")
                if c not in fields["technologies"]
            ]
            if missing:
                code = rng.choice(missing)
                changes["technologies"] = [*fields["technologies"], code]
                changes["didactic_approach"] = (
                    fields["didactic_approach"] + " " + METHOD_SENTENCES[code]
                )
        elif kind == "guidance":
            changes["guidance_during"] = (
                fields["guidance_during"] + " Nieuw: cursisten die "
                "twee weken niet inloggen, krijgen een telefoontje "
                "van de coach."
            )
    if not changes or ("learning_objectives" not in changes and rng.random() < 0.5):
        text = changes.get("didactic_approach", fields["didactic_approach"])
        extra = next((e for e in REVISION_SENTENCES if e not in text), "")
        if extra or not changes:
            changes["didactic_approach"] = f"{text} {extra or REVISION_SENTENCES[0]}"
    return changes


def attachment(
    kind: str, provider: Provider, fields: dict[str, Any], call_code: str
) -> tuple[str, bytes]:
    """(filename, PDF bytes) of a small but real attachment."""
    header = [
        f"Oproep: {call_code}",
        f"Promotor: {provider.legal_name} ({provider.enterprise_number}), {provider.city}",
        f"Project: {fields['title']} ({fields['acronym']})",
        "",
    ]
    if kind == "begroting":
        total = fields["requested_eur"] + fields["own_contribution_eur"]
        lines = [
            *header,
            f"Gevraagde subsidie: {format_euro(fields['requested_eur'])}",
            f"Eigen bijdrage: {format_euro(fields['own_contribution_eur'])}",
            f"Totale projectkost: {format_euro(total)}",
            "",
            "Personeelskosten ontwikkeling en begeleiding: 70 %",
            "Werkingskosten (licenties, materiaal, verplaatsingen): 20 %",
            "Forfait indirecte kosten: 10 %",
        ]
        return "Projectbegroting.pdf", tiny_pdf("Projectbegroting", lines)
    if kind == "planning":
        lines = [
            *header,
            f"Looptijd: {fields['start_date']:%d-%m-%Y} tot {fields['end_date']:%d-%m-%Y}",
            "",
        ] + [
            f"{date.fromisoformat(m['date']):%d-%m-%Y}  {m['description']}"
            for m in fields["milestones"]
        ]
        return "Planning en mijlpalen.pdf", tiny_pdf("Planning en mijlpalen", lines)
    if kind == "partner" and fields["partners"]:
        partner = fields["partners"][0]
        lines = [
            *header,
            f"{partner['name']} ({partner['enterprise_number']}) bevestigt "
            f"hierbij dat het als partner meewerkt aan dit project en {partner['role']}.",
            "",
            "Opgemaakt te " + provider.city + ".",
            "Voor de partner: de zaakvoerder",
        ]
        return f"Intentieverklaring {partner['name']}.pdf", tiny_pdf("Intentieverklaring", lines)
    lines = [
        *header,
        "Opbouw van de e-opleiding:",
        *fields["content"].splitlines()[1:],
        "",
        "Leerdoelen:",
        *fields["learning_objectives"].splitlines()[1:],
    ]
    return "Storyboard en leerpad.pdf", tiny_pdf("Storyboard en leerpad", lines)


# ============================================================================ plans


@dataclass
class Step:
    at: datetime
    kind: str  # create | save | attach | submit | withdraw
    changes: dict[str, Any] = field(default_factory=dict)
    filename: str = ""
    content: bytes = b""
    reason: str = ""
    exact: bool = False  # keep this moment as it is (not moved into office hours)


@dataclass
class Plan:
    provider: Provider
    theme: str
    steps: list[Step] = field(default_factory=list)

    def add(self, step: Step) -> None:
        assert not self.steps or self.steps[-1].at <= step.at, "steps must be in time order"
        self.steps.append(step)


def _office_hours(moment: datetime) -> datetime:
    """The same day's 08:00-22:30 (Brussels), squeezing the day's 24 hours linearly into it.

    The map keeps the order of moments, so a plan built with plain fractions of time stays
    in order, while applicants mostly work in the daytime and the evening.
    """
    local = to_brussels(moment)
    seconds = (local.hour * 3600 + local.minute * 60 + local.second) * 14.5 / 24 + 8 * 3600
    hour, rest = divmod(int(seconds), 3600)
    return brussels(local.year, local.month, local.day, hour, rest // 60, rest % 60).replace(
        microsecond=local.microsecond
    )


def _in_office_hours(plans: list["Plan"]) -> None:
    for plan in plans:
        for step in plan.steps:
            if not step.exact:
                step.at = _office_hours(step.at)
        assert all(a.at <= b.at for a, b in itertools.pairwise(plan.steps))


def _pick(fields: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    return {name: fields[name] for name in names if name in fields}


def _write(
    plan: Plan,
    rng: random.Random,
    fields: dict[str, Any],
    start: datetime,
    end: datetime,
    call_code: str,
    *,
    attachments: int = 2,
    sections: Sequence[Sequence[str]] = (GENERAL, DESIGN, REST),
) -> None:
    """Saves of ``fields`` section by section between ``start`` and ``end``, then files."""
    span = end - start
    for n, names in enumerate(sections):
        fraction = (0.02 if n == 0 else 0.15 + 0.6 * n / len(sections)) + rng.random() * 0.08
        plan.add(Step(start + span * fraction, "save", _pick(fields, names)))
    kinds = ["begroting", "planning", "storyboard"]
    if fields.get("partners"):
        kinds.append("partner")
    for n, kind in enumerate(rng.sample(kinds, min(attachments, len(kinds)))):
        name, content = attachment(kind, plan.provider, fields, call_code)
        plan.add(Step(start + span * (0.86 + 0.04 * n), "attach", filename=name, content=content))


def _historic_moment(
    rng: random.Random, opens: datetime, deadline: datetime, late: bool
) -> datetime:
    """A submission moment, more of them towards the end (before the office-hours map)."""
    first = to_brussels(opens).date()
    days = (to_brussels(deadline).date() - first).days
    offset = days - rng.randint(0, 4) if late else max(1, int(days * rng.random() ** 0.5))
    day = first + timedelta(days=offset)
    # Weights per hour before _office_hours: mornings and afternoons, fewer evenings.
    hour = rng.choices(
        range(24), weights=(2, 2, 6, 6, 6, 6, 6, 3, 7, 7, 7, 7, 7, 7, 7, 4, 4, 4, 3, 3, 3, 3, 2, 1)
    )[0]
    moment = brussels(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))
    return min(
        moment.replace(microsecond=rng.randrange(1_000_000)), deadline - timedelta(minutes=70)
    )


def historic_plans(year: int) -> list[Plan]:
    """Last year's call (deadline 31 March ``year``): the same plans on every run."""
    rng = random.Random(SEED + year)
    opens, deadline = historic_window(year)
    period = (date(year, 7, 1), date(year + 1, 12, 31))
    code = call_code(year)
    slots = [(provider, theme) for provider in PROVIDERS for theme in provider.themes]
    count = len(slots)
    order = list(range(count))
    rng.shuffle(order)
    both, vr_only, ai_only = set(order[:4]), set(order[4:15]), set(order[15:22])
    rng.shuffle(order)
    drafts, withdrawn = order[:2], order[2]
    resubmitted = dict.fromkeys(order[3:8], 1) | dict.fromkeys(order[8:10], 2)
    last_hour = order[7:12]  # overlaps the resubmitted ones: some resubmit at the last minute
    final_minutes = {
        last_hour[0]: (23, 58),
        last_hour[1]: (23, 51),
        last_hour[2]: (23, 36),
        last_hour[3]: (23, 14),
        last_hour[4]: (23, 2),
    }
    late = set(order[12:22])
    types = [ProjectType.convert] * 45 + [ProjectType.adapt] * 25 + [ProjectType.new] * 30
    plans = []
    for index, (provider, theme_key) in enumerate(slots):
        theme = THEMES[theme_key]
        vr, ai = index in both or index in vr_only, index in both or index in ai_only
        fields = proposal_fields(
            rng, theme, rng.choice(types), _technologies(rng, vr, ai), period, provider.city
        )
        plan = Plan(provider, theme_key)
        plans.append(plan)
        if index in drafts:
            created = opens + (deadline - opens) * rng.uniform(0.4, 0.8)
            plan.add(Step(created, "create"))
            sections = (GENERAL, DESIGN) if index == drafts[0] else (GENERAL,)
            _write(
                plan,
                rng,
                fields,
                created,
                created + timedelta(days=rng.randint(3, 20)),
                code,
                attachments=0,
                sections=sections,
            )
            continue
        versions = 1 + resubmitted.get(index, 0)
        if index in final_minutes:
            hour, minute = final_minutes[index]
            local = to_brussels(deadline)
            submits = [
                brussels(
                    local.year, local.month, local.day, hour, minute, rng.randrange(60)
                ).replace(microsecond=rng.randrange(10**6))
            ]
            exact = True
        else:
            submits = [_historic_moment(rng, opens, deadline, index in late)]
            exact = False
        for _ in range(versions - 1):
            earliest = max(opens + timedelta(hours=12), submits[0] - timedelta(days=25))
            if earliest >= submits[0]:
                earliest = opens + (submits[0] - opens) * 0.3
            submits.insert(0, earliest + (submits[0] - earliest) * rng.uniform(0.2, 0.8))
        if index == withdrawn:
            submits = [opens + (deadline - opens) * rng.uniform(0.3, 0.6)]
        created = max(
            opens + timedelta(hours=rng.randint(1, 48)),
            submits[0] - timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 9)),
        )
        if created >= submits[0]:
            created = opens + (submits[0] - opens) * 0.2
        plan.add(Step(created, "create"))
        _write(plan, rng, fields, created, submits[0], code, attachments=rng.randint(1, 3))
        plan.add(Step(submits[0], "submit", exact=exact and len(submits) == 1))
        for previous, moment in itertools.pairwise(submits):
            changes = revision(rng, theme, fields)
            fields = {**fields, **changes}
            plan.add(Step(previous + (moment - previous) * rng.uniform(0.3, 0.7), "save", changes))
            if rng.random() < 0.5:
                name, content = attachment("begroting", provider, fields, code)
                plan.add(
                    Step(
                        previous + (moment - previous) * 0.8,
                        "attach",
                        filename=name.replace(".pdf", " (herzien).pdf"),
                        content=content,
                    )
                )
            plan.add(Step(moment, "submit", exact=exact and moment == submits[-1]))
        if index == withdrawn:
            plan.add(
                Step(
                    submits[-1] + timedelta(days=rng.randint(10, 30), hours=3),
                    "withdraw",
                    reason=WITHDRAWAL_REASON,
                )
            )
    _in_office_hours(plans)
    return plans


def open_plans(year: int, opens: datetime, now: datetime) -> list[Plan]:
    """This year's open call: the demo organisations' drafts and submissions, and a few more.

    Moments are fractions of the time between the opening and the start of today (moved
    into office hours), or ``now`` when the call opened today.
    """
    rng = random.Random(SEED + 10 * year)
    period = (date(year, 7, 1), date(year + 1, 12, 31))
    code = call_code(year)
    horizon = _start_of_day(now)
    if horizon - opens < timedelta(days=2):
        horizon = now

    def at(fraction: float) -> datetime:
        return opens + (horizon - opens) * fraction

    plans = []

    # De Leerboom: a submitted proposal with two versions, and a draft half filled in.
    fields = proposal_fields(
        rng,
        THEMES["kinderopvang"],
        ProjectType.convert,
        ["vr", "ai", "group_work", "lms", "blended"],
        period,
        LEERBOOM.city,
        training=1,
    )
    fields.update(
        title="Kinderbegeleider buitenschoolse opvang: blended leren met VR", acronym="KIDS-VR"
    )
    plan = Plan(LEERBOOM, "kinderopvang")
    plan.add(Step(at(0.10), "create"))
    _write(plan, rng, fields, at(0.10), at(0.40), code, attachments=2)
    plan.add(Step(at(0.40), "submit"))
    changes = revision(rng, THEMES["kinderopvang"], fields)
    plan.add(Step(at(0.62), "save", changes))
    name, content = attachment("begroting", LEERBOOM, {**fields, **changes}, code)
    plan.add(
        Step(at(0.64), "attach", filename=name.replace(".pdf", " (herzien).pdf"), content=content)
    )
    plan.add(Step(at(0.80), "submit"))
    plans.append(plan)

    fields = proposal_fields(
        rng,
        THEMES["taal"],
        ProjectType.new,
        ["ai", "lms", "webinar"],
        period,
        LEERBOOM.city,
        training=0,
    )
    fields.update(title="Nederlands op de werkvloer voor de kinderopvang", acronym="TAAL-KO")
    plan = Plan(LEERBOOM, "taal")
    plan.add(Step(at(0.85), "create"))
    plan.add(
        Step(at(0.86), "save", _pick(fields, (*GENERAL, "learning_objectives", "target_group")))
    )
    plans.append(plan)

    # The provincial centre: one submitted, one draft that lacks only its budget.
    fields = proposal_fields(
        rng,
        THEMES["elektriciteit"],
        ProjectType.adapt,
        ["ar", "webinar", "lms", "blended"],
        period,
        POCL.city,
        training=1,
    )
    plan = Plan(POCL, "elektriciteit")
    plan.add(Step(at(0.30), "create"))
    _write(plan, rng, fields, at(0.30), at(0.70), code, attachments=3)
    plan.add(Step(at(0.70), "submit"))
    plans.append(plan)

    fields = proposal_fields(
        rng,
        THEMES["heftruck"],
        ProjectType.convert,
        ["vr", "lms", "blended", "gamification"],
        period,
        POCL.city,
        training=0,
    )
    plan = Plan(POCL, "heftruck")
    plan.add(Step(at(0.50), "create"))
    _write(
        plan,
        rng,
        fields,
        at(0.50),
        at(0.92),
        code,
        attachments=1,
        sections=(GENERAL, DESIGN, [n for n in REST if not n.endswith("_eur")]),
    )
    plans.append(plan)

    # Providers from last year's call apply again.
    for slug, theme, ptype, technologies, start, end in (
        ("lasacademie", "lassen", ProjectType.new, ["vr", "ar", "lms", "blended"], 0.05, 0.50),
        (
            "cvo-leuven-hageland",
            "ict",
            ProjectType.adapt,
            ["ai", "lms", "webinar", "group_work"],
            0.45,
            0.93,
        ),
    ):
        provider = PROVIDER_BY_SLUG[slug]
        fields = proposal_fields(rng, THEMES[theme], ptype, technologies, period, provider.city)
        plan = Plan(provider, theme)
        plan.add(Step(at(start), "create"))
        _write(plan, rng, fields, at(start), at(end), code, attachments=2)
        plan.add(Step(at(end), "submit"))
        plans.append(plan)
    provider = PROVIDER_BY_SLUG["zorgacademie-rivierenland"]
    fields = proposal_fields(
        rng, THEMES["zorg"], ProjectType.convert, ["vr", "lms"], period, provider.city
    )
    plan = Plan(provider, "zorg")
    plan.add(Step(at(0.75), "create"))
    plan.add(Step(at(0.76), "save", _pick(fields, GENERAL)))
    plans.append(plan)
    if horizon != now:
        _in_office_hours(plans)
    return plans


# ============================================================================ calls


def call_code(year: int) -> str:
    return f"ESF-ELEREN-{year}"


def historic_window(year: int) -> tuple[datetime, datetime]:
    """Opening and deadline of a past call: 1 October 09:00 to 31 March 23:59:59."""
    return brussels(year - 1, 10, 1, 9, 0, 0), deadline_of_year(year)


def open_call_opening(year: int, now: datetime) -> datetime:
    """1 October before the deadline, 09:00; but never later than today (00:00 Brussels)."""
    return min(brussels(year - 1, 10, 1, 9, 0, 0), _start_of_day(now))


DESCRIPTION = """\
Met deze oproep ondersteunen het Europees Sociaal Fonds (ESF+) en de Vlaamse overheid \
opleidingsverstrekkers die hun aanbod digitaal en toekomstgericht maken. De oproep past in \
het Vlaamse actieplan e-leren: meer mensen moeten kunnen leren op een moment en een plaats die \
bij hen passen, zonder dat de kwaliteit of de begeleiding erop achteruitgaat.

Wat financieren we? Projecten die een bestaande klassikale opleiding omzetten naar een \
e-opleiding, een bestaande e-opleiding aanpassen, of een nieuwe e-opleiding ontwikkelen. Het \
gaat om opleidingen die opgenomen zijn (of zullen worden) in de opleidingsdatabank van de \
Vlaamse opleidingsincentives: opleidingscheques, Vlaams opleidingsverlof en Vlaams \
opleidingskrediet. Zowel publieke als private opleidingsverstrekkers kunnen indienen.

Een e-opleiding is in deze oproep altijd blended: online leren in een leerplatform (LMS) wordt \
gecombineerd met contactmomenten. De opleidingsverstrekker begeleidt de cursisten vóór, \
tijdens en na de opleiding, en volgt de voortgang en de blend op in het leerplatform.

Praktijkgerichte opleidingen genieten de voorkeur. Virtuele realiteit (VR) en augmented \
reality (AR) maken het mogelijk om handelingen veilig en zo vaak als nodig te oefenen; we \
moedigen het gebruik ervan uitdrukkelijk aan. Beschrijf in uw voorstel de didactiek: \
leerinhoud en leerdoelen op maat van de doelgroep, en de methoden die u inzet (gamification, \
webinars, groepswerk, VR, AR, AI, een LMS, ...).

We verwachten dat projecten kansengroepen bereiken: kortgeschoolden, anderstaligen, personen \
met een arbeidshandicap, 55-plussers en personen met een migratieachtergrond. Leg uit hoe u \
drempels wegneemt, bijvoorbeeld met eenvoudige taal, toegankelijke digitale leermiddelen en \
persoonlijke begeleiding.

Praktisch: het oproepbudget bedraagt {budget}. Per projectvoorstel vraagt u hoogstens \
{maximum} subsidie aan; de eigen bijdrage bedraagt minstens 10 % van de totale projectkost. \
Projecten lopen tussen 1 juli {year} en 31 december {next_year}. U kunt voorstellen indienen \
tot en met 31 maart {year} om 23:59:59 (Brusselse tijd); tot dan kunt u een ingediend voorstel \
aanpassen en opnieuw indienen. De laatste versie die vóór de deadline is ingediend, wordt \
beoordeeld."""


def _call_input(year: int, opens: datetime, budget: Decimal) -> calls.CallInput:
    maximum = Decimal("150000.00")
    return calls.CallInput(
        code=call_code(year),
        title=f"ESF e-leren {year}",
        opens_at=opens,
        deadline=deadline_of_year(year),
        description=DESCRIPTION.format(
            budget=format_euro(budget).replace(",00", ""),
            maximum=format_euro(maximum).replace(",00", ""),
            year=year,
            next_year=year + 1,
        ),
        budget_eur=budget,
        max_request_eur=maximum,
        min_own_contribution_pct=Decimal("10"),
        project_start_earliest=date(year, 7, 1),
        project_end_latest=date(year + 1, 12, 31),
    )


def _get_call(code: str) -> Call | None:
    return db.session.scalar(sa.select(Call).where(Call.code == code))


def _ensure_provider(provider: Provider, password: str) -> tuple[User, int]:
    organisation = organisations.get_by_enterprise_number(provider.enterprise_number)
    if organisation is None:
        organisation = organisations.create_organisation(None, provider.organisation_input())
    user = auth_services.get_user_by_email(provider.email)
    if user is None:
        user = auth_services.create_user(
            None,
            auth_services.AccountInput(
                email=provider.email, name=provider.contact_name, password=password
            ),
            roles={Role.applicant},
            verified=True,
        )
    if organisation.id not in user.organisation_ids:
        organisations.add_member(None, organisation, user)
    return user, organisation.id


def _run(call: Call, plans: list[Plan], password: str) -> None:
    """Replay every plan's steps in time order through the services."""
    actors = {}
    for plan in plans:
        if plan.provider.email not in actors:
            actors[plan.provider.email] = _ensure_provider(plan.provider, password)
    steps = sorted(
        (step.at, i, j) for i, plan in enumerate(plans) for j, step in enumerate(plan.steps)
    )
    current: dict[int, Proposal] = {}
    for at, i, j in steps:
        step = plans[i].steps[j]
        user, organisation_id = actors[plans[i].provider.email]
        if step.kind == "create":
            current[i] = proposals.create_proposal(user, call.id, organisation_id, received_at=at)
        elif step.kind == "save":
            current[i] = proposals.update_proposal(
                user, current[i].id, step.changes, current[i].revision, received_at=at
            )
        elif step.kind == "attach":
            proposals.add_attachment(
                user, current[i].id, step.filename, io.BytesIO(step.content), received_at=at
            )
        elif step.kind == "submit":
            proposals.submit_proposal(user, current[i].id, received_at=at)
        elif step.kind == "withdraw":
            proposals.withdraw_proposal(user, current[i].id, step.reason, received_at=at)
        else:  # pragma: no cover
            raise ValueError(step.kind)
        # Each service would normally commit, which expires the proposal; inside this one
        # transaction, expire it by hand so the next step reads it back as stored
        # (update_proposal leaves project_type as a plain str until it is reloaded).
        db.session.expire(current[i])


def _build(data: calls.CallInput, published_at: datetime, plans: list[Plan], password: str) -> None:
    call = calls.create_call(None, data)
    calls.publish_call(None, call.id, received_at=published_at)
    _run(call, plans, password)


def seed_calls(password: str, now: datetime | None = None) -> list[str]:
    """Create the two demo calls unless their codes exist; one summary line per call."""
    now = now or utcnow()
    year = open_call_year(now)
    with transaction():
        for provider in PROVIDERS:
            _ensure_provider(provider, password)
        previous = year - 1
        if _get_call(call_code(previous)) is None:
            opens, _deadline = historic_window(previous)
            _build(
                _call_input(previous, opens, Decimal("2000000.00")),
                opens - timedelta(days=14),
                historic_plans(previous),
                password,
            )
        if _get_call(call_code(year)) is None:
            opens = open_call_opening(year, now)
            _build(
                _call_input(year, opens, Decimal("4500000.00")),
                opens - timedelta(days=14),
                open_plans(year, opens, now),
                password,
            )
    return [summary(_get_call(call_code(y)), now) for y in (year, year - 1)]


def summary(call: Call, now: datetime) -> str:
    counts = dict(
        db.session.execute(
            sa.select(Proposal.status, sa.func.count(Proposal.id))
            .where(Proposal.call_id == call.id)
            .group_by(Proposal.status)
        ).all()
    )
    by_status = ", ".join(f"{counts.get(status, 0)} {status.value}" for status in ProposalStatus)
    return (
        f"call {call.code} ({call.status_at(now).value}) deadline "
        f"{format_brussels(call.deadline)} {BRUSSELS.key}: "
        f"{sum(counts.values())} proposals ({by_status})"
    )
