"""Colours for the press: sRGB to the output intent's CMYK, through the shipped ICC profile."""

from __future__ import annotations

import io
import re
from functools import lru_cache

from publisher import builtin_dir

PROFILE = "FOGRA39L-argyll.icc"  # color/README.md: its source, licence and how it was made
# Greys darker than this are set in solid black: a press cannot tell 93% K from 100% K, and a
# solid ink needs no halftone screen, which would fray the edges of small type.
SOLID_BELOW = 0.1


def profile_bytes() -> bytes:
    """The output intent's CMYK ICC profile, shipped with the package."""
    return (builtin_dir("color") / PROFILE).read_bytes()


@lru_cache(maxsize=1)
def profile_transform():  # noqa: ANN201 - a PIL ImageCms transform
    """sRGB → the output intent's CMYK, relative colorimetric (what a press proof expects)."""
    from PIL import ImageCms

    cmyk = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes()))
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), cmyk, "RGB", "CMYK",
                                   renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)


def hex_rgb(color: str) -> tuple[float, float, float]:
    """#rgb or #rrggbb as three fractions of 1."""
    digits = color.strip().lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", digits):
        raise ValueError(f"expected a colour such as #8c1c13, got {color!r}")
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def rgb_to_cmyk(r: float, g: float, b: float) -> tuple[float, float, float, float]:
    """One sRGB colour in the output intent's CMYK, rounded to 0.01; greys in K only."""
    if abs(r - g) < 1e-3 and abs(g - b) < 1e-3:
        k = 1 - r
        return 0.0, 0.0, 0.0, 1.0 if r < SOLID_BELOW else round(k, 2)
    from PIL import Image, ImageCms

    pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), tuple(round(v * 255) for v in (
        r, g, b))), profile_transform())
    return tuple(round(v / 255, 2) for v in pixel.getpixel((0, 0)))  # type: ignore[return-value]
