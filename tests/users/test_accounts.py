"""Account security over HTTP: log-in throttling and lockout, the password policy, sessions
ending on password change, the last administrator, role changes resetting site scope."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.users import throttle
from tests.factories import PASSWORD, login, make_user

API = "/api/v1"


def attempt(client: TestClient, username: str, password: str):  # noqa: ANN201
    return client.post(f"{API}/auth/token", data={"username": username, "password": password})


def let_time_pass(engine: Engine) -> None:
    """Move every counted failure an hour into the past (the backoff has then run out)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE login_throttle SET last_failure_at = :t, window_start = :t"),
                      {"t": "2000-01-01 00:00:00"})


@pytest.fixture
def admin(client: TestClient, engine: Engine) -> dict[str, str]:
    make_user(engine, "root.admin", "admin")
    return login(client, "root.admin")


def user_id(client: TestClient, admin: dict[str, str], username: str) -> int:
    found = [u for u in client.get(f"{API}/users", headers=admin).json()
             if u["username"] == username]
    return int(found[0]["id"])


def test_failures_back_off_then_lock_until_an_admin_unlocks(
    client: TestClient, engine: Engine, admin: dict[str, str]
) -> None:
    make_user(engine, "officer.a", "registration_officer", ["TRP"])
    codes = [attempt(client, "officer.a", "wrong password!").status_code
             for _ in range(throttle.BACKOFF_AFTER)]
    assert codes == [401] * throttle.BACKOFF_AFTER
    waiting = attempt(client, "officer.a", PASSWORD)  # the right password, too soon
    assert waiting.status_code == 429
    assert int(waiting.headers["Retry-After"]) >= 1
    # the failures go on, each after its backoff, until the lock
    for _ in range(throttle.LOCK_AFTER - throttle.BACKOFF_AFTER):
        let_time_pass(engine)
        assert attempt(client, "officer.a", "wrong password!").status_code == 401
    let_time_pass(engine)
    locked = attempt(client, "officer.a", PASSWORD)
    assert locked.status_code == 429
    assert "locked" in locked.json()["detail"]
    assert "Retry-After" not in locked.headers
    listed = {u["username"]: u["locked"] for u in client.get(f"{API}/users",
                                                             headers=admin).json()}
    assert listed == {"root.admin": False, "officer.a": True}
    unlocked = client.post(f"{API}/users/{user_id(client, admin, 'officer.a')}/unlock",
                           headers=admin)
    assert unlocked.status_code == 200
    assert unlocked.json()["locked"] is False
    assert attempt(client, "officer.a", PASSWORD).status_code == 200


def test_a_success_clears_the_count(client: TestClient, engine: Engine) -> None:
    make_user(engine, "officer.b", "registration_officer", ["TRP"])
    for _ in range(throttle.BACKOFF_AFTER - 1):
        assert attempt(client, "officer.b", "wrong password!").status_code == 401
    assert attempt(client, "officer.b", PASSWORD).status_code == 200
    for _ in range(throttle.BACKOFF_AFTER):
        assert attempt(client, "officer.b", "wrong password!").status_code == 401


def test_unknown_names_are_throttled_alike(client: TestClient, engine: Engine) -> None:
    codes = [attempt(client, "nobody.here", "wrong password!").status_code
             for _ in range(throttle.BACKOFF_AFTER + 1)]
    assert codes == [401] * throttle.BACKOFF_AFTER + [429]
    with engine.connect() as conn:
        keys = conn.execute(text("SELECT key FROM login_throttle")).scalars().all()
    assert not any("nobody" in key for key in keys)  # names typed are stored as digests


