"""The account pages: changing one's own password ends every session; a web log-in is
throttled; an administrator unlocks a locked account on its page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.users import throttle
from tests.factories import PASSWORD, login
from tests.web.helpers import csrf_from, make_web_user, soup, web_login

SAME_ORIGIN = {"Origin": "http://testserver"}
NEW = "Zawiya-sunrise-41"


def post_login(client: TestClient, username: str, password: str):  # noqa: ANN201
    csrf = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf}, headers=SAME_ORIGIN)


def test_changing_ones_password_ends_every_session(client: TestClient, engine: Engine) -> None:
    make_web_user(engine, "officer.pw", language="en")
    api = login(client, "officer.pw")
    web_login(client, "officer.pw")
    page = client.get("/account/password")
    assert page.status_code == 200
    csrf = csrf_from(page.text)
    mismatch = client.post("/account/password", headers=SAME_ORIGIN, data={
        "csrf_token": csrf, "current_password": PASSWORD, "new_password": NEW,
        "new_password_again": NEW + "x"})
    assert mismatch.status_code == 422
    assert soup(mismatch.text).find(id="e-new_password_again") is not None
    weak = client.post("/account/password", headers=SAME_ORIGIN, data={
        "csrf_token": csrf, "current_password": PASSWORD, "new_password": "0000000000",
        "new_password_again": "0000000000"})
    assert weak.status_code == 422
    assert "guess" in soup(weak.text).find(id="e-new_password").get_text()
    done = client.post("/account/password", headers=SAME_ORIGIN, follow_redirects=False, data={
        "csrf_token": csrf, "current_password": PASSWORD, "new_password": NEW,
        "new_password_again": NEW})
    assert done.status_code == 303
    assert done.headers["location"] == "/login?changed=1"
    assert client.get("/", follow_redirects=False).status_code in (302, 303, 307)
    assert client.get("/api/v1/auth/me", headers=api).status_code == 401
    notice = client.get("/login?changed=1")
    assert soup(notice.text).find(id="password-changed") is not None
    assert post_login(client, "officer.pw", NEW).status_code == 200


def test_web_log_in_is_throttled_then_unlocked_on_the_users_page(
    client: TestClient, engine: Engine
) -> None:
    make_web_user(engine, "officer.lock", language="en")
    make_web_user(engine, "admin.web", role="admin", sites=[], language="en")
    for _ in range(throttle.BACKOFF_AFTER):
        assert post_login(client, "officer.lock", "wrong password!").status_code == 401
    waiting = post_login(client, "officer.lock", PASSWORD)
    assert waiting.status_code == 429
    assert "انتظر" in soup(waiting.text).find(id="login-error").get_text()  # Arabic first
    with engine.begin() as conn:
        conn.execute(text("UPDATE login_throttle SET locked_at = last_failure_at "
                          "WHERE key = :k"), {"k": throttle.account_key("officer.lock")})
    locked = post_login(client, "officer.lock", PASSWORD)
    assert "مقفل" in soup(locked.text).find(id="login-error").get_text()

    web_login(client, "admin.web")
    users = client.get("/api/v1/users", headers=login(client, "admin.web")).json()
    uid = next(u["id"] for u in users if u["username"] == "officer.lock")
    page = client.get(f"/admin/users/{uid}")
    assert soup(page.text).find(id="locked-notice") is not None
    unlocked = client.post(f"/admin/users/{uid}/unlock", headers=SAME_ORIGIN,
                           data={"csrf_token": csrf_from(page.text)})
    assert unlocked.status_code == 200  # followed back to the user's page
    assert soup(unlocked.text).find(id="locked-notice") is None
    client.cookies.clear()
    assert post_login(client, "officer.lock", PASSWORD).status_code == 200


def test_the_last_admin_cannot_disable_itself_on_its_page(client: TestClient,
                                                          engine: Engine) -> None:
    make_web_user(engine, "only.admin", role="admin", sites=[], language="en")
    csrf = web_login(client, "only.admin")
    users = client.get("/api/v1/users", headers=login(client, "only.admin")).json()
    uid = users[0]["id"]
    refused = client.post(f"/admin/users/{uid}/state", headers=SAME_ORIGIN,
                          data={"csrf_token": csrf, "active": "no"})
    assert refused.status_code == 409
    assert soup(refused.text).find(id="user-state").get_text(strip=True) == "Active"
