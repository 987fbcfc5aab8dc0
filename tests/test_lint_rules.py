"""The linter's rules on a synthetic project and on hand-made texts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publisher.content.load import load_project
from publisher.errors import ContentError
from publisher.lint import lint_project, rules_reuse, rules_script
from publisher.lint.document import Document

FIXTURE = Path(__file__).parent / "fixtures" / "lint" / "project"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "p")
    return tmp_path / "p"


def by_rule(findings, rule, path=None):
    return [f for f in findings if f.rule.startswith(rule) and (path is None or f.path == path)]


def char_at(root: Path, finding) -> str:
    """The character of the YAML file at the finding's reported line and column."""
    lines = (root / finding.path).read_text(encoding="utf-8").split("\n")
    return lines[finding.line - 1][finding.column - 1]


BETA = "content/interviews/02-beta.yaml"


def test_punctuation_findings_point_at_the_mark(project: Path) -> None:
    found = by_rule(lint_project(project), "punctuation", BETA)
    assert sorted((f.rule, f.subject) for f in found) == [
        ("punctuation.half-width", ","), ("punctuation.half-width", ","),
        ("punctuation.half-width", "?"), ("punctuation.period", "."), ("punctuation.space", " "),
    ]
    for finding in found:
        assert char_at(project, finding) == finding.subject
        assert finding.fix is not None and finding.severity == "error"


def test_headline_space_is_allowed(project: Path) -> None:
    assert not [f for f in lint_project(project) if f.line == 5 and f.path == BETA]


def test_traditional_character_is_reported_with_its_conversion(project: Path) -> None:
    [finding] = by_rule(lint_project(project), "script")
    assert (finding.path, finding.subject, finding.fix.after) == (BETA, "說", "说")
    assert "說 → 说" in finding.message
    assert char_at(project, finding) == "說"


def write(tmp_path: Path, text: str) -> Document:
    path = tmp_path / "t.yaml"
    path.write_text(f"text: {text}\n", encoding="utf-8")
    return Document(path, "t.yaml")


@pytest.mark.parametrize("text", [
    "著名作家显著提升了头发护理的水平，后来于是皇后乾隆也里面几乎发展了。",
    "我们面向未来，干部群众团结一心，把复杂问题简单化，系统推进各项工作。",
    "台湾的朋友说：里程碑式的发展，须发皆白的老人也来了。",
])
def test_common_simplified_text_gives_no_script_finding(tmp_path: Path, text: str) -> None:
    assert rules_script.check([write(tmp_path, text)]) == []


def test_script_rule_finds_each_traditional_character(tmp_path: Path) -> None:
    found = rules_script.check([write(tmp_path, "我們的企業發展很好")])
    assert [(f.subject, f.fix.after) for f in found] == [("們", "们"), ("業", "业"), ("發", "发")]


@pytest.mark.parametrize("text", ["共有1,000人，时间10:30。", "He said: hello, world.",
                                  "网址是example.com，版本3.5。"])
def test_numbers_and_latin_text_keep_half_width_marks(tmp_path: Path, text: str) -> None:
    from publisher.lint import rules_punctuation

    assert rules_punctuation.check([write(tmp_path, text)]) == []


@pytest.mark.parametrize("space", ["\u00a0", "\u2002", "\u2009", "\u200a", "\u200b", "\u202f",
                                   "\u205f", "\u00a0\u00a0", " \u00a0"])
def test_an_invisible_space_between_chinese_characters_is_found_and_fixed(
        project: Path, space: str) -> None:
    """A no-break, thin or zero-width space pasted between Chinese characters is a stray
    space like an ordinary one: found at its column, named, and removed by --fix."""
    from publisher.cli import main

    path = project / "content/interviews/01-alpha.yaml"
    text = path.read_text(encoding="utf-8")
    assert "读书会和科技节，" in text
    path.write_text(text.replace("读书会和科技节，", f"读书会和{space}科技节，"), encoding="utf-8")
    [finding] = by_rule(lint_project(project), "punctuation.space", "content/interviews/01-alpha.yaml")
    assert finding.subject == space and finding.fix is not None
    assert char_at(project, finding) == space[0]
    assert f"U+{ord(space[-1]):04X}" in finding.message
    with pytest.raises(SystemExit):
        main(["lint", "--fix", str(project)])
    assert "读书会和科技节，" in path.read_text(encoding="utf-8")
    assert not by_rule(lint_project(project), "punctuation.space",
                       "content/interviews/01-alpha.yaml")


def test_straight_quotes_are_paired_into_curly_ones(tmp_path: Path) -> None:
    from publisher.lint import rules_punctuation

    found = rules_punctuation.check([write(tmp_path, '他说"你好"就走了')])
    assert [f.fix.after for f in found] == ["“", "”"]


