"""Messages of the input and account rules (strict input, passwords, throttling) that the web
interface shows, listed so the catalogue (`security.po`) translates them."""

from __future__ import annotations

from app.users import passwords
from app.web.forms import N_

SECURITY_MESSAGES: tuple[str, ...] = (
    N_("digits only (spaces and dashes allowed)"),
    N_("digits only, without an extension"),
    N_("is before the date of birth"),
    N_("must be at least 10 characters"),
    N_("must be at most 256 characters"),
    N_("must not contain the username"),
    N_("too common or too easy to guess: use a longer phrase of unrelated words"),
    N_("incorrect password"),
    N_("must differ from the current password"),
    N_("a new role needs its sites given again"),
    N_("the register needs an active administrator"),
)
assert {passwords.TOO_SHORT, passwords.TOO_LONG, passwords.HAS_USERNAME,
        passwords.TOO_EASY} <= set(SECURITY_MESSAGES), "the password rules changed: list them"
