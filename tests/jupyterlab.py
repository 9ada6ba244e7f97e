"""Run JupyterLab or Notebook 7 and headless Chromium for browser tests (see
BROWSER_TESTING notes). Both front ends expose ``window.jupyterapp``, which the
helpers below drive the same way (open, wait for the kernel, run, theme).

Everything lives in a throwaway folder: server root, settings, workspaces and
Jupyter's config/data/runtime dirs, so nothing of the user's home leaks in.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = os.environ.get("BYTENITE_CHROMIUM", "/usr/bin/chromium")
#: The repository, and where browser tests leave their screenshots.
ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "artifacts"
LIGHT = "JupyterLab Light"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    frontend: str = "lab"  # or "notebook" (Notebook 7)

    def stop_kernels(self) -> None:
        """Shut down every kernel of the server (a test's notebooks are done with)."""
        headers = {"Authorization": f"token {self.token}"}
        for kernel in httpx.get(f"{self.url}/api/kernels", headers=headers, timeout=10).json():
            httpx.delete(f"{self.url}/api/kernels/{kernel['id']}", headers=headers, timeout=10)

    def notebook_url(self, name: str) -> str:
        """The notebook alone in a fresh workspace of its own (no restored tabs)."""
        if self.frontend == "notebook":
            return f"{self.url}/notebooks/{name}?token={self.token}"
        workspace = name.replace(".", "-")
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={self.token}"


@contextmanager
def jupyterlab(
    workdir: Path, env: dict[str, str] | None = None, frontend: str = "lab"
) -> Iterator[Lab]:
    """A JupyterLab (or, with ``frontend="notebook"``, Notebook 7) server on
    loopback, rooted at ``workdir/root``."""
    root = workdir / "root"
    settings = workdir / "settings"
    for folder in (root, settings, workdir / "workspaces", workdir / "jupyter"):
        folder.mkdir(parents=True, exist_ok=True)
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    token = secrets.token_hex(16)
    port = free_port()
    jupyter = workdir / "jupyter"
    process_env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
        "JUPYTER_DATA_DIR": str(jupyter / "data"),
        "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
        **(env or {}),
    }
    # The kernelspec of this interpreter, so the kernel runs with our packages.
    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--prefix", str(jupyter / "prefix")],
        check=True,
        capture_output=True,
        env=process_env,
    )
    process_env["JUPYTER_PATH"] = str(jupyter / "prefix" / "share" / "jupyter")
    log = (workdir / "jupyterlab.log").open("w")
    app = "LabApp" if frontend == "lab" else "JupyterNotebookApp"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab" if frontend == "lab" else "notebook",
            "--no-browser",
            "--allow-root",
            f"--IdentityProvider.token={token}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}",
            f"--{app}.user_settings_dir={settings}",
            f"--{app}.workspaces_dir={workdir / 'workspaces'}",
            f"--{app}.expose_app_in_browser=True",
        ],
        env=process_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"token {token}"}
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {(workdir / 'jupyterlab.log').read_text()}")
            try:
                if httpx.get(f"{url}/api/status", headers=headers, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start within 60 s")
            time.sleep(0.3)
        yield Lab(url, token, root, frontend)
    finally:
        try:
            httpx.post(f"{url}/api/shutdown", headers=headers, timeout=5)
            process.wait(timeout=10)
        except (httpx.HTTPError, subprocess.TimeoutExpired):
            process.kill()
            process.wait(timeout=10)
        log.close()


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    return None


KERNEL_IDLE_JS = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}"""


def open_notebook(page, lab: Lab, name: str) -> None:  # type: ignore[no-untyped-def]
    """Open a notebook and wait until its kernel is idle (JupyterLab or Notebook 7)."""
    page.goto(lab.notebook_url(name))
    wait_kernel_idle(page, name)


def wait_kernel_idle(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page's notebook has an idle kernel (choosing one if asked)."""
    dialog = page.get_by_role("button", name="Select", exact=True)
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    deadline = time.monotonic() + 60
    while not page.evaluate(KERNEL_IDLE_JS):
        if dialog.count() and dialog.first.is_visible():  # a kernel chooser
            dialog.first.click()
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kernel of {name} did not become idle")
        page.wait_for_timeout(250)


def run_all(page) -> None:  # type: ignore[no-untyped-def]
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def wait_idle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the current notebook's kernel is idle again (after running cells)."""
    page.wait_for_timeout(500)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=60_000)


def is_dirty(page) -> bool:  # type: ignore[no-untyped-def]
    """Whether the current notebook is marked modified."""
    return bool(page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.dirty"))


def set_theme(page, theme: str) -> None:  # type: ignore[no-untyped-def]
    page.evaluate(
        "theme => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )


def copy_notebook(source: Path, lab: Lab) -> str:
    shutil.copy(source, lab.root / source.name)
    return source.name


def to_dark(page: Any) -> None:
    set_theme(page, "JupyterLab Dark")
    page.locator("body[data-jp-theme-light='false']").wait_for(state="attached", timeout=20_000)
    page.wait_for_timeout(700)
