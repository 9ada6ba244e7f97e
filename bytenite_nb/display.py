"""Rich cards for jobs, errors and payloads, built by small pure functions.

Each card is HTML that needs no JavaScript (sections are ``<details>``), with
the CSS from ``static/bytenite.css`` (read once) scoped under ``.bn-root``,
and an escaped text version that shows wherever styles are stripped (GitHub,
untrusted notebooks) and is hidden when the CSS loads. Every value that came
from a user or a server goes through :func:`esc`.

Imports no front end: models and errors in, strings out.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import Any

from .errors import ApiError, ByteNiteConnectionError, PayloadError
from .models import CreateJobRequest, DataSource, Job, JobResponse, JobState

__all__ = [
    "error_html",
    "error_mimebundle",
    "error_text",
    "job_html",
    "job_mimebundle",
    "job_text",
    "payload_html",
    "payload_mimebundle",
    "payload_text",
]

#: Folding limits: past these, a visible marker says how much is left out.
MAX_STRING = 400
MAX_ITEMS = 40
MAX_DEPTH = 6
MAX_MESSAGE = 2000

#: Params that grant access and are never shown (a signed upload URL).
HIDDEN_PARAMS = frozenset({"tempUrl"})


# --------------------------------------------------------------------------
# Small pieces
# --------------------------------------------------------------------------


@cache
def css() -> str:
    """The card stylesheet (read once, UTF-8)."""
    return resources.files(__package__).joinpath("static/bytenite.css").read_text("utf-8")


def esc(value: object) -> str:
    """HTML-escape anything (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def fold(text: str, limit: int = MAX_STRING) -> str:
    """``text`` cut to ``limit`` characters with a marker saying how many are left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters]"


def duration(seconds: float | None) -> str:
    """``3600`` → ``"1h"``, ``90`` → ``"1m 30s"``, ``0.25`` → ``"0.25s"``."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 10 and seconds != int(seconds):
        return f"{seconds:.2f}s"
    rest = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    if rest or not parts:
        parts.append(f"{rest}s")
    return " ".join(parts[:2])


def relative(when: datetime, now: datetime) -> str:
    """``"3 min ago"`` / ``"in 2h"`` between two aware datetimes."""
    delta = (now - when).total_seconds()
    if abs(delta) < 5:
        return "just now"
    span = duration(abs(delta)).split(" ")[0].replace("m", " min")
    return f"{span} ago" if delta > 0 else f"in {span}"


def timestamp(when: datetime | None, now: datetime) -> str:
    """Absolute UTC time with a relative one: ``2026-11-28 19:49:15 UTC (3 min ago)``."""
    if when is None:
        return "—"
    utc = when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{utc} ({relative(when, now)})"


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(timezone.utc)


def state_tone(state: JobState | None) -> str:
    """The CSS tone of a state: ``ok``, ``run``, ``bad`` or ``""`` (neutral)."""
    if state is None or not state.is_known:
        return ""
    if state.is_failed:
        return "bad"
    if state.short_name == "COMPLETE":
        return "ok"
    if state.short_name == "NEW":
        return ""
    return "run"


def state_word(state: JobState | None) -> str:
    """What the badge says: a label for known states, the raw name otherwise."""
    if state is None:
        return "unknown"
    return state.label if state.is_known else str(state.value)


def badge(state: JobState | None) -> str:
    tone = state_tone(state)
    css_class = f"bn-badge bn-{tone}" if tone else "bn-badge"
    title = esc(state.value) if state is not None else "no state reported"
    return f'<span class="{css_class}" title="{title}">{esc(state_word(state))}</span>'


def step_text(state: JobState | None) -> str:
    """``"step 3 of 10"`` for a known running state, ``""`` otherwise."""
    if state is None or state.step is None:
        return ""
    return f"step {state.step + 1} of {len(JobState.progression())}"


def steps(state: JobState | None, failed_at: JobState | None = None) -> str:
    """A bar of one segment per state NEW → COMPLETE; done, current, failed."""
    progression = JobState.progression()
    if state is None or (state.step is None and not state.is_failed):
        return ""
    reached = state.step if state.step is not None else None
    if state.is_failed:
        reached = failed_at.step if failed_at is not None and failed_at.step is not None else 0
    cells = []
    for index, each in enumerate(progression):
        if state.is_failed and index == reached:
            cls = "bn-fail"
        elif reached is not None and index < reached:
            cls = "bn-done"
        elif index == reached:
            cls = "bn-done" if each.is_terminal else "bn-now"
        else:
            cls = ""
        attr = f' class="{cls}"' if cls else ""
        cells.append(f'<span{attr} title="{esc(each.label)}"></span>')
    failed_where = f" while {progression[reached or 0].label.lower()}" if state.is_failed else ""
    label = esc(step_text(state) or f"{state_word(state)}{failed_where}")
    return f'<div class="bn-steps" role="img" aria-label="{label}">{"".join(cells)}</div>'


def kv_table(rows: Iterable[tuple[str, str]]) -> str:
    """Rows of (escaped label, ready HTML value); empty when there are none."""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="bn-kv">{body}</table>' if body else ""


def section(title: str, body: str, *, open: bool = False) -> str:
    """A collapsible section (``<details>``, no JavaScript); empty body → nothing."""
    if not body:
        return ""
    flag = " open" if open else ""
    return f"<details{flag}><summary>{esc(title)}</summary>{body}</details>"


def json_html(value: Any, *, indent: int = 0, depth: int = 0) -> str:
    """JSON, syntax-highlighted with spans, long strings and big containers folded."""
    pad = "  " * (indent + 1)
    end = "  " * indent
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        if depth >= MAX_DEPTH:
            return '<span class="bn-more">{…}</span>'
        items = list(value.items())
        lines = [
            f'{pad}<span class="bn-k">{esc(json.dumps(str(k), ensure_ascii=False))}</span>: '
            f"{json_html(v, indent=indent + 1, depth=depth + 1)}"
            for k, v in items[:MAX_ITEMS]
        ]
        if len(items) > MAX_ITEMS:
            lines.append(
                f'{pad}<span class="bn-more">… {len(items) - MAX_ITEMS:,} more keys</span>'
            )
        return "{\n" + ",\n".join(lines) + f"\n{end}}}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if depth >= MAX_DEPTH:
            return '<span class="bn-more">[…]</span>'
        lines = [
            f"{pad}{json_html(v, indent=indent + 1, depth=depth + 1)}" for v in value[:MAX_ITEMS]
        ]
        if len(value) > MAX_ITEMS:
            lines.append(
                f'{pad}<span class="bn-more">… {len(value) - MAX_ITEMS:,} more items</span>'
            )
        return "[\n" + ",\n".join(lines) + f"\n{end}]"
    if isinstance(value, str):
        shown = json.dumps(value[:MAX_STRING], ensure_ascii=False)
        more = (
            f'<span class="bn-more">… {len(value) - MAX_STRING:,} more characters</span>'
            if len(value) > MAX_STRING
            else ""
        )
        return f'<span class="bn-s">{esc(shown)}</span>{more}'
    if isinstance(value, bool) or value is None:
        return f'<span class="bn-l">{json.dumps(value)}</span>'
    if isinstance(value, (int, float)):
        return f'<span class="bn-n">{esc(json.dumps(value))}</span>'
    return f'<span class="bn-s">{esc(json.dumps(str(value), ensure_ascii=False))}</span>'


def json_block(value: Any) -> str:
    return f'<pre class="bn-json">{json_html(value)}</pre>'


def json_text(value: Any, limit: int = 600) -> str:
    """Compact one-line JSON for text output, folded."""
    return fold(json.dumps(value, ensure_ascii=False, default=str), limit)


def wrap(card_class: str, body: str, text: str) -> str:
    """The outer markup: CSS, the text fallback, and the card (hidden until styled)."""
    card_class = " ".join(card_class.split())
    return (
        f'<div class="bn-root"><style>{css()}</style>'
        f'<pre class="bn-text">{esc(text)}</pre>'
        f'<div class="bn-card {card_class}" hidden style="display:none">{body}</div></div>'
    )


# --------------------------------------------------------------------------
# Job card
# --------------------------------------------------------------------------


def source_summary(source: DataSource | None) -> str:
    """``url https://…`` / ``aws my-bucket/in.mp4 (eu-west-1)`` / ``bucket``."""
    if source is None:
        return ""
    kind = source.data_source_descriptor or "?"
    params = {k: v for k, v in (source.params or {}).items() if k != "@type"}
    if "url" in params:
        return f"{kind} {fold(str(params['url']), 120)}"
    if "bucketName" in params:
        region = f" ({params['cloudRegion']})" if params.get("cloudRegion") else ""
        return f"{kind} {params['bucketName']}/{params.get('name', '')}{region}"
    shown = {k: ("(signed URL, hidden)" if k in HIDDEN_PARAMS else v) for k, v in params.items()}
    return f"{kind} {json_text(shown, 120)}" if shown else kind


def _source_rows(label: str, source: DataSource | None) -> list[tuple[str, str]]:
    if source is None:
        return []
    kind, _, rest = source_summary(source).partition(" ")
    detail = f' <span class="bn-mono">{esc(rest)}</span>' if rest else ""
    return [(label, f"<code>{esc(kind)}</code>{detail}")]


def _config_rows(job: Job) -> list[tuple[str, str]]:
    config = job.config
    rows: list[tuple[str, str]] = []
    if config is not None:
        if config.task_timeout is not None:
            rows.append(("task timeout", esc(duration(config.task_timeout))))
        if config.job_timeout is not None:
            rows.append(("job timeout", esc(duration(config.job_timeout))))
        if config.is_test_job:
            rows.append(("test job", "yes"))
    if job.priority is not None:
        rows.append(("priority", esc(job.priority.value.removeprefix("EXECUTION_PRIORITY_"))))
    if job.regions is not None:
        for key in ("whitelist", "blacklist"):
            values = getattr(job.regions, key)
            if values:
                rows.append((f"regions {key}", esc(fold(", ".join(values), 200))))
    return rows


def _template_rows(template: Any) -> list[tuple[str, str]]:
    if template is None:
        return []
    fields = ("id", "owner", "description", "app", "partitioner", "assembler")
    return [
        (name, esc(fold(str(getattr(template, name)), 300)))
        for name in fields
        if getattr(template, name)
    ]


def _time_rows(job: Job, now: datetime) -> list[tuple[str, str]]:
    rows = [
        (label, esc(timestamp(value, now)))
        for label, value in (
            ("created", job.created_at),
            ("submitted", job.submitted_at),
            ("started", job.started_at),
            ("ended", job.ended_at),
            ("start at", job.start_at),
        )
        if value is not None
    ]
    took = job.duration
    if took is None and job.started_at and job.ended_at:
        took = (job.ended_at - job.started_at).total_seconds()
    if took is not None:
        rows.append(("duration", esc(duration(took))))
    return rows


def _cost_rows(job: Job) -> list[tuple[str, str]]:
    rows = []
    if job.payment_amount is not None:
        rows.append(("payment amount", esc(f"{job.payment_amount:,.4f}")))
    if job.num_units_estimation is not None:
        rows.append(("units (estimate)", esc(f"{job.num_units_estimation:,}")))
    if job.num_chunks is not None:
        rows.append(("chunks", esc(f"{job.num_chunks:,}")))
    return rows


def _params_body(job: Job) -> str:
    params = job.params
    if params is None:
        return ""
    parts = []
    for key in ("app", "partitioner", "assembler"):
        value = getattr(params, key)
        if value is not None:
            parts.append(f'<div class="bn-sub">{key}</div>{json_block(value)}')
    extra = {**({"preset": params.preset} if params.preset else {}), **(params.model_extra or {})}
    if extra:
        parts.append(f'<div class="bn-sub">other</div>{json_block(extra)}')
    return "".join(parts)


def _failed_at(job: Job) -> JobState | None:
    """The last known running state a failed job reached (from its timestamps)."""
    reached = [JobState(s) for s in (job.state_timestamps or {})]
    running = [s for s in reached if s.step is not None]
    return max(running, key=lambda s: s.step or 0) if running else None


def job_html(response: JobResponse, *, now: datetime | None = None) -> str:
    """The job card."""
    job = response.job
    at = _now(now)
    template = response.template_info or job.template_info
    title = esc(job.name or "Untitled job")
    ident = f'<span class="bn-sub bn-mono">{esc(job.id)}</span>' if job.id else ""
    step = step_text(job.state)
    where = f'<span class="bn-sub">{esc(step)}</span>' if step else ""
    head = (
        f'<div class="bn-head"><span class="bn-title">{title}</span>{badge(job.state)}'
        f"{where}{ident}</div>{steps(job.state, _failed_at(job))}"
    )
    body = [head]
    if job.description:
        body.append(f'<div class="bn-sub">{esc(fold(job.description))}</div>')
    if job.state is not None and job.state.is_failed:
        message = job.error_message or "no reason given"
        body.append(f'<div class="bn-error-msg">{esc(fold(message, MAX_MESSAGE))}</div>')
    overview = [("template", f"<code>{esc(job.template_id or '—')}</code>")]
    overview += _source_rows("input", job.data_source)
    overview += _source_rows("output", job.data_destination)
    body.append(section("Overview", kv_table(overview), open=True))
    body.append(section("Config", kv_table(_config_rows(job)), open=True))
    body.append(section("Params", _params_body(job)))
    body.append(section("Template", kv_table(_template_rows(template))))
    body.append(section("Times", kv_table(_time_rows(job, at)), open=True))
    body.append(section("Cost", kv_table(_cost_rows(job))))
    extra = {**(job.model_extra or {}), **(response.model_extra or {})}
    if extra:
        body.append(section("Other fields", json_block(extra)))
    tone = state_tone(job.state)
    return wrap(
        f"bn-job bn-{tone}" if tone else "bn-job", "".join(body), job_text(response, now=at)
    )


def job_text(response: JobResponse, *, now: datetime | None = None) -> str:
    """A compact plain-text summary of a job (the text/plain form)."""
    job = response.job
    at = _now(now)
    step = step_text(job.state)
    state = state_word(job.state).upper() + (f", {step}" if step else "")
    lines = [f"ByteNite job {job.name or 'Untitled job'!r} [{state}]"]
    if job.id:
        lines.append(f"  id         {job.id}")
    template = response.template_info or job.template_info
    parts = f" ({template.app} · {template.partitioner} → {template.assembler})" if template else ""
    lines.append(f"  template   {job.template_id or '—'}{parts}")
    if job.state is not None and job.state.is_failed:
        lines.append(f"  error      {fold(job.error_message or 'no reason given', 300)}")
    for label, source in (("input", job.data_source), ("output", job.data_destination)):
        if source is not None:
            lines.append(f"  {label:<10} {source_summary(source)}")
    config = [f"{k} {html.unescape(v)}" for k, v in _config_rows(job)]
    if config:
        lines.append(f"  config     {', '.join(config)}")
    if job.created_at:
        lines.append(f"  created    {timestamp(job.created_at, at)}")
    if job.ended_at:
        lines.append(f"  ended      {timestamp(job.ended_at, at)}")
    return "\n".join(lines)


def mimebundle(
    text: str, markup: str, wire: Any, include: Iterable[str] | None = None
) -> dict[str, Any]:
    """text/plain and text/html; application/json (the wire form) only when asked for.

    JupyterLab ranks its JSON tree viewer above HTML, so offering
    application/json unasked would hide the card behind a JSON tree.
    """
    bundle: dict[str, Any] = {"text/plain": text, "text/html": markup}
    if include is not None and "application/json" in include:
        bundle["application/json"] = wire
    return bundle


def job_mimebundle(response: JobResponse, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The job card as a mimebundle (see :func:`mimebundle`)."""
    now = _now(None)
    return mimebundle(
        job_text(response, now=now), job_html(response, now=now), response.to_wire(), include
    )


# --------------------------------------------------------------------------
# Error card
# --------------------------------------------------------------------------


def _violations(details: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``google.rpc.BadRequest`` field violations, as (field, description)."""
    found = []
    for detail in details:
        for violation in detail.get("fieldViolations") or ():
            if isinstance(violation, Mapping):
                found.append(
                    (str(violation.get("field", "")), str(violation.get("description", "")))
                )
    return found


def error_title(error: BaseException) -> str:
    if isinstance(error, PayloadError):
        return "Invalid job payload — nothing was sent"
    if isinstance(error, ApiError):
        if error.status_code is None:
            return "Not signed in to ByteNite"
        return f"ByteNite API error · {error.reason}"
    if isinstance(error, ByteNiteConnectionError):
        return "Could not reach ByteNite"
    return f"ByteNite error · {type(error).__name__}"


def error_html(error: BaseException) -> str:
    """The error card for any of our errors."""
    head = (
        f'<div class="bn-head"><span class="bn-badge bn-bad">Error</span>'
        f'<span class="bn-title">{esc(error_title(error))}</span></div>'
    )
    body = [head]
    if isinstance(error, PayloadError):
        rows = [(e["field"] or "(payload)", esc(fold(e["message"]))) for e in error.errors]
        body.append(kv_table((f, f"<span class='bn-error-msg'>{m}</span>") for f, m in rows))
    elif isinstance(error, ApiError):
        rows = []
        if error.code is not None:
            rows.append(("code", f"{error.code} <code>{esc(error.code_name)}</code>"))
        rows.append(
            (
                "message",
                f'<span class="bn-error-msg">{esc(fold(error.message, MAX_MESSAGE))}</span>',
            )
        )
        if error.method and error.url:
            rows.append(
                ("request", f"<code>{esc(error.method)} {esc(fold(error.url, 300))}</code>")
            )
        body.append(kv_table(rows))
        violations = _violations(error.details)
        if violations:
            body.append(
                section("Field problems", kv_table((f, esc(d)) for f, d in violations), open=True)
            )
        if error.details:
            body.append(section("Details", json_block(error.details)))
    else:
        body.append(f'<div class="bn-error-msg">{esc(fold(str(error), MAX_MESSAGE))}</div>')
        if isinstance(error, ByteNiteConnectionError) and error.maybe_applied:
            body.append(
                '<div class="bn-note">The request may have been applied: '
                "check your jobs before sending it again.</div>"
            )
    return wrap("bn-error bn-bad", "".join(body), error_text(error))


def error_text(error: BaseException) -> str:
    """A compact plain-text version of the error card."""
    lines = [error_title(error)]
    if isinstance(error, PayloadError):
        lines += [f"  {e['field'] or '(payload)'}: {fold(e['message'], 300)}" for e in error.errors]
    elif isinstance(error, ApiError):
        if error.code is not None:
            lines.append(f"  code     {error.code} {error.code_name}")
        lines.append(f"  message  {fold(error.message, MAX_MESSAGE)}")
        lines += [f"  {f}: {d}" for f, d in _violations(error.details)]
    else:
        lines.append(f"  {fold(str(error), MAX_MESSAGE)}")
    return "\n".join(lines)


def error_json(error: BaseException) -> dict[str, Any]:
    if isinstance(error, PayloadError):
        return {"errors": error.errors}
    if isinstance(error, ApiError):
        return {
            "statusCode": error.status_code,
            "code": error.code,
            "message": error.message,
            "details": error.details,
        }
    return {"error": type(error).__name__, "message": str(error)}


def error_mimebundle(error: BaseException, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The error card as a mimebundle (see :func:`mimebundle`)."""
    return mimebundle(error_text(error), error_html(error), error_json(error), include)


# --------------------------------------------------------------------------
# Payload card
# --------------------------------------------------------------------------


def _payload_dict(payload: CreateJobRequest | Mapping[str, Any]) -> dict[str, Any]:
    return payload.to_payload() if isinstance(payload, CreateJobRequest) else dict(payload)


def payload_html(
    payload: CreateJobRequest | Mapping[str, Any],
    errors: Sequence[Mapping[str, str]] = (),
) -> str:
    """The payload card: the wire JSON, highlighted, and whether it is valid."""
    wire = _payload_dict(payload)
    valid = not errors
    word = "valid" if valid else f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
    tone = "ok" if valid else "bad"
    head = (
        f'<div class="bn-head"><span class="bn-title">Create-job payload</span>'
        f'<span class="bn-badge bn-{tone}">{esc(word)}</span>'
        f'<span class="bn-sub">POST /jobs · not sent</span></div>'
    )
    body = [head]
    if errors:
        body.append(
            kv_table(
                (
                    e.get("field") or "(payload)",
                    f'<span class="bn-error-msg">{esc(e.get("message", ""))}</span>',
                )
                for e in errors
            )
        )
    body.append(json_block(wire))
    return wrap(f"bn-payload bn-{tone}", "".join(body), payload_text(payload, errors))


def payload_text(
    payload: CreateJobRequest | Mapping[str, Any],
    errors: Sequence[Mapping[str, str]] = (),
) -> str:
    wire = _payload_dict(payload)
    head = "Create-job payload (valid, not sent)" if not errors else "Create-job payload (invalid)"
    lines = [head]
    lines += [f"  {e.get('field') or '(payload)'}: {e.get('message', '')}" for e in errors]
    lines.append(fold(json.dumps(wire, indent=2, ensure_ascii=False, default=str), 4000))
    return "\n".join(lines)


def payload_mimebundle(
    payload: CreateJobRequest | Mapping[str, Any], include: Iterable[str] | None = None
) -> dict[str, Any]:
    """The payload card as a mimebundle (see :func:`mimebundle`)."""
    return mimebundle(payload_text(payload), payload_html(payload), _payload_dict(payload), include)
