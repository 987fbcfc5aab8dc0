"""The EPUB of the first book and of a small sample: validators, nav, page map, fonts, bytes."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from publisher.check import validators
from publisher.content.load import load_project
from publisher.content.model import Project
from publisher.epub import assets as epub_assets
from publisher.epub import package as epub
from publisher.pdf import typeset as pdf
from publisher.pdf.typeset import TypesetPDF
from tests.conftest import FirstBook, write_project

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
INVISIBLE = "\u200b\u2060\u00ad\ufeff"


@dataclass
class Built:
    project: Project
    typeset: TypesetPDF
    data: bytes
    path: Path

    def read(self, name: str) -> bytes:
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            return archive.read(name)

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.read(f"OEBPS/{name}"))


def _build(root: Path, out: Path) -> Built:
    project = load_project(root)
    typeset = pdf.typeset(project)
    data = epub.package(project, typeset)
    path = out / f"{project.book.slug}.epub"
    path.write_bytes(data)
    return Built(project, typeset, data, path)


@pytest.fixture(scope="session")
def first(first_book: FirstBook) -> Built:
    return Built(first_book.project, first_book.typeset, first_book.epub.read_bytes(),
                 first_book.epub)


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = write_project(tmp_path_factory.mktemp("epub-sample") / "book",
                         regions=("成都市", "绵阳市", "自贡市"))
    return _build(root, root)


@pytest.fixture(scope="session", params=["first", "sample"])
def built(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(request.param)


def _norm(text: str) -> str:
    return "".join(c for c in text if not c.isspace() and c not in INVISIBLE)


def _spine(b: Built) -> list[str]:
    opf = b.xml("content.opf")
    hrefs = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:item", NS)}
    return [hrefs[r.get("idref")] for r in opf.iterfind(".//opf:itemref", NS)]


def test_epubcheck_reports_nothing(built: Built) -> None:
    result = validators.run_epubcheck(built.path)
    assert (result.fatals, result.errors, result.warnings) == (0, 0, 0), result.messages


def test_ace_passes_without_violations(built: Built) -> None:
    result = validators.run_ace(built.path)
    assert result.violations == []
    assert result.outcome == "pass"


def test_nav_lists_every_city_then_its_questions(built: Built, first: Built) -> None:
    nav = built.xml("nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']/x:ol", NS)
    cities = [li.find("x:a", NS).text for li in toc.findall("x:li", NS)]
    assert cities[:-1] == [i.region for i in built.project.interviews]
    if built is first:
        assert len(cities[:-1]) == 21
    for li, interview in zip(toc.findall("x:li", NS), built.project.interviews, strict=False):
        hrefs = [a.get("href") for a in li.findall("x:ol/x:li/x:a", NS)]
        assert hrefs == [f"{interview.slug}.xhtml#{interview.qa_anchor(n)}"
                         for n in range(len(interview.qa))]
    landmarks = [a.get(f"{{{NS['epub']}}}type")
                 for a in nav.iterfind(".//x:nav[@epub:type='landmarks']//x:a", NS)]
    assert landmarks == ["cover", "toc", "bodymatter"]


def _page_list(b: Built) -> list[tuple[int, str, str]]:
    nav = b.xml("nav.xhtml")
    out = []
    for a in nav.iterfind(".//x:nav[@epub:type='page-list']//x:a", NS):
        file, _, target = a.get("href").partition("#")
        out.append((int(a.text), file, target))
    return out


def _text_after_markers(b: Built) -> dict[int, str]:
    """Visible text that follows each page marker, in spine order, up to the next marker."""
    after: dict[int, str] = {}
    open_pages: list[int] = []
    for name in _spine(b):
        body = b.xml(name).find("x:body", NS)
        for event, node in etree.iterwalk(body, events=("start", "end")):
            if event == "start" and node.get("role") == "doc-pagebreak":
                open_pages = [int(node.get("aria-label"))]
                after[open_pages[0]] = ""
                if node.tail:
                    after[open_pages[0]] += node.tail
            elif open_pages and event == "start" and node.text:
                after[open_pages[0]] += node.text
            elif open_pages and event == "end" and node.tail and node.get("role") != \
                    "doc-pagebreak":
                after[open_pages[0]] += node.tail
    return {n: _norm(t) for n, t in after.items()}


def test_page_list_covers_every_printed_page(built: Built) -> None:
    pages = _page_list(built)
    assert [n for n, _f, _t in pages] == list(range(1, built.typeset.pages + 1))
    for number, file, target in pages:
        doc = built.xml(file)
        marker = doc.find(f".//*[@id='{target}']")
        assert marker is not None, (number, file)
        assert marker.get(f"{{{NS['epub']}}}type") == "pagebreak"
        assert marker.get("aria-label") == str(number)


def test_text_at_each_marker_is_on_that_pdf_page(built: Built) -> None:
    after = _text_after_markers(built)
    checked = with_text = 0
    with pdfplumber.open(io.BytesIO(built.typeset.data)) as document:
        for number, page in enumerate(document.pages, 1):
            # Dot leaders and page numbers of the printed contents and index are not in the EPUB.
            page_text = _norm(re.sub(r"\.{3,}\d*", "", page.extract_text() or ""))
            following = after.get(number, "")
            if not page_text or number == 1:
                continue  # blank pages share the next page's marker; page 1 is the cover image
            with_text += 1
            if following == "":
                # Print-only back matter: its marker closes the last EPUB document.
                assert number > max(n for n, t in after.items() if t)
                continue
            assert following[:4] in page_text, (number, following[:20])
            checked += 1
    # Only print-only back matter (at most a couple of pages) may go unchecked.
    assert checked >= with_text - 2 and checked > 0


def test_each_paragraph_follows_the_marker_of_its_pdf_page(built: Built) -> None:
    """Independent of the text match: WeasyPrint's anchor pages agree with the markers."""
    seen = 0
    current = None
    for name in _spine(built):
        for node in built.xml(name).iter():
            if not isinstance(node.tag, str):
                continue
            if node.get("role") == "doc-pagebreak":
                current = int(node.get("aria-label"))
            elif re.fullmatch(r"ch-.+-q\d+-p\d+", node.get("id") or ""):
                # A marker inside the paragraph comes after its start, so it is not seen yet.
                assert current == built.typeset.anchor_pages[node.get("id")], node.get("id")
                seen += 1
    assert seen == sum(len(p.answer) for i in built.project.interviews for p in i.qa)


