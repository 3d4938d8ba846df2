"""Property-based fuzzing of the whole API from its OpenAPI schema (schemathesis), signed in
as an administrator and as a registration officer: no 5xx, every answer documented and
matching its schema.

One database per actor (the requests accumulate state as real use would); the actor's account
is put back before each operation, and a token ended by a fuzzed request (a password change,
a disabled account) is replaced.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.core.db import session_scope
from app.users import service as users
from app.users.models import User, UserSite
from tests.factories import make_user, register

MAX_EXAMPLES = int(os.environ.get("DDR_FUZZ_EXAMPLES", "30"))
"""Examples per operation, actor and mode (valid, then invalid input): about 100 s for the
whole API on SQLite on a busy 2-core machine (`DDR_FUZZ_EXAMPLES` raises it)."""
ACTORS = {"admin": ("fuzz.admin", "admin", []), "officer": ("fuzz.officer",
                                                            "registration_officer", ["TRP"])}
SKIPPED = {"/api/v1/auth/revoke"}  # it would end the very token the fuzzing uses


def restore(app: FastAPI, actor: str) -> str:
    """Put an actor's account back as it was (active, its role and sites, unlocked) and give
    it a fresh token."""
    username, role, sites = ACTORS[actor]
    with session_scope(app.state.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        session.exec(update(User).where(User.id == user.id).values(  # type: ignore[call-overload]
            active=True, role=role, all_sites=not sites))
        session.exec(UserSite.__table__.delete().where(  # type: ignore[attr-defined]
            UserSite.user_id == user.id))
        for code in sites:
            session.add(UserSite(user_id=user.id, site_code=code))
        session.flush()
        session.refresh(user)
        users.unlock_user(session=session, actor=users.principal_for(session=session,
                                                                     user=user),
                          user_id=user.id)
        token = users.issue_token(session=session, user=user, ttl_minutes=60)
    app.state.fuzz_tokens[actor] = token
    return token


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
"""No 5xx; every status, content type, body and header as documented. (Not "every request
the schema allows is accepted": business rules such as a known site are not in the schema.)"""
FUZZ_SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                         suppress_health_check=list(HealthCheck), database=None)


@dataclass
class Tally:
    """What the fuzzing did, for the figures in SECURITY.md."""

    operations: int = 0
    requests: int = 0
    without_negative: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def fuzz_operation(app: FastAPI, actor: str, operation: Any, mode: GenerationMode,
                   tally: Tally) -> None:
    """Run the examples of one operation; record its failures (the first of each kind)."""

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        token = app.state.fuzz_tokens.get(actor) or restore(app, actor)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        tally.requests += 1
        if response.status_code == 401 and case.path != "/api/v1/auth/token":
            # a fuzzed request ended the token (or the account): put it back, ask again
            token = restore(app, actor)
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            tally.requests += 1
        tally.statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        tally.without_negative += 1  # nothing in the operation can be made invalid
    except (Exception, BaseExceptionGroup) as exc:  # every failure, reported together
        tally.failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): "
                              f"{type(exc).__name__}: {str(exc)[:2000]}")


@pytest.mark.parametrize("actor", list(ACTORS))
def test_the_api_survives_fuzzing(app: FastAPI, engine: Engine, actor: str) -> None:
    from fastapi.testclient import TestClient

    for username, role, sites in ACTORS.values():
        make_user(engine, username, role, sites)
    app.state.fuzz_tokens = {}
    fuzz_app = app

    with TestClient(fuzz_app) as client:  # a record for the fuzzer to come across
        officer = restore(fuzz_app, "officer")
        register(client, {"Authorization": f"Bearer {officer}"})
    fuzz_app.state.stats_cache.compute_now()  # statistics answer 503 until first computed
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue
        tally.operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            restore(fuzz_app, actor)
            fuzz_operation(fuzz_app, actor, operation, mode, tally)
    print(f"\nfuzzed as {actor}: {tally.operations} operations ({tally.without_negative} "
          f"without invalid inputs), {tally.requests} requests, "
          f"statuses {dict(sorted(tally.statuses.items()))}")
    assert tally.operations >= 50
    assert not [code for code in tally.statuses if code >= 500]
    assert not tally.failures, "\n\n".join(tally.failures)
