"""Exceptions: a tiny hierarchy the CLI prints as one clean message and an exit code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import click

# Exit codes, documented in docs/build.md.
EXIT_FINDINGS = 1  # lint findings or a failed check remain
EXIT_USAGE = 2  # click's own code for a bad command line
EXIT_CONTENT = 3  # the content (YAML, source text, images, fonts) is at fault
EXIT_BUILD = 4  # typesetting or packaging failed
EXIT_SIGNAL = 128  # plus the signal's number: 130 for SIGINT, 143 for SIGTERM (Unix shells)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input, located as precisely as known."""

    path: str
    line: int | None
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class PublisherError(click.ClickException):
    """Base class: a failure the user can act on, printed without a traceback."""

    exit_code = EXIT_BUILD

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class ContentError(PublisherError):
    """Raised by the loader, importer and font check with every problem found at once."""

    exit_code = EXIT_CONTENT

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def format_message(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the content; nothing was written"
        return head + "\n" + "\n".join(str(p) for p in self.problems)


class BuildError(PublisherError):
    """Raised by the typesetting and packaging stages when an output cannot be made."""

    exit_code = EXIT_BUILD


class UsageError(BuildError):
    """Raised by build() before any work for a bad option, environment value or folder
    (exit 2); a BuildError, so one `except BuildError` still catches every refused build."""

    exit_code = EXIT_USAGE


class OutputError(BuildError):
    """Raised before typesetting when the output folder cannot take the artifacts (exit 4)."""

    exit_code = EXIT_BUILD


class Interrupted(PublisherError):
    """Raised by the CLI when SIGINT, SIGTERM or SIGHUP stopped a build (exit 128 + signal)."""

    def __init__(self, signum: int, message: str) -> None:
        super().__init__(message)
        self.exit_code = EXIT_SIGNAL + signum
