"""The editorial linter: rules over the content YAML, the allowlist, and --fix."""

from __future__ import annotations

from pathlib import Path

from publisher.content.load import load_project
from publisher.content.model import Project
from publisher.errors import ContentError, Problem
from publisher.lint import (
    allow,
    rules_corpus,
    rules_glyphs,
    rules_punctuation,
    rules_reuse,
    rules_script,
    rules_slips,
    rules_structure,
)
from publisher.lint.document import Document, read_documents
from publisher.lint.finding import ERROR, Finding


def lint_project(root: Path, *, glyphs: bool = True,
                 project: Project | None = None) -> list[Finding]:
    """Every finding in the project at `root`, allowlisted ones removed, sorted by place.

    `project` is the project at `root` already loaded (by the build), not loaded again.
    """
    root = root.resolve()
    if not (root / "content").is_dir():
        raise ContentError([Problem(str(root / "content"), None,
                                    "missing: a project needs a content/ directory")])
    # The build's loader and schema first: a project the build refuses is refused here with
    # the same messages (exit 3), and the rules below only ever see files that load.
    project = project or load_project(root)
    book, docs = read_documents(root)
    findings = [Finding(d.rel, d.error[0], 1, "yaml", ERROR, d.error[1])
                for d in ([book] if book else []) + docs if d.error]
    texts: list[Document] = [d for d in ([book] if book else []) + docs if d.data is not None]
    interviews = [d for d in docs if d.data is not None]
    findings += rules_punctuation.check(texts)
    if _simplified(book):
        findings += rules_script.check(texts)
    findings += rules_corpus.check(interviews)
    findings += rules_slips.check(interviews, visual=_simplified(book))
    findings += rules_reuse.check(interviews)
    findings += rules_structure.check(book, interviews)
    broken = any(f.severity == ERROR and f.rule in ("yaml", "structure") for f in findings)
    if glyphs and not broken:
        findings += rules_glyphs.check(project)
    entries, problems = allow.load(root)
    return sorted(set(allow.apply(entries, findings) + problems))


def _simplified(book: Document | None) -> bool:
    language = book.data.get("language", "zh-CN") if book and book.data else "zh-CN"
    return rules_script.is_simplified_book(str(language))


__all__ = ["Finding", "lint_project"]
