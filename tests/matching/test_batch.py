"""Batch mode: reading record CSVs (errors named in one line) and dedupe results."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from matching.batch import (
    RecordFileError,
    dedupe,
    read_records_csv,
    write_clusters_csv,
    write_pairs_csv,
)
from matching.evaluation import pair_metrics
from matching.records import RECORD_COLUMNS
from synthetic import SyntheticConfig, iter_records, persons_for_records

from .conftest import FIXTURES, read_truth

HEADER = ",".join(RECORD_COLUMNS)


def _write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "records.csv"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (HEADER.replace(",phone", "").encode() + b"\n", "missing column(s) phone"),
        ((HEADER + "\nA1,TRP,,,M,,Ali,,,,,,,,,,,\nA1,TRP,,,M,,Ali,,,,,,,,,,,\n").encode(),
         "duplicate record_id A1"),
        ((HEADER + "\nA1,TRP,,,M,,").encode() + "علي".encode("cp1256") + b",,,,,,,,,,,\n",
         "not UTF-8"),
        ((HEADER + "\n,TRP,,,M,,Ali,,,,,,,,,,,\n").encode(), "empty record_id"),
    ],
    ids=["empty-file", "missing-column", "duplicate-id", "bad-encoding", "empty-id"],
)
def test_malformed_files_raise_one_line_errors(
    tmp_path: Path, content: bytes, message: str
) -> None:
    with pytest.raises(RecordFileError, match=re.escape(message)) as error:
        read_records_csv(_write(tmp_path, content))
    assert "\n" not in str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecordFileError, match="not found"):
        read_records_csv(tmp_path / "nope.csv")


def test_extra_columns_ignored_and_bom_accepted(tmp_path: Path) -> None:
    content = ("\ufeff" + HEADER + ",extra\nA1,TRP,,,M,,علي,,,,,,,,,,,,x\n").encode()
    frame = read_records_csv(_write(tmp_path, content))
    assert list(frame.columns) == list(RECORD_COLUMNS)
    assert frame.loc[0, "given_name"] == "علي"


@pytest.mark.parametrize(
    "rows",
    [
        "A1,TRP,,,M,,علي,,,,,,,,,,,,\nA2,BEN,,,M,,Omar,,,,,,,,,,,\n",
        "A1,TRP,,,M,,علي,,,,,,,,,,,,x\nA2,BEN,,,M,,Omar,,,,,,,,,,,,y\n",
    ],
    ids=["one-row-trailing-comma", "every-row-extra-cell"],
)
def test_extra_cells_do_not_shift_fields(tmp_path: Path, rows: str) -> None:
    frame = read_records_csv(_write(tmp_path, (HEADER + "\n" + rows).encode()))
    assert frame["record_id"].tolist() == ["A1", "A2"]
    assert frame["site"].tolist() == ["TRP", "BEN"]
    assert frame["given_name"].tolist() == ["علي", "Omar"]


def test_dedupe_fixture(families_path: Path, families_truth: dict[str, str],
                        tmp_path: Path) -> None:
    stages: list[str] = []
    frame = read_records_csv(families_path)
    result = dedupe(frame, progress=lambda stage, done, total: stages.append(stage))
    assert {"prepare", "block", "score", "cluster"} <= set(stages)
    assert set(result.clusters["record_id"]) == set(frame["record_id"])
    assert set(result.pairs["decision"]) <= {"match", "possible"}
    matches = result.pairs[result.pairs["decision"] == "match"]
    metrics = pair_metrics(zip(matches["record_id_a"], matches["record_id_b"], strict=True),
                           families_truth)
    assert metrics.precision == 1.0
    assert metrics.recall == 1.0
    for key in ("records", "candidate_pairs", "matches", "possibles", "clusters", "seconds"):
        assert key in result.stats
    assert result.stats["records"] == len(frame)
    write_pairs_csv(result, tmp_path / "pairs.csv")
    write_clusters_csv(result, tmp_path / "clusters.csv")
    pairs = pd.read_csv(tmp_path / "pairs.csv")
    assert list(pairs.columns) == ["record_id_a", "record_id_b", "score", "decision"]
    assert len(pd.read_csv(tmp_path / "clusters.csv")) == len(frame)


def test_dedupe_respects_cannot_link(families_path: Path) -> None:
    frame = read_records_csv(families_path)
    result = dedupe(frame, cannot_link=[("MIS-2025-000001", "SEB-2025-000001")])
    clusters = dict(zip(result.clusters["record_id"], result.clusters["cluster_id"], strict=True))
    assert clusters["MIS-2025-000001"] != clusters["SEB-2025-000001"]


def test_dedupe_sample_of_dev_set() -> None:
    frame = read_records_csv(FIXTURES / "dedup_sample.csv")
    truth = read_truth(FIXTURES / "dedup_sample_truth.csv")
    result = dedupe(frame)
    matches = result.pairs[result.pairs["decision"] == "match"]
    metrics = pair_metrics(zip(matches["record_id_a"], matches["record_id_b"], strict=True),
                           truth)
    assert metrics.precision >= 0.95, metrics
    assert metrics.f1 >= 0.85, metrics


def test_dedupe_same_result_for_any_number_of_workers() -> None:
    rows = [record for record, _ in iter_records(
        SyntheticConfig(n_persons=persons_for_records(3000), seed=11))]
    frame = pd.DataFrame(rows, columns=list(RECORD_COLUMNS)).astype(str)
    serial = dedupe(frame, jobs=1)
    # small chunks, so that two workers each score several of them
    parallel = dedupe(frame, jobs=2, chunk_pairs=1000)
    assert serial.stats["jobs"] == 1
    assert parallel.stats["jobs"] == 2
    assert int(serial.stats["candidate_pairs"]) > 4 * 1000
    assert len(serial.pairs) > 0
    pd.testing.assert_frame_equal(serial.pairs, parallel.pairs)
    pd.testing.assert_frame_equal(serial.clusters, parallel.clusters)
    assert ({k: v for k, v in serial.stats.items() if k not in ("jobs", "seconds")}
            == {k: v for k, v in parallel.stats.items() if k not in ("jobs", "seconds")})
