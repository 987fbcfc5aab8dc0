"""Orchestrate a build: load and check everything, typeset in memory, then write atomically."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import time
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher import cache
from publisher.build import limits
from publisher.build.progress import BuildResult, Progress
from publisher.content.load import FIRST_DATE, LAST_DATE, load_project
from publisher.content.model import PLACEHOLDERS, Project
from publisher.errors import BuildError, OutputError, UsageError
from publisher.guard import write_all_atomic
from publisher.log import capture
from publisher.names import (
    BOOK_FILE,
    EDITION_VARIANTS,
    EDITIONS,
    FORMATS,
    INPUT_DIRS,
    OUTPUT_DIR,
    REPORT_NAME,
    SUMS_NAME,
    VARIANTS,
    output_name,
)

if TYPE_CHECKING:
    from publisher.pdf.types import TypesetPDF
    from publisher.pdf.worker import Pool

log = logging.getLogger("publisher.build.pipeline")


def source_date_epoch() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a UTC time, None when unset; UsageError (exit 2) when invalid."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or not raw.strip():
        return None
    if not re.fullmatch(r"\d{1,12}", raw.strip()):
        raise UsageError(f"SOURCE_DATE_EPOCH: expected whole seconds since 1970, got {raw!r}")
    try:
        when = dt.datetime.fromtimestamp(int(raw), dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise UsageError(f"SOURCE_DATE_EPOCH: {raw.strip()} is past the year 9999; "
                         f"expected a date from {FIRST_DATE} to {LAST_DATE}") from None
    if not FIRST_DATE <= when.date() <= LAST_DATE:  # what ZIP and PDF dates can hold
        raise UsageError(f"SOURCE_DATE_EPOCH: {raw.strip()} is {when.date()}; expected a "
                         f"date from {FIRST_DATE} to {LAST_DATE}")
    return when


def source_date(project: Project) -> dt.datetime:
    """The build's timestamp: SOURCE_DATE_EPOCH if set, else book.yaml's date at 00:00 UTC."""
    return source_date_epoch() or project.book.timestamp


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


@dataclass(frozen=True)
class Options:
    """What a build was asked for, checked: the formats in FORMATS order, the edition, the
    PDF standard (a key of names.PDF_VARIANTS) and --strict."""

    formats: tuple[str, ...]
    edition: str
    variant: str
    strict: bool = False

    @property
    def cover(self) -> bool:
        """The print edition's PDF comes with its cover sheet."""
        return self.edition == "print" and "pdf" in self.formats


def check_options(formats: Iterable[str], edition: str, variant: str | None,
                  strict: bool = False) -> Options:
    """The options checked against names.py; UsageError (exit 2) naming the choices
    otherwise."""
    formats = tuple(formats)
    wanted = tuple(f for f in FORMATS if f in formats)
    unknown = set(formats) - set(FORMATS)
    if unknown or not wanted:
        raise UsageError(f"unknown format {sorted(unknown)!r}; choose from {', '.join(FORMATS)}")
    if edition not in EDITIONS:
        raise UsageError(f"unknown edition {edition!r}; choose from {', '.join(EDITIONS)}")
    variant = variant or EDITION_VARIANTS[edition][0]
    if variant not in VARIANTS:
        raise UsageError(f"unknown PDF standard {variant!r}; choose from {', '.join(VARIANTS)}")
    if variant not in EDITION_VARIANTS[edition]:
        raise UsageError(f"--pdf-standard {variant} is not for the {edition} edition; choose "
                         f"from {', '.join(EDITION_VARIANTS[edition])}")
    return Options(wanted, edition, variant, strict)


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
    options, root, out = preflight(project_dir, output_dir, formats, edition, variant, strict)
    progress = progress or Progress(io.StringIO())
    digest = _inputs_digest(root, out, options)
    if not force and (summary := cache.fresh_summary(out, digest)) is not None:
        return _up_to_date(out, summary, options.edition, progress)
    # Imported only now: a no-op rebuild must not pay for WeasyPrint's start-up.
    from publisher.content import fonts
    from publisher.pdf import worker as partworker

    result = BuildResult(edition=options.edition, variant=options.variant)
    started = time.perf_counter()
    artifacts: dict[str, bytes] = {}
    # The build's one pool of PDF workers: made here, lent to the PDF stage, closed here.
    pool = partworker.Pool(root, options.variant)
    with pool, _collect_warnings(result), limits.bounded("building the book"):
        if partworker.parts_possible():  # the first worker imports WeasyPrint meanwhile
            pool.start()
        with progress.stage("load", result):
            project = load_project(project_dir)
            result.source_date = _build_date(project)
            _writable(out, project, options)
        with progress.stage("lint", result):
            _lint_summary(project)
        with progress.stage("fonts", result):
            result.fonts = fonts.check(project)  # resolved once: every stage gets these
            for problem in fonts.css_families(project, result.fonts):
                log.warning("%s", problem)
        # The EPUB's page list comes from where anchors fall in the PDF, so typeset for both.
        with progress.stage("pdf", result):
            typeset = _typeset(project, options, result, pool)
            pool.close()  # the merge and the EPUB need the workers' memory
        if "epub" in options.formats:
            with progress.stage("epub", result):  # while the parts merge in another process
                artifacts["epub"] = _epub(project, typeset, result)
        with progress.stage("merge", result):
            artifacts["pdf"] = typeset.data  # waits for the merge (and the press's finish)
        if options.cover:
            # After the book: the spine's width comes from its final page count.
            with progress.stage("cover", result):
                artifacts["cover"] = _cover(project, artifacts["pdf"], result)
    files = _outputs(project, out, options, artifacts, result)
    if options.strict and result.warnings:
        raise BuildError("--strict: the build warned, so nothing was written:\n  "
                         + "\n  ".join(result.warnings))
    with progress.stage("write", result):
        _write(project, out, digest, files, result, started)
    progress.summary(result)
    return result


