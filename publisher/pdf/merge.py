"""Merge the part PDFs WeasyPrint wrote into one book PDF, as if written in one pass."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pikepdf
import uharfbuzz as hb
from pikepdf import Array, Dictionary, Name

from publisher import cache
from publisher.pdf.types import CROSS_PART as ANCHOR  # the templates' links into other parts

# WeasyPrint 70's Font._harfbuzz_subset drops these tables.
DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF",
               b"LTSH", b"PCLT", b"SVG ")
CMAP_HEAD = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n"
             b"<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
             b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
             b"1 begincodespacerange\n<0000> <ffff>\nendcodespacerange")
CMAP_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
# Catalog entries made from every part; the others are the first part's.
REBUILT = {"/Type", "/Pages", "/Names", "/Outlines", "/StructTreeRoot", "/Dests"}
STRUCT_EXTRAS = ("/RoleMap", "/ClassMap", "/Namespaces", "/ParentTreeNextKey")
# What each part hands over in its one copy_foreign call, beside its pages.
SLOTS = ("firsts", "res", "links", "dests", "outline", "kids", "orphans", "nums", "extras")
RUN = re.compile(rb"(\d+)\s*\[([^\]]*)\]")  # WeasyPrint writes /W as runs "first [w w …]"
BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def merge(parts: list[bytes], font_files: dict[str, tuple[str, int]]) -> bytes:
    """One PDF from part PDFs written by WeasyPrint 70 with the same metadata and variant.

    Pages, named destinations, outlines and tags are concatenated, `publisher-anchor:NAME`
    links become internal ones, and each font face (by WeasyPrint's 6-letter hash, which
    `font_files` maps to the original file and face index) becomes one font dictionary
    embedding the original subset to the union of the parts' glyphs, as WeasyPrint does.
    """
    if not parts:
        raise ValueError("no part PDFs to merge")
    sources = []
    for number, data in enumerate(parts, 1):
        try:
            sources.append(pikepdf.open(io.BytesIO(data)))
        except pikepdf.PdfError as error:
            raise ValueError(f"part {number} is not a readable PDF: {error}") from error
    merger = _Merger(sources, font_files)
    for number, source in enumerate(sources, 1):
        merger.add(number, source)
    return merger.finish()


class _Merger:
    def __init__(self, sources: list[pikepdf.Pdf], font_files: dict[str, tuple[str, int]]):
        self.pdf, self.version, self.font_files = pikepdf.new(), sources[0].pdf_version, font_files
        self.tagged = "/StructTreeRoot" in sources[0].Root
        self.total = sum(len(source.pages) for source in sources)
        # Resources equal across parts (Type0 fonts by face, ICC profiles, images) are
        # copied once; the fonts get their program and the union's glyphs in finish().
        self.shared: dict[tuple, pikepdf.Object] = {}
        self.faces: dict[str, tuple[dict, dict]] = {}  # widths and ToUnicode by glyph id
        self.dests: dict[bytes, tuple[pikepdf.Object, pikepdf.Object]] = {}  # by name's bytes
        self.links: list[tuple[pikepdf.Object, str]] = []  # annotation, anchor name
        self.outline, self.last_item = self.pdf.make_indirect(Dictionary(Count=0)), None
        self.document = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document))
        self.kids: list[pikepdf.Object] = []
        self.nums: tuple[list, list] = ([], [])  # parent tree values of pages, annotations
        self.extras: list[pikepdf.Object] = []  # document-level entries of the first part

    def add(self, number: int, src: pikepdf.Pdf) -> None:
        if ("/StructTreeRoot" in src.Root) != self.tagged:
            raise ValueError(f"part {number} is {'un' if self.tagged else ''}tagged, "
                             "unlike the first part")
        offset, count = len(self.pdf.pages), len(src.pages)
        copy: dict[str, list] = {slot: [] for slot in SLOTS}
        keys = self._struct(number, src, copy) if self.tagged else {}
        names = []
        for index, page in enumerate(src.pages):
            if self.tagged:
                page.obj.StructParents = offset + index
            annots = page.obj.get("/Annots", ())
            for i, annot in enumerate(annots):
                if not annot.is_indirect:  # to find it among the copies
                    annots[i] = annot = src.make_indirect(annot)
                if self.tagged and "/StructParent" in annot:
                    if int(annot.StructParent) not in keys:
                        raise ValueError(f"part {number}: an annotation's /StructParent is "
                                         "not in the parent tree")
                    annot.StructParent = keys[int(annot.StructParent)]
                uri = str(annot.get("/A", {}).get("/URI", ""))
                if uri.startswith(ANCHOR):
                    del annot["/A"]
                    names.append(unquote(uri[len(ANCHOR):]))  # as WeasyPrint reads #fragments
                    copy["links"].append(annot)
        firsts, refill = self._resources(src, copy)
        copy["dests"] = [Array(pair) for pair in _tree(src.Root.get("/Names", {}).get("/Dests"),
                                                       "/Names")]
        copy["outline"] = [src.Root.Outlines] if "/Outlines" in src.Root else []
        if number == 1:
            copy["extras"][:0] = [
                Dictionary({k: v for k, v in src.Root.items() if k not in REBUILT}),
                Dictionary({k: v for k, v in src.Root.get("/Names", {}).items() if k != "/Dests"}),
                src.trailer.get("/Info", Dictionary()),
                Dictionary({k: v for k, v in src.Root.get("/StructTreeRoot", {}).items()
                            if k in STRUCT_EXTRAS})]

        # Pages first: later copies of /Pg, /Dest and /OBJR references then resolve to them
        # through qpdf's one copier per source, and no copy drags in the part's page tree.
        for page in src.pages:
            self.pdf.pages.append(page)
        holder = src.make_indirect(Array([Array(copy[slot]) for slot in SLOTS]))
        copied = dict(zip(SLOTS, map(list, self.pdf.copy_foreign(holder)), strict=True))
        self.shared.update(zip(firsts, copied["firsts"], strict=True))
        for index, path, key, shared in refill:
            target = copied["res"][index]
            for step in path:
                target = target[step]
            target[key] = self.shared[shared]
        self.links += zip(copied["links"], names, strict=True)
        for key, value in copied["dests"]:
            self.dests.setdefault(bytes(key), (key, value))
        for root in copied["outline"]:
            if (item := root.get("/First")) is None:
                continue
            if self.last_item is None:
                self.outline.First = item
            else:
                self.last_item.Next, item.Prev = item, self.last_item
            while item is not None:
                item.Parent, self.last_item = self.outline, item
                item = item.get("/Next")
            self.outline.Last = self.last_item
            self.outline.Count = int(self.outline.Count) + int(root.get("/Count", 0))
        for element in copied["kids"] + copied["orphans"]:
            if isinstance(element, Dictionary) and "/S" in element:
                element.P = self.document
        self.kids += copied["kids"]
        self.nums[0].extend(copied["nums"][:count])
        self.nums[1].extend(copied["nums"][count:])
        self.extras = self.extras or copied["extras"]

    def _struct(self, number: int, src: pikepdf.Pdf, copy: dict) -> dict[int, int]:
        """Cut the part's tree loose from its Document; the new keys of its annotations."""
        root = src.Root.StructTreeRoot
        kids = root.get("/K")
        kids = [kids] if isinstance(kids, Dictionary) else list(kids or ())
        if len(kids) != 1 or kids[0].get("/S") != "/Document":
            raise ValueError(f"part {number}: the structure tree has no single /Document")
        document, count = kids[0], len(src.pages)
        nums = sorted((int(key), value) for key, value in _tree(root.get("/ParentTree"), "/Nums"))
        if [key for key, _ in nums[:count]] != list(range(count)):
            raise ValueError(f"part {number}: the parent tree does not map its {count} pages")
        # Margin boxes' elements have the Document as /P without being among its /K: climb
        # from every marked element to find all whose /P is the Document.
        tops = list(document.get("/K", ()))
        known = {document.objgen} | {kid.objgen for kid in tops if isinstance(kid, Dictionary)}
        orphans = []
        for _, value in nums:
            for element in value if isinstance(value, Array) else (value,):
                while isinstance(element, Dictionary) and element.objgen not in known:
                    known.add(element.objgen)
                    if (parent := element.get("/P")) is None:
                        raise ValueError(f"part {number}: a structure element has no /P")
                    if parent.objgen == document.objgen:
                        orphans.append(element)
                    element = parent
        # A copied /P to the part's Document would drag in the part's whole structure tree.
        for element in tops + orphans:
            if isinstance(element, Dictionary) and "/P" in element:
                del element["/P"]
        if number == 1:  # the Document's own attributes, such as /NS in PDF 2
            copy["extras"] += [Array([Name(k), v]) for k, v in document.items()
                               if k not in ("/K", "/P", "/Type", "/S")]
        copy.update(kids=tops, orphans=orphans, nums=[value for _, value in nums])
        # Annotation keys follow the whole book's pages, in the parts' order.
        first = self.total + len(self.nums[1])
        return {key: first + i for i, (key, _) in enumerate(nums[count:])}

    def _resources(self, src: pikepdf.Pdf, copy: dict) -> tuple[list, list]:
        """Take shared resources out of the part: what they are, where they go back."""
        todo, seen, refill, firsts = [page.obj for page in src.pages], set(), [], {}

        def share(index: int, path: tuple, kind: str, entries: Dictionary, key: str) -> None:
            shared = self._share_key(kind, entries[key])
            if shared in self.shared or shared in firsts:
                del entries[key]
                refill.append((index, path, key, shared))
            elif shared is not None:
                firsts[shared] = entries[key]

        while todo:  # pages, then forms, patterns and Type 3 fonts, all indirect
            holder = todo.pop()
            if not holder.is_indirect or holder.objgen in seen:
                continue
            seen.add(holder.objgen)
            index = len(copy["res"])
            copy["res"].append(holder)
            if isinstance(group := holder.get("/Group"), Dictionary) and "/CS" in group:
                share(index, ("/Group",), "/ColorSpace", group, "/CS")
            if not isinstance(res := holder.get("/Resources"), Dictionary) or res.objgen in seen:
                continue
            if res.is_indirect:
                seen.add(res.objgen)
            for kind in ("/Font", "/ColorSpace", "/XObject", "/Pattern"):
                entries = res.get(kind)
                if not isinstance(entries, Dictionary) or entries.objgen in seen:
                    continue
                if entries.is_indirect:
                    seen.add(entries.objgen)
                for key, value in list(entries.items()):
                    if isinstance(value, (Dictionary, pikepdf.Stream)) and (
                            "/Resources" in value or "/Group" in value):
                        todo.append(value)
                    share(index, ("/Resources", kind), kind, entries, key)
        copy["firsts"] = list(firsts.values())
        return list(firsts), refill

    def _share_key(self, group: str, value: pikepdf.Object) -> tuple | None:
        if group == "/Font" and isinstance(value, Dictionary) and value.get("/Subtype") == "/Type0":
            self._read_font(face := str(value.BaseFont)[1:7], value)
            return ("font", face)
        if (group == "/ColorSpace" and isinstance(value, Array) and len(value) == 2
                and value[0] == Name.ICCBased and isinstance(value[1], pikepdf.Stream)):
            return _stream_key(value[1])
        is_image = isinstance(value, pikepdf.Stream) and value.get("/Subtype") == "/Image"
        return _stream_key(value) if group == "/XObject" and is_image else None

    def _read_font(self, face: str, font: Dictionary) -> None:
        if face not in self.font_files:
            raise ValueError(f"no font file given for {font.BaseFont}")
        if font.get("/Encoding") != Name("/Identity-H"):
            raise ValueError(f"font {font.BaseFont} has a custom encoding (glyphs missing "
                             "from the font), which cannot be merged")
        widths, unicode = self.faces.setdefault(face, ({}, {}))
        for first, run in RUN.findall(font.DescendantFonts[0].get("/W", Array()).unparse()):
            for gid, width in enumerate(run.split(), int(first)):
                widths.setdefault(gid, int(value) if (value := float(width)).is_integer()
                                  else value)
        for block in BFCHAR.findall(font.ToUnicode.read_bytes() if "/ToUnicode" in font else b""):
            for gid, text in PAIR.findall(block):
                unicode.setdefault(int(gid, 16), text.lower())

    def finish(self) -> bytes:
        pdf, catalog = self.pdf, self.pdf.Root
        catalog_extras, names, info, struct_extras, *document_extras = self.extras
        for key, value in catalog_extras.items():
            catalog[key] = value
        pdf.trailer.Info = info if info.is_indirect else pdf.make_indirect(info)
        if self.dests:
            names.Dests = Dictionary(Names=Array(
                [item for key in sorted(self.dests) for item in self.dests[key]]))
        by_name = {str(key): key for key, _ in self.dests.values()}
        for annot, name in self.links:
            if name not in by_name:
                raise ValueError(f"no anchor #{name} in any part")
            annot.Dest = by_name[name]  # the tree's own string, encoding and all
            if "/Contents" in annot:
                annot.Contents = by_name[name]
        if len(names):
            catalog.Names = names
        if "/First" in self.outline:
            catalog.Outlines = self.outline
        if self.tagged:
            values = self.nums[0] + self.nums[1]
            root = catalog.StructTreeRoot = pdf.make_indirect(Dictionary(
                Type=Name.StructTreeRoot, K=Array([self.document]), ParentTree=Dictionary(
                    Nums=Array([item for pair in enumerate(values) for item in pair]))))
            for key, value in struct_extras.items():
                root[key] = value
            for key, value in document_extras:
                self.document[str(key)] = value
            if "/ParentTreeNextKey" in root:
                root.ParentTreeNextKey = len(values)
            self.document.K, self.document.P = Array(self.kids), root
        blobs: dict[str, hb.Blob] = {}  # each file read once, however many faces it holds
        for key, font in self.shared.items():
            if key[0] != "font":
                continue
            path, index = self.font_files[face := key[1]]
            try:
                blob = blobs[path] = blobs.get(path) or hb.Blob.from_file_path(path)
            except hb.HarfBuzzError as error:
                raise ValueError(f"cannot read the font file {path}: {error}") from error
            widths, unicode = self.faces[face]
            if hb.Face(blob, index).glyph_count <= max([*widths, *unicode, 0]):
                raise ValueError(f"{path} (face {index}) is not the font of {font.BaseFont}")
            gids = sorted(set(widths) | set(unicode)) or [0]
            # Cached: after an edit the book seldom has a glyph it did not have before.
            program = cache.cached_bytes(
                "pdf-font", f"{cache.file_key(Path(path))}|{index}|{gids}",
                lambda blob=blob, index=index, gids=gids: _subset(hb.Face(blob, index), gids))
            _embed(pdf, font, widths, unicode, program)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True, min_version=self.version,
                 fix_metadata_version=False,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate if self.version >= "1.5"
                 else pikepdf.ObjectStreamMode.disable)  # PDF/A-1 forbids object streams
        return out.getvalue()


