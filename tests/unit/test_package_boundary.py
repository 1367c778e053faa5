"""The core package never imports the replica or the test harness: an install can leave them out."""

from __future__ import annotations

import ast
from pathlib import Path

import newscrawl

CORE = Path(newscrawl.__file__).resolve().parent
OUTSIDE = ("newscrawl_replica", "tests", "bench")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            names.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return names


def test_no_core_module_imports_the_replica_or_the_tests() -> None:
    offending = {
        str(path.relative_to(CORE)): sorted(n for n in imported_modules(path) if n.split(".")[0] in OUTSIDE)
        for path in CORE.rglob("*.py")
    }
    assert {k: v for k, v in offending.items() if v} == {}


def test_the_check_sees_an_import_of_the_replica(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from newscrawl_replica.generate import generate_site\nimport tests.pg\n", "utf-8")
    assert imported_modules(module) == {"newscrawl_replica.generate", "tests.pg"}
