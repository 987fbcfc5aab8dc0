"""Logging policy and warning capture shared by the build stages.

Levels: ERROR is never logged, it is raised (a PublisherError the CLI prints); WARNING is
for input that was used but is suspect (`--strict` fails on it, and any WeasyPrint warning
fails the PDF outright); INFO is progress; DEBUG is for developers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class Collector(logging.Handler):
    """Keeps the message of every WARNING or worse record it sees."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def capture(*names: str) -> Iterator[Collector]:
    """Collect the warnings of the named loggers for the duration of the block."""
    collector = Collector()
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield collector
    finally:
        for logger in loggers:
            logger.removeHandler(collector)
