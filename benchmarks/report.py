"""Turn saved benchmark results into docs/performance.md and docs/performance.png."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

STAGES = ("import", "load", "lint", "render", "pdf_layout", "pdf_write", "epub")
# What build.build runs: everything but the linter, which is its own command.
BUILD_STAGES = ("import", "load", "render", "pdf_layout", "pdf_write", "epub")
ANALYSIS = Path(__file__).resolve().parent / "analysis.md"


def _ok(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in runs if "error" not in r]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarise(case: dict[str, Any]) -> dict[str, Any]:
    """Medians over a case's runs: per stage, the build, Typst, and their ratio."""
    stages, typst, build = (_ok(case["runs"][k]) for k in ("stages", "typst", "build"))
    out: dict[str, Any] = {"name": case["name"], "interviews": case["interviews"],
                           "runs": len(stages), "errors": [r["error"] for k in case["runs"]
                                                          for r in case["runs"][k] if "error" in r]}
    if not stages:
        # A run that failed late still tells where its finished stages went.
        partial = [r for r in case["runs"]["stages"] if r.get("partial")]
        for stage in STAGES if partial else ():
            for kind in ("wall", "cpu"):
                out[f"{stage}_{kind}"] = partial[0]["partial"].get(stage, {}).get(kind)
        if partial:
            out["peak_mb"] = partial[0]["process"]["peak_mb"]
    if stages:
        for stage in STAGES:
            for kind in ("wall", "cpu"):
                out[f"{stage}_{kind}"] = _median([r["stages"].get(stage, {}).get(kind, 0.0)
                                                  for r in stages])
        out["pages"] = stages[0]["pages"]
        out["build_wall"] = _median([sum(r["stages"][s]["wall"] for s in BUILD_STAGES)
                                     for r in stages])
        out["build_cpu"] = _median([sum(r["stages"][s]["cpu"] for s in BUILD_STAGES)
                                    for r in stages])
        out["peak_mb"] = max(r["process"]["peak_mb"] for r in stages)
        out["pdf_mb"] = stages[0]["pdf_bytes"] / 1e6
        out["epub_mb"] = stages[0]["epub_bytes"] / 1e6
    if typst:
        out["typst_wall"] = _median([r["stages"]["import"]["wall"] + r["stages"]["compile"]["wall"]
                                     for r in typst])
        out["typst_cpu"] = _median([r["stages"]["import"]["cpu"] + r["stages"]["compile"]["cpu"]
                                    for r in typst])
        out["typst_pages"] = typst[0]["pages"]
        out["typst_peak_mb"] = max(r["process"]["peak_mb"] for r in typst)
    if build:
        out["full_process_wall"] = _median([r["process"]["wall"] for r in build])
        out["full_process_cpu"] = _median([r["process"]["cpu"] for r in build])
        out["full_peak_mb"] = max(r["process"]["peak_mb"] for r in build)
    if typst:
        out["typst_process_wall"] = _median([r["process"]["wall"] for r in typst])
        out["typst_process_cpu"] = _median([r["process"]["cpu"] for r in typst])
    if "build_wall" in out and "typst_wall" in out:
        out["ratio_wall"] = out["build_wall"] / out["typst_wall"]
        out["ratio_cpu"] = out["build_cpu"] / out["typst_cpu"]
        out["per_page"] = out["build_wall"] / out["pages"]
        out["per_page_cpu"] = out["build_cpu"] / out["pages"]
        out["typst_per_page"] = out["typst_wall"] / out["typst_pages"]
    return out


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def markdown(data: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The results page: how it was measured, the tables, the profile, the analysis."""
    m = data["machine"]
    lines = [
        "# Performance",
        "",
        "Regenerate with `.venv/bin/python benchmarks/run.py --large` (about ten minutes; "
        "without `--large` the 1,050-interview book is skipped), or rewrite this page from the "
        "saved `benchmarks/results.json` with `--report-only`. Do not edit by hand: only "
        "`benchmarks/analysis.md`, included below, is written by hand.",
        "",
        f"Measured {m['date']} at commit `{m.get('git') or '?'}` on {m['platform']}, "
        f"Python {m['python']}, WeasyPrint {m['weasyprint']}, typst (PyPI) {m['typst']}, "
        f"**{m['cpus']} CPUs shared with other jobs** (load average {_f(m['load_before'])} "
        "at the start): wall times are noisy and often twice the CPU time, so read the CPU "
        "columns for comparisons and the wall columns for what an editor waits.",
        "",
        "Every figure comes from a fresh child process (cold: no cache, imports included). "
        "Publisher and Typst runs alternate so both see the same load; figures are medians "
        "over the runs. Peak memory is the child's maximum RSS (`os.wait4`). The synthetic "
        f"books reshuffle the first book's real answers (seed {data['seed']}, "
        "`benchmarks/synth.py`); the Typst twin of each book (`benchmarks/typst_ref.py`) sets "
        "the same text on A5 in Noto Serif CJK SC, justified, a page break per interview.",
        "",
        "## Build against Typst",
        "",
        "*Build* is what `publisher build` runs: import + load + render + PDF layout + PDF "
        "write + EPUB (the linter is a separate command). *Typst* is `import typst` + "
        "`typst.compile` to PDF only.",
        "",
        "| book | interviews | pages (ours / Typst) | build wall s | build CPU s | Typst wall s "
        "| Typst CPU s | ratio wall | ratio CPU | build s/page | CPU s/page | peak MB "
        "(ours / Typst) | PDF / EPUB MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['name']} | {r['interviews']:,} | {r.get('pages', '–')} / "
            f"{r.get('typst_pages', '–')} | {_f(r.get('build_wall'))} | "
            f"{_f(r.get('build_cpu'))} | {_f(r.get('typst_wall'))} | {_f(r.get('typst_cpu'))} "
            f"| {_f(r.get('ratio_wall'), 1)}× | {_f(r.get('ratio_cpu'), 1)}× | "
            f"{_f(r.get('per_page'), 3)} | {_f(r.get('per_page_cpu'), 3)} | "
            f"{_f(r.get('peak_mb'), 0)} / {_f(r.get('typst_peak_mb'), 0)} | "
            f"{_f(r.get('pdf_mb'), 1)} / {_f(r.get('epub_mb'), 1)} |")
    lines += ["", "## Per stage (wall s / CPU s)", "",
              "| book | runs | " + " | ".join(STAGES) + " |",
              "|---|---:|" + "---:|" * len(STAGES)]
    for r in rows:
        cells = [f"{_f(r.get(f'{s}_wall'))} / {_f(r.get(f'{s}_cpu'))}" for s in STAGES]
        lines.append(f"| {r['name']} | {r['runs']} | " + " | ".join(cells) + " |")
    full = [r for r in rows if "full_process_wall" in r]
    if full:
        lines += ["", "## The real orchestrator, end to end", "",
                  "`publisher.build.build()` in a fresh interpreter, timed from outside "
                  "(interpreter start, imports, writing the files and the report included), "
                  "against a fresh `python -c 'import typst; typst.compile(...)'`.", "",
                  "| book | build process wall s | CPU s | peak MB | Typst process wall s | "
                  "CPU s | ratio wall | ratio CPU |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in full:
            lines.append(
                f"| {r['name']} | {_f(r['full_process_wall'])} | {_f(r['full_process_cpu'])} | "
                f"{_f(r['full_peak_mb'], 0)} | {_f(r.get('typst_process_wall'))} | "
                f"{_f(r.get('typst_process_cpu'))} | "
                f"{_f(r['full_process_wall'] / r['typst_process_wall'], 1)}× | "
                f"{_f(r['full_process_cpu'] / r['typst_process_cpu'], 1)}× |")
    errors = [(r["name"], e) for r in rows for e in r["errors"]]
    if errors:
        lines += ["", "## Runs that failed", ""] + [f"- {n}: {e}" for n, e in errors]
    lines += ["", "![time per page and stages](performance.png)", ""]
    lines += _profile(data.get("profile"))
    if ANALYSIS.exists():
        lines += ["", ANALYSIS.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines) + "\n"


def _profile(profile: dict[str, Any] | None) -> list[str]:
    if not profile or "by_library" not in profile:
        return []
    total = sum(profile["by_library"].values()) or 1.0
    top = sorted(profile["by_library"].items(), key=lambda kv: -kv[1])[:12]
    lines = ["## Where the time goes (pyinstrument, first book)", "",
             "Sampled self time by package over all stages of one cold run (lint included). "
             "The full call tree is in `benchmarks/profile.txt`.", "",
             "| package | self s | share |", "|---|---:|---:|"]
    lines += [f"| {name} | {_f(sec)} | {sec / total:.0%} |" for name, sec in top]
    return lines


def plot(rows: list[dict[str, Any]], target: Path) -> None:
    """Two panels: time per page against book size; stage shares per book."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in rows if "per_page" in r]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    pages = [r["pages"] for r in rows]
    left.plot(pages, [r["per_page"] * 1000 for r in rows], "o-", label="publisher, wall")
    left.plot(pages, [r["per_page_cpu"] * 1000 for r in rows], "o--", label="publisher, CPU")
    left.plot([r["typst_pages"] for r in rows], [r["typst_per_page"] * 1000 for r in rows],
              "s-", label="Typst, wall")
    left.set_xscale("log")
    left.set_xlabel("pages (log)")
    left.set_ylabel("ms per page")
    left.set_title("Build time per page")
    left.legend()
    bottom = [0.0] * len(rows)
    names = [r["name"] for r in rows]
    for stage in BUILD_STAGES:
        shares = [r[f"{stage}_cpu"] / r["build_cpu"] * 100 for r in rows]
        right.bar(names, shares, bottom=bottom, label=stage)
        bottom = [b + s for b, s in zip(bottom, shares, strict=True)]
    right.set_ylabel("% of build CPU time")
    right.set_title("Where the build's CPU goes")
    right.legend(fontsize=8, loc="upper right", bbox_to_anchor=(1.32, 1))
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)


def write(data: dict[str, Any], docs: Path) -> None:
    """Write performance.md and performance.png into `docs`."""
    rows = [summarise(case) for case in data["cases"]]
    docs.mkdir(parents=True, exist_ok=True)
    plot(rows, docs / "performance.png")
    (docs / "performance.md").write_text(markdown(data, rows), encoding="utf-8")
