"""Import interview manuscripts (.txt, .md, .docx) into content YAML, faithfully and safely."""

from __future__ import annotations

from pathlib import Path

from publisher.content.importer.interviews import ImportResult, parse_paragraphs
from publisher.content.importer.notices import Notice, count, grouped
from publisher.content.importer.output import slugify, target_problems, write_content
from publisher.content.importer.sources import read_source, text_source
from publisher.errors import ContentError


def parse_source(text: str, path: str) -> ImportResult:
    """Recognise the interviews of a plain-text manuscript; raise ContentError if it has none
    or its shape is not recognised."""
    return parse_paragraphs(text_source(text, path))


def import_file(source: Path, out: Path, *, force: bool = False) -> tuple[ImportResult, list[Path]]:
    """Read a manuscript and write its content; the manuscript is never altered."""
    display = str(source)
    # A project's folder for its content folder is refused before the manuscript is read.
    wrong = target_problems(Path(out))
    read = read_source(Path(source), display)
    if read.problems or wrong:
        raise ContentError(read.problems + wrong)
    result = parse_paragraphs(read)
    return result, write_content(result, Path(out), Path(source).name, display, force)


__all__ = ["ImportResult", "Notice", "count", "grouped", "import_file", "parse_source", "slugify",
           "write_content"]
