"""Strict YAML reading: text in, a located node tree out, every hazard refused."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from publisher import guard
from publisher.errors import Problem

MAX_BYTES = guard.MAX_BYTES
MAX_NODES = 50_000  # values in one file: 200 pairs of 200 paragraphs stay below it
MAX_DEPTH = 32

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}
# Bidi overrides and isolates can make text display differently from what it is; line and
# paragraph separators and a stray BOM are line breaks or noise to some tools and not others.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FORBIDDEN = _BIDI | set("\u2028\u2029\ufeff")
_KIND = {"Cc": "control character", "Cs": "surrogate", "Co": "private-use character",
         "Cn": "unassigned code point"}


class _Refused(yaml.MarkedYAMLError):
    """A construct refused while composing, located at its mark."""


class _StrictLoader(Reader, Scanner, Parser, Composer, BaseResolver):
    """Composes nodes only: BaseResolver types every plain scalar as a string."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        # Refused here, not after composing: an alias can make the tree cyclic or exponential,
        # and PyYAML composes recursively, so deep nesting would end in RecursionError.
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(None, None, "anchors and aliases (& and *) are not allowed in "
                           "content", event.start_mark)
        if self.depth >= MAX_DEPTH:
            raise _Refused(None, None, f"nesting deeper than {MAX_DEPTH} levels",
                           event.start_mark)
        # Counted while composing: a 2 MB flow list of a million items is refused after
        # MAX_NODES of them, not scanned to the end first (minutes in pure Python).
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(None, None, f"more than {MAX_NODES:,} values in one file; "
                           "split it or shorten its lists", event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


@dataclass
class Document:
    """A parsed YAML file: its display path and its root node (None if empty)."""

    path: str
    root: yaml.Node | None


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 and reject control characters, reporting each with its position."""
    if len(data) > MAX_BYTES:
        return None, [Problem(path, None,
                              f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")]
    text, problems = guard.decode(data, path)
    if text is None:
        return None, problems
    for lineno, line in enumerate(text.split("\n"), 1):
        for col, ch in refused_characters(line.rstrip("\r")):
            problems.append(Problem(path, lineno, f"forbidden character {describe(ch)}", col))
            if len(problems) >= 20:  # a binary file would otherwise list thousands
                return None, problems
    return (None if problems else text), problems


def refused_characters(line: str) -> list[tuple[int, str]]:
    """(1-based column, character) of each character content may not contain in a line."""
    return [(col, ch) for col, ch in enumerate(line, 1)
            if ch != "\t" and (ch in _FORBIDDEN or unicodedata.category(ch) in _KIND)]


def describe(ch: str) -> str:
    """U+XXXX and the character's name, for messages about invisible characters."""
    kind = _KIND.get(unicodedata.category(ch))
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, kind or 'format character')})"


def _forbidden(text: str) -> str | None:
    """The first character of `text` that content may not contain, if any."""
    for ch in text:
        if ch in _FORBIDDEN or (ch not in "\t\n" and unicodedata.category(ch) in _KIND):
            return ch
    return None


