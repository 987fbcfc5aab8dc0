"""The press-ready print edition: PDF/X, output intent, inks, sheets, copyright page, preflight."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, write_project

from publisher.build.pipeline import build
from publisher.check.artifacts import check_output
from publisher.check.preflight import preflight
from publisher.errors import BuildError
from publisher.pdf import colour, imprint

ISBN = "978-7-5366-0000-3"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def isbn_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first book, given an ISBN and a price (its book.yaml has neither)."""
    root = tmp_path_factory.mktemp("isbn") / "book"
    shutil.copytree(REPO / "content", root / "content")
    book = root / "content" / "book.yaml"
    text = re.sub(r"(?m)^identifier: .*$", f"identifier: urn:isbn:{ISBN}",
                  book.read_text(encoding="utf-8"))
    assert "\nprint:\n" in text
    book.write_text(text.rstrip("\n") + "\n  price: 48.00元\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def printed(isbn_book: Path) -> dict[str, Path]:
    """The ISBN book built in both PDF/X standards (the PDF only)."""
    return {standard: build(isbn_book, isbn_book.parent / standard, ["pdf"], edition="print",
                            variant=standard).outputs["pdf"] for standard in ("x-4", "x-1a")}


def _streams(pdf: pikepdf.Pdf):  # noqa: ANN202 - (page number, content holder) pairs
    """Every page's content and every form it draws, with the page number."""
    for number, page in enumerate(pdf.pages, 1):
        todo, seen = [page.obj], set()
        while todo:
            holder = todo.pop()
            yield number, holder
            for xobject in holder.get("/Resources", {}).get("/XObject", {}).values():
                if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                    seen.add(xobject.objgen)
                    todo.append(xobject)


def _operators(pdf: pikepdf.Pdf) -> list[tuple[int, tuple, str, list]]:
    """(page, fill colour then set, operator, operands) of every content stream."""
    found = []
    for number, holder in _streams(pdf):
        fills: list[tuple] = [("g", 0.0)]  # the fill colour in each saved graphics state
        for operands, operator in pikepdf.parse_content_stream(holder):
            op = str(operator)
            if op == "q":
                fills.append(fills[-1])
            elif op == "Q" and len(fills) > 1:
                fills.pop()
            elif op in ("g", "rg", "k", "sc", "scn"):
                fills[-1] = (op, *map(float, operands))
            found.append((number, fills[-1], op, list(operands)))
    return found


def _text(path: Path, first: int, last: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(first), "-l", str(last), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.parametrize("standard", ["x-4", "x-1a"])
def test_the_print_edition_is_identified_as_pdf_x_with_a_cmyk_output_intent(
        printed: dict[str, Path], standard: str) -> None:
    with pikepdf.open(printed[standard]) as pdf:
        name = {"x-4": "PDF/X-4", "x-1a": "PDF/X-1a:2003"}[standard]
        assert str(pdf.trailer.Info.GTS_PDFXVersion) == name
        assert pdf.trailer.Info.Trapped == pikepdf.Name("/False")
        assert f">{name}<".encode() in pdf.Root.Metadata.read_bytes()
        assert pdf.pdf_version == {"x-4": "1.6", "x-1a": "1.4"}[standard]
        intents = list(pdf.Root.OutputIntents)
        assert len(intents) == 1 and intents[0].S == pikepdf.Name.GTS_PDFX
        assert str(intents[0].OutputConditionIdentifier) == "FOGRA39"
        profile = intents[0].DestOutputProfile
        data = profile.read_bytes()
        assert int(profile.N) == 4 and data[16:20] == b"CMYK" and data[36:40] == b"acsp"
        assert data == (REPO / "color" / "FOGRA39L-argyll.icc").read_bytes()
        for page in pdf.pages:
            trim = [float(v) for v in page.obj.TrimBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            assert trim[2] - trim[0] == pytest.approx(148 * MM, abs=0.5)  # A5
            assert trim[3] - trim[1] == pytest.approx(210 * MM, abs=0.5)
            assert [b - t for b, t in zip(bleed, trim, strict=True)] == pytest.approx(
                [-3 * MM, -3 * MM, 3 * MM, 3 * MM], abs=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("standard", ["x-4", "x-1a"])
def test_text_and_rules_are_black_ink_only_and_no_rgb_remains(
        printed: dict[str, Path], standard: str) -> None:
    with pikepdf.open(printed[standard]) as pdf:
        operators = _operators(pdf)
        rgb = [(page, op) for page, _, op, _ in operators if op in ("rg", "RG")]
        assert rgb == []
        spaces = [(page, str(operands[0])) for page, _, op, operands in operators
                  if op in ("cs", "CS")]
        assert all(space in ("/DeviceCMYK", "/DeviceGray") for _, space in spaces), spaces
        # The fill colour of every glyph drawn after the cover: black ink only.
        text_colours = {fill for page, fill, op, _ in operators
                        if op in ("Tj", "TJ") and page > 1}
        # (k, or sc/scn in the DeviceCMYK space, the only one set: asserted above)
        assert text_colours and all(
            fill[0] in ("k", "sc", "scn") and len(fill) == 5 and fill[1] == fill[2] == fill[3]
            == 0 for fill in text_colours), text_colours
        assert {fill[1:] for fill in text_colours} >= {(0, 0, 0, 1)}  # the body: solid black
        strokes = {tuple(map(float, operands)) for page, _, op, operands in operators
                   if op in ("K", "SC", "SCN") and page > 1}
        assert strokes and all(c == m == y == 0 for c, m, y, _ in strokes)  # rules, marks
        body = [ops for ops in operators if ops[0] == 10]
        assert any(op == "Tj" or op == "TJ" for _, _, op, _ in body)
        for page in pdf.pages:  # no RGB colour space or image left anywhere (X-1a: at all)
            for xobject in page.obj.Resources.get("/XObject", {}).values():
                if xobject.get("/Subtype") == "/Image":
                    assert xobject.ColorSpace != pikepdf.Name.DeviceRGB


@pytest.mark.slow
def test_the_copyright_page_states_computed_figures(printed: dict[str, Path]) -> None:
    path = printed["x-4"]
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
    front = _text(path, 1, 6)
    # Worked out here from the A5 page, margins 20/17/22/19 mm, 10.5 pt type, 1.75 leading.
    per_line = math.floor((148 - 17 - 19) * MM / 10.5)
    lines = math.floor((210 - 20 - 22) * MM / (10.5 * 1.75))
    assert (per_line, lines) == (30, 25)
    assert "开本：880mm×1230mm 1/32" in front
    assert f"印张：{pages / 32:g}" in front
    assert f"字数：{round(per_line * lines * pages / 1000)}千字" in front
    assert f"书号：ISBN {ISBN}" in front
    assert "定价：48.00元" in front
    assert "版次：2023年3月第1版" in front and "印次：2023年3月第1次印刷" in front


@pytest.mark.slow
def test_pages_are_made_up_to_whole_signatures_before_the_colophon(
        printed: dict[str, Path]) -> None:
    path = printed["x-1a"]
    with pikepdf.open(path) as pdf:
        pages = len(pdf.pages)
    assert pages % 16 == 0
    texts = [_text(path, n, n).strip() for n in range(1, pages + 1)]
    assert texts[-1].startswith("正文字体")  # the colophon, on the last printed page
    last_text = max(n for n, t in enumerate(texts[:-1]) if t)
    assert pages - 2 - last_text >= 1  # blank pages inserted between the book and colophon
    blanks = texts[last_text + 1:-1]
    assert blanks and not any(blanks)


@pytest.mark.slow
def test_the_preflight_passes_the_print_edition_in_both_standards(
        printed: dict[str, Path]) -> None:
    for standard, path in printed.items():
        result = preflight(path, 16)
        assert result.problems == [], standard
        assert any(note.startswith(f"{standard}, ") for note in result.notes)
        verdicts = {v.artifact.name: v for v in check_output(path.parent)}
        verdict = verdicts[path.name]
        assert verdict.ok, verdict.lines()
        assert [f.tool for f in verdict.findings if f.ran][-1] == "preflight"


@pytest.mark.slow
def test_the_preflight_finds_rgb_text_missing_boxes_and_odd_sheets(
        printed: dict[str, Path], tmp_path: Path) -> None:
    with pikepdf.open(printed["x-1a"]) as pdf:
        page = pdf.pages[4]
        page.contents_add(pdf.make_stream(b"BT 0 0 0 rg /F1 1 Tf ET"), prepend=False)
        del pdf.pages[1].obj["/TrimBox"]
        del pdf.pages[-1]
        del pdf.Root["/OutputIntents"]
        pdf.save(tmp_path / "bad.pdf")
    problems = preflight(tmp_path / "bad.pdf", 16).problems
    assert "DeviceRGB colour in PDF/X-1a on pages 5" in problems
    assert "page 2: no TrimBox or BleedBox" in problems
    assert any("is not a whole number of 16-page sheets" in p for p in problems)
    assert "0 GTS_PDFX output intents (expected one)" in problems


@pytest.mark.slow
def test_the_preflight_finds_rgb_black_text_in_x_4(printed: dict[str, Path],
                                                    tmp_path: Path) -> None:
    with pikepdf.open(printed["x-4"]) as pdf:
        pdf.pages[6].contents_add(pdf.make_stream(b"q 0 0 0 rg BT (a) Tj ET Q 0 0 0 1 k "
                                                  b"BT (b) Tj ET"), prepend=False)
        pdf.save(tmp_path / "rgb-text.pdf")
    assert preflight(tmp_path / "rgb-text.pdf", 16).problems == [
        "page 7: 1 text colours in DeviceRGB (a press separates them into rich black)"]


def test_the_preflight_rejects_a_plain_pdf_as_not_pdf_x(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book")
    path = build(root, tmp_path / "out", ["pdf"]).outputs["pdf"]
    problems = preflight(path).problems
    assert any(p.startswith("not identified as PDF/X") for p in problems)
    assert any("the BleedBox is not the TrimBox plus 3 mm" in p for p in problems)


@pytest.mark.slow
def test_two_print_builds_are_byte_identical_whatever_the_time_zone(
        isbn_book: Path, printed: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    monkeypatch.setenv("PUBLISHER_CACHE", str(tmp_path / "cold"))  # every part laid out anew
    time.tzset()
    try:
        again = build(isbn_book, tmp_path / "again", ["pdf"], edition="print", variant="x-4",
                      force=True).outputs["pdf"]
    finally:
        monkeypatch.undo()
        time.tzset()
    assert again.read_bytes() == printed["x-4"].read_bytes()
    with pikepdf.open(again) as pdf:
        assert str(pdf.trailer.Info.CreationDate) == "D:20230308000000+00'00'"


def test_a_book_without_a_sheet_states_its_trim_size_and_is_laid_out_in_one_pass_alike(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from publisher.content.load import load_project
    from publisher.pdf.typeset import typeset

    root = write_project(tmp_path / "book")
    merged = typeset(load_project(root), edition="print")
    single = typeset(load_project(root), edition="print", in_parts=False)
    assert merged.pages == single.pages == 16  # the default signature
    (tmp_path / "book.pdf").write_bytes(merged.data)
    (tmp_path / "single.pdf").write_bytes(single.data)
    assert _text(tmp_path / "book.pdf", 1, 16) == _text(tmp_path / "single.pdf", 1, 16)
    text = _text(tmp_path / "book.pdf", 1, 6)
    assert "开本：148mm×210mm" in text and "印张" not in text
    assert f"字数：{round(30 * 25 * 16 / 1000)}千字" in text
    assert "标识：urn:uuid:" in text and "ISBN" not in text


def test_the_screen_edition_takes_no_pdf_x_and_the_print_edition_no_pdf_ua(
        sample_project: Path, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not for the screen edition"):
        build(sample_project, tmp_path / "a", ["pdf"], variant="x-4")
    with pytest.raises(BuildError, match="not for the print edition"):
        build(sample_project, tmp_path / "b", ["pdf"], edition="print", variant="ua")


def test_sheet_figures_are_rounded_as_printers_count() -> None:
    assert imprint.padded(61, 16) == 64 and imprint.padded(64, 16) == 64
    assert imprint.sheets(64, 32) == "2"
    assert imprint.sheets(72, 32) == "2.25"
    assert imprint.sheets(100, 32) == "3.125"
    assert imprint.sheets(101, 32) == "3.25"  # up to the next eighth of a sheet
    assert colour.rgb_to_cmyk(0x11 / 255, 0x11 / 255, 0x11 / 255) == (0, 0, 0, 1)
    assert colour.rgb_to_cmyk(0x55 / 255, 0x55 / 255, 0x55 / 255) == (0, 0, 0, 0.67)
    assert imprint.ink("screen")("#8c1c13") == "#8c1c13"
    assert imprint.ink("print")("#999") == "device-cmyk(0 0 0 0.4)"


def _with_portrait(root: Path, size: tuple[int, int]) -> Path:
    from PIL import Image

    (root / "content" / "images").mkdir()
    Image.new("RGB", size, (140, 28, 19)).save(root / "content" / "images" / "li.png")
    interview = root / "content" / "interviews" / "01-chengdu.yaml"
    interview.write_text(interview.read_text(encoding="utf-8") + (
        "portrait:\n  src: images/li.png\n  alt: 李明近照\n"), encoding="utf-8")
    return root


def _images(path: Path) -> list[tuple]:
    with pikepdf.open(path) as pdf:  # the pages share one resource dictionary
        images = {xobject.objgen: xobject for page in pdf.pages
                  for xobject in page.obj.Resources.get("/XObject", {}).values()
                  if xobject.get("/Subtype") == "/Image"}
        return [(str(space if isinstance(space := image.ColorSpace, pikepdf.Name)
                     else f"{space[0]} {int(space[1].N)}"), image.read_bytes()[:4])
                for image in images.values()]


def test_images_are_separated_for_x_1a_and_their_resolution_preflighted(tmp_path: Path) -> None:
    # 60 × 80 px set 24 mm wide (book.css): 63.5 ppi, too coarse for print.
    root = _with_portrait(write_project(tmp_path / "low"), (60, 80))
    path = build(root, tmp_path / "x1a", ["pdf"], edition="print",
                 variant="x-1a").outputs["pdf"]
    (space, pixel), = _images(path)
    assert space == "/DeviceCMYK"
    assert pixel != b"\0\0\0\0" and pixel[1] > 200  # the red: mostly magenta, no white
    result = preflight(path, 16)
    low = [p for p in result.problems if "ppi" in p]
    assert len(low) == 1 and re.search(r"at 6[34] ppi \(under 150\)$", low[0]), low
    # 240 × 320 px: 254 ppi, printable but under the 300 asked for; X-4 keeps RGB, as sRGB.
    root = _with_portrait(write_project(tmp_path / "mid"), (240, 320))
    path = build(root, tmp_path / "x4", ["pdf"], edition="print").outputs["pdf"]
    (space, _), = _images(path)
    assert space == "/ICCBased 3"  # sRGB
    result = preflight(path, 16)
    assert result.problems == []
    assert len(result.warnings) == 1 and re.search(r"at 25[34] ppi \(under 300\)$",
                                                   result.warnings[0]), result.warnings


def test_a_back_matter_layout_without_the_blank_pages_is_refused(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book")
    (root / "layouts" / "pdf").mkdir(parents=True)
    (root / "layouts" / "pdf" / "back.html.j2").write_text(
        '<section class="colophon"><p>版权所有</p></section>\n', encoding="utf-8")
    with pytest.raises(BuildError, match="must keep its loop of `blanks` blank pages"):
        build(root, tmp_path / "out", ["pdf"], edition="print")
    assert not (tmp_path / "out").exists()
