"""Time-ordered ids: UUIDv7, later ids sorting after earlier ones."""

from __future__ import annotations

import time
import uuid

from app.core.models import ordered_id


def test_an_ordered_id_is_a_version_7_uuid_of_the_current_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    made = ordered_id()
    after = time.time_ns() // 1_000_000
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after


def test_ids_made_later_sort_after_earlier_ones() -> None:
    earlier = [ordered_id() for _ in range(50)]
    time.sleep(0.002)
    later = [ordered_id() for _ in range(50)]
    assert max(earlier) < min(later)
    assert max(str(i) for i in earlier) < min(str(i) for i in later)  # as text too
    assert max(i.hex for i in earlier) < min(i.hex for i in later)


def test_ids_of_one_millisecond_differ() -> None:
    assert len({ordered_id() for _ in range(10_000)}) == 10_000
