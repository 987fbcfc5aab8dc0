"""What the PDF stages hand each other and the EPUB: a part of the book and a typeset PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# The scheme of a link whose target is typeset in another part: WeasyPrint keeps it as an
# external link, and the merge turns it into an internal one (see pdfmerge).
CROSS_PART = "publisher-anchor:"


@dataclass(frozen=True)
class Part:
    """What one HTML document holds: the whole book, or a slice of it typeset on its own.

    `sentinel` ends the slice with an element on a page of its own (dropped when the part is
    written) after a recto break, so the blank verso before the next part is laid out here.
    """

    front: bool
    interviews: tuple
    back: bool
    sentinel: bool = False


@dataclass
class TypesetPDF:
    """A laid-out PDF: its bytes, page count and the page where each anchor landed."""

    # The bytes, or what returns them: the merge of a book typeset in parts runs in another
    # process while the EPUB is made, and `data` waits for it.
    source: bytes | Callable[[], bytes]
    pages: int
    anchor_pages: dict[str, int]
    # Known when typeset in parts: each page's lines of text in the type area (see
    # pagetext.pdf_page_lines), and a key that changes whenever the cover page does.
    page_lines: list[list[str]] | None = None
    cover_key: str = ""
    parts: int = 1  # WeasyPrint documents merged into this PDF
    cached: int = 0  # of those, found in the part cache rather than laid out

    @property
    def data(self) -> bytes:
        """The PDF's bytes (a BuildError if its merge failed)."""
        if callable(self.source):
            self.source = self.source()
        return self.source
