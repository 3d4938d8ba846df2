"""The workflow engine: pathway definitions as data, and the rules that apply them.

A pathway is a versioned, ordered list of steps. Each step declares its allowed statuses (and
so its transitions, from one table), the roles that may move it, the fields it records, what it
needs before it can start or be done, when it falls due (days after the case opened or after
another step settled), and branches (a recorded outcome that makes other steps not applicable,
brings in steps that were not, or closes the case). Nothing here touches the database: the
service hands in the case's state and applies what these functions decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from app.core.errors import FieldError, Forbidden, ValidationFailed
from app.core.roles import SUPERVISORS, Role
from reintegration.enums import (
    SETTLED_STEP_STATUSES,
    CloseReason,
    ReferralStatus,
    StepStatus,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from app.core.crypto import FieldCrypto
    from app.core.security import Principal
    from reintegration.models import Case

S = StepStatus
ALL_STATUSES: tuple[StepStatus, ...] = tuple(StepStatus)
CASE_ROLES: tuple[str, ...] = (Role.case_manager, Role.supervisor, Role.admin)
"""Who works cases unless a pathway or step says otherwise."""
TEXT_LIMIT = 2000

# The one transition table every step draws from (a step allowing fewer statuses gets the
# part of it between those). in_progress -> in_progress logs another attempt or more data.
TRANSITIONS: dict[StepStatus, tuple[StepStatus, ...]] = {
    S.pending: (S.in_progress, S.done, S.blocked, S.skipped, S.not_applicable),
    S.in_progress: (S.in_progress, S.done, S.blocked, S.skipped, S.not_applicable),
    S.blocked: (S.in_progress, S.done, S.skipped, S.not_applicable),
    S.done: (S.in_progress,),
    S.skipped: (S.pending,),
    S.not_applicable: (S.pending,),
}
SUPERVISED: frozenset[tuple[StepStatus, StepStatus]] = frozenset({
    (S.done, S.in_progress), (S.skipped, S.pending), (S.not_applicable, S.pending)})
"""Moves that undo a settled step: supervisors only."""

FieldKind = Literal["text", "document", "choice", "date", "bool", "number"]


# -- definitions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """A value a step records. Text and document references are encrypted; choices, dates,
    yes/no and numbers stay in clear so that statistics can count them."""

    name: str
    label: str
    kind: FieldKind = "text"
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False
    """Needed before the step can be done."""
    outcome: bool = False
    """The step's outcome: kept in its own clear column (a choice)."""
    hint: str = ""
    future: bool = False
    """A date that may lie ahead (a start date); other dates are refused in the future."""

    @property
    def sealed(self) -> bool:
        """Whether the value is stored encrypted."""
        return self.kind in ("text", "document")

    def as_json(self) -> dict[str, Any]:
        """The field as the pathway API shows it."""
        return {"name": self.name, "label": self.label, "kind": self.kind,
                "options": [code for code, _label in self.options], "required": self.required,
                "outcome": self.outcome, "encrypted": self.sealed}


@dataclass(frozen=True)
class Requirement:
    """Something a step needs before it may move to one of `applies_to`."""

    kind: ClassVar[str] = ""
    applies_to: ClassVar[tuple[StepStatus, ...]] = (S.done,)

    def as_json(self) -> dict[str, Any]:
        """The requirement as the pathway API shows it."""
        return {"kind": self.kind, "for": [str(s) for s in self.applies_to],
                **{k: (list(v) if isinstance(v, tuple) else v)
                   for k, v in self.__dict__.items()}}


@dataclass(frozen=True)
class PriorStep(Requirement):
    """Another step must be in one of `statuses` before this one starts or is done."""

    kind: ClassVar[str] = "step"
    applies_to: ClassVar[tuple[StepStatus, ...]] = (S.in_progress, S.done)
    step: str
    statuses: tuple[str, ...] = (S.done,)


@dataclass(frozen=True)
class FieldRequired(Requirement):
    """A field must be recorded (now or earlier) before the step is done."""

    kind: ClassVar[str] = "field"
    field: str


