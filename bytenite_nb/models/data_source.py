"""Data sources and destinations: the known descriptors, their checks and builders."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import StrictStr

from ..errors import cut
from ._base import _Lenient, _WireModel
from ._values import JsonObject

_TYPE_PREFIX = "type.googleapis.com/bytenite.data_source."
_S3_TYPE = _TYPE_PREFIX + "S3DataSource"
_S3_PARAMS = ("name", "bucketName", "cloudRegion", "secret_id")

Direction = Literal["input", "output"]


@dataclass(frozen=True)
class Descriptor:
    """What the service takes for one known data source descriptor."""

    name: str
    directions: frozenset[str] = field(repr=False)
    type_url: str | None = field(repr=False)
    required: tuple[str, ...] = field(default=(), repr=False)
    summary: str = field(default="", repr=False)


_BOTH = frozenset({"input", "output"})

#: The data source descriptors the service is known to take (BYTENITE_API.md).
#: Any other descriptor is passed through untouched.
DESCRIPTORS: Mapping[str, Descriptor] = {
    d.name: d
    for d in (
        Descriptor(
            "url",
            frozenset({"input"}),
            _TYPE_PREFIX + "HttpDataSource",
            ("url",),
            "a file downloaded over HTTP(S)",
        ),
        Descriptor(
            "file",
            frozenset({"input"}),
            _TYPE_PREFIX + "LocalFileDataSource",
            (),
            "a file from this machine, uploaded after the job is created (signed upload URL)",
        ),
        Descriptor(
            "bucket", frozenset({"output"}), None, (), "ByteNite's temporary bucket (kept 48 h)"
        ),
        Descriptor("bypass", _BOTH, None, (), "no input / no output"),
        Descriptor("aws", _BOTH, _S3_TYPE, _S3_PARAMS, "an AWS S3 bucket"),
        Descriptor("s3", _BOTH, _S3_TYPE, _S3_PARAMS, "an AWS S3 bucket (older name of aws)"),
        Descriptor("gcp", _BOTH, _S3_TYPE, _S3_PARAMS, "a Google Cloud Storage bucket"),
        Descriptor("storj", _BOTH, _S3_TYPE, _S3_PARAMS, "a Storj bucket (region: global)"),
    )
}


class DataSource(_WireModel):
    """``data_sourceDataSource``: a descriptor (``url``, ``bucket``, ...) and its params.
    The classmethods build the known kinds; any other descriptor is kept as given."""

    spec_name: ClassVar[str] = "data_sourceDataSource"

    data_source_descriptor: StrictStr | None = None
    params: JsonObject | None = None

    def problems(self, direction: Direction | None = None) -> list[tuple[str, str]]:
        """What the service would reject, as ``(sub-path, message)`` pairs."""
        kind = self.data_source_descriptor
        if kind is None or not kind.strip():
            return [("dataSourceDescriptor", "required (e.g. " + ", ".join(DESCRIPTORS) + ")")]
        known = DESCRIPTORS.get(kind)
        if known is None:
            return []  # unknown descriptors pass through untouched
        problems: list[tuple[str, str]] = []
        if direction is not None and direction not in known.directions:
            (only,) = known.directions
            problems.append(("dataSourceDescriptor", f"'{kind}' can only be used as an {only}"))
        params = self.params or {}
        type_url = params.get("@type")
        if type_url is not None and known.type_url is not None and type_url != known.type_url:
            problems.append(("params.@type", f"must be {known.type_url!r} for '{kind}'"))
        for key in known.required:
            value = params.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                problems.append((f"params.{key}", f"required for '{kind}'"))
            elif not isinstance(value, str):
                problems.append((f"params.{key}", "must be a string"))
            elif key == "url" and (problem := _http_url_problem(value)):
                problems.append(("params.url", problem))
        return problems

    def __repr_args__(self) -> Any:
        # A ``tempUrl`` is a signed upload URL: it grants access, so no repr or str shows it.
        for name, value in super().__repr_args__():
            if name == "params" and isinstance(value, Mapping):
                value = {k: ("***" if k == "tempUrl" else v) for k, v in value.items()}
            yield name, value

    def __str__(self) -> str:
        return self.__repr__()

    # -- constructors for the known descriptors ---------------------------
    @classmethod
    def url(cls, url: str) -> "DataSource":
        """An input file downloaded from an ``http(s)://`` URL."""
        return cls._known("url", {"url": url}, "input")

    @classmethod
    def file(cls) -> "DataSource":
        """An input uploaded from this machine after the job is created."""
        return cls._known("file", {}, "input")

    @classmethod
    def bucket(cls) -> "DataSource":
        """Output to ByteNite's temporary bucket (files kept 48 h)."""
        return cls._known("bucket", None, "output")

    @classmethod
    def bypass(cls) -> "DataSource":
        """No input, or no output."""
        return cls._known("bypass", None, None)

    @classmethod
    def aws(cls, *, bucket_name: str, cloud_region: str, name: str, secret_id: str) -> "DataSource":
        """An S3 bucket: ``name`` is a file path for input, a folder for output."""
        return cls._s3("aws", bucket_name, cloud_region, name, secret_id)

    @classmethod
    def gcp(cls, *, bucket_name: str, cloud_region: str, name: str, secret_id: str) -> "DataSource":
        """A Google Cloud Storage bucket, e.g. ``cloud_region="us-west2-b"``."""
        return cls._s3("gcp", bucket_name, cloud_region, name, secret_id)

    @classmethod
    def storj(
        cls, *, bucket_name: str, name: str, secret_id: str, cloud_region: str = "global"
    ) -> "DataSource":
        """A Storj bucket (region ``"global"``)."""
        return cls._s3("storj", bucket_name, cloud_region, name, secret_id)

    @classmethod
    def _s3(
        cls, kind: str, bucket_name: str, cloud_region: str, name: str, secret_id: str
    ) -> "DataSource":
        values = (name, bucket_name, cloud_region, secret_id)
        return cls._known(kind, dict(zip(_S3_PARAMS, values, strict=True)), None)

    @classmethod
    def _known(
        cls, kind: str, params: dict[str, Any] | None, direction: Direction | None
    ) -> "DataSource":
        source = _with_type_url(cls(data_source_descriptor=kind, params=params))
        problems = source.problems(direction)
        if problems:
            raise ValueError("; ".join(f"{path}: {message}" for path, message in problems))
        return source


class _DataSourceOut(_Lenient, DataSource):
    """``DataSource`` as a response holds it: no descriptor checks, any params."""


def _with_type_url(source: DataSource) -> DataSource:
    """Fill in ``params["@type"]`` for a known descriptor that needs one."""
    known = DESCRIPTORS.get(source.data_source_descriptor or "")
    params = source.params or {}
    if known is None or known.type_url is None or "@type" in params:
        return source
    return source.model_copy(update={"params": {"@type": known.type_url, **params}})


def _http_url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return f"{cut(repr(url), 40)} is not a valid URL"
    if parts.scheme not in ("http", "https"):
        scheme = f"'{parts.scheme}://'" if parts.scheme else "no scheme"
        return f"must be an http:// or https:// URL (got {scheme})"
    if not parts.hostname:
        return "must name a host (e.g. https://example.com/data.zip)"
    return None
