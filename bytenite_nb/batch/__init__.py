"""Batches: many jobs as one object.

::

    from bytenite_nb import Client, sweep
    requests = sweep({"templateId": "hello-world-template", "name": "case"},
                     {"params.app.case": ["upper", "lower"], "config.taskTimeout": [60, 120]})
    with Client() as client:
        batch = client.create_jobs(requests, concurrency=16, run=True)
        batch.wait()
        batch.to_pandas()

``sweep`` builds the requests (``sweeps.py``); ``create_jobs`` makes a
:class:`JobBatch` (``batch.py``, over one core in ``core.py``) that waits
(``wait.py``), resumes without duplicates and saves itself (``persist.py``).
"""

from __future__ import annotations

from .batch import AsyncJobBatch, JobBatch
from .item import BatchInterrupted, BatchItem
from .sweeps import sweep

__all__ = ["AsyncJobBatch", "BatchInterrupted", "BatchItem", "JobBatch", "sweep"]
