"""The fleet registry over HTTP: the Excel template and the all-or-nothing import of
vehicles with their terminals (``registry_import.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from console.domain.model import Role, Scope
from console.platform.api.deps import (
    ApiError,
    CtxDep,
    CurrentUser,
    forbidden,
    now_of,
    read_body,
)
from console.platform.registry_import import ImportRejected, import_vehicles, template

router = APIRouter(tags=["registry"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_BYTES = 50 * 1024 * 1024


@router.get("/registry/templates/vehicles.xlsx")
def vehicles_template(user: CurrentUser) -> Response:
    return Response(
        template(),
        media_type=XLSX,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''vehicles-template.xlsx"},
    )


@router.post("/registry/import/vehicles")
async def import_vehicle_file(request: Request, ctx: CtxDep, user: CurrentUser) -> dict[str, Any]:
    """The filled template as the raw body. County operators import into their county's
    enterprises; enterprise officers read the registry but do not change it."""
    if user.role is Role.ENTERPRISE_OFFICER:
        raise forbidden("enterprise officers cannot change the registry")
    data = await read_body(request, MAX_IMPORT_BYTES, "an import file")
    try:
        with ctx.store.begin() as conn:
            result = import_vehicles(conn, data, Scope.of(user), now=now_of(ctx))
    except ImportRejected as exc:
        rows = [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
        raise ApiError(422, "import_rejected", str(exc), extra={"rows": rows}) from None
    return {"vehicles": result.vehicles, "terminals": result.terminals}
