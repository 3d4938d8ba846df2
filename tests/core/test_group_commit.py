"""Group commit: write phases of concurrent requests share one SQLite transaction, each in a
savepoint of its own; a failing one leaves nothing and disturbs none of the others."""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.audit import record_event, request_id_var
from app.core.db import make_engine, read_scope
from app.core.group_commit import FALLBACK, WRITING_SWITCH_INTERVAL, Batched, GroupCommit
from app.core.migrate import upgrade

NOTE: contextvars.ContextVar[str] = contextvars.ContextVar("note", default="none")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """A migrated SQLite file (group commit is SQLite's, whichever database CI targets)."""
    url = f"sqlite:///{tmp_path / 'group.db'}"
    upgrade(url)
    return make_engine(url)


def add_site(code: str, fail: bool = False) -> Callable[[Session], object]:
    def work(session: Session) -> str:
        session.execute(text("INSERT INTO site (code, name_en, name_ar, region, active) "
                             "VALUES (:code, :note, :note, 'test', 1)"),
                        {"code": code, "note": NOTE.get()})
        if fail:
            raise ValueError(f"{code} refused after writing")
        return code
    return work


def sites(engine: Engine) -> dict[str, str]:
    with read_scope(engine) as session:
        rows = session.execute(text("SELECT code, name_en FROM site")).all()
        return {str(code): str(name) for code, name in rows}


async def submit_all(group: GroupCommit, works: list[Callable[[Session], object]],
                     notes: list[str],
                     gate: threading.Event | None = None) -> list[object]:
    """Submit each work from a request context of its own; with a `gate`, a first job holds
    the writing thread until every work is queued."""
    async def one(work: Callable[[Session], object], note: str) -> object:
        NOTE.set(note)
        request_id_var.set(note)
        return await group.run(work)
    held = asyncio.ensure_future(group.run(lambda _session: gate.wait(5))) if gate else None
    tasks = [asyncio.ensure_future(one(w, n)) for w, n in zip(works, notes, strict=True)]
    if gate is not None and held is not None:
        await asyncio.sleep(0.05)
        gate.set()
        await held
    return await asyncio.gather(*tasks, return_exceptions=True)


def test_requests_waiting_together_commit_together_and_a_failure_leaves_nothing(
        engine: Engine) -> None:
    group = GroupCommit(engine)
    commits = []
    original = group._run_group

    def counted(jobs: list[Any]) -> list[tuple[bool, Any]]:
        outcomes = original(jobs)  # which adds the jobs queued meanwhile to `jobs`
        commits.append(len(jobs))
        return outcomes

    group._run_group = counted  # type: ignore[method-assign,assignment]
    works = [add_site("AAA"), add_site("BBB", fail=True), add_site("CCC"), add_site("AAA")]
    outcomes = asyncio.run(submit_all(group, works, ["first", "second", "third", "fourth"],
                                      gate=threading.Event()))

    assert outcomes[0] == "AAA"
    assert isinstance(outcomes[1], ValueError)
    assert outcomes[2] == "CCC"
    assert outcomes[3].__class__.__name__ == "IntegrityError"  # the same key again
    # each request's own context (the request id the audit trail records) was used
    assert sites(engine) == {"AAA": "first", "CCC": "third"}
    assert sum(commits) == 5
    assert commits[-1] >= 4  # the four shared one transaction


