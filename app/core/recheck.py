"""What a process read from the database, used again for a few seconds before reading it again.

Some rows are read by nearly every request (the caller's token, the list of armed groups, the
active match model) and change rarely. Each process keeps what it read for `seconds`; a
change made through the same process calls :meth:`Recheck.forget` and counts at once, one
made through another worker process counts within `seconds`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable, MutableMapping
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.orm import Session

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


class Recheck(Generic[_K, _V]):
    """Values by key, each trusted for `seconds` after it was read.

    Args:
        seconds: How long a value read is used before it is read again.
        weak_keys: Hold the keys weakly (keys such as engines, which should not be kept alive).
        max_entries: Everything is forgotten when this many are held (keys that are never asked
            for again, such as tokens that have expired, would otherwise pile up).
    """

    def __init__(self, seconds: float, *, weak_keys: bool = False,
                 max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: MutableMapping[_K, tuple[float, _V]] = (
            WeakKeyDictionary() if weak_keys else {})
        self._lock = threading.Lock()

    def fresh(self, key: _K) -> _V | None:
        """The value read for `key` less than `seconds` ago, else None."""
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry[0] >= self.seconds:
            return None
        return entry[1]

    def last(self, key: _K) -> _V | None:
        """The value last read for `key`, however old (None if none)."""
        entry = self._entries.get(key)
        return entry[1] if entry is not None else None

    def put(self, key: _K, value: _V) -> None:
        """Keep `value`, just read for `key`."""
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (time.monotonic(), value)

    def forget(self, session: Session | None = None) -> None:
        """Make every value be read again at its next use (after a change in this process).

        With the `session` that makes the change: again once it commits, so that a value
        read meanwhile — in another snapshot, before the change — is not kept."""
        with self._lock:
            self._entries.clear()
        if session is not None:
            event.listen(session, "after_commit", lambda _session: self.forget(), once=True)
