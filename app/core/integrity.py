"""The result of one integrity check (``flask audit verify`` runs several)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    name: str  # what was checked, plural: "audit records"
    count: int  # how many were found intact before the first problem (all, if none)
    problem: str | None = None  # the first record that does not hold, named
