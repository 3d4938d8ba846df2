"""The per-country board: counts by stage (contract 7), the figures for the statistics,
median days per stage, who is stuck longest and why; scoped like the cases."""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.db import session_scope
from reintegration.models import Case, CaseStep
from reintegration.returns.board import STAGE_FROM, counts_by_country
from tests.reintegration.conftest import API, done
from tests.reintegration.returns.conftest import (
    VERIFIED,
    fighter,
    hand_over,
    ready_case,
    return_case,
)


def _verified(client: TestClient, headers: dict[str, str], person_id: str) -> dict[str, Any]:
    case = return_case(client, headers, person_id)
    case = done(client, headers, case, "nationality_claimed")
    return done(client, headers, case, "nationality_verified", **VERIFIED)


def test_counts_by_country_and_stage(client: TestClient, engine: Engine,
                                     people: dict[str, dict[str, str]]) -> None:
    headers = people["coordinator"]
    officer = people["officer"]
    returned = fighter(client, officer)
    ready = fighter(client, officer, given_name="Issa", name_other_script=None)
    verified = fighter(client, officer, given_name="Ali", name_other_script=None)
    fighter(client, officer, given_name="Hassan", name_other_script=None)
    declined = fighter(client, officer, nationality="NER", given_name="Moussa",
                       name_other_script=None)
    fighter(client, officer, nationality="NER", site="TRP", given_name="Ibrahim",
            name_other_script=None)
    hand_over(client, headers, returned["person_id"])
    ready_case(client, headers, ready["person_id"])
    _verified(client, headers, verified["person_id"])
    case = _verified(client, headers, declined["person_id"])
    done(client, headers, case, "consent", decision="declines",
         informed_on=date.today().isoformat())

    board = client.get(f"{API}/returns/board", headers=headers)
    assert board.status_code == 200
    assert board.json() == {"countries": [
        {"country": "NER", "registered": 2, "verified": 1, "consenting": 0, "documented": 0,
         "ready": 0, "departed": 0, "handed_over": 0, "non_return": 1},
        {"country": "TCD", "registered": 4, "verified": 3, "consenting": 2, "documented": 2,
         "ready": 1, "departed": 1, "handed_over": 1, "non_return": 0}]}
    # a case manager of SEB sees the SEB cases only (the second Nigerien is at TRP)
    seb = client.get(f"{API}/returns/board", headers=people["cm"]).json()
    assert [(c["country"], c["registered"]) for c in seb["countries"]] == [("NER", 1),
                                                                          ("TCD", 4)]
    # the figures the committee statistics take: every case, plain ints
    with Session(engine) as session:
        figures = counts_by_country(session)
    assert figures["TCD"]["handed_over"] == 1
    assert figures["NER"]["registered"] == 2
    assert all(type(n) is int for country in figures.values() for n in country.values())


def test_medians_and_who_is_stuck(client: TestClient,
                                  people: dict[str, dict[str, str]]) -> None:
    headers = people["coordinator"]
    waiting = fighter(client, people["officer"])
    moving = fighter(client, people["officer"], given_name="Issa", name_other_script=None)
    _verified(client, headers, moving["person_id"])
    case = return_case(client, headers, waiting["person_id"])
    blocked = client.post(f"{API}/cases/{case['id']}/steps/nationality_claimed", json={
        "status": "blocked", "version": case["version"], "note": "no interpreter"},
        headers=headers)
    assert blocked.status_code == 200, blocked.text
    details = client.get(f"{API}/returns/board/details", headers=headers)
    assert details.status_code == 200, details.text
    body = details.json()
    assert {(m["country"], m["stage"], m["median_days"], m["cases"])
            for m in body["medians"]} == {("TCD", "nationality_verified", 0.0, 1)}
    stuck = {s["stage"]: s for s in body["stuck"]}
    assert stuck["nationality_claimed"]["registration_number"] == \
        waiting["registration_number"]
    assert stuck["nationality_claimed"]["status"] == "blocked"
    assert stuck["nationality_claimed"]["name"] == "محمد أبكر آدم حسب الله"
    assert "not_verified" in {r["code"] for r in stuck["nationality_claimed"]["reasons"]}
    assert stuck["consent"]["registration_number"] == moving["registration_number"]
    assert client.get(f"{API}/returns/board/details",
                      headers=people["committee"]).status_code == 403


