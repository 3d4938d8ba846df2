"""Words of the case pages (English source texts, translated in `locale/*/cases.po`), and the
form a step offers for its fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.web.forms import N_
from reintegration.engine import FieldSpec, Pathway, Step, transitions
from reintegration.enums import StepStatus
from reintegration.schemas import StepOut

STEP_STATUS_LABELS = {
    "pending": N_("Pending"), "in_progress": N_("In progress"), "done": N_("Done"),
    "blocked": N_("Blocked"), "skipped": N_("Skipped"), "not_applicable": N_("Not applicable"),
}
STEP_ACTION_LABELS = {
    ("pending", "in_progress"): N_("Start"), ("in_progress", "in_progress"):
        N_("Log another attempt or update"),
    ("done", "in_progress"): N_("Reopen"), ("skipped", "pending"): N_("Bring back"),
    ("not_applicable", "pending"): N_("Bring back"), ("blocked", "in_progress"): N_("Resume"),
}
CASE_STATUS_LABELS = {"open": N_("Open"), "suspended": N_("Suspended"), "closed": N_("Closed")}
CLOSE_REASON_LABELS = {
    "completed": N_("Completed"), "not_eligible": N_("Not eligible"),
    "withdrew": N_("Withdrew"), "lost_contact": N_("Lost contact"),
    "relocated": N_("Relocated"), "deceased": N_("Deceased"),
    "duplicate": N_("Duplicate case"), "other": N_("Other reason"),
}
EVENT_LABELS = {
    "opened": N_("Case opened"), "step": N_("Step"), "assigned": N_("Assigned"),
    "note": N_("Note"), "status": N_("Case status"), "referral": N_("Referral"),
    "instalments": N_("Instalments planned"), "payment": N_("Payment"),
}
REFERRAL_STATUS_LABELS = {
    "sent": N_("Sent"), "accepted": N_("Accepted"), "rejected": N_("Rejected"),
    "completed": N_("Completed"), "completed_unsuccessfully": N_("Completed unsuccessfully"),
}
INSTALMENT_STATUS_LABELS = {"planned": N_("Planned"), "paid": N_("Paid"),
                            "cancelled": N_("Cancelled")}
METHOD_LABELS = {"cash": N_("Cash"), "bank_transfer": N_("Bank transfer"),
                 "mobile_money": N_("Mobile money"), "cheque": N_("Cheque")}
SERVICE_LABELS = {
    "vocational_training": N_("Vocational training"), "education": N_("Education"),
    "employment": N_("Employment"), "small_business": N_("Small-business grant"),
    "security_integration": N_("Integration into the unified security institutions"),
    "agriculture": N_("Agriculture"), "psychosocial": N_("Psychosocial support"),
    "medical": N_("Medical care"), "gender_based_violence": N_("Gender-based violence services"),
    "legal": N_("Legal aid"), "child_protection": N_("Child protection"),
    "family_tracing": N_("Family tracing"), "interim_care": N_("Interim care"),
}
SCOPE_LABELS = {"mine": N_("My cases"), "sites": N_("All cases of my sites")}
YES_NO = (("true", N_("Yes")), ("false", N_("No")))


@dataclass(frozen=True)
class Move:
    """A status a step may move to, as its form offers it."""

    status: str
    label: str


@dataclass(frozen=True)
class StepForm:
    """What the case page shows of one step: its definition, its state, and (when the reader
    may move it) the moves offered."""

    step: Step
    state: StepOut
    moves: tuple[Move, ...]
    locked: bool
    """The step needs an authorisation the reader lacks."""

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        """The step's fields."""
        return self.step.fields

    @property
    def by_name(self) -> dict[str, FieldSpec]:
        """The step's fields by name."""
        return {spec.name: spec for spec in self.step.fields}

    def value(self, name: str) -> Any:
        """The value a field holds now ('' when none), as a form shows it."""
        value = self.state.values.get(name)
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else value

    def shown(self, spec: FieldSpec) -> str:
        """A field's value as the step list shows it (a choice by its label's source text)."""
        value = self.state.values.get(spec.name)
        if value is None or value == "":
            return ""
        if spec.kind == "choice":
            return dict(spec.options).get(str(value), str(value))
        if spec.kind == "bool":
            return YES_NO[0][1] if value else YES_NO[1][1]
        return str(value)


def step_forms(pathway: Pathway, steps: list[StepOut], role: str,
               authorisations: frozenset[str]) -> list[StepForm]:
    """Each step of a case with the moves the reader may make from its status."""
    forms = []
    for state in steps:
        step = pathway.step(state.key)
        if step is None:
            continue
        locked = bool(step.authorisation and step.authorisation not in authorisations)
        table = transitions(pathway, step).get(StepStatus(state.status), {})
        moves = [] if locked else [
            Move(to, STEP_ACTION_LABELS.get((state.status, to), STEP_STATUS_LABELS[to]))
            for to, roles in table.items() if role in roles]
        moves.sort(key=lambda m: (m.status != "done", m.status))
        forms.append(StepForm(step, state, tuple(moves), locked))
    return forms

CASE_MESSAGES: tuple[str, ...] = (
    # what the case services answer, shown beside a form or on an error page
    N_("required to finish this step"), N_("choose one of the options"),
    N_("not a date (YYYY-MM-DD)"), N_("is in the future"), N_("yes or no"),
    N_("a whole number"), N_("between 0 and 100000"), N_("at most 2000 characters"),
    N_("at most 100 characters"), N_("not a field of this step"),
    N_("is before the case was opened"),
    N_("no weapon is recorded for this person: record the handover, or say why there is none"),
    N_("every planned instalment must be paid or cancelled first"),
    N_("a referral from this step must be accepted by the provider first"),
    N_("not a case manager who can work this case"), N_("choose why the case closes"),
    N_("not settled yet"), N_("no such planned instalment"),
    N_("differs from the planned instalment"), N_("already paid"), N_("each number once"),
    N_("not a payable amount in this currency"), N_("not an amount"),
    N_("no such active provider"), N_("not offered by this provider"),
    N_("serves another site"), N_("not a step of this case's pathway"),
    N_("say why the provider rejected it"), N_("between the day it was sent and today"),
    N_("the case is closed"), N_("the case is not open: resume or reopen it first"),
    N_("at least one"), N_("invalid"), N_("your role does not work cases"),
    N_("your role may not make this move"),
    N_("only a supervisor gives a case to someone else"),
    N_("only a supervisor takes a case from someone else"),
    N_("this case is someone else's: a supervisor reassigns it"),
    N_("only a supervisor reopens a closed case"), N_("only supervisors see workloads"),
    N_("only an administrator manages service providers"),
    N_("this person was merged with another meanwhile; reload the case"),
    N_("Saved."), N_("Payment recorded."), N_("Referral sent."),
)
