"""``FormState``: what a ``JobForm`` knows apart from what its widgets show.

The widgets hold the fields; this object holds the rest (the parts of a loaded
payload no widget edits, the outcome of the last check, where a submission
stands, the client). ``_check`` and ``_submit`` read and write it and the
form's public widgets; none of them touches the form's private attributes.
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

    #: The client that sends (``None``: one is made on the first submission).
    client: Client | None = None
    #: The valid request, or ``None`` while the form has problems.
    payload: CreateJobRequest | None = None
    #: Problems by wire field path (``"config.jobTimeout"``).
    errors: dict[str, str] = field(default_factory=dict)
    #: A submission is in flight.
    busy: bool = False
    #: The widgets are being set from a payload (their callbacks wait).
    loading: bool = False
    #: True after a success, until the next change.
    submitted: bool = False
    #: Top-level fields, ``params`` parts and ``config`` members no widget edits,
    #: kept from the loaded payload and sent as they are.
    extra: dict[str, Any] = field(default_factory=dict)
    params_extra: dict[str, Any] = field(default_factory=dict)
    config_extra: dict[str, Any] = field(default_factory=dict)
