"""The job card."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from typing import Any

from .._urls import SIGNED_KEYS
from ..models import DataSource, Job, JobResponse, JobState
from ..models.marker import strip_marker
from ._html import (
    MAX_LABEL,
    MAX_MESSAGE,
    MAX_TEXT,
    Budget,
    _now,
    duration,
    esc,
    fold,
    folded,
    json_block,
    json_text,
    kv_table,
    mimebundle,
    relative,
    timestamp,
    wrap,
)
from ._states import badge, state_tone, state_word, step_text, steps
from .jobs import job_duration


def source_summary(source: DataSource | None) -> str:
    """``url https://…`` / ``aws my-bucket/in.mp4 (eu-west-1)`` / ``bucket``."""
    if source is None:
        return ""
    kind = fold(source.data_source_descriptor or "?", 60)
    params = source.params or {}
    if "url" in params:
        return f"{kind} {fold(str(params['url']), 120)}"
    if "bucketName" in params:
        region = f" ({fold(str(params['cloudRegion']), 40)})" if params.get("cloudRegion") else ""
        where = f"{params['bucketName']}/{params.get('name', '')}"
        return f"{kind} {fold(where, 160)}{region}"
    shown = {
        k: ("(signed URL, hidden)" if k in SIGNED_KEYS else v)
        for k, v in islice(params.items(), 20)
        if k != "@type"
    }
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
        priority = job.priority.value.removeprefix("EXECUTION_PRIORITY_")
        rows.append(("priority", esc(fold(priority, MAX_LABEL))))
    if job.regions is not None:
        for key in ("whitelist", "blacklist"):
            values = getattr(job.regions, key)
            if values:
                shown = ", ".join(str(v) for v in islice(values, 20))
                rows.append((f"regions {key}", esc(fold(shown, 200))))
    return rows


def _template_rows(template: Any) -> list[tuple[str, str]]:
    if template is None:
        return []
    fields = ("app", "partitioner", "assembler", "owner", "description")
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
    took = job_duration(job, now)
    if took != "—":
        rows.insert(0, ("duration" if not took.endswith("…") else "running for", esc(took)))
    return rows


def _cost_rows(job: Job) -> list[tuple[str, str]]:
    rows = []
    if job.payment_amount is not None:
        amount = f"{job.payment_amount:,.4f} (your account's billing currency)"
        rows.append(("charged", esc(amount)))
    if job.num_units_estimation is not None:
        rows.append(("units (estimate)", esc(fold(f"{job.num_units_estimation:,}", MAX_LABEL))))
    if job.num_chunks is not None:
        rows.append(("chunks", esc(fold(f"{job.num_chunks:,}", MAX_LABEL))))
    return rows


def _params_body(job: Job, budget: Budget) -> str:
    params = job.params
    if params is None:
        return ""
    parts = []
    for key in ("app", "partitioner", "assembler"):
        value = getattr(params, key)
        if value is not None:
            parts.append(f'<div class="bn-sub">{key}</div>{json_block(value, budget)}')
    extra = {**({"preset": params.preset} if params.preset else {}), **(params.model_extra or {})}
    if extra:
        parts.append(f'<div class="bn-sub">other</div>{json_block(extra, budget)}')
    return "".join(parts)


def _failed_at(job: Job) -> JobState | None:
    """The last known running state a failed job reached (from its timestamps)."""
    reached = [JobState(s) for s in (job.state_timestamps or {})]
    running = [s for s in reached if s.step is not None]
    return max(running, key=lambda s: s.step or 0) if running else None


def _head(job: Job, template: Any, at: datetime) -> str:
    """The line read at a glance: name, state, step, duration or elapsed, template."""
    title = esc(fold(job.name or "Untitled job", MAX_LABEL))
    parts = [f'<span class="bn-title">{title}</span>', badge(job.state)]
    step = step_text(job.state)
    if step:
        parts.append(f'<span class="bn-sub">{esc(step)}</span>')
    took = job_duration(job, at)
    if took != "—":
        verb = "took" if job.state is not None and job.state.is_terminal else "running for"
        parts.append(f'<span class="bn-when">{verb} <b>{esc(took.rstrip("…"))}</b></span>')
    name = job.template_id or (template.id if template is not None else None)
    if name:
        parts.append(
            f'<span class="bn-sub">template <code>{esc(fold(name, MAX_LABEL))}</code></span>'
        )
    return f'<div class="bn-head">{"".join(parts)}</div>'


