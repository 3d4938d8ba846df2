"""Case management: pathway definitions, the board, cases with their steps, timeline,
referrals and payments, workloads, and the service-provider directory (contract 7)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from app.api.registrations import ERRORS
from app.core.strict import MAX_ROW_ID
from app.deps import AdminUser, CryptoDep, CurrentUser, SessionDep
from reintegration import board, payments, referrals, service
from reintegration.engine import pathway_json
from reintegration.pathways import all_pathways
from reintegration.schemas import (
    AssignIn,
    BoardFilters,
    BoardOut,
    CaseListOut,
    CaseOut,
    InstalmentsIn,
    NoteIn,
    PathwayOut,
    PaymentIn,
    ProviderIn,
    ProviderOut,
    ProviderPatch,
    ReferralIn,
    ReferralUpdateIn,
    StatusIn,
    StepIn,
    WorkloadOut,
)
from reintegration.views import case_view, view_of

router = APIRouter(tags=["cases"])

CHANGE_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    409: {"description": "the case changed since the version given: `current_version` and "
                         "`changes` say what changed; or, for a payment, the instalment was "
                         "already paid (`paid` names the first payment)"},
    422: {"description": "invalid input, a transition the pathway does not allow, or a "
                         "prerequisite missing: `errors` names each"},
}


class CaseListFilters(BaseModel):
    """Which cases to list."""

    model_config = ConfigDict(extra="forbid")
    assigned_to: Annotated[int, Field(ge=1, le=MAX_ROW_ID)] | Literal["none"] | None = Field(
        default=None, description="a user id, or none for unassigned cases")
    site: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,8}$")
    pathway: str | None = Field(default=None, pattern=r"^[a-z_]{2,32}$")
    status: Literal["open", "suspended", "closed"] | None = "open"
    due: Literal["overdue", "week"] | None = Field(
        default=None, description="only cases with a step overdue, or next due this week")
    page: int = Field(default=1, ge=1, le=10_000)
    page_size: int = Field(default=50, ge=1, le=200)


@router.get("/pathways", response_model=list[PathwayOut], responses=ERRORS,
            summary="Pathway definitions")
def pathways(actor: CurrentUser) -> list[dict[str, object]]:
    """Every pathway definition, by key and version: its steps with their allowed statuses
    and transitions, the roles that may make each, prerequisites, due times, fields and
    branches."""
    return [pathway_json(p) for p in all_pathways()]


@router.get("/cases/board", response_model=BoardOut, responses=ERRORS,
            summary="The case manager's board")
def case_board(filters: Annotated[BoardFilters, Query()], session: SessionDep,
               crypto: CryptoDep, actor: CurrentUser) -> BoardOut:
    """My open cases, unassigned cases of my sites, cases overdue (most overdue first) and due
    this week with their most urgent step, cases by status and by step; filtered by site and
    pathway (audited)."""
    return board.board(session=session, crypto=crypto, actor=actor, filters=filters)


@router.get("/cases/workload", response_model=WorkloadOut, responses=ERRORS,
            summary="Case managers' workloads")
def case_workload(session: SessionDep, actor: CurrentUser,
                  site: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,8}$")] = None
                  ) -> WorkloadOut:
    """Open cases, cases overdue and cases due this week per case manager (supervisors)."""
    return board.workload(session=session, actor=actor, site=site)


@router.get("/cases", response_model=CaseListOut, responses=ERRORS, summary="List cases")
def list_cases(filters: Annotated[CaseListFilters, Query()], session: SessionDep,
               crypto: CryptoDep, actor: CurrentUser) -> CaseListOut:
    """A page of the cases you may see, soonest due first (audited)."""
    total, items = board.case_list(session=session, crypto=crypto, actor=actor,
                                   assigned_to=filters.assigned_to, site=filters.site,
                                   pathway=filters.pathway, status=filters.status,
                                   due=filters.due, page=filters.page,
                                   page_size=filters.page_size)
    return CaseListOut(total=total, page=filters.page, page_size=filters.page_size,
                       items=items)


@router.get("/cases/{case_id}", response_model=CaseOut, responses=ERRORS, summary="A case")
def read_case(case_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
              actor: CurrentUser) -> CaseOut:
    """The case with its steps (status, due date, what each recorded), timeline, referrals
    and instalments (audited). Children's cases exist only for users authorised for
    children."""
    return case_view(session=session, crypto=crypto, actor=actor, case_id=case_id)


@router.post("/cases/{case_id}/steps/{step_key}", response_model=CaseOut,
             responses=CHANGE_ERRORS, summary="Move a step")
def move_step(case_id: uuid.UUID, step_key: str, body: StepIn, session: SessionDep,
              crypto: CryptoDep, actor: CurrentUser) -> CaseOut:
    """Move a step to a status with what it records; answers the case at its next version.
    409 when `version` is not the case's; 422 naming the transition not allowed or each
    missing prerequisite."""
    case = service.transition(session=session, crypto=crypto, actor=actor, case_id=case_id,
                              step_key=step_key, body=body)
    return view_of(session=session, crypto=crypto, actor=actor, case=case, audit=False)


@router.post("/cases/{case_id}/assignment", response_model=CaseOut, responses=CHANGE_ERRORS,
             summary="Assign a case")
def assign_case(case_id: uuid.UUID, body: AssignIn, session: SessionDep, crypto: CryptoDep,
                actor: CurrentUser) -> CaseOut:
    """Give the case to a case manager (supervisors), take it yourself (case managers), or
    leave it to nobody."""
    case = service.assign(session=session, crypto=crypto, actor=actor, case_id=case_id,
                          body=body)
    return view_of(session=session, crypto=crypto, actor=actor, case=case, audit=False)


@router.post("/cases/{case_id}/notes", response_model=CaseOut, responses=CHANGE_ERRORS,
             summary="Add a note")
def add_note(case_id: uuid.UUID, body: NoteIn, session: SessionDep, crypto: CryptoDep,
             actor: CurrentUser) -> CaseOut:
    """Add a note to the timeline (stored encrypted)."""
    case = service.add_note(session=session, crypto=crypto, actor=actor, case_id=case_id,
                            body=body)
    return view_of(session=session, crypto=crypto, actor=actor, case=case, audit=False)


@router.post("/cases/{case_id}/status", response_model=CaseOut, responses=CHANGE_ERRORS,
             summary="Suspend, resume, close or reopen")
def set_case_status(case_id: uuid.UUID, body: StatusIn, session: SessionDep,
                    crypto: CryptoDep, actor: CurrentUser) -> CaseOut:
    """Suspend or resume the case, close it with a reason (completed: every step settled), or
    reopen it (supervisors)."""
    case = service.set_status(session=session, crypto=crypto, actor=actor, case_id=case_id,
                              body=body)
    return view_of(session=session, crypto=crypto, actor=actor, case=case, audit=False)


@router.put("/cases/{case_id}/instalments", response_model=CaseOut, responses=CHANGE_ERRORS,
            summary="Plan instalments")
def plan_instalments(case_id: uuid.UUID, body: InstalmentsIn, session: SessionDep,
                     crypto: CryptoDep, actor: CurrentUser) -> CaseOut:
    """Set the instalments still to pay (amount, currency, due date); planned ones not listed
    are cancelled, paid ones never change."""
    case = payments.plan_instalments(session=session, crypto=crypto, actor=actor,
                                     case_id=case_id, body=body)
    return view_of(session=session, crypto=crypto, actor=actor, case=case, audit=False)


@router.post("/cases/{case_id}/payments", status_code=201, response_model=CaseOut,
             responses=CHANGE_ERRORS, summary="Record a payment")
def record_payment(case_id: uuid.UUID, body: PaymentIn, session: SessionDep,
                   crypto: CryptoDep, actor: CurrentUser) -> CaseOut:
    """Record the payment of a planned instalment (date, method, reference). The same
    instalment again, in this case or to the same person through another case (a merged
    duplicate registration), is refused with 409 naming the first payment."""
    payment = payments.refusing_double_claims(
        session=session, actor=actor, act=lambda: payments.record_payment(
            session=session, crypto=crypto, actor=actor, case_id=case_id, body=body))
    assert payment.case_id is not None
    return case_view(session=session, crypto=crypto, actor=actor, case_id=payment.case_id,
                     audit=False)


@router.post("/cases/{case_id}/referrals", status_code=201, response_model=CaseOut,
             responses=CHANGE_ERRORS, summary="Refer to a service provider")
def refer(case_id: uuid.UUID, body: ReferralIn, session: SessionDep, crypto: CryptoDep,
          actor: CurrentUser) -> CaseOut:
    """Refer the case to a provider for one of its services (optionally from a step)."""
    referrals.refer(session=session, crypto=crypto, actor=actor, case_id=case_id, body=body)
    return case_view(session=session, crypto=crypto, actor=actor, case_id=case_id,
                     audit=False)


@router.post("/cases/{case_id}/referrals/{referral_id}", response_model=CaseOut,
             responses=CHANGE_ERRORS, summary="Update a referral")
def update_referral(case_id: uuid.UUID, referral_id: uuid.UUID, body: ReferralUpdateIn,
                    session: SessionDep, crypto: CryptoDep, actor: CurrentUser) -> CaseOut:
    """Record the provider's answer (accepted; rejected with the reason) or the end of the
    service (completed, completed unsuccessfully), with the provider's feedback."""
    referrals.update_referral(session=session, crypto=crypto, actor=actor, case_id=case_id,
                              referral_id=referral_id, body=body)
    return case_view(session=session, crypto=crypto, actor=actor, case_id=case_id,
                     audit=False)


