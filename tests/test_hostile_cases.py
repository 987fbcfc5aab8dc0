"""Generated hostile input for every command (issue 16): clean exits, in bounded time.

Each case is made by a generator below (nothing large is committed) and run through the real
CLI in a subprocess with a timeout, which is the hang detector: `lint` and `build` on project
mutations, `check` on damaged output folders. A case passes when the command ends with its
expected exit code (0/1 findings, 3 unusable input with `path:line: message`), prints no
traceback, writes nothing into the project and leaves a previous output untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
BASE = Path(__file__).parent / "bad" / "_base"
# The hang detector counts CPU seconds, which other jobs on a shared machine do not inflate:
# several times what the slowest command needs (the lint of 1.5 MB, about 65 s). A command
# blocked without using the CPU is stopped by the wall-clock WAIT.
BUDGET = 300
WAIT = 1800

# Every problem line of an exit 3 starts with the project-relative file, then its line if known.
LOCATED = re.compile(r"^(?:content|fonts|layouts)/[^\s:]+(?::\d+)*: \S", re.M)
BOOK = "content/book.yaml"
INTERVIEW = "content/interviews/01-chengdu.yaml"
pytestmark = pytest.mark.slow


def _cpu_budget() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (BUDGET, BUDGET + 10))  # then SIGXCPU, SIGKILL


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The real command line, as a user runs it; a hang ends in TimeoutExpired (a failure)."""
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.run([sys.executable, "-m", "publisher", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=WAIT, check=False,
                          preexec_fn=_cpu_budget)


def snapshot(directory: Path) -> dict[str, str]:
    """Hashes of the regular files under a folder (FIFOs and devices are left unopened)."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*"))
            if p.is_file() and not p.is_symlink() and p.stat().st_size < 50_000_000}


# --- project mutations ----------------------------------------------------------------------


def edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


def write(rel: str, data: bytes | str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return apply


def append(rel: str, text: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        with (root / rel).open("a", encoding="utf-8") as handle:
            handle.write(text)
    return apply


def page(setting: str) -> Callable[[Path], None]:
    """A `page:` setting appended to book.yaml."""
    return append(BOOK, f"page:\n  {setting}\n")


def replace(rel: str, make: Callable[[Path, Path], None]) -> Callable[[Path], None]:
    """Put something that is not a regular file (or a link) where `rel` was."""
    def apply(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() or path.is_symlink():
            path.unlink()
        make(root, path)
    return apply


def fifo(root: Path, path: Path) -> None:
    os.mkfifo(path)


def directory(root: Path, path: Path) -> None:
    path.mkdir()


def loop(root: Path, path: Path) -> None:
    path.symlink_to(path.name)


def dev_zero(root: Path, path: Path) -> None:
    path.symlink_to("/dev/zero")


def outside(root: Path, path: Path) -> None:
    secret = root.parent / f"secret-{path.name}"
    shutil.copyfile(BASE / INTERVIEW, secret)  # valid YAML: only the path may refuse it
    secret.write_text(secret.read_text(encoding="utf-8").replace("张三", "秘密外部文件"),
                      encoding="utf-8")
    path.symlink_to(secret)


def gbk(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    return apply


def utf16(rel: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / rel
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return apply


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for step in steps:
            step(root)
    return apply


def interviews(count: int) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        text = (root / INTERVIEW).read_text(encoding="utf-8")
        for n in range(2, count + 1):
            (root / f"content/interviews/{n:04d}-x.yaml").write_text(
                text.replace("order: 1", f"order: {n}").replace("slug: chengdu", f"slug: x{n}"),
                encoding="utf-8")
    return apply


def questions(count: int) -> str:
    return "".join(f"  - id: q{n}\n    label: 问题{n}\n    text: 第{n}个问题？\n"
                   for n in range(2, count + 1))


def pairs(count: int) -> str:
    return "".join(f"  - question: 问题{n}？\n    answer: [回答{n}。]\n" for n in range(count))


def portrait(mode: str, fmt: str = "PNG", **options: object) -> Callable[[Path], None]:
    """A generated portrait in a given Pillow mode, referenced by the interview."""
    suffix = ".jpg" if fmt == "JPEG" else ".png"

    def apply(root: Path) -> None:
        (root / "content/images").mkdir(exist_ok=True)
        fill = {"I;16": 40000, "CMYK": (0, 90, 90, 0), "RGBA": (200, 0, 0, 128),
                "LA": (90, 128)}.get(mode, 1)
        Image.new(mode, (40, 60), fill).save(root / f"content/images/p{suffix}", fmt, **options)
        edit(INTERVIEW, "qa:", f"portrait:\n  src: images/p{suffix}\n  alt: 照片\nqa:")(root)
    return apply


def alias_bomb() -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
    return "\n".join(lines) + "\n"


def deep(depth: int) -> str:
    return "title: " + "[" * depth + "]" * depth + "\n"


LONG = "长" * 20_000
CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"


def big_text(root: Path) -> None:
    """About 1.5 MB of prose in 25 interviews, two of which share a pasted passage."""
    text = (root / INTERVIEW).read_text(encoding="utf-8")
    seed = 7

    def prose(length: int) -> str:
        nonlocal seed
        out = []
        for _ in range(length):
            seed = (seed * 1103515245 + 12345) % 2**31
            out.append(CHARS[(seed >> 8) % len(CHARS)])
        return "".join(out)

    (root / INTERVIEW).unlink()
    shared = prose(3000)
    for n in range(1, 26):
        answers = [shared if k == 0 and n in (1, 2) else prose(1000) for k in range(20)]
        body = "".join(f"  - question: 问题{k}？\n    answer: [{a}]\n"
                       for k, a in enumerate(answers))
        (root / f"content/interviews/{n:02d}-x.yaml").write_text(
            text.replace("order: 1", f"order: {n}").replace("slug: chengdu", f"slug: x{n}")
                .split("qa:")[0] + "qa:\n" + body, encoding="utf-8")


# name: (mutation, exit code of build and lint, fragment of the message)
PROJECT_CASES: dict[str, tuple[Callable[[Path], None], int, str]] = {
    # book.yaml that is not a book
    "book-is-a-list": (write(BOOK, "- a\n- b\n"), 3, f"{BOOK}:1: book: expected a mapping"),
    "book-is-a-scalar": (write(BOOK, "just text\n"), 3, f"{BOOK}:1: book: expected a mapping"),
    "book-deep-nesting": (write(BOOK, deep(10_000)), 3, "nesting deeper than 32"),
    "book-alias-bomb": (write(BOOK, alias_bomb()), 3, "anchors and aliases"),
    "book-million-items": (write(BOOK, "editors: [" + "a," * 900_000 + "a]\n"), 3,
                           f"{BOOK}:1:100005: more than 50,000 values in one file"),
    "book-gbk": (gbk(BOOK), 3, "iconv -f GBK"),
    "book-utf16": (utf16(BOOK), 3, "UTF-16"),
    "book-binary": (write(BOOK, bytes(range(256)) * 40), 3, "not valid UTF-8 (byte 0x80)"),
    "book-binary-nul": (write(BOOK, b"\x00\x01PK" * 4000), 3, "looks like a binary file"),
    "book-empty": (write(BOOK, ""), 3, f"{BOOK}:1: file is empty"),
    "book-missing": (lambda root: (root / BOOK).unlink(), 3, "a project needs content/book"),
    "book-directory": (replace(BOOK, directory), 3, "is a directory"),
    "book-fifo": (replace(BOOK, fifo), 3, "named pipe"),
    "book-symlink-loop": (replace(BOOK, loop), 3, "cannot be resolved"),
    "book-dev-zero": (replace(BOOK, dev_zero), 3, "outside the project"),
    "book-outside": (replace(BOOK, outside), 3, "outside the project"),
    "book-slug-traversal": (edit(BOOK, "slug: hostile", "slug: ../../evil"), 3,
                            f"{BOOK}:11: expected lowercase letters"),
    "book-slug-300": (edit(BOOK, "slug: hostile", "slug: " + "a" * 300), 3,
                      f"{BOOK}:11: slug of 300 characters; the limit is 100"),
    "book-date-9999": (edit(BOOK, '"2024-01-01"', '"9999-12-31"'), 3,
                       f"{BOOK}:9: date 9999-12-31: expected a date from 1980-01-01"),
    "book-date-0001": (edit(BOOK, '"2024-01-01"', '"0001-01-01"'), 3, f"{BOOK}:9: date"),
    "book-date-1979": (edit(BOOK, '"2024-01-01"', '"1979-12-31"'), 3, f"{BOOK}:9: date"),
    "book-5000-questions": (append(BOOK, questions(5_000)),
                            3, f"{BOOK}:12: questions: 5,000 entries; the limit is 100"),
    "book-10000-questions": (append(BOOK, questions(10_000)),
                             3, "more than 50,000 values in one file"),
    # page settings the old loader accepted
    "page-margins-200mm": (page("margins: 200mm"), 3, f"{BOOK}:17: page: margins '200mm' leave"),
    "page-margins-wide": (page("margins: 10mm 70mm"), 3, "leave a type area of 8mm"),
    "page-margins-unitless": (page("margins: 20 20"), 3, "expected one to four lengths with units"),
    "page-body-200pt": (page("body_size: 200pt"), 3, f"{BOOK}:17: page: body_size '200pt' is 200pt"),
    "page-body-0pt": (page("body_size: 0pt"), 3, "body_size '0pt' is 0pt; expected 6pt to 36pt"),
    "page-body-absurd": (page("body_size: 99999999999999999999pt"), 3, "expected 6pt to 36pt"),
    "page-body-tiny": (page("body_size: 0.0001mm"), 3, "expected 6pt to 36pt"),
    "page-line-height-0": (page("line_height: '0'"), 3, "line_height 0: expected 1 to 3"),
    "page-line-height-9": (page("line_height: '9.5'"), 3, "line_height 9.5: expected 1 to 3"),
    "page-size-1mm": (page("size: 1mm 1mm"), 3, "size '1mm 1mm': each edge must be 50mm to 1000mm"),
    "page-size-huge": (page("size: 99999mm 99999mm"), 3, "each edge must be 50mm to 1000mm"),
    # interview files
    "interview-order-abc": (edit(INTERVIEW, "order: 1", "order: abc"), 3,
                            f"{INTERVIEW}:1: expected a positive whole number, got 'abc'"),
    "interview-slug-traversal": (edit(INTERVIEW, "slug: chengdu", "slug: ../../evil"), 3,
                                 f"{INTERVIEW}:2: expected lowercase letters"),
    "interview-slug-300": (edit(INTERVIEW, "slug: chengdu", "slug: " + "b" * 300), 3,
                           f"{INTERVIEW}:2: slug of 300 characters"),
    "interview-5000-pairs": (append(INTERVIEW, pairs(5_000)),
                             3, f"{INTERVIEW}:8: qa: 5,001 entries; the limit is 200"),
    "interview-10000-paragraphs": (edit(INTERVIEW, "      - 第二段回答。", "\n".join(
        ["      - 段。"] * 10_000)), 3, f"{INTERVIEW}:10: answer: 10,001 entries; the limit is 200"),
    "interview-is-a-list": (write(INTERVIEW, "- 1\n- 2\n"), 3, "interview: expected a mapping"),
    "interview-gbk": (gbk(INTERVIEW), 3, "iconv -f GBK"),
    "interview-fifo": (replace("content/interviews/02-fifo.yaml", fifo), 3, "named pipe"),
    "interview-directory": (replace("content/interviews/02-dir.yaml", directory), 3,
                            "is a directory"),
    "interview-symlink-loop": (replace("content/interviews/02-loop.yaml", loop), 3,
                               "cannot be resolved"),
    "interview-dev-zero": (replace("content/interviews/02-zero.yaml", dev_zero), 3,
                           "outside the project"),
    "interview-outside": (replace("content/interviews/02-out.yaml", outside), 3,
                          "02-out.yaml: resolves to"),
    "interviews-none": (lambda root: (root / INTERVIEW).unlink(), 3, "no interview files"),
    "interviews-too-many": (interviews(301), 3, "301 interview files; the limit is 300"),
    "interview-10000-notes": (append(INTERVIEW,
        "notes:\n" + "  - 注。\n" * 10_000), 3, f"{INTERVIEW}:13: notes: 10,000 entries"),
    # portraits: modes WeasyPrint cannot embed are refused at load, with the line
    "portrait-16-bit-gray": (portrait("I;16"), 3,
                             f"{INTERVIEW}:9: portrait 'images/p.png' is a 16-bit grayscale"),
    "portrait-fifo": (both(portrait("RGB"), replace("content/images/p.png", fifo)), 3,
                      "portrait 'images/p.png' is a named pipe"),
    "portrait-dev-zero": (both(portrait("RGB"), replace("content/images/p.png", dev_zero)), 3,
                          "portrait 'images/p.png' points outside the project"),
    # fonts.yaml
    "fonts-yaml-fifo": (replace("fonts/fonts.yaml", fifo), 3, "fonts/fonts.yaml: is a named"),
    "fonts-yaml-outside": (replace("fonts/fonts.yaml", outside), 3, "outside the project"),
    "fonts-yaml-gbk": (write("fonts/fonts.yaml", "body:\n  family: 宋体\n".encode("gbk")), 3,
                       "fonts/fonts.yaml:2:11: not valid UTF-8"),
}
FIX_CASES = {"book-is-a-list", "book-fifo", "interview-gbk", "interview-outside",
             "page-margins-200mm", "interview-order-abc", "interview-5000-pairs"}
LINT_ONLY: dict[str, tuple[Callable[[Path], None], int, str]] = {
    "allowlist-fifo": (replace("content/lint-allow.yaml", fifo), 3,
                       "content/lint-allow.yaml: is a named pipe"),
    "allowlist-alias-bomb": (write("content/lint-allow.yaml", alias_bomb()), 3,
                             "content/lint-allow.yaml:1:5: anchors and aliases"),
    "allowlist-gbk": (write("content/lint-allow.yaml", "- rule: 规则\n".encode("gbk")), 3,
                      "iconv -f GBK"),
    "allowlist-outside": (replace("content/lint-allow.yaml", outside), 3, "outside the project"),
    "allowlist-a-mapping": (write("content/lint-allow.yaml", "rule: x\n"), 1,
                            "expected a list of entries"),
    "corrections-fifo": (replace("content/corrections.yaml", fifo), 0, ""),
    "reuse-twin-20000": (both(edit(INTERVIEW, "第二段回答。", LONG), interviews(2)), 1,
                         "[reuse.passage] passage of 36 characters"),
    "reuse-1.5-mb": (big_text, 1, "passage of 3000 characters"),
}
# Loadable projects that must build (portraits in every mode Pillow hands WeasyPrint).
BUILDS = {
    "portrait-rgb": portrait("RGB"), "portrait-rgba": portrait("RGBA"),
    "portrait-gray": portrait("L"), "portrait-gray-alpha": portrait("LA"),
    "portrait-1-bit": portrait("1"), "portrait-palette-transparency": portrait(
        "P", transparency=0), "portrait-cmyk-jpeg": portrait("CMYK", "JPEG"),
    "portrait-gray-jpeg": portrait("L", "JPEG"),
    "smallest-page": append(BOOK,
        "page:\n  size: 50mm 60mm\n  margins: 2mm\n  body_size: 6pt\n  line_height: '1.0'\n"),
}


def materialise(root: Path, mutate: Callable[[Path], None]) -> Path:
    shutil.copytree(BASE, root)
    mutate(root)
    return root


@pytest.mark.parametrize("name", sorted(PROJECT_CASES))
def test_build_and_lint_refuse_cleanly(name: str, tmp_path: Path) -> None:
    mutate, code, fragment = PROJECT_CASES[name]
    root = materialise(tmp_path / "project", mutate)
    out = tmp_path / "out"
    out.mkdir()
    (out / "hostile.pdf").write_bytes(b"%PDF-previous build\n")
    before, project_before = snapshot(out), snapshot(root)
    commands = [["build", root, "-o", out], ["lint", root]]
    if name in FIX_CASES:  # --fix must refuse before writing: one case of each kind
        commands.append(["lint", "--fix", root])
    for args in commands:
        result = cli(*args)
        text = result.stdout + result.stderr
        if name.startswith("fonts-") and args[0] == "lint":
            # fonts.yaml is the build's font stage, which lint runs as its glyphs rule: a
            # finding (exit 1) naming the file, after the content itself has loaded.
            assert result.returncode == 1 and "error [glyphs]" in text, text[-2000:]
            assert "fonts/fonts.yaml" in text and fragment.split(": ")[-1] in text
            continue
        assert result.returncode == code, (args[0], text[-2000:])
        assert "Traceback" not in text
        assert fragment in result.stderr, (args[0], fragment, text[-2000:])
        assert LOCATED.search(result.stderr), text[-2000:]
        assert snapshot(out) == before and snapshot(root) == project_before
    assert "秘密外部文件" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(LINT_ONLY))
def test_lint_ends_cleanly(name: str, tmp_path: Path) -> None:
    mutate, code, fragment = LINT_ONLY[name]
    root = materialise(tmp_path / "project", mutate)
    result = cli("lint", root)
    assert result.returncode == code, result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    assert fragment in result.stdout + result.stderr


def test_fix_refuses_an_unreadable_corrections_log(tmp_path: Path) -> None:
    root = materialise(tmp_path / "project", edit(INTERVIEW, "开展宣讲活动。", "开展宣讲活动."))
    os.mkfifo(root / "content/corrections.yaml")
    before = snapshot(root)
    result = cli("lint", "--fix", root)
    assert result.returncode == 3, result.stderr
    assert "content/corrections.yaml: is a named pipe (FIFO)" in result.stderr
    assert snapshot(root) == before  # the fixable period was left alone


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_loadable_odd_project_builds(name: str, tmp_path: Path) -> None:
    root = materialise(tmp_path / "project", BUILDS[name])
    result = cli("build", root, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "0 warnings" in result.stderr
    if "portrait" in name:
        listing = subprocess.run(["pdfimages", "-list", str(tmp_path / "out/hostile.pdf")],
                                 capture_output=True, text=True, check=True).stdout
        assert len(listing.splitlines()) >= 3, listing  # the portrait is in the PDF


# --- damaged output folders -----------------------------------------------------------------

# Built into: whatever sits in the output folder is replaced, never read if it is not a file.
BUILD_INTO: dict[str, tuple[Callable[[Path], None], int, str]] = {
    "stamp-fifo": (lambda out: os.mkfifo(out / ".publisher-stamp.json"), 0, ""),
    "stamp-dev-zero": (lambda out: (out / ".publisher-stamp.json").symlink_to("/dev/zero"), 0,
                       ""),
    "stamp-deep-json": (lambda out: (out / ".publisher-stamp.json").write_text("[" * 100_000),
                        0, ""),
    "pdf-fifo": (lambda out: os.mkfifo(out / "hostile.pdf"), 0, ""),
    "sums-dev-zero": (lambda out: (out / "SHA256SUMS").symlink_to("/dev/zero"), 0, ""),
    "pdf-directory": (lambda out: (out / "hostile.pdf").mkdir(), 4,
                      "hostile.pdf: is a directory where the build writes a file"),
}


@pytest.mark.parametrize("name", sorted(BUILD_INTO))
def test_build_into_a_damaged_output_folder(name: str, tmp_path: Path) -> None:
    damage, code, fragment = BUILD_INTO[name]
    root = materialise(tmp_path / "project", lambda root: None)
    out = tmp_path / "out"
    out.mkdir()
    damage(out)
    result = cli("build", root, "-o", out)
    assert result.returncode == code, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and fragment in result.stderr
    if code == 0:
        assert (out / "hostile.pdf").is_file() and not (out / "hostile.pdf").is_symlink()
        assert cli("build", root, "-o", out).returncode == 0  # the stamp written is usable



@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good output folder: the PDF only, so each check below runs in seconds."""
    root = materialise(tmp_path_factory.mktemp("good") / "project", lambda root: None)
    result = cli("build", root, "-f", "pdf", "-o", root / "out")
    assert result.returncode == 0, result.stderr
    return root / "out"


@pytest.fixture(scope="module")
def built_epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = materialise(tmp_path_factory.mktemp("good-epub") / "project", lambda root: None)
    result = cli("build", root, "-f", "epub", "-o", root / "out")
    assert result.returncode == 0, result.stderr
    return root / "out"


def sums_lines(out: Path) -> list[str]:
    return (out / "SHA256SUMS").read_text().splitlines(keepends=True)


def resum(out: Path) -> None:
    """Make SHA256SUMS agree with the folder again, so only the damage under test remains."""
    names = [line.split("  ", 1)[1].strip() for line in sums_lines(out)]
    (out / "SHA256SUMS").write_text("".join(
        f"{hashlib.sha256((out / n).read_bytes()).hexdigest()}  {n}\n" for n in names))


def report_edit(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def apply(out: Path) -> None:
        report = json.loads((out / "build-report.json").read_text())
        (out / "build-report.json").write_text(json.dumps(change(report)))
        resum(out)
    return apply


def extra_file(out: Path) -> None:
    epub = out / "hostile.epub"
    with zipfile.ZipFile(epub, "a") as archive:
        archive.writestr("EPUB/smuggled.txt", "not in the manifest")
    resum(out)


def out_replace(name: str, make: Callable[[Path, Path], None]) -> Callable[[Path], None]:
    def apply(out: Path) -> None:
        (out / name).unlink(missing_ok=True)
        make(out, out / name)
    return apply


OUTPUT_CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "sums-not-utf8": (lambda out: (out / "SHA256SUMS").write_bytes(
        "校验和\n".encode("gbk")), "SHA256SUMS:1:3: not valid UTF-8"),
    "sums-empty": (lambda out: (out / "SHA256SUMS").write_bytes(b""), "SHA256SUMS: lists no"),
    "sums-blank-lines": (lambda out: (out / "SHA256SUMS").write_text("\n\n \n"),
                         "not a 'HASH  NAME' line"),
    "sums-partial": (lambda out: (out / "SHA256SUMS").write_text(sums_lines(out)[0]),
                     "is in the folder but not listed"),
    "sums-missing": (lambda out: (out / "SHA256SUMS").unlink(), "SHA256SUMS: missing"),
    "sums-fifo": (out_replace("SHA256SUMS", fifo), "SHA256SUMS: is a named pipe"),
    "sums-dev-zero": (out_replace("SHA256SUMS", dev_zero), "outside the project"),
    "sums-directory": (out_replace("SHA256SUMS", directory), "SHA256SUMS: is a directory"),
    "sums-traversal": (lambda out: (out / "SHA256SUMS").write_text(
        "".join(sums_lines(out)) + "0" * 64 + "  ../../../etc/passwd\n"),
                       "not a 'HASH  NAME' line"),
    "sums-wrong-hash": (lambda out: (out / "SHA256SUMS").write_text(
        "0" * 64 + sums_lines(out)[0][64:] + "".join(sums_lines(out)[1:])),
                        "does not match its checksum"),
    "sums-duplicate": (lambda out: (out / "SHA256SUMS").write_text(
        "".join(sums_lines(out) * 2)), "is listed twice"),
    "report-a-list": (report_edit(lambda r: [r]), "build-report.json: expected an object"),
    "report-artifacts-list": (report_edit(lambda r: {**r, "artifacts": []}),
                              "'artifacts' must be an object"),
    "report-artifact-string": (report_edit(lambda r: {**r, "artifacts": {"pdf": "x"}}),
                               "artifacts.pdf.file must be a file name"),
    "report-file-traversal": (report_edit(lambda r: {**r, "artifacts": {"pdf": {
        **r["artifacts"]["pdf"], "file": "../../etc/passwd"}}}), "artifacts.pdf.file"),
    "report-pages-text": (report_edit(lambda r: {**r, "artifacts": {"pdf": {
        **r["artifacts"]["pdf"], "pages": "ten"}}}), "artifacts.pdf.pages must be a number"),
    "report-book-string": (report_edit(lambda r: {**r, "book": "x"}), "'book' must be"),
    "report-deep": (lambda out: ((out / "build-report.json").write_text("[" * 100_000),
                                 resum(out)), "build-report.json: not JSON"),
    "report-not-utf8": (lambda out: ((out / "build-report.json").write_bytes(b"\xff\xfe{"),
                                     resum(out)), "build-report.json: not JSON"),
    "report-fifo": (out_replace("build-report.json", fifo), "is a named pipe"),
    "pdf-dev-zero": (out_replace("hostile.pdf", dev_zero), "hostile.pdf: resolves to"),
    "pdf-fifo": (out_replace("hostile.pdf", fifo), "hostile.pdf: is a named pipe"),
    "pdf-directory": (out_replace("extra.pdf", directory), "extra.pdf: is a directory"),
    "pdf-truncated": (lambda out: ((out / "hostile.pdf").write_bytes(
        (out / "hostile.pdf").read_bytes()[:5000]), resum(out)), "FAIL hostile.pdf"),
}
EPUB_CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "epub-undeclared-file": (extra_file, "EPUB/smuggled.txt is in the container but not "
                                         "declared in OEBPS/content.opf"),
    "epub-not-a-zip": (lambda out: ((out / "hostile.epub").write_bytes(b"PK not a zip"),
                                    resum(out)), "FAIL hostile.epub"),
    "epub-dev-zero": (out_replace("hostile.epub", dev_zero), "hostile.epub: resolves to"),
}