def preflight(project_dir: Path, output_dir: Path | None, formats: Iterable[str] = FORMATS,
              edition: str = "screen", variant: str | None = None,
              strict: bool = False) -> tuple[Options, Path, Path]:
    """Everything checked before any work: the options, SOURCE_DATE_EPOCH, the project
    folder and the output folder; the checked options and the real project and output paths.
    """
    options = check_options(formats, edition, variant, strict)
    source_date_epoch()
    given = Path(project_dir)
    if not given.exists():
        raise UsageError(f"{given}: no such folder")
    if not given.is_dir():
        raise UsageError(f"{given}: not a folder; pass the project folder")
    root = given.resolve()
    return options, root, output_folder(root, output_dir)


def output_folder(root: Path, output_dir: Path | None) -> Path:
    """The real output folder. The default, PROJECT/output, is refused when it leaves the
    project (a symlink out: content from a pull request must not choose where the build
    writes) or is not a folder; a folder given with -o is the user's choice."""
    if output_dir is not None:
        out = Path(output_dir).resolve()
        shown = str(output_dir)
    else:
        default = root / OUTPUT_DIR
        out = default.resolve()
        shown = str(default)
        if not out.is_relative_to(root):
            raise UsageError(f"{default}: a link to {out}, outside the project; the build "
                             f"writes there only when asked: -o {out}")
        inputs = [root, *(root / name for name in INPUT_DIRS)]
        if any(out == folder or out.is_relative_to(folder) and folder != root
               for folder in inputs):
            raise UsageError(f"{default}: a link to {out}, among the project's inputs; the "
                             f"build writes there only when asked: -o {out}")
    if output_dir is not None and any(out == root / name or out.is_relative_to(root / name)
                                      for name in INPUT_DIRS):
        raise UsageError(f"{shown}: inside the project's {out.relative_to(root).parts[0]}/ "
                         "folder, which the build reads: build into another folder (the "
                         f"default is {root / OUTPUT_DIR})")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{shown}: not a folder, where the build writes its output; move "
                         f"it away or pass -o DIR")
    return out


