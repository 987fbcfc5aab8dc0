"""The benchmark harness: the books it builds, how it measures processes, its report, a run."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from publisher import cache
from publisher.content.load import load_project

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import proctree, report, run, synth, typst_ref, worker  # noqa: E402
from benchmarks.timings import sampler_on_known_load  # noqa: E402


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# -- the books -------------------------------------------------------------------------

def test_generator_is_deterministic(tmp_path: Path) -> None:
    first = synth.write_project(tmp_path / "a", 30, seed=7)
    second = synth.write_project(tmp_path / "b", 30, seed=7)
    other = synth.write_project(tmp_path / "c", 30, seed=8)
    assert _files(first) == _files(second)
    assert _files(first) != _files(other)


def test_generated_project_loads(tmp_path: Path) -> None:
    project = load_project(synth.write_project(tmp_path / "book", 25, seed=1))
    assert len(project.interviews) == 25
    assert [i.order for i in project.interviews] == list(range(1, 26))
    # Questions keep their region's wording, so the question index still finds them.
    tagged = [p.question_id for i in project.interviews for p in i.qa]
    assert tagged.count(None) < len(tagged) / 10


def test_typst_twin_has_the_same_text(tmp_path: Path) -> None:
    root = synth.write_project(tmp_path / "book", 3, seed=1)
    source = typst_ref.typ_source(root)
    answer = load_project(root).interviews[0].qa[0].answer[0]
    assert typst_ref._string(answer) in source
    assert 'font: "Noto Serif CJK SC"' in source and "justify: true" in source


def test_copy_then_edit_changes_one_character_of_one_interview(tmp_path: Path) -> None:
    source = synth.write_project(tmp_path / "book", 12, seed=5)
    (source / "layouts" / "pdf").mkdir(parents=True)
    (source / "layouts" / "pdf" / "extra.css").write_text("p {}\n", encoding="utf-8")
    copy = synth.copy_project(source, tmp_path / "copy" / "book")
    assert _files(copy) == _files(source)

    edit = synth.edit_one_answer(copy, 10)
    after = _files(copy)
    changed = [name for name in after if after[name] != _files(source)[name]]
    assert changed == [f"content/interviews/{edit['file']}"] and edit["file"].startswith("0011-")
    old = _files(source)[changed[0]].decode()
    new = after[changed[0]].decode()
    assert len(old) == len(new)
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [("。", "！")]
    assert len(load_project(copy).interviews) == 12


def test_edit_picks_the_last_interview_of_a_short_book(tmp_path: Path) -> None:
    book = synth.write_project(tmp_path / "book", 2, seed=3)
    assert synth.edit_one_answer(book, 10)["file"].startswith("0002-")


# -- measuring processes ----------------------------------------------------------------

BURN = """
import multiprocessing, os, sys, time

def burn(seconds, done):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    done.send(1)

if __name__ == "__main__":
    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=burn, args=(0.6, theirs))
    child.start()
    ours.recv()
    if sys.argv[1] == "join":
        child.join()
    else:
        os._exit(0)  # the grandchild finished, but this process never reaps it
