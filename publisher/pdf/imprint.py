"""The print edition's figures: sheets, 开本, 印张 and 字数 for the copyright page, and its inks."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from publisher.content import geometry
from publisher.content.model import Book, isbn_written
from publisher.pdf.colour import hex_rgb, rgb_to_cmyk

SHEET = re.compile(r"(\d+)mm\s*[×x]\s*(\d+)mm\s*1/(\d+)")


def padded(pages: int, signature: int) -> int:
    """The page count made up to whole signatures (printed sheets folded together)."""
    return -(-pages // signature) * signature


def trim_mm(book: Book) -> tuple[float, float]:
    """The trim size (width, height) in mm from book.yaml's `page.size`."""
    trim = geometry.trim_mm(book.page.size)
    if trim is None:  # the loader accepts only sizes geometry knows
        raise ValueError(f"unknown page size {book.page.size!r}")
    return trim


def type_area_pt(book: Book) -> tuple[float, float]:
    """The type area's width and height in points: the trim size less the margins."""
    body = geometry.length_pt(book.page.body_size, 12.0)  # an em is of CSS's 16 px root
    margins = geometry.margins_pt(book.page.margins, body) if body else None
    if body is None or margins is None:  # the loader accepts only lengths geometry reads
        raise ValueError(f"not CSS lengths: {book.page.body_size!r}, {book.page.margins!r}")
    top, right, bottom, left = margins
    width, height = (mm * geometry.POINTS["mm"] for mm in trim_mm(book))
    return width - left - right, height - top - bottom


def type_area(book: Book) -> tuple[int, int]:
    """Characters per line and lines per page of the body text in the type area.

    Characters per line = type-area width ÷ body size; lines per page = type-area height ÷
    (body size × line height); both rounded down, as a full line or character must fit.
    """
    width, height = type_area_pt(book)
    body = geometry.length_pt(book.page.body_size, 12.0) or 0.0  # read by type_area_pt
    per_line = math.floor(width / body + 1e-6)
    lines = math.floor(height / (body * float(book.page.line_height)) + 1e-6)
    return per_line, lines


@dataclass(frozen=True)
class Imprint:
    """What the print edition's copyright page (版权页) states, all computed."""

    format: str  # 开本
    sheets: str  # 印张, "" without a sheet size and fold
    words: str  # 字数, in 千字
    edition: str  # 版次
    impression: str  # 印次
    isbn: str  # "ISBN 978-…" as written in book.yaml, "" without an ISBN
    price: str  # 定价, "" when not given
    pages: int  # the printed pages the figures count


def sheets(pages: int, fold: int) -> str:
    """印张: pages ÷ fold, rounded up to an eighth of a sheet, written as printers do (6.5)."""
    value = math.ceil(Fraction(pages, fold) * 8) / 8
    return f"{value:.3f}".rstrip("0").rstrip(".")


def of(book: Book, pages: int) -> Imprint:
    """The copyright page's figures for a print edition of `pages` printed pages."""
    printing = book.printing
    match = SHEET.fullmatch(printing.sheet.strip()) if printing.sheet else None
    if match:
        width, height, fold = (int(g) for g in match.groups())
        fmt, sheet_count = f"{width}mm×{height}mm　1/{fold}", sheets(pages, fold)
    else:
        width_mm, height_mm = trim_mm(book)
        fmt, sheet_count = f"{width_mm:g}mm×{height_mm:g}mm", ""
    per_line, lines = type_area(book)
    thousands = max(1, round(per_line * lines * pages / 1000))
    date = book.date
    # As written after `urn:isbn:` (hyphens where the agency puts them), checked by the loader.
    isbn = f"ISBN {isbn_written(book.identifier)}" if book.isbn else ""
    return Imprint(
        format=fmt, sheets=sheet_count, words=f"{thousands}千字",
        edition=f"{date.year}年{date.month}月{book.edition}",
        impression=printing.impression or f"{date.year}年{date.month}月第1次印刷",
        isbn=isbn, price=printing.price, pages=pages)


def ink(edition: str) -> Callable[..., str]:
    """The layouts' colour filter: unchanged on screen; a device-cmyk() colour in print.

    In print, text and rules are in black ink only (K): a grey keeps its lightness, a colour
    becomes the grey of its luma, dark greys solid K. `process=True` (the cover's design)
    separates a colour into four inks through the output intent's profile instead.
    """
    if edition != "print":
        return lambda color, process=False: color

    def cmyk(color: str, process: bool = False) -> str:
        r, g, b = hex_rgb(color)
        if not process:
            r = g = b = 0.2126 * r + 0.7152 * g + 0.0722 * b
        c, m, y, k = rgb_to_cmyk(r, g, b)
        return f"device-cmyk({c:g} {m:g} {y:g} {k:g})"
    return cmyk
