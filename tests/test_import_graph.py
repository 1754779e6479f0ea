"""No import loops in ``bench/`` and no import upward, read from the source (ast).

The graph: one node per module of ``bench/`` (a package is its ``__init__.py``);
an edge A -> B for every ``import``/``from ... import`` in A that takes B,
wherever it stands (module level, inside a function, under ``TYPE_CHECKING``):
a lazy import still ties the two files together for a reader.
``from P import x`` takes the submodule ``P.x`` where there is one, else the
names ``P``'s ``__init__`` defines; ``import P.x`` takes ``P.x``.

Three rules:

1. No loop between modules: the module graph has no cycle (two modules that
   import each other, or a longer ring).
2. No module imports a package above it: a module never takes names from the
   ``__init__`` of a package it lies in (``from . import machine_cores`` in
   ``bench/runner/executors/processes.py``). Taking a sibling submodule
   (``from . import worker``) is not an import of the package.
3. No loop between bench's parts: with every module folded into its part
   (``bench.runner.store`` -> ``bench.runner``; a module directly under
   ``bench/``, such as ``bench.budget``, is a part of its own), the graph of
   parts has no cycle either (``bench.budget`` -> ``bench.text`` ->
   ``bench.budget`` was one).

Loops known and left for later are named in ALLOWED below, each with its
reason; anything else fails, so a new loop is caught where it is made.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: pairs of nodes whose edges (both ways) are left out of the check, until the
#: phase named moves what they share into one place
ALLOWED: set[frozenset[str]] = set()


def modules(root: Path | None = None) -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package) of every module under ``root/bench`` (this checkout's)."""
    root = root or ROOT
    out = {}
    for path in sorted((root / "bench").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, package)
    return out


def imports(mods: dict[str, tuple[Path, bool]]) -> dict[str, set[str]]:
    """Module -> the bench modules it takes (rule: see the module docstring)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for name, (path, package) in mods.items():
        here = name if package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                taken = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")[: len(here.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                taken = [f"{source}.{a.name}" if f"{source}.{a.name}" in mods else source for a in node.names]
            else:
                continue
            edges[name].update(t for t in taken if t in mods and t != name)
    return edges


def part(name: str) -> str:
    """``bench.runner.store`` -> ``bench.runner``; ``bench.budget`` -> itself."""
    return ".".join(name.split(".")[:2])


def allowed(a: str, b: str) -> bool:
    return frozenset({a, b}) in ALLOWED


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    nodes = sorted(set(edges) | {b for bs in edges.values() for b in bs})

    def visit(v: str) -> None:  # recursion depth: the longest import chain (tens)
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in nodes:
        if v not in index:
            visit(v)
    return found


def describe(component: list[str], edges: dict[str, set[str]]) -> str:
    inside = set(component)
    pairs = [f"{a} -> {b}" for a in component for b in sorted(edges.get(a, ())) if b in inside]
    return "loop: " + "; ".join(pairs)


def module_graph() -> dict[str, set[str]]:
    mods = modules()
    return {a: {b for b in bs if not allowed(a, b)} for a, bs in imports(mods).items()}


def part_graph() -> dict[str, set[str]]:
    mods = modules()
    out: dict[str, set[str]] = defaultdict(set)
    for a, bs in imports(mods).items():
        for b in bs:
            pa, pb = part(a), part(b)
            if pa != pb and not allowed(pa, pb):
                out[pa].add(pb)
    return out


def test_no_two_modules_import_each_other_or_close_a_longer_loop():
    edges = module_graph()
    assert not cycles(edges), "\n".join(describe(c, edges) for c in cycles(edges))


def test_no_module_takes_names_from_a_package_it_lies_in():
    mods = modules()
    upward = sorted(f"{a} -> {b}" for a, bs in imports(mods).items() for b in bs
                    if mods[b][1] and a.startswith(b + "."))
    assert not upward, "imports from an enclosing package's __init__:\n" + "\n".join(upward)


def test_no_loop_between_benchs_parts():
    edges = part_graph()
    assert not cycles(edges), "\n".join(describe(c, edges) for c in cycles(edges))


def test_the_rules_see_the_loops_they_are_meant_to_catch(tmp_path):
    """The walk itself: a loop, an upward import and a loop of parts in a made-up tree are found."""
    def write(rel: str, text: str) -> None:
        path = tmp_path / "bench" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    write("a/__init__.py", "from .helpers import shared\n")
    write("a/helpers.py", "def shared():\n    from . import x  # lazy, still an edge\n")
    write("a/x.py", "from . import helpers\nfrom . import shared\n")  # sibling module; then the package's name
    write("b.py", "from .a.x import helpers\n")
    write("c/__init__.py", "")
    write("c/y.py", "")
    write("c/z.py", "from ..a import x\nfrom bench.c import y\n")  # sibling submodule taken through the package
    write("a/w.py", "from ..c import z\n")
    mods = modules(tmp_path)
    edges = imports(mods)
    assert edges["bench.a.x"] == {"bench.a.helpers", "bench.a"}
    assert edges["bench.a.helpers"] == {"bench.a.x"}
    assert edges["bench.c.z"] == {"bench.a.x", "bench.c.y"}
    assert cycles(edges) == [["bench.a", "bench.a.helpers", "bench.a.x"]]
    parts: dict[str, set[str]] = defaultdict(set)
    for a, bs in edges.items():
        parts[part(a)].update(part(b) for b in bs if part(b) != part(a))
    assert cycles(parts) == [["bench.a", "bench.c"]]  # a.w -> c.z -> a.x
