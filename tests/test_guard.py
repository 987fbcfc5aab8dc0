"""The guarded reader and the book.yaml fields every stage shares (ISBN, print, optional)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publisher import guard
from publisher.content.load import load_project
from publisher.content.model import isbn_check_digit, isbn_digits
from publisher.errors import ContentError
from tests.conftest import write_project


def test_fifo_and_directory_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    data, problems = guard.read_bytes(fifo, "pipe.yaml")
    assert data is None and "named pipe" in problems[0].message
    data, problems = guard.read_bytes(tmp_path, "dir.yaml")
    assert data is None and "a directory" in problems[0].message


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.yaml").symlink_to(outside)
    data, problems = guard.read_bytes(project / "link.yaml", "link.yaml", inside=project)
    assert data is None and "outside the project" in problems[0].message


@pytest.mark.parametrize(("data", "hint"), [
    ("问：你好吗？\n".encode("gbk"), "looks like GBK"),
    ("問：你們好嗎？\n".encode("big5"), "iconv -f"),
    ("问：你好吗？\n".encode("utf-16"), "UTF-16"),
    (b"PK\x03\x04" + bytes(200), "binary"),
])
def test_decode_names_the_encoding(data: bytes, hint: str) -> None:
    text, problems = guard.decode(data, "source.txt")
    assert text is None and hint in problems[0].message
    assert str(problems[0]).startswith("source.txt:1")


def test_isbn_check_digit_is_validated(tmp_path: Path) -> None:
    assert isbn_check_digit("978753669293") == "0"
    assert isbn_digits("urn:isbn:978-7-5366-9293-0") == "9787536692930"
    assert isbn_digits("urn:uuid:00000000-0000-4000-8000-000000000001") is None
    project = write_project(tmp_path / "book")
    book = project / "content" / "book.yaml"
    text = book.read_text(encoding="utf-8")
    book.write_text(text.replace("identifier: urn:uuid:00000000-0000-4000-8000-000000000001",
                                 "identifier: urn:isbn:978-7-5366-9293-1"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_project(project)
    assert "content/book.yaml:8: identifier 'urn:isbn:978-7-5366-9293-1': wrong ISBN check " \
           "digit 1 (expected 0)" in caught.value.format_message()


def test_print_settings_and_optional_questions_are_read(tmp_path: Path) -> None:
    project = write_project(tmp_path / "book")
    book = project / "content" / "book.yaml"
    text = book.read_text(encoding="utf-8").replace(
        "    label: 明年打算", "    optional: true\n    label: 明年打算")
    book.write_text(text + "print:\n  sheet: 880mm×1230mm 1/32\n  paper_caliper: 0.08mm\n"
                           "  signature: 32\n  price: 48.00元\n", encoding="utf-8")
    loaded = load_project(project).book
    assert [q.optional for q in loaded.questions] == [False, True]
    assert (loaded.printing.sheet, loaded.printing.caliper_mm, loaded.printing.signature,
            loaded.printing.price) == ("880mm×1230mm 1/32", 0.08, 32, "48.00元")
