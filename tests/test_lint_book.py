"""The first book: the linter finds the source's defects; content/ is clean and fully logged."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from publisher.content.importer import import_file
from publisher.lint import lint_project
from publisher.lint.fix import read_log, replay

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO.parent / "shared" / "sources" / "000_60f0d1ff23c14434.txt"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fresh")
    import_file(SOURCE, root / "content")
    shutil.copy(REPO / "content/book.yaml", root / "content/book.yaml")
    return root


@pytest.fixture(scope="module")
def fresh_findings(fresh: Path) -> list:
    return lint_project(fresh, glyphs=False)


def test_fresh_import_reports_the_traditional_characters(fresh_findings: list) -> None:
    found = sorted(f.subject for f in fresh_findings if f.rule == "script.traditional")
    assert len(found) == 7 and all(f.fix for f in fresh_findings if f.rule == "script.traditional")


def test_fresh_import_reports_ocr_slip_candidates(fresh_findings: list) -> None:
    slips = [f for f in fresh_findings if f.rule == "corpus.slip"]
    assert 3 <= len(slips) <= 8  # measured: 6, of which 4 are real slips (docs/linter.md)
    assert {f.path for f in slips} >= {"content/interviews/10-leshan.yaml",
                                       "content/interviews/11-nanchong.yaml"}


def test_fresh_import_reports_the_slips_that_knowing_chinese_reveals(fresh: Path,
                                                                    fresh_findings: list) -> None:
    # Measured (docs/linter.md): 8 real slips; 3 accepted in the allowlist (冉体兰, 培树, 觉姆).
    found = {(f.path.split("/")[-1][:2], f.subject, f.suggestion): f
             for f in fresh_findings if f.rule.startswith("slip.")}
    assert set(found) == {
        ("01", "十", "+"), ("03", "千了", "干了"), ("06", "竹园镔", "竹园镇"),
        ("11", "曰", "日"),
        ("09", "引瓴", "引领"), ("10", "一", "——"), ("10", "巾帽", "巾帼"), ("11", "巾帽", "巾帼"),
        ("08", "冉体", "自体"), ("20", "培树", "培植"), ("19", "觉姆", "雷姆")}
    for finding in found.values():
        line = (fresh / finding.path).read_text(encoding="utf-8").split("\n")[finding.line - 1]
        k = next((i for i, (a, b) in enumerate(zip(finding.subject, finding.suggestion, strict=False))
                  if a != b), 0)
        assert line[finding.column - 1] == finding.subject[k]  # the column is the suspect's
        assert finding.fix is None and finding.severity == "warning"


def test_fresh_import_reports_the_pasted_passages_on_both_sides(fresh_findings: list) -> None:
    pairs = Counter(f.path.split("/")[-1][:2] for f in fresh_findings if f.rule == "reuse.passage")
    assert set(pairs) == {"01", "02", "03", "05", "07"}
    assert all(f.severity == "error" for f in fresh_findings if f.rule == "reuse.passage")


def test_fresh_import_half_width_punctuation_is_fixable(fresh_findings: list) -> None:
    marks = [f for f in fresh_findings if f.rule == "punctuation.half-width"]
    assert len(marks) > 500 and all(f.fix for f in marks)


def test_shipped_content_lints_clean() -> None:
    assert lint_project(REPO) == []


def test_corrections_log_accounts_for_every_difference(fresh: Path) -> None:
    entries = read_log(REPO)
    assert entries, "content/corrections.yaml is missing or empty"
    assert all(e.get("reason") for e in entries if e["rule"] == "editor")
    files = sorted(p.name for p in (REPO / "content/interviews").glob("*.yaml"))
    assert files == sorted(p.name for p in (fresh / "content/interviews").glob("*.yaml"))
    for name in files:
        rel = f"content/interviews/{name}"
        imported = (fresh / rel).read_text(encoding="utf-8")
        shipped = (REPO / rel).read_text(encoding="utf-8")
        assert imported.split("\n")[0] == shipped.split("\n")[0]  # the provenance comment
        data = yaml.safe_load(imported)
        replay(data, [e for e in entries if e["file"] == rel])
        assert data == yaml.safe_load(shipped), f"{rel} differs beyond the corrections log"
