"""The pathway of Libyan ex-combatants and civilians associated with armed groups, following
the IDDRS: eligibility, disarmament, demobilization, reinsertion, profiling and counselling,
a reintegration option, enrolment with a service provider, follow-ups at 3, 6 and 12 months.

Reinsertion (the transitional safety allowance, paid in instalments) runs beside profiling and
the reintegration option, as it does in the field; the follow-ups count from enrolment.
"""

from __future__ import annotations

from reintegration.engine import (
    Branch,
    Due,
    FieldSpec,
    InstalmentPlan,
    InstalmentsSettled,
    Pathway,
    PriorStep,
    ReferralOutcome,
    Step,
    WeaponsLinked,
)
from reintegration.enums import CloseReason
from reintegration.enums import StepStatus as S


def N_(message: str) -> str:
    """Mark a text for the translation catalogue."""
    return message


DONE_OR_NA = (S.done, S.not_applicable)
LATER = ("disarmament", "demobilization", "reinsertion", "profiling", "gender_screening",
         "option", "enrolled", "followup_3m", "followup_6m", "followup_12m")

VERIFICATION = (
    ("commander_list", N_("Commander's list")), ("group_id_card", N_("Armed group ID card")),
    ("weapon_handover", N_("Weapon handed over")), ("witness", N_("Witness")),
    ("interview", N_("Interview")))
EDUCATION = (("none", N_("None")), ("primary", N_("Primary")), ("secondary", N_("Secondary")),
             ("vocational", N_("Vocational")), ("university", N_("University")))
OPTIONS = (
    ("vocational_training", N_("Vocational training")), ("education", N_("Education")),
    ("employment", N_("Employment")), ("small_business", N_("Small-business grant")),
    ("security_integration", N_("Integration into the unified security institutions")),
    ("agriculture", N_("Agriculture")))
ACCEPTANCE = (("good", N_("Good")), ("mixed", N_("Mixed")), ("poor", N_("Poor")))
LIVELIHOOD = (("employed", N_("Employed")), ("self_employed", N_("Self-employed")),
              ("in_training", N_("In training or education")),
              ("unemployed", N_("Unemployed")))
VISIT = (("visited", N_("Visited")), ("not_found", N_("Not found at home")),
         ("by_phone", N_("By phone")))


def _followup(key: str, title: str, days: int) -> Step:
    return Step(
        key=key, title=title, due=Due(days, after="enrolled"), attempts=True,
        statuses=(S.pending, S.in_progress, S.done, S.blocked, S.skipped),
        requires=(PriorStep("enrolled"),),
        fields=(
            FieldSpec("visit", N_("Visit"), "choice", VISIT, required=True),
            FieldSpec("community_acceptance", N_("Community acceptance"), "choice", ACCEPTANCE,
                      required=True, outcome=True),
            FieldSpec("livelihood", N_("Livelihood"), "choice", LIVELIHOOD, required=True),
            FieldSpec("notes", N_("Visit notes"), "text"),
        ))


