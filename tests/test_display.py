"""The cards: fragments, escaping of hostile input, snapshots, size and folding."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from IPython.lib.pretty import pretty

from bytenite_nb.display import kv_table, section
from bytenite_nb.display._html import MAX_ITEMS, css, duration, json_html, relative, style_block
from bytenite_nb.display._states import badge, steps
from bytenite_nb.display.error import error_html, error_text
from bytenite_nb.display.job import job_html, job_text
from bytenite_nb.display.payload import payload_html
from bytenite_nb.errors import ApiError, ByteNiteConnectionError, PayloadError, api_error_from_body
from bytenite_nb.models import CreateJobRequest, JobResponse, JobState

from .html_audit import HOSTILE, assert_safe

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)
SNAPSHOTS = Path(__file__).parent / "snapshots"

TYPICAL = {
    "job": {
        "id": "5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61",
        "templateId": "img-gen-diffusers-flux-gpu-template",
        "name": "lighthouse",
        "description": "Four variations for the poster",
        "state": "JOB_STATE_PARTITIONED",
        "priority": "EXECUTION_PRIORITY_BALANCED",
        "config": {"taskTimeout": "300", "jobTimeout": "3600", "isTestJob": True},
        "dataSource": {"dataSourceDescriptor": "bypass"},
        "dataDestination": {"dataSourceDescriptor": "bucket"},
        "params": {
            "app": {"prompt": "a lighthouse at dusk, oil painting", "steps": 28},
            "partitioner": {"num_replicas": 4},
        },
        "createdAt": "2026-11-28T11:50:00.123456789Z",
        "submittedAt": "2026-11-28T11:51:00Z",
        "startedAt": "2026-11-28T11:51:02Z",
        "stateTimestamps": {
            "JOB_STATE_NEW": "2026-11-28T11:50:00Z",
            "JOB_STATE_PARTITIONED": "2026-11-28T11:52:00Z",
        },
        "numUnitsEstimation": "48",
    },
    "templateInfo": {
        "id": "img-gen-diffusers-flux-gpu-template",
        "owner": "bytenite",
        "description": "Generates images from a prompt with FLUX on GPUs.",
        "app": "img-gen-diffusers@1",
        "partitioner": "replicate-fanout",
        "assembler": "zipper",
    },
}
FAILED = {
    "job": {
        "id": "j-failed",
        "name": "broken",
        "state": "JOB_STATE_FAILED",
        "errorMessage": "partitioner exited with code 1",
        "stateTimestamps": {
            "JOB_STATE_NEW": "2026-11-28T11:00:00Z",
            "JOB_STATE_UPLOADING": "2026-11-28T11:01:00Z",
            "JOB_STATE_FAILED": "2026-11-28T11:02:00Z",
        },
        "startedAt": "2026-11-28T11:01:00Z",
        "endedAt": "2026-11-28T11:02:00Z",
    }
}


# -- fragments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0.0s"),
        (4, "4.0s"),
        (1.5, "1.5s"),
        (8.53, "8.5s"),
        (9.97, "10s"),
        (45, "45s"),
        (90, "1m 30s"),
        (3600, "1h"),
        (5400, "1h 30m"),
        (90061, "1d 1h"),
        (0.3, "0.3s"),
        (None, "—"),
    ],
)
def test_duration(seconds: float | None, text: str) -> None:
    assert duration(seconds) == text


def test_relative_times() -> None:
    assert relative(datetime(2026, 11, 28, 11, 57, tzinfo=timezone.utc), NOW) == "3 min ago"
    assert relative(datetime(2026, 11, 28, 14, 0, tzinfo=timezone.utc), NOW) == "in 2h"
    assert relative(NOW, NOW) == "just now"
    # whole units only (no "8.53s ago" beside "just now")
    assert relative(NOW - timedelta(seconds=8.53), NOW) == "just now"
    assert relative(NOW - timedelta(seconds=42.4), NOW) == "42s ago"
    assert relative(NOW - timedelta(hours=2, minutes=20), NOW) == "2h ago"


def test_badge_has_a_word_and_a_tone() -> None:
    assert badge(JobState["COMPLETE"]) == (
        '<span class="bn-badge bn-ok" title="JOB_STATE_COMPLETE">Complete</span>'
    )
    assert "bn-bad" in badge(JobState["FAILED"]) and ">Failed<" in badge(JobState["FAILED"])
    assert "bn-run" in badge(JobState["MERGING"])
    unknown = badge(JobState("JOB_STATE_HIBERNATING"))
    assert unknown == (
        '<span class="bn-badge" title="JOB_STATE_HIBERNATING">JOB_STATE_HIBERNATING</span>'
    )


def test_steps_mark_done_current_and_failed() -> None:
    bar = steps(JobState["PARTITIONING"])
    assert bar.count('class="bn-done"') == 3 and bar.count('class="bn-now"') == 1
    assert 'aria-label="step 4 of 10"' in bar
    failed = steps(JobState["FAILED"], JobState["UPLOADING"])
    assert failed.count('class="bn-fail"') == 1 and failed.count('class="bn-done"') == 2
    assert steps(JobState("JOB_STATE_HIBERNATING")) == ""
    complete = steps(JobState["COMPLETE"])
    assert complete.count('class="bn-done"') == 10


def test_json_html_highlights_and_folds() -> None:
    out = json_html({"a": [1, True, None, "s"]})
    assert '<span class="bn-k">&quot;a&quot;</span>' in out
    assert '<span class="bn-n">1</span>' in out and '<span class="bn-l">true</span>' in out
    assert (
        '<span class="bn-l">null</span>' in out and '<span class="bn-s">&quot;s&quot;</span>' in out
    )
    big = json_html({f"k{i}": i for i in range(10_000)})
    assert "… 9,960 more keys" in big and big.count('class="bn-k"') == MAX_ITEMS
    long = json_html("x" * 5000)
    assert "… 4,600 more characters" in long


def test_section_and_table_are_empty_without_content() -> None:
    assert section("Config", "") == ""
    assert kv_table([]) == ""
    assert section("A", "b", open=True) == (
        '<div class="bn-section"><div class="bn-section-title"><b>A</b></div>b</div>'
    )


# -- the cards --------------------------------------------------------------------------


def job_card(data: dict[str, Any]) -> str:
    return job_html(JobResponse.model_validate(data), now=NOW)


def test_job_card_shows_every_part() -> None:
    card = job_card(TYPICAL)
    for text in (
        "lighthouse",
        "5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61",
        ">Partitioned<",
        "step 5 of 10",
        "5m",  # task timeout 300 s
        "1h",
        "test job",
        "BALANCED",
        "bucket",
        "img-gen-diffusers@1",
        "replicate-fanout",
        "zipper",
        "2026-11-28 11:50:00 UTC (10 min ago)",
        "48",
        "&quot;num_replicas&quot;",
    ):
        assert text in card, text
    markup = card.replace(style_block(), "")
    assert "bn-text" not in markup and "display:none" not in markup  # one copy, no hiding
    assert "<details" not in card and "<table" not in card  # tags that sanitizers keep
    assert "<script" not in card


def test_failed_job_shows_the_error() -> None:
    card = job_card(FAILED)
    assert ">Failed<" in card and "partitioner exited with code 1" in card
    assert 'duration<span class="bn-sep">:</span></span> <span class="bn-td">1m' in card
    assert "error      partitioner exited" in job_text(JobResponse.model_validate(FAILED), now=NOW)


def test_unknown_state_renders_raw_and_neutral() -> None:
    card = job_card({"job": {"state": "JOB_STATE_TELEPORTING"}})
    assert (
        '<span class="bn-badge" title="JOB_STATE_TELEPORTING">JOB_STATE_TELEPORTING</span>' in card
    )


def test_empty_response_renders() -> None:
    card = job_card({})
    assert "Untitled job" in card and ">unknown<" in card
    text = job_text(JobResponse(), now=NOW)
    assert text.startswith("ByteNite job 'Untitled job' [UNKNOWN]")


def test_signed_upload_urls_are_not_shown() -> None:
    card = job_card(
        {
            "job": {
                "dataSource": {
                    "dataSourceDescriptor": "file",
                    "params": {"tempUrl": "https://storage.test/upload?sig=SECRET-SIG"},
                }
            }
        }
    )
    assert "SECRET-SIG" not in card and "signed URL, hidden" in card


def test_unknown_fields_are_shown_escaped() -> None:
    card = job_card({"job": {"gpuType": "<b>H100</b>"}})
    assert "Other fields" in card and "&lt;b&gt;H100&lt;/b&gt;" in card


def test_mimebundle_has_three_forms_and_short_repr() -> None:
    response = JobResponse.model_validate(TYPICAL)
    assert set(response._repr_mimebundle_()) == {"text/plain", "text/html"}
    bundle = response._repr_mimebundle_(include={"application/json", "text/plain"})
    assert set(bundle) == {"text/plain", "text/html", "application/json"}
    assert bundle["application/json"]["job"]["config"] == {
        "taskTimeout": 300,
        "jobTimeout": 3600,
        "isTestJob": True,
    }
    assert (
        bundle["text/plain"]
        .splitlines()[0]
        .startswith(
            "ByteNite job 'lighthouse' [PARTITIONED, step 5 of 10] "  # then the time so far
        )
    )
    assert len(repr(response)) < 120


def test_error_cards() -> None:
    error = api_error_from_body(
        400,
        json.dumps(
            {
                "code": 3,
                "message": "invalid job request",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.BadRequest",
                        "fieldViolations": [
                            {"field": "params.app.case", "description": "must be upper"}
                        ],
                    }
                ],
            }
        ).encode(),
        method="POST",
        url="https://api.test/v1/customer/jobs",
    )
    card = error_html(error)
    assert "ByteNite API error · 400 Bad Request" in card
    assert "3 <code>INVALID_ARGUMENT</code>" in card
    assert (
        'params.app.case<span class="bn-sep">:</span></span> <span class="bn-td">'
        '<span class="bn-error-msg">must be upper<' in card
    )
    assert "POST https://api.test/v1/customer/jobs" in card
    # each problem once: no raw BadRequest JSON beside the table of field problems
    assert card.count("must be upper") == 1 and "google.rpc.BadRequest" not in card
    assert "invalid job request" in card  # a message that says something else stays
    restated = ApiError(
        "params.app.case: must be upper",
        status_code=400,
        details=[
            {"fieldViolations": [{"field": "params.app.case", "description": "must be upper"}]}
        ],
    )
    card = error_html(restated)
    assert card.count("must be upper") == 1
    assert error_text(restated).count("must be upper") == 2  # once, then the raw details
    # Violations across details: the first 20 shown, the rest counted (in both forms).
    many = [{"fieldViolations": [{"field": f"f{i}", "description": "d"}]} for i in range(30)]
    crowded = ApiError("m", status_code=400, details=[*many, {"fieldViolations": "not a list"}])
    assert "… 10 more" in error_text(crowded) and "f19" in error_text(crowded)
    assert "10 more" in error_html(crowded) and ">f20<" not in error_html(crowded)
    payload = PayloadError(
        [{"field": "config.taskTimeout", "message": "must be 0 or more seconds"}]
    )
    card = error_html(payload)
    assert '<span class="bn-th">config.taskTimeout<' in card and "nothing was sent" in card
    assert set(payload._repr_mimebundle_()) == {"text/plain", "text/html"}
    assert payload._repr_mimebundle_(include=["application/json"])["application/json"] == {
        "errors": payload.errors
    }
    connection = ByteNiteConnectionError("POST x timed out", maybe_applied=True)
    assert "may have been applied" in error_html(connection)
    assert "Not signed in" in error_html(ApiError("no credentials"))


def test_payload_card() -> None:
    request = CreateJobRequest.model_validate({"templateId": "t", "config": {"taskTimeout": 5}})
    card = payload_html(request)
    assert ">valid<" in card and '<span class="bn-k">&quot;taskTimeout&quot;</span>' in card
    invalid = payload_html({"templateId": ""}, [{"field": "templateId", "message": "blank"}])
    assert ">1 problem<" in invalid and '<span class="bn-th">templateId<' in invalid
    assert set(request._repr_mimebundle_()) == {"text/plain", "text/html"}
    wire = request._repr_mimebundle_(include=["application/json"])["application/json"]
    assert wire == request.to_payload()


# -- hostile input -------------------------------------------------------------------------

hostile_text = st.one_of(
    st.sampled_from(HOSTILE), st.text(alphabet="<>\"'&=/ abcjs:onerror()", max_size=40)
)


@settings(max_examples=60, deadline=None)
@given(hostile_text, hostile_text, hostile_text)
def test_hostile_strings_in_every_field_render_as_text(a: str, b: str, c: str) -> None:
    data = {
        "job": {
            "id": a,
            "name": b,
            "description": c,
            "templateId": a,
            "state": b,
            "errorMessage": c,
            "priority": a,
            "dataSource": {"dataSourceDescriptor": b, "params": {c: a, "url": b}},
            "dataDestination": {
                "dataSourceDescriptor": "aws",
                "params": {"bucketName": a, "name": c},
            },
            "params": {"app": {a: b, "list": [c]}, "partitioner": {b: {c: a}}},
            "regions": {"whitelist": [a, b]},
            a or "k": c,
        },
        "templateInfo": {
            "id": a,
            "owner": b,
            "description": c,
            "app": a,
            "partitioner": b,
            "assembler": c,
        },
    }
    response = JobResponse.model_validate(data)
    assert_safe(job_html(response, now=NOW))
    error = ApiError(
        a,
        status_code=400,
        code=3,
        details=[{"fieldViolations": [{"field": b, "description": c}]}],
        method="POST",
        url=c,
    )
    assert_safe(error_html(error))
    assert_safe(error_html(PayloadError([{"field": a, "message": b}])))
    assert_safe(payload_html({"templateId": a, b: c}, [{"field": b, "message": c}]))


def test_a_one_megabyte_error_message_is_truncated_visibly() -> None:
    error = ApiError("E" * 1_000_000, status_code=500)
    card = error_html(error)
    assert len(card) < 20_000 and "more characters]" in card


def test_a_huge_params_object_stays_small() -> None:
    data = {"job": {"params": {"app": {f"key{i}": "v" * 50 for i in range(10_000)}}}}
    card = job_card(data)
    assert len(card) < 20_000 and "9,960 more keys" in card


def test_a_typical_card_with_css_is_at_most_12_kb() -> None:
    assert len(job_card(TYPICAL).encode("utf-8")) <= 12 * 1024


def test_css_is_scoped_and_themed() -> None:
    sheet = re.sub(r"/\*.*?\*/", "", css(), flags=re.S)
    selectors = [
        s.strip()
        for rule in re.findall(r"([^{}]+)\{", sheet)
        for s in rule.split(",")
        if not s.strip().startswith("@supports")  # an at-rule, not a selector
    ]
    assert all(".bn-" in s for s in selectors), [s for s in selectors if ".bn-" not in s]
    assert ":root" not in sheet
    for dark in (
        "body.vscode-dark",
        'data-vscode-theme-kind="vscode-dark"',
        '[data-theme="dark"]',
        'data-jp-theme-light="false"',
    ):
        assert dark in sheet
    assert "var(--jp-" in sheet


def test_cards_are_deterministic() -> None:
    assert job_card(TYPICAL) == job_card(TYPICAL)


# -- snapshots ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("job_card", lambda: job_card(TYPICAL)),
        ("job_card_failed", lambda: job_card(FAILED)),
        (
            "error_card",
            lambda: error_html(
                api_error_from_body(
                    404,
                    b'{"code": 5, "message": "job template \'x\' not found"}',
                    method="POST",
                    url="https://api.test/v1/customer/jobs",
                )
            ),
        ),
        (
            "payload_card",
            lambda: payload_html(
                CreateJobRequest.model_validate(
                    {
                        "templateId": "hello-world-template",
                        "name": "demo",
                        "params": {"app": {"case": "upper"}},
                    }
                )
            ),
        ),
    ],
)
def test_snapshot(name: str, render: Any) -> None:
    path = SNAPSHOTS / f"{name}.html"
    # The stylesheet is checked on its own; the snapshots hold the markup.
    markup = render().replace(css(), "/* bytenite.css */")
    assert "/* bytenite.css */" in markup
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(markup, "utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with UPDATE_SNAPSHOTS=1 once and review it"
    assert markup == path.read_text("utf-8")


def test_an_action_answer_is_a_dict_shown_as_one_line() -> None:
    from bytenite_nb.client._payloads import _envelope

    answer = _envelope({"ok": True, "requestId": "r-1"}, "delete job j-1")
    assert answer == {"ok": True, "requestId": "r-1"} and answer["ok"] is True
    assert repr(answer) == "delete job j-1: done"
    assert "{" not in pretty(answer)  # what a notebook shows
