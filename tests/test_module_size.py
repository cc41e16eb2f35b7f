"""No module under app/ is longer than MAX_LINES lines: a longer one is split by concern
(STYLE.md section 7)."""

from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
MAX_LINES = 600


def line_counts() -> dict[str, int]:
    return {
        path.relative_to(APP.parent).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(APP.rglob("*.py"))
    }


def test_every_module_under_app_is_at_most_600_lines():
    counts = line_counts()
    assert len(counts) > 50  # the walk found the package
    oversized = {path: lines for path, lines in counts.items() if lines > MAX_LINES}
    assert oversized == {}, f"split these modules by concern (at most {MAX_LINES} lines)"
