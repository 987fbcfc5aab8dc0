"""Merging WeasyPrint part PDFs: text, fonts, links, outline, tags, determinism, size."""

from __future__ import annotations

import base64
import functools
import io
import re
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2
import pytest
import uharfbuzz as hb
from fontTools.ttLib import TTFont
from pdf_render import worker_parts
from PIL import Image, ImageChops

from publisher.pdf.merge import merge

STYLE = """<style>
@page { size: A5; margin: 20mm; @bottom-right { content: counter(page) } }
h1 { bookmark-level: 1 } h2 { bookmark-level: 2 } article { break-before: page }
body { font-family: "Noto Serif CJK SC" } h1, h2 { font-family: "Noto Sans CJK SC" }
</style>"""
SENTENCE = "四川省妇联主席在访谈中说，我们要把工作做细做实。"


def _png() -> str:
    image, out = Image.new("RGB", (40, 30), (200, 30, 30)), io.BytesIO()
    image.paste((20, 20, 160), (10, 5, 30, 25))
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


# The same image in two parts; a translucent paragraph is drawn in a form XObject.
IMAGE = f'<img src="{_png()}" alt="示意图" style="width: 30mm">'
BODIES = [
    '<nav><h1 id="toc">目录</h1><p><a href="publisher-anchor:ch2">第二章</a>'
    '<a href="publisher-anchor:三章小节">第三章小节</a><a href="#intro">引言</a></p></nav>'
    f'<section id="intro"><h2>引言</h2><p><b>2024</b>{SENTENCE * 12}</p></section>',
    f'<article id="ch2"><h1>第二章 成都</h1>{IMAGE}<p>{SENTENCE * 40}</p>'
    f'<h2 id="ch2-more">小节</h2><p><b>加粗的绵阳市</b>{SENTENCE * 30}</p></article>',
    f'<article id="ch3"><h1 style="bookmark-state: closed">第三章 自贡</h1><p style="opacity: .6">自贡市的盐和灯会。</p>{IMAGE}'
    f'<p>{SENTENCE * 30}</p>'
    f'<h2 id="三章小节">小节</h2><p>{"德阳乐山南充宜宾泸州" * 20}<a href="#ch3">回到本章</a></p>'
    '</article>',
]


def _html(bodies: list[str]) -> str:
    return (f'<html lang="zh-CN"><head><title>样书</title>{STYLE}</head>'
            f'<body>{"".join(bodies)}</body></html>')


@functools.cache
def book(variant: str | None) -> tuple[list[bytes], dict[str, tuple[str, int]], bytes]:
    """The parts as the workers write them (placeholder fonts), their font files, one pass."""
    import weasyprint

    parts, files = worker_parts([_html([body]) for body in BODIES], variant)
    one = weasyprint.HTML(string=_html(BODIES)).write_pdf(
        pdf_variant=variant, uncompressed_pdf=False)
    return parts, files, one


@functools.cache
def merged(variant: str | None) -> bytes:
    parts, files, _ = book(variant)
    return merge(parts, files)


VARIANTS = ["pdf/ua-1", "pdf/a-2b", "pdf/a-1b", None]


def _index(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: number for number, page in enumerate(pdf.pages)}


def _dests(pdf: pikepdf.Pdf) -> dict[str, int]:
    pages = _index(pdf)
    names = list(pdf.Root.Names.Dests.Names) if "/Names" in pdf.Root else []
    pairs = zip(names[::2], names[1::2], strict=True)
    return {str(key): pages[value[0].objgen] for key, value in pairs}


def _texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() for page in pdf.pages]


@pytest.mark.parametrize("variant", VARIANTS)
def test_pages_and_text_are_the_parts_concatenated(variant: str | None) -> None:
    parts, _, _ = book(variant)
    expected = [text for part in parts for text in _texts(part)]
    assert len(expected) == sum(len(pikepdf.open(io.BytesIO(part)).pages) for part in parts)
    assert _texts(merged(variant)) == expected
    assert any(SENTENCE[:8] in text for text in expected[-2:])


