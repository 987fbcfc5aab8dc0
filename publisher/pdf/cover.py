"""The print edition's cover sheet: back, spine and front on one page, with the ISBN barcode."""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.content import geometry
from publisher.content.model import Book, Project, isbn_digits, isbn_written
from publisher.errors import BuildError, ContentError, Problem
from publisher.names import COVER_SUFFIX, output_name
from publisher.pdf import barcode

BLEED_MM = 3.0
SPINE_MARGIN_MM = 12.0  # from the spine's ends to its text
SPINE_FILL = 0.6  # of the spine's width, at most, taken by one character
SPINE_FONT_MM = (2.47, 4.94)  # 7 pt, the smallest readable on a shelf … 14 pt
LEADING = 1.05  # line height of the spine's characters, in ems
PUBLISHER_SCALE = 0.8  # the publisher's name on the spine, against the title
TOLERANCE_MM = 0.05
PT_MM = 25.4 / 72
log = logging.getLogger("publisher.pdf.cover")


def trim_size(size: str) -> tuple[float, float]:
    """The trim width and height in mm of a book.yaml page size (A5, B5, letter, `Wmm Hmm`)."""
    trim = geometry.trim_mm(size)
    if trim is None:
        raise BuildError(f"page size {size!r}: expected A4, A5, A6, B5, letter or 'Wmm Hmm'")
    return float(trim[0]), float(trim[1])


def spine_width(pages: int, caliper_mm: float) -> float:
    """The spine in mm: one paper thickness per leaf (two pages)."""
    return round(math.ceil(pages / 2) * caliper_mm, 3)


@dataclass(frozen=True)
class Geometry:
    """The sheet in mm: back and front panels of the trim size either side of the spine."""

    trim_w: float
    trim_h: float
    spine: float
    bleed: float = BLEED_MM

    @property
    def width(self) -> float:
        """The trimmed sheet's width; the bleed adds `bleed` on every side."""
        return round(2 * self.trim_w + self.spine, 3)


@dataclass
class Cover:
    """The laid-out cover and what the report records for `publisher check`."""

    data: bytes
    book_pages: int
    geometry: Geometry
    caliper_mm: float
    isbn: str | None
    spine_text: bool

    def details(self) -> dict[str, Any]:
        """The cover's entry fields in build-report.json besides file, bytes and sha256."""
        return {"book_pages": self.book_pages, "spine_mm": self.geometry.spine,
                "caliper_mm": self.caliper_mm,
                "trim_mm": [self.geometry.trim_w, self.geometry.trim_h],
                "bleed_mm": self.geometry.bleed, "isbn": self.isbn,
                "spine_text": self.spine_text}


def page_count(pdf: bytes) -> int:
    """The pages of a built PDF (the final count, whatever padding was added)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def spine_font(book: Book, geometry: Geometry, leaves: int) -> float | None:
    """The spine's type size in mm, or None (with a warning) when its text cannot fit."""
    title = spine_cells(book.title)
    height = geometry.trim_h - 2 * SPINE_MARGIN_MM
    ems = LEADING * (_length(title) + PUBLISHER_SCALE * _length(spine_cells(book.publisher))) + 1.5
    size = min(SPINE_FONT_MM[1], SPINE_FILL * geometry.spine, height / ems)
    if size >= SPINE_FONT_MM[0]:
        return round(size, 3)
    if SPINE_FILL * geometry.spine < SPINE_FONT_MM[0]:
        needed = SPINE_FONT_MM[0] / SPINE_FILL
        log.warning("%s: the spine is %.2f mm wide (%s leaves of %s mm paper), too narrow for "
                    "its title (at least %.1f mm): the spine is left blank",
                    book.path, geometry.spine, leaves,
                    book.printing.caliper_mm, needed)
    else:
        log.warning("%s: the title %r is too long for the spine (%d characters in %.0f mm at "
                    "%.0f pt or more): the spine is left blank",
                    book.path, book.title, len(title), height, SPINE_FONT_MM[0] / PT_MM)
    return None


def spine_cells(text: str) -> list[str]:
    """The characters stacked down the spine, one per line; a space becomes a half gap."""
    return [" " if ch.isspace() else ch for ch in text.strip() if ch.isprintable()]


def _length(cells: list[str]) -> float:
    return sum(0.5 if cell == " " else 1 for cell in cells)


def isbn_text(book: Book) -> str:
    """`ISBN 978-7-…` as book.yaml writes it (its hyphens, if any, are the agency's)."""
    return f"ISBN {isbn_written(book.identifier) or book.identifier.strip()}"


def _ean_digits(digits: str) -> list[dict[str, Any]]:
    """Where the human-readable digits go under the bars, in mm from the barcode's left."""
    first, left, right = barcode.groups(digits)
    x = barcode.MODULE_MM
    return [{"text": first, "left": 0, "width": (barcode.QUIET_LEFT - 1) * x, "align": "right"},
            {"text": left, "left": (barcode.QUIET_LEFT + 3) * x, "width": 42 * x,
             "align": "justify"},
            {"text": right, "left": (barcode.QUIET_LEFT + 50) * x, "width": 42 * x,
             "align": "justify"}]


def _check_glyphs(project: Project, faces: list, texts: list[str]) -> None:
    """Every character the cover sets is in its font (else WeasyPrint falls back silently)."""
    from publisher.content import fonts

    face = next(f for f in faces if f.role == "heading")
    covered = fonts.charset(face.path, face.index)
    missing = sorted({ch for text in texts for ch in text
                      if ord(ch) not in covered and not ch.isspace()})
    if missing:
        raise ContentError([Problem(project.book.path, None,
                                    f"character {ch!r} (U+{ord(ch):04X}) on the cover is not in "
                                    f"{face.family} (heading font)") for ch in missing])


