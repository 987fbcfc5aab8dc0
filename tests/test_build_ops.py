"""Builds you can trust: reproducible, atomic, with receipts, strict on request, watched."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from publisher.build.pipeline import build
from publisher.build.progress import Progress, RichProgress, progress_for
from publisher.build.watch import rebuild, relevant, watch
from publisher.content.scaffold import create
from publisher.errors import BuildError, ContentError
from publisher.guard import write_all_atomic, write_atomic

DATE = dt.date(2024, 5, 1)
SLUG = "sample"
INTERVIEW = "content/interviews/01-sample.yaml"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TZ")}
    return {**env, **extra}


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "publisher", *args], capture_output=True,
                          text=True, env=clean_env(**env), check=False, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("books") / SLUG
    create(root, date=DATE)
    return root


@pytest.fixture(scope="module")
def tz_builds(project: Path) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """The same project built in two subprocesses, one in UTC and one in Shanghai time."""
    utc, shanghai = project.parent / "out-utc", project.parent / "out-shanghai"
    # Each with a cache of its own: the second must typeset everything again, not reuse parts.
    first = run_cli("build", str(project), "-o", str(utc), TZ="UTC",
                    PUBLISHER_CACHE=str(project.parent / "cache-utc"))
    assert first.returncode == 0, first.stderr
    second = run_cli("build", str(project), "-o", str(shanghai), TZ="Asia/Shanghai",
                     PUBLISHER_CACHE=str(project.parent / "cache-shanghai"))
    assert second.returncode == 0, second.stderr
    return utc, shanghai, first


@pytest.mark.slow
def test_same_input_gives_identical_bytes_in_any_time_zone(tz_builds):
    utc, shanghai, _ = tz_builds
    for suffix in ("pdf", "epub"):
        a, b = (utc / f"{SLUG}.{suffix}").read_bytes(), (shanghai / f"{SLUG}.{suffix}").read_bytes()
        assert len(a) > 1000
        assert a == b, f"{suffix} differs between TZ=UTC and TZ=Asia/Shanghai"


@pytest.mark.slow
def test_dates_come_from_book_yaml_not_the_clock(tz_builds):
    utc, _, _ = tz_builds
    with zipfile.ZipFile(utc / f"{SLUG}.epub") as epub:
        assert epub.namelist()[0] == "mimetype"
        assert epub.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert {info.date_time for info in epub.infolist()} == {(2024, 5, 1, 0, 0, 0)}
        opf = next(n for n in epub.namelist() if n.endswith(".opf"))
        assert "<meta property=\"dcterms:modified\">2024-05-01T00:00:00Z</meta>" in (
            epub.read(opf).decode())
    meta = PdfReader(utc / f"{SLUG}.pdf").metadata
    assert meta["/CreationDate"].startswith("D:20240501")
    assert meta["/ModDate"].startswith("D:20240501")


@pytest.mark.slow
def test_sha256sum_accepts_the_checksums(tz_builds):
    utc, _, _ = tz_builds
    proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=utc, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [f"{SLUG}.pdf: OK", f"{SLUG}.epub: OK",
                                        "build-report.json: OK"]


@pytest.mark.slow
def test_report_describes_what_was_built(tz_builds):
    import weasyprint

    utc, _, _ = tz_builds
    report = json.loads((utc / "build-report.json").read_text(encoding="utf-8"))
    assert report["formats"] == ["pdf", "epub"]
    for entry in report["artifacts"].values():
        data = (utc / entry["file"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert report["artifacts"]["pdf"]["pages"] == len(PdfReader(utc / f"{SLUG}.pdf").pages)
    assert {f["role"] for f in report["fonts"]} == {"body", "heading"}
    for font in report["fonts"] + report["embedded_fonts"]:
        assert font["sha256"] == hashlib.sha256(Path(font["file"]).read_bytes()).hexdigest()
        assert font["version"].startswith("Version ")
    assert report["embedded_fonts"], "the PDF embeds fonts, so the report must list them"
    versions = report["versions"]
    assert versions["weasyprint"] == weasyprint.__version__
    assert re.fullmatch(r"1\.\d+\.\d+", versions["pango"])
    assert versions["ebooklib"] and versions["publisher"]
    assert [stage for stage in report["timings"] if stage != "total"] == [
        "load", "lint", "fonts", "pdf", "epub", "merge"]  # write: timed after the report
    assert report["warnings"] == []
    assert report["source_date"] == "2024-05-01T00:00:00+00:00"


@pytest.mark.slow
def test_plain_progress_off_a_terminal_ends_with_a_summary(tz_builds):
    _, _, first = tz_builds
    lines = first.stderr.splitlines()
    assert "publisher: pdf done in" in first.stderr
    assert "\x1b[" not in first.stderr  # no terminal codes in a pipe
    pdf_size = len((tz_builds[0] / f"{SLUG}.pdf").read_bytes())
    pages = len(PdfReader(tz_builds[0] / f"{SLUG}.pdf").pages)
    wrote = f"{SLUG}.pdf ({pdf_size:,} bytes, {pages} pages; "
    assert any(wrote in line and re.search(r"; \d+ parts, \d+ from the cache\)$", line)
               for line in lines), lines
    assert "publisher: 0 warnings" in lines
    assert lines[-1].startswith("publisher: time per stage: load ")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rich_progress_on_a_terminal(project, tmp_path, monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    stream = _Terminal()
    progress = progress_for(stream)
    assert isinstance(progress, RichProgress)
    assert type(progress_for(io.StringIO())) is Progress
    build(project, tmp_path, ["pdf"], progress=progress)
    shown = stream.getvalue()
    assert "build summary" in shown and "✓" in shown and "time per stage" in shown


def test_a_build_resolves_the_fonts_once(project, tmp_path, monkeypatch):
    from publisher.content import fonts

    resolved = []
    real = fonts._resolve
    monkeypatch.setattr(fonts, "_resolve", lambda p: resolved.append(p) or real(p))
    result = build(project, tmp_path, force=True)
    assert len(resolved) == 1  # the check, the PDF, the EPUB's subsets and the report share it
    assert {"pdf", "epub", "merge"} <= set(result.timings)


@pytest.mark.slow
def test_failed_build_names_the_file_and_leaves_output_byte_identical(project, tz_builds, tmp_path):
    broken = tmp_path / SLUG
    shutil.copytree(project, broken)
    shutil.copytree(tz_builds[0], broken / "output")
    before = snapshot(broken / "output")
    text = (broken / INTERVIEW).read_text(encoding="utf-8")
    (broken / INTERVIEW).write_text(text.replace("order: 1", "order: first"), encoding="utf-8")
    proc = run_cli("build", str(broken))
    assert proc.returncode == 3
    assert f"{INTERVIEW}:2: expected a positive whole number, got 'first'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(broken / "output") == before
    assert sorted(p.name for p in (broken / "output").iterdir()) == sorted(before)


def test_write_all_atomic_keeps_old_files_when_a_later_write_fails(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"old")
    (tmp_path / "blocker").write_bytes(b"a file where a folder is needed")
    with pytest.raises(OSError):
        write_all_atomic({tmp_path / "a.pdf": b"new", tmp_path / "blocker" / "b.epub": b"x"})
    assert (tmp_path / "a.pdf").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "blocker"]
    write_atomic(tmp_path / "a.pdf", b"new")
    assert (tmp_path / "a.pdf").read_bytes() == b"new"
    assert oct((tmp_path / "a.pdf").stat().st_mode & 0o777) == "0o644"


def test_strict_turns_a_warning_into_a_failure(project, tmp_path, monkeypatch):
    # 2024-06-01: a SOURCE_DATE_EPOCH that disagrees with book.yaml's date is a warning.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")
    with pytest.raises(BuildError, match="--strict") as failure:
        build(project, tmp_path / "strict", ["pdf"], strict=True)
    assert "SOURCE_DATE_EPOCH (2024-06-01) differs" in str(failure.value)
    assert not (tmp_path / "strict").exists()
    result = build(project, tmp_path / "lenient")
    assert len(result.warnings) == 1
    report = json.loads((tmp_path / "lenient" / "build-report.json").read_text(encoding="utf-8"))
    assert report["warnings"] == result.warnings
    with zipfile.ZipFile(tmp_path / "lenient" / f"{SLUG}.epub") as epub:
        assert epub.getinfo("mimetype").date_time == (2024, 6, 1, 0, 0, 0)


def test_bad_source_date_epoch_is_a_clean_error(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BuildError, match="SOURCE_DATE_EPOCH: expected whole seconds"):
        build(project, tmp_path)


@pytest.mark.slow
def test_one_format_leaves_others_out_of_the_receipts(project, tz_builds, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(tz_builds[0], out)
    old_epub = (out / f"{SLUG}.epub").read_bytes()
    result = build(project, out, ["pdf"])
    assert list(result.outputs) == ["pdf"]
    assert (out / f"{SLUG}.epub").read_bytes() == old_epub
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"{SLUG}.epub" not in sums and f"{SLUG}.pdf" in sums
    assert any("not rebuilt this time" in w for w in result.warnings)
    with pytest.raises(BuildError, match="not rebuilt this time"):
        build(project, out, ["pdf"], strict=True)


def test_source_date_epoch_stamps_both_artifacts(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717243200")  # 2024-06-01 12:00:00 UTC
    result = build(project, tmp_path / "out")
    epub = zipfile.ZipFile(result.outputs["epub"])
    assert {info.date_time for info in epub.infolist()} == {(2024, 6, 1, 12, 0, 0)}
    opf = next(n for n in epub.namelist() if n.endswith(".opf"))
    assert b"<meta property=\"dcterms:modified\">2024-06-01T12:00:00Z</meta>" in epub.read(opf)
    info = PdfReader(str(result.outputs["pdf"])).metadata
    assert info["/CreationDate"].startswith("D:20240601120000")
    assert info["/ModDate"].startswith("D:20240601120000")


def test_watch_filter_takes_only_book_inputs(project):
    assert relevant(project / INTERVIEW, project)
    assert relevant(project / "layouts" / "pdf" / "book.css", project)
    assert relevant(project / "fonts" / "fonts.yaml", project)
    assert not relevant(project / "output" / f"{SLUG}.pdf", project)
    assert not relevant(project / "content" / ".01-sample.yaml.swp", project)
    assert not relevant(project / "README.md", project)
    # sed -i's temporary file, gone by the time the change is seen
    assert not relevant(project / "content" / "interviews" / "sedu48vRT", project)
    assert relevant(project / "content" / "interviews", project)  # a folder: files come and go


def test_rebuild_reports_a_broken_file_and_keeps_watching(project, tmp_path):
    broken = tmp_path / SLUG
    shutil.copytree(project, broken)
    (broken / INTERVIEW).write_text("order: [1\n", encoding="utf-8")
    stream = io.StringIO()
    assert rebuild(broken, None, Progress(stream)) is None
    assert f"error: 1 problem in the content; nothing was written\n{INTERVIEW}:" in (
        stream.getvalue().replace("publisher: ", ""))
    assert not (broken / "output").exists()


def test_watch_rebuilds_after_a_change(project, tmp_path):
    root = tmp_path / SLUG
    shutil.copytree(project, root)
    results: list = []
    built = [threading.Event(), threading.Event()]
    stop = threading.Event()

    def on_build(result) -> None:
        results.append(result)
        built[min(len(results), 2) - 1].set()

    thread = threading.Thread(target=watch, args=(root, None, Progress(io.StringIO())),
                              kwargs={"stop_event": stop, "on_build": on_build,
                                      "formats": ["pdf"]}, daemon=True)
    thread.start()
    try:
        assert built[0].wait(120), "the first build never finished"
        first = (root / "output" / f"{SLUG}.pdf").read_bytes()
        text = (root / INTERVIEW).read_text(encoding="utf-8")
        (root / INTERVIEW).write_text(text.replace("一次示例访谈", "第二次示例访谈"),
                                      encoding="utf-8")
        assert built[1].wait(120), "no rebuild after content/ changed"
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    assert results[0] is not None and results[1] is not None
    assert (root / "output" / f"{SLUG}.pdf").read_bytes() != first


def test_content_error_from_build_lists_every_problem(project, tmp_path):
    broken = tmp_path / SLUG
    shutil.copytree(project, broken)
    text = (broken / INTERVIEW).read_text(encoding="utf-8")
    (broken / INTERVIEW).write_text(text.replace("slug: sample", "slug: Not A Slug")
                                    .replace("order: 1", "order: 0"), encoding="utf-8")
    with pytest.raises(ContentError) as failure:
        build(broken, tmp_path / "out")
    assert [f"{p.path}:{p.line}" for p in failure.value.problems] == [f"{INTERVIEW}:2",
                                                                      f"{INTERVIEW}:3"]
    assert not (tmp_path / "out").exists()


def test_unchanged_inputs_rebuild_nothing(tmp_path):
    book = tmp_path / "book"
    create(book, date=DATE)
    out = tmp_path / "out"
    first = build(book, out)
    assert not first.up_to_date
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    again = build(book, out)
    assert again.up_to_date and again.pages == first.pages
    assert again.outputs == first.outputs
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before
    # Forced, or after an edit, or with an output touched by hand: a real build.
    assert not build(book, out, force=True).up_to_date
    first.outputs["pdf"].write_bytes(b"edited by hand")
    assert not build(book, out).up_to_date
    assert first.outputs["pdf"].read_bytes().startswith(b"%PDF")
    text = (book / INTERVIEW).read_text(encoding="utf-8")
    (book / INTERVIEW).write_text(text.replace("示例", "样例", 1), encoding="utf-8")
    assert not build(book, out).up_to_date
    assert not build(book, out, ["pdf"]).up_to_date  # other options, another build


@pytest.mark.parametrize("library", ["pikepdf", "uharfbuzz", "pypdfium2", "weasyprint"])
def test_a_library_upgrade_invalidates_the_stamp_and_every_cache_key(tmp_path, monkeypatch,
                                                                     library):
    """pikepdf merges the PDF, uharfbuzz subsets its fonts, pypdfium2 draws the EPUB cover:
    after upgrading one, a build must not say "up to date" nor reuse a cached subset."""
    from importlib import metadata

    from publisher import cache

    book = tmp_path / "book"
    create(book, date=DATE)
    out = tmp_path / "out"
    build(book, out)
    assert build(book, out).up_to_date
    entry = cache._entry("pdf-font", "some font|0|[1, 2]", tmp_path)
    real = metadata.version

    def upgraded(name: str) -> str:
        return "999.0" if name == library else real(name)

    monkeypatch.setattr(metadata, "version", upgraded)
    cache._versions.cache_clear()
    try:
        assert cache.library_versions()[library] == "999.0"
        assert cache._entry("pdf-font", "some font|0|[1, 2]", tmp_path) != entry
        assert not build(book, out).up_to_date
    finally:
        monkeypatch.undo()
        cache._versions.cache_clear()