def _tree(node: pikepdf.Object | None, key: str) -> list[tuple]:
    """The (key, value) pairs of a name or number tree, in order."""
    if node is None:
        return []
    if "/Kids" in node:
        return [pair for kid in node.Kids for pair in _tree(kid, key)]
    items = list(node.get(key, ()))
    return list(zip(items[::2], items[1::2], strict=True))


def _stream_key(stream: pikepdf.Object) -> tuple | None:
    entries = {k: v for k, v in stream.stream_dict.items() if k != "/Length"}
    if any(isinstance(v, pikepdf.Object) and v.is_indirect for v in entries.values()):
        return None  # equal only if what they refer to is: not worth comparing
    digest = hashlib.sha256(stream.read_raw_bytes()).digest()
    return ("stream", digest, Dictionary(entries).unparse())


def _subset(face: hb.Face, gids: list[int]) -> bytes:
    """The font subset as WeasyPrint 70's Font._harfbuzz_subset makes it, hinting off."""
    flags = hb.SubsetFlags
    subset = hb.SubsetInput()
    subset.glyph_set.update(gids)
    subset.flags = flags.RETAIN_GIDS | flags.PASSTHROUGH_UNRECOGNIZED | flags.DESUBROUTINIZE
    subset.drop_table_tag_set.update(int.from_bytes(tag, "big") for tag in DROP_TABLES)
    first = hb.subset(face, subset)
    subset.glyph_set.update(range(max(gids) + 1))
    subset.flags = flags.PASSTHROUGH_UNRECOGNIZED | flags.DESUBROUTINIZE | flags.NO_HINTING
    return hb.subset(first, subset).blob.data


