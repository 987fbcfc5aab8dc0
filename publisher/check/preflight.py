"""Preflight the print edition as a printer would: PDF/X, output intent, boxes, inks, images."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Name

from publisher.check.verdict import Finding
from publisher.names import COVER_SUFFIX
from publisher.pdf.press import PRINTABLE_ANNOTS, STANDARDS, is_rgb_space

BLEED_PT = 3 * 72 / 25.4  # the 3 mm bleed the print edition adds on every side
TOLERANCE_PT = 0.1
WARN_PPI, FAIL_PPI = 300, 150  # effective image resolution on the page
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
XMP_VERSION = re.compile(rb"GTS_PDFXVersion[^>]*>\s*([^<]+)<|GTS_PDFXVersion=\"([^\"]+)\"")


@dataclass
class Preflight:
    """What the preflight found: problems fail the PDF; warnings do not."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Paint:
    """Colour operators and images found in one page's content, forms included."""

    rgb_ops: int = 0
    rgb_text: int = 0  # DeviceRGB colour set inside a text object
    rgb_spaces: set[str] = field(default_factory=set)
    images: list[tuple[str, float, bool]] = field(default_factory=list)  # name, ppi, rgb
    transparent: str = ""  # what makes the page transparent, if anything


def preflight(path: Path, signature: int | None = None) -> Preflight:
    """Preflight a print-edition PDF; `signature` (pages per sheet) if the report gives it."""
    result = Preflight()
    with pikepdf.open(path) as pdf:
        standard = _identification(pdf, result)
        _output_intent(pdf, result)
        count = len(pdf.pages)
        whole = signature or 4
        if count % whole:
            result.problems.append(f"{count} pages is not a whole number of {whole}-page "
                                   "sheets")
        seen_fonts: set[tuple[int, int]] = set()
        rgb_pages: list[int] = []
        for number, page in enumerate(pdf.pages, 1):
            _boxes(number, page, result)
            paint = _Paint()
            _scan(page.obj, page.obj.get("/Resources", pikepdf.Dictionary()),
                  pikepdf.Matrix(), paint, set(), seen_fonts, result, number)
            for name, ppi, rgb in paint.images:
                where = f"page {number}: image {name} at {ppi:.0f} ppi"
                if ppi < FAIL_PPI:
                    result.problems.append(f"{where} (under {FAIL_PPI})")
                elif ppi < WARN_PPI:
                    result.warnings.append(f"{where} (under {WARN_PPI})")
                if rgb and standard == "x-1a":
                    result.problems.append(f"page {number}: image {name} is RGB in PDF/X-1a")
            if standard == "x-1a" and paint.transparent:
                result.problems.append(f"page {number}: transparency ({paint.transparent}), "
                                       "which PDF/X-1a forbids")
            rgb = paint.rgb_ops or paint.rgb_spaces
            if standard == "x-1a" and rgb:
                rgb_pages.append(number)
            elif standard == "x-4" and paint.rgb_text:
                result.problems.append(f"page {number}: {paint.rgb_text} text colours in "
                                       "DeviceRGB (a press separates them into rich black)")
        if rgb_pages:
            result.problems.append(f"DeviceRGB colour in PDF/X-1a on pages "
                                   f"{_ranges(rgb_pages)}")
        result.notes.append(f"{standard or 'no PDF/X'}, {count} pages")
    return result


def finding(path: Path, report: dict | None) -> Finding:
    """The preflight as one of `publisher check`'s findings (warnings shown, not failing)."""
    if path.name.endswith(COVER_SUFFIX):  # the wrap cover is checked by its own module
        return Finding("preflight", True, ["the cover sheet: not an interior"], ran=False)
    signature = ((report or {}).get("print") or {}).get("signature")
    result = preflight(path, int(signature) if signature else None)
    return Finding("preflight", not result.problems,
                   result.notes + result.problems[:20]
                   + [f"warning: {w}" for w in result.warnings[:20]])


def _identification(pdf: pikepdf.Pdf, result: Preflight) -> str | None:
    info = pdf.trailer.get("/Info", pikepdf.Dictionary())
    version = str(info.get("/GTS_PDFXVersion", ""))
    standard = next((key for key, name in STANDARDS.items() if name == version), None)
    if standard is None:
        result.problems.append(f"not identified as PDF/X: GTS_PDFXVersion is {version!r}")
        return None
    if "/Trapped" not in info:
        result.problems.append("no /Trapped key (PDF/X requires True or False)")
    xmp = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else b""
    match = XMP_VERSION.search(xmp)
    found = (match.group(1) or match.group(2)).decode().strip() if match else None
    if found != version:
        result.problems.append(f"the XMP metadata says GTS_PDFXVersion {found!r}, the "
                               f"document information {version!r}")
    return standard


def _output_intent(pdf: pikepdf.Pdf, result: Preflight) -> None:
    intents = [i for i in pdf.Root.get("/OutputIntents", ()) if i.get("/S") == Name.GTS_PDFX]
    if len(intents) != 1:
        result.problems.append(f"{len(intents)} GTS_PDFX output intents (expected one)")
        return
    intent = intents[0]
    if not str(intent.get("/OutputConditionIdentifier", "")):
        result.problems.append("the output intent has no OutputConditionIdentifier")
    profile = intent.get("/DestOutputProfile")
    if not isinstance(profile, pikepdf.Stream):
        result.problems.append("the output intent embeds no ICC profile")
        return
    data = profile.read_bytes()
    if data[36:40] != b"acsp" or data[16:20] != b"CMYK" or int(profile.get("/N", 0)) != 4:
        result.problems.append("the output intent's profile is not a CMYK ICC profile")
    else:
        result.notes.append(f"output intent {intent.OutputConditionIdentifier} "
                            f"({len(data):,}-byte CMYK profile)")


