"""The signed-in user's own account: change the password (every session then ends)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app.core.errors import DomainError, FieldError, ValidationFailed
from app.deps import SessionDep
from app.users import service as users
from app.web import deps
from app.web.auth import redirect
from app.web.form_input import errors_by_field
from app.web.forms import N_
from app.web.rendering import render

router = APIRouter(prefix="/account", dependencies=[Depends(deps.csrf_protect)],
                   include_in_schema=False)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("/password")
def password_page(request: Request, actor: deps.WebUser) -> Response:
    """The form that changes one's own password."""
    return render(request, "account_password.html", {"errors": {}}, actor=actor)


@router.post("/password")
def change_password(request: Request, session: SessionDep, actor: deps.WebUser,
                    form: deps.FormDep) -> Response:
    """Change one's own password; every session of the account ends, this one included."""
    new = _text(form, "new_password")
    try:
        if new != _text(form, "new_password_again"):
            raise ValidationFailed([FieldError("new_password_again",
                                               N_("the two passwords differ"))])
        users.change_own_password(session=session, actor=actor,
                                  current_password=_text(form, "current_password"),
                                  new_password=new)
    except DomainError as exc:
        return render(request, "account_password.html",
                      {"errors": errors_by_field(exc.errors)}, actor=actor,
                      status_code=exc.status_code)
    deps.renew_csrf_seed(request)
    response = redirect(request, "/login?changed=1")
    response.delete_cookie(deps.SESSION_COOKIE, path="/")
    return response
