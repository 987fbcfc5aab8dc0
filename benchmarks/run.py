"""Benchmark the build against Typst and regenerate docs/performance.md and its plot."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: make `benchmarks` and `publisher` importable
    sys.path.insert(0, str(REPO))

from benchmarks import report, synth, typst_ref  # noqa: E402

WORKER = Path(__file__).resolve().parent / "worker.py"
RESULTS = Path(__file__).resolve().parent / "results.json"


def measure(mode: str, *args: Path, scratch: Path) -> dict[str, Any]:
    """Run one worker in a fresh process; its own figures plus the OS's view of the child."""
    result = scratch / f"{mode}-{time.monotonic_ns()}.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    with open(scratch / "worker.log", "ab") as log:
        child = subprocess.Popen([sys.executable, str(WORKER), mode, *map(str, args),
                                  str(result)], cwd=REPO, env=env, stdout=log, stderr=log)
        # wait4 gives this child's own CPU time and peak RSS, not a sum over every child.
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        partial = json.loads(result.read_text(encoding="utf-8")) if result.exists() else {}
        tail = (scratch / "worker.log").read_text(errors="replace")[-2000:]
        return {"error": f"{mode} exited with {child.returncode}", "log": tail,
                "partial": partial.get("stages", {}),
                "process": {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                            "peak_mb": usage.ru_maxrss / 1024}}
    figures = json.loads(result.read_text(encoding="utf-8"))
    figures["process"] = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                          "peak_mb": usage.ru_maxrss / 1024}
    return figures


def bench_case(name: str, project: Path, repeats: int, scratch: Path,
               full_build: bool) -> dict[str, Any]:
    """Alternate publisher and Typst runs so both see the same machine load."""
    typ = typst_ref.write_typ(project, scratch / f"{name}.typ")
    runs: dict[str, list[dict[str, Any]]] = {"stages": [], "typst": [], "build": []}
    for attempt in range(repeats):
        print(f"  {name}: run {attempt + 1}/{repeats}", flush=True)
        runs["typst"].append(measure("typst", typ, scratch / f"{name}.pdf", scratch=scratch))
        runs["stages"].append(measure("stages", project, scratch=scratch))
        if full_build:
            runs["build"].append(measure("build", project, scratch / f"{name}-out",
                                         scratch=scratch))
    return {"name": name, "interviews": _count(project), "runs": runs}


def _count(project: Path) -> int:
    return len(list((project / "content" / "interviews").glob("*.yaml")))


def main(argv: list[str] | None = None) -> int:
    """Measure, save benchmarks/results.json, write docs/performance.md and .png."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the first book")
    parser.add_argument("--large", action="store_true",
                        help="also build the 1,050-interview book (about two minutes or more)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[210],
                        help="synthetic book sizes, in interviews (default: 210)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--project", type=Path, default=REPO,
                        help="the real book to measure (default: this repository)")
    parser.add_argument("--no-profile", action="store_true", help="skip the pyinstrument run")
    parser.add_argument("--no-full-build", action="store_true",
                        help="skip timing publisher.build.build() end to end")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the docs from the saved results.json, measuring nothing")
    parser.add_argument("--skip-first", action="store_true", help="measure only synthetic books")
    parser.add_argument("--merge", action="store_true",
                        help="keep the saved results' other books, replacing those measured now")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--docs", type=Path, default=REPO / "docs")
    args = parser.parse_args(argv)
    if args.report_only:
        data = json.loads(args.results.read_text(encoding="utf-8"))
        report.write(data, args.docs)
        return 0
    sizes = sorted(set(args.sizes + ([1050] if args.large else [])))
    data: dict[str, Any] = {"machine": _machine(), "seed": args.seed, "cases": []}
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as tmp:
        scratch = Path(tmp)
        if not args.skip_first:
            print(f"first book ({args.project})", flush=True)
            data["cases"].append(bench_case("first", args.project.resolve(), args.repeat,
                                            scratch, full_build=not args.no_full_build))
        for size in sizes:
            print(f"synthetic book of {size} interviews", flush=True)
            project = synth.write_project(scratch / f"synthetic-{size}", size, args.seed)
            # Large books take minutes per run: one run each, still alternated with Typst.
            data["cases"].append(bench_case(f"synthetic-{size}", project, 1, scratch,
                                            full_build=False))
        if not args.no_profile:
            print("profiling the first book", flush=True)
            text = scratch / "profile.txt"
            data["profile"] = measure("profile", args.project.resolve(), text, scratch=scratch)
            if text.exists():
                (Path(__file__).resolve().parent / "profile.txt").write_text(
                    text.read_text(encoding="utf-8"), encoding="utf-8")
    if args.merge and args.results.exists():
        saved = json.loads(args.results.read_text(encoding="utf-8"))
        fresh = {case["name"] for case in data["cases"]}
        data["cases"] = [c for c in saved["cases"] if c["name"] not in fresh] + data["cases"]
        data["cases"].sort(key=lambda c: c["interviews"])
        data.setdefault("profile", saved.get("profile"))
        data["merged_from"] = saved["machine"]
    args.results.write_text(json.dumps(data, indent=1), encoding="utf-8")
    report.write(data, args.docs)
    print(f"wrote {args.results}, {args.docs / 'performance.md'}", flush=True)
    return 0


def _machine() -> dict[str, Any]:
    try:
        from importlib.metadata import version

        typst_version = version("typst")
        weasy = version("weasyprint")
    except Exception:  # the figures still stand without the version labels
        typst_version = weasy = "?"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "platform": platform.platform(), "typst": typst_version, "weasyprint": weasy,
            "load_before": load, "date": time.strftime("%Y-%m-%d %H:%M"),
            "git": _git_head()}


def _git_head() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                             capture_output=True, text=True, check=False)
        return out.stdout.strip()
    except OSError:
        return ""


if __name__ == "__main__":
    sys.exit(main())
