"""Layering of the packages: model imports neither viz, experiments nor offshoring;
experiments and viz import neither each other nor offshoring; no import cycle among
model modules.

Every import statement counts, wherever it is in the file (inside functions and
``if TYPE_CHECKING:`` blocks too).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("model", "experiments", "viz", "offshoring")
FORBIDDEN = {"model": {"viz", "experiments", "offshoring"},
             "experiments": {"viz", "offshoring"},
             "viz": {"experiments", "offshoring"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, package: str | None = None) -> set[str]:
    """Every module ``path`` imports (``from a import b`` counts ``a`` and ``a.b``);
    relative imports resolve against ``package`` (default: the file's own package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
        package = module_name(path) if path.name == "__init__.py" else \
            module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def sources() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        if (ROOT / pkg).is_dir():
            for path in sorted((ROOT / pkg).rglob("*.py")):
                out[module_name(path)] = path
    return out


def test_layers_import_only_downwards() -> None:
    bad = []
    for name, path in sources().items():
        top = name.split(".")[0]
        for imported in imports_of(path):
            if imported.split(".")[0] in FORBIDDEN.get(top, ()):
                bad.append(f"{name} imports {imported}")
    assert not bad, "\n".join(bad)


def model_graph() -> dict[str, set[str]]:
    """Import graph among the modules of model/ (the package ``model`` itself left out:
    its __init__ re-exports, and ``from model import x`` means the submodule x)."""
    mods = {n: p for n, p in sources().items() if n.startswith("model.")}
    return {name: {m for m in imports_of(path) if m in mods and m != name}
            for name, path in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a list of modules, or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle_inside_model() -> None:
    graph = model_graph()
    assert "model.staffing" in graph and "model.relocation" in graph
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_found_in_functions_and_type_checking_blocks(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                     "    from model.model import OffshoringModel\n"
                     "def f():\n    import viz.app\n    from . import churn\n",
                     encoding="utf-8")
    found = imports_of(probe, package="model")
    assert {"model.model", "viz.app", "model.churn"} <= found
