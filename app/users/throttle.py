"""Log-in throttling: backoff and lockout per account name, a ceiling per client address.

- Per account name: after `BACKOFF_AFTER` failures in a row each attempt must wait twice as
  long as the one before (1 s, 2 s, 4 s ... up to `MAX_BACKOFF`); attempts inside the wait are
  refused without checking the password. After `LOCK_AFTER` failures in a row the account is
  locked until an administrator lifts it (`ddr users unlock`, the API or the users page). A
  successful log-in clears the count.
- Per client address: at most `ADDRESS_LIMIT` failures in `ADDRESS_WINDOW`, whatever the
  names tried (a password sprayed over many accounts); then the address waits for the window
  to end. Success does not clear it.

The counts are rows of `login_throttle`, so they hold across processes and restarts. They are
written in the log-in request's own transaction, which the routes commit before answering
(a refused log-in answers without raising, so its count is not rolled back).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app.core.models import utcnow
from app.users.models import LoginThrottle

BACKOFF_AFTER = 3
MAX_BACKOFF = timedelta(seconds=60)
LOCK_AFTER = 10
ADDRESS_LIMIT = 30
ADDRESS_WINDOW = timedelta(minutes=15)


def account_key(username: str) -> str:
    """The throttle key of an account name (its digest: the name as typed is not stored)."""
    return "account:" + hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:64]


def address_key(address: str) -> str:
    """The throttle key of a client address."""
    return "address:" + address[:64]


@dataclass(frozen=True)
class Refusal:
    """Why a log-in attempt is refused before its password is checked."""

    locked: bool
    retry_after: int | None
    """Seconds to wait (None: locked until an administrator unlocks the account)."""


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def backoff(failures: int) -> timedelta:
    """How long an account waits after `failures` failed log-ins in a row."""
    if failures < BACKOFF_AFTER:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - BACKOFF_AFTER)), MAX_BACKOFF)


def refusal(*, session: Session, username: str, address: str | None,
            now: datetime | None = None) -> Refusal | None:
    """Whether an attempt must be refused now (locked, backing off or address over its limit)."""
    now = now or utcnow()
    account = session.get(LoginThrottle, account_key(username))
    if account is not None:
        if account.locked_at is not None:
            return Refusal(locked=True, retry_after=None)
        wait_until = _aware(account.last_failure_at) + backoff(account.failures)
        if wait_until > now:
            return Refusal(locked=False, retry_after=max(1, int(
                (wait_until - now).total_seconds() + 0.999)))
    if address:
        seen = session.get(LoginThrottle, address_key(address))
        if seen is not None and seen.failures >= ADDRESS_LIMIT:
            window_end = _aware(seen.window_start) + ADDRESS_WINDOW
            if window_end > now:
                return Refusal(locked=False, retry_after=max(1, int(
                    (window_end - now).total_seconds() + 0.999)))
    return None


def record_failure(*, session: Session, username: str, address: str | None,
                   now: datetime | None = None) -> bool:
    """Count a failed log-in for the name and the address; whether the account is now locked."""
    now = now or utcnow()
    account = session.get(LoginThrottle, account_key(username)) or LoginThrottle(
        key=account_key(username), window_start=now)
    account.failures += 1
    account.last_failure_at = now
    if account.failures >= LOCK_AFTER and account.locked_at is None:
        account.locked_at = now
    session.add(account)
    if address:
        seen = session.get(LoginThrottle, address_key(address))
        if seen is None or _aware(seen.window_start) + ADDRESS_WINDOW <= now:
            seen = seen or LoginThrottle(key=address_key(address))
            seen.failures, seen.window_start = 0, now
        seen.failures += 1
        seen.last_failure_at = now
        session.add(seen)
    session.flush()
    return account.locked_at is not None


def clear_account(*, session: Session, username: str) -> bool:
    """Forget an account name's failures and lift its lock; whether there was anything."""
    account = session.get(LoginThrottle, account_key(username))
    if account is None:
        return False
    session.delete(account)
    session.flush()
    return True


def is_locked(*, session: Session, username: str) -> bool:
    """Whether an account name is locked after too many failed log-ins."""
    account = session.get(LoginThrottle, account_key(username))
    return account is not None and account.locked_at is not None
