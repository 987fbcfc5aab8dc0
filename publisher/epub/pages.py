"""Place print page-break markers in the EPUB's XHTML where the PDF's pages begin."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from publisher.pdf.pagetext import visible

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
HEADINGS = {f"{{{XHTML}}}h{n}" for n in range(1, 7)}
# A search key this long is unlikely to occur twice between two page starts.
_KEY_CHARS = 16
_END = -1  # stands for the end of the last spine document


@dataclass(frozen=True)
class PageTarget:
    """One entry of the page-list: a print page number and the marker that stands for it."""

    number: int
    file: str
    id: str


@dataclass
class _Spot:
    doc: int
    node: etree._Element
    kind: str  # "text" or "tail"
    index: int


class _Flow:
    """The visible text of the spine documents, each character mapped back to its node."""

    def __init__(self, docs: list[tuple[str, etree._ElementTree]]) -> None:
        self.docs = docs
        self.chars: list[str] = []
        self.spots: list[_Spot] = []
        self.id_pos: dict[str, int] = {}
        for number, (_name, tree) in enumerate(docs):
            body = tree.getroot().find(f"{{{XHTML}}}body")
            if body is not None:
                self._walk(number, body)
        self.text = "".join(self.chars)

    def _emit(self, doc: int, node: etree._Element, kind: str, text: str) -> None:
        for index, char in enumerate(text):
            if visible(char):
                self.chars.append(char)
                self.spots.append(_Spot(doc, node, kind, index))

    def _walk(self, doc: int, element: etree._Element) -> None:
        if isinstance(element.tag, str):
            if element.get("id"):
                self.id_pos.setdefault(element.get("id"), len(self.chars))
            if element.text:
                self._emit(doc, element, "text", element.text)
            for child in element:
                self._walk(doc, child)
                if child.tail:
                    self._emit(doc, child, "tail", child.tail)


def _find(flow: _Flow, lines: list[str], cursor: int) -> int | None:
    """Where the page's text begins in the flow, at or after `cursor`."""
    for start in range(min(len(lines), 4)):
        key = ""
        for line in lines[start:]:
            key += line
            if len(key) >= _KEY_CHARS:
                break
        found = flow.text.find(key, cursor)
        if found >= 0:
            # When the first lines cannot be found, a later line of the page still marks it.
            return found
    return None


def locate(flow: _Flow, pages: list[list[str]], anchor_pages: dict[str, int]) -> dict[int, int]:
    """Flow position of each page that has text; pages 1.. in order, positions never go back."""
    positions: dict[int, int] = {}
    cursor = 0
    # Flow positions of the elements WeasyPrint put on each page, gathered once.
    by_page: dict[int, list[int]] = {}
    for anchor, page in anchor_pages.items():
        if anchor in flow.id_pos:
            by_page.setdefault(page, []).append(flow.id_pos[anchor])
    for number, lines in enumerate(pages, 1):
        if not lines or number == 1:
            continue
        found = _find(flow, lines, cursor)
        if found is None:
            # Paragraph granularity: before the first element that WeasyPrint put on this page.
            starts = [p for p in by_page.get(number, ()) if p >= cursor]
            found = min(starts) if starts else None
        if found is not None:
            positions[number] = found
            cursor = found + 1
    return positions


def _marker(number: int) -> etree._Element:
    span = etree.Element(f"{{{XHTML}}}span", nsmap={None: XHTML, "epub": OPS})
    span.set(f"{{{OPS}}}type", "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("id", f"page-{number}")
    span.set("aria-label", str(number))
    span.text = ""  # serialised as <span></span>, which HTML parsers in readers also accept
    return span


def _heading_start(spot: _Spot, flow: _Flow, position: int) -> etree._Element | None:
    """The heading whose first visible character is at `position`, if any."""
    element = spot.node if spot.kind == "text" else spot.node.getparent()
    while element is not None and element.tag not in HEADINGS:
        element = element.getparent()
    if element is None:
        return None
    previous = flow.spots[position - 1] if position else None
    if previous is not None and previous.doc == spot.doc:
        node = previous.node if previous.kind == "text" else previous.node.getparent()
        if element in set(node.iterancestors()) | {node}:
            return None
    return element


def _insert(flow: _Flow, position: int, markers: list[etree._Element]) -> None:
    spot = flow.spots[position]
    heading = _heading_start(spot, flow, position)
    first = markers[0]
    if heading is not None:
        # A marker inside a heading would become part of the heading's accessible name.
        heading.addprevious(first)
    elif spot.kind == "text":
        text = spot.node.text
        spot.node.text, first.tail = text[:spot.index], text[spot.index:]
        spot.node.insert(0, first)
    else:
        text = spot.node.tail
        spot.node.tail, first.tail = text[:spot.index], text[spot.index:]
        spot.node.addnext(first)
    for marker in markers[1:]:
        marker.tail, first.tail = first.tail, None
        first.addnext(marker)
        first = marker


def place_markers(docs: list[tuple[str, etree._ElementTree]], pages: list[list[str]],
                  anchor_pages: dict[str, int]) -> list[PageTarget]:
    """Insert a page-break marker for every PDF page into `docs`; return the page-list.

    `pages` are the lines of each PDF page, from `pdf_page_lines`.
    """
    flow = _Flow(docs)
    positions = locate(flow, pages, anchor_pages)
    # Page 1 is the cover; an unlocated page shares the spot of the next located one, and
    # pages after the last located one (print-only back matter) go at the end of the book.
    spot_of: dict[int, int | None] = {1: None}
    pending: list[int] = []
    for number in range(2, len(pages) + 1):
        if number in positions:
            for page in [*pending, number]:
                spot_of[page] = positions[number]
            pending = []
        else:
            pending.append(number)
    for page in pending:
        spot_of[page] = _END
    groups: dict[int | None, list[int]] = {}
    for number, position in spot_of.items():
        groups.setdefault(position, []).append(number)
    targets: dict[int, PageTarget] = {}
    for position in sorted((p for p in groups if p not in (None, _END)), reverse=True):
        numbers = sorted(groups[position])
        _insert(flow, position, [_marker(n) for n in numbers])
        name = flow.docs[flow.spots[position].doc][0]
        targets.update({n: PageTarget(n, name, f"page-{n}") for n in numbers})
    if _END in groups:
        name, tree = docs[-1]
        body = tree.getroot().find(f"{{{XHTML}}}body")
        holder = body[-1] if len(body) else body
        for number in sorted(groups[_END]):
            holder.append(_marker(number))
            targets[number] = PageTarget(number, name, f"page-{number}")
    if None in groups:
        # The cover page (and anything before the first text) goes at the start of the cover.
        name, tree = docs[0]
        body = tree.getroot().find(f"{{{XHTML}}}body")
        holder = body[0] if len(body) and body[0].tag != f"{{{XHTML}}}img" else body
        for number in sorted(groups[None], reverse=True):
            marker = _marker(number)
            marker.tail, holder.text = holder.text, None
            holder.insert(0, marker)
            targets[number] = PageTarget(number, name, f"page-{number}")
    return [targets[n] for n in sorted(targets)]
