"""Everything ``flask audit verify`` checks: the audit chain, then the checks the domains
register (app/cli.py wires them: stored version and decision fingerprints), then every
stored file against its hash."""

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, current_app

from app.audit import chain
from app.audit.models import AuditRecord
from app.core import files
from app.core.db import db
from app.core.integrity import CheckResult


@dataclass
class Checks:
    records: list[Callable[[], CheckResult]] = field(default_factory=list)
    # Each returns the stored files its domain refers to: hash -> who refers to it.
    file_references: list[Callable[[], dict[str, str]]] = field(default_factory=list)


def register(
    app: Flask,
    *,
    records: list[Callable[[], CheckResult]],
    file_references: list[Callable[[], dict[str, str]]],
) -> None:
    checks = app.extensions.setdefault("integrity_checks", Checks())
    checks.records.extend(records)
    checks.file_references.extend(file_references)


def verify_chain(anchor: str | None = None) -> tuple[CheckResult, str]:
    """The chain, and its head hash (to note elsewhere: ``--anchor`` checks it later)."""
    report = chain.verify(db.session.connection())
    problem = report.problem
    if problem is None and anchor:
        found = db.session.scalar(sa.select(AuditRecord.id).where(AuditRecord.hash == anchor))
        if found is None:
            problem = (
                f"the anchor {anchor} is no longer in the chain: records up to it were rewritten"
            )
    return CheckResult("audit records", report.count, problem), report.head


def run_all(anchor: str | None = None) -> tuple[list[CheckResult], str]:
    checks: Checks = current_app.extensions.get("integrity_checks") or Checks()
    chain_result, head = verify_chain(anchor)
    results = [chain_result] + [check() for check in checks.records]
    referenced: dict[str, str] = {}
    for references in checks.file_references:
        for sha256, owner in references().items():
            referenced.setdefault(sha256, owner)
    count, problem = files.verify_stored(referenced)
    results.append(CheckResult("stored files", count, problem))
    return results, head


def summary(results: list[CheckResult], head: str) -> str:
    counts = ", ".join(f"{result.count} {result.name}" for result in results)
    return f"Intact: {counts}; audit chain head {head}"
