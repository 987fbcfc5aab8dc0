"""Tests for publisher.text.typography: each rule on short strings, then on real renders."""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET

import pdfplumber
import pytest
import weasyprint
from conftest import SOURCE
from markupsafe import Markup
from pdf_render import FONT_SIZE, MARGIN, RIGHT, flush_ratio, is_flush, paragraph_lines, render

from publisher.check import pdftext as pdfcheck
from publisher.pdf import justify
from publisher.text import typography
from publisher.text.typography import WJ, ZWSP

FORBIDDEN_START = set("，。、；：？！）》」』”’…·～—")
FORBIDDEN_END = set("（《「『“‘")

PARAGRAPHS = [
    "“她共识”“她动能”是今年的关键词。2022年，全市共有14个区县参与试点，"
    "覆盖妇女儿童约36万人次；项目组还用Python和WeasyPrint做了一套排版工具——"
    "据负责人介绍，这套工具“省时、省力”，已经在3～5个单位推广。",
    "她说：“我们要把‘急难愁盼’的问题一个一个解决好。”随后，她又补充道："
    "“不只是口号，而是要落到实处！”会上，大家围绕《关于加强妇女儿童权益保障的意见》"
    "（试行）展开讨论，并就AI、5G、大数据等新技术的应用交换了意见……",
    "成都·青羊区的张老师今年45岁，从教20余年。她认为，教育不是“灌输”，而是“点燃”；"
    "孩子们需要的不只是知识，还有好奇心—一种愿意追问“为什么”的精神。她笑着说，"
    "自己最大的愿望就是看到学生们“学有所成，心有所向”。",
    "在乡村振兴的大背景下，越来越多的年轻人选择回到家乡创业。他们用手机直播带货，"
    "把大山里的核桃、花椒、腊肉卖到了全国各地；有人一年的销售额超过100万元，"
    "有人则带动了整个村子的就业。“以前总想着往外走，现在发现家门口也有机会。”一位返乡青年这样说。",
] * 4


# --- rules on short strings -------------------------------------------------------------


def test_join_before_marks():
    assert typography.join_before_marks("成都·青羊") == f"成都{WJ}·青羊"
    assert typography.join_before_marks("3～5天") == f"3{WJ}～5天"
    assert typography.join_before_marks("好奇心—一种") == f"好奇心{WJ}—一种"
    assert typography.join_before_marks("工具——据说") == f"工具{WJ}——据说"
    assert typography.join_before_marks("——开头") == "——开头"


def test_break_around_quotes():
    assert typography.break_around_quotes("是“灌输”而") == f"是{ZWSP}“灌输”{ZWSP}而"
    assert typography.break_around_quotes("她说：“好。”") == f"她说：{ZWSP}“好。”"
    # No break after an opening mark or before a closing one.
    assert typography.break_around_quotes("（“试行”）") == "（“试行”）"
    assert typography.break_around_quotes("“她共识”“她动能”") == f"“她共识”{ZWSP}“她动能”"
    assert typography.break_around_quotes("don’t stop") == "don’t stop"


def test_keep_last_chars():
    assert typography.keep_last_chars("这是最后的事。") == f"这是最后的{WJ}事。"
    assert typography.keep_last_chars("说得好，吗？") == f"说得好，{WJ}吗？"
    # The break the quote rule allowed before “ is taken back.
    assert typography.keep_last_chars(f"他说{ZWSP}“好”") == f"他说{WJ}“好”"
    assert typography.keep_last_chars("uses Python") == "uses Python"
    assert typography.keep_last_chars("字") == "字"


def test_gap_positions():
    assert typography.gap_positions("用Python做") == [1, 7]
    assert typography.gap_positions("2022年") == [4]
    assert typography.gap_positions("100%的") == []
    assert typography.gap_positions("中文，ABC") == []
    # The last-line joiner stays after the gap.
    assert typography.gap_positions(f"用Python{WJ}做") == [1, 7]


