"""Field-level encryption (AES-256-GCM) and blind indexes (truncated HMAC-SHA256).

Ciphertext format, version 1 (bytes):

    0x01 | key id (4 bytes) | nonce (12 bytes) | AES-GCM ciphertext + tag

The associated data binds each value to its place, ``table|column|row id|key id``, so a
ciphertext copied to another row or column fails to decrypt instead of reading as someone
else's data. Purpose keys come from the master key through HKDF-SHA256; the field key and each
blind-index kind have their own, so an index of phones cannot be joined with one of IDs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = 1
_HEADER = 1 + 4 + 12
BLIND_INDEX_BYTES = 16
KEY_CHECK_PLAINTEXT = b"ddr-registry key check v1"


class CryptoError(RuntimeError):
    """A value could not be decrypted: wrong key, wrong place, or tampered."""


class WrongMasterKey(CryptoError):
    """The configured master key is not the one this database was encrypted with."""


def _hkdf(master: bytes, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info.encode()).derive(
        master
    )


def key_id_for(master: bytes) -> bytes:
    """Return the 4-byte identifier of a master key (not secret, not reversible)."""
    return hmac.new(master, b"ddr/key-id/v1", hashlib.sha256).digest()[:4]


def generate_master_key() -> str:
    """Return a new random 256-bit master key, base64-encoded."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def decode_master_key(text: str) -> bytes:
    """Decode a base64 master key and check its length."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise CryptoError("master key is not valid base64") from exc
    if len(raw) != 32:
        raise CryptoError("master key must be 32 bytes (256 bits) once base64-decoded")
    return raw


def write_key_file(path: Path) -> str:
    """Create a key file holding a new master key, readable by the owner only (mode 0600)."""
    key = generate_master_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def read_key_file(path: Path) -> str:
    """Read a key file, refusing one that others can read."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CryptoError(f"key file {path} is readable by others; chmod 600 it")
    return path.read_text().strip()


