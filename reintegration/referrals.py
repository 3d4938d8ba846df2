"""Service providers (a directory administrators keep) and referrals of cases to them, with
the provider's answer: sent -> accepted or rejected (with the reason) -> completed, or completed
unsuccessfully."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, col, or_, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import FieldError, Forbidden, NotFound, ValidationFailed
from app.core.roles import Role
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.registry.models import Site
from reintegration.access import require_case_worker, scoped_case
from reintegration.enums import (
    REFERRAL_TRANSITIONS,
    CaseStatus,
    EventKind,
    ReferralStatus,
)
from reintegration.models import Case, Referral, ServiceProvider
from reintegration.pathways import definition
from reintegration.schemas import (
    ProviderIn,
    ProviderOut,
    ProviderPatch,
    ReferralIn,
    ReferralOut,
    ReferralUpdateIn,
)
from reintegration.timeline import append, check_version, claim

# -- the directory ---------------------------------------------------------------------------


def provider_view(crypto: FieldCrypto, provider: ServiceProvider) -> ProviderOut:
    """A provider with its contact decrypted."""
    return ProviderOut(id=provider.id, name=provider.name,
                       services=[s for s in provider.services.split(",") if s],
                       site=provider.site_code, location=provider.location,
                       contact=unseal(crypto, provider)["contact"], active=provider.active)


def list_providers(*, session: Session, actor: Principal, service: str | None = None,
                   site: str | None = None, active_only: bool = True) -> list[ServiceProvider]:
    """Providers, by name; with `site`, those serving it (or everywhere)."""
    require_case_worker(actor)
    query = select(ServiceProvider)
    if active_only:
        query = query.where(col(ServiceProvider.active))
    if site:
        query = query.where(or_(col(ServiceProvider.site_code).is_(None),
                                col(ServiceProvider.site_code) == site.upper()))
    rows = session.exec(query.order_by(col(ServiceProvider.name))).all()
    return [p for p in rows if service is None or service in p.services.split(",")]


def _require_admin(actor: Principal) -> None:
    if actor.role != Role.admin:
        raise Forbidden("only an administrator manages service providers")


def _site(session: Session, code: str | None) -> str | None:
    if code is None or code == "":
        return None
    site = session.get(Site, code.upper())
    if site is None:
        raise ValidationFailed([FieldError("site", "unknown site code")])
    return site.code


def create_provider(*, session: Session, crypto: FieldCrypto, actor: Principal,
                    body: ProviderIn) -> ServiceProvider:
    """Add a provider to the directory (administrators)."""
    _require_admin(actor)
    provider = ServiceProvider(name=body.name, services=",".join(dict.fromkeys(body.services)),
                               site_code=_site(session, body.site), location=body.location)
    seal(crypto, provider, {"contact": body.contact})
    session.add(provider)
    session.flush()
    record_event(session=session, actor=actor, action="provider.create",
                 object_type="service_provider", object_id=str(provider.id))
    return provider


def update_provider(*, session: Session, crypto: FieldCrypto, actor: Principal,
                    provider_id: uuid.UUID, body: ProviderPatch) -> ServiceProvider:
    """Change a provider, or deactivate it (administrators)."""
    _require_admin(actor)
    provider = session.get(ServiceProvider, provider_id)
    if provider is None:
        raise NotFound("service provider not found")
    changes = body.model_dump(exclude_unset=True)
    if "name" in changes and body.name:
        provider.name = body.name
    if body.services is not None:
        if not body.services:
            raise ValidationFailed([FieldError("services", "at least one")])
        provider.services = ",".join(dict.fromkeys(body.services))
    if "site" in changes:
        provider.site_code = _site(session, body.site)
    if body.location is not None:
        provider.location = body.location
    if "contact" in changes:
        seal(crypto, provider, {"contact": body.contact})
    if body.active is not None:
        provider.active = body.active
    session.add(provider)
    session.flush()
    record_event(session=session, actor=actor, action="provider.update",
                 object_type="service_provider", object_id=str(provider.id),
                 details={"fields": sorted(changes)})
    return provider


# -- referrals -------------------------------------------------------------------------------


def refer(*, session: Session, crypto: FieldCrypto, actor: Principal, case_id: uuid.UUID,
          body: ReferralIn) -> Referral:
    """Refer a case to a provider for one of its services."""
    case = scoped_case(session, actor, case_id)
    check_version(session, case, body.version)
    if case.status != CaseStatus.open:
        raise ValidationFailed([FieldError("status", "the case is not open: resume or reopen "
                                                     "it first")])
    provider = session.get(ServiceProvider, body.provider_id)
    if provider is None or not provider.active:
        raise ValidationFailed([FieldError("provider_id", "no such active provider")])
    if body.service not in provider.services.split(","):
        raise ValidationFailed([FieldError("service", "not offered by this provider")])
    if provider.site_code not in (None, case.site_code):
        raise ValidationFailed([FieldError("provider_id", "serves another site")])
    pathway = definition(case.pathway, case.pathway_version)
    if body.step is not None and pathway.step(body.step) is None:
        raise ValidationFailed([FieldError("step", "not a step of this case's pathway")])
    sent_on = body.sent_on or date.today()
    if sent_on > date.today():
        raise ValidationFailed([FieldError("sent_on", "is in the future")])
    claim(session, case, body.version)
    referral = Referral(case_id=case.id, provider_id=provider.id, step_key=body.step,
                        service=body.service, sent_on=sent_on, created_by_id=actor.id)
    session.add(referral)
    append(session=session, crypto=crypto, actor=actor, case=case, kind=EventKind.referral,
           on=sent_on, step=body.step, after=ReferralStatus.sent,
           facts={"referral": str(referral.id), "provider": provider.name,
                  "service": str(body.service)},
           sealed={"note": body.note})
    session.flush()
    return referral


def update_referral(*, session: Session, crypto: FieldCrypto, actor: Principal,
                    case_id: uuid.UUID, referral_id: uuid.UUID,
                    body: ReferralUpdateIn) -> Referral:
    """Record the provider's answer (accepted, rejected with a reason) or the referral's
    end (completed, completed unsuccessfully), with the provider's feedback."""
    case = scoped_case(session, actor, case_id)
    referral = session.get(Referral, referral_id)
    if referral is None or referral.case_id != case.id:
        raise NotFound("referral not found")
    check_version(session, case, body.version)
    before = ReferralStatus(referral.status)
    if body.status not in REFERRAL_TRANSITIONS[before]:
        raise ValidationFailed([FieldError("status", f"a referral cannot go from {before} to "
                                                     f"{body.status}")])
    if body.status == ReferralStatus.rejected and not body.reason:
        raise ValidationFailed([FieldError("reason", "say why the provider rejected it")])
    on = body.on or date.today()
    if on > date.today() or on < referral.sent_on:
        raise ValidationFailed([FieldError("on", "between the day it was sent and today")])
    claim(session, case, body.version)
    referral.status = body.status
    if body.status in (ReferralStatus.accepted, ReferralStatus.rejected):
        referral.responded_on = on
    else:
        referral.finished_on = on
    current = unseal(crypto, referral)
    seal(crypto, referral, {"reason": body.reason or current["reason"],
                            "feedback": body.feedback or current["feedback"]})
    session.add(referral)
    provider = session.get(ServiceProvider, referral.provider_id)
    append(session=session, crypto=crypto, actor=actor, case=case, kind=EventKind.referral,
           on=on, step=referral.step_key, before=before, after=body.status,
           facts={"referral": str(referral.id),
                  "provider": provider.name if provider else None,
                  "service": referral.service},
           sealed={"note": body.reason, "values": {"feedback": body.feedback}
                   if body.feedback else {}})
    session.flush()
    return referral


def referral_views(session: Session, crypto: FieldCrypto, case: Case) -> list[ReferralOut]:
    """A case's referrals, oldest first, with the provider's answers decrypted."""
    rows = session.exec(select(Referral, ServiceProvider.name)
                        .join(ServiceProvider,
                              col(ServiceProvider.id) == col(Referral.provider_id))
                        .where(Referral.case_id == case.id)
                        .order_by(col(Referral.sent_on), col(Referral.updated_at))).all()
    views = []
    for referral, provider in rows:
        text = unseal(crypto, referral)
        views.append(ReferralOut(
            id=referral.id, provider_id=referral.provider_id, provider=provider,
            service=referral.service, step=referral.step_key, status=referral.status,
            sent_on=referral.sent_on, responded_on=referral.responded_on,
            finished_on=referral.finished_on, reason=text["reason"], feedback=text["feedback"],
            next_statuses=[str(s) for s in
                           sorted(REFERRAL_TRANSITIONS[ReferralStatus(referral.status)])]))
    return views
