"""The package's boundaries, read from its source with ``ast`` (the layers
themselves are import-linter contracts in pyproject.toml, run by ``make test``).

No module reaches into another part's private names: it imports neither a
private module (``client._steps``) nor an underscore name of another part, and
the front ends' helpers (``form/``, ``magic/``) touch no underscore attribute of
another object: the form's logic works on ``JobForm.state`` (a ``FormState``)
and the magic's helpers on a ``Session``'s public methods.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import bytenite_nb

ROOT = Path(bytenite_nb.__file__).parent

#: The documented exceptions: (module, attribute reached into), each with its reason.
ALLOWED_ATTRIBUTES = {
    # The curl line shows the create URL; the client builds it in one place.
    ("magic/_session.py", "_customer_url"),
}


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text("utf-8"))


def part_of(name: str) -> str:
    """``client/_sync.py`` → ``client``; ``errors.py`` → ``errors``."""
    return name.split("/")[0].removesuffix(".py")


def imported(name: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``from ... import`` reads from."""
    if node.level == 0:
        return node.module or ""
    package = ["bytenite_nb", *name.split("/")[:-1]]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *(node.module.split(".") if node.module else [])])


def test_no_module_imports_another_parts_private_names() -> None:
    """A private module (``client._steps``) is its package's: only modules inside
    ``bytenite_nb.client`` import it; an underscore name is its part's."""
    found = []
    for name, tree in modules():
        importer = ["bytenite_nb", *name.removesuffix(".py").split("/")]
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            words = imported(name, node).split(".")
            if words[0] != "bytenite_nb":
                continue
            private = [i for i, word in enumerate(words) if word.startswith("_")]
            owner = words[: private[0]] if private else words[:2]
            names = [a.name for a in node.names if a.name.startswith("_")]
            if (private or names) and importer[: len(owner)] != owner:
                found.append(f"{name}:{node.lineno} from {'.'.join(words)} import {names}")
    assert found == []


def test_the_front_ends_helpers_touch_no_private_attribute() -> None:
    found = []
    for name, tree in modules():
        if part_of(name) not in ("form", "magic"):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not node.attr.startswith("_"):
                continue
            if node.attr.startswith("__") or node.attr.startswith(("_repr_", "_ipython_")):
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls", "argparse"):
                continue
            if (name, node.attr) not in ALLOWED_ATTRIBUTES:
                found.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    assert found == []


#: Where a module may import inside a function (DESIGN.md: laziness in two places):
#: the front door, the HTTP stack, the reprs; and three loads on demand.
LAZY_FUNCTIONS = {
    ("__init__.py", "load_ipython_extension"),  # the package's front door
    ("__init__.py", "unload_ipython_extension"),
    ("magic/_extension.py", "session"),  # the extension's door: the rest on the first call
    ("magic/_extension.py", "_help"),
    ("magic/_extension.py", "apply_settings"),
    ("magic/_extension.py", "find_pyproject_settings"),
    ("client/_async.py", "__init__"),  # the HTTP stack: anyio with the async client
    ("magic/_session.py", "_cell"),  # a sweep is a batch: the HTTP stack with it
    ("magic/_session.py", "use_sandbox"),  # the sandbox stands apart
    ("batch/core.py", "to_pandas"),  # pandas is optional (ImportError says so)
    ("batch/core.py", "view"),  # the batch card's data, for its reprs
    ("batch/core.py", "_progress"),  # the batch's live output (a repr while it runs)
}


def test_laziness_lives_in_the_documented_places_only() -> None:
    found = []
    for name, tree in modules():
        allowed = set()  # imports under TYPE_CHECKING, or in an allowed function or a repr
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                allowed.update(id(n) for n in ast.walk(node))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (
                node.name.startswith(("_repr_", "__str__")) or (name, node.name) in LAZY_FUNCTIONS
            ):
                allowed.update(id(n) for n in ast.walk(node))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in allowed:
                    found.append(f"{name}:{node.lineno} in {function.name}: {ast.unparse(node)}")
    assert found == []


def test_create_jobs_loads_the_batch_part_the_client_does_not_import() -> None:
    """``client.create_jobs`` is a plug-in point the batch fills (the client sits
    below the batch): a fresh interpreter gets a ``JobBatch`` without importing it."""
    code = (
        "import sys\n"
        "from bytenite_nb.client import Client\n"
        "client = Client('key', base_url='http://127.0.0.1:9/v1')\n"
        "print('bytenite_nb.batch' in sys.modules)\n"
        "batch = client.create_jobs([{'templateId': ''}])  # invalid: nothing is sent\n"
        "print(type(batch).__name__, batch.items[0].status, client.last_batch is batch)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "JobBatch", "invalid", "True"], out.stdout