def test_the_median_of_a_histogram() -> None:
    from reintegration.returns.board import _median

    assert _median([(1, 1), (3, 1)]) == 2.0
    assert _median([(0, 2), (5, 1)]) == 0.0
    assert _median([(2, 1), (4, 2), (9, 1)]) == 4.0
    assert _median([(7, 3)]) == 7.0


WALK = ("nationality_claimed", "nationality_verified", "consent", "consular_contact",
        "travel_document", "medical_clearance", "counselling", "movement", "departed",
        "handover")


def _scatter(engine: Engine, seed: int) -> None:
    """Give every return case an opening day and done steps settled on scattered days (some
    out of order, some skipped, some left midway), written straight to the tables."""
    rng = random.Random(seed)
    today = date.today()
    with session_scope(engine) as session:
        for case_id in session.exec(select(Case.id).order_by(col(Case.id))).all():
            day = today - timedelta(days=rng.randint(60, 200))
            session.execute(update(Case).where(col(Case.id) == case_id).values(opened_on=day))
            for key in WALK[:rng.randint(1, len(WALK))]:
                day += timedelta(days=rng.choice((0, 0, 1, 3, 7, 12, 30)))
                status = rng.choice(("done",) * 6 + ("skipped", "in_progress"))
                settled = day - timedelta(days=rng.randint(0, 40) if rng.random() < 0.1 else 0)
                session.execute(update(CaseStep).where(
                    col(CaseStep.case_id) == case_id, col(CaseStep.key) == key).values(
                    status=status, settled_on=settled if status != "in_progress" else None))


def _brute_force_medians(engine: Engine, sites: set[str] | None) -> set[tuple[Any, ...]]:
    """Median days per country and stage, from every row, one case at a time."""
    with Session(engine) as session:
        cases = session.exec(select(Case).where(Case.pathway == "return")).all()
        steps = session.exec(select(CaseStep)).all()
    done = {(s.case_id, s.key): s.settled_on for s in steps if s.status == "done"}
    days: dict[tuple[str, str], list[int]] = defaultdict(list)
    for case in cases:
        if sites is not None and case.site_code not in sites:
            continue
        for key, before in STAGE_FROM.items():
            end = done.get((case.id, key))
            start = case.opened_on if before is None else done.get((case.id, before))
            if end is not None and start is not None:
                days[(str(case.country), key)].append((end - start).days)
    return {(country, key, float(statistics.median(values)), len(values))
            for (country, key), values in days.items()}


def test_medians_equal_a_brute_force_count(client: TestClient, engine: Engine,
                                           people: dict[str, dict[str, str]]) -> None:
    for n, (country, site) in enumerate([("TCD", "SEB")] * 5 + [("NER", "SEB")] * 4
                                        + [("SDN", "TRP")] * 3 + [("TCD", "TRP")] * 2):
        fighter(client, people["officer"], nationality=country, site=site,
                given_name=f"Returnee {n}", name_other_script=None)
    _scatter(engine, seed=19)
    expected = _brute_force_medians(engine, None)
    assert len(expected) > 10  # several countries and stages, even and odd counts
    assert {m[3] % 2 for m in expected} == {0, 1}
    for headers, sites in ((people["coordinator"], None), (people["cm"], {"SEB"})):
        details = client.get(f"{API}/returns/board/details", headers=headers)
        assert details.status_code == 200, details.text
        assert {(m["country"], m["stage"], m["median_days"], m["cases"])
                for m in details.json()["medians"]} == _brute_force_medians(engine, sites)
