"""--fix edits a file in place: only the fixed characters change, in every YAML layout."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from publisher.cli import main
from publisher.lint import fix as fixmod
from publisher.lint import lint_project

INTERVIEW = "content/interviews/01-sample.yaml"
# The three fixes each layout below needs: a half-width '!', a stray space between two
# full-width marks, an ASCII full stop. Nothing else in the file may change.
FIXES = [("活动!", "活动！"), ("） ，", "），"), ("帮助.", "帮助。")]

HEAD = """\
# One interview per file.
order: 1
slug: sample
region: 成都市
headline: 一次示例访谈
"""

LAYOUTS = {
    "two-space, dashes indented": HEAD + """\
interviewee:
  name: 王小红
  office: 成都市某协会主任
qa:
  - question: 今年，成都市的工作有哪些特色和亮点？
    answer:
      - 我们在社区开设了学习课堂，每周都有活动!
      - 大家的干劲（真的） ，更足了。
  - question: 明年，成都市将着重做哪些事？
    answer: 让更多家庭得到帮助.
""",
    "four-space, dashes flush, comments after values": HEAD + """\
interviewee:
    name: 王小红     # checked by phone
    office: 成都市某协会主任
qa:
-   question: 今年，成都市的工作有哪些特色和亮点？   # q1
    answer:
    - 我们在社区开设了学习课堂，每周都有活动!   # the trial's line
    - 大家的干劲（真的） ，更足了。
-   question: 明年，成都市将着重做哪些事？
    answer: 让更多家庭得到帮助.  # ends with a period
""",
    "flow": HEAD + """\
interviewee: {name: 王小红, office: 成都市某协会主任}
qa:
  - {question: 今年，成都市的工作有哪些特色和亮点？, answer: [我们在社区开设了学习课堂，每周都有活动!, 大家的干劲（真的） ，更足了。]}
  - question: 明年，成都市将着重做哪些事？
    answer: [让更多家庭得到帮助.]
""",
    "block literal and folded": HEAD + """\
interviewee:
  name: 王小红
  office: 成都市某协会主任
qa:
  - question: 今年，成都市的工作有哪些特色和亮点？
    answer:
      - |
        我们在社区开设了学习课堂，
        每周都有活动!
      - >-
        大家的干劲（真的） ，更足了。
  - question: 明年，成都市将着重做哪些事？
    answer: >
      让更多家庭得到帮助.

# the end
""",
    "double and single quoted": HEAD + """\
interviewee:
  name: "王小红"
  office: '成都市某协会主任'
qa:
  - question: "今年，成都市的工作有哪些特色和亮点？"
    answer:
      - "我们在社区开设了“学习课堂”\\u3002每周都有活动!"
      - '大家说''干劲''（真的） ，更足了。'
  - question: '明年，成都市将着重做哪些事？'
    answer: "让更多家庭得到帮助."
""",
}
LAYOUTS["CRLF line ends"] = LAYOUTS["four-space, dashes flush, comments after values"].replace(
    "\n", "\r\n")
LAYOUTS["byte-order mark"] = "\ufeff" + LAYOUTS["two-space, dashes indented"]


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(["lint", *args])
    return exit_info.value.code


@pytest.fixture
def project(tmp_path: Path) -> Path:
    with pytest.raises(SystemExit) as exit_info:
        main(["new", str(tmp_path / "p")])
    assert exit_info.value.code == 0
    return tmp_path / "p"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_fix_changes_only_the_fixed_characters(project: Path, layout: str) -> None:
    path = project / INTERVIEW
    before = LAYOUTS[layout].encode("utf-8")
    path.write_bytes(before)
    fixable = [f for f in lint_project(project) if f.fix is not None]
    assert len(fixable) == 3, [str(f) for f in lint_project(project)]
    assert run(str(project), "--fix") == 0
    expected = before.decode("utf-8")
    for old, new in FIXES:
        assert expected.count(old) == 1
        expected = expected.replace(old, new)
    assert path.read_bytes() == expected.encode("utf-8")
    # A second --fix is a byte-for-byte no-op.
    run(str(project), "--fix")
    assert path.read_bytes() == expected.encode("utf-8")
    # The log replays from the text as written to the text as fixed.
    entries = fixmod.read_log(project)
    assert len(entries) == 3
    data = yaml.safe_load(before.decode("utf-8"))
    fixmod.replay(data, entries)
    assert data == yaml.safe_load(expected)


def test_a_question_appended_after_fix_with_the_files_indentation_loads(
        project: Path) -> None:
    """The trial: after --fix a question added in the file's own indentation broke the
    YAML, because --fix had re-indented the whole file."""
    path = project / INTERVIEW
    text = path.read_text(encoding="utf-8").replace("每周都有活动。", "每周都有活动!")
    path.write_text(text, encoding="utf-8")
    indent = next(line for line in text.split("\n") if "- question:" in line).split("-")[0]
    assert run(str(project), "--fix") == 0
    fixed = path.read_text(encoding="utf-8")
    assert fixed == text.replace("每周都有活动!", "每周都有活动！")
    fixed += (f"{indent}- question: 还有什么想说的？\n"
              f"{indent}  answer: 感谢大家的支持。\n")
    path.write_text(fixed, encoding="utf-8")
    assert run(str(project)) == 0


def test_a_fold_that_is_a_stray_space_joins_its_two_lines(project: Path) -> None:
    """A folded line break between Chinese characters is a stray space: deleting it joins
    the two lines, and nothing else changes."""
    path = project / INTERVIEW
    text = path.read_text(encoding="utf-8")
    folded = text.replace("    answer: 我们将继续办好民生实事，让更多家庭",
                          "    answer: >-\n      我们将继续办好民生实事，\n      让更多家庭  # 不是注释")
    path.write_text(folded, encoding="utf-8")
    [finding] = [f for f in lint_project(project) if f.fix is not None]
    assert (finding.rule, finding.line) == ("punctuation.space", 16)
    assert run(str(project), "--fix") == 0
    assert path.read_text(encoding="utf-8") == folded.replace("，\n      让更多", "，让更多")


def test_editor_correction_keeps_the_layout(project: Path) -> None:
    path = project / INTERVIEW
    path.write_text(LAYOUTS["four-space, dashes flush, comments after values"], encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    entry = fixmod.correct(project, INTERVIEW, "qa[0].answer[0]", "学习课堂", "读书课堂",
                           "the editor's reading")
    assert path.read_text(encoding="utf-8") == before.replace("学习课堂", "读书课堂")
    assert (entry["line"], entry["column"]) == (12, 15)
