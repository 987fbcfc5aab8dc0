"""Mutated content files: any node of a valid interview or book.yaml replaced by a value of
the wrong kind, removed or its key misspelt, is a located problem, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import SAMPLE_BOOK, SAMPLE_INTERVIEW, write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.cli import main
from publisher.content import yamlsafe
from publisher.content.load import read_book, read_interview
from publisher.errors import Problem

INTERVIEW = SAMPLE_INTERVIEW.format(order=1, slug="chengdu", region="成都市") + (
    "portrait:\n  src: images/a.jpg\n  alt: 肖像\nnotes: [注一]\n")
BOOK = SAMPLE_BOOK + "page:\n  size: A5\nprint:\n  signature: '16'\n  price: 48.00元\n"
STR = "tag:yaml.org,2002:str"


def _scalar(value: str) -> yaml.ScalarNode:
    return yaml.ScalarNode(STR, value)


# What a value may wrongly be: empty, null, a number, a list (empty, of text, of a mapping),
# a mapping.
WRONG = [
    lambda: _scalar(""), lambda: _scalar("null"), lambda: _scalar("~"), lambda: _scalar("3"),
    lambda: yaml.SequenceNode("tag:yaml.org,2002:seq", []),
    lambda: yaml.SequenceNode("tag:yaml.org,2002:seq", [_scalar("甲")]),
    lambda: yaml.SequenceNode("tag:yaml.org,2002:seq", [yaml.MappingNode(
        "tag:yaml.org,2002:map", [(_scalar("a"), _scalar("b"))])]),
    lambda: yaml.MappingNode("tag:yaml.org,2002:map", [(_scalar("a"), _scalar("b"))]),
]


def _slots(node: yaml.Node) -> list[tuple[list, int]]:
    """Every place a node sits in the tree: (the list holding it, its index there)."""
    found = []
    if isinstance(node, yaml.MappingNode):
        for index, (_, value) in enumerate(node.value):
            found.append((node.value, index))
            found += _slots(value)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.append((node.value, index))
            found += _slots(item)
    return found


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    root = yaml.compose(text, Loader=yaml.BaseLoader)
    for _ in range(draw(st.integers(1, 3))):
        slots = _slots(root)
        if not slots:
            break
        holder, index = draw(st.sampled_from(slots))
        entry = holder[index]
        action = draw(st.sampled_from(["replace", "delete", "misspell"]))
        if action == "delete" and len(holder) > 1:
            del holder[index]
        elif action == "misspell" and isinstance(entry, tuple):
            key, value = entry
            holder[index] = (_scalar(key.value + draw(st.sampled_from(["s", "_", "e"]))), value)
        else:
            new = draw(st.sampled_from(WRONG))()
            holder[index] = (entry[0], new) if isinstance(entry, tuple) else new
    if draw(st.booleans()) and draw(st.booleans()):  # now and then the file is a list
        root = yaml.SequenceNode("tag:yaml.org,2002:seq", [root])
    return yaml.serialize(root, allow_unicode=True)


def _located(problems: list[Problem], path: str) -> None:
    assert problems
    for problem in problems:
        assert problem.path == path and problem.message
        assert problem.line is not None and problem.line >= 1, problem


MUTATIONS = settings(max_examples=300, deadline=None, suppress_health_check=[
    HealthCheck.too_slow])


@MUTATIONS
@given(mutated(INTERVIEW))
def test_a_mutated_interview_is_located_problems(text: str) -> None:
    doc, problems = yamlsafe.parse(text.encode("utf-8"), "i.yaml")
    if doc is not None:
        interview, problems = read_interview(doc, Path("/nonexistent"))
        if interview is not None:  # a mutation may leave a valid interview (an empty note)
            assert not problems
            return
    _located(problems, "i.yaml")


@MUTATIONS
@given(mutated(BOOK))
def test_a_mutated_book_is_located_problems(text: str) -> None:
    doc, problems = yamlsafe.parse(text.encode("utf-8"), "book.yaml")
    if doc is not None:
        book, problems = read_book(doc)
        if book is not None:
            assert not problems
            return
    _located(problems, "book.yaml")


@pytest.mark.parametrize("old, new, expected", [
    ("    answer:", "    answers:", [
        ":9: question–answer pair: missing required key 'answer'",
        ":10: question–answer pair: unknown key 'answers'; did you mean 'answer'?"]),
    ("  name: 李明", "  nmae: 李明", [
        ":6: interviewee: missing required key 'name'",
        ":6: interviewee: unknown key 'nmae'; did you mean 'name'?"]),
    ("    answer:\n", "    answer: {a: b}\n", [":10: expected a list of paragraphs, got a mapping"]),
])
def test_a_misspelt_or_wrong_key_exits_3_with_every_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str,
        expected: list[str]) -> None:
    root = write_project(tmp_path / "book")
    path = root / "content" / "interviews" / "01-chengdu.yaml"
    text = path.read_text(encoding="utf-8")
    if "{a: b}" in new:  # the list of paragraphs becomes a mapping; its items must go
        text = text.replace("      - 今年我们开展了", "      # 今年我们开展了").replace(
            "      - 第二段回答", "      # 第二段回答")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    # And a second problem in another file: every problem is collected.
    other = root / "content" / "interviews" / "02-mianyang.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("slug: mianyang", "slug: [x]"),
                     encoding="utf-8")
    for command in ("lint", "build"):
        with pytest.raises(SystemExit) as done:
            main([command, str(root)])
        err = capsys.readouterr().err
        assert done.value.code == 3, err
        assert "Traceback" not in err and "KeyError" not in err
        for line in expected:
            assert f"content/interviews/01-chengdu.yaml{line}" in err, err
        assert "content/interviews/02-mianyang.yaml:2: expected text, got a list" in err, err
        assert ("the answer is empty" in err) is False
