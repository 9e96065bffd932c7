"""The layer rule of DESIGN.md section 7: models imports neither server nor federation;
federation does not import server."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"models": ("server", "federation"), "federation": ("server",)}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_point_one_way(package: str) -> None:
    files = list((ROOT / package).rglob("*.py"))
    assert files or package == "federation"
    for path in files:
        bad = _imports(path) & set(FORBIDDEN[package])
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_only_config_reads_the_environment() -> None:
    readers = [
        p.relative_to(ROOT)
        for pkg in ("models", "server", "federation")
        for p in (ROOT / pkg).rglob("*.py")
        if "os.environ" in p.read_text() or "getenv" in p.read_text()
    ]
    assert readers == [Path("models/config.py")]


def _models_graph() -> dict[str, set[str]]:
    """Which module of ``models`` imports which, at any depth of the code (imports inside
    functions count: they hide a circle, they do not break it)."""
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "models").glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "models":
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("models."):
                found.add(str(node.module).split(".")[1])
        graph[path.stem] = found - {path.stem}
    return graph


def test_models_import_each_other_in_no_circle() -> None:
    """What follows an event has one home (``models.happenings``) above the models it
    touches, so no model module needs to reach back up to another."""
    graph = _models_graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            circle = [*path[path.index(module) :], module]
            raise AssertionError("models import in a circle: " + " -> ".join(circle))
        if module in done or module not in graph:
            return
        for imported in sorted(graph[module]):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


# Packages of the optional extras (PostgreSQL's driver, the test tools): a node installed with
# the quickstart's plain ``pip install -e .`` has none of them, so no module of the app may
# import one when it is loaded (inside a function, for PostgreSQL only, is fine).
EXTRAS_ONLY = {"asyncpg", "pytest", "playwright", "mastodon", "toot", "websockets", "moto"}


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_app_loads_without_the_optional_extras() -> None:
    found = {
        str(path.relative_to(ROOT)): bad
        for pkg in ("models", "server", "federation")
        for path in (ROOT / pkg).rglob("*.py")
        if (bad := _top_level_imports(path) & EXTRAS_ONLY)
    }
    assert not found, f"imported at load time, absent from a plain install: {found}"
