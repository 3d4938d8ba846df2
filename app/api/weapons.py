"""Weapons and ammunition custody: the custody list, a weapon's history, transfers and their
confirmation, ammunition, destruction and its certificate, stock counts, tracing lists and
the reconciliation report (contract 9)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.core.strict import EARLIEST_DAY, LATEST_DAY, MAX_PAGE
from app.deps import (
    AdminUser,
    CryptoDep,
    CurrentUser,
    SessionDep,
    WeaponsOfficer,
    WeaponsReader,
)
from app.weapons import destruction, queries, reconciliation, service, stock, tracing
from app.weapons.enums import CustodyStatus
from app.weapons.schemas import (
    DestructionIn,
    DestructionOut,
    LotIn,
    LotOut,
    OutcomeIn,
    ReconciliationOut,
    StockCountIn,
    StockCountOut,
    TracingListIn,
    TracingListOut,
    TransferIn,
    TransferListOut,
    TransferOut,
    WeaponDetail,
    WeaponListOut,
)

router = APIRouter(prefix="/weapons", tags=["weapons"])

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "not authenticated"},
    403: {"description": "role or site not allowed"},
    404: {"description": "not found, or outside your sites"},
    409: {"description": "conflict: a move the custody rules refuse (named), an item changed "
                         "meanwhile, a transfer already settled, an id reused"},
    422: {"description": "invalid input; `errors` names each field"},
}
CREATED: dict[int | str, dict[str, object]] = {
    200: {"description": "replay of an earlier request with the same id and body"}, **ERRORS}


@router.get("", response_model=WeaponListOut, responses=ERRORS, summary="Custody list")
def list_weapons(
    session: SessionDep, actor: CurrentUser,
    site: Annotated[str | None, Query(description="where the weapons are now")] = None,
    status: CustodyStatus | None = None,
    weapon_type: str | None = None,
    calibre: str | None = None,
    handover_site: str | None = None,
    since: Annotated[date | None, Query(description="handed in from")] = None,
    until: Annotated[date | None, Query(description="handed in until")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> WeaponListOut:
    """Weapons at or handed in at your sites, with their custody status (no serials)."""
    return queries.list_weapons(session=session, actor=actor, filters=queries.WeaponFilters(
        site=site, status=status, weapon_type=weapon_type, calibre=calibre,
        handover_site=handover_site, since=since, until=until, page=page,
        page_size=page_size))


@router.get("/reconciliation", response_model=ReconciliationOut, responses=ERRORS,
            summary="Reconciliation per site and depot")
def reconcile(
    session: SessionDep, actor: CurrentUser,
    as_of: Annotated[date | None, Query(description="at the end of this day (default: "
                                                    "now)", ge=EARLIEST_DAY,
                                        le=LATEST_DAY)] = None,
    site: str | None = None,
) -> ReconciliationOut:
    """Per site: weapons handed in and where they are now (in storage, in transit,
    destroyed, transferred, unaccounted), what the location holds, every discrepancy."""
    return reconciliation.reconcile(session=session, actor=actor, as_of=as_of,
                                    site=site.upper() if site else None)


@router.post("/transfers", status_code=201, response_model=TransferOut, responses=CREATED,
             summary="Send a batch to another custodian")
def send_transfer(body: TransferIn, response: Response, session: SessionDep,
                  crypto: CryptoDep, actor: WeaponsReader) -> TransferOut:
    """A pending transfer: custody changes only when the receiver confirms it."""
    transfer, created = service.send(session=session, crypto=crypto, actor=actor, body=body)
    if not created:
        response.status_code = 200
    return service.transfer_view(session=session, crypto=crypto, transfer=transfer)


@router.get("/transfers", response_model=TransferListOut, responses=ERRORS,
            summary="Transfers from or to your sites")
def list_transfers(
    session: SessionDep, crypto: CryptoDep, actor: CurrentUser,
    status: Annotated[str, Query(pattern="^(pending|confirmed|refused|cancelled)$")]
    = "pending",
) -> TransferListOut:
    """Transfers from or to your sites, newest first (pending ones by default)."""
    return TransferListOut(items=service.list_transfers(session=session, crypto=crypto,
                                                        actor=actor, status=status))


@router.get("/transfers/{transfer_id}", response_model=TransferOut, responses=ERRORS,
            summary="Read a transfer")
def read_transfer(transfer_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                  actor: CurrentUser) -> TransferOut:
    """A transfer with its items and outcome (audited)."""
    return service.read_transfer(session=session, crypto=crypto, actor=actor,
                                 transfer_id=transfer_id)


@router.post("/transfers/{transfer_id}/outcome", response_model=TransferOut,
             responses=ERRORS, summary="Confirm, refuse or withdraw a transfer")
def settle_transfer(transfer_id: uuid.UUID, body: OutcomeIn, session: SessionDep,
                    crypto: CryptoDep, actor: WeaponsReader) -> TransferOut:
    """The receiver confirms (custody moves) or refuses it; the sender may withdraw it."""
    transfer = service.settle(session=session, crypto=crypto, actor=actor,
                              transfer_id=transfer_id, body=body)
    return service.transfer_view(session=session, crypto=crypto, transfer=transfer)


@router.post("/ammunition", status_code=201, response_model=LotOut, responses=CREATED,
             summary="Record ammunition or explosives handed in")
def record_lot(body: LotIn, response: Response, session: SessionDep, crypto: CryptoDep,
               actor: WeaponsReader) -> LotOut:
    """A lot by calibre or type, lot number, quantity and condition."""
    lot, created = destruction.record_lot(session=session, crypto=crypto, actor=actor,
                                          body=body)
    if not created:
        response.status_code = 200
    return destruction.lot_view(lot)


@router.get("/ammunition", response_model=list[LotOut], responses=ERRORS,
            summary="Ammunition lots")
def list_lots(session: SessionDep, actor: CurrentUser, site: str | None = None,
              status: CustodyStatus | None = None) -> list[LotOut]:
    """Ammunition lots at your sites."""
    return destruction.list_lots(session=session, actor=actor, site=site, status=status)


@router.post("/destructions", status_code=201, response_model=DestructionOut,
             responses=CREATED, summary="Record a destruction")
def destroy(body: DestructionIn, response: Response, session: SessionDep, crypto: CryptoDep,
            actor: WeaponsOfficer) -> DestructionOut:
    """Weapons and lots destroyed together; each becomes destroyed and can never move."""
    event, created = destruction.destroy(session=session, crypto=crypto, actor=actor,
                                         body=body)
    if not created:
        response.status_code = 200
    return destruction.destruction_view(session=session, crypto=crypto, event=event)


@router.get("/destructions/{destruction_id}", response_model=DestructionOut, responses=ERRORS,
            summary="Read a destruction")
def read_destruction(destruction_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                     actor: CurrentUser) -> DestructionOut:
    """A destruction event with what was destroyed (audited: it names witnesses)."""
    return destruction.read_destruction(session=session, crypto=crypto, actor=actor,
                                        destruction_id=destruction_id)


@router.get("/destructions/{destruction_id}/certificate", responses={
    200: {"content": {"application/pdf": {}}, "description": "the certificate"}, **ERRORS},
    response_class=Response, summary="Destruction certificate (PDF, Arabic and English)")
def certificate(destruction_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                actor: CurrentUser) -> Response:
    """The destruction certificate in Arabic and English (audited)."""
    name, pdf = destruction.certificate(session=session, crypto=crypto, actor=actor,
                                        destruction_id=destruction_id)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/stock-counts", status_code=201, response_model=StockCountOut, responses=CREATED,
             summary="Record a stock count")
def record_count(body: StockCountIn, response: Response, session: SessionDep,
                 crypto: CryptoDep, actor: WeaponsOfficer) -> StockCountOut:
    """Serials or receipt numbers found at a location, compared with the records."""
    result, created = stock.record_count(session=session, crypto=crypto, actor=actor, body=body)
    if not created:
        response.status_code = 200
    return result


@router.get("/stock-counts/{count_id}", response_model=StockCountOut, responses=ERRORS,
            summary="Read a stock count")
def read_count(count_id: uuid.UUID, session: SessionDep, actor: CurrentUser) -> StockCountOut:
    """A stock count and its differences."""
    return stock.read_count(session=session, actor=actor, count_id=count_id)


@router.post("/tracing-lists", status_code=201, response_model=TracingListOut,
             responses=CREATED, summary="Upload a tracing list (admin)")
def upload_tracing_list(body: TracingListIn, response: Response, session: SessionDep,
                        crypto: CryptoDep, actor: AdminUser) -> TracingListOut:
    """Serials of lost, stolen or sought weapons, kept as blind indexes only; weapons handed
    in with one raise a signal for review."""
    result, created = tracing.upload(session=session, crypto=crypto, actor=actor, body=body)
    if not created:
        response.status_code = 200
    return result


@router.get("/tracing-lists", response_model=list[TracingListOut], responses=ERRORS,
            summary="Tracing lists (admin)")
def tracing_lists(session: SessionDep, crypto: CryptoDep,
                  actor: AdminUser) -> list[TracingListOut]:
    """Every tracing list with its size and hits (never a serial)."""
    return tracing.list_lists(session=session, crypto=crypto, actor=actor)


@router.get("/{weapon_id}", response_model=WeaponDetail, responses=ERRORS,
            summary="A weapon and its chain of custody")
def read_weapon(weapon_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                actor: CurrentUser) -> WeaponDetail:
    """A weapon's markings, `custody_status` and `history` (contract 9; audited)."""
    return queries.read_weapon(session=session, crypto=crypto, actor=actor, weapon_id=weapon_id)
