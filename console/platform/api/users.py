"""``GET /users`` (admins: every user with role and scope) and ``GET /users/me``."""

from __future__ import annotations

from fastapi import APIRouter

from console.domain.model import Role
from console.platform.api.deps import AdminOnly, ConnDep, CurrentUser
from console.platform.api.schemas import ErrorOut, UserOut
from console.platform.store import registry

router = APIRouter(tags=["users"])


@router.get("/users", responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}})
def list_users(
    conn: ConnDep,
    _admin: AdminOnly,
    role: Role | None = None,
    county_id: str | None = None,
    enterprise_id: str | None = None,
) -> list[UserOut]:
    """Every user with role and scope. ``?role=county_operator&county_id=…`` finds the
    operator of a county, ``?role=enterprise_officer&enterprise_id=…`` the officer of an
    enterprise (``county_id`` alone also finds the officers of the county's enterprises).
    """
    counties = {c.id: c for c in registry.list_counties(conn)}
    enterprises = {e.id: e for e in registry.list_enterprises(conn)}
    found = registry.list_users(conn, role=role, county_id=county_id, enterprise_id=enterprise_id)
    return [UserOut.of(u, counties, enterprises) for u in found]


@router.get("/users/me", responses={401: {"model": ErrorOut}})
def me(conn: ConnDep, user: CurrentUser) -> UserOut:
    """The logged-in user, with role and scope."""
    county = registry.get_county(conn, user.county_id) if user.county_id else None
    enterprise = registry.get_enterprise(conn, user.enterprise_id) if user.enterprise_id else None
    return UserOut.of(
        user,
        {county.id: county} if county else {},
        {enterprise.id: enterprise} if enterprise else {},
    )
