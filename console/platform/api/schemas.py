"""The API's JSON shapes (pydantic). Field names are the domain model's
(``console/domain/model.py``); what the API adds beside them (names of the county and the
enterprise, the vehicle's status, a user's scope) has its own fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from console.domain.model import County, Enterprise, Position, Role, Terminal, User, VehicleType
from console.platform.store.registry import VehicleState, VehicleView

VehicleStatusOut = Literal["offline", "online", "moving", "stopped"]


class ErrorBody(BaseModel):
    code: str = Field(description="machine-readable, e.g. not_found, invalid_token")
    message: str = Field(description="what went wrong, for people")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="validation errors: one per field"
    )


class ErrorOut(BaseModel):
    error: ErrorBody


# --------------------------------------------------------------------------- users


class LoginIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=False)

    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class ScopeOut(BaseModel):
    """What a user may see: ``all`` (admin), one ``county`` or one ``enterprise``."""

    kind: Literal["all", "county", "enterprise"]
    county_id: str | None = None
    county_name: str | None = None
    enterprise_id: str | None = None
    enterprise_name: str | None = None


class UserOut(BaseModel):
    id: str
    username: str
    role: Role
    display_name: str
    county_id: str | None
    enterprise_id: str | None
    active: bool
    scope: ScopeOut

    @classmethod
    def of(
        cls,
        user: User,
        counties: dict[str, County],
        enterprises: dict[str, Enterprise],
    ) -> UserOut:
        county = counties.get(user.county_id or "")
        enterprise = enterprises.get(user.enterprise_id or "")
        if user.role is Role.ADMIN:
            scope = ScopeOut(kind="all")
        else:
            scope = ScopeOut(
                kind="county" if user.role is Role.COUNTY_OPERATOR else "enterprise",
                county_id=user.county_id,
                county_name=county.name if county else None,
                enterprise_id=user.enterprise_id,
                enterprise_name=enterprise.name if enterprise else None,
            )
        return cls(
            id=user.id,
            username=user.username,
            role=user.role,
            display_name=user.display_name,
            county_id=user.county_id,
            enterprise_id=user.enterprise_id,
            active=user.active,
            scope=scope,
        )


class LoginOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: UserOut


# --------------------------------------------------------------------------- vehicles


class TerminalOut(BaseModel):
    id: str
    phone: str
    terminal_id: str
    edition: str
    dialect: str
    maker: str
    model: str
    channels: int
    active: bool
    registered: bool = Field(description="the terminal holds an auth code")

    @classmethod
    def of(cls, terminal: Terminal) -> TerminalOut:
        return cls(
            id=terminal.id,
            phone=terminal.phone,
            terminal_id=terminal.terminal_id,
            edition=terminal.edition,
            dialect=terminal.dialect,
            maker=terminal.maker,
            model=terminal.model,
            channels=terminal.channels,
            active=terminal.active,
            registered=terminal.auth_code is not None,
        )


class StateOut(BaseModel):
    """The latest known state: connection and last position (names as in Position)."""

    online: bool
    last_seen_at: datetime | None
    time: datetime | None
    lat: float | None
    lon: float | None
    speed_kmh: float | None
    direction: int | None
    alarm_flags: int
    status: int

    @classmethod
    def of(cls, state: VehicleState) -> StateOut:
        return cls(
            online=state.online,
            last_seen_at=state.last_seen_at,
            time=state.time,
            lat=state.lat,
            lon=state.lon,
            speed_kmh=state.speed_kmh,
            direction=state.direction,
            alarm_flags=state.alarm_flags,
            status=state.status,
        )


class VehicleOut(BaseModel):
    id: str
    plate: str
    plate_color: int
    vehicle_type: VehicleType
    vin: str
    speed_limit_kmh: int
    driver_name: str
    driver_phone: str
    active: bool
    county_id: str
    county_name: str
    enterprise_id: str
    enterprise_name: str
    status: VehicleStatusOut
    terminal: TerminalOut | None
    state: StateOut | None

    @classmethod
    def of(cls, view: VehicleView) -> VehicleOut:
        v = view.vehicle
        return cls(
            id=v.id,
            plate=v.plate,
            plate_color=v.plate_color,
            vehicle_type=v.vehicle_type,
            vin=v.vin,
            speed_limit_kmh=v.speed_limit_kmh,
            driver_name=v.driver_name,
            driver_phone=v.driver_phone,
            active=v.active,
            county_id=v.county_id,
            county_name=view.county_name,
            enterprise_id=v.enterprise_id,
            enterprise_name=view.enterprise_name,
            status=view.status,  # type: ignore[arg-type]
            terminal=TerminalOut.of(view.terminal) if view.terminal else None,
            state=StateOut.of(view.state) if view.state else None,
        )


class EnterpriseNode(BaseModel):
    id: str
    name: str
    online: int = Field(description="vehicles not offline")
    total: int
    vehicles: list[VehicleOut]


class CountyNode(BaseModel):
    id: str
    name: str
    code: str
    online: int
    total: int
    enterprises: list[EnterpriseNode]


class VehicleTreeOut(BaseModel):
    """County → enterprise → vehicles, with online/total counts on every node."""

    online: int
    total: int
    counties: list[CountyNode]


class PositionOut(BaseModel):
    vehicle_id: str
    time: datetime
    lat: float
    lon: float
    speed_kmh: float
    direction: int
    altitude_m: int
    alarm_flags: int
    status: int
    mileage_km: float | None
    fuel_l: float | None
    satellites: int | None
    signal: int | None
    received_at: datetime | None
    invalid_reasons: list[str]
    valid: bool

    @classmethod
    def of(cls, p: Position) -> PositionOut:
        return cls(
            vehicle_id=p.vehicle_id,
            time=p.time,
            lat=p.lat,
            lon=p.lon,
            speed_kmh=p.speed_kmh,
            direction=p.direction,
            altitude_m=p.altitude_m,
            alarm_flags=p.alarm_flags,
            status=p.status,
            mileage_km=p.mileage_km,
            fuel_l=p.fuel_l,
            satellites=p.satellites,
            signal=p.signal,
            received_at=p.received_at,
            invalid_reasons=list(p.invalid_reasons),
            valid=p.valid,
        )


class TrackOut(BaseModel):
    vehicle_id: str
    start: datetime
    end: datetime
    positions: list[PositionOut] = Field(description="ordered by time")


# --------------------------------------------------------------------------- health


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    db: bool
    version: str
    time: datetime
    error: ErrorBody | None = None
