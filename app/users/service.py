"""Accounts, log-in and tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, literal, union_all
from sqlalchemy import select as select_columns
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.db import session_scope
from app.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from app.core.models import utcnow
from app.core.roles import Authorisation, Role
from app.core.security import (
    Principal,
    hash_password,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from app.registry.models import Site
from app.users import throttle
from app.users.models import ApiToken, User, UserAuthorisation, UserSite
from app.users.passwords import check_password

LANGUAGES = ("ar", "en")
ALL_SITES_ROLES = frozenset({Role.admin, Role.committee, Role.auditor})
"""Roles that act for every site (their accounts carry no site list)."""
SITE_ROLES = frozenset({Role.registration_officer, Role.supervisor, Role.case_manager,
                        Role.weapons_officer})
"""Roles that act for the sites of their account only (at least one)."""


def _check_sites(session: Session, sites: list[str]) -> list[str]:
    codes = [s.strip().upper() for s in sites if s.strip()]
    known = set(session.exec(select(Site.code).where(col(Site.code).in_(codes))).all())
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationFailed([FieldError("sites", f"unknown site code(s): {', '.join(unknown)}")])
    return codes


def create_user(
    *,
    session: Session,
    actor: Principal,
    username: str,
    password: str,
    role: str,
    sites: list[str],
    full_name: str = "",
    language: str = "ar",
    authorisations: list[str] | None = None,
) -> User:
    """Create an account; officers and case managers must have at least one site."""
    errors: list[FieldError] = []
    if role not in Role.__members__:
        errors.append(FieldError("role", f"must be one of {', '.join(Role)}"))
    errors.extend(check_password(password, username=username))
    if not username.strip() or len(username) > 80:
        errors.append(FieldError("username", "must be 1-80 characters"))
    if language not in LANGUAGES:
        errors.append(FieldError("language", "must be ar or en"))
    all_sites = role in ALL_SITES_ROLES or "*" in sites
    if role in SITE_ROLES and not sites:
        errors.append(FieldError("sites", "officers, supervisors and case managers need at "
                                          "least one site"))
    errors += _authorisation_errors(authorisations or [])
    if errors:
        raise ValidationFailed(errors)
    codes = [] if all_sites else _check_sites(session, sites)
    if session.exec(select(User).where(User.username == username.strip())).first():
        raise Conflict("username already taken", [FieldError("username", "already taken")])
    user = User(
        username=username.strip(),
        full_name=full_name,
        password_hash=hash_password(password),
        role=role,
        language=language,
        all_sites=all_sites,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for code in codes:
        session.add(UserSite(user_id=user.id, site_code=code))
    granted = sorted(set(authorisations or []))
    for authorisation in granted:
        session.add(UserAuthorisation(user_id=user.id, authorisation=authorisation,
                                      granted_by_id=actor.id))
    record_event(
        session=session,
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=str(user.id),
        details={"role": role, "sites": codes or "*", "authorisations": granted},
    )
    session.flush()
    return user


def _authorisation_errors(authorisations: list[str]) -> list[FieldError]:
    unknown = sorted(set(authorisations) - set(Authorisation))
    if unknown:
        return [FieldError("authorisations", f"must be among {', '.join(Authorisation)}")]
    return []


def user_authorisations(*, session: Session, user_id: int | None) -> list[str]:
    """Return what a user is explicitly authorised for (see `Authorisation`)."""
    return sorted(session.exec(select(UserAuthorisation.authorisation)
                               .where(UserAuthorisation.user_id == user_id)).all())


def user_sites(*, session: Session, user: User) -> list[str]:
    """Return the site codes a user may act for (empty when all sites)."""
    rows = session.exec(select(UserSite.site_code).where(UserSite.user_id == user.id)).all()
    return sorted(rows)


def principal_for(*, session: Session, user: User) -> Principal:
    """Build the caller identity that services authorise against."""
    return Principal(
        id=user.id,
        username=user.username,
        role=user.role,
        sites=frozenset(user_sites(session=session, user=user)),
        all_sites=user.all_sites,
        language=user.language,
        authorisations=frozenset(user_authorisations(session=session, user_id=user.id)),
    )


LOCKED = "too many failed log-ins: this account is locked; an administrator can unlock it"
BACKING_OFF = "too many failed log-ins: wait a moment and try again"


class LoginFailed(Unauthorized):
    """A login refused; `reason` (unknown_user, wrong_password, disabled) goes to the audit
    trail only, never to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__("incorrect username or password")
        self.reason = reason


