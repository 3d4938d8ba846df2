"""Load the master key ring, check it against the database at start, and change it.

A key file holds one key a line: the primary key first (a bare key, or `primary KEY`), then
`previous KEY` lines (versions whose values `ddr keys rotate` has not yet moved) and `retired
KEY` lines (versions no field uses any more, kept to verify the audit chain's older links and
to read older backups). With `DDR_MASTER_KEY` the same ring comes from `DDR_MASTER_KEY`,
`DDR_PREVIOUS_MASTER_KEYS` and `DDR_RETIRED_MASTER_KEYS`.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core import audit_chain
from app.core.crypto import (
    CryptoError,
    FieldCrypto,
    decode_master_key,
    generate_master_key,
    key_id_for,
    read_key_file,
    write_key_file,
)
from app.core.models import KeyCheck
from app.core.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)
STATES = ("primary", "previous", "retired")


@dataclass
class KeyRing:
    """The base64 master keys of each state, as a key file or the environment holds them."""

    primary: str
    previous: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    def crypto(self) -> FieldCrypto:
        """The ring as a key ring for encryption (ConfigurationError for a malformed key)."""
        try:
            return FieldCrypto(master=decode_master_key(self.primary),
                               previous=[decode_master_key(k) for k in self.previous],
                               retired=[decode_master_key(k) for k in self.retired])
        except CryptoError as exc:
            raise ConfigurationError(str(exc)) from exc

    def text(self) -> str:
        """The ring as a key file's text."""
        lines = [f"primary {self.primary}"]
        lines += [f"previous {k}" for k in self.previous]
        lines += [f"retired {k}" for k in self.retired]
        return "\n".join(lines) + "\n"


def parse_key_ring(text: str) -> KeyRing:
    """Read a key file's text (a single bare key is a ring of one primary version)."""
    found: dict[str, list[str]] = {state: [] for state in STATES}
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        state, key = ("primary", words[0]) if len(words) == 1 else (words[0], words[1])
        if state not in found or len(words) > 2:
            raise ConfigurationError(f"key file line {number}: expected `[primary|previous|"
                                     "retired] KEY`")
        found[state].append(key)
    if len(found["primary"]) != 1:
        raise ConfigurationError("the key file must hold exactly one primary key")
    return KeyRing(found["primary"][0], found["previous"], found["retired"])


def _split(secret: object) -> list[str]:
    text = secret.get_secret_value() if secret is not None else ""  # type: ignore[attr-defined]
    return [k.strip() for k in str(text).split(",") if k.strip()]


def load_key_ring(settings: Settings, *, create_in_development: bool = True) -> KeyRing:
    """The ring from DDR_MASTER_KEY (and its companions) or the key file (created in
    development only)."""
    if settings.master_key is not None:
        return KeyRing(settings.master_key.get_secret_value(),
                       _split(settings.previous_master_keys),
                       _split(settings.retired_master_keys))
    if settings.master_key_file.exists():
        try:
            return parse_key_ring(read_key_file(settings.master_key_file))
        except CryptoError as exc:
            raise ConfigurationError(str(exc)) from exc
    if settings.env == "development" and create_in_development:
        key = write_key_file(settings.master_key_file)
        log.warning("created a new development master key file at %s", settings.master_key_file)
        return KeyRing(key)
    raise ConfigurationError(
        "no master key: set DDR_MASTER_KEY or run `ddr init` to create a key file")


def load_crypto(settings: Settings, *, create_in_development: bool = True) -> FieldCrypto:
    """Build the key ring from DDR_MASTER_KEY or the key file (created in development only)."""
    return load_key_ring(settings, create_in_development=create_in_development).crypto()


def save_key_ring(path: Path, ring: KeyRing) -> None:
    """Replace a key file with a ring, atomically and readable by the owner only (0600)."""
    ring.crypto()  # refuse to write a malformed ring
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(ring.text())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def with_new_primary(ring: KeyRing) -> KeyRing:
    """The ring with a new random primary version; the old primary becomes previous."""
    return KeyRing(generate_master_key(), [ring.primary, *ring.previous], list(ring.retired))


def key_id_of(key: str) -> str:
    """The hex id of a base64 master key."""
    return key_id_for(decode_master_key(key)).hex()


def retire(ring: KeyRing, key_id: str) -> KeyRing:
    """The ring with a previous version moved to the retired ones (ValueError if the id is
    the primary or not a previous version)."""
    if key_id_of(ring.primary) == key_id:
        raise ValueError("the primary version cannot be retired")
    moving = [k for k in ring.previous if key_id_of(k) == key_id]
    if not moving:
        raise ValueError(f"no previous key version {key_id} in the ring")
    return KeyRing(ring.primary, [k for k in ring.previous if k not in moving],
                   [*ring.retired, *moving])


def check_or_store_key(engine: Engine, crypto: FieldCrypto) -> None:
    """Verify the master key against the stored key check, storing one on first use, and
    chain the engine's audit events with the ring's keys."""
    audit_chain.enable(engine, crypto)
    with Session(engine) as session:
        row = session.get(KeyCheck, 1)
        if row is None:
            session.add(KeyCheck(id=1, key_id=crypto.key_id_hex, value=crypto.key_check()))
            session.commit()
            return
        crypto.verify_key_check(row.value)
