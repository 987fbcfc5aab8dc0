"""Command line: a thin click layer over the pipeline stages, callable in-process."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from publisher import __version__

PROJECT = click.Path(file_okay=False, path_type=Path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publisher")
def cli() -> None:
    """Turn interview collections into a print-ready PDF and an EPUB 3."""


@cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", type=PROJECT, default=Path("content"), show_default=True,
              help="Content directory to write the YAML files into.")
def import_cmd(source: Path, out: Path) -> None:
    """Import raw interview text SOURCE into one YAML file per interview."""
    from publisher.importer import import_file

    result, written = import_file(source, out)
    for notice in result.notices:
        click.echo(f"{notice} (tolerated)", err=True)
    pairs = sum(len(i.pairs) for i in result.interviews)
    click.echo(f"imported {len(result.interviews)} interviews, {pairs} question–answer pairs; "
               f"wrote {len(written)} files to {out}")


@cli.command()
@click.argument("project_dir", type=PROJECT, default=Path("."))
@click.option("-o", "--output", "output_dir", type=PROJECT, default=None,
              help="Where to write the artifacts (default: PROJECT_DIR/output).")
def build(project_dir: Path, output_dir: Path | None) -> None:
    """Build the PDF and the EPUB of the book in PROJECT_DIR."""
    from publisher.build import build as run

    result = run(project_dir, output_dir)
    for path in result.outputs.values():
        click.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


@cli.command()
@click.argument("project_dir", type=PROJECT, default=Path("."))
def lint(project_dir: Path) -> None:
    """Check the content for editorial problems."""
    raise click.ClickException("lint is not implemented yet")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; tests call this in-process with an argument list."""
    cli.main(args=list(argv) if argv is not None else sys.argv[1:], prog_name="publisher")
