"""Shared fixtures: the repository, the first book typeset once, small sample projects."""

from __future__ import annotations

import hashlib
import shutil
import socket
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from publisher.content.model import Project
    from publisher.pdf.typeset import TypesetPDF

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


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Socket connections raise and are recorded: a test asserts none was attempted."""
    attempts: list[tuple] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access attempted during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture(autouse=True)
def _network_tests_cannot_connect(request: pytest.FixtureRequest) -> None:
    """Tests marked `network` are about remote URLs: in them, any connection fails."""
    if request.node.get_closest_marker("network"):
        request.getfixturevalue("no_network")


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "book")


@dataclass(frozen=True)
class FirstBook:
    """The first book typeset once: its project, the PDF (typeset in parts) and the EPUB."""

    root: Path
    project: Project
    typeset: TypesetPDF
    faces: list
    pdf: Path
    epub: Path


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def first_book(tmp_path_factory: pytest.TempPathFactory,
               private_cache: Path) -> Iterator[FirstBook]:
    """The first book (a copy of the repository's content/), typeset once per session.

    Read-only: a test that edits the book or damages its outputs makes its own copy. The
    session fails at teardown if any test changed a file of it.
    """
    from publisher.content import fonts
    from publisher.content.load import load_project
    from publisher.epub import package as epub
    from publisher.pdf import typeset as pdf

    root = tmp_path_factory.mktemp("first-book")
    shutil.copytree(REPO / "content", root / "content")
    project = load_project(root)
    faces = fonts.check(project)
    typeset = pdf.typeset(project, faces=faces)  # in parts, as `publisher build` does
    out = root / "output"
    out.mkdir()
    paths = {fmt: out / f"{project.book.slug}.{fmt}" for fmt in ("pdf", "epub")}
    paths["epub"].write_bytes(epub.package(project, typeset))
    paths["pdf"].write_bytes(typeset.data)
    before = _digests(root)
    yield FirstBook(root, project, typeset, faces, paths["pdf"], paths["epub"])
    assert _digests(root) == before, "a test changed the shared first book; copy it instead"
