"""A working folder for `ddr` run as a user would: a fresh SQLite file (created by the
command) or the PostgreSQL test database."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def folder(tmp_path: Path, database_url: str) -> Path:
    """An empty working folder whose `ddr` uses a database of its own (SQLite: a file that
    does not exist yet)."""
    work = tmp_path / "work"
    work.mkdir()
    url = f"sqlite:///{work / 'ddr.db'}" if database_url.startswith("sqlite") else database_url
    (work / ".url").write_text(url)
    return work
