"""The sandbox's built-in job templates; each checks params as its JSON schema would."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._wire import Violation


@dataclass(frozen=True)
class Template:
    id: str
    description: str
    app: str
    partitioner: str = "passthrough"
    assembler: str = "passthrough"
    owner: str = "bytenite"
    #: Chunks the partitioner makes (the sandbox's cost estimate uses it).
    chunks: Callable[[Mapping[str, Any]], int] = field(default=lambda params: 1)
    check: Callable[[Mapping[str, Any]], list[Violation]] = field(default=lambda params: [])
    #: When set, a run of this template fails with this message.
    fails_with: str | None = None
    #: Only its owner may use it (others get 403).
    private: bool = False

    def info(self) -> dict[str, str]:
        """``jobJobTemplate`` as the service sends it."""
        keys = ("id", "owner", "description", "app", "partitioner", "assembler")
        return {key: getattr(self, key) for key in keys}


def _hello_check(params: Mapping[str, Any]) -> list[Violation]:
    case = (params.get("app") or {}).get("case", "upper")
    if case not in ("upper", "lower"):
        return [("params.app.case", f"must be 'upper' or 'lower', got {case!r}")]
    return []


def _diffusers_check(params: Mapping[str, Any]) -> list[Violation]:
    problems: list[Violation] = []
    prompt = (params.get("app") or {}).get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        problems.append(("params.app.prompt", "a non-empty prompt is required"))
    replicas = _replicas(params)
    if isinstance(replicas, bool) or not isinstance(replicas, int) or not 1 <= replicas <= 100:
        problems.append(("params.partitioner.num_replicas", "must be a whole number from 1 to 100"))
    return problems


def _replicas(params: Mapping[str, Any]) -> Any:
    """``num_replicas``: the chunks of a job whose params passed ``_diffusers_check``."""
    return (params.get("partitioner") or {}).get("num_replicas", 1)


TEMPLATES: Mapping[str, Template] = {
    t.id: t
    for t in (
        Template(
            id="hello-world-template",
            description="Turns the text of a file to upper or lower case.",
            app="hello-world@1",
            check=_hello_check,
        ),
        Template(
            id="img-gen-diffusers-flux-gpu-template",
            description="Generates images from a prompt with FLUX on GPUs, one per replica.",
            app="img-gen-diffusers@1",
            partitioner="replicate-fanout",
            assembler="zipper",
            chunks=_replicas,
            check=_diffusers_check,
        ),
        Template(
            id="video-transcoding-template",
            description="Splits a video into segments, transcodes them in parallel, joins them.",
            app="video-transcoder@2.1",
            partitioner="video-segmenter@1",
            assembler="video-merger@1",
            chunks=lambda params: 8,
        ),
        Template(
            id="sandbox-failing-template",
            description="Always fails while partitioning (to try failure handling).",
            app="hello-world@1",
            partitioner="broken-partitioner",
            fails_with="partitioner exited with code 1: input file is empty",
        ),
        Template(
            id="private-template",
            description="Belongs to another account (to try permission errors).",
            app="secret-app",
            owner="someone-else",
            private=True,
        ),
    )
}
