"""No test module imports another test module: shared builders live in the domain's
``factories`` module (or ``tests/factories.py``), so running one test file never collects or
depends on another's private helpers."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(tree: ast.Module, package: tuple[str, ...]):
    """Every module an ``import``/``from ... import`` names, as dotted parts (relative imports
    resolved against ``package``), including each imported name (it may be a submodule)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = [*base, *(node.module.split(".") if node.module else [])]
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, [*module, alias.name]


def _offences(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent)
        package = relative.with_suffix("").parts[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, parts in _imported_modules(tree, package):
            if parts and parts[-1].startswith("test_"):
                found.append(f"{relative}:{line} imports {'.'.join(parts)}")
    return found


def test_no_test_module_imports_another_test_module():
    assert _offences(TESTS) == []


def test_the_check_finds_absolute_and_relative_imports_of_test_modules(tmp_path):
    package = tmp_path / "tests" / "reviews"
    package.mkdir(parents=True)
    (package / "factories.py").write_text("from tests.factories import make_user\n")
    (package / "test_a.py").write_text("from tests.reviews.test_b import _world\n")
    (package / "test_c.py").write_text("from .test_b import _world\nimport tests.reviews.test_b\n")
    (package / "test_d.py").write_text("from tests.reviews import test_b\n")
    (package / "test_e.py").write_text("from . import factories\n")

    assert _offences(tmp_path / "tests") == [
        "tests/reviews/test_a.py:1 imports tests.reviews.test_b",
        "tests/reviews/test_c.py:1 imports tests.reviews.test_b",
        "tests/reviews/test_c.py:2 imports tests.reviews.test_b",
        "tests/reviews/test_d.py:1 imports tests.reviews.test_b",
    ]
