"""Rules of the test suite itself (issue 16): fixtures live in conftest.py and
helper modules; no test module imports another test module or conftest."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
            if node.module is None:  # from . import x
                names.extend("." + alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return names


def test_no_test_module_imports_another_or_conftest() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for name in imported_modules(path):
            last = name.rsplit(".", 1)[-1]
            local = name.startswith((".", "tests."))
            if local and (last.startswith("test_") or last == "conftest"):
                offenders.append(f"{path.relative_to(TESTS)} imports {name}")
    assert offenders == []


def test_the_check_sees_an_import_of_a_test_module(tmp_path: Path) -> None:
    module = tmp_path / "test_x.py"
    module.write_text("from .test_display import HOSTILE\nfrom . import conftest\n")
    assert imported_modules(module) == [".test_display", ".", ".conftest"]
