"""The reintegration funnel: steps by status, overdue steps, the option chosen and the median
days per step equal a count over the cases' rows (SQLite and PostgreSQL)."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, timedelta

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app.core.db import session_scope
from exports.service import compute
from exports.tables import TOTAL
from reintegration.models import Case, CaseStep
from tests.factories import make_registration, person_case, seed_reference, start_case


def test_the_funnel_equals_a_count_of_the_steps(app: FastAPI, engine: Engine) -> None:
    seed_reference(engine)
    crypto = app.state.crypto
    today = date.today()
    with session_scope(engine) as session:
        people = []
        for n in range(7):
            enrolment = make_registration(session, crypto, national_id=f"11988{n:07d}",
                                          phone=f"09100000{n:02d}", given_name=f"سالم{n}")
            people.append(enrolment.registration.person_id)
        start_case(session, crypto, people[0])
        # six cases chose an option after taking 3 to 8 days over it; two of them are late
        # with their enrolment
        for n, person in enumerate(people[1:]):
            case = person_case(session, person)
            steps = {s.key: s for s in session.exec(select(CaseStep).where(
                CaseStep.case_id == case.id)).all()}
            steps["option"].status = "done"
            steps["option"].outcome = "vocational_training" if n % 3 else "employment"
            steps["option"].started_on = today - timedelta(days=20)
            steps["option"].settled_on = today - timedelta(days=20 - 3 - n)
            if n < 2:
                steps["enrolled"].due_on = today - timedelta(days=1)
            session.add_all(steps.values())
    with session_scope(engine) as session:
        stats = compute(session=session, threshold=5)
        rows = session.exec(select(Case.pathway, CaseStep.key, CaseStep.status,
                                   CaseStep.due_on, CaseStep.outcome, CaseStep.started_on,
                                   CaseStep.settled_on)
                            .join(Case, col(Case.id) == col(CaseStep.case_id))).all()
    funnel = stats.tables["cases_by_step"].entries()
    expected = Counter((f"{p}.{k}", s) for p, k, s, *_ in rows)
    for key, n in expected.items():
        assert funnel[key] == n
    assert funnel[(TOTAL, TOTAL)] == len(rows)
    assert funnel[("reintegration.eligibility", "in_progress")] == 1
    overdue = stats.tables["overdue_steps"].entries()
    assert overdue[("reintegration.enrolled",)] == 2
    assert overdue[(TOTAL,)] == sum(1 for _p, _k, s, due, *_ in rows
                                    if due and due < today
                                    and s in ("pending", "in_progress", "blocked"))
    options = stats.tables["options_chosen"].entries()
    assert options[("vocational_training",)] == 4
    assert options[("employment",)] == 2
    days = [(settled - started).days for _p, k, s, _d, _o, started, settled in rows
            if s == "done" and started and settled and k == "option"]
    assert stats.medians["reintegration.option"] == statistics.median(days)
    published = {r["step"]: r for r in stats.view("step_durations")["rows"]}
    assert published["reintegration.option"]["median_days"] == statistics.median(days)
    # small counts: the two late enrolments are suppressed wherever they are published
    late = next(r for r in stats.view("overdue_steps")["rows"]
                if r["step"] == "reintegration.enrolled")
    assert late["count"] is None
