"""Messages of the registration desk, administration and audit services that web pages show,
listed so the catalogue translates them (services speak English and never echo values)."""

from __future__ import annotations

from app.web.forms import N_

DESK_MESSAGES: tuple[str, ...] = (
    N_("too many checks showing other sites' registrations in the last hour; try again later"),
    N_("a likely duplicate was found: link to that person, or say why this is a different "
       "person"),
    N_("only auditors and administrators read the audit trail"),
    N_("only an administrator may do this"),
    N_("job not found"),
    N_("weapon not found"),
    N_("user not found"),
    N_("site not found"),
    N_("armed group not found"),
    N_("give a person id or a registration number"),
    N_("type at least one name with a consonant"),
    N_("username already taken"),
    N_("site exists"),
    N_("armed group exists"),
    N_("invalid input"),
    N_("no such row"),
    N_("no such section"),
    N_("use YYYY-MM-DD for the period"),
    N_("need at least 20 reviewed pairs to retrain (copies of a pair count once)"),
    N_("the browser cancelled the request"),
)
