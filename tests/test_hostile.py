"""Hostile and broken input: contained, reported as path:line, nothing written (issue 7)."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from publisher.build import limits
from publisher.cli import main
from publisher.content import yamlsafe
from publisher.content.load import load_project
from publisher.errors import BuildError
from publisher.pdf.fetch import make_fetcher
from publisher.render.templates import render

BAD = Path(__file__).parent / "bad"
BASE = BAD / "_base"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir() and not p.name.startswith("_"))
LOCATED = re.compile(r"(?:^|\s)[^\s:]+:\d+(?::\d+)?: \S", re.M)  # a `path:line: message`


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def materialise(case: Path | None, dest: Path) -> Path:
    """The base project with a case's files laid over it and its setup.txt applied."""
    shutil.copytree(BASE, dest)
    if case is None:
        return dest
    for file in case.rglob("*"):
        rel = file.relative_to(case)
        if file.is_file() and str(rel) not in ("expected.txt", "setup.txt"):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, dest / rel)
    setup = case / "setup.txt"
    for line in setup.read_text().splitlines() if setup.exists() else []:
        verb, rel, *arg = line.split()
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if verb == "symlink":
            target.unlink(missing_ok=True)
            target.symlink_to(arg[0])
        elif verb == "remove":
            target.unlink()
        elif verb == "fill":  # grow a file with comment lines: too large to commit
            with target.open("a", encoding="utf-8") as handle:
                while target.stat().st_size < int(arg[0]):
                    handle.write("# " + "x" * 1000 + "\n")
        else:
            raise AssertionError(f"unknown setup verb {verb!r} in {setup}")
    return dest


def snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Outcome:
    """The CLI in-process; an exception other than SystemExit (a traceback) fails the test."""
    capsys.readouterr()
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


# --- the corpus ----------------------------------------------------------------------------


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 25
    for name in CASES:
        assert (BAD / name / "expected.txt").is_file(), f"{name} has no expected.txt"


@pytest.mark.parametrize("name", [
    # A layout reaching for remote URLs: refused before any connection (see no_network).
    pytest.param(name, marks=pytest.mark.network)
    if "refused to fetch" in (BAD / name / "expected.txt").read_text(encoding="utf-8") else name
    for name in CASES])
def test_corpus_case_fails_cleanly(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   no_network: list[tuple]) -> None:
    case = BAD / name
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    # "exit N" or "exit N unlocated" (a missing or oversized file has no line to point at).
    _, code, *flags = expected[0].split()
    exit_code = int(code)
    project = materialise(case, tmp_path / "project")
    out = tmp_path / "out"
    out.mkdir()
    # A previous build's output must survive a failed build byte for byte.
    (out / "hostile.pdf").write_bytes(b"%PDF-previous build\n")
    (out / "hostile.epub").write_bytes(b"PK previous build")
    before, project_before = snapshot(out), snapshot(project)

    result = run(["build", str(project), "-o", str(out)], capsys)

    assert result.code == exit_code, result.err
    assert "Traceback" not in result.err + result.out
    if "unlocated" not in flags:
        assert LOCATED.search(result.err), f"no path:line: message in {result.err!r}"
    for fragment in expected[1:]:
        assert fragment in result.err, f"{fragment!r} not in {result.err!r}"
    assert snapshot(out) == before
    assert snapshot(project) == project_before
    assert not no_network


# --- markup and template syntax in content are text ---------------------------------------

MARKUP = {
    "headline": "<b>粗体标题</b>",
    "answer": "<script>alert(1)</script>模板{{ 7*7 }}和{% include 'pdf/book.css' %}",
    "question": "成都市有哪些特色和亮点？&amp;<i>",
}


@dataclass
class Built:
    pdf_text: str
    xhtml: str
    epub_names: list[str]
    pdf: Path


