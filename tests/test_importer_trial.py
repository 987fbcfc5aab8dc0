"""A new user's trial: long names, other interviewee lines, titles, notes, invisible spaces,
a project folder for the content folder, and importing into a project made by `new`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from publisher.cli import main

STANDARD = ("您在这里生活多少年了？", "请谈谈合作社的情况。")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    captured = capsys.readouterr()
    return done.value.code or 0, captured.out, captured.err


def interview(headline: str, who: str, answers: tuple[str, str] = ("答一。", "答二。")) -> list[str]:
    return [headline, who, f"问：{STANDARD[0]}", f"答：{answers[0]}",
            f"问：{STANDARD[1]}", f"答：{answers[1]}"]


def imported(tmp_path: Path, lines: list[str], capsys: pytest.CaptureFixture[str],
             suffix: str = "txt") -> tuple[list[dict], str, Path]:
    """Import the manuscript; the interviews as written, the notices, the content folder."""
    source = tmp_path / f"s.{suffix}"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    content = tmp_path / "out" / "content"
    code, _, err = run(["import", str(source), "-o", str(content)], capsys)
    assert code == 0, err
    files = sorted((content / "interviews").glob("*.yaml"))
    return [yaml.safe_load(f.read_text(encoding="utf-8")) for f in files], err, content


def refused(tmp_path: Path, lines: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Import a manuscript that must be refused: exit 3, nothing written; the message."""
    source = tmp_path / "s.txt"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    content = tmp_path / "out" / "content"
    code, _, err = run(["import", str(source), "-o", str(content)], capsys)
    assert code == 3 and not content.exists(), err
    return err


def who(data: dict) -> tuple[str, str]:
    return data["interviewee"]["office"], data["interviewee"]["name"]


# Item 1: names of five to eight characters (Tibetan names; Uyghur ones without a dot).

