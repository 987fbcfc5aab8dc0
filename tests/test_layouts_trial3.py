"""A production editor's trial of the layouts: named blocks a user layout can override, its
mistakes at its own lines, front matter that fits small pages, a cover band that bleeds."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import jinja2
import pdfplumber
import pypdfium2
import pytest
from conftest import REPO, SAMPLE_BOOK, write_project

from publisher import builtin_dir
from publisher.build.pipeline import build
from publisher.cli import main
from publisher.content.load import load_project
from publisher.pdf.html import front_matter_spills
from publisher.pdf.typeset import typeset


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    return done.value.code or 0, capsys.readouterr().err


def _layout(root: Path, name: str, text: str) -> Path:
    path = root / "layouts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


# -- 1. blocks ------------------------------------------------------------------------------

def test_a_layout_extending_a_builtin_one_replaces_its_blocks(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book")
    _layout(root, "pdf/interview.html.j2",
            '{% extends "builtin/pdf/interview.html.j2" %}\n'
            '{% block headline %}<h2 class="headline">新标题</h2>\n'
            '<p class="extra">额外的一段</p>\n{% endblock %}\n'
            '{% block paragraph %}<p>段落{{ loop.index }}：{{ paragraph }}</p>\n{% endblock %}\n')
    _layout(root, "pdf/book.css",
            '{% extends "builtin/pdf/book.css" %}\n'
            '{% block cover %}{{ super() }}\n.cover h1 { letter-spacing: 0; }\n{% endblock %}\n')
    pdf = build(root, tmp_path / "out", ["pdf"]).outputs["pdf"]
    text = re.sub(r"\s+", "", _pdf_text(pdf))
    assert text.count("新标题") == 2 and text.count("额外的一段") == 2
    # The built-in headline is gone from the chapters (the contents still list it).
    assert text.count("成都市的春天") == 1 and text.count("绵阳市的春天") == 1
    # A scoped block sees the loop's own variables: each answer's paragraphs are numbered.
    assert "段落1：今年我们开展了" in text and "段落2：第二段回答" in text


def test_content_outside_blocks_and_unknown_blocks_are_errors_at_their_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "book")
    layout = _layout(root, "pdf/interview.html.j2",
                     '{% extends "builtin/pdf/interview.html.j2" %}\n'
                     '<p class="extra">额外的一段</p>\n'
                     '{% block headline %}新标题{% endblock %}\n'
                     '{% block headlines %}x{% endblock %}\n'
                     '{% if true %}y{% endif %}\n')
    code, err = run(["build", str(root), "-o", str(tmp_path / "out")], capsys)
    assert code == 4, err
    assert "3 problems in the layouts" in err
    assert f'{layout}:2: layout error: \'<p class="extra">额外的一段</p>\' is outside any ' \
           "{% block %}" in err
    assert f"{layout}:4: layout error: builtin/pdf/interview.html.j2 has no block " \
           "'headlines'" in err
    assert f"{layout}:5: layout error: this {{% if %}} is outside any {{% block %}}" in err
    assert "its blocks: region, headline, interviewee" in err  # what to use instead
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.pdf"))


def test_every_block_of_the_built_in_layouts_is_documented() -> None:
    env = jinja2.Environment()
    documented = (REPO / "docs" / "typography.md").read_text(encoding="utf-8")
    names = set()
    for path in sorted((builtin_dir("layouts")).rglob("*")):
        if path.is_file() and path.suffix in (".j2", ".css"):
            tree = env.parse(path.read_text(encoding="utf-8"))
            names |= {block.name for block in tree.find_all(jinja2.nodes.Block)}
    assert {"headline", "interviewee", "question", "answer", "portrait", "running_heads",
            "cover", "copyright", "colophon", "toc"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"blocks not named in docs/typography.md: {missing}"


# -- 2. undefined values --------------------------------------------------------------------

@pytest.mark.parametrize("layout_text, line", [
    ('{% include "builtin/pdf/interview.html.j2" %}\n<p>{{ book.nonexistent }}</p>\n', 2),
    ('{% extends "builtin/pdf/interview.html.j2" %}\n{% block headline %}\n'
     "{{ interview.nonexistent }}{% endblock %}\n", 3),
])
def test_an_undefined_value_is_reported_at_the_user_layouts_line(
        layout_text: str, line: int, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "book")
    layout = _layout(root, "pdf/interview.html.j2", layout_text)
    code, err = run(["build", str(root), "-o", str(tmp_path / "out")], capsys)
    assert code == 4
    assert f"error: {layout}:{line}: layout uses an undefined value: " in err
    assert "has no attribute 'nonexistent'" in err


# -- 3. front matter on small pages ---------------------------------------------------------

SMALLEST = "page:\n  size: 50mm 50mm\n  margins: 4mm\n  body_size: 6pt\n  line_height: \"1.5\"\n"
NOTES = ("source_note: 本书据报纸刊载的四川省21个市（州）妇联主席访谈整理，并经受访者本人审阅。\n"
         "corrections_note: 编者对原文的标点、繁体字及个别文字错漏作了订正，每一处订正均记录在"
         "书稿 content/corrections.yaml 中。\n")


def _first_book(root: Path) -> Path:
    """The first book at A6, as the trial set it (its book.yaml has a `page:` mapping)."""
    shutil.copytree(REPO / "content", root / "content")
    book = root / "content" / "book.yaml"
    text = book.read_text(encoding="utf-8")
    for key, value in (("size", "A6"), ("margins", "12mm 10mm 14mm 12mm"), ("body_size", "9pt")):
        text, count = re.subn(rf"(?m)^  {key}: .*$", f"  {key}: {value}", text)
        assert count == 1
    book.write_text(text, encoding="utf-8")
    return root


def _pages(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as document:
        return [re.sub(r"\s+", "", page.extract_text() or "") for page in document.pages]


def _assert_fits(pdf: Path, book: str, identifier: str) -> None:
    """The cover (page 1), copyright page (page 4) and colophon (last page) each whole on
    their one page, and nothing of them lost."""
    pages = _pages(pdf)
    title = re.search(r"(?m)^title: (.*)$", book).group(1).replace(" ", "")
    publisher = re.search(r"(?m)^publisher: (.*)$", book).group(1)
    assert pages[0].startswith(title) and pages[0].endswith(publisher), pages[0]
    assert pages[1] == ""  # the cover's verso: nothing ran over onto it
    copyright_page = pages[3]
    for label in ("书名：", "编者：", "出版：", "版次：", "标识："):
        assert label in copyright_page
    assert identifier in copyright_page  # wrapped, but whole and on the page
    assert not any(label in pages[4] for label in ("编者：", "出版：", "标识："))
    assert "正文字体：" in pages[-1] and "标题字体：" in pages[-1]
    whole = re.sub(r"\s+", "", _pdf_text(pdf))
    for line in re.findall(r"(?m)^(?:source_note|corrections_note): (.*)$", book):
        assert line.replace(" ", "") in whole


def test_the_front_matter_fits_one_page_each_at_a6(tmp_path: Path) -> None:
    root = _first_book(tmp_path / "book")
    pdf = build(root, tmp_path / "out", ["pdf"]).outputs["pdf"]
    book = (root / "content" / "book.yaml").read_text(encoding="utf-8")
    _assert_fits(pdf, book, re.search(r"(?m)^identifier: (.*)$", book).group(1))


@pytest.mark.parametrize("edition", ["screen", "print"])
def test_the_front_matter_fits_one_page_each_at_the_smallest_page(
        edition: str, tmp_path: Path) -> None:
    book = SAMPLE_BOOK + NOTES + SMALLEST
    root = write_project(tmp_path / "book", book=book)
    result = build(root, tmp_path / "out", ["pdf"], edition=edition)
    assert not [w for w in result.warnings if "pages (" in w]
    _assert_fits(result.outputs["pdf"], book, "urn:uuid:00000000-0000-4000-8000-000000000001")


def test_a_front_matter_piece_that_cannot_fit_is_named(tmp_path: Path) -> None:
    long_title = "很长的书名" * 60
    book = SAMPLE_BOOK.replace("title: 样书", f"title: {long_title}") + SMALLEST
    root = write_project(tmp_path / "book", book=book)
    project = load_project(root)
    spills = front_matter_spills(project, typeset(project, in_parts=False))
    assert any(s.startswith("the cover takes ") and "page size 50mm 50mm" in s
               for s in spills), spills
    fits = load_project(write_project(tmp_path / "fits", book=SAMPLE_BOOK + SMALLEST))
    assert front_matter_spills(fits, typeset(fits, in_parts=False)) == []
    # The build, laid out in parts, warns with the same words (so --strict refuses it).
    warned = build(root, tmp_path / "out", ["pdf"]).warnings
    assert any(w.startswith("content/book.yaml: the cover takes ") for w in warned), warned


# -- 4. the cover's band in the bleed -------------------------------------------------------

def test_the_cover_band_runs_into_the_bleed_in_print(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book")
    pdf = build(root, tmp_path / "out", ["pdf"], edition="print").outputs["pdf"]
    scale = 100 / 72
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        media = [float(v) for v in page.get_mediabox()]
        trim = [float(v) for v in page.get_trimbox()]
        image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
    finally:
        document.close()
    bleed = (trim[0] - media[0]) * scale  # in pixels; the same on every side
    assert bleed > 8  # 3 mm at 100 dpi is some 12 px

    def pixel(x_pt: float, y_from_top_pt: float) -> tuple[int, int, int]:
        return image.getpixel((round((x_pt - media[0]) * scale),
                               round((media[3] - y_from_top_pt) * scale)))

    top, width = trim[3], trim[2] - trim[0]
    band = pixel(trim[0] + width / 2, top - 20)  # inside the trim, in the band
    page_colour = pixel(trim[0] + width / 2, trim[1] + 20)  # inside the trim, below it
    assert band != page_colour
    outside = 1.5 / scale  # 1.5 px beyond the trim edge, well inside the bleed
    in_bleed = {
        "top": pixel(trim[0] + width / 2, top + outside + 2 / scale),
        "left": pixel(trim[0] - outside - 2 / scale, top - 20),
        "right": pixel(trim[2] + outside + 2 / scale, top - 20),
        "top-left corner": pixel(trim[0] - bleed / scale / 2, top + bleed / scale / 2),
    }
    assert all(colour == band for colour in in_bleed.values()), (band, in_bleed)
    # Below the band the page's own colour bleeds, as before.
    assert pixel(trim[0] - outside - 2 / scale, trim[1] + 20) == page_colour


# -- 5. a font a user's CSS names that is not installed -----------------------------------

def test_a_css_font_that_is_not_installed_is_a_warning_at_its_line(tmp_path: Path) -> None:
    """WeasyPrint falls back in silence; the build names the family and the line. A list
    with an installed fallback, and a generic family, are choices, not mistakes."""
    root = write_project(tmp_path / "book")
    _layout(root, "pdf/book.css", '{% include "builtin/pdf/book.css" %}\n.qa p {\n'
            '  font-family: "Source Han Serif SC";\n}\n'
            '.a { font-family: "Nope", "Noto Serif CJK SC", serif; }\n.b { font-family: serif; }\n')
    result = build(root, tmp_path / "out", ["pdf"])
    assert [w for w in result.warnings if "font family" in w] == [
        "layouts/pdf/book.css:3: font family 'Source Han Serif SC' is not installed: the text "
        "would be set in another font; install it, add an @font-face, or name the book's "
        "fonts in fonts/fonts.yaml"]
