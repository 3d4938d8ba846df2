"""Every table of the register, imported so that `SQLModel.metadata` knows the whole schema
(Alembic's environment and the schema test use it)."""

from __future__ import annotations


def all_models() -> None:
    """Import every table module."""
    import app.core.models  # noqa: F401
    import app.dedup.models  # noqa: F401
    import app.imports.models  # noqa: F401
    import app.registry.models  # noqa: F401
    import app.users.models  # noqa: F401
    import app.weapons.models  # noqa: F401
    import exports.models  # noqa: F401
    import reintegration.models  # noqa: F401
    import reintegration.returns.models  # noqa: F401
