"""What routes depend on, as ``Annotated`` aliases: the platform context, a read connection,
the current user (bearer token), the user's scope (computed once per request) and
permission checks. And :class:`ApiError`, the one way a route says no.

``ctx`` is the object the app was built for (``create_app(ctx)``): anything with
``store``, ``config``, ``bus``, ``metrics``, ``clock`` (→ seconds) and ``gateway``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection

from console.domain.model import Role, Scope, User
from console.platform.auth import user_for_token


class ApiError(Exception):
    """An error answer: ``{"error": {"code": code, "message": message}}`` with ``status``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra or {}  # more fields of the error object (e.g. ``allowed``)


def not_found(what: str) -> ApiError:
    """404 for something that does not exist *or* that the caller's scope does not cover:
    the two are indistinguishable on purpose."""
    return ApiError(404, "not_found", f"{what} not found")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def unauthorized(code: str, message: str) -> ApiError:
    return ApiError(401, code, message, headers={"WWW-Authenticate": "Bearer"})


def require_aware(name: str, moment: datetime | None) -> None:
    """422 for a time without a zone: the platform cannot guess whose clock it is."""
    if moment is not None and moment.tzinfo is None:
        raise ApiError(
            422, "validation_error", f"{name} needs a time zone, e.g. 2026-11-21T08:00:00+08:00"
        )


async def read_body(request: Request, limit: int, what: str) -> bytes:
    """The raw request body, at most ``limit`` bytes (413 beyond, told before reading when
    Content-Length says so); 400 when fewer bytes came than Content-Length announced."""
    declared = request.headers.get("content-length")
    expected = int(declared) if declared and declared.isdigit() else None
    too_large = ApiError(413, "too_large", f"{what} may have at most {limit} bytes")
    if expected is not None and expected > limit:
        raise too_large
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise too_large
    if expected is not None and expected != len(data):
        raise ApiError(400, "truncated", f"got {len(data)} of {expected} bytes: upload again")
    return bytes(data)


def get_ctx(request: Request) -> Any:
    return request.app.state.ctx


CtxDep = Annotated[Any, Depends(get_ctx)]


def now_of(ctx: Any) -> datetime:
    """The platform clock as an aware UTC datetime."""
    return datetime.fromtimestamp(ctx.clock(), UTC)


def get_conn(ctx: CtxDep) -> Iterator[Connection]:
    """A connection for reads, given back when the route returns."""
    with ctx.store.connect() as conn:
        yield conn


ConnDep = Annotated[Connection, Depends(get_conn)]

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="The token from POST /api/v1/auth/login, as `Authorization: Bearer <token>`.",
)


def get_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> str:
    if credentials is None or not credentials.credentials:
        raise unauthorized(
            "not_authenticated", "log in first and send the token as 'Authorization: Bearer …'"
        )
    return credentials.credentials


TokenDep = Annotated[str, Depends(get_token)]


def get_current_user(ctx: CtxDep, token: TokenDep) -> User:
    with ctx.store.connect() as conn:
        user = user_for_token(conn, token, now_of(ctx))
    if user is None:
        raise unauthorized("invalid_token", "the token is unknown or has expired: log in again")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_scope(user: CurrentUser) -> Scope:
    return Scope.of(user)


#: The vehicles the caller may see; pass it to every store query.
ScopeDep = Annotated[Scope, Depends(get_scope)]


def require_admin(user: CurrentUser) -> User:
    if user.role is not Role.ADMIN:
        raise forbidden("only an administrator may do this")
    return user


AdminOnly = Annotated[User, Depends(require_admin)]
