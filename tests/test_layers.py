"""Floors that only point down (issue 13, part 4): every module of thaadsim imports only its
own layer and the layers below it.

    base < physics < systems < engagement < scenario < studies < interfaces

(docs/architecture.md). Every import counts: at module level, inside a function, under
``TYPE_CHECKING``, ``import thaadsim.x``, ``from thaadsim.x import y``, ``from thaadsim import
x`` and relative forms. The package root (``thaadsim/__init__.py``) is the facade: at module
level it may import only the base; its lazy ``__getattr__`` hands out the interface's names;
``from thaadsim import __version__`` is the base's. The checker is tried on a synthetic tree
first, so that it is known to catch what it claims to.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

LAYERS = ("base", "physics", "systems", "engagement", "scenario", "studies", "interfaces")
"""From the bottom up."""

LAYER_OF_TOP = {
    # base: small helpers that know nothing of the simulation
    "errors": "base", "limits": "base", "jsonsafe": "base", "timing": "base",
    "cache": "base", "outputs": "base", "data": "base",
    "physics": "physics",
    "systems": "systems",
    "engagement": "engagement",
    "scenario": "scenario",
    "studies": "studies",
    # interfaces: what a person calls
    "run": "interfaces", "api": "interfaces", "commands": "interfaces",
    "report": "interfaces", "cli": "interfaces", "__main__": "interfaces",
    "serve": "interfaces",
}
"""The layer of each top-level module or package of thaadsim. A new one must be placed here
(the test fails on a module it cannot place)."""

ROOT_NAMES_OF_BASE = frozenset({"__version__"})
"""Names the root defines itself, from the base (everything else it hands out is the
interface's, :mod:`thaadsim.api`)."""

ALLOWED: frozenset[tuple[str, str]] = frozenset()
"""Upward imports allowed while a move is open: (importer, imported). An entry that no
longer occurs fails the test, so that the list cannot outlive the move."""


@dataclass(frozen=True)
class Import:
    """One import of a thaadsim module by another."""

    importer: str
    imported: str
    line: int
    module_level: bool


def module_name(path: Path, src: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(src: Path, package: str = "thaadsim") -> dict[str, Path]:
    """Every module of ``package`` under ``src``: dotted name -> file."""
    return {module_name(p, src): p for p in sorted((src / package).rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str:
    """The module an import of ``name`` loads: the longest known prefix (``from a.b import c``
    with ``a.b.c`` a module is that module; else ``a.b``)."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        candidate = ".".join(parts[:k])
        if candidate in known:
            return candidate
    return name


def _module_level_nodes(tree: ast.Module) -> set[int]:
    """ids of the import nodes executed when the module is imported (not inside a function;
    ``if TYPE_CHECKING`` blocks count as module level, as mypy reads them)."""
    out: set[int] = set()

    def walk(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                out.add(id(node))
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for sub in getattr(node, field, []):
                        walk(sub.body if isinstance(sub, ast.ExceptHandler) else [sub])

    walk(tree.body)
    return out


def imports_of(name: str, path: Path, known: dict[str, Path],
               package: str = "thaadsim") -> Iterator[Import]:
    """Every import of a ``package`` module in the module ``name`` (file ``path``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    top = _module_level_nodes(tree)
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == package or alias.name.startswith(package + "."):
                    yield Import(name, _resolve(alias.name, known), node.lineno, id(node) in top)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the importer's package upwards
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source != package and not source.startswith(package + "."):
                continue
            for alias in node.names:
                full = f"{source}.{alias.name}"
                if full in known:
                    target = full
                elif source == package:
                    target = package if alias.name in ROOT_NAMES_OF_BASE else f"{package}.api"
                else:
                    target = _resolve(source, known)
                yield Import(name, target, node.lineno, id(node) in top)


def layer_of(name: str, package: str = "thaadsim") -> str:
    """The layer of a module (``root`` for the package itself)."""
    if name == package:
        return "root"
    top = name.split(".")[1]
    if top not in LAYER_OF_TOP:
        raise AssertionError(f"{name}: not placed in a layer; add {top!r} to LAYER_OF_TOP "
                             "(tests/test_layers.py) and to docs/architecture.md")
    return LAYER_OF_TOP[top]


def upward_imports(src: Path, package: str = "thaadsim") -> list[tuple[Import, str]]:
    """Every import that points up a floor, with why."""
    known = modules(src, package)
    bad = []
    for name, path in known.items():
        here = layer_of(name, package)
        for imp in dict.fromkeys(imports_of(name, path, known, package)):
            there = layer_of(imp.imported, package)
            if here == "root":
                if imp.module_level and there not in ("base", "root"):
                    bad.append((imp, f"the root imports {there} at module level"))
                continue
            if there == "root":  # __version__: the root's own, base
                continue
            if LAYERS.index(there) > LAYERS.index(here):
                bad.append((imp, f"{here} imports {there}"))
    return bad


def _describe(found: list[tuple[Import, str]]) -> list[str]:
    return [f"{i.importer}:{i.line} imports {i.imported} ({why})" for i, why in found]


# --------------------------------------------------------------------------------------------
# The checker, on a synthetic tree
# --------------------------------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    base = {
        "thaadsim/__init__.py": "__version__ = '1'\n",
        "thaadsim/errors.py": "",
        "thaadsim/physics/__init__.py": "",
        "thaadsim/physics/geo.py": "from thaadsim.errors import x\n",
        "thaadsim/systems/__init__.py": "",
        "thaadsim/systems/radar.py": "from thaadsim.physics import geo\n",
        "thaadsim/engagement.py": "import thaadsim.systems.radar\n",
        "thaadsim/studies/__init__.py": "",
        "thaadsim/studies/claims/__init__.py": "from .common import y\n",
        "thaadsim/studies/claims/common.py": "from thaadsim import __version__\n",
        "thaadsim/report/__init__.py": "",
        "thaadsim/report/html.py": "from thaadsim.studies.claims import y\n",
    }
    for rel, text in {**base, **files}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_the_checker_passes_a_tree_that_points_down(tmp_path: Path) -> None:
    assert upward_imports(_tree(tmp_path, {})) == []


@pytest.mark.parametrize(("rel", "text", "edge"), [
    # every form of import, each one floor or more up
    ("thaadsim/physics/geo.py", "import thaadsim.systems.radar\n",
     ("thaadsim.physics.geo", "thaadsim.systems.radar")),
    ("thaadsim/systems/radar.py", "from thaadsim.engagement import simulate\n",
     ("thaadsim.systems.radar", "thaadsim.engagement")),
    ("thaadsim/engagement.py", "def f():\n    from thaadsim.studies import claims\n",
     ("thaadsim.engagement", "thaadsim.studies.claims")),
    ("thaadsim/engagement.py",
     "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from thaadsim.report import html\n",
     ("thaadsim.engagement", "thaadsim.report.html")),
    ("thaadsim/studies/claims/common.py", "from thaadsim import report\n",
     ("thaadsim.studies.claims.common", "thaadsim.report")),
    ("thaadsim/studies/claims/common.py", "from thaadsim import simulate\n",
     ("thaadsim.studies.claims.common", "thaadsim.api")),
    ("thaadsim/studies/claims/common.py", "from ...report.html import page\n",
     ("thaadsim.studies.claims.common", "thaadsim.report.html")),
    ("thaadsim/errors.py", "import thaadsim.physics.geo as g\n",
     ("thaadsim.errors", "thaadsim.physics.geo")),
    ("thaadsim/__init__.py", "from thaadsim.report import html\n",
     ("thaadsim", "thaadsim.report.html")),
])
def test_the_checker_finds_a_planted_upward_import(tmp_path: Path, rel: str, text: str,
                                                   edge: tuple[str, str]) -> None:
    found = upward_imports(_tree(tmp_path, {rel: text}))
    assert [(i.importer, i.imported) for i, _ in found] == [edge], _describe(found)


def test_the_checker_refuses_a_module_it_cannot_place(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="not placed in a layer"):
        upward_imports(_tree(tmp_path, {"thaadsim/newthing.py": ""}))


def test_the_roots_lazy_facade_is_allowed(tmp_path: Path) -> None:
    """The root may hand out the interface's names on first use (inside a function)."""
    lazy = "def __getattr__(name):\n    from thaadsim import api\n    return api\n"
    assert upward_imports(_tree(tmp_path, {"thaadsim/__init__.py": lazy,
                                           "thaadsim/api.py": ""})) == []


# --------------------------------------------------------------------------------------------
# The real tree
# --------------------------------------------------------------------------------------------


def test_thaadsim_imports_only_downward() -> None:
    found = upward_imports(SRC)
    edges = {(i.importer, i.imported) for i, _ in found}
    unexpected = [d for d, (i, _) in zip(_describe(found), found, strict=True)
                  if (i.importer, i.imported) not in ALLOWED]
    assert not unexpected, "upward imports:\n" + "\n".join(unexpected)
    stale = ALLOWED - edges
    assert not stale, f"allowed upward imports that no longer occur (remove them): {stale}"


def test_every_layer_is_in_the_architecture_notes() -> None:
    """docs/architecture.md names every layer and every top-level module of the table."""
    text = (SRC.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [name for name in (*LAYERS, *LAYER_OF_TOP) if name not in text]
    assert not missing, missing
