"""Layers point one way (STYLE 15): a short walk over the import statements of governance_app/.

Each package has two layers: its *base* (models, rules, services, what other packages may use)
and its *pages* (blueprints, commands, demo data and the app's wiring: what nobody else imports).
The graph of (package, layer) must have no cycle; a base imports no pages; no module imports
another package's ``routes`` (only the app factory, which registers them); and a function-level
import across packages needs a comment on its line or the line above saying why.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "governance_app"
# Modules that are pages or entry points: they sit above every package's base. Entry points: the
# tasks (started by a worker or beat, found by name in jobs.registry), the worker (``celery -A``),
# the receivers (started by a signal of core.events) and health (a probe: /readyz, /metrics, doctor).
PAGE_MODULES = {"routes", "admin", "cli", "demo", "audit_log", "accounts", "tasks", "worker", "receivers",
                "health"}
# core's pages: the home page, health, the commands, the template globals and the display
# switch (they read accounts and estates), and the database grants (they name every table).
CORE_PAGES = {"routes", "health", "cli", "templating", "display", "grants"}
# Imports allowed although they break a rule, each with its reason.
# (importer, imported) pairs; empty now, and test_every_exception_is_still_needed keeps it honest.
EXCEPTIONS: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _node(module: str) -> tuple[str, str] | None:
    """(package, layer) of a module of governance_app, None for the top-level modules."""
    parts = module.split(".")
    if len(parts) < 2 or not (ROOT / parts[1]).is_dir():
        return None  # governance_app itself, config, extensions, demo: the wiring
    package, leaf = parts[1], parts[2] if len(parts) > 2 else ""
    pages = CORE_PAGES if package == "core" else PAGE_MODULES
    return package, "pages" if leaf in pages else "base"


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if not node.level:
        return [node.module or ""]
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    if node.module:
        return [".".join([*base, node.module])]
    return [".".join([*base, alias.name]) for alias in node.names]


def _said_why(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or just above the block of imports it belongs to."""
    if "#" in lines[lineno - 1]:
        return True
    above = lineno - 2
    while above >= 0 and lines[above].strip().startswith(("from ", "import ")):
        if "#" in lines[above]:
            return True
        above -= 1
    return above >= 0 and lines[above].strip().startswith("#")


def imports() -> list[tuple[str, str, int, bool, bool]]:
    """(importer, imported, line, inside a function, commented) for every import of the app."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        module = _module_name(path)
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        typing_only = [n for n in ast.walk(tree) if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                targets = _resolve(module, path.name == "__init__.py", node)
            else:
                continue
            if any(n.lineno <= node.lineno <= n.end_lineno for n in typing_only):
                continue
            inside = any(n.lineno < node.lineno <= n.end_lineno for n in functions)
            said = _said_why(lines, node.lineno)
            found.extend((module, target, node.lineno, inside, said)
                         for target in targets if target.startswith("governance_app."))
    return found


def _crossing():
    for importer, imported, line, inside, said in imports():
        here, there = _node(importer), _node(imported)
        if here and there and here[0] != there[0] and (importer, imported) not in EXCEPTIONS:
            yield importer, imported, line, inside, said, here, there


def graph() -> dict[tuple[str, str], set[tuple[str, str]]]:
    edges: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for *_ignored, here, there in _crossing():
        edges[here].add(there)
    return edges


def cycles(edges) -> list[list[tuple[str, str]]]:
    """Every strongly connected group of more than one node (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in list(edges):
        if node not in index:
            visit(node)
    return groups


def test_no_cycle_between_packages():
    edges = graph()
    found = cycles(edges)
    detail = [" <-> ".join(f"{p}.{layer}" for p, layer in group) for group in found]
    assert not found, "import cycles between packages:\n" + "\n".join(detail)


def test_no_package_imports_another_packages_routes():
    wrong = [f"{importer}:{line} imports {imported}" for importer, imported, line, *_rest in _crossing()
             if imported.split(".")[2:3] == ["routes"] or imported.endswith(".routes")]
    assert not wrong, "\n".join(wrong)


def test_a_base_imports_no_pages():
    """Not even its own package's pages."""
    wrong = [f"{importer}:{line} imports {imported}" for importer, imported, line, *_r in imports()
             if _node(importer) and _node(imported) and _node(importer)[1] == "base"
             and _node(imported)[1] == "pages" and (importer, imported) not in EXCEPTIONS]
    assert not wrong, "\n".join(wrong)


def test_function_level_imports_across_packages_say_why():
    """Also in the app's own modules (the factory, the demo data), which belong to no package."""
    wrong = [f"{importer}:{line} imports {imported}" for importer, imported, line, inside, said in imports()
             if inside and not said and _node(imported)
             and (_node(importer) is None or _node(importer)[0] != _node(imported)[0])]
    assert not wrong, "\n".join(wrong)


def test_every_exception_is_still_needed():
    """An exception whose import is gone would silently allow it to come back."""
    seen = {(importer, imported) for importer, imported, *_rest in imports()}
    assert not EXCEPTIONS - seen, f"exceptions no longer needed: {sorted(EXCEPTIONS - seen)}"


def test_the_walk_sees_a_cycle():
    """The check itself: a made-up cycle and a made-up routes import are found."""
    edges = {("a", "base"): {("b", "base")}, ("b", "base"): {("a", "base")}, ("c", "pages"): {("a", "base")}}
    assert cycles(edges) == [[("a", "base"), ("b", "base")]]
    assert _node("governance_app.voting.routes") == ("voting", "pages")
    assert _node("governance_app.core.clock") == ("core", "base")
