"""The pathway of a child associated with armed forces or groups (under 18 at registration):
release at once and without conditions, handover to a child-protection actor, interim care,
family tracing, reunification (or, when no family is found, alternative care), follow-up.

Its cases exist only for users authorised for children: anyone else, administrators too, is
answered 404.
"""

from __future__ import annotations

from reintegration.engine import Branch, Due, FieldSpec, Pathway, PriorStep, Step
from reintegration.enums import CloseReason
from reintegration.enums import StepStatus as S


def N_(message: str) -> str:
    """Mark a text for the translation catalogue."""
    return message


DONE_OR_NA = (S.done, S.not_applicable)
CARE = (("transit_centre", N_("Interim care centre")), ("foster_family", N_("Foster family")),
        ("kinship_care", N_("Relatives")),
        ("supervised_independent_living", N_("Supervised independent living")))

V1 = Pathway(
    key="child", version=1, title=N_("Child protection"),
    description=N_("Children associated with armed forces or groups"),
    visible_with="children",
    close_reasons=(CloseReason.completed, CloseReason.lost_contact, CloseReason.relocated,
                   CloseReason.deceased, CloseReason.duplicate, CloseReason.other),
    steps=(
        Step(
            key="release", title=N_("Release"),
            description=N_("Immediate and unconditional: no step of the adult process comes "
                           "first"),
            due=Due(0), statuses=(S.pending, S.in_progress, S.done, S.blocked),
            fields=(FieldSpec("circumstances", N_("Circumstances"), "text"),)),
        Step(
            key="handover", title=N_("Handover to a child-protection actor"),
            due=Due(2, "release"), statuses=(S.pending, S.in_progress, S.done, S.blocked),
            requires=(PriorStep("release"),),
            fields=(
                FieldSpec("organisation", N_("Child-protection organisation"), "text",
                          required=True),
                FieldSpec("received_by", N_("Received by"), "text", required=True,
                          hint=N_("Name and function of the person who received the child")),
                FieldSpec("handed_over_on", N_("Date of handover"), "date", required=True),
                FieldSpec("receipt", N_("Receipt reference"), "document", required=True),
            )),
        Step(
            key="interim_care", title=N_("Interim care"), due=Due(2, "handover"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("handover"),),
            fields=(FieldSpec("care_type", N_("Type of care"), "choice", CARE, required=True),
                    FieldSpec("notes", N_("Notes"), "text"))),
        Step(
            key="family_tracing", title=N_("Family tracing"), due=Due(30, "handover"),
            attempts=True, statuses=(S.pending, S.in_progress, S.done, S.blocked),
            requires=(PriorStep("handover"),),
            fields=(
                FieldSpec("outcome", N_("Outcome"), "choice", (
                    ("family_found", N_("Family found")), ("not_found", N_("Family not found"))),
                    required=True, outcome=True),
                FieldSpec("notes", N_("Tracing notes"), "text"),
            ),
            branches=(Branch("outcome", ("not_found",), not_applicable=("reunification",),
                             activate=("alternative_care",)),)),
        Step(
            key="reunification", title=N_("Family reunification"),
            due=Due(30, "family_tracing"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("family_tracing"),),
            fields=(
                FieldSpec("reunified_with", N_("Reunified with"), "choice", (
                    ("parents", N_("Parents")), ("relatives", N_("Relatives")),
                    ("community", N_("Community"))), required=True, outcome=True),
                FieldSpec("reunified_on", N_("Date of reunification"), "date", required=True),
                FieldSpec("notes", N_("Notes"), "text"),
            )),
        Step(
            key="alternative_care", title=N_("Alternative care"),
            description=N_("When no family was found"), due=Due(30, "family_tracing"),
            initial=S.not_applicable,
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("family_tracing"),),
            fields=(FieldSpec("care_type", N_("Type of care"), "choice", CARE, required=True,
                              outcome=True),
                    FieldSpec("notes", N_("Notes"), "text"))),
        Step(
            key="followup", title=N_("Follow-up"), due=Due(120, "family_tracing"),
            attempts=True, statuses=(S.pending, S.in_progress, S.done, S.blocked, S.skipped),
            requires=(PriorStep("reunification", DONE_OR_NA),
                      PriorStep("alternative_care", DONE_OR_NA)),
            fields=(
                FieldSpec("wellbeing", N_("Wellbeing"), "choice", (
                    ("good", N_("Good")), ("concerns", N_("Some concerns")),
                    ("at_risk", N_("At risk"))), required=True, outcome=True),
                FieldSpec("in_school", N_("In school or training"), "bool"),
                FieldSpec("notes", N_("Visit notes"), "text"),
            )),
    ))

PATHWAYS = (V1,)
