"""The readiness check, step by step: each reason a returnee is not ready."""

from __future__ import annotations

from datetime import date

import pytest

from reintegration.returns.readiness import REASONS, StepFacts, reasons

READY = {"nationality_verified": StepFacts("done", "confirmed"),
         "consent": StepFacts("done", "consents"),
         "travel_document": StepFacts("done", "passport", date(2027, 1, 31)),
         "medical_clearance": StepFacts("done", "fit_with_escort")}


@pytest.mark.parametrize(("key", "facts", "code"), [
    ("nationality_verified", StepFacts("in_progress", None), "not_verified"),
    ("nationality_verified", StepFacts("done", "not_confirmed"), "nationality_not_confirmed"),
    ("consent", StepFacts("pending", None), "no_consent"),
    ("consent", StepFacts("done", "declines"), "declines"),
    ("travel_document", StepFacts("blocked", None), "no_document"),
    ("travel_document", StepFacts("done", "passport", date(2027, 1, 1)), "document_expires"),
    ("medical_clearance", StepFacts("pending", None), "not_cleared"),
    ("medical_clearance", StepFacts("done", "not_fit"), "not_fit"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_each_reason(key: str, facts: StepFacts, code: str) -> None:
    assert reasons(READY, travel_on=date(2027, 1, 15)) == []
    assert reasons({**READY, key: facts}, travel_on=date(2027, 1, 15)) == [code]
    assert code in REASONS


def test_a_closed_case_is_not_ready() -> None:
    assert reasons(READY, case_status="closed") == ["case_not_open"]