def test_an_address_spraying_many_names_is_stopped(client: TestClient, engine: Engine) -> None:
    make_user(engine, "officer.c", "registration_officer", ["TRP"])
    for _ in range(throttle.ADDRESS_LIMIT):
        assert attempt(client, f"guess-{uuid.uuid4().hex[:8]}", "Summer2026!").status_code == 401
    refused = attempt(client, "officer.c", PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 60


WEAK = [("0000000000", "password"), ("password123", "password"), ("new.user.1", "password"),
        ("x" * 300, "password")]


@pytest.mark.parametrize(("password", "field"), WEAK, ids=["zeros", "common", "username",
                                                         "too long"])
def test_weak_passwords_are_refused(client: TestClient, admin: dict[str, str], password: str,
                                    field: str) -> None:
    response = client.post(f"{API}/users", headers=admin, json={
        "username": "new.user.1", "password": password, "role": "committee"})
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert password not in response.text


def test_a_password_reset_ends_every_session(client: TestClient, engine: Engine,
                                             admin: dict[str, str]) -> None:
    make_user(engine, "officer.d", "registration_officer", ["TRP"])
    first, second = login(client, "officer.d"), login(client, "officer.d")
    uid = user_id(client, admin, "officer.d")
    weak = client.patch(f"{API}/users/{uid}", headers=admin, json={"password": "0000000000"})
    assert weak.status_code == 422
    assert client.get(f"{API}/auth/me", headers=first).status_code == 200
    changed = client.patch(f"{API}/users/{uid}", headers=admin,
                           json={"password": "Zawiya-sunrise-41"})
    assert changed.status_code == 200
    assert client.get(f"{API}/auth/me", headers=first).status_code == 401
    assert client.get(f"{API}/auth/me", headers=second).status_code == 401
    assert attempt(client, "officer.d", "Zawiya-sunrise-41").status_code == 200


def test_self_service_password_change(client: TestClient, engine: Engine) -> None:
    make_user(engine, "officer.e", "registration_officer", ["TRP"])
    mine, other = login(client, "officer.e"), login(client, "officer.e")
    wrong = client.post(f"{API}/auth/password", headers=mine, json={
        "current_password": "not it at all", "new_password": "Zawiya-sunrise-41"})
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "current_password")
    weak = client.post(f"{API}/auth/password", headers=mine, json={
        "current_password": PASSWORD, "new_password": "officer.e-2026"})
    assert (weak.status_code, weak.json()["errors"][0]["field"]) == (422, "new_password")
    same = client.post(f"{API}/auth/password", headers=mine, json={
        "current_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 422
    assert client.get(f"{API}/auth/me", headers=mine).status_code == 200  # nothing ended yet
    done = client.post(f"{API}/auth/password", headers=mine, json={
        "current_password": PASSWORD, "new_password": "Zawiya-sunrise-41"})
    assert done.status_code == 204
    assert client.get(f"{API}/auth/me", headers=mine).status_code == 401
    assert client.get(f"{API}/auth/me", headers=other).status_code == 401
    assert attempt(client, "officer.e", PASSWORD).status_code == 401
    assert attempt(client, "officer.e", "Zawiya-sunrise-41").status_code == 200


def test_the_last_admin_stays(client: TestClient, engine: Engine, admin: dict[str, str]) -> None:
    me = user_id(client, admin, "root.admin")
    demote = client.patch(f"{API}/users/{me}", headers=admin,
                          json={"role": "committee"})
    disable = client.patch(f"{API}/users/{me}", headers=admin, json={"active": False})
    assert (demote.status_code, disable.status_code) == (409, 409)
    assert client.get(f"{API}/auth/me", headers=admin).json()["role"] == "admin"
    make_user(engine, "second.admin", "admin")
    second = user_id(client, admin, "second.admin")
    assert client.patch(f"{API}/users/{second}", headers=admin,
                        json={"active": False}).status_code == 200
    # a disabled admin does not count: root.admin is still the last active one
    assert client.patch(f"{API}/users/{me}", headers=admin,
                        json={"role": "committee"}).status_code == 409
    assert client.patch(f"{API}/users/{second}", headers=admin,
                        json={"active": True}).status_code == 200
    demoted = client.patch(f"{API}/users/{me}", headers=admin, json={"role": "committee"})
    assert demoted.status_code == 200
    assert demoted.json()["role"] == "committee"


def test_a_role_change_resets_site_scope(client: TestClient, engine: Engine,
                                         admin: dict[str, str]) -> None:
    make_user(engine, "helper.admin", "admin")
    uid = user_id(client, admin, "helper.admin")
    kept = client.patch(f"{API}/users/{uid}", headers=admin,
                        json={"role": "registration_officer"})
    assert kept.status_code == 422
    assert kept.json()["errors"][0]["field"] == "sites"
    officer = client.patch(f"{API}/users/{uid}", headers=admin,
                           json={"role": "registration_officer", "sites": ["TRP"]})
    assert officer.status_code == 200
    assert officer.json()["sites"] == ["TRP"]
    auditor = client.patch(f"{API}/users/{uid}", headers=admin, json={"role": "auditor"})
    assert auditor.json()["sites"] == "*"
    back = client.patch(f"{API}/users/{uid}", headers=admin, json={"role": "case_manager"})
    assert back.status_code == 422
