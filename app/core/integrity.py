"""The result of one integrity check (``flask audit verify`` runs several), and the one
comparison they share: stored records against the fingerprints the audit trail recorded."""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class CheckResult:
    name: str  # what was checked, plural: "audit records"
    count: int  # how many were found intact before the first problem (all, if none)
    problem: str | None = None  # the first record that does not hold, named


def verify_fingerprinted(
    name: str,
    stored: Iterable[T],
    recorded: dict[K, tuple[str | None, int]],
    *,
    key: Callable[[T], K],
    label: Callable[[T], str],
    intact: Callable[[T], bool],
    fingerprint: Callable[[T], str],
    event: str,
    missing: Callable[[K], str],
) -> CheckResult:
    """Walk ``stored`` in order and stop at the first record that does not hold: its content
    no longer matches its fingerprint (``intact``: altered), the audit trail has no
    ``event`` of it (inserted), or the audit trail recorded another fingerprint (replaced).
    Then the first recorded ``event`` whose record is gone (removed).

    ``recorded`` maps each record's ``key`` to (fingerprint, audit record id) as the audit
    trail wrote it; ``missing`` names a key without a record, as in "decision record 4,
    published"."""
    recorded = dict(recorded)
    count = 0
    for item in stored:
        named = label(item)
        if not intact(item):
            return CheckResult(
                name, count, f"{named}: its content does not match its fingerprint (altered)"
            )
        found = recorded.pop(key(item), None)
        if found is None:
            return CheckResult(name, count, f"{named}: no audit record of its {event} (inserted)")
        if found[0] != fingerprint(item):
            return CheckResult(
                name,
                count,
                f"{named}: its fingerprint differs from the one in audit record "
                f"{found[1]} (replaced)",
            )
        count += 1
    if recorded:
        gone, (_, audit_id) = min(recorded.items(), key=lambda entry: entry[1][1])
        return CheckResult(
            name, count, f"{missing(gone)} in audit record {audit_id}: missing (removed)"
        )
    return CheckResult(name, count)
