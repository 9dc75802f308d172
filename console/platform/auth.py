"""Users' passwords and bearer tokens.

- Passwords are stored as argon2id hashes (argon2-cffi's defaults, rehashed on login when
  the parameters change).
- :func:`login` checks a username and password and hands out a bearer token: 32 random
  bytes, URL-safe; only its SHA-256 is stored (table ``tokens``), with an expiry of
  ``config.token_ttl_s``.
- An unknown username and a wrong password give the **same** error to the client
  (:class:`InvalidCredentials`), so the API does not tell which usernames exist; the log
  says which it was. An unknown username still costs one hash verification, so timing
  does not tell either.
- ``config.lockout_failures`` wrong passwords in a row lock the account for
  ``config.lockout_s``; while locked, even the right password is refused
  (:class:`AccountLocked`), and attempts do not extend the lock.
- An inactive user is told so (:class:`AccountInactive`) only after giving the right
  password.

:func:`login` records failures in the caller's transaction and then raises: the caller
must **commit even when it raises** (see ``api/auth.py``), or the failure count is lost.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, select, update

from console.domain.model import User
from console.platform.config import PlatformConfig
from console.platform.store import registry
from console.platform.store.schema import users

log = logging.getLogger(__name__)

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that both cases cost the same time.
_DUMMY_HASH = _hasher.hash("truckwatch: no such user")

TOKEN_BYTES = 32


class AuthError(Exception):
    """A refused login; ``code`` and ``message`` are what the client may be told."""

    code = "auth_error"
    message = "login refused"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.message)
        self.detail = detail


class InvalidCredentials(AuthError):
    """Unknown username or wrong password: the client cannot tell which."""

    code = "invalid_credentials"
    message = "wrong username or password"


class AccountLocked(AuthError):
    code = "account_locked"
    message = "account locked after repeated failed logins; try again later"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class AccountInactive(AuthError):
    code = "account_inactive"
    message = "account disabled"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_expiry(now: datetime, config: PlatformConfig) -> datetime:
    return now + timedelta(seconds=config.token_ttl_s)


def login(
    conn: Connection, username: str, password: str, now: datetime, config: PlatformConfig
) -> tuple[str, User]:
    """Check the credentials; on success store and return a new bearer token and the user.

    Raises :class:`InvalidCredentials`, :class:`AccountLocked` or :class:`AccountInactive`
    after writing what it must remember (failure count, lock) on ``conn``.
    """
    row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    if row is None:
        verify_password(_DUMMY_HASH, password)
        log.warning("login refused: unknown username %r", username)
        raise InvalidCredentials("unknown username")
    locked_until: datetime | None = row["locked_until"]
    if locked_until is not None and locked_until > now:
        log.warning("login refused: %r is locked until %s", username, locked_until.isoformat())
        raise AccountLocked(locked_until)
    if not verify_password(row["password_hash"], password):
        failures = row["failed_logins"] + 1
        if locked_until is not None:  # a lock that has run out: count afresh
            failures = 1
        if failures >= config.lockout_failures:
            until = now + timedelta(seconds=config.lockout_s)
            conn.execute(
                update(users)
                .where(users.c.id == row["id"])
                .values(failed_logins=0, locked_until=until)
            )
            log.warning(
                "login refused: wrong password for %r; %d failures, locked until %s",
                username,
                failures,
                until.isoformat(),
            )
        else:
            conn.execute(
                update(users)
                .where(users.c.id == row["id"])
                .values(failed_logins=failures, locked_until=None)
            )
            log.warning(
                "login refused: wrong password for %r (%d of %d before lockout)",
                username,
                failures,
                config.lockout_failures,
            )
        raise InvalidCredentials("wrong password")
    if not row["active"]:
        log.warning("login refused: %r is inactive", username)
        raise AccountInactive("inactive user")
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if _hasher.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = hash_password(password)
    conn.execute(update(users).where(users.c.id == row["id"]).values(**values))
    token = new_token()
    registry.add_token(
        conn,
        hash_token(token),
        row["id"],
        created_at=now,
        expires_at=token_expiry(now, config),
    )
    user = registry.user_from_row(row)
    log.info("login: %s (%s)", username, user.role.value)
    return token, user


def user_for_token(conn: Connection, token: str, now: datetime) -> User | None:
    """The user a bearer token belongs to, or ``None`` (unknown, expired, user inactive)."""
    if not token:
        return None
    return registry.user_for_token_hash(conn, hash_token(token), now)


def logout(conn: Connection, token: str) -> bool:
    """Revoke a bearer token; ``False`` if it was not known."""
    return registry.delete_token(conn, hash_token(token))
