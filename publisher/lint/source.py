"""Scalars in their file's text: each character of a value mapped to its source span."""

from __future__ import annotations

import json
import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

# An escape of a double-quoted scalar and the number of characters it spans.
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n",
                   "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"',
                   "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
                   "P": "\u2029"}

Span = tuple[int, int]


def find_node(root: Node | None, keys: tuple[str | int, ...]) -> ScalarNode | None:
    """The scalar node at a key path ('qa', 0, 'answer', 1) of a composed document."""
    node = root
    for key in keys:
        if isinstance(node, MappingNode):
            node = next((v for k, v in node.value
                         if isinstance(k, ScalarNode) and k.value == str(key)), None)
        elif isinstance(node, SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return None
    return node if isinstance(node, ScalarNode) else None


def char_spans(raw: str, node: ScalarNode, value: str) -> list[Span] | None:
    """For each character of `value` (the scalar's loaded text) the [start, end) of `raw`
    that writes it; None when the source cannot be matched to the value character by
    character (then nothing is edited in place)."""
    start, end = node.start_mark.index, node.end_mark.index
    style = node.style
    lines = _content_lines(raw, start, end, style)
    if lines is None:
        return None
    spans: list[Span] = []
    pos = 0  # in value
    gap_from = lines[0][1] if lines else start
    for units, first, last in lines:
        text = "".join(u for u, _, _ in units)
        if not text:
            continue
        at = value.find(text, pos)
        # Between two lines of source the value holds only what the line break folds to.
        if at < 0 or value[pos:at].strip(" \n"):
            return None
        spans += [(gap_from, first)] * (at - pos)
        for unit, a, b in units:
            spans += [(a, b)] * len(unit)
        pos = at + len(text)
        gap_from = last
    if value[pos:].strip(" \n"):
        return None
    spans += [(gap_from, gap_from)] * (len(value) - pos)  # the chomped final line break
    return spans if len(spans) == len(value) else None


def _content_lines(raw: str, start: int, end: int,
                   style: str | None) -> list[tuple[list[tuple[str, int, int]], int, int]] | None:
    """The scalar's source lines as (units, start, end): a unit is the text one piece of
    source writes (a character, a doubled quote, an escape) with its span."""
    if style in ("'", '"'):
        start, end = start + 1, end - 1
    elif style in ("|", ">"):
        start = raw.find("\n", start, end) + 1  # the block's header line holds no text
        if start == 0:
            return None
    elif style is not None:
        return None
    out = []
    indent = _block_indent(raw, start, end) if style in ("|", ">") else 0
    line_start = start
    while line_start <= end:
        line_end = raw.find("\n", line_start, end)
        line_end = end if line_end < 0 else line_end
        a, b = line_start, line_end
        if style in ("|", ">"):
            a = min(a + indent, b)
        else:
            # A flow scalar's continuation lines lose their leading and trailing blanks.
            while a < b and raw[a] in " \t" and line_start != start:
                a += 1
            while b > a and raw[b - 1] in " \t" and line_end != end:
                b -= 1
        units = _units(raw, a, b, style)
        if units is None:
            return None
        out.append((units, a, b))
        line_start = line_end + 1
    return out


def _block_indent(raw: str, start: int, end: int) -> int:
    widths = [len(line) - len(line.lstrip(" ")) for line in raw[start:end].split("\n")
              if line.strip(" ")]
    return min(widths, default=0)


def _units(raw: str, a: int, b: int, style: str | None) -> list[tuple[str, int, int]] | None:
    units: list[tuple[str, int, int]] = []
    i = a
    while i < b:
        ch = raw[i]
        if style == "'" and raw.startswith("''", i):
            units.append(("'", i, i + 2))
            i += 2
        elif style == '"' and ch == "\\":
            match = _ESCAPE.match(raw, i, b)
            if match is None:
                return None  # an escaped line break: not matched character by character
            code = match.group()[1:]
            decoded = chr(int(code[1:], 16)) if code[0] in "xuU" else _SIMPLE_ESCAPES.get(code)
            if decoded is None:
                return None
            units.append((decoded, i, match.end()))
            i = match.end()
        else:
            units.append((ch, i, i + 1))
            i += 1
    return units


def encode(text: str, style: str | None) -> str:
    """`text` as it is written inside a scalar of the given style."""
    if style == "'":
        return text.replace("'", "''")
    if style == '"':
        return json.dumps(text, ensure_ascii=False)[1:-1]
    return text


def quoted(text: str) -> str:
    """`text` as a double-quoted scalar on one line."""
    return json.dumps(text, ensure_ascii=False)