def authenticate(*, session: Session, username: str, password: str,
                 address: str | None = None) -> User:
    """Check a username and password under the log-in throttle (:mod:`app.users.throttle`);
    the error never says which one was wrong. :func:`login` counts and audits a refusal in a
    transaction of its own."""
    refused = throttle.refusal(session=session, username=username, address=address)
    if refused is not None:
        raise TooManyRequests(LOCKED if refused.locked else BACKING_OFF,
                              retry_after=refused.retry_after)
    user = session.exec(select(User).where(User.username == username)).first()
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise LoginFailed("unknown_user" if user is None else "wrong_password")
    if not user.active:
        raise LoginFailed("disabled")
    throttle.clear_account(session=session, username=username)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def record_failed_login(*, engine: Engine, username: str, channel: str, reason: str,
                        address: str | None = None) -> None:
    """Count a refused login for the throttle (a wrong name or password) and audit it with the
    account name typed, in a transaction of its own (it stays when the login's own transaction
    rolls back with the 401 or 429)."""
    with session_scope(engine) as session:
        if reason in ("unknown_user", "wrong_password"):
            locked = throttle.record_failure(session=session, username=username,
                                             address=address)
        else:
            locked = throttle.is_locked(session=session, username=username)
        user = session.exec(select(User).where(User.username == username)).first()
        record_event(session=session, actor=None, action="auth.failed", object_type="user",
                     object_id=str(user.id) if user else None,
                     details={"username": username[:80], "channel": channel, "reason": reason,
                              "locked": locked})


def login(*, engine: Engine, username: str, password: str, ttl_minutes: int, kind: str,
          address: str | None = None) -> tuple[User, str]:
    """Check a password under the log-in throttle and issue a token (`kind`: api or web) in
    one transaction; a refusal is counted and audited in its own transaction, then raised
    (LoginFailed, or TooManyRequests while the account or address waits)."""
    try:
        with session_scope(engine) as session:
            user = authenticate(session=session, username=username, password=password,
                                address=address)
            return user, issue_token(session=session, user=user, ttl_minutes=ttl_minutes,
                                     kind=kind)
    except LoginFailed as exc:
        record_failed_login(engine=engine, username=username, channel=kind, reason=exc.reason,
                            address=address)
        raise
    except TooManyRequests:
        record_failed_login(engine=engine, username=username, channel=kind, reason="throttled",
                            address=address)
        raise


def issue_token(*, session: Session, user: User, ttl_minutes: int, kind: str = "api") -> str:
    """Create a bearer token (or web session) for a user and return its secret once."""
    token = new_token()
    assert user.id is not None
    session.add(
        ApiToken(
            user_id=user.id,
            digest=token_digest(token),
            kind=kind,
            expires_at=utcnow() + timedelta(minutes=ttl_minutes),
        )
    )
    record_event(
        session=session,
        actor=principal_for(session=session, user=user),
        action=f"auth.login.{kind}",
        object_type="user",
        object_id=str(user.id),
    )
    session.flush()
    return token


def resolve_token(
    *, session: Session, token: str, kind: str = "api", idle_minutes: int | None = None
) -> User:
    """Return the user of a valid token; expired, idle, revoked or unknown → Unauthorized."""
    row = session.exec(
        select(ApiToken).where(ApiToken.digest == token_digest(token), ApiToken.kind == kind)
    ).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise Unauthorized("invalid or expired token")
    if idle_minutes is not None and row.last_used_at is not None:
        if row.last_used_at + timedelta(minutes=idle_minutes) <= now:
            raise Unauthorized("session timed out")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthorized("invalid or expired token")
    if idle_minutes is not None:
        row.last_used_at = now
        session.add(row)
    return user


