"""JobForm in-process: set widget values, read .payload/.errors/Submit, submit
against the sandbox over loopback. (The browser test is tests/test_browser.py.)"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from ipywidgets.embed import dependency_state, embed_data

from bytenite_nb import sandbox
from bytenite_nb.client import Client
from bytenite_nb.errors import BadRequestError, PayloadError
from bytenite_nb.form import JobForm
from bytenite_nb.form._fields import LIVE_CHECK_CHARS
from bytenite_nb.magic._body import interpolate, parse_body
from bytenite_nb.models import CreateJobRequest, JobResponse

from .canaries import CANARY_KEY


@pytest.fixture
def sandbox_client(fresh_server: sandbox.SandboxServer) -> Iterator[Client]:
    with Client(fresh_server.api_key, base_url=fresh_server.url) as client:
        yield client


@pytest.fixture
def form(sandbox_client: Client) -> JobForm:
    made = JobForm(sandbox_client)
    made._suggestions.join(timeout=10)
    return made


def labels(form: JobForm) -> list[str]:
    return [label.value for label in form.labels.values() if label.value]


def test_a_new_form_needs_a_template_and_submit_is_disabled(form: JobForm) -> None:
    assert form.errors == {"templateId": "required"}
    assert form.payload is None and form.submit_button.disabled
    assert "1 problem remains: Template" in form.summary.value  # the label, not the wire path
    assert form.template.placeholder.strip("\u200b") == ""  # nothing grey that reads as a value
    assert any("required" in text for text in labels(form))


def test_filling_the_template_makes_it_valid(form: JobForm) -> None:
    form.template.value = "hello-world-template"
    assert form.errors == {}
    assert isinstance(form.payload, CreateJobRequest)
    assert not form.submit_button.disabled
    assert "ready to submit" in form.summary.value
    assert labels(form) == []


def test_template_suggestions_come_from_the_service(form: JobForm) -> None:
    assert "hello-world-template" in form.template.options
    assert "private-template" not in form.template.options


@pytest.mark.parametrize(
    ("setup", "field", "fragment"),
    [
        (
            lambda f: setattr(f.params["app"], "value", '{"case": "upper",}'),
            "params.app",
            "invalid JSON at line 1, column ",  # the column differs by Python (18, 3.13: 17)
        ),
        (
            lambda f: setattr(f.params["app"], "value", '{\n  "a": 1\n  "b": 2}'),
            "params.app",
            "line 3, column 3",
        ),
        (
            lambda f: setattr(f.params["partitioner"], "value", "[1, 2]"),
            "params.partitioner",
            "got a list",
        ),
        (lambda f: setattr(f.task_timeout, "value", "-5"), "config.taskTimeout", "0 or more"),
        (lambda f: setattr(f.job_timeout, "value", "1.5"), "config.jobTimeout", "whole seconds"),
        (lambda f: setattr(f.job_timeout, "value", "soon"), "config.jobTimeout", "not a duration"),
        (lambda f: setattr(f.template, "value", "   "), "templateId", "required"),
        (
            lambda f: (
                setattr(f.source.kind, "value", "url"),
                setattr(f.source.url, "value", "ftp://h/x"),
            ),
            "dataSource.params.url",
            "ftp://",
        ),
        (
            lambda f: (
                setattr(f.source.kind, "value", "url"),
                setattr(f.source.url, "value", "example.com/x"),
            ),
            "dataSource.params.url",
            "no scheme",
        ),
        (
            lambda f: setattr(f.destination.kind, "value", "gcp"),
            "dataDestination.params.bucketName",
            "required",
        ),
        (
            lambda f: (
                setattr(f.source.kind, "value", "other…"),
                setattr(f.source.other_params, "value", "{oops"),
            ),
            "dataSource.params",
            "invalid JSON",
        ),
    ],
)
def test_bad_input_gives_a_field_message_and_keeps_submit_disabled(
    form: JobForm, setup: Any, field: str, fragment: str
) -> None:
    if field != "templateId":
        form.template.value = "hello-world-template"
    setup(form)
    assert field in form.errors, form.errors
    assert fragment in form.errors[field]
    assert form.payload is None and form.submit_button.disabled
    assert any(fragment.replace("'", "&#x27;") in text for text in labels(form)), labels(form)


def test_a_message_disappears_once_fixed(form: JobForm) -> None:
    form.template.value = "hello-world-template"
    form.task_timeout.value = "-5"
    assert labels(form)
    form.task_timeout.value = "15m"
    assert labels(form) == [] and form.errors == {}
    assert form.payload is not None and form.payload.to_payload()["config"] == {"taskTimeout": 900}


def test_json_is_checked_as_you_type_until_it_is_big(form: JobForm) -> None:
    editor = form.params["app"]
    assert editor.continuous_update  # every key reaches the check
    editor.value = '{"case": '  # half typed
    assert form.errors["params.app"].startswith("invalid JSON")
    editor.value = '{"case": "upper"}'
    assert "params.app" not in form.errors
    editor.value = json.dumps({"k": "v" * (LIVE_CHECK_CHARS + 1)})
    assert not editor.continuous_update  # a big text is checked when it loses focus
    editor.value = "{}"
    assert editor.continuous_update


def test_buttons_fit_their_labels_and_the_status_has_its_own_line(form: JobForm) -> None:
    assert form.run_button.layout.width == "auto"  # "Submit and run" is never cut
    rows = [c for c in form.children if form.run_button in getattr(c, "children", ())]
    assert len(rows) == 1 and form.summary not in rows[0].children
    assert form.children.index(form.summary) == form.children.index(rows[0]) + 1


def test_a_one_megabyte_paste(form: JobForm) -> None:
    form.template.value = "hello-world-template"
    junk = "x" * 1_000_000
    form.params["app"].value = junk
    assert "invalid JSON at line 1, column 1" in form.errors["params.app"]
    assert form.submit_button.disabled and len(form.preview.value) < 30_000
    big = json.dumps({f"k{i}": "v" * 90 for i in range(10_000)})
    form.params["app"].value = big
    assert form.errors == {} and len(big) > 1_000_000
    assert len(form.preview.value) < 30_000  # the preview folds


def test_value_keeps_an_invalid_draft(form: JobForm) -> None:
    form.params["app"].value = "{not json"
    form.job_timeout.value = "later"
    assert form.value == {"params": {"app": "{not json"}, "config": {"jobTimeout": "later"}}


def test_preview_and_magic_text_follow_the_form(form: JobForm) -> None:
    form.template.value = "hello-world-template"
    form.test_job.value = True
    assert "&quot;isTestJob&quot;" in form.preview.value and ">valid<" in form.preview.value
    assert form.magic_text.value == ""  # built only while its section is open
    form.details.selected_index = 1
    assert "%%bytenite job\ntemplateId: hello-world-template\n" in form.magic_text.value
    assert form.magic_cell().startswith("%%bytenite job\ntemplateId: hello-world-template\n")


def test_round_trip_form_payload_magic_form(sandbox_client: Client) -> None:
    payload = {
        "name": "round trip",
        "templateId": "hello-world-template",
        "description": "yes: no\n# not a comment {{ not_python }}",
        "dataSource": {
            "dataSourceDescriptor": "aws",
            "params": {"bucketName": "b", "cloudRegion": "eu", "name": "in/x", "secret_id": "s"},
        },
        "dataDestination": {"dataSourceDescriptor": "ipfs", "params": {"cid": "Qm", "n": 1}},
        "params": {"app": {"case": "upper", "list": [1, None, "true"]}, "preset": "legacy"},
        "config": {"taskTimeout": 5400, "jobTimeout": 90, "isTestJob": True},
        "futureField": {"x": 1},
    }
    form = JobForm.from_payload(payload, client=sandbox_client)
    assert form.errors == {}
    assert form.task_timeout.value == "1h30m" and form.job_timeout.value == "1m30s"
    assert form.destination.kind.value == "other…" and form.source.kind.value == "aws"
    assert form.value == payload
    cell = form.magic_cell()
    header, body = cell.split("\n", 1)
    assert header == "%%bytenite job"
    assert "\\{{ not_python }}" in body
    parsed = parse_body(interpolate(body, {}))
    assert parsed == payload
    again = JobForm.from_payload(parsed, client=sandbox_client)
    assert again.value == payload
    assert again.payload is not None and form.payload is not None
    assert again.payload.to_payload() == form.payload.to_payload()


def test_snake_case_initial_values(sandbox_client: Client) -> None:
    form = JobForm(sandbox_client, template_id="hello-world-template", config={"taskTimeout": 60})
    assert form.template.value == "hello-world-template" and form.task_timeout.value == "1m"


def test_reset_restores_the_initial_values(sandbox_client: Client) -> None:
    form = JobForm(sandbox_client, name="start", templateId="hello-world-template")
    form.name.value = "changed"
    form.params["app"].value = "{bad"
    form.reset_button.click()
    assert form.name.value == "start" and form.params["app"].value == ""
    assert form.errors == {}


def test_click_submit_creates_the_job_once_and_shows_the_card(
    form: JobForm, fresh_server: sandbox.SandboxServer
) -> None:
    form.template.value = "hello-world-template"
    form.name.value = "clicked"
    form.submit_button.click()
    assert form._worker is not None
    form._worker.join(timeout=30)
    assert isinstance(form.response, JobResponse) and form.response.job.name == "clicked"
    assert fresh_server.sandbox.count("POST", "/customer/jobs") == 1
    shown = form.result.outputs
    assert len(shown) == 1 and "ByteNite job 'clicked'" in shown[0]["data"]["text/plain"]
    assert "bn-card" in shown[0]["data"]["text/html"]
    # sent: a second click needs a change first
    assert form.submit_button.disabled and form.submit_button.description == "Submitted"
    assert form.run_button.disabled and "change a field to submit again" in form.summary.value
    form.submit_button.click()
    assert fresh_server.sandbox.count("POST", "/customer/jobs") == 1
    form.name.value = "clicked again"
    assert not form.submit_button.disabled and form.submit_button.description == "Submit"
    assert "hello-world-template" in JobForm(form.state.client).template.options  # recent use


def test_a_second_click_while_in_flight_does_nothing(
    sandbox_client: Client, fresh_server: sandbox.SandboxServer
) -> None:
    release = threading.Event()
    entered = threading.Event()

    class SlowClient:
        def submit_job(self, request: Any, **options: Any) -> JobResponse:
            entered.set()
            release.wait(timeout=10)
            return sandbox_client.submit_job(request, **options)

        def list_templates(self) -> list[Any]:
            return []

    form = JobForm(SlowClient(), templateId="hello-world-template")  # type: ignore[arg-type]
    form.submit_button.click()
    assert entered.wait(timeout=10)
    assert form.submit_button.disabled and form.submit_button.description == "Submitting…"
    first = form._worker
    form.submit_button.click()  # ignored: still busy
    assert form._worker is first
    with pytest.raises(RuntimeError, match="in flight"):
        form.submit()
    release.set()
    assert first is not None
    first.join(timeout=30)
    assert fresh_server.sandbox.count("POST", "/customer/jobs") == 1


def test_submit_from_code(form: JobForm, fresh_server: sandbox.SandboxServer) -> None:
    with pytest.raises(PayloadError) as info:
        form.submit()
    assert info.value.errors == [{"field": "templateId", "message": "required"}]
    assert fresh_server.sandbox.count("POST", "/customer/jobs") == 0
    form.template.value = "hello-world-template"
    response = form.submit()
    assert form.response is response and response.job.template_id == "hello-world-template"


def test_a_server_error_shows_the_card_and_keeps_the_form(form: JobForm) -> None:
    form.template.value = "hello-world-template"
    form.params["app"].value = '{"case": "sideways"}'
    with pytest.raises(BadRequestError):
        form.submit()
    assert "INVALID_ARGUMENT" in form.message.value and "params.app.case" in form.message.value
    assert form.params["app"].value == '{"case": "sideways"}' and form.response is None
    form.submit_button.click()  # the same through the button: shown, not raised
    assert form._worker is not None
    form._worker.join(timeout=30)
    assert "400 Bad Request" in form.message.value


def test_an_unexpected_exception_in_a_callback_is_shown_not_lost(
    form: JobForm, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(form: JobForm) -> None:
        raise RuntimeError("kaboom <script>")

    monkeypatch.setattr("bytenite_nb.form._form.validate", boom)
    form.name.value = "anything"  # fires the guarded observer
    assert "kaboom &lt;script&gt;" in form.message.value


def test_widget_state_holds_no_secret(fresh_server: sandbox.SandboxServer) -> None:
    fresh_server.sandbox.api_key = CANARY_KEY
    with Client(CANARY_KEY, base_url=fresh_server.url) as client:
        form = JobForm(client, templateId="hello-world-template")
        form.submit()
        token = client._token.value  # type: ignore[union-attr]
        state = json.dumps(embed_data(views=[form])["manager_state"])
    assert "hello-world-template" in state  # the state was really captured
    assert CANARY_KEY not in state and token not in state


def test_other_descriptor_params_must_be_an_object(form: JobForm) -> None:
    form.template.value = "hello-world-template"
    form.source.kind.value = "other…"
    form.source.other_kind.value = "ipfs"
    form.source.other_params.value = "[1, 2]"
    assert form.errors == {"dataSource.params": "must be a JSON object, got a list"}
    form.source.other_params.value = '{"cid": "Qm"}'
    assert form.errors == {}
    assert form.value["dataSource"] == {"dataSourceDescriptor": "ipfs", "params": {"cid": "Qm"}}


def test_messages_and_summary_use_the_labels_on_screen(form: JobForm) -> None:
    form.task_timeout.value = "-5"
    form.source.kind.value = "url"
    form.source.url.value = "ftp://x"
    summary = form.summary.value
    assert "3 problems remain: " in summary, summary
    assert all(label in summary for label in ("Template", "Input URL", "Task timeout"))
    assert "config.taskTimeout" not in summary and "dataSource" not in summary
    assert form.label_of("config.taskTimeout") == "Task timeout"
    assert form.label_of("params.app.case") == "App: case"
    assert set(form.errors) == {"templateId", "config.taskTimeout", "dataSource.params.url"}


def test_forms_share_no_widget_and_survive_close_all(sandbox_client: Client) -> None:
    import ipywidgets
    from ipywidgets.widgets.widget import _instances

    def model_ids(make: Any) -> tuple[Any, set[str]]:
        before = set(_instances)
        made = make()
        return made, set(_instances) - before  # every model it created

    JobForm(sandbox_client)
    ipywidgets.Widget.close_all()
    second, _ = model_ids(lambda: JobForm(sandbox_client, templateId="hello-world-template"))
    assert second.payload is not None  # failed before: a module-level layout was closed
    third, made = model_ids(lambda: JobForm(sandbox_client))
    shown = set(dependency_state(third))
    assert shown <= made and set(dependency_state(second)).isdisjoint(shown)
    assert len(made) <= 70, len(made)  # was 235


def test_static_views_summarise_the_form(form: JobForm) -> None:
    form.name.value = "draft <1>"
    bundle = form._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    text = bundle["text/plain"]
    assert text == repr(form) and "JobForm(" not in text and "HTML(value" not in text
    assert "'draft <1>'" in text and "1 problem" in text and "run the cell to edit" in text
    html = bundle["text/html"]
    assert "draft &lt;1&gt;" in html and "Template" in html and "required" in html
    assert "run the cell to edit" in html and len(html) < 20_000


def test_a_file_input_needs_a_readable_local_file(
    form: JobForm, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    form.template.value = "hello-world-template"
    form.source.kind.value = "file"
    key = "dataSource.localFile"
    assert "required" in form.errors[key] and form.submit_button.disabled
    for typed, fragment in (
        (str(tmp_path / "nope.csv"), "no such file"),
        (str(tmp_path), "is a folder"),
    ):
        form.source.path.value = typed  # checked as the user types
        assert fragment in form.errors[key], form.errors
        assert form.submit_button.disabled and form.run_button.disabled
        assert any(fragment in text for text in labels(form)), labels(form)
        assert "Input local file" in form.summary.value
    data = tmp_path / "input.csv"
    data.write_text("a,b\n1,2\n")

    def unreadable(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("bytenite_nb.client._local.open", unreadable, raising=False)
    form.source.path.value = str(data)
    assert "cannot be read" in form.errors[key]
    monkeypatch.undo()
    form.source.path.value = str(data) + " "
    assert form.errors == {} and not form.submit_button.disabled
    assert form.value["dataSource"] == {"dataSourceDescriptor": "file"}  # the path stays here


def test_submit_and_run_uploads_the_file_then_runs(
    sandbox_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Any
) -> None:
    """End to end against the sandbox, which refuses to run a ``file`` job until
    its upload is complete and derives the job's results from the uploaded file."""
    data = tmp_path / "input.txt"
    data.write_bytes(b"Shout This\n" + b"x" * 300_000)
    form = JobForm(sandbox_client, templateId="hello-world-template")
    form.params["app"].value = '{"case": "upper"}'
    form.source.kind.value = "file"
    form.source.path.value = str(data)
    created = form.submit()  # created and uploaded, not run
    upload = fresh_server.sandbox.storage.uploads[created.job.id or ""]
    assert upload.completed and upload.size == data.stat().st_size
    assert "✓ submitted job" in form.summary.value
    assert form.submit_button.description == "Submitted"
    sandbox_client.run_job(created.job.id or "")  # refused if the upload were not complete

    again = JobForm(sandbox_client, templateId="hello-world-template")
    again.params["app"].value = '{"case": "upper"}'
    again.source.kind.value = "file"
    again.source.path.value = str(data)
    shown: list[str] = []
    again.summary.observe(lambda change: shown.append(change["new"]), names="value")
    cards: list[int] = []
    again.result.observe(lambda change: cards.append(len(change["new"])), names="outputs")
    again.follow_interval = 0.02
    again.run_button.click()
    assert again._worker is not None
    again._worker.join(timeout=30)
    assert again.message.value == "", again.message.value
    assert again.response is not None and again.response.job.id
    # one card, replaced in place as the job went on, that ends as the finished job
    assert cards and set(cards) == {1} and len(again.result.outputs) == 1
    assert again.response.job.state.short_name == "COMPLETE"
    card = again.result.outputs[0]["data"]
    assert "[COMPLETE]" in card["text/plain"] and again.response.job.id in card["text/plain"]
    assert any("uploading input.txt: " in v and "of 300.0 kB" in v for v in shown), shown
    assert any("uploaded input.txt (300.0 kB in " in v for v in shown), shown
    assert "submitted and started" in again.summary.value
    assert again.submit_button.disabled and again.run_button.disabled
    # the sandbox ran it on the uploaded file: its results are the file, upper-cased
    run_id = again.response.job.id
    sandbox_client.wait_for_job(run_id, interval=0.02, timeout=20)
    results = sandbox_client.preview_results(run_id)
    text = {f.name: f.head for f in results.files}["out_0/result.txt"] or b""
    assert text.startswith(b"SHOUT THIS\nXXXX")


