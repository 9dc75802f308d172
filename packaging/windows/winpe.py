"""Just enough of the PE format (Windows .exe/.dll/.pyd) for the MSI build and its tests:
the machine and optional-header kind of a binary, and the DLLs it imports."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

MACHINE_AMD64 = 0x8664
PE32_PLUS = 0x20B
SUBSYSTEM_GUI, SUBSYSTEM_CONSOLE = 2, 3


@dataclass(frozen=True)
class PEInfo:
    machine: int
    magic: int  # 0x10B PE32, 0x20B PE32+
    subsystem: int

    @property
    def is_pe32_plus_x64(self) -> bool:
        return self.machine == MACHINE_AMD64 and self.magic == PE32_PLUS


def _header(data: bytes) -> int:
    if data[:2] != b"MZ":
        raise ValueError("not an MZ executable")
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe : pe + 4] != b"PE\0\0":
        raise ValueError("no PE signature")
    return pe


def info(path: Path) -> PEInfo:
    with open(path, "rb") as f:
        data = f.read(4096)
    pe = _header(data)
    machine = struct.unpack_from("<H", data, pe + 4)[0]
    (magic,) = struct.unpack_from("<H", data, pe + 24)
    (subsystem,) = struct.unpack_from("<H", data, pe + 24 + 68)
    return PEInfo(machine, magic, subsystem)


def imports(path: Path) -> list[str]:
    """Lower-case names of the DLLs in the import table."""
    data = path.read_bytes()
    pe = _header(data)
    sections = struct.unpack_from("<H", data, pe + 6)[0]
    optional = pe + 24
    optional_size = struct.unpack_from("<H", data, pe + 20)[0]
    magic = struct.unpack_from("<H", data, optional)[0]
    directories = optional + (112 if magic == PE32_PLUS else 96)
    import_rva = struct.unpack_from("<I", data, directories + 8)[0]
    table = optional + optional_size
    spans = [struct.unpack_from("<IIII", data, table + 40 * i + 8) for i in range(sections)]

    def offset(rva: int) -> int:
        for virtual_size, address, raw_size, raw_pointer in spans:
            if address <= rva < address + max(virtual_size, raw_size):
                return rva - address + raw_pointer
        raise ValueError(f"RVA {rva:#x} is in no section")

    names: list[str] = []
    if not import_rva:
        return names
    entry = offset(import_rva)
    while True:
        name_rva = struct.unpack_from("<I", data, entry + 12)[0]
        if not name_rva:
            return names
        start = offset(name_rva)
        names.append(data[start : data.index(b"\0", start)].decode("ascii").lower())
        entry += 20
