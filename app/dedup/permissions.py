"""Who may review duplicates and integrity signals."""

from __future__ import annotations

from app.core.errors import Forbidden
from app.core.roles import REVIEWERS
from app.core.security import Principal


def require_reviewer(actor: Principal) -> None:
    """Refuse roles that do not review duplicates."""
    if actor.role not in REVIEWERS:
        raise Forbidden("your role does not review duplicates")


def can_see_pair(actor: Principal, site_a: str | None, site_b: str | None) -> bool:
    """Whether a reviewer sees a pair: a pair spanning two sites is visible to reviewers of
    either."""
    return actor.all_sites or any(s in actor.sites for s in (site_a, site_b) if s)
