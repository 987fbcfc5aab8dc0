"""Questions and answers as editors mark them without 问/答: a question all in bold, an answer
labelled 受访者：, in Markdown and in Word; and a district named after a 州 (秦州区)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from publisher.cli import main

BOOK = [
    ("村医的二十年", "定西市安定区卫生院 乡村医生 马建国", [
        ("您做乡村医生多少年了？", ["我从一九九八年开始在村里行医。", "到今年已经二十多年了。"]),
        ("最难的是什么？", ["冬天出诊路不好走。"]),
    ]),
    ("回到家乡", "天水市秦州区卫生院 护士 李秀兰", [
        ("您为什么回到家乡？", ["家里老人需要照顾，村里也缺医生。"]),
        ("请谈谈村里的变化。", ["路修好了，卫生室也翻新了。"]),
    ]),
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    return done.value.code or 0, capsys.readouterr().err


def markdown(answer_label: str) -> str:
    blocks = ["# 乡村医生访谈"]
    for headline, who, pairs in BOOK:
        blocks += [f"## {headline}", who]
        for question, answer in pairs:
            blocks += [f"**{question}**", f"{answer_label}{answer[0]}", *answer[1:]]
    return "\n\n".join(blocks) + "\n"


def docx_file(path: Path) -> Path:
    import docx

    document = docx.Document()
    for headline, who, pairs in BOOK:
        document.add_heading(headline, level=2)
        document.add_paragraph(who)
        for question, answer in pairs:
            document.add_paragraph().add_run(question).bold = True
            document.add_paragraph(f"受访者：{answer[0]}")
            for text in answer[1:]:
                document.add_paragraph(text)
    document.save(path)
    return path


def interviews(content: Path) -> list[dict]:
    files = sorted((content / "interviews").glob("*.yaml"))
    return [yaml.safe_load(f.read_text(encoding="utf-8")) for f in files]


def expected() -> list[list[tuple[str, list[str]]]]:
    return [[(q, a) for q, a in pairs] for _, _, pairs in BOOK]


@pytest.mark.parametrize("form", ["md-受访者", "md-答", "docx"])
def test_bold_questions_and_interviewee_answers_are_read(form: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    if form == "docx":
        source = docx_file(tmp_path / "s.docx")
    else:
        source = tmp_path / "s.md"
        source.write_text(markdown("受访者：" if form == "md-受访者" else "答："), encoding="utf-8")
    code, err = run(["import", str(source), "-o", str(tmp_path / "content")], capsys)
    assert code == 0, err
    got = interviews(tmp_path / "content")
    assert [[(p["question"], p["answer"]) for p in d["qa"]] for d in got] == expected()
    assert [(d["interviewee"]["name"], d["region"]) for d in got] == [("马建国", "安定区"),
                                                                    ("李秀兰", "秦州区")]


def test_a_bold_line_in_an_answer_that_asks_nothing_stays_in_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bold sentence inside an answer, with no question mark and no answer label after it,
    is the answer's emphasis, not a question."""
    text = markdown("答：").replace("到今年已经二十多年了。", "**这是我一辈子的事。**\n\n到今年已经二十多年了。")
    source = tmp_path / "s.md"
    source.write_text(text, encoding="utf-8")
    code, err = run(["import", str(source), "-o", str(tmp_path / "content")], capsys)
    assert code == 0, err
    first = interviews(tmp_path / "content")[0]["qa"][0]
    assert first["answer"] == ["我从一九九八年开始在村里行医。", "这是我一辈子的事。", "到今年已经二十多年了。"]


def test_an_interviewee_line_labelled_受访人_is_not_an_answer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`受访人：NAME（OFFICE）` still names the interviewee; `受访者说` without a colon is text."""
    lines = ["山里的课堂", "受访人：王芳（甲县中心小学校长）", "问：您在这里教书多少年了？",
             "答：十五年。", "受访者说到这里笑了。", "问：学校有多少学生？", "受访者：三百多人。"]
    source = tmp_path / "s.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = run(["import", str(source), "-o", str(tmp_path / "content")], capsys)
    assert code == 0, err
    [got] = interviews(tmp_path / "content")
    assert (got["interviewee"]["name"], got["interviewee"]["office"]) == ("王芳", "甲县中心小学校长")
    assert [(p["question"], p["answer"]) for p in got["qa"]] == [
        ("您在这里教书多少年了？", ["十五年。", "受访者说到这里笑了。"]),
        ("学校有多少学生？", ["三百多人。"])]