def make(project: Project, book_pages: int, faces: list, when: dt.datetime) -> Cover:
    """Lay out the cover sheet of a book of `book_pages` pages; BuildError on any warning."""
    from publisher.pdf import weasy
    from publisher.render.templates import render

    book = project.book
    trim_w, trim_h = trim_size(book.page.size)
    geometry = Geometry(trim_w, trim_h, spine_width(book_pages, book.printing.caliper_mm))
    isbn = book.isbn
    price = f"定价：{book.printing.price}" if book.printing.price else ""
    texts = [book.title, book.subtitle, book.publisher, "　编", *book.editors, price,
             isbn_text(book) if isbn else ""]
    _check_glyphs(project, faces, texts)
    font = spine_font(book, geometry, math.ceil(book_pages / 2))
    spine = None if font is None else {
        "font_mm": font, "title": spine_cells(book.title),
        "publisher": spine_cells(book.publisher)}
    ean = None
    if isbn:
        ean = {"svg": barcode.svg(isbn), "digits": _ean_digits(isbn), "text": isbn_text(book),
               "bar_mm": barcode.BAR_MM,
               "width_mm": round(barcode.WIDTH_MODULES * barcode.MODULE_MM, 3)}
    html = render(project, "pdf/cover-sheet.html.j2", g=geometry, spine=spine, ean=ean,
                  price=price, book_pages=book_pages, isbn=isbn,
                  fonts={face.role: face.family for face in faces},
                  timestamp=when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    with weasy.strict(project.root, "the cover") as fetcher:
        document = weasy.lay_out(html, project.root, fetcher)
        data = weasy.write_pdf(document, "none")
    if len(document.pages) != 1:
        raise BuildError(f"pdf/cover-sheet.html.j2: the cover took {len(document.pages)} pages; "
                         "it must fit on one sheet")
    # Read back as a scanner would: a layout that squeezes, covers or clips the bars fails here.
    if isbn and (scanned := barcode.scan_pdf(data)) != isbn:
        raise BuildError(f"pdf/cover-sheet.html.j2: the cover's barcode reads "
                         f"{scanned or 'nothing'}, not the ISBN {isbn}: keep the bars whole, "
                         "unscaled and on white")
    return Cover(data, book_pages, geometry, book.printing.caliper_mm, isbn, spine is not None)


def is_cover(path: Path, report: dict | None) -> bool:
    """Whether an output PDF is the cover sheet: named so in the report, or `<book>-cover.pdf`."""
    entry = (report or {}).get("artifacts", {}).get("cover") or {}
    if entry.get("file") == path.name:
        return True
    return path.name.endswith(COVER_SUFFIX) and \
        path.with_name(path.name.removesuffix(COVER_SUFFIX) + ".pdf").is_file()


def check_cover(path: Path, report: dict | None) -> list[str]:
    """Problems with a cover sheet: its size against the book's pages and paper, its bars
    against the book's ISBN (read from the rendered page, as a scanner would)."""
    import pikepdf

    artifacts = (report or {}).get("artifacts", {})
    entry = artifacts.get("cover") or {}
    if entry.get("file") != path.name:
        return [f"{path.name} is not in build-report.json: left over from an earlier build?"]
    problems = []
    book_pdf = path.with_name(artifacts.get("pdf", {}).get("file", ""))
    pages = page_count(book_pdf.read_bytes()) if book_pdf.is_file() and book_pdf != path else 0
    if not pages:
        return [f"the book's PDF ({book_pdf.name}) is missing: the spine cannot be checked"]
    if entry.get("book_pages") != pages:
        problems.append(f"made for {entry.get('book_pages')} pages; {book_pdf.name} has {pages}")
    trim_w, trim_h = entry.get("trim_mm") or (0, 0)
    spine = spine_width(pages, float(entry.get("caliper_mm") or 0))
    with pikepdf.open(path) as document:
        if len(document.pages) != 1:
            problems.append(f"{len(document.pages)} pages; a cover sheet is one")
        page = document.pages[0]
        trim = [float(v) * PT_MM for v in page.trimbox]
        bleed = [float(v) * PT_MM for v in page.bleedbox]
    width, height = trim[2] - trim[0], trim[3] - trim[1]
    if abs(width - (2 * trim_w + spine)) > TOLERANCE_MM or abs(height - trim_h) > TOLERANCE_MM:
        problems.append(f"trimmed {width:.2f} × {height:.2f} mm; {pages} pages of "
                        f"{entry.get('caliper_mm')} mm paper on a {trim_w:g} × {trim_h:g} mm book "
                        f"need {2 * trim_w + spine:.2f} × {trim_h:.2f} mm "
                        f"(spine {spine:.2f} mm)")
    margins = [trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]]
    if any(abs(m - BLEED_MM) > TOLERANCE_MM for m in margins):
        problems.append(f"bleed {', '.join(f'{m:.2f}' for m in margins)} mm; expected "
                        f"{BLEED_MM:g} mm on every side")
    expected = isbn_digits((report or {}).get("book", {}).get("identifier", ""))
    if entry.get("isbn") != expected:
        problems.append(f"the report records ISBN {entry.get('isbn')}; the book's identifier "
                        f"gives {expected}")
    scanned = barcode.scan_pdf(path.read_bytes())
    if expected and scanned != expected:
        problems.append(f"the barcode reads {scanned or 'nothing'}; the book's ISBN is {expected}")
    elif not expected and scanned:
        problems.append(f"a barcode reading {scanned}, but the book has no ISBN")
    return problems


def file_name(slug: str) -> str:
    """The cover sheet's file name beside the book's PDF."""
    return output_name(slug, "cover")
