"""Process-wide settings of a service process (applied by :func:`app.main.create_app`)."""

from __future__ import annotations

import gc

GC_THRESHOLDS = (10_000, 10, 10)
"""Allocations between young-generation collections, then collections between older ones."""


def tune_gc() -> None:
    """Collect young objects every 10,000 allocations instead of Python's 700.

    Scoring a few hundred candidates allocates tens of thousands of short-lived containers;
    with the default threshold that triggers a full collection every few lookups, and a full
    collection walks every long-lived object (the matcher's caches, the model's name tables):
    20–100 ms pauses that land on a request's latency. The larger threshold makes full
    collections rare; the memory held meanwhile is a few megabytes.
    """
    gc.set_threshold(*GC_THRESHOLDS)
