"""Page geometry: trim sizes and CSS lengths in points, and the checks that keep a type area."""

from __future__ import annotations

import re

from publisher.content.model import PageSettings

# Trim sizes in mm (ISO 216 A and B series, US letter), as CSS `size` names them.
TRIM_MM = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210), "A6": (105, 148),
           "B4": (250, 353), "B5": (176, 250), "B6": (125, 176), "letter": (215.9, 279.4)}
POINTS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "px": 0.75, "pc": 12.0}
PAGE_MM = (50, 1000)  # a page edge: from a small pocket book to a broadsheet
BODY_PT = (6.0, 36.0)  # body text from caption size to large print
LINE_HEIGHT = (1.0, 3.0)
MIN_EMS, MIN_LINES = 10, 10  # the smallest type area any layout can still fill
_LENGTH = re.compile(r"(\d+(?:\.\d+)?)([a-z]*)")


def length_pt(value: str, em: float) -> float | None:
    """A CSS length in points (`em` is the font size in points); None if not a length."""
    match = _LENGTH.fullmatch(value.strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    if unit == "em":
        return number * em
    if not unit:
        return 0.0 if number == 0 else None  # CSS wants a unit on every length but zero
    factor = POINTS.get(unit)
    return None if factor is None else number * factor


def trim_mm(size: str) -> tuple[float, float] | None:
    """Width and height in mm of a page `size` (A5, letter or 'Wmm Hmm'); None if unknown."""
    if size in TRIM_MM:
        return TRIM_MM[size]
    parts = size.split()
    if len(parts) == 2 and all(p.endswith("mm") for p in parts):
        try:
            return float(parts[0][:-2]), float(parts[1][:-2])
        except ValueError:
            return None
    return None


def page_size_pt(size: str) -> tuple[float, float] | None:
    """Width and height of a page `size` (A5, letter or 'Wmm Hmm') in points."""
    trim = trim_mm(size)
    return None if trim is None else (trim[0] * POINTS["mm"], trim[1] * POINTS["mm"])


def margins_pt(css: str, em: float) -> tuple[float, float, float, float] | None:
    """Top, right, bottom and left from a CSS `margin` shorthand of one to four lengths."""
    values = [length_pt(p, em) for p in css.split()]
    if not 1 <= len(values) <= 4 or None in values:
        return None
    top, right, bottom, left = (values * 4)[:4] if len(values) == 1 else (
        values[0], values[1], values[2] if len(values) > 2 else values[0],
        values[3] if len(values) > 3 else values[1])
    return top, right, bottom, left


def page_margins(css: str) -> tuple[float, float]:
    """Top and bottom margins in points from a CSS `margin` shorthand (0, 0 if unreadable;
    the loader has refused such margins already)."""
    margins = margins_pt(css, 12.0)  # an em is relative to CSS's 16 px root font
    return (0.0, 0.0) if margins is None else (margins[0], margins[2])


def check(page: PageSettings) -> list[tuple[str, str]]:
    """(key, message) for each setting that leaves no usable page: a book.yaml error each."""
    problems: list[tuple[str, str]] = []
    body = length_pt(page.body_size, 12.0)  # an em body size is relative to CSS's 16 px
    if body is None:
        problems.append(("body_size", f"body_size {page.body_size!r}: expected a size with a "
                                      "unit, such as 10.5pt"))
    elif not BODY_PT[0] <= body <= BODY_PT[1]:
        problems.append(("body_size", f"body_size {page.body_size!r} is {body:g}pt; expected "
                                      f"{BODY_PT[0]:g}pt to {BODY_PT[1]:g}pt"))
        body = None
    line_height = float(page.line_height)
    if not LINE_HEIGHT[0] <= line_height <= LINE_HEIGHT[1]:
        problems.append(("line_height", f"line_height {page.line_height}: expected "
                                        f"{LINE_HEIGHT[0]:g} to {LINE_HEIGHT[1]:g}"))
        line_height = None
    size = page_size_pt(page.size)
    low, high = (edge * POINTS["mm"] for edge in PAGE_MM)
    if size is None or not all(low <= edge <= high for edge in size):
        problems.append(("size", f"size {page.size!r}: each edge must be {PAGE_MM[0]}mm to "
                                 f"{PAGE_MM[1]}mm"))
        size = None
    margins = margins_pt(page.margins, body or 12.0)
    if margins is None:
        problems.append(("margins", f"margins {page.margins!r}: expected one to four lengths "
                                    "with units, such as 20mm 17mm 22mm 19mm"))
    if size and margins and body and line_height:
        width = size[0] - margins[1] - margins[3]
        height = size[1] - margins[0] - margins[2]
        if width < MIN_EMS * body or height < MIN_LINES * body * line_height:
            mm = 25.4 / 72
            problems.append(("margins", (
                f"margins {page.margins!r} leave a type area of {max(width, 0) * mm:.0f}mm × "
                f"{max(height, 0) * mm:.0f}mm on a {page.size} page; it must hold at least "
                f"{MIN_EMS} characters × {MIN_LINES} lines of {page.body_size} body text "
                f"({MIN_EMS * body * mm:.0f}mm × {MIN_LINES * body * line_height * mm:.0f}mm)")))
    return problems
