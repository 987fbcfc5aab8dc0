"""Glyph coverage: characters the configured fonts cannot draw (publisher.fonts does the work)."""

from __future__ import annotations

from pathlib import Path

from publisher.errors import ContentError
from publisher.lint.finding import ERROR, Finding


def check(root: Path) -> list[Finding]:
    """Coverage problems as findings; none when the content does not load (other rules say why)."""
    from publisher import fonts
    from publisher.load import load_project

    try:
        project = load_project(root)
        problems = fonts.coverage(project)
    except ContentError as exc:
        problems = [p for p in exc.problems if "fonts" in p.path]
        if not problems:
            return []
    return [Finding(p.path, p.line or 1, p.column or 1, "glyphs", ERROR, p.message,
                    p.message.split("'")[1] if "'" in p.message else "")
            for p in problems]
