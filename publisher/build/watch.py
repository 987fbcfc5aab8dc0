"""`publisher watch`: rebuild whenever content/, layouts/ or fonts/ change (watchfiles)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from publisher.build.pipeline import build, preflight
from publisher.build.progress import BuildResult, Progress
from publisher.errors import PublisherError
from publisher.names import INPUT_DIRS

WATCHED = INPUT_DIRS
# Editor droppings that say nothing about the book: swap, backup and lock files.
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~")


def relevant(path: Path, project_dir: Path) -> bool:
    """Whether a changed path is one of the book's inputs."""
    try:
        rel = path.resolve().relative_to(project_dir.resolve())
    except ValueError:
        return False
    if not rel.parts or rel.parts[0] not in WATCHED:
        return False
    name = rel.name
    # A file with no extension is none of the book's inputs (YAML, CSS, templates, images,
    # fonts) but a tool's scratch file: sed -i writes sedXXXXXX, vim tests with 4913.
    return not (name.startswith((".#", ".")) or name.endswith(IGNORED_SUFFIXES)
                or not rel.suffix and not (project_dir / rel).is_dir())


def rebuild(project_dir: Path, output_dir: Path | None, progress: Progress,
            **options: Any) -> BuildResult | None:
    """One build that reports a failure instead of raising, so watching goes on."""
    try:
        return build(project_dir, output_dir, progress=progress, **options)
    except PublisherError as exc:
        # The previous artifacts stay as they were: the build writes only on success.
        progress.line(f"error: {exc.format_message()}")
        progress.line("the previous output is unchanged; waiting for the next change")
        return None


def watch(
    project_dir: Path,
    output_dir: Path | None,
    progress: Progress,
    *,
    stop_event: threading.Event | None = None,
    on_build: Callable[[BuildResult | None], None] | None = None,
    **options: Any,
) -> None:
    """Build once, then rebuild after every batch of changes until stopped (Ctrl-C)."""
    import watchfiles

    # A bad folder or option fails at once (exit 2), rather than in every rebuild.
    preflight(project_dir, output_dir, **{k: v for k, v in options.items()
                                          if k in ("formats", "edition", "variant", "strict")})
    project_dir = project_dir.resolve()
    result = rebuild(project_dir, output_dir, progress, **options)
    if on_build:
        on_build(result)
    progress.line(f"watching {', '.join(f'{d}/' for d in WATCHED)} in {project_dir}")

    def accept(_change: watchfiles.Change, path: str) -> bool:
        return relevant(Path(path), project_dir)

    # The project root is watched, not the three folders, so a folder created later counts.
    for changes in watchfiles.watch(project_dir, watch_filter=accept, stop_event=stop_event,
                                    raise_interrupt=False):
        names = sorted({str(Path(p).relative_to(project_dir)) for _, p in changes})
        progress.line(f"changed: {', '.join(names)}")
        result = rebuild(project_dir, output_dir, progress, **options)
        if on_build:
            on_build(result)
