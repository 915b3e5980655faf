"""The import graph of crop_hf has no cycle, counting imports inside functions (they run too, only later).

Imports under ``if TYPE_CHECKING:`` are left out: they never run. The graph is read from the source (``ast``), so
nothing is imported to check it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "crop_hf"


def module_imports(root: Path) -> dict[str, set[str]]:
    """Each module of the package under ``root`` -> the modules of that package it imports, anywhere in its code."""
    paths = {_module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    graph = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        never_run = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for statement in node.body
            for inner in ast.walk(statement)
        }
        found = set()
        for node in ast.walk(tree):
            if id(node) in never_run:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    module = ".".join([*parts[: len(parts) - node.level + 1], *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                targets = [module, *(f"{module}.{alias.name}" for alias in node.names)]
            else:
                continue
            found.update(t for t in targets if t in paths and t != name)
        graph[name] = found
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_crop_hf_has_no_import_cycle():
    graph = module_imports(PACKAGE)
    assert {"crop_hf.config", "crop_hf.publishing", "crop_hf.hub"} <= graph.keys()
    assert cycles(graph) == []


def test_hub_io_imports_nothing_of_crop_hf_and_publishing_sits_on_top():
    graph = module_imports(PACKAGE)
    assert graph["crop_hf.hub"] == set()
    assert {"crop_hf.hub", "crop_hf.config", "crop_hf.model_card"} <= graph["crop_hf.publishing"]
    assert "crop_hf.publishing" not in set().union(*(graph[m] for m in ("crop_hf.config", "crop_hf.model_card")))


def test_cycles_inside_functions_and_through_relative_imports_are_found(tmp_path):
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "sub" / "__init__.py").write_text("")
    (root / "a.py").write_text("from . import b\n")
    (root / "b.py").write_text("def f():\n    from .sub.c import g\n")
    (root / "sub" / "c.py").write_text("import pkg.a\n")
    (root / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import e\n")
    (root / "e.py").write_text("from .d import x\n")
    assert cycles(module_imports(root)) == [["pkg.a", "pkg.b", "pkg.sub.c"]]  # d <-> e only under TYPE_CHECKING