def _embed(pdf: pikepdf.Pdf, font: Dictionary, widths: dict, unicode: dict,
           program: bytes) -> None:
    """Give a merged Type0 font the union's widths, Unicode map and font `program`."""
    descendant = font.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    # The placeholder ("ttcf" for a collection) does not tell the type: the subset does.
    otf = program[:4] == b"OTTO"
    del descriptor["/FontFile2" if "/FontFile2" in descriptor else "/FontFile3"]
    descriptor[f"/FontFile{3 if otf else 2}"] = (
        pdf.make_stream(program, Subtype=Name.OpenType) if otf
        else pdf.make_stream(program, Length1=len(program)))
    descendant.Subtype = Name(f"/CIDFontType{0 if otf else 2}")
    runs: list = []
    for gid in sorted(widths):
        if gid - 1 not in widths:
            runs += [gid, []]
        runs[-1].append(widths[gid])
    descendant.W = Array(runs)
    bbox = descriptor.FontBBox
    descriptor.FontBBox = Array([bbox[0], bbox[1], max(widths.values(), default=0), bbox[3]])
    fixed = len(widths) > 1 and len(set(widths.values())) == 1
    descriptor.Flags = int(descriptor.Flags) & ~1 | fixed
    if "/CIDSet" in descriptor:
        bits = bytearray(max(widths, default=0) // 8 + 1)
        for gid in widths:
            bits[gid // 8] |= 0x80 >> gid % 8
        descriptor.CIDSet = pdf.make_stream(bytes(bits))
    lines, entries = [CMAP_HEAD], sorted(unicode.items())
    for start in range(0, len(entries), 100):
        batch = entries[start:start + 100]
        lines += [b"%d beginbfchar" % len(batch),
                  *(b"<%04x> <%s>" % (gid, text) for gid, text in batch), b"endbfchar"]
    font.ToUnicode = pdf.make_stream(b"\n".join([*lines, CMAP_TAIL]))
