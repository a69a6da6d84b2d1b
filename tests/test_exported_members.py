"""Every name a module declares in __all__ exists (the surface other code imports is what the module says it is),
and nothing in the query engine imports the web app or the CLI (the engine is a package of its own)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import ccds_crosswalk

SERVER = Path(ccds_crosswalk.__file__).resolve().parent
MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages([str(SERVER)], prefix="ccds_crosswalk.")
    if not name.startswith("ccds_crosswalk.sources")
)


@pytest.mark.parametrize("name", MODULES)
def test_all_names_exist(name: str) -> None:
    module = importlib.import_module(name)
    for exported in getattr(module, "__all__", []):
        assert hasattr(module, exported), f"{name}.__all__ names {exported!r}, which it does not define"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", sorted((SERVER / "engine").glob("*.py")), ids=lambda p: p.name)
def test_the_engine_imports_nothing_above_it(path: Path) -> None:
    above = ("ccds_crosswalk.web", "ccds_crosswalk.cli", "ccds_crosswalk.queries", "ccds_crosswalk.release")
    assert not {m for m in _imports(path) if m.startswith(above)}


def test_the_query_module_does_not_import_the_web_app() -> None:
    assert not {m for m in _imports(SERVER / "queries.py") if m.startswith("ccds_crosswalk.web")}


def _from_imports(path: Path) -> list[tuple[str, str]]:
    return [
        (node.module, alias.name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ccds_crosswalk")
        for alias in node.names
    ]


def test_what_the_package_imports_from_a_module_is_in_its_all() -> None:
    """A module's __all__ is its surface: a name the rest of the package imports from it must be listed there."""
    missing = []
    for path in sorted(SERVER.rglob("*.py")):
        for module_name, name in _from_imports(path):
            module = importlib.import_module(module_name)
            exported = getattr(module, "__all__", None)
            if exported is not None and name not in exported and not hasattr(module, "__path__"):
                missing.append(f"{path.relative_to(SERVER)} imports {name} from {module_name}")
    assert not missing, "\n".join(missing)
