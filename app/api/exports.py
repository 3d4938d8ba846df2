"""Individual-level exports (case managers and administrators): a caseload list or a referral
as an AES-encrypted ZIP, with an allow-list of fields, a purpose, an expiry, a watermark and an
audit entry for every record."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from app.core.strict import Flag, Strict
from app.deps import CryptoDep, CurrentUser, SessionDep
from exports.individual import ExportRequest, export_individuals

router = APIRouter(prefix="/exports", tags=["exports"])


class IndividualExportIn(Strict):
    """What an individual-level export needs: every safeguard is required."""

    model_config = ConfigDict(extra="forbid")

    site: str = Field(max_length=8, description="the site whose records are exported")
    fields: list[str] = Field(max_length=20, description="fields from the allow-list")
    purpose: str = Field(max_length=300, description="why the records leave the register")
    expires_on: date = Field(description="the day by which the file is to be deleted")
    passphrase: str = Field(max_length=200, description="encrypts the ZIP (AES-256)")
    only_open_cases: Flag = Field(default=True, description="the open caseload only")


@router.post("/individual", summary="Export individual records (encrypted)",
             responses={200: {"description": "the encrypted ZIP",
                              "content": {"application/zip": {}}},
                        401: {"description": "not authenticated"},
                        403: {"description": "not a case manager or administrator of the site"},
                        422: {"description": "a safeguard is missing; `errors` names it"}})
def individual_export(body: IndividualExportIn, session: SessionDep, crypto: CryptoDep,
                      actor: CurrentUser) -> Response:
    """Write the encrypted, watermarked records of a site; registered and audited."""
    result = export_individuals(session=session, crypto=crypto, actor=actor, request=ExportRequest(
        fields=body.fields, purpose=body.purpose, expires_on=body.expires_on,
        passphrase=body.passphrase, site=body.site, only_open_cases=body.only_open_cases))
    return Response(result.content, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{result.file_name}"',
        "X-Export-Id": str(result.id)})
