"""Two interviews in one region: the TOC, the outline, the EPUB's nav and the index tell the
two apart by the interviewee's name, and the PDF's check matches each TOC line and index row to
its own chapter."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pypdf
import pytest
from conftest import SAMPLE_INTERVIEW, write_project
from lxml import etree

from publisher.check import pdftext as pdfcheck
from publisher.content.load import load_project
from publisher.content.model import Interview, Interviewee, place_labels
from publisher.epub import package as epub
from publisher.pdf.typeset import typeset

XHTML = {"x": "http://www.w3.org/1999/xhtml"}


def _two_in_chengdu(root: Path) -> Path:
    """成都市 twice (李明, then 王芳 with a longer second answer), then 绵阳市."""
    write_project(root)
    folder = root / "content" / "interviews"
    (folder / "02-mianyang.yaml").rename(folder / "03-mianyang.yaml")
    text = (folder / "03-mianyang.yaml").read_text(encoding="utf-8")
    (folder / "03-mianyang.yaml").write_text(text.replace("order: 2", "order: 3"),
                                             encoding="utf-8")
    second = SAMPLE_INTERVIEW.format(order=2, slug="chengdu-2", region="成都市")
    second = second.replace("李明", "王芳").replace(
        "第二段回答，继续说明情况。", "第二段回答，继续说明情况。" * 60)
    (folder / "02-chengdu-2.yaml").write_text(second, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, pdfcheck.Report]:
    root = _two_in_chengdu(tmp_path_factory.mktemp("shared") / "book")
    project = load_project(root)
    typeset_pdf = typeset(project)
    path = root / "book.pdf"
    path.write_bytes(typeset_pdf.data)
    return path, epub.package(project, typeset_pdf), pdfcheck.analyse(path)


def test_a_correct_book_with_two_interviews_in_one_region_passes(book) -> None:
    _, _, report = book
    chapters = [(title, page) for title, page, kids in report.outline if kids]
    assert [title for title, _ in chapters] == ["成都市（李明）", "成都市（王芳）", "绵阳市"]
    assert chapters[0][1] != chapters[1][1]
    assert report.toc_errors == [] and report.problems() == []


def test_the_toc_and_the_epub_nav_name_the_interviewee_where_a_region_repeats(book) -> None:
    path, data, report = book
    toc = next(page for title, page, _ in report.outline if title == "目录")
    text = pypdf.PdfReader(str(path)).pages[toc - 1].extract_text()
    assert "成都市（李明）" in text and "成都市（王芳）" in text and "绵阳市（" not in text
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        nav = etree.fromstring(archive.read(next(n for n in archive.namelist()
                                                 if n.endswith("nav.xhtml"))))
    chapters = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:a",
                         namespaces={**XHTML, "epub": "http://www.idpf.org/2007/ops"})
    assert ["".join(a.itertext()) for a in chapters][:3] == [
        "成都市（李明）", "成都市（王芳）", "绵阳市"]


def test_the_index_names_the_interviewee_where_a_region_repeats(book) -> None:
    path, data, report = book
    index = next(page for title, page, _ in report.outline if title == "按问题索引")
    text = pypdf.PdfReader(str(path)).pages[index - 1].extract_text()
    assert "成都市（李明）" in text and "成都市（王芳）" in text
    assert "绵阳市（" not in text and "绵阳市" in text
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.endswith("question-index.xhtml")]
        tree = etree.fromstring(archive.read(names[0]))
    first_question = tree.xpath("//x:ol", namespaces=XHTML)[0]
    links = ["".join(a.itertext()) for a in first_question.xpath(".//x:a", namespaces=XHTML)]
    assert links == ["成都市（李明）", "成都市（王芳）", "绵阳市"]


def test_the_headline_tells_apart_two_interviews_of_one_person_in_one_region() -> None:
    def interview(slug: str, headline: str) -> Interview:
        return Interview(1, slug, "成都市", headline, Interviewee("李明", "主席"), (), "x")

    labels = place_labels([interview("a", "春天"), interview("b", "秋天")])
    assert labels == {"a": "成都市（春天）", "b": "成都市（秋天）"}


def test_a_wrong_page_for_the_second_of_two_interviews_in_a_region_is_caught(
        tmp_path: Path) -> None:
    """The TOC and index give the second 成都市 chapter the first one's pages."""
    root = _two_in_chengdu(tmp_path / "book")
    (root / "layouts" / "pdf").mkdir(parents=True)
    first = "{% set target = interviews[0] if interview.region == interviews[0].region " \
            "else interview %}"
    (root / "layouts" / "pdf" / "front.html.j2").write_text(
        '<nav class="toc"><h1>目录</h1><ol>{% for interview in interviews %}' + first +
        '<li><a href="{{ href(target.anchor) }}"{{ page_of(target.anchor) }}>'
        "{{ place_label[interview.slug] }}</a></li>"
        "{% endfor %}</ol></nav>", encoding="utf-8")
    (root / "layouts" / "pdf" / "back.html.j2").write_text(
        '<section class="question-index"><h1>按问题索引</h1><table>'
        "{% for interview, row in index_rows %}" + first +
        '<tr><th class="region">{{ place_label[interview.slug] }}</th>'
        '{% for n in row %}<td><a href="{{ href(target.qa_anchor(n)) }}"'
        "{{ page_of(target.qa_anchor(n)) }}></a></td>"
        "{% endfor %}</tr>{% endfor %}</table></section>", encoding="utf-8")
    path = tmp_path / "wrong.pdf"
    path.write_bytes(typeset(load_project(root)).data)
    report = pdfcheck.analyse(path)
    errors = report.toc_errors
    pages = [page for title, page, kids in report.outline if kids]
    assert errors[0] == (f"TOC gives page {pages[0]} for 成都市（王芳）; it starts on page "
                         f"{pages[1]}"), errors
    assert any(e.startswith("index gives pages") and "成都市（王芳）" in e
               for e in errors), errors
    assert not any("李明" in e or "绵阳市" in e for e in errors), errors
