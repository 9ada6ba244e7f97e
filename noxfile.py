"""The core suite on every Python we claim: the oldest (``requires-python``) and
the newest available. ``make test`` and CI run ``nox``; ``nox -s core-3.13``
runs one, ``nox -s core -- -x -k deadline`` passes pytest arguments on. The
core runs on every CPU core (pytest-xdist ``-n auto``; ``NOX_WORKERS=0``: in one
process).

Each session keeps its virtualenv and reinstalls only when ``pyproject.toml``
changed, so a second run starts in a second. An interpreter that is not on
``PATH`` is looked for under pyenv (``pyenv install 3.13`` is enough). A
missing interpreter is skipped with nox's warning; CI passes
``--error-on-missing-interpreters``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import nox

PYTHONS = ["3.11", "3.13"]
#: The core suite: what runs in seconds (README, Development).
CORE = "not browser and not notebook and not conformance"
#: The core needs no schemathesis plugin (its 250 modules cost each worker seconds).
CORE_FLAGS = ["-p", "no:schemathesis"]
ROOT = Path(__file__).parent
#: pytest-xdist workers for the core: one per core (``NOX_WORKERS=0`` for none).
WORKERS = os.environ.get("NOX_WORKERS", "auto")

nox.options.sessions = ["core"]
nox.options.reuse_venv = "yes"


def _pyenv_interpreters() -> None:
    """Put pyenv's builds of ``PYTHONS`` on ``PATH`` ahead of its shims (a shim
    for a version not selected answers "command not found")."""
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return
    root = Path(subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip())
    found = []
    for version in PYTHONS:
        builds = sorted((root / "versions").glob(f"{version}.*/bin/python{version}"))
        if builds:
            found.append(str(builds[-1].parent))
    os.environ["PATH"] = os.pathsep.join([*found, os.environ.get("PATH", "")])


_pyenv_interpreters()


@nox.session(python=PYTHONS)
def core(session: nox.Session) -> None:
    """The suite without browser, notebook and conformance tests."""
    stamp = Path(session.virtualenv.location) / ".installed-pyproject"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        session.install("--quiet", "-e", ".[test]")
        stamp.write_text(digest)
    session.run(
        "python", "-m", "pytest", "-q", "-n", WORKERS, *CORE_FLAGS, "-m", CORE, *session.posargs
    )
