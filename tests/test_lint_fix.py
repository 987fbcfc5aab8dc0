"""--fix: round-trip edits that keep comments, atomic writes, idempotence, the log."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from publisher.cli import main
from publisher.lint import fix as fixmod
from publisher.lint import lint_project

FIXTURE = Path(__file__).parent / "fixtures" / "lint" / "project"
BETA = "content/interviews/02-beta.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "p")
    return tmp_path / "p"


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(["lint", *args])
    return exit_info.value.code


def snapshot(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def test_fix_rewrites_only_the_marks_and_keeps_comments(project: Path, capsys) -> None:
    assert run(str(project), "--fix") == 1  # structure and reuse errors remain
    text = (project / BETA).read_text(encoding="utf-8")
    assert text.startswith("# Synthetic interview: half-width punctuation")
    assert "读书会办了三次，科技节办了一次。市民说很好参加的人很多。" in text
    assert "headline: 乙城 新风\n" in text  # a title's space is left alone
    original = (FIXTURE / BETA).read_text(encoding="utf-8").split("\n")
    assert len(text.split("\n")) == len(original)
    assert not [f for f in lint_project(project) if f.fix is not None]
    assert "fixed 6 finding(s) in 1 file(s)" in capsys.readouterr().err


def test_fix_twice_changes_nothing_the_second_time(project: Path) -> None:
    run(str(project), "--fix")
    first = snapshot(project)
    run(str(project), "--fix")
    assert snapshot(project) == first


def test_log_replays_from_the_original_to_the_fixed_text(project: Path) -> None:
    run(str(project), "--fix")
    entries = fixmod.read_log(project)
    assert {e["rule"] for e in entries} == {"punctuation.half-width", "punctuation.period",
                                             "punctuation.space", "script.traditional"}
    assert all(e["file"] == BETA for e in entries)
    data = yaml.safe_load((FIXTURE / BETA).read_text(encoding="utf-8"))
    fixmod.replay(data, entries)
    assert data == yaml.safe_load((project / BETA).read_text(encoding="utf-8"))


def test_editor_correction_is_logged_with_its_reason(project: Path) -> None:
    entry = fixmod.correct(project, BETA, "qa[0].answer[0]", "读书曾", "读书会", "OCR slip")
    assert (entry["rule"], entry["reason"], entry["line"], entry["column"]) == \
        ("editor", "OCR slip", 12, 42)
    assert "读书曾" not in (project / BETA).read_text(encoding="utf-8")
    assert fixmod.read_log(project)[-1]["after"] == "读书会"


def test_crash_mid_fix_leaves_every_file_whole(project: Path, monkeypatch) -> None:
    (project / "content/interviews/01-alpha.yaml").write_text(
        (FIXTURE / "content/interviews/01-alpha.yaml").read_text(encoding="utf-8")
        .replace("读书会和科技节，", "读书会和科技节,"), encoding="utf-8")
    before = snapshot(project)
    real_replace = os.replace
    calls = []

    def crash_on_second(src, dst):  # noqa: ANN001 - os.replace's signature
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(fixmod.os, "replace", crash_on_second)
    with pytest.raises(OSError, match="disk full"):
        fixmod.fix_project(project)
    after = snapshot(project)
    assert not [name for name in after if name.endswith(".tmp")]  # no temporary file left
    changed = [name for name in after if after[name] != before.get(name)]
    assert changed == ["content/interviews/01-alpha.yaml"]  # the first file, whole and fixed
    for name, data in after.items():
        if name.endswith(".yaml"):
            yaml.safe_load(data.decode("utf-8"))  # every file still parses
    assert after[BETA] == before[BETA]


def test_json_format_and_exit_codes(project: Path, capsys) -> None:
    assert run(str(project), "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    rules = {f["rule"] for f in report["findings"]}
    assert rules >= {"punctuation.half-width", "script.traditional", "corpus.slip",
                     "reuse.passage", "structure"}
    first = report["findings"][0]
    assert set(first) == {"file", "line", "column", "rule", "severity", "message", "subject",
                          "suggestion", "fix"}


def test_clean_project_exits_zero(tmp_path: Path) -> None:
    root = tmp_path / "clean"
    (root / "content/interviews").mkdir(parents=True)
    shutil.copy(FIXTURE / "content/book.yaml", root / "content/book.yaml")
    shutil.copy(FIXTURE / "content/interviews/01-alpha.yaml", root / "content/interviews/")
    assert run(str(root)) == 0


def test_missing_content_is_a_clean_error(tmp_path: Path, capsys) -> None:
    assert run(str(tmp_path)) == 3
    err = capsys.readouterr().err
    assert "missing: a project needs a content/ directory" in err and "Traceback" not in err
