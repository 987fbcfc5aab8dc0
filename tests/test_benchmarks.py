"""The benchmark harness: a seeded generator of loadable books, a runnable harness, the cache."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from publisher import cache
from publisher.load import load_project

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import report, synth, typst_ref  # noqa: E402


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


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


def test_report_from_saved_results(tmp_path: Path) -> None:
    def stages(scale: float) -> dict:
        names = report.STAGES
        return {"stages": {n: {"wall": scale, "cpu": scale / 2, "peak_mb": 100} for n in names},
                "pages": 40, "pdf_bytes": 10**6, "epub_bytes": 10**6,
                "process": {"wall": 9.0, "cpu": 4.0, "peak_mb": 200.0}}

    typst = {"stages": {"import": {"wall": 0.1, "cpu": 0.1}, "compile": {"wall": 0.4, "cpu": 0.3}},
             "pages": 38, "process": {"wall": 0.6, "cpu": 0.5, "peak_mb": 90.0}}
    data = {"machine": {"date": "today", "platform": "test", "python": "3", "typst": "0",
                        "weasyprint": "70", "cpus": 2, "load_before": 1.0, "git": "abc"},
            "seed": 1,
            "cases": [{"name": "first", "interviews": 21,
                       "runs": {"stages": [stages(1.0), stages(3.0)], "typst": [typst],
                                "build": [{"process": {"wall": 8.0, "cpu": 4.0,
                                                       "peak_mb": 150.0}}]}}]}
    report.write(data, tmp_path)
    text = (tmp_path / "performance.md").read_text(encoding="utf-8")
    assert "| first | 21 | 40 / 38 |" in text
    assert (tmp_path / "performance.png").stat().st_size > 1000


def test_harness_runs_on_a_tiny_book(tmp_path: Path) -> None:
    from benchmarks import run

    book = synth.write_project(tmp_path / "tiny", 2, seed=3)
    results = tmp_path / "results.json"
    assert run.main(["--project", str(book), "--repeat", "1", "--sizes", "--no-profile",
                     "--no-full-build", "--results", str(results),
                     "--docs", str(tmp_path / "docs")]) == 0
    saved = json.loads(results.read_text(encoding="utf-8"))
    runs = saved["cases"][0]["runs"]
    assert [r.get("error") for r in runs["stages"] + runs["typst"]] == [None, None]
    assert runs["stages"][0]["interviews"] == 2
    assert set(runs["stages"][0]["stages"]) == set(report.STAGES)
    assert (tmp_path / "docs" / "performance.md").is_file()


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
