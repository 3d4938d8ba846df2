"""What every `ddr` command shares: the consoles, the one-line failure, and opening the
configured database with its key ring."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from sqlalchemy.engine import Engine

from app.core.crypto import CryptoError, FieldCrypto
from app.core.db import make_engine
from app.core.errors import DomainError
from app.core.keys import check_or_store_key, load_crypto
from app.core.settings import ConfigurationError, Settings, get_settings
from app.models import all_models

err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def fail(message: str) -> NoReturn:
    """Print a one-line error and exit with status 2."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


@contextmanager
def registry(settings: Settings | None = None) -> Iterator[tuple[Engine, FieldCrypto, Settings]]:
    """Open the configured database and key ring, turning set-up problems into exit 2."""
    settings = settings or get_settings()
    all_models()
    try:
        engine = make_engine(settings.database_url,
                             busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        crypto = load_crypto(settings)
        check_or_store_key(engine, crypto)
    except (ConfigurationError, CryptoError) as exc:
        fail(str(exc))
    try:
        yield engine, crypto, settings
    except DomainError as exc:
        fields = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
        fail(f"{exc.detail}" + (f" ({fields})" if fields else ""))
    finally:
        engine.dispose()
