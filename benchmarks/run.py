"""Benchmark the build against Typst and regenerate docs/performance.md and its plot.

Every build is the real orchestrator (`publisher.build.pipeline.build`, or the `publisher build`
command) in a fresh process, timed from outside with its worker processes: CPU time through
os.wait4, peak memory as the peak of the summed RSS of the process tree (proctree.py).
Cold builds get an empty $PUBLISHER_CACHE and an empty output folder each. Every build runs
a copy of publisher/, layouts/ and fonts/ taken when the run starts (first on PYTHONPATH), so
that edits made to the tree meanwhile cannot mix two versions of the tool in one set of figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `benchmarks` and `publisher` importable
    sys.path.insert(0, str(REPO))

from benchmarks import noop, proctree, report, synth, typst_ref  # noqa: E402

HERE = Path(__file__).resolve().parent
WORKER = HERE / "worker.py"
RESULTS = HERE / "results.json"
FORMAT = 2  # of results.json: 1 was the single-pass "stages" harness
EDITED = 10  # the interview edited for the rebuild figure: the 11th in file order


class Scratch:
    """Fresh, uniquely named folders under one temporary directory, and the tool's snapshot
    every measured process imports `publisher` from."""

    def __init__(self, root: Path, tool: Path | None = None) -> None:
        self.root = root
        self.count = 0
        self.tool = tool

    def fresh(self, label: str) -> Path:
        self.count += 1
        path = self.root / f"{self.count:03d}-{label}"
        path.mkdir(parents=True)
        return path


TOOL_PARTS = ("publisher", "layouts", "fonts")  # builtin_dir() finds the last two beside it


def snapshot_tool(target: Path) -> Path:
    """Copy the tool as it is now (the package, built-in layouts and fonts) to `target`."""
    for name in TOOL_PARTS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
    return target


def tool_changes(snapshot: Path) -> list[str]:
    """Files of the tool that differ between `snapshot` and the working tree now."""
    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes()
                for name in TOOL_PARTS for p in sorted((root / name).rglob("*"))
                if p.is_file() and "__pycache__" not in p.parts}

    before, now = files(snapshot), files(REPO)
    return sorted(n for n in before.keys() | now.keys() if before.get(n) != now.get(n))


def _env(cache: Path | None, scratch: Scratch | None = None) -> dict[str, str]:
    tool = scratch.tool if scratch is not None else None
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join(str(p) for p in (tool, REPO) if p is not None)}
    if cache is not None:
        env["PUBLISHER_CACHE"] = str(cache)
    return env


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""


def measure(mode: str, *args: Path, scratch: Scratch, cache: Path | None = None
            ) -> dict[str, Any]:
    """Run one worker in a fresh process: its own figures plus the OS's view of its tree."""
    folder = scratch.fresh(mode)
    result, log = folder / "result.json", folder / "log.txt"
    argv = [sys.executable, str(WORKER), mode, *map(str, args), str(result)]
    process = proctree.run_child(argv, env=_env(cache, scratch), cwd=REPO, log=log)
    figures = json.loads(result.read_text(encoding="utf-8")) if result.exists() else {}
    if process["returncode"] != 0:
        return {"error": f"{mode} exited with {process['returncode']}", "log": _tail(log),
                "partial": figures, "process": process}
    figures["process"] = process
    return figures


def cold_build(project: Path, scratch: Scratch, mode: str = "build") -> dict[str, Any]:
    """A build with nothing cached: fresh cache folder, fresh output folder, --force."""
    cache, out = scratch.fresh("cache"), scratch.fresh("out")
    figures = measure(mode, project, out, scratch=scratch, cache=cache)
    figures["out"], figures["cache"] = str(out), str(cache)
    figures["cache_files"], figures["cache_mb"] = _tree_size(cache)
    return figures


def _tree_size(folder: Path) -> tuple[int, float]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files) / 1e6


def typst_run(typ: Path, scratch: Scratch) -> dict[str, Any]:
    """Typst compiling the book's twin in a fresh process; pages counted afterwards."""
    pdf = scratch.fresh("typst") / "book.pdf"
    figures = measure("typst", typ, pdf, scratch=scratch)
    if "error" not in figures:
        import pypdfium2

        figures["pages"] = len(pypdfium2.PdfDocument(str(pdf)))
    return figures


