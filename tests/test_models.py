"""The models against the spec: names, enums, strict requests, lenient responses."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from bytenite_nb.client import parse_request
from bytenite_nb.errors import PayloadError
from bytenite_nb.models import (
    DESCRIPTORS,
    SPEC_FILE,
    SPEC_MODELS,
    CreateJobRequest,
    DataSource,
    ExecutionPriority,
    Job,
    JobConfig,
    JobResponse,
    JobState,
    spec_schema,
)
from bytenite_nb.models._base import _check_against_spec


def problems(payload: object) -> dict[str, str]:
    with pytest.raises(PayloadError) as info:
        parse_request(payload)  # type: ignore[arg-type]
    return {e["field"]: e["message"] for e in info.value.errors}


# -- the spec is the source of truth ------------------------------------------


@pytest.mark.parametrize("model", SPEC_MODELS, ids=lambda m: m.__name__)
def test_every_model_has_exactly_the_spec_fields(model: type) -> None:
    aliases = {f.alias for f in model.model_fields.values()}
    assert aliases == set(spec_schema(model.spec_name)["properties"])


@pytest.mark.parametrize("model", SPEC_MODELS, ids=lambda m: m.__name__)
def test_every_model_passes_the_spec_check(model: type) -> None:
    _check_against_spec(model)  # wire fields and required fields, as the spec says


def test_the_spec_check_catches_a_drifted_model() -> None:
    class Renamed(JobConfig):
        task_timeout_s: int | None = None  # a field the spec does not have

    class Required(JobConfig):
        is_test_job: bool  # optional in the spec

    with pytest.raises(RuntimeError, match=r"extra \['taskTimeoutS'\]"):
        _check_against_spec(Renamed)
    with pytest.raises(RuntimeError, match="requires"):
        _check_against_spec(Required)


@pytest.mark.parametrize(
    ("enum", "schema", "prefix"),
    [
        (JobState, "jobJobState", "JOB_STATE_"),
        (ExecutionPriority, "jobByteLevel", "EXECUTION_PRIORITY_"),
    ],
)
def test_enums_declared_in_code_are_the_specs(enum: type, schema: str, prefix: str) -> None:
    """Values and order as in the shipped spec, names without the prefix."""
    values = spec_schema(schema)["enum"]
    assert [m.value for m in enum] == values, SPEC_FILE
    assert [m.name for m in enum] == [v.removeprefix(prefix) for v in values]
    assert JobState.TASKS_COMPLETED == "JOB_STATE_TASKS_COMPLETED"
    assert JobState["TASKS_COMPLETED"] is JobState.TASKS_COMPLETED


def test_job_state_progression_and_terminal_states() -> None:
    progression = JobState.progression()
    assert progression[0] is JobState.NEW and progression[-1] is JobState.COMPLETE
    assert JobState["FAILED"] not in progression
    assert [s.step for s in progression] == list(range(len(progression)))
    assert {s.short_name for s in JobState if s.is_terminal} == {"COMPLETE", "FAILED"}
    assert JobState["FAILED"].step is None and JobState["FAILED"].is_failed
    assert JobState["TASKS_COMPLETED"].label == "Tasks completed"


def test_unknown_state_parses_and_is_marked_unknown() -> None:
    job = Job.model_validate({"state": "JOB_STATE_QUEUED_FOR_QUANTUM", "priority": "X_NEW"})
    assert job.state == "JOB_STATE_QUEUED_FOR_QUANTUM"
    assert job.state is not None and not job.state.is_known
    assert job.state.step is None and not job.state.is_terminal
    assert job.state.short_name == "QUEUED_FOR_QUANTUM" and not job.state.is_failed
    assert JobState("JOB_STATE_QUEUED_FOR_QUANTUM") == job.state  # a pseudo-member
    assert "JOB_STATE_QUEUED_FOR_QUANTUM" not in JobState.__members__.values()
    assert job.priority is not None and not job.priority.is_known
    assert JobState["NEW"].is_known


# -- requests ----------------------------------------------------------------------


def test_wire_and_snake_case_names_are_both_accepted() -> None:
    wire = CreateJobRequest.model_validate(
        {"templateId": "t", "config": {"taskTimeout": 5, "isTestJob": True}}
    )
    snake = CreateJobRequest.model_validate(
        {"template_id": "t", "config": {"task_timeout": 5, "is_test_job": True}}
    )
    assert wire == snake
    assert wire.to_payload() == {"templateId": "t", "config": {"taskTimeout": 5, "isTestJob": True}}


def test_to_payload_leaves_out_unset_and_none_but_keeps_falsy_values_and_extras() -> None:
    request = CreateJobRequest.model_validate(
        {
            "templateId": "t",
            "name": "",
            "description": None,
            "config": {"isTestJob": False, "taskTimeout": 0},
            "params": {"app": {"keep": None, "n": 0}},
            "futureField": {"x": 1},
        }
    )
    assert request.to_payload() == {
        "templateId": "t",
        "name": "",
        "config": {"isTestJob": False, "taskTimeout": 0},
        "params": {"app": {"keep": None, "n": 0}},
        "futureField": {"x": 1},
    }


@pytest.mark.parametrize(
    ("payload", "field", "fragment"),
    [
        ({}, "templateId", "required"),
        ({"templateId": "   "}, "templateId", "blank"),
        ({"templateId": 7}, "templateId", "string"),
        ({"templateId": "t", "config": {"taskTimeout": -1}}, "config.taskTimeout", "0 or more"),
        ({"templateId": "t", "config": {"jobTimeout": 1.5}}, "config.jobTimeout", "whole number"),
        ({"templateId": "t", "config": {"jobTimeout": True}}, "config.jobTimeout", "true/false"),
        ({"templateId": "t", "config": {"jobTimeout": "1h"}}, "config.jobTimeout", "whole"),
        ({"templateId": "t", "config": {"jobTimeout": 2**63}}, "config.jobTimeout", "int64"),
        ({"templateId": "t", "config": {"isTestJob": "yes"}}, "config.isTestJob", "true or false"),
        ({"templateId": "t", "config": [1]}, "config", "JSON object"),
        ({"templateId": "t", "params": {"app": [1, 2]}}, "params.app", "got a list"),
        ({"templateId": "t", "params": {"partitioner": "x"}}, "params.partitioner", "string"),
        ({"templateId": "t", "params": {"app": {"x": float("inf")}}}, "params.app", "x"),
        ({"templateId": "t", "params": {"app": {"d": datetime.now()}}}, "params.app", "JSON"),
        (
            {"templateId": "t", "dataSource": {"dataSourceDescriptor": "url", "params": {}}},
            "dataSource.params.url",
            "required",
        ),
        (
            {
                "templateId": "t",
                "dataSource": {"dataSourceDescriptor": "url", "params": {"url": "ftp://h/f"}},
            },
            "dataSource.params.url",
            "ftp",
        ),
        (
            {
                "templateId": "t",
                "dataSource": {"dataSourceDescriptor": "url", "params": {"url": "example.com"}},
            },
            "dataSource.params.url",
            "no scheme",
        ),
        (
            {"templateId": "t", "dataDestination": {"dataSourceDescriptor": "url"}},
            "dataDestination.dataSourceDescriptor",
            "only be used as an input",
        ),
        (
            {"templateId": "t", "dataSource": {"dataSourceDescriptor": "bucket"}},
            "dataSource.dataSourceDescriptor",
            "only be used as an output",
        ),
        (
            {"templateId": "t", "dataSource": {"params": {}}},
            "dataSource.dataSourceDescriptor",
            "required",
        ),
        (
            {
                "templateId": "t",
                "dataSource": {
                    "dataSourceDescriptor": "url",
                    "params": {"@type": "wrong", "url": "https://x.io/a"},
                },
            },
            "dataSource.params.@type",
            "HttpDataSource",
        ),
        ({"templateId": "t", "dataSource": "url"}, "dataSource", "got a string"),
    ],
)
def test_bad_payloads_name_the_field(payload: object, field: str, fragment: str) -> None:
    found = problems(payload)
    assert field in found, found
    assert fragment in found[field]


def test_bucket_sources_need_every_field_and_name_each_missing_one() -> None:
    for kind in ("aws", "s3", "gcp", "storj"):
        found = problems(
            {
                "templateId": "t",
                "dataDestination": {"dataSourceDescriptor": kind, "params": {"name": "out/"}},
            }
        )
        assert set(found) == {
            f"dataDestination.params.{k}" for k in ("bucketName", "cloudRegion", "secret_id")
        }


def test_a_payload_that_is_not_a_mapping_is_named_as_such() -> None:
    assert problems(["templateId"]) == {
        "": "the payload must be a mapping of fields (a JSON object), got a list"
    }


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"config": {"taskTimeout": -1, "jobTimeout": "x"}, "params": {"app": 1}})
    assert set(found) == {"templateId", "config.taskTimeout", "config.jobTimeout", "params.app"}


def test_int64_fields_take_numbers_and_strings() -> None:
    for value in (3600, "3600", " 3600 ", 3600.0):
        request = CreateJobRequest.model_validate(
            {"templateId": "t", "config": {"jobTimeout": value}}
        )
        assert request.config is not None and request.config.job_timeout == 3600
    assert Job.model_validate({"numUnitsEstimation": "12"}).num_units_estimation == 12
    assert Job.model_validate({"numUnitsEstimation": 12}).num_units_estimation == 12


def test_known_descriptors_get_their_type_url_and_unknown_ones_pass_untouched() -> None:
    request = CreateJobRequest.model_validate(
        {
            "templateId": "t",
            "dataSource": {"dataSourceDescriptor": "url", "params": {"url": "https://x.io/a"}},
            "dataDestination": {"dataSourceDescriptor": "ipfs", "params": {"cid": 1, "@type": "z"}},
        }
    )
    payload = request.to_payload()
    assert payload["dataSource"]["params"]["@type"] == DESCRIPTORS["url"].type_url
    assert payload["dataDestination"] == {
        "dataSourceDescriptor": "ipfs",
        "params": {"cid": 1, "@type": "z"},
    }


def test_data_source_constructors() -> None:
    assert DataSource.url("https://x.io/in.txt").to_wire() == {
        "dataSourceDescriptor": "url",
        "params": {
            "@type": "type.googleapis.com/bytenite.data_source.HttpDataSource",
            "url": "https://x.io/in.txt",
        },
    }
    assert DataSource.bucket().to_wire() == {"dataSourceDescriptor": "bucket"}
    assert DataSource.bypass().to_wire() == {"dataSourceDescriptor": "bypass"}
    assert DataSource.file().to_wire()["params"]["@type"].endswith("LocalFileDataSource")
    s3 = DataSource.aws(bucket_name="b", cloud_region="eu-west-1", name="in/a.mp4", secret_id="s")
    assert s3.to_wire()["params"] == {
        "@type": "type.googleapis.com/bytenite.data_source.S3DataSource",
        "name": "in/a.mp4",
        "bucketName": "b",
        "cloudRegion": "eu-west-1",
        "secret_id": "s",
    }
    assert (
        DataSource.storj(bucket_name="b", name="n", secret_id="s").to_wire()["params"][
            "cloudRegion"
        ]
        == "global"
    )
    with pytest.raises(ValueError, match=r"params\.url: must be an http"):
        DataSource.url("ftp://x/y")
    with pytest.raises(ValueError, match=r"params\.bucketName"):
        DataSource.gcp(bucket_name="", cloud_region="us", name="n", secret_id="s")
    request = CreateJobRequest(
        template_id="t", data_source=DataSource.url("https://x.io/a"), data_destination=s3
    )
    assert request.to_payload()["dataDestination"]["dataSourceDescriptor"] == "aws"


def test_preset_is_accepted_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match="preset"):
        request = CreateJobRequest.model_validate({"templateId": "t", "params": {"preset": "x"}})
    assert request.to_payload()["params"] == {"preset": "x"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CreateJobRequest.model_validate({"templateId": "t", "params": {"app": {}}})


# -- responses -----------------------------------------------------------------------


def test_an_empty_response_parses() -> None:
    response = JobResponse.model_validate({})
    assert response.job == Job() and response.template_info is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-04T05:06:07Z", datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)),
        (
            "2025-03-04T05:06:07.123456789Z",
            datetime(2025, 3, 4, 5, 6, 7, 123456, tzinfo=timezone.utc),
        ),
        (
            "2025-03-04T07:06:07.5+02:00",
            datetime(2025, 3, 4, 7, 6, 7, 500000, tzinfo=timezone(timedelta(hours=2))),
        ),
        (
            "2025-03-04T05:06:07.000000001-05:30",
            datetime(2025, 3, 4, 10, 36, 7, tzinfo=timezone.utc),
        ),
    ],
)
def test_rfc3339_times_parse(text: str, expected: datetime) -> None:
    job = Job.model_validate({"createdAt": text, "stateTimestamps": {"JOB_STATE_NEW": text}})
    assert job.created_at == expected
    assert job.state_timestamps == {"JOB_STATE_NEW": expected}


def test_unknown_response_fields_are_kept() -> None:
    response = JobResponse.model_validate(
        {"job": {"id": "j", "gpuType": "H100", "config": {"retries": "2"}}, "traceId": "t"}
    )
    assert response.job.model_extra == {"gpuType": "H100"}
    assert response.job.config is not None and response.job.config.model_extra == {"retries": "2"}
    assert response.model_extra == {"traceId": "t"}


def test_reprs_are_short() -> None:
    response = JobResponse.model_validate(
        {"job": {"id": "j1", "name": "n", "state": "JOB_STATE_MERGING", "params": {"app": {}}}}
    )
    assert repr(response) == "JobResponse(Job(id='j1', name='n', state=MERGING))"
    assert repr(CreateJobRequest(template_id="t", name="n")) == (
        "CreateJobRequest(template_id='t', name='n')"
    )


def test_validation_error_is_a_value_error_for_direct_model_use() -> None:
    with pytest.raises(ValidationError):
        CreateJobRequest.model_validate({"templateId": ""})
