"""The pathway of a non-Libyan fighter: a tracked, safe and voluntary return to the country of
origin, or another route when return is not safe.

Nationality claimed, then verified; informed consent to return — or the non-return branch
(referral for international-protection or status screening, with its own outcome); consular
contact (several attempts logged); travel document; medical clearance; pre-departure
counselling; assigned to a movement; departed; handed over to the country of origin's
authority (the do-not-re-enter flag holds from then); post-arrival monitoring at 1 and 3
months, where the receiving side shares it.

Its cases are seen at their sites, and at every site by users authorised as returns
coordinators. The movement and departure steps are moved by the movements service
(`reintegration.returns.movements`), which checks readiness first.
"""

from __future__ import annotations

import pycountry

from reintegration.engine import Branch, Due, FieldSpec, Pathway, PriorStep, Step, StepRecorded
from reintegration.enums import CloseReason
from reintegration.enums import StepStatus as S


def N_(message: str) -> str:
    """Mark a text for the translation catalogue."""
    return message


DONE_OR_NA = (S.done, S.not_applicable)
RETURN_STEPS = ("consular_contact", "travel_document", "medical_clearance", "counselling",
                "movement", "departed", "handover", "monitoring_1m", "monitoring_3m")
"""Steps of the return itself: not applicable on the non-return branch."""
COORDINATOR = "returns_coordinator"
"""The authorisation that shows return cases of every site."""

VERIFICATION = (
    ("passport", N_("Passport")), ("national_id", N_("National identity card")),
    ("consular_interview", N_("Consular interview")),
    ("embassy_confirmation", N_("Confirmed by the embassy")),
    ("language_and_knowledge", N_("Language and local knowledge")),
    ("witness", N_("Witness")))
COUNTRIES = tuple(sorted(((c.alpha_3, f"{c.name} ({c.alpha_3})") for c in pycountry.countries
                         if c.alpha_3 != "LBY"), key=lambda option: option[1]))
"""The countries a nationality can be verified as (ISO 3166-1 alpha-3, Libya aside)."""
MONITORING = (("stable", N_("Settled, no concern")), ("difficulties", N_("Difficulties")),
              ("at_risk", N_("At risk")), ("not_shared", N_("Not shared by the receiving side")))


def _recorded(move: StepRecorded) -> None:
    from reintegration.returns.recorded import recorded  # it reads the returns tables

    recorded(move)


def _monitoring(key: str, title: str, days: int) -> Step:
    return Step(
        key=key, title=title, due=Due(days, "handover"), attempts=True,
        statuses=(S.pending, S.in_progress, S.done, S.blocked, S.skipped, S.not_applicable),
        requires=(PriorStep("handover"),),
        fields=(
            FieldSpec("situation", N_("Situation"), "choice", MONITORING, required=True,
                      outcome=True),
            FieldSpec("source", N_("Reported by"), "text",
                      hint=N_("The receiving authority or partner that shared it")),
            FieldSpec("notes", N_("Notes"), "text"),
        ))


