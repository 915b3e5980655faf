"""The import graph of crop_hf has no cycle, counting imports inside functions (they run too, only later), and its
folders are layers: a module imports only modules of its own layer and of the layers below it.

Imports under ``if TYPE_CHECKING:`` are left out: they never run. The graph is read from the source (``ast``), so
nothing is imported to check it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "crop_hf"
# crop_hf's folders from the bottom up (evaluate_metrics: the metric module evaluate.load reads; a top-level module,
# cli, is its own layer; the package itself, crop_hf, is the
# public facade whose exports load lazily: importing it is allowed from anywhere, e.g. to register the pipeline task)
LAYERS = ("base", "core", "evaluate_metrics", "translation", "training", "projection", "builders", "publish", "demo",
          "run", "app", "scripts", "cli")  # fmt: skip


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


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def upward_imports(graph: dict[str, set[str]], layers: tuple[str, ...] = LAYERS) -> list[str]:
    """Every import of a module of a higher layer (``a -> b``); a module outside the layers is an error too."""
    rank = {name: i for i, name in enumerate(layers)}
    bad = []
    for source, targets in sorted(graph.items()):
        if layer_of(source) and layer_of(source) not in rank:
            bad.append(f"{source}: in no layer (add its folder to LAYERS)")
            continue
        for target in sorted(targets):
            if layer_of(target) and layer_of(source) and rank.get(layer_of(target), -1) > rank[layer_of(source)]:
                bad.append(f"{source} -> {target}")
    return bad


def test_every_module_sits_in_a_layer_and_imports_none_above_it():
    graph = module_imports(PACKAGE)
    assert {layer_of(m) for m in graph} - {""} == set(LAYERS)  # every layer has modules, every folder is a layer
    assert upward_imports(graph) == []


def test_an_upward_import_is_caught(tmp_path):
    root = tmp_path / "pkg"
    for folder in ("core", "training"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "training" / "t.py").write_text("from ..core import c\n")  # down: fine
    (root / "core" / "c.py").write_text("def f():\n    from ..training.t import g\n")  # up, even inside a function
    graph = module_imports(root)
    assert upward_imports(graph, ("core", "training")) == ["pkg.core.c -> pkg.training.t"]
    assert upward_imports(graph, ("core",)) == [
        "pkg.training: in no layer (add its folder to LAYERS)", "pkg.training.t: in no layer (add its folder to LAYERS)"]  # fmt: skip


def test_crop_hf_has_no_import_cycle():
    graph = module_imports(PACKAGE)
    assert {"crop_hf.projection.config", "crop_hf.publish.publishing", "crop_hf.base.hub"} <= graph.keys()
    assert cycles(graph) == []


def test_hub_io_imports_nothing_of_crop_hf_and_publishing_sits_on_top():
    graph = module_imports(PACKAGE)
    assert graph["crop_hf.base.hub"] == set()
    assert {"crop_hf.base.hub", "crop_hf.projection.config", "crop_hf.publish.model_card"} <= graph[
        "crop_hf.publish.publishing"
    ]
    assert "crop_hf.publish.publishing" not in set().union(
        *(graph[m] for m in ("crop_hf.projection.config", "crop_hf.publish.model_card"))
    )


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
