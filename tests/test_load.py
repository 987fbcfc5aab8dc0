"""The loader: one typed model, every problem reported as path:line, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.cli import main
from publisher.content.load import load_project
from publisher.errors import ContentError


def _errors(root: Path) -> str:
    with pytest.raises(ContentError) as failure:
        load_project(root)
    return failure.value.format_message()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_sample_loads_into_the_model(sample_project: Path) -> None:
    project = load_project(sample_project)
    assert [i.slug for i in project.interviews] == ["chengdu", "mianyang"]
    first = project.interviews[0]
    assert first.interviewee.name == "李明"
    assert [p.question_id for p in first.qa] == ["q1", "q2"]
    assert len(first.qa[0].answer) == 2 and len(first.qa[1].answer) == 1
    assert project.book.date.isoformat() == "2024-05-01"


def test_every_problem_is_reported_with_file_and_line(sample_project: Path) -> None:
    one = sample_project / "content/interviews/01-chengdu.yaml"
    two = sample_project / "content/interviews/02-mianyang.yaml"
    _edit(one, "order: 1", "order: first")  # wrong type
    _edit(one, "headline: 成都市的春天\n", "")  # missing field
    _edit(two, "region: 绵阳市", "region: 绵阳市\nregion: 又一个")  # duplicate key
    _edit(sample_project / "content/book.yaml", "title: 样书", "title: [样书")  # syntax error
    message = _errors(sample_project)
    assert "4 problems" in message
    assert "content/interviews/01-chengdu.yaml:1: expected a positive whole number, got 'first'" in message
    assert "content/interviews/01-chengdu.yaml:1: interview: missing required key 'headline'" in message
    assert "content/interviews/02-mianyang.yaml:4: duplicate key 'region' (first on line 3)" in message
    assert "content/book.yaml:2: YAML syntax error" in message


@pytest.mark.parametrize("old, new, expected", [
    ("name: 李明", "name: no", None),  # `no` is the text 'no', never False
    ("name: 李明", "name: !!python/object:os.system ls", ":6: YAML tag"),
    ("name: 李明", "name: [李明]", ":6: expected text, got a list"),
    ("slug: chengdu", "slug: ../evil", ":2: expected lowercase letters"),
    ("headline: 成都市的春天", "headline: ''", ":4: expected text, got an empty value"),
    ("headline: 成都市的春天", "headline: 春\x07天", ":4:12: forbidden character U+0007"),
    ("    answer: [明年将继续推进儿童友好城市建设。]", "    answer: []", ":14: the answer is empty"),
    ("order: 1", "order: 1\nextra: 1", ":2: interview: unknown key 'extra'"),
])
def test_bad_values(sample_project: Path, old: str, new: str, expected: str | None) -> None:
    path = sample_project / "content/interviews/01-chengdu.yaml"
    _edit(path, old, new)
    if expected is None:
        project = load_project(sample_project)
        assert project.interviews[0].interviewee.name == "no"
    else:
        assert f"content/interviews/01-chengdu.yaml{expected}" in _errors(sample_project)


def test_non_utf8_and_empty_files(sample_project: Path) -> None:
    (sample_project / "content/interviews/01-chengdu.yaml").write_bytes("名字".encode("gbk"))
    (sample_project / "content/interviews/02-mianyang.yaml").write_text("", encoding="utf-8")
    message = _errors(sample_project)
    assert "01-chengdu.yaml:1:1: not valid UTF-8" in message
    assert "02-mianyang.yaml:1: file is empty" in message


def test_duplicate_order_and_slug(sample_project: Path) -> None:
    two = sample_project / "content/interviews/02-mianyang.yaml"
    _edit(two, "order: 2", "# the second interview\norder: 1")
    _edit(two, "slug: mianyang", "slug: chengdu")
    message = _errors(sample_project)
    assert ("content/interviews/02-mianyang.yaml:2: order 1 is also used by "
            "content/interviews/01-chengdu.yaml:1") in message
    assert ("content/interviews/02-mianyang.yaml:3: slug 'chengdu' is also used by "
            "content/interviews/01-chengdu.yaml:2") in message


@pytest.mark.parametrize("old, new, expected", [
    # An unclosed quote is found at the end of the file; it opened on the headline's line.
    ("headline: 成都市的春天", 'headline: "成都市的春天',
     ':4: YAML syntax error: the value opened with " here is never closed (found unexpected '
     "end of stream on line 14)"),
    # An input method in Chinese mode: the colon after a key is full-width. PyYAML fails on
    # the next line (or the one after the next); the problem is this one.
    ("headline: 成都市的春天", "headline：成都市的春天",
     ":4: YAML syntax error: a full-width colon ： after a key: YAML needs ':'"),
    ("order: 1", "order：1", ":1: YAML syntax error: a full-width colon ： after a key"),
    ("  name: 李明", "  name：李明", ":6: YAML syntax error: a full-width colon ： after a key"),
    ("  - question: 明年", "  - question：明年", ":13: YAML syntax error: a full-width colon"),
    # A pair's '- ' forgotten: its keys repeat those of the pair above.
    ("  - question: 明年", "    question: 明年",
     ":13: duplicate key 'question' (first on line 9); is a '- ' missing, or a line indented "
     "wrongly? each list item starts with '- '"),
    # A pair's '- ' indented deeper than the others.
    ("  - question: 明年", "    - question: 明年",
     ":13: YAML syntax error: while parsing a block mapping expected <block end>, but found "
     "'-' (check this line's indentation"),
])
def test_yaml_syntax_errors_point_at_their_cause(sample_project: Path, old: str, new: str,
                                                 expected: str) -> None:
    _edit(sample_project / "content/interviews/01-chengdu.yaml", old, new)
    message = _errors(sample_project)
    assert f"content/interviews/01-chengdu.yaml{expected}" in message, message


def test_a_full_width_colon_in_text_is_no_hint(sample_project: Path) -> None:
    """A colon inside an answer is text: another error nearby gets no full-width hint."""
    _edit(sample_project / "content/interviews/01-chengdu.yaml", "    answer: [明年将",
          "    answer: [他说：明年将")
    _edit(sample_project / "content/interviews/01-chengdu.yaml", "城市建设。]", "城市建设。")
    message = _errors(sample_project)
    assert "YAML syntax error" in message and "full-width" not in message, message


def test_build_of_broken_content_exits_nonzero_and_writes_nothing(
        sample_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(sample_project / "content/interviews/01-chengdu.yaml", "order: 1", "order: x")
    out = sample_project / "output"
    with pytest.raises(SystemExit) as done:
        main(["build", str(sample_project)])
    assert done.value.code == 3
    err = capsys.readouterr().err
    assert "content/interviews/01-chengdu.yaml:1:" in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_standard_questions_are_found_by_wording_not_position(sample_project: Path) -> None:
    one = sample_project / "content/interviews/01-chengdu.yaml"
    # An extra question first, then the second standard question, then the first.
    _edit(one, "qa:\n", "qa:\n  - question: 您到成都工作几年了？\n    answer: [三年了。]\n")
    text = one.read_text(encoding="utf-8")
    first, second = text.index("  - question: 今年"), text.index("  - question: 明年")
    one.write_text(text[:first] + text[second:] + text[first:second], encoding="utf-8")
    two = sample_project / "content/interviews/02-mianyang.yaml"
    _edit(two, "  - question: 今年绵阳市有哪些亮点？", "  - question: 今年绵阳有哪些亮点?")  # short form
    _edit(two, "  - question: 明年有什么打算？\n    answer: [明年将继续推进儿童友好城市建设。]\n", "")
    chengdu, mianyang = load_project(sample_project).interviews
    assert [p.question for p in chengdu.qa][0] == "您到成都工作几年了？"
    assert [p.question_id for p in chengdu.qa] == [None, "q2", "q1"]
    assert [p.question_id for p in mianyang.qa] == ["q1"]


def test_optional_question_is_read(sample_project: Path) -> None:
    _edit(sample_project / "content/book.yaml", "    text: 明年有什么打算？",
          "    text: 明年有什么打算？\n    optional: true")
    assert [q.optional for q in load_project(sample_project).book.questions] == [False, True]


def test_every_misspelt_key_is_reported_never_raised(sample_project: Path) -> None:
    # A user's misspelt key (answers: for answer:) once raised KeyError from the loader:
    # each key of every content file, misspelt in turn, must come back as path:line problems.
    import re

    files = sorted((sample_project / "content").rglob("*.yaml"))
    tried = 0
    for path in files:
        original = path.read_text(encoding="utf-8")
        lines = original.split("\n")
        for n, line in enumerate(lines):
            m = re.match(r"(\s*(?:- )?)([a-z_]+):", line)
            if not m:
                continue
            lines[n] = f"{m.group(1)}{m.group(2)}s:{line[m.end():]}"
            path.write_text("\n".join(lines), encoding="utf-8")
            lines[n] = line
            message = _errors(sample_project)
            rel = path.relative_to(sample_project).as_posix()
            assert f"{rel}:{n + 1}: " in message and f"unknown key '{m.group(2)}s'" in message
            tried += 1
        path.write_text(original, encoding="utf-8")
    assert tried > 20
