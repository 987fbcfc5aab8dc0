"""Command line: a thin click layer over the pipeline stages, callable in-process."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from publisher import __version__
from publisher.errors import EXIT_USAGE, PublisherError
from publisher.names import (
    CONTENT_DIR,
    EDITIONS,
    FORMATS,
    OUTPUT_DIR,
    REPORT_NAME,
    SUMS_NAME,
    VARIANTS,
    is_content,
    is_project,
)


class WrongFolder(PublisherError):
    """A folder of another kind passed where a project or an output folder is expected."""

    exit_code = EXIT_USAGE


def _shown(folder: Path) -> str:
    """A folder as the user may type it: as given, or absolute where it was `.` or `..`."""
    return str(folder.resolve()) if folder.name in ("", ".", "..") else str(folder)


def _project_dir(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """A project folder; the content folder passed in its place is refused with a hint."""
    if is_content(value):
        parent = value.resolve().parent if value.name in ("", ".", "..") else value.parent
        raise WrongFolder(
            f"{_shown(value)} is a content folder (book.yaml, interviews/), not a project; "
            f"pass the project folder that holds it: publisher {ctx.info_name} "
            f"{_shown(parent)}")
    return value


def _output_dir(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """A build's output folder; a project folder passed in its place is refused with a hint."""
    artifacts = [*value.glob("*.pdf"), *value.glob("*.epub"), value / SUMS_NAME,
                 value / REPORT_NAME]
    if is_project(value) and not any(os.path.lexists(a) for a in artifacts):
        output = value / OUTPUT_DIR
        unbuilt = "" if output.is_dir() else f" (not built yet: publisher build {_shown(value)})"
        raise WrongFolder(f"{_shown(value)} is a project, not a build's output; did you mean "
                          f"{output}?{unbuilt}")
    return value


PROJECT = click.Path(file_okay=False, path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publisher")
def cli() -> None:
    """Turn interview collections into a print-ready PDF and an EPUB 3."""


def _manuscript(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """A manuscript that does not exist, or of a format the importer does not read, is a
    mistake on the command line (exit 2), not a problem in its content."""
    from publisher.content.importer.sources import TEXT_SUFFIXES

    if not os.path.lexists(value):
        raise click.BadParameter(f"{value}: no such file", ctx, param)
    if value.suffix.lower() not in TEXT_SUFFIXES:
        hint = " (an old Word .doc: save it as .docx)" if value.suffix.lower() == ".doc" else ""
        raise click.BadParameter(f"{value}: not a .txt, .md or .docx manuscript{hint}",
                                 ctx, param)
    return value


@cli.command("import")
@click.argument("source", type=click.Path(path_type=Path), callback=_manuscript)
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), default=Path(CONTENT_DIR),
              show_default=True, help="Content directory to write the YAML files into.")
@click.option("--force", is_flag=True, help="Replace the files an earlier import wrote "
              "(never a file edited since, nor one the importer did not write).")
def import_cmd(source: Path, out: Path, force: bool) -> None:
    """Import the interviews of SOURCE (.txt, .md or .docx) as one YAML file per interview."""
    from publisher.content.importer import count, grouped, import_file

    result, written = import_file(source, out, force=force)
    for line in grouped(result.notices):
        click.echo(f"notice: {line}", err=True)
    pairs = sum(len(i.pairs) for i in result.interviews)
    click.echo(f"imported {count(len(result.interviews), 'interview')}, "
               f"{count(pairs, 'question–answer pair')}; "
               f"wrote {count(len(written), 'file')} to {out}")


BUILD_OPTIONS = [
    click.option("-o", "--output", "output_dir", type=PROJECT, default=None,
                 help="Where to write the artifacts (default: PROJECT_DIR/output)."),
    click.option("-f", "--format", "formats", type=click.Choice(FORMATS), multiple=True,
                 help="Build only this format (repeatable; default: every format)."),
    click.option("--edition", type=click.Choice(EDITIONS), default=EDITIONS[0],
                 show_default=True, help="PDF edition: screen, or print with bleed and marks."),
    click.option("--pdf-standard", "variant",
                 type=click.Choice(VARIANTS), default=None,
                 help="Screen edition: ua (default), tagged PDF/UA-1; a: PDF/A-2b for "
                      "archives; none: plain PDF. Print edition: x-4 (default) or x-1a, "
                      "PDF/X for the press."),
    click.option("--strict", is_flag=True, help="Fail the build on any warning."),
    click.option("--force", is_flag=True,
                 help="Rebuild even when nothing changed since the last build."),
]


def _build_options(func: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(BUILD_OPTIONS):
        func = option(func)
    return func


@cli.command()
@click.argument("project_dir", type=PROJECT, default=Path("."), callback=_project_dir)
@_build_options
def build(project_dir: Path, output_dir: Path | None, formats: tuple[str, ...], edition: str,
          variant: str, strict: bool, force: bool) -> None:
    """Build the PDF and the EPUB of the book in PROJECT_DIR; exit 0 only if all were written."""
    from publisher.build.pipeline import build as run
    from publisher.build.progress import progress_for
    from publisher.build.signals import stopped_cleanly

    with stopped_cleanly("the build"):
        run(project_dir, output_dir, formats or FORMATS, edition=edition, variant=variant,
            strict=strict, progress=progress_for(), force=force)


@cli.command()
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=Path(OUTPUT_DIR), callback=_output_dir)
def check(output_dir: Path) -> None:
    """Validate the artifacts in OUTPUT_DIR: EPUBCheck, Ace, qpdf, the PDF's own checks."""
    from publisher.check.artifacts import check_output
    from publisher.errors import EXIT_FINDINGS

    verdicts = check_output(output_dir)
    for verdict in verdicts:
        click.echo("\n".join(verdict.lines()))
    failed = [v for v in verdicts if not v.ok]
    if failed:
        click.echo(f"{len(failed)} of {len(verdicts)} artifacts failed", err=True)
        sys.exit(EXIT_FINDINGS)


@cli.command()
@click.argument("project_dir", type=PROJECT, default=Path("."), callback=_project_dir)
@_build_options
def watch(project_dir: Path, output_dir: Path | None, formats: tuple[str, ...], edition: str,
          variant: str, strict: bool, force: bool) -> None:
    """Build, then rebuild on every change to content/, layouts/ or fonts/ (Ctrl-C stops)."""
    from publisher.build.progress import progress_for
    from publisher.build.signals import stopped_cleanly
    from publisher.build.watch import watch as run

    with stopped_cleanly("the build"):  # while watching, Ctrl-C simply ends it (exit 0)
        run(project_dir, output_dir, progress_for(), formats=formats or FORMATS,
            edition=edition, variant=variant, strict=strict, force=force)


@cli.command()
@click.argument("directory", type=PROJECT)
@click.option("--title", default="我的访谈录", show_default=True, help="The book's title.")
def new(directory: Path, title: str) -> None:
    """Create a book project in DIRECTORY with one sample interview that builds at once."""
    from publisher.content.scaffold import create

    written = create(directory, title)
    click.echo(f"created {directory} ({len(written)} files); next: publisher build {directory}")


@cli.command()
@click.argument("project_dir", type=PROJECT, default=Path("."), callback=_project_dir)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Print findings as text lines or as JSON.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes and log them in "
              "content/corrections.yaml.")
@click.pass_context
def lint(ctx: click.Context, project_dir: Path, fmt: str, fix: bool) -> None:
    """Check the content for editorial problems; exit 1 while errors remain."""
    from publisher.lint.report import run

    ctx.exit(run(project_dir, fmt, fix))


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; tests call this in-process with an argument list."""
    cli.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="publisher")
