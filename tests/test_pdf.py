"""The first book's PDF, measured from its glyphs, outline, fonts and tags."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from conftest import FirstBook, write_project

from publisher.check import pdftext as pdfcheck
from publisher.content.load import load_project
from publisher.pdf.typeset import typeset


@pytest.fixture(scope="module")
def pdf_path(first_book: FirstBook) -> Path:
    return first_book.pdf


@pytest.fixture(scope="module")
def report(pdf_path: Path) -> pdfcheck.Report:
    return pdfcheck.analyse(pdf_path)


def test_body_lines_are_flush_with_the_right_edge(report: pdfcheck.Report) -> None:
    assert report.body_lines > 300
    assert report.flush_ratio >= 0.99, report.ragged


def test_no_forbidden_line_starts_or_ends(report: pdfcheck.Report) -> None:
    assert report.bad_starts == []
    assert report.bad_ends == []


def test_no_ascii_punctuation_between_chinese_characters(report: pdfcheck.Report) -> None:
    assert report.ascii_punctuation == []


def test_outline_lists_every_city_with_its_questions(report: pdfcheck.Report,
                                                     first_book: FirstBook) -> None:
    project = first_book.project
    cities = [(title, kids) for title, _, kids in report.outline if kids]
    assert [title for title, _ in cities] == [i.region for i in project.interviews]
    labels = [q.label for q in project.book.questions]
    assert all(kids == labels for _, kids in cities)


def test_toc_page_numbers_are_right(report: pdfcheck.Report) -> None:
    assert report.toc_errors == []


def test_folios_match_page_numbers_and_chapters_open_on_the_right(
        pdf_path: Path, report: pdfcheck.Report) -> None:
    reader = pypdf.PdfReader(str(pdf_path))
    for title, page, _ in report.outline:
        if title != "目录":
            assert page % 2 == 1, f"{title} opens on page {page}, a left-hand page"
    chapter_pages = {page for _, page, kids in report.outline if kids}
    checked = 0
    for number in range(8, len(reader.pages) - 2):
        text = reader.pages[number - 1].extract_text()
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if number in chapter_pages:
            assert str(number) not in (lines[0], lines[-1]), "a chapter opener shows a folio"
        elif lines and re.fullmatch(r"\d+", lines[-1]):
            assert int(lines[-1]) == number
            checked += 1
    assert checked > 10


def test_tagged_with_language_metadata_and_dates(pdf_path: Path) -> None:
    reader = pypdf.PdfReader(str(pdf_path))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    info = reader.metadata
    assert info.title.startswith("巾帼心向党")
    assert info.author
    assert info["/CreationDate"].startswith("D:20230308")


def test_only_declared_fonts_embedded_and_subset(pdf_path: Path) -> None:
    out = subprocess.run(["pdffonts", str(pdf_path)], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert re.fullmatch(r"[A-Z]{6}\+Noto-(Serif|Sans)-CJK-SC(-Bold)?", name), row
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row


def test_print_edition_has_bleed_and_crop_marks(tmp_path: Path) -> None:
    project = load_project(write_project(tmp_path / "book"))
    for edition in ("screen", "print"):
        data = typeset(project, edition=edition).data
        (tmp_path / f"{edition}.pdf").write_bytes(data)
    screen = pypdf.PdfReader(str(tmp_path / "screen.pdf")).pages[0]
    printed = pypdf.PdfReader(str(tmp_path / "print.pdf")).pages[0]
    bleed = 3 / 25.4 * 72
    assert float(printed.mediabox.width) > float(screen.mediabox.width) + 2 * bleed - 0.5
    assert abs(float(printed.trimbox.width) - float(screen.mediabox.width)) < 0.5


def test_pdf_a_variant(tmp_path: Path) -> None:
    project = load_project(write_project(tmp_path / "book"))
    data = typeset(project, variant="a").data
    (tmp_path / "a.pdf").write_bytes(data)
    reader = pypdf.PdfReader(str(tmp_path / "a.pdf"))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]*2", xmp) and "pdfaid:conformance" in xmp
    assert subprocess.run(["qpdf", "--check", str(tmp_path / "a.pdf")]).returncode == 0


def test_wrong_toc_and_index_numbers_are_caught(tmp_path: Path) -> None:
    """A layout printing stale page numbers must fail the PDF's own check."""
    root = write_project(tmp_path / "book")
    (root / "layouts" / "pdf").mkdir(parents=True)
    (root / "layouts" / "pdf" / "back.html.j2").write_text(
        '<section class="question-index"><h1>按问题索引</h1><table>'
        '{% for interview in interviews %}<tr><th class="region">{{ interview.region }}</th>'
        "<td>1</td><td>2</td></tr>{% endfor %}</table></section>", encoding="utf-8")
    (root / "layouts" / "pdf" / "front.html.j2").write_text(
        '<nav class="toc"><h1>目录</h1><ol>{% for interview in interviews %}'
        "<li>{{ interview.region }}……99</li>{% endfor %}</ol></nav>", encoding="utf-8")
    path = tmp_path / "wrong.pdf"
    path.write_bytes(typeset(load_project(root)).data)
    errors = pdfcheck.analyse(path).toc_errors
    assert any(e.startswith("TOC gives page 99 for 成都市") for e in errors), errors
    assert any(e.startswith("index gives pages [1, 2] for 绵阳市") for e in errors), errors


def test_index_of_a_book_whose_standard_questions_nobody_asks(tmp_path: Path) -> None:
    """Interviews of only their own questions: the index has no columns, and that is right."""
    root = write_project(tmp_path / "book")
    for path in (root / "content" / "interviews").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("今年", "去年").replace("明年有", "后年有"), encoding="utf-8")
    project = load_project(root)
    assert all(pair.question_id is None for i in project.interviews for pair in i.qa)
    path = tmp_path / "own.pdf"
    path.write_bytes(typeset(project).data)
    report = pdfcheck.analyse(path)
    assert report.toc_errors == [] and report.problems() == []
    assert [len(kids) for _, _, kids in report.outline if kids] == [2, 2]

