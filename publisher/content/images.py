"""Portrait images: only inside the project, only known formats, bounded in size."""

from __future__ import annotations

import io
import warnings
from pathlib import Path, PurePosixPath

from publisher import guard
from publisher.errors import Problem

MAX_BYTES = 5_000_000
MAX_PIXELS = 25_000_000  # 5000 × 5000: far beyond print resolution for a portrait
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
_EXTENSIONS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
# The modes WeasyPrint 70 embeds (images.RasterImage: it converts 1, P and I to RGB and
# transparency to RGBA itself); any other, such as a 16-bit grayscale PNG (I;16), makes it
# warn "Unknown image mode" and draw nothing.
MODES = frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "I", "CMYK"})
_MODE_NAMES = {"I;16": "16-bit grayscale", "I;16B": "16-bit grayscale",
               "I;16L": "16-bit grayscale", "I;16N": "16-bit grayscale",
               "F": "32-bit floating-point", "PA": "palette with alpha", "YCbCr": "YCbCr",
               "LAB": "Lab", "HSV": "HSV", "RGBX": "RGBX", "RGBa": "premultiplied RGBA",
               "La": "premultiplied LA"}


def check_portrait(root: Path, src: str, path: str, line: int) -> tuple[Path | None, list[Problem]]:
    """Resolve a portrait reference and check it; return its path or the problems."""

    def refuse(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(path, line, f"portrait {src!r} {message}")]

    if ("://" in src or src.startswith(("/", "\\")) or ":" in src or "\\" in src
            or "\0" in src or not src.strip()):
        return refuse("must be a relative path inside the project, written with /")
    expected = _EXTENSIONS.get(PurePosixPath(src).suffix.lower())
    if expected is None:
        return refuse("must be a .png, .jpg or .jpeg file")
    try:
        # resolve() follows every symlink first, so a link out of the project is caught below.
        target = (root / "content" / src).resolve()
    except (OSError, RuntimeError):
        return refuse("cannot be resolved (a symlink loop?)")
    if not target.is_relative_to(root.resolve()):
        return refuse("points outside the project")
    data, problems = guard.read_bytes(target, src, inside=root, limit=MAX_BYTES)
    if data is None:
        message = problems[0].message.replace("file is", "is", 1)
        if not target.exists():  # say where it was looked for: under content/, not the root
            message += f" (looked for content/{PurePosixPath(src)}"
            if (root / src).is_file():
                message += f"; there is a {src} in the project folder: move it into content/"
            message += ")"
        return refuse(message)
    kind = next((k for sig, k in _SIGNATURES.items() if data.startswith(sig)), None)
    if kind is None:
        return refuse("is not a PNG or JPEG image (its first bytes say otherwise)")
    if kind != expected:
        return refuse(f"is named as {expected} but holds {kind} data")
    width, height, problem = _inspect(data, kind, src)
    if problem:
        return refuse(problem)
    if width * height > MAX_PIXELS:
        return refuse(f"is {width}×{height} pixels; the limit is {MAX_PIXELS:,} pixels")
    return target, []


def _inspect(data: bytes, kind: str, src: str) -> tuple[int, int, str | None]:
    """Size from the header, then a full decode: what WeasyPrint would choke on fails here."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                width, height = image.size
                if not width or not height:
                    return 0, 0, "has no pixels"
                if width * height > MAX_PIXELS:
                    return width, height, None  # reported by the caller, without decoding
                image.load()
                if image.mode not in MODES:
                    return 0, 0, (f"is a {_MODE_NAMES.get(image.mode, image.mode)} image "
                                  f"(Pillow mode {image.mode}), which the PDF cannot embed; "
                                  "save it as 8-bit RGB or grayscale (ImageMagick: "
                                  f"convert {PurePosixPath(src).name} -depth 8 OUT.png)")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return 0, 0, f"claims more than {MAX_PIXELS:,} pixels"
    except Exception as exc:  # Pillow raises OSError, SyntaxError, zlib.error, struct.error…
        return 0, 0, f"cannot be decoded ({exc})"
    return width, height, None
