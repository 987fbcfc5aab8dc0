"""Shared fixtures: the repository, the first book's source, small sample projects."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO.parent / "shared" / "sources" / "000_60f0d1ff23c14434.txt"

SAMPLE_BOOK = """\
title: 样书
subtitle: 访谈两则
language: zh-CN
editors: [编者甲]
publisher: 测试出版社
edition: 第1版
date: "2024-05-01"
identifier: urn:uuid:00000000-0000-4000-8000-000000000001
slug: sample-book
questions:
  - id: q1
    label: 工作亮点
    text: 今年{place}有哪些亮点？
  - id: q2
    label: 明年打算
    text: 明年有什么打算？
"""

SAMPLE_INTERVIEW = """\
order: {order}
slug: {slug}
region: {region}
headline: {region}的春天
interviewee:
  name: 李明
  office: {region}妇联主席
qa:
  - question: 今年{region}有哪些亮点？
    answer:
      - 今年我们开展了“巾帼建功”活动，覆盖全{region}一百二十个社区，服务妇女儿童三万余人次。
      - 第二段回答，继续说明情况。
  - question: 明年有什么打算？
    answer: [明年将继续推进儿童友好城市建设。]
"""


def write_project(root: Path, regions: tuple[str, ...] = ("成都市", "绵阳市"),
                  book: str = SAMPLE_BOOK) -> Path:
    """Write a small valid project under root and return root."""
    (root / "content" / "interviews").mkdir(parents=True, exist_ok=True)
    (root / "content" / "book.yaml").write_text(book, encoding="utf-8")
    slugs = {"成都市": "chengdu", "绵阳市": "mianyang", "自贡市": "zigong"}
    for order, region in enumerate(regions, 1):
        text = SAMPLE_INTERVIEW.format(order=order, slug=slugs[region], region=region)
        (root / "content" / "interviews" / f"{order:02d}-{slugs[region]}.yaml").write_text(
            textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Cached parts and fonts go to a folder of this session, never the user's cache."""
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PUBLISHER_CACHE", str(folder))
        yield folder


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "book")


@pytest.fixture(scope="session")
def first_book(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The first book (the repository's content/) built once per test session."""
    from publisher.build import build

    out = tmp_path_factory.mktemp("first-book")
    result = build(REPO, out)
    return dict(result.outputs)