_GRANTS = union_all(
    select_columns(col(UserSite.user_id).label("user_id"), literal("site").label("kind"),
                   col(UserSite.site_code).label("value")),
    select_columns(col(UserAuthorisation.user_id), literal("authorisation"),
                   col(UserAuthorisation.authorisation))).subquery("grants")
_BEARER = (select_columns(col(User.id), col(User.username), col(User.role),
                         col(User.all_sites), col(User.language), col(ApiToken.expires_at),
                         col(ApiToken.revoked_at), _GRANTS.c.kind, _GRANTS.c.value)
           .join(ApiToken, col(ApiToken.user_id) == col(User.id))
           .outerjoin(_GRANTS, _GRANTS.c.user_id == col(User.id))
           .where(col(ApiToken.digest) == bindparam("digest"), col(ApiToken.kind) == "api",
                  col(User.active)))
"""A bearer token's user with each of the user's sites and authorisations, in one statement:
a row per grant ("site" or "authorisation", value), one row with none if there are none."""


def principal_for_token(*, session: Session, token: str) -> Principal:
    """The caller of an API bearer token: the same rules as :func:`resolve_token` then
    :func:`principal_for` — expired, revoked, unknown or of an inactive user → Unauthorized
    (read from the database on every request: a revocation counts at once in every process)."""
    rows = session.execute(_BEARER, {"digest": token_digest(token)}).all()
    row = rows[0] if rows else None
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        raise Unauthorized("invalid or expired token")
    sites = frozenset(r.value for r in rows if r.kind == "site")
    granted = frozenset(r.value for r in rows if r.kind == "authorisation")
    principal = Principal(id=row.id, username=row.username, role=row.role, sites=sites,
                          all_sites=row.all_sites, language=row.language,
                          authorisations=granted)
    return principal


def revoke_token(*, session: Session, token: str) -> None:
    """Revoke a token (log out); unknown tokens are ignored."""
    row = session.exec(select(ApiToken).where(ApiToken.digest == token_digest(token))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        user = session.get(User, row.user_id)
        if user is not None:
            record_event(
                session=session,
                actor=principal_for(session=session, user=user),
                action="auth.logout",
                object_type="user",
                object_id=str(user.id),
            )


def get_user(*, session: Session, user_id: int) -> tuple[User, list[str]]:
    """One account with its sites (no password hash leaves this layer)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return user, user_sites(session=session, user=user)


def list_users(*, session: Session) -> list[tuple[User, list[str]]]:
    """Return every account with its sites."""
    users = session.exec(select(User).order_by(col(User.username))).all()
    return [(u, user_sites(session=session, user=u)) for u in users]


def update_user(
    *,
    session: Session,
    actor: Principal,
    user_id: int,
    role: str | None = None,
    sites: list[str] | None = None,
    active: bool | None = None,
    language: str | None = None,
    password: str | None = None,
    authorisations: list[str] | None = None,
) -> User:
    """Change an account's role, sites, language, password, authorisations (the given list
    replaces them) or active flag (revokes tokens on deactivation)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    changes: dict[str, object] = {}
    if role is not None and role not in Role.__members__:
        raise ValidationFailed([FieldError("role", f"must be one of {', '.join(Role)}")])
    role_changes = role is not None and role != user.role
    if user.role == Role.admin and user.active and (
            (role_changes and role != Role.admin) or active is False):
        _keep_an_admin(session, user, field="active" if active is False else "role")
    if role_changes and sites is None and role in SITE_ROLES:
        # The old scope never carries over to a new role: its sites are given again.
        raise ValidationFailed([FieldError("sites", "a new role needs its sites given again")])
    if role is not None:
        user.role = role
        changes["role"] = role
    if language is not None:
        if language not in LANGUAGES:
            raise ValidationFailed([FieldError("language", "must be ar or en")])
        user.language = language
        changes["language"] = language
    if password is not None:
        problems = check_password(password, username=user.username)
        if problems:
            raise ValidationFailed(problems)
        user.password_hash = hash_password(password)
        changes["password"] = "changed"
        changes["sessions_ended"] = end_sessions(session=session, user_id=user_id)
    if sites is not None or role is not None:
        # A role change starts from no scope: only the role and the sites given count.
        all_sites = user.role in ALL_SITES_ROLES or (
            "*" in sites if sites is not None else user.all_sites and not role_changes)
        codes = ([] if all_sites else _check_sites(session, sites) if sites is not None
                 else user_sites(session=session, user=user))
        if user.role in SITE_ROLES and not all_sites and not codes:
            raise ValidationFailed([FieldError("sites", "officers, supervisors and case "
                                                        "managers need at least one site")])
        for link in session.exec(select(UserSite).where(UserSite.user_id == user_id)).all():
            session.delete(link)
        session.flush()
        for code in codes:
            session.add(UserSite(user_id=user_id, site_code=code))
        user.all_sites = all_sites
        changes["sites"] = codes or "*"
    if authorisations is not None:
        errors = _authorisation_errors(authorisations)
        if errors:
            raise ValidationFailed(errors)
        wanted = set(authorisations)
        held = {row.authorisation: row for row in session.exec(
            select(UserAuthorisation).where(UserAuthorisation.user_id == user_id)).all()}
        for name in set(held) - wanted:
            session.delete(held[name])
        for name in sorted(wanted - set(held)):
            session.add(UserAuthorisation(user_id=user_id, authorisation=name,
                                          granted_by_id=actor.id))
        changes["authorisations"] = sorted(wanted)
    if active is not None:
        user.active = active
        changes["active"] = active
        if not active:
            changes["sessions_ended"] = end_sessions(session=session, user_id=user_id)
    session.add(user)
    record_event(
        session=session, actor=actor, action="user.update", object_type="user",
        object_id=str(user_id), details=changes,
    )
    session.flush()
    return user