@pytest.fixture(scope="module")
def markup_build(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One build, shared by the tests below, of a project whose text is full of markup."""
    root = materialise(None, tmp_path_factory.mktemp("markup") / "project")
    file = root / "content/interviews/01-chengdu.yaml"
    text = file.read_text(encoding="utf-8")
    text = text.replace("天府之国的新征程", MARKUP["headline"])
    text = text.replace("第二段回答。", f'"{MARKUP["answer"]}"')
    text = text.replace("  name: 张三", "  name: no")  # YAML 1.1 would make this False
    file.write_text(text, encoding="utf-8")
    out = root / "out"
    try:
        main(["build", str(root), "-o", str(out)])
    except SystemExit as exc:
        assert exc.code == 0
    with pdfplumber.open(out / "hostile.pdf") as pdf:
        pdf_text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    with zipfile.ZipFile(out / "hostile.epub") as epub:
        names = epub.namelist()
        xhtml = "\n".join(epub.read(n).decode("utf-8") for n in names if n.endswith(".xhtml"))
    return Built(pdf_text, xhtml, names, out / "hostile.pdf")


def squash(text: str) -> str:
    """Drop the spacing the typography stage inserts (autospace, word joiners) and line breaks."""
    return re.sub(r"[\s\u200b\u2060\u00a0]+", "", text)


def test_markup_is_literal_in_pdf(markup_build: Built) -> None:
    pdf_text = squash(markup_build.pdf_text)
    for value in (MARKUP["headline"], MARKUP["answer"]):
        assert squash(value) in pdf_text
    assert "49" not in pdf_text  # {{ 7*7 }} was not evaluated
    assert "@page" not in pdf_text  # the include was not performed


def test_markup_is_literal_in_epub(markup_build: Built) -> None:
    xhtml = markup_build.xhtml
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in squash(xhtml)
    assert "&lt;b&gt;粗体标题&lt;/b&gt;" in squash(xhtml)
    assert "{{7*7}}" in squash(xhtml)
    assert "<script" not in xhtml and "<b>" not in xhtml


def test_yaml_1_1_booleans_stay_text(markup_build: Built) -> None:
    assert "no" in markup_build.pdf_text
    assert "False" not in markup_build.pdf_text + markup_build.xhtml


def test_epub_entry_names_come_from_slugs(markup_build: Built) -> None:
    assert "EPUB/chengdu.xhtml" in markup_build.epub_names or any(
        n.endswith("/chengdu.xhtml") for n in markup_build.epub_names)
    for name in markup_build.epub_names:
        assert ".." not in name.split("/") and not name.startswith("/")
        assert re.fullmatch(r"[A-Za-z0-9._/-]+", name), name


# --- containment, checked below the CLI -----------------------------------------------------


@pytest.mark.network
def test_fetcher_refuses_network_before_any_connection(tmp_path: Path,
                                                       no_network: list[tuple]) -> None:
    fetcher = make_fetcher(tmp_path)
    for url in ("http://127.0.0.1:9/x.png", "https://example.com/a.css", "ftp://h/x",
                "file://otherhost/etc/passwd", "gopher://h/"):
        with pytest.raises(BuildError, match="refused"):
            fetcher.fetch(url)
    assert not no_network
    assert len(fetcher.refused) == 5


def test_fetcher_serves_data_and_project_files_only(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("p {}")
    (tmp_path / "link.css").symlink_to("/etc/hostname")
    fetcher = make_fetcher(tmp_path)
    assert fetcher.fetch((tmp_path / "a.css").as_uri()).read() == b"p {}"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for target in ("/etc/passwd", str(tmp_path / "link.css"), str(tmp_path / "../../etc/passwd")):
        with pytest.raises(BuildError, match="outside the project"):
            fetcher.fetch("file://" + target)
    with pytest.raises(BuildError, match="not a regular file"):
        fetcher.fetch(tmp_path.as_uri())


def test_layout_loader_refuses_symlinked_directory(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = materialise(None, tmp_path / "p")
    (root / "layouts").mkdir()
    (root / "layouts/pdf").symlink_to("/etc")  # a whole directory link out of layouts/
    project = load_project(root)
    with pytest.raises(BuildError, match="outside the layouts directory"):
        render(project, "pdf/passwd")
    with pytest.raises(BuildError):
        render(project, "../../../../etc/passwd")


def test_layout_cannot_reach_files_through_portrait_path(tmp_path: Path) -> None:
    root = materialise(None, tmp_path / "p")
    (root / "content/images").mkdir()
    from PIL import Image

    Image.new("RGB", (40, 60), "white").save(root / "content/images/zhang.png")
    file = root / "content/interviews/01-chengdu.yaml"
    file.write_text(file.read_text(encoding="utf-8")
                    + "portrait:\n  src: images/zhang.png\n  alt: 照片\n", encoding="utf-8")
    (root / "layouts/pdf").mkdir(parents=True)
    (root / "layouts/pdf/back.html.j2").write_text(
        "{% for i in interviews %}{{ i.portrait.path.read_text() }}{% endfor %}")
    with pytest.raises(BuildError, match="'read_text' of 'PosixPath' object is unsafe"):
        render(load_project(root), "pdf/back.html.j2")


def test_leading_bom_is_tolerated() -> None:
    doc, problems = yamlsafe.parse("\ufeffa: b\n".encode(), "f.yaml")
    assert not problems and doc is not None


def test_file_over_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * yamlsafe.MAX_BYTES)
    doc, problems = yamlsafe.read(big, "big.yaml")
    assert doc is None and "the limit is 2,000,000" in problems[0].message


# --- bounded rendering ----------------------------------------------------------------------


def test_runaway_layout_is_stopped_by_the_time_limit(tmp_path: Path) -> None:
    root = materialise(None, tmp_path / "p")
    (root / "layouts/pdf").mkdir(parents=True)
    (root / "layouts/pdf/back.html.j2").write_text(
        "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}")
    project = load_project(root)
    # Unbounded, the loop would run for hours. How soon it stops: benchmarks/timings.py.
    with pytest.raises(BuildError, match="took longer than 1 s"), limits.bounded("rendering", 1):
        render(project, "pdf/back.html.j2")


def test_memory_bomb_is_stopped_by_the_memory_limit() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(BuildError, match="more than 256 MB"), \
            limits.bounded("rendering", 10, 256 * 2**20):
        blob = bytearray(2_000_000_000)
        del blob
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # the limit is lifted afterwards
    bytearray(300 * 2**20)  # more than the cap allowed: a MemoryError if it were still set


def test_bounded_restores_an_outer_alarm() -> None:
    import signal

    with limits.bounded("outer", 30), limits.bounded("inner", 5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_pdftotext_agrees_on_literal_markup(markup_build: Built) -> None:
    """A second extractor: poppler reads the same literal text as pdfplumber."""
    text = subprocess.run(["pdftotext", str(markup_build.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert squash("<script>alert(1)</script>") in squash(text)
