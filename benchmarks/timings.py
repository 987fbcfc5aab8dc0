"""Figures the tests check for correctness only: merge time, the render time limit, memory.

The tests assert what these do (the merged pages, the BuildError, the sampler's sums); how
long or how many MB they take depends on the machine and its load, so it is printed here:

    PYTHONPATH=. python benchmarks/timings.py
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `benchmarks`, `publisher`, `tests` importable
    sys.path.insert(0, str(REPO))

# A process tree of known memory: a forked child holds 120 MB while its parent holds 80 MB.
HOLD = """
import multiprocessing, time

def hold(megabytes, ready, release):
    block = b"x" * (megabytes << 20)  # written, so resident
    ready.set()
    release.wait()
    return block

if __name__ == "__main__":
    context = multiprocessing.get_context("fork")
    ready, release = context.Event(), context.Event()
    child = context.Process(target=hold, args=(120, ready, release))
    child.start()
    ready.wait()
    block = b"y" * (80 << 20)
    time.sleep(1.0)  # both blocks resident together: several samples see them
    release.set()
    child.join()
"""

SENTENCE = "四川省妇联主席在访谈中说，我们要把工作做细做实。"


def merge_many_parts(copies: int = 100) -> dict:
    """Merge `copies` times three worker-written parts (tests/test_pdfmerge.py merges 300)."""
    import pikepdf

    from publisher.pdf.merge import merge
    from tests.pdf_render import worker_parts

    style = ('<style>@page { size: A5; margin: 20mm } article { break-before: page }'
             'body { font-family: "Noto Serif CJK SC" } h1 { font-family: "Noto Sans CJK SC" }'
             "</style>")
    documents = [f'<html lang="zh-CN"><head><title>样书</title>{style}</head><body><article '
                 f'id="ch{n}"><h1>第{n}章</h1><p>{SENTENCE * 40}</p></article></body></html>'
                 for n in range(3)]
    parts, files = worker_parts(documents, "pdf/ua-1")
    started = time.perf_counter()
    data = merge(parts * copies, files)
    seconds = time.perf_counter() - started
    pages = len(pikepdf.open(io.BytesIO(data)).pages)
    return {"parts": len(parts) * copies, "pages": pages, "bytes": len(data),
            "seconds": round(seconds, 2)}


def runaway_layout_stopped(limit: int = 1) -> dict:
    """How long a layout that would loop for hours runs under a `limit`-second alarm."""
    from benchmarks import synth
    from publisher.build import limits
    from publisher.content.load import load_project
    from publisher.errors import BuildError
    from publisher.render.templates import render

    with tempfile.TemporaryDirectory() as folder:
        root = synth.write_project(Path(folder) / "book", 1, seed=1)
        (root / "layouts" / "pdf").mkdir(parents=True)
        (root / "layouts" / "pdf" / "back.html.j2").write_text(
            "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}")
        project = load_project(root)
        started = time.perf_counter()
        try:
            with limits.bounded("rendering", limit):
                render(project, "pdf/back.html.j2")
        except BuildError:
            pass
        else:
            raise AssertionError("the layout ended on its own")
    return {"limit_s": limit, "stopped_after_s": round(time.perf_counter() - started, 2)}


def sampler_on_known_load() -> dict:
    """The process-tree sampler's figures for HOLD, from a fresh interpreter (ru_maxrss
    carries a forked copy's peak across exec, so not from this process)."""
    measure = ("import json, sys; from benchmarks import proctree; "
               "print(json.dumps(proctree.run_child([sys.executable, '-c', sys.argv[1]], "
               "interval=0.02)))")
    done = subprocess.run([sys.executable, "-c", measure, HOLD], capture_output=True, text=True,
                          check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    return json.loads(done.stdout)


def main() -> None:
    for name, figure in (("merge", merge_many_parts), ("runaway layout", runaway_layout_stopped),
                         ("sampler (120 MB child + 80 MB parent)", sampler_on_known_load)):
        print(f"{name}: {json.dumps(figure(), ensure_ascii=False)}", flush=True)


if __name__ == "__main__":
    main()
