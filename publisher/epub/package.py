"""Make the EPUB 3 from the book model: content documents, print page markers, fonts, ebooklib."""

from __future__ import annotations

import datetime as dt

from ebooklib import epub as ebooklib
from lxml import etree

from publisher.content.geometry import page_margins
from publisher.content.model import Project, place_labels
from publisher.epub import assets as epub_assets
from publisher.epub import pages as epub_pages
from publisher.epub import writer as epub_package
from publisher.errors import BuildError
from publisher.pdf.pagetext import pdf_page_lines
from publisher.pdf.types import TypesetPDF
from publisher.render.templates import render

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def _parse(name: str, text: str) -> etree._ElementTree:
    try:
        return etree.ElementTree(etree.fromstring(text.encode("utf-8"), _PARSER))
    except etree.XMLSyntaxError as exc:
        raise BuildError(f"epub/{name}: the layout produced malformed XHTML: {exc}") from None


def _serialise(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, encoding="utf-8", xml_declaration=True,
                          doctype="<!DOCTYPE html>") + b"\n"


def _documents(project: Project) -> list[tuple[str, str, str]]:
    """Spine documents in reading order: (file name, manifest id, rendered XHTML)."""
    book = project.book
    alt = f"封面：{book.full_title}，{book.publisher}"
    docs = [("cover.xhtml", "cover", render(project, "epub/cover.xhtml.j2", cover_alt=alt))]
    for name in ("titlepage", "copyright", "contents"):
        docs.append((f"{name}.xhtml", name, render(project, f"epub/{name}.xhtml.j2")))
    for interview in project.interviews:
        docs.append((f"{interview.slug}.xhtml", f"ch-{interview.slug}",
                     render(project, "epub/interview.xhtml.j2", interview=interview)))
    docs.append(("question-index.xhtml", "question-index",
                 render(project, "epub/question-index.xhtml.j2")))
    return docs


def package(project: Project, typeset: TypesetPDF, when: dt.datetime | None = None) -> bytes:
    """Build the EPUB in memory from the model and the typeset PDF, and return its bytes.

    `when` dates the EPUB (SOURCE_DATE_EPOCH); by default, book.yaml's date at 00:00 UTC.
    """
    from publisher.text.typography import CSS as typography_css

    book = project.book
    when = (when or book.timestamp).astimezone(dt.UTC)
    if not project.interviews:
        raise BuildError(f"{book.path}: the book has no interviews, so there is no EPUB to make")
    docs = _documents(project)
    trees = [(name, _parse(name, text)) for name, _id, text in docs]
    lines = typeset.page_lines  # known without the PDF's bytes when typeset in parts
    if lines is None:
        lines = pdf_page_lines(typeset.data, page_margins(book.page.margins))
    pages = epub_pages.place_markers(trees, lines, typeset.anchor_pages)
    documents = [epub_package.Document(uid=item_id, file_name=name,
                                       media_type="application/xhtml+xml",
                                       content=_serialise(tree))
                 for (name, tree), (_n, item_id, _t) in zip(trees, docs, strict=True)]
    by_name = {document.file_name: document for document in documents}
    ebook = epub_package.new_book(project, when)
    ebook.toc = _toc(project, by_name)
    ebook.guide = [{"href": "cover.xhtml", "title": "封面", "type": "cover"},
                   {"href": "contents.xhtml", "title": "目录", "type": "toc"},
                   {"href": f"{project.interviews[0].slug}.xhtml", "title": "正文",
                    "type": "bodymatter"}]
    ebook.spine = documents
    css = ebooklib.EpubItem(uid="css", file_name="css/book.css", media_type="text/css",
                            content=(render(project, "epub/book.css") + "\n"
                                     + typography_css).encode())
    nav = ebooklib.EpubNav(title="目录")
    nav.add_item(css)
    writer = epub_package.Writer(ebook, pages, when)
    nav_tree = _parse("nav.xhtml", writer.nav(nav).decode())
    faces = epub_assets.subset_fonts(project, [tree for _n, tree in trees] + [nav_tree])

    for item in (ebooklib.EpubNcx(), nav, css):
        ebook.add_item(item)
    # The cover after the fonts: the PDF may still be merging in another process.
    ebook.set_cover("images/cover.png",
                    epub_assets.cover_png(lambda: typeset.data, typeset.cover_key),
                    create_page=False)
    for name in sorted(faces):
        ebook.add_item(ebooklib.EpubItem(uid=f"font-{name.split('.')[0]}",
                                         file_name=f"fonts/{name}", media_type="font/otf",
                                         content=faces[name]))
    for interview in project.interviews:
        if interview.portrait is None:
            continue
        file = interview.portrait_file
        # Read from the path the loader checked (inside the project, known format, bounded size).
        ebook.add_item(ebooklib.EpubImage(
            uid=f"portrait-{interview.slug}", file_name=f"images/{file}",
            media_type="image/png" if file.endswith(".png") else "image/jpeg",
            content=interview.portrait.path.read_bytes()))
    for document in documents:
        ebook.add_item(document)
    return writer.epub()


def _toc(project: Project, documents: dict[str, ebooklib.EpubHtml]) -> list:
    """ebooklib's toc: each city (its document, titled with the city, and the interviewee
    where two interviews share it) with its questions."""
    labels = {q.id: q.label for q in project.book.questions}
    places = place_labels(project.interviews)  # as the PDF's outline and TOC name them
    toc: list = []
    for interview in project.interviews:
        document = documents[f"{interview.slug}.xhtml"]
        document.title = places[interview.slug]
        questions = [ebooklib.Link(f"{document.file_name}#{interview.qa_anchor(n)}",
                                   labels.get(pair.question_id) or pair.question,
                                   f"nav-{interview.qa_anchor(n)}")
                     for n, pair in enumerate(interview.qa)]
        # An interview without questions has no sub-list (an empty <ol> is invalid in a nav).
        toc.append((document, questions) if questions else document)
    toc.append(ebooklib.Link("question-index.xhtml", "按问题索引", "nav-question-index"))
    return toc
