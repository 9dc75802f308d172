"""The demo world: 清远's eight county-level divisions, ~20 transport enterprises, ~300
heavy trucks with their terminals, and the users who watch them.

Deterministic: the same ``rng_seed`` gives the same world (ids, plates, VINs, names,
terminal numbers), so the simulator can drive the same trucks again. Only the passwords
that are not given are random (and returned once, in the :class:`SeedReport`).

Seeding a database that already holds counties or users is refused
(:class:`AlreadySeeded`): a demo world is never mixed into real data or seeded twice.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, insert

from console.domain.model import (
    DEFAULT_SPEED_LIMIT_KMH,
    PLATE_COLOR_YELLOW,
    Role,
    VehicleType,
)
from console.platform.auth import hash_password
from console.platform.store import registry
from console.platform.store.schema import terminals, vehicles

#: (行政区划代码, name, slug for usernames, enterprise name prefix, enterprises)
COUNTIES: tuple[tuple[str, str, str, str, int], ...] = (
    ("441802", "清城区", "qingcheng", "清远市", 4),
    ("441803", "清新区", "qingxin", "清远市清新区", 3),
    ("441821", "佛冈县", "fogang", "佛冈县", 2),
    ("441823", "阳山县", "yangshan", "阳山县", 2),
    ("441825", "连山壮族瑶族自治县", "lianshan", "连山", 1),
    ("441826", "连南瑶族自治县", "liannan", "连南", 2),
    ("441881", "英德市", "yingde", "英德市", 4),
    ("441882", "连州市", "lianzhou", "连州市", 2),
)

VEHICLES = 300
SLOW_ENTERPRISES = 4  # enterprises with their own 70 km/h limit
ENTERPRISE_SPEED_LIMIT_KMH = 70

_TRADE_NAMES = (
    "顺达", "恒通", "北江", "鸿运", "安泰", "宏远", "粤北", "振兴", "通利", "盛发",
    "华联", "信达", "永安", "金龙", "新源", "瑞丰", "南岭", "广达", "嘉禾", "昌盛",
    "联兴", "汇通", "凤城", "飞来峡",
)  # fmt: skip
_COMPANY_KINDS = (
    "物流有限公司",
    "运输有限公司",
    "货运有限公司",
    "汽车运输有限公司",
    "建材物流有限公司",
    "石材运输有限公司",
)
_SURNAMES = (*"陈李黄张梁刘林何罗郑谢邓冯吴曾周叶朱彭钟赖温邱廖潘", "欧阳")
_GIVEN = "志伟强明国华建军文辉杰永新海东平亮德锦荣伟健金宝振兴家俊"

# Heavy-truck makers' world manufacturer identifiers (VIN positions 1-3).
_WMI = ("LZZ", "LFW", "LGA", "LZG", "LVB", "LFN")
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_MODEL_YEARS = "KLMNP"  # 2019 … 2023

_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O

# 统一社会信用代码 (GB 32100-2015) and 组织机构代码 (GB 11714-1997) check characters.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

#: (maker, models, dialects it is sold with)
_MAKERS = (
    ("Streamax", ("C6D-AI", "X3N-AI"), ("yuebiao", "subiao")),
    ("Howen", ("Hero-ME41", "Hero-ME31"), ("yuebiao",)),
    ("Hikvision", ("AE-MD5043", "AE-VC5143"), ("yuebiao", "subiao")),
    ("Tianmai", ("TM-808G-AI",), ("subiao",)),
    ("Jointech", ("JT-AD808", "JT-AD812"), ("yuebiao",)),
)


class SeedError(RuntimeError):
    pass


class AlreadySeeded(SeedError):
    """The database holds counties or users already."""


@dataclass(frozen=True, slots=True)
class SeededUser:
    username: str
    role: Role
    display_name: str
    county_id: str | None
    enterprise_id: str | None


@dataclass(frozen=True, slots=True)
class SeedReport:
    counties: int
    enterprises: int
    vehicles: int
    terminals: int
    users: list[SeededUser] = field(default_factory=list)
    #: Passwords generated at random (username → password): shown once, never stored.
    generated_passwords: dict[str, str] = field(default_factory=dict)
    #: The password every demo user but the admin got, when it was given.
    demo_password: str | None = None


def seed_demo(
    conn: Connection,
    *,
    admin_password: str,
    demo_password: str | None = None,
    rng_seed: int = 2021,
    now: datetime | None = None,
) -> SeedReport:
    """Create the demo world in the caller's transaction (refused if not empty)."""
    if not admin_password:
        raise SeedError("the admin needs a password")
    counts = registry.count_rows(conn)
    if counts["counties"] or counts["users"]:
        raise AlreadySeeded(
            f"the database is not empty ({counts['counties']} counties, {counts['users']} "
            "users): the demo world is seeded only into an empty database"
        )
    now = now or datetime.now(UTC)
    world = _World(random.Random(rng_seed), random.Random(f"ids:{rng_seed}"))
    county_ids = [
        registry.add_county(conn, id=f"cty_{code}", name=name, code=code).id
        for code, name, *_ in COUNTIES
    ]

    enterprises = []
    names = world.rng.sample(_TRADE_NAMES, sum(c[4] for c in COUNTIES))
    for (code, _name, _slug, prefix, count), county_id in zip(COUNTIES, county_ids, strict=True):
        for _ in range(count):
            trade = names.pop()
            kind = world.rng.choice(_COMPANY_KINDS)
            enterprise = registry.add_enterprise(
                conn,
                id=world.id("ent"),
                name=f"{prefix}{trade}{kind}",
                county_id=county_id,
                credit_code=world.credit_code(code),
                contact=world.person(),
                phone=world.mobile(),
                now=now,
            )
            enterprises.append((enterprise, trade))

    slow = {e.id for e, _ in world.rng.sample(enterprises, SLOW_ENTERPRISES)}
    shares = [8] * len(enterprises)
    for i in world.rng.choices(range(len(enterprises)), k=VEHICLES - sum(shares)):
        shares[i] += 1

    # Bulk inserts (one statement per table): the values are unique by construction.
    vehicle_rows: list[dict[str, object]] = []
    terminal_rows: list[dict[str, object]] = []
    for (enterprise, _trade), share in zip(enterprises, shares, strict=True):
        limit = ENTERPRISE_SPEED_LIMIT_KMH if enterprise.id in slow else DEFAULT_SPEED_LIMIT_KMH
        for _ in range(share):
            vehicle_id = world.id("veh")
            vehicle_rows.append(
                {
                    "id": vehicle_id,
                    "plate": world.plate(),
                    "plate_color": PLATE_COLOR_YELLOW,
                    "enterprise_id": enterprise.id,
                    "county_id": enterprise.county_id,
                    "vehicle_type": (
                        VehicleType.SEMI_TRAILER_TRACTOR
                        if world.rng.random() < 0.6
                        else VehicleType.HEAVY_GOODS
                    ).value,
                    "vin": world.vin(),
                    "speed_limit_kmh": limit,
                    "driver_name": world.person(),
                    "driver_phone": world.mobile(),
                    "active": True,
                    "created_at": now,
                }
            )
            edition, dialect = world.rng.choices(
                (("2019", "yuebiao"), ("2013", "subiao"), ("2019", "subiao")),
                weights=(65, 20, 15),
            )[0]
            maker, model = world.maker(dialect)
            terminal_rows.append(
                {
                    "id": world.id("trm"),
                    "phone": world.sim_number(edition),
                    "terminal_id": world.terminal_id(dialect, maker),
                    "vehicle_id": vehicle_id,
                    "edition": edition,
                    "dialect": dialect,
                    "maker": maker,
                    "model": model,
                    "channels": world.rng.choice((4, 4, 5, 6)),
                    "auth_code": None,
                    "registered_at": None,
                    "active": True,
                }
            )
    conn.execute(insert(vehicles), vehicle_rows)
    conn.execute(insert(terminals), terminal_rows)

    seeded: list[SeededUser] = []
    generated: dict[str, str] = {}
    shared_hash = hash_password(demo_password) if demo_password else None

    def user(
        username: str,
        role: Role,
        display_name: str,
        *,
        county_id: str | None = None,
        enterprise_id: str | None = None,
        password: str | None = None,
    ) -> None:
        if password is None and shared_hash is None:
            password = secrets.token_urlsafe(9)
            generated[username] = password
        created = registry.create_user(
            conn,
            id=world.id("usr"),
            username=username,
            role=role,
            password=password,
            password_hash=None if password is not None else shared_hash,
            display_name=display_name,
            county_id=county_id,
            enterprise_id=enterprise_id,
            now=now,
        )
        seeded.append(
            SeededUser(username, role, display_name, created.county_id, created.enterprise_id)
        )

    user("admin", Role.ADMIN, "系统管理员", password=admin_password)
    for (_code, name, slug, *_), county_id in zip(COUNTIES, county_ids, strict=True):
        user(f"op_{slug}", Role.COUNTY_OPERATOR, f"{name}监控值班员", county_id=county_id)
    for n, (enterprise, trade) in enumerate(enterprises, start=1):
        user(
            f"ent_{n}",
            Role.ENTERPRISE_OFFICER,
            f"{trade}安全员{world.person()}",
            enterprise_id=enterprise.id,
        )

    return SeedReport(
        counties=len(county_ids),
        enterprises=len(enterprises),
        vehicles=len(vehicle_rows),
        terminals=len(terminal_rows),
        users=seeded,
        generated_passwords=generated,
        demo_password=demo_password,
    )


