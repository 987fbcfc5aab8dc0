"""Make the merged print edition press-ready: CMYK output intent, black in K only, fixed dates."""

from __future__ import annotations

import datetime as dt
import io
import zlib
from functools import lru_cache
from importlib.resources import files

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from publisher import builtin_dir

PROFILE = "FOGRA39L-argyll.icc"  # color/README.md: its source, licence and how it was made
CONDITION = {  # the characterised printing condition the profile describes
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing, ISO 12647-2:2004/Amd 1, coated paper (FOGRA39L)",
    "Info": "Coated FOGRA39 (ISO 12647-2:2004), profile computed by ArgyllCMS",
}
# GTS_PDFXVersion as each standard names itself (WeasyPrint writes the same in the XMP).
STANDARDS = {"x-4": "PDF/X-4", "x-1a": "PDF/X-1a:2003"}
RGB_OPS = {"rg": "k", "RG": "K"}


def profile_bytes() -> bytes:
    """The output intent's CMYK ICC profile, shipped with the package."""
    return (builtin_dir("color") / PROFILE).read_bytes()


@lru_cache(maxsize=1)
def profile_transform():  # noqa: ANN201 - a PIL ImageCms transform
    """sRGB → the output intent's CMYK, relative colorimetric (what a press proof expects)."""
    from PIL import ImageCms

    cmyk = ImageCms.ImageCmsProfile(io.BytesIO(profile_bytes()))
    return ImageCms.buildTransform(ImageCms.createProfile("sRGB"), cmyk, "RGB", "CMYK",
                                   renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC)


@lru_cache(maxsize=256)
def _cmyk(r: float, g: float, b: float) -> tuple[float, ...]:
    from publisher.imprint import rgb_to_cmyk

    return rgb_to_cmyk(r, g, b)


def pdf_date(when: dt.datetime) -> str:
    """A PDF date string in UTC: D:YYYYMMDDHHmmSS+00'00'."""
    return when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")


def finish(data: bytes, standard: str, when: dt.datetime) -> bytes:
    """The print edition's PDF made press-ready for `standard` (x-4 or x-1a).

    Every DeviceRGB colour operator becomes DeviceCMYK (greys black ink only); images are
    separated to the output intent for X-1a and tagged sRGB for X-4; the FOGRA39 output
    intent is embedded; the dates are `when` and the /ID is derived from the content.
    """
    pdf = pikepdf.open(io.BytesIO(data))
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        _recolour(pdf, page.obj, seen, standard)
        for annot in page.obj.get("/Annots", ()):
            for appearance in annot.get("/AP", {}).values():
                if isinstance(appearance, pikepdf.Stream):
                    _recolour(pdf, appearance, seen, standard)
    profile = pdf.make_stream(zlib.compress(profile_bytes(), 9), N=4,
                              Filter=Name.FlateDecode, Alternate=Name.DeviceCMYK)
    intent = Dictionary(Type=Name.OutputIntent, S=Name.GTS_PDFX, DestOutputProfile=profile,
                        **{key: pikepdf.String(value) for key, value in CONDITION.items()})
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])
    info = pdf.trailer.Info
    stamp = pikepdf.String(pdf_date(when))
    info.CreationDate = info.ModDate = stamp
    info.GTS_PDFXVersion = pikepdf.String(STANDARDS[standard])
    if standard == "x-1a":
        info.GTS_PDFXConformance = pikepdf.String(STANDARDS[standard])
    info.Trapped = Name("/False")
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True, min_version=pdf.pdf_version,
             fix_metadata_version=False,
             object_stream_mode=pikepdf.ObjectStreamMode.generate if pdf.pdf_version >= "1.5"
             else pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def _recolour(pdf: pikepdf.Pdf, holder: pikepdf.Object, seen: set, standard: str) -> None:
    """Rewrite the colours of a page or form, and of the forms and images it uses."""
    if holder.is_indirect:
        if holder.objgen in seen:
            return
        seen.add(holder.objgen)
    resources = holder.get("/Resources", Dictionary())
    for xobject in resources.get("/XObject", Dictionary()).values():
        if xobject.get("/Subtype") == Name.Form:
            _recolour(pdf, xobject, seen, standard)
        elif xobject.get("/Subtype") == Name.Image and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            _image(pdf, xobject, standard)
    for pattern in resources.get("/Pattern", Dictionary()).values():
        if isinstance(pattern, pikepdf.Stream):
            _recolour(pdf, pattern, seen, standard)
    rgb_spaces = {key for key, space in resources.get("/ColorSpace", Dictionary()).items()
                  if is_rgb_space(space)}
    operations, changed = [], False
    fill = stroke = False  # whether the current colour space is RGB
    for operands, operator in pikepdf.parse_content_stream(holder):
        op = str(operator)
        if op in RGB_OPS:
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
