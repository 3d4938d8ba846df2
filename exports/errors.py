"""Errors of the exports domain (each carries its HTTP status)."""

from __future__ import annotations

from app.core.errors import DomainError


class StatisticsPending(DomainError):
    """The statistics are being computed (the first time, or under a raised threshold)."""

    status_code = 503

    def __init__(self) -> None:
        super().__init__("the statistics are being computed; try again in a moment")
