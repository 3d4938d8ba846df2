"""Return coordination: the per-country board, countries and focal points, movements with
their readiness check, and signed manifests (contract 7: `GET /returns/board`)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.api.registrations import ERRORS
from app.deps import CryptoDep, CurrentUser, SessionDep
from exports import manifest
from reintegration.returns import board, countries, documents, movements
from reintegration.returns.schemas import (
    BoardDetailsOut,
    BoardOut,
    CandidateOut,
    CountryIn,
    CountryOut,
    DocumentHolderOut,
    DocumentSearchIn,
    ManifestIn,
    MovementIn,
    MovementOut,
    MovementRow,
    MovementStatusIn,
    ReturneesIn,
)

router = APIRouter(prefix="/returns", tags=["returns"])

CHANGE_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    409: {"description": "the movement changed since the version given, or its id was used "
                         "with other data"},
    422: {"description": "invalid input, a move not allowed, or returnees not ready "
                         "(`errors` names each one with the reasons)"},
}


@router.get("/board", response_model=BoardOut, responses=ERRORS,
            summary="Returnees per country by stage")
def returns_board(session: SessionDep, actor: CurrentUser) -> BoardOut:
    """Per country of origin: registered, verified, consenting, documented, ready, departed,
    handed over, non-return branch (the return cases you may see; coordinators: all)."""
    return board.board(session=session, actor=actor)


@router.get("/board/details", response_model=BoardDetailsOut, responses=ERRORS,
            summary="Median days per stage; who is stuck longest and why")
def returns_board_details(session: SessionDep, crypto: CryptoDep,
                          actor: CurrentUser) -> BoardDetailsOut:
    """Median days per stage and country, and the people stuck longest at each stage with
    the reasons (names: an audited read)."""
    return board.details(session=session, crypto=crypto, actor=actor)


@router.post("/cases/by-document", response_model=list[DocumentHolderOut], responses=ERRORS,
             summary="Return cases by travel document number")
def find_by_document(body: DocumentSearchIn, session: SessionDep, crypto: CryptoDep,
                     actor: CurrentUser) -> list[DocumentHolderOut]:
    """The return cases you may see recorded with this travel document number (compared
    by its blind index, letters and digits only); more than one person means the same
    document was recorded on two persons. The search is audited."""
    found = documents.find(session=session, crypto=crypto, actor=actor, number=body.number)
    return found


@router.get("/countries", response_model=list[CountryOut], responses=ERRORS,
            summary="Countries of origin")
def list_countries(session: SessionDep, crypto: CryptoDep,
                   actor: CurrentUser) -> list[CountryOut]:
    """Countries configured or with return cases (without contacts)."""
    return countries.list_countries(session=session, crypto=crypto, actor=actor)


@router.get("/countries/{code}", response_model=CountryOut, responses=ERRORS,
            summary="A country's focal points")
def read_country(code: str, session: SessionDep, crypto: CryptoDep,
                 actor: CurrentUser) -> CountryOut:
    """Receiving authority, agreed crossings and contacts (an audited read)."""
    return countries.read_country(session=session, crypto=crypto, actor=actor, code=code)


@router.put("/countries/{code}", response_model=CountryOut, responses=CHANGE_ERRORS,
            summary="Set a country's focal points")
def save_country(code: str, body: CountryIn, session: SessionDep, crypto: CryptoDep,
                 actor: CurrentUser) -> CountryOut:
    """Set the receiving authority, agreed crossings and contacts (coordinators)."""
    return countries.save_country(session=session, crypto=crypto, actor=actor, code=code,
                                  body=body)


@router.get("/movements", response_model=list[MovementRow], responses=ERRORS,
            summary="Movements")
def list_movements(
    session: SessionDep, actor: CurrentUser,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    status: Annotated[Literal["planned", "confirmed", "departed", "arrived", "cancelled"]
                      | None, Query()] = None,
) -> list[MovementRow]:
    """Movements, soonest first, with how many returnees each has (coordinators)."""
    return movements.list_movements(session=session, actor=actor, country=country,
                                    status=status)


@router.post("/movements", status_code=201, response_model=MovementOut,
             responses=CHANGE_ERRORS, summary="Plan a movement")
def plan_movement(body: MovementIn, response: Response, session: SessionDep,
                  crypto: CryptoDep, actor: CurrentUser) -> MovementOut:
    """Plan a convoy or flight (201); the same `id` and body again answers 200."""
    movement, created = movements.plan(session=session, actor=actor, body=body)
    if not created:
        response.status_code = 200
    return movements.movement_view(session=session, crypto=crypto, actor=actor,
                                   movement_id=movement.id)


@router.get("/movements/{movement_id}", response_model=MovementOut, responses=ERRORS,
            summary="A movement")
def read_movement(movement_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                  actor: CurrentUser) -> MovementOut:
    """The movement with its returnees and the readiness of each (an audited read)."""
    return movements.movement_view(session=session, crypto=crypto, actor=actor,
                                   movement_id=movement_id)


@router.get("/movements/{movement_id}/candidates", response_model=list[CandidateOut],
            responses=ERRORS, summary="Who could join a movement")
def movement_candidates(movement_id: uuid.UUID, session: SessionDep, crypto: CryptoDep,
                        actor: CurrentUser) -> list[CandidateOut]:
    """Open return cases of the movement's country on no movement, ready ones first."""
    return movements.candidates(session=session, crypto=crypto, actor=actor,
                                movement_id=movement_id)


