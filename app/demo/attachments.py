"""The demo proposals' attachments: real PDFs (budget, planning, letter of intent,
storyboard) written from the proposal's own fields, laid out by WeasyPrint from
``templates/attachment.html`` as the applicant's own document (their letterhead, not the
portal's)."""

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from app.core.money import format_euro
from app.demo.content import Provider

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class Section:
    heading: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)  # (label, amount or date)
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pdf:
    """An attachment laid out, rendered to PDF bytes only when stored: the plans (and their
    tests) stay cheap to build, the seed renders each file it attaches."""

    html: str

    def render(self) -> bytes:
        """The PDF bytes; the same input always gives the same bytes."""
        return _pdf(self.html)


def render(
    title: str, provider: Provider, fields: dict[str, Any], call_code: str, sections: list[Section]
) -> Pdf:
    """One attachment, laid out."""
    return Pdf(
        _TEMPLATES.get_template("attachment.html").render(
            title=title, provider=provider, fields=fields, call_code=call_code, sections=sections
        )
    )


@lru_cache(maxsize=512)
def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # on first use: the app does not hold it in every worker

    # The demo is deterministic: a second seed in the same process (the tests) reuses them.
    return HTML(string=html).write_pdf()


def attachment(
    kind: str, provider: Provider, fields: dict[str, Any], call_code: str
) -> tuple[str, Pdf]:
    """(filename, document) of one of a proposal's attachments."""
    if kind == "begroting":
        total = fields["requested_eur"] + fields["own_contribution_eur"]
        sections = [
            Section(
                rows=[
                    ("Gevraagde subsidie", format_euro(fields["requested_eur"])),
                    ("Eigen bijdrage", format_euro(fields["own_contribution_eur"])),
                    ("Totale projectkost", format_euro(total)),
                ]
            ),
            Section(
                "Verdeling van de kosten",
                rows=[
                    ("Personeelskosten ontwikkeling en begeleiding", "70 %"),
                    ("Werkingskosten (licenties, materiaal, verplaatsingen)", "20 %"),
                    ("Forfait indirecte kosten", "10 %"),
                ],
            ),
        ]
        return "Projectbegroting.pdf", render(
            "Projectbegroting", provider, fields, call_code, sections
        )
    if kind == "planning":
        sections = [
            Section(
                lines=[
                    f"Looptijd: {fields['start_date']:%d-%m-%Y} tot {fields['end_date']:%d-%m-%Y}"
                ]
            ),
            Section(
                "Mijlpalen",
                rows=[
                    (m["description"], f"{date.fromisoformat(m['date']):%d-%m-%Y}")
                    for m in fields["milestones"]
                ],
            ),
        ]
        return "Planning en mijlpalen.pdf", render(
            "Planning en mijlpalen", provider, fields, call_code, sections
        )
    if kind == "partner" and fields["partners"]:
        partner = fields["partners"][0]
        sections = [
            Section(
                lines=[
                    f"{partner['name']} ({partner['enterprise_number']}) bevestigt hierbij dat "
                    f"het als partner meewerkt aan dit project en {partner['role']}.",
                    f"Opgemaakt te {provider.city}.",
                    "Voor de partner: de zaakvoerder",
                ]
            )
        ]
        return f"Intentieverklaring {partner['name']}.pdf", render(
            "Intentieverklaring", provider, fields, call_code, sections
        )
    sections = [
        Section("Opbouw van de e-opleiding", lines=fields["content"].splitlines()[1:]),
        Section("Leerdoelen", lines=fields["learning_objectives"].splitlines()[1:]),
    ]
    return "Storyboard en leerpad.pdf", render(
        "Storyboard en leerpad", provider, fields, call_code, sections
    )
