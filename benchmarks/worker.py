"""One measurement in a fresh process: the build split into stages, a full build, or Typst."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


class Clock:
    """Wall and CPU time and the process's peak RSS so far, per named stage."""

    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}

    def run(self, name: str, work: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return work()
        finally:
            self.stages[name] = {"wall": time.perf_counter() - wall,
                                 "cpu": time.process_time() - cpu, "peak_mb": _peak_mb()}


CLOCK = Clock()


def stages(project_dir: Path) -> dict[str, Any]:
    """The build's stages one by one, as build.build runs them (minus writing files)."""
    clock = CLOCK

    def imports() -> None:
        import weasyprint  # noqa: F401

        import publisher.epub  # noqa: F401
        import publisher.lint  # noqa: F401
        import publisher.load  # noqa: F401
        import publisher.pdf  # noqa: F401

    clock.run("import", imports)
    from publisher import fonts, justify, pdf
    from publisher.lint import lint_project
    from publisher.load import load_project

    project = clock.run("load", lambda: load_project(project_dir))
    findings = clock.run("lint", lambda: lint_project(project_dir))

    def render() -> str:
        faces = fonts.check(project)
        justify.install()
        return pdf.html_for_pdf(project, faces)

    html = clock.run("render", render)

    def layout() -> Any:
        return pdf.lay_out(project, html)[0]

    document = clock.run("pdf_layout", layout)

    def write() -> pdf.TypesetPDF:
        return pdf.write(document, "ua")

    typeset = clock.run("pdf_write", write)

    def epub() -> bytes:
        from publisher import epub

        return epub.package(project, typeset)

    data = clock.run("epub", epub)
    return {"stages": clock.stages, "pages": typeset.pages, "pdf_bytes": len(typeset.data),
            "epub_bytes": len(data), "findings": len(findings),
            "interviews": len(project.interviews)}


def full_build(project_dir: Path, output_dir: Path) -> dict[str, Any]:
    """The real orchestrator, end to end, as an editor runs it."""
    clock = CLOCK
    from publisher.build import build

    result = clock.run("build", lambda: build(project_dir, output_dir, force=True))
    return {"stages": clock.stages, "pages": result.pages,
            "timings": getattr(result, "timings", {})}


def typst_build(typ_file: Path, output: Path) -> dict[str, Any]:
    """The reference: Typst compiling the same text to a PDF."""
    clock = CLOCK
    typst = clock.run("import", lambda: __import__("typst"))
    clock.run("compile", lambda: typst.compile(str(typ_file), output=str(output),
                                               root=str(typ_file.parent)))
    import pypdfium2

    return {"stages": clock.stages, "pages": len(pypdfium2.PdfDocument(str(output)))}


def _library(path: str | None) -> str:
    """Which package a frame's file belongs to: the unit worth optimising."""
    if not path:
        return "(native)"
    parts = Path(path).parts
    for marker in ("site-packages", "publisher"):
        if marker in parts:
            rest = parts[parts.index(marker) + (1 if marker == "site-packages" else 0):]
            return rest[0].removesuffix(".py") if rest else marker
    return "(stdlib)" if "python3" in path else Path(path).name


def profile(project_dir: Path, text_out: Path) -> dict[str, Any]:
    """The stages under pyinstrument: self time summed by library, the call tree as text."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    figures = stages(project_dir)
    profiler.stop()
    text_out.write_text(profiler.output_text(unicode=False, color=False), encoding="utf-8")
    by_library: dict[str, float] = {}
    stack = [profiler.last_session.root_frame()] if profiler.last_session else []
    while stack:
        frame = stack.pop()
        if frame is None:
            continue
        stack.extend(frame.children)
        # total_self_time already folds in the synthetic [self] children: count those once.
        own = 0.0 if frame.is_synthetic else frame.total_self_time
        if own:
            name = _library(frame.file_path)
            by_library[name] = by_library.get(name, 0.0) + own
    return {**figures, "by_library": by_library}


def main(argv: list[str]) -> int:
    """`worker.py MODE ARGS... RESULT_JSON`: run one measurement, write its figures."""
    mode, *args, result = argv
    paths = [Path(a) for a in args]
    work = {"stages": stages, "build": full_build, "typst": typst_build,
            "profile": profile}[mode]
    try:
        figures = work(*paths)
    except BaseException:
        import traceback

        # Keep the stages that finished: a late failure should not hide the early figures.
        failed = {"stages": CLOCK.stages, "failed": traceback.format_exc(limit=4)}
        Path(result).write_text(json.dumps(failed), encoding="utf-8")
        raise
    Path(result).write_text(json.dumps(figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
