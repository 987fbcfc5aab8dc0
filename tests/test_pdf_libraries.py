"""At run time the PDF is read with pikepdf and pypdfium2 only; the checks built on them work."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from conftest import REPO, write_project
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from publisher.check import pdfread
from publisher.check.artifacts import pdf_checks, read_report

ALLOWED = {"pikepdf", "pypdfium2"}
OTHERS = {"pypdf", "PyPDF2", "pdfplumber", "pdfminer", "fitz", "pymupdf", "borb", "pdfrw"}

# `publisher build` then `publisher check`, in-process, and the modules they loaded.
RUN_CLI = """
import json, sys
from publisher.cli import cli
root, out = sys.argv[1], sys.argv[2]
codes = [cli.main(args=args, prog_name="publisher", standalone_mode=False)
         for args in (["build", root, "-o", out], ["check", out])]
print(json.dumps({"codes": [code or 0 for code in codes], "modules": sorted(sys.modules)}))
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A small book built and checked in a child process, with what it imported."""
    root = write_project(tmp_path_factory.mktemp("libraries") / "book",
                         ("成都市", "绵阳市", "自贡市"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", RUN_CLI, str(root), str(root / "out")],
                          capture_output=True, text=True, env=env, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["out"] = root / "out"
    return result


def test_build_and_check_import_only_pikepdf_and_pypdfium2(run: dict) -> None:
    assert run["codes"] == [0, 0]
    top = {name.split(".")[0] for name in run["modules"]}
    assert top >= ALLOWED  # both were used: the check read the PDF
    assert not top & OTHERS, sorted(top & OTHERS)


def _imports() -> dict[str, set[str]]:
    """Every module of the package and what it imports, at the top or inside a function."""
    graph: dict[str, set[str]] = {}
    for path in sorted((REPO / "publisher").rglob("*.py")):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        graph[module] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                graph[module] |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                graph[module] |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return graph


def test_no_module_of_the_package_imports_another_pdf_library() -> None:
    """The build's workers are forked and import on their own: no module may name one."""
    found = [f"{module}: {name}" for module, names in _imports().items() for name in names
             if name.split(".")[0] in OTHERS]
    assert not found


def _pdf(run: dict) -> Path:
    return next(p for p in run["out"].glob("*.pdf") if not p.name.endswith("-cover.pdf"))


def _damaged(run: dict, tmp_path: Path, damage: Callable[[pikepdf.Pdf], None]) -> Path:
    target = tmp_path / "out"
    shutil.copytree(run["out"], target)
    path = _pdf({"out": target})
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        damage(pdf)
        pdf.save(path)
    return path


def _unembed_first_font(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        for font in page.obj.Resources.get("/Font", Dictionary()).values():
            leaf = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in leaf.FontDescriptor:
                    del leaf.FontDescriptor[key]
                    return


def _set_date(pdf: pikepdf.Pdf) -> None:
    pdf.docinfo[Name.CreationDate] = String("D:19990101000000Z")


DAMAGE: dict[str, tuple[Callable[[pikepdf.Pdf], None], str]] = {
    "no-lang": (lambda pdf: pdf.Root.__delitem__("/Lang"), "/Lang is ''"),
    "english": (lambda pdf: setattr(pdf.Root, "Lang", String("en-US")), "/Lang is 'en-US'"),
    "untagged": (lambda pdf: pdf.Root.__delitem__("/StructTreeRoot"), "no /StructTreeRoot"),
    "no-outline": (lambda pdf: pdf.Root.__delitem__("/Outlines"), "no outline (bookmarks)"),
    "font-not-embedded": (_unembed_first_font, "is not embedded"),
    "wrong-date": (_set_date, "CreationDate 'D:19990101000000Z' is not the build's date"),
    "page-removed": (lambda pdf: pdf.pages.__delitem__(-1), "pages; build-report.json says"),
}


def test_pdf_checks_pass_the_built_pdf(run: dict) -> None:
    report, _ = read_report(run["out"])
    finding = pdf_checks(_pdf(run), report)
    assert finding.ok and finding.messages == []


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_pdf_checks_find_each_damage(name: str, run: dict, tmp_path: Path) -> None:
    damage, fragment = DAMAGE[name]
    path = _damaged(run, tmp_path, damage)
    report, _ = read_report(run["out"])
    finding = pdf_checks(path, report)
    assert not finding.ok
    assert any(fragment in message for message in finding.messages), finding.messages


def test_outline_pages_through_names_and_actions(tmp_path: Path) -> None:
    """An outline item may give its page directly, by a named destination or by an action."""
    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page()
    pdf.Root.Names = Dictionary(Dests=Dictionary(Names=Array(
        [String("third"), Array([pdf.pages[2].obj, Name.Fit])])))
    with pdf.open_outline() as outline:
        first = OutlineItem("甲", 0)
        first.children.append(OutlineItem("甲一", 1))
        outline.root.extend([first,
                             OutlineItem("乙", action=Dictionary(S=Name.GoTo, D=String("third"))),
                             OutlineItem("丙", String("third")),
                             OutlineItem("丁", String("nowhere"))])
    pdf.save(tmp_path / "outline.pdf")
    entries, pages = pdfread.read_outline(tmp_path / "outline.pdf")
    assert entries == [("甲", 1, ["甲一"]), ("乙", 3, []), ("丙", 3, []), ("丁", 0, [])]
    assert pages == [[2], [], [], []]


def test_glyphs_beyond_the_bmp_and_ink_past_the_advance(tmp_path: Path) -> None:
    """A rare character in a name is one glyph, not two UTF-16 halves; a glyph whose ink
    overhangs its advance (办's dot) ends where its advance ends, one em after its start."""
    import weasyprint

    html = ('<html lang="zh-CN"><body style="font: 10pt \'Noto Serif CJK SC\'; margin: 0">'
            '<p>吉\U00020BB7办法</p></body></html>')
    weasyprint.HTML(string=html).write_pdf(tmp_path / "a.pdf")
    (glyphs, _), = pdfread.read_pages(tmp_path / "a.pdf")
    assert "".join(g.text for g in glyphs) == "吉\U00020BB7办法"
    for glyph, following in zip(glyphs, glyphs[1:], strict=False):
        assert glyph.x1 - glyph.x0 == pytest.approx(glyph.size, abs=0.01)
        assert following.x0 == pytest.approx(glyph.x1, abs=0.01)
    assert all(g.size == pytest.approx(10, abs=0.01) and "Serif" in g.font for g in glyphs)
    import pypdfium2

    document = pypdfium2.PdfDocument(tmp_path / "a.pdf")
    ink = document[0].get_textpage().get_charbox(3)  # 办 (after the two halves of 𠮷)
    assert ink[2] > glyphs[2].x1 + 0.1  # its ink does reach past the advance
    document.close()
