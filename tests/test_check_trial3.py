"""The third trial's defects: check agrees with the build's date, PDFs independent of the folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from conftest import write_project
from PIL import Image

from publisher.build.pipeline import build
from publisher.check.artifacts import check_output, pdf_checks
from publisher.names import REPORT_NAME


def _pdf_verdict(out: Path) -> list[str]:
    verdict = next(v for v in check_output(out) if v.artifact.suffix == ".pdf")
    finding = next(f for f in verdict.findings if f.tool == "pdf checks")
    return finding.messages if not finding.ok else []


def test_check_accepts_a_build_stamped_with_source_date_epoch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_project(tmp_path / "book")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    result = build(root, tmp_path / "out", ["pdf"])
    with pikepdf.open(result.outputs["pdf"]) as pdf:
        assert str(pdf.trailer.Info.CreationDate).startswith("D:20231114221320")
    report = json.loads((tmp_path / "out" / REPORT_NAME).read_text(encoding="utf-8"))
    assert report["source_date"] == "2023-11-14T22:13:20+00:00"
    assert _pdf_verdict(tmp_path / "out") == []


def test_check_still_refuses_a_pdf_dated_otherwise(tmp_path: Path) -> None:
    root = write_project(tmp_path / "book")
    result = build(root, tmp_path / "out", ["pdf"])  # the book's date, 2024-05-01
    report = json.loads((tmp_path / "out" / REPORT_NAME).read_text(encoding="utf-8"))
    assert report["source_date"] == "2024-05-01T00:00:00+00:00"
    assert pdf_checks(result.outputs["pdf"], report).ok
    report["source_date"] = "2023-11-14T22:13:20+00:00"
    messages = pdf_checks(result.outputs["pdf"], report).messages
    assert any("is not the build's date 2023-11-14T22:13:20+00:00" in m for m in messages)
    report["source_date"] = "yesterday"
    messages = pdf_checks(result.outputs["pdf"], report).messages
    assert any("source_date 'yesterday' is not a date" in m for m in messages)
    del report["source_date"]  # an older report: held to the book's date
    assert pdf_checks(result.outputs["pdf"], report).ok


def _portrait_project(root: Path) -> Path:
    write_project(root)
    (root / "content" / "images").mkdir()
    Image.new("RGB", (60, 80), (140, 28, 19)).save(root / "content" / "images" / "li.png")
    interview = root / "content" / "interviews" / "01-chengdu.yaml"
    interview.write_text(interview.read_text(encoding="utf-8")
                         + "portrait:\n  src: images/li.png\n  alt: 李明近照\n", encoding="utf-8")
    return root


def test_a_project_with_a_portrait_gives_the_same_pdf_in_another_folder(tmp_path: Path) -> None:
    first = _portrait_project(tmp_path / "book")
    second = tmp_path / "elsewhere" / "deeper" / "otherbook"
    shutil.copytree(first, second)
    one = build(first, tmp_path / "out1", force=True).outputs
    two = build(second, tmp_path / "out2", force=True).outputs
    with pikepdf.open(one["pdf"]) as pdf:
        images = {name for page in pdf.pages for name in page.get_images()}
        assert len(images) == 1  # the portrait is drawn: the comparison below is about it
        identifier = [bytes(part) for part in pdf.trailer.ID]
    with pikepdf.open(two["pdf"]) as pdf:
        assert {name for page in pdf.pages for name in page.get_images()} == images
        assert [bytes(part) for part in pdf.trailer.ID] == identifier
    assert one["pdf"].read_bytes() == two["pdf"].read_bytes()
    assert one["epub"].read_bytes() == two["epub"].read_bytes()
    # Nothing of either folder's absolute path is in the PDF.
    assert str(tmp_path).encode() not in one["pdf"].read_bytes()


def test_the_fetcher_serves_project_relative_urls_and_refuses_a_climb(tmp_path: Path) -> None:
    from publisher.errors import BuildError
    from publisher.pdf.fetch import PROJECT_BASE, make_fetcher
    from publisher.pdf.weasy import project_relative

    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a b.png").write_bytes(b"png")
    fetcher = make_fetcher(tmp_path)
    html = f'<img src="{(tmp_path / "content" / "a b.png").as_uri()}">{tmp_path.as_uri()}/x'
    rewritten = project_relative(html, tmp_path)
    assert rewritten == f'<img src="{PROJECT_BASE}content/a%20b.png">{tmp_path.as_uri()}/x'
    response = fetcher.fetch(f"{PROJECT_BASE}content/a%20b.png")
    assert (response.read(), response.url) == (b"png", f"{PROJECT_BASE}content/a%20b.png")
    with pytest.raises(BuildError, match="outside the project"):
        fetcher.fetch("file://publisher/etc/hostname")
    with pytest.raises(BuildError, match="outside the project"):
        fetcher.fetch(f"{PROJECT_BASE}../../etc/hostname")
