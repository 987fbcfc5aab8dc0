"""--fix and editors' corrections: in-place YAML text edits, atomic writes, the log."""

from __future__ import annotations

import io
import os
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from publisher import guard
from publisher.content import yamlsafe
from publisher.errors import ContentError, Problem
from publisher.lint import source
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
    changes: dict[str, tuple[str, list[Edit]]] = {}
    entries: list[tuple[str, dict[str, object]]] = []
    for name, items in by_field.items():
        container, key = _slot(doc.data, name)
        text = container[key]
        limit = len(text) + 1
        made: list[Edit] = []
        # Right to left, so each offset is valid both before and after the edits to its right.
        for finding in sorted(items, key=lambda f: f.fix.offset, reverse=True):
            edit = finding.fix
            end = edit.offset + len(edit.before)
            if end > limit or text[edit.offset:end] != edit.before:
                continue  # overlaps an edit already made: the next pass sees it afresh
            text = text[:edit.offset] + edit.after + text[end:]
            limit = edit.offset
            made.append(edit)
            entries.append((name, _entry(rel, finding.line, finding.column, edit, finding.rule)))
        changes[name] = (text, made)
    written = _write_in_place(doc, changes)
    return [entry for name, entry in entries if name in written]


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
    edit = Edit(field, offset, before, after)
    new = text[:offset] + after + text[offset + len(before):]
    if field not in _write_in_place(doc, {field: (new, [edit])}):
        raise ContentError([Problem(rel, line, f"{field}: cannot be edited in place; "
                                               "edit the file by hand")])
    entry = _entry(rel, line, column, edit, "editor")
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


def _entry(rel: str, line: int, column: int, edit: Edit, rule: str) -> dict[str, object]:
    return {"file": rel, "field": edit.field, "line": line, "column": column,
            "offset": edit.offset, "before": edit.before, "after": edit.after, "rule": rule}


def _write_in_place(doc: Document, changes: dict[str, tuple[str, list[Edit]]]) -> set[str]:
    """Make each field's edits in the file's own text, at the source of the characters they
    change, and write the file; every other byte (indentation, comments, quoting, block
    scalars, line ends) stays as written. Return the fields changed.

    A field whose source cannot be matched character by character is rewritten as one
    double-quoted scalar if it sits on one line, and left alone otherwise. The new text is
    parsed again and compared with the expected data before anything is written.
    """
    plans: dict[str, list[tuple[int, int, str]]] = {}
    for name, (new, edits) in changes.items():
        plan = _plan(doc, name, new, edits)
        if plan is not None:
            plans[name] = plan
    for _ in range(4):  # the plans; failures quoted whole; then left out
        text = _apply_spans(doc, [p for plan in plans.values() for p in plan])
        failed = _mismatches(doc, text, {n: changes[n][0] for n in plans})
        if failed is None:
            return set()  # something else changed: write nothing rather than damage the file
        if not failed:
            if plans:
                write_atomic(doc.path, _bom(doc.path) + text)
            return set(plans)
        for name in failed:
            whole = _whole(doc, name, changes[name][0])
            if whole is not None and plans[name] != whole:
                plans[name] = whole
            else:
                del plans[name]
    return set()


def _plan(doc: Document, name: str, new: str,
          edits: list[Edit]) -> list[tuple[int, int, str]] | None:
    """The (start, end, replacement) spans of `raw` that make a field's edits."""
    fld = doc.field(*field_keys(name))
    node = doc.node(fld) if fld is not None else None
    spans = doc.spans(fld) if fld is not None else None
    if node is None or spans is None:
        return _whole(doc, name, new)
    out = []
    for edit in edits:
        end = edit.offset + len(edit.before)
        if edit.before:
            start, stop = spans[edit.offset][0], spans[end - 1][1]
        else:
            start = stop = spans[edit.offset][0] if edit.offset < len(spans) else (
                spans[-1][1] if spans else node.end_mark.index)
        out.append((start, stop, source.encode(edit.after, node.style)))
    return out


def _whole(doc: Document, name: str, new: str) -> list[tuple[int, int, str]] | None:
    """The whole scalar replaced by `new` double-quoted, if it is a flow scalar on one line."""
    fld = doc.field(*field_keys(name))
    node = doc.node(fld) if fld is not None else None
    if node is None or node.style in ("|", ">"):
        return None
    start, end = node.start_mark.index, node.end_mark.index
    if "\n" in doc.raw[start:end]:
        return None
    return [(start, end, source.quoted(new))]


def _apply_spans(doc: Document, spans: list[tuple[int, int, str]]) -> str:
    """`doc.text` with replacements given as spans of `doc.raw` (its line ends made \\n)."""
    index = _raw_to_text(doc)
    text = doc.text
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:index(start)] + replacement + text[index(end):]
    return text


def _raw_to_text(doc: Document) -> Callable[[int], int]:
    if doc.text == doc.raw:
        return lambda i: i
    table = []
    i = 0
    while i < len(doc.text):
        table.append(i)
        i += 2 if doc.text.startswith("\r\n", i) else 1
    table.append(len(doc.text))
    return lambda i: table[i]


def _mismatches(doc: Document, text: str, expected: dict[str, str]) -> set[str] | None:
    """The fields whose value in the new text is not the expected one; None when anything
    else in the document differs (or it no longer parses)."""
    try:
        data = yaml_rt().load(text)
    except Exception:  # noqa: BLE001 - any parse failure means: not this text
        data = None
    failed = set()
    want = yaml_rt().load(doc.raw)
    for name, new in expected.items():
        container, key = _slot(want, name)
        container[key] = new
        try:
            got_container, got_key = _slot(data, name)
            if got_container[got_key] != new:
                failed.add(name)
        except (KeyError, IndexError, TypeError):
            failed.add(name)
    if failed:
        return failed
    return set() if data == want else None


def _bom(path: Path) -> str:
    """A byte-order mark when the file had one (the reader drops it)."""
    with open(path, "rb") as handle:
        return "\ufeff" if handle.read(3) == b"\xef\xbb\xbf" else ""
