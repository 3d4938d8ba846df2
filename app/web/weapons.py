"""Weapons custody pages: the custody list with filters, a weapon's history, the transfer
form and the receiver's confirmation. Each action calls one service of `app.weapons`."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.core.errors import DomainError, FieldError
from app.core.roles import WEAPONS_OFFICERS
from app.core.security import Principal
from app.core.strict import MAX_PAGE
from app.deps import CryptoDep, SessionDep
from app.registry import reference
from app.weapons import queries, service
from app.weapons.enums import LEAVING, CustodyStatus
from app.weapons.schemas import OutcomeIn, TransferIn, TransferOut
from app.web import deps
from app.web.auth import redirect
from app.web.form_input import errors_by_field, pydantic_errors
from app.web.forms import CONDITION_LABELS
from app.web.i18n import translations
from app.web.rendering import render
from app.web.weapons_labels import (
    EVENT_LABELS,
    STATUS_LABELS,
    TARGET_LABELS,
    TRANSFER_STATUS_LABELS,
    TYPE_LABELS,
)

router = APIRouter(prefix="/weapons", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)

LABELS = {"statuses": STATUS_LABELS, "types": TYPE_LABELS, "targets": TARGET_LABELS,
          "transfer_statuses": TRANSFER_STATUS_LABELS, "events": EVENT_LABELS,
          "conditions": CONDITION_LABELS}


def say(request: Request, message: str) -> str:
    """A service's message in the user's language; `<item>: <reason>` keeps the item and
    translates the reason."""
    catalogue = translations(deps.request_language(request))
    translated = catalogue.gettext(message)
    if translated == message and ": " in message:
        label, reason = message.split(": ", 1)
        return f"{label}: {catalogue.gettext(reason)}"
    return translated


def problems(request: Request, exc: DomainError) -> dict[str, list[str]]:
    """A domain error's messages by field, translated (`form` when no field is named)."""
    errors = exc.errors or [FieldError("form", exc.detail)]
    return {k: [say(request, m) for m in v] for k, v in errors_by_field(errors).items()}


