"""Portrait images: only inside the project, only known formats, bounded in size."""

from __future__ import annotations

from pathlib import Path

from publisher.errors import Problem

MAX_BYTES = 5_000_000
MAX_PIXELS = 25_000_000
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


def check_portrait(root: Path, src: str, path: str, line: int) -> tuple[Path | None, list[Problem]]:
    """Resolve a portrait reference and check it; return its path or the problems."""
    if "://" in src or src.startswith(("/", "\\")) or ":" in src:
        return None, [Problem(path, line, f"portrait {src!r} must be a relative path inside the project")]
    target = (root / "content" / src).resolve()
    if not target.is_relative_to(root.resolve()):
        return None, [Problem(path, line, f"portrait {src!r} points outside the project")]
    if not target.is_file():
        return None, [Problem(path, line, f"portrait {src!r} not found")]
    size = target.stat().st_size
    if size > MAX_BYTES:
        return None, [Problem(path, line, f"portrait {src!r} is {size:,} bytes; the limit is {MAX_BYTES:,}")]
    head = target.read_bytes()[:32]
    kind = next((k for sig, k in _SIGNATURES.items() if head.startswith(sig)), None)
    if kind is None:
        return None, [Problem(path, line, f"portrait {src!r} is not a PNG or JPEG image")]
    width, height = _dimensions(target, kind)
    if width * height > MAX_PIXELS or not width or not height:
        return None, [Problem(path, line, f"portrait {src!r} is {width}×{height} pixels; "
                                          f"the limit is {MAX_PIXELS:,} pixels")]
    return target, []


def _dimensions(target: Path, kind: str) -> tuple[int, int]:
    data = target.read_bytes()
    if kind == "png":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
        i += 2 + length
    return 0, 0
