"""The ranking with overrides, publication and decision records, the ranking exports, and
the evaluation summary report (PDF) that the applicant reads once the decision is published.
Officials only, except the summary report: 404 for everyone who may not read it."""

import io
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.audit import services as audit
from app.auth.models import User
from app.calls import services as calls
from app.calls.models import Call
from app.core import documents, exports, formatting
from app.core.db import db
from app.core.forms import submit_form
from app.core.permissions import Role, roles_required
from app.core.time import format_brussels, to_brussels, utcnow
from app.proposals import storage as proposal_storage
from app.proposals.models import Proposal
from app.reviews import facts, permissions, result_queries, review_exports
from app.reviews.blueprint import bp
from app.reviews.forms import OverrideForm
from app.reviews.models import Outcome
from app.reviews.pdf import ranking_pdf, summary_pdf
from app.reviews.rules import ranking as ranking_rules
from app.reviews.view_helpers import call_by_code, download, language, proposal_of

if TYPE_CHECKING:
    from openpyxl import Workbook

# ---------------------------------------------------------------------------- ranking

RANKING_FILTERS = ranking_rules.RANKING_FILTERS


def _ranking_page(call: Call, override_form: OverrideForm | None = None):
    """One page of the ranking. The order and the budget line need every row: the order
    is cached as light rows and only this page's rows are built; the totals come from all
    of them, never from the page's rows."""
    page, summary, shown_filter = ranking_rules.ranking_page(call.id, request.args)
    records = result_queries.decision_records(call.id)
    if override_form is None:
        override_form = OverrideForm(formdata=None)
    override_form.proposal_id.choices = [("", _("Choose a proposal"))] + [
        (row.proposal.id, f"{row.proposal.reference} – {row.proposal.display_title}")
        for row in page.items
        if row.computed is not None
    ]
    last_funded = summary.last_funded_id
    return render_template(
        "reviews/official/ranking.html",
        call=call,
        page=page,
        ranked=[row for row in page.items if row.rank is not None],
        ranked_count=summary.ranked,
        unranked=[row for row in page.items if row.rank is None],
        last_funded=last_funded,
        last_funded_rank=summary.last_funded_rank,
        funded_total=summary.funded_total,
        funded_count=summary.funded,
        budget_line_here=shown_filter == "all"
        and (
            (last_funded is None and page.number == 1)
            or any(row.proposal.id == last_funded for row in page.items)
        ),
        settings=facts.settings_of(call),
        records=records,
        tie_break=ranking_rules.TIE_BREAK,
        override_form=override_form,
        complete=summary.complete,
        list_args={"outcome": shown_filter} if shown_filter != "all" else {},
        outcome_filter=shown_filter,
        filters=RANKING_FILTERS,
    )


@bp.get("/calls/<code>/ranking")
@roles_required(Role.official)
def ranking(code: str):
    """The ranking with the budget line; a fixed number of queries."""
    return _ranking_page(call_by_code(code))


@bp.post("/calls/<code>/ranking/override")
@roles_required(Role.official)
def override(code: str):
    call = call_by_code(code)
    form = OverrideForm()

    def override_outcome() -> tuple[Proposal, Outcome | None]:
        proposal = proposal_of(call, form.proposal_id.data)
        outcome = Outcome(form.outcome.data) if form.outcome.data else None
        ranking_rules.override_outcome(current_user, proposal.id, outcome, form.reason.data)
        return proposal, outcome

    def overridden(done: tuple[Proposal, Outcome | None]) -> str:
        proposal, outcome = done
        return _(
            "%(reference)s: the outcome in force is now “%(outcome)s”.",
            reference=proposal.reference,
            outcome=outcome.label if outcome else _("the computed outcome"),
        )

    done = submit_form(
        form, override_outcome, success=overridden, then=url_for(".ranking", code=call.code)
    )
    if done:
        return done
    return _ranking_page(call, override_form=form), 422


