"""Packaging: the code is ruff-clean and the wheel carries the built-in layouts and fonts."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, write_project


def test_ruff_is_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "publisher", "tests"],
                          cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_wheel_builds_a_book_outside_the_source_tree(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path / "dist"), str(REPO)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("publisher-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "publisher/_builtin/layouts/pdf/book.html.j2" in names
    assert "publisher/_builtin/fonts/fonts.yaml" in names
    assert "publisher/_builtin/color/FOGRA39L-argyll.icc" in names  # the print output intent
    assert "publisher/skeleton/content/book.yaml" in names
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, capture_output=True)
    project = write_project(tmp_path / "elsewhere")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import publisher as p; "
            "assert str(p.builtin_dir('layouts')).startswith(sys.argv[1]), p.builtin_dir('layouts');"
            "from publisher.cli import main; main(['build', sys.argv[2]])")
    done = subprocess.run([sys.executable, "-c", code, str(site), str(project)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (project / "output" / "sample-book.pdf").stat().st_size > 10_000
    assert (project / "output" / "sample-book.epub").stat().st_size > 10_000
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from publisher.cli import main; "
            "main(['new', sys.argv[2]])")
    done = subprocess.run([sys.executable, "-c", code, str(site), str(tmp_path / "fresh")],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "fresh" / "content" / "book.yaml").is_file()
