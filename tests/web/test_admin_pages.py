"""Administration pages, parsed: users (create, disable at once, reset password, role,
sites, language), sites, armed groups, and training a match model as a background job."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.jobs import JobStatus, create_job
from app.core.models import AuditEvent, Job
from app.core.security import SYSTEM
from app.dedup.models import CandidatePair, MatchModelVersion
from app.users import service as users
from app.users.models import User
from tests.factories import PASSWORD, make_pair, make_registration
from tests.web.helpers import make_web_user, soup, web_login
from tests.web.test_pages import SAME_ORIGIN

NEW_PASSWORD = "a new long password"


@pytest.fixture
def admin(client: TestClient, engine: Engine) -> str:
    make_web_user(engine, "admin.web", role="admin", sites=[])
    return web_login(client, "admin.web")


def user_id(engine: Engine, username: str) -> int:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        assert user.id is not None
        return user.id


def post(client: TestClient, url: str, token: str, **data: object) -> object:
    return client.post(url, data={"csrf_token": token, **data}, headers=SAME_ORIGIN)


def test_an_admin_creates_a_user_who_can_then_log_in(
    client: TestClient, engine: Engine, admin: str
) -> None:
    created = client.post("/admin/users", headers=SAME_ORIGIN, data={
        "csrf_token": admin, "username": "officer.mis", "full_name": "سالم المصراتي",
        "password": PASSWORD, "password_again": PASSWORD, "role": "registration_officer",
        "language": "ar", "sites": ["MIS", "SRT"]})
    page = soup(created.text)
    assert page.find(id="created") is not None
    assert page.find(id="user-sites").get_text(strip=True) == "MIS, SRT"
    listing = soup(client.get("/admin/users").text)
    assert listing.select_one("tr[data-username='officer.mis']") is not None
    client.cookies.clear()
    home = soup(client.get("/").text) if web_login(client, "officer.mis") else None
    assert home is not None
    assert home.html["dir"] == "rtl"
    with Session(engine) as session:
        assert session.exec(select(AuditEvent).where(
            AuditEvent.action == "user.create")).first() is not None


def test_creating_a_user_reports_every_problem_as_sentences(
    client: TestClient, admin: str
) -> None:
    response = client.post("/admin/users", headers=SAME_ORIGIN, data={
        "csrf_token": admin, "username": "x", "password": "short", "password_again": "other",
        "role": "", "sites": []})
    assert response.status_code == 422
    page = soup(response.text)
    assert page.find(id="e-password_again").get_text(strip=True) == (
        "The two passwords differ: type the same twice.")
    response = client.post("/admin/users", headers=SAME_ORIGIN, data={
        "csrf_token": admin, "username": "x", "password": "short", "password_again": "short",
        "role": "registration_officer"})
    page = soup(response.text)
    assert page.find(id="e-password").get_text(strip=True) == (
        "The password must have at least 10 characters.")
    assert page.find(id="e-sites").get_text(strip=True) == (
        "Officers, supervisors and case managers need at least one site.")
    assert page.find(id="f-username")["value"] == "x"


def test_disabling_a_user_ends_their_session_at_once(
    client: TestClient, engine: Engine, admin: str
) -> None:
    from fastapi.testclient import TestClient as Browser

    make_web_user(engine, "officer.gone", sites=["TRP"])
    with Browser(client.app) as other:
        web_login(other, "officer.gone")
        assert other.get("/", follow_redirects=False).status_code == 200
        page = soup(post(client, f"/admin/users/{user_id(engine, 'officer.gone')}/state",
                         admin, active="no").text)
        assert page.find(id="user-state").get_text(strip=True) == "Disabled"
        assert other.get("/", follow_redirects=False).status_code == 303


def test_reset_password_role_sites_and_language(
    client: TestClient, engine: Engine, admin: str
) -> None:
    make_web_user(engine, "officer.move", sites=["TRP"])
    uid = user_id(engine, "officer.move")
    mismatch = post(client, f"/admin/users/{uid}/password", admin, password=NEW_PASSWORD,
                    password_again="something else")
    assert mismatch.status_code == 422
    post(client, f"/admin/users/{uid}/password", admin, password=NEW_PASSWORD,
         password_again=NEW_PASSWORD)
    page = soup(client.post(f"/admin/users/{uid}/access", headers=SAME_ORIGIN, data={
        "csrf_token": admin, "role": "supervisor", "sites": ["TRP", "BEN"]}).text)
    assert page.find(id="user-role").get_text(strip=True) == "Supervisor"
    assert page.find(id="user-sites").get_text(strip=True) == "BEN, TRP"
    no_site = client.post(f"/admin/users/{uid}/access", headers=SAME_ORIGIN, data={
        "csrf_token": admin, "role": "case_manager"})
    assert no_site.status_code == 422
    auditor = soup(client.post(f"/admin/users/{uid}/access", headers=SAME_ORIGIN, data={
        "csrf_token": admin, "role": "auditor"}).text)
    assert auditor.find(id="user-sites").get_text(strip=True) == "All sites"
    post(client, f"/admin/users/{uid}/language", admin, language="ar")
    client.cookies.clear()
    page = client.post("/login", data={"username": "officer.move", "password": PASSWORD,
                                       "csrf_token": "x"}, headers=SAME_ORIGIN)
    assert page.status_code in (401, 403)
    client.cookies.clear()
    web_login(client, "officer.move", NEW_PASSWORD)
    home = soup(client.get("/").text)
    assert home.html["dir"] == "rtl"
    assert home.h1.get_text(strip=True) == "دور المدقق"


def test_sites_are_added_renamed_and_closed(client: TestClient, admin: str) -> None:
    post(client, "/admin/sites", admin, code="ghd", name_en="Gharyan", name_ar="غريان",
         region="West")
    page = soup(client.get("/admin/sites").text)
    assert page.find(id="site-GHD") is not None
    bad = client.post("/admin/sites", data={"csrf_token": admin, "code": "G1",
                                            "name_en": "x", "name_ar": "y"},
                      headers=SAME_ORIGIN)
    assert bad.status_code == 422
    assert "three capital letters" in soup(bad.text).find(id="e-code").get_text()
    post(client, "/admin/sites/GHD", admin, name_en="Gharyan town", name_ar="غريان",
         region="West")  # not ticked: closed
    form = soup(client.get("/registrations/new").text)
    assert "GHD" not in {o["value"] for o in form.select("#f-site option")}
    assert soup(client.get("/admin/sites").text).select_one(
        "#site-GHD input[name=name_en]")["value"] == "Gharyan town"


def test_armed_groups_in_both_scripts_feed_the_form_type_ahead(
    client: TestClient, admin: str
) -> None:
    post(client, "/admin/armed-groups", admin, code="RDB", name_en="Rada Brigade",
         name_ar="قوة الردع", aliases="Rada\nSpecial Deterrence Force")
    page = soup(client.get("/admin/armed-groups").text)
    group = page.find(id="group-RDB")
    assert group.select_one("textarea").get_text() == "Rada\nSpecial Deterrence Force"
    options = {o["value"] for o in soup(client.get("/registrations/new").text).select(
        "#armed-groups option")}
    assert {"Rada Brigade", "قوة الردع"} <= options
    action = group["action"]
    post(client, action, admin, name_en="Rada Brigade", name_ar="قوة الردع", aliases="Rada")
    options = {o["value"] for o in soup(client.get("/registrations/new").text).select(
        "#armed-groups option")}
    assert "Rada Brigade" not in options


def decided_pairs(engine: Engine, crypto: FieldCrypto, count: int) -> None:
    """`count` reviewed pairs, half judged the same person, half different."""
    with session_scope(engine) as session:
        for i in range(count):
            a = make_registration(session, crypto, national_id=None, phone=None,
                                  given_name=f"سالم{i}", date_of_birth=str(1960 + i)).registration
            b = make_registration(session, crypto, national_id=None, phone=None,
                                  given_name=f"Salem{i}" if i % 2 else f"عمر{i}",
                                  date_of_birth=str(1960 + i), site="BEN").registration
            status = "same_person" if i % 2 else "different_persons"
            pair = session.exec(select(CandidatePair).where(col(CandidatePair.registration_a_id)
                                                            .in_([a.id, b.id]),
                                                            col(CandidatePair.registration_b_id)
                                                            .in_([a.id, b.id]))).first()
            if pair is None:
                make_pair(session, a, b, status=status)
            else:
                pair.status = status
                session.add(pair)


def test_training_runs_as_a_job_whose_page_follows_it(
    client: TestClient, engine: Engine, admin: str, app: object
) -> None:
    crypto = app.state.crypto  # type: ignore[attr-defined]
    too_few = soup(post(client, "/review/models/train", admin).text)
    assert too_few.find(id="job").get("data-status") == "failed"
    assert "at least 20 reviewed pairs" in too_few.find(id="job-message").get_text()
    decided_pairs(engine, crypto, 24)
    page = soup(post(client, "/review/models/train", admin).text)
    job = page.find(id="job")
    assert job["data-status"] == "done"
    assert not job.has_attr("hx-trigger")  # a finished job is not polled
    version = page.select_one("#job-result code").get_text()
    with Session(engine) as session:
        stored = session.get(MatchModelVersion, version)
        assert stored is not None
        assert not stored.active
    models = soup(client.get("/review/models").text)
    assert models.select_one(f"tr[data-version='{version}']") is not None


def test_a_running_job_is_polled_and_shows_its_progress(
    client: TestClient, engine: Engine, admin: str
) -> None:
    with session_scope(engine) as session:
        job = create_job(session=session, actor=SYSTEM, kind="matching.train")
        job.status, job.stage, job.done, job.total = JobStatus.running, "decisions", 40, 200
        session.add(job)
    fragment = soup(client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"}).text)
    polled = fragment.find(id="job")
    assert polled["hx-trigger"] == "every 1s"
    assert polled["hx-get"] == f"/jobs/{job.id}"
    assert fragment.find("progress")["value"] == "40"
    assert client.get(f"/jobs/{uuid.uuid4()}").status_code == 404
    with Session(engine) as session:
        assert session.get(Job, job.id) is not None


def test_authorisations_are_granted_and_withdrawn_on_the_user_page(
    client: TestClient, engine: Engine, admin: str
) -> None:
    make_web_user(engine, "cm.auth", role="case_manager", sites=["TRP"])
    uid = user_id(engine, "cm.auth")
    page = soup(client.get(f"/admin/users/{uid}").text)
    assert page.find(id="f-authorise-children").get("checked") is None
    page = soup(client.post(f"/admin/users/{uid}/authorisations", headers=SAME_ORIGIN, data={
        "csrf_token": admin, "authorisations": ["children", "gender"]}).text)
    assert page.find(id="saved") is not None
    assert page.find(id="f-authorise-children").get("checked") is not None
    assert page.find(id="f-authorise-gender").get("checked") is not None
    with Session(engine) as session:
        assert users.user_authorisations(session=session, user_id=uid) == ["children", "gender"]
    unknown = client.post(f"/admin/users/{uid}/authorisations", headers=SAME_ORIGIN, data={
        "csrf_token": admin, "authorisations": ["everything"]})
    assert unknown.status_code == 422
    page = soup(client.post(f"/admin/users/{uid}/authorisations", headers=SAME_ORIGIN,
                            data={"csrf_token": admin}).text)
    assert page.find(id="f-authorise-children").get("checked") is None
    with Session(engine) as session:
        assert users.user_authorisations(session=session, user_id=uid) == []
        changes = session.exec(select(AuditEvent).where(
            AuditEvent.object_id == str(uid), col(AuditEvent.action).like("user.%"))).all()
    assert len(changes) >= 2