def test_corpus_slip_is_reported_with_the_frequent_form(project: Path) -> None:
    [finding] = by_rule(lint_project(project), "corpus")
    assert (finding.path, finding.subject, finding.suggestion) == (BETA, "书曾每", "书会每")
    assert finding.fix is None and finding.severity == "warning"
    assert char_at(project, finding) == "曾"


def test_pasted_passage_is_reported_on_both_sides(project: Path) -> None:
    found = by_rule(lint_project(project), "reuse")
    assert sorted(f.path for f in found) == ["content/interviews/01-alpha.yaml", BETA]
    assert all("51 characters" in f.message for f in found)
    # The shared set phrase (16 characters) is not reported.
    assert not [f for f in found if "03-gamma" in f.path]


def test_reuse_threshold_decides(project: Path) -> None:
    docs = [Document(p, p.name) for p in sorted((project / "content/interviews").glob("*.yaml"))]
    assert rules_reuse.check(docs, min_passage=52) == []
    assert len(rules_reuse.check(docs, min_passage=51)) == 2


def test_structure_findings(project: Path) -> None:
    messages = [f.message for f in by_rule(lint_project(project), "structure")]
    assert messages == [
        "interviewee line does not parse: '丙城市妇联主席张三' is not a personal name",
        "question 1 differs from the standard wording “今年丙城市有哪些亮点？”",
    ]


def test_allowlist_accepts_a_finding_and_flags_unused_entries(project: Path) -> None:
    (project / "content/lint-allow.yaml").write_text(
        "- rule: corpus.slip\n  text: 书曾每\n  reason: a test accepts it\n"
        "- rule: corpus.slip\n  text: 不存在\n  reason: matches nothing\n"
        "- rule: corpus.slip\n  text: 没有理由\n", encoding="utf-8")
    findings = lint_project(project)
    assert not by_rule(findings, "corpus")
    allow = [(f.line, f.severity, f.message) for f in by_rule(findings, "allowlist")]
    assert allow == [(4, "warning", "entry for corpus.slip “不存在” matches no finding; remove it"),
                     (7, "error", "entry 3 needs rule, text or passage, and a reason")]


def _allow(project: Path, text: str) -> list:
    (project / "content/lint-allow.yaml").write_text(text, encoding="utf-8")
    return lint_project(project)


def test_allowlist_accepts_every_finding_inside_a_quoted_passage(project: Path) -> None:
    """One entry accepts the findings of its rules inside a passage, and none outside it."""
    before = lint_project(project)
    inside = [f for f in before if f.path == BETA and f.rule in ("script.traditional",
                                                                  "punctuation.space")]
    assert sorted(f.subject for f in inside) == [" ", "說"]
    found = _allow(project, "- rule: [script, punctuation.space]\n"
                            "  passage: 市民說很好 参加的人\n"
                            f"  file: {BETA}\n"
                            "  reason: a letter quoted as written\n")
    assert not by_rule(found, "script") and not by_rule(found, "punctuation.space")
    assert not by_rule(found, "allowlist")
    # Outside the passage, and other rules inside it, are still found.
    assert sorted(f.subject for f in by_rule(found, "punctuation", BETA)) == [",", ",", ".", "?"]
    # The passage is anchored by its words: lines added above it change nothing.
    path = project / BETA
    path.write_text(path.read_text(encoding="utf-8").replace("order: 2", "# a\n# b\norder: 2"),
                    encoding="utf-8")
    moved = lint_project(project)
    assert not by_rule(moved, "script") and not by_rule(moved, "punctuation.space")
    assert not by_rule(moved, "allowlist")
    assert [f.line for f in by_rule(moved, "punctuation", BETA)] == [
        f.line + 2 for f in by_rule(found, "punctuation", BETA)]


def test_a_passage_in_a_block_value_accepts_only_what_it_holds(project: Path) -> None:
    path = project / BETA
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - 读书会办了三次", "  - |-\n    读书会办了三次"), encoding="utf-8")
    before = lint_project(project)
    assert by_rule(before, "script")
    found = _allow(project, "- rule: [script, punctuation]\n  passage: 市民說很好\n"
                            "  reason: quoted as written\n")
    assert not by_rule(found, "script")
    # The commas, the full stop and the space lie outside the passage: still found.
    assert by_rule(found, "punctuation") == by_rule(before, "punctuation")