@pytest.mark.parametrize("variant", VARIANTS)
def test_qpdf_check_and_document_entries(variant: str | None, tmp_path: Path) -> None:
    data = merged(variant)
    (tmp_path / "book.pdf").write_bytes(data)
    check = subprocess.run(["/usr/bin/qpdf", "--check", tmp_path / "book.pdf"],
                           capture_output=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert b"No syntax or stream encoding errors" in check.stdout
    first = pikepdf.open(io.BytesIO(book(variant)[0][0]))
    pdf = pikepdf.open(io.BytesIO(data))
    assert pdf.pdf_version == first.pdf_version
    assert dict(pdf.docinfo) == dict(first.docinfo)
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
        assert repr(pdf.Root.get(key)) == repr(first.Root.get(key))
    if "/Metadata" in first.Root:
        assert pdf.Root.Metadata.read_bytes() == first.Root.Metadata.read_bytes()
    # The image two parts show is kept once.
    images = [o for o in pdf.objects
              if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
    assert len(images) == 1
    if variant == "pdf/a-2b":
        profile = pdf.Root.OutputIntents[0].DestOutputProfile
        assert profile.read_bytes() == first.Root.OutputIntents[0].DestOutputProfile.read_bytes()
        # The sRGB profile every part embeds is kept once.
        profiles = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/N" in o
                    and o.get("/Type") != "/ObjStm"]
        assert len(profiles) == 1


@functools.cache
def _open(data: bytes) -> pikepdf.Pdf:
    """A PDF kept open: objects read from it die with it."""
    return pikepdf.open(io.BytesIO(data))


def _fonts(data: bytes) -> dict[str, pikepdf.Object]:
    pdf = _open(data)
    fonts = {font.objgen: font for page in pdf.pages for font in page.Resources.Font.values()}
    assert len({str(font.BaseFont) for font in fonts.values()}) == len(fonts)
    return {str(font.BaseFont): font for font in fonts.values()}


def _widths(font: pikepdf.Object) -> dict[int, int]:
    runs = re.findall(rb"(\d+) \[([\d ]*)\]", font.DescendantFonts[0].W.unparse())
    return {gid: int(width) for first, widths in runs
            for gid, width in enumerate(widths.split(), int(first))}


def _unicode(font: pikepdf.Object) -> dict[bytes, bytes]:
    cmap = font.ToUnicode.read_bytes()
    blocks = re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S)
    return dict(pair for block in blocks for pair in re.findall(rb"<(\w+)> <(\w+)>", block))


@pytest.mark.parametrize("variant", VARIANTS)
def test_one_real_font_per_face(variant: str | None, tmp_path: Path) -> None:
    parts, files, one = book(variant)
    data = merged(variant)
    (tmp_path / "book.pdf").write_bytes(data)
    listing = subprocess.run(["pdffonts", tmp_path / "book.pdf"], capture_output=True,
                             check=True)
    rows = listing.stdout.decode().splitlines()[2:]
    assert sorted(row.split()[0][:6] for row in rows) == sorted(files)
    assert all(" yes yes yes " in row for row in rows), rows
    fonts = _fonts(data)
    assert len(fonts) == len(files)
    one_pass = _fonts(one)
    for name, font in fonts.items():
        descendant, reference = font.DescendantFonts[0], one_pass[name].DescendantFonts[0]
        descriptor = descendant.FontDescriptor
        program = descriptor.FontFile3.read_bytes()
        assert program[:4] == b"OTTO" and len(program) > 1000
        assert descriptor.FontFile3.Subtype == "/OpenType"
        assert descendant.Subtype == reference.Subtype == "/CIDFontType0"
        for key in ("/Flags", "/FontBBox", "/Ascent", "/Descent", "/CapHeight"):
            assert descriptor[key] == reference.FontDescriptor[key], (name, key)
        widths, text = _widths(font), _unicode(font)
        assert ("/CIDSet" in descriptor) == ("/CIDSet" in reference.FontDescriptor)
        if "/CIDSet" in descriptor:  # PDF 1.4: one bit per glyph id used
            bits = int.from_bytes(descriptor.CIDSet.read_bytes(), "big")
            size = len(descriptor.CIDSet.read_bytes()) * 8
            assert {gid for gid in range(size) if bits >> (size - 1 - gid) & 1} == set(widths)
        assert {int(gid, 16) for gid in text} == set(widths)
        # What WeasyPrint writes for the same glyphs in one pass.
        assert widths.items() <= _widths(one_pass[name]).items()
        assert text.items() <= _unicode(one_pass[name]).items()
        for part in parts:
            if other := _fonts(part).get(name):
                assert _widths(other).items() <= widths.items()
                assert _unicode(other).items() <= text.items()
        cff = TTFont(io.BytesIO(program))["CFF "].cff
        charstrings = cff[cff.fontNames[0]].CharStrings
        order = cff[cff.fontNames[0]].charset
        path, index = files[name[1:7]]
        original = hb.Font(hb.Face(hb.Blob.from_file_path(path), index))
        embedded = hb.Font(hb.Face(hb.Blob(program)))
        for gid in widths:
            char = bytes.fromhex(text[b"%04x" % gid].decode()).decode("utf-16-be")
            assert embedded.get_glyph_extents(gid) == original.get_glyph_extents(gid), char
            if not char.isspace():
                assert charstrings[order[gid]].calcBounds(charstrings) is not None, char


