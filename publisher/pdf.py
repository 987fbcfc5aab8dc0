"""Typeset the book's HTML into a PDF with WeasyPrint, failing on any warning."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from publisher import builtin_dir
from publisher.errors import BuildError
from publisher.log import capture
from publisher.model import Project
from publisher.render import render

if TYPE_CHECKING:
    from publisher.partworker import Pool

PDF_VARIANTS = {"ua": "pdf/ua-1", "a": "pdf/a-2b", "none": None,
                "x-4": "pdf/x-4", "x-1a": "pdf/x-1a"}
# The scheme of a link whose target is typeset in another part: WeasyPrint keeps it as an
# external link, and the merge turns it into an internal one (see pdfmerge).
CROSS_PART = "publisher-anchor:"


@dataclass
class TypesetPDF:
    """A laid-out PDF: its bytes, page count and the page where each anchor landed."""

    # The bytes, or what returns them: the merge of a book typeset in parts runs in another
    # process while the EPUB is made, and `data` waits for it.
    source: bytes | Callable[[], bytes]
    pages: int
    anchor_pages: dict[str, int]
    # Known when typeset in parts: each page's lines of text in the type area (see
    # epub_pages.pdf_page_lines), and a key that changes whenever the cover page does.
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


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often while WeasyPrint works.

    It allocates millions of long-lived boxes, and Python's default thresholds then rescan
    them again and again: measured on a 450-page book, layout 16.2 → 12.8 s and write
    9.2 → 8.0 s CPU for 5% more peak memory.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


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


def write_options(variant: str | None) -> dict:
    """WeasyPrint's write_pdf options for a variant; a PDF/X is tagged too (for /Lang and
    the structure the other checks read), which PDF/X allows."""
    return {"pdf_variant": variant, "uncompressed_pdf": False,
            **({"pdf_tags": True} if variant and variant.startswith("pdf/x") else {})}


def html_for_pdf(project: Project, faces: list, edition: str = "screen",
                 when: dt.datetime | None = None, part: Part | None = None,
                 pages: dict[str, int] | None = None, printed: int | None = None,
                 blanks: int = 0) -> str:
    """The HTML of the book, or of one `part` of it.

    In the print edition, `printed` is the page count in whole signatures, which the
    copyright page's figures count (0 while it is not known yet), and `blanks` the blank
    pages set before the colophon to make it up.

    Without `pages`, links are internal (`#anchor`) and page numbers are WeasyPrint's
    `target-counter`s. With `pages` (anchor → printed page, for a part whose targets lie in
    other parts), links name the anchor for the merge to resolve and numbers are written out;
    an anchor missing from `pages` is shown as 0000 (sizing the front matter before the
    chapters are laid out).
    """
    from markupsafe import Markup

    from publisher import imprint
    from publisher.typography import CSS

    when = when or project.book.timestamp
    part = part or Part(True, tuple(project.interviews), True)
    if pages is None:
        def href(anchor: str) -> str:
            return f"#{anchor}"

        def page_of(anchor: str) -> str:
            return ""
    else:
        def href(anchor: str) -> str:
            return f"{CROSS_PART}{anchor}"

        def page_of(anchor: str) -> Markup:
            try:
                number = pages[anchor]  # a mapping may guess missing ones (parts._Guess)
            except KeyError:
                number = "0000"
            return Markup(' data-page="%s"') % number
    # The typography CSS is the package's own code, not content: safe to inline unescaped.
    return render(project, "pdf/book.html.j2", edition=edition, typography_css=Markup(CSS),
                  fonts={face.role: face.family for face in faces}, part=part, href=href,
                  page_of=page_of, ink=imprint.ink(edition), blanks=blanks,
                  imprint=imprint.of(project.book, printed or 0) if edition == "print" else None,
                  timestamp=when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"))


def lay_out(project: Project, html: str):  # noqa: ANN201 - (weasyprint Document, fetcher)
    """WeasyPrint's layout of the book's HTML, through the project's confined fetcher."""
    import weasyprint

    from publisher.fetch import make_fetcher

    fetcher = make_fetcher(project.root, builtin_dir("layouts"))
    with fewer_collections():
        document = weasyprint.HTML(
            string=html, base_url=str(project.root) + "/", url_fetcher=fetcher
        ).render(presentational_hints=False)
    return document, fetcher


