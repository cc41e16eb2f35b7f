"""A call's statistics as of a moment, aggregated by the database.

The figures of ``services.compute_statistics`` (which counts loaded rows in Python and stays
as the reference the tests compare with), computed by a fixed number of GROUP BY queries
over the counting versions: for each proposal not withdrawn by the moment, its last version
submitted at or before it. Technologies are read from the versions' JSON: ``json_each`` on
SQLite, ``jsonb_array_elements_text`` on PostgreSQL. Amounts are summed exactly: as
``numeric`` on PostgreSQL, as whole cents on SQLite (amounts have two decimals).

The indexes these queries use: proposals by call and versions by proposal and moment
(migration 7a1c4e2b9d30), verifications by proposal and moment.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.calls.models import ALL_PROJECT_TYPES, ALL_PROVIDER_TYPES, ALL_TECHNOLOGIES, Call
from app.core.db import UTCDateTime, db
from app.core.time import to_brussels

VR_OR_AI = ("vr", "ai")
PRACTICE = ("yes", "no")
STATUSES = ("draft", "submitted", "withdrawn")


@dataclass
class Figures:
    """The counted figures of a call at a moment: the one shape ``figures`` returns and
    ``statistics.CallStatistics`` extends (with the call, the moment, the days and the
    evaluation)."""

    by_status: dict[str, int]
    by_technology: dict[str, int]
    verified_by_technology: dict[str, int]
    verified_count: int
    vr_or_ai: int
    vr_and_ai: int
    verified_vr_or_ai: int
    verified_vr_and_ai: int
    by_project_type: dict[str, int]
    by_provider_type: dict[str, int]
    by_practice: dict[str, int]
    technology_by_project_type: dict[str, dict[str, int]]
    technology_by_provider_type: dict[str, dict[str, int]]
    technology_by_practice: dict[str, dict[str, int]]
    budget_by_technology: dict[str, Decimal]
    requested_budget: Decimal


def _sql(dialect: str) -> dict[str, str]:
    """The dialect's expressions, as SQL text over the aliases used below."""
    if dialect == "postgresql":
        return {
            "project_type": "(pv.data ->> 'project_type')",
            # the organisation as the version froze it (older versions: as it is now)
            "provider": "COALESCE(pv.organisation::jsonb ->> 'provider_type', o.provider_type)",
            "practice": "CASE WHEN (pv.data ->> 'practice_oriented')::boolean "
            "THEN 'yes' ELSE 'no' END",
            "amount": "NULLIF(pv.data ->> 'requested_eur', '')::numeric",
            "declared": "CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN "
            "jsonb_typeof(cur.data::jsonb -> 'technologies') = 'array' THEN "
            "cur.data::jsonb -> 'technologies' ELSE '[]'::jsonb END) AS e(value)",
            "checked": "CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN "
            "jsonb_typeof(ver.technologies::jsonb) = 'array' THEN "
            "ver.technologies::jsonb ELSE '[]'::jsonb END) AS e(value)",
            "hour": "to_char(date_trunc('hour', {column}), 'YYYY-MM-DD HH24')",
        }
    return {
        "provider": "COALESCE(json_extract(pv.organisation, '$.provider_type'), o.provider_type)",
        "project_type": "json_extract(pv.data, '$.project_type')",
        "practice": "CASE WHEN json_extract(pv.data, '$.practice_oriented') "
        "THEN 'yes' ELSE 'no' END",
        # whole cents, so the sum is exact
        "amount": "CAST(ROUND(CAST(NULLIF(json_extract(pv.data, '$.requested_eur'), '') "
        "AS REAL) * 100) AS INTEGER)",
        "declared": "JOIN json_each(cur.data, '$.technologies') AS e ON json_valid(cur.data)",
        "checked": "JOIN json_each(ver.technologies) AS e ON json_valid(ver.technologies)",
        "hour": "strftime('%Y-%m-%d %H', {column})",
    }