"""


def test_wait4_counts_a_joined_grandchild(tmp_path: Path) -> None:
    """CPU time by construction, not by the clock: the grandchild burns 0.6 s of CPU."""
    joined = proctree.run_child([sys.executable, "-c", BURN, "join"])
    assert joined["returncode"] == 0
    assert joined["cpu"] >= 0.6
    # Not reaped by its parent, the grandchild's time is lost: why the build must join. The
    # two runs differ only by the grandchild's 0.6 s; half of it allows for the start-ups'.
    orphaned = proctree.run_child([sys.executable, "-c", BURN, "orphan"])
    assert orphaned["returncode"] == 0
    assert orphaned["cpu"] < joined["cpu"] - 0.3


def test_sampler_sums_memory_over_the_process_tree() -> None:
    result = sampler_on_known_load()  # from a fresh interpreter, as the benchmark measures
    assert result["returncode"] == 0
    assert result["processes"] >= 2
    # wait4 sees only the larger process; the sampler sees both blocks at once. How many MB
    # each figure is depends on the machine: benchmarks/timings.py prints them.
    assert result["peak_mb"] > result["largest_mb"] > 0  # the two at once, more than either
    assert 0 < result["peak_pss_mb"] <= result["peak_mb"]
    # The peak's split by process: both blocks' processes, summing to the peak.
    big, second = result["at_peak_mb"][:2]
    assert second > big / 3  # the parent's block too (80 MB beside the child's 120 MB)
    assert sum(result["at_peak_mb"]) == pytest.approx(result["peak_mb"])
    # The rest of the machine, in CPUs kept busy: at most every CPU there is.
    assert 0 <= result["others_cpus"] <= (os.cpu_count() or 1)


def test_tree_finds_descendants_only() -> None:
    import os

    found = proctree.tree(os.getpid())
    assert found[0] == os.getpid()
    assert 1 not in found


def test_profile_buckets_by_package_and_waiting() -> None:
    def frame(path: str, own: float, *children: SimpleNamespace) -> SimpleNamespace:
        return SimpleNamespace(file_path=path, total_self_time=own, is_synthetic=False,
                               children=list(children))

    site = "/venv/lib/python3.11/site-packages"
    root = frame("/work/publisher/build/pipeline.py", 0.1,
                 frame(f"{site}/weasyprint/layout/block.py", 2.0,
                       frame("<built-in>", 0.5)),
                 frame("/usr/lib/python3.11/multiprocessing/connection.py", 0.2,
                       frame("/usr/lib/python3.11/selectors.py", 0.0, frame("<built-in>", 3.0))))
    found = worker.self_time_by_library(root)
    assert found == pytest.approx({"publisher": 0.1, "weasyprint": 2.5, worker.WAITING: 3.2})


def test_snapshot_of_the_tool_and_what_changed_since(tmp_path: Path) -> None:
    snapshot = run.snapshot_tool(tmp_path / "tool")
    assert (snapshot / "publisher" / "pdf" / "parts.py").is_file()
    assert (snapshot / "layouts").is_dir()
    (snapshot / "publisher" / "pdf" / "parts.py").write_text("# edited\n", encoding="utf-8")
    assert "publisher/pdf/parts.py" in run.tool_changes(snapshot)


def test_git_head_is_read_without_git(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text("# pack-refs\n" + "ab" * 20 + " refs/heads/main\n")
    assert run.git_head(tmp_path) == "abababa"
    (git / "refs" / "heads" / "main").write_text("cd" * 20 + "\n")
    assert run.git_head(tmp_path) == "cdcdcdc"
    assert run.git_head(tmp_path / "nowhere") == ""


# -- the report --------------------------------------------------------------------------

def _build_run(wall: float, cpu: float, pages: int, peak: float) -> dict:
    timings = {"load": 0.1, "fonts": 0.1, "pdf": wall * 0.6, "epub": 0.2, "write": 0.1}
    return {"timings": {**timings, "total": sum(timings.values()) - 0.1},
            "stage_cpu": {k: v * cpu / wall for k, v in timings.items()},
            "pages": pages, "sizes": {"pdf": 10**6, "epub": 5 * 10**5},
            "parts": {"groups": 7, "laid_out": 10, "workers": 2, "started": 2},
            "process": {"wall": wall, "cpu": cpu, "peak_mb": peak, "peak_pss_mb": peak * 0.7,
                        "largest_mb": peak * 0.5, "processes": 3}}


def _typst_run(wall: float, pages: int) -> dict:
    return {"stages": {"import": {"wall": 0.1, "cpu": 0.1}, "compile": {"wall": wall - 0.15,
                                                                       "cpu": wall - 0.2}},
            "pages": pages, "process": {"wall": wall, "cpu": wall - 0.1, "peak_mb": 90.0,
                                        "peak_pss_mb": 80.0, "largest_mb": 90.0}}


def _results() -> dict:
    cli = {"process": {"wall": 0.3, "cpu": 0.25, "peak_mb": 30.0}, "up_to_date": True}
    return {
        "format": 2, "seed": 1, "tool_changed": ["publisher/pdf/parts.py"],
        "machine": {"date": "today", "platform": "test", "python": "3", "typst": "0",
                    "weasyprint": "70", "cpus": 2, "usable_cpus": 2, "load_before": 1.0,
                    "git": "abc1234", "memory_gb": 8.0, "publisher_jobs": None},
        "cases": [
            {"name": "first", "interviews": 21,
             "runs": {"build": [_build_run(3.0, 4.0, 50, 300.0), _build_run(3.4, 4.2, 50, 310.0),
                                {"error": "build exited with 1", "process": {}}],
                      "typst": [_typst_run(1.0, 40), _typst_run(1.0, 40)], "single": []}},
            {"name": "synthetic-210", "interviews": 210,
             "runs": {"build": [_build_run(30.0, 40.0, 500, 700.0)],
                      "typst": [_typst_run(3.0, 400)], "single": []}},
            {"name": "synthetic-1050", "interviews": 1050,
             "runs": {"build": [_build_run(120.0, 210.0, 2500, 1500.0)],
                      "typst": [_typst_run(6.0, 2000)], "single": []}}],
        "noop": {"first": cli, "runs": [cli, {**cli, "up_to_date": False}],
                 "stamp": {"stamp check": 0.1}},
        "edit": {"runs": [{"cold": _build_run(4.0, 4.4, 50, 300.0),
                           "rebuild": _build_run(1.6, 1.1, 50, 250.0),
                           "edit": {"file": "11-nanchong.yaml", "old": "。", "new": "！",
                                    "paragraph": "组织"}}]},
        "profile": {"by_library": {"weasyprint": 3.0, worker.WAITING: 1.0},
                    "profiled_processes": 3, "profile_seconds": 4.0}}


def test_report_from_saved_results(tmp_path: Path) -> None:
    report.write(_results(), tmp_path)
    text = (tmp_path / "performance.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()
            if line.startswith("| ")}
    # First book: medians 3.2 s wall, 4.1 s CPU against Typst's 1.0 s and 0.9 s.
    assert "wall 3.2× (3.20 s against 1.00 s); CPU 4.6×" in rows["First book, cold, PDF + EPUB: ≤ 4× Typst (stretch ≤ 2×)"]
    assert "wall: **yes** (stretch: **no**); CPU: **no**" in text
    assert "0.30 s wall" in rows["No-op rebuild ≤ 0.5 s"]
    assert "(1 of 2 runs up to date)" in rows["No-op rebuild ≤ 0.5 s"]
    assert rows["No-op rebuild ≤ 0.5 s"].endswith("| **yes** |")
    assert "wall 0.40× (1.60 s against 4.00 s cold); CPU 0.25×" in text
    assert rows["1,050 interviews ≤ 40 s"].endswith("wall: **no**; CPU: **no** |")
    assert "1,500 MB summed RSS" in rows["1,050 interviews ≤ 1 GB"]
    assert "largest single process 750 MB" in rows["1,050 interviews ≤ 1 GB"]
    assert rows["1,050 interviews ≤ 1 GB"].endswith(
        "| **no** if 1 GB is 1,024 MiB; **no** if it is 10⁹ bytes |")
    # s/page: first 0.064 wall / 0.082 CPU; 1,050: 0.048 (−25%) / 0.084 (+2%).
    assert "1,050 interviews: wall -25%, CPU +2%" in text
    assert "| first | 21 | 2 | 50 / 40 | 3.20 (3.00–3.40) |" in text
    assert "- first: build: build exited with 1" in text
    assert "| (waiting on another process) | 1.00 | 25% |" in text
    assert "the working tree changed meanwhile (`publisher/pdf/parts.py`)" in text
    assert "Reading the figures" in text or not report.ANALYSIS.exists()
    assert (tmp_path / "performance.png").stat().st_size > 1000


def test_report_says_what_was_not_measured(tmp_path: Path) -> None:
    data = _results()
    data["cases"] = data["cases"][:2]
    del data["noop"], data["edit"], data["profile"]
    data["tool_changed"] = []
    report.write(data, tmp_path)
    text = (tmp_path / "performance.md").read_text(encoding="utf-8")
    assert "| 1,050 interviews ≤ 40 s | – | not measured |" in text
    assert "| No-op rebuild ≤ 0.5 s | – | not measured |" in text
    assert "up to 210; 1,050 not measured" in text
    assert "a copy of `publisher/`" in text and "changed meanwhile" not in text


def test_report_refuses_single_pass_results(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format 1"):
        report.write({"machine": {}, "cases": []}, tmp_path)


# -- a whole run -------------------------------------------------------------------------

@pytest.mark.slow
def test_harness_runs_on_a_tiny_book(tmp_path: Path) -> None:
    book = synth.write_project(tmp_path / "tiny", 2, seed=3)
    results = tmp_path / "results.json"
    assert run.main(["--project", str(book), "--repeat", "1", "--sizes", "--noop-repeat", "1",
                     "--results", str(results), "--docs", str(tmp_path / "docs")]) == 0
    saved = json.loads(results.read_text(encoding="utf-8"))
    runs = saved["cases"][0]["runs"]
    assert [r.get("error") for r in runs["build"] + runs["typst"]] == [None, None]
    build = runs["build"][0]
    assert set(report.STAGES) <= set(build["timings"]) and build["pages"] > 0
    assert build["process"]["processes"] >= 2  # the build and at least one PDF worker
    assert build["cache_files"] > 0 and not build["up_to_date"]
    # Measured: the snapshot of the tool taken at the start, not the tree being edited.
    assert Path(build["tool"]) != REPO / "publisher" and build["tool"].endswith("tool/publisher")
    assert runs["typst"][0]["pages"] > 0
    assert saved["noop"]["runs"] and all(r["up_to_date"] for r in saved["noop"]["runs"])
    pair = saved["edit"]["runs"][0]
    assert not pair["rebuild"]["up_to_date"]
    assert pair["rebuild"]["parts"]["laid_out"] < pair["cold"]["parts"]["laid_out"]
    assert saved["profile"]["profiled_processes"] >= 2
    assert (tmp_path / "profile.txt").is_file()
    text = (tmp_path / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "## Targets" in text and "## Rebuild after editing one interview" in text


def test_report_only_rewrites_the_docs(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps(_results()), encoding="utf-8")
    assert run.main(["--report-only", "--results", str(results),
                     "--docs", str(tmp_path / "docs")]) == 0
    assert (tmp_path / "docs" / "performance.md").is_file()


# -- the cache the measurements depend on -------------------------------------------------

def test_digest_follows_content_and_options(tmp_path: Path) -> None:
    root = synth.write_project(tmp_path / "book", 2, seed=3)
    before = cache.inputs_digest(root, {"formats": ["pdf"]})
    assert cache.inputs_digest(root, {"formats": ["pdf"]}) == before
    assert cache.inputs_digest(root, {"formats": ["pdf", "epub"]}) != before
    book = root / "content" / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache.inputs_digest(root, {"formats": ["pdf"]}) != before


def test_stamp_is_fresh_only_while_outputs_are_intact(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    pdf = out / "book.pdf"
    pdf.write_bytes(b"%PDF")
    assert cache.fresh_summary(out, "d1") is None
    cache.write_stamp(out, "d1", [pdf], {"pages": 3})
    assert cache.fresh_summary(out, "d1") == {"pages": 3}
    assert cache.fresh_summary(out, "d2") is None
    pdf.write_bytes(b"%PDF edited")
    assert cache.fresh_summary(out, "d1") is None
    cache.forget(out)
    assert not (out / cache.STAMP_NAME).exists()


def test_cached_bytes_computes_once(tmp_path: Path) -> None:
    calls = []

    def make() -> bytes:
        calls.append(1)
        return b"subset"

    assert cache.cached_bytes("subset", "font|0|1,2", make, tmp_path) == b"subset"
    assert cache.cached_bytes("subset", "font|0|1,2", make, tmp_path) == b"subset"
    assert len(calls) == 1

