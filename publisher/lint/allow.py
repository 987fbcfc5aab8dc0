"""The allowlist: findings an editor accepted on purpose, each with a reason."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from publisher import guard
from publisher.content import yamlsafe
from publisher.errors import ContentError
from publisher.lint.document import Document
from publisher.lint.finding import ERROR, WARNING, Finding

ALLOW_FILE = "content/lint-allow.yaml"


@dataclass(frozen=True)
class Entry:
    """Accept findings of `rule` about `text` (in `file`, when given)."""

    rule: str
    text: str
    file: str | None
    reason: str
    line: int

    def matches(self, finding: Finding) -> bool:
        return (finding.rule == self.rule or finding.rule.startswith(self.rule + ".")) and \
            finding.subject == self.text and (self.file is None or self.file == finding.path)


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
        return [], [Finding(ALLOW_FILE, 1, 1, "allowlist", ERROR,
                            "expected a list of entries (rule, text, reason, optional file)")]
    entries, problems = [], []
    for n, item in enumerate(items):
        line = items.lc.item(n)[0] + 1
        complete = isinstance(item, CommentedMap) and all(
            isinstance(item.get(k), str) and item[k].strip() for k in ("rule", "text", "reason"))
        if not complete:
            problems.append(Finding(ALLOW_FILE, line, 1, "allowlist", ERROR,
                                    f"entry {n + 1} needs rule, text and a reason"))
            continue
        entries.append(Entry(item["rule"], item["text"], item.get("file"), item["reason"], line))
    return entries, problems


def _blank(data: bytes) -> bool:
    """Nothing but blank and comment lines: an allowlist with no entries yet."""
    return all(not line.strip() or line.lstrip().startswith(b"#") for line in data.splitlines())


def apply(entries: list[Entry], findings: list[Finding]) -> list[Finding]:
    """The findings no entry accepts, plus a warning for each entry that accepts nothing."""
    kept = [f for f in findings if not any(e.matches(f) for e in entries)]
    unused = [Finding(ALLOW_FILE, e.line, 1, "allowlist", WARNING,
                      f"entry for {e.rule} “{e.text}” matches no finding; remove it")
              for e in entries if not any(e.matches(f) for f in findings)]
    return kept + unused
