"""The importer reads .txt, .md and .docx alike: the same text gives the same YAML."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml
from importer_books import held_out_book, to_docx, to_markdown, to_text

from publisher.cli import main
from publisher.content.load import load_project

FORMATS = ("txt", "md", "docx")


def _import(source: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        main(["import", str(source), "-o", str(out)])
    captured = capsys.readouterr()
    assert done.value.code == 0, captured.err
    return captured.err


def _write(book: list, fmt: str, folder: Path) -> Path:
    path = folder / f"manuscript.{fmt}"
    if fmt == "docx":
        return to_docx(book, path)
    path.write_text(to_text(book) if fmt == "txt" else to_markdown(book), encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=[9, 3])
def imported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The same book imported from each format: {format: project root}."""
    book = held_out_book(request.param)
    roots = {}
    for fmt in FORMATS:
        root = tmp_path_factory.mktemp(f"{fmt}{request.param}")
        source = _write(book, fmt, root)
        with pytest.raises(SystemExit) as done:
            main(["import", str(source), "-o", str(root / "content")])
        assert done.value.code == 0
        roots[fmt] = root
    return {"book": book, "roots": roots}


def _body(path: Path) -> str:
    """A written interview without its first line (which names the source file and line)."""
    return path.read_text(encoding="utf-8").split("\n", 1)[1]


def test_the_three_formats_give_the_same_yaml(imported: dict) -> None:
    files = {fmt: sorted((root / "content/interviews").glob("*.yaml"))
             for fmt, root in imported["roots"].items()}
    names = {fmt: [p.name for p in paths] for fmt, paths in files.items()}
    assert names["txt"] == names["md"] == names["docx"]
    assert len(names["txt"]) == len(imported["book"])
    for txt, md, docx in zip(files["txt"], files["md"], files["docx"], strict=True):
        assert _body(txt) == _body(md) == _body(docx), txt.name


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_paragraph_is_the_manuscripts(imported: dict, fmt: str) -> None:
    """Headline, interviewee, region, every question and every answer paragraph, in order."""
    project = load_project(imported["roots"][fmt])
    assert len(project.interviews) == len(imported["book"])
    for written, expected in zip(project.interviews, imported["book"], strict=True):
        assert written.headline == expected.headline
        assert (written.interviewee.office, written.interviewee.name) == (expected.office,
                                                                          expected.name)
        assert written.region == expected.region
        assert [(p.question, list(p.answer)) for p in written.qa] == expected.pairs


def test_book_yaml_has_the_inferred_questions_and_a_fresh_uuid(imported: dict) -> None:
    book = yaml.safe_load((imported["roots"]["txt"] / "content/book.yaml").read_text("utf-8"))
    count = len(imported["book"])
    texts = [q["text"] for q in book["questions"]]
    assert texts == ["过去一年，{place}在乡村振兴中有哪些做法？", "您如何看待基层妇女工作的变化？",
                     "今年{place}有什么新打算？"]
    # The second is skipped by some interviewees; questions asked of one only are not standard.
    assert [q.get("optional", False) for q in book["questions"]] == [False, True, False]
    assert not any("特色项目" in t for t in texts), count
    identifiers = {yaml.safe_load((root / "content/book.yaml").read_text("utf-8"))["identifier"]
                   for root in imported["roots"].values()}
    assert len(identifiers) == 3
    assert all(i.startswith("urn:uuid:") and len(i) == len("urn:uuid:") + 36 for i in identifiers)
    assert load_project(imported["roots"]["txt"]).book.isbn is None


def test_standard_questions_are_recognised_in_each_interview(imported: dict) -> None:
    """The loader tags the pairs that ask the inferred questions, {place} filled per region."""
    project = load_project(imported["roots"]["md"])
    tagged = [pair for interview in project.interviews for pair in interview.qa if pair.question_id]
    assert tagged, "no pair was recognised as a standard question"
    first = [interview.qa[0].question_id for interview in project.interviews]
    assert first == ["q1"] * len(project.interviews)


def test_notices_are_one_line_per_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = held_out_book(9)
    err = _import(_write(book, "txt", tmp_path), tmp_path / "content", capsys)
    lines = [line for line in err.splitlines() if line.startswith("notice:")]
    kinds = [line.split(": ", 2)[2].split(" (")[0] for line in lines]
    assert len(kinds) == len(set(kinds)) == len(lines) == 3
    assert any(line.endswith("manuscript.txt: no title found (a first line set apart by a blank "
                             "line, a `#` heading, a Word Title or Heading 1 before the first "
                             "interview): book.yaml says 未命名访谈集; set its title and slug")
               for line in lines)
    assert any("half-width colon" in line and "16 times: lines 29, 30, 33, 34, 75, …" in line
               for line in lines)


def test_the_imported_book_builds(imported: dict, capsys: pytest.CaptureFixture[str]) -> None:
    """What the importer writes from a Word manuscript is a book: the EPUB is made from it."""
    root = imported["roots"]["docx"]
    with pytest.raises(SystemExit) as done:
        main(["build", str(root), "-f", "epub", "-o", str(root / "output")])
    assert done.value.code in (0, None), capsys.readouterr().err
    epub = root / "output" / "book.epub"
    assert epub.stat().st_size > 10_000
    with zipfile.ZipFile(epub) as archive:
        pages = "".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                        if n.endswith(".xhtml"))
    pages = pages.replace("\u2060", "")  # a word joiner ties a headline's last two characters
    assert all(item.headline in pages and item.name in pages for item in imported["book"])