@router.get("/service-providers", response_model=list[ProviderOut], responses=ERRORS,
            summary="Service providers")
def list_providers(session: SessionDep, crypto: CryptoDep, actor: CurrentUser,
                   service_code: Annotated[str | None, Query(alias="service")] = None,
                   site: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,8}$")] = None
                   ) -> list[ProviderOut]:
    """Active providers, optionally those offering a service or serving a site."""
    return [referrals.provider_view(crypto, p) for p in referrals.list_providers(
        session=session, actor=actor, service=service_code, site=site)]


@router.post("/service-providers", status_code=201, response_model=ProviderOut,
             responses=ERRORS, summary="Add a service provider")
def create_provider(body: ProviderIn, session: SessionDep, crypto: CryptoDep,
                    actor: AdminUser) -> ProviderOut:
    """Add a provider to the directory (administrators)."""
    provider = referrals.create_provider(session=session, crypto=crypto, actor=actor,
                                         body=body)
    return referrals.provider_view(crypto, provider)


@router.patch("/service-providers/{provider_id}", response_model=ProviderOut,
              responses=ERRORS, summary="Change a service provider")
def update_provider(provider_id: uuid.UUID, body: ProviderPatch, session: SessionDep,
                    crypto: CryptoDep, actor: AdminUser) -> ProviderOut:
    """Change a provider, or deactivate it (administrators)."""
    provider = referrals.update_provider(session=session, crypto=crypto, actor=actor,
                                         provider_id=provider_id, body=body)
    return referrals.provider_view(crypto, provider)