def bench_case(name: str, project: Path, repeats: int, scratch: Scratch,
               single_pass: bool = False) -> dict[str, Any]:
    """Cold builds alternated with Typst, so both see the same machine load."""
    typ = typst_ref.write_typ(project, scratch.fresh(f"{name}-typ") / f"{name}.typ")
    runs: dict[str, list[dict[str, Any]]] = {"build": [], "typst": [], "single": []}
    for attempt in range(repeats):
        print(f"  {name}: cold build and Typst, run {attempt + 1}/{repeats}", flush=True)
        runs["typst"].append(typst_run(typ, scratch))
        runs["build"].append(cold_build(project, scratch))
        if single_pass:
            runs["single"].append(cold_build(project, scratch, "single"))
    return {"name": name, "interviews": _count(project), "runs": runs}


def _count(project: Path) -> int:
    return len(list((project / "content" / "interviews").glob("*.yaml")))


def cli_build(project: Path, out: Path, scratch: Scratch, cache: Path) -> dict[str, Any]:
    """`publisher build PROJECT -o OUT` as an editor types it, timed as a whole process."""
    console = Path(sys.executable).with_name("publisher")
    command = [str(console)] if console.exists() else [sys.executable, "-m", "publisher"]
    log = scratch.fresh("cli") / "log.txt"
    process = proctree.run_child([*command, "build", str(project), "-o", str(out)],
                                 env=_env(cache, scratch), cwd=REPO, log=log)
    text = _tail(log)
    return {"process": process, "up_to_date": "up to date" in text, "log": text[-400:],
            **({"error": f"exited with {process['returncode']}"}
               if process["returncode"] else {})}


def bench_noop(project: Path, cold: dict[str, Any], scratch: Scratch,
               repeats: int) -> dict[str, Any]:
    """The whole `publisher build` command again on an unchanged project, outputs present."""
    out, cache = Path(cold["out"]), Path(cold["cache"])
    # The first call may rebuild if the tool's source changed since the cold build (the
    # stamp covers it); it is not timed as a no-op. The timed calls follow.
    first = cli_build(project, out, scratch, cache)
    runs = [cli_build(project, out, scratch, cache) for _ in range(repeats)]
    return {"first": first, "runs": runs,
            "stamp": noop.measure(project, env=_env(None, scratch))}


def bench_edit(project: Path, scratch: Scratch, repeats: int) -> dict[str, Any]:
    """A cold build of a copy, one character of one answer changed, then `publisher build`
    again with the same cache and output folder (no --force: the stamp is stale)."""
    runs = []
    for attempt in range(repeats):
        print(f"  edit rebuild: run {attempt + 1}/{repeats}", flush=True)
        copy = synth.copy_project(project, scratch.fresh("edit") / "book")
        cold = cold_build(copy, scratch)
        edit = synth.edit_one_answer(copy, EDITED)
        rebuilt = measure("rebuild", copy, Path(cold["out"]), scratch=scratch,
                          cache=Path(cold["cache"]))
        runs.append({"cold": cold, "rebuild": rebuilt, "edit": edit})
    return {"runs": runs}


