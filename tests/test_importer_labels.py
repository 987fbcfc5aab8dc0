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


def imported_text(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str,
                  suffix: str = "md") -> tuple[list[dict], str]:
    source = tmp_path / f"s.{suffix}"
    source.write_text(text, encoding="utf-8")
    code, err = run(["import", str(source), "-o", str(tmp_path / "content")], capsys)
    assert code == 0, err
    return interviews(tmp_path / "content"), err


def test_question_and_answer_in_one_paragraph_are_split(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`问：…？答：…` on one line, and a bold question with its answer on the next line of
    the same Markdown paragraph."""
    text = ("## 修表的人\n\n泉州市鲤城区钟表修理师 黄志强\n\n问：您修了多少年表？答：三十年。\n\n"
            "**问：还有年轻人学吗？**\n答：少了。\n\n**现在生意怎么样？**\n还过得去。\n")
    [got], err = imported_text(tmp_path, capsys, text)
    assert [(p["question"], p["answer"]) for p in got["qa"]] == [
        ("您修了多少年表？", ["三十年。"]), ("还有年轻人学吗？", ["少了。"]),
        ("现在生意怎么样？", ["还过得去。"])]
    assert "s.md:5: question and answer in one paragraph" in err


def test_markdown_footnotes_go_to_the_notes(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Footnotes defined after the answer or at the end of the file go to the interview whose
    text refers to them; the mark stays in the text as （注N）."""
    text = ("## 电台\n\n静安区街道社区电台主持人 沈佳怡\n\n问：怎么办起来的？\n\n答：2019年开播。[^1]\n\n"
            "[^1]: 热线号码为街道公开的服务电话。\n\n问：听众是谁？\n\n答：老人。\n\n"
            "## 弄堂\n\n虹口区街道社区电台志愿者 陆建国\n\n问：怎么办起来的？\n\n答：借了房子。[^b]\n\n"
            "[^b]: 居委会的\n  二楼。\n")
    got, err = imported_text(tmp_path, capsys, text)
    assert got[0]["qa"][0]["answer"] == ["2019年开播。（注1）"]
    assert got[0]["notes"] == ["注1：热线号码为街道公开的服务电话。"]
    assert got[1]["qa"][0]["answer"] == ["借了房子。（注b）"]
    assert got[1]["notes"] == ["注b：居委会的二楼。"]
    assert "footnote moved to the interview's notes" in err


def test_a_footnote_referred_to_nowhere_is_refused(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "s.md"
    source.write_text("## 电台\n\n静安区街道社区电台主持人 沈佳怡\n\n问：怎么办起来的？\n\n答：开播。\n\n"
                      "[^9]: 一条没人引用的注。\n", encoding="utf-8")
    code, err = run(["import", str(source), "-o", str(tmp_path / "content")], capsys)
    assert code == 3 and not (tmp_path / "content").exists()
    assert "s.md:9: footnote [^9] is referred to nowhere" in err


def test_word_footnotes_go_to_the_notes(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_heading("电台", level=2)
    document.add_paragraph("静安区街道社区电台主持人 沈佳怡")
    document.add_paragraph("问：怎么办起来的？")
    answer = document.add_paragraph("答：2019年开播。")
    for number in ("2", "7"):  # 7 is in no footnotes.xml: a reference to nothing
        run_ = OxmlElement("w:r")
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), number)
        run_.append(ref)
        answer._p.append(run_)
    answer.add_run("后来扩建了。")
    path = tmp_path / "s.docx"
    document.save(path)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    notes = (f'<w:footnotes xmlns:w="{w}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r>'
             '<w:separator/></w:r></w:p></w:footnote><w:footnote w:id="2"><w:p><w:r>'
             '<w:t>热线号码为</w:t></w:r><w:r><w:t>公开电话。</w:t></w:r></w:p></w:footnote>'
             '</w:footnotes>')
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("word/footnotes.xml", notes)
    code, err = run(["import", str(path), "-o", str(tmp_path / "content")], capsys)
    assert code == 0, err
    [got] = interviews(tmp_path / "content")
    assert got["qa"][0]["answer"] == ["2019年开播。（注1）后来扩建了。"]
    assert got["notes"] == ["注1：热线号码为公开电话。"]


def test_section_headings_and_place_headlines(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`## 区` over `### headline` groups interviews and is left out; a headline that is only
    the place's name is imported with a notice."""
    text = ("# 书名\n\n## 静安区\n\n### 深夜的电波\n\n静安区街道社区电台主持人 沈佳怡\n\n问：怎么办起来的？\n\n"
            "答：开播。\n\n## 虹口区\n\n### 弄堂的故事\n\n虹口区街道社区电台志愿者 陆建国\n\n"
            "问：怎么办起来的？\n\n答：借了房子。\n\n## 杨浦区\n\n杨浦区街道社区电台志愿者 张伟\n\n"
            "问：怎么办起来的？\n\n答：自己凑的。\n")
    got, err = imported_text(tmp_path, capsys, text)
    assert [d["headline"] for d in got] == ["深夜的电波", "弄堂的故事", "杨浦区"]
    assert "s.md:13: a heading over another heading, read as a section's title" in err
    assert "s.md:23: the headline is the place's name, '杨浦区'" in err


def test_a_tab_and_a_misplaced_portrait_are_explained(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A tab in a YAML file is named as such; a missing portrait says where it was looked
    for, and that the file sits in the project folder instead of content/."""
    run(["new", str(tmp_path / "b")], capsys)
    project = tmp_path / "b"
    file = next((project / "content" / "interviews").glob("*.yaml"))
    lines = file.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if line.startswith("interviewee:"))
    lines.insert(at, "portrait: {src: images/p.png, alt: 像}")
    (project / "images").mkdir()
    (project / "images" / "p.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    file.write_text("\n".join(lines), encoding="utf-8")
    book = project / "content" / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace("\nslug:", "\n\tslug:"),
                    encoding="utf-8")
    code, err = run(["build", str(project)], capsys)
    assert code == 3
    tab = next(n for n, line in enumerate(book.read_text(encoding="utf-8").split("\n"), 1)
               if "\t" in line)
    assert f"content/book.yaml:{tab}: YAML syntax error: a tab character (column 1)" in err
    assert (f"{file.name}:{at + 1}: portrait 'images/p.png' not found (or a symlink to nothing) "
            "(looked for content/images/p.png; there is a images/p.png in the project folder: "
            "move it into content/)") in err


def test_the_importers_placeholders_are_named_until_replaced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """编者, 出版者 and 未命名访谈集 in book.yaml would be printed on the cover: the linter
    warns at their lines until the editor sets the book's own."""
    source = tmp_path / "s.txt"
    source.write_text("标题\n甲县中学校长 李明\n问：学校有多少学生？\n答：三百多人。\n", encoding="utf-8")
    assert run(["import", str(source), "-o", str(tmp_path / "content")], capsys)[0] == 0
    book = tmp_path / "content" / "book.yaml"
    lines = book.read_text(encoding="utf-8").split("\n")
    where = {key: n for n, line in enumerate(lines, 1) for key in ("title", "editors", "publisher")
             if line.startswith(f"{key}:")}
    with pytest.raises(SystemExit):
        main(["lint", str(tmp_path)])
    out = capsys.readouterr().out
    for key, value in (("title", "未命名访谈集"), ("editors", "编者"), ("publisher", "出版者")):
        assert (f"content/book.yaml:{where[key]}:1: warning [structure] {key} is still the "
                f"importer's placeholder '{value}'") in out
    code, err = run(["build", str(tmp_path), "--strict"], capsys)
    assert code != 0 and not (tmp_path / "output").exists()
    assert f"content/book.yaml:{where['publisher']}: publisher is still the importer's" in err
    text = book.read_text(encoding="utf-8").replace("未命名访谈集", "山里的学校").replace(
        "- 编者", "- 甲县教育局").replace("publisher: 出版者", "publisher: 甲县出版社")
    book.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["lint", str(tmp_path)])
    assert "placeholder" not in capsys.readouterr().out
