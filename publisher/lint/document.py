"""Content files read with round-trip YAML: every text field with its real position."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import Node, ScalarNode

from publisher import guard
from publisher.content import yamlsafe
from publisher.errors import ContentError
from publisher.lint import source
from publisher.lint.finding import field_name

# Fields whose spaces may be deliberate (a space separates the parts of a Chinese title).
TITLE_KINDS = frozenset({"title", "subtitle", "headline", "label"})


def yaml_rt() -> YAML:
    """The round-trip loader/dumper; settings match the importer's output byte for byte."""
    yaml = YAML(typ="rt")
    yaml.width = 1_000_000
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


@dataclass(frozen=True)
class Field:
    """A text scalar: its key path, value and where the value starts (0-based)."""

    keys: tuple[str | int, ...]
    text: str
    line: int
    col: int

    @property
    def name(self) -> str:
        return field_name(self.keys)

    @property
    def kind(self) -> str:
        return next((k for k in reversed(self.keys) if isinstance(k, str)), "")


class Document:
    """One YAML file: its data tree, raw lines and text fields."""

    def __init__(self, path: Path, rel: str, inside: Path | None = None) -> None:
        self.path = path
        self.rel = rel
        # Through the guarded reader, like the build's loader: a FIFO, a device, a link out
        # of `inside` or a non-UTF-8 file is refused before anything is parsed.
        text, problems = guard.read_text(path, rel, inside=inside)
        if text is None:
            raise ContentError(problems)
        self.text = text  # as written (line ends included): --fix edits this text in place
        self.raw = text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines = self.raw.split("\n")
        self.error: tuple[int, str] | None = None
        try:
            self.data = yaml_rt().load(self.raw)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark
            self.data = None
            self.error = ((mark.line + 1) if mark else 1, str(exc.problem or exc).strip())
        self.fields: list[Field] = list(_walk(self.data, ())) if self.data is not None else []
        self._root: Node | None = None

    def node(self, fld: Field) -> ScalarNode | None:
        """The field's scalar node, with its source marks (the file composed on first use)."""
        if self._root is None:
            self._root = yaml_rt().compose(self.raw)
        return source.find_node(self._root, fld.keys)

    def spans(self, fld: Field) -> list[source.Span] | None:
        """Where in `raw` each character of the field's text is written (None: unknown)."""
        node = self.node(fld)
        return source.char_spans(self.raw, node, fld.text) if node is not None else None

    def field(self, *keys: str | int) -> Field | None:
        return next((f for f in self.fields if f.keys == keys), None)

    def locate(self, fld: Field, offset: int) -> tuple[int, int]:
        """1-based line and column of character `offset` of a field in the file."""
        line = self.lines[fld.line] if fld.line < len(self.lines) else ""
        if line[fld.col:fld.col + len(fld.text)] == fld.text:
            return fld.line + 1, fld.col + offset + 1  # a plain scalar on its key's line
        # Quoted (escapes, doubled quotes), block or folded: ask the source map.
        spans = self.spans(fld)
        if not spans:
            return fld.line + 1, fld.col + 1
        index = spans[min(offset, len(spans) - 1)][0]
        line_start = self.raw.rfind("\n", 0, index) + 1
        return self.raw.count("\n", 0, index) + 1, index - line_start + 1


def _walk(node: object, keys: tuple[str | int, ...]) -> Iterator[Field]:
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if isinstance(value, str):
                line, col = node.lc.value(key)
                yield Field((*keys, key), value, line, col)
            else:
                yield from _walk(value, (*keys, key))
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            if isinstance(value, str):
                line, col = node.lc.item(index)
                yield Field((*keys, index), value, line, col)
            else:
                yield from _walk(value, (*keys, index))


def read_documents(root: Path) -> tuple[Document | None, list[Document]]:
    """book.yaml (None when absent) and the interview files of a project, sorted by name."""
    content = root / "content"
    book = content / "book.yaml"
    interviews = yamlsafe.yaml_files(content / "interviews")
    return ((Document(book, _rel(book, root), root) if os.path.lexists(book) else None),
            [Document(p, _rel(p, root), root) for p in interviews])


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
