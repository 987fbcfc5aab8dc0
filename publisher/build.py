"""Orchestrate a build: load and check everything, typeset in memory, then write atomically."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from publisher import limits
from publisher.errors import BuildError, PublisherError
from publisher.load import FIRST_DATE, LAST_DATE, load_project
from publisher.log import capture
from publisher.model import Project

FORMATS = ("pdf", "epub")
EDITIONS = ("screen", "print")
VARIANTS = ("ua", "a", "none", "x-4", "x-1a")  # the keys of pdf.PDF_VARIANTS
# The PDF standards each edition takes, its default first: PDF/X only for the press.
EDITION_VARIANTS = {"screen": ("ua", "a", "none"), "print": ("x-4", "x-1a")}
REPORT_NAME = "build-report.json"
SUMS_NAME = "SHA256SUMS"
log = logging.getLogger("publisher.build")


@dataclass
class BuildResult:
    """What a build made and wrote, with what the report needs to describe it."""

    outputs: dict[str, Path] = field(default_factory=dict)
    pages: int = 0
    sizes: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    fonts: list[Any] = field(default_factory=list)
    source_date: dt.datetime | None = None
    edition: str = "screen"
    variant: str = "ua"  # the PDF standard (a key of pdf.PDF_VARIANTS)
    report: Path | None = None
    sums: Path | None = None
    up_to_date: bool = False  # nothing changed since the last build: nothing was rebuilt
    parts: tuple[int, int] = (0, 0)  # the PDF's parts, and how many came from the part cache
    details: dict[str, dict[str, Any]] = field(default_factory=dict)  # more report fields


@contextmanager
def _named_failure(stage: str) -> Iterator[None]:
    """A library crash inside a stage becomes a one-line BuildError naming the stage."""
    try:
        yield
    except PublisherError:
        raise
    except Exception as exc:
        raise BuildError(f"the {stage} stage failed: {type(exc).__name__}: {exc}") from exc


class Progress:
    """Plain progress: one log line per stage, for pipes, CI logs and tests."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr

    @contextmanager
    def stage(self, name: str, result: BuildResult) -> Iterator[None]:
        self.line(f"{name} ...")
        start = time.perf_counter()
        with _named_failure(name):
            yield
        result.timings[name] = round(time.perf_counter() - start, 3)
        self.line(f"{name} done in {result.timings[name]:.2f} s")

    def line(self, text: str) -> None:
        print(f"publisher: {text}", file=self.stream, flush=True)

    def summary(self, result: BuildResult) -> None:
        for line in summary_lines(result):
            self.line(line)


class RichProgress(Progress):
    """A spinner per stage on a terminal, then the same summary as a table."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console

        super().__init__(stream)
        self.console = Console(file=self.stream)

    @contextmanager
    def stage(self, name: str, result: BuildResult) -> Iterator[None]:
        start = time.perf_counter()
        with self.console.status(f"[bold]{name}[/] …"), _named_failure(name):
            yield
        result.timings[name] = round(time.perf_counter() - start, 3)
        self.console.print(f"[green]✓[/] {name} [dim]{result.timings[name]:.2f} s[/]")

    def line(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False)

    def summary(self, result: BuildResult) -> None:
        from rich.table import Table

        table = Table(title="build summary", show_header=True)
        for column in ("artifact", "pages", "bytes"):
            table.add_column(column, justify="left" if column == "artifact" else "right")
        for fmt, path in result.outputs.items():
            pages = str(result.pages) if fmt == "pdf" else ""
            table.add_row(str(path), pages, f"{result.sizes[fmt]:,}")
        self.console.print(table)
        for line in summary_lines(result)[len(result.outputs):]:
            self.line(line)


def progress_for(stream: TextIO | None = None) -> Progress:
    """Rich progress on an interactive terminal, plain log lines otherwise."""
    stream = stream or sys.stderr
    is_tty = getattr(stream, "isatty", lambda: False)()
    return RichProgress(stream) if is_tty and os.environ.get("TERM") != "dumb" else Progress(stream)


def summary_lines(result: BuildResult) -> list[str]:
    """The closing summary: one line per artifact, then warnings and time per stage."""
    lines = []
    for fmt, path in result.outputs.items():
        pages = f", {result.pages} pages" if fmt == "pdf" else ""
        if fmt == "pdf" and result.parts[0] > 1:
            pages += f"; {result.parts[0]} parts, {result.parts[1]} from the cache"
        if fmt == "cover" and (sheet := result.details.get(fmt)):
            pages = f", spine {sheet['spine_mm']:.2f} mm for {sheet['book_pages']} pages"
        lines.append(f"wrote {path} ({result.sizes[fmt]:,} bytes{pages})")
    lines.append(f"{len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}")
    lines += [f"warning: {w}" for w in result.warnings]
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in result.timings.items()
                       if name != "total")
    lines.append(f"time per stage: {stages}; total {result.timings.get('total', 0):.2f} s")
    return lines


def source_date(project: Project) -> dt.datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH if set, else book.yaml's date at 00:00 UTC."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is not None and raw.strip():
        if not re.fullmatch(r"\d{1,12}", raw.strip()):
            raise BuildError(f"SOURCE_DATE_EPOCH: expected whole seconds since 1970, got {raw!r}")
        try:
            when = dt.datetime.fromtimestamp(int(raw), dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise BuildError(f"SOURCE_DATE_EPOCH: {raw.strip()} is past the year 9999; "
                             f"expected a date from {FIRST_DATE} to {LAST_DATE}") from None
        if not FIRST_DATE <= when.date() <= LAST_DATE:  # what ZIP and PDF dates can hold
            raise BuildError(f"SOURCE_DATE_EPOCH: {raw.strip()} is {when.date()}; expected a "
                             f"date from {FIRST_DATE} to {LAST_DATE}")
        return when
    return project.book.timestamp


def write_atomic(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place."""
    write_all_atomic({target: data})


