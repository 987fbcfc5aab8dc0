"""One measurement in a fresh process: the real build, the single-pass build, Typst, a profile.

run.py starts this script once per measurement (`worker.py MODE ARGS... RESULT_JSON`) and
times the process from outside (proctree.run_child); this side adds what only the process
itself knows: the build's own per-stage times, pages, sizes and how many parts it laid out.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def cpu_split() -> tuple[float, float]:
    """CPU seconds of this process, and of the children it has reaped (the PDF workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def cpu_with_children() -> float:
    """CPU seconds of this process plus every child it has reaped."""
    return sum(cpu_split())


class Clock:
    """Wall and CPU time per named step (used for Typst and the worker's own imports)."""

    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}

    def run(self, name: str, work: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), cpu_with_children()
        try:
            return work()
        finally:
            self.stages[name] = {"wall": time.perf_counter() - wall,
                                 "cpu": cpu_with_children() - cpu}


CLOCK = Clock()


def _metered_progress() -> Any:
    """build.Progress that also records each stage's CPU time, workers included.

    The PDF stage joins its worker processes before it ends (parts._Pool.close), so their
    CPU time is in RUSAGE_CHILDREN by the time the stage's figure is taken.
    """
    from publisher.build.pipeline import Progress

    class MeteredProgress(Progress):
        def __init__(self) -> None:
            super().__init__(sys.stderr)  # the run's log file
            self.cpu: dict[str, float] = {}

        @contextmanager
        def stage(self, name: str, result: Any) -> Iterator[None]:
            before = cpu_with_children()
            try:
                with super().stage(name, result):
                    yield
            finally:
                self.cpu[name] = cpu_with_children() - before

    return MeteredProgress()


def _count_parts() -> dict[str, int]:
    """Record how many parts the build planned and how many WeasyPrint really laid out
    (the rest came from the cache): read off PartTypesetter, its behaviour unchanged."""
    from publisher.pdf import parts

    counts: dict[str, int] = {}
    typeset = parts.PartTypesetter.typeset

    def counted(self: Any) -> Any:
        try:
            return typeset(self)
        finally:
            counts["groups"] = len(self.groups)
            counts["laid_out"] = self.laid_out
            counts["workers"] = self.pool.size
            counts["started"] = len(self.pool.processes)

    parts.PartTypesetter.typeset = counted
    return counts


def _build(project_dir: Path, output_dir: Path, force: bool,
           single_pass: bool = False) -> dict[str, Any]:
    import publisher
    from publisher import cache
    from publisher.build.pipeline import build

    if single_pass:
        import functools

        from publisher.pdf import typeset as pdf

        pdf.typeset = functools.partial(pdf.typeset, in_parts=False)
    counts = _count_parts()
    progress = _metered_progress()
    result = CLOCK.run("build", lambda: build(project_dir, output_dir, force=force,
                                              progress=progress))
    parent, workers = cpu_split()
    return {"timings": result.timings, "stage_cpu": progress.cpu, "call": CLOCK.stages["build"],
            "cpu_parent": parent, "cpu_workers": workers,
            "pages": result.pages, "sizes": result.sizes, "up_to_date": result.up_to_date,
            "warnings": len(result.warnings), "parts": counts,
            "cache_dir": str(cache.cache_dir()), "jobs": os.environ.get("PUBLISHER_JOBS"),
            "tool": str(Path(publisher.__file__).parent)}


def full_build(project_dir: Path, output_dir: Path) -> dict[str, Any]:
    """The real orchestrator, as `publisher build --force` runs it (cold when the cache
    directory run.py gives it in $PUBLISHER_CACHE is empty)."""
    return _build(project_dir, output_dir, force=True)


def rebuild(project_dir: Path, output_dir: Path) -> dict[str, Any]:
    """The real orchestrator without --force: what an editor's next `publisher build` does."""
    return _build(project_dir, output_dir, force=False)


def single_pass(project_dir: Path, output_dir: Path) -> dict[str, Any]:
    """The orchestrator with the PDF laid out as one WeasyPrint document in this process
    (publisher.pdf.typeset.typeset(..., in_parts=False)), for comparison with the parts."""
    return _build(project_dir, output_dir, force=True, single_pass=True)