def test_fonts_are_subsets_of_exactly_the_characters_used(built: Built) -> None:
    with zipfile.ZipFile(built.path) as archive:
        fonts = {n: archive.read(n) for n in archive.namelist() if n.endswith(".otf")}
        used: set[str] = set()
        for name in [*_spine(built), "nav.xhtml"]:
            body = etree.fromstring(archive.read(f"OEBPS/{name}")).find("x:body", NS)
            used |= set("".join(body.itertext()))
    assert sorted(fonts) == ["OEBPS/fonts/sans.otf", "OEBPS/fonts/serif.otf"]
    assert sum(len(d) for d in fonts.values()) <= 1_500_000
    assert len(built.data) <= 2_000_000
    mapped: set[str] = set()
    for data in fonts.values():
        font = TTFont(io.BytesIO(data))
        assert "CFF " in font  # OTF with PostScript outlines, as Kobo and Apple Books read
        mapped |= {chr(c) for c in font["cmap"].getBestCmap()}
    assert mapped <= used
    missing = {c for c in used - mapped if not c.isspace() and c not in INVISIBLE}
    assert missing == set()


def test_package_metadata_and_languages(built: Built) -> None:
    book = built.project.book
    opf = built.xml("content.opf")
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert opf.findtext(".//dc:identifier", namespaces=NS) == book.identifier
    assert opf.findtext(".//dc:language", namespaces=NS) == "zh-CN"
    props = {}
    for meta in opf.iterfind(".//opf:meta[@property]", NS):
        props.setdefault(meta.get("property"), []).append(meta.text)
    assert props["dcterms:modified"] == [f"{book.date.isoformat()}T00:00:00Z"]
    for key in ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                "schema:accessibilityHazard", "schema:accessibilitySummary"):
        assert props[key], key
    assert "pageBreakMarkers" in props["schema:accessibilityFeature"]
    assert props["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
    for name in [*_spine(built), "nav.xhtml"]:
        root = built.xml(name)
        assert root.get("lang") == "zh-CN", name
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN", name


def test_zip_layout_is_fixed(built: Built) -> None:
    with zipfile.ZipFile(built.path) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        date = built.project.book.date
        assert {i.date_time for i in infos} == {(date.year, date.month, date.day, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o644}
        assert [i.filename for i in infos[:4]] == [
            "mimetype", "META-INF/container.xml", "META-INF/com.apple.ibooks.display-options.xml",
            "OEBPS/content.opf"]
        options = archive.read("META-INF/com.apple.ibooks.display-options.xml").decode()
        assert '<option name="specified-fonts">true</option>' in options
        declared = {i.get("href") for i in built.xml("content.opf").iterfind(".//opf:item", NS)}
        assert {i.filename for i in infos[4:]} == {f"OEBPS/{href}" for href in declared}


def test_cover_is_the_pdf_first_page_with_alt_text(built: Built) -> None:
    png = built.read("OEBPS/images/cover.png")
    assert png.startswith(b"\x89PNG")
    assert png == epub_assets.cover_png(built.typeset.data)
    img = built.xml("cover.xhtml").find(".//x:img", NS)
    assert built.project.book.title in img.get("alt")
    opf = built.xml("content.opf")
    assert opf.find(".//opf:item[@properties='cover-image']", NS).get("href") == "images/cover.png"


def test_two_builds_give_identical_bytes(first: Built, sample: Built) -> None:
    epub_assets._subset.cache_clear()  # subset again rather than reuse the first result
    assert epub.package(first.project, first.typeset) == first.data
    again = load_project(sample.project.root)
    assert epub.package(again, pdf.typeset(again)) == sample.data


def test_ebooklib_reads_it_back(first: Built) -> None:
    from ebooklib import epub as ebooklib_epub

    book = ebooklib_epub.read_epub(str(first.path), {"ignore_ncx": True})
    assert book.get_metadata("DC", "identifier")[0][0] == first.project.book.identifier
    names = {item.file_name for item in book.get_items()}
    assert {f"{i.slug}.xhtml" for i in first.project.interviews} <= names


def test_ebooklib_writes_the_package(built: Built) -> None:
    from ebooklib import epub as ebooklib_epub

    opf = built.xml("content.opf")
    generator = opf.find(".//opf:meta[@name='generator']", NS)
    assert generator.get("content") == "Ebook-lib " + ".".join(map(str, ebooklib_epub.VERSION))
    assert opf.get("unique-identifier") == "pub-id" and opf.get("dir") == "ltr"
    # What the writer adds to ebooklib's NCX: its language, depth and print page counts.
    ncx = built.xml("toc.ncx")
    assert ncx.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    heads = {m.get("name"): m.get("content") for m in ncx.find("{*}head")}
    assert heads["dtb:depth"] == "2"
    assert heads["dtb:totalPageCount"] == heads["dtb:maxPageNumber"] == str(built.typeset.pages)
    points = ncx.findall("{*}navMap/{*}navPoint")
    assert [p.findtext("{*}navLabel/{*}text") for p in points[:-1]] == \
        [i.region for i in built.project.interviews]
    orders = [int(p.get("playOrder")) for p in ncx.iter("{*}navPoint")]
    assert orders == list(range(1, len(orders) + 1))


def test_when_dates_the_zip_and_the_package(sample: Built) -> None:
    when = dt.datetime(2024, 5, 6, 7, 8, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    data = epub.package(sample.project, sample.typeset, when=when)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2024, 5, 5, 23, 8, 10)}
        opf = etree.fromstring(archive.read("OEBPS/content.opf"))
    modified = opf.find(".//opf:meta[@property='dcterms:modified']", NS)
    assert modified.text == "2024-05-05T23:08:10Z"


def test_same_bytes_in_another_time_zone_with_touched_inputs(sample: Built, tmp_path: Path) -> None:
    root = tmp_path / "book"
    shutil.copytree(sample.project.root, root)
    touched = time.time() - 86_400 * 400
    for path in root.rglob("*"):
        os.utime(path, (touched, touched))
    zone = os.environ.get("TZ")
    os.environ["TZ"] = "America/St_Johns"  # UTC-3:30: a date shifts if local time leaks in
    time.tzset()
    try:
        epub_assets._subset.cache_clear()
        again = load_project(root)
        data = epub.package(again, pdf.typeset(again))
    finally:
        if zone is None:
            os.environ.pop("TZ")
        else:
            os.environ["TZ"] = zone
        time.tzset()
    assert data == sample.data