@bp.get("/calls/<code>/decisions/<int:number>.json")
@roles_required(Role.official)
def decision_record(code: str, number: int):
    """The frozen decision record, for audit: its fingerprint is the SHA-256 of ``data``
    serialised with sorted keys, no spaces and UTF-8 text (see ``fingerprint_method``)."""
    call = call_by_code(code)
    record = result_queries.get_decision_record(current_user, call.id, number)
    audit.record_read(
        current_user, "decision_record", record, {"call": call.code, "number": record.number}
    )
    body = {
        "call": call.code,
        "number": record.number,
        "published_at": to_brussels(record.published_at).isoformat(),
        "published_by_id": record.published_by_id,
        "reason": record.reason,
        "notified_on": record.notified_on.isoformat(),
        "objection_until": record.objection_until.isoformat(),
        "fingerprint": record.fingerprint,
        "fingerprint_method": "sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, "
        "separators=(',', ':')).encode('utf-8'))",
        "data": record.data,
    }
    text = json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True)
    return download(
        text.encode("utf-8"), "application/json", f"beslissing-{call.code}-{record.number}.json"
    )


RANKING_COLUMNS = (
    "rank",
    "reference",
    "title",
    "organisation",
    "enterprise_number",
    "score",
    "requested_eur",
    "cumulative_eur",
    "computed_outcome",
    "outcome",
    "override_reason",
    "failed_thresholds",
)


def _with_consensus(call: Call, rows, records: list[dict]) -> tuple[list[str], list[dict]]:
    """The ranking columns plus the consensus score per criterion (one query)."""
    criteria = facts.criteria_of(call.id)
    consensus = review_exports.consensus_by_proposal(call.id)
    headers = review_exports.consensus_headers(criteria)
    for row, record in zip(rows, records, strict=True):
        record.update(
            zip(
                headers,
                review_exports.consensus_values(row.proposal.id, criteria, consensus),
                strict=True,
            )
        )
    return [*RANKING_COLUMNS, *headers], records


def _ranking_records(rows) -> list[dict]:
    return [
        {
            "rank": row.rank,
            "reference": row.proposal.reference,
            "title": row.proposal.display_title,
            "organisation": row.proposal.organisation.legal_name,
            "enterprise_number": row.proposal.organisation.enterprise_number,
            "score": row.score,
            "requested_eur": row.requested,
            "cumulative_eur": row.cumulative,
            "computed_outcome": row.computed.value if row.computed else "",
            "outcome": row.outcome.value if row.outcome else "",
            "override_reason": row.override.reason if row.override else "",
            "failed_thresholds": ", ".join(str(name) for name in row.failed),
        }
        for row in rows
    ]


def _flat(value: Any) -> str | int | Decimal:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))  # written with the CSV variant's decimal mark
    return value


def _ranking_csv(rows, call: Call) -> bytes:
    """In the variant the link asked for (app.core.exports.write_csv)."""
    columns, records = _with_consensus(call, rows, _ranking_records(rows))
    return exports.write_csv(
        [columns, *[[_flat(record[key]) for key in columns] for record in records]]
    )