class _World:
    """Plausible, unique, deterministic values."""

    def __init__(self, rng: random.Random, id_rng: random.Random) -> None:
        self.rng = rng
        self._id_rng = id_rng
        self._used: set[str] = set()

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self._used:
                self._used.add(value)
                return value

    def id(self, prefix: str) -> str:
        return f"{prefix}_{self._id_rng.getrandbits(80):020x}"

    def person(self) -> str:
        given = "".join(self.rng.choices(_GIVEN, k=self.rng.choice((1, 2, 2))))
        return self.rng.choice(_SURNAMES) + given

    def mobile(self) -> str:
        prefix = self.rng.choice(("135", "136", "137", "138", "139", "150", "159", "186", "188"))
        return prefix + "".join(self.rng.choices("0123456789", k=8))

    def plate(self) -> str:
        def make() -> str:
            digits = "0123456789"
            shape = self.rng.choices(("DDDDD", "LDDDD", "LLDDD"), weights=(5, 4, 1))[0]
            chars = [self.rng.choice(_PLATE_LETTERS if c == "L" else digits) for c in shape]
            return "粤R" + "".join(chars)

        return self._unique(make)

    def vin(self) -> str:
        def make() -> str:
            wmi = self.rng.choice(_WMI)
            vds = "".join(self.rng.choices(_VIN_CHARS, k=5))
            year = self.rng.choice(_MODEL_YEARS)
            plant = self.rng.choice("ABCDJK1234")
            serial = "".join(self.rng.choices("0123456789", k=6))
            body = f"{wmi}{vds}0{year}{plant}{serial}"
            total = sum(_VIN_VALUES[c] * w for c, w in zip(body, _VIN_WEIGHTS, strict=True))
            check = total % 11
            return body[:8] + ("X" if check == 10 else str(check)) + body[9:]

        return self._unique(make)

    def credit_code(self, area_code: str) -> str:
        """A well-formed 统一社会信用代码: 9 (工商) 1 (企业), area, org code, check."""

        def make() -> str:
            body = "MA" + "".join(self.rng.choices(_USCC_CHARS, k=6))
            total = sum(_org_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
            org_check = 11 - total % 11
            org = body + {10: "X", 11: "0"}.get(org_check, str(org_check))
            code17 = "91" + area_code + org
            total = sum(
                _USCC_CHARS.index(c) * w for c, w in zip(code17, _USCC_WEIGHTS, strict=False)
            )
            check = (31 - total % 31) % 31
            return code17 + _USCC_CHARS[check]

        return self._unique(make)

    def sim_number(self, edition: str) -> str:
        """12 digits (BCD[6]) for 2013 terminals, 20 digits (BCD[10]) for 2019 ones."""

        def make() -> str:
            if edition == "2013":
                return "0" + self.mobile()
            iot = "1440" + "".join(self.rng.choices("0123456789", k=9))  # 13-digit IoT SIM
            return iot.rjust(20, "0")

        return self._unique(make)

    def maker(self, dialect: str) -> tuple[str, str]:
        maker, models, _ = self.rng.choice([m for m in _MAKERS if dialect in m[2]])
        return maker, self.rng.choice(models)

    def terminal_id(self, dialect: str, maker: str) -> str:
        """7 characters for 苏标 terminals; a longer id (≤ 30) in 粤标 style."""

        def make() -> str:
            if dialect == "subiao":
                return self.rng.choice(_PLATE_LETTERS) + "".join(
                    self.rng.choices("0123456789", k=6)
                )
            serial = "".join(self.rng.choices("0123456789", k=10))
            return f"YB{maker[:4].upper()}{self.rng.choice(_MODEL_YEARS)}{serial}"

        return self._unique(make)


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10
