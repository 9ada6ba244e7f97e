"""Hypothesis strategies over the shipped spec, shared by the property and Prism tests."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from bytenite_nb.models import DESCRIPTORS, INT64_MAX, DataSource, spec_schema

SPEC_REQUEST = spec_schema("jobsCreateJobRequest", standalone=True)
VALIDATOR = jsonschema.Draft202012Validator(SPEC_REQUEST)
SNAKE_NAMES = [
    "template_id",
    "data_source",
    "data_destination",
    "task_timeout",
    "job_timeout",
    "is_test_job",
    "data_source_descriptor",
]


def tightened_request_schema() -> dict[str, Any]:
    schema = copy.deepcopy(SPEC_REQUEST)
    schemas = schema["components"]["schemas"]
    schema["properties"]["templateId"] = {"type": "string", "pattern": r"^\S(.*\S)?$"}
    for key in ("taskTimeout", "jobTimeout"):
        schemas["jobJobConfig"]["properties"][key].update(minimum=0, maximum=INT64_MAX)
    source = schemas["data_sourceDataSource"]
    source["required"] = ["dataSourceDescriptor"]
    source["properties"]["dataSourceDescriptor"] = {
        "type": "string",
        "pattern": r"\S",
        "not": {"enum": list(DESCRIPTORS)},
    }
    # Extra keys are allowed by the spec, but not ones that spell a field in snake_case.
    no_snake = {"not": {"enum": SNAKE_NAMES}}
    for target in (schema, schemas["jobJobConfig"], schemas["jobAppParams"], source):
        target["propertyNames"] = no_snake
    return schema


VALID_REQUESTS = from_schema(tightened_request_schema())


def text(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=min_size
    ).filter(lambda s: bool(s.strip()))


KNOWN_SOURCES = st.one_of(
    st.builds(
        DataSource.url,
        st.sampled_from(["http", "https"]).flatmap(
            lambda scheme: st.from_regex(
                r"[a-z]{1,10}\.[a-z]{2,3}/[a-z0-9/]{0,12}", fullmatch=True
            ).map(lambda rest: f"{scheme}://{rest}")
        ),
    ),
    st.builds(DataSource.file),
    st.builds(DataSource.bypass),
    *[
        st.builds(
            getattr(DataSource, kind),
            bucket_name=text(),
            cloud_region=text(),
            name=text(),
            secret_id=text(),
        )
        for kind in ("aws", "gcp", "storj")
    ],
)
