"""Turn saved benchmark results into docs/performance.md and docs/performance.png."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# The stages publisher.build.pipeline.build times in result.timings ("total" is their sum so far);
# a stage the build adds later is shown too, after these.
STAGES = ("load", "fonts", "pdf", "epub", "merge", "write")
OTHER = "other"  # interpreter start, imports, the inputs digest, exit: the process minus stages
ANALYSIS = Path(__file__).resolve().parent / "analysis.md"
MIB_PER_GB = 1024  # the memory target's "1 GB", in the MiB the figures are given in

TARGETS = {"ratio": 4.0, "ratio_stretch": 2.0, "noop": 0.5, "edit": 0.5, "large_wall": 40.0,
           "large_mb": 1.0 * MIB_PER_GB, "flat": 0.20, "large": 1050}


def _ok(runs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in runs if "error" not in r]


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


def _span(values: Iterable[float]) -> tuple[float, float] | None:
    values = list(values)
    return (min(values), max(values)) if values else None


def stage_names(data: dict[str, Any]) -> list[str]:
    """The build's stages found in the results, in build order."""
    seen = list(STAGES)
    for case in data.get("cases", []):
        for run in _ok(case["runs"].get("build", [])):
            seen += [s for s in run.get("timings", {}) if s not in seen and s != "total"]
    return seen


def summarise(case: dict[str, Any], stages: Iterable[str] = STAGES) -> dict[str, Any]:
    """Medians over a case's runs: the cold build, its stages, Typst, and their ratios."""
    stages = list(stages)
    runs = case["runs"]
    build, typst, single = (_ok(runs.get(k, [])) for k in ("build", "typst", "single"))
    out: dict[str, Any] = {
        "name": case["name"], "interviews": case["interviews"], "runs": len(build),
        "errors": [f"{kind}: {r['error']}" for kind in runs for r in runs[kind] if "error" in r]}
    if build:
        process = [r["process"] for r in build]
        out["pages"] = build[0]["pages"]
        out["wall"] = _median(p["wall"] for p in process)
        out["cpu"] = _median(p["cpu"] for p in process)
        out["wall_span"] = _span(p["wall"] for p in process)
        out["cpu_span"] = _span(p["cpu"] for p in process)
        out["peak_mb"] = max(p["peak_mb"] for p in process)
        out["peak_pss_mb"] = max(p.get("peak_pss_mb", 0.0) for p in process)
        out["largest_mb"] = max(p["largest_mb"] for p in process)
        out["at_peak_mb"] = max(process, key=lambda p: p["peak_mb"]).get("at_peak_mb", [])
        out["others_cpus"] = _median(p["others_cpus"] for p in process if "others_cpus" in p)
        out["processes"] = max(p.get("processes", 1) for p in process)
        for stage in stages:
            out[f"{stage}_wall"] = _median(r["timings"].get(stage, 0.0) for r in build)
            out[f"{stage}_cpu"] = _median(r.get("stage_cpu", {}).get(stage, 0.0) for r in build)
        out[f"{OTHER}_wall"] = _median(
            r["process"]["wall"] - sum(r["timings"].get(s, 0.0) for s in stages) for r in build)
        out[f"{OTHER}_cpu"] = _median(
            r["process"]["cpu"] - sum(r.get("stage_cpu", {}).get(s, 0.0) for s in stages)
            for r in build)
        out["cpu_workers"] = _median(r["cpu_workers"] for r in build if "cpu_workers" in r)
        out["pdf_mb"] = build[0]["sizes"].get("pdf", 0) / 1e6
        out["epub_mb"] = build[0]["sizes"].get("epub", 0) / 1e6
        out["parts"] = build[0].get("parts", {})
        out["cache_mb"] = _median(r.get("cache_mb", 0.0) for r in build)
        out["per_page"] = out["wall"] / out["pages"]
        out["per_page_cpu"] = out["cpu"] / out["pages"]
    if typst:
        process = [r["process"] for r in typst]
        out["typst_pages"] = typst[0]["pages"]
        out["typst_wall"] = _median(p["wall"] for p in process)
        out["typst_cpu"] = _median(p["cpu"] for p in process)
        out["typst_compile_wall"] = _median(r["stages"]["compile"]["wall"] for r in typst)
        out["typst_peak_mb"] = max(p["peak_mb"] for p in process)
        out["typst_others_cpus"] = _median(p["others_cpus"] for p in process
                                           if "others_cpus" in p)
        out["typst_per_page"] = out["typst_wall"] / out["typst_pages"]
        out["typst_per_page_cpu"] = out["typst_cpu"] / out["typst_pages"]
    if build and typst:
        out["ratio_wall"] = out["wall"] / out["typst_wall"]
        out["ratio_cpu"] = out["cpu"] / out["typst_cpu"]
    if single:
        out["single_wall"] = _median(r["process"]["wall"] for r in single)
        out["single_cpu"] = _median(r["process"]["cpu"] for r in single)
        out["single_peak_mb"] = max(r["process"]["peak_mb"] for r in single)
        out["single_pdf_mb"] = single[0]["sizes"].get("pdf", 0) / 1e6
        out["single_pages"] = single[0]["pages"]
    return out


