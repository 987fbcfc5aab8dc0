"""Importing again: never over an edited or foreign file; --force replaces only unedited ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_books import held_out_book, to_text

from publisher.cli import main
from publisher.content.load import load_project


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as done:
        main(argv)
    return done.value.code or 0, capsys.readouterr().err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    source = tmp_path / "book.txt"
    source.write_text(to_text(held_out_book(9)), encoding="utf-8")
    content = tmp_path / "content"
    assert run(["import", str(source), "-o", str(content)], capsys)[0] == 0
    return source, content


def test_importing_again_without_force_is_refused(imported: tuple[Path, Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    source, content = imported
    before = _snapshot(content)
    code, err = run(["import", str(source), "-o", str(content)], capsys)
    assert code == 3
    assert f"{content / 'interviews'}: already holds 9 interview files" in err
    assert "--force" in err
    assert _snapshot(content) == before


def test_force_replaces_unedited_files(imported: tuple[Path, Path],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    source, content = imported
    before = _snapshot(content)
    assert run(["import", str(source), "-o", str(content), "--force"], capsys)[0] == 0
    after = _snapshot(content)
    assert {k: v for k, v in after.items() if k != ".import-manifest.json"} == \
        {k: v for k, v in before.items() if k != ".import-manifest.json"}


def test_force_never_replaces_an_edited_file(imported: tuple[Path, Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    source, content = imported
    edited = sorted((content / "interviews").glob("*.yaml"))[3]
    edited.write_text(edited.read_text(encoding="utf-8").replace("第", "第（改）"),
                      encoding="utf-8")
    before = _snapshot(content)
    code, err = run(["import", str(source), "-o", str(content), "--force"], capsys)
    assert code == 3
    assert f"{edited}: was edited since it was imported" in err
    assert _snapshot(content) == before


def test_force_never_replaces_a_file_it_did_not_write(imported: tuple[Path, Path],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    source, content = imported
    mine = content / "interviews" / "99-mine.yaml"
    mine.write_text("order: 99\n", encoding="utf-8")
    (content / ".import-manifest.json").unlink()  # and, without the record, none is known
    before = _snapshot(content)
    code, err = run(["import", str(source), "-o", str(content), "--force"], capsys)
    assert code == 3
    assert f"{mine}: was not written by the importer" in err
    assert err.count("was not written by the importer") == 10
    assert _snapshot(content) == before


def test_force_removes_the_earlier_import_s_other_files(tmp_path: Path, imported: tuple[Path, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A smaller book imported over a larger one: no old interview is left mixed with the new."""
    _, content = imported
    book = content / "book.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace("未命名访谈集", "我的书"),
                    encoding="utf-8")
    smaller = tmp_path / "smaller.txt"
    smaller.write_text(to_text(held_out_book(3)), encoding="utf-8")
    assert run(["import", str(smaller), "-o", str(content), "--force"], capsys)[0] == 0
    assert len(list((content / "interviews").glob("*.yaml"))) == 3
    project = load_project(tmp_path)
    assert len(project.interviews) == 3 and project.book.title == "我的书"  # book.yaml kept


def test_output_that_is_a_file_is_refused(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "book.txt"
    source.write_text(to_text(held_out_book(3)), encoding="utf-8")
    target = tmp_path / "content"
    target.write_text("not a folder", encoding="utf-8")
    code, err = run(["import", str(source), "-o", str(target)], capsys)
    assert code == 3 and f"{target}: exists and is not a folder" in err
    assert target.read_text(encoding="utf-8") == "not a folder"
