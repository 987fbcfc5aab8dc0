"""The third trial's content defects: every problem in one run, lines, language tags."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import SAMPLE_BOOK, write_project

from publisher.build.pipeline import build
from publisher.cli import main
from publisher.content.load import load_project
from publisher.errors import ContentError


def _problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_project(root)
    return str(caught.value).splitlines()


def test_a_slug_clash_is_reported_with_the_other_problems(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "book", ("成都市", "绵阳市", "自贡市"))
    interviews = root / "content" / "interviews"
    # 03 clashes with 01 on its slug and with 02 on its order, and its portrait is missing.
    third = interviews / "03-zigong.yaml"
    third.write_text(third.read_text(encoding="utf-8")
                     .replace("order: 3", "order: 2").replace("slug: zigong", "slug: chengdu")
                     + "portrait:\n  src: images/none.png\n  alt: 无\n", encoding="utf-8")
    (interviews / "04-broken.yaml").write_text("order: 4\nslug: [\n", encoding="utf-8")
    (interviews / "05-broken.yaml").write_text("order: 5\n\tslug: x\n", encoding="utf-8")

    with pytest.raises(SystemExit) as exit_code:
        main(["build", str(root), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exit_code.value.code == 3
    assert "content/interviews/03-zigong.yaml:16: portrait 'images/none.png'" in err
    assert ("content/interviews/03-zigong.yaml:1: order 2 is also used by "
            "content/interviews/02-mianyang.yaml:1") in err
    assert ("content/interviews/03-zigong.yaml:2: slug 'chengdu' is also used by "
            "content/interviews/01-chengdu.yaml:2") in err
    assert "content/interviews/04-broken.yaml:" in err
    assert "content/interviews/05-broken.yaml:" in err
    assert "Traceback" not in err


def test_a_clash_needs_valid_values_in_both_files(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book")
    second = root / "content" / "interviews" / "02-mianyang.yaml"
    # An invalid slug is its own problem; it does not also clash with anything.
    second.write_text(second.read_text(encoding="utf-8").replace("slug: mianyang", "slug: 成都"),
                      encoding="utf-8")
    problems = _problems(root)
    assert problems == ["content/interviews/02-mianyang.yaml:2: expected lowercase letters, "
                        "digits and hyphens, got '成都'"]


@pytest.mark.parametrize("tag", ["zh-Hans", "zh-Hant", "zh-Hans-CN", "zh-Hant-TW", "zh-hans"])
def test_a_script_subtag_is_a_chinese_language(tmp_path: Path, tag: str) -> None:
    book = SAMPLE_BOOK.replace("language: zh-CN", f"language: {tag}")
    project = load_project(write_project(tmp_path / "book", book=book))
    assert project.book.language == tag


@pytest.mark.parametrize(("tag", "message"), [
    ("zh", "expected a language tag with a region, such as zh-CN, got 'zh' (or a script"),
    ("zh-Latn", "language 'zh-Latn': a Chinese book names its region or script"),
    ("zh-cmn-Hans", "language 'zh-cmn-Hans': a Chinese book names its region or script"),
])
def test_a_refused_language_is_reported_at_its_line(tmp_path: Path, tag: str,
                                                     message: str) -> None:
    book = "# the book\n" + SAMPLE_BOOK.replace("language: zh-CN", f"language: {tag}")
    problems = _problems(write_project(tmp_path / "book", book=book))
    assert len(problems) == 1 and problems[0].startswith(f"content/book.yaml:4: {message}")


def _page_with(pdf: Path, tmp_path: Path, text: str) -> bytes:
    """The rendered page (PNG, 72 ppi) whose text holds `text`."""
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout.split("\f")
    number = next(n for n, page in enumerate(pages, 1) if text in page)
    stem = tmp_path / f"{pdf.parent.name}-page"
    subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", "-f", str(number),
                    "-l", str(number), str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png").read_bytes()


def test_zh_hans_sets_the_same_simplified_glyphs_as_zh_cn(tmp_path: Path) -> None:
    # 直 骨 户 have different Simplified, Traditional and Japanese forms in Noto CJK.
    pages = {}
    for tag in ("zh-CN", "zh-Hans", "zh-Hant-TW"):
        root = write_project(tmp_path / tag, ("成都市",),
                             SAMPLE_BOOK.replace("language: zh-CN", f"language: {tag}"))
        interview = root / "content" / "interviews" / "01-chengdu.yaml"
        interview.write_text(interview.read_text(encoding="utf-8").replace(
            "第二段回答，继续说明情况。", "直骨户直骨户直骨户。"), encoding="utf-8")
        result = build(root, tmp_path / tag / "out", ["pdf"])
        pages[tag] = _page_with(result.outputs["pdf"], tmp_path, "直骨户")
    assert pages["zh-Hans"] == pages["zh-CN"]
    assert pages["zh-Hant-TW"] != pages["zh-CN"]  # the language does choose the forms


def test_an_unclosed_list_at_the_end_is_on_the_last_line(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book")
    first = root / "content" / "interviews" / "01-chengdu.yaml"
    text = first.read_text(encoding="utf-8")
    lines = len(text.splitlines())
    first.write_text(text + "bad: [\n", encoding="utf-8")
    problems = _problems(root)
    assert problems[0].startswith(f"content/interviews/01-chengdu.yaml:{lines + 1}: YAML syntax")


def test_an_empty_answer_is_reported_at_the_answer(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book")
    second = root / "content" / "interviews" / "02-mianyang.yaml"
    text = second.read_text(encoding="utf-8").replace(
        "    answer: [明年将继续推进儿童友好城市建设。]", "    answer: []")
    second.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    answer: []") + 1
    assert _problems(root) == [f"content/interviews/02-mianyang.yaml:{line}: the answer is empty"]
