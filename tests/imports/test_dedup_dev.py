"""The shared dev data set (dedup_dev) imports with the expected counts, its duplicates go to
the review queue, and importing it again adds nothing."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.core.crypto import FieldCrypto
from app.core.db import session_scope
from app.core.security import SYSTEM
from app.dedup.models import CandidatePair
from app.imports.models import ImportRow
from app.imports.rows import NAMESPACE
from app.registry import reference
from app.registry.models import Registration
from tests.imports.conftest import FIXTURES, run_import
from tests.matching.conftest import shared_path

pytestmark = pytest.mark.slow

# Rows of the set the registry's rules refuse, by reason: records typed with a required part
# missing (date of birth, or the names a category requires), a national number whose birth
# year or sex digit disagrees with the record, a phone too short to be one, a "child" who is
# 18 or older, a foreigner recorded with Libyan nationality and the reverse.
EXPECTED_REASONS = Counter({
    "required (the year alone will do)": 333, "required for libyan_combatant": 303,
    "digits 2-5 do not match the birth year": 217, "not a valid phone number": 39,
    "child is for people under 18 at registration": 27, "required for associated_civilian": 21,
    "required for child": 16, "first digit must be 1 (male) or 2 (female)": 9,
    "a foreign fighter is not of nationality LBY": 8, "a father's or family name is required": 7,
    "digits 2-5 are not a possible birth year": 3, "first digit does not match the sex": 3,
    "a Libyan combatant has nationality LBY": 2})


def test_the_dev_set_imports_with_the_expected_counts(engine: Engine, crypto: FieldCrypto
                                                      ) -> None:
    with session_scope(engine) as session:
        for group in yaml.safe_load((FIXTURES / "dedup_dev_armed_groups.yaml").read_text(
                encoding="utf-8")):
            reference.create_armed_group(session=session, actor=SYSTEM, code=group["code"],
                                         name_en=group["en"], name_ar=group["ar"],
                                         aliases=group["aliases"])
    records = Path(shared_path("dedup_dev", "records.csv"))
    job = run_import(engine, crypto, records, consent_attested=True)
    assert (job.rows_processed, job.accepted, job.rejected, job.skipped) == (7880, 7004, 876, 0)
    with Session(engine) as session:
        rejected = session.exec(select(ImportRow.problems).where(
            ImportRow.job_id == job.id, ImportRow.outcome == "rejected")).all()
        pairs = session.exec(select(CandidatePair.registration_a_id,
                                    CandidatePair.registration_b_id,
                                    CandidatePair.decision)).all()
    reasons = Counter(p["message"] for problems in rejected for p in json.loads(problems))
    assert reasons == EXPECTED_REASONS

    # the true duplicate pairs among the stored rows are found and queued for review
    truth: dict[str, list[str]] = {}
    for line in Path(shared_path("dedup_dev", "truth.csv")).read_text().splitlines()[1:]:
        record_id, person = line.split(",")
        truth.setdefault(person, []).append(record_id)
    by_id = {str(uuid.uuid5(NAMESPACE, r)): r for rs in truth.values() for r in rs}
    person_of = {r: p for p, rs in truth.items() for r in rs}
    true_pairs = {frozenset(p) for rs in truth.values() for p in combinations(rs, 2)}
    found = {frozenset((by_id[str(a)], by_id[str(b)])) for a, b, _ in pairs}
    matches = {frozenset((by_id[str(a)], by_id[str(b)])) for a, b, d in pairs if d == "match"}
    with Session(engine) as session:
        kept = {by_id[str(i)] for i in session.exec(select(Registration.id)).all()}
    reachable = {p for p in true_pairs if p <= kept}
    recall = len(reachable & found) / len(reachable)
    precision = sum(1 for p in matches if len({person_of[r] for r in p}) == 1) / len(matches)
    print(f"dev set: recall {recall:.3f} precision {precision:.3f}")
    assert recall >= 0.93, recall
    assert precision >= 0.98, precision

    again = run_import(engine, crypto, records, consent_attested=True)
    assert (again.accepted, again.rejected, again.skipped) == (0, 876, 7004)
    with Session(engine) as session:
        assert len(session.exec(select(CandidatePair.id)).all()) == len(pairs)