def _inputs_digest(root: Path, out: Path, options: Options) -> str:
    """What decides the outputs: the inputs, the tool and the options (see cache.py)."""
    return cache.inputs_digest(root, {
        "formats": list(options.formats), "edition": options.edition,
        "variant": options.variant, "strict": options.strict,
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH")}, exclude=[out])


def _build_date(project: Project) -> dt.datetime:
    """The one timestamp every output carries, warned about when it is not the book's date."""
    when = source_date(project)
    if when.date() != project.book.date:
        log.warning("SOURCE_DATE_EPOCH (%s) differs from the date in %s (%s): the PDF "
                    "and the EPUB are stamped with the first",
                    when.date(), project.book.path, project.book.date)
    return when


def _typeset(project: Project, options: Options, result: BuildResult,
             pool: Pool) -> TypesetPDF:
    """The PDF laid out by the build's workers; its parts merge in another process."""
    from publisher.pdf import typeset as pdf
    from publisher.pdf.html import front_matter_spills

    typeset = pdf.typeset(project, edition=options.edition, variant=options.variant,
                          when=result.source_date, faces=result.fonts, pool=pool)
    for message in front_matter_spills(project, typeset):  # WeasyPrint says nothing of it
        log.warning("%s: %s", project.book.path, message)
    result.pages = typeset.pages
    result.parts = (typeset.parts, typeset.cached)
    return typeset


def _epub(project: Project, typeset: TypesetPDF, result: BuildResult) -> bytes:
    from publisher.epub import package as epub

    return epub.package(project, typeset, when=result.source_date)


def _cover(project: Project, book: bytes, result: BuildResult) -> bytes:
    from publisher.pdf import cover

    sheet = cover.make(project, cover.page_count(book), result.fonts, result.source_date)
    result.details["cover"] = sheet.details()
    return sheet.data


def _outputs(project: Project, out: Path, options: Options, artifacts: dict[str, bytes],
             result: BuildResult) -> dict[Path, bytes]:
    """The artifacts by the file each goes to; an earlier output not made again is warned
    about (it stays, but out of SHA256SUMS and the report, so it cannot pass as fresh)."""
    slug = project.book.slug
    made = [*options.formats, *(["cover"] if "cover" in artifacts else [])]
    for fmt in (*FORMATS, "cover"):
        stale = out / output_name(slug, fmt)
        if fmt == "cover" and "pdf" in made:
            continue  # a new PDF makes an earlier cover sheet stale: _write removes it
        if fmt not in made and stale.exists():
            result.warnings.append(f"{stale}: not rebuilt this time; it is left out of "
                                   f"{SUMS_NAME} and {REPORT_NAME}")
    for fmt in made:
        result.outputs[fmt] = out / output_name(slug, fmt)
        result.sizes[fmt] = len(artifacts[fmt])
    return {out / output_name(slug, fmt): artifacts[fmt] for fmt in made}


def _write(project: Project, out: Path, digest: str, files: dict[Path, bytes],
           result: BuildResult, started: float) -> None:
    """The artifacts and their receipts, all at once; then the stamp of a fresh build."""
    from publisher.build import report

    # The total up to here: the report must be complete before it is written.
    result.timings["total"] = round(time.perf_counter() - started, 3)
    files = dict(files)
    files[out / REPORT_NAME] = report.build_report(project, result, files)
    # SHA256SUMS goes last: if anything above fails, the old sums still match old files.
    files[out / SUMS_NAME] = report.sha256sums(files)
    write_all_atomic(files)
    # The cover sheet of an earlier print build belongs to the PDF just replaced: left there,
    # it would pass for this PDF's cover.
    cover = out / output_name(project.book.slug, "cover")
    if cover not in files and out / output_name(project.book.slug, "pdf") in files \
            and cover.is_file() and not cover.is_symlink():
        cover.unlink()
        log.info("removed %s: the cover sheet of an earlier print build", cover)
    cache.write_stamp(out, digest, files, {
        "pages": result.pages, "sizes": result.sizes, "warnings": result.warnings,
        "outputs": {fmt: path.name for fmt, path in result.outputs.items()}})
    result.report, result.sums = out / REPORT_NAME, out / SUMS_NAME


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
    # The importer's placeholders would be printed on the cover: a warning, so --strict
    # refuses to publish them.
    for f in findings:
        if f.path.endswith(BOOK_FILE) and f.subject in PLACEHOLDERS.values():
            log.warning("%s:%d: %s", f.path, f.line, f.message)


def _writable(out: Path, project: Project, options: Options) -> None:
    """Refuse before typesetting when a directory (or other non-file) sits where an output
    goes: the rename would fail only after all the work, with a raw OSError."""
    names = [output_name(project.book.slug, fmt) for fmt in options.formats]
    names += [REPORT_NAME, SUMS_NAME]
    blocked = [str(out / name) for name in names
               if (out / name).is_dir() and not (out / name).is_symlink()]
    if blocked:
        raise OutputError("the output folder cannot take the artifacts; nothing was "
                          "written:\n" + "\n".join(f"{path}: is a directory where the build "
                                                    "writes a file; move it away"
                                                    for path in blocked))


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
