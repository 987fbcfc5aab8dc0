"""EAN-13 bars for the cover: encoded by python-barcode, drawn as SVG, read back from pixels."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup

# GS1 General Specifications, EAN-13 at 100% magnification.
MODULE_MM = 0.33
BAR_MM = 22.85  # the height of the data bars
GUARD_MODULES = 5  # the guard bars reach this much further down, between the digit groups
QUIET_LEFT, QUIET_RIGHT = 11, 7  # light margins, in modules, that a scanner needs
WIDTH_MODULES = QUIET_LEFT + 95 + QUIET_RIGHT
_GUARDS = (range(0, 3), range(45, 50), range(92, 95))
BLACK = "device-cmyk(0 0 0 1)"  # K only: a bar in four inks would blur when misregistered


def modules(digits: str) -> str:
    """The 95 modules (1 = dark) of the EAN-13 of `digits`; ValueError on a wrong check digit."""
    from barcode import EAN13

    if len(digits) != 13 or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{digits!r}: an EAN-13 has 13 digits")
    code = EAN13(digits[:12])
    if code.get_fullcode() != digits:
        raise ValueError(f"{digits}: wrong check digit (expected {code.get_fullcode()[-1]})")
    return code.build()[0]


def svg(digits: str) -> Markup:
    """The bars with their quiet zones as inline SVG, one unit per module, sized in mm."""
    bits = modules(digits)
    guard = {m for r in _GUARDS for m in r}
    high = BAR_MM / MODULE_MM
    rects = []
    start = None
    for m, bit in enumerate(bits + "0"):
        if bit == "1" and start is None:
            start = m
        elif bit == "0" and start is not None:
            # A bar is drawn as one rectangle however many modules wide it is.
            height = high + GUARD_MODULES if start in guard else high
            rects.append(f'<rect x="{QUIET_LEFT + start}" y="0" width="{m - start}" '
                         f'height="{height:.4f}"/>')
            start = None
    height = high + GUARD_MODULES
    return Markup(
        f'<svg class="ean13" xmlns="http://www.w3.org/2000/svg" '
        f'width="{WIDTH_MODULES * MODULE_MM:.2f}mm" height="{height * MODULE_MM:.3f}mm" '
        f'viewBox="0 0 {WIDTH_MODULES} {height:.4f}" shape-rendering="crispEdges">'
        f'<g fill="{BLACK}">{"".join(rects)}</g></svg>')


def groups(digits: str) -> tuple[str, str, str]:
    """The human-readable digits as printed under the bars: 9 787111 111115."""
    return digits[0], digits[1:7], digits[7:]


def decode_modules(bits: str) -> str | None:
    """The 13 digits that 95 modules encode, or None if they are not a valid EAN-13."""
    from barcode.charsets.ean import CODES, LEFT_PATTERN

    if len(bits) != 95 or bits[:3] != "101" or bits[45:50] != "01010" or bits[92:] != "101":
        return None
    parity, left = "", ""
    for k in range(6):
        word = bits[3 + 7 * k: 10 + 7 * k]
        for table in ("A", "B"):
            if word in CODES[table]:
                left += str(CODES[table].index(word))
                parity += table
                break
        else:
            return None
    right = ""
    for k in range(6):
        word = bits[50 + 7 * k: 57 + 7 * k]
        if word not in CODES["C"]:
            return None
        right += str(CODES["C"].index(word))
    if parity not in LEFT_PATTERN:
        return None
    digits = str(LEFT_PATTERN.index(parity)) + left + right
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return digits if (10 - total % 10) % 10 == int(digits[12]) else None


def read_row(row: Sequence[int], threshold: int = 128) -> str | None:
    """The first EAN-13 found in one row of grey levels (0 = black), as a scanner reads it."""
    table = bytes(49 if value < threshold else 48 for value in range(256))  # dark → "1"
    levels = bytes(row).translate(table)
    if levels.count(b"01") < 30:  # fewer bars than an EAN-13 has: most rows of a cover
        return None
    runs = [(m.group()[0] == 49, len(m.group())) for m in re.finditer(rb"1+|0+", levels)]
    # 30 bars and 29 spaces, after a light quiet zone.
    for i in range(1, len(runs) - 58):
        if not runs[i][0]:
            continue
        window = runs[i:i + 59]
        module = sum(length for _, length in window) / 95
        if runs[i - 1][1] < 5 * module:
            continue
        widths = [round(length / module) for _, length in window]
        if min(widths) < 1 or max(widths) > 4 or sum(widths) != 95:
            continue
        bits = "".join(("1" if dark else "0") * w for (dark, _), w in zip(window, widths,
                                                                            strict=True))
        found = decode_modules(bits)
        if found:
            return found
    return None


def scan_pdf(pdf: bytes, dpi: int = 300, step_mm: float = 1.0) -> str | None:
    """The EAN-13 that the first page of a PDF shows, read from rows of its rendering."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    width, height = image.size
    pixels = image.tobytes()
    step = max(1, round(step_mm / 25.4 * dpi))
    for y in range(0, height, step):
        row = pixels[y * width:(y + 1) * width]
        if min(row) < 128 and (found := read_row(row)):
            return found
    return None