@dataclass
class FieldCrypto:
    """Encrypts and decrypts field values and computes blind indexes for one key ring.

    The ring has one primary version (everything new is written under it), the previous
    versions still in use (read, and looked up by every blind index until `ddr keys rotate`
    has moved their values), and retired versions (kept only to verify the audit chain's
    older links and to read older backups; never used for a field)."""

    master: bytes
    previous: list[bytes] = field(default_factory=list)
    retired: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key_id = key_id_for(self.master)
        self._masters: dict[bytes, bytes] = {}
        for master in [self.master, *self.previous, *self.retired]:
            self._masters.setdefault(key_id_for(master), master)
        self.active_ids: list[bytes] = list(dict.fromkeys(
            key_id_for(m) for m in [self.master, *self.previous]))
        self._aead: dict[bytes, AESGCM] = {
            kid: AESGCM(_hkdf(self._masters[kid], "ddr/field-encryption/v1"))
            for kid in self.active_ids}
        self._index_keys: dict[tuple[bytes, str], bytes] = {}
        self._index_macs: dict[tuple[bytes, str], hmac.HMAC] = {}
        self._derived_keys: dict[tuple[bytes, str], bytes] = {}

    @property
    def key_id_hex(self) -> str:
        """The current key id as hex, as stored in ciphertext headers."""
        return self.key_id.hex()

    @property
    def versions(self) -> dict[str, str]:
        """Every key version of the ring (hex id) and its state: primary, previous, retired."""
        states = {kid.hex(): "previous" for kid in self.active_ids}
        states[self.key_id_hex] = "primary"
        for kid in self._masters:
            states.setdefault(kid.hex(), "retired")
        return states

    @staticmethod
    def _aad(table: str, column: str, row_id: str, key_id: bytes) -> bytes:
        return f"{table}|{column}|{row_id}|{key_id.hex()}".encode()

    def encrypt(self, value: str | None, *, table: str, column: str, row_id: str) -> bytes | None:
        """Encrypt one field value bound to its table, column and row; None stays None."""
        if value is None or value == "":
            return None
        nonce = secrets.token_bytes(12)
        aad = self._aad(table, column, row_id, self.key_id)
        body = self._aead[self.key_id].encrypt(nonce, value.encode("utf-8"), aad)
        return bytes([FORMAT_VERSION]) + self.key_id + nonce + body

    def decrypt(self, blob: bytes | None, *, table: str, column: str, row_id: str) -> str | None:
        """Decrypt one field value; raise CryptoError if it was moved, tampered or foreign."""
        if blob is None:
            return None
        blob = bytes(blob)
        if len(blob) < _HEADER + 16 or blob[0] != FORMAT_VERSION:
            raise CryptoError(f"{table}.{column}: unknown ciphertext format")
        key_id, nonce, body = blob[1:5], blob[5:17], blob[17:]
        aead = self._aead.get(key_id)
        if aead is None:
            raise CryptoError(f"{table}.{column}: encrypted with unknown key id {key_id.hex()}")
        try:
            plain = aead.decrypt(nonce, body, self._aad(table, column, row_id, key_id))
        except InvalidTag as exc:
            raise CryptoError(f"{table}.{column}: ciphertext does not belong here") from exc
        return plain.decode("utf-8")

    def needs_rotation(self, blob: bytes | None) -> bool:
        """Whether a ciphertext was written under an older key."""
        return blob is not None and bytes(blob)[1:5] != self.key_id

    def reencrypt(self, blob: bytes | None, *, table: str, column: str, row_id: str
                  ) -> bytes | None:
        """The same value encrypted under the primary key (unchanged if already there)."""
        if not self.needs_rotation(blob):
            return blob
        return self.encrypt(self.decrypt(blob, table=table, column=column, row_id=row_id),
                            table=table, column=column, row_id=row_id)

    def derived_key(self, purpose: str, key_id: bytes | None = None) -> bytes:
        """A 256-bit key for one purpose (the audit chain, backups) from a version's master
        key (default: the primary); KeyError for a version the ring does not hold."""
        version = key_id or self.key_id
        key = self._derived_keys.get((version, purpose))
        if key is None:  # derived once per version and purpose (the chain needs one a commit)
            key = self._derived_keys[(version, purpose)] = _hkdf(self._masters[version],
                                                                 f"ddr/{purpose}/v1")
        return key

    def _index_key(self, key_id: bytes, kind: str) -> bytes:
        key = self._index_keys.get((key_id, kind))
        if key is None:
            key = self._index_keys[(key_id, kind)] = _hkdf(
                self._masters[key_id], f"ddr/blind-index/{kind}/v1")
        return key

    def _blind_index(self, key_id: bytes, kind: str, normalised: str) -> str:
        """A blind index under one key version: a copy of the keyed HMAC kept per version and
        kind (keying an HMAC costs as much again as the short value it digests)."""
        keyed = self._index_macs.get((key_id, kind))
        if keyed is None:
            keyed = self._index_macs[(key_id, kind)] = hmac.new(
                self._index_key(key_id, kind), digestmod=hashlib.sha256)
        mac = keyed.copy()
        mac.update(normalised.encode("utf-8"))
        return mac.digest()[:BLIND_INDEX_BYTES].hex()

    def blind_index(self, kind: str, normalised: str) -> str:
        """Return the blind index (hex of a truncated HMAC-SHA256) of a normalised value,
        under the primary key: what is stored."""
        return self._blind_index(self.key_id, kind, normalised)

    def blind_indexes(self, kind: str, normalised: str) -> list[str]:
        """The blind index of a normalised value under every active key version, primary
        first: what a lookup looks for while a rotation has not yet moved every value."""
        return [self._blind_index(kid, kind, normalised) for kid in self.active_ids]

    def keyed_digest(self, purpose: str, data: bytes) -> str:
        """Return a keyed SHA-256 digest (e.g. of a request body for idempotency checks)."""
        key = self._index_keys.get((self.key_id, "digest:" + purpose))
        if key is None:
            key = _hkdf(self.master, f"ddr/digest/{purpose}")
            self._index_keys[(self.key_id, "digest:" + purpose)] = key
        return hmac.new(key, data, hashlib.sha256).hexdigest()

    def signing_seed(self, purpose: str) -> bytes:
        """Return 32 bytes derived from the master key for one signing purpose (the seed of
        an Ed25519 key: the same key as long as the master key stays)."""
        return _hkdf(self.master, f"ddr/signing/{purpose}/v1")

    def key_check(self) -> bytes:
        """Return a ciphertext of a known constant, stored once to detect a wrong key later."""
        value = self.encrypt(
            KEY_CHECK_PLAINTEXT.decode(), table="key_check", column="value", row_id="1"
        )
        assert value is not None
        return value

    def verify_key_check(self, blob: bytes) -> None:
        """Fail loudly if the stored key check was not made with this key ring."""
        try:
            plain = self.decrypt(blob, table="key_check", column="value", row_id="1")
        except CryptoError as exc:
            raise WrongMasterKey(
                "the master key does not match this database (key id "
                f"{bytes(blob)[1:5].hex()} expected, {self.key_id_hex} configured); "
                "refusing to start"
            ) from exc
        if plain != KEY_CHECK_PLAINTEXT.decode():
            raise WrongMasterKey("key check value is wrong; refusing to start")