def parse(data: bytes, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML file strictly; return the document or the problems found."""
    text, problems = decode(data, path)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(path, 1, "file is empty")]
    try:
        loader = _StrictLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except _Refused as exc:
        return None, [Problem(path, exc.problem_mark.line + 1, exc.problem,
                              exc.problem_mark.column + 1)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, text, path)]
    except yaml.YAMLError as exc:
        return None, [Problem(path, None, f"YAML error: {exc}")]
    if root is None:
        return None, [Problem(path, 1, "file has no content (only comments or markers)")]
    problems = _check_tree(root, path)
    return (None if problems else Document(path, root)), problems


# A line whose key is followed by a full-width colon: a schema's keys are ASCII words, and
# an input method left in Chinese mode types ： for :. YAML then reads the line as text.
_FULL_WIDTH_KEY = re.compile(r"\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_-]*\s*：")
_KEY_LINE = re.compile(r"\s*(?:-\s+)?[A-Za-z_][A-Za-z0-9_-]*:(?:\s|$)")


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: str) -> Problem:
    """A YAML syntax error at the line that causes it, with a hint for common mistakes.

    PyYAML marks where it gave up, which may be far below the cause: an unclosed quote is
    found at the end of the file, a full-width colon on the line after it. The cause is the
    construct's start (its context mark), or the line of a key written with ：.
    """
    problem, context = exc.problem_mark, exc.context_mark
    line = (problem or context).line + 1 if problem or context else None
    if line is not None:  # at the end of the stream PyYAML marks the line after the last
        line = min(line, max(1, len(text.rstrip().split("\n"))))
    parts = [str(part) for part in (exc.context, exc.problem) if part]
    lines = text.split("\n")
    if line is not None:
        # The nearest line above the failure, back to the construct's start, with a key
        # written with ： (no well-formed key line between them).
        first = context.line + 1 if context is not None else max(1, line - 1)
        for number in range(min(line, len(lines)), max(1, min(first, line - 1)) - 1, -1):
            if _FULL_WIDTH_KEY.match(lines[number - 1]):
                return Problem(path, number, "YAML syntax error: a full-width colon ： after a "
                               "key: YAML needs ':' (an ASCII colon and a space)")
            if number < line and _KEY_LINE.match(lines[number - 1]):
                break
    if exc.problem and "'\\t'" in exc.problem and problem is not None:
        return Problem(path, line, "YAML syntax error: a tab character (column "
                       f"{problem.column + 1}): YAML indents with spaces, and a tab inside a "
                       "value needs the value in quotes; replace it with spaces")
    if context is not None and exc.context == "while scanning a quoted scalar":
        quote = lines[context.line][context.column:context.column + 1] or "quote"
        return Problem(path, context.line + 1, f"YAML syntax error: the value opened with {quote} "
                       f"here is never closed ({exc.problem} on line {line})")
    if exc.problem and "expected <block end>" in exc.problem:
        parts.append("(check this line's indentation against the lines above it: a list item "
                     "'- ' and the keys of one mapping each start in one column)")
    return Problem(path, line, f"YAML syntax error: {' '.join(parts)}")


def _check_tree(root: yaml.Node | None, path: str) -> list[Problem]:
    """Refuse explicit tags, duplicate keys, deep nesting and alias bombs."""
    problems: list[Problem] = []
    count = 0
    # (node, depth, whether it is an item of a list)
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 0, False)] if root is not None else []
    while stack:
        node, depth, in_list = stack.pop()
        count += 1
        line = node.start_mark.line + 1
        if count > MAX_NODES:
            return [Problem(path, line, f"document expands to more than {MAX_NODES:,} nodes "
                                        "(anchors and aliases multiply it); refusing it")]
        if depth > MAX_DEPTH:
            return [Problem(path, line, f"nesting deeper than {MAX_DEPTH} levels")]
        if node.tag not in _PLAIN_TAGS:
            problems.append(Problem(path, line, f"YAML tag {node.tag!r} is not allowed"))
            continue
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    problems.append(
                        Problem(path, key.start_mark.line + 1, "a key must be plain text"))
                    continue
                kline = key.start_mark.line + 1
                if key.value in seen:
                    # In a list item, a repeated key is mostly an item whose '- ' is missing
                    # or whose lines are indented into the item above.
                    hint = ("; is a '- ' missing, or a line indented wrongly? each list item "
                            "starts with '- '" if in_list else "")
                    problems.append(Problem(
                        path, kline,
                        f"duplicate key {key.value!r} (first on line {seen[key.value]}){hint}"))
                seen.setdefault(key.value, kline)
                stack.append((value, depth + 1, False))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1, True) for item in node.value)
        elif bad := _forbidden(node.value):
            # A quoted scalar can spell a control character as an escape such as "\x07".
            problems.append(Problem(path, line, f"forbidden character U+{ord(bad):04X} "
                                                "(written as an escape) in this value"))
    return problems


def read(path: Path, display: str,
         inside: Path | None = None) -> tuple[Document | None, list[Problem]]:
    """Read (through the guarded reader) and parse a file; `inside` confines it to a folder."""
    data, problems = guard.read_bytes(path, display, inside=inside, limit=MAX_BYTES)
    if data is None:
        return None, problems
    return parse(data, display)


def yaml_files(folder: Path) -> list[Path]:
    """The *.yaml entries of a folder, whatever they are (the guarded reader judges them)."""
    try:
        return sorted(p for p in folder.iterdir() if p.name.endswith(".yaml"))
    except OSError:  # missing, not a directory, a symlink loop, unreadable
        return []


def long_lists(doc: Document, limits: dict[str, int], default: int) -> list[Problem]:
    """A problem for each list longer than its limit (`limits` by key, else `default`): run
    before the schema, so 10,000 entries cost nothing and a build's work stays bounded."""
    problems = []
    # (key, line of the key or item, node); yamlsafe has bounded the tree's size and depth.
    stack: list[tuple[str, int, yaml.Node]] = [("", 1, doc.root)]
    while stack:
        key, line, node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack += [(k.value, k.start_mark.line + 1, v) for k, v in node.value
                      if isinstance(k, yaml.ScalarNode)]
        elif isinstance(node, yaml.SequenceNode):
            limit = limits.get(key, default)
            if len(node.value) > limit:
                problems.append(Problem(doc.path, line, f"{key or 'list'}: "
                                        f"{len(node.value):,} entries; the limit is {limit:,}"))
            stack += [(key, item.start_mark.line + 1, item) for item in node.value]
    return problems
