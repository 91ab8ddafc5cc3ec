"""Every package's ``rules.py`` is the law as pure functions (DESIGN.md, "Verifiability"): it
imports only the standard library, reads no clock, environment or file, and loads neither Flask nor
SQLAlchemy, so anyone can re-check a figure with Python alone. One test for every rules module,
found by walking the package: a new package's rules are covered the day they are written."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RULES = sorted((ROOT / "governance_app").glob("*/rules.py"))
MODULES = [f"governance_app.{path.parent.name}.rules" for path in RULES]
# Calls that would make a rule depend on the moment, the machine or a file: time is passed in.
IMPURE_METHODS = {"now", "today", "utcnow", "getenv", "urandom", "monotonic", "perf_counter", "read_text", "read_bytes"}
IMPURE_FUNCTIONS = {"open", "input", "print"}


def test_every_package_with_rules_is_covered():
    assert len(RULES) >= 9 and "governance_app.voting.rules" in MODULES


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", RULES, ids=[path.parent.name for path in RULES])
def test_rules_import_only_the_standard_library(path):
    imported = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.parent.name}/rules.py imports from the package (relative import)"
            imported.add(node.module)
    foreign = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names | {"__future__"}}
    assert not foreign, f"{path.parent.name}/rules.py imports {sorted(foreign)}"
    assert "os" not in imported and "os.path" not in imported


@pytest.mark.parametrize("path", RULES, ids=[path.parent.name for path in RULES])
def test_rules_read_no_clock_environment_or_file(path):
    impure = set()
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        if isinstance(function, ast.Attribute):
            owner = function.value.id if isinstance(function.value, ast.Name) else ""
            if function.attr in IMPURE_METHODS or (owner == "time" and function.attr == "time"):
                impure.add(f"{owner}.{function.attr}")
        elif isinstance(function, ast.Name) and function.id in IMPURE_FUNCTIONS:
            impure.add(function.id)
    assert not impure, f"{path.parent.name}/rules.py calls {sorted(impure)}"


def test_no_rules_module_loads_flask_or_sqlalchemy_in_a_fresh_interpreter():
    code = (f"import sys; import {', '.join(MODULES)}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy', 'flask_babel', 'werkzeug'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"
