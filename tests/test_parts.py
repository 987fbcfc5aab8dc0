"""Typesetting in parts: the merged PDF against WeasyPrint's one-pass PDF, and the part cache."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pypdfium2
import pytest

from publisher.content import fonts
from publisher.content.load import load_project
from publisher.pdf import parts
from publisher.pdf.typeset import typeset
from publisher.pdf.worker import Pool
from tests.conftest import FirstBook, write_project


def _texts(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    return [page.get_textpage().get_text_range() for page in document]


def _outline(data: bytes) -> list[tuple[int, str, int]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        index = {page.objgen: n for n, page in enumerate(pdf.pages)}
        found = []

        def walk(items: list, depth: int) -> None:
            for item in items:
                found.append((depth, item.title, index[item.destination[0].objgen]))
                walk(item.children, depth + 1)

        with pdf.open_outline() as outline:
            walk(outline.root, 0)
    return found


def _pixels(data: bytes, page: int) -> bytes:
    bitmap = pypdfium2.PdfDocument(data)[page].render(scale=1.5, grayscale=True)
    return bytes(bitmap.buffer)


@pytest.fixture(scope="module")
def both(first_book: FirstBook) -> dict[str, object]:
    """The first book in parts (the shared build) and laid out by WeasyPrint in one pass."""
    return {"parts": first_book.typeset,
            "one": typeset(first_book.project, faces=first_book.faces, in_parts=False)}


def test_merged_book_reads_like_the_one_pass_book(both: dict) -> None:
    merged, single = both["parts"], both["one"]
    assert merged.pages == single.pages > 40
    # Every page's text, folios and running heads included, and the TOC's and index's numbers.
    assert _texts(merged.data) == _texts(single.data)
    assert merged.anchor_pages == single.anchor_pages
    assert _outline(merged.data) == _outline(single.data)


def test_merged_book_looks_like_the_one_pass_book(both: dict) -> None:
    merged, single = both["parts"], both["one"]
    opener = merged.anchor_pages["ch-chengdu"] - 1
    for page in (0, 4, opener, opener + 1, merged.pages - 2):
        a, b = _pixels(merged.data, page), _pixels(single.data, page)
        differing = sum(x != y for x, y in zip(a, b, strict=True))
        assert differing <= len(a) // 2000, (page, differing)


def test_merged_book_has_one_font_per_face_and_is_not_larger(both: dict, tmp_path: Path) -> None:
    merged, single = both["parts"], both["one"]
    path = tmp_path / "merged.pdf"
    path.write_bytes(merged.data)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    names = [line.split()[0].split("+", 1)[1] for line in listing]
    assert sorted(names) == sorted(set(names)), listing
    assert {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"} <= set(names)
    assert all(" yes yes " in line for line in listing)  # embedded and subset
    assert len(merged.data) <= 1.2 * len(single.data)
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def _interview(root: Path, n: int) -> Path:
    return sorted((root / "content" / "interviews").glob("*.yaml"))[n]


def test_rebuild_after_an_edit_lays_out_only_that_part(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "PART_CHARS", 1)  # one interview per part
    monkeypatch.setenv("PUBLISHER_CACHE", str(tmp_path / "cache"))
    root = write_project(tmp_path / "book", ("成都市", "绵阳市", "自贡市"))

    def run() -> tuple[bytes, int]:
        project = load_project(root)
        with Pool(root, "ua") as pool:
            typesetter = parts.PartTypesetter(project, "screen", "ua", None,
                                              fonts.check(project), pool)
            return typesetter.typeset().data, typesetter.laid_out

    cold, laid_out = run()
    assert laid_out == 3 + 3  # the chapters, the front matter twice (sizing, final), the back
    again, laid_out = run()
    assert (again, laid_out) == (cold, 0)

    second = _interview(root, 1)
    second.write_text(second.read_text(encoding="utf-8").replace("第二段回答", "第二段答复"),
                      encoding="utf-8")
    edited, laid_out = run()
    assert laid_out == 1
    assert "第二段答复" in "".join(_texts(edited))
    assert _texts(edited) == _texts(typeset(load_project(root), in_parts=False).data)


def test_a_part_that_grows_moves_the_folios_after_it(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "PART_CHARS", 1)
    monkeypatch.setenv("PUBLISHER_CACHE", str(tmp_path / "cache"))
    root = write_project(tmp_path / "book", ("成都市", "绵阳市", "自贡市"))
    before = typeset(load_project(root))
    first = _interview(root, 0)
    longer = "      - " + "妇女儿童工作取得新进展，" * 120 + "。\n"
    text = first.read_text(encoding="utf-8").replace(
        "      - 第二段回答", longer + "      - 第二段回答")
    first.write_text(text, encoding="utf-8")
    after = typeset(load_project(root))
    assert after.pages > before.pages
    assert _texts(after.data) == _texts(typeset(load_project(root), in_parts=False).data)


def test_a_damaged_part_cache_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "PART_CHARS", 1)
    monkeypatch.setenv("PUBLISHER_CACHE", str(tmp_path / "cache"))
    project = load_project(write_project(tmp_path / "book", ("成都市", "绵阳市")))
    good = typeset(project).data
    entries = [p for p in (tmp_path / "cache" / "part").iterdir() if p.is_file()]
    assert len(entries) == 2 + 2  # the chapters, the back matter, the front matter
    for entry in entries:
        data = bytearray(entry.read_bytes())
        data[-200] ^= 0xFF  # a flipped byte inside the PDF
        entry.write_bytes(bytes(data))
    with Pool(project.root, "ua") as pool:
        typesetter = parts.PartTypesetter(project, "screen", "ua", None, fonts.check(project),
                                          pool)
        assert typesetter.typeset().data == good
    assert typesetter.laid_out == 4  # every damaged part laid out again; sizes were intact


@pytest.mark.parametrize("failure, message", [
    ("raise", "WeasyPrint failed on a part of the book: RuntimeError: layout exploded"),
    ("exit", "a PDF worker process died while laying out part"),
])
def test_a_failing_worker_is_a_build_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           failure: str, message: str) -> None:
    import os

    import weasyprint

    from publisher.errors import BuildError

    def broken(*_args: object, **_kwargs: object) -> None:
        if failure == "exit":
            os._exit(3)  # as the kernel's OOM killer would leave it: no message, no outcome
        raise RuntimeError("layout exploded")

    # The workers are forked after this, so they inherit the broken render.
    monkeypatch.setattr(weasyprint.HTML, "render", broken)
    monkeypatch.setenv("PUBLISHER_CACHE", str(tmp_path / "cache"))
    project = load_project(write_project(tmp_path / "book"))
    with pytest.raises(BuildError, match=message):
        typeset(project)


def test_the_part_cache_keeps_the_most_recently_used(tmp_path: Path) -> None:
    import os

    from publisher import cache

    for n in range(5):
        cache.store_bytes("part", f"key {n}", bytes(1000), tmp_path)
        os.utime(cache._entry("part", f"key {n}", tmp_path), (n, n))  # stored at second n
    assert cache.load_bytes("part", "key 0", tmp_path) == bytes(1000)  # used now: the newest
    assert cache.prune("part", 2500, tmp_path) == 3000
    assert cache.load_bytes("part", "key 0", tmp_path) is not None
    assert cache.load_bytes("part", "key 4", tmp_path) is not None  # the newest stored
    assert [cache.load_bytes("part", f"key {n}", tmp_path) for n in (1, 2, 3)] == [None] * 3


@pytest.mark.parametrize("failure, message", [
    ("raise", "merging the typeset parts failed: ValueError: no anchor #x in any part"),
    ("exit", "the process merging the typeset parts died"),
])
def test_a_failing_merge_is_a_build_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          failure: str, message: str) -> None:
    import os

    from publisher.errors import BuildError
    from publisher.pdf import merge as pdfmerge

    def broken(*_args: object) -> bytes:
        if failure == "exit":
            os._exit(3)
        raise ValueError("no anchor #x in any part")

    monkeypatch.setattr(pdfmerge, "merge", broken)  # inherited by the forked merge
    monkeypatch.setenv("PUBLISHER_CACHE", str(tmp_path / "cache"))
    typeset_pdf = typeset(load_project(write_project(tmp_path / "book")))
    with pytest.raises(BuildError, match=message):
        _ = typeset_pdf.data  # the merge is waited for here


def test_front_matter_that_changes_length_with_its_numbers_is_laid_out_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sized = parts.PartTypesetter._front_html

    def longer_when_sized(self: parts.PartTypesetter, pages: dict | None = None) -> str:
        # As if the placeholder numbers had made the contents run onto another page.
        html = sized(self, pages)
        return html.replace("</nav>", '<p style="break-before: page">…</p>' * 2 + "</nav>") \
            if pages is None else html

    monkeypatch.setattr(parts.PartTypesetter, "_front_html", longer_when_sized)
    monkeypatch.setattr(parts, "PART_CHARS", 1)
    monkeypatch.setenv("PUBLISHER_CACHE", str(tmp_path / "cache"))
    root = write_project(tmp_path / "book", ("成都市", "绵阳市", "自贡市"))
    project = load_project(root)
    with Pool(root, "ua") as pool:
        typesetter = parts.PartTypesetter(project, "screen", "ua", None, fonts.check(project),
                                          pool)
        merged = typesetter.typeset()
    # Sizing, 3 chapters, back, front; then all but the sizing again, at the pages the front
    # matter's real length gives (its own numbers change with them).
    assert typesetter.laid_out == 6 + 5
    assert _texts(merged.data) == _texts(typeset(load_project(root), in_parts=False).data)


def test_print_edition_in_parts_is_the_one_pass_book_pixel_for_pixel(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "PART_CHARS", 1)  # one-page chapters: a blank verso after each
    monkeypatch.setenv("PUBLISHER_CACHE", str(tmp_path / "cache"))
    root = write_project(tmp_path / "book", ("成都市", "绵阳市", "自贡市"))
    merged = typeset(load_project(root), edition="print")
    single = typeset(load_project(root), edition="print", in_parts=False)
    assert merged.pages == single.pages >= 12
    blank = [n for n, text in enumerate(_texts(merged.data)) if not text.strip()]
    assert len(blank) >= 3  # the blank versos, laid out by the parts' closing recto breaks
    for page in range(merged.pages):  # crop marks and bleed on every page, blank ones too
        assert _pixels(merged.data, page) == _pixels(single.data, page), page


def test_without_fork_the_book_is_laid_out_in_one_pass(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from publisher.build.pipeline import build

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    root = write_project(tmp_path / "book")
    result = build(root, tmp_path / "out", formats=["pdf"])
    assert result.parts == (1, 0)  # one WeasyPrint document, no workers, no cache
    assert _texts(result.outputs["pdf"].read_bytes()) == _texts(
        typeset(load_project(root), in_parts=False).data)
