"""Package the EPUB with ebooklib, byte-reproducible and completed where ebooklib falls short."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from ebooklib import epub as eb
from lxml import etree

from publisher.content.model import Project
from publisher.epub.pages import PageTarget

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ROOT = "OEBPS"
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
FEATURES = ("structuralNavigation", "tableOfContents", "index", "readingOrder",
            "alternativeText", "pageBreakMarkers", "pageNavigation", "displayTransformability")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


class Document(eb.EpubHtml):
    """A content document written as the layout rendered it.

    `EpubHtml.get_content` re-parses the body with an HTML parser and rebuilds the head from
    its own template, which would drop the stylesheet link, body attributes and the markers'
    empty spans; the XHTML here is already complete and checked.
    """

    def get_content(self, default: bytes | None = None) -> bytes:
        return self.content


def new_book(project: Project, when: dt.datetime) -> eb.EpubBook:
    """An EpubBook carrying the book's metadata: identity, editors, dates, accessibility."""
    book = project.book
    epub = eb.EpubBook()
    epub.FOLDER_NAME = ROOT
    epub.IDENTIFIER_ID = "pub-id"
    epub.set_identifier(book.identifier)
    epub.title = book.full_title  # set_title has no way to give the title an id
    epub.add_metadata("DC", "title", book.full_title, {"id": "title"})
    epub.add_metadata(None, "meta", "main", {"refines": "#title", "property": "title-type"})
    epub.set_language(book.language)
    epub.set_direction("ltr")
    for number, editor in enumerate(book.editors, 1):
        epub.add_author(editor, role="edt", uid=f"editor-{number}")
    epub.add_metadata("DC", "publisher", book.publisher)
    epub.add_metadata("DC", "date", book.date.isoformat())
    epub.add_metadata("DC", "source", book.identifier)
    meta = [("schema:accessMode", "textual"), ("schema:accessMode", "visual"),
            ("schema:accessModeSufficient", "textual")]
    meta += [("schema:accessibilityFeature", feature) for feature in FEATURES]
    meta += [("schema:accessibilityHazard", "none"), ("schema:accessibilitySummary", SUMMARY),
             ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
             ("a11y:certifiedBy", book.publisher),
             ("pageBreakSource", f"{book.full_title}，{book.publisher}，{book.edition}印刷版")]
    for prop, value in meta:
        epub.add_metadata(None, "meta", value, {"property": prop})
    # Not in the manifest: ebooklib writes such an item at its own path, outside OEBPS/.
    epub.add_item(eb.EpubItem(uid="apple-options", manifest=False,
                              file_name="META-INF/com.apple.ibooks.display-options.xml",
                              content=APPLE_OPTIONS.encode()))
    return epub


class _FixedZip(zipfile.ZipFile):
    """A zip whose every entry is dated `stamp`, never the clock; PNG stored, the rest deflated."""

    def __init__(self, file: io.BytesIO, stamp: tuple[int, ...]) -> None:
        super().__init__(file, "w")
        self.stamp = stamp

    def writestr(self, name: str | zipfile.ZipInfo, data: bytes | str,
                 compress_type: int | None = None, compresslevel: int | None = None) -> None:
        if isinstance(name, zipfile.ZipInfo):
            name = name.filename
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.create_system = 3
        info.external_attr = 0o644 << 16
        # mimetype must be stored (OCF); PNG is compressed already.
        stored = name == "mimetype" or name.endswith(".png")
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        super().writestr(info, data, compresslevel=None if stored else 9)


def _xml(data: bytes) -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(data, _PARSER))


def _bytes(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, encoding="utf-8", xml_declaration=True)