def test_halt_positions():
    assert typography.halt_positions("好。”他") == [1]
    assert typography.halt_positions(f"题。{ZWSP}“她") == [1]
    assert typography.halt_positions("意见》（试行）。") == [2, 6]
    assert typography.halt_positions("一，二") == []


def test_prepare_escapes_input():
    out = typography.prepare("<b>粗体</b> & {{ x }} “引号”")
    assert isinstance(out, typography.Markup)
    assert "<b>" not in out and "&lt;b&gt;" in out and "&amp;" in out
    assert "{{ x }}" in out


def test_prepare_is_well_formed_xhtml():
    for text in PARAGRAPHS[:4] + ["<i>x</i> & “a” 2022年"]:
        fragment = f'<p xmlns="http://www.w3.org/1999/xhtml">{typography.prepare(text)}</p>'
        element = ET.fromstring(fragment)
        visible = "".join(element.itertext()).replace(WJ, "").replace(ZWSP, "")
        assert visible == text


def test_prepare_spans():
    out = typography.prepare("用Python做。”好")
    gap = '<span class="cjk-gap"></span>'
    assert f"用{gap}{ZWSP}Python{gap}{ZWSP}做" in out
    assert '<span class="halt">。</span>”' in out
    assert ".cjk-gap" in typography.CSS and ".halt" in typography.CSS


def test_invisible_characters_are_not_notdef(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC"):
        document = (
            f'<html lang="zh-CN"><body style="font-family: \'{family}\'">'
            f"<p>中{WJ}文{ZWSP}字</p></body></html>")
        pdf = weasyprint.HTML(string=document).write_pdf()
        with pdfplumber.open(io.BytesIO(pdf)) as doc:
            fonts = {char["fontname"].split("+")[-1] for char in doc.pages[0].chars}
        assert fonts and all("CJK" in font for font in fonts)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]


# --- real renders --------------------------------------------------------------------


def render_lines(paragraphs: list[str]) -> list[list[list[dict]]]:
    """Render prepared paragraphs and return each paragraph's lines of PDF characters.

    The text layer gains nothing visible: the gaps are margins, the rest zero-width.
    """
    pdf = render([typography.prepare(p) for p in paragraphs], typography.CSS)
    return paragraph_lines(pdf, paragraphs)


def line_text(line: list[dict]) -> str:
    return "".join(c["text"] for c in line if c["text"] not in (WJ, ZWSP, " "))


def check_rules(grouped: list[list[list[dict]]]) -> None:
    for group in grouped:
        texts = [line_text(line) for line in group]
        for text in texts[1:]:
            assert text[0] not in FORBIDDEN_START, text
        for text in texts[:-1]:
            assert text[-1] not in FORBIDDEN_END, text
        letters = [c for c in texts[-1] if re.match(r"\w", c)]
        assert len(texts) == 1 or len(letters) >= 2, texts[-1]
        for line in group[1:]:
            # No gap margin at a line start: a line starts at the margin.
            assert line[0]["x0"] >= MARGIN - FONT_SIZE / 2 - 0.01
            if line[0]["text"] not in typography.HALT_MARKS:
                assert abs(line[0]["x0"] - MARGIN) < 0.01, line_text(line)


@pytest.fixture
def installed(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    justify.install()
    yield
    justify.uninstall()
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]


def test_render_synthetic(installed):
    grouped = render_lines(PARAGRAPHS)
    check_rules(grouped)
    assert sum(len(group) - 1 for group in grouped) > 50
    assert flush_ratio(grouped) >= 0.99


def test_render_breaks_at_gaps(installed):
    grouped = render_lines(["测试排版引擎WeasyPrint的效果，" * 14 + "一共用了2022年的数据。"])
    check_rules(grouped)
    (group,) = grouped
    texts = [line_text(line) for line in group]
    # Lines do break at Han–Latin boundaries, and the gap left at a line end is trimmed.
    assert any(text.startswith("WeasyPrint") for text in texts)
    assert all(map(is_flush, group[:-1]))


