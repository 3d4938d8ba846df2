"""Batch deduplication of a record CSV file: read, block, score, classify, cluster, write."""

from __future__ import annotations

import csv
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matching.blocking import candidate_pairs, key_groups, neighbourhood_order
from matching.cluster import cluster
from matching.features import NameTable
from matching.model import MatchModel
from matching.records import RECORD_COLUMNS, prepare_records
from matching.scoring import (
    DEFAULT_SETTINGS,
    MatchSettings,
    decide,
    default_model,
    score_pairs_fast,
)

__all__ = [
    "DedupeResult",
    "RecordFileError",
    "dedupe",
    "default_jobs",
    "read_records_csv",
    "write_clusters_csv",
    "write_pairs_csv",
]

Progress = Callable[[str, int, int], None]
# Candidate pairs per scoring task. Larger chunks cost less CPU per pair (each chunk scores
# its distinct name pairs once, and every similarity call has a fixed cost: 20,000 pairs a
# chunk cost about twice the CPU of 400,000) but more memory per worker.
CHUNK_PAIRS = 1_000_000
# Workers are forked on Linux: they share the prepared records and candidate pairs with the
# parent copy-on-write instead of receiving a pickled copy.
_POOL_CONTEXT = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
# What a scoring worker reads: set once in each worker by _start_worker.
_WORK: dict[str, Any] = {}


class RecordFileError(ValueError):
    """A record CSV file cannot be used; the message is one line naming the problem."""


def read_records_csv(path: str | Path) -> pd.DataFrame:
    """Read a record CSV file (contract 1) into a DataFrame of strings ("" = missing).

    Args:
        path: UTF-8 CSV file with a header row holding at least the record columns.

    Returns:
        The records, with the record columns in contract order (extra columns dropped).

    Raises:
        RecordFileError: The file is missing, empty, not UTF-8, lacks a column or repeats a
            record_id.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except FileNotFoundError:
        raise RecordFileError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise RecordFileError(f"{path}: not UTF-8 encoded text") from None
    if not header or not any(h.strip() for h in header):
        raise RecordFileError(f"{path}: empty file, no header row")
    names = [h.strip() for h in header]
    missing = [c for c in RECORD_COLUMNS if c not in names]
    if missing:
        raise RecordFileError(f"{path}: missing column(s) {', '.join(missing)}")
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig",
            usecols=lambda c: c.strip() in RECORD_COLUMNS,
            # A row with more cells than the header (a trailing comma) must not turn its
            # first cell into an index and shift every field one column to the right.
            index_col=False,
        )
    except UnicodeDecodeError:
        raise RecordFileError(f"{path}: not UTF-8 encoded text") from None
    except (pd.errors.ParserError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RecordFileError(f"{path}: malformed CSV ({first})") from None
    frame.columns = [c.strip() for c in frame.columns]
    frame = frame[list(RECORD_COLUMNS)]
    ids = frame["record_id"].str.strip()
    if (ids == "").any():
        row = int(np.flatnonzero((ids == "").to_numpy())[0]) + 2
        raise RecordFileError(f"{path}: empty record_id on line {row}")
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise RecordFileError(f"{path}: duplicate record_id {duplicated.iloc[0]}")
    frame["record_id"] = ids
    return frame.reset_index(drop=True)


@dataclass
class DedupeResult:
    """Pairs, clusters and summary figures of a batch run.

    Attributes:
        pairs: ``record_id_a, record_id_b, score, decision`` (``match`` or ``possible``),
            strongest first.
        clusters: ``record_id, cluster_id`` for every input record.
        stats: ``records``, ``candidate_pairs``, ``matches``, ``possibles``, ``clusters``,
            ``seconds`` (and ``skipped_blocks``, ``model_version``).
    """

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    stats: dict[str, float | int | str] = field(default_factory=dict)


def default_jobs() -> int:
    """The number of cores this process may run on (the default number of worker processes)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _start_worker(shared: dict[str, Any]) -> None:
    _WORK.clear()
    _WORK.update(shared)


def _prepare_slice(start: int, stop: int) -> pd.DataFrame:
    return prepare_records(_WORK["frame"].iloc[start:stop])


