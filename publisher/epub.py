"""Package the book model as an EPUB 3 with ebooklib."""

from __future__ import annotations

import io

from ebooklib import epub

from publisher.errors import BuildError
from publisher.model import Project
from publisher.render import render


def package(project: Project, anchor_pages: dict[str, int] | None = None) -> bytes:
    """Build the EPUB in memory and return its bytes."""
    book = project.book
    out = epub.EpubBook()
    out.set_identifier(book.identifier)
    out.set_title(book.full_title)
    out.set_language(book.language)
    for editor in book.editors:
        out.add_author(editor)
    chapters = []
    for interview in project.interviews:
        item = epub.EpubHtml(title=interview.region, file_name=f"{interview.slug}.xhtml",
                             lang=book.language)
        item.content = render(project, "epub/interview.xhtml.j2", interview=interview)
        out.add_item(item)
        chapters.append(item)
    out.toc = chapters
    out.spine = ["nav", *chapters]
    out.add_item(epub.EpubNcx())
    out.add_item(epub.EpubNav())
    buffer = io.BytesIO()
    try:
        epub.write_epub(buffer, out, {"raise_exceptions": True})
    except Exception as exc:  # ebooklib raises bare exceptions
        raise BuildError(f"EPUB packaging failed: {exc}") from exc
    return buffer.getvalue()
