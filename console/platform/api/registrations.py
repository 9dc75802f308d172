"""``GET /registrations/refused``: terminals the registry turned away (0x8100 result ≠ 0),
for admins finding out why a truck does not get online."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from console.platform.api.deps import AdminOnly, ConnDep
from console.platform.store.registration import refusals

router = APIRouter(tags=["registry"])


@router.get("/registrations/refused")
def refused_registrations(conn: ConnDep, user: AdminOnly) -> dict[str, Any]:
    items = refusals(conn)
    return {"items": items, "total": len(items)}