@dataclass(frozen=True)
class WeaponsLinked(Requirement):
    """The person's registrations carry at least one weapon handover, unless `unless` (a
    field saying why there is none) is recorded."""

    kind: ClassVar[str] = "weapons"
    unless: str


@dataclass(frozen=True)
class InstalmentsSettled(Requirement):
    """At least one instalment was planned and none is still waiting to be paid."""

    kind: ClassVar[str] = "instalments"


@dataclass(frozen=True)
class ReferralOutcome(Requirement):
    """A referral made from this step reached one of `statuses` (e.g. the provider accepted)."""

    kind: ClassVar[str] = "referral"
    statuses: tuple[str, ...] = (ReferralStatus.accepted, ReferralStatus.completed)


@dataclass(frozen=True)
class Due:
    """When a step falls due: `days` after the case opened, or after another step settled."""

    days: int
    after: str = "opening"


@dataclass(frozen=True)
class Branch:
    """When the step is done with `field` in `values`: the steps named in `not_applicable`
    drop out, those in `activate` come in (from not applicable to pending) and, with `close`,
    the case closes with that reason."""

    field: str
    values: tuple[str, ...]
    not_applicable: tuple[str, ...] = ()
    activate: tuple[str, ...] = ()
    close: CloseReason | None = None

    def as_json(self) -> dict[str, Any]:
        """The branch as the pathway API shows it."""
        return {"field": self.field, "values": list(self.values),
                "not_applicable": list(self.not_applicable), "activate": list(self.activate),
                "close": str(self.close) if self.close else None}


@dataclass(frozen=True)
class InstalmentPlan:
    """Instalments planned when the step starts: `count` of `amount` (in the currency's main
    unit, as text: "500" or "500.250"), the first on the day it starts, then every
    `interval_days`."""

    count: int
    amount: str
    currency: str = "LYD"
    interval_days: int = 30


@dataclass(frozen=True)
class Step:
    """One step of a pathway."""

    key: str
    title: str
    description: str = ""
    fields: tuple[FieldSpec, ...] = ()
    statuses: tuple[StepStatus, ...] = ALL_STATUSES
    requires: tuple[Requirement, ...] = ()
    due: Due | None = None
    roles: tuple[str, ...] | None = None
    """Roles that may move it (default: the pathway's)."""
    authorisation: str | None = None
    """An authorisation the user must also hold to move it or read its encrypted values."""
    initial: StepStatus = S.pending
    branches: tuple[Branch, ...] = ()
    attempts: bool = False
    """Several attempts are expected (each one logged with what happened)."""
    instalments: InstalmentPlan | None = None

    def field(self, name: str) -> FieldSpec | None:
        """The field of that name, if the step records it."""
        return next((f for f in self.fields if f.name == name), None)

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        """Everything the step needs: its declared requirements and its required fields."""
        return (*self.requires,
                *(FieldRequired(field=f.name) for f in self.fields if f.required))


@dataclass(frozen=True)
class StepRecorded:
    """A step move as a pathway's `recorded` hook sees it: the values are the step's after
    the move (`sealed`: its encrypted ones, decrypted)."""

    session: Session
    crypto: FieldCrypto
    actor: Principal
    case: Case
    step: str
    status: str
    values: Mapping[str, Any]
    sealed: Mapping[str, str]


@dataclass(frozen=True)
class Pathway:
    """A versioned pathway definition. A case keeps the version it was opened on."""

    key: str
    version: int
    title: str
    steps: tuple[Step, ...]
    roles: tuple[str, ...] = CASE_ROLES
    visible_with: str | None = None
    """An authorisation without which its cases do not exist for a user (404), admins too."""
    all_sites_with: str | None = None
    """An authorisation that shows its cases at every site (not only the user's)."""
    close_reasons: tuple[CloseReason, ...] = tuple(CloseReason)
    description: str = ""
    recorded: Callable[[StepRecorded], None] | None = None
    """Called in the transaction of each step move, after the step is stored: what a pathway
    keeps beside its steps (the return pathway's case country and document index)."""

    def step(self, key: str) -> Step | None:
        """The step with that key, if any."""
        return next((s for s in self.steps if s.key == key), None)

    def index(self, key: str) -> int:
        """A step's position in the pathway."""
        return next(i for i, s in enumerate(self.steps) if s.key == key)

    def anchor(self, step: Step) -> str | None:
        """What the step's due date counts from: "opening", another step's key, or None."""
        if step.due is None:
            return None
        if step.due.after == "previous":
            position = self.index(step.key)
            return self.steps[position - 1].key if position else "opening"
        return step.due.after


