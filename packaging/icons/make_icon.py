"""Draw TruckWatch's application icon (256×256 PNG, plus a multi-size .ico for Windows).

A truck in a watchful ring on the console's blue: simple shapes that stay legible at 16 px.
The PNG is kept in the repository; the build scripts make the .ico from it.

    python packaging/icons/make_icon.py               # rewrites packaging/icons/truckwatch.png
    python packaging/icons/make_icon.py --ico OUT.ico # the Windows icon from that PNG
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
PNG = HERE / "truckwatch.png"
SIZE = 256
BLUE = (29, 78, 216, 255)
ORANGE = (245, 158, 11, 255)
WHITE = (255, 255, 255, 255)
DARK = (15, 23, 42, 255)


def draw(size: int = SIZE) -> Image.Image:
    s = 4  # draw at 4× and downsample: smooth edges without an antialiasing API
    big = Image.new("RGBA", (size * s, size * s), (0, 0, 0, 0))
    d = ImageDraw.Draw(big)
    u = size * s / 256  # one unit of the 256-grid

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [x0 * u, y0 * u, x1 * u, y1 * u]

    d.rounded_rectangle(box(8, 8, 248, 248), radius=48 * u, fill=BLUE)
    d.ellipse(box(28, 28, 228, 228), outline=WHITE, width=round(12 * u))  # the watch ring
    d.rounded_rectangle(box(52, 100, 150, 172), radius=8 * u, fill=WHITE)  # cargo box
    d.polygon(  # cab
        [
            (150 * u, 116 * u),
            (186 * u, 116 * u),
            (208 * u, 142 * u),
            (208 * u, 172 * u),
            (150 * u, 172 * u),
        ],
        fill=ORANGE,
    )
    d.polygon(
        [(160 * u, 124 * u), (182 * u, 124 * u), (196 * u, 142 * u), (160 * u, 142 * u)], fill=DARK
    )  # window
    for cx in (84, 128, 184):  # wheels
        d.ellipse(box(cx - 15, 160, cx + 15, 190), fill=DARK)
        d.ellipse(box(cx - 6, 169, cx + 6, 181), fill=WHITE)
    return big.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ico", type=Path, help="write a Windows .ico from the PNG")
    args = parser.parse_args()
    if args.ico:
        Image.open(PNG).save(
            args.ico,
            sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)],
        )
        return
    draw().save(PNG, optimize=True)


if __name__ == "__main__":
    main()
