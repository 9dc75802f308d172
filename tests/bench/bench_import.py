"""Excel import of the fleet registry: prints ``name: value unit`` lines.

Run: .venv/bin/python tests/bench/bench_import.py [--rows N] [--db URL]
Figures (a template .xlsx of N vehicles with their terminals, made with openpyxl):
- import file MB: the size of the file;
- import read rows/s: openpyxl reading the rows (read-only mode);
- import total s: read + check every row + store all in one transaction (SQLite in a
  temporary directory unless --db);
- import vehicles/s: N ÷ total.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))

from test_registry_import import TITLES, good_row

from console.domain.model import Scope
from console.platform.registry_import import SHEET, import_vehicles, read_rows
from console.platform.store import Store, registry, sqlite_url


def make_file(rows: int, enterprise: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(TITLES)
    sheet.append(["(说明)"] * len(TITLES))
    for n in range(rows):
        sheet.append(good_row(n, enterprise))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(args.db or sqlite_url(Path(tmp) / "bench.db"))
        try:
            with store.begin() as conn:
                county = registry.add_county(conn, name="清城区").id
                name = f"清远市基准物流有限公司{time.time_ns()}"
                registry.add_enterprise(conn, name=name, county_id=county)
            data = make_file(args.rows, name)
            print(f"import file MB: {len(data) / 1e6:.2f} MB")
            started = time.perf_counter()
            read_rows(data)
            read_s = time.perf_counter() - started
            print(f"import read rows/s: {args.rows / read_s:.0f} rows/s")
            started = time.perf_counter()
            with store.begin() as conn:
                result = import_vehicles(conn, data, Scope.everything(), now=datetime.now(UTC))
            total = time.perf_counter() - started
            assert result.vehicles == args.rows
            print(f"import total s: {total:.2f} s")
            print(f"import vehicles/s: {args.rows / total:.0f} vehicles/s")
        finally:
            store.close()


if __name__ == "__main__":
    main()
