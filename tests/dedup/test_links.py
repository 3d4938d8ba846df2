"""Candidates at other sites: usable at the desk (side by side, linked through the token the
check gave the draft), but the check is no oracle for identifiers, and it is rate-limited."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.models import AuditEvent
from app.core.security import Principal
from app.dedup.links import TOKEN_SECONDS, candidate_token, token_registration
from tests.factories import LATIN_BODY, register, registration_body, user_headers

API = "/api/v1"
# the TRP man of registration_body() as a BEN officer types him (Latin letters, his own NID)
DRAFT = {k: LATIN_BODY[k] for k in ("given_name", "father_name", "grandfather_name",
                                    "family_name")} | {"date_of_birth": "1988-03-02",
                                                       "sex": "M"}


@pytest.fixture
def trp(client: TestClient, engine: Engine) -> dict[str, Any]:
    """The man registered at TRP (Arabic), seen by nobody at BEN yet."""
    admin = user_headers(client, engine, "admin")
    return register(client, admin, phone=None)


@pytest.fixture
def ben(client: TestClient, engine: Engine) -> dict[str, str]:
    return user_headers(client, engine, "registration_officer", ["BEN"])


def check(client: TestClient, headers: dict[str, str], **draft: Any) -> list[dict[str, Any]]:
    response = client.post(f"{API}/matching/candidates", json={**DRAFT, **draft},
                           headers=headers)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


def events(engine: Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_an_arbitrary_person_of_another_site_is_refused_like_one_that_does_not_exist(
    client: TestClient, trp: dict[str, Any], ben: dict[str, str]
) -> None:
    refused = client.post(f"{API}/registrations", headers=ben, json=registration_body(
        person_id=trp["person_id"], **LATIN_BODY))
    nobody = client.post(f"{API}/registrations", headers=ben, json=registration_body(
        person_id=str(uuid.uuid4()), **LATIN_BODY))
    assert refused.status_code == nobody.status_code == 422
    assert refused.json()["errors"] == nobody.json()["errors"] == [
        {"field": "person_id", "message": "no such active person"}]


def test_a_candidate_of_another_site_is_linked_through_the_token_of_this_draft(
    client: TestClient, engine: Engine, trp: dict[str, Any], ben: dict[str, str]
) -> None:
    draft_id = str(uuid.uuid4())
    (candidate,) = check(client, ben, id=draft_id)
    assert candidate["registration_id"] == trp["id"]
    assert candidate["restricted"] is True
    body = registration_body(id=draft_id, **LATIN_BODY, person_id=candidate["person_id"],
                             link_token=candidate["link_token"])
    # the token of another draft does not do
    other = client.post(f"{API}/registrations", headers=ben,
                        json={**body, "id": str(uuid.uuid4())})
    assert other.status_code == 422
    linked = client.post(f"{API}/registrations", headers=ben, json=body)
    assert linked.status_code == 201, linked.text
    assert linked.json()["person_id"] == trp["person_id"]
    (event,) = events(engine, "person.link.other_site")
    assert event.object_id == linked.json()["id"]
    assert str(event.actor_username).startswith("registration_officer")
    assert trp["id"] in event.details


def test_a_token_is_bound_to_its_draft_its_caller_and_its_day(app: FastAPI) -> None:
    crypto = app.state.crypto
    officer = Principal(id=7, username="officer.ben", role="registration_officer")
    colleague = Principal(id=8, username="officer.ben2", role="registration_officer")
    draft, registration = uuid.uuid4(), uuid.uuid4()
    now = time.time()
    token = candidate_token(crypto, draft_id=draft, registration_id=registration,
                            actor=officer, now=now)
    assert token_registration(crypto, token=token, draft_id=draft, actor=officer,
                              now=now) == registration
    assert token_registration(crypto, token=token, draft_id=uuid.uuid4(), actor=officer,
                              now=now) is None
    assert token_registration(crypto, token=token, draft_id=draft, actor=colleague,
                              now=now) is None
    assert token_registration(crypto, token=token, draft_id=draft, actor=officer,
                              now=now + TOKEN_SECONDS + 1) is None
    forged = f"{uuid.uuid4()}.{token.split('.', 1)[1]}"
    assert token_registration(crypto, token=forged, draft_id=draft, actor=officer,
                              now=now) is None


def test_the_check_never_confirms_identifiers_of_another_sites_person(
    client: TestClient, trp: dict[str, Any], ben: dict[str, str], engine: Engine
) -> None:
    """A guessed national number or phone typed beside a known name changes nothing the
    officer of another site sees: no reason on identifiers, the same band and score."""
    right = check(client, ben, national_id=trp_nid(), phone="0912345678")
    wrong = check(client, ben, national_id="119889999999", phone="0931111111")
    none = check(client, ben)
    assert len(right) == len(wrong) == len(none) == 1
    for field in ("decision", "score"):
        assert right[0][field] == wrong[0][field] == none[0][field]
    for found in (right, wrong):
        assert {r["field"] for r in found[0]["reasons"]}.isdisjoint(
            {"national_id", "phone", "passport_no"})
        assert "…" in str(found[0]["reasons"])  # values of another site's person hidden
    # a number alone, with another name, finds nothing at another site
    assert check(client, ben, given_name="Zakariya", father_name="Yunus",
                 grandfather_name="Idris", family_name="Tarhuni",
                 national_id=trp_nid()) == []
    # at the person's own site the same check does compare the number
    admin = user_headers(client, engine, "admin")
    own = check(client, admin, national_id=trp_nid())
    assert any(r["field"] == "national_id" and r["level"] == "same" for r in own[0]["reasons"])


def trp_nid() -> str:
    return str(registration_body()["national_id"])


def test_a_candidate_of_another_site_opens_side_by_side_with_names_and_dates_only(
    client: TestClient, engine: Engine, trp: dict[str, Any], ben: dict[str, str]
) -> None:
    draft_id = str(uuid.uuid4())
    (candidate,) = check(client, ben, id=draft_id)
    url = f"{API}/matching/candidates/{trp['id']}/view"
    seen = client.post(url, json={"draft_id": draft_id, "token": candidate["link_token"]},
                       headers=ben)
    assert seen.status_code == 200, seen.text
    view = seen.json()
    assert (view["given_name"], view["family_name"], view["date_of_birth"]) == (
        "محمد", "الورفلي", "1988-03-02")
    assert view["restricted"] is True
    assert not {"national_id", "phone", "passport_no", "armed_group"} & set(view)
    for refused in ({"draft_id": draft_id}, {"draft_id": str(uuid.uuid4()),
                                             "token": candidate["link_token"]}):
        assert client.post(url, json=refused, headers=ben).status_code == 404
    (event,) = events(engine, "registration.read.candidate")
    assert event.object_id == trp["id"]
    assert draft_id in event.details


def test_checks_showing_other_sites_are_limited_per_user_and_hour(
    app: FastAPI, client: TestClient, engine: Engine, trp: dict[str, Any],
    ben: dict[str, str]
) -> None:
    app.state.settings.cross_site_checks_per_hour = 2
    assert len(check(client, ben)) == 1
    assert len(check(client, ben)) == 1
    limited = client.post(f"{API}/matching/candidates", json=DRAFT, headers=ben)
    assert limited.status_code == 429
    # a check that shows nothing of another site is not limited
    assert check(client, ben, given_name="Zakariya", family_name="Tarhuni") == []
    # another officer has his own allowance
    colleague = user_headers(client, engine, "registration_officer", ["BEN"])
    assert len(check(client, colleague)) == 1
    assert len(events(engine, "matching.cross_site")) == 3