def _keep_an_admin(session: Session, user: User, *, field: str) -> None:
    """Refuse to demote or disable the last active administrator."""
    others = session.exec(select(User.id).where(
        User.role == Role.admin, col(User.active), User.id != user.id)).first()
    if others is None:
        raise Conflict("the last active administrator cannot be demoted or disabled",
                       [FieldError(field, "the register needs an active administrator")])


def end_sessions(*, session: Session, user_id: int) -> int:
    """Revoke every open bearer token and web session of a user; how many there were."""
    open_tokens = session.exec(select(ApiToken).where(
        ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))).all()
    now = utcnow()
    for token in open_tokens:
        token.revoked_at = now
        session.add(token)
    session.flush()
    return len(open_tokens)


def change_own_password(*, session: Session, actor: Principal, current_password: str,
                        new_password: str) -> User:
    """A user's own password change: the current password is checked, the new one must meet
    the policy, and every token and web session of the user ends (the caller's included)."""
    user = session.get(User, actor.id) if actor.id is not None else None
    if user is None or not user.active:
        raise Unauthorized("invalid or expired token")
    if not verify_password(user.password_hash, current_password):
        raise ValidationFailed([FieldError("current_password", "incorrect password")])
    problems = check_password(new_password, username=user.username, field="new_password")
    if not problems and verify_password(user.password_hash, new_password):
        problems = [FieldError("new_password", "must differ from the current password")]
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = hash_password(new_password)
    session.add(user)
    assert user.id is not None
    ended = end_sessions(session=session, user_id=user.id)
    record_event(session=session, actor=actor, action="user.password_change",
                 object_type="user", object_id=str(user.id), details={"sessions_ended": ended})
    session.flush()
    return user


def find_user(*, session: Session, username: str) -> User:
    """An account by its user name."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("user not found")
    return user


def unlock_user(*, session: Session, actor: Principal, user_id: int) -> User:
    """Lift the lock (and the backoff) of an account after failed log-ins."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    lifted = throttle.clear_account(session=session, username=user.username)
    record_event(session=session, actor=actor, action="user.unlock", object_type="user",
                 object_id=str(user_id), details={"was_throttled": lifted})
    session.flush()
    return user


def is_locked(*, session: Session, user: User) -> bool:
    """Whether an account is locked after too many failed log-ins."""
    return throttle.is_locked(session=session, username=user.username)
