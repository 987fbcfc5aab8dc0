"""Strict YAML reading: text in, a located node tree out, every hazard refused."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from publisher.errors import Problem

MAX_BYTES = 2_000_000  # a whole book's text is ~50 kB; anything near this is a mistake
MAX_NODES = 100_000  # bounds alias expansion ("billion laughs") and absurd nesting
MAX_DEPTH = 32

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}
# Bidi overrides and isolates can make text display differently from what it is.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class _StrictLoader(Reader, Scanner, Parser, Composer, BaseResolver):
    """Composes nodes only: BaseResolver types every plain scalar as a string."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)


@dataclass
class Document:
    """A parsed YAML file: its display path and its root node (None if empty)."""

    path: str
    root: yaml.Node | None


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 and reject control characters, reporting each with its position."""
    if len(data) > MAX_BYTES:
        return None, [Problem(path, None, f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Problem(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        ]
    text = text.removeprefix("\ufeff")
    problems = []
    for lineno, line in enumerate(text.split("\n"), 1):
        for col, ch in enumerate(line.rstrip("\r"), 1):
            if ch == "\t":
                continue
            if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch != "\n":
                name = unicodedata.name(ch, "control character")
                problems.append(
                    Problem(path, lineno, f"forbidden character U+{ord(ch):04X} ({name})", col)
                )
    return (None if problems else text), problems


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
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, [Problem(path, line, f"YAML syntax error: {message}")]
    except yaml.YAMLError as exc:
        return None, [Problem(path, None, f"YAML error: {exc}")]
    problems = _check_tree(root, path)
    return (None if problems else Document(path, root)), problems


def _check_tree(root: yaml.Node | None, path: str) -> list[Problem]:
    """Refuse explicit tags, duplicate keys, deep nesting and alias bombs."""
    problems: list[Problem] = []
    count = 0
    stack: list[tuple[yaml.Node, int]] = [(root, 0)] if root is not None else []
    while stack:
        node, depth = stack.pop()
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
                    problems.append(Problem(path, key.start_mark.line + 1, "a key must be plain text"))
                    continue
                kline = key.start_mark.line + 1
                if key.value in seen:
                    problems.append(Problem(
                        path, kline, f"duplicate key {key.value!r} (first on line {seen[key.value]})"))
                seen.setdefault(key.value, kline)
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    return problems


def read(path: Path, display: str) -> tuple[Document | None, list[Problem]]:
    """Read and parse a file, turning OS errors into problems."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, [Problem(display, None, f"file is larger than {MAX_BYTES:,} bytes")]
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(display, None, f"cannot read: {exc.strerror or exc}")]
    return parse(data, display)
