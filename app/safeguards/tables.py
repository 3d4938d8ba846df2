"""Every table holding encrypted values, and how to reach its rows one batch at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, inspect
from sqlmodel import SQLModel


def encrypted_models() -> list[type[SQLModel]]:
    """Every table class with encrypted columns (`ENCRYPTED_FIELDS`), in table-name order."""
    import app.dedup.models  # noqa: F401
    import app.imports.models  # noqa: F401
    import app.registry.models  # noqa: F401
    import app.weapons.models  # noqa: F401

    found: dict[str, type[SQLModel]] = {}
    pending: list[type[SQLModel]] = list(SQLModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if getattr(model, "ENCRYPTED_FIELDS", None) and hasattr(model, "__table__"):
            found[str(model.__tablename__)] = model
    return [found[name] for name in sorted(found)]


def primary_key(model: type[SQLModel]) -> Column[Any]:
    """The single primary-key column of a table with encrypted values."""
    (column,) = inspect(model).primary_key
    return column
