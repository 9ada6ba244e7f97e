"""The create-job cell: the body and the options read into a validated request,
sent through ``Client.submit_job``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ..client import check_upload_path, parse_request
from ..errors import ByteNiteError
from ..models import CreateJobRequest, JobResponse, parse_seconds
from ._body import deep_merge, read_body, unknown_fields
from ._options import SECRET_FIELDS

if TYPE_CHECKING:  # pragma: no cover
    from ._session import Session  # the session calls this module: for annotations only


def build_payload(session: Session, args: argparse.Namespace, cell: str) -> dict[str, Any]:
    """Defaults, then the body, then the options; each deep-merged over the last."""
    namespace = session.shell.user_ns if session.shell is not None else {}
    body = read_body(cell, namespace)
    secret = next((k for k in body if str(k).lower() in SECRET_FIELDS), None)
    if secret is not None:
        raise UsageError(
            f"%%bytenite: {secret!r} does not belong in the body: it would be saved in the "
            "notebook and sent as a job field. Set BYTENITE_API_KEY or run %bytenite login."
        )
    for note in unknown_fields(body):
        print(f"%%bytenite: {note}", file=sys.stderr)
    magics = session.magics
    defaults = {"templateId": magics.default_template, "config": dict(magics.default_config)}
    named = {"templateId": args.template, "name": args.name, "description": args.description}
    options: dict[str, Any] = {k: v for k, v in named.items() if v is not None}
    config: dict[str, Any] = {"isTestJob": True} if args.test else {}
    for flag, field in (("task_timeout", "taskTimeout"), ("job_timeout", "jobTimeout")):
        value = getattr(args, flag)
        if value is not None:
            try:
                config[field] = parse_seconds(value)
            except ValueError as exc:
                raise UsageError(f"--{flag.replace('_', '-')}: {exc}") from None
    if config:
        options["config"] = config
    return deep_merge(deep_merge({k: v for k, v in defaults.items() if v}, body), options)


def read_request(
    session: Session, args: argparse.Namespace, cell: str
) -> tuple[CreateJobRequest, Path | None]:
    """The validated request and the checked local file to upload (or None)."""
    try:
        payload = build_payload(session, args, cell)
        upload = _upload_source(args, payload)
        return parse_request(payload), upload
    except (UsageError, ByteNiteError) as exc:
        session.fail(exc, args.var)
    except Exception as exc:  # anything else a hostile body could provoke
        raise UsageError(
            f"%%bytenite: the cell could not be read: {type(exc).__name__}: {exc}"
        ) from None


def create_and_start(
    session: Session, args: argparse.Namespace, request: CreateJobRequest, upload: Path | None
) -> JobResponse:
    """Create, upload, run if asked; the job is in VAR as soon as it exists, and an
    interrupt after that says how to follow or abort it."""
    created: list[JobResponse] = []
    stage = ""

    def on_update(step: str, response: JobResponse) -> None:
        nonlocal stage
        stage = step
        if step == "created":
            created.append(response)
            session.store(args.var, response)

    try:
        client = session.client()
        response = client.submit_job(
            request, upload=upload, run=args.run or args.wait, on_update=on_update
        )
    except KeyboardInterrupt:
        if not created:
            raise UsageError(
                "%%bytenite: interrupted while creating the job: it may have been created; "
                "check your recent jobs (%bytenite jobs) before running the cell again"
            ) from None
        job_id = created[0].job.id
        kept = f"it is in `{args.var}`" if args.var else "it was not stored"
        print(
            f"Interrupted after creating job {job_id} (it may or may not have "
            f"started); {kept}.\n  %bytenite watch {job_id}   follows it\n"
            f"  %bytenite abort {job_id}   aborts it"
        )
        raise UsageError(
            f"%%bytenite: interrupted after creating job {job_id}; see above"
        ) from None
    except Exception as exc:
        if created and stage == "uploading":
            job_id = created[0].job.id
            print(
                f"Job {job_id} was created, but its input was not uploaded; "
                f"retry with client.upload_file({job_id!r}, {str(upload)!r}).",
                file=sys.stderr,
            )
        session.fail(exc, args.var)
    session.store(args.var, response)
    return response


def _upload_source(args: argparse.Namespace, payload: dict[str, Any]) -> Path | None:
    """``--upload PATH``: the checked local file (before anything is sent), and a
    ``file`` data source in ``payload`` when it has none."""
    if args.upload is None:
        return None
    path = check_upload_path(args.upload)
    source = payload.get("dataSource")
    if source is None:
        payload["dataSource"] = {"dataSourceDescriptor": "file"}
    elif not isinstance(source, dict) or source.get("dataSourceDescriptor") != "file":
        kind = source.get("dataSourceDescriptor") if isinstance(source, dict) else source
        raise UsageError(f"%%bytenite: --upload needs a 'file' data source, the body has {kind!r}")
    return path
