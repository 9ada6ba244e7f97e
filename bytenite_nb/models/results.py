"""A job's output files: ``JobResults`` and ``ResultFile``, from
``{"results": [{"name": "out_0/result.txt", "link": "<signed URL>"}]}``.

A signed link grants access to its file while it lives, so no repr, str or mimebundle
shows it: read ``.link``, or ask a card for it (``card(show_links=True)``).
"""

from pathlib import PurePosixPath
from typing import Any

from pydantic import ConfigDict, Field, PrivateAttr, field_validator

from ._base import Card, _ShownAsCard, _WireModel
from ._values import Int64

#: Which results get an inline preview, by extension (images are checked by
#: their first bytes too: only PNG, JPEG, GIF and WebP are ever inlined).
PREVIEW_KINDS = {
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".gif", ".webp"), "image"),
    **dict.fromkeys((".txt", ".log", ".md"), "text"),
    **{".json": "json", ".csv": "csv", ".tsv": "csv"},
}


class ResultFile(_WireModel):
    """One output file: ``name`` (``out_0/result.txt``), ``link`` (a signed URL,
    never shown) and ``size`` in bytes when known (after a download or a
    preview fetch). Fields the service adds are kept."""

    model_config = ConfigDict(defer_build=True)  # built on first use, as responses are

    name: str = ""
    link: str | None = Field(default=None, repr=False)  # grants access: in no repr or str
    size: Int64 | None = None
    _head: bytes | None = PrivateAttr(default=None)
    _head_complete: bool = PrivateAttr(default=False)
    _preview_error: str | None = PrivateAttr(default=None)

    @field_validator("name", mode="before")
    @classmethod
    def _name_text(cls, value: Any) -> Any:
        return "" if value is None else value

    @property
    def preview_kind(self) -> str | None:
        """``"image"``, ``"text"``, ``"json"`` or ``"csv"`` by extension; None: no preview."""
        return PREVIEW_KINDS.get(PurePosixPath(self.name.lower()).suffix)

    @property
    def head(self) -> bytes | None:
        """The first bytes fetched for a preview (None if not fetched)."""
        return self._head

    @property
    def head_complete(self) -> bool:
        """True when :attr:`head` is the whole file."""
        return self._head_complete

    def set_head(self, data: bytes, *, complete: bool) -> None:
        """Keep the first bytes of the file (for previews); ``complete``: all of it."""
        self._head = bytes(data)
        self._head_complete = complete
        self._preview_error = None
        if complete:
            self.size = len(data)

    @property
    def preview_error(self) -> str | None:
        """Why fetching this file's preview failed (None if it did not)."""
        return self._preview_error

    def set_preview_error(self, message: str) -> None:
        """Record that this file's preview could not be fetched, and why."""
        self._head = None
        self._head_complete = False
        self._preview_error = message


class JobResults(_WireModel):
    """What ``get_job_results`` returns: ``files`` (wire name ``results``), shown as
    a results card (previews when fetched; signed links only with ``card(show_links=True)``)."""

    model_config = ConfigDict(defer_build=True)  # built on first use, as responses are

    files: list[ResultFile] = Field(default_factory=list, alias="results")
    #: The job these results belong to (set by the client; not on the wire).
    job_id: str | None = Field(default=None, exclude=True)

    @field_validator("files", mode="before")
    @classmethod
    def _lenient(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict | ResultFile)]
        return value

    @classmethod
    def from_wire(cls, data: Any, job_id: str | None = None) -> "JobResults":
        """Parse an answer leniently: a dict with ``results``, a bare list, or nothing."""
        if isinstance(data, list):
            data = {"results": data}
        if not isinstance(data, dict):
            data = {}
        results = cls.model_validate(data)
        results.job_id = job_id
        return results

    @property
    def names(self) -> list[str]:
        """The file names, in the service's order."""
        return [f.name for f in self.files]

    def card(self, *, show_links: bool = False) -> "ResultsCard":
        """The results card; ``show_links=True`` writes the signed links into it."""
        return ResultsCard(self, show_links=show_links)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.card()._repr_mimebundle_(include, exclude)

    def __repr__(self) -> str:
        names = ", ".join(repr(n) for n in self.names[:5])
        more = f", … {len(self.files) - 5} more" if len(self.files) > 5 else ""
        return f"JobResults(job_id={self.job_id!r}, files=[{names}{more}])"

    def __str__(self) -> str:
        return str(self.card())


class ResultsCard(_ShownAsCard):
    """A displayable results card (``JobResults.card()``)."""

    def __init__(self, results: JobResults, *, show_links: bool = False) -> None:
        self.results = results
        self.show_links = show_links

    @staticmethod
    def _repr_card() -> Card:
        from ..display.results import results_html, results_mimebundle, results_text

        return Card(
            lambda card: results_text(card.results, show_links=card.show_links),
            lambda card: results_html(card.results, show_links=card.show_links),
            lambda card, _: results_mimebundle(card.results, show_links=card.show_links),
        )

    def __repr__(self) -> str:
        return f"<ResultsCard of {self.results!r}, show_links={self.show_links}>"
