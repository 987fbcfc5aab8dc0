"""Package the book model as an EPUB 3 with print page markers, subset fonts and a11y metadata."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from lxml import etree

from publisher import epub_assets, epub_pages
from publisher.errors import BuildError
from publisher.model import Project
from publisher.pdftypes import TypesetPDF
from publisher.render import render

ROOT = "OEBPS"
CONTAINER = """<?xml version="1.0" encoding="utf-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
<rootfiles>
<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
"""
# Apple Books ignores embedded fonts unless this file asks for them.
APPLE_OPTIONS = """<?xml version="1.0" encoding="utf-8"?>
<display_options>
<platform name="*">
<option name="specified-fonts">true</option>
</platform>
</display_options>
"""
SUMMARY = ("本书为可重排的简体中文文本，含目录、按问题索引与对应印刷版页码的页码标记；"
           "封面图片附有文字说明；正文不依赖颜色或图像传达信息。")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


@dataclass(frozen=True)
class Item:
    """One manifest entry."""

    id: str
    href: str
    media_type: str
    properties: str = ""


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


def _zip(files: list[tuple[str, bytes]], when: dt.datetime) -> bytes:
    """A zip with `mimetype` first and stored, every entry dated `when` (never the clock)."""
    # Zip timestamps cannot go before 1980; readers never show them anyway.
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.UTC)).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [("mimetype", b"application/epub+zip"), *files]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            stored = name == "mimetype" or name.endswith(".png")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=None if stored else 9)
    return buffer.getvalue()


def package(project: Project, typeset: TypesetPDF, when: dt.datetime | None = None) -> bytes:
    """Build the EPUB in memory from the model and the typeset PDF, and return its bytes.

    `when` dates the EPUB (SOURCE_DATE_EPOCH); by default, book.yaml's date at 00:00 UTC.
    """
    from publisher.typography import CSS as typography_css

    book = project.book
    when = (when or book.timestamp).astimezone(dt.UTC)
    if not project.interviews:
        raise BuildError(f"{book.path}: the book has no interviews, so there is no EPUB to make")
    docs = _documents(project)
    trees = [(name, _parse(name, text)) for name, _id, text in docs]
    lines = typeset.page_lines  # known without the PDF's bytes when typeset in parts
    if lines is None:
        lines = epub_pages.pdf_page_lines(typeset.data, epub_pages.page_margins(book.page.margins))
    pages = epub_pages.place_markers(trees, lines, typeset.anchor_pages)
    labels = {q.id: q.label for q in book.questions}
    nav_text = render(project, "epub/nav.xhtml.j2", pages=pages, question_labels=labels)
    nav = _parse("nav.xhtml", nav_text)
    faces = epub_assets.subset_fonts(project, [tree for _n, tree in trees] + [nav])
    css = render(project, "epub/book.css") + "\n" + typography_css

    manifest = [Item("nav", "nav.xhtml", "application/xhtml+xml", "nav"),
                Item("ncx", "toc.ncx", "application/x-dtbncx+xml"),
                Item("css", "css/book.css", "text/css"),
                Item("cover-image", "images/cover.png", "image/png", "cover-image")]
    manifest += [Item(f"font-{name.split('.')[0]}", f"fonts/{name}", "font/otf")
                 for name in sorted(faces)]
    portraits = [i for i in project.interviews if i.portrait is not None]
    manifest += [Item(f"portrait-{i.slug}", f"images/{i.portrait_file}",
                      "image/png" if i.portrait_file.endswith(".png") else "image/jpeg")
                 for i in portraits]
    spine = [Item(item_id, name, "application/xhtml+xml") for name, item_id, _t in docs]
    manifest += spine
    source = f"{book.full_title}，{book.publisher}，{book.edition}印刷版"
    opf = render(project, "epub/content.opf.j2", manifest=manifest, spine=spine,
                 accessibility_summary=SUMMARY, page_source=source,
                 modified=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    ncx = render(project, "epub/toc.ncx.j2", pages=pages, question_labels=labels)

    files: list[tuple[str, bytes]] = [
        ("META-INF/container.xml", CONTAINER.encode()),
        ("META-INF/com.apple.ibooks.display-options.xml", APPLE_OPTIONS.encode()),
        (f"{ROOT}/content.opf", opf.encode()),
        (f"{ROOT}/toc.ncx", ncx.encode()),
        (f"{ROOT}/nav.xhtml", _serialise(nav)),
        (f"{ROOT}/css/book.css", css.encode()),
        # Last: the PDF may still be merging in another process.
        (f"{ROOT}/images/cover.png",
         epub_assets.cover_png(lambda: typeset.data, typeset.cover_key)),
    ]
    files += [(f"{ROOT}/fonts/{name}", faces[name]) for name in sorted(faces)]
    # Read from the path the loader checked (inside the project, known format, bounded size).
    files += [(f"{ROOT}/images/{i.portrait_file}", i.portrait.path.read_bytes()) for i in portraits]
    files += [(f"{ROOT}/{name}", _serialise(tree)) for name, tree in trees]
    return _zip(files, when)
