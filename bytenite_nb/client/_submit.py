"""The one submit sequence (create, upload, run, wait) as one flow, used by the
magic, the form and every batch item, and the table of public calls both
clients drive.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, Unpack

from ..errors import ApiError, PayloadError
from ..models import CreateJobRequest, JobResponse
from ..progress import ProgressOption
from ._local import check_upload_path
from ._payloads import check_wait, parse_request
from ._steps import _Flow, driven
from ._transfers import _TransferCalls


class SubmitOptions(TypedDict, total=False):
    """The options of :meth:`Client.submit_job` (and its async twin), declared once."""

    #: A local file for the job's ``file`` data source, uploaded once the job exists.
    upload: str | os.PathLike[str] | None
    #: Start the job once created (and uploaded).
    run: bool
    #: Run it and follow it to its end (``timeout``, ``interval``: see ``wait_for_job``).
    wait: bool
    timeout: float | None
    interval: float
    #: ``on_update(stage, response)``: ``created``, ``uploading``, ``starting``, ``waiting``.
    on_update: Callable[[str, JobResponse], Any] | None
    #: The upload's progress (see ``bytenite_nb.progress``).
    progress: ProgressOption


class ClientFlows(_TransferCalls):
    """Every call as a sans-I/O flow and the public calls (:class:`driven`): what
    both clients drive and a batch builds on."""

    def _submit_job(
        self,
        request: CreateJobRequest | Mapping[str, Any],
        *,
        marker: str | None = None,
        refresh: bool = True,
        **options: Unpack[SubmitOptions],
    ) -> _Flow[JobResponse]:
        """:meth:`Client.submit_job`, with a batch's ``marker``; ``refresh=False``
        skips reading the job again after a run without a wait."""
        upload = options.get("upload")
        tell = options.get("on_update") or (lambda stage, response: None)
        wait = options.get("wait", False)
        run = options.get("run", False) or wait
        timeout, interval = options.get("timeout"), options.get("interval", 2.0)
        parsed = parse_request(request)  # PayloadError before any I/O
        local = None
        if upload is not None:
            local = check_upload_path(upload)
            source = parsed.to_payload().get("dataSource") or {}
            if source.get("dataSourceDescriptor") != "file":
                message = "must be 'file' to upload a local file"
                field = "dataSource.dataSourceDescriptor"
                raise PayloadError([{"field": field, "message": message}])
        if wait:
            check_wait(timeout, interval)
        response = yield from self._create_job(parsed, marker)
        tell("created", response)
        job_id = response.job.id
        if local is not None:
            tell("uploading", response)
            yield from self._upload_file(response, local, progress=options.get("progress"))
        if not run:
            return response
        if not job_id:
            raise ApiError("the service returned no job id: the job cannot be run", status_code=200)
        tell("starting", response)
        yield from self._run_job(job_id)
        if wait:
            return (
                yield from self._wait_for_job(
                    job_id,
                    timeout=timeout,
                    interval=interval,
                    on_update=lambda latest: tell("waiting", latest),
                )
            )
        return (yield from self._get_job(job_id)) if refresh else response

    # -- the public calls: a batch's extra arguments stay out of their signatures --------
    def _authenticate(self) -> _Flow[None]:
        """Exchange the API key for a token now (``AuthenticationError`` if refused)."""
        yield from self._token_flow()

    def _create(self, request: CreateJobRequest | Mapping[str, Any]) -> _Flow[JobResponse]:
        """Validate ``request`` (``PayloadError`` before any I/O), create the job."""
        return self._create_job(request)

    def _start(self, job_id: str) -> _Flow[dict[str, Any]]:
        """Start a job created as a draft (state NEW); returns the service's envelope."""
        return self._run_job(job_id)

    def _submit(
        self, request: CreateJobRequest | Mapping[str, Any], **options: Unpack[SubmitOptions]
    ) -> _Flow[JobResponse]:
        """Create the job, upload ``upload`` to its ``file`` data source, run it
        (``run``), follow it to its end (``wait``); options: :class:`SubmitOptions`.

        Everything is checked before anything is sent (``PayloadError``,
        ``LocalPathError``); the create is applied once. ``on_update`` hears
        ``created`` as soon as the job exists: a later failure leaves it in
        place. Returns the job as it stands at the end.
        """
        return self._submit_job(request, **options)

    authenticate = driven(_authenticate)
    create_job = driven(_create)
    submit_job = driven(_submit)
    get_job = driven(_TransferCalls._get_job)
    list_jobs = driven(_TransferCalls._list_jobs)
    abort_job = driven(_TransferCalls._abort_job)
    delete_job = driven(_TransferCalls._delete_job)
    get_job_logs = driven(_TransferCalls._get_job_logs)
    run_job = driven(_start)
    list_templates = driven(_TransferCalls._list_templates)
    get_job_results = driven(_TransferCalls._get_job_results)
    preview_results = driven(_TransferCalls._preview_results)
    download_results = driven(_TransferCalls._download_results)
    upload_file = driven(_TransferCalls._upload_file)
    wait_for_job = driven(_TransferCalls._wait_for_job)
