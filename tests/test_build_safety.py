"""Where a build may write, how it stops on a signal, and its exit codes for bad paths."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from publisher.content.scaffold import create

SLUG = "book"


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TZ")}
    return {**base, **extra}


def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "publisher", *map(str, args)],
                          capture_output=True, text=True, env=env(**extra), check=False,
                          timeout=300)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project, built once into its default output folder."""
    root = tmp_path_factory.mktemp("safety") / SLUG
    create(root)
    done = run("build", root)
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / SLUG
    shutil.copytree(built, root, symlinks=True)
    return root


def refused(result: subprocess.CompletedProcess[str], code: int, fragment: str) -> None:
    assert result.returncode == code, result.stderr[-2000:]
    assert fragment in result.stderr and "Traceback" not in result.stderr, result.stderr
    # Refused before any typesetting: no stage got to the PDF.
    assert "pdf ..." not in result.stdout + result.stderr


# --- 1. A default output folder that leaves the project --------------------------------------

@pytest.mark.parametrize("command", ["build", "watch"])
def test_default_output_linked_out_of_the_project_is_refused(project, tmp_path, command):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(project / "output")
    (project / "output").symlink_to(outside)
    result = run(command, project)
    refused(result, 2, f"{project / 'output'}: a link to {outside}, outside the project")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("target", [".", "content"])
def test_default_output_linked_onto_the_inputs_is_refused(project, target):
    before = files(project / "content")
    shutil.rmtree(project / "output")
    (project / "output").symlink_to(target)
    refused(run("build", project), 2, "among the project's inputs")
    assert files(project / "content") == before


def test_explicit_output_outside_the_project_is_the_users_choice(project, tmp_path):
    outside = tmp_path / "outside"
    result = run("build", project, "-o", outside, "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert (outside / f"{SLUG}.epub").is_file()


def test_an_artifact_linked_out_of_the_folder_is_replaced_not_written_through(project,
                                                                             tmp_path):
    target = tmp_path / "precious.pdf"
    target.write_bytes(b"precious")
    pdf = project / "output" / f"{SLUG}.pdf"
    pdf.unlink()
    pdf.symlink_to(target)
    result = run("build", project, "--force")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == b"precious"
    assert not pdf.is_symlink() and pdf.read_bytes().startswith(b"%PDF-")


# --- 3, 4, 5. Bad folders and values: exit 2 before any work ---------------------------------

@pytest.mark.parametrize("command", ["build", "watch"])
def test_missing_project_folder_is_a_usage_error(command, tmp_path):
    refused(run(command, tmp_path / "nonexistent"), 2,
            f"error: {tmp_path / 'nonexistent'}: no such folder")


def test_watch_on_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "file").write_text("x")
    refused(run("watch", tmp_path / "file"), 2, "is a file")


def test_default_output_that_is_a_file_is_refused_before_typesetting(project):
    shutil.rmtree(project / "output")
    (project / "output").write_text("mine")
    refused(run("build", project, "--force"), 2,
            f"{project / 'output'}: not a folder, where the build writes its output")
    assert (project / "output").read_text() == "mine"


def test_a_directory_where_an_artifact_goes_is_an_output_error(project):
    before = files(project / "output")
    shutil.move(project / "output" / f"{SLUG}.pdf", project / "moved.pdf")
    (project / "output" / f"{SLUG}.pdf").mkdir()
    result = run("build", project)
    refused(result, 4, f"{project / 'output' / SLUG}.pdf: is a directory where the build "
                       "writes a file")
    assert "the output folder cannot take the artifacts" in result.stderr
    assert "in the content" not in result.stderr
    assert files(project / "output") == {k: v for k, v in before.items() if k != f"{SLUG}.pdf"}


def test_pdf_standard_of_another_edition_is_a_usage_error(project):
    refused(run("build", project, "--edition", "print", "--pdf-standard", "ua"), 2,
            "--pdf-standard ua is not for the print edition; choose from x-4, x-1a")


@pytest.mark.parametrize("value", ["abc", "99999999999"])
def test_bad_source_date_epoch_is_a_usage_error(project, value):
    refused(run("build", project, "--force", SOURCE_DATE_EPOCH=value), 2,
            "error: SOURCE_DATE_EPOCH: ")


# --- 2. Signals ------------------------------------------------------------------------------

def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                if kid not in found:
                    found.add(kid)
                    todo.append(kid)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def start_build(root: Path, cache: Path) -> subprocess.Popen[str]:
    """A build of the first book (all parts to lay out), stopped once its PDF stage began."""
    process = subprocess.Popen(
        [sys.executable, "-m", "publisher", "build", str(root), "--force"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env(PUBLISHER_CACHE=str(cache), PUBLISHER_JOBS="2"))
    assert process.stderr is not None
    for line in process.stderr:  # the progress lines go to stderr
        if line.startswith("publisher: pdf ..."):
            break
    time.sleep(0.3)  # the workers are laying out parts now
    return process


@pytest.fixture(scope="module")
def first_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's first book, built once: big enough that its PDF takes a while."""
    root = tmp_path_factory.mktemp("first") / "first"
    shutil.copytree(REPO / "content", root / "content")
    done = run("build", root, "-f", "pdf")
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130),
                                              (signal.SIGHUP, 129)])
def test_a_signal_stops_the_build_cleanly(first_book, tmp_path, signum, code):
    before = files(first_book / "output")
    process = start_build(first_book, tmp_path / "cache")
    workers = descendants(process.pid)
    assert workers, "the build had no worker processes to end"
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    name = signal.Signals(signum).name
    assert err.strip().splitlines()[-1] == (f"error: the build stopped by {name}; the previous "
                                            "output is unchanged")
    assert "Traceback" not in err and "Aborted" not in err
    deadline = time.monotonic() + 10
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]
    assert files(first_book / "output") == before  # byte for byte
    assert {p.name for p in (first_book / "output").iterdir()} == set(before)  # no temp file


@pytest.mark.slow
def test_workers_die_with_a_killed_build(first_book, tmp_path):
    process = start_build(first_book, tmp_path / "cache")
    workers = descendants(process.pid)
    assert workers
    process.kill()
    process.communicate(timeout=60)
    deadline = time.monotonic() + 5
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]
