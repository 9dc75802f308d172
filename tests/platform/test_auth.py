"""Passwords, login with lockout, bearer tokens with expiry."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from console.domain.model import Role
from console.platform import auth
from console.platform.config import PlatformConfig
from console.platform.store import Store, registry
from console.platform.store.schema import tokens, users

if TYPE_CHECKING:
    from conftest import World

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def config(tmp_path: Path) -> PlatformConfig:
    return PlatformConfig(
        db_url="sqlite://",
        data_dir=tmp_path,
        token_ttl_s=3600,
        lockout_failures=3,
        lockout_s=600,
    )


def attempt(
    store: Store, config: PlatformConfig, username: str, password: str, now: datetime = T0
) -> tuple[str, object] | auth.AuthError:
    """Log in as the API does: commit what login wrote even when it refuses."""
    with store.begin() as conn:
        try:
            return auth.login(conn, username, password, now, config)
        except auth.AuthError as exc:
            return exc


def test_passwords_are_argon2_hashed() -> None:
    hashed = auth.hash_password("秘密 password")
    assert hashed.startswith("$argon2id$")
    assert auth.verify_password(hashed, "秘密 password")
    assert not auth.verify_password(hashed, "秘密 Password")
    assert not auth.verify_password("not a hash", "x")


def test_login_gives_a_token_for_the_user(
    store: Store, world: World, password: str, config: PlatformConfig
) -> None:
    result = attempt(store, config, "op_a", password)
    assert not isinstance(result, auth.AuthError)
    token, user = result
    assert user.username == "op_a" and user.role is Role.COUNTY_OPERATOR  # type: ignore[attr-defined]
    assert len(token) == 43  # 32 bytes, URL-safe base64 without padding
    with store.connect() as conn:
        assert auth.user_for_token(conn, token, T0) == user
        stored = conn.execute(select(tokens.c.token_hash, tokens.c.expires_at)).one()
    assert stored.token_hash == auth.hash_token(token) != token
    assert stored.expires_at == T0 + timedelta(seconds=3600)


def test_every_login_gets_a_new_token(
    store: Store, world: World, password: str, config: PlatformConfig
) -> None:
    first = attempt(store, config, "admin", password)
    second = attempt(store, config, "admin", password)
    assert isinstance(first, tuple) and isinstance(second, tuple)
    assert first[0] != second[0]


def test_unknown_user_and_wrong_password_look_the_same(
    store: Store,
    world: World,
    config: PlatformConfig,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="console.platform.auth")
    unknown = attempt(store, config, "nobody", "x")
    wrong = attempt(store, config, "op_a", "x")
    assert type(unknown) is type(wrong) is auth.InvalidCredentials
    assert isinstance(unknown, auth.AuthError) and isinstance(wrong, auth.AuthError)
    assert (unknown.code, unknown.message) == (wrong.code, wrong.message)
    assert (unknown.code, unknown.message) == ("invalid_credentials", "wrong username or password")
    logged = [r.getMessage() for r in caplog.records]
    assert any("unknown username 'nobody'" in m for m in logged)
    assert any("wrong password for 'op_a'" in m for m in logged)


def test_repeated_failures_lock_the_account(
    store: Store, world: World, password: str, config: PlatformConfig
) -> None:
    for i in range(3):
        assert isinstance(
            attempt(store, config, "ent_a1", "wrong", T0 + timedelta(seconds=i)),
            auth.InvalidCredentials,
        )
    locked = attempt(store, config, "ent_a1", password, T0 + timedelta(seconds=10))
    assert isinstance(locked, auth.AccountLocked)
    assert locked.until == T0 + timedelta(seconds=2 + 600)
    # Attempts while locked do not extend the lock.
    attempt(store, config, "ent_a1", "wrong", T0 + timedelta(seconds=300))
    later = attempt(store, config, "ent_a1", password, T0 + timedelta(seconds=603))
    assert isinstance(later, tuple)
    # Others are not locked out meanwhile.
    assert isinstance(attempt(store, config, "ent_a2", password, T0 + timedelta(seconds=5)), tuple)


def test_a_success_resets_the_failure_count(
    store: Store, world: World, password: str, config: PlatformConfig
) -> None:
    attempt(store, config, "op_b", "wrong")
    attempt(store, config, "op_b", "wrong")
    assert isinstance(attempt(store, config, "op_b", password), tuple)
    attempt(store, config, "op_b", "wrong")
    attempt(store, config, "op_b", "wrong")
    assert isinstance(attempt(store, config, "op_b", password), tuple)
    with store.connect() as conn:
        row = conn.execute(
            select(users.c.failed_logins, users.c.locked_until).where(users.c.username == "op_b")
        ).one()
    assert tuple(row) == (0, None)


def test_an_expired_lock_counts_afresh(
    store: Store, world: World, password: str, config: PlatformConfig
) -> None:
    for _ in range(3):
        attempt(store, config, "op_b", "wrong")
    after = T0 + timedelta(seconds=601)
    assert isinstance(attempt(store, config, "op_b", "wrong", after), auth.InvalidCredentials)
    assert isinstance(attempt(store, config, "op_b", password, after), tuple)


def test_an_inactive_user_is_told_only_with_the_right_password(
    store: Store, world: World, password: str, config: PlatformConfig
) -> None:
    with store.begin() as conn:
        registry.set_user_active(conn, world.users["op_a"], False)
    assert isinstance(attempt(store, config, "op_a", "wrong"), auth.InvalidCredentials)
    inactive = attempt(store, config, "op_a", password)
    assert isinstance(inactive, auth.AccountInactive)
    assert inactive.code == "account_inactive"


def test_a_token_expires(store: Store, world: World, password: str, config: PlatformConfig) -> None:
    result = attempt(store, config, "admin", password)
    assert isinstance(result, tuple)
    token = result[0]
    with store.connect() as conn:
        assert auth.user_for_token(conn, token, T0 + timedelta(seconds=3599)) is not None
        assert auth.user_for_token(conn, token, T0 + timedelta(seconds=3600)) is None


def test_unknown_and_revoked_tokens(
    store: Store, world: World, password: str, config: PlatformConfig
) -> None:
    result = attempt(store, config, "admin", password)
    assert isinstance(result, tuple)
    token = result[0]
    with store.begin() as conn:
        assert auth.user_for_token(conn, "", T0) is None
        assert auth.user_for_token(conn, token + "x", T0) is None
        assert auth.logout(conn, token)
        assert auth.user_for_token(conn, token, T0) is None
        assert not auth.logout(conn, token)


def test_a_token_dies_with_its_users_activity(
    store: Store, world: World, password: str, config: PlatformConfig
) -> None:
    result = attempt(store, config, "ent_b1", password)
    assert isinstance(result, tuple)
    with store.begin() as conn:
        registry.set_user_active(conn, world.users["ent_b1"], False)
        assert auth.user_for_token(conn, result[0], T0) is None
