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
:class:`JobBatch` (``batch.py``: thin sync and async wrappers over one core,
``core.py``) whose calls are flows in the client's step vocabulary: one
submit flow per item gathered under the cap, an efficient wait (``wait.py``),
a resume without duplicates (``resume.py``); it saves and loads itself
(``persist.py``). Never imports IPython except inside a running kernel.
"""

from __future__ import annotations

from .batch import AsyncJobBatch, JobBatch
from .item import BatchInterrupted, BatchItem
from .sweeps import sweep

__all__ = ["AsyncJobBatch", "BatchInterrupted", "BatchItem", "JobBatch", "sweep"]
