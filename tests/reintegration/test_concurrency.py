"""Changes to one case at once, over real HTTP (SQLite and PostgreSQL): of changes based on
one version exactly one wins, the others get 409; retried, every change lands and the
timeline loses no event."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from reintegration.models import Case, CaseEvent
from tests.factories import PASSWORD, make_user, registration_body


def _headers(base: str, engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    make_user(engine, "officer", "registration_officer", ["TRP"])
    make_user(engine, "cm", "case_manager", ["TRP"])
    tokens = [httpx.post(f"{base}/api/v1/auth/token",
                         data={"username": name, "password": PASSWORD}).json()["access_token"]
              for name in ("officer", "cm")]
    return tuple({"Authorization": f"Bearer {t}"} for t in tokens)  # type: ignore[return-value]


def _case(base: str, engine: Engine) -> tuple[dict[str, str], str]:
    officer, cm = _headers(base, engine)
    registered = httpx.post(f"{base}/api/v1/registrations", json=registration_body(),
                            headers=officer, timeout=60).json()
    person = httpx.get(f"{base}/api/v1/persons/{registered['person_id']}", headers=cm).json()
    return cm, person["cases"][0]["id"]


def test_one_version_one_winner(live_server: str, engine: Engine) -> None:
    cm, case_id = _case(live_server, engine)

    def post(n: int) -> httpx.Response:
        with httpx.Client(timeout=60) as http:
            return http.post(f"{live_server}/api/v1/cases/{case_id}/notes", headers=cm,
                             json={"text": f"note {n}", "version": 1})

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(r.status_code for r in pool.map(post, range(10)))
    assert statuses == [200] + [409] * 9
    with Session(engine) as session:
        assert len(session.exec(select(CaseEvent)).all()) == 2


def test_retried_changes_all_land_and_no_event_is_lost(live_server: str,
                                                       engine: Engine) -> None:
    cm, case_id = _case(live_server, engine)
    url = f"{live_server}/api/v1/cases/{case_id}"

    def writer(n: int) -> list[int]:
        codes = []
        with httpx.Client(timeout=60) as http:
            for k in range(4):
                while True:
                    version = http.get(url, headers=cm).json()["version"]
                    answer = http.post(f"{url}/notes", headers=cm,
                                       json={"text": f"writer {n} note {k}", "version": version})
                    codes.append(answer.status_code)
                    if answer.status_code != 409:
                        break
        return codes

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes: list[Any] = [c for batch in pool.map(writer, range(6)) for c in batch]
    assert set(codes) <= {200, 409}
    assert codes.count(200) == 24
    with Session(engine) as session:
        case = session.exec(select(Case)).one()
        versions = session.exec(select(CaseEvent.version).where(CaseEvent.case_id == case.id)
                                .order_by(col(CaseEvent.version))).all()
    assert case.version == 25
    assert list(versions) == list(range(1, 26))
