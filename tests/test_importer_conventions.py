"""Speaker labels, office lines, regions and structure in the shapes manuscripts use."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from publisher.content.importer import grouped, parse_source
from publisher.content.importer.interviews import parse_paragraphs
from publisher.content.importer.sources import read_source, text_source
from publisher.content.importer.speakers import region_of, split_office
from publisher.errors import ContentError

HEAD = "标题\n甲市妇联主席 李娜\n"


def _pairs(text: str) -> list[tuple[str, list[str]]]:
    result = parse_source(text, "s.txt")
    assert len(result.interviews) == 1
    return [(p.question, p.answer) for p in result.interviews[0].pairs]


@pytest.mark.parametrize("q, a", [("问", "答"), ("Q", "A"), ("Ｑ", "Ａ"), ("记者", "李主席"),
                                  ("记者", "李娜"), ("主持人", "李娜"), ("主持人", "李主席")])
@pytest.mark.parametrize("colon", ["：", ":", "", " ", " ： "])
def test_speaker_labels(q: str, a: str, colon: str) -> None:
    text = HEAD + f"{q}{colon}今年做了什么？\n{a}{colon}做了很多。\n{q}{colon}明年呢？\n{a}{colon}继续。\n"
    assert _pairs(text) == [("今年做了什么？", ["做了很多。"]), ("明年呢？", ["继续。"])]


def test_numbered_latin_labels() -> None:
    assert _pairs(HEAD + "Q1：问一？\nA1：答一。\nQ2: 问二？\nA2: 答二。") == [
        ("问一？", ["答一。"]), ("问二？", ["答二。"])]


FURTHER = [  # paragraphs after an answer that start like a label but are not one
    "王主席：这是另一个人说的话，照录。",  # a title, but not this interviewee's
    "李局长：同姓的另一位领导说的话。",  # her surname, but not her title (she is 主席)
    "李娜说，这件事要慢慢来。",  # the name, without a colon, after an answer
    "问题是什么？大家都在想。",  # 问题 is a word
    "问题出在哪里？",
    "答案很简单。",
    "记者了解到，情况属实。",
    "主持人问我的时候，我没有准备。",
    "Apple公司也来了。",
    "A级景区有三个。",
    "A 级景区有三个。",
    "Q3季度的数据很好。",
    "张书记带头，李局长配合。",
]


def test_label_like_paragraphs_after_an_answer_are_further_paragraphs() -> None:
    text = HEAD + "问：做了什么？\n答：很多。\n" + "\n".join(FURTHER) + "\n问：还有呢？\n答：没有了。\n"
    assert _pairs(text) == [("做了什么？", ["很多。", *FURTHER]), ("还有呢？", ["没有了。"])]


def test_any_number_of_answer_paragraphs_anywhere() -> None:
    text = HEAD + "问：一？\n答：甲。\n乙。\n丙。\n问：二？\n答：丁。\n问：三？\n答：戊。\n己。\n"
    assert _pairs(text) == [("一？", ["甲。", "乙。", "丙。"]), ("二？", ["丁。"]),
                            ("三？", ["戊。", "己。"])]


def test_a_label_alone_on_its_line() -> None:
    text = HEAD + "问：\n今年做了什么？\n答：\n做了很多。\n还有一段。\n"
    assert _pairs(text) == [("今年做了什么？", ["做了很多。", "还有一段。"])]


def test_a_repeated_answer_label_continues_the_answer_with_a_notice() -> None:
    result = parse_source(HEAD + "问：一？\n答：甲。\n答：乙。\n", "s.txt")
    assert result.interviews[0].pairs[0].answer == ["甲。", "乙。"]
    assert grouped(result.notices) == ["s.txt:5: answer label after an answer; read as a "
                                       "further paragraph of that answer"]


@pytest.mark.parametrize("office, region", [
    ("成都市妇联党组书记、主席", "成都市"), ("泸州市妇联主席", "泸州市"),
    ("阿坝州妇联主席", "阿坝州"), ("甘孜藏族自治州妇联主席", "甘孜藏族自治州"),
    ("大兴安岭地区妇联主任", "大兴安岭地区"), ("锡林郭勒盟妇联主席", "锡林郭勒盟"),
    ("峨边彝族自治县妇联主席", "峨边彝族自治县"), ("鄂温克族自治旗妇联主席", "鄂温克族自治旗"),
    ("成都市武侯区妇联主席", "武侯区"), ("北川县妇联主席", "北川县"),
    ("四川省妇联主席", "四川省"), ("海淀区市场监管局局长", "海淀区"),
    ("——成都市妇联主席", "成都市"), ("（特约）成都市妇联主席", None), ("妇联主席", None),
])
def test_regions(office: str, region: str | None) -> None:
    assert region_of(office) == region


@pytest.mark.parametrize("line, expected", [
    ("甲市妇联主席 李娜", ("甲市妇联主席", "李娜")),
    ("甲市妇联党组书记、主席\t李娜", ("甲市妇联党组书记、主席", "李娜")),
    ("甲市妇联主席李娜", ("甲市妇联主席", "李娜")),
    ("甲市妇联主席 李　娜", ("甲市妇联主席", "李娜")),
    ("甲市妇联主席 阿依古丽·买买提", ("甲市妇联主席", "阿依古丽·买买提")),
    ("甲市妇联主席 王𠮷", ("甲市妇联主席", "王𠮷")),
    ("与此同时，市妇联主席 李娜", None),
    ("我们今天说的是 这些", ("我们今天说的是", "这些")),  # split, but no office: see below
])
def test_office_lines(line: str, expected: tuple[str, str] | None) -> None:
    found = split_office(line)
    assert (found[:2] if found else None) == expected


def test_a_sentence_ending_in_a_name_like_word_starts_no_interview() -> None:
    text = HEAD + "问：一？\n答：甲。\n我们今天说的是\n甲市妇联 供稿\n问：二？\n答：乙。\n"
    assert _pairs(text) == [("一？", ["甲。", "我们今天说的是", "甲市妇联 供稿"]), ("二？", ["乙。"])]


def test_markdown_headings_start_interviews(tmp_path: Path) -> None:
    source = tmp_path / "b.md"
    source.write_text("# 书名\n\n前言一段。\n\n## 第一篇\n\n甲市妇联主席 李娜\n\n**问：**一？\n\n"
                      "**答**：甲。\n\n1. 第一点；\n2. 第二点。\n\n- 要点\n\n## 第二篇\n\n"
                      "乙县县长 王芳\n\n问：二？\n\n答：乙，\n跨行。\n", encoding="utf-8")
    result = parse_paragraphs(read_source(source, "b.md"))
    assert [(i.headline, i.region) for i in result.interviews] == [("第一篇", "甲市"),
                                                                 ("第二篇", "乙县")]
    assert result.interviews[0].pairs[0].answer == ["甲。", "1. 第一点；", "2. 第二点。", "要点"]
    assert result.interviews[1].pairs[0].answer == ["乙，跨行。"]
    # The `#` line is the book's title (for book.yaml); the preface is left out.
    assert (result.title, result.title_line) == ("书名", 1)
    assert grouped(result.notices) == ["b.md:3: text before the first interview was not imported"]


def test_a_heading_that_starts_no_interview_is_a_problem() -> None:
    text = "## 第一篇\n\n甲市妇联主席 李娜\n\n问：一？\n\n答：甲。\n\n## 小结\n\n总之如此。\n"
    with pytest.raises(ContentError) as failure:
        parse_paragraphs(text_source(text, "b.md", markdown=True))
    assert "b.md:9: heading '小结' is not followed by an office-and-name line" in str(
        failure.value.format_message())


def test_word_structure_tables_pictures_and_line_breaks(tmp_path: Path) -> None:
    import docx
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, "PNG")
    document = docx.Document()
    document.add_heading("第一篇", level=1)
    document.add_paragraph("甲市妇联主席 李娜")
    question = document.add_paragraph()
    question.add_run("问").bold = True
    question.add_run("今年做了什么")  # bold label, no colon, no question mark
    answer = document.add_paragraph("答：做了很多。")
    answer.add_run().add_break()
    answer.add_run("换行后的一段。")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "表格"
    document.add_picture(image)
    document.add_paragraph("最后一段。")
    source = tmp_path / "b.docx"
    document.save(source)
    result = parse_paragraphs(read_source(source, "b.docx"))
    pair = result.interviews[0].pairs[0]
    assert (pair.question, pair.answer) == ("今年做了什么", ["做了很多。", "换行后的一段。", "最后一段。"])
    notices = grouped(result.notices)
    assert notices[0] == "b.docx:5: table not imported"
    assert notices[1].startswith("b.docx:6: picture not imported: to print it as the "
                                 "interviewee's portrait, save it into content/images/")
    assert len(notices) == 2


@pytest.mark.parametrize("office", ["雷山县报德村卫生室 乡村医生", "盐津县人民医院 护士",
                                    "昆明市作家协会 作家", "德钦县融媒体中心 记者", "红原县牧场 牧民",
                                    "安溪县茶叶合作社 茶农", "大理市公交公司 司机"])
def test_interviewees_introduced_by_their_calling(office: str) -> None:
    # A book of other trades than the first's officials (tried on a new book: 乡村医生 was
    # read as no office line, and the import found no interview).
    result = parse_source(f"山路上的药箱\n{office} 杨秀珏\n问：您好？\n答：好。\n", "s.txt")
    assert [(i.name, i.headline) for i in result.interviews] == [("杨秀珏", "山路上的药箱")]


@pytest.mark.parametrize(("office", "name"), [
    ("寿光市丰收果蔬专业合作社会计", "王秀梅"), ("黑河市图书馆志愿者讲解", "王秀"),
    ("三亚市椰子加工厂质检", "禤国强"), ("林芝市藏医院藏医", "扎西顿珠"), ("白水县城关派出所民警", "王秀梅"),
    ("九寨沟县景区导游", "阿依古丽·吐尔逊")])
def test_any_calling_before_a_labelled_question(office: str, name: str) -> None:
    # A held-out book's interviewee was a cooperative's accountant (会计): no list of
    # titles ends so, and the book would not import. A labelled question after the line
    # makes it an office all the same, with a notice to check it.
    result = parse_source(f"大棚里的账本\n{office} {name}\n问：您好？\n答：好。\n", "s.txt")
    assert [(i.name, i.headline) for i in result.interviews] == [(name, "大棚里的账本")]
    assert "s.txt:2: an office that ends in no known title" in "\n".join(
        f"{n.path}:{n.line}: {n.kind}" for n in result.notices)
    with pytest.raises(ContentError):  # a line ending in a name-like word, and no question
        parse_source(f"大棚里的账本\n{office} {name}\n您好？\n答：好。\n", "s.txt")
    with pytest.raises(ContentError):  # a word (供稿) where the name should be
        parse_source(f"大棚里的账本\n{office} 供稿\n问：您好？\n答：好。\n", "s.txt")
