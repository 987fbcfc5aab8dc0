"""Binary EPUB assets: subset OTF fonts of exactly the characters used, and the cover PNG."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from lxml import etree

from publisher import cache
from publisher.content import fonts
from publisher.content.model import Project
from publisher.errors import BuildError

XHTML = "http://www.w3.org/1999/xhtml"
_SANS_TAGS = {f"{{{XHTML}}}h{n}" for n in range(1, 7)}
# Keep what the layout asks of the shaper: `halt` for punctuation compression (typography.CSS).
_FEATURES = ["halt", "palt", "kern", "locl", "ccmp", "liga"]
COVER_WIDTH_PX = 1000


def _is_sans(element: etree._Element) -> bool:
    """Whether book.css sets this element in the heading (sans) face."""
    for node in (element, *element.iterancestors()):
        if node.tag in _SANS_TAGS or "sans" in (node.get("class") or "").split():
            return True
    return False


def characters(trees: list[etree._ElementTree]) -> dict[str, set[str]]:
    """The characters each face sets, read from the XHTML the EPUB ships."""
    used: dict[str, set[str]] = {"body": set(), "heading": set()}
    for tree in trees:
        body = tree.getroot().find(f"{{{XHTML}}}body")
        if body is None:
            continue
        for element in body.iter():
            if not isinstance(element.tag, str):
                continue
            if element.text:
                used["heading" if _is_sans(element) else "body"].update(element.text)
            parent = element.getparent()
            if element.tail and parent is not None:
                used["heading" if _is_sans(parent) else "body"].update(element.tail)
    for chars in used.values():
        chars.difference_update("\n\r\t")
    return used


def subset_fonts(project: Project, trees: list[etree._ElementTree]) -> dict[str, bytes]:
    """OTF subsets of the body and heading faces, keyed by the file names book.css loads."""
    used = characters(trees)
    files = {"body": "serif.otf", "heading": "sans.otf"}
    out: dict[str, bytes] = {}
    for face in fonts.resolve(project):
        chars = used.get(face.role)
        if face.role not in files or not chars:
            continue
        out[files[face.role]] = _subset(face.path, face.index, face.family,
                                        frozenset(ord(c) for c in chars))
    return out


@lru_cache(maxsize=8)
def _subset(path: Path, index: int, family: str, unicodes: frozenset[int]) -> bytes:
    """One face cut down to `unicodes`; cached, in memory and on disk: a session may package
    a book twice, and an edit seldom brings a new character.

    HarfBuzz's subsetter (the one WeasyPrint uses for the PDF) takes ~0.05 s per CJK face
    where fontTools takes seconds.
    """
    key = f"{cache.file_key(path)}|{index}|{_FEATURES}|{sorted(unicodes)}"
    return cache.cached_bytes("epub-font", key,
                              lambda: _make_subset(path, index, family, unicodes))


def _make_subset(path: Path, index: int, family: str, unicodes: frozenset[int]) -> bytes:
    import uharfbuzz as hb

    try:
        face = hb.Face(hb.Blob.from_file_path(str(path)), index)
        request = hb.SubsetInput()
        request.unicode_set.update(sorted(unicodes))
        features = request.layout_feature_tag_set
        features.clear()
        features.update(int.from_bytes(tag.encode(), "big") for tag in _FEATURES)
        request.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
        subset = hb.subset(face, request)
    except Exception as exc:  # a broken or unreadable font file
        raise BuildError(f"{path}: subsetting {family} failed: {exc}") from exc
    if subset is None:
        raise BuildError(f"{path}: HarfBuzz could not subset {family}")
    return subset.blob.data


def cover_png(pdf: bytes | Callable[[], bytes], key: str = "") -> bytes:
    """The PDF's first page (the cover) as a PNG for the EPUB's cover image.

    `pdf` may be a function returning the bytes, called only if the PNG is not in the cache
    under `key` (which must identify the cover page's appearance).
    """
    if key:
        return cache.cached_bytes("cover", key, lambda: cover_png(pdf))
    import pypdfium2

    if callable(pdf):
        pdf = pdf()

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        width, _height = page.get_size()
        bitmap = page.render(scale=COVER_WIDTH_PX / width, fill_color=(255, 255, 255, 255))
        image = bitmap.to_pil().convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "PNG", optimize=True)
        page.close()
    finally:
        document.close()
    return buffer.getvalue()
