"""The registry: counties, enterprises, vehicles, terminals, users and bearer tokens.

Plain functions taking a SQLAlchemy ``Connection`` (compose them in one transaction with
``store.begin()``). Everything that returns vehicles or vehicle-linked data takes a
:class:`~console.domain.model.Scope` and filters **in SQL**: a vehicle outside the scope is
simply not found (the API answers 404), never loaded and dropped afterwards.

Lookups the platform itself needs without a user (the gateway finding a vehicle by plate,
a terminal by phone) take no scope.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    delete,
    false,
    func,
    insert,
    select,
    true,
    update,
)

from console.domain.model import (
    DEFAULT_SPEED_LIMIT_KMH,
    County,
    Enterprise,
    Position,
    Role,
    Scope,
    Terminal,
    User,
    Vehicle,
    VehicleStatus,
    VehicleType,
)
from console.platform.ids import new_id
from console.platform.store.schema import (
    counties,
    enterprises,
    positions,
    terminals,
    tokens,
    users,
    vehicle_state,
    vehicles,
)

log = logging.getLogger(__name__)

#: A vehicle reporting at least this speed is "moving"; below it GPS jitter is "stopped".
MOVING_MIN_KMH = 5.0

#: Status of a vehicle that is connected but has not reported a position yet.
STATUS_ONLINE = "online"


class RegistryError(Exception):
    """A registry command that cannot be carried out (the message says why)."""


class NotFound(RegistryError):
    pass


class Duplicate(RegistryError):
    pass


@dataclass(frozen=True, slots=True)
class VehicleState:
    """The latest known state of a vehicle (table ``vehicle_state``)."""

    vehicle_id: str
    online: bool = False
    last_seen_at: datetime | None = None  # platform clock, last message
    time: datetime | None = None  # terminal time of the last position
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    direction: int | None = None
    alarm_flags: int = 0
    status: int = 0

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class VehicleView:
    """A vehicle with what a list or the tree shows beside it."""

    vehicle: Vehicle
    county_name: str
    enterprise_name: str
    terminal: Terminal | None
    state: VehicleState | None

    @property
    def status(self) -> str:
        return vehicle_status(self.state)


def vehicle_status(state: VehicleState | None) -> str:
    """``offline`` / ``online`` (connected, no position yet) / ``moving`` / ``stopped``."""
    if state is None or not state.online:
        return VehicleStatus.OFFLINE.value
    if state.speed_kmh is None:
        return STATUS_ONLINE
    if state.speed_kmh >= MOVING_MIN_KMH:
        return VehicleStatus.MOVING.value
    return VehicleStatus.STOPPED.value


def scope_condition(
    scope: Scope, county_col: ColumnElement[Any], enterprise_col: ColumnElement[Any]
) -> ColumnElement[bool]:
    """The SQL condition for rows ``scope`` may see, given their county and enterprise columns.

    Reusable by every query of vehicle-linked rows (alarms, commands, ...).
    """
    conditions: list[ColumnElement[bool]] = []
    if scope.county_ids is not None:
        conditions.append(county_col.in_(sorted(scope.county_ids)) if scope.county_ids else false())
    if scope.enterprise_ids is not None:
        conditions.append(
            enterprise_col.in_(sorted(scope.enterprise_ids)) if scope.enterprise_ids else false()
        )
    if not conditions:
        return true()
    return and_(*conditions)


def _now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- counties


def add_county(conn: Connection, *, name: str, code: str = "", id: str | None = None) -> County:
    county = County(id=id or new_id("cty"), name=name, code=code)
    conn.execute(insert(counties).values(id=county.id, name=county.name, code=county.code))
    return county


def get_county(conn: Connection, county_id: str, scope: Scope | None = None) -> County | None:
    query = select(counties).where(counties.c.id == county_id)
    if scope is not None:
        query = query.where(_county_visible(scope))
    row = conn.execute(query).mappings().first()
    return _to_county(row) if row else None


def list_counties(conn: Connection, scope: Scope | None = None) -> list[County]:
    """Counties ordered by code; with a scope, those holding something the scope may see
    (an enterprise officer sees the county of their enterprise)."""
    query = select(counties).order_by(counties.c.code, counties.c.name)
    if scope is not None:
        query = query.where(_county_visible(scope))
    return [_to_county(r) for r in conn.execute(query).mappings()]


def _county_visible(scope: Scope) -> ColumnElement[bool]:
    if scope.is_everything:
        return true()
    conditions: list[ColumnElement[bool]] = []
    if scope.county_ids is not None:
        conditions.append(counties.c.id.in_(sorted(scope.county_ids)))
    if scope.enterprise_ids is not None:
        conditions.append(
            counties.c.id.in_(
                select(enterprises.c.county_id).where(
                    enterprises.c.id.in_(sorted(scope.enterprise_ids))
                )
            )
        )
    return and_(*conditions)


def _to_county(row: Any) -> County:
    return County(id=row["id"], name=row["name"], code=row["code"])


# --------------------------------------------------------------------------- enterprises


def add_enterprise(
    conn: Connection,
    *,
    name: str,
    county_id: str,
    credit_code: str = "",
    contact: str = "",
    phone: str = "",
    active: bool = True,
    id: str | None = None,
    now: datetime | None = None,
) -> Enterprise:
    enterprise = Enterprise(
        id=id or new_id("ent"),
        name=name,
        county_id=county_id,
        credit_code=credit_code,
        contact=contact,
        phone=phone,
        active=active,
    )
    conn.execute(
        insert(enterprises).values(
            id=enterprise.id,
            name=name,
            county_id=county_id,
            credit_code=credit_code,
            contact=contact,
            phone=phone,
            active=active,
            created_at=now or _now(),
        )
    )
    return enterprise


def get_enterprise(
    conn: Connection, enterprise_id: str, scope: Scope | None = None
) -> Enterprise | None:
    query = select(enterprises).where(enterprises.c.id == enterprise_id)
    if scope is not None:
        query = query.where(scope_condition(scope, enterprises.c.county_id, enterprises.c.id))
    row = conn.execute(query).mappings().first()
    return _to_enterprise(row) if row else None


def list_enterprises(
    conn: Connection, scope: Scope | None = None, *, county_id: str | None = None
) -> list[Enterprise]:
    query = select(enterprises).order_by(enterprises.c.county_id, enterprises.c.name)
    if scope is not None:
        query = query.where(scope_condition(scope, enterprises.c.county_id, enterprises.c.id))
    if county_id is not None:
        query = query.where(enterprises.c.county_id == county_id)
    return [_to_enterprise(r) for r in conn.execute(query).mappings()]


def _to_enterprise(row: Any) -> Enterprise:
    return Enterprise(
        id=row["id"],
        name=row["name"],
        county_id=row["county_id"],
        credit_code=row["credit_code"],
        contact=row["contact"],
        phone=row["phone"],
        active=row["active"],
    )


# --------------------------------------------------------------------------- vehicles


def add_vehicle(
    conn: Connection,
    *,
    plate: str,
    plate_color: int,
    enterprise_id: str,
    county_id: str | None = None,
    vehicle_type: VehicleType = VehicleType.HEAVY_GOODS,
    vin: str = "",
    speed_limit_kmh: int = DEFAULT_SPEED_LIMIT_KMH,
    driver_name: str = "",
    driver_phone: str = "",
    active: bool = True,
    id: str | None = None,
    now: datetime | None = None,
) -> Vehicle:
    """Register a vehicle; its county defaults to its enterprise's.

    Raises :class:`NotFound` for an unknown enterprise and :class:`Duplicate` for a plate
    (with its colour) that is already registered.
    """
    if county_id is None:
        county_id = conn.execute(
            select(enterprises.c.county_id).where(enterprises.c.id == enterprise_id)
        ).scalar()
        if county_id is None:
            raise NotFound(f"no enterprise {enterprise_id!r}")
    vehicle = Vehicle(
        id=id or new_id("veh"),
        plate=plate,
        plate_color=plate_color,
        enterprise_id=enterprise_id,
        county_id=county_id,
        vehicle_type=VehicleType(vehicle_type),
        vin=vin,
        speed_limit_kmh=speed_limit_kmh,
        driver_name=driver_name,
        driver_phone=driver_phone,
        active=active,
    )
    if find_vehicle_by_plate(conn, plate, plate_color) is not None:
        raise Duplicate(f"plate {plate} (colour {plate_color}) is already registered")
    conn.execute(
        insert(vehicles).values(
            id=vehicle.id,
            plate=plate,
            plate_color=plate_color,
            enterprise_id=enterprise_id,
            county_id=county_id,
            vehicle_type=vehicle.vehicle_type.value,
            vin=vin,
            speed_limit_kmh=speed_limit_kmh,
            driver_name=driver_name,
            driver_phone=driver_phone,
            active=active,
            created_at=now or _now(),
        )
    )
    return vehicle


def get_vehicle(conn: Connection, vehicle_id: str, scope: Scope) -> Vehicle | None:
    """The vehicle if it exists **and** ``scope`` may see it."""
    query = select(vehicles).where(
        vehicles.c.id == vehicle_id,
        scope_condition(scope, vehicles.c.county_id, vehicles.c.enterprise_id),
    )
    row = conn.execute(query).mappings().first()
    return _to_vehicle(row) if row else None


def list_vehicles(
    conn: Connection,
    scope: Scope,
    *,
    county_id: str | None = None,
    enterprise_id: str | None = None,
) -> list[Vehicle]:
    query = _vehicles_query(select(vehicles), scope, county_id, enterprise_id)
    return [_to_vehicle(r) for r in conn.execute(query.order_by(vehicles.c.plate)).mappings()]


def find_vehicle_by_plate(
    conn: Connection, plate: str, plate_color: int | None = None
) -> Vehicle | None:
    """The vehicle with this plate (and colour, if given); no scope: for the gateway.

    Without a colour, a plate that several vehicles share (different colours) is
    ambiguous: the result is ``None`` and a warning is logged.
    """
    query = select(vehicles).where(vehicles.c.plate == plate.strip())
    if plate_color is not None:
        query = query.where(vehicles.c.plate_color == plate_color)
    rows = conn.execute(query.limit(2)).mappings().all()
    if len(rows) > 1:
        log.warning("plate %s is registered with several colours; give the colour", plate)
        return None
    return _to_vehicle(rows[0]) if rows else None


def find_vehicle_by_vin(conn: Connection, vin: str) -> Vehicle | None:
    """For terminals that register with plate colour 0 (no plate yet: the VIN instead)."""
    row = (
        conn.execute(select(vehicles).where(vehicles.c.vin == vin.strip()).limit(1))
        .mappings()
        .first()
    )
    return _to_vehicle(row) if row else None


def _vehicles_query(
    query: Select[Any],
    scope: Scope,
    county_id: str | None,
    enterprise_id: str | None,
) -> Select[Any]:
    query = query.where(scope_condition(scope, vehicles.c.county_id, vehicles.c.enterprise_id))
    if county_id is not None:
        query = query.where(vehicles.c.county_id == county_id)
    if enterprise_id is not None:
        query = query.where(vehicles.c.enterprise_id == enterprise_id)
    return query


def _to_vehicle(row: Any) -> Vehicle:
    return Vehicle(
        id=row["id"],
        plate=row["plate"],
        plate_color=row["plate_color"],
        enterprise_id=row["enterprise_id"],
        county_id=row["county_id"],
        vehicle_type=VehicleType(row["vehicle_type"]),
        vin=row["vin"],
        speed_limit_kmh=row["speed_limit_kmh"],
        driver_name=row["driver_name"],
        driver_phone=row["driver_phone"],
        active=row["active"],
    )


# --------------------------------------------------------------------------- vehicle views


def _view_select() -> Select[Any]:
    t = terminals.alias("t")
    s = vehicle_state.alias("s")
    columns = [
        *vehicles.c,
        counties.c.name.label("county_name"),
        enterprises.c.name.label("enterprise_name"),
        *(c.label(f"t_{c.name}") for c in t.c),
        *(c.label(f"s_{c.name}") for c in s.c),
    ]
    return select(*columns).select_from(
        vehicles.join(counties, counties.c.id == vehicles.c.county_id)
        .join(enterprises, enterprises.c.id == vehicles.c.enterprise_id)
        .outerjoin(t, t.c.vehicle_id == vehicles.c.id)
        .outerjoin(s, s.c.vehicle_id == vehicles.c.id)
    )


def list_vehicle_views(
    conn: Connection,
    scope: Scope,
    *,
    county_id: str | None = None,
    enterprise_id: str | None = None,
    plate: str | None = None,
) -> list[VehicleView]:
    """Vehicles in scope with names, terminal and latest state, ordered by plate.

    ``plate`` matches a part of the plate (``"R1234"`` finds ``粤R12345``).
    """
    query = _vehicles_query(_view_select(), scope, county_id, enterprise_id)
    if plate:
        escaped = plate.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(vehicles.c.plate.like(f"%{escaped}%", escape="\\"))
    rows = conn.execute(query.order_by(vehicles.c.plate, vehicles.c.plate_color)).mappings()
    return [_to_view(r) for r in rows]


def get_vehicle_view(conn: Connection, vehicle_id: str, scope: Scope) -> VehicleView | None:
    query = _vehicles_query(_view_select(), scope, None, None).where(vehicles.c.id == vehicle_id)
    row = conn.execute(query).mappings().first()
    return _to_view(row) if row else None


def get_vehicle_state(conn: Connection, vehicle_id: str) -> VehicleState | None:
    row = (
        conn.execute(select(vehicle_state).where(vehicle_state.c.vehicle_id == vehicle_id))
        .mappings()
        .first()
    )
    return _to_state(row, "") if row else None


def _to_view(row: Any) -> VehicleView:
    terminal = _to_terminal(row, "t_") if row["t_id"] is not None else None
    state = _to_state(row, "s_") if row["s_vehicle_id"] is not None else None
    return VehicleView(
        vehicle=_to_vehicle(row),
        county_name=row["county_name"],
        enterprise_name=row["enterprise_name"],
        terminal=terminal,
        state=state,
    )


def _to_state(row: Any, prefix: str) -> VehicleState:
    return VehicleState(
        vehicle_id=row[f"{prefix}vehicle_id"],
        online=bool(row[f"{prefix}online"]),
        last_seen_at=row[f"{prefix}last_seen_at"],
        time=row[f"{prefix}time"],
        lat=row[f"{prefix}lat"],
        lon=row[f"{prefix}lon"],
        speed_kmh=row[f"{prefix}speed_kmh"],
        direction=row[f"{prefix}direction"],
        alarm_flags=row[f"{prefix}alarm_flags"] or 0,
        status=row[f"{prefix}status"] or 0,
    )


# --------------------------------------------------------------------------- track


def vehicle_track(
    conn: Connection,
    vehicle_id: str,
    scope: Scope,
    start: datetime,
    end: datetime,
    *,
    limit: int | None = None,
) -> list[Position] | None:
    """The vehicle's positions with ``start <= time < end``, oldest first; ``None`` when
    the vehicle does not exist or is outside ``scope``."""
    if get_vehicle(conn, vehicle_id, scope) is None:
        return None
    query = (
        select(positions)
        .where(
            positions.c.vehicle_id == vehicle_id,
            positions.c.time >= start,
            positions.c.time < end,
        )
        .order_by(positions.c.time)
    )
    if limit is not None:
        query = query.limit(limit)
    return [_to_position(r) for r in conn.execute(query).mappings()]


def _to_position(row: Any) -> Position:
    invalid = row["invalid"]
    return Position(
        vehicle_id=row["vehicle_id"],
        time=row["time"],
        lat=row["lat"],
        lon=row["lon"],
        speed_kmh=row["speed_kmh"],
        direction=row["direction"],
        altitude_m=row["altitude_m"],
        alarm_flags=row["alarm_flags"],
        status=row["status"],
        mileage_km=row["mileage_km"],
        fuel_l=row["fuel_l"],
        satellites=row["satellites"],
        signal=row["signal"],
        received_at=row["received_at"],
        invalid_reasons=tuple(r for r in invalid.split(";") if r) if invalid else (),
    )


# --------------------------------------------------------------------------- terminals


def add_terminal(
    conn: Connection,
    *,
    phone: str,
    terminal_id: str,
    vehicle_id: str | None = None,
    edition: str = "2019",
    dialect: str = "yuebiao",
    maker: str = "",
    model: str = "",
    channels: int = 4,
    active: bool = True,
    id: str | None = None,
) -> Terminal:
    """Record an installed terminal (not registered yet: no auth code)."""
    terminal = Terminal(
        id=id or new_id("trm"),
        phone=phone,
        terminal_id=terminal_id,
        vehicle_id=vehicle_id,
        edition=edition,
        dialect=dialect,
        maker=maker,
        model=model,
        channels=channels,
        auth_code=None,
        active=active,
    )
    if get_terminal_by_phone(conn, phone) is not None:
        raise Duplicate(f"terminal {phone} already exists")
    if vehicle_id is not None and get_terminal_for_vehicle(conn, vehicle_id) is not None:
        raise Duplicate(f"vehicle {vehicle_id} already has a terminal")
    conn.execute(
        insert(terminals).values(
            id=terminal.id,
            phone=phone,
            terminal_id=terminal_id,
            vehicle_id=vehicle_id,
            edition=edition,
            dialect=dialect,
            maker=maker,
            model=model,
            channels=channels,
            auth_code=None,
            registered_at=None,
            active=active,
        )
    )
    return terminal


def get_terminal_by_phone(conn: Connection, phone: str) -> Terminal | None:
    row = conn.execute(select(terminals).where(terminals.c.phone == phone)).mappings().first()
    return _to_terminal(row) if row else None


def get_terminal(conn: Connection, terminal_pk: str) -> Terminal | None:
    row = conn.execute(select(terminals).where(terminals.c.id == terminal_pk)).mappings().first()
    return _to_terminal(row) if row else None


def get_terminal_for_vehicle(
    conn: Connection, vehicle_id: str, scope: Scope | None = None
) -> Terminal | None:
    """The terminal bound to the vehicle; with a scope, only if the vehicle is in it."""
    query = select(terminals).where(terminals.c.vehicle_id == vehicle_id)
    if scope is not None and not scope.is_everything:
        query = query.where(
            terminals.c.vehicle_id.in_(
                select(vehicles.c.id).where(
                    scope_condition(scope, vehicles.c.county_id, vehicles.c.enterprise_id)
                )
            )
        )
    row = conn.execute(query).mappings().first()
    return _to_terminal(row) if row else None


def set_terminal_protocol(
    conn: Connection, phone: str, *, edition: str | None = None, dialect: str | None = None
) -> None:
    """Remember how a terminal speaks (edition seen in its headers, dialect detected)."""
    values = {k: v for k, v in (("edition", edition), ("dialect", dialect)) if v is not None}
    if values:
        conn.execute(update(terminals).where(terminals.c.phone == phone).values(**values))


def _to_terminal(row: Any, prefix: str = "") -> Terminal:
    return Terminal(
        id=row[f"{prefix}id"],
        phone=row[f"{prefix}phone"],
        terminal_id=row[f"{prefix}terminal_id"],
        vehicle_id=row[f"{prefix}vehicle_id"],
        edition=row[f"{prefix}edition"],
        dialect=row[f"{prefix}dialect"],
        maker=row[f"{prefix}maker"],
        model=row[f"{prefix}model"],
        channels=row[f"{prefix}channels"],
        auth_code=row[f"{prefix}auth_code"],
        active=row[f"{prefix}active"],
    )


# --------------------------------------------------------------------------- users


def create_user(
    conn: Connection,
    *,
    username: str,
    role: Role,
    password: str | None = None,
    password_hash: str | None = None,
    display_name: str = "",
    county_id: str | None = None,
    enterprise_id: str | None = None,
    active: bool = True,
    id: str | None = None,
    now: datetime | None = None,
) -> User:
    """Create a user with an argon2 hash of ``password`` (or a ready ``password_hash``).

    A county operator needs a county, an enterprise officer an enterprise (whose county is
    recorded too); an admin has neither. Raises :class:`Duplicate` for a taken username.
    """
    role = Role(role)
    if (password is None) == (password_hash is None):
        raise ValueError("give exactly one of password and password_hash")
    if password_hash is None:
        from console.platform.auth import hash_password  # auth builds on this module

        password_hash = hash_password(password or "")
    if role is Role.COUNTY_OPERATOR:
        if county_id is None or get_county(conn, county_id) is None:
            raise NotFound(f"a county operator needs a known county, not {county_id!r}")
        enterprise_id = None
    elif role is Role.ENTERPRISE_OFFICER:
        enterprise = get_enterprise(conn, enterprise_id) if enterprise_id else None
        if enterprise is None:
            raise NotFound(f"an enterprise officer needs a known enterprise, not {enterprise_id!r}")
        county_id = enterprise.county_id
    else:
        county_id = enterprise_id = None
    if get_user_by_username(conn, username) is not None:
        raise Duplicate(f"username {username!r} is taken")
    user = User(
        id=id or new_id("usr"),
        username=username,
        role=role,
        display_name=display_name,
        county_id=county_id,
        enterprise_id=enterprise_id,
        active=active,
    )
    conn.execute(
        insert(users).values(
            id=user.id,
            username=username,
            password_hash=password_hash,
            role=role.value,
            display_name=display_name,
            county_id=county_id,
            enterprise_id=enterprise_id,
            active=active,
            failed_logins=0,
            locked_until=None,
            created_at=now or _now(),
        )
    )
    return user


def get_user(conn: Connection, user_id: str) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return user_from_row(row) if row else None


def get_user_by_username(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    return user_from_row(row) if row else None


def list_users(
    conn: Connection,
    *,
    role: Role | None = None,
    county_id: str | None = None,
    enterprise_id: str | None = None,
) -> list[User]:
    """Users ordered by username; ``county_id`` also finds the officers of the county's
    enterprises (their county is recorded)."""
    query = select(users).order_by(users.c.username)
    if role is not None:
        query = query.where(users.c.role == Role(role).value)
    if county_id is not None:
        query = query.where(users.c.county_id == county_id)
    if enterprise_id is not None:
        query = query.where(users.c.enterprise_id == enterprise_id)
    return [user_from_row(r) for r in conn.execute(query).mappings()]


def set_password(conn: Connection, user_id: str, password: str) -> None:
    from console.platform.auth import hash_password

    conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(password_hash=hash_password(password), failed_logins=0, locked_until=None)
    )


def set_user_active(conn: Connection, user_id: str, active: bool) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(active=active))
    if not active:
        conn.execute(delete(tokens).where(tokens.c.user_id == user_id))


def user_from_row(row: Any) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        display_name=row["display_name"],
        county_id=row["county_id"],
        enterprise_id=row["enterprise_id"],
        active=row["active"],
    )


def count_rows(conn: Connection) -> dict[str, int]:
    """How many counties, enterprises, vehicles, terminals and users there are."""
    out = {}
    for table in (counties, enterprises, vehicles, terminals, users):
        out[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    return out


# --------------------------------------------------------------------------- tokens


def add_token(
    conn: Connection, token_hash: str, user_id: str, *, created_at: datetime, expires_at: datetime
) -> None:
    conn.execute(
        insert(tokens).values(
            token_hash=token_hash, user_id=user_id, created_at=created_at, expires_at=expires_at
        )
    )


def user_for_token_hash(conn: Connection, token_hash: str, now: datetime) -> User | None:
    """The active user owning an unexpired token with this hash."""
    row = (
        conn.execute(
            select(users)
            .join(tokens, tokens.c.user_id == users.c.id)
            .where(
                tokens.c.token_hash == token_hash,
                tokens.c.expires_at > now,
                users.c.active == true(),
            )
        )
        .mappings()
        .first()
    )
    return user_from_row(row) if row else None


def token_expires_at(conn: Connection, token_hash: str) -> datetime | None:
    return conn.execute(
        select(tokens.c.expires_at).where(tokens.c.token_hash == token_hash)
    ).scalar()


def delete_token(conn: Connection, token_hash: str) -> bool:
    return conn.execute(delete(tokens).where(tokens.c.token_hash == token_hash)).rowcount > 0


def prune_tokens(conn: Connection, now: datetime) -> int:
    """Drop expired tokens; returns how many went."""
    return conn.execute(delete(tokens).where(tokens.c.expires_at <= now)).rowcount
