"""Two calls compared at the same point of their submission periods."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.calls.models import ALL_PROJECT_TYPES, ALL_PROVIDER_TYPES, ALL_TECHNOLOGIES, Call
from app.core.permissions import require
from app.reporting import permissions
from app.reporting.labels import project_type_label, provider_type_label, technology_label
from app.reporting.moments import comparison_moment
from app.reporting.statistics import CallStatistics, call_statistics


def percent_change(old: int | Decimal, new: int | Decimal) -> Decimal | None:
    """(new - old) / old in percent, to one decimal; None ("n/a") when the base is zero."""
    old, new = Decimal(old), Decimal(new)
    if old == 0:
        return None
    return ((new - old) / old * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ComparisonRow:
    key: str
    label: str
    earlier: int | Decimal
    later: int | Decimal
    change: Decimal | None
    money: bool = False


@dataclass
class Comparison:
    earlier: CallStatistics
    later: CallStatistics
    rows: list[ComparisonRow]


def comparison_call_statistics(actor: User, main: CallStatistics, other: Call) -> Comparison:
    """``other`` at the same point of its submission period, compared with ``main``;
    the change is computed against whichever call has the earlier deadline."""
    require(permissions.can_view_statistics(actor))
    other_stats = call_statistics(actor, other, comparison_moment(main.call, other, main.as_of))
    return compare(main, other_stats)


def compare(a: CallStatistics, b: CallStatistics) -> Comparison:
    earlier, later = (
        (a, b) if (a.call.deadline, a.call.id) <= (b.call.deadline, b.call.id) else (b, a)
    )
    rows: list[ComparisonRow] = []

    def add(key: str, label: object, old: Any, new: Any, money: bool = False) -> None:
        rows.append(ComparisonRow(key, str(label), old, new, percent_change(old, new), money))

    add(
        "submitted",
        _l("Submitted proposals"),
        earlier.by_status["submitted"],
        later.by_status["submitted"],
    )
    add("draft", _l("Drafts"), earlier.by_status["draft"], later.by_status["draft"])
    add("withdrawn", _l("Withdrawn"), earlier.by_status["withdrawn"], later.by_status["withdrawn"])
    add("vr_or_ai", _l("VR or AI (distinct proposals)"), earlier.vr_or_ai, later.vr_or_ai)
    add("vr_and_ai", _l("Both VR and AI"), earlier.vr_and_ai, later.vr_and_ai)
    for code in ALL_TECHNOLOGIES:
        if code in earlier.by_technology or code in later.by_technology:
            add(
                f"technology.{code}",
                technology_label(code),
                earlier.by_technology.get(code, 0),
                later.by_technology.get(code, 0),
            )
    for code in ALL_PROJECT_TYPES:
        add(
            f"project_type.{code}",
            _("Project type: %(type)s", type=project_type_label(code)),
            earlier.by_project_type[code],
            later.by_project_type[code],
        )
    for code in ALL_PROVIDER_TYPES:
        add(
            f"provider_type.{code}",
            _("Provider type: %(type)s", type=provider_type_label(code)),
            earlier.by_provider_type[code],
            later.by_provider_type[code],
        )
    add(
        "requested_budget_eur",
        _l("Requested budget (EUR)"),
        earlier.requested_budget,
        later.requested_budget,
        money=True,
    )
    return Comparison(earlier, later, rows)
