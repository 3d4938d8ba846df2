"""Domain errors: raised by services, carrying their HTTP status; rendered by one handler."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; the message never repeats the submitted value."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400

    def __init__(self, detail: str, errors: list[FieldError] | None = None,
                 extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = dict(extra or {})
        """More of the answer (e.g. what changed since a stale version), ids and codes only."""


class NotFound(DomainError):
    """The object does not exist, or is outside the caller's sites (we do not say which)."""

    status_code = 404


class Unauthorized(DomainError):
    """No valid credentials."""

    status_code = 401


class Forbidden(DomainError):
    """The caller's role may not do this."""

    status_code = 403


class Conflict(DomainError):
    """The request conflicts with what is stored (e.g. a client UUID reused with other data)."""

    status_code = 409


class ValidationFailed(DomainError):
    """Input is malformed or breaks a business rule; `errors` names the fields."""

    status_code = 422

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        fields = ", ".join(dict.fromkeys(e.field for e in errors))
        super().__init__(detail or f"invalid input: {fields}", errors)


class PayloadTooLarge(DomainError):
    """An upload exceeds the configured limit."""

    status_code = 413


class TooManyRequests(DomainError):
    """The caller did this too often in a while; nothing was done, try again later."""

    status_code = 429

    def __init__(self, detail: str, errors: list[FieldError] | None = None, *,
                 retry_after: int | None = None) -> None:
        super().__init__(detail, errors)
        self.retry_after = retry_after
        """Seconds to wait before trying again (sent as Retry-After), if known."""


class Busy(DomainError):
    """The database stayed busy longer than the wait allowed; the request changed nothing."""

    status_code = 503
