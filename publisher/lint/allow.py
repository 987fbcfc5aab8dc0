"""The allowlist: findings an editor accepted on purpose, each with a reason."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from publisher import guard
from publisher.content import yamlsafe
from publisher.errors import ContentError
from publisher.lint.document import Document, read_documents
from publisher.lint.finding import ERROR, WARNING, Finding

ALLOW_FILE = "content/lint-allow.yaml"


KEYS = ("rule", "text", "passage", "file", "reason")
Where = tuple[str, int, int]  # a character's file, line and column


@dataclass(frozen=True)
class Entry:
    """Accept findings of `rules` about `text`, or lying inside `passage`, in `file` when given.

    A passage is text quoted from the content (a letter, a quotation kept as written); it is
    anchored by its words, not by line numbers, so it survives edits around it, and an edit
    inside it makes the entry match nothing, which is reported, so the editor looks again.
    """

    rules: tuple[str, ...]
    text: str | None
    file: str | None
    reason: str
    line: int
    passage: str | None = None
    # Where the passage stands: each of its characters in a one-line value, and the start of
    # each block value (| or >) holding it, where the linter places every finding at the start.
    chars: frozenset[Where] = frozenset()
    blocks: frozenset[Where] = frozenset()

    @property
    def rule(self) -> str:
        return ", ".join(self.rules)

    def matches(self, finding: Finding) -> bool:
        if not any(finding.rule == r or finding.rule.startswith(r + ".") for r in self.rules):
            return False
        if self.file is not None and self.file != finding.path:
            return False
        if self.text is not None and finding.subject != self.text:
            return False
        if self.passage is None:
            return True
        where = (finding.path, finding.line, finding.column)
        return where in self.chars or (where in self.blocks and finding.subject in self.passage)

    def describe(self) -> str:
        quoted = self.text if self.passage is None else _short(self.passage)
        return f"entry for {self.rule} “{quoted}”"


def load(root: Path) -> tuple[list[Entry], list[Finding]]:
    """The entries of content/lint-allow.yaml and findings about the file itself."""
    path = root / ALLOW_FILE
    if not os.path.lexists(path):
        return [], []
    # Strict YAML first (no aliases, no deep nesting, no tags), through the guarded reader;
    # an unreadable allowlist is unusable input (exit 3), like unreadable content.
    data, problems = guard.read_bytes(path, ALLOW_FILE, inside=root)
    if data is not None and not _blank(data):
        problems = yamlsafe.parse(data, ALLOW_FILE)[1]
    if problems:
        raise ContentError(problems)
    if _blank(data):
        return [], []
    doc = Document(path, ALLOW_FILE, root)
    if doc.error:
        return [], [Finding(ALLOW_FILE, doc.error[0], 1, "allowlist", ERROR, doc.error[1])]
    items = doc.data if doc.data is not None else []
    if not isinstance(items, CommentedSeq):
        return [], [Finding(ALLOW_FILE, 1, 1, "allowlist", ERROR, "expected a list of entries "
                            "(rule, text or passage, reason, optional file)")]
    entries, problems = [], []
    for n, item in enumerate(items):
        line = items.lc.item(n)[0] + 1
        entry, wrong = _entry(item, n, line)
        if wrong:
            problems.append(Finding(ALLOW_FILE, line, 1, "allowlist", ERROR, wrong))
        else:
            entries.append(entry)
    if any(e.passage is not None for e in entries):
        entries = _placed(entries, root)
    return entries, problems


def _entry(item: object, n: int, line: int) -> tuple[Entry | None, str | None]:
    """One entry read, or why it cannot be: every entry needs a reason, a rule, and the text
    or the passage it accepts."""
    def text(key: str) -> str | None:
        value = item.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    if not isinstance(item, CommentedMap):
        return None, f"entry {n + 1} needs rule, text or passage, and a reason"
    unknown = [str(k) for k in item if k not in KEYS]
    if unknown:
        return None, (f"entry {n + 1}: unknown key {unknown[0]!r} (known keys: "
                      f"{', '.join(KEYS)})")
    rule = item.get("rule")
    rules = [rule] if isinstance(rule, str) else rule if isinstance(rule, CommentedSeq) else []
    rules = [r.strip() for r in rules if isinstance(r, str) and r.strip()]
    if not rules or not text("reason") or not (text("text") or text("passage")) or (
            isinstance(rule, CommentedSeq) and len(rules) != len(rule)):
        return None, f"entry {n + 1} needs rule, text or passage, and a reason"
    if "file" in item and not text("file"):
        return None, f"entry {n + 1}: file must name a content file"
    # `text` is the finding's subject exactly as written; a passage is stripped of the blank
    # a block value (|) leaves at its end.
    subject = item["text"] if text("text") else None
    return Entry(tuple(rules), subject, text("file"), item["reason"], line,
                 passage=text("passage")), None


def _placed(entries: list[Entry], root: Path) -> list[Entry]:
    """Each passage entry with where its passage stands in the content's text."""
    book, docs = read_documents(root)
    docs = [d for d in ([book] if book else []) + docs if d.data is not None]
    placed = []
    for entry in entries:
        if entry.passage is None:
            placed.append(entry)
            continue
        chars: set[Where] = set()
        blocks: set[Where] = set()
        for doc in docs:
            if entry.file is not None and entry.file != doc.rel:
                continue
            for fld in doc.fields:
                start = fld.text.find(entry.passage)
                while start >= 0:
                    spots = {(doc.rel, *doc.locate(fld, offset))
                             for offset in range(start, start + len(entry.passage))}
                    # A block value places every character at its start: one spot for many.
                    (blocks if len(spots) == 1 and len(entry.passage) > 1 else chars).update(
                        spots)
                    start = fld.text.find(entry.passage, start + 1)
        placed.append(replace(entry, chars=frozenset(chars), blocks=frozenset(blocks)))
    return placed


def _short(text: str, limit: int = 16) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _blank(data: bytes) -> bool:
    """Nothing but blank and comment lines: an allowlist with no entries yet."""
    return all(not line.strip() or line.lstrip().startswith(b"#") for line in data.splitlines())


def apply(entries: list[Entry], findings: list[Finding]) -> list[Finding]:
    """The findings no entry accepts, plus a warning for each entry that accepts nothing."""
    kept = [f for f in findings if not any(e.matches(f) for e in entries)]
    unused = [Finding(ALLOW_FILE, e.line, 1, "allowlist", WARNING, _unused(e))
              for e in entries if not any(e.matches(f) for f in findings)]
    return kept + unused


def _unused(entry: Entry) -> str:
    """Why an entry accepts nothing: its passage is not in the text, or nothing is found."""
    if entry.passage is not None and not (entry.chars or entry.blocks):
        where = entry.file or "the content"
        return (f"{entry.describe()}: the passage is not in {where} (edited since?); "
                "quote it as it stands or remove the entry")
    return f"{entry.describe()} matches no finding; remove it"
