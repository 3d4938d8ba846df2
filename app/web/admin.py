"""Administration: user accounts, sites and the managed list of armed groups (admins only;
every change is audited by the services).

A user's page is made of sections, each a small form of its own (access, language, password,
account state): a further kind of authorisation is one more section and one more route.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.core.errors import DomainError, FieldError, ValidationFailed
from app.core.security import Principal
from app.deps import SessionDep
from app.registry import reference
from app.users import service as users
from app.web import deps
from app.web.auth import redirect
from app.web.form_input import errors_by_field
from app.web.forms import N_, ROLE_LABELS
from app.web.rendering import render

router = APIRouter(prefix="/admin", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)

LANGUAGE_LABELS = {"ar": "العربية", "en": "English"}
USER_SECTIONS = ("access", "authorisations", "language", "password", "state")
"""The sections of a user's page, in order (`_user_<section>.html`, POST /<section>)."""
AUTHORISATION_LABELS = {"children": N_("Children's cases"),
                        "gender": N_("Gender-specific needs screening"),
                        "returns_coordinator": N_("Return cases of every site; movements "
                                                  "and manifests")}


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _sites(form: Any) -> list[str]:
    """The sites ticked (`*`: all sites)."""
    return [s for s in form.getlist("sites") if isinstance(s, str) and s]


def _users_page(request: Request, session: Session, actor: Principal,
                errors: list[FieldError] | None = None, values: dict[str, Any] | None = None,
                status_code: int = 200) -> Response:
    return render(request, "admin_users.html", {
        "users": users.list_users(session=session), "roles": ROLE_LABELS,
        "languages": LANGUAGE_LABELS, "sites": reference.list_sites(session=session),
        "errors": errors_by_field(errors or []), "values": values or {},
        "created": request.query_params.get("created")}, actor=actor, status_code=status_code)


@router.get("/users")
def users_page(request: Request, session: SessionDep, actor: deps.WebAdmin) -> Response:
    """Every account, and the form that creates one."""
    return _users_page(request, session, actor)


@router.post("/users")
def create_user(request: Request, session: SessionDep, actor: deps.WebAdmin,
                form: deps.FormDep) -> Response:
    """Create an account with its role, sites and language."""
    values: dict[str, Any] = {k: _text(form, k)
                              for k in ("username", "full_name", "role", "language")}
    values["sites"] = _sites(form)
    errors: list[FieldError] = []
    if _text(form, "password") != _text(form, "password_again"):
        errors.append(FieldError("password_again", N_("the two passwords differ")))
    try:
        if errors:
            raise ValidationFailed(errors)
        user = users.create_user(session=session, actor=actor, username=values["username"],
                                 password=_text(form, "password"), role=values["role"],
                                 sites=values["sites"], full_name=values["full_name"],
                                 language=values["language"] or "ar")
    except DomainError as exc:
        return _users_page(request, session, actor, exc.errors or [FieldError("username",
                                                                              exc.detail)],
                           values, status_code=exc.status_code)
    return redirect(request, f"/admin/users/{user.id}?created=1")


def _user_page(request: Request, session: Session, actor: Principal, user_id: int,
               errors: list[FieldError] | None = None, section: str = "",
               status_code: int = 200) -> Response:
    user, sites = users.get_user(session=session, user_id=user_id)
    return render(request, "admin_user.html", {
        "user": user, "user_sites": sites, "roles": ROLE_LABELS, "languages": LANGUAGE_LABELS,
        "locked": users.is_locked(session=session, user=user),
        "sites": reference.list_sites(session=session), "sections": USER_SECTIONS,
        "user_authorisations": users.user_authorisations(session=session, user_id=user.id),
        "authorisation_labels": AUTHORISATION_LABELS,
        "errors": errors_by_field(errors or []), "section": section,
        "saved": request.query_params.get("saved"),
        "created": request.query_params.get("created")}, actor=actor, status_code=status_code)


@router.get("/users/{user_id}")
def user_page(request: Request, user_id: int, session: SessionDep,
              actor: deps.WebAdmin) -> Response:
    """One account: its access, language, password and state, each changed on its own."""
    return _user_page(request, session, actor, user_id)


