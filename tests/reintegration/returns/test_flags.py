"""The do-not-re-enter flag: set at handover, shown when the same person is registered again
in the other script — online (the live check and the registration's answer) and on import."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.imports.models import ImportRow
from tests.factories import import_rows, register
from tests.reintegration.conftest import API
from tests.reintegration.returns.conftest import CHADIAN, fighter, hand_over

LATIN = {**CHADIAN, "given_name": "Mohamed", "father_name": "Abakar",
         "grandfather_name": "Adam", "family_name": "Hassaballah", "mother_name": "Mariam",
         "place_of_birth": "Abeche", "name_other_script": None, "site": "TRP"}


def test_the_flag_shows_on_a_registration_in_the_other_script(
    client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    first = fighter(client, people["officer"])
    before = register(client, people["officer"], **{**LATIN, "phone": "0925550999"})
    assert before["do_not_reenter"] is False  # not handed over yet
    assert first["registration_number"] in [
        c["registration_number"] for c in before["possible_duplicates"]]
    hand_over(client, people["coordinator"], first["person_id"])
    again = register(client, people["officer"], **{**LATIN, "phone": "0925550998"})
    assert again["do_not_reenter"] is True
    flagged = {c["registration_number"]: c["do_not_reenter"]
               for c in again["possible_duplicates"]}
    assert flagged[first["registration_number"]] is True
    draft = {"sex": "M", **{k: LATIN[k] for k in ("date_of_birth", "given_name", "father_name",
                                              "grandfather_name", "family_name",
                                              "nationality")}}
    checked = client.post(f"{API}/matching/candidates", headers=people["officer"], json=draft)
    assert checked.status_code == 200, checked.text
    live = {c["registration_number"]: c["do_not_reenter"] for c in checked.json()}
    assert live[first["registration_number"]] is True
    assert live[before["registration_number"]] is False


def test_the_flag_shows_on_import(client: TestClient, engine: Engine, app: object,
                                  people: dict[str, dict[str, str]], tmp_path: Path) -> None:
    first = fighter(client, people["officer"])
    hand_over(client, people["coordinator"], first["person_id"])
    crypto = app.state.crypto  # type: ignore[attr-defined]
    row = {"record_id": "IMP-TCD-1", "site": "TRP", "category": "foreign_fighter",
           "sex": "M", "date_of_birth": "1990-01-01", "given_name": "Mohamed",
           "father_name": "Abakar", "grandfather_name": "Adam", "family_name": "Hassaballah",
           "mother_name": "Mariam", "place_of_birth": "Abeche", "nationality": "TCD",
           "phone": "0925550777"}
    job = import_rows(engine, crypto, [row], tmp_path)
    assert job.do_not_reenter == 1
    with Session(engine) as session:
        (report,) = session.exec(select(ImportRow).where(ImportRow.job_id == job.id)).all()
    assert {"kind": "do_not_reenter", "number": first["registration_number"]} in json.loads(
        report.problems)