# The counting versions of the call at :t, with what the figures group by, and the
# verification in force at :t of each (the last at or before it).
_COUNTED = """
WITH counted AS MATERIALIZED (
  SELECT pv.proposal_id AS pid, MAX(pv.number) AS number
  FROM proposal_versions pv JOIN proposals p ON p.id = pv.proposal_id
  WHERE p.call_id = :call AND pv.submitted_at <= :t
    AND (p.withdrawn_at IS NULL OR p.withdrawn_at > :t)
  GROUP BY pv.proposal_id
), cur AS MATERIALIZED (
  SELECT counted.pid AS pid, {provider} AS provider, {project_type} AS project_type,
         {practice} AS practice, {amount} AS amount, pv.data AS data
  FROM counted
  JOIN proposal_versions pv ON pv.proposal_id = counted.pid AND pv.number = counted.number
  JOIN proposals p ON p.id = counted.pid
  JOIN organisations o ON o.id = p.organisation_id
), ranked AS (
  SELECT tv.proposal_id AS pid, tv.technologies AS technologies,
         ROW_NUMBER() OVER (PARTITION BY tv.proposal_id
                            ORDER BY tv.verified_at DESC, tv.id DESC) AS n
  FROM technology_verifications tv JOIN counted ON counted.pid = tv.proposal_id
  WHERE tv.verified_at <= :t
), ver AS MATERIALIZED (
  SELECT pid, technologies FROM ranked WHERE n = 1
), declared AS MATERIALIZED (
  SELECT DISTINCT cur.pid AS pid, e.value AS code FROM cur {declared}
  WHERE e.value IN :all_codes
), checked AS MATERIALIZED (
  SELECT DISTINCT ver.pid AS pid, e.value AS code FROM ver {checked}
  WHERE e.value IN :all_codes
)
"""

_STATUS = """
SELECT
  SUM(CASE WHEN p.withdrawn_at IS NOT NULL AND p.withdrawn_at <= :t THEN 1 ELSE 0 END),
  SUM(CASE WHEN (p.withdrawn_at IS NULL OR p.withdrawn_at > :t) AND p.created_at <= :t
            AND NOT EXISTS (SELECT 1 FROM proposal_versions pv
                            WHERE pv.proposal_id = p.id AND pv.submitted_at <= :t)
      THEN 1 ELSE 0 END)
FROM proposals p WHERE p.call_id = :call
"""

# one row per combination: (kind, code, project type, provider, practice, count, amount)
_GROUPS = """
SELECT 'all', '', project_type, provider, practice, COUNT(*), SUM(amount)
FROM cur GROUP BY project_type, provider, practice
UNION ALL
SELECT 'declared', declared.code, cur.project_type, cur.provider, cur.practice, COUNT(*),
       SUM(cur.amount)
FROM declared JOIN cur ON cur.pid = declared.pid
GROUP BY declared.code, cur.project_type, cur.provider, cur.practice
UNION ALL
SELECT 'checked', code, '', '', '', COUNT(*), NULL FROM checked GROUP BY code
UNION ALL
SELECT 'verified', '', '', '', '', COUNT(*), NULL FROM ver
UNION ALL
SELECT 'declared_vr_ai', '', '', '', '', COUNT(*), NULL FROM (
  SELECT pid, COUNT(*) AS n FROM declared WHERE code IN :vr_ai GROUP BY pid) AS d
WHERE n = 2
UNION ALL
SELECT 'declared_vr_or_ai', '', '', '', '', COUNT(DISTINCT pid), NULL FROM declared
WHERE code IN :vr_ai
UNION ALL
SELECT 'checked_vr_ai', '', '', '', '', COUNT(*), NULL FROM (
  SELECT pid, COUNT(*) AS n FROM checked WHERE code IN :vr_ai GROUP BY pid) AS c
WHERE n = 2
UNION ALL
SELECT 'checked_vr_or_ai', '', '', '', '', COUNT(DISTINCT pid), NULL FROM checked
WHERE code IN :vr_ai
"""

# versions submitted by :t per UTC hour (Brussels is a whole number of hours from UTC, so
# an hour lies in one Brussels day), and withdrawals by :t per hour
_DAYS = """
SELECT 'version', {version_hour}, SUM(CASE WHEN pv.number = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN pv.number = 1 THEN 0 ELSE 1 END)
FROM proposal_versions pv JOIN proposals p ON p.id = pv.proposal_id
WHERE p.call_id = :call AND pv.submitted_at <= :t
GROUP BY {version_hour}
UNION ALL
SELECT 'withdrawn', {withdrawn_hour},
       SUM(CASE WHEN EXISTS (SELECT 1 FROM proposal_versions pv
                             WHERE pv.proposal_id = p.id AND pv.submitted_at <= :t)
           THEN 1 ELSE 0 END), 0
FROM proposals p
WHERE p.call_id = :call AND p.withdrawn_at IS NOT NULL AND p.withdrawn_at <= :t
GROUP BY {withdrawn_hour}
"""


def _run(statement: str, call: Call, as_of: datetime):
    clause = sa.text(statement)
    binds = [sa.bindparam("call", call.id), sa.bindparam("t", as_of, type_=UTCDateTime())]
    if ":all_codes" in statement:
        binds.append(sa.bindparam("all_codes", list(ALL_TECHNOLOGIES), expanding=True))
    if ":vr_ai" in statement:
        binds.append(sa.bindparam("vr_ai", list(VR_OR_AI), expanding=True))
    return db.session.execute(clause.bindparams(*binds)).all()


