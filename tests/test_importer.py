"""The importer: faithful to the source, tolerant of its irregularities, loud about them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SOURCE

from publisher.cli import main
from publisher.content.importer import grouped, parse_source, slugify
from publisher.content.load import load_project
from publisher.errors import ContentError


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("imported") / "content"
    with pytest.raises(SystemExit) as done:
        main(["import", str(SOURCE), "-o", str(out)])
    assert done.value.code == 0
    return out


def test_real_source_gives_21_interviews_and_84_pairs() -> None:
    result = parse_source(SOURCE.read_text(encoding="utf-8"), "src.txt")
    assert len(result.interviews) == 21
    assert sum(len(i.pairs) for i in result.interviews) == 84
    assert all(len(i.pairs) == 4 for i in result.interviews)
    assert len({i.region for i in result.interviews}) == 21


def test_every_character_is_the_sources(imported: Path) -> None:
    """Rebuild the source line by line from the written YAML: only the markers differ."""
    project = load_project(imported.parent)
    rebuilt = []
    for interview in project.interviews:
        rebuilt.append(interview.headline)
        rebuilt.append(None)  # the office line: checked below
        for pair in interview.qa:
            rebuilt.append(("问", pair.question))
            rebuilt.extend(("答", p) for p in pair.answer)
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    assert len(lines) == len(rebuilt)
    offices = iter(project.interviews)
    for line, expected in zip(lines, rebuilt, strict=True):
        if expected is None:
            who = next(offices).interviewee
            assert line.replace(" ", "") == who.office + who.name
            assert line.startswith(who.office) and line.endswith(who.name)
        elif isinstance(expected, tuple):
            mark, body = expected
            assert line[0] == mark
            assert line.lstrip(mark).lstrip(":：") == body
        else:
            assert line == expected


def test_irregularities_are_reported_with_line_numbers() -> None:
    source = "\n".join([
        "标题一", "甲市妇联主席 王芳",
        "问:第一问?", "答第一答。",
        "问：第二问？", "答：第二答。",
        "标题二", "乙县妇联主席李娜",
        "问:第一问?", "答:回答。", "回答的第二段。",
    ])
    result = parse_source(source, "s.txt")
    notices = [str(n) for n in result.notices]
    assert any(n.startswith("s.txt:4:") and "without a colon" in n for n in notices)
    assert any(n.startswith("s.txt:3:") and "half-width colon" in n for n in notices)
    assert any(n.startswith("s.txt:8:") and "name run into the office line" in n for n in notices)
    second = result.interviews[1]
    assert (second.office, second.name, second.region) == ("乙县妇联主席", "李娜", "乙县")
    assert second.pairs[0].answer == ["回答。", "回答的第二段。"]
    assert result.interviews[0].pairs[0].answer == ["第一答。"]
    assert not any(n.startswith("s.txt:5:") for n in notices)  # full-width colon is regular
    assert not any(n.startswith("s.txt:11:") for n in notices)  # so are further paragraphs


def test_notices_are_grouped_one_line_per_kind() -> None:
    """The first book has 166 half-width colons: one line says so, with the first lines."""
    result = parse_source(SOURCE.read_text(encoding="utf-8"), "src.txt")
    lines = grouped(result.notices)
    assert lines == [
        "src.txt:3: half-width colon after a speaker label; accepted "
        "(166 times: lines 3, 4, 5, 6, 7, …)",
        "src.txt:10: speaker label without a colon; read as a label (2 times: lines 10, 60)",
        "src.txt:122: name run into the office line; split after the title",
    ]


def test_standard_questions_replace_the_place_name() -> None:
    source = "\n".join(
        f"标题{n}\n{city}妇联主席 王芳\n问:{city}有哪些亮点?\n答:很多。\n问:明年呢?\n答:继续。"
        for n, city in enumerate(["甲市", "乙市", "丙市"]))
    questions = parse_source(source, "s.txt").questions
    assert [q["text"] for q in questions] == ["{place}有哪些亮点?", "明年呢?"]


@pytest.mark.parametrize("text, message", [
    ("", "no interview found"),
    ("标题\n甲市妇联主席 王芳\n问:问题?\n问:又一个问题?\n答:回答。", "s.txt:3: this question has no answer"),
    ("标题\n甲市妇联主席 王芳\n问:问题?", "s.txt:3: this question has no answer"),
    ("标题\n妇联主席王芳芳芳芳芳\n问:问题?\n答:回答。", "s.txt:2: no interview found: cannot read"),
    ("标题\n某某单位主任 王芳\n问:问题?\n答:回答。", "s.txt:2: cannot tell the region"),
    ("标题\n甲市妇联主席 王芳\n答:回答。\n问:问题?\n答:回答。", "s.txt:2: '甲市妇联主席 王芳' reads as an office-and-name line"),
])
def test_unusable_sources_fail_with_line_numbers(text: str, message: str) -> None:
    with pytest.raises(ContentError) as failure:
        parse_source(text, "s.txt")
    assert message in failure.value.format_message()


def test_slugs_are_readable_pinyin() -> None:
    assert slugify("成都市") == "chengdu"
    assert slugify("雅安市") == "ya-an"
    assert slugify("阿坝藏族羌族自治州") == "aba"


def test_existing_book_yaml_is_kept(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "book.yaml").write_text("title: 我的书\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["import", str(SOURCE), "-o", str(content)])
    assert (content / "book.yaml").read_text(encoding="utf-8") == "title: 我的书\n"
    assert len(list((content / "interviews").glob("*.yaml"))) == 21
