"""``GET /health`` (no login) and ``GET /metrics`` (Prometheus text).

``/metrics`` answers without a token to a client on the loopback interface (a Prometheus
or an agent on the platform's own machine) and otherwise to administrators only.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import text

from console.platform.api.deps import (
    CtxDep,
    bearer_scheme,
    get_current_user,
    get_token,
    require_admin,
)
from console.platform.api.schemas import ErrorBody, ErrorOut, HealthOut
from console.platform.store import StoreUnavailable

router = APIRouter(tags=["health"])


@cache
def api_version() -> str:
    try:
        return version("truckwatch")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


@router.get("/health", response_model_exclude_none=True, responses={503: {"model": HealthOut}})
def health(ctx: CtxDep, response: Response) -> HealthOut:
    """Is the platform up and its database reachable? 200 if so, 503 if not."""
    now = datetime.fromtimestamp(ctx.clock(), UTC)
    try:
        with ctx.store.connect() as conn:
            conn.execute(text("SELECT 1"))
    except StoreUnavailable:
        response.status_code = 503
        return HealthOut(
            status="unavailable",
            db=False,
            version=api_version(),
            time=now,
            error=ErrorBody(code="database_unavailable", message="database unavailable"),
        )
    return HealthOut(status="ok", db=True, version=api_version(), time=now)


def _is_loopback(request: Request) -> bool:
    if request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def metrics_access(
    request: Request,
    ctx: CtxDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> None:
    if _is_loopback(request) and credentials is None:
        return
    require_admin(get_current_user(ctx, get_token(credentials)))


@router.get(
    "/metrics",
    response_class=PlainTextResponse,
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}},
    dependencies=[Depends(metrics_access)],
)
def metrics(ctx: CtxDep) -> PlainTextResponse:
    """Counters and gauges in the Prometheus text format (loopback: no login; otherwise
    administrators)."""
    return PlainTextResponse(
        ctx.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
    )