# -- checking a definition -------------------------------------------------------------------


def validate_pathway(pathway: Pathway) -> None:
    """Raise ValueError when a definition names what it does not define (run at import)."""
    keys = [s.key for s in pathway.steps]
    problems = [f"step {k} defined twice" for k in set(keys) if keys.count(k) > 1]
    known = set(keys)
    for position, step in enumerate(pathway.steps):
        names = [f.name for f in step.fields]
        problems += [f"{step.key}: field {n} defined twice" for n in set(names)
                     if names.count(n) > 1]
        if sum(f.outcome for f in step.fields) > 1:
            problems.append(f"{step.key}: more than one outcome field")
        problems += [f"{step.key}: outcome {f.name} is not a choice" for f in step.fields
                     if f.outcome and f.kind != "choice"]
        if step.initial not in step.statuses:
            problems.append(f"{step.key}: initial status not allowed")
        for requirement in step.requires:
            if isinstance(requirement, PriorStep) and requirement.step not in known:
                problems.append(f"{step.key}: requires unknown step {requirement.step}")
            if isinstance(requirement, WeaponsLinked) and not step.field(requirement.unless):
                problems.append(f"{step.key}: unknown field {requirement.unless}")
        anchor = pathway.anchor(step)
        if anchor not in (None, "opening") and (anchor not in known
                                                or pathway.index(anchor) >= position):
            problems.append(f"{step.key}: due after {anchor}, not an earlier step")
        for branch in step.branches:
            if not step.field(branch.field):
                problems.append(f"{step.key}: branch on unknown field {branch.field}")
            for target in (*branch.not_applicable, *branch.activate):
                if target not in known:
                    problems.append(f"{step.key}: branch names unknown step {target}")
            problems += [f"{step.key}: {t} cannot be activated (no not_applicable -> pending)"
                         for t in branch.activate
                         if S.not_applicable not in _step(pathway, t).statuses]
    if problems:
        raise ValueError(f"pathway {pathway.key} v{pathway.version}: " + "; ".join(problems))


def _step(pathway: Pathway, key: str) -> Step:
    found = pathway.step(key)
    assert found is not None
    return found


# -- transitions -----------------------------------------------------------------------------


Table = dict[StepStatus, dict[StepStatus, tuple[str, ...]]]


def transitions(pathway: Pathway, step: Step) -> Table:
    """The step's transition table: from each status, the statuses it may move to and the
    roles that may move it there."""
    roles = step.roles or pathway.roles
    table: Table = {}
    for before in step.statuses:
        moves = {after: (tuple(r for r in roles if r in SUPERVISORS)
                         if (before, after) in SUPERVISED else roles)
                 for after in TRANSITIONS[before] if after in step.statuses}
        table[before] = {after: who for after, who in moves.items() if who}
    return table


def check_transition(pathway: Pathway, step: Step, before: str, after: str, *, role: str,
                     authorisations: frozenset[str]) -> None:
    """Refuse a move the table does not allow (422, naming it) or the caller may not make
    (403)."""
    try:
        target = StepStatus(after)
    except ValueError as exc:
        raise ValidationFailed([FieldError("status", f"must be one of {', '.join(S)}")]) from exc
    allowed = transitions(pathway, step).get(StepStatus(before), {})
    if target not in allowed:
        raise ValidationFailed(
            [FieldError("status", f"{step.key} cannot go from {before} to {after}")],
            detail=f"transition not allowed: {step.key} {before} -> {after}")
    if role not in allowed[target]:
        raise Forbidden("your role may not make this move")
    if step.authorisation and step.authorisation not in authorisations:
        raise Forbidden(f"this step needs an authorisation you do not have "
                        f"({step.authorisation})")


