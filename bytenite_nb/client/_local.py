"""The local side of transfers: paths checked before anything is sent or
written, and the sinks that touch the disk. Every problem is a
:class:`LocalPathError` naming the path, never a raw ``OSError``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, LocalPathError, cut
from ..models import JobResults, ResultFile
from ..progress import Reporter

if TYPE_CHECKING:  # pragma: no cover - the HTTP stack loads with the first request
    import httpx

#: Bytes read from disk per piece of an upload.
UPLOAD_CHUNK = 256 * 1024
#: The longest file name (one path component) file systems take, in bytes.
NAME_MAX = 255
#: The longest path, in bytes (Linux's PATH_MAX, less a margin for the temporary name).
PATH_MAX = 4000

Sink = Callable[[bytes], bool | None]


@contextlib.contextmanager
def _os_errors(path: object, doing: str) -> Iterator[None]:
    """An ``OSError`` inside becomes a :class:`LocalPathError` naming ``path``."""
    try:
        yield
    except OSError as exc:
        raise LocalPathError(path, f"{doing}: {exc.strerror or exc}") from None


def check_upload_path(path: str | os.PathLike[str]) -> Path:
    """The file to upload: a readable regular file, else ``LocalPathError``."""
    local = Path(path).expanduser()
    with _os_errors(local, "cannot be read (nothing was sent)"):
        try:
            info = local.stat()
        except FileNotFoundError:
            raise LocalPathError(local, "no such file (nothing was sent)") from None
    if stat.S_ISDIR(info.st_mode):
        raise LocalPathError(local, "is a folder; upload_file sends one file (nothing was sent)")
    if not stat.S_ISREG(info.st_mode):
        raise LocalPathError(
            local,
            "is not a regular file (a pipe, a device or a socket has no fixed size to send; "
            "nothing was sent)",
        )
    with _os_errors(local, "cannot be read (nothing was sent)"), open(local, "rb"):
        pass
    return local


def read_pieces(path: Path, size: int, progress: Reporter) -> Iterator[bytes]:
    """Exactly ``size`` bytes of ``path`` in pieces; ``LocalPathError`` if the file
    changed size meanwhile (the request declared ``size``)."""
    progress.restart(progress.total)
    sent = 0
    with _os_errors(path, "could not be read while it was sent"), open(path, "rb") as stream:
        while sent < size:
            piece = stream.read(min(UPLOAD_CHUNK, size - sent))
            if not piece:
                raise LocalPathError(
                    path, f"shrank while it was sent ({sent:,} of {size:,} bytes read)"
                )
            sent += len(piece)
            if sent == size and stream.read(1):  # before the last piece: the body stays short
                raise LocalPathError(path, f"grew while it was sent (past {size:,} bytes)")
            progress.advance(len(piece))
            yield piece


def check_dest(dest: str | os.PathLike[str]) -> Path:
    """The download folder: it may be missing, but its parent must exist (else
    most likely a typo); ``LocalPathError`` otherwise."""
    root = Path(dest).expanduser().absolute()
    with _os_errors(root, "cannot be used"):
        if root.exists():
            if not root.is_dir():
                raise LocalPathError(root, "is a file, not a folder to download into")
            where = root
        else:
            where = root.parent
            if not where.is_dir():
                raise LocalPathError(
                    root,
                    f"its parent folder {where} does not exist (download_results creates the "
                    "destination folder itself, not its parents)",
                )
    if not os.access(where, os.W_OK | os.X_OK):
        raise LocalPathError(where, "the folder is not writable")
    return root


def prepare_dest(dest: str | os.PathLike[str]) -> Path:
    """:func:`check_dest`, then the folder created: a batch puts one folder per job in it."""
    root = check_dest(dest)
    with _os_errors(root, "cannot be created"):
        root.mkdir(exist_ok=True)
    return root


def _shown(name: str) -> str:
    return cut(name, 120)


def _refused(name: str, root: Path) -> LocalPathError:
    return LocalPathError(name, f"refused: this result name would be written outside {root}")


def result_target(root: Path, name: str) -> Path:
    """Where the result ``name`` goes under ``root``; refused if it would escape
    or if the file system could not hold it (a part over 255 bytes)."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if (
        not name.strip()
        or name.startswith(("/", "\\"))
        or (len(name) > 1 and name[1] == ":")
        or any(p in ("..",) or "\x00" in p for p in parts)
    ):
        raise _refused(name, root)
    kept = [p for p in parts if p != "."]
    for part in kept:
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX:
            raise LocalPathError(
                _shown(name),
                f"a part of this result name is longer than file systems allow "
                f"({NAME_MAX} bytes); nothing was written",
            )
    target = root.joinpath(*kept)
    if len(os.fsencode(target)) > PATH_MAX:
        raise LocalPathError(_shown(name), "this result's path would be too long; nothing written")
    with _os_errors(_shown(name), "cannot be placed"):
        resolved = target.resolve()
    if not resolved.is_relative_to(root.resolve()) or resolved == root.resolve():
        raise _refused(name, root)
    return target


