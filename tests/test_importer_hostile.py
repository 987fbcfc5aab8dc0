"""Hostile manuscripts: every one ends in exit 0 or 3, within a bound, never a traceback, and
what is written is what the loader accepts."""

from __future__ import annotations

import io
import os
import re
import signal
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from importer_books import held_out_book, to_docx, to_markdown, to_text

from publisher.cli import main
from publisher.content.load import load_project

BASE = to_text(held_out_book(3))
BOUND = 30  # seconds: a case that runs longer has hung (an alarm, not a timing assertion)


@contextmanager
def _bounded(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"the import did not end within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stderr of an in-process run; any exception but SystemExit fails the test."""
    with _bounded(BOUND), pytest.raises(SystemExit) as done:
        main(argv)
    return done.value.code or 0, capsys.readouterr().err


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx_bytes(tmp: Path) -> bytes:
    return to_docx(held_out_book(3), tmp / "base.docx").read_bytes()


def _inject(text: str, needle: str, payload: str) -> str:
    return text.replace(needle, needle + payload, 1)


HEAD_ONE = "标题\n甲市妇联主席 王芳\n"
ANSWER = "的第一段"  # a phrase inside the first answer of BASE
# name -> (suffix, bytes from a temp dir); each is small to write and quick to make.
CASES: dict[str, tuple[str, Callable[[Path], bytes]]] = {
    "empty": ("txt", lambda t: b""),
    "blank lines": ("txt", lambda t: b"\n \n\t\n\r\n"),
    "only questions": ("txt", lambda t: _utf8("问：一？\n" * 3000)),
    "unlabelled-looking questions": ("txt", lambda t: _utf8(HEAD_ONE + "问x\n" * 50_000)),
    "alternating bare labels": ("txt", lambda t: _utf8(HEAD_ONE + "问x\n答y\n" * 50_000)),
    "office lines only": ("txt", lambda t: _utf8("甲市妇联主席 王芳\n" * 50_000)),
    "crlf": ("txt", lambda t: _utf8(BASE.replace("\n", "\r\n"))),
    "cr only": ("txt", lambda t: _utf8(BASE.replace("\n", "\r"))),
    "bom and stray bom": ("txt", lambda t: _utf8("\ufeff" + _inject(BASE, ANSWER, "\ufeff"))),
    "nul": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\x00"))),
    "esc sequences": ("txt", lambda t: _utf8(_inject(BASE, "巾帼", "\x1b[31m红\x1b[0m"))),
    "bell and backspace": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\x07\x08"))),
    "bidi override in a name": ("txt", lambda t: _utf8(BASE.replace("谭学军", "谭\u202e学军"))),
    "bidi isolates": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\u2066x\u2069"))),
    "line separator": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\u2028"))),
    "paragraph separator": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\u2029"))),
    "private use": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\ue000"))),
    "unassigned": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\u0378"))),
    "vertical tab and form feed": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\x0b\x0c"))),
    "next line c1": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\x85"))),
    "1 MB line": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "长" * 350_000))),
    "3 MB file": ("txt", lambda t: _utf8(BASE + "长" * 1_000_000)),
    "gbk": ("txt", lambda t: BASE.encode("gbk", errors="replace")),
    "utf-16": ("txt", lambda t: BASE.encode("utf-16")),
    "big5": ("txt", lambda t: "問：你好？\n答：好。\n".encode("big5")),
    "surrogate bytes": ("txt", lambda t: _utf8(BASE[:40]) + b"\xed\xa0\x80" + _utf8(BASE[40:])),
    "overlong utf-8": ("txt", lambda t: b"\xc0\xaf" + _utf8(BASE)),
    "random binary": ("txt", lambda t: bytes(range(256)) * 40),
    "yaml syntax in the text": ("txt", lambda t: _utf8(_inject(
        BASE, ANSWER, "key: value - item &a *a !!python/object {{ x }} ' \" #c --- ... ? "))),
    "yaml words as headlines": ("txt", lambda t: _utf8(BASE.replace("巾帼绽放新时代", "null")
                                                        .replace("高原上的格桑花", "yes"))),
    "template syntax": ("txt", lambda t: _utf8(BASE.replace("巾帼绽放新时代", "{{ 7*7 }}{% x %}"))),
    "emoji and rare han": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "😀𠮷𪚥"))),
    "tab separated office": ("txt", lambda t: _utf8(BASE.replace("主席 谭学军", "主席\t谭学军"))),
    "full-width space in name": ("txt", lambda t: _utf8(BASE.replace("阿依\n", "阿\u3000依\n"))),
    "two unmarked paragraphs before a question": ("txt", lambda t: _utf8(_inject(
        BASE, "讲了具体做法。", "\n与此同时，我们也在做。\n这是第三段。"))),
    "fake office line": ("txt", lambda t: _utf8(_inject(
        BASE, "讲了具体做法。", "\n我们的做法\n成都市妇联 供稿"))),
    "missing first question": ("txt", lambda t: _utf8(BASE.replace(
        "记者：过去一年，阿坝在乡村振兴中有哪些做法？\n", "", 1))),
    "labelled line before an office line": ("txt", lambda t: _utf8(BASE.replace(
        "记者了解到的情况也是这样。\n高原上的格桑花\n", "答：又一段。\n", 1))),
    "missing headline": ("txt", lambda t: _utf8(BASE.replace("高原上的格桑花\n", "", 1))),
    "unknown region": ("txt", lambda t: _utf8(BASE.replace("阿坝州妇联主席", "某单位主席"))),
    "question without answer at end": ("txt", lambda t: _utf8(BASE + "问：还有吗？\n")),
    "label only lines": ("txt", lambda t: _utf8(BASE + "问：\n答：\n")),
    "answer label after answer": ("txt", lambda t: _utf8(_inject(BASE, ANSWER, "\n答：又一段"))),
    "1500 tiny interviews": ("txt", lambda t: _utf8("".join(
        f"标题{n}\n甲市妇联主席 王芳\n问：问题？\n答：回答。\n" for n in range(1500)))),
    "one interview of 8000 pairs": ("txt", lambda t: _utf8(
        "标题\n甲市妇联主席 王芳\n" + "问：问题？\n答：回答。\n" * 8000)),
    "100k empty lines": ("txt", lambda t: b"\n" * 100_000 + _utf8(BASE)),
    "long headline": ("txt", lambda t: _utf8(BASE.replace("巾帼绽放新时代", "题" * 5000))),
    "markdown: emphasis storm": ("md", lambda t: _utf8("*" * 100_000)),
    "markdown: brackets storm": ("md", lambda t: _utf8("[" * 50_000 + "](" * 20_000)),
    "markdown: deep quotes": ("md", lambda t: _utf8(">" * 5_000 + " 问：x？")),
    "markdown: deep lists": ("md", lambda t: _utf8("".join(
        "  " * n + "- 问：x？\n" for n in range(2_000)))),
    "markdown: backticks": ("md", lambda t: _utf8("`" * 50_000 + "x" + "``" * 10_000)),
    "markdown: html and entities": ("md", lambda t: _utf8(
        to_markdown(held_out_book(3)).replace("## 巾帼", "## <script>x</script>&amp;&#0;巾帼"))),
    "markdown: character references": ("md", lambda t: _utf8(
        to_markdown(held_out_book(3)).replace("谭学军", "谭&#x202E;学军&#x1b;"))),
    "markdown: crlf": ("md", lambda t: _utf8(to_markdown(held_out_book(3)).replace("\n", "\r\n"))),
    "markdown: fenced text": ("md", lambda t: _utf8(
        to_markdown(held_out_book(3)) + "\n```\n问：x？\n```\n")),
    "markdown: setext headings": ("md", lambda t: _utf8(to_markdown(held_out_book(3))
                                                         .replace("## 巾帼绽放新时代",
                                                                  "巾帼绽放新时代\n====="))),
    "docx: not a zip": ("docx", lambda t: _utf8(BASE)),
    "docx: empty zip": ("docx", lambda t: _zip({})),
    "docx: zip bomb": ("docx", lambda t: _zip({"word/document.xml": b"\0" * 90_000_000})),
    "docx: too many parts": ("docx", lambda t: _zip({f"p{n}": b"" for n in range(2_500)})),
    "docx: broken xml": ("docx", lambda t: _zip({
        "[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"})),
    "docx: entity bomb": ("docx", lambda t: _replace_document(_docx_bytes(t), _BOMB)),
    "docx: control characters": ("docx", lambda t: _replace_document(
        _docx_bytes(t), lambda xml: xml.replace(b"\xe7\x9a\x84\xe7\xac\xac", b"&#x1B;\xe7\x9a\x84"))),
    "docx: truncated": ("docx", lambda t: _docx_bytes(t)[:3000]),
    "docx: text renamed": ("docx", lambda t: b"PK\x03\x04" + b"\0" * 100),
    "doc (old Word)": ("doc", lambda t: b"\xd0\xcf\x11\xe0" + b"\0" * 600),
    "pdf": ("pdf", lambda t: b"%PDF-1.7\n"),
}