def test_pages_render_like_the_one_pass_book() -> None:
    merged_pdf = pypdfium2.PdfDocument(merged("pdf/ua-1"))
    one_pdf = pypdfium2.PdfDocument(book("pdf/ua-1")[2])
    assert len(merged_pdf) == len(one_pdf)
    for number in range(len(one_pdf)):
        ours = merged_pdf[number].render(scale=1.5).to_pil().convert("L")
        theirs = one_pdf[number].render(scale=1.5).to_pil().convert("L")
        # Page numbers restart in each part: compare above the bottom margin.
        box = (0, 0, ours.width, int(ours.height * 0.88))
        ours, theirs = ours.crop(box), theirs.crop(box)
        assert ours.getextrema()[0] < 100, f"page {number + 1} is blank"
        assert ImageChops.difference(ours, theirs).getbbox() is None, f"page {number + 1}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_links_become_internal_and_resolve(variant: str | None) -> None:
    parts, _, _ = book(variant)
    counts = [len(pikepdf.open(io.BytesIO(part)).pages) for part in parts]
    pdf = pikepdf.open(io.BytesIO(merged(variant)))
    dests = _dests(pdf)
    names = list(pdf.Root.Names.Dests.Names)[::2]
    assert [bytes(name) for name in names] == sorted(bytes(name) for name in names)
    expected = {}
    for offset, part in zip([0, counts[0], counts[0] + counts[1]], parts, strict=True):
        expected.update({name: page + offset
                         for name, page in _dests(pikepdf.open(io.BytesIO(part))).items()})
    assert dests == expected
    assert dests["ch2"] == counts[0] and dests["intro"] == 0
    links = {}
    for number, page in enumerate(pdf.pages):
        for annot in page.get("/Annots", ()):
            assert "/A" not in annot and b"publisher-anchor" not in annot.unparse(resolved=True)
            assert bytes(annot.Dest) in {bytes(name) for name in names}  # viewers match bytes
            links.setdefault(str(annot.Dest), number)
            if variant == "pdf/ua-1":
                assert annot.Contents == annot.Dest
    assert links == {"ch2": 0, "三章小节": 0, "intro": 0, "ch3": len(pdf.pages) - 1}
    assert all(name in dests for name in links)


def _outline(pdf: pikepdf.Pdf) -> list[tuple]:
    """(depth, title, page, count) of every outline item, checking the links between them."""
    pages, items = _index(pdf), []

    def walk(node: pikepdf.Object, depth: int) -> int:
        item, previous, visible = node.get("/First"), None, 0
        while item is not None:
            assert item.Parent.objgen == node.objgen
            assert (item.get("/Prev") is None) == (previous is None)
            if previous is not None:
                assert item.Prev.objgen == previous.objgen
            items.append((depth, str(item.Title), pages[item.Dest[0].objgen], int(item.Count)))
            below = walk(item, depth + 1)
            assert int(item.Count) in (below, -below)
            visible += 1 + (below if int(item.Count) > 0 else 0)
            previous, item = item, item.get("/Next")
        if previous is not None:
            assert node.Last.objgen == previous.objgen
        return visible

    assert walk(pdf.Root.Outlines, 0) == int(pdf.Root.Outlines.Count)
    return items


def test_outline_is_the_parts_outlines_concatenated() -> None:
    parts, _, one = book("pdf/ua-1")
    expected, offset = [], 0
    for part in parts:
        pdf = pikepdf.open(io.BytesIO(part))
        expected += [(d, t, page + offset, c) for d, t, page, c in _outline(pdf)]
        offset += len(pdf.pages)
    assert _outline(pikepdf.open(io.BytesIO(merged("pdf/ua-1")))) == expected
    assert expected == _outline(pikepdf.open(io.BytesIO(one)))
    assert [t for _, t, _, _ in expected] == ["目录", "引言", "第二章 成都", "小节", "第三章 自贡",
                                            "小节"]
    assert expected[4][3] == -1  # closed


