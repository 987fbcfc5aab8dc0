"""The validator wrappers report real failures, not only passes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from ebooklib import epub as ebooklib_epub

from publisher.check import validators


def _ebooklib_default(path: Path) -> Path:
    """ebooklib's default output: valid for EPUBCheck, but lacking what Ace requires."""
    book = ebooklib_epub.EpubBook()
    book.set_identifier("urn:uuid:00000000-0000-4000-8000-000000000002")
    book.set_title("样书")
    book.set_language("zh-CN")
    chapter = ebooklib_epub.EpubHtml(title="一", file_name="one.xhtml", lang="zh-CN")
    chapter.content = "<h1>一</h1><p>正文。</p>"
    book.add_item(chapter)
    book.toc = [chapter]
    book.spine = ["nav", chapter]
    book.add_item(ebooklib_epub.EpubNcx())
    book.add_item(ebooklib_epub.EpubNav())
    ebooklib_epub.write_epub(str(path), book, {"raise_exceptions": True})
    return path


def test_epubcheck_counts_errors_in_a_broken_epub(tmp_path: Path) -> None:
    good = _ebooklib_default(tmp_path / "good.epub")
    assert validators.run_epubcheck(good).ok
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            if not info.filename.endswith("one.xhtml"):
                dst.writestr(info, src.read(info))
    result = validators.run_epubcheck(broken)
    assert result.errors + result.fatals > 0
    assert any("one.xhtml" in message for message in result.messages)


def test_ace_fails_ebooklib_defaults(tmp_path: Path) -> None:
    result = validators.run_ace(_ebooklib_default(tmp_path / "plain.epub"))
    assert result.outcome == "fail"
    assert any("epub-lang" in v or "metadata" in v for v in result.violations), result.violations


def test_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    from publisher.errors import BuildError

    for run in (validators.run_epubcheck, validators.run_ace):
        with pytest.raises(BuildError, match="no such EPUB"):
            run(tmp_path / "absent.epub")