def main(argv: list[str] | None = None) -> int:
    """Measure, save benchmarks/results.json, write docs/performance.md and .png."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the first book (cold builds, Typst, edit rebuilds)")
    parser.add_argument("--large", action="store_true",
                        help="also build the 1,050-interview book (a few minutes)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[210],
                        help="synthetic book sizes, in interviews (default: 210)")
    parser.add_argument("--synthetic-repeat", type=int, default=1,
                        help="runs of each synthetic book (default: 1)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--project", type=Path, default=REPO,
                        help="the real book to measure (default: this repository)")
    parser.add_argument("--noop-repeat", type=int, default=5, help="timed no-op rebuilds")
    parser.add_argument("--no-noop", action="store_true", help="skip the no-op rebuild")
    parser.add_argument("--no-edit", action="store_true",
                        help="skip the rebuild after editing one interview")
    parser.add_argument("--no-profile", action="store_true", help="skip the pyinstrument run")
    parser.add_argument("--single-pass-too", action="store_true",
                        help="also time the first book with the PDF laid out in one pass")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the docs from the saved results.json, measuring nothing")
    parser.add_argument("--skip-first", action="store_true",
                        help="measure only synthetic books (no first book, no-op or edit)")
    parser.add_argument("--merge", action="store_true",
                        help="keep the saved results' other figures, replacing those measured now")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--docs", type=Path, default=REPO / "docs")
    args = parser.parse_args(argv)
    if args.report_only:
        data = json.loads(args.results.read_text(encoding="utf-8"))
        report.write(data, args.docs)
        return 0
    project = args.project.resolve()
    sizes = sorted(set(args.sizes + ([1050] if args.large else [])))
    data: dict[str, Any] = {"format": FORMAT, "machine": _machine(), "seed": args.seed,
                            "cases": []}
    started, machine, ours = time.perf_counter(), proctree.machine_busy(), _our_cpu()
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as tmp:
        scratch = Scratch(Path(tmp), snapshot_tool(Path(tmp) / "tool"))
        if not args.skip_first:
            print(f"first book ({project})", flush=True)
            first = bench_case("first", project, args.repeat, scratch, args.single_pass_too)
            data["cases"].append(first)
            done = [r for r in first["runs"]["build"] if "error" not in r]
            if not args.no_noop and done:
                print("  no-op rebuild", flush=True)
                data["noop"] = bench_noop(project, done[-1], scratch, args.noop_repeat)
            if not args.no_edit:
                data["edit"] = bench_edit(project, scratch, args.repeat)
        for size in sizes:
            print(f"synthetic book of {size} interviews", flush=True)
            book = synth.write_project(scratch.fresh(f"synthetic-{size}") / "book", size,
                                       args.seed, project)
            data["cases"].append(bench_case(f"synthetic-{size}", book,
                                            args.synthetic_repeat, scratch))
        if not args.no_profile:
            print("profiling a cold build of the first book", flush=True)
            text = scratch.fresh("profile") / "profile.txt"
            data["profile"] = measure("profile", project, scratch.fresh("out"), text,
                                      scratch=scratch, cache=scratch.fresh("cache"))
            if text.exists():
                shutil.copyfile(text, args.results.with_name("profile.txt"))
        # Measured: the snapshot. Said in the report: what changed in the tree meanwhile.
        data["tool_changed"] = tool_changes(scratch.tool)
    others = proctree.machine_busy() - machine - (_our_cpu() - ours)
    data["others_cpus"] = max(others, 0.0) / (time.perf_counter() - started)
    if args.merge and args.results.exists():
        saved = json.loads(args.results.read_text(encoding="utf-8"))
        if saved.get("format") == FORMAT:
            fresh = {case["name"] for case in data["cases"]}
            data["cases"] = [c for c in saved["cases"] if c["name"] not in fresh] + data["cases"]
            for key in ("noop", "edit", "profile"):
                if key not in data and key in saved:
                    data[key] = saved[key]
            data["merged_from"] = saved["machine"]
    data["cases"].sort(key=lambda c: c["interviews"])
    args.results.write_text(json.dumps(data, indent=1), encoding="utf-8")
    report.write(data, args.docs)
    print(f"wrote {args.results}, {args.docs / 'performance.md'}", flush=True)
    return 0


def _our_cpu() -> float:
    """CPU seconds of this process and every child it has reaped (all the measured runs)."""
    import resource

    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def _machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    def _version(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:  # the figures still stand without the label
            return "?"

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)), "platform": platform.platform(),
            "typst": _version("typst"), "weasyprint": _version("weasyprint"),
            "publisher_jobs": os.environ.get("PUBLISHER_JOBS"), "load_before": load,
            "memory_gb": _memory_gb(), "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "git": git_head(REPO)}


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            return int(handle.readline().split()[1]) / 1024**2
    except (OSError, ValueError, IndexError):
        return None


def git_head(repo: Path) -> str:
    """The checked-out commit, read from .git without running git (short form)."""
    git = repo / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: PATH"
            git = (repo / git.read_text(encoding="utf-8").split(":", 1)[1].strip()).resolve()
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head[:7]
        ref = head.removeprefix("ref: ")
        common = git / "commondir"
        base = (git / common.read_text().strip()).resolve() if common.exists() else git
        if (base / ref).is_file():
            return (base / ref).read_text(encoding="utf-8").strip()[:7]
        for line in (base / "packed-refs").read_text(encoding="utf-8").splitlines():
            if line.endswith(f" {ref}"):
                return line.split()[0][:7]
    except (OSError, IndexError):
        pass
    return ""


if __name__ == "__main__":
    sys.exit(main())
