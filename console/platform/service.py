"""``truckwatch-platform``: the server command.

    truckwatch-platform seed --demo [--admin-password PW] [--demo-password PW] [--db URL] [--json]
    truckwatch-platform serve [--db URL] [--data-dir DIR] [--host H] [--jt808-port P]
        [--attachment-port P] [--media-port P] [--http-port P] [--public-host H] [--lenient]

Without ``--db`` both use the SQLite database under the user data directory (platformdirs).
``seed`` refuses a database that is not empty (exit status 3). ``serve`` prints the bound
ports as one line of JSON on stdout (and writes them to ``DATA_DIR/ports.json``); each
port may be 0 (pick a free one). A database that cannot be opened is a clear message on
stderr and exit status 1. Logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from console.platform.config import PlatformConfig
from console.platform.store import Store, StoreUnavailable, sqlite_url

log = logging.getLogger("truckwatch.platform")

APP_NAME = "truckwatch"
EXIT_DB = 1
EXIT_USAGE = 2
EXIT_ALREADY_SEEDED = 3

DEFAULT_JT808_PORT = 6808
DEFAULT_ATTACHMENT_PORT = 6809
DEFAULT_MEDIA_PORT = 6810
DEFAULT_HTTP_PORT = 8808


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_url() -> str:
    return sqlite_url(default_data_dir() / "platform.db")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="truckwatch-platform",
        description="TruckWatch platform: JT/T 808 gateway, evidence and video servers, HTTP API.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{seed,serve}")

    seed = sub.add_parser("seed", help="fill an empty database")
    seed.add_argument(
        "--demo", action="store_true", required=True, help="the 清远 demo world (required)"
    )
    seed.add_argument("--db", help="database URL (default: SQLite under the user data dir)")
    seed.add_argument(
        "--admin-password", help="password of the user 'admin' (default: random, printed once)"
    )
    seed.add_argument(
        "--demo-password",
        help="password of every other demo user (default: a random one each, printed once)",
    )
    seed.add_argument("--rng-seed", type=int, default=2021, help=argparse.SUPPRESS)
    seed.add_argument("--json", action="store_true", help="print the result as JSON")

    serve = sub.add_parser("serve", help="run the platform")
    serve.add_argument("--db", help="database URL (default: SQLite under the user data dir)")
    serve.add_argument(
        "--data-dir", type=Path, help="evidence files and ports.json (default: user data dir)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address every listener binds")
    serve.add_argument("--public-host", help="address terminals are told for evidence/video")
    for name, default in (
        ("jt808", DEFAULT_JT808_PORT),
        ("attachment", DEFAULT_ATTACHMENT_PORT),
        ("media", DEFAULT_MEDIA_PORT),
        ("http", DEFAULT_HTTP_PORT),
    ):
        serve.add_argument(
            f"--{name}-port", type=_port, default=default, help=f"default {default}; 0: any free"
        )
    serve.add_argument(
        "--lenient", action="store_true", help="accept frames with a wrong check code"
    )
    return parser


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number")
    return value


def open_store(url: str | None) -> Store:
    """Open and migrate the store; raises :class:`StoreUnavailable` with a readable reason."""
    if url is None:
        default_data_dir().mkdir(parents=True, exist_ok=True)
        url = default_db_url()
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError as exc:
        raise StoreUnavailable(f"not a database URL: {url!r}") from exc
    try:
        store = Store.open(url)
    except StoreUnavailable as exc:
        raise StoreUnavailable(f"cannot open {shown}: {exc}") from exc
    except (SQLAlchemyError, OSError, ImportError) as exc:
        raise StoreUnavailable(f"cannot open {shown}: {exc}") from exc
    log.info("database: %s", shown)
    return store


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO is a page per start
    args = build_parser().parse_args(argv)
    try:
        store = open_store(args.db)
    except StoreUnavailable as exc:
        _fail(exc)
        return EXIT_DB
    try:
        if args.command == "seed":
            return _seed(store, args)
        return _serve(store, args)
    finally:
        store.close()


def _fail(message: object) -> None:
    """One line on stderr (driver messages span several)."""
    print("truckwatch-platform: " + " ".join(str(message).split()), file=sys.stderr)


def _seed(store: Store, args: argparse.Namespace) -> int:
    import secrets

    from console.platform.seed import AlreadySeeded, seed_demo

    admin_password = args.admin_password or secrets.token_urlsafe(9)
    try:
        with store.begin() as conn:
            report = seed_demo(
                conn,
                admin_password=admin_password,
                demo_password=args.demo_password,
                rng_seed=args.rng_seed,
            )
    except AlreadySeeded as exc:
        print(f"truckwatch-platform: not seeded: {exc}", file=sys.stderr)
        return EXIT_ALREADY_SEEDED
    except StoreUnavailable as exc:
        _fail(exc)
        return EXIT_DB
    passwords = dict(report.generated_passwords)
    if not args.admin_password:
        passwords["admin"] = admin_password
    if args.json:
        summary = {
            "counties": report.counties,
            "enterprises": report.enterprises,
            "vehicles": report.vehicles,
            "terminals": report.terminals,
            "users": [
                {
                    "username": u.username,
                    "role": u.role.value,
                    "display_name": u.display_name,
                    "county_id": u.county_id,
                    "enterprise_id": u.enterprise_id,
                    "password": passwords.get(u.username),  # null: the one given
                }
                for u in report.users
            ],
        }
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(
        f"seeded the demo world: {report.counties} counties, {report.enterprises} "
        f"enterprises, {report.vehicles} vehicles, {report.terminals} terminals, "
        f"{len(report.users)} users"
    )
    print("users (generated passwords are shown this once):")
    width = max(len(u.username) for u in report.users)
    for u in report.users:
        given = "--admin-password" if u.username == "admin" else "--demo-password"
        password = passwords.get(u.username, f"({given})")
        print(f"  {u.username:<{width}}  {password:<18}  {u.role.value:<18}  {u.display_name}")
    return 0


def _serve(store: Store, args: argparse.Namespace) -> int:
    data_dir: Path = args.data_dir or default_data_dir()
    config = PlatformConfig(
        db_url=store.url,
        data_dir=data_dir,
        host=args.host,
        public_host=args.public_host,
        jt808_port=args.jt808_port,
        attachment_port=args.attachment_port,
        media_port=args.media_port,
        http_port=args.http_port,
        lenient=args.lenient,
    )
    try:
        asyncio.run(_run(config, store))
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # a port in use, an address not ours, ...
        _fail(f"cannot serve: {exc}")
        return 1
    log.info("platform stopped")
    return 0


async def _run(config: PlatformConfig, store: Store) -> None:
    from console.platform.server import Platform

    platform = Platform(config, store)
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows; not main thread
            loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await platform.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
