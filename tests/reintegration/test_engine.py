"""The workflow engine on every pathway definition: transition tables, roles, authorisations,
prerequisites, fields, branches and due dates (no database)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from app.core.errors import Forbidden, ValidationFailed
from reintegration.engine import (
    SUPERVISED,
    TRANSITIONS,
    Branch,
    CaseFacts,
    Due,
    FieldSpec,
    Pathway,
    PriorStep,
    Step,
    StepState,
    check_transition,
    clean_data,
    current_step,
    effects,
    missing,
    opening_due,
    pathway_json,
    transitions,
    validate_pathway,
)
from reintegration.enums import CloseReason, StepStatus
from reintegration.pathways import CASE_PATHWAY_OF_CATEGORY, all_pathways, definition, latest

S = StepStatus
NONE: frozenset[str] = frozenset()
PATHWAYS = all_pathways()
STEPS = [(p, s) for p in PATHWAYS for s in p.steps]


def facts_of(pathway: Pathway, **statuses: str) -> CaseFacts:
    """A case of the pathway with every step in its initial status unless named."""
    return CaseFacts(steps={s.key: StepState(statuses.get(s.key, s.initial))
                            for s in pathway.steps})


def test_definitions_validate_and_keys_are_as_the_contract_says() -> None:
    for pathway in PATHWAYS:
        validate_pathway(pathway)
    assert {(p.key, p.version) for p in PATHWAYS} == {("reintegration", 1), ("child", 1),
                                                      ("return", 1)}
    assert latest("reintegration") is definition("reintegration", 1)
    assert CASE_PATHWAY_OF_CATEGORY == {"libyan_combatant": "reintegration",
                                        "associated_civilian": "reintegration",
                                        "child": "child", "foreign_fighter": "return"}
    assert [s.key for s in latest("reintegration").steps] == [
        "eligibility", "disarmament", "demobilization", "reinsertion", "profiling",
        "gender_screening", "option", "enrolled", "followup_3m", "followup_6m", "followup_12m"]
    assert [s.key for s in latest("child").steps] == [
        "release", "handover", "interim_care", "family_tracing", "reunification",
        "alternative_care", "followup"]


@pytest.mark.parametrize(("pathway", "step"), STEPS,
                         ids=[f"{p.key}.{s.key}" for p, s in STEPS])
def test_every_step_table_is_the_shared_table_within_its_statuses(pathway: Pathway,
                                                                   step: Step) -> None:
    table = transitions(pathway, step)
    assert set(table) == set(step.statuses)
    for before in step.statuses:
        expected = {after for after in TRANSITIONS[before] if after in step.statuses}
        assert set(table[before]) == expected
        for after, roles in table[before].items():
            if (before, after) in SUPERVISED:
                assert set(roles) == {"supervisor", "admin"}, (before, after)
            else:
                assert set(roles) == set(step.roles or pathway.roles)
    # a move the table lacks is refused, for every role
    for before in step.statuses:
        for after in set(S) - set(table[before]):
            with pytest.raises(ValidationFailed) as refused:
                check_transition(pathway, step, before, after, role="admin",
                                 authorisations=frozenset({"children", "gender"}))
            assert refused.value.errors[0].field == "status"


@pytest.mark.parametrize(("pathway_key", "step_key", "before", "after", "role", "outcome"), [
    ("reintegration", "eligibility", "pending", "done", "case_manager", "ok"),
    ("reintegration", "eligibility", "pending", "skipped", "supervisor", "refused"),
    ("reintegration", "eligibility", "pending", "not_applicable", "admin", "refused"),
    ("reintegration", "eligibility", "done", "in_progress", "case_manager", "forbidden"),
    ("reintegration", "eligibility", "done", "in_progress", "supervisor", "ok"),
    ("reintegration", "eligibility", "done", "pending", "supervisor", "refused"),
    ("reintegration", "disarmament", "pending", "not_applicable", "case_manager", "ok"),
    ("reintegration", "disarmament", "not_applicable", "pending", "case_manager", "forbidden"),
    ("reintegration", "followup_3m", "in_progress", "in_progress", "case_manager", "ok"),
    ("reintegration", "followup_3m", "pending", "skipped", "case_manager", "ok"),
    ("reintegration", "followup_3m", "skipped", "pending", "supervisor", "ok"),
    ("reintegration", "option", "pending", "done", "registration_officer", "forbidden"),
    ("reintegration", "option", "pending", "done", "committee", "forbidden"),
    ("child", "release", "pending", "skipped", "supervisor", "refused"),
    ("child", "release", "pending", "not_applicable", "admin", "refused"),
    ("child", "release", "pending", "done", "case_manager", "ok"),
    ("child", "handover", "blocked", "in_progress", "case_manager", "ok"),
    ("child", "alternative_care", "not_applicable", "pending", "case_manager", "forbidden"),
    ("child", "family_tracing", "in_progress", "in_progress", "case_manager", "ok"),
], ids=lambda v: str(v))
def test_named_moves(pathway_key: str, step_key: str, before: str, after: str, role: str,
                     outcome: str) -> None:
    pathway = latest(pathway_key)
    step = pathway.step(step_key)
    assert step is not None

    def attempt() -> None:
        check_transition(pathway, step, before, after, role=role,
                         authorisations=frozenset({"children", "gender"}))

    if outcome == "ok":
        attempt()
    else:
        with pytest.raises(ValidationFailed if outcome == "refused" else Forbidden):
            attempt()


def test_gender_screening_needs_its_authorisation_whatever_the_role() -> None:
    pathway = latest("reintegration")
    step = pathway.step("gender_screening")
    assert step is not None
    for role in ("case_manager", "supervisor", "admin"):
        with pytest.raises(Forbidden, match="gender"):
            check_transition(pathway, step, "pending", "done", role=role,
                             authorisations=frozenset({"children"}))
        check_transition(pathway, step, "pending", "done", role=role,
                         authorisations=frozenset({"gender"}))


def test_unknown_status_is_refused_naming_the_field() -> None:
    pathway = latest("reintegration")
    with pytest.raises(ValidationFailed) as refused:
        check_transition(pathway, pathway.steps[0], "pending", "finished", role="admin",
                         authorisations=NONE)
    assert refused.value.errors[0].field == "status"


# -- fields ----------------------------------------------------------------------------------


def test_clean_data_splits_clear_and_encrypted_values_and_names_bad_ones() -> None:
    pathway = latest("reintegration")
    demobilization = pathway.step("demobilization")
    assert demobilization is not None
    clear, sealed = clean_data(demobilization, {
        "ddr_id_card": "  DDR   000123 ", "medical_screening": "fit",
        "psychosocial_flag": "yes", "notes": "sleeps badly", "transport_home": ""})
    assert clear == {"medical_screening": "fit", "psychosocial_flag": True}
    assert sealed == {"ddr_id_card": "DDR 000123", "notes": "sleeps badly"}
    with pytest.raises(ValidationFailed) as refused:
        clean_data(demobilization, {"medical_screening": "healthy", "psychosocial_flag": "maybe",
                                    "shoe_size": "44"})
    assert {e.field for e in refused.value.errors} == {
        "data.medical_screening", "data.psychosocial_flag", "data.shoe_size"}
    enrolled = pathway.step("enrolled")
    profiling = pathway.step("profiling")
    assert enrolled is not None
    assert profiling is not None
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert clean_data(enrolled, {"start_date": tomorrow})[0] == {"start_date": tomorrow}
    with pytest.raises(ValidationFailed):
        clean_data(profiling, {"counselling_sessions": "-1"})
    with pytest.raises(ValidationFailed):
        clean_data(profiling, {"skills": "x" * 2001})
    handover = latest("child").step("handover")
    assert handover is not None
    with pytest.raises(ValidationFailed) as future:
        clean_data(handover, {"handed_over_on": tomorrow})
    assert future.value.errors[0].message == "is in the future"


# -- requirements ----------------------------------------------------------------------------


def test_requirements_are_named_when_missing() -> None:
    pathway = latest("reintegration")
    step = {s.key: s for s in pathway.steps}
    fresh = facts_of(pathway)
    assert [e.field for e in missing(step["eligibility"], S.done, fresh, ())] == [
        "data.outcome", "data.membership_verification", "data.verified_by"]
    assert missing(step["eligibility"], S.done, fresh,
                   ("outcome", "membership_verification", "verified_by")) == []
    assert missing(step["eligibility"], S.in_progress, fresh, ()) == []
    # a prior step: for starting and for finishing
    assert [e.field for e in missing(step["disarmament"], S.in_progress, fresh, ())] == [
        "step.eligibility"]
    screened = facts_of(pathway, eligibility="done")
    assert [e.field for e in missing(step["disarmament"], S.done, screened, ())] == ["weapons"]
    assert missing(step["disarmament"], S.done, screened, ("no_weapon_reason",)) == []
    screened.weapons = 1
    assert missing(step["disarmament"], S.done, screened, ()) == []
    # disarmament not applicable (a civilian) lets demobilization go on
    civilian = facts_of(pathway, eligibility="done", disarmament="not_applicable")
    assert missing(step["demobilization"], S.done, civilian,
                   ("ddr_id_card", "medical_screening")) == []
    # instalments: none planned, or one still waiting, keeps reinsertion open
    paying = facts_of(pathway, demobilization="done")
    assert [e.field for e in missing(step["reinsertion"], S.done, paying, ())] == [
        "instalments"]
    paying.instalments_planned, paying.instalments_waiting = 3, 1
    assert [e.field for e in missing(step["reinsertion"], S.done, paying, ())] == [
        "instalments"]
    paying.instalments_waiting = 0
    assert missing(step["reinsertion"], S.done, paying, ()) == []
    # enrolment needs a referral from that step the provider accepted
    chosen = facts_of(pathway, option="done")
    chosen.referrals = [("enrolled", "sent"), (None, "accepted"), ("option", "completed")]
    assert [e.field for e in missing(step["enrolled"], S.done, chosen, ("start_date",))] == [
        "referral"]
    chosen.referrals.append(("enrolled", "accepted"))
    assert missing(step["enrolled"], S.done, chosen, ("start_date",)) == []


# -- branches and due dates ------------------------------------------------------------------


def test_not_eligible_closes_the_case_and_drops_every_later_step() -> None:
    pathway = latest("reintegration")
    eligibility = pathway.steps[0]
    taken = effects(pathway, eligibility, S.done, {"outcome": "not_eligible"},
                    facts_of(pathway), date(2026, 3, 1))
    assert taken.close == CloseReason.not_eligible
    assert set(taken.statuses) == {s.key for s in pathway.steps[1:]}
    assert set(taken.statuses.values()) == {S.not_applicable}
    kept = effects(pathway, eligibility, S.done, {"outcome": "eligible"}, facts_of(pathway),
                   date(2026, 3, 1))
    assert kept.close is None
    assert kept.statuses == {}
    assert kept.due == {"disarmament": date(2026, 3, 15)}


def test_family_not_found_brings_in_alternative_care_with_its_due_date() -> None:
    pathway = latest("child")
    tracing = pathway.step("family_tracing")
    assert tracing is not None
    on = date(2026, 5, 10)
    taken = effects(pathway, tracing, S.done, {"outcome": "not_found"},
                    facts_of(pathway, release="done", handover="done"), on)
    assert taken.statuses == {"reunification": S.not_applicable,
                              "alternative_care": S.pending}
    assert taken.due == {"alternative_care": on + timedelta(days=30),
                         "followup": on + timedelta(days=120)}
    found = effects(pathway, tracing, S.done, {"outcome": "family_found"},
                    facts_of(pathway, release="done", handover="done"), on)
    assert found.statuses == {}
    assert set(found.due) == {"reunification", "followup"}


def test_opening_due_dates_and_current_step() -> None:
    pathway = latest("child")
    opened = date(2026, 1, 10)
    assert opening_due(pathway, opened) == {"release": opened}
    assert opening_due(latest("reintegration"), opened) == {"eligibility": date(2026, 1, 17)}
    statuses = {s.key: str(s.initial) for s in pathway.steps}
    assert current_step(pathway, statuses) == "release"
    statuses.update(release="done", handover="done", interim_care="not_applicable")
    assert current_step(pathway, statuses) == "family_tracing"
    assert current_step(pathway, dict.fromkeys(statuses, "done")) is None


def test_a_return_like_pathway_fits_the_engine() -> None:
    """The later return pathway needs a non-return branch, repeated attempts and a role hook:
    a small definition of that shape validates and behaves."""
    returning = Pathway(key="return", version=1, title="Return", all_sites_with="returns", steps=(
        Step(key="consent", title="Informed consent", due=Due(14), fields=(
            FieldSpec("decision", "Decision", "choice",
                      (("return", "Return"), ("declines", "Declines")), required=True,
                      outcome=True),),
             branches=(Branch("decision", ("declines",),
                              not_applicable=("consular_contact", "departed"),
                              activate=("protection_screening",)),)),
        Step(key="consular_contact", title="Consular contact", attempts=True,
             due=Due(7, "consent"), requires=(PriorStep("consent"),),
             roles=("case_manager", "supervisor")),
        Step(key="departed", title="Departed", due=Due(30, "consular_contact")),
        Step(key="protection_screening", title="Protection screening",
             initial=S.not_applicable, due=Due(10, "consent")),
    ))
    validate_pathway(returning)
    step = {s.key: s for s in returning.steps}
    assert (S.in_progress in transitions(returning, step["consular_contact"])[S.in_progress])
    with pytest.raises(Forbidden):
        check_transition(returning, step["consular_contact"], "pending", "in_progress",
                         role="admin", authorisations=NONE)
    on = date(2026, 2, 1)
    taken = effects(returning, step["consent"], S.done, {"decision": "declines"},
                    facts_of(returning), on)
    assert taken.statuses == {"consular_contact": S.not_applicable,
                              "departed": S.not_applicable, "protection_screening": S.pending}
    assert taken.due == {"protection_screening": on + timedelta(days=10)}
    assert pathway_json(returning)["all_sites_with"] == "returns"


@pytest.mark.parametrize("broken", [
    {"requires": (PriorStep("nowhere"),)},
    {"due": Due(3, "later")},
    {"branches": (Branch("missing_field", ("x",)),)},
    {"initial": S.skipped, "statuses": (S.pending, S.done)},
], ids=["unknown prior step", "due after a later step", "branch on unknown field",
        "initial status not allowed"])
def test_a_broken_definition_is_refused(broken: dict[str, object]) -> None:
    first = dataclasses.replace(Step(key="first", title="First"), **broken)
    pathway = Pathway(key="broken", version=1, title="Broken",
                      steps=(first, Step(key="later", title="Later")))
    with pytest.raises(ValueError, match="pathway broken"):
        validate_pathway(pathway)


def test_pathway_json_carries_what_the_contract_names() -> None:
    shown = pathway_json(latest("reintegration"))
    assert (shown["key"], shown["version"]) == ("reintegration", 1)
    eligibility = shown["steps"][0]
    assert {"key", "statuses", "transitions", "roles", "prerequisites"} <= set(eligibility)
    assert {"from": "pending", "to": "done",
            "roles": ["case_manager", "supervisor", "admin"]} in eligibility["transitions"]
    assert {"kind": "field", "for": ["done"], "field": "verified_by"} in \
        eligibility["prerequisites"]
    disarmament = shown["steps"][1]
    assert {"kind": "step", "for": ["in_progress", "done"], "step": "eligibility",
            "statuses": ["done"]} in disarmament["prerequisites"]
    assert disarmament["due"] == {"days": 14, "after": "eligibility"}
    assert latest("child").visible_with == "children"