def _BOMB(xml: bytes) -> bytes:  # noqa: N802 - a constant-like transformer
    laughs = b'<!DOCTYPE d [<!ENTITY a "' + b"x" * 100 + b'">' + b"".join(
        b'<!ENTITY %c "%s">' % (98 + n, (b"&%c;" % (97 + n)) * 10) for n in range(8)) + b"]>"
    return xml.replace(b"?>", b"?>" + laughs, 1).replace(b"<w:t>", b"<w:t>&i;", 1)


def _replace_document(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["word/document.xml"] = change(members["word/document.xml"])
    return _zip(members)


PROBLEM_LINE = re.compile(r"^\S[^:]*(?::\d+){0,2}: \S")


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_manuscript_ends_cleanly(name: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    suffix, make = CASES[name]
    source = tmp_path / f"source.{suffix}"
    source.write_bytes(make(tmp_path))
    code, err = run(["import", str(source), "-o", str(tmp_path / "content")], capsys)
    assert code in (0, 2, 3), err
    assert "Traceback" not in err
    if code == 2:  # not a manuscript at all (.pdf, .doc): a mistake on the command line
        assert f"Error: Invalid value for 'SOURCE': {source}: not a .txt, .md or .docx" in err
        assert not (tmp_path / "content").exists()
    elif code == 3:
        lines = err.splitlines()
        assert lines[0].startswith("error: ") and "nothing was written" in lines[0], err
        assert lines[1:] and all(PROBLEM_LINE.match(line) for line in lines[1:]), err
        assert all(line.startswith(str(source)) for line in lines[1:]), err
        assert not (tmp_path / "content").exists()  # nothing half-written
    else:
        project = load_project(tmp_path)  # the loader accepts every file written
        for interview in project.interviews:
            text = repr(interview)
            assert "\\r" not in text and "\\x1b" not in text and "\\u202e" not in text


EXPECTED = {  # cases whose outcome is known: (exit code, a text stderr must contain)
    "crlf": (0, ""),
    "cr only": (0, ""),
    "nul": (0, "source.txt:4: removed the invisible character U+0000"),
    "bidi override in a name": (0, "source.txt:2: removed the invisible character U+202E "
                                   "(RIGHT-TO-LEFT OVERRIDE)"),
    "line separator": (0, "U+2028 (LINE SEPARATOR)"),
    # &#x1b; is read as U+FFFD, so the office line ends in no name: the interview is refused,
    # not lost as text before the first one.
    "markdown: character references": (3, "source.md:5: cannot read '成都市妇联党组书记、主席 谭学军\ufffd' "
                                          "as an interviewee line"),
    "1 MB line": (3, "source.txt:4: a paragraph of 350,"),
    "3 MB file": (3, "the limit is 2,000,000"),
    "gbk": (3, "source.txt:1:1: not valid UTF-8 (byte 0x"),
    "utf-16": (3, "source.txt:1: the file is UTF-16LE, not UTF-8"),
    "two unmarked paragraphs before a question": (0, ""),
    "missing first question": (3, "source.txt:13: '阿坝州妇联主席 泽仁拉姆' reads as an "
                                  "office-and-name line starting an interview, but an answer "
                                  "follows it: the interview's first question is missing"),
    "missing headline": (0, "source.txt:11: a headline that ends with a full stop"),
    "labelled line before an office line": (3, "source.txt:12: an interview starts here with "
                                               "no headline"),
    "fake office line": (0, ""),
    "unknown region": (3, "cannot tell the region"),
    "1500 tiny interviews": (3, "more than 1,000 interviews"),
    "one interview of 8000 pairs": (3, "more than 5,000 paragraphs"),
    "docx: zip bomb": (3, "unpacks to 90,000,000 bytes"),
    "docx: not a zip": (3, "not a Word .docx file"),
    "doc (old Word)": (2, "save it as .docx"),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_hostile_manuscript_outcome(name: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    suffix, make = CASES[name]
    source = tmp_path / f"source.{suffix}"
    source.write_bytes(make(tmp_path))
    code, err = run(["import", str(source), "-o", str(tmp_path / "content")], capsys)
    expected_code, text = EXPECTED[name]
    assert code == expected_code, err
    assert text.replace(f"source.{suffix}", str(source)) in err


def test_two_unmarked_paragraphs_stay_in_the_answer(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "s.txt"
    source.write_bytes(CASES["two unmarked paragraphs before a question"][1](tmp_path))
    assert run(["import", str(source), "-o", str(tmp_path / "content")], capsys)[0] == 0
    project = load_project(tmp_path)
    assert len(project.interviews) == 3
    assert project.interviews[0].qa[0].answer[-2:] == ("与此同时，我们也在做。", "这是第三段。")


@pytest.mark.parametrize("kind", ["directory", "fifo", "dev-zero", "missing", "loop"])
def test_special_files_are_refused_without_blocking(kind: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "source.txt"
    if kind == "directory":
        source.mkdir()
    elif kind == "fifo":
        os.mkfifo(source)
    elif kind == "dev-zero":
        source.symlink_to("/dev/zero")
    elif kind == "loop":
        source.symlink_to(source)
    code, err = run(["import", str(source), "-o", str(tmp_path / "content")], capsys)
    if kind == "missing":  # a wrong path: a usage error, as for every command
        assert code == 2 and f"{source}: no such file" in err, err
        return
    assert code == 3 and err.splitlines()[1].startswith(f"{source}: "), err
