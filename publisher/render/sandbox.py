"""The layouts' confinement: templates read only from their folders, run in a sandbox."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_LAYOUT_BYTES = 1_000_000


class LayoutRefused(jinja2.TemplateError):
    """A layout file that exists but may not be read: not a TemplateNotFound, so a
    ChoiceLoader cannot silently fall back to the built-in layout of the same name."""


class ConfinedLoader(jinja2.FileSystemLoader):
    """FileSystemLoader whose templates must really live inside its directories.

    Jinja2's `followlinks=False` only affects listing; `get_source` opens a symlink to
    /etc/passwd happily. Here the real path is checked before the file is opened.
    """

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for base in self.searchpath:
            candidate = Path(base, *pieces)
            if not (candidate.is_file() or candidate.is_symlink()):
                continue
            real = candidate.resolve()
            if not real.is_relative_to(Path(base).resolve()):
                raise LayoutRefused(f"{candidate}: refused: it resolves to {real}, outside the "
                                    "layouts directory")
            if not real.is_file():
                raise LayoutRefused(f"{candidate}: not a regular file")
            stat = real.stat()
            if stat.st_size > MAX_LAYOUT_BYTES:
                raise LayoutRefused(f"{candidate}: {stat.st_size:,} bytes; the limit for a "
                                    f"layout is {MAX_LAYOUT_BYTES:,}")
            try:
                source = real.read_bytes().decode("utf-8")
            except UnicodeDecodeError as exc:
                raise LayoutRefused(f"{candidate}: not valid UTF-8 (byte {exc.start})") from None
            if not source.strip():
                # An empty override would typeset a part with no pages, which no PDF reader
                # can open: say so here, naming the file, rather than fail in the merge.
                raise LayoutRefused(f"{candidate}: the layout is empty; delete it to use the "
                                    f"built-in {template}, or start it with "
                                    f"{{% extends 'builtin/{template}' %}}")
            return source, str(candidate), _uptodate(real, stat.st_mtime)
        raise jinja2.TemplateNotFound(template)


def _uptodate(path: Path, mtime: float) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return os.path.getmtime(path) == mtime
        except OSError:
            return False

    return check


# Attributes a layout may read on a path (a portrait's file): names, never file operations.
_PATH_ATTRIBUTES = {"name", "stem", "suffix", "as_uri", "as_posix"}


class LayoutSandbox(ImmutableSandboxedEnvironment):
    """A layout is code from a third party: no dunder escapes, no file or process access."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, PurePath) and attr not in _PATH_ATTRIBUTES:
            return False
        return super().is_safe_attribute(obj, attr, value)
