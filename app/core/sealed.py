"""Encrypt and decrypt the identifying fields of a row, bound to its table, column and id."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.core.crypto import FieldCrypto


def seal(crypto: FieldCrypto, row: Any, values: Mapping[str, str | None]) -> None:
    """Set each named column of `row` to the ciphertext of its value (row.id must be set)."""
    for column, blob in sealed_values(crypto, row.__tablename__, str(row.id), values).items():
        setattr(row, column, blob)


def sealed_values(crypto: FieldCrypto, table: str, row_id: str,
                  values: Mapping[str, str | None]) -> dict[str, bytes | None]:
    """The ciphertext of each named column of a row of `table` (for a row inserted as plain
    values)."""
    return {column: crypto.encrypt(value, table=table, column=column, row_id=row_id)
            for column, value in values.items()}


def unseal(
    crypto: FieldCrypto, row: Any, columns: Iterable[str] | None = None
) -> dict[str, str | None]:
    """Return the plaintext of the named (default: all) encrypted columns of `row`."""
    table, row_id = row.__tablename__, str(row.id)
    names = row.ENCRYPTED_FIELDS if columns is None else columns
    return {
        name: crypto.decrypt(getattr(row, name), table=table, column=name, row_id=row_id)
        for name in names
    }
