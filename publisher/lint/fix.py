"""--fix and editors' corrections: round-trip YAML edits, atomic writes, the corrections log."""

from __future__ import annotations

import io
import os
from collections import defaultdict
from pathlib import Path

from publisher import guard
from publisher.content import yamlsafe
from publisher.errors import ContentError, Problem
from publisher.lint.document import Document, yaml_rt
from publisher.lint.finding import Edit, Finding, field_keys

LOG_FILE = "content/corrections.yaml"
LOG_HEADER = (
    "# Every change made to the text after import, in the order made: by `publisher lint\n"
    "# --fix` (rule) or by an editor (rule: editor, with a reason). Replaying the entries\n"
    "# on a fresh import gives content/ exactly (tests/test_lint_book.py).\n")
MAX_PASSES = 5  # a fix may expose another (a space next to a mark fixed in the same pass)


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text through a temporary file beside `path`, renamed into place."""
    guard.write_atomic(path, text.encode("utf-8"))


def fix_project(root: Path) -> list[dict[str, object]]:
    """Apply every fixable finding until none is left; return the log entries written."""
    from publisher.lint import lint_project

    root = root.resolve()
    _log_text(root)  # an unreadable log stops --fix before any file is edited
    written: list[dict[str, object]] = []
    for _ in range(MAX_PASSES):
        fixable = [f for f in lint_project(root, glyphs=False) if f.fix is not None]
        if not fixable:
            break
        by_file: dict[str, list[Finding]] = defaultdict(list)
        for finding in fixable:
            by_file[finding.path].append(finding)
        for rel, findings in sorted(by_file.items()):
            entries = _apply_file(root, rel, findings)
            append_log(root, entries)
            written += entries
    return written


def _apply_file(root: Path, rel: str, findings: list[Finding]) -> list[dict[str, object]]:
    doc = Document(root / rel, rel, root)
    by_field: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_field[finding.fix.field].append(finding)
    entries = []
    for name, items in by_field.items():
        container, key = _slot(doc.data, name)
        text = container[key]
        limit = len(text) + 1
        # Right to left, so each offset is valid both before and after the edits to its right.
        for finding in sorted(items, key=lambda f: f.fix.offset, reverse=True):
            edit = finding.fix
            end = edit.offset + len(edit.before)
            if end > limit or text[edit.offset:end] != edit.before:
                continue  # overlaps an edit already made: the next pass sees it afresh
            text = text[:edit.offset] + edit.after + text[end:]
            limit = edit.offset
            entries.append(_entry(rel, finding.line, finding.column, edit, finding.rule))
        container[key] = _same_style(container[key], text)
    write_atomic(doc.path, _dump(doc))
    return entries


def correct(root: Path, rel: str, field: str, before: str, after: str, reason: str,
            occurrence: int = 1) -> dict[str, object]:
    """An editor's correction: replace the nth `before` in a field, write and log it."""
    root = root.resolve()
    _log_text(root)
    doc = Document(root / rel, rel, root)
    container, key = _slot(doc.data, field)
    text = container[key]
    offset = -1
    for _ in range(occurrence):
        offset = text.find(before, offset + 1)
        if offset < 0:
            raise ContentError([Problem(rel, None, f"{field}: {before!r} not found")])
    fld = next(f for f in doc.fields if f.name == field)
    line, column = doc.locate(fld, offset)
    container[key] = _same_style(text, text[:offset] + after + text[offset + len(before):])
    write_atomic(doc.path, _dump(doc))
    entry = _entry(rel, line, column, Edit(field, offset, before, after), "editor")
    entry["reason"] = reason
    append_log(root, [entry])
    return entry


def append_log(root: Path, entries: list[dict[str, object]]) -> None:
    """Append entries to content/corrections.yaml, atomically."""
    if not entries:
        return
    path = root / LOG_FILE
    old = _log_text(root)
    out = io.StringIO()
    yaml_rt().dump(entries, out)
    write_atomic(path, old + out.getvalue())


def read_log(root: Path) -> list[dict[str, object]]:
    text = _log_text(root)
    if text == LOG_HEADER:
        return []
    _, problems = yamlsafe.parse(text.encode(), LOG_FILE)  # no aliases, tags or deep nesting
    if problems:
        raise ContentError(problems)
    return list(yaml_rt().load(text) or [])


def _log_text(root: Path) -> str:
    """The corrections log's text (the header when there is none yet), read through the
    guarded reader; raise ContentError when it is not a readable UTF-8 file in the project."""
    path = root / LOG_FILE
    if not os.path.lexists(path):
        return LOG_HEADER
    text, problems = guard.read_text(path, LOG_FILE, inside=root)
    if text is None:
        raise ContentError(problems)
    return text


def replay(data: object, entries: list[dict[str, object]]) -> None:
    """Apply logged entries to loaded content data in place (used to audit the log)."""
    for entry in entries:
        container, key = _slot(data, str(entry["field"]))
        text, offset = container[key], int(entry["offset"])
        before, after = str(entry["before"]), str(entry["after"])
        if text[offset:offset + len(before)] != before:
            raise ValueError(f"{entry['file']} {entry['field']}@{offset}: expected {before!r}, "
                             f"found {text[offset:offset + len(before)]!r}")
        container[key] = text[:offset] + after + text[offset + len(before):]


def _slot(data: object, name: str) -> tuple[object, str | int]:
    keys = field_keys(name)
    node = data
    for key in keys[:-1]:
        node = node[key]
    return node, keys[-1]


def _same_style(old: object, text: str) -> object:
    """Keep a quoted or block scalar's style when its text changes."""
    return type(old)(text) if type(old) is not str else text


def _entry(rel: str, line: int, column: int, edit: Edit, rule: str) -> dict[str, object]:
    return {"file": rel, "field": edit.field, "line": line, "column": column,
            "offset": edit.offset, "before": edit.before, "after": edit.after, "rule": rule}


def _dump(doc: Document) -> str:
    out = io.StringIO()
    yaml_rt().dump(doc.data, out)
    return out.getvalue()