def typst_build(typ_file: Path, output: Path) -> dict[str, Any]:
    """The reference: Typst compiling the same text to a PDF (pages are counted by run.py,
    outside the timed process)."""
    typst = CLOCK.run("import", lambda: __import__("typst"))
    CLOCK.run("compile", lambda: typst.compile(str(typ_file), output=str(output),
                                               root=str(typ_file.parent)))
    return {"stages": CLOCK.stages}


WAITING = "(waiting on another process)"


def _library(path: str) -> str:
    """Which package a frame's file belongs to: the unit worth optimising."""
    parts = Path(path).parts
    for marker in ("site-packages", "publisher"):
        if marker in parts:
            rest = parts[parts.index(marker) + (1 if marker == "site-packages" else 0):]
            return rest[0].removesuffix(".py") if rest else marker
    return "(stdlib)" if "python3" in path else Path(path).name


def self_time_by_library(root: Any) -> dict[str, float]:
    """Sampled self time summed by package. A built-in function's time goes to the package
    that called it; anything under multiprocessing.connection (a parent polling its workers,
    a worker waiting for its next job or its first page number) is waiting."""
    by_library: dict[str, float] = {}
    stack = [(root, "(native)", False)]
    while stack:
        frame, caller, waiting = stack.pop()
        if frame is None:
            continue
        path = frame.file_path or ""
        waiting = waiting or path.endswith("multiprocessing/connection.py")
        name = caller if not path or path.startswith("<") else _library(path)
        stack.extend((child, name, waiting) for child in frame.children)
        # total_self_time already folds in the synthetic [self] children: count those once.
        own = 0.0 if frame.is_synthetic else frame.total_self_time
        if own:
            bucket = WAITING if waiting else name
            by_library[bucket] = by_library.get(bucket, 0.0) + own
    return by_library


def profile(project_dir: Path, output_dir: Path, text_out: Path) -> dict[str, Any]:
    """A cold build under pyinstrument, in the parent and in every PDF worker.

    pyinstrument samples one process; the parts are laid out in forked workers. So each
    worker starts its own profiler (publisher.pdf.worker.serve wrapped, behaviour unchanged) and
    saves its session when the pool shuts it down; the sessions are combined with the
    parent's. Samples are wall-clock: a process waiting on a pipe is sampled as waiting.
    """
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    from publisher.pdf import worker as partworker

    sessions = Path(text_out).with_suffix(".sessions")
    sessions.mkdir(parents=True, exist_ok=True)
    parent = Profiler(interval=0.001)
    serve = partworker.serve

    def profiled_serve(*args: Any) -> None:
        if parent.is_running:
            parent.stop()  # this fork's copy of the parent's profiler: not ours to sample
        mine = Profiler(interval=0.001)
        mine.start()
        try:
            serve(*args)
        finally:
            session = mine.stop()
            session.save(str(sessions / f"worker-{os.getpid()}.json"))

    partworker.serve = profiled_serve
    parent.start()
    figures = full_build(project_dir, output_dir)
    combined = parent.stop()
    workers = sorted(sessions.glob("worker-*.json"))
    for saved in workers:
        combined = Session.combine(combined, Session.load(str(saved)))
    text_out.write_text(ConsoleRenderer(unicode=False, color=False).render(combined),
                        encoding="utf-8")
    return {**figures, "by_library": self_time_by_library(combined.root_frame()),
            "profiled_processes": 1 + len(workers), "profile_seconds": combined.duration}


def main(argv: list[str]) -> int:
    """`worker.py MODE ARGS... RESULT_JSON`: run one measurement, write its figures."""
    mode, *args, result = argv
    paths = [Path(a) for a in args]
    work = {"build": full_build, "rebuild": rebuild, "single": single_pass,
            "typst": typst_build, "profile": profile}[mode]
    try:
        figures = work(*paths)
    except BaseException:
        import traceback

        failed = {"stages": CLOCK.stages, "failed": traceback.format_exc(limit=6)}
        Path(result).write_text(json.dumps(failed), encoding="utf-8")
        raise
    Path(result).write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
