"""The simulated fleet's vehicles: from the platform's API or from a world file.

A vehicle as the platform's ``GET /api/v1/vehicles`` returns it (and as a world file lists
it)::

    {"id": "...", "plate": "粤R12345", "plate_color": 2, "county_id": "...",
     "enterprise_id": "...",
     "terminal": {"phone": "013800000001", "terminal_id": "T000001", "edition": "2013",
                  "dialect": "subiao", "channels": [1, 2, 3, 4]}}

Unknown keys are ignored and missing optional ones get defaults, so the simulator keeps
working while the API grows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import Dialect

DEFAULT_CHANNELS = (1, 2, 3, 4)
GUANGDONG = 44
QINGYUAN_CITY = 1800  # 4418xx: the city part of 清远's division codes


class WorldError(Exception):
    """The world could not be loaded (bad file, API unreachable, login refused)."""


@dataclass(frozen=True, slots=True)
class VehicleSpec:
    """One truck and its terminal, as the simulator needs them."""

    plate: str
    plate_color: int
    phone: str  # BCD digits as the header carries them (12 for 2013, 20 for 2019)
    terminal_id: str
    edition: Edition
    dialect: Dialect
    channels: tuple[int, ...] = DEFAULT_CHANNELS
    county_id: str = ""
    enterprise_id: str = ""
    vehicle_id: str = ""

    @property
    def province(self) -> int:
        return GUANGDONG

    @property
    def city(self) -> int:
        """The city/county part of the division code when the county id is one (4418xx)."""
        digits = re.sub(r"\D", "", self.county_id)
        if len(digits) == 6 and digits.startswith("44"):
            return int(digits[2:])
        return QINGYUAN_CITY

    @property
    def phone_digits(self) -> str:
        """The phone padded to the width of this terminal's header."""
        width = 20 if self.edition is Edition.V2019 else 12
        return self.phone.rjust(width, "0")

    @property
    def sim_digits(self) -> str:
        """The SIM field of this terminal's JT/T 1078 packets: BCD[6] for 2013 terminals,
        BCD[10] for 2019 ones."""
        width = 20 if self.edition is Edition.V2019 else 12
        return self.phone.rjust(width, "0")[-width:]


def _edition(value: Any) -> Edition:
    text = str(value or "2013").strip()
    try:
        return Edition(text)
    except ValueError:
        raise WorldError(f"terminal edition {value!r} is not 2011, 2013 or 2019") from None


def _dialect(value: Any) -> Dialect:
    text = str(value or "subiao").strip().lower()
    aliases = {"苏标": "subiao", "粤标": "yuebiao", "jsatl": "subiao", "gdrta": "yuebiao"}
    try:
        return Dialect(aliases.get(text, text))
    except ValueError:
        raise WorldError(f"terminal dialect {value!r} is not subiao or yuebiao") from None


