"""The HTTP API: ``create_app(ctx)`` builds one FastAPI application for one platform
context (every test gets its own store), with every router under ``/api/v1`` and every
error answered as JSON::

    {"error": {"code": "not_found", "message": "vehicle veh_… not found"}}

401 no or invalid token · 403 role · 404 not found or outside the caller's scope ·
422 validation (with ``details`` per field) · 503 database unavailable · 500 a bug.
OpenAPI at ``/openapi.json``, the interactive docs at ``/docs``.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from console.platform.api import (
    alarms,
    auth,
    cases,
    commands,
    events,
    evidence,
    health,
    registrations,
    registry,
    users,
    vehicles,
    video,
    webhooks,
)
from console.platform.api.deps import ApiError
from console.platform.api.schemas import ErrorOut
from console.platform.store import StoreUnavailable

log = logging.getLogger(__name__)

PREFIX = "/api/v1"

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    416: "range_not_satisfiable",
    422: "validation_error",
    429: "too_many_requests",
    503: "unavailable",
}


def create_app(ctx: Any) -> FastAPI:
    """The API for ``ctx`` (anything with ``store``, ``config``, ``bus``, ``metrics``,
    ``clock`` and ``gateway``)."""
    app = FastAPI(
        title="TruckWatch platform API",
        version=health.api_version(),
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    _install_error_handlers(app)
    common = {500: {"model": ErrorOut}, 503: {"model": ErrorOut}}
    for module in (
        auth,
        users,
        vehicles,
        health,
        alarms,
        events,
        commands,
        evidence,
        video,
        cases,
        webhooks,
        registrations,
        registry,
    ):
        app.include_router(module.router, prefix=PREFIX, responses=common)  # type: ignore[arg-type]
    return app


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    headers: dict[str, str] | None = None,
    details: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    error: dict[str, Any] = {**(extra or {}), "code": code, "message": message}
    if details is not None:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(
            exc.status, exc.code, exc.message, headers=exc.headers, extra=exc.extra
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if isinstance(detail, dict) and "code" in detail:
            code, message = str(detail["code"]), str(detail.get("message", ""))
        else:
            code = _CODES.get(exc.status_code, f"http_{exc.status_code}")
            message = _phrase(exc.status_code) if detail is None else str(detail)
            if exc.status_code == 404 and message == _phrase(404):
                message = f"no such resource: {request.url.path}"
        return error_response(exc.status_code, code, message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ())[1:]) or None,
                "in": str(err["loc"][0]) if err.get("loc") else None,
                "message": err.get("msg", ""),
            }
            for err in exc.errors()
        ]
        message = "; ".join(
            f"{d['field'] or d['in'] or 'request'}: {d['message']}" for d in details
        )
        return error_response(
            422, "validation_error", message or "invalid request", details=details
        )

    async def _db_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s %s: database unavailable: %s", request.method, request.url.path, exc)
        request.app.state.ctx.metrics.inc("api_db_unavailable")
        return error_response(503, "database_unavailable", "database unavailable")

    app.add_exception_handler(StoreUnavailable, _db_unavailable)
    app.add_exception_handler(OperationalError, _db_unavailable)
    app.add_exception_handler(PoolTimeout, _db_unavailable)

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await _db_unavailable(request, exc)
        log.error("%s %s: database error", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "internal server error")

    @app.exception_handler(Exception)
    async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "internal server error")


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"