def test_an_edited_passage_or_a_bad_entry_is_reported(project: Path) -> None:
    found = _allow(project,
                   "- rule: script\n  passage: 市民说很好\n  reason: was edited\n"
                   "- rule: script\n  passage: 市民說很好\n"
                   "- rule: script\n  passage: 市民說很好\n  lines: 3-4\n  reason: x\n"
                   "- rule: [script, '']\n  passage: 市民說很好\n  reason: x\n")
    allow = [(f.line, f.severity, f.message) for f in by_rule(found, "allowlist")]
    assert allow == [
        (1, "warning", "entry for script “市民说很好”: the passage is not in the content "
                       "(edited since?); quote it as it stands or remove the entry"),
        (4, "error", "entry 2 needs rule, text or passage, and a reason"),
        (6, "error", "entry 3: unknown key 'lines' (known keys: rule, text, passage, file, "
                     "reason)"),
        (10, "error", "entry 4 needs rule, text or passage, and a reason")]
    assert by_rule(found, "script")


def test_content_the_build_refuses_is_refused_with_the_loaders_messages(project: Path) -> None:
    (project / "content/interviews/02-beta.yaml").write_text("order: 2\nqa: [\n", encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        lint_project(project)
    with pytest.raises(ContentError) as loaded:
        load_project(project)
    assert refused.value.problems == loaded.value.problems
    assert str(refused.value.problems[0]).startswith(f"{BETA}:2: YAML syntax error")


QUESTIONS = """\
questions:
  - id: q1
    label: 亮点
    text: 今年{place}有哪些亮点？
  - id: q2
    label: 感动的人和事
    text: 2022年最让您感动的人、感动的事？
    optional: true
  - id: q3
    label: 打算
    text: 2023年，{place}妇联将着重推动哪些民生实事？
"""


def interview_with(root: Path, name: str, questions: list[str]) -> Path:
    pairs = "".join(f"  - question: {q}\n    answer: [第{n}个回答。]\n"
                    for n, q in enumerate(questions, 1))
    path = root / "content" / "interviews" / "01-chengdu.yaml"
    path.write_text(
        f"order: 1\nslug: chengdu\nregion: 成都市\nheadline: 春天\ninterviewee:\n"
        f"  name: {name}\n  office: 成都市妇联主席\nqa:\n{pairs}", encoding="utf-8")
    return path


@pytest.fixture
def structure(tmp_path: Path):
    from conftest import SAMPLE_BOOK, write_project

    book = SAMPLE_BOOK[:SAMPLE_BOOK.index("questions:")] + QUESTIONS
    root = write_project(tmp_path / "book", ("成都市",), book=book)

    def findings(name: str, questions: list[str]) -> list[tuple[str, str]]:
        interview_with(root, name, questions)
        return [(f.severity, f.message) for f in by_rule(lint_project(root), "structure")]
    return findings


Q1, Q2, Q3 = ("今年成都市有哪些亮点？", "2022年最让您感动的人、感动的事？",
              "2023年，成都妇联将着重推动哪些民生实事？")


@pytest.mark.parametrize("questions", [
    [Q1, Q2, Q3],
    [Q1, Q3],  # the optional question skipped
    ["您到成都工作几年了？", Q1, Q2, "成都的妇女之家建得怎么样？", Q3, "最后还想说什么？"],
], ids=["all", "optional-skipped", "own-questions"])
def test_skipped_optional_and_own_questions_are_no_finding(structure, questions) -> None:
    assert structure("李明", questions) == []


def test_missing_standard_question_is_a_warning_suggesting_optional(structure) -> None:
    assert structure("李明", [Q2, Q3]) == [
        ("warning", "standard question 1 “今年成都市有哪些亮点？” is not asked")]


def test_out_of_order_standard_question_is_a_warning(structure) -> None:
    assert structure("李明", [Q3, Q1, Q2]) == [
        ("warning", "question 2 is standard question 1, asked after standard question 3: "
                    "the book's order differs"),
        ("warning", "question 3 is standard question 2, asked after standard question 3: "
                    "the book's order differs")]


def test_reworded_standard_question_is_an_error(structure) -> None:
    assert structure("李明", [Q1, "2022年最让你感动的人和事？", Q3]) == [
        ("error", "question 2 differs from the standard wording “2022年最让您感动的人、感动的事？”")]


@pytest.mark.parametrize("name", ["陈䶮", "李𠮷祥", "段𬬻", "欧阳〇〇", "阿依古丽·买买提",
                                  "上官婉儿", "索南才让多杰", "买买提吐尔逊江", "Anna Li"])
def test_rare_characters_in_names_are_names(structure, name) -> None:
    assert structure(name, [Q1, Q2, Q3]) == []


@pytest.mark.parametrize("name", ["成都市妇联主席李明", "李", "主席：李明"])
def test_what_is_not_a_name_is_still_reported(structure, name) -> None:
    assert structure(name, [Q1, Q2, Q3]) == [
        ("error", f"interviewee line does not parse: {name!r} is not a personal name")]
