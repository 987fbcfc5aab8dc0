"""Build progress: a line or a spinner per stage, the per-stage times, the closing summary."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from publisher.errors import BuildError, PublisherError


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
    variant: str = "ua"  # the PDF standard (a key of names.PDF_VARIANTS)
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