def clean_data(step: Step, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check submitted values against the step's fields: (clear values, values to encrypt).
    Unknown fields and bad values are a 422 naming each field; empty values are ignored."""
    errors: list[FieldError] = []
    clear: dict[str, Any] = {}
    sealed: dict[str, str] = {}
    for name, raw in data.items():
        spec = step.field(name)
        if spec is None:
            errors.append(FieldError(f"data.{name}", "not a field of this step"))
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        value, problem = _parse(spec, raw)
        if problem:
            errors.append(FieldError(f"data.{name}", problem))
        elif spec.sealed:
            sealed[name] = str(value)
        else:
            clear[name] = value
    if errors:
        raise ValidationFailed(errors)
    return clear, sealed


def _parse(spec: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    if spec.kind in ("text", "document"):
        text = " ".join(str(raw).split()) if spec.kind == "document" else str(raw).strip()
        limit = 100 if spec.kind == "document" else TEXT_LIMIT
        return (text, None) if len(text) <= limit else (None, f"at most {limit} characters")
    if spec.kind == "choice":
        codes = [code for code, _label in spec.options]
        return (str(raw), None) if str(raw) in codes else (None, "choose one of the options")
    if spec.kind == "date":
        try:
            day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError:
            return None, "not a date (YYYY-MM-DD)"
        if day > date.today() and not spec.future:
            return None, "is in the future"
        return day.isoformat(), None
    if spec.kind == "bool":
        if isinstance(raw, bool):
            return raw, None
        text = str(raw).lower()
        if text in ("true", "yes", "on", "1"):
            return True, None
        if text in ("false", "no", "off", "0"):
            return False, None
        return None, "yes or no"
    try:
        number = int(str(raw))
    except ValueError:
        return None, "a whole number"
    return (number, None) if 0 <= number <= 100_000 else (None, "between 0 and 100000")


# -- requirements ----------------------------------------------------------------------------


@dataclass
class StepState:
    """A step of a case as the engine needs it."""

    status: str
    filled: set[str] = field(default_factory=set)
    """Fields with a value (clear or encrypted)."""
    settled_on: date | None = None


@dataclass
class CaseFacts:
    """What a case's requirements are checked against (gathered by the service)."""

    steps: dict[str, StepState]
    weapons: int = 0
    instalments_planned: int = 0
    instalments_waiting: int = 0
    referrals: list[tuple[str | None, str]] = field(default_factory=list)
    """(step key, status) of each referral of the case."""


def missing(step: Step, to: StepStatus, facts: CaseFacts,
            filled_now: Iterable[str]) -> list[FieldError]:
    """The requirements a move of `step` to `to` does not meet, each named (empty: none)."""
    filled = facts.steps[step.key].filled | set(filled_now)
    problems: list[FieldError] = []
    for requirement in step.requirements:
        if to not in requirement.applies_to:
            continue
        if isinstance(requirement, PriorStep):
            other = facts.steps[requirement.step].status
            if other not in requirement.statuses:
                problems.append(FieldError(
                    f"step.{requirement.step}",
                    f"{requirement.step} must be {' or '.join(requirement.statuses)} first"))
        elif isinstance(requirement, FieldRequired):
            if requirement.field not in filled:
                problems.append(FieldError(f"data.{requirement.field}", "required to finish "
                                                                        "this step"))
        elif isinstance(requirement, WeaponsLinked):
            if facts.weapons == 0 and requirement.unless not in filled:
                problems.append(FieldError(
                    "weapons", "no weapon is recorded for this person: record the handover, "
                               "or say why there is none"))
        elif isinstance(requirement, InstalmentsSettled):
            if facts.instalments_planned == 0 or facts.instalments_waiting:
                problems.append(FieldError("instalments", "every planned instalment must be "
                                                          "paid or cancelled first"))
        elif isinstance(requirement, ReferralOutcome):
            if not any(key == step.key and status in requirement.statuses
                       for key, status in facts.referrals):
                problems.append(FieldError(
                    "referral", "a referral from this step must be accepted by the provider "
                                "first"))
    return problems


# -- effects: branches and due dates ---------------------------------------------------------


@dataclass
class Effects:
    """What a move changes beyond its own step."""

    statuses: dict[str, StepStatus] = field(default_factory=dict)
    due: dict[str, date] = field(default_factory=dict)
    close: CloseReason | None = None


def effects(pathway: Pathway, step: Step, to: StepStatus, values: Mapping[str, Any],
            facts: CaseFacts, on: date) -> Effects:
    """Branches taken by a move, and the due dates of steps it lets fall due."""
    result = Effects()
    if to == S.done:
        for branch in step.branches:
            if values.get(branch.field) in branch.values:
                for key in branch.not_applicable:
                    if facts.steps[key].status not in SETTLED_STEP_STATUSES:
                        result.statuses[key] = S.not_applicable
                for key in branch.activate:
                    if facts.steps[key].status == S.not_applicable:
                        result.statuses[key] = S.pending
                result.close = result.close or branch.close
    settled = {k for k, s in facts.steps.items() if s.status in SETTLED_STEP_STATUSES}
    settled_on = {k: s.settled_on for k, s in facts.steps.items()}
    if to in SETTLED_STEP_STATUSES:
        settled.add(step.key)
        settled_on[step.key] = on
    statuses = {k: s.status for k, s in facts.steps.items()}
    statuses.update(result.statuses)
    statuses[step.key] = to
    for other in pathway.steps:
        anchor = pathway.anchor(other)
        if (other.due is None or anchor in (None, "opening")
                or statuses[other.key] not in (S.pending, S.in_progress, S.blocked)):
            continue
        anchored_on = settled_on.get(str(anchor)) if anchor in settled else None
        woke = other.key in result.statuses or anchor == step.key
        if anchored_on is not None and woke:
            result.due[other.key] = anchored_on + timedelta(days=other.due.days)
    return result


def opening_due(pathway: Pathway, opened_on: date) -> dict[str, date]:
    """Due dates of the steps that count from the case's opening."""
    return {s.key: opened_on + timedelta(days=s.due.days) for s in pathway.steps
            if s.due is not None and pathway.anchor(s) == "opening" and s.initial == S.pending}


def current_step(pathway: Pathway, statuses: Mapping[str, str]) -> str | None:
    """The first step still to do, in pathway order (None when all are settled)."""
    return next((s.key for s in pathway.steps
                 if statuses.get(s.key) not in SETTLED_STEP_STATUSES), None)


# -- the API's view of a definition ----------------------------------------------------------


def pathway_json(pathway: Pathway) -> dict[str, Any]:
    """A pathway definition as `GET /api/v1/pathways` shows it."""
    steps = []
    for step in pathway.steps:
        table = transitions(pathway, step)
        steps.append({
            "key": step.key, "title": step.title, "description": step.description,
            "statuses": [str(s) for s in step.statuses], "initial": str(step.initial),
            "transitions": [{"from": str(before), "to": str(after), "roles": list(roles)}
                            for before, moves in table.items()
                            for after, roles in moves.items()],
            "roles": list(step.roles or pathway.roles),
            "authorisation": step.authorisation,
            "prerequisites": [r.as_json() for r in step.requirements],
            "due": ({"days": step.due.days, "after": pathway.anchor(step)}
                    if step.due else None),
            "fields": [f.as_json() for f in step.fields],
            "branches": [b.as_json() for b in step.branches],
            "attempts": step.attempts,
            "instalments": (step.instalments.__dict__ if step.instalments else None),
        })
    return {"key": pathway.key, "version": pathway.version, "title": pathway.title,
            "description": pathway.description, "roles": list(pathway.roles),
            "visible_with": pathway.visible_with, "all_sites_with": pathway.all_sites_with,
            "close_reasons": [str(r) for r in pathway.close_reasons], "steps": steps}


def messages(pathway: Pathway) -> list[str]:
    """Every text of a definition a user reads (for the translation catalogue)."""
    texts = [pathway.title, pathway.description]
    for step in pathway.steps:
        texts += [step.title, step.description]
        for spec in step.fields:
            texts += [spec.label, spec.hint, *(label for _code, label in spec.options)]
    return [t for t in texts if t]