@router.post("/users/{user_id}/{section}")
def change_user(request: Request, user_id: int, section: str, session: SessionDep,
                actor: deps.WebAdmin, form: deps.FormDep) -> Response:
    """Change one section of an account (a disabled account's sessions end at once)."""
    changes: dict[str, Any]
    if section == "access":
        changes = {"role": _text(form, "role"), "sites": _sites(form)}
    elif section == "authorisations":
        changes = {"authorisations": [str(v) for v in form.getlist("authorisations")]}
    elif section == "language":
        changes = {"language": _text(form, "language")}
    elif section == "password":
        if _text(form, "password") != _text(form, "password_again"):
            return _user_page(request, session, actor, user_id, [FieldError(
                "password_again", N_("the two passwords differ"))], section, 422)
        changes = {"password": _text(form, "password")}
    elif section == "state":
        changes = {"active": _text(form, "active") == "yes"}
    elif section == "unlock":
        users.unlock_user(session=session, actor=actor, user_id=user_id)
        return redirect(request, f"/admin/users/{user_id}?saved=state")
    else:
        raise DomainError("no such section")
    try:
        users.update_user(session=session, actor=actor, user_id=user_id, **changes)
    except DomainError as exc:
        return _user_page(request, session, actor, user_id,
                          exc.errors or [FieldError(section, exc.detail)], section,
                          exc.status_code)
    return redirect(request, f"/admin/users/{user_id}?saved={section}")


@router.get("/sites")
def sites_page(request: Request, session: SessionDep, actor: deps.WebAdmin) -> Response:
    """Every site, each editable, and the form that adds one."""
    return render(request, "admin_sites.html", {
        "sites": reference.list_sites(session=session), "errors": {}, "values": {},
        "saved": request.query_params.get("saved")}, actor=actor)


@router.post("/sites")
def create_site(request: Request, session: SessionDep, actor: deps.WebAdmin,
                form: deps.FormDep) -> Response:
    """Add a site."""
    values = {k: _text(form, k) for k in ("code", "name_en", "name_ar", "region")}
    try:
        site = reference.create_site(session=session, actor=actor, **values)
    except DomainError as exc:
        return render(request, "admin_sites.html", {
            "sites": reference.list_sites(session=session), "values": values,
            "errors": errors_by_field(exc.errors or [FieldError("code", exc.detail)])},
            actor=actor, status_code=exc.status_code)
    return redirect(request, f"/admin/sites?saved={site.code}")


@router.post("/sites/{code}")
def update_site(request: Request, code: str, session: SessionDep, actor: deps.WebAdmin,
                form: deps.FormDep) -> Response:
    """Rename, move or (de)activate a site."""
    reference.update_site(session=session, actor=actor, code=code,
                          name_en=_text(form, "name_en") or None,
                          name_ar=_text(form, "name_ar") or None, region=_text(form, "region"),
                          active=_text(form, "active") == "yes")
    return redirect(request, f"/admin/sites?saved={code.upper()}")


def _groups_page(request: Request, session: Session, actor: Principal,
                 errors: list[FieldError] | None = None, values: dict[str, Any] | None = None,
                 status_code: int = 200) -> Response:
    return render(request, "admin_groups.html", {
        "groups": reference.list_armed_groups(session=session),
        "errors": errors_by_field(errors or []), "values": values or {},
        "saved": request.query_params.get("saved")}, actor=actor, status_code=status_code)


def _aliases(form: Any) -> list[str]:
    return [line.strip() for line in _text(form, "aliases").splitlines() if line.strip()]


@router.get("/armed-groups")
def groups_page(request: Request, session: SessionDep, actor: deps.WebAdmin) -> Response:
    """The managed list of armed groups (names in both scripts, aliases, active or not)."""
    return _groups_page(request, session, actor)


@router.post("/armed-groups")
def create_group(request: Request, session: SessionDep, actor: deps.WebAdmin,
                 form: deps.FormDep) -> Response:
    """Add an armed group to the list."""
    values = {k: _text(form, k) for k in ("code", "name_en", "name_ar", "aliases")}
    errors = [FieldError(k, N_("required")) for k in ("name_en", "name_ar") if not values[k]]
    try:
        if errors:
            raise ValidationFailed(errors)
        group = reference.create_armed_group(
            session=session, actor=actor, code=values["code"], name_en=values["name_en"],
            name_ar=values["name_ar"], aliases=_aliases(form))
    except DomainError as exc:
        return _groups_page(request, session, actor,
                            exc.errors or [FieldError("code", exc.detail)], values,
                            exc.status_code)
    return redirect(request, f"/admin/armed-groups?saved={group.code}")


@router.post("/armed-groups/{group_id}")
def update_group(request: Request, group_id: int, session: SessionDep, actor: deps.WebAdmin,
                 form: deps.FormDep) -> Response:
    """Rename an armed group, change its phrasings or (de)activate it."""
    group = reference.update_armed_group(
        session=session, actor=actor, group_id=group_id,
        name_en=_text(form, "name_en") or None, name_ar=_text(form, "name_ar") or None,
        aliases=_aliases(form), active=_text(form, "active") == "yes")
    return redirect(request, f"/admin/armed-groups?saved={group.code}")
