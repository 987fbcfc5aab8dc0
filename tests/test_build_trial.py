"""A new user's trial of the build: a print build's cover sheet is not left beside a later
screen PDF, and a build is never written into the folders it reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from publisher.cli import main
from publisher.content.scaffold import create


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    return done.value.code or 0, capsys.readouterr().err


def test_a_screen_build_removes_the_print_builds_cover(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "book"
    create(root)
    code, err = run(["build", str(root), "--edition", "print"], capsys)
    assert code == 0, err
    out = root / "output"
    cover = next(out.glob("*-cover.pdf"))
    code, err = run(["build", str(root)], capsys)
    assert code == 0, err
    assert not cover.exists() and "not rebuilt this time" not in err
    listed = {line.split()[-1].lstrip("*") for line in
              (out / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    on_disk = {p.name for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert on_disk - {"SHA256SUMS"} == listed


@pytest.mark.parametrize("inside", ["content", "content/interviews", "layouts", "fonts"])
def test_a_build_into_a_folder_it_reads_is_refused(inside: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "book"
    create(root)
    (root / inside).mkdir(parents=True, exist_ok=True)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    code, err = run(["build", str(root), "-o", str(root / inside)], capsys)
    assert code == 2
    assert f"inside the project's {inside.split('/')[0]}/ folder, which the build reads" in err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