def job_html(response: JobResponse, *, now: datetime | None = None) -> str:
    """The job card: one line to read at a glance (name, state, step, duration,
    template), the description, the step bar, the error, where data comes from
    and goes, then the details folded (open where styles are stripped)."""
    job = response.job
    at = _now(now)
    template = response.template_info or job.template_info
    budget = Budget()  # shared by the card's JSON blocks
    body = [_head(job, template, at), steps(job.state, _failed_at(job))]
    description = strip_marker(job.description)
    ident = f'<span class="bn-sub bn-mono">{esc(fold(job.id, MAX_LABEL))}</span>' if job.id else ""
    if description or ident:
        text = f'<span class="bn-sub">{esc(fold(description))}</span>' if description else ""
        body.append(f'<div class="bn-line">{ident}{text}</div>')
    if job.state is not None and job.state.is_failed:
        message = job.error_message or "no reason given"
        body.append(f'<div class="bn-error-msg">{esc(fold(message, MAX_MESSAGE))}</div>')
    overview = _source_rows("input", job.data_source) + _source_rows("output", job.data_destination)
    target = job.data_destination
    if target is not None and target.data_source_descriptor == "bucket":
        where = "ByteNite's temporary bucket (48 h): client.get_job_results(id)"
        overview.append(("results", esc(where)))
    body.append(kv_table(overview))
    config = _config_rows(job)
    glance = " · ".join(f"{esc(label)} {value}" for label, value in config[:3])
    body.append(folded("Config", kv_table(config), glance))
    body.append(folded("Params", _params_body(job, budget)))
    body.append(folded("Template", kv_table(_template_rows(template))))
    created = f"created {esc(relative(job.created_at, at))}" if job.created_at else ""
    times = kv_table(_time_rows(job, at) + _cost_rows(job))
    body.append(folded("Times and cost", times, created))
    extra = {**(job.model_extra or {}), **(response.model_extra or {})}
    if extra:
        body.append(folded("Other fields", json_block(extra, budget)))
    tone = state_tone(job.state)
    return wrap(f"bn-job bn-{tone}" if tone else "bn-job", "".join(body))


def job_text(response: JobResponse, *, now: datetime | None = None) -> str:
    """A compact plain-text summary of a job (the text/plain form)."""
    job = response.job
    at = _now(now)
    step = step_text(job.state)
    state = state_word(job.state).upper() + (f", {step}" if step else "")
    took = job_duration(job, at)
    took = f" {took.rstrip('…')}{' so far' if took.endswith('…') else ''}" if took != "—" else ""
    lines = [f"ByteNite job {fold(job.name or 'Untitled job', MAX_LABEL)!r} [{state}]{took}"]
    description = strip_marker(job.description)
    if description:
        lines.append(f"  {fold(description, 300)}")
    if job.id:
        lines.append(f"  id         {fold(job.id, MAX_LABEL)}")
    template = response.template_info or job.template_info
    parts = (
        f" ({fold(f'{template.app} · {template.partitioner} → {template.assembler}', MAX_LABEL)})"
        if template
        else ""
    )
    lines.append(f"  template   {fold(job.template_id or '—', MAX_LABEL)}{parts}")
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
    return fold("\n".join(lines), MAX_TEXT)


def job_mimebundle(response: JobResponse, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The job card as a mimebundle (see :func:`mimebundle`)."""
    now = _now(None)
    return mimebundle(
        job_text(response, now=now), job_html(response, now=now), response.to_wire, include
    )


def job_line(response: JobResponse) -> str:
    """One line for a state change, as a terminal shows it while waiting."""
    job = response.job
    step = step_text(job.state)
    state = state_word(job.state) + (f" ({step})" if step else "")
    name = fold(job.name or "Untitled job", 60)
    return f"job {fold(job.id or '?', 60)} {name!r}: {state}"
