"""Extend WeasyPrint 70's ``text-align: justify`` to stretch the gaps between CJK characters."""

from __future__ import annotations

import re

import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

from publisher.text.chars import FULLWIDTH_MARK_RANGES, WIDE_MARKS, WIDE_RANGES

SUPPORTED = ("70.",)

# Characters that take part in CJK justification: everything on the full-width grid (see
# publisher.text.chars). A line is only treated as CJK when it holds at least one of these.
_CJK_CORE_RE = re.compile(f"[{WIDE_RANGES}]")
# Quotes, dashes, ellipsis and middle dot are full-width next to Chinese text.
_CJK = re.compile(f"[{WIDE_RANGES}{WIDE_MARKS}]")
# Ideographs never ligate; only runs of marks (Noto's —— is one glyph) need shaping to
# find the glyph clusters.
_MARK_RUN = re.compile(f"[{WIDE_MARKS}{FULLWIDTH_MARK_RANGES}]{{2}}")
# Neither visible nor stretched: spaces are WeasyPrint's own business, the rest have no width.
_INVISIBLE = frozenset(" \u00a0\t\n\u200b\u200c\u200d\u2060\ufeff\u00ad")

_original: dict[str, object] = {}


def is_supported(version: str) -> bool:
    """Return whether this module knows the internals of WeasyPrint ``version``."""
    return version.startswith(SUPPORTED)


def install() -> None:
    """Patch WeasyPrint so justified lines also stretch between CJK characters."""
    version = weasyprint.__version__
    if not is_supported(version):
        raise RuntimeError(
            f"publisher.pdf.justify hooks WeasyPrint internals and supports versions "
            f"{', '.join(v + 'x' for v in SUPPORTED)}, got WeasyPrint {version}")
    if _original:
        return
    _original["justify_line"] = inline.justify_line
    _original["set_text"] = line_break.Layout.set_text
    inline.justify_line = _justify_line
    line_break.Layout.set_text = _set_text


def uninstall() -> None:
    """Restore WeasyPrint's own justification (used by tests to measure the baseline)."""
    if not _original:
        return
    inline.justify_line = _original.pop("justify_line")
    line_break.Layout.set_text = _original.pop("set_text")


def _text_boxes(box: boxes.Box) -> list[boxes.TextBox]:
    """Return the text boxes of a line in logical order."""
    if isinstance(box, boxes.TextBox):
        return [box]
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return [
            text_box for child in box.children if child.is_in_normal_flow()
            for text_box in _text_boxes(child)]
    return []


def _clusters(layout: line_break.Layout) -> list[tuple[int, int]]:
    """Return the (start, end) character ranges of the shaped CJK clusters of ``layout``.

    Pango spaces a glyph cluster once, so a ligature such as Noto's —— is one unit, and
    an attribute covering only part of it would split the ligature.
    """
    text = layout.text
    char_at = {}
    offset = 0
    for i, char in enumerate(text):
        char_at[offset] = i
        offset += len(char.encode())
    starts = {len(text)}
    first_line, _ = layout.get_first_line()
    run = first_line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        for i in range(glyphs.num_glyphs):
            byte = glyph_item.item.offset + glyphs.log_clusters[i]
            starts.add(char_at.get(byte, 0))
    bounds = sorted(starts | {0})
    return [
        (start, end) for start, end in zip(bounds, bounds[1:], strict=False)
        if _CJK.search(text, start, end)]


def _plan(context, line: boxes.LineBox) -> dict[int, tuple] | None:
    """Map text box ids to (layout, stretched ranges, half units, shift halves, pad halves).

    Pango splits letter-spacing half before and half after a cluster and drops the
    outer halves at the ends of each layout, i.e. of each text box; the dropped halves
    inside the line come back as empty space before or after the box.
    """
    if line.style["direction"] == "rtl":
        return None
    text_boxes = _text_boxes(line)
    if not any(_CJK_CORE_RE.search(box.text) for box in text_boxes):
        return None
    visible = [
        (n, i) for n, box in enumerate(text_boxes)
        for i, char in enumerate(box.text) if char not in _INVISIBLE]
    if not visible:
        return None
    first, last = visible[0], visible[-1]
    plan = {}
    for n, box in enumerate(text_boxes):
        text, layout, stretched = box.text, None, []
        if _MARK_RUN.search(text):
            layout = line_break.create_layout(text, box.style, context, None, 0)
            stretched = _clusters(layout)
        else:
            stretched = [match.span() for match in _CJK.finditer(text)]
        # A line-edge cluster keeps its outer half unless Pango trims it at the box edge.
        stretched = [
            (start, end) for start, end in stretched
            if not (last[0] == n and start <= last[1] < end < len(text))
            and not (first[0] == n and 0 < start <= first[1] < end)]
        halves = sum(2 - (start == 0) - (end == len(text)) for start, end in stretched)
        shift = int(bool(stretched) and stretched[0][0] == 0 and (n, 0) > first)
        pad = int(bool(stretched) and stretched[-1][1] == len(text)
                  and (n, len(text) - 1) < last)
        halves += 2 * (text.count(" ") + text.count("\u00a0"))
        plan[id(box)] = (layout, stretched, halves, shift, pad)
    return plan