def text(form: FormData, name: str) -> str:
    """A posted text field, stripped."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def ids(form: FormData, name: str) -> list[uuid.UUID]:
    """The ids posted under a name (bad ones dropped: the service then says what is missing)."""
    found = []
    for value in form.getlist(name):
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def sites_for(session: SessionDep, actor: Principal, mine: bool) -> list[Any]:
    """Active sites and depots (only those the caller acts for, when `mine`)."""
    return [s for s in reference.list_sites(session=session, active_only=True)
            if not mine or actor.can_act_for(s.code)]


@router.get("")
def custody_list(request: Request, session: SessionDep, actor: deps.WebUser) -> Response:
    """The custody list: weapons at or handed in at the caller's sites, with filters."""
    params = request.query_params
    chosen = {k: params.get(k, "").strip()[:40] for k in ("site", "status", "weapon_type",
                                                           "calibre", "since", "until")}
    filter_errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for key in ("since", "until"):
        try:
            days[key] = date.fromisoformat(chosen[key]) if chosen[key] else None
        except ValueError:
            days[key], filter_errors[key] = None, "not a valid date"
    if chosen["status"] and chosen["status"] not in CustodyStatus.__members__:
        chosen["status"], filter_errors["status"] = "", "choose one of the options"
    text = params.get("page", "1")
    page = min(max(int(text), 1), MAX_PAGE) if text.isdigit() and len(text) <= 6 else 1
    result = queries.list_weapons(session=session, actor=actor, filters=queries.WeaponFilters(
        site=chosen["site"] or None, status=chosen["status"] or None,
        weapon_type=chosen["weapon_type"] or None, calibre=chosen["calibre"] or None,
        since=days["since"], until=days["until"], page=max(page, 1)))
    template = "weapons/_rows.html" if deps.is_htmx(request) else "weapons/list.html"
    return render(request, template, {
        "result": result, "chosen": chosen, "filter_errors": filter_errors,
        "sites": sites_for(session, actor, mine=not actor.all_sites),
        "pages": max(1, -(-result.total // result.page_size)), **LABELS}, actor=actor)


@router.post("/batch")
def batch(request: Request, session: SessionDep, actor: deps.WeaponsReader,
          form: deps.FormDep) -> Response:
    """The form for what the officer does with the weapons and lots ticked in a list: send
    them to another custodian, or destroy them."""
    weapons, lots = ids(form, "weapons"), ids(form, "lots")
    action = text(form, "action")
    try:
        items = service.selected_items(session=session, actor=actor, weapons=weapons, lots=lots)
    except DomainError as exc:
        return render(request, "weapons/nothing_selected.html",
                      {"problems": problems(request, exc)}, actor=actor, status_code=422)
    if action == "destroy":
        from app.web.weapons_records import destruction_form

        return destruction_form(request, session, actor, items, {}, {})
    return _transfer_form(request, session, actor, items, {"id": str(uuid.uuid4())}, {})


def _transfer_form(request: Request, session: SessionDep, actor: Principal, items: list[Any],
                   values: dict[str, Any], errors: dict[str, list[str]],
                   status_code: int = 200) -> Response:
    return render(request, "weapons/transfer_form.html", {
        "items": items, "values": values, "errors": errors,
        "sites": sites_for(session, actor, mine=False), **LABELS},
        actor=actor, status_code=status_code)


def transfer_input(form: FormData) -> TransferIn:
    """A transfer request from the posted form (pydantic's errors, named by field, on bad
    input)."""
    seals = [s for s in text(form, "seal_numbers").replace(",", " ").split() if s]
    return TransferIn.model_validate({
        "id": text(form, "id"), "weapons": ids(form, "weapons"), "lots": ids(form, "lots"),
        "to_status": text(form, "to_status"), "to_site": text(form, "to_site") or None,
        "seal_numbers": seals, **{k: text(form, k) or None for k in (
            "receiving_unit", "receiving_person", "receipt_reference", "note")}})


@router.post("/transfers")
def send_transfer(request: Request, session: SessionDep, crypto: CryptoDep,
                  actor: deps.WeaponsReader, form: deps.FormDep) -> Response:
    """Send the batch: a pending transfer, shown with what the receiver has to do."""
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "weapons"}
    try:
        body = transfer_input(form)
        with session.begin_nested():  # a refusal leaves nothing behind, the page still shows
            transfer, _created = service.send(session=session, crypto=crypto, actor=actor,
                                              body=body)
    except ValidationError as exc:
        errors = errors_by_field(pydantic_errors(exc))
    except DomainError as exc:
        errors = problems(request, exc)
    else:
        return redirect(request, f"/weapons/transfers/{transfer.id}?sent=1")
    items = service.selected_items(session=session, actor=actor, weapons=ids(form, "weapons"),
                                   lots=ids(form, "lots"))
    return _transfer_form(request, session, actor, items, values,
                          {k: [say(request, m) for m in v] for k, v in errors.items()},
                          status_code=422)


def _transfer_page(request: Request, actor: Principal, transfer: TransferOut,
                   errors: dict[str, list[str]] | None = None,
                   status_code: int = 200) -> Response:
    receiving_site = transfer.from_site if transfer.to_status in LEAVING else transfer.to_site
    pending = transfer.status == "pending"
    return render(request, "weapons/transfer.html", {
        "t": transfer, "errors": errors or {}, "sent": request.query_params.get("sent"),
        "can_receive": pending and actor.role in WEAPONS_OFFICERS
        and actor.can_act_for(receiving_site) and actor.username != transfer.sender,
        "can_withdraw": pending and (actor.username == transfer.sender
                                     or actor.role == "admin"),
        "leaving": transfer.to_status in LEAVING, **LABELS}, actor=actor,
        status_code=status_code)


@router.get("/transfers")
def transfers(request: Request, session: SessionDep, crypto: CryptoDep,
              actor: deps.WebUser) -> Response:
    """Transfers waiting for a receiver at the caller's sites (and those they sent)."""
    status = request.query_params.get("status", "pending")
    if status not in TRANSFER_STATUS_LABELS:
        status = "pending"
    items = service.list_transfers(session=session, crypto=crypto, actor=actor, status=status)
    return render(request, "weapons/transfers.html", {"items": items, "status": status,
                                                       **LABELS}, actor=actor)


@router.get("/transfers/{transfer_id}")
def transfer(request: Request, transfer_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
             actor: deps.WebUser) -> Response:
    """A transfer, with the receiver's confirmation form while it is pending."""
    found = service.read_transfer(session=session, crypto=crypto, actor=actor,
                                  transfer_id=transfer_id)
    return _transfer_page(request, actor, found)


@router.post("/transfers/{transfer_id}/outcome")
def settle(request: Request, transfer_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
           actor: deps.WeaponsReader, form: deps.FormDep) -> Response:
    """Confirm or refuse the transfer (receiver), or withdraw it (sender)."""
    try:
        body = OutcomeIn.model_validate({
            "outcome": text(form, "outcome"), "note": text(form, "note") or None,
            "seals_intact": {"yes": True, "no": False}.get(text(form, "seals_intact"))})
        with session.begin_nested():  # a refusal leaves nothing behind, the page still shows
            service.settle(session=session, crypto=crypto, actor=actor,
                           transfer_id=transfer_id, body=body)
    except ValidationError as exc:
        errors = {k: [say(request, m) for m in v]
                  for k, v in errors_by_field(pydantic_errors(exc)).items()}
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        errors = problems(request, exc)
    else:
        return redirect(request, f"/weapons/transfers/{transfer_id}")
    found = service.read_transfer(session=session, crypto=crypto, actor=actor,
                                  transfer_id=transfer_id)
    return _transfer_page(request, actor, found, errors, status_code=422)


@router.get("/{weapon_id}")
def weapon(request: Request, weapon_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
           actor: deps.WebUser) -> Response:
    """A weapon's markings and its whole chain of custody (an audited read)."""
    detail = queries.read_weapon(session=session, crypto=crypto, actor=actor,
                                 weapon_id=weapon_id)
    return render(request, "weapons/weapon.html", {"w": detail, **LABELS}, actor=actor)
