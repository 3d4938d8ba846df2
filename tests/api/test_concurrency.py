"""Concurrent registrations over real HTTP: unique numbers, no duplicate records."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.registry.models import Registration
from tests.factories import PASSWORD, make_user, registration_body


def token(base: str, engine: Engine) -> dict[str, str]:
    make_user(engine, "officer", "registration_officer", ["TRP", "BEN"])
    response = httpx.post(f"{base}/api/v1/auth/token",
                          data={"username": "officer", "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_fifty_concurrent_registrations_get_unique_numbers(
    live_server: str, engine: Engine
) -> None:
    headers = token(live_server, engine)
    bodies = [registration_body(site="TRP" if i % 3 else "BEN") for i in range(50)]

    def post(body: dict) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            return http.post(f"{live_server}/api/v1/registrations", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=25) as pool:
        responses = list(pool.map(post, bodies))
    assert [r.status_code for r in responses] == [201] * 50, [r.text for r in responses
                                                               if r.status_code != 201][:3]
    numbers = [r.json()["registration_number"] for r in responses]
    assert len(set(numbers)) == 50
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 50


def test_concurrent_retries_of_one_uuid_make_one_record(
    live_server: str, engine: Engine
) -> None:
    headers = token(live_server, engine)
    body = registration_body()

    def post(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            return http.post(f"{live_server}/api/v1/registrations", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(post, range(10)))
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    assert len({r.json()["registration_number"] for r in responses}) == 1
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 1
