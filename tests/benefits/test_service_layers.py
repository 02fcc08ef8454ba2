"""The benefit services import each other in one direction, at the top of each module: the
agreements call the obligations, both call the agreement's later life (``lifecycle``) and the
fund, and everything rests on ``_common``. No import hides inside a function to get round a
circle."""

import ast
from pathlib import Path

import benefits.services

PACKAGE = Path(benefits.services.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
# The layers, top to bottom: a module may import only modules listed after it.
LAYERS = ["agreements", "obligations", "lifecycle", "fund", "_common"]


def _tree(name):
    return ast.parse((PACKAGE / f"{name}.py").read_text(), filename=f"{name}.py")


def _siblings_imported(name) -> set[str]:
    found = set()
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add((node.module or "").split(".")[0])
    return found - {""}


def test_every_service_module_has_its_layer():
    assert sorted(LAYERS) == MODULES


def test_no_service_module_imports_inside_a_function():
    hidden = []
    for name in MODULES:
        for node in ast.walk(_tree(name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        hidden.append((name, node.name, inner.lineno))
    assert not hidden, hidden


def test_service_modules_import_only_the_layers_below_them():
    upward = []
    for position, name in enumerate(LAYERS):
        below = set(LAYERS[position + 1 :])
        for sibling in _siblings_imported(name):
            if sibling not in below:
                upward.append((name, sibling))
    assert not upward, upward
