"""The officer's home page (their sites, today's registrations) and search."""

from __future__ import annotations

import re
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.core.errors import DomainError
from app.core.roles import PII_READERS, Role
from app.deps import CryptoDep, SessionDep, maybe_statistics
from app.registry import queries, reference
from app.registry import search as registry_search
from app.registry.schemas import SearchIn
from app.web import deps
from app.web import stats as stats_web
from app.web.auth import redirect
from app.web.forms import CATEGORY_LABELS
from app.web.rendering import render

router = APIRouter(dependencies=[Depends(deps.csrf_protect)], include_in_schema=False)

_REG_NUMBER = re.compile(r"^[A-Za-z]{3}-\d{4}-\d{1,6}$")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def search_query(text: str) -> SearchIn:
    """Read one search box: a registration number, national number, phone, passport or name."""
    text = " ".join(text.split())[:100]
    digits = re.sub(r"[\s\-]", "", text.translate(_DIGITS))
    if _REG_NUMBER.match(text):
        return SearchIn(registration_number=text)
    if re.fullmatch(r"[12]\d{11}", digits):
        return SearchIn(national_id=digits)
    if re.fullmatch(r"\+?\d{7,15}", digits):
        return SearchIn(phone=digits)
    if re.fullmatch(r"[A-Za-z]{1,3}\d{5,12}", digits):
        return SearchIn(passport_no=digits)
    return SearchIn(name=text)


def _context(request: Request, session: SessionDep, crypto: CryptoDep,
             actor: deps.WebUser) -> dict[str, object]:
    sites = [s for s in reference.list_sites(session=session) if actor.can_act_for(s.code)]
    today = queries.registrations_on(session=session, crypto=crypto, actor=actor,
                                     day=date.today())
    return {"sites": sites, "today": today, "today_date": date.today(),
            "categories": CATEGORY_LABELS}


@router.get("/")
def home(request: Request, session: SessionDep, crypto: CryptoDep,
         actor: deps.WebUser) -> Response:
    """Show the officer's sites, today's registrations and the search box (a weapons
    officer's home is the custody list, an auditor's the audit screens, a case manager's
    their case board)."""
    if actor.role == Role.weapons_officer:
        return redirect(request, "/weapons")
    if actor.role == Role.auditor:
        return render(request, "auditor_home.html", actor=actor)
    if actor.role == Role.committee:  # the committee's home is its dashboard
        stats = maybe_statistics(request, session, request.app.state.settings)
        return stats_web.dashboard(request, stats, actor, None)
    if actor.role == Role.case_manager:
        return redirect(request, "/cases")
    if actor.role not in PII_READERS:
        return render(request, "restricted.html", actor=actor)
    return render(request, "home.html", _context(request, session, crypto, actor), actor=actor)


@router.post("/search")
def search(request: Request, session: SessionDep, crypto: CryptoDep, actor: deps.Officer,
           form: deps.FormDep) -> Response:
    """Search registrations (criteria in the body, never in the URL)."""
    text = str(form.get("q") or "").strip()
    context: dict[str, object] = {"q": text, "categories": CATEGORY_LABELS}
    if text:
        try:
            context["results"] = registry_search.search(
                session=session, crypto=crypto, actor=actor, query=search_query(text))
        except DomainError as exc:
            context["search_error"] = exc.errors[0].message if exc.errors else exc.detail
    else:
        context["search_error"] = "give at least one search criterion"
    if deps.is_htmx(request):
        return render(request, "_search_results.html", context, actor=actor)
    return render(request, "home.html", {**_context(request, session, crypto, actor), **context},
                  actor=actor)
