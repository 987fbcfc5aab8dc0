"""Make the merged print edition press-ready: CMYK output intent, black in K only, fixed dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
import zlib
from functools import lru_cache
from importlib.resources import files

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from publisher.pdf.colour import profile_bytes, profile_transform, rgb_to_cmyk

CONDITION = {  # the characterised printing condition the profile describes
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing, ISO 12647-2:2004/Amd 1, coated paper (FOGRA39L)",
    "Info": "Coated FOGRA39 (ISO 12647-2:2004), profile computed by ArgyllCMS",
}
# GTS_PDFXVersion as each standard names itself (WeasyPrint writes the same in the XMP).
STANDARDS = {"x-4": "PDF/X-4", "x-1a": "PDF/X-1a:2003"}
RGB_OPS = {"rg": "k", "RG": "K"}
DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-fA-F-]{36}")
PRINTABLE_ANNOTS = (Name.PrinterMark, Name.TrapNet)
# A painting operator under an alpha of 0 becomes what still shows, indexed by
# 2 × (fill hidden) + (stroke hidden).
HIDDEN_PAINT = {"B": ("B", "f", "S", "n"), "B*": ("B*", "f*", "S", "n"),
                "b": ("b", "f", "s", "n"), "b*": ("b*", "f*", "s", "n"),
                "f": ("f", "f", "n", "n"), "F": ("F", "F", "n", "n"), "f*": ("f*", "f*", "n", "n"),
                "S": ("S", "n", "S", "n"), "s": ("s", "n", "s", "n")}


@lru_cache(maxsize=256)
def _cmyk(r: float, g: float, b: float) -> tuple[float, ...]:
    return rgb_to_cmyk(r, g, b)


def pdf_date(when: dt.datetime) -> str:
    """A PDF date string in UTC: D:YYYYMMDDHHmmSS+00'00'."""
    return when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


def finish(data: bytes, standard: str, when: dt.datetime) -> bytes:
    """The print edition's PDF made press-ready for `standard` (x-4 or x-1a).

    Every DeviceRGB colour operator becomes DeviceCMYK (greys black ink only); images are
    separated to the output intent for X-1a and tagged sRGB for X-4; links are dropped; the
    FOGRA39 output intent is embedded; the dates are `when`, the /ID derived from the content.
    """
    pdf = pikepdf.open(io.BytesIO(data))
    seen: set[tuple[int, int]] = set()
    opaque: list[Dictionary] = []
    for page in pdf.pages:
        _recolour(pdf, page.obj, seen, standard, opaque)
        # PDF/X allows only printer's marks and trap networks on the page: the links (of no
        # use on paper) go; their tags stay, pointing at nothing printed.
        if "/Annots" in page.obj:
            kept = [a for a in page.obj.Annots if a.get("/Subtype") in PRINTABLE_ANNOTS]
            if kept:
                page.obj.Annots = Array(kept)
            else:
                del page.obj["/Annots"]
    for state in opaque:
        state.ca = state.CA = 1
    profile = pdf.make_stream(zlib.compress(profile_bytes(), 9), N=4,
                              Filter=Name.FlateDecode, Alternate=Name.DeviceCMYK)
    intent = Dictionary(Type=Name.OutputIntent, S=Name.GTS_PDFX, DestOutputProfile=profile,
                        **{key: pikepdf.String(value) for key, value in CONDITION.items()})
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])
    if "/Metadata" in pdf.Root:  # WeasyPrint's XMP names the document with a random uuid4
        xmp = pdf.Root.Metadata.read_bytes()
        digest = hashlib.sha256(DOCUMENT_ID.sub(b"", xmp))
        for page in pdf.pages:
            for contents in page.obj.get("/Contents") if isinstance(
                    page.obj.get("/Contents"), Array) else [page.obj.Contents]:
                digest.update(contents.read_bytes())
        stable = uuid.UUID(bytes=digest.digest()[:16], version=4)
        pdf.Root.Metadata.write(DOCUMENT_ID.sub(f"xmp.did:{stable}".encode(), xmp))
    info = pdf.trailer.Info
    stamp = pikepdf.String(pdf_date(when))
    info.CreationDate = info.ModDate = stamp
    info.GTS_PDFXVersion = pikepdf.String(STANDARDS[standard])
    if standard == "x-1a":
        info.GTS_PDFXConformance = pikepdf.String(STANDARDS[standard])
    info.Trapped = Name("/False")
    if "/ID" in pdf.trailer:  # kept as it is by qpdf, and random (WeasyPrint, pdf_identifier)
        del pdf.trailer["/ID"]
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True, min_version=pdf.pdf_version,
             fix_metadata_version=False,
             object_stream_mode=pikepdf.ObjectStreamMode.generate if pdf.pdf_version >= "1.5"
             else pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def _recolour(pdf: pikepdf.Pdf, holder: pikepdf.Object, seen: set, standard: str,
              opaque: list) -> None:
    """Rewrite the colours of a page or form, and of the forms and images it uses."""
    if holder.is_indirect:
        if holder.objgen in seen:
            return
        seen.add(holder.objgen)
    resources = holder.get("/Resources", Dictionary())
    for xobject in resources.get("/XObject", Dictionary()).values():
        if xobject.get("/Subtype") == Name.Form:
            _recolour(pdf, xobject, seen, standard, opaque)
        elif xobject.get("/Subtype") == Name.Image and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            _image(pdf, xobject, standard)
    for pattern in resources.get("/Pattern", Dictionary()).values():
        if isinstance(pattern, pikepdf.Stream):
            _recolour(pdf, pattern, seen, standard, opaque)
    rgb_spaces = {key for key, space in resources.get("/ColorSpace", Dictionary()).items()
                  if is_rgb_space(space)}
    if isinstance(group := holder.get("/Group"), Dictionary) and is_rgb_space(
            group.get("/CS", Name.DeviceGray)):
        group.CS = Name.DeviceCMYK  # the blending space: the press's, not the screen's
    states = resources.get("/ExtGState", Dictionary())
    # Alpha 0 (an SVG's fill="transparent", as WeasyPrint draws crop marks) is transparency,
    # which X-1a forbids: the painting it hides is dropped instead, and the alpha set to 1.
    # (fill hidden, stroke hidden) by state, None where a state leaves that alpha alone.
    hidden = {str(key): tuple(float(state[k]) == 0 if k in state else None
                              for k in ("/ca", "/CA"))
              for key, state in states.items()} if standard == "x-1a" else {}
    # Made opaque once every stream is rewritten: the states may be shared by other forms.
    opaque += [states[key] for key, state_alphas in hidden.items() if any(state_alphas)]
    if standard == "x-1a" and "/Group" in holder:
        del holder["/Group"]  # opaque content, no transparency: the group changes nothing
    # Parsing and rewriting every stream is what this pass costs: skip those that cannot
    # hold anything to rewrite (most pages, once the layouts' colours are device-cmyk()).
    names = [*rgb_spaces, *(key for key, alphas in hidden.items() if any(alphas))]
    wanted = re.compile(rb"\b(?:rg|RG)\b|/DeviceRGB" + b"".join(
        b"|" + re.escape(name.encode()) + rb"\b" for name in names))
    if not wanted.search(_content_bytes(holder)):
        return
    operations, changed = [], False
    fill = stroke = False  # whether the current colour space is RGB
    alphas = [(False, False)]  # whether the alpha hides fills, strokes; per saved state
    for operands, operator in pikepdf.parse_content_stream(holder):
        op = str(operator)
        if op == "q":
            alphas.append(alphas[-1])
        elif op == "Q" and len(alphas) > 1:
            alphas.pop()
        elif op == "gs" and str(operands[0]) in hidden:
            alphas[-1] = tuple(old if new is None else new  # type: ignore[assignment]
                               for old, new in zip(alphas[-1], hidden[str(operands[0])],
                                                   strict=True))
        elif op in HIDDEN_PAINT and any(alphas[-1]):
            no_fill, no_stroke = alphas[-1]
            operator, changed = Operator(HIDDEN_PAINT[op][2 * no_fill + no_stroke]), True
        elif op in RGB_OPS:
            operands, operator, changed = list(_cmyk(*map(float, operands))), \
                Operator(RGB_OPS[op]), True
        elif op in ("cs", "CS"):
            rgb = operands[0] == Name.DeviceRGB or str(operands[0]) in rgb_spaces
            fill, stroke = (rgb, stroke) if op == "cs" else (fill, rgb)
            if rgb:
                operands, changed = [Name.DeviceCMYK], True
        elif op in ("sc", "scn", "SC", "SCN") and (fill if op.islower() else stroke) \
                and len(operands) == 3:
            operands, changed = list(_cmyk(*map(float, operands))), True
        operations.append((operands, operator))
    if changed:
        if isinstance(holder, pikepdf.Page) or holder.get("/Type") == Name.Page:
            pikepdf.Page(holder).contents_coalesce()
            holder.Contents.write(pikepdf.unparse_content_stream(operations))
        else:
            holder.write(pikepdf.unparse_content_stream(operations))


def _content_bytes(holder: pikepdf.Object) -> bytes:
    if isinstance(holder, pikepdf.Stream):
        return holder.read_bytes()
    contents = holder.get("/Contents")
    if contents is None:
        return b""
    streams = list(contents) if isinstance(contents, Array) else [contents]
    return b"\n".join(stream.read_bytes() for stream in streams)


def is_rgb_space(space: pikepdf.Object) -> bool:
    """Whether a colour space is DeviceRGB, calibrated or ICC-based RGB, or indexes one."""
    if space == Name.DeviceRGB or space == Name.CalRGB:
        return True
    if isinstance(space, Array) and len(space) >= 2:
        kind = space[0]
        if kind == Name.ICCBased:
            return int(space[1].get("/N", 0)) == 3
        if kind == Name.CalRGB:
            return True
        if kind == Name.Indexed:
            return is_rgb_space(space[1])
    return False


def _image(pdf: pikepdf.Pdf, image: pikepdf.Stream, standard: str) -> None:
    """X-1a: an RGB image separated to the output intent. X-4: DeviceRGB marked as sRGB."""
    space = image.get("/ColorSpace")
    if space is None or not is_rgb_space(space):
        return
    if standard == "x-4":
        if space == Name.DeviceRGB:
            srgb = files("weasyprint") / "pdf" / "sRGB2014.icc"  # WeasyPrint's own, for PDF/A
            image.ColorSpace = Array([Name.ICCBased, pdf.make_stream(
                zlib.compress(srgb.read_bytes(), 9), N=3, Filter=Name.FlateDecode,
                Alternate=Name.DeviceRGB)])
        return
    from PIL import Image, ImageCms

    picture = pikepdf.PdfImage(image).as_pil_image().convert("RGB")
    if "/SMask" in image:  # X-1a allows no transparency: flatten onto the white paper
        alpha = pikepdf.PdfImage(image.SMask).as_pil_image().convert("L")
        paper = Image.new("RGB", picture.size, "white")
        paper.paste(picture, mask=alpha)
        picture = paper
        del image["/SMask"]
    separated = ImageCms.applyTransform(picture, profile_transform())
    image.write(zlib.compress(separated.tobytes(), 6), filter=Name.FlateDecode)
    image.ColorSpace, image.BitsPerComponent = Name.DeviceCMYK, 8
    for key in ("/DecodeParms", "/Decode", "/Intent"):
        if key in image:
            del image[key]
