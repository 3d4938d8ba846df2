"""Messages of the input and account rules (strict input, passwords, throttling) that the web
interface shows, listed so the catalogue (`security.po`) translates them."""

from __future__ import annotations

from app.web.forms import N_

SECURITY_MESSAGES: tuple[str, ...] = (
    N_("digits only (spaces and dashes allowed)"),
    N_("digits only, without an extension"),
    N_("is before the date of birth"),
)
