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

_LAZY = {
    "Client": ".client",
    "AsyncClient": ".client",
    "AppParams": ".models",
    "CreateJobRequest": ".models",
    "DataSource": ".models",
    "ExecutionPriority": ".models",
    "Job": ".models",
    "JobConfig": ".models",
    "JobResponse": ".models",
    "JobState": ".models",
    "JobTemplate": ".models",
    "JobsPage": ".models",
    "JobLogs": ".models",
    "LogEntry": ".models",
    "LogLevel": ".models",
    "RpcStatus": ".models",
    "JobResults": ".models",
    "ResultFile": ".models",
    "JobNotReadyError": ".errors",
    "LocalPathError": ".errors",
    "ApiError": ".errors",
    "AuthenticationError": ".errors",
    "BadRequestError": ".errors",
    "ByteNiteConnectionError": ".errors",
    "ByteNiteError": ".errors",
    "InternalServerError": ".errors",
    "NotFoundError": ".errors",
    "PayloadError": ".errors",
    "PermissionDeniedError": ".errors",
    "ServiceUnavailableError": ".errors",
    "WaitTimeoutError": ".errors",
    "JobForm": ".form",
    "JobBatch": ".batch",
    "sweep": ".batch",
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
