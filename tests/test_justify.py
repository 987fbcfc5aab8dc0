"""Tests for publisher.pdf.justify: CJK lines are flush after install(), Latin lines unchanged."""

from __future__ import annotations

import html
import logging
import random

import pytest
import weasyprint
from pdf_render import (
    FONT_SIZE,
    MARGIN,
    RIGHT,
    flush_ratio,
    paragraph_lines,
    pdf_lines,
    render,
)

from publisher.pdf import justify

_WORD_LIST = (
    "我们 今天 城市 发展 妇女 儿童 家庭 工作 社会 建设 文化 历史 学校 老师 学生 问题 时间 "
    "地方 经济 生活 朋友 研究 项目 政策 技术 服务 组织 活动 计划 目标 成果 经验 传统 未来 "
    "希望 世界 农村 乡村 医院 医生 企业 市场 产品 数据 平台 网络 环境 保护 森林 山区 交通 "
    "的 了 在 是 和 与 对 把 被 从 向 也 都 又 还 就 才"
)
WORDS = _WORD_LIST.split()
LATIN = ["AI", "Python", "GDP", "WeasyPrint", "5G", "App", "PDF", "iPhone", "COVID-19"]


def _piece(rng: random.Random) -> str:
    kind = rng.random()
    words = "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
    if kind < 0.07:
        return f"{rng.randint(1, 2024)}{rng.choice('年个万名次')}"
    if kind < 0.12:
        return rng.choice(LATIN)
    if kind < 0.18:
        return f"“{words}”"
    if kind < 0.21:
        return f"《{words}》"
    if kind < 0.24:
        return f"（{words}）"
    if kind < 0.26:
        return f"{rng.choice(WORDS)}·{words}"
    if kind < 0.28:
        return f"{rng.randint(1, 9)}～{rng.randint(10, 30)}天"
    if kind < 0.30:
        return f"——{words}"
    if kind < 0.32:
        return f"—{words}"
    if kind < 0.34:
        return f"‘{words}’"
    if kind < 0.36:
        return f"{words}……"
    return words


def synthetic_paragraphs(count: int, seed: int = 1) -> list[str]:
    """Return Chinese paragraphs with punctuation, quotes, digits and Latin words."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(count):
        sentences = []
        for _ in range(rng.randint(2, 7)):
            parts = []
            for _ in range(rng.randint(3, 9)):
                parts.append(_piece(rng))
                if rng.random() < 0.4:
                    parts.append(rng.choice("，，，、；："))
            text = "".join(parts).rstrip("，、；：")
            end = rng.choice(["。", "。", "？", "！", "。”", "！”"])
            sentences.append(("“" if end.endswith("”") else "") + text + end)
        paragraphs.append("".join(sentences))
    return paragraphs


@pytest.fixture
def installed():
    justify.install()
    yield
    justify.uninstall()


@pytest.fixture
def no_warnings(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert not warnings


PARAGRAPHS = synthetic_paragraphs(30)


def test_naive_baseline_is_ragged(no_warnings):
    justify.uninstall()
    grouped = paragraph_lines(render([html.escape(p) for p in PARAGRAPHS]), PARAGRAPHS)
    assert flush_ratio(grouped) < 0.5


def test_cjk_lines_are_flush(installed, no_warnings):
    grouped = paragraph_lines(render([html.escape(p) for p in PARAGRAPHS]), PARAGRAPHS)
    assert sum(len(group) - 1 for group in grouped) > 100
    assert flush_ratio(grouped) >= 0.99
    for group in grouped:
        for line in group:
            # Letter-spacing only moves glyphs right of the line start, never left of it.
            assert line[0]["x0"] >= MARGIN - 0.01


def test_last_line_stays_unjustified(installed):
    paragraphs = ["城市发展" * 20 + "建设。"]
    (group,) = paragraph_lines(render(paragraphs), paragraphs)
    last = group[-1]
    advances = [b["x0"] - a["x0"] for a, b in zip(last, last[1:], strict=False)]
    assert all(abs(advance - FONT_SIZE) < 0.01 for advance in advances)
    assert RIGHT - last[-1]["x1"] > 2 * FONT_SIZE


def test_spaces_and_cjk_mixed_line_is_flush(installed):
    paragraphs = ["这是一段 mixed text 与中文混排的句子，里面有 several English words 和汉字。" * 6]
    grouped = paragraph_lines(render(paragraphs), paragraphs)
    assert flush_ratio(grouped) >= 0.99


def test_latin_only_lines_unchanged(no_warnings):
    paragraphs = ["The quick brown fox jumps over the lazy dog, again and again. " * 12]

    def positions() -> list[tuple[str, float]]:
        pdf = render([html.escape(p) for p in paragraphs])
        return [(c["text"], round(c["x0"], 3)) for line in pdf_lines(pdf) for c in line]

    justify.uninstall()
    before = positions()
    justify.install()
    try:
        assert positions() == before
    finally:
        justify.uninstall()


def test_install_is_idempotent():
    original = weasyprint.layout.inline.justify_line
    justify.install()
    patched = weasyprint.layout.inline.justify_line
    justify.install()
    assert weasyprint.layout.inline.justify_line is patched is not original
    justify.uninstall()
    assert weasyprint.layout.inline.justify_line is original


def test_version_guard(monkeypatch):
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(RuntimeError, match="71.0"):
        justify.install()
    assert justify.is_supported("70.0") and not justify.is_supported("170.0")
