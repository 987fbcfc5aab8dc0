"""The print edition's cover sheet: its size, spine, barcode, reproducibility and preflight."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from conftest import SAMPLE_BOOK, write_project

from publisher.build.pipeline import build
from publisher.build.progress import summary_lines
from publisher.check.artifacts import check_output
from publisher.pdf import barcode
from publisher.pdf.cover import check_cover

ISBN = "978-7-5366-9293-0"
DIGITS = ISBN.replace("-", "")
PT_MM = 25.4 / 72


def isbn_book(caliper: str = "0.9mm", price: str = "48.00元") -> str:
    """The sample book with an ISBN and a thick paper, so a 12-page book has a readable spine."""
    book = SAMPLE_BOOK.replace("urn:uuid:00000000-0000-4000-8000-000000000001",
                               f"urn:isbn:{ISBN}")
    return book + f"print:\n  paper_caliper: {caliper}\n  price: {price}\n"


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = write_project(tmp_path_factory.mktemp("isbn") / "book", book=isbn_book())
    out = root / "output"
    result = build(root, out, edition="print")
    return {"root": root, "out": out, "result": result,
            "cover": out / "sample-book-cover.pdf", "book": out / "sample-book.pdf"}


def book_pages(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def test_the_cover_scans_as_the_isbn_with_zbar(printed: dict, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(printed["cover"]),
                    str(tmp_path / "cover")], check=True)
    [png] = tmp_path.glob("cover*.png")
    scanned = subprocess.run([shutil.which("zbarimg") or "zbarimg", "--raw", "-q", str(png)],
                             capture_output=True, text=True, check=True)
    assert scanned.stdout.split() == [DIGITS]
    # The reader that `publisher check` uses agrees with zbar.
    assert barcode.scan_pdf(printed["cover"].read_bytes()) == DIGITS


def test_the_sheet_is_back_spine_front_with_bleed(printed: dict) -> None:
    pages = book_pages(printed["book"])
    spine = math.ceil(pages / 2) * 0.9
    with pikepdf.open(printed["cover"]) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        trim = [float(v) * PT_MM for v in page.trimbox]
        bleed = [float(v) * PT_MM for v in page.bleedbox]
        media = [float(v) * PT_MM for v in page.mediabox]
    assert trim[2] - trim[0] == pytest.approx(2 * 148 + spine, abs=0.01)
    assert trim[3] - trim[1] == pytest.approx(210, abs=0.01)
    assert [t - b for t, b in zip(trim[:2], bleed[:2], strict=True)] == pytest.approx([3, 3],
                                                                                      abs=0.01)
    assert [b - t for t, b in zip(trim[2:], bleed[2:], strict=True)] == pytest.approx([3, 3],
                                                                                      abs=0.01)
    assert media[2] - media[0] >= bleed[2] - bleed[0]
    entry = json.loads((printed["out"] / "build-report.json").read_text())["artifacts"]["cover"]
    assert (entry["book_pages"], entry["spine_mm"], entry["isbn"]) == (pages, pytest.approx(spine),
                                                                      DIGITS)
    assert entry["file"] == "sample-book-cover.pdf"
    sums = (printed["out"] / "SHA256SUMS").read_text()
    assert "sample-book-cover.pdf" in sums
    assert f", spine {spine:.2f} mm for {pages} pages)" in "\n".join(
        summary_lines(printed["result"]))


def spine_chars(cover: Path, spine_mm: float) -> list[dict]:
    with pikepdf.open(cover) as pdf:
        trim_left = float(pdf.pages[0].trimbox[0])
    left, right = trim_left + 148 / PT_MM, trim_left + (148 + spine_mm) / PT_MM
    with pdfplumber.open(cover) as pdf:
        # pdfplumber's x is the PDF's own: the back panel starts at the TrimBox's left.
        return [c for c in pdf.pages[0].chars if left <= (c["x0"] + c["x1"]) / 2 <= right]


def test_the_spine_title_runs_down_the_spine(printed: dict) -> None:
    spine = math.ceil(book_pages(printed["book"]) / 2) * 0.9
    chars = spine_chars(printed["cover"], spine)
    text = "".join(c["text"] for c in sorted(chars, key=lambda c: c["top"]))
    assert text == "样书测试出版社"
    # Stacked: one column, each character below the last.
    centres = [(c["x0"] + c["x1"]) / 2 for c in chars]
    assert max(centres) - min(centres) < 1.5
    tops = [c["top"] for c in chars]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    assert not [w for w in printed["result"].warnings if "spine" in w]


def test_the_back_carries_the_isbn_and_price_and_black_is_k_only(printed: dict) -> None:
    text = subprocess.run(["pdftotext", str(printed["cover"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"ISBN {ISBN}" in text
    assert "定价：48.00元" in text
    assert "9 787536 692930" in text  # the digits under the bars, in their three groups
    with pikepdf.open(printed["cover"]) as pdf:
        fills = [list(map(float, op.operands)) for op in
                 pikepdf.parse_content_stream(pdf.pages[0]) if str(op.operator) == "scn"]
        rgb = [op for op in pikepdf.parse_content_stream(pdf.pages[0])
               if str(op.operator) in ("rg", "RG")]
    assert [0, 0, 0, 1] in fills
    # Every colour of the cover is CMYK: nothing (bars, text, rules) is set in RGB black.
    assert not [op for op in rgb if [float(v) for v in op.operands] == [0, 0, 0]]


def test_a_narrow_spine_is_left_blank_with_a_warning(tmp_path: Path) -> None:
    # The sample book has no ISBN: the cover has no barcode, and 0.1 mm paper makes a
    # spine of well under a millimetre for its handful of pages.
    root = write_project(tmp_path / "book")
    result = build(root, root / "output", edition="print")
    cover = root / "output" / "sample-book-cover.pdf"
    spine = math.ceil(book_pages(root / "output" / "sample-book.pdf") / 2) * 0.1
    [warning] = [w for w in result.warnings if "spine" in w]
    assert warning.startswith("content/book.yaml: the spine is ")
    assert "too narrow for its title" in warning
    assert spine_chars(cover, spine) == []
    assert barcode.scan_pdf(cover.read_bytes()) is None
    report = json.loads((root / "output" / "build-report.json").read_text())
    assert report["artifacts"]["cover"]["isbn"] is None
    assert report["artifacts"]["cover"]["spine_text"] is False
    assert check_cover(cover, report) == []


def test_two_builds_are_byte_identical(printed: dict, tmp_path: Path) -> None:
    again = build(printed["root"], tmp_path / "again", edition="print", force=True)
    assert again.outputs["cover"].read_bytes() == printed["cover"].read_bytes()
    with pikepdf.open(printed["cover"]) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20240501")


def test_the_screen_edition_has_no_cover(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book", book=isbn_book())
    result = build(root, root / "output")
    assert "cover" not in result.outputs
    assert not list((root / "output").glob("*cover*"))
    report = json.loads((root / "output" / "build-report.json").read_text())
    assert "cover" not in report["artifacts"]


@pytest.mark.slow
def test_check_passes_the_cover_and_runs_no_book_checks_on_it(printed: dict) -> None:
    verdicts = {v.artifact.name: v for v in check_output(printed["out"])}
    cover = verdicts["sample-book-cover.pdf"]
    assert cover.ok, cover.lines()
    assert [f.tool for f in cover.findings] == ["qpdf", "cover"]
    assert verdicts["sample-book.pdf"].ok


def test_check_finds_a_wrong_size_and_a_barcode_of_another_book(printed: dict,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(printed["out"], out)
    report = json.loads((out / "build-report.json").read_text())
    cover = out / "sample-book-cover.pdf"
    # The same sheet, checked as if the book were on thinner paper and had another ISBN.
    report["artifacts"]["cover"]["caliper_mm"] = 0.5
    report["book"]["identifier"] = "urn:isbn:978-7-5130-1234-8"
    problems = check_cover(cover, report)
    pages = book_pages(out / "sample-book.pdf")
    assert any(p.startswith("trimmed ") and f"{pages} pages of 0.5 mm paper" in p
               for p in problems), problems
    assert f"the barcode reads {DIGITS}; the book's ISBN is 9787513012348" in problems
    assert "the report records ISBN 9787536692930; the book's identifier gives 9787513012348" \
        in problems
    # A cover left from an earlier build is not passed as this build's.
    del report["artifacts"]["cover"]
    assert check_cover(cover, report) == [
        "sample-book-cover.pdf is not in build-report.json: left over from an earlier build?"]


@pytest.mark.parametrize("digits", ["9787536692930", "9780306406157", "4006381333931",
                                    "0000000000000"])
def test_the_ean13_modules_round_trip(digits: str) -> None:
    bits = barcode.modules(digits)
    assert len(bits) == 95
    assert barcode.decode_modules(bits) == digits
    # A row of pixels, 3 px a module, with the quiet zones and a blurred edge.
    row = [255] * 40 + [0 if b == "1" else 255 for b in bits for _ in range(3)] + [255] * 30
    row[40 + 3 * 3] = 140
    assert barcode.read_row(row) == digits


def test_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValueError, match="wrong check digit"):
        barcode.modules("9787536692931")
    flipped = barcode.modules("9787536692930")
    flipped = flipped[:60] + ("0" if flipped[60] == "1" else "1") + flipped[61:]
    assert barcode.decode_modules(flipped) is None


def test_a_title_too_long_for_the_spine_is_left_off(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    import dataclasses

    from publisher.content.load import load_project
    from publisher.pdf.cover import Geometry, spine_font, trim_size

    book = load_project(write_project(tmp_path / "book", book=isbn_book())).book
    wide = Geometry(*trim_size(book.page.size), spine=20.0)
    assert spine_font(book, wide, 200) == pytest.approx(4.94)  # 14 pt, the largest
    long = dataclasses.replace(book, title="很" * 70)
    assert spine_font(long, wide, 200) is None
    assert "the title '" + "很" * 70 + "' is too long for the spine (70 characters in 186 mm" \
        in caplog.text
    assert trim_size("B5") == (176, 250) and trim_size("150mm 230.5mm") == (150, 230.5)


@pytest.mark.slow
def test_a_cover_left_from_a_print_build_is_flagged(tmp_path: Path) -> None:
    """A build that writes no PDF leaves the print build's cover, flagged by the build and by
    check; one that writes a new PDF removes it, as it belonged to the PDF replaced."""
    root = write_project(tmp_path / "book", book=isbn_book())
    build(root, root / "output", edition="print")
    epub_only = build(root, root / "output", ["epub"])
    cover = root / "output" / "sample-book-cover.pdf"
    assert f"{cover}: not rebuilt this time; it is left out of SHA256SUMS and " \
           "build-report.json" in epub_only.warnings
    verdicts = {v.artifact.name: v for v in check_output(root / "output")}
    assert not verdicts["sample-book-cover.pdf"].ok
    assert verdicts["sample-book.epub"].ok
    screen = build(root, root / "output")
    assert not cover.exists() and not screen.warnings
    verdicts = {v.artifact.name: v for v in check_output(root / "output")}
    assert "sample-book-cover.pdf" not in verdicts
    assert verdicts["sample-book.pdf"].ok


def test_a_cover_layout_that_breaks_the_sheet_writes_nothing(tmp_path: Path) -> None:
    from publisher.errors import BuildError

    root = write_project(tmp_path / "book", book=isbn_book())
    before = build(root, root / "output", edition="print")
    kept = {p.name: p.read_bytes() for p in (root / "output").iterdir()}
    (root / "layouts" / "pdf").mkdir(parents=True)
    (root / "layouts" / "pdf" / "cover-sheet.html.j2").write_text(
        '{% extends "builtin/pdf/cover-sheet.html.j2" %}', encoding="utf-8")
    (root / "layouts" / "pdf" / "cover-sheet.css").write_text(
        "@page { size: 100mm 100mm; } section { position: static; break-before: page; }",
        encoding="utf-8")
    with pytest.raises(BuildError, match="the cover took 3 pages; it must fit on one sheet"):
        build(root, root / "output", edition="print")
    assert {p.name: p.read_bytes() for p in (root / "output").iterdir()} == kept
    assert before.outputs["cover"].exists()


def test_a_layout_that_spoils_the_barcode_fails_the_build(tmp_path: Path) -> None:
    from publisher.errors import BuildError

    root = write_project(tmp_path / "book", book=isbn_book())
    (root / "layouts" / "pdf").mkdir(parents=True)
    # The built-in stylesheet, then a panel over the left half of the bars, top to bottom.
    (root / "layouts" / "pdf" / "cover-sheet.css").write_text(
        '{% include "builtin/pdf/cover-sheet.css" %}\n'
        ".barcode::after { content: ''; position: absolute; left: 5mm; top: 0; width: 15mm;"
        " height: 100%; background: device-cmyk(0 0.8 0.86 0.45); }", encoding="utf-8")
    with pytest.raises(BuildError, match="the cover's barcode reads nothing, not the ISBN "
                                         f"{DIGITS}"):
        build(root, root / "output", edition="print")
    assert not (root / "output").exists()