def run_check(source: Path, tmp_path: Path, damage: Callable[[Path], None]) -> str:
    out = tmp_path / "out"
    shutil.copytree(source, out, symlinks=True)
    damage(out)
    result = cli("check", out)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(OUTPUT_CASES))
def test_check_fails_damaged_output_cleanly(name: str, built: Path, tmp_path: Path) -> None:
    damage, fragment = OUTPUT_CASES[name]
    assert fragment in run_check(built, tmp_path, damage)


@pytest.mark.parametrize("name", sorted(EPUB_CASES))
def test_check_fails_damaged_epub_cleanly(name: str, built_epub: Path, tmp_path: Path) -> None:
    damage, fragment = EPUB_CASES[name]
    assert fragment in run_check(built_epub, tmp_path, damage)


def test_check_passes_the_intact_folder(built: Path) -> None:
    result = cli("check", built)
    assert result.returncode == 0, result.stdout + result.stderr


def test_container_check_passes_a_built_epub(built_epub: Path) -> None:
    from publisher.check.artifacts import container

    finding = container((built_epub / "hostile.epub").read_bytes())
    assert finding.ok, finding.messages


def test_corpus_has_every_group() -> None:
    """The closing note's counts: project mutations, lint-only inputs, damaged outputs."""
    assert len(PROJECT_CASES) >= 55 and len(LINT_ONLY) >= 8 and len(BUILDS) >= 9
    assert len(OUTPUT_CASES) + len(EPUB_CASES) >= 25


def test_generated_portrait_modes_are_what_they_claim(tmp_path: Path) -> None:
    root = materialise(tmp_path / "p", portrait("I;16"))
    with Image.open(root / "content/images/p.png") as image:
        assert image.mode == "I;16"
