"""Ed25519 signatures of exported files, checked offline by the receiving side.

The register's signing key derives from its master key (HKDF, purpose "manifest"), so it
needs no key file of its own and stays the same as long as the master key does; its public
key is exported with `ddr returns public-key`.

A signed file is a zip archive whose comment (the last bytes of the file) is
`DDR-SIGNATURE:ed25519:<key id>:<signature in hex>`. The signature covers every byte of the
file with the hex signature replaced by zeros: any other byte changed, added or removed makes
it fail.
"""

from __future__ import annotations

import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.core.crypto import FieldCrypto

PREFIX = b"DDR-SIGNATURE:ed25519:"
SIGNATURE_HEX = 128
BLANK = b"0" * SIGNATURE_HEX


class BadSignature(Exception):
    """The file is not signed, is signed by another key, or was changed after signing."""


def private_key(crypto: FieldCrypto) -> Ed25519PrivateKey:
    """The register's manifest signing key."""
    return Ed25519PrivateKey.from_private_bytes(crypto.signing_seed("manifest"))


def public_key_pem(crypto: FieldCrypto) -> bytes:
    """The public key that checks the register's manifests, as PEM."""
    return private_key(crypto).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(public: Ed25519PublicKey) -> str:
    """A short fingerprint of a public key (8 hex digits), to tell keys apart."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:8]


def placeholder(crypto: FieldCrypto) -> bytes:
    """The archive comment to write before signing (the signature's place, zeroed)."""
    return PREFIX + key_id(private_key(crypto).public_key()).encode() + b":" + BLANK


def sign(crypto: FieldCrypto, content: bytes) -> bytes:
    """Sign a file written with :func:`placeholder` as its last bytes: the signed file."""
    if not content.endswith(placeholder(crypto)):
        raise ValueError("the file does not end with the signature placeholder")
    signature = private_key(crypto).sign(content)
    return content[:-SIGNATURE_HEX] + signature.hex().encode()


def verify(content: bytes, public_pem: bytes) -> str:
    """Check a signed file against a public key (PEM); its key id, or BadSignature."""
    try:
        public = serialization.load_pem_public_key(public_pem)
    except ValueError as exc:
        raise BadSignature("not a public key (PEM)") from exc
    if not isinstance(public, Ed25519PublicKey):
        raise BadSignature("not an Ed25519 public key")
    tail = PREFIX + key_id(public).encode() + b":"
    start = len(content) - SIGNATURE_HEX - len(tail)
    if start < 0 or content[start:start + len(tail)] != tail:
        raise BadSignature("not signed with this key")
    try:
        signature = binascii.unhexlify(content[-SIGNATURE_HEX:])
    except binascii.Error as exc:
        raise BadSignature("the signature is damaged") from exc
    try:
        public.verify(signature, content[:-SIGNATURE_HEX] + BLANK)
    except InvalidSignature as exc:
        raise BadSignature("the file was changed after it was signed") from exc
    return key_id(public)
