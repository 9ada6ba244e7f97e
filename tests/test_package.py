"""The public names of DESIGN.md, reachable from the package."""

from __future__ import annotations

import inspect

import bytenite_nb

API_ERRORS = [
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "InternalServerError",
    "ServiceUnavailableError",
]
DESIGN_NAMES = [
    *API_ERRORS,
    "Client",
    "AsyncClient",
    "CreateJobRequest",
    "JobResponse",
    "Job",
    "JobState",
    "JobConfig",
    "DataSource",
    "AppParams",
    "JobTemplate",
    "RpcStatus",
    "ByteNiteError",
    "PayloadError",
    "ApiError",
    "ByteNiteConnectionError",
    "JobForm",
    "load_ipython_extension",
    "unload_ipython_extension",
]


def test_every_public_name_resolves() -> None:
    for name in bytenite_nb.__all__:
        assert getattr(bytenite_nb, name) is not None, name
    assert set(DESIGN_NAMES) <= set(bytenite_nb.__all__)


def test_client_signature_is_the_documented_one() -> None:
    for cls in (bytenite_nb.Client, bytenite_nb.AsyncClient):
        params = inspect.signature(cls).parameters
        assert list(params)[:6] == [
            "api_key",
            "access_token",
            "base_url",
            "timeout",
            "max_retries",
            "customer_path",
        ]
        assert params["timeout"].default == 30.0 and params["max_retries"].default == 3
        assert params["access_token"].kind is inspect.Parameter.KEYWORD_ONLY


def test_error_hierarchy() -> None:
    b = bytenite_nb
    for name in API_ERRORS:
        assert issubclass(getattr(b, name), b.ApiError)
    assert issubclass(b.ApiError, b.ByteNiteError)
    assert issubclass(b.PayloadError, ValueError) and issubclass(b.PayloadError, b.ByteNiteError)
    assert issubclass(b.ByteNiteConnectionError, ConnectionError)
    assert issubclass(b.WaitTimeoutError, TimeoutError)


def test_the_spec_ships_with_the_package() -> None:
    from importlib import resources

    spec = resources.files("bytenite_nb").joinpath("spec/create-job.openapi.json")
    assert spec.is_file() and '"jobsCreateJobRequest"' in spec.read_text("utf-8")
    assert resources.files("bytenite_nb").joinpath("py.typed").is_file()


def test_async_calls_are_coroutine_functions_and_sync_ones_are_not() -> None:
    # What inspect, mock.create_autospec and editors rely on: AsyncClient "mirrors
    # Client with async", every public call of it an ``async def``.
    from unittest import mock

    from bytenite_nb.client._steps import driven
    from bytenite_nb.client._submit import ClientFlows

    calls = [name for name, value in vars(ClientFlows).items() if isinstance(value, driven)]
    assert {"create_job", "get_job", "wait_for_job", "download_results"} <= set(calls)
    spec = mock.create_autospec(bytenite_nb.AsyncClient, instance=True)
    for name in calls:
        assert inspect.iscoroutinefunction(getattr(bytenite_nb.AsyncClient, name)), name
        assert not inspect.iscoroutinefunction(getattr(bytenite_nb.Client, name)), name
        assert isinstance(getattr(spec, name), mock.AsyncMock), name
        assert inspect.signature(getattr(bytenite_nb.Client, name)) == inspect.signature(
            getattr(bytenite_nb.AsyncClient, name)
        )
    # A batch's calls likewise (AsyncJobBatch's flows are awaited by its client).
    from bytenite_nb.batch import AsyncJobBatch, JobBatch
    from bytenite_nb.batch.core import BatchCore

    batch_calls = [name for name, value in vars(BatchCore).items() if isinstance(value, driven)]
    assert {"get_results", "download_results", "abort"} <= set(batch_calls)
    for name in [*batch_calls, "resume", "wait"]:
        assert inspect.iscoroutinefunction(getattr(AsyncJobBatch, name)), name
        assert not inspect.iscoroutinefunction(getattr(JobBatch, name)), name
