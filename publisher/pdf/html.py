"""The book's HTML for WeasyPrint: the whole book, or one part of it with its links resolved."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from publisher.content.model import Project
from publisher.pdf import imprint
from publisher.pdf.types import CROSS_PART, Part, TypesetPDF
from publisher.render.templates import render
from publisher.text.typography import CSS


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
    width, height = imprint.type_area_pt(project.book)
    # A hair under the type area, so a piece of exactly that height cannot round onto a
    # second page.
    area = {"width": f"{width - 0.5:.2f}pt", "height": f"{height - 0.5:.2f}pt"}
    # The typography CSS is the package's own code, not content: safe to inline unescaped.
    return render(project, "pdf/book.html.j2", edition=edition, typography_css=Markup(CSS),
                  fonts={face.role: face.family for face in faces}, part=part, href=href,
                  page_of=page_of, area=area, ink=imprint.ink(edition), blanks=blanks,
                  imprint=imprint.of(project.book, printed or 0) if edition == "print" else None,
                  timestamp=when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"))


# The pieces of the front and back matter that must each fit on one page (front.html.j2,
# back.html.j2): an element with the id at the start, one with the id and `-end` at the end.
ONE_PAGE = {"cover": "the cover", "titlepage": "the title page",
            "copyright": "the copyright page (版权页)", "colophon": "the colophon"}


def front_matter_spills(project: Project, typeset: TypesetPDF) -> list[str]:
    """A warning for each one-page piece the layout spread over more pages, or lost the end of.

    Nothing in WeasyPrint says when a cover runs onto a second page: the pieces' start and
    end anchors, and the pages they landed on, do. A layout without the anchors is not
    checked.
    """
    found = []
    for anchor, what in ONE_PAGE.items():
        start, end = typeset.anchor_pages.get(anchor), typeset.anchor_pages.get(f"{anchor}-end")
        if start is None or end is None or end == start:
            continue
        page = project.book.page
        found.append(f"{what} takes {end - start + 1} pages ({start}–{end}) at page size "
                     f"{page.size}, margins {page.margins}, body size {page.body_size}: "
                     "shorten its text or choose a larger page or smaller body size")
    return found
