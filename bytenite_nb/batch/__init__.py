"""Batches: many jobs as one object.

``sweep`` builds the requests (``sweeps.py``); ``client.create_jobs`` makes a
:class:`JobBatch` (``batch.py``, over one core in ``core.py``) that waits
(``wait.py``), resumes without duplicates and saves itself (``persist.py``).
"""

from __future__ import annotations

from .batch import AsyncJobBatch, JobBatch
from .item import BatchInterrupted, BatchItem
from .sweeps import sweep

__all__ = ["AsyncJobBatch", "BatchInterrupted", "BatchItem", "JobBatch", "sweep"]
