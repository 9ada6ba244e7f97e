"""Batches: many jobs as one object.

::

    from bytenite_nb import Client, sweep
    requests = sweep({"templateId": "hello-world-template", "name": "case"},
                     {"params.app.case": ["upper", "lower"], "config.taskTimeout": [60, 120]})
    with Client() as client:
        batch = client.create_jobs(requests, concurrency=16, run=True)
        batch.wait()
        batch.to_pandas()

``sweep`` builds the requests (``sweeps.py``); ``create_jobs`` sends them
concurrently (``submit.py``) into a :class:`JobBatch` (``batch.py``), which
waits efficiently (``wait.py``), resumes without duplicates (``resume.py``),
saves and loads itself (``persist.py``) and shows its progress
(through ``bytenite_nb.progress``). Never imports IPython except inside a running kernel.
"""

from __future__ import annotations

from .batch import AsyncJobBatch, JobBatch, error_text
from .item import BatchInterrupted, BatchItem, maybe_created
from .sweeps import grid_values, sweep

__all__ = [
    "AsyncJobBatch",
    "BatchInterrupted",
    "BatchItem",
    "JobBatch",
    "error_text",
    "grid_values",
    "maybe_created",
    "sweep",
]
