"""Who sees and works which cases.

Case managers, supervisors and administrators work cases, at their sites. A pathway may hide
its cases from everyone without an authorisation (children's cases: 404 even for an
administrator who is not authorised for children), and may show them at every site to holders
of another (the returns coordinators of a later pathway). The same rule exists twice: as a
Python check for one case, and as a SQL clause for lists and counts.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, or_, true
from sqlmodel import Session, col

from app.core.errors import Forbidden, NotFound
from app.core.roles import Role
from app.core.security import Principal
from reintegration.models import Case
from reintegration.pathways import keys_all_sites_with, keys_visible_with

CASE_WORKERS = frozenset({Role.admin, Role.supervisor, Role.case_manager})
"""Roles that read and work cases (within what their sites and authorisations show)."""
ASSIGNEE_ROLES = frozenset({Role.case_manager, Role.supervisor})
"""Roles a case can be assigned to."""


def require_case_worker(actor: Principal) -> None:
    """Refuse roles that do not work cases."""
    if actor.role not in CASE_WORKERS:
        raise Forbidden("your role does not work cases")


def can_see(actor: Principal, pathway: str, site_code: str) -> bool:
    """Whether a case of this pathway at this site exists for the caller."""
    needed = keys_visible_with().get(pathway)
    if needed and needed not in actor.authorisations:
        return False
    everywhere = keys_all_sites_with().get(pathway)
    if everywhere and everywhere in actor.authorisations:
        return True
    return actor.can_act_for(site_code)


def visible_clause(actor: Principal) -> ColumnElement[bool]:
    """The SQL form of :func:`can_see` over `reintegration_case`."""
    clauses: list[ColumnElement[bool]] = []
    hidden = sorted(k for k, needed in keys_visible_with().items()
                    if needed not in actor.authorisations)
    if hidden:
        clauses.append(col(Case.pathway).not_in(hidden))
    if not actor.all_sites:
        at_sites: ColumnElement[bool] = col(Case.site_code).in_(sorted(actor.sites))
        everywhere = sorted(k for k, given in keys_all_sites_with().items()
                            if given in actor.authorisations)
        if everywhere:
            at_sites = or_(at_sites, col(Case.pathway).in_(everywhere))
        clauses.append(at_sites)
    return and_(true(), *clauses)


def scoped_case(session: Session, actor: Principal, case_id: uuid.UUID) -> Case:
    """A case the caller may see; anything else is 'not found'."""
    require_case_worker(actor)
    case = session.get(Case, case_id)
    if case is None or not can_see(actor, case.pathway, case.site_code):
        raise NotFound("case not found")
    return case