class Writer(eb.EpubWriter):
    """ebooklib's writer with what the book needs on top of it.

    ebooklib dates zip entries with the clock, has no `xml:lang` on the package, leaves the
    NCX's depth and page counts at 0 and no `xml:lang`, and finds print pages by a heuristic
    that takes every element with `epub:type` and an id for a page. This writer fixes the
    dates, adds the attributes, and writes the page-list from the markers that were placed.
    """

    def __init__(self, book: eb.EpubBook, pages: list[PageTarget], when: dt.datetime) -> None:
        self.buffer = io.BytesIO()
        when = when.astimezone(dt.UTC)  # ebooklib writes `mtime` with a literal Z
        options = {"mtime": when, "epub2_guide": False, "epub3_pages": False,
                   "package_direction": True, "spine_direction": False,
                   "play_order": {"enabled": True, "start_from": 1}, "landmark_title": "导航"}
        super().__init__(self.buffer, book, options)
        # Zip timestamps cannot go before 1980; readers never show them anyway.
        self.stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.UTC)).timetuple()[:6]
        self.pages = pages
        self._nav: bytes | None = None

    def write(self) -> None:
        self.out = _FixedZip(self.buffer, self.stamp)
        self.out.writestr("mimetype", "application/epub+zip")
        self._write_container()
        self._write_opf()
        self._write_items()
        self.out.close()

    def epub(self) -> bytes:
        """Process and write the book; the EPUB's bytes.

        Not `ebooklib.write_epub`, which turns an OSError into a warning and a False.
        """
        self.process()
        self.write()
        return self.buffer.getvalue()

    def _write_container(self) -> None:
        super()._write_container()
        # Beside container.xml, as before ebooklib wrote the package.
        for item in self.book.get_items():
            if not item.manifest:
                self.out.writestr(item.file_name, item.get_content())

    def _write_items(self) -> None:
        items = self.book.items
        self.book.items = [item for item in items if item.manifest]
        try:
            super()._write_items()
        finally:
            self.book.items = items

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set(XML_LANG, self.book.language)
        # The id first, as readers of the OPF by eye (and earlier versions of it) expect.
        for item in root.iterfind("manifest/item"):
            attributes = dict(item.attrib)
            item.attrib.clear()
            for name in ("id", "href", "media-type", "properties"):
                if name in attributes:
                    item.set(name, attributes.pop(name))
            item.attrib.update(attributes)
        super()._write_opf_file(root)

    def nav(self, item: eb.EpubNav) -> bytes:
        """The navigation document (computed once: the fonts are subset from its text too)."""
        if self._nav is None:
            self._nav = self._make_nav(item)
        return self._nav

    def _get_nav(self, item: eb.EpubNav) -> bytes:
        return self.nav(item)

    def _make_nav(self, item: eb.EpubNav) -> bytes:
        tree = _xml(super()._get_nav(item))
        # ebooklib's nav head has no charset, which every other document declares.
        tree.getroot().find(f"{{{XHTML}}}head").insert(0, etree.Element(f"{{{XHTML}}}meta",
                                                                       charset="utf-8"))
        body = tree.getroot().find(f"{{{XHTML}}}body")
        for nav in body.iterfind(f"{{{XHTML}}}nav"):
            kind = nav.get(f"{{{OPS}}}type")
            nav.set("id", kind)
            heading = nav.find(f"{{{XHTML}}}h2")
            heading.set("id", f"{kind}-title")
            nav.set("aria-labelledby", f"{kind}-title")
            if kind == "toc":
                heading.tag = f"{{{XHTML}}}h1"  # the document's only heading of its rank
            else:
                nav.set("hidden", "hidden")
        if self.pages:
            body.append(_page_list(self.pages))
        etree.indent(tree, space="  ")  # as ebooklib indents the rest
        return _bytes(tree)

    def _get_ncx(self) -> bytes:
        tree = _xml(super()._get_ncx())
        root = tree.getroot()
        root.set(XML_LANG, self.book.language)
        depth = max((len(list(point.iterancestors(f"{{{NCX}}}navPoint"))) + 1
                     for point in root.iter(f"{{{NCX}}}navPoint")), default=0)
        values = {"dtb:depth": depth, "dtb:totalPageCount": len(self.pages),
                  "dtb:maxPageNumber": max((p.number for p in self.pages), default=0)}
        for meta in root.iterfind(f"{{{NCX}}}head/{{{NCX}}}meta"):
            if meta.get("name") in values:
                meta.set("content", str(values[meta.get("name")]))
        return _bytes(tree)


def _page_list(pages: list[PageTarget]) -> etree._Element:
    nav = etree.Element(f"{{{XHTML}}}nav", nsmap={None: XHTML, "epub": OPS})
    nav.set(f"{{{OPS}}}type", "page-list")
    for name, value in (("role", "doc-pagelist"), ("id", "page-list"),
                        ("aria-labelledby", "page-list-title"), ("hidden", "hidden")):
        nav.set(name, value)
    heading = etree.SubElement(nav, f"{{{XHTML}}}h2", id="page-list-title")
    heading.text = "印刷版页码"
    ol = etree.SubElement(nav, f"{{{XHTML}}}ol")
    for page in pages:
        link = etree.SubElement(etree.SubElement(ol, f"{{{XHTML}}}li"), f"{{{XHTML}}}a",
                                href=f"{page.file}#{page.id}")
        link.text = str(page.number)
    return nav