def test_render_sample_source(installed):
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    paragraphs = [line.strip() for line in lines if len(line.strip()) > 40][:80]
    grouped = render_lines(paragraphs)
    check_rules(grouped)
    assert flush_ratio(grouped) >= 0.99


# A portrait floated right into the text column, as the book's layout sets one.
FLOAT_WIDTH, FLOAT_HEIGHT, FLOAT_GAP = 60, 90, 12  # pt


def floated_image(tmp_path) -> Markup:
    from PIL import Image

    path = tmp_path / "portrait.png"
    Image.new("RGB", (60, 90), (140, 28, 19)).save(path)
    return Markup(f'<img src="{path.as_uri()}" style="float: right; width: {FLOAT_WIDTH}pt; '
                  f'height: {FLOAT_HEIGHT}pt; margin: 0 0 6pt {FLOAT_GAP}pt">')


def test_render_beside_a_float_is_flush_with_the_float(installed, tmp_path):
    paragraphs = PARAGRAPHS[:2]
    pdf = render([floated_image(tmp_path) + typography.prepare(paragraphs[0]),
                  typography.prepare(paragraphs[1])], typography.CSS)
    grouped = paragraph_lines(pdf, paragraphs)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        [image] = document.pages[0].images
    beside_edge = RIGHT - FLOAT_WIDTH - FLOAT_GAP
    assert abs(image["x0"] - FLOAT_GAP - beside_edge) < 0.5
    non_last = [line for group in grouped for line in group[:-1]]
    beside = [line for line in non_last if line[0]["top"] < image["bottom"]]
    assert len(beside) >= 4
    # Measured against the full measure, the lines beside the float would all be short.
    assert not any(is_flush(line) for line in beside)
    assert all(is_flush(line, beside_edge) for line in beside)
    assert all(is_flush(line) for line in non_last if line not in beside)
    # The PDF's own check measures each line against the space beside the float too.
    path = tmp_path / "float.pdf"
    path.write_bytes(pdf)
    report = pdfcheck.analyse(path)
    assert report.body_lines == len(non_last) and report.flush_ratio == 1.0, report.ragged


def test_ragged_line_beside_a_float_is_caught(installed, tmp_path):
    text = PARAGRAPHS[0]
    # A forced break makes the third line end well short of the float's edge.
    pdf = render([floated_image(tmp_path) + typography.prepare(text[:40]) + Markup("<br>")
                  + typography.prepare(text[40:])], typography.CSS)
    path = tmp_path / "ragged.pdf"
    path.write_bytes(pdf)
    report = pdfcheck.analyse(path)
    assert report.body_lines - report.flush_lines == 1
    [ragged] = report.ragged
    assert text[36:40] in ragged, ragged
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        [image] = document.pages[0].images
        short = next(c for c in document.pages[0].chars if c["text"] == text[39])
    assert short["bottom"] < image["bottom"] and short["x1"] < image["x0"] - FLOAT_GAP - 20


def test_lines_ending_in_a_gap_stay_beside_the_float(installed, tmp_path):
    """A justified line whose trailing Han–Latin gap was trimmed must not measure wider than
    the space beside a float: WeasyPrint measures a line again when it is taller than its
    strut (a sans answer mark) and would push one that seems too wide below the float."""
    image = floated_image(tmp_path)
    mark = Markup('<span style="font-family: \'Noto Sans CJK SC\'; font-weight: bold">答：</span>')
    filler = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
    texts = [filler[:k] + "全县茶园面积达到92万亩，毛茶产量、综合产值都创了新高，产值1200万元。" * 2
             for k in range(len(filler))]
    blocks = [Markup('<div style="clear: both">') + image + mark + typography.prepare(text)
              + Markup("</div>") for text in texts]
    pdf = render(blocks, typography.CSS)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for placed in page.images:
                beside = [c for c in page.chars if c["text"].strip()
                          and placed["top"] <= c["top"] < placed["bottom"] - FONT_SIZE
                          and c["x1"] < placed["x0"]]
                assert beside, f"no text beside the float at {placed['top']:.0f} pt"
