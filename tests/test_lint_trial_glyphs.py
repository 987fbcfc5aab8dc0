"""Glyph coverage from the trial: real positions in lint and build, one message for a wrong font;
and a stray space between two full-width marks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher.cli import main
from publisher.lint import lint_project

INTERVIEW = "content/interviews/01-sample.yaml"
PARROT = "\U0001f99c"  # in no CJK font: a character the body font lacks


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main([*args])
    return exit_info.value.code


@pytest.fixture
def project(tmp_path: Path) -> Path:
    assert run("new", str(tmp_path / "p")) == 0
    return tmp_path / "p"


def char_at(root: Path, path: str, line: int, column: int) -> str:
    return (root / path).read_text(encoding="utf-8").split("\n")[line - 1][column - 1]


def test_a_missing_character_is_reported_where_it_first_stands(project: Path, capsys) -> None:
    path = project / INTERVIEW
    text = path.read_text(encoding="utf-8")
    text = (text.replace("某协会主任", f"某{PARROT}协会主任")   # the office, line 8
            .replace("每周都有活动。", f"每周都有{PARROT}活动。")
            .replace("帮助。", f"帮助{PARROT}。"))
    path.write_text(text, encoding="utf-8")
    [finding] = [f for f in lint_project(project) if f.rule == "glyphs"]
    assert (finding.path, finding.line) == (INTERVIEW, 8)
    assert char_at(project, finding.path, finding.line, finding.column) == PARROT
    assert "(2 more in the book)" in finding.message
    capsys.readouterr()
    assert run("build", str(project), "-o", str(project / "out")) == 3
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "U+1F99C" in line]
    assert len(lines) == 1 and lines[0].startswith(f"{INTERVIEW}:8:{finding.column}: "), err


def test_a_headline_character_is_placed_in_its_headline(project: Path) -> None:
    path = project / INTERVIEW
    text = path.read_text(encoding="utf-8").replace("一次示例访谈", f"一次示例{PARROT}访谈")
    path.write_text(text, encoding="utf-8")
    [finding] = [f for f in lint_project(project) if f.rule == "glyphs"]
    assert "(heading font)" in finding.message and "more in the book" not in finding.message
    assert finding.line == 5
    assert char_at(project, finding.path, finding.line, finding.column) == PARROT


def test_a_latin_body_font_is_one_message_at_its_entry(project: Path, capsys) -> None:
    """The trial: DejaVu Serif as the body face gave 97 unlocated messages in build."""
    (project / "fonts" / "fonts.yaml").write_text(
        "# a Latin face by mistake\nbody: {family: DejaVu Serif}\n"
        "heading: {family: Noto Sans CJK SC}\n", encoding="utf-8")
    found = [f for f in lint_project(project) if f.rule == "glyphs"]
    assert [(f.path, f.line) for f in found] == [("fonts/fonts.yaml", 2)]
    assert re.search(r"DejaVu Serif lacks \d+ of the \d+ distinct characters .* e\.g\. .*"
                     r"it is not a Chinese font", found[0].message), found[0].message
    capsys.readouterr()
    assert run("build", str(project), "-o", str(project / "out")) == 3
    err = capsys.readouterr().err
    assert "1 problem in the content" in err and "fonts/fonts.yaml:2: body: DejaVu Serif" in err
    assert "U+" not in err


@pytest.mark.parametrize(("written", "fixed"), [
    ("大家的干劲（真的） ，更足了。", "大家的干劲（真的），更足了。"),
    ("大家的干劲更足了。 “真的”", "大家的干劲更足了。“真的”"),
    ("大家说“干劲足” ，更足了。", "大家说“干劲足”，更足了。"),
])
def test_a_space_between_two_full_width_marks_is_stray(project: Path, written: str,
                                                       fixed: str) -> None:
    path = project / INTERVIEW
    text = path.read_text(encoding="utf-8")
    text = text.replace("大家的干劲更足了。", written)
    path.write_text(text, encoding="utf-8")
    [finding] = [f for f in lint_project(project) if f.rule == "punctuation.space"]
    assert char_at(project, finding.path, finding.line, finding.column) == " "
    assert finding.line == 13
    assert run("lint", str(project), "--fix") == 0
    assert path.read_text(encoding="utf-8") == text.replace(written, fixed)
