"""The proposal's sections and fields: one list used by forms, checks, snapshots and diffs."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Section:
    key: str
    title: object
    fields: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "general",
        _l("General"),
        (
            "title",
            "acronym",
            "project_type",
            "training_name",
            "training_current_form",
            "training_hours",
            "training_reference",
        ),
    ),
    Section(
        "design",
        _l("E-learning design"),
        (
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
        ),
    ),
    Section("technologies", _l("Technologies and methods"), ("technologies", "technology_other")),
    Section("planning", _l("Planning"), ("start_date", "end_date", "milestones")),
    Section("budget", _l("Budget"), ("requested_eur", "own_contribution_eur")),
    Section("partners", _l("Partners and participants"), ("partners", "expected_participants")),
)

SECTION_BY_KEY = {section.key: section for section in SECTIONS}
FIELD_NAMES: tuple[str, ...] = tuple(name for section in SECTIONS for name in section.fields)
SECTION_OF = {name: section.key for section in SECTIONS for name in section.fields}

LABELS = {
    "title": _l("Title of the project"),
    "acronym": _l("Acronym"),
    "project_type": _l("Project type"),
    "training_name": _l("Training concerned"),
    "training_current_form": _l("Current form of the training"),
    "training_hours": _l("Length of the training in hours"),
    "training_reference": _l(
        "Reference in the training database of the Flemish training incentives"
    ),
    "learning_objectives": _l("Learning objectives"),
    "content": _l("Learning content"),
    "didactic_approach": _l("Didactic approach"),
    "target_group": _l("Target group"),
    "disadvantaged_groups": _l("Disadvantaged groups reached"),
    "practice_oriented": _l("Is the training practice-oriented?"),
    "practice_explanation": _l("Explain how the training is practice-oriented"),
    "guidance_before": _l("Guidance of learners before the training"),
    "guidance_during": _l("Guidance of learners during the training"),
    "guidance_after": _l("Guidance of learners after the training"),
    "lms_follow_up": _l("How the blend of online and contact learning is followed up in the LMS"),
    "technologies": _l("Technologies and methods used"),
    "technology_other": _l("Other technology or method"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "milestones": _l("Milestones"),
    "requested_eur": _l("Requested amount (EUR)"),
    "own_contribution_eur": _l("Own contribution (EUR)"),
    "partners": _l("Partners"),
    "expected_participants": _l("Expected number of participants"),
    "attachments": _l("Attachments"),
}