V1 = Pathway(
    key="reintegration", version=1, title=N_("Reintegration"),
    description=N_("Libyan ex-combatants and civilians associated with armed groups"),
    steps=(
        Step(
            key="eligibility", title=N_("Eligibility screening"), due=Due(7),
            statuses=(S.pending, S.in_progress, S.done, S.blocked),
            fields=(
                FieldSpec("outcome", N_("Outcome"), "choice", (
                    ("eligible", N_("Eligible")), ("not_eligible", N_("Not eligible"))),
                    required=True, outcome=True),
                FieldSpec("membership_verification", N_("How membership was verified"),
                          "choice", VERIFICATION, required=True),
                FieldSpec("verified_by", N_("Verified by"), "text", required=True,
                          hint=N_("Name and function of who verified")),
                FieldSpec("criteria", N_("Criteria checked"), "text"),
            ),
            branches=(Branch("outcome", ("not_eligible",), not_applicable=LATER,
                             close=CloseReason.not_eligible),)),
        Step(
            key="disarmament", title=N_("Disarmament recorded"), due=Due(14, "eligibility"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("eligibility"), WeaponsLinked(unless="no_weapon_reason")),
            fields=(
                FieldSpec("no_weapon_reason", N_("No weapon handed in because"), "choice", (
                    ("none_held", N_("Held no weapon")),
                    ("handed_in_by_group", N_("Handed in by the armed group")),
                    ("associated_civilian", N_("Civilian role")))),
                FieldSpec("notes", N_("Notes"), "text"),
            )),
        Step(
            key="demobilization", title=N_("Demobilization"), due=Due(14, "disarmament"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked),
            requires=(PriorStep("eligibility"), PriorStep("disarmament", DONE_OR_NA)),
            fields=(
                FieldSpec("ddr_id_card", N_("DDR ID card number"), "document", required=True),
                FieldSpec("medical_screening", N_("Medical screening"), "choice", (
                    ("fit", N_("No treatment needed")),
                    ("treatment_needed", N_("Treatment needed")),
                    ("referred", N_("Referred for care"))), required=True),
                FieldSpec("psychosocial_flag", N_("Psychosocial support needed"), "bool"),
                FieldSpec("transport_home", N_("Transport home"), "choice", (
                    ("provided", N_("Provided")), ("not_needed", N_("Not needed")),
                    ("declined", N_("Declined")))),
                FieldSpec("notes", N_("Notes"), "text"),
            )),
        Step(
            key="reinsertion", title=N_("Reinsertion: transitional safety allowance"),
            due=Due(120, "demobilization"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("demobilization"), InstalmentsSettled()),
            instalments=InstalmentPlan(count=3, amount="500", currency="LYD",
                                       interval_days=30),
            fields=(FieldSpec("notes", N_("Notes"), "text"),)),
        Step(
            key="profiling", title=N_("Profiling and counselling"),
            due=Due(30, "demobilization"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked),
            requires=(PriorStep("demobilization"),),
            fields=(
                FieldSpec("education", N_("Education"), "choice", EDUCATION, required=True),
                FieldSpec("skills", N_("Skills"), "text", required=True),
                FieldSpec("wishes", N_("Wishes for the future"), "text", required=True),
                FieldSpec("counselling_sessions", N_("Counselling sessions held"), "number"),
            )),
        Step(
            key="gender_screening", title=N_("Gender-specific needs screening"),
            description=N_("By a case manager authorised for it; referral to specialised "
                           "services where needed"),
            due=Due(30, "demobilization"), authorisation="gender",
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("demobilization"),),
            fields=(
                FieldSpec("needs_identified", N_("Specific needs identified"), "bool",
                          required=True),
                FieldSpec("referred", N_("Referred to specialised services"), "bool"),
                FieldSpec("notes", N_("Screening notes"), "text"),
            )),
        Step(
            key="option", title=N_("Reintegration option"), due=Due(30, "profiling"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked),
            requires=(PriorStep("profiling"),),
            fields=(
                FieldSpec("option", N_("Option chosen"), "choice", OPTIONS, required=True,
                          outcome=True),
                FieldSpec("reasons", N_("Why this option"), "text"),
            )),
        Step(
            key="enrolled", title=N_("Enrolled with a service provider"),
            description=N_("Refer the person to a provider of the chosen option; done when "
                           "the provider has accepted"),
            due=Due(30, "option"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked),
            requires=(PriorStep("option"), ReferralOutcome()),
            fields=(
                FieldSpec("programme", N_("Programme or course"), "text"),
                FieldSpec("start_date", N_("Start date"), "date", required=True, future=True),
            )),
        _followup("followup_3m", N_("Follow-up at 3 months"), 90),
        _followup("followup_6m", N_("Follow-up at 6 months"), 180),
        _followup("followup_12m", N_("Follow-up at 12 months"), 365),
    ))

PATHWAYS = (V1,)