def summarise_noop(noop: dict[str, Any] | None) -> dict[str, Any] | None:
    """The whole command's no-op figures (only runs that really found the book up to date)."""
    if not noop:
        return None
    runs = _ok(noop["runs"])
    fresh = [r for r in runs if r["up_to_date"]]
    return {"runs": len(noop["runs"]), "up_to_date": len(fresh),
            "first_up_to_date": noop["first"].get("up_to_date", False),
            "wall": _median(r["process"]["wall"] for r in fresh),
            "cpu": _median(r["process"]["cpu"] for r in fresh),
            "wall_span": _span(r["process"]["wall"] for r in fresh),
            "peak_mb": max((r["process"]["peak_mb"] for r in fresh), default=None),
            "stamp": noop.get("stamp", {})}


def summarise_edit(edit: dict[str, Any] | None,
                   stages: Iterable[str] = STAGES) -> dict[str, Any] | None:
    """The rebuild after a one-character edit against the cold build of the same copy."""
    if not edit:
        return None
    stages = list(stages)
    pairs = [r for r in edit["runs"] if "error" not in r["cold"] and "error" not in r["rebuild"]]
    out: dict[str, Any] = {"runs": len(edit["runs"]), "ok": len(pairs),
                           "errors": [r[k]["error"] for r in edit["runs"]
                                      for k in ("cold", "rebuild") if "error" in r[k]]}
    if not pairs:
        return out
    for kind in ("wall", "cpu"):
        out[f"cold_{kind}"] = _median(r["cold"]["process"][kind] for r in pairs)
        out[f"rebuild_{kind}"] = _median(r["rebuild"]["process"][kind] for r in pairs)
        out[f"ratio_{kind}"] = out[f"rebuild_{kind}"] / out[f"cold_{kind}"]
        out[f"ratios_{kind}"] = [r["rebuild"]["process"][kind] / r["cold"]["process"][kind]
                                 for r in pairs]
    for kind in ("cold", "rebuild"):
        for stage in stages:
            out[f"{kind}_{stage}"] = _median(r[kind]["timings"].get(stage, 0.0) for r in pairs)
        out[f"{kind}_{OTHER}"] = _median(
            r[kind]["process"]["wall"] - sum(r[kind]["timings"].get(s, 0.0) for s in stages)
            for r in pairs)
    out["laid_out"] = [r["rebuild"].get("parts", {}).get("laid_out") for r in pairs]
    out["cold_laid_out"] = [r["cold"].get("parts", {}).get("laid_out") for r in pairs]
    out["groups"] = pairs[0]["cold"].get("parts", {}).get("groups")
    out["rebuilt_up_to_date"] = [r["rebuild"].get("up_to_date") for r in pairs]
    out["edit"] = pairs[0]["edit"]
    out["peak_mb"] = max(r["rebuild"]["process"]["peak_mb"] for r in pairs)
    return out


def flatness(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Time per page of each book relative to the first book's (+0.12 = 12% more)."""
    base = next((r for r in rows if r["name"] == "first" and "per_page" in r), None)
    if base is None:
        return []
    return [{"name": r["name"], "interviews": r["interviews"], "pages": r["pages"],
             "per_page": r["per_page"], "per_page_cpu": r["per_page_cpu"],
             "wall": r["per_page"] / base["per_page"] - 1,
             "cpu": r["per_page_cpu"] / base["per_page_cpu"] - 1}
            for r in rows if "per_page" in r]


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:+.0%}"


