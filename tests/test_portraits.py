"""Portraits and notes reach both outputs: an image with alt text, files named from slugs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pdfplumber
from conftest import write_project
from PIL import Image

from publisher.build.pipeline import build
from publisher.check.validators import run_epubcheck


def test_portrait_and_notes_in_pdf_and_epub(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book")
    (root / "content" / "images").mkdir()
    Image.new("RGB", (60, 80), (140, 28, 19)).save(root / "content" / "images" / "li ming.png")
    interview = root / "content" / "interviews" / "01-chengdu.yaml"
    interview.write_text(interview.read_text(encoding="utf-8") + (
        "portrait:\n  src: images/li ming.png\n  alt: 李明近照\n"
        "notes:\n  - 本文原载于某报。\n"), encoding="utf-8")
    result = build(root, tmp_path / "out")

    with pdfplumber.open(result.outputs["pdf"]) as pdf:
        drawn = [(n, image["srcsize"]) for n, page in enumerate(pdf.pages, 1)
                 for image in page.images]
        chapter = next(n for n, page in enumerate(pdf.pages, 1)
                       if "成都市妇联主席" in (page.extract_text() or ""))
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert drawn == [(chapter, (60, 80))]  # drawn once, on the chapter's opening page
    assert "本文原载于某报。" in text

    with zipfile.ZipFile(result.outputs["epub"]) as epub:
        names = epub.namelist()
        assert "OEBPS/images/portrait-chengdu.png" in names  # from the slug, not "li ming"
        chapter = epub.read("OEBPS/chengdu.xhtml").decode()
        assert '<img class="portrait" src="images/portrait-chengdu.png" alt="李明近照"/>' in chapter
        assert "本文原载于某报。" in chapter.replace("\u2060", "").replace("\u200b", "")
        opf = epub.read("OEBPS/content.opf").decode()
        assert 'href="images/portrait-chengdu.png" media-type="image/png"' in opf
    check = run_epubcheck(result.outputs["epub"])
    assert (check.fatals, check.errors, check.warnings) == (0, 0, 0), check.messages
