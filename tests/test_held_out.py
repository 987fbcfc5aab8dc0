"""Books nobody tuned the tool to: skipped and extra questions, rare names, a portrait."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pytest
import yaml
from PIL import Image

from publisher.build.pipeline import build
from publisher.check.artifacts import check_output
from publisher.check.validators import ensure_ace
from publisher.content.load import load_project
from publisher.errors import BuildError
from publisher.lint import lint_project

REPO = Path(__file__).resolve().parent.parent
# Each book is built and checked (EPUBCheck, Ace) in full.
pytestmark = pytest.mark.slow

BOOK = """\
title: {title}
subtitle: {subtitle}
language: zh-CN
editors: [编辑部]
publisher: 测试出版社
edition: 第1版
date: "2024-03-08"
identifier: urn:uuid:00000000-0000-4000-8000-0000000000{n:02d}
slug: {slug}
questions:
  - id: highlights
    label: 过去一年的工作亮点
    text: 过去一年，{{place}}妇联工作有哪些亮点？
  - id: rural
    label: 乡村振兴中的妇女
    text: 如何引领广大妇女在乡村振兴中建功立业？
  - id: person
    label: 印象最深的基层妇女
    text: 您印象最深的一位基层妇女是谁？
    optional: true
  - id: plans
    label: 新一年的打算
    text: 新的一年，{{place}}妇联有哪些打算？
"""

# Who is interviewed, and which questions each interview asks: a standard question by id
# (asked with the region's name or a short form of it), or the interview's own question.
YUNNAN = [
    ("昆明市", "kunming", "陈䶮", ["highlights", "rural", "person", "plans"]),
    ("曲靖市", "qujing", "李𠮷祥", ["highlights", "rural", "plans"]),
    ("玉溪市", "yuxi", "段𬬻", ["highlights", "rural", "花灯队的姐妹们现在怎么样？", "person",
                            "plans"]),
    ("保山市", "baoshan", "阿依古丽·买买提", ["highlights", "rural", "person", "plans",
                                        "最后，您想对全市妇女说些什么？"]),
    ("昭通市", "zhaotong", "杨㛃", ["highlights", "rural", "plans", "您怎样看待基层妇联干部的成长？"]),
    ("丽江市", "lijiang", "和秀英", ["highlights", "rural", "person", "plans"]),
    ("普洱市", "puer", "刀美兰", ["您到普洱工作几年了？", "highlights", "rural", "person", "plans"]),
    ("临沧市", "lincang", "俸䲜", ["highlights", "rural", "person", "plans"]),
    ("大理白族自治州", "dali", "赵丽", ["highlights@大理州", "rural", "plans@大理"]),
]
GANSU = [
    ("兰州市", "lanzhou", "马㛃", ["highlights", "rural", "plans"]),
    ("临夏回族自治州", "linxia", "马秀兰", ["highlights@临夏州", "rural", "person",
                                    "临夏的花儿会今年办得怎样？", "plans@临夏州"]),
    ("甘南藏族自治州", "gannan", "卓玛", ["highlights", "rural", "person", "plans"]),
]


def first_book_answers() -> list[list[str]]:
    """The answers of the first book's interviews: real, lint-clean prose to set."""
    files = sorted((REPO / "content" / "interviews").glob("*.yaml"))
    return [[p for pair in yaml.safe_load(f.read_text(encoding="utf-8"))["qa"]
             for p in pair["answer"]] for f in files]