def test_the_upload_status_says_bytes_and_percent_at_most_4_times_a_second(
    form: JobForm,
) -> None:
    from bytenite_nb.form._form import upload_status
    from bytenite_nb.progress import reporter

    now = [0.0]
    seen: list[str] = []
    form.summary.observe(lambda change: seen.append(change["new"]), names="value")
    bar = reporter(upload_status(form), "big.bin", 1_000_000, clock=lambda: now[0])
    for _ in range(100):  # 100 pieces within one second
        now[0] += 0.01
        bar.advance(10_000)
    assert form.submit_button.description.startswith("Uploading… ")
    assert 4 <= len(seen) <= 5, seen
    assert "uploading big.bin: 10.0 kB of 1.0 MB (1%)" in seen[0]
    bar.finish()
    assert "uploaded big.bin (1.0 MB in 1.0 s)" in form.summary.value
    failed = reporter(upload_status(form), "big.bin", 1_000_000, clock=lambda: now[0])
    failed.advance(5)
    failed.finish(failed=True)
    assert "upload of big.bin failed after 5 B" in form.summary.value
    assert "bn-form-bad" in form.summary.value


def test_a_failed_run_keeps_the_created_job_card(
    sandbox_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = JobForm(sandbox_client, templateId="hello-world-template", name="kept")

    def refuse(job_id: str) -> None:
        raise RuntimeError("run refused <x>")

    monkeypatch.setattr(sandbox_client, "_run_job", refuse)  # the submit flow's run step
    with pytest.raises(RuntimeError):
        form.submit(run=True)
    assert "run refused &lt;x&gt;" in form.message.value
    assert "ByteNite job 'kept'" in form.result.outputs[0]["data"]["text/plain"]
    assert not form.submit_button.disabled  # not sent as asked: it can be retried