def _boxes(number: int, page: pikepdf.Page, result: Preflight) -> None:
    obj = page.obj
    kinds = sorted({str(a.get("/Subtype")) for a in obj.get("/Annots", ())
                    if a.get("/Subtype") not in PRINTABLE_ANNOTS})
    if kinds:
        result.problems.append(f"page {number}: {', '.join(kinds)} annotations (PDF/X allows "
                               "only printer's marks and trap networks)")
    if "/TrimBox" not in obj or "/BleedBox" not in obj:
        result.problems.append(f"page {number}: no TrimBox or BleedBox")
        return
    trim = [float(v) for v in obj.TrimBox]
    bleed = [float(v) for v in obj.BleedBox]
    media = [float(v) for v in obj.MediaBox]
    expected = [trim[0] - BLEED_PT, trim[1] - BLEED_PT, trim[2] + BLEED_PT, trim[3] + BLEED_PT]
    if any(abs(a - b) > TOLERANCE_PT for a, b in zip(bleed, expected, strict=True)):
        result.problems.append(f"page {number}: the BleedBox is not the TrimBox plus 3 mm")
    if not (media[0] <= bleed[0] + TOLERANCE_PT and media[1] <= bleed[1] + TOLERANCE_PT
            and media[2] >= bleed[2] - TOLERANCE_PT and media[3] >= bleed[3] - TOLERANCE_PT):
        result.problems.append(f"page {number}: the BleedBox exceeds the MediaBox")


def _scan(holder: pikepdf.Object, resources: pikepdf.Object, ctm: pikepdf.Matrix,
          paint: _Paint, active: set, fonts: set, result: Preflight, number: int) -> None:
    """Walk a content stream: colour operators, fonts, and images with their size on page."""
    _fonts(resources, fonts, result, number)
    group = holder.get("/Group")
    if group is not None and group.get("/S") == Name.Transparency:
        paint.transparent = "a transparency group"
    for state in resources.get("/ExtGState", pikepdf.Dictionary()).values():
        if state.get("/SMask", Name("/None")) != Name("/None") or any(
                float(state.get(key, 1)) < 1 for key in ("/CA", "/ca")):
            paint.transparent = "a soft mask or an opacity under 1"
    spaces = resources.get("/ColorSpace", pikepdf.Dictionary())
    for key, space in spaces.items():
        if is_rgb_space(space):
            paint.rgb_spaces.add(key)
    xobjects = resources.get("/XObject", pikepdf.Dictionary())
    # The graphics state: the transformation, and whether the fill colour is RGB.
    stack: list[tuple[pikepdf.Matrix, bool]] = [(ctm, False)]
    for operands, operator in pikepdf.parse_content_stream(holder):
        op = str(operator)
        matrix, fill_rgb = stack[-1]
        if op == "q":
            stack.append(stack[-1])
        elif op == "Q" and len(stack) > 1:
            stack.pop()
        elif op == "cm":
            stack[-1] = (pikepdf.Matrix(*map(float, operands)) @ matrix, fill_rgb)
        elif op in TEXT_SHOWING:
            paint.rgb_text += fill_rgb
        elif op in ("rg", "RG") or op in ("cs", "CS") and (
                operands[0] == Name.DeviceRGB or str(operands[0]) in paint.rgb_spaces):
            paint.rgb_ops += 1
            if op.islower():
                stack[-1] = (matrix, True)
        elif op in ("g", "k", "cs"):
            stack[-1] = (matrix, False)
        elif op == "Do" and str(operands[0]) in xobjects:
            target = xobjects[str(operands[0])]
            if target.get("/Subtype") == Name.Image:
                m = matrix
                width_in = (m.a ** 2 + m.b ** 2) ** 0.5 / 72
                height_in = (m.c ** 2 + m.d ** 2) ** 0.5 / 72
                ppi = min(int(target.Width) / max(width_in, 1e-9),
                          int(target.Height) / max(height_in, 1e-9))
                paint.images.append((str(operands[0]), ppi,
                                     is_rgb_space(target.get("/ColorSpace", Name.DeviceGray))))
            elif target.get("/Subtype") == Name.Form and target.objgen not in active:
                form = pikepdf.Matrix(*map(float, target.get("/Matrix", [1, 0, 0, 1, 0, 0])))
                _scan(target, target.get("/Resources", resources), form @ matrix, paint,
                      active | {target.objgen}, fonts, result, number)


def _fonts(resources: pikepdf.Object, seen: set, result: Preflight, number: int) -> None:
    for font in resources.get("/Font", pikepdf.Dictionary()).values():
        if font.objgen in seen:
            continue
        seen.add(font.objgen)
        leaf = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = leaf.get("/FontDescriptor")
        if font.get("/Subtype") == Name.Type3:
            continue  # drawn from its own glyph procedures
        if descriptor is None or not any(k in descriptor for k in
                                         ("/FontFile", "/FontFile2", "/FontFile3")):
            result.problems.append(f"page {number}: font {font.get('/BaseFont')} is not "
                                   "embedded")


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5 → 1–3, 5."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in spans)