def test_the_writing_thread_comes_back_after_idling(engine: Engine,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.core.group_commit.IDLE_SECONDS", 0.05)
    group = GroupCommit(engine)
    assert asyncio.run(submit_all(group, [add_site("DDD")], ["a"])) == ["DDD"]
    first = group._thread
    asyncio.run(asyncio.sleep(0.3))
    assert group._thread is None or not group._thread.is_alive()
    assert asyncio.run(submit_all(group, [add_site("EEE")], ["b"])) == ["EEE"]
    assert group._thread is not first
    assert set(sites(engine)) == {"DDD", "EEE"}


def test_request_threads_pause_while_a_group_holds_the_writer(engine: Engine) -> None:
    group = GroupCommit(engine)
    seen: list[tuple[bool, float]] = []
    usual = sys.getswitchinterval()

    def work(_session: Session) -> None:
        seen.append((group.quiet.is_set(), sys.getswitchinterval()))

    asyncio.run(submit_all(group, [work], ["a"]))
    # paused while writing, and the writing thread gets the interpreter lock back sooner
    assert seen == [(False, WRITING_SWITCH_INTERVAL)]
    assert WRITING_SWITCH_INTERVAL < usual
    assert group.quiet.is_set()  # and free again after the commit
    assert sys.getswitchinterval() == usual
    started = time.perf_counter()
    group.pause()
    assert time.perf_counter() - started < 0.01


def test_a_group_writes_the_audit_events_of_the_jobs_that_succeeded_only(
        engine: Engine) -> None:
    group = GroupCommit(engine)

    def audited(code: str, fail: bool = False) -> Callable[[Session], object]:
        def work(session: Session) -> str:
            record_event(session=session, actor=None, action="test.write",
                         object_type="site", object_id=code)
            add_site(code, fail=fail)(session)
            return code
        return work

    outcomes = asyncio.run(submit_all(
        group, [audited("FFF"), audited("GGG", fail=True), audited("HHH")],
        ["req-f", "req-g", "req-h"], gate=threading.Event()))
    assert outcomes[0] == "FFF"
    assert isinstance(outcomes[1], ValueError)
    assert outcomes[2] == "HHH"
    with read_scope(engine) as session:
        rows = session.execute(text("SELECT object_id, request_id FROM audit_event "
                                    "WHERE action = 'test.write' ORDER BY id")).all()
    # each event carries the request id of the request that wrote it
    assert [tuple(r) for r in rows] == [("FFF", "req-f"), ("HHH", "req-h")]


class Stop(BaseException):
    """Not an Exception: ends the writing thread."""


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dying_writing_thread_answers_its_group_and_a_new_one_takes_over(
        engine: Engine) -> None:
    group = GroupCommit(engine)

    def stop(_session: Session) -> None:
        raise Stop

    dying: list[threading.Thread | None] = []

    async def scenario() -> list[object]:
        stopping = asyncio.ensure_future(group.run(stop))
        await asyncio.sleep(0)  # submitted: the writing thread is started
        dying.append(group._thread)
        first = await asyncio.wait_for(asyncio.gather(stopping, return_exceptions=True),
                                       timeout=5)
        second = await asyncio.wait_for(group.run(add_site("III")), timeout=5)
        return [*first, second]

    outcomes = asyncio.run(scenario())
    assert dying[0] is not None
    dying[0].join(5)  # its exception is reported within this test
    assert isinstance(outcomes[0], Stop)
    assert outcomes[1] == "III"


def batch_of_sites(calls: list[list[str]], fail: bool = False,
                   leave: frozenset[str] = frozenset()) -> Callable[..., list[Any]]:
    """A batch writer adding the sites of its entries with one statement; each entry's note
    (its request's context) is the site's name. Codes in `leave` are left to their own write
    phase."""
    def write(session: Session, entries: list[tuple[contextvars.Context, str]]) -> list[Any]:
        mine = [(code, context.run(NOTE.get)) for context, code in entries if code not in leave]
        calls.append([code for _context, code in entries])
        session.execute(text("INSERT INTO site (code, name_en, name_ar, region, active) VALUES "
                             + ", ".join(f"('{c}', '{n}', '{n}', 'batch', 1)" for c, n in mine)))
        if fail:
            raise ValueError("the batch refused after writing")
        return [FALLBACK if code in leave else f"{code} together"
                for _context, code in entries]
    return write


async def submit_batched(group: GroupCommit, codes: list[str], write: Callable[..., list[Any]],
                         plain: list[str] = ()) -> list[object]:
    """Submit a write phase per code (in a batched form) and one per `plain` code (without),
    all queued behind a first job so that one group holds them all."""
    gate = threading.Event()

    async def one(code: str, batched: bool) -> object:
        NOTE.set(f"note {code}")
        return await group.run(add_site(code), Batched(write, code) if batched else None)

    held = asyncio.ensure_future(group.run(lambda _session: gate.wait(5)))
    tasks = [asyncio.ensure_future(one(c, True)) for c in codes]
    tasks += [asyncio.ensure_future(one(c, False)) for c in plain]
    await asyncio.sleep(0.05)
    gate.set()
    await held
    return await asyncio.gather(*tasks, return_exceptions=True)


def test_write_phases_of_one_kind_are_written_together(engine: Engine) -> None:
    group = GroupCommit(engine)
    calls: list[list[str]] = []
    outcomes = asyncio.run(submit_batched(group, ["JJA", "JJB", "JJC"],
                                          batch_of_sites(calls, leave=frozenset({"JJB"})),
                                          plain=["JJD"]))
    # one call for the three; the one it left and the plain one ran their own write phase
    assert calls == [["JJA", "JJB", "JJC"]]
    assert outcomes == ["JJA together", "JJB", "JJC together", "JJD"]
    # the batch read each entry's own request context
    assert sites(engine) == {"JJA": "note JJA", "JJB": "note JJB", "JJC": "note JJC",
                             "JJD": "note JJD"}


def test_a_failing_batch_keeps_nothing_and_each_write_phase_runs_on_its_own(
        engine: Engine) -> None:
    group = GroupCommit(engine)
    calls: list[list[str]] = []
    outcomes = asyncio.run(submit_batched(group, ["KKA", "KKB"], batch_of_sites(calls, True),
                                          plain=["KKC"]))
    assert calls == [["KKA", "KKB"]]
    assert outcomes == ["KKA", "KKB", "KKC"]
    with read_scope(engine) as session:
        regions = {str(code): str(region) for code, region in session.execute(
            text("SELECT code, region FROM site WHERE code LIKE 'KK%'")).all()}
    assert regions == {"KKA": "test", "KKB": "test", "KKC": "test"}  # none of the batch's rows