V1 = Pathway(
    key="return", version=1, title=N_("Return to the country of origin"),
    description=N_("Non-Libyan fighters: safe and voluntary return, or another route when "
                   "return is not safe"),
    all_sites_with=COORDINATOR, recorded=_recorded,
    close_reasons=(CloseReason.completed, CloseReason.withdrew, CloseReason.lost_contact,
                   CloseReason.relocated, CloseReason.deceased, CloseReason.duplicate,
                   CloseReason.other),
    steps=(
        Step(
            key="nationality_claimed", title=N_("Nationality claimed"), due=Due(3),
            statuses=(S.pending, S.in_progress, S.done, S.blocked),
            fields=(FieldSpec("languages", N_("Languages spoken"), "text"),
                    FieldSpec("notes", N_("Notes"), "text"))),
        Step(
            key="nationality_verified", title=N_("Nationality verified"),
            due=Due(14, "nationality_claimed"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked),
            requires=(PriorStep("nationality_claimed"),),
            fields=(
                FieldSpec("outcome", N_("Outcome"), "choice", (
                    ("confirmed", N_("Nationality confirmed")),
                    ("not_confirmed", N_("Not confirmed"))), required=True, outcome=True),
                FieldSpec("method", N_("How it was verified"), "choice", VERIFICATION,
                          required=True),
                FieldSpec("verified_by", N_("Verified by"), "text", required=True,
                          hint=N_("Name and function of who verified")),
                FieldSpec("country", N_("Nationality verified as"), "choice", COUNTRIES,
                          hint=N_("When it differs from the nationality claimed: the case "
                                  "moves to that country's board and movements")),
                FieldSpec("documents", N_("Documents seen"), "text"),
            )),
        Step(
            key="consent", title=N_("Informed consent to return"),
            description=N_("Voluntary and informed; a person who does not consent is referred "
                           "for protection or status screening instead"),
            due=Due(7, "nationality_verified"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked),
            requires=(PriorStep("nationality_verified"),),
            fields=(
                FieldSpec("decision", N_("Decision"), "choice", (
                    ("consents", N_("Consents to return")),
                    ("declines", N_("Does not consent: return not safe or not wanted"))),
                    required=True, outcome=True),
                FieldSpec("informed_on", N_("Date informed"), "date", required=True),
                FieldSpec("interpreter", N_("Interpreter used"), "bool"),
                FieldSpec("notes", N_("Notes"), "text"),
            ),
            branches=(Branch("decision", ("declines",), not_applicable=RETURN_STEPS,
                             activate=("protection_screening",)),)),
        Step(
            key="protection_screening", title=N_("Protection or status screening"),
            description=N_("Referral for international protection or status screening when "
                           "return is not safe or not wanted"),
            due=Due(30, "consent"), initial=S.not_applicable,
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("consent"),),
            fields=(
                FieldSpec("referred_to", N_("Referred to"), "choice", (
                    ("unhcr", N_("UNHCR")), ("iom", N_("IOM")),
                    ("national_authority", N_("National authority")),
                    ("other", N_("Other organisation"))), required=True),
                FieldSpec("outcome", N_("Outcome"), "choice", (
                    ("protection_granted", N_("International protection granted")),
                    ("other_status", N_("Other legal status")),
                    ("resettled", N_("Resettled in a third country")),
                    ("no_protection_need", N_("No protection need found")),
                    ("return_later", N_("Chose to return later"))),
                    required=True, outcome=True),
                FieldSpec("notes", N_("Notes"), "text"),
            )),
        Step(
            key="consular_contact", title=N_("Consular contact"),
            description=N_("Embassy, consulate or the country's focal point; log each "
                           "attempt"),
            due=Due(14, "consent"), attempts=True,
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("consent"),),
            fields=(
                FieldSpec("channel", N_("Contacted through"), "choice", (
                    ("embassy", N_("Embassy")), ("consulate", N_("Consulate")),
                    ("focal_point", N_("Focal point")), ("partner", N_("Partner agency"))),
                    required=True),
                FieldSpec("contacted_on", N_("Date of contact"), "date", required=True),
                FieldSpec("result", N_("Result"), "choice", (
                    ("accepted", N_("Return accepted")),
                    ("no_answer", N_("No answer")),
                    ("documents_requested", N_("More documents requested")),
                    ("refused", N_("Refused"))), required=True, outcome=True),
                FieldSpec("contact", N_("Who was contacted"), "text"),
                FieldSpec("notes", N_("Notes"), "text"),
            )),
        Step(
            key="travel_document", title=N_("Travel document"),
            due=Due(30, "consular_contact"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("consent"),),
            fields=(
                FieldSpec("document_type", N_("Type of document"), "choice", (
                    ("passport", N_("Passport")),
                    ("emergency_travel_document", N_("Emergency travel document")),
                    ("laissez_passer", N_("Laissez-passer")),
                    ("national_id", N_("National identity card"))), required=True,
                    outcome=True),
                FieldSpec("number", N_("Document number"), "document", required=True),
                FieldSpec("issuer", N_("Issued by"), "text", required=True),
                FieldSpec("expires_on", N_("Valid until"), "date", required=True,
                          future=True),
            )),
        Step(
            key="medical_clearance", title=N_("Medical clearance"),
            due=Due(14, "consent"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("consent"),),
            fields=(
                FieldSpec("result", N_("Result"), "choice", (
                    ("fit", N_("Fit to travel")),
                    ("fit_with_escort", N_("Fit to travel with a medical escort")),
                    ("not_fit", N_("Not fit to travel"))), required=True, outcome=True),
                FieldSpec("examined_on", N_("Date of examination"), "date", required=True),
                FieldSpec("notes", N_("Notes"), "text"),
            )),
        Step(
            key="counselling", title=N_("Pre-departure counselling"),
            due=Due(14, "consent"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.skipped,
                      S.not_applicable),
            requires=(PriorStep("consent"),),
            fields=(FieldSpec("sessions", N_("Sessions held"), "number"),
                    FieldSpec("notes", N_("Notes"), "text"))),
        Step(
            key="movement", title=N_("Assigned to a movement"),
            description=N_("Set when the returnee's convoy or flight is confirmed"),
            statuses=(S.pending, S.done, S.not_applicable),
            requires=(PriorStep("consent"),)),
        Step(
            key="departed", title=N_("Departed"),
            description=N_("Set when the movement departs"),
            statuses=(S.pending, S.done, S.not_applicable),
            requires=(PriorStep("movement"),),
            fields=(FieldSpec("departed_on", N_("Date of departure"), "date", required=True),
                    FieldSpec("route", N_("Route"), "text"),
                    FieldSpec("border_crossing", N_("Border crossing or airport"), "text"))),
        Step(
            key="handover", title=N_("Handed over to the country of origin"),
            description=N_("To the receiving authority; from then on the person is flagged "
                           "do-not-re-enter"),
            due=Due(7, "departed"),
            statuses=(S.pending, S.in_progress, S.done, S.blocked, S.not_applicable),
            requires=(PriorStep("departed"),),
            fields=(
                FieldSpec("receiving_organisation", N_("Receiving organisation"), "text",
                          required=True),
                FieldSpec("received_by", N_("Received by"), "text", required=True,
                          hint=N_("Name and function of the person who received them")),
                FieldSpec("handed_over_on", N_("Date of handover"), "date", required=True),
                FieldSpec("receipt", N_("Receipt reference"), "document", required=True),
            )),
        _monitoring("monitoring_1m", N_("Post-arrival monitoring at 1 month"), 30),
        _monitoring("monitoring_3m", N_("Post-arrival monitoring at 3 months"), 90),
    ))

PATHWAYS = (V1,)
