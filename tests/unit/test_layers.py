"""The layers: web -> services -> domain -> models, no import upwards and no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
# Lower numbers are lower layers; a module may import its own layer and those below it.
LAYERS = {"app.models": 0, "app.domain": 1, "app.services": 2, "app.channels": 2, "app.web": 3}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in APP.rglob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if not node.module.startswith("app"):
                    continue
                found.add(node.module)
                found |= {f"{node.module}.{a.name}" for a in node.names
                          if (ROOT / f"{node.module}.{a.name}".replace(".", "/")).with_suffix(
                              ".py").exists()}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("app")}
        graph[_module(path)] = found
    return graph


def _layer(module: str) -> int | None:
    return next((n for prefix, n in LAYERS.items() if module.startswith(prefix)), None)


def test_no_module_imports_a_layer_above_its_own():
    upward = sorted(
        (module, imported) for module, imports in _imports().items() for imported in imports
        if (mine := _layer(module)) is not None and (theirs := _layer(imported)) is not None
        and theirs > mine
    )
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_is_no_import_cycle():
    assert _cycles(_imports()) == []


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
