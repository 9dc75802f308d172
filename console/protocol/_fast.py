"""Fast construction of frozen, slotted dataclasses for the decoders' hot paths.

A frozen dataclass's ``__init__`` sets every field through ``object.__setattr__``,
which costs more than the rest of decoding a location report. Decoders build
thousands of these per second from values they have already checked, so they use
:func:`fast_constructor`: a positional function that writes the slots directly.
The result is the same object (``==``, ``hash`` and immutability are unchanged);
``__init__`` defaults and ``__post_init__`` are not run, so callers pass every field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def make({', '.join(names)}):", "    o = _new(_cls)"]
    for name in names:
        descriptor = next(k.__dict__[name] for k in cls.__mro__ if name in k.__dict__)
        namespace[f"_set_{name}"] = descriptor.__set__
        lines.append(f"    _set_{name}(o, {name})")
    lines.append("    return o")
    exec("\n".join(lines), namespace)  # code made only from the class's own field names
    make = namespace["make"]
    make.__doc__ = f"Positional fast constructor of {cls.__qualname__} ({', '.join(names)})."
    return make
