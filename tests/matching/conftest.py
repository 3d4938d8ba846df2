"""Shared fixtures of the matching tests: small CSVs and, when present, the shared data sets."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).with_name("fixtures")
# The evaluation data: DDR_SHARED_DATA if set, else ../shared/data next to the repository,
# else the workplace's copy (a clone made elsewhere on the machine still finds it).
CANDIDATES = [Path(p) for p in [os.environ.get("DDR_SHARED_DATA", "")] if p] + [
    Path(__file__).resolve().parents[3] / "shared" / "data", Path("/work/shared/data")]
SHARED = next((p for p in CANDIDATES if p.is_dir()), CANDIDATES[0])


def shared_path(*parts: str) -> Path:
    """Return a path in the shared data; skip locally but fail in CI when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"shared evaluation data missing: {path}")
        pytest.skip(f"shared evaluation data not available: {path}")
    return path


def read_truth(path: Path) -> dict[str, str]:
    """Read a ``record_id, person_id`` truth file."""
    frame = pd.read_csv(path, dtype=str)
    return dict(zip(frame["record_id"], frame["person_id"], strict=True))


@pytest.fixture(scope="session")
def families_path() -> Path:
    return FIXTURES / "families.csv"


@pytest.fixture(scope="session")
def families_truth() -> dict[str, str]:
    return read_truth(FIXTURES / "families_truth.csv")


@pytest.fixture(scope="session")
def families_records(families_path: Path) -> dict[str, dict[str, str]]:
    frame = pd.read_csv(families_path, dtype=str, keep_default_na=False)
    return {row["record_id"]: row for row in frame.to_dict("records")}
