"""Every action the code records has a readable name in the audit log."""

import re
from pathlib import Path

from app.audit import labels

APP = Path(__file__).resolve().parents[2] / "app"
# the action code passed to record(actor, "x.y", ...) or a read document passed to
# record_read / log_confidential_read (stored as "read.<document>")
RECORDED = re.compile(r"\brecord\(\s*[\w.]+,\s*\"([a-z_]+\.[a-z_]+)\"")
READ = re.compile(
    r"\b(?:record_read|log_confidential_read)\(\s*[\w.]+,\s*(?:[\w.]+,\s*)?\"([a-z_]+)\""
)


def _codes() -> set[str]:
    codes = set()
    for path in APP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes.update(RECORDED.findall(text))
        codes.update(f"read.{name}" for name in READ.findall(text))
    return codes


def test_the_scan_finds_the_actions():
    codes = _codes()
    assert {"proposal.saved", "read.attachment", "read.ranking_export"} <= codes


def test_every_recorded_action_has_a_name():
    missing = sorted(code for code in _codes() if code not in labels.ACTIONS)
    assert not missing, f"add these to app/audit/labels.py ACTIONS: {missing}"
