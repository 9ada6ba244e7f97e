"""Issue 17, class 6: local file problems are typed (``LocalPathError``), never a
raw ``OSError`` or an h11 error, and never hang; checked before writing.

Real files against the sandbox on loopback. The tests run as any user (root
included): the unwritable places used are ones root cannot write either.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import Client
from bytenite_nb.client._local import check_upload_path, plan_downloads
from bytenite_nb.errors import LocalPathError
from bytenite_nb.models import JobResults, JobState
from bytenite_nb.progress import Progress

HELLO = {"templateId": "hello-world-template", "params": {"app": {"case": "lower"}}}
FILE_JOB = {"templateId": "hello-world-template", "dataSource": {"dataSourceDescriptor": "file"}}


def completed(c: Client) -> str:
    job_id = c.create_job(HELLO).job.id or ""
    c.run_job(job_id)
    assert c.wait_for_job(job_id, interval=0.01, timeout=30).job.state == JobState["COMPLETE"]
    return job_id


def results(*names: str) -> JobResults:
    return JobResults(
        results=[{"name": n, "link": f"http://127.0.0.1:9/{i}"} for i, n in enumerate(names)]
    )


# -- names the file system cannot hold ------------------------------------------------------


def renamed(srv: sandbox.SandboxServer, c: Client, job_id: str, *names: str) -> None:
    """The next results answer of ``job_id`` gives its real (signed) links these names."""
    links = [f.link for f in c.get_job_results(job_id).files]
    body = {"results": [{"name": n, "link": links[i % len(links)]} for i, n in enumerate(names)]}
    srv.sandbox.fail_next(200, path=f"/customer/jobs/{job_id}/results", body=json.dumps(body))


@pytest.mark.parametrize("length", [200, 241, 250, 255])
@pytest.mark.parametrize("char", ["n", "é"])
def test_a_long_result_name_downloads(
    srv: sandbox.SandboxServer, c: Client, tmp_path: Path, length: int, char: str
) -> None:
    """Up to 255 bytes a name is fine: the temporary name beside it fits too."""
    job_id = completed(c)
    stem = char * ((length - 4) // len(char.encode()))
    name = f"out/{stem}.txt"
    renamed(srv, c, job_id, name)
    (path,) = c.download_results(job_id, tmp_path / "dl")
    assert path.name == f"{stem}.txt" and path.stat().st_size > 0
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no .part left


@pytest.mark.parametrize(
    "name", ["n" * 256, "é" * 128 + ".txt", "dir/" + "x" * 300, "a/" * 2100 + "b"]
)
def test_names_too_long_for_the_file_system_are_refused_first(tmp_path: Path, name: str) -> None:
    with pytest.raises(LocalPathError) as caught:
        plan_downloads(results("ok.txt", name), tmp_path, False)
    assert "long" in caught.value.problem
    assert len(str(caught.value)) < 1000  # the name is cut in the message
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "names",
    [("a", "a/b"), ("a/b", "a"), ("x/y/z", "x/y"), ("x/y", "x/y/z/w"), ("a/./b", "a")],
)
def test_a_name_that_is_another_ones_folder_is_refused_before_writing(
    tmp_path: Path, names: tuple[str, str]
) -> None:
    with pytest.raises(LocalPathError, match=r"folder|nothing was written"):
        plan_downloads(results(*names), tmp_path, False)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("names", [("a", "a/b"), ("a/b", "a")])
def test_the_pair_through_the_client_writes_nothing(
    srv: sandbox.SandboxServer, c: Client, tmp_path: Path, names: tuple[str, str]
) -> None:
    job_id = completed(c)
    renamed(srv, c, job_id, *names)
    with pytest.raises(LocalPathError):
        c.download_results(job_id, tmp_path / "dl")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


# -- places that cannot be written --------------------------------------------------------


@pytest.mark.parametrize("dest", ["/proc/bytenite-out", "/proc/self/bytenite-out", "/sys/bytenite"])
def test_an_unwritable_destination_is_typed(c: Client, dest: str) -> None:
    job_id = completed(c)
    with pytest.raises(LocalPathError):
        c.download_results(job_id, dest)


def test_a_file_in_the_way_of_a_folder_is_typed(c: Client, tmp_path: Path) -> None:
    job_id = completed(c)
    names = c.get_job_results(job_id).names
    folder = next(n.split("/")[0] for n in names if "/" in n)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / folder).write_text("in the way")
    with pytest.raises(LocalPathError, match="is a file"):
        c.download_results(job_id, tmp_path / "out")


# -- uploads: not a regular file, or a file that changes ------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dev-null", "folder", "missing"])
def test_uploading_what_is_not_a_regular_file_is_refused_without_hanging(
    c: Client, tmp_path: Path, kind: str
) -> None:
    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)  # opening it to read would block for ever
    elif kind == "dev-zero":
        path = Path("/dev/zero")
    elif kind == "dev-null":
        path = Path("/dev/null")
    elif kind == "folder":
        path = tmp_path
    else:
        path = tmp_path / "nope.bin"
    job = c.create_job(FILE_JOB)
    with pytest.raises(LocalPathError, match="nothing was sent"):
        c.upload_file(job, path)
    with pytest.raises(LocalPathError):
        check_upload_path(path)


def changing(action: Callable[[], None]) -> Callable[[Progress], None]:
    """A progress callback that changes the file once, as the upload starts reading it."""
    done: list[bool] = []

    def on_progress(progress: Progress) -> None:
        if not done:
            done.append(True)
            action()

    return on_progress


@pytest.mark.parametrize("change", ["shrink", "grow", "empty", "grow-large"])
def test_a_file_that_changes_size_during_the_upload_is_typed(
    srv: sandbox.SandboxServer, c: Client, tmp_path: Path, change: str
) -> None:
    """Was h11's LocalProtocolError (the body did not match its Content-Length)."""
    path = tmp_path / "in.bin"
    path.write_bytes(b"x" * 300_000)  # two pieces

    def act() -> None:
        if change == "shrink":
            path.write_bytes(b"x" * 1000)
        elif change == "empty":
            path.write_bytes(b"")
        elif change == "grow":
            with open(path, "ab") as f:
                f.write(b"y" * 10)
        else:
            with open(path, "ab") as f:
                f.write(b"y" * 1_000_000)

    job = c.create_job(FILE_JOB)
    with pytest.raises(LocalPathError, match=r"shrank|grew"):
        c.upload_file(job, path, progress=changing(act))
    upload = srv.sandbox.storage.uploads.get(job.job.id or "")
    assert upload is None or not upload.completed  # never marked uploaded
    assert upload is None or upload.size < 300_000 or change == "grow-large"


# -- the destination folder is created -----------------------------------------------------


def test_batch_download_creates_its_folder(
    c: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    batch = c.create_jobs([HELLO, HELLO], run=True)
    batch.wait(timeout=60)
    paths = batch.download_results("outputs")  # the README's call: outputs/ does not exist
    assert all(isinstance(p, list) and p for p in paths), paths
    assert (tmp_path / "outputs").is_dir()


def test_batch_download_into_a_missing_parent_is_one_typed_error(c: Client, tmp_path: Path) -> None:
    batch = c.create_jobs([HELLO], run=True)
    batch.wait(timeout=60)
    with pytest.raises(LocalPathError, match="parent folder"):
        batch.download_results(tmp_path / "typo" / "outputs")