def _yes(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**yes**" if ok else "**no**")


def targets(rows: list[dict[str, Any]], noop: dict[str, Any] | None,
            edit: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """(target, measured, met) for each target of the issue; wall time decides "met"."""
    t = TARGETS
    first = next((r for r in rows if r["name"] == "first"), {})
    large = next((r for r in rows if r["interviews"] == t["large"] and "wall" in r), None)
    out = []
    if "ratio_wall" in first:
        measured = (f"wall {_f(first['ratio_wall'], 1)}× ({_f(first['wall'])} s against "
                    f"{_f(first['typst_wall'])} s); CPU {_f(first['ratio_cpu'], 1)}× "
                    f"({_f(first['cpu'])} s against {_f(first['typst_cpu'])} s)")
        met = (f"wall: {_yes(first['ratio_wall'] <= t['ratio'])} (stretch: "
               f"{_yes(first['ratio_wall'] <= t['ratio_stretch'])}); CPU: "
               f"{_yes(first['ratio_cpu'] <= t['ratio'])}")
    else:
        measured, met = "–", _yes(None)
    out.append((f"First book, cold, PDF + EPUB: ≤ {t['ratio']:g}× Typst "
                f"(stretch ≤ {t['ratio_stretch']:g}×)", measured, met))
    if noop and noop["wall"] is not None:
        measured = (f"{_f(noop['wall'])} s wall, {_f(noop['cpu'])} s CPU for the whole "
                    f"`publisher build` command ({noop['up_to_date']} of {noop['runs']} "
                    "runs up to date)")
        met = _yes(noop["wall"] <= t["noop"])
    else:
        measured, met = "–", _yes(None)
    out.append((f"No-op rebuild ≤ {t['noop']:g} s", measured, met))
    if edit and "ratio_wall" in edit:
        measured = (f"wall {_f(edit['ratio_wall'])}× ({_f(edit['rebuild_wall'])} s against "
                    f"{_f(edit['cold_wall'])} s cold); CPU {_f(edit['ratio_cpu'])}×")
        met = (f"wall: {_yes(edit['ratio_wall'] <= t['edit'])}; CPU: "
               f"{_yes(edit['ratio_cpu'] <= t['edit'])}")
    else:
        measured, met = "–", _yes(None)
    out.append((f"Rebuild after editing one interview ≤ {t['edit']:g}× the cold build",
                measured, met))
    if large:
        measured = f"{_f(large['wall'], 1)} s wall, {_f(large['cpu'], 1)} s CPU"
        met = f"wall: {_yes(large['wall'] <= t['large_wall'])}; CPU: " \
              f"{_yes(large['cpu'] <= t['large_wall'])}"
        out.append((f"{t['large']:,} interviews ≤ {t['large_wall']:g} s", measured, met))
        split = " + ".join(f"{mb:,.0f}" for mb in large.get("at_peak_mb", []) if mb >= 1)
        measured = (f"{_f(large['peak_mb'], 0)} MB summed RSS of the build and its workers"
                    + (f" ({split} MB at the peak)" if split else "")
                    + f"; summed PSS {_f(large['peak_pss_mb'], 0)} MB; largest single process "
                    f"{_f(large['largest_mb'], 0)} MB")
        decimal = large["peak_mb"] * 2**20 / 1e9
        out.append((f"{t['large']:,} interviews ≤ 1 GB", measured + f" (MB are MiB here: "
                    f"{decimal:.2f} × 10⁹ bytes)",
                    _yes(large["peak_mb"] <= t["large_mb"]) + f" if 1 GB is 1,024 MiB; "
                    f"{_yes(decimal <= 1.0)} if it is 10⁹ bytes"))
    else:
        out.append((f"{t['large']:,} interviews ≤ {t['large_wall']:g} s", "–", _yes(None)))
        out.append((f"{t['large']:,} interviews ≤ 1 GB", "–", _yes(None)))
    flat = [f for f in flatness(rows) if f["name"] != "first"]
    if flat:
        measured = "; ".join(f"{f['interviews']:,} interviews: wall {_pct(f['wall'])}, "
                             f"CPU {_pct(f['cpu'])}" for f in flat)
        within = all(abs(f[k]) <= t["flat"] for f in flat for k in ("wall", "cpu"))
        has_large = any(f["interviews"] == t["large"] for f in flat)
        met = _yes(within) if has_large or not within else \
            f"{_yes(within)} up to {max(f['interviews'] for f in flat):,}; " \
            f"{t['large']:,} not measured"
    else:
        measured, met = "–", _yes(None)
    out.append((f"Time per page flat within ±{t['flat']:.0%} from 21 to {t['large']:,} "
                "interviews", measured, met))
    return out


def _table(head: list[str], rows: Iterable[list[str]], align: str | None = None) -> list[str]:
    align = align or "|---|" + "---:|" * (len(head) - 1)
    return ["| " + " | ".join(head) + " |", align,
            *("| " + " | ".join(row) + " |" for row in rows)]


def markdown(data: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The results page: header, targets, how it was measured, the tables, the analysis."""
    m = data["machine"]
    stages = stage_names(data)
    noop, edit = summarise_noop(data.get("noop")), summarise_edit(data.get("edit"), stages)
    jobs = m.get("publisher_jobs") or f"unset: one per usable CPU, {m.get('usable_cpus', '?')}"
    lines = [
        "# Performance",
        "",
        "Generated by `benchmarks/run.py` (`.venv/bin/python benchmarks/run.py --repeat 3 "
        "--large`; without `--large` the 1,050-interview book is skipped), or rewritten from "
        "the saved `benchmarks/results.json` with `--report-only`. Do not edit by hand: only "
        "`benchmarks/analysis.md`, included at the end, is written by hand.",
        "",
        f"- **Measured** {m['date']} at commit `{m.get('git') or '?'}` (the working tree may "
        "hold uncommitted changes)",
        f"- **Machine** {m['platform']}, {m['cpus']} CPUs, "
        f"{_f(m.get('memory_gb'), 0)} GB memory; load average {_f(m['load_before'])} at "
        "the start; the CPUs are shared with other jobs"
        + (f", which kept {_f(data['others_cpus'], 1)} CPUs busy on average during the run"
           if data.get("others_cpus") is not None else ""),
        f"- **Software** Python {m['python']}, WeasyPrint {m['weasyprint']}, typst (PyPI) "
        f"{m['typst']}; PDF workers: $PUBLISHER_JOBS {jobs}",
        *_changed(data.get("tool_changed")),
        "",
        "## Targets",
        "",
        "Wall time is what an editor waits and decides *met*. The build lays out the PDF in "
        f"parallel worker processes on all {m['cpus']} CPUs, so on a large book its wall time "
        "is well below its CPU time; the CPU ratio says what the build would cost on one CPU "
        "or on a machine busy with other work.",
        "",
        *_table(["target", "measured", "met"],
                ([a, b, c] for a, b, c in targets(rows, noop, edit)), "|---|---|---|"),
        "",
        "## How it was measured",
        "",
        "- Every build is the real orchestrator, `publisher.build.pipeline.build()` (what "
        "`publisher build` runs), in a fresh Python process: interpreter start-up, imports, "
        "the PDF workers, writing the files and the report all included. *Cold*: a new empty "
        "`$PUBLISHER_CACHE` (typeset parts, page counts) and a new empty output folder for "
        "every run, and `force=True`; the operating system's file cache and fontconfig's "
        "cache are warm, as they are for Typst.",
        "- Wall time is measured from outside the process. CPU time is `os.wait4`'s user + "
        "system time of the build process, which includes the worker processes it forked and "
        "joined (checked: see `benchmarks/proctree.py`). **Peak memory** is the peak of the "
        "*sum* of RSS over the build process and its workers, sampled every 50 ms from "
        "/proc; RSS counts pages shared between the forked processes once per process, so "
        "the summed PSS (shared pages divided among their sharers) is given beside it, and "
        "the largest single process (`ru_maxrss`).",
        "- Per-stage figures are the build's own `result.timings` (wall) and the CPU time of "
        "the process and its reaped workers across each stage; *other* is the process total "
        "minus the stages: interpreter start, imports, the inputs digest, exit.",
        "- *Typst* is `import typst; typst.compile(...)` to PDF only, also a fresh process "
        "(`benchmarks/typst_ref.py` sets the same text on A5 in Noto Serif CJK SC, "
        "justified, a page break per interview); its pages are counted afterwards, untimed. "
        "Typst and publisher runs alternate, so both see the same load. Figures are medians "
        "over the runs (ranges given where there are several).",
        "- *Other jobs' load*: the machine's CPUs are shared with other jobs, which slow the "
        "wall times (not the CPU times) down. Each run records how many CPUs everything else "
        "kept busy meanwhile, on average (`/proc/stat`'s busy time minus the run's own CPU "
        "time); 0 is a quiet machine, and the higher it is, the more our wall times (and Typst's) "
        "are inflated.",
        f"- Synthetic books reshuffle the first book's real answers (seed {data['seed']}, "
        "`benchmarks/synth.py`).",
        "",
        "## Cold builds against Typst",
        "",
        *_table(["book", "interviews", "runs", "pages (ours / Typst)", "wall s", "CPU s",
                 "Typst wall s", "Typst CPU s", "ratio wall", "ratio CPU", "wall s/page",
                 "CPU s/page", "Typst wall s/page", "peak MB: sum RSS / sum PSS / largest "
                 "/ Typst", "PDF / EPUB MB", "other jobs' load, CPUs (ours / Typst's runs)"],
                ([r["name"], f"{r['interviews']:,}", str(r["runs"]),
                  f"{r.get('pages', '–')} / {r.get('typst_pages', '–')}",
                  _f(r.get("wall")) + _range(r.get("wall_span")),
                  _f(r.get("cpu")) + _range(r.get("cpu_span")), _f(r.get("typst_wall")),
                  _f(r.get("typst_cpu")), f"{_f(r.get('ratio_wall'), 1)}×",
                  f"{_f(r.get('ratio_cpu'), 1)}×", _f(r.get("per_page"), 3),
                  _f(r.get("per_page_cpu"), 3), _f(r.get("typst_per_page"), 4),
                  f"{_f(r.get('peak_mb'), 0)} / {_f(r.get('peak_pss_mb'), 0)} / "
                  f"{_f(r.get('largest_mb'), 0)} / {_f(r.get('typst_peak_mb'), 0)}",
                  f"{_f(r.get('pdf_mb'), 1)} / {_f(r.get('epub_mb'), 1)}",
                  f"{_f(r.get('others_cpus'), 1)} / {_f(r.get('typst_others_cpus'), 1)}"]
                 for r in rows)),
        "",
        "## Stages of the cold build (wall s / CPU s, medians)",
        "",
        *_table(["book", *stages, OTHER, "of the CPU: PDF workers",
                 "parts (laid out / planned groups)"],
                ([r["name"],
                  *(f"{_f(r.get(f'{s}_wall'))} / {_f(r.get(f'{s}_cpu'))}"
                    for s in (*stages, OTHER)), _f(r.get("cpu_workers")),
                  _parts(r.get("parts"))] for r in rows)),
        "",
        "*pdf* includes forking the workers, their WeasyPrint layout and writing of every "
        "part (CPU summed over the workers), and the merge; *parts laid out* counts "
        "WeasyPrint documents (chapter groups, the front matter's sizing pass, front and back "
        "matter, repeated passes if the front matter's length changed).",
    ]
    lines += _noop_section(noop) + _edit_section(edit, stages) + _flat_section(rows)
    single = [r for r in rows if "single_wall" in r]
    if single:
        lines += ["", "## The single-pass PDF, for comparison", "",
                  "The same build with `pdf.typeset.typeset(..., in_parts=False)`: the whole "
                  "book laid out as one WeasyPrint document in the build process.", "",
                  *_table(["book", "pages", "wall s", "CPU s", "peak MB (sum RSS)", "PDF MB",
                           "in parts: wall s", "CPU s", "peak MB", "PDF MB"],
                          ([r["name"], str(r["single_pages"]), _f(r["single_wall"]),
                            _f(r["single_cpu"]), _f(r["single_peak_mb"], 0),
                            _f(r["single_pdf_mb"], 2), _f(r.get("wall")), _f(r.get("cpu")),
                            _f(r.get("peak_mb"), 0), _f(r.get("pdf_mb"), 2)]
                           for r in single))]
    errors = [(r["name"], e) for r in rows for e in r["errors"]]
    errors += [("edit rebuild", e) for e in (edit or {}).get("errors", [])]
    if errors:
        lines += ["", "## Runs that failed", "", *(f"- {n}: {e}" for n, e in errors)]
    lines += ["", "## Plot", "", "![time per page and stages](performance.png)", ""]
    lines += _profile(data.get("profile"))
    if ANALYSIS.exists():
        lines += ["", ANALYSIS.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines) + "\n"


def _changed(files: list[str] | None) -> list[str]:
    if files is None:
        return []
    line = ("- **Tool measured** a copy of `publisher/`, `layouts/` and `fonts/` taken when the "
            "run started, so every figure is of the same code")
    if files:
        shown = ", ".join(f"`{f}`" for f in files[:8]) + (" …" if len(files) > 8 else "")
        line += f"; the working tree changed meanwhile ({shown}), which this does not measure"
    return [line]


def _range(span: tuple[float, float] | list[float] | None) -> str:
    if not span or span[0] == span[1]:
        return ""
    return f" ({span[0]:.2f}–{span[1]:.2f})"


def _parts(parts: dict[str, int] | None) -> str:
    if not parts or "groups" not in parts:
        return "–"
    return f"{parts['laid_out']} / {parts['groups']}"


def _noop_section(noop: dict[str, Any] | None) -> list[str]:
    if not noop:
        return []
    lines = ["", "## No-op rebuild", "",
             "`publisher build PROJECT -o OUT` run again, in a new process, on the first book "
             "after a cold build into OUT: nothing changed, the outputs are present, so it "
             "should only check the stamp and print *up to date*. A first call, untimed, goes "
             "before the timed ones (it rebuilds if the tool's source changed since the cold "
             "build).", "",
             *_table(["measurement", "wall s", "CPU s", "peak MB"],
                     [[f"whole command, median of {noop['up_to_date']} runs that said up to "
                       f"date (of {noop['runs']})",
                       _f(noop["wall"], 3) + _range(noop["wall_span"]), _f(noop["cpu"], 3),
                       _f(noop["peak_mb"], 0)]]
                     + [[f"`benchmarks/noop.py`: {name} (median)", _f(sec, 3), "–", "–"]
                        for name, sec in noop["stamp"].items()])]
    if not noop["first_up_to_date"]:
        lines += ["", "The untimed first call rebuilt: the tool's source or the inputs "
                  "changed between the cold build and it."]
    return lines


def _edit_section(edit: dict[str, Any] | None, stages: list[str]) -> list[str]:
    if not edit or "ratio_wall" not in edit:
        return []
    e = edit["edit"]
    columns = [*stages, OTHER]

    def row(label: str, kind: str, laid_out: list[Any]) -> list[str]:
        return [label, _f(edit[f"{kind}_wall"]), _f(edit[f"{kind}_cpu"]),
                *(_f(edit.get(f"{kind}_{s}")) for s in columns),
                f"{', '.join(map(str, laid_out))} (of {edit['groups']})"]

    return ["", "## Rebuild after editing one interview", "",
            f"The first book copied to a scratch folder (content/, layouts/, fonts/), built "
            f"cold with a new cache folder; then one character changed in `{e['file']}` "
            f"(the first 「{e['old']}」 of an answer, 「{e['paragraph']}…」, became "
            f"「{e['new']}」; the project reloads with exactly that paragraph changed); then "
            "built again in a new process with the same cache and output folders and no "
            "`--force`. Stage columns are wall seconds.", "",
            *_table(["", "wall s", "CPU s", *columns, "parts laid out (of planned groups)"],
                    [row("cold build of the copy", "cold", edit["cold_laid_out"]),
                     row("rebuild after the edit", "rebuild", edit["laid_out"]),
                     ["ratio", f"{_f(edit['ratio_wall'])}×", f"{_f(edit['ratio_cpu'])}×",
                      *([""] * len(columns)), ""]]),
            "", f"Ratios of each pair, wall: {', '.join(_f(x) for x in edit['ratios_wall'])}; "
            f"CPU: {', '.join(_f(x) for x in edit['ratios_cpu'])}.",
            *_edit_warnings(edit)]


def _edit_warnings(edit: dict[str, Any]) -> list[str]:
    lines = []
    if any(edit["rebuilt_up_to_date"]):
        lines += ["", "**A rebuild found the book up to date**: the edit was not seen."]
    return lines


def _flat_section(rows: list[dict[str, Any]]) -> list[str]:
    flat = flatness(rows)
    if len(flat) < 2:
        return []
    return ["", "## Time per page against book size", "",
            "Cold build time per page, and its change from the first book's.", "",
            *_table(["book", "interviews", "pages", "wall s/page", "change", "CPU s/page",
                     "change"],
                    ([f["name"], f"{f['interviews']:,}", str(f["pages"]),
                      _f(f["per_page"], 3), _pct(f["wall"]), _f(f["per_page_cpu"], 3),
                      _pct(f["cpu"])] for f in flat))]


def _profile(profile: dict[str, Any] | None) -> list[str]:
    if not profile or "by_library" not in profile:
        return []
    total = sum(profile["by_library"].values()) or 1.0
    top = sorted(profile["by_library"].items(), key=lambda kv: -kv[1])[:14]
    processes = profile.get("profiled_processes", "?")
    return ["## Where the time goes (pyinstrument, first book, cold)", "",
            f"One cold build of the first book under pyinstrument, in the build process *and* "
            f"in each PDF worker ({processes} processes: each worker runs its own profiler, "
            "their sessions are combined), sampled every millisecond of wall time. The "
            "shares below are of the summed sampled time of all the processes "
            f"({_f(profile.get('profile_seconds'), 1)} s); a process blocked on a pipe (the "
            "parent waiting for its workers, a worker waiting for its next part or its first "
            "page number) counts as *waiting*. Profiling slows the build down, so only the "
            "shares mean anything. The call tree is in `benchmarks/profile.txt`.", "",
            *_table(["package", "self s", "share"],
                    ([name, _f(sec), f"{sec / total:.0%}"] for name, sec in top))]


def plot(rows: list[dict[str, Any]], stages: list[str], target: Path) -> None:
    """Two panels: time per page against book size; where each cold build's wall time goes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    rows = [r for r in rows if "per_page" in r]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    series: list[tuple[str, str, Callable[[dict[str, Any]], Any], str]] = [
        ("publisher, wall", "per_page", lambda r: r["pages"], "o-"),
        ("publisher, CPU", "per_page_cpu", lambda r: r["pages"], "o--"),
        ("Typst, wall", "typst_per_page", lambda r: r["typst_pages"], "s-"),
        ("Typst, CPU", "typst_per_page_cpu", lambda r: r["typst_pages"], "s--")]
    for label, key, pages, style in series:
        points = [(pages(r), r[key] * 1000) for r in rows if key in r]
        if points:
            left.plot(*zip(*points, strict=True), style, label=label)
    left.set_xscale("log")
    left.set_yscale("log")
    ticks = sorted({r["pages"] for r in rows})
    left.set_xticks(ticks, [f"{t:,}" for t in ticks])
    left.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    left.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    left.set_xlabel("pages (log)")
    left.set_ylabel("ms per page (log)")
    left.set_title("Cold build time per page")
    left.legend(fontsize=8)
    bottom = [0.0] * len(rows)
    names = [f"{r['name']}\n{r['pages']:,} p." for r in rows]
    for stage in [*stages, OTHER]:
        seconds = [max(r.get(f"{stage}_wall") or 0.0, 0.0) for r in rows]
        shares = [s / r["wall"] * 100 for s, r in zip(seconds, rows, strict=True)]
        right.bar(names, shares, bottom=bottom, label=stage)
        bottom = [b + s for b, s in zip(bottom, shares, strict=True)]
    right.set_ylabel("% of the build's wall time")
    right.set_title("Where a cold build's wall time goes")
    right.legend(fontsize=8, loc="upper right", bbox_to_anchor=(1.3, 1))
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    plt.close(fig)


def write(data: dict[str, Any], docs: Path) -> None:
    """Write performance.md and performance.png into `docs`."""
    if data.get("format") != 2:
        raise ValueError("results.json is from the single-pass harness (format 1); "
                         "measure again with benchmarks/run.py")
    stages = stage_names(data)
    rows = [summarise(case, stages) for case in data["cases"]]
    docs.mkdir(parents=True, exist_ok=True)
    plot(rows, stages, docs / "performance.png")
    (docs / "performance.md").write_text(markdown(data, rows), encoding="utf-8")
