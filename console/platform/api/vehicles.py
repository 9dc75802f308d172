"""Vehicles in the caller's scope: ``GET /vehicles`` (flat, or ``?tree=1``: county →
enterprise → vehicles), ``GET /vehicles/{id}``, ``GET /vehicles/{id}/track``.

A vehicle outside the caller's scope does not exist for them: 404, like an unknown id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import Connection

from console.domain.model import Scope, VehicleStatus
from console.platform.api.deps import ApiError, ConnDep, ScopeDep, not_found
from console.platform.api.schemas import (
    CountyNode,
    EnterpriseNode,
    ErrorOut,
    PositionOut,
    TrackOut,
    VehicleOut,
    VehicleStatusOut,
    VehicleTreeOut,
)
from console.platform.store import registry

router = APIRouter(tags=["vehicles"])

MAX_TRACK_RANGE = timedelta(hours=24)

_ERRORS = {401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


@router.get("/vehicles", responses={401: {"model": ErrorOut}})
def list_vehicles(
    conn: ConnDep,
    scope: ScopeDep,
    tree: Annotated[bool, Query(description="county → enterprise → vehicles")] = False,
    county_id: str | None = None,
    enterprise_id: str | None = None,
    plate: Annotated[str | None, Query(description="a part of the plate")] = None,
    status: VehicleStatusOut | None = None,
) -> list[VehicleOut] | VehicleTreeOut:
    """The vehicles the caller may see, ordered by plate, each with its county and
    enterprise names, status (offline / online / moving / stopped), terminal and latest
    state. ``tree=1`` groups them by county and enterprise with online/total counts
    (every county and enterprise in scope appears, even without vehicles)."""
    views = registry.list_vehicle_views(
        conn, scope, county_id=county_id, enterprise_id=enterprise_id, plate=plate
    )
    vehicles = [VehicleOut.of(v) for v in views]
    if status is not None:
        vehicles = [v for v in vehicles if v.status == status]
    if not tree:
        return vehicles
    return _tree(conn, scope, vehicles, county_id, enterprise_id)


def _tree(
    conn: Connection,
    scope: Scope,
    vehicles: list[VehicleOut],
    county_id: str | None,
    enterprise_id: str | None,
) -> VehicleTreeOut:
    # Every county and enterprise in scope is a node, even without vehicles ...
    counties = {c.id: (c.name, c.code) for c in registry.list_counties(conn, scope)}
    if county_id is not None:
        counties = {k: v for k, v in counties.items() if k == county_id}
    members: dict[str, dict[str, tuple[str, list[VehicleOut]]]] = {c: {} for c in counties}
    for e in registry.list_enterprises(conn, scope, county_id=county_id):
        if enterprise_id is None or e.id == enterprise_id:
            members.setdefault(e.county_id, {})[e.id] = (e.name, [])
    if enterprise_id is not None:
        members = {c: m for c, m in members.items() if m}
    # ... and a vehicle goes where it is registered (its county may differ from its
    # enterprise's).
    for v in vehicles:
        if v.county_id not in counties:
            counties[v.county_id] = (v.county_name, "")
        node = members.setdefault(v.county_id, {})
        node.setdefault(v.enterprise_id, (v.enterprise_name, []))[1].append(v)
    county_nodes = []
    for cid, enterprises in members.items():
        name, code = counties.get(cid, (cid, ""))
        nodes = [_enterprise_node(eid, ename, vs) for eid, (ename, vs) in enterprises.items()]
        county_nodes.append(
            CountyNode(
                id=cid,
                name=name,
                code=code,
                online=sum(n.online for n in nodes),
                total=sum(n.total for n in nodes),
                enterprises=sorted(nodes, key=lambda n: n.name),
            )
        )
    county_nodes.sort(key=lambda c: (c.code or "~", c.name))
    return VehicleTreeOut(
        online=sum(c.online for c in county_nodes),
        total=sum(c.total for c in county_nodes),
        counties=county_nodes,
    )


def _online(vehicles: list[VehicleOut]) -> int:
    return sum(v.status != VehicleStatus.OFFLINE.value for v in vehicles)


def _enterprise_node(id: str, name: str, vehicles: list[VehicleOut]) -> EnterpriseNode:
    return EnterpriseNode(
        id=id, name=name, online=_online(vehicles), total=len(vehicles), vehicles=vehicles
    )


@router.get("/vehicles/{vehicle_id}", responses=_ERRORS)
def get_vehicle(vehicle_id: str, conn: ConnDep, scope: ScopeDep) -> VehicleOut:
    view = registry.get_vehicle_view(conn, vehicle_id, scope)
    if view is None:
        raise not_found(f"vehicle {vehicle_id}")
    return VehicleOut.of(view)


@router.get("/vehicles/{vehicle_id}/track", responses=_ERRORS)
def get_track(
    vehicle_id: str,
    conn: ConnDep,
    scope: ScopeDep,
    start: Annotated[datetime, Query(description="ISO 8601 with a UTC offset, inclusive")],
    end: Annotated[datetime, Query(description="ISO 8601 with a UTC offset, exclusive")],
) -> TrackOut:
    """The vehicle's stored positions with ``start <= time < end`` (at most 24 h), ordered
    by time."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ApiError(
            422,
            "validation_error",
            "start and end need a UTC offset, e.g. 2024-05-01T08:00:00+08:00",
        )
    if end <= start:
        raise ApiError(422, "validation_error", "end must be after start")
    if end - start > MAX_TRACK_RANGE:
        raise ApiError(422, "validation_error", "a track covers at most 24 hours")
    track = registry.vehicle_track(conn, vehicle_id, scope, start, end)
    if track is None:
        raise not_found(f"vehicle {vehicle_id}")
    return TrackOut(
        vehicle_id=vehicle_id,
        start=start,
        end=end,
        positions=[PositionOut.of(p) for p in track],
    )
