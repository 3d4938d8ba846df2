"""Fixtures of the import tests: the key ring with the reference lists seeded, the fixture
files, and a helper that imports one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from app.core.crypto import FieldCrypto
from app.core.security import SYSTEM, Principal
from app.imports.models import ImportJob
from app.imports.service import import_file
from tests.factories import seed_reference

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def crypto(app: FastAPI, engine: Engine) -> FieldCrypto:
    """The app's key ring, the sites and the TPF armed group in place."""
    seed_reference(engine)
    result: FieldCrypto = app.state.crypto
    return result


def run_import(engine: Engine, crypto: FieldCrypto, path: Path, *,
               actor: Principal = SYSTEM, mapping: Path | None = None,
               **options: Any) -> ImportJob:
    """Import a file as `ddr import` does."""
    with path.open("rb") as handle:
        return import_file(engine=engine, crypto=crypto, actor=actor, handle=handle,
                           file_name=path.name,
                           mapping_text=mapping.read_text(encoding="utf-8") if mapping else None,
                           **options)