def vehicle_from_json(obj: dict[str, Any]) -> VehicleSpec:
    """One vehicle record of the API or a world file."""
    try:
        terminal = obj.get("terminal") or {}
        plate = str(obj["plate"])
        phone = re.sub(r"\D", "", str(terminal.get("phone") or obj.get("phone") or ""))
        if not phone:
            raise WorldError(f"vehicle {plate} has no terminal phone")
        edition = _edition(terminal.get("edition"))
        if len(phone) > (20 if edition is Edition.V2019 else 12):
            raise WorldError(f"vehicle {plate}: phone {phone} too long for a {edition} header")
        channels = terminal.get("channels") or DEFAULT_CHANNELS
        if isinstance(channels, int):
            channels = range(1, channels + 1)
        return VehicleSpec(
            plate=plate,
            plate_color=int(obj.get("plate_color") or 2),
            phone=phone,
            terminal_id=str(terminal.get("terminal_id") or phone[-7:]),
            edition=edition,
            dialect=_dialect(terminal.get("dialect")),
            channels=tuple(int(c) for c in channels),
            county_id=str(obj.get("county_id") or ""),
            enterprise_id=str(obj.get("enterprise_id") or ""),
            vehicle_id=str(obj.get("id") or ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise WorldError(f"vehicle record {obj!r:.200}: {exc}") from None


def _records(payload: Any) -> list[dict[str, Any]]:
    if isinstance(payload, dict):
        for key in ("items", "vehicles", "data", "results"):
            if isinstance(payload.get(key), list):
                return payload[key]
        raise WorldError(f"no vehicle list in {sorted(payload)}")
    if isinstance(payload, list):
        return payload
    raise WorldError(f"expected a list of vehicles, got {type(payload).__name__}")


def parse_world(payload: Any) -> list[VehicleSpec]:
    """Vehicles with a terminal, sorted by plate (so ``--vehicles N`` is deterministic)."""
    vehicles = []
    for record in _records(payload):
        if not isinstance(record, dict):
            raise WorldError(f"vehicle record is not an object: {record!r:.100}")
        if not (record.get("terminal") or record.get("phone")):
            continue  # a vehicle without a terminal cannot be simulated
        vehicles.append(vehicle_from_json(record))
    phones = [v.phone_digits for v in vehicles]
    if len(set(phones)) != len(phones):
        raise WorldError("two vehicles share a terminal phone")
    return sorted(vehicles, key=lambda v: (v.plate, v.phone))


def load_world_file(path: str | Path) -> list[VehicleSpec]:
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise WorldError(f"cannot read world file {path}: {exc}") from None
    return parse_world(payload)


def api_base(url: str) -> str:
    """``http://host:port`` or ``http://host:port/api/v1`` → the ``/api/v1`` base."""
    url = url.rstrip("/")
    return url if url.endswith("/api/v1") else url + "/api/v1"


def fetch_world(
    api: str, username: str, password: str, *, timeout: float = 30.0
) -> list[VehicleSpec]:
    """Log in to the platform's API and read every vehicle the user may see."""
    import requests  # only the API path needs it

    base = api_base(api)
    session = requests.Session()
    try:
        response = session.post(
            f"{base}/auth/login",
            json={"username": username, "password": password},
            timeout=timeout,
        )
        if response.status_code != 200:
            raise WorldError(
                f"login as {username!r} refused: {response.status_code} {response.text:.200}"
            )
        body = response.json()
        token = body.get("access_token") or body.get("token")
        if not token:
            raise WorldError(f"login answer has no token: {sorted(body)}")
        session.headers["Authorization"] = f"Bearer {token}"
        records: list[dict[str, Any]] = []
        url: str | None = f"{base}/vehicles"
        params: dict[str, Any] | None = {"limit": 100_000}
        while url:
            response = session.get(url, params=params, timeout=timeout)
            if response.status_code != 200:
                raise WorldError(f"GET {url}: {response.status_code} {response.text:.200}")
            payload = response.json()
            records.extend(_records(payload))
            following = payload.get("next") if isinstance(payload, dict) else None
            url = urljoin(url, following) if isinstance(following, str) and following else None
            params = None
    except requests.RequestException as exc:
        raise WorldError(f"platform API at {base} unreachable: {exc}") from None
    finally:
        session.close()
    return parse_world(records)


def synthetic_world(count: int, *, seed: int = 0, yuebiao_share: float = 0.5) -> list[VehicleSpec]:
    """``count`` made-up trucks (粤R plates, sequential phones), for load tests against a
    platform that was given the same world."""
    import random

    rng = random.Random(f"synthetic:{seed}")
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    vehicles = []
    for i in range(count):
        yuebiao = rng.random() < yuebiao_share
        edition = Edition.V2019 if yuebiao or rng.random() < 0.3 else Edition.V2013
        plate = f"粤R{letters[(i // 10000) % len(letters)]}{i % 10000:04d}"
        vehicles.append(
            VehicleSpec(
                plate=plate,
                plate_color=2,
                phone=f"0199{i:08d}",
                terminal_id=f"S{i:06d}",
                edition=edition,
                dialect=Dialect.YUEBIAO if yuebiao else Dialect.SUBIAO,
                county_id="441802",
            )
        )
    return vehicles


def world_json(vehicles: list[VehicleSpec]) -> list[dict[str, Any]]:
    """The world-file form of ``vehicles`` (what :func:`load_world_file` reads)."""
    return [
        {
            "id": v.vehicle_id,
            "plate": v.plate,
            "plate_color": v.plate_color,
            "county_id": v.county_id,
            "enterprise_id": v.enterprise_id,
            "terminal": {
                "phone": v.phone,
                "terminal_id": v.terminal_id,
                "edition": v.edition.value,
                "dialect": v.dialect.value,
                "channels": list(v.channels),
            },
        }
        for v in vehicles
    ]