def write_all_atomic(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary sibling first, then rename them all into place.

    Renames happen only after every temporary file is complete, so a failure while
    writing leaves every previous file as it was.
    """
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                       dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


@contextmanager
def _collect_warnings(result: BuildResult) -> Iterator[None]:
    """Gather every warning the stages log or emit, so --strict can refuse them."""
    with capture("publisher", "ebooklib", "fontTools") as collector, \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    # Library deprecation noise says nothing about the book.
    emitted = [f"{w.category.__name__}: {w.message}" for w in caught
               if not issubclass(w.category, DeprecationWarning | PendingDeprecationWarning
                                 | ResourceWarning)]
    result.warnings.extend(dict.fromkeys(collector.messages + emitted))


def build(
    project_dir: Path,
    output_dir: Path | None = None,
    formats: Iterable[str] = FORMATS,
    *,
    edition: str = "screen",
    variant: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    force: bool = False,
) -> BuildResult:
    """Build the chosen formats; nothing is written unless every stage succeeds.

    When the inputs, the tool and the options equal those of the last build into the same
    folder, and its outputs are untouched, nothing is rebuilt (unless `force`).
    """
    from publisher import cache

    formats = tuple(formats)
    wanted = [f for f in FORMATS if f in formats]
    unknown = set(formats) - set(FORMATS)
    if unknown or not wanted:
        raise BuildError(f"unknown format {sorted(unknown)!r}; choose from {', '.join(FORMATS)}")
    if edition not in EDITIONS:
        raise BuildError(f"unknown edition {edition!r}; choose from {', '.join(EDITIONS)}")
    variant = variant or EDITION_VARIANTS[edition][0]
    if variant not in VARIANTS:
        raise BuildError(f"unknown PDF standard {variant!r}; choose from {', '.join(VARIANTS)}")
    if variant not in EDITION_VARIANTS[edition]:
        raise BuildError(f"--pdf-standard {variant} is not for the {edition} edition; choose "
                         f"from {', '.join(EDITION_VARIANTS[edition])}")
    progress = progress or Progress(io.StringIO())
    root = Path(project_dir).resolve()
    stamp_dir = (Path(output_dir) if output_dir else root / "output").resolve()
    digest = cache.inputs_digest(root, {
        "formats": wanted, "edition": edition, "variant": variant, "strict": strict,
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH")}, exclude=[stamp_dir])
    if not force and (summary := cache.fresh_summary(stamp_dir, digest)) is not None:
        return _up_to_date(stamp_dir, summary, edition, progress)
    # Imported only now: a no-op rebuild must not pay for WeasyPrint's start-up.
    from publisher import cover, epub, fonts, partworker, pdf, report

    result = BuildResult(edition=edition, variant=variant)
    artifacts: dict[str, bytes] = {}
    started = time.perf_counter()
    pool = partworker.Pool(root, variant)
    if pdf.parts_possible():  # the first worker imports WeasyPrint while the book loads
        pool.start()
    with pool, _collect_warnings(result), limits.bounded("building the book"):
        with progress.stage("load", result):
            project = load_project(project_dir)
            result.source_date = source_date(project)
            _writable(Path(output_dir or project.root / "output"), project, wanted)
            if result.source_date.date() != project.book.date:
                log.warning("SOURCE_DATE_EPOCH (%s) differs from the date in %s (%s): the PDF "
                            "and the EPUB are stamped with the first",
                            result.source_date.date(), project.book.path, project.book.date)
        with progress.stage("lint", result):
            _lint_summary(project)
        with progress.stage("fonts", result):
            result.fonts = fonts.check(project)
        # The EPUB's page list comes from where anchors fall in the PDF, so typeset for both.
        with progress.stage("pdf", result):
            typeset = pdf.typeset(project, edition=edition, variant=variant,
                                  when=result.source_date, faces=result.fonts, pool=pool)
            result.pages = typeset.pages
            result.parts = (typeset.parts, typeset.cached)
        if "epub" in wanted:
            # Made while the PDF's parts are merged in another process.
            with progress.stage("epub", result):
                artifacts["epub"] = epub.package(project, typeset, when=result.source_date)
        artifacts["pdf"] = typeset.data
        if edition == "print" and "pdf" in wanted:
            # After the book: the spine's width comes from its final page count.
            with progress.stage("cover", result):
                sheet = cover.make(project, cover.page_count(artifacts["pdf"]), result.fonts,
                                   result.source_date)
                artifacts["cover"], result.details["cover"] = sheet.data, sheet.details()
    output_dir = (output_dir or project.root / "output").resolve()
    names = {**{fmt: f"{project.book.slug}.{fmt}" for fmt in FORMATS},
             "cover": cover.file_name(project.book.slug)}
    made = [*wanted, *(["cover"] if "cover" in artifacts else [])]
    for fmt in [f for f in names if f not in made]:
        stale = output_dir / names[fmt]
        if stale.exists():
            # It stays, but out of SHA256SUMS and the report, so it cannot pass as fresh.
            result.warnings.append(f"{stale}: not rebuilt this time; it is left out of "
                                   f"{SUMS_NAME} and {REPORT_NAME}")
    if strict and result.warnings:
        raise BuildError("--strict: the build warned, so nothing was written:\n  "
                         + "\n  ".join(result.warnings))
    files = {output_dir / names[fmt]: artifacts[fmt] for fmt in made}
    for fmt in made:
        result.outputs[fmt] = output_dir / names[fmt]
        result.sizes[fmt] = len(artifacts[fmt])
    with progress.stage("write", result):
        # The total up to here: the report must be complete before it is written.
        result.timings["total"] = round(time.perf_counter() - started, 3)
        report_bytes = report.build_report(project, result, files)
        files[output_dir / REPORT_NAME] = report_bytes
        # SHA256SUMS goes last: if anything above fails, the old sums still match old files.
        files[output_dir / SUMS_NAME] = report.sha256sums(files)
        write_all_atomic(files)
        cache.write_stamp(output_dir, digest, files, {
            "pages": result.pages, "sizes": result.sizes, "warnings": result.warnings,
            "outputs": {fmt: path.name for fmt, path in result.outputs.items()}})
    result.report = output_dir / REPORT_NAME
    result.sums = output_dir / SUMS_NAME
    progress.summary(result)
    return result


def _lint_summary(project: Project) -> None:
    """Warn in one line when the content has lint errors, so --strict refuses to publish it."""
    from publisher.lint import lint_project
    from publisher.lint.finding import ERROR

    # Without the glyph rule: the fonts stage checks the glyphs itself.
    findings = lint_project(project.root, glyphs=False, project=project)
    errors = sum(f.severity == ERROR for f in findings)
    if errors:
        log.warning("content has %d lint error%s (publisher lint for details)",
                    errors, "" if errors == 1 else "s")


def _writable(output_dir: Path, project: Project, wanted: list[str]) -> None:
    """Refuse before typesetting when a directory (or other non-file) sits where an output
    goes: the rename would fail only after all the work, with a raw OSError."""
    names = [f"{project.book.slug}.{fmt}" for fmt in wanted] + [REPORT_NAME, SUMS_NAME]
    blocked = [name for name in names
               if (output_dir / name).is_dir() and not (output_dir / name).is_symlink()]
    if blocked:
        from publisher.errors import ContentError, Problem

        raise ContentError([Problem(str(output_dir / name), None, "is a directory where the "
                                    "build writes a file; move it away") for name in blocked])


def _up_to_date(output_dir: Path, summary: dict[str, Any], edition: str,
                progress: Progress) -> BuildResult:
    """The result of the last build, whose outputs are still current."""
    result = BuildResult(edition=edition, up_to_date=True, pages=summary.get("pages", 0),
                         sizes=summary.get("sizes", {}),
                         warnings=list(summary.get("warnings", [])))
    result.outputs = {fmt: output_dir / name for fmt, name in summary.get("outputs", {}).items()}
    result.report, result.sums = output_dir / REPORT_NAME, output_dir / SUMS_NAME
    progress.line("up to date: inputs unchanged since the last build, nothing rebuilt "
                  "(--force rebuilds anyway)")
    return result
