"""The layering rules: models, services and report formats never import Flask, so
notebooks and the CLI share every rule with the web."""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "counterclaim"
LAYERS = ["models", "services", "report_formats"]


def _imports(path: Path) -> set[str]:
    """The absolute names of the modules a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["counterclaim", *path.relative_to(PACKAGE).parent.parts]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            names.add(".".join([*base, node.module] if node.module else base))
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", LAYERS)
def test_the_layer_never_imports_flask_or_the_web(layer):
    files = sorted((PACKAGE / layer).rglob("*.py"))  # sub-packages too (services/exchange)
    assert files
    for path in files:
        forbidden = {
            name for name in _imports(path)
            if name.split(".")[0] in {"flask", "flask_wtf", "wtforms", "werkzeug"}
            or name.startswith("counterclaim.web")
        }  # fmt: skip
        assert not forbidden, f"{path.name} imports {sorted(forbidden)}"


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(PACKAGE.rglob("*.py")) if _lines(p) > 400],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_a_module_over_400_lines_says_why_at_its_top(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert re.search(r"\b(over|longer than) 400 lines\b", docstring, re.I), "split it or say why"
