"""``FormState``: what a ``JobForm`` knows besides its widgets (the parts of a loaded
payload no widget edits, the last check, the submission, the client); ``_check``
and ``_submit`` use it and the form's public widgets, never its private attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..models import CreateJobRequest

if TYPE_CHECKING:  # pragma: no cover - the client loads with the first submission
    from ..client import Client


@dataclass
class FormState:
    """The form's state besides its widgets."""

    client: Client | None = None  # None: one is made on the first submission
    payload: CreateJobRequest | None = None  # None while the form has problems
    errors: dict[str, str] = field(default_factory=dict)  # by wire path: config.jobTimeout
    busy: bool = False  # a submission is in flight
    loading: bool = False  # the widgets are being set from a payload
    submitted: bool = False  # after a success, until the next change
    # What no widget edits (top-level fields, params parts, config members), as loaded.
    extra: dict[str, Any] = field(default_factory=dict)
    params_extra: dict[str, Any] = field(default_factory=dict)
    config_extra: dict[str, Any] = field(default_factory=dict)
