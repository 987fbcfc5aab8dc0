"""The text on a typeset PDF's pages, line by line, as the EPUB's page-list compares it."""

from __future__ import annotations

import re

# Characters that never show and that text extraction does not return reliably.
_IGNORED = frozenset("\u200b\u2060\u00ad\ufeff")
_LEADER = re.compile(r"(?:\.\s*){3,}\s*\d*\s*$")


def visible(char: str) -> bool:
    """Whether a character counts when PDF text and XHTML text are compared."""
    return not char.isspace() and char not in _IGNORED


def normalise(text: str) -> str:
    """Text as compared between the PDF and the XHTML: no spaces, no invisible characters."""
    return "".join(char for char in text if visible(char))


def pdf_page_lines(pdf: bytes, margins: tuple[float, float]) -> list[list[str]]:
    """The lines of text inside each page's type area (running heads and folios excluded);
    `margins` are the top and bottom page margins in points (geometry.page_margins)."""
    import pypdfium2

    top, bottom = margins
    pages: list[list[str]] = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for page in document:
            width, height = page.get_size()
            textpage = page.get_textpage()
            text = textpage.get_text_bounded(0, bottom, width, height - top)
            lines = [_LEADER.sub("", line) for line in text.splitlines()]
            pages.append([n for n in (normalise(line) for line in lines) if n])
            textpage.close()
            page.close()
    finally:
        document.close()
    return pages
