"""The job calls as sans-I/O flows: create, get, run, wait, templates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import WaitTimeoutError
from ..models import CreateJobRequest, JobResponse, JobTemplate
from ._base import _BaseClient, _envelope, _Flow, _Sleep, check_wait, parse_request


class _JobCalls(_BaseClient):
    """Every job call, written once as a flow for both drivers."""

    def _create_job(self, request: CreateJobRequest | Mapping[str, Any]) -> _Flow[JobResponse]:
        payload = parse_request(request).to_payload()
        data = yield from self._call("POST", "/jobs", body=payload, idempotent=False)
        return self._job_response(data, created=True)

    def _get_job(self, job_id: str) -> _Flow[JobResponse]:
        data = yield from self._call("GET", self._job_path(job_id), idempotent=True)
        return self._job_response(data)

    def _run_job(self, job_id: str) -> _Flow[dict[str, Any]]:
        data = yield from self._call(
            "POST", self._job_path(job_id, "/run"), body={}, idempotent=False
        )
        return _envelope(data, f"run job {job_id}")

    def _wait_for_job(
        self,
        job_id: str,
        timeout: float | None,
        interval: float,
        on_update: Callable[[JobResponse], Any] | None,
    ) -> _Flow[JobResponse]:
        check_wait(timeout, interval)  # PayloadError before any I/O
        deadline = None if timeout is None else self._clock() + timeout
        seen: Any = object()
        while True:
            response = yield from self._get_job(job_id)
            state = response.job.state
            if state != seen:
                seen = state
                if on_update is not None:
                    on_update(response)
            if state is not None and state.is_terminal:
                return response
            if deadline is not None and self._clock() + interval > deadline:
                word = state.short_name if state is not None else "no state"
                raise WaitTimeoutError(
                    f"job {job_id} is still {word} after {timeout:g} s (it goes on running)",
                    response,
                )
            yield _Sleep(interval)

    def _list_templates(self) -> _Flow[list[JobTemplate]]:
        data = yield from self._call("GET", "/jobs/templates", idempotent=True)
        items = data.get("data", data.get("templates", [])) if isinstance(data, dict) else data
        if not isinstance(items, list):
            return []
        return [JobTemplate.model_validate(item) for item in items if isinstance(item, dict)]