def anchor_pages(pages: list) -> dict[str, int]:
    """The page (from 1) where each anchor of WeasyPrint's laid-out `pages` first lands."""
    anchors: dict[str, int] = {}
    for number, page in enumerate(pages, 1):
        for name in page.anchors:
            anchors.setdefault(name, number)
    return anchors


def write(document, variant: str = "ua") -> TypesetPDF:  # noqa: ANN001 - weasyprint Document
    """The laid-out document as PDF bytes, with the page where each anchor landed."""
    anchors = anchor_pages(document.pages)
    with fewer_collections():
        data = document.write_pdf(**write_options(PDF_VARIANTS[variant]))
    return TypesetPDF(data, len(document.pages), anchors)


def parts_possible() -> bool:
    """Whether this system can fork the workers that typeset in parts (not on Windows)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def typeset(project: Project, edition: str = "screen", variant: str | None = None,
            when: dt.datetime | None = None, faces: list | None = None,
            in_parts: bool = True, pool: Pool | None = None) -> TypesetPDF:
    """Lay out and write the PDF; raise BuildError with every WeasyPrint warning.

    `variant` is a key of PDF_VARIANTS, by default the edition's (build.EDITION_VARIANTS);
    a print edition in PDF/X is made press-ready after the merge (press.py).
    `when` stamps the PDF's dates (SOURCE_DATE_EPOCH); by default, book.yaml's date.
    `faces` are the fonts already checked by the caller; without them they are checked here.
    `in_parts` typesets parts of the book in parallel processes (those of `pool`, a
    partworker.Pool, if given) and merges them (parts.py); otherwise WeasyPrint lays out the whole
    book as one document in this process.
    """
    from publisher import fonts
    from publisher.build import EDITION_VARIANTS

    if faces is None:  # before rendering: a gap is a content error naming the character
        faces = fonts.check(project)
    variant = variant or EDITION_VARIANTS[edition][0]
    if in_parts and parts_possible():
        from publisher import parts

        result = parts.typeset(project, edition, variant, when, faces, pool)
    else:
        result = _one_pass(project, edition, variant, when, faces)
    signature = project.book.printing.signature
    if edition == "print" and result.pages % signature:
        raise BuildError(f"the print edition has {result.pages} pages, not a whole number of "
                         f"{signature}-page signatures: a layout overriding pdf/back.html.j2 "
                         "must keep its loop of `blanks` blank pages before the colophon")
    if edition == "print" and variant.startswith("x-"):
        from publisher import press

        source, when = result.source, when or project.book.timestamp
        result.source = lambda: press.finish(
            source() if callable(source) else source, variant, when)
    return result


def _one_pass(project: Project, edition: str, variant: str, when: dt.datetime | None,
              faces: list) -> TypesetPDF:
    """The whole book laid out as one WeasyPrint document in this process.

    The print edition is laid out twice: its copyright page counts the pages, and its
    blank pages make them up to whole signatures, which only the first layout tells.
    """
    from publisher import imprint, justify

    justify.install()
    html = html_for_pdf(project, faces, edition, when)
    # Any WeasyPrint warning (a missing glyph, a bad CSS rule) fails the build.
    with capture("weasyprint") as collected:
        document, fetcher = lay_out(project, html)
        if edition == "print":
            natural = len(document.pages)
            printed = imprint.padded(natural, project.book.printing.signature)
            del document
            html = html_for_pdf(project, faces, edition, when, printed=printed,
                                blanks=printed - natural)
            document, fetcher = lay_out(project, html)
        result = write(document, variant)
    # The laid-out boxes reference each other: free them now, before the EPUB stage needs
    # the memory, rather than at some later full collection.
    del document
    gc.collect()
    if fetcher.refused:  # name the refused resource itself, not WeasyPrint's wrapper text
        raise BuildError("\n".join(dict.fromkeys(fetcher.refused)))
    if collected.messages:
        raise BuildError("WeasyPrint warned, so the PDF was not written:\n  "
                         + "\n  ".join(dict.fromkeys(collected.messages)))
    return result
