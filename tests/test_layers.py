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