def _score_chunk(start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return score_pairs_fast(_WORK["prepared"], _WORK["ia"][start:stop], _WORK["ib"][start:stop],
                            _WORK["model"], _WORK["context"])


def _in_workers(task: Callable[[int, int], Any], shared: dict[str, Any], bounds: list[int],
                jobs: int) -> Iterator[tuple[int, int, Any]]:
    """Run ``task(start, stop)`` for each pair of consecutive ``bounds`` on ``jobs`` worker
    processes that see ``shared`` (forked: not copied); yield ``(start, stop, result)`` in
    order. The pool is shut down, its workers gone, when the last result has been yielded."""
    starts, stops = bounds[:-1], bounds[1:]
    workers = max(1, min(jobs, len(starts)))
    with ProcessPoolExecutor(workers, mp_context=_POOL_CONTEXT, initializer=_start_worker,
                             initargs=(shared,)) as pool:
        yield from zip(starts, stops, pool.map(task, starts, stops), strict=True)


def _notify(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def dedupe(
    frame: pd.DataFrame,
    *,
    settings: MatchSettings = DEFAULT_SETTINGS,
    model: MatchModel | None = None,
    cannot_link: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
    jobs: int | None = None,
    chunk_pairs: int = CHUNK_PAIRS,
) -> DedupeResult:
    """Find duplicate registrations in a record DataFrame.

    Args:
        frame: Records as returned by :func:`read_records_csv`.
        settings: Thresholds and block-size limit.
        model: Match model; the shipped model when None.
        cannot_link: Pairs judged different persons; never clustered together.
        progress: Called as ``progress(stage, done, total)`` while working; stages are
            ``prepare``, ``block``, ``score`` and ``cluster``.
        jobs: Worker processes preparing the records and scoring the candidate pairs (slices
            of them in parallel); the number of cores when None. Any number gives the same
            result.
        chunk_pairs: Candidate pairs per scoring task (the result does not depend on it).

    Returns:
        Match/possible pairs, clusters for every record and summary figures.
    """
    started = time.perf_counter()
    model = model or default_model()
    total = len(frame)
    jobs = jobs or default_jobs()
    _notify(progress, "prepare", 0, total)
    # the records in one slice per worker (preparing a record does not depend on the others)
    frame = frame.reset_index(drop=True)
    parts = _in_workers(_prepare_slice, {"frame": frame},
                        sorted({total * k // jobs for k in range(jobs + 1)}), jobs)
    prepared = pd.concat([part for _, _, part in parts]) if total else prepare_records(frame)
    _notify(progress, "prepare", total, total)
    _notify(progress, "block", 0, total)
    ia, ib, skipped = candidate_pairs(
        key_groups(prepared), len(prepared), max_block_size=settings.max_block_size,
        order=neighbourhood_order(prepared), window=settings.neighbourhood_window,
    )
    _notify(progress, "block", total, total)
    scores = np.empty(len(ia), dtype=np.float32)
    relatives = np.zeros(len(ia), dtype=bool)
    identifiers = np.zeros(len(ia), dtype=np.int8)
    context = (NameTable(prepared), model.record_terms(prepared))
    # chunks of the candidate pairs, scored in parallel and put back in pair order
    shared = {"prepared": prepared, "ia": ia, "ib": ib, "model": model, "context": context}
    for start, stop, (chunk, flags, shared_identifier) in _in_workers(
            _score_chunk, shared, [*range(0, len(ia), chunk_pairs), len(ia)], jobs):
        scores[start:stop] = chunk
        relatives[start:stop] = flags
        identifiers[start:stop] = shared_identifier
        _notify(progress, "score", stop, len(ia))
    _notify(progress, "score", len(ia), len(ia))  # the workers have finished and exited
    keep = np.flatnonzero((scores >= settings.possible_threshold) | (identifiers > 0))
    keep = keep[np.argsort(-scores[keep], kind="stable")]
    ids = prepared["record_id"].to_numpy(dtype=object)
    pairs = pd.DataFrame({
        "record_id_a": ids[ia[keep]],
        "record_id_b": ids[ib[keep]],
        "score": np.round(scores[keep].astype(np.float64), 4),
        "decision": decide(scores[keep], relatives[keep], settings, identifiers[keep]),
    })
    _notify(progress, "cluster", 0, total)
    matches = pairs[pairs["decision"] == "match"]
    clusters = cluster(
        ids.tolist(), zip(matches["record_id_a"], matches["record_id_b"], strict=True),
        cannot_link,
    )
    _notify(progress, "cluster", total, total)
    cluster_frame = pd.DataFrame(
        {"record_id": list(clusters), "cluster_id": list(clusters.values())}
    )
    stats: dict[str, float | int | str] = {
        "records": total,
        "candidate_pairs": int(len(ia)),
        "matches": int(len(matches)),
        "possibles": int(len(pairs) - len(matches)),
        "clusters": int(cluster_frame["cluster_id"].nunique()),
        "skipped_blocks": skipped,
        "jobs": jobs,
        "model_version": model.version,
        "seconds": round(time.perf_counter() - started, 2),
    }
    return DedupeResult(pairs=pairs, clusters=cluster_frame, stats=stats)


def write_pairs_csv(result: DedupeResult, path: str | Path) -> None:
    """Write ``record_id_a, record_id_b, score, decision`` rows to a UTF-8 CSV file.

    Args:
        result: Output of :func:`dedupe`.
        path: Destination file.
    """
    result.pairs.to_csv(path, index=False, encoding="utf-8")


def write_clusters_csv(result: DedupeResult, path: str | Path) -> None:
    """Write ``record_id, cluster_id`` for every record to a UTF-8 CSV file.

    Args:
        result: Output of :func:`dedupe`.
        path: Destination file.
    """
    result.clusters.to_csv(path, index=False, encoding="utf-8")