@router.post("/movements/{movement_id}/returnees", response_model=MovementOut,
             responses=CHANGE_ERRORS, summary="Add returnees")
def add_returnees(movement_id: uuid.UUID, body: ReturneesIn, session: SessionDep,
                  crypto: CryptoDep, actor: CurrentUser) -> MovementOut:
    """Put return cases on a planned movement (of its country, open, on no other)."""
    movements.add_returnees(session=session, actor=actor, movement_id=movement_id, body=body)
    return movements.movement_view(session=session, crypto=crypto, actor=actor,
                                   movement_id=movement_id)


@router.delete("/movements/{movement_id}/returnees/{case_id}", response_model=MovementOut,
               responses=CHANGE_ERRORS, summary="Remove a returnee")
def remove_returnee(movement_id: uuid.UUID, case_id: uuid.UUID, session: SessionDep,
                    crypto: CryptoDep, actor: CurrentUser,
                    version: Annotated[int, Query(ge=1)]) -> MovementOut:
    """Take a returnee off a planned or confirmed movement (their *Assigned to a movement*
    step reopens)."""
    movements.remove_returnee(session=session, actor=actor, movement_id=movement_id,
                              case_id=case_id, version=version)
    return movements.movement_view(session=session, crypto=crypto, actor=actor,
                                   movement_id=movement_id)


@router.post("/movements/{movement_id}/status", response_model=MovementOut,
             responses=CHANGE_ERRORS, summary="Confirm, depart, arrive or cancel")
def set_movement_status(movement_id: uuid.UUID, body: MovementStatusIn, session: SessionDep,
                        crypto: CryptoDep, actor: CurrentUser) -> MovementOut:
    """Move a movement on; departure is refused (422) while any returnee is not ready."""
    movements.set_status(session=session, crypto=crypto, actor=actor,
                         movement_id=movement_id, body=body)
    return movements.movement_view(session=session, crypto=crypto, actor=actor,
                                   movement_id=movement_id)


@router.post("/movements/{movement_id}/manifest", responses={
    **CHANGE_ERRORS, 200: {"content": {"application/zip": {}},
                           "description": "the signed, passphrase-encrypted manifest"}},
    response_class=Response, summary="Export the signed manifest")
def export_manifest(movement_id: uuid.UUID, body: ManifestIn, session: SessionDep,
                    crypto: CryptoDep, actor: CurrentUser) -> Response:
    """The movement's manifest (XLSX and PDF, only the fields the receiving side needs) in an
    AES-encrypted zip that opens with the passphrase, watermarked, Ed25519-signed; the export
    is audited with its purpose."""
    exported = manifest.export(session=session, crypto=crypto, actor=actor,
                               movement_id=movement_id, passphrase=body.passphrase,
                               purpose=body.purpose)
    return Response(content=exported.content, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{exported.file_name}"'})


@router.get("/public-key", responses=ERRORS, response_class=Response,
            summary="The manifest signing public key")
def public_key(crypto: CryptoDep, actor: CurrentUser) -> Response:
    """The Ed25519 public key (PEM) that checks manifests."""
    return Response(content=manifest.public_key_pem(crypto), media_type="application/x-pem-file")