def write_book(root: Path, interviews: list, *, n: int, slug: str, title: str,
               portrait: str | None = None) -> Path:
    """A project of `interviews` (region, slug, name, questions) under root."""
    folder = root / "content" / "interviews"
    folder.mkdir(parents=True)
    (root / "content" / "book.yaml").write_text(
        BOOK.format(title=title, subtitle="妇联主席访谈", n=n, slug=slug), encoding="utf-8")
    book = yaml.safe_load((root / "content" / "book.yaml").read_text(encoding="utf-8"))
    wording = {q["id"]: q["text"] for q in book["questions"]}
    answers = first_book_answers()
    for order, (region, name_slug, name, asked) in enumerate(interviews, 1):
        prose = answers[(order + n) % len(answers)]
        pairs = []
        for k, question in enumerate(asked):
            qid, _, place = question.partition("@")
            text = wording[qid].replace("{place}", place or region) if qid in wording \
                else question
            # The portrait's interview answers at length, so text runs beside the image.
            answer = prose[k % len(prose):][:3] if name_slug == portrait else \
                [prose[k % len(prose)]]
            pairs.append({"question": text, "answer": answer})
        data = {"order": order, "slug": name_slug, "region": region,
                "headline": f"{region}的巾帼力量",
                "interviewee": {"name": name, "office": f"{region}妇联主席"}, "qa": pairs}
        if name_slug == portrait:
            (root / "content" / "images").mkdir()
            Image.new("RGB", (240, 320), (140, 28, 19)).save(root / "content/images/p.png")
            data["portrait"] = {"src": "images/p.png", "alt": f"{name}近照"}
        (folder / f"{order:02d}-{name_slug}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


BOOKS = {
    "yunnan": (YUNNAN, dict(n=9, slug="yunnan", title="云岭巾帼", portrait="kunming")),
    "gansu": (GANSU, dict(n=3, slug="gansu", title="陇原巾帼", portrait="linxia")),
}


@pytest.fixture(scope="module", params=sorted(BOOKS))
def held_out(request, tmp_path_factory) -> tuple[list, Path, Path]:
    interviews, options = BOOKS[request.param]
    root = write_book(tmp_path_factory.mktemp(request.param), interviews, **options)
    build(root, root / "output")
    return interviews, root, root / "output"


def expected_ids(asked: list[str]) -> list[str | None]:
    ids = {"highlights", "rural", "person", "plans"}
    return [q.partition("@")[0] if q.partition("@")[0] in ids else None for q in asked]


def test_questions_are_found_by_wording_wherever_they_are(held_out) -> None:
    interviews, root, _ = held_out
    project = load_project(root)
    assert [[pair.question_id for pair in i.qa] for i in project.interviews] == [
        expected_ids(asked) for *_, asked in interviews]


def test_lint_finds_no_structure_or_name_problem(held_out) -> None:
    _, root, _ = held_out
    assert [str(f) for f in lint_project(root) if f.rule == "structure"] == []


def test_epub_index_lists_a_question_only_for_the_interviews_that_ask_it(held_out) -> None:
    interviews, _, out = held_out
    [epub] = out.glob("*.epub")
    with zipfile.ZipFile(epub) as book:
        index = book.read("OEBPS/question-index.xhtml").decode()
    listed = [re.findall(r'<a href="(\w+)\.xhtml#', block)
              for block in re.split(r"<h2>", index)[1:]]
    order = ["highlights", "rural", "person", "plans"]
    assert listed == [[slug for _, slug, _, asked in interviews if q in expected_ids(asked)]
                      for q in order]
    # The interviews' own questions are in their chapters, not in the index.
    assert "花儿会" not in index and "花灯队" not in index


def test_pdf_index_has_a_dash_where_a_question_was_not_asked(held_out) -> None:
    interviews, _, out = held_out
    [pdf] = out.glob("*.pdf")
    with pdfplumber.open(pdf) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages[-4:])
    skipped = [region for region, *_, asked in interviews if "person" not in asked]
    assert skipped and "“—”表示该篇访谈没有问及此问题" in text
    for region in skipped:
        assert re.search(rf"{region}(?: \d+){{2}} — \d+", text), region


def test_rare_characters_in_names_are_set_in_both_outputs(held_out) -> None:
    interviews, _, out = held_out
    [pdf], [epub] = out.glob("*.pdf"), out.glob("*.epub")
    with pdfplumber.open(pdf) as document:
        text = "".join(page.extract_text() or "" for page in document.pages)
    with zipfile.ZipFile(epub) as book:
        chapters = "".join(book.read(f"OEBPS/{slug}.xhtml").decode()
                           for _, slug, _, _ in interviews)
    for _, _, name, _ in interviews:
        # The fonts cover them (the build checks every character), and the text layer has them.
        assert name in text.replace(" ", "") and name in chapters.replace("\u2060", ""), name


def test_the_book_passes_publisher_check(held_out) -> None:
    _, _, out = held_out
    ensure_ace()  # check must run Ace, not skip it
    verdicts = check_output(out)
    assert all(v.ok for v in verdicts), [line for v in verdicts for line in v.lines()]
    assert all(f.ran for v in verdicts for f in v.findings)
    typography = next(f for v in verdicts for f in v.findings if f.tool == "typography")
    assert typography.messages[0].startswith("100.0% of"), typography.messages


def test_lines_beside_the_portrait_are_measured_against_the_space_beside_it(held_out) -> None:
    _, _, out = held_out
    [pdf] = out.glob("*.pdf")
    with pdfplumber.open(pdf) as document:
        [(page, image)] = [(page, image) for page in document.pages for image in page.images]
        beside = {round(c["top"]) for c in page.chars
                  if image["top"] < c["top"] < image["bottom"] and c["x1"] < image["x0"]}
    # Several body lines end beside the image, short of the measure.
    assert len(beside) >= 4


def test_build_warns_once_when_the_content_has_lint_errors(tmp_path: Path) -> None:
    root = write_book(tmp_path / "book", GANSU, n=3, slug="gansu", title="陇原巾帼")
    clean = build(root, tmp_path / "clean")
    assert not [w for w in clean.warnings if "lint" in w]
    interview = root / "content" / "interviews" / "01-lanzhou.yaml"
    text = interview.read_text(encoding="utf-8")
    # Two half-width commas between Chinese characters, and a reworded standard question.
    text = text.replace("，", ",", 2).replace("如何引领广大妇女", "怎样引领妇女")
    interview.write_text(text, encoding="utf-8")
    errors = [f for f in lint_project(root) if f.severity == "error"]
    assert len(errors) == 3, errors
    result = build(root, tmp_path / "out")
    assert [w for w in result.warnings if "lint" in w] == [
        "content has 3 lint errors (publisher lint for details)"]
    with pytest.raises(BuildError, match="content has 3 lint errors"):
        build(root, tmp_path / "strict", strict=True)
    assert not (tmp_path / "strict").exists()
