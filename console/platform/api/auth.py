"""``POST /auth/login`` (username and password → bearer token) and ``POST /auth/logout``."""

from __future__ import annotations

import math

from fastapi import APIRouter, Response

from console.platform import auth
from console.platform.api.deps import ApiError, CtxDep, TokenDep, now_of
from console.platform.api.schemas import ErrorOut, LoginIn, LoginOut, UserOut
from console.platform.store import registry

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/login",
    responses={
        401: {"model": ErrorOut, "description": "wrong username or password"},
        403: {"model": ErrorOut, "description": "account locked or disabled"},
    },
)
def login(body: LoginIn, ctx: CtxDep) -> LoginOut:
    """Log in: the same 401 answers an unknown username and a wrong password.

    After ``lockout_failures`` wrong passwords in a row the account is locked for
    ``lockout_s`` (403 ``account_locked`` with ``Retry-After``); a disabled account gets
    403 ``account_inactive`` (only with the right password).
    """
    now = now_of(ctx)
    failure: auth.AuthError | None = None
    # The failure count is written even when the login is refused: commit either way.
    with ctx.store.begin() as conn:
        try:
            token, user = auth.login(conn, body.username, body.password, now, ctx.config)
        except auth.AuthError as exc:
            failure = exc
        else:
            county = registry.get_county(conn, user.county_id) if user.county_id else None
            enterprise = (
                registry.get_enterprise(conn, user.enterprise_id) if user.enterprise_id else None
            )
    if failure is not None:
        ctx.metrics.inc("api_login_failures")
        if isinstance(failure, auth.AccountLocked):
            wait = max(1, math.ceil((failure.until - now).total_seconds()))
            raise ApiError(403, failure.code, failure.message, headers={"Retry-After": str(wait)})
        if isinstance(failure, auth.AccountInactive):
            raise ApiError(403, failure.code, failure.message)
        raise ApiError(401, failure.code, failure.message)
    ctx.metrics.inc("api_logins")
    return LoginOut(
        token=token,
        expires_at=auth.token_expiry(now, ctx.config),
        user=UserOut.of(
            user,
            {county.id: county} if county else {},
            {enterprise.id: enterprise} if enterprise else {},
        ),
    )


@router.post("/auth/logout", status_code=204, responses={401: {"model": ErrorOut}})
def logout(ctx: CtxDep, token: TokenDep) -> Response:
    """Revoke the bearer token sent with this request."""
    with ctx.store.begin() as conn:
        auth.logout(conn, token)
    return Response(status_code=204)
