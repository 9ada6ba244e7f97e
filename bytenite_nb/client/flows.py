"""The client's step vocabulary for the part above it (``bytenite_nb.batch``): what
of the client's inside a batch builds on, named once. Loads the HTTP stack (httpx).
"""

from __future__ import annotations

from ._local import prepare_dest
from ._once import SEARCH_JOBS, may_be_applied
from ._steps import T, driven
from ._steps import _Flow as Flow
from ._steps import _Gather as Gather
from ._steps import _Sleep as Sleep
from ._submit import ClientFlows, SubmitOptions

__all__ = [
    "SEARCH_JOBS",
    "ClientFlows",
    "Flow",
    "Gather",
    "Sleep",
    "SubmitOptions",
    "T",
    "driven",
    "may_be_applied",
    "prepare_dest",
]
