"""bytenite-nb: create, run and watch ByteNite compute jobs from a notebook.

Everything is imported lazily, on first use of a name, so that
``%load_ext bytenite_nb`` costs almost nothing::

    from bytenite_nb import Client
    with Client() as client:                      # BYTENITE_API_KEY from the env
        job = client.create_job({"templateId": "hello-world-template"})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import lazy_names
from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .batch import JobBatch, sweep
    from .client import AsyncClient, Client
    from .errors import (
        ApiError,
        AuthenticationError,
        BadRequestError,
        ByteNiteConnectionError,
        ByteNiteError,
        InternalServerError,
        JobNotReadyError,
        LocalPathError,
        NotFoundError,
        PayloadError,
        PermissionDeniedError,
        ServiceUnavailableError,
        WaitTimeoutError,
    )
    from .models import (
        AppParams,
        CreateJobRequest,
        DataSource,
        ExecutionPriority,
        Job,
        JobConfig,
        JobLogs,
        JobResponse,
        JobResults,
        JobsPage,
        JobState,
        JobTemplate,
        LogEntry,
        LogLevel,
        ResultFile,
        RpcStatus,
    )

#: Each lazy name and the module it is imported from, on first use.
_LAZY = {
    name: module
    for module, names in {
        ".client": "Client AsyncClient",
        ".models": "AppParams CreateJobRequest DataSource ExecutionPriority Job JobConfig "
        "JobResponse JobState JobTemplate JobsPage JobLogs LogEntry LogLevel RpcStatus "
        "JobResults ResultFile",
        ".errors": "JobNotReadyError LocalPathError ApiError AuthenticationError BadRequestError "
        "ByteNiteConnectionError ByteNiteError InternalServerError NotFoundError PayloadError "
        "PermissionDeniedError ServiceUnavailableError WaitTimeoutError",
        ".form": "JobForm",
        ".batch": "JobBatch sweep",
    }.items()
    for name in names.split()
}

__all__ = ["__version__", *_LAZY, "load_ipython_extension", "unload_ipython_extension"]
__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext bytenite_nb``: register ``%bytenite`` and ``%%bytenite``."""
    from .magic import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext bytenite_nb``: remove the magics again."""
    from .magic import unload_ipython_extension as unload

    unload(ipython)
