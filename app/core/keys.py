"""Load the master key ring and check it against the database at start."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.crypto import (
    CryptoError,
    FieldCrypto,
    decode_master_key,
    read_key_file,
    write_key_file,
)
from app.core.models import KeyCheck
from app.core.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)


def load_crypto(settings: Settings, *, create_in_development: bool = True) -> FieldCrypto:
    """Build the key ring from DDR_MASTER_KEY or the key file (created in development only)."""
    if settings.master_key is not None:
        text = settings.master_key.get_secret_value()
    elif settings.master_key_file.exists():
        text = read_key_file(settings.master_key_file)
    elif settings.env == "development" and create_in_development:
        text = write_key_file(settings.master_key_file)
        log.warning("created a new development master key file at %s", settings.master_key_file)
    else:
        raise ConfigurationError(
            "no master key: set DDR_MASTER_KEY or run `ddr init` to create a key file"
        )
    try:
        master = decode_master_key(text)
        previous = [
            decode_master_key(k)
            for k in (
                settings.previous_master_keys.get_secret_value().split(",")
                if settings.previous_master_keys
                else []
            )
            if k.strip()
        ]
    except CryptoError as exc:
        raise ConfigurationError(str(exc)) from exc
    return FieldCrypto(master=master, previous=previous)


def check_or_store_key(engine: Engine, crypto: FieldCrypto) -> None:
    """Verify the master key against the stored key check, storing one on first use."""
    with Session(engine) as session:
        row = session.get(KeyCheck, 1)
        if row is None:
            session.add(KeyCheck(id=1, key_id=crypto.key_id_hex, value=crypto.key_check()))
            session.commit()
            return
        crypto.verify_key_check(row.value)