def _leaves(box: boxes.Box) -> list[boxes.Box]:
    """Return the text boxes, empty inline boxes and atomic boxes of a line in order."""
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)) and box.children:
        return [
            leaf for child in box.children if child.is_in_normal_flow()
            for leaf in _leaves(child)]
    return [box]


def _trailing_empty_inlines(line: boxes.LineBox) -> list[boxes.InlineBox]:
    """Return the empty inline boxes (such as typography's gaps) that end a line."""
    found = []
    for leaf in reversed(_leaves(line)):
        if isinstance(leaf, boxes.TextBox) and not leaf.text.strip("".join(_INVISIBLE)):
            continue
        if not (isinstance(leaf, boxes.InlineBox) and not leaf.children):
            break
        found.append(leaf)
    return found


def _holders(box: boxes.Box, target: boxes.Box) -> list[boxes.Box]:
    """The line and inline boxes from `box` down to the one holding `target`."""
    for child in getattr(box, "children", ()):
        if child is target:
            return [box]
        if isinstance(child, boxes.InlineBox) and (found := _holders(child, target)):
            return [box, *found]
    return []


def _justify_line(context, line, extra_width):
    plan = _plan(context, line)
    if plan is None:
        return _original["justify_line"](context, line, extra_width)
    # A Han–Latin gap left at the end of a line would keep the line short of the edge.
    for box in _trailing_empty_inlines(line):
        removed = box.margin_left + box.margin_right
        extra_width += removed
        box.margin_left = box.margin_right = 0
        # The line and the boxes holding the gap lose its width: beside a float, WeasyPrint
        # measures the justified line again and would push one that seems too wide below it.
        for holder in _holders(line, box):
            holder.width -= removed
    total = sum(halves + shift + pad for _, _, halves, shift, pad in plan.values())
    if total:
        _add_spacing(context, line, extra_width / total, 0, plan)
    return None


def _add_spacing(context, box, half, x_advance, plan):
    """Like WeasyPrint's ``add_word_spacing``, with a CJK letter-spacing plan per text box."""
    if isinstance(box, boxes.TextBox):
        layout, stretched, halves, shift, pad = plan[id(box)]
        x_advance += shift * half
        box.position_x += x_advance
        box.justification_spacing = 2 * half
        if halves:
            if layout is None:
                layout = line_break.create_layout(box.text, box.style, context, None, 0)
            layout.justification_spacing = box.justification_spacing
            layout.cjk_spacing = (2 * half, tuple(stretched))
            layout.deactivate()
            box.pango_layout = layout
        extra = (halves + pad) * half
        x_advance += extra
        box.width += extra
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        previous_x_advance = x_advance
        children = box.children
        if box.style["direction"] == "rtl":
            children = children[::-1]
        for child in children:
            if child.is_in_normal_flow():
                x_advance = _add_spacing(context, child, half, x_advance, plan)
        box.width += x_advance - previous_x_advance
    else:
        # Atomic inline-level box
        box.translate(x_advance, 0)
    return x_advance


def _set_text(self, text, justify=False):
    _original["set_text"](self, text, justify)
    spacing = getattr(self, "cjk_spacing", None)
    if not (justify and spacing and spacing[1]):
        return
    width, ranges = spacing
    letter_spacing = self.style["letter_spacing"]
    if letter_spacing == "normal":
        letter_spacing = 0
    units = int((width + letter_spacing) * TO_UNITS)
    attr_list = pango.pango_layout_get_attributes(self.layout)
    if attr_list == ffi.NULL:
        attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    # self.text may have been shortened at a line feed; offsets are in UTF-8 bytes.
    offsets = [0]
    for char in self.text:
        offsets.append(offsets[-1] + len(char.encode()))
    for start, end in ranges:
        if end <= len(self.text):
            attr = pango.pango_attr_letter_spacing_new(units)
            attr.start_index, attr.end_index = offsets[start], offsets[end]
            pango.pango_attr_list_change(attr_list, attr)
    pango.pango_layout_set_attributes(self.layout, attr_list)
