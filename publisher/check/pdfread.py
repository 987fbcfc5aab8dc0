"""A built PDF read back for its checks: the outline (pikepdf), glyphs and images (pypdfium2)."""

from __future__ import annotations

import ctypes
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf
    import pypdfium2

Images = list[tuple[float, float, float]]  # (left, top, bottom) of each image on a page


def read_outline(path: Path) -> tuple[list[tuple[str, int, list[str]]], list[list[int]]]:
    """Level-1 outline entries (title, 1-based page, children's titles), and each entry's
    children's pages, in the same order: titles repeat (two interviews in one region)."""
    import pikepdf

    entries: list[tuple[str, int, list[str]]] = []
    pages: list[list[int]] = []
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        numbers = {page.objgen: number for number, page in enumerate(pdf.pages, 1)}
        names = _named_destinations(pdf)

        def page_of(item: pikepdf.OutlineItem) -> int:
            return _destination_page(item, names, numbers)

        for item in outline.root:
            entries.append((item.title, page_of(item), [kid.title for kid in item.children]))
            pages.append([page_of(kid) for kid in item.children])
    return entries, pages


def _named_destinations(pdf: pikepdf.Pdf) -> Callable[[object], object]:
    """A lookup of named destinations: the /Names /Dests tree, or the older /Dests dictionary."""
    import pikepdf

    names = pdf.Root.get("/Names")
    tree = names.get("/Dests") if isinstance(names, pikepdf.Dictionary) else None
    if tree is not None:
        table = pikepdf.NameTree(tree)
        return lambda name: table.get(str(name))
    legacy = pdf.Root.get("/Dests")
    if isinstance(legacy, pikepdf.Dictionary):
        return lambda name: legacy.get("/" + str(name).lstrip("/"))
    return lambda name: None


def _destination_page(item: object, names: Callable[[object], object],
                      numbers: dict[tuple[int, int], int]) -> int:
    """The 1-based page an outline item goes to (0 when it goes nowhere this PDF has)."""
    import pikepdf

    target = item.destination
    if target is None and item.action is not None and item.action.get("/S") == "/GoTo":
        target = item.action.get("/D")
    for _ in range(2):  # a name stands for an array, or a dictionary holding it in /D
        if isinstance(target, (pikepdf.String, pikepdf.Name, str)):
            target = names(target)
        if isinstance(target, pikepdf.Dictionary):
            target = target.get("/D")
    if isinstance(target, pikepdf.Array) and len(target) and isinstance(target[0],
                                                                          pikepdf.Dictionary):
        return numbers.get(target[0].objgen, 0)
    return 0


@dataclass(frozen=True)
class Glyph:
    """One character as set: its advance box, measured down from the page's top, and its face."""

    text: str
    font: str
    size: float  # the em as set on the page (the font size scaled by the text's matrix)
    x0: float
    x1: float
    top: float  # the em box: from the font's descent below the baseline, one em tall
    bottom: float
    baseline: float


def read_pages(path: Path) -> list[tuple[list[Glyph], Images]]:
    """Every page's glyphs and images, in points down from the page's top."""
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return [_page(document[index]) for index in range(len(document))]
    finally:
        document.close()


def _page(page: pypdfium2.PdfPage) -> tuple[list[Glyph], Images]:
    """A page's glyphs, and its images as (left, top, bottom), in points down from its top."""
    import pypdfium2.raw as pdfium

    height = page.get_mediabox()[3]
    images = [(left, height - top, height - bottom) for left, bottom, _, top in
              (obj.get_bounds() for obj in page.get_objects(filter=(pdfium.FPDF_PAGEOBJ_IMAGE,)))]
    textpage = page.get_textpage()
    glyphs = []
    name, flags, matrix = ctypes.create_string_buffer(256), ctypes.c_int(), pdfium.FS_MATRIX()
    x, y, descent = ctypes.c_double(), ctypes.c_double(), ctypes.c_float()
    for index in range(textpage.count_chars()):
        if pdfium.FPDFText_IsGenerated(textpage.raw, index):  # a space or line end pdfium adds
            continue
        code = pdfium.FPDFText_GetUnicode(textpage.raw, index)
        if 0xDC00 <= code <= 0xDFFF and glyphs and "\ud800" <= glyphs[-1].text <= "\udbff":
            # pdfium gives a character beyond the BMP (a rare name) as two UTF-16 halves.
            high = ord(glyphs[-1].text) - 0xD800
            glyphs[-1] = replace(glyphs[-1], text=chr(0x10000 + (high << 10) + code - 0xDC00))
            continue
        font = pdfium.FPDFTextObj_GetFont(pdfium.FPDFText_GetTextObject(textpage.raw, index))
        em = ctypes.c_float(pdfium.FPDFText_GetFontSize(textpage.raw, index))
        pdfium.FPDFText_GetFontInfo(textpage.raw, index, name, len(name), flags)
        pdfium.FPDFText_GetMatrix(textpage.raw, index, matrix)
        pdfium.FPDFText_GetCharOrigin(textpage.raw, index, x, y)
        if not pdfium.FPDFFont_GetDescent(font, em, descent):  # no font: on the baseline
            descent.value = 0.0
        size = em.value * math.hypot(matrix.c, matrix.d)
        bottom = height - (y.value + descent.value * matrix.d)
        glyphs.append(Glyph(chr(code), name.value.decode("utf-8", "replace"), size, x.value,
                            _advance_end(textpage, index, x.value, font, code, em, matrix.a),
                            bottom - size, bottom, height - y.value))
    textpage.close()
    page.close()
    return glyphs, images


def _advance_end(textpage: pypdfium2.PdfTextPage, index: int, origin: float, font: object,
                 code: int, em: ctypes.c_float, scale: float) -> float:
    """Where a glyph's advance ends: the end of line a flush check measures, not its ink.

    pdfium's loose box is the advance grown to the ink, so it is the advance unless the ink
    reaches past it (办's dot); then the font's width for the character gives the advance
    (looked up by Unicode value, exact for ideographs: one glyph each).
    """
    import pypdfium2.raw as pdfium

    loose = textpage.get_charbox(index, loose=True)[2]
    if textpage.get_charbox(index)[2] < loose - 0.001:
        return loose
    width = ctypes.c_float()
    if not pdfium.FPDFFont_GetGlyphWidth(font, code, em, width):
        return loose
    return origin + width.value * scale