def _mcids(stream: pikepdf.Object, resources: pikepdf.Object) -> list[int]:
    """The marked-content ids a page or form shows, with those of the forms it draws."""
    mcids = []
    for operands, operator in pikepdf.parse_content_stream(stream, "BDC Do"):
        if operator == pikepdf.Operator("BDC") and "/MCID" in operands[1]:
            mcids.append(int(operands[1].MCID))
        elif operator == pikepdf.Operator("Do"):
            form = resources.XObject[operands[0]]
            if form.Subtype == "/Form":
                mcids += _mcids(form, form.get("/Resources", resources))
    return mcids


def test_one_structure_tree_mapping_every_page_and_link() -> None:
    parts, _, _ = book("pdf/ua-1")
    pdf = pikepdf.open(io.BytesIO(merged("pdf/ua-1")))
    kinds = [str(o.get("/Type")) + str(o.get("/S")) for o in pdf.objects
             if isinstance(o, pikepdf.Dictionary)]
    assert kinds.count("/StructTreeRootNone") == 1 and kinds.count("/StructElem/Document") == 1
    root = pdf.Root.StructTreeRoot
    (document,) = root.K
    assert document.P.objgen == root.objgen
    sources = [pikepdf.open(io.BytesIO(part)) for part in parts]
    assert len(document.K) == sum(len(s.Root.StructTreeRoot.K[0].K) for s in sources)
    assert all(kid.P.objgen == document.objgen for kid in document.K)
    nums = list(root.ParentTree.Nums)
    keys, values = [int(key) for key in nums[::2]], nums[1::2]
    assert keys == list(range(len(keys)))
    for number, page in enumerate(pdf.pages):
        assert int(page.StructParents) == number
        assert sorted(_mcids(page.obj, page.Resources)) == list(range(len(values[number])))
        for element in values[number]:
            assert element.Pg.objgen == page.obj.objgen
            while element.objgen != document.objgen:
                element = element.P  # every element reaches the one Document
    annots = [a for page in pdf.pages for a in page.get("/Annots", ())]
    assert sorted(int(a.StructParent) for a in annots) == keys[len(pdf.pages):]
    for annot in annots:
        element = values[int(annot.StructParent)]
        objr = [kid for kid in element.K if isinstance(kid, pikepdf.Dictionary)]
        assert objr[0].Obj.objgen == annot.objgen
        assert objr[0].Pg.objgen in {page.obj.objgen for page in pdf.pages}


@pytest.mark.parametrize("variant", VARIANTS)
def test_deterministic_and_no_bigger_than_one_pass(variant: str | None) -> None:
    parts, files, one = book(variant)  # one: WeasyPrint's own subsetting, in one pass
    assert merge(parts, files) == merged(variant)
    assert len(merged(variant)) <= 1.2 * len(one), (len(merged(variant)), len(one))


def test_many_parts_merge_into_one_book() -> None:
    # How long this takes is measured by benchmarks/timings.py, not asserted here.
    parts, files, _ = book("pdf/ua-1")
    many = parts * 100  # anchors repeat: the first of each name is kept
    data = merge(many, files)
    pdf = pikepdf.open(io.BytesIO(data))
    count = sum(len(pikepdf.open(io.BytesIO(part)).pages) for part in parts) * 100
    assert len(pdf.pages) == count
    assert len(pdf.Root.StructTreeRoot.ParentTree.Nums) // 2 > count
    assert len({font.objgen for page in pdf.pages for font in page.Resources.Font.values()}) \
        == len(files)


def test_malformed_input_raises() -> None:
    parts, files, _ = book("pdf/ua-1")
    with pytest.raises(ValueError, match="no anchor #ch2 in any part"):
        merge([parts[0]], files)
    with pytest.raises(ValueError, match="part 2 is not a readable PDF"):
        merge([parts[1], b"not a pdf"], files)
    with pytest.raises(ValueError, match="no font file"):
        merge(parts, {})
    wrong = dict.fromkeys(files, ("/nonexistent/font.otf", 0))
    with pytest.raises(ValueError, match="cannot read the font file /nonexistent/font.otf"):
        merge(parts, wrong)
    wrong = {key: (path, 99) for key, (path, _) in files.items()}
    with pytest.raises(ValueError, match=r"\(face 99\) is not the font of"):
        merge(parts, wrong)
    with pytest.raises(ValueError, match="untagged"):
        merge([parts[1], book(None)[0][2]], files)
    with pytest.raises(ValueError, match="no part"):
        merge([], files)