def _money(value, dialect: str) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if dialect == "postgresql":
        return Decimal("0.00") + Decimal(value)
    return Decimal("0.00") + Decimal(int(value)) / 100


def figures(call: Call, as_of: datetime) -> Figures:
    """Two queries, whatever the number of proposals, versions and verifications."""
    dialect = db.engine.dialect.name
    sql = _sql(dialect)
    codes = list(call.technologies)
    counted = _COUNTED.format(**sql)

    withdrawn, drafts = _run(_STATUS, call, as_of)[0]
    groups = _run(counted + _GROUPS, call, as_of)

    by_project_type = Counter(dict.fromkeys(ALL_PROJECT_TYPES, 0))
    by_provider_type = Counter(dict.fromkeys(ALL_PROVIDER_TYPES, 0))
    by_practice = Counter(dict.fromkeys(PRACTICE, 0))
    declared = dict.fromkeys(codes, 0)
    verified = dict.fromkeys(codes, 0)
    tech_project = {code: dict.fromkeys(ALL_PROJECT_TYPES, 0) for code in codes}
    tech_provider = {code: dict.fromkeys(ALL_PROVIDER_TYPES, 0) for code in codes}
    tech_practice = {code: dict.fromkeys(PRACTICE, 0) for code in codes}
    budget = {code: Decimal("0.00") for code in codes}
    total = Decimal("0.00")
    submitted = verified_count = 0
    single: dict[str, int] = {}
    for kind, code, project_type, provider, practice, count, amount in groups:
        count = int(count or 0)
        if kind == "all":
            submitted += count
            if project_type:
                by_project_type[project_type] += count
            by_provider_type[provider] += count
            by_practice[practice] += count
            total += _money(amount, dialect)
        elif kind == "declared":
            if code not in declared:
                continue
            declared[code] += count
            if project_type in tech_project[code]:
                tech_project[code][project_type] += count
            tech_provider[code][provider] += count
            tech_practice[code][practice] += count
            budget[code] += _money(amount, dialect)
        elif kind == "checked":
            if code in verified:
                verified[code] += count
        elif kind == "verified":
            verified_count = count
        else:
            single[kind] = count

    return Figures(
        by_status={
            "draft": int(drafts or 0),
            "submitted": submitted,
            "withdrawn": int(withdrawn or 0),
        },
        by_technology=declared,
        verified_by_technology=verified,
        verified_count=verified_count,
        vr_or_ai=single.get("declared_vr_or_ai", 0),
        vr_and_ai=single.get("declared_vr_ai", 0),
        verified_vr_or_ai=single.get("checked_vr_or_ai", 0),
        verified_vr_and_ai=single.get("checked_vr_ai", 0),
        by_project_type=dict(by_project_type),
        by_provider_type=dict(by_provider_type),
        by_practice=dict(by_practice),
        technology_by_project_type=tech_project,
        technology_by_provider_type=tech_provider,
        technology_by_practice=tech_practice,
        budget_by_technology=budget,
        requested_budget=total,
    )


def day_events(call: Call, as_of: datetime) -> dict[date, list[int]]:
    """Per Brussels day: [new, resubmitted, withdrawn (after a submission)], and the days
    with any event at all (a withdrawal of a proposal never submitted widens the range).
    One query."""
    sql = _sql(db.engine.dialect.name)
    statement = _DAYS.format(
        version_hour=sql["hour"].format(column="pv.submitted_at"),
        withdrawn_hour=sql["hour"].format(column="p.withdrawn_at"),
    )
    events: dict[date, list[int]] = {}
    for kind, hour, first, second in _run(statement, call, as_of):
        day = to_brussels(datetime.strptime(hour, "%Y-%m-%d %H").replace(tzinfo=UTC)).date()
        entry = events.setdefault(day, [0, 0, 0])
        if kind == "version":
            entry[0] += int(first or 0)
            entry[1] += int(second or 0)
        else:
            entry[2] += int(first or 0)
    return events


def days_from_events(call: Call, events: dict[date, list[int]], as_of: datetime):
    """(day, new, resubmitted, withdrawn, cumulative) from the opening (or the first event)
    up to the deadline (or the last event), stopping at the moment's day."""
    first = to_brussels(call.opens_at).date()
    last = to_brussels(call.deadline).date()
    if events:
        first = min(first, *events)
        last = max(last, *events)
    last = min(last, to_brussels(as_of).date())
    days = []
    day, running = first, 0
    while day <= last:
        new, again, gone = events.get(day, (0, 0, 0))
        running += new - gone
        days.append((day, new, again, gone, running))
        day += timedelta(days=1)
    return days
