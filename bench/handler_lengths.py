"""How long the route handlers are: median and maximum, and the longest ones.

    python bench/handler_lengths.py [ROOT] [--top N]

A handler is a function decorated with a blueprint's ``route``/``get``/``post``, or a view a
package registers with ``add_url_rule`` (decorated with ``login_required`` only: one function
serving a table of steps counts once); its length is
its lines of code from ``def`` to its end, without the docstring, blank lines and comments
(decorators not counted); ``--raw`` counts every line from ``def`` to the end instead. ROOT defaults to governance_app/ of this checkout; point it at
another tree (e.g. ``git archive`` of an older commit) to compare.
"""
from __future__ import annotations

import argparse
import ast
import statistics
from pathlib import Path

ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def _is_handler(function: ast.FunctionDef) -> bool:
    for decorator in function.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
            return True
        if isinstance(call, ast.Name) and call.id == "login_required":
            return True
    return False


def _length(function: ast.FunctionDef, lines: list[str], raw: bool = False) -> int:
    if raw:
        return function.end_lineno - function.lineno + 1
    body = function.body
    skip = set()
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        skip = set(range(body[0].lineno, body[0].end_lineno + 1))
    count = 0
    for number in range(function.lineno, function.end_lineno + 1):
        text = lines[number - 1].strip()
        if number in skip or not text or text.startswith("#"):
            continue
        count += 1
    return count


def handlers(root: Path, raw: bool = False) -> list[tuple[int, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and _is_handler(node):
                found.append((_length(node, lines, raw), f"{path.relative_to(root)}:{node.name}"))
    return sorted(found, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=str(Path(__file__).resolve().parents[1] / "governance_app"))
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--raw", action="store_true", help="every line from def to the end")
    args = parser.parse_args()
    found = handlers(Path(args.root), args.raw)
    lengths = [length for length, _name in found]
    print(f"{len(found)} handlers: median {statistics.median(lengths)}, max {max(lengths)}, "
          f"over 20: {sum(1 for n in lengths if n > 20)}")
    for length, name in found[:args.top]:
        print(f"  {length:4d}  {name}")


if __name__ == "__main__":
    main()
