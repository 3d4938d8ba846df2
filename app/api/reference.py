"""Sites and the managed list of armed groups: everyone reads, admins change."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from app.core.strict import Flag, Strict
from app.deps import AdminUser, CurrentUser, RowId, SessionDep
from app.registry import reference

router = APIRouter(tags=["reference"])


class SiteOut(BaseModel):
    """A registration site."""

    model_config = ConfigDict(from_attributes=True)
    code: str
    name_en: str
    name_ar: str
    region: str
    active: bool


class SiteIn(Strict):
    """A new site."""
    code: str = Field(examples=["GHD"])
    name_en: str = Field(examples=["Gharyan"])
    name_ar: str = Field(examples=["غريان"])
    region: str = ""


class SitePatch(Strict):
    """Changes to a site."""
    name_en: str | None = None
    name_ar: str | None = None
    region: str | None = None
    active: Flag | None = None


class ArmedGroupOut(BaseModel):
    """An armed group of the managed list."""

    id: int
    code: str
    name_en: str
    name_ar: str
    aliases: list[str]
    active: bool


class ArmedGroupIn(Strict):
    """A new armed group."""
    code: str = Field(examples=["TPF"])
    name_en: str = Field(examples=["Tripoli Protection Force"])
    name_ar: str = Field(examples=["قوة حماية طرابلس"])
    aliases: list[str] = []


class ArmedGroupPatch(Strict):
    """Changes to an armed group."""
    name_en: str | None = None
    name_ar: str | None = None
    aliases: list[str] | None = None
    active: Flag | None = None


def _group(g: reference.ArmedGroup) -> ArmedGroupOut:
    assert g.id is not None
    return ArmedGroupOut(id=g.id, code=g.code, name_en=g.name_en, name_ar=g.name_ar,
                         aliases=[a for a in g.aliases.splitlines() if a], active=g.active)


@router.get("/sites", response_model=list[SiteOut], summary="List sites")
def list_sites(session: SessionDep, actor: CurrentUser) -> list[SiteOut]:
    """All registration sites."""
    return [SiteOut.model_validate(s) for s in reference.list_sites(session=session)]


@router.post("/sites", status_code=201, response_model=SiteOut, summary="Add a site",
             responses={409: {"description": "a site with this code exists"}})
def create_site(body: SiteIn, session: SessionDep, actor: AdminUser) -> SiteOut:
    """Add a registration site (admins)."""
    site = reference.create_site(session=session, actor=actor, **body.model_dump())
    return SiteOut.model_validate(site)


@router.patch("/sites/{code}", response_model=SiteOut, summary="Change a site")
def update_site(code: str, body: SitePatch, session: SessionDep, actor: AdminUser) -> SiteOut:
    """Rename or (de)activate a site (admins)."""
    site = reference.update_site(session=session, actor=actor, code=code,
                                 **body.model_dump(exclude_none=True))
    return SiteOut.model_validate(site)


@router.get("/armed-groups", response_model=list[ArmedGroupOut], summary="List armed groups")
def list_armed_groups(session: SessionDep, actor: CurrentUser) -> list[ArmedGroupOut]:
    """The managed list of armed groups."""
    return [_group(g) for g in reference.list_armed_groups(session=session)]


@router.post("/armed-groups", status_code=201, response_model=ArmedGroupOut,
             summary="Add an armed group",
             responses={409: {"description": "an armed group with this code exists"}})
def create_armed_group(body: ArmedGroupIn, session: SessionDep, actor: AdminUser) -> ArmedGroupOut:
    """Add an armed group to the list (admins)."""
    return _group(reference.create_armed_group(session=session, actor=actor, **body.model_dump()))


@router.patch("/armed-groups/{group_id}", response_model=ArmedGroupOut,
              summary="Change an armed group")
def update_armed_group(
    group_id: RowId, body: ArmedGroupPatch, session: SessionDep, actor: AdminUser
) -> ArmedGroupOut:
    """Rename, add phrasings to or (de)activate an armed group (admins)."""
    return _group(reference.update_armed_group(session=session, actor=actor, group_id=group_id,
                                               **body.model_dump(exclude_none=True)))
