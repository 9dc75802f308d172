"""Fixtures of the platform tests.

- ``store``: a migrated :class:`Store`, once on a SQLite file in ``tmp_path`` and once on
  PostgreSQL when ``TRUCKWATCH_TEST_PG`` holds a URL (each test in a fresh schema of its
  own, dropped afterwards, so tests, and engineers, never see each other's rows).
- ``db_url``: the URL behind ``store`` (for a subprocess or a second ``Store``).
- ``world``: a small registry in ``store``: 2 counties, 3 enterprises, 6 vehicles with
  terminals, and one user per role (password :data:`PASSWORD`).
- ``clock``, ``ctx``, ``app``, ``client``, ``login``: the HTTP API on that store.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from console.domain.model import PLATE_COLOR_YELLOW, Role, VehicleType
from console.platform.auth import hash_password
from console.platform.config import PlatformConfig
from console.platform.events import EventBus
from console.platform.metrics import Metrics
from console.platform.store import Store, registry, sqlite_url

with warnings.catch_warnings():
    # starlette asks for httpx2 (not a dependency yet); httpx works.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PG_URL = os.environ.get("TRUCKWATCH_TEST_PG")
PASSWORD = "correct horse battery"

BACKENDS = [
    "sqlite",
    pytest.param("pg", marks=pytest.mark.skipif(not PG_URL, reason="TRUCKWATCH_TEST_PG unset")),
]


def pg_schema_url(url: str, schema: str) -> str:
    """``url`` with every connection's ``search_path`` set to ``schema``."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "store.db")
        return
    assert PG_URL
    schema = f"tw_test_{uuid4().hex[:16]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield pg_schema_url(PG_URL, schema)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store (SQLite, and PostgreSQL when TRUCKWATCH_TEST_PG is set)."""
    opened = Store.open(db_url)
    try:
        yield opened
    finally:
        opened.close()


# --------------------------------------------------------------------------- a small world


@pytest.fixture
def password() -> str:
    """The password of every ``world`` user."""
    return PASSWORD


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2 hash of :data:`PASSWORD`, shared by the fixture users (hashing is slow)."""
    return hash_password(PASSWORD)


@dataclass
class World:
    """County A holds enterprises A1 and A2, county B holds B1; two trucks each."""

    county_a: str
    county_b: str
    ent_a1: str
    ent_a2: str
    ent_b1: str
    vehicles: dict[str, list[str]]  # enterprise id → vehicle ids
    plates: dict[str, str]  # vehicle id → plate
    phones: dict[str, str]  # vehicle id → terminal phone
    users: dict[str, str]  # username → user id

    @property
    def all_vehicles(self) -> list[str]:
        return [v for vs in self.vehicles.values() for v in vs]


@pytest.fixture
def world(store: Store, password_hash: str) -> World:
    with store.begin() as conn:
        a = registry.add_county(conn, name="清城区", code="441802").id
        b = registry.add_county(conn, name="英德市", code="441881").id
        ents = {
            "a1": registry.add_enterprise(conn, name="清远市甲物流有限公司", county_id=a).id,
            "a2": registry.add_enterprise(conn, name="清远市乙运输有限公司", county_id=a).id,
            "b1": registry.add_enterprise(conn, name="英德市丙货运有限公司", county_id=b).id,
        }
        vehicles: dict[str, list[str]] = {}
        plates: dict[str, str] = {}
        phones: dict[str, str] = {}
        n = 0
        for key, ent in ents.items():
            for i in range(2):
                n += 1
                plate = f"粤R{key[0].upper()}{n:04d}"
                vehicle = registry.add_vehicle(
                    conn,
                    plate=plate,
                    plate_color=PLATE_COLOR_YELLOW,
                    enterprise_id=ent,
                    vehicle_type=VehicleType.SEMI_TRAILER_TRACTOR,
                    vin=f"LZZTEST0{n:09d}",
                    driver_name=f"司机{n}",
                )
                phone = f"0139000{n:05d}"
                registry.add_terminal(
                    conn,
                    phone=phone,
                    terminal_id=f"T{n:06d}",
                    vehicle_id=vehicle.id,
                    edition="2013" if i else "2019",
                    dialect="subiao" if i else "yuebiao",
                )
                vehicles.setdefault(ent, []).append(vehicle.id)
                plates[vehicle.id] = plate
                phones[vehicle.id] = phone
        users = {}
        for username, role, county, enterprise in (
            ("admin", Role.ADMIN, None, None),
            ("op_a", Role.COUNTY_OPERATOR, a, None),
            ("op_b", Role.COUNTY_OPERATOR, b, None),
            ("ent_a1", Role.ENTERPRISE_OFFICER, None, ents["a1"]),
            ("ent_a2", Role.ENTERPRISE_OFFICER, None, ents["a2"]),
            ("ent_b1", Role.ENTERPRISE_OFFICER, None, ents["b1"]),
        ):
            user = registry.create_user(
                conn,
                username=username,
                role=role,
                password_hash=password_hash,
                display_name=username.upper(),
                county_id=county,
                enterprise_id=enterprise,
            )
            users[username] = user.id
    return World(a, b, ents["a1"], ents["a2"], ents["b1"], vehicles, plates, phones, users)


# --------------------------------------------------------------------------- the HTTP API


class Clock:
    """The platform clock of a test: starts now, moves when told."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(store: Store, tmp_path: Path, clock: Clock) -> SimpleNamespace:
    """What ``create_app`` needs, without a gateway (and without the deadline sweep
    running: tests call ``ctx.workflow.sweep_now()`` after moving the clock)."""
    from console.platform.workflow import Workflow

    config = PlatformConfig(db_url=store.url, data_dir=tmp_path / "data")
    ctx = SimpleNamespace(
        store=store, config=config, bus=EventBus(), metrics=Metrics(), clock=clock, gateway=None
    )
    ctx.workflow = Workflow(ctx)
    return ctx


@pytest.fixture
def app(ctx: SimpleNamespace) -> Any:
    from console.platform.api.app import create_app

    return create_app(ctx)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def login(client: TestClient) -> Callable[..., dict[str, str]]:
    """``login("op_a")`` → the Authorization header of a fresh token."""

    def _login(username: str, password: str = PASSWORD) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    return _login
