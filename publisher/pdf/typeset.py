"""Typeset the book into a PDF: the entry point, choosing one pass or parts (parts.py)."""

from __future__ import annotations

import datetime as dt
import gc

from publisher.content import fonts
from publisher.content.model import Project
from publisher.errors import BuildError
from publisher.names import EDITION_VARIANTS
from publisher.pdf import imprint, justify, parts, press, weasy
from publisher.pdf.html import html_for_pdf
from publisher.pdf.types import TypesetPDF
from publisher.pdf.worker import Pool, parts_possible

__all__ = ["TypesetPDF", "parts_possible", "typeset"]


def typeset(project: Project, edition: str = "screen", variant: str | None = None,
            when: dt.datetime | None = None, faces: list | None = None,
            in_parts: bool = True, pool: Pool | None = None) -> TypesetPDF:
    """Lay out and write the PDF; raise BuildError with every WeasyPrint warning.

    `variant` is a key of names.PDF_VARIANTS, by default the edition's first
    (names.EDITION_VARIANTS); a print edition in PDF/X is made press-ready after the merge
    (press.py). `when` stamps the PDF's dates (SOURCE_DATE_EPOCH); by default, book.yaml's
    date. `faces` are the fonts already checked by the caller; without them they are checked
    here. `in_parts` typesets parts of the book in parallel processes and merges them
    (parts.py): those of `pool`, which the caller owns and closes, else of a pool made and
    closed here; otherwise WeasyPrint lays out the whole book as one document in this process.
    """
    if faces is None:  # before rendering: a gap is a content error naming the character
        faces = fonts.check(project)
    variant = variant or EDITION_VARIANTS[edition][0]
    if in_parts and parts_possible():
        if pool is None:
            with Pool(project.root, variant) as own:
                result = parts.typeset(project, edition, variant, when, faces, own)
        else:
            result = parts.typeset(project, edition, variant, when, faces, pool)
    else:
        result = _one_pass(project, edition, variant, when, faces)
    signature = project.book.printing.signature
    if edition == "print" and result.pages % signature:
        raise BuildError(f"the print edition has {result.pages} pages, not a whole number of "
                         f"{signature}-page signatures: a layout overriding pdf/back.html.j2 "
                         "must keep its loop of `blanks` blank pages before the colophon")
    if edition == "print" and variant.startswith("x-"):
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
    justify.install()
    html = html_for_pdf(project, faces, edition, when)
    with weasy.strict(project.root) as fetcher:
        document = weasy.lay_out(html, project.root, fetcher)
        if edition == "print":
            natural = len(document.pages)
            printed = imprint.padded(natural, project.book.printing.signature)
            del document
            html = html_for_pdf(project, faces, edition, when, printed=printed,
                                blanks=printed - natural)
            document = weasy.lay_out(html, project.root, fetcher)
        result = TypesetPDF(weasy.write_pdf(document, variant), len(document.pages),
                            weasy.anchor_pages(document.pages))
        # The laid-out boxes reference each other: free them now, before the EPUB stage
        # needs the memory, rather than at some later full collection.
        del document
        gc.collect()
    return result