def plan_downloads(
    results: JobResults, root: Path, overwrite: bool
) -> list[tuple[ResultFile, Path]]:
    """Each file and its local path, checked before anything is written (``LocalPathError``
    for two names of one path, ``a`` and ``a/b``, something in the way, an existing file)."""
    plan: list[tuple[ResultFile, Path]] = []
    seen: dict[Path, str] = {}
    folders: dict[Path, str] = {}  # every folder a planned file needs, and for which name
    existing: list[str] = []
    for file in results.files:
        target = result_target(root, file.name)
        if target in seen:
            raise LocalPathError(
                _shown(file.name), f"two results share this name ({seen[target]!r})"
            )
        if target in folders:
            raise LocalPathError(
                _shown(file.name),
                f"is both a result file and the folder of {_shown(folders[target])!r} "
                "(nothing was written)",
            )
        seen[target] = file.name
        if not file.link:
            raise ApiError(f"result {_shown(file.name)!r} came without a link", status_code=200)
        with _os_errors(_shown(file.name), "cannot be placed"):
            for parent in target.parents:
                if parent == root or not parent.is_relative_to(root):
                    break
                if parent in seen:
                    raise LocalPathError(
                        _shown(file.name),
                        f"needs {_shown(seen[parent])!r} as a folder, but that is a result "
                        "file too (nothing was written)",
                    )
                folders.setdefault(parent, file.name)
                if parent.exists() and not parent.is_dir():
                    raise LocalPathError(parent, "is a file where a result folder should be")
            if target.is_dir():
                raise LocalPathError(target, "is a folder where a result file should be")
            if target.exists() and not overwrite:
                existing.append(str(target))
        plan.append((file, target))
    if existing:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise LocalPathError(
            existing[0], f"already exists{more}; pass overwrite=True to replace (nothing written)"
        )
    return plan


def make_folders(target: Path) -> None:
    """The folders a result goes into; ``LocalPathError`` if they cannot be made."""
    with _os_errors(target.parent, "cannot be created"):
        target.parent.mkdir(parents=True, exist_ok=True)


def _part_name(name: str) -> str:
    """A temporary name beside ``name`` that fits in NAME_MAX bytes."""
    stem = name
    while len(stem.encode("utf-8", "surrogateescape")) > NAME_MAX - 32:
        stem = stem[: max(1, len(stem) // 2)]
    return f".{stem}.{secrets.token_hex(4)}.part"


class FileSink:
    """Writes one download to a temporary file beside its target; renames at the end."""

    def __init__(self, target: Path, progress: Reporter) -> None:
        self.target = target
        self.part = target.with_name(_part_name(target.name))
        self.progress = progress
        self._stream: Any = None

    def start(self, response: httpx.Response) -> Sink:
        self.close()
        with _os_errors(self.target, "cannot be written"):
            self._stream = open(self.part, "wb")  # noqa: SIM115 - closed by close()/discard()
        length = response.headers.get("Content-Length", "")
        self.progress.restart(int(length) if length.isdigit() else None)
        return self.write

    def write(self, piece: bytes) -> None:
        with _os_errors(self.target, "cannot be written"):
            self._stream.write(piece)
        self.progress.advance(len(piece))

    def close(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            with _os_errors(self.target, "cannot be written"):
                stream.close()

    def commit(self, overwrite: bool) -> int:
        """Put the complete file in place; its size in bytes."""
        self.close()
        with _os_errors(self.target, "cannot be written"):
            if not overwrite and self.target.exists():  # appeared meanwhile: leave it alone
                raise LocalPathError(self.target, "appeared during the download; not replaced")
            os.replace(self.part, self.target)
            return self.target.stat().st_size

    def discard(self) -> None:
        with contextlib.suppress(LocalPathError):
            self.close()
        with contextlib.suppress(OSError):
            self.part.unlink(missing_ok=True)


class HeadSink:
    """Keeps the first ``limit`` bytes of a body, then stops the transfer."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.cut = False
        self.size: int | None = None

    def start(self, response: httpx.Response) -> Sink:
        self.data.clear()
        self.cut = False
        length = response.headers.get("Content-Length", "")
        self.size = int(length) if length.isdigit() else None
        return self.write

    def write(self, piece: bytes) -> bool:
        room = self.limit - len(self.data)
        self.data += piece[:room]
        if len(piece) > room:
            self.cut = True
            return False
        return True