@pytest.mark.parametrize("name", ["索南才让多杰", "阿卜杜热合曼", "格桑德吉央宗卓", "次仁旺堆扎西多吉"])
def test_a_long_name_is_read_first_and_after_an_answer(name: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    lines = (interview("牧场上的春天", f"乙县牧民合作社理事长 {name}")
             + interview("山谷里的学校", "丙县中学校长 李明")
             + interview("雪山下的诊所", f"丁县人民医院院长 {name}"))
    got, err, _ = imported(tmp_path, lines, capsys)
    assert [who(d) for d in got] == [("乙县牧民合作社理事长", name), ("丙县中学校长", "李明"),
                                     ("丁县人民医院院长", name)]
    assert [d["headline"] for d in got] == ["牧场上的春天", "山谷里的学校", "雪山下的诊所"]
    assert all([p["answer"] for p in d["qa"]] == [["答一。"], ["答二。"]] for d in got)
    assert "text before the first interview" not in err


def test_a_long_word_after_an_office_is_no_name(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A calling or a place of five characters or more after a spaced office is not a name:
    the line stays a paragraph of the answer."""
    lines = interview("标题", "甲县妇联主席 王芳")
    lines[4:4] = ["小标题", "甲县妇联主席 乡村振兴带头人"]
    got, _, _ = imported(tmp_path, lines, capsys)
    assert len(got) == 1
    assert got[0]["qa"][0]["answer"] == ["答一。", "小标题", "甲县妇联主席 乡村振兴带头人"]


# Item 2: the name first, `受访人：NAME（OFFICE）`, and never a silent merge.

def test_name_first_and_interviewee_label_forms(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    lines = (interview("第一篇", "王䶮 戊县某镇某村党支部书记")
             + interview("第二篇", "受访人：杨𬌗（己县某镇草原管护员）")
             + interview("第三篇", "受访者：庚市妇联主席 赵敏")
             + interview("第四篇", "辛县文化馆馆长 阿依努尔"))
    got, err, _ = imported(tmp_path, lines, capsys)
    assert [who(d) for d in got] == [("戊县某镇某村党支部书记", "王䶮"), ("己县某镇草原管护员", "杨𬌗"),
                                     ("庚市妇联主席", "赵敏"), ("辛县文化馆馆长", "阿依努尔")]
    assert [d["region"] for d in got] == ["戊县", "己县", "庚市", "辛县"]
    assert all(len(d["qa"]) == 2 for d in got)
    assert "s.txt:2: name before the office; read as the name, then the office" in err
    assert "s.txt:8: interviewee line as 受访人：NAME（OFFICE）" in err


def test_an_unread_first_interviewee_line_is_refused(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    lines = interview("第一篇", "才让，壬县草原站站长") + interview("第二篇", "癸县县长 周强")
    err = refused(tmp_path, lines, capsys)
    assert "s.txt:2: cannot read '才让，壬县草原站站长' as an interviewee line" in err
    assert "NAME OFFICE" in err and "受访人：NAME（OFFICE）" in err


def test_an_unread_interviewee_line_between_interviews_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The second interview's lines would become answer paragraphs of the first, its
    questions asked again: refused at the line that was not read."""
    lines = interview("第一篇", "甲县县长 周强") + interview("第二篇", "才让，壬县草原站站长")
    err = refused(tmp_path, lines, capsys)
    assert "s.txt:8: cannot read '才让，壬县草原站站长' as an interviewee line" in err
    assert "was asked already on line 3" in err and "if a new interview starts on line 7" in err


def test_a_question_asked_again_is_a_notice(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    lines = interview("第一篇", "甲县县长 周强") + ["问：还有呢？", "答：没有了。", "问：还有呢？",
                                                  "答：真没有了。"]
    got, err, _ = imported(tmp_path, lines, capsys)
    assert [p["question"] for p in got[0]["qa"]] == [*STANDARD, "还有呢？", "还有呢？"]
    assert "s.txt:9: a question asked already in this interview (line 7)" in err


# Item 3: a project's folder for its content folder.

def test_a_project_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "P"
    assert run(["new", str(project)], capsys)[0] == 0
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    source = tmp_path / "s.txt"
    source.write_text("\n".join(interview("第一篇", "甲县县长 周强")), encoding="utf-8")
    code, _, err = run(["import", str(source), "-o", str(project)], capsys)
    assert code == 3
    assert f"{project}: is a book project's folder" in err
    assert f"Did you mean -o {project / 'content'}?" in err
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


# Item 4: the book's title from the manuscript.

def _book(content: Path) -> dict:
    return yaml.safe_load((content / "book.yaml").read_text(encoding="utf-8"))


def test_title_from_a_txt_first_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["草原上的日子——牧区访谈录", "", *interview("第一篇", "甲县县长 周强")]
    _, err, content = imported(tmp_path, lines, capsys)
    book = _book(content)
    assert (book["title"], book["subtitle"], book["slug"]) == ("草原上的日子", "牧区访谈录",
                                                               "cao-yuan-shang-de-ri-zi")
    assert "s.txt:1: taken as the book's title in book.yaml: 草原上的日子——牧区访谈录" in err
    assert "text before the first interview" not in err


def test_title_from_a_markdown_heading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["# 2024 Oral History 口述", "", "前言。", "", "## 第一篇", "", "甲县县长 周强", "",
             "问：一？", "", "答：二。"]
    _, err, content = imported(tmp_path, lines, capsys, "md")
    assert (_book(content)["title"], _book(content)["slug"]) == ("2024 Oral History 口述",
                                                                 "2024-oral-history-kou-shu")
    assert "s.md:3: text before the first interview was not imported" in err


def test_title_from_a_word_title(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("山水之间", style="Title")
    document.add_paragraph("编者的话。")
    for text in interview("第一篇", "甲县县长 周强"):
        document.add_paragraph(text)
    source = tmp_path / "s.docx"
    document.save(str(source))
    content = tmp_path / "content"
    code, _, err = run(["import", str(source), "-o", str(content)], capsys)
    assert code == 0, err
    assert (_book(content)["title"], _book(content)["slug"]) == ("山水之间", "shan-shui-zhi-jian")


@pytest.mark.parametrize("head", [["第一行", "第二行", ""], ["不是书名。", ""], []])
def test_no_title_keeps_the_placeholder_and_says_so(head: list[str], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _, err, content = imported(tmp_path, [*head, *interview("第一篇", "甲县县长 周强")], capsys)
    assert (_book(content)["title"], _book(content)["slug"]) == ("未命名访谈集", "book")
    assert "no title found" in err and "set its title and slug" in err


# Item 5: importing into a project made by `publisher new`.

@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    root = tmp_path / "P"
    assert run(["new", str(root)], capsys)[0] == 0
    source = tmp_path / "s.txt"
    source.write_text("\n".join(interview("第一篇", "甲县县长 周强")
                                + interview("第二篇", "乙县县长 吴芳")), encoding="utf-8")
    return root, source


def test_import_replaces_the_sample_with_force_as_the_hint_says(
        project: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, source = project
    content = root / "content"
    sample = _book(content)
    code, _, err = run(["import", str(source), "-o", str(content)], capsys)
    assert code == 3 and "already holds 1 interview file (01-sample.yaml)" in err
    assert "add --force" in err
    code, out, err = run(["import", str(source), "-o", str(content), "--force"], capsys)
    assert code == 0, err
    assert [p.name for p in sorted((content / "interviews").iterdir())] == ["01-jiaxian.yaml",
                                                                             "02-yixian.yaml"]
    book = _book(content)
    assert [q["text"] for q in book["questions"]] == list(STANDARD)  # inferred, not the sample's
    assert book["publisher"] != sample["publisher"] and book["title"] == "未命名访谈集"
    assert (book["identifier"], book["date"]) == (sample["identifier"], sample["date"])
    assert "replaced the unedited sample of `publisher new`" in err
    assert "imported 2 interviews, 4 question–answer pairs; wrote 3 files" in out


def test_an_edited_book_yaml_is_kept_with_what_to_do(project: tuple[Path, Path],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    root, source = project
    content = root / "content"
    (content / "interviews" / "01-sample.yaml").unlink()
    book = content / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace("样书出版社", "某某出版社"),
                    encoding="utf-8")
    before = book.read_bytes()
    code, _, err = run(["import", str(source), "-o", str(content)], capsys)
    assert code == 0 and book.read_bytes() == before
    assert f"{book}: kept as it is" in err and "the 2 standard questions inferred" in err
    assert "move it away (to book.old.yaml), run this import again with --force" in err


def test_an_edited_sample_is_named_and_force_is_not_promised(
        project: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    root, source = project
    content = root / "content"
    sample = content / "interviews" / "01-sample.yaml"
    sample.write_text(sample.read_text(encoding="utf-8") + "# 改过\n", encoding="utf-8")
    for extra in ([], ["--force"]):
        code, _, err = run(["import", str(source), "-o", str(content), *extra], capsys)
        assert code == 3 and "add --force" not in err
        assert f"{sample}: was not written by the importer" in err and "move it away" in err
    assert sample.read_text(encoding="utf-8").endswith("# 改过\n")


# Item 6: an editor's note.

def test_a_note_after_an_answer_goes_to_notes(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    lines = interview("第一篇", "甲县县长 周强")
    lines[4:4] = ["注：合作社成立于2015年。"]
    lines += ["注:本文据录音整理。", "第二段说明。"]
    got, err, _ = imported(tmp_path, lines, capsys)
    assert [p["answer"] for p in got[0]["qa"]] == [["答一。"], ["答二。"]]
    assert got[0]["notes"] == ["注：合作社成立于2015年。", "注:本文据录音整理。", "第二段说明。"]
    assert "s.txt:9: a paragraph after a note (注：); read as part of the note" in err


# Item 7: one interview, one file: singular.

def test_counts_are_singular_for_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "s.txt"
    source.write_text("\n".join(["标题", "甲县县长 周强", "问：一？", "答：二。"]), encoding="utf-8")
    content = tmp_path / "content"
    code, out, _ = run(["import", str(source), "-o", str(content)], capsys)
    assert code == 0
    assert out.strip() == f"imported 1 interview, 1 question–answer pair; wrote 2 files to {content}"
    code, _, err = run(["import", str(source), "-o", str(content)], capsys)
    assert code == 3 and "already holds 1 interview file (01-jiaxian.yaml)" in err


# Item 8: invisible spaces between Chinese characters.

@pytest.mark.parametrize("space", ["\u00a0", "\u2002", "\u2005", "\u200b", "\u3000", "\u202f"])
def test_invisible_spaces_between_chinese_are_removed(space: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    lines = interview("第一篇", "甲县县长 周强",
                      (f"能浮起来。{space}我小时候", f"长了10{space}km的路，{space}又{space}{space}宽"))
    lines[0] = f"山{space}水"
    got, err, _ = imported(tmp_path, lines, capsys)
    assert got[0]["headline"] == "山水"
    assert [p["answer"] for p in got[0]["qa"]] == [["能浮起来。我小时候"],
                                                   [f"长了10{space}km的路，又宽"]]
    assert f"s.txt:1: removed the invisible space U+{ord(space):04X}" in err
    assert "between Chinese characters (4 times: lines 1, 4, 6)" in err


def test_an_office_that_begins_with_a_bare_city_name_gives_the_region(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 青岛大剧院, 宁波航标处: newspapers drop the 市 before an institution's name.
    lines = (interview("琴弦上的功夫", "青岛大剧院钢琴调律师 马骁")
             + interview("守着一座灯塔", "宁波航标处花鸟灯塔守塔人 叶海生"))
    found, notices, content = imported(tmp_path, lines, capsys)
    assert [i["region"] for i in found] == ["青岛", "宁波"]
    assert "s.txt:2: region read as '青岛'" in notices
    from publisher.content.load import load_project
    assert [i.region for i in load_project(content.parent).interviews] == ["青岛", "宁波"]
    # An office that begins with no place is still refused, with what to do.
    (tmp_path / "none").mkdir()
    message = refused(tmp_path / "none", interview("标题", "海洋研究所研究员 王芳"), capsys)
    assert "cannot tell the region from the office '海洋研究所研究员'" in message