def _ranking_xlsx(call: Call, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Ranking")[:31]
    columns, records = _with_consensus(call, rows, _ranking_records(rows))
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    budget_line_done = False
    for row, record in zip(rows, records, strict=True):
        if not budget_line_done and row.computed is not Outcome.funded:
            sheet.append(
                [
                    exports.neutralise(
                        _("Budget line: %(budget)s", budget=formatting.euro(call.budget_eur))
                    )
                ]
            )
            sheet.cell(sheet.max_row, 1).font = Font(bold=True)
            budget_line_done = True
        values = []
        for key in columns:
            value = record[key]
            values.append(exports.neutralise(value) if isinstance(value, str) else value)
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal | float):
                cell.number_format = exports.EURO_FORMAT
    if not budget_line_done:
        sheet.append(
            [
                exports.neutralise(
                    _("Budget line: %(budget)s", budget=formatting.euro(call.budget_eur))
                )
            ]
        )
    sheet.append([])
    sheet.append([exports.neutralise(str(ranking_rules.TIE_BREAK))])
    sheet.append(
        [
            exports.neutralise(
                _("As of %(moment)s (Brussels time).", moment=format_brussels(utcnow()))
            )
        ]
    )
    sheet.freeze_panes = "A2"
    for column, width in zip(
        "ABCDEFGHIJKL", (6, 16, 40, 30, 14, 8, 14, 14, 16, 16, 30, 30), strict=True
    ):
        sheet.column_dimensions[column].width = width
    _individual_sheet(workbook, call, rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _individual_sheet(workbook: "Workbook", call: Call, rows) -> None:
    """A second sheet: every submitted review's scores and justifications, evaluators as
    "Evaluator 1..n" per proposal."""
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(_("Individual scores")[:31])
    sheet.append(review_exports.individual_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in review_exports.individual_rows(
        call.id, [r.proposal.id for r in rows], facts.criteria_of(call.id)
    ):
        sheet.append([exports.neutralise(v) if isinstance(v, str) else v for v in values])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDE", (16, 14, 40, 8, 80), strict=True):
        sheet.column_dimensions[column].width = width


@bp.get("/calls/<code>/ranking.<any(csv, xlsx, pdf):fmt>")
@roles_required(Role.official)
def ranking_export(code: str, fmt: str):
    call = call_by_code(code)
    rows = ranking_rules.ranking(call.id)
    audit.record_read(current_user, "ranking_export", call, {"call": call.code, "format": fmt})
    stamp = to_brussels(utcnow()).strftime("%Y%m%d-%H%M")
    name = f"rangschikking-{call.code}-{stamp}.{fmt}"
    if fmt == "csv":
        return download(_ranking_csv(rows, call), exports.CSV_MIMETYPE, name)
    if fmt == "xlsx":
        return download(_ranking_xlsx(call, rows), exports.XLSX_MIMETYPE, name)
    return download(ranking_pdf(call, rows), "application/pdf", name)


def _render_ranking_pdf(owner_id: int, params: dict) -> tuple[bytes, str]:
    """The ranking PDF in a background job (minutes for thousands of rows), as the owner
    would have had it from ``ranking_export``."""
    user = db.session.get(User, owner_id)
    if user is None or not permissions.can_manage(user):
        raise PermissionError("no longer allowed")
    path = f"/evaluation/calls/{quote(params['code'])}/ranking.pdf"
    with current_app.test_request_context(path), force_locale(params.get("lang") or "nl"):
        call = calls.get_call_by_code(user, params["code"])
        body = ranking_pdf(call, ranking_rules.ranking(call.id))
    audit.record_read(
        user, "ranking_export", call, {"call": call.code, "format": "pdf", "prepared": True}
    )
    stamp = to_brussels(utcnow()).strftime("%Y%m%d-%H%M")
    return body, f"rangschikking-{call.code}-{stamp}.pdf"


documents.register(
    "ranking_pdf",
    allowed=permissions.can_manage,
    render=_render_ranking_pdf,
    label=_l("Ranking (PDF)"),
)


@bp.post("/calls/<code>/ranking.pdf/prepare")
@roles_required(Role.official)
def prepare_ranking_pdf(code: str):
    """Queue the ranking PDF as a background job and follow it on the document's page."""
    call = call_by_code(code)
    document = documents.prepare(
        current_user, "ranking_pdf", {"code": call.code, "lang": language()}
    )
    return redirect(
        url_for("main.document", document_id=document.id, back=url_for(".ranking", code=call.code))
    )


# ---------------------------------------------------------------------------- the applicant's


@bp.get("/summary/<int:proposal_id>.pdf")
@login_required
def summary_report(proposal_id: int):
    """The evaluation summary report: the organisation's members and officials, once the
    decision is published; 404 for everyone else. Never an evaluator's name."""
    proposal, result = result_queries.summary_of(current_user, proposal_id, language())
    proposal_storage.log_confidential_read(current_user, proposal, "summary_report")
    return download(
        summary_pdf(proposal, result),
        "application/pdf",
        f"beoordelingsverslag-{proposal.reference}.pdf",
    )
