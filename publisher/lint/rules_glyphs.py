"""Glyph coverage: characters the configured fonts cannot draw (content.fonts does the work)."""

from __future__ import annotations

from publisher.content.model import Project
from publisher.errors import ContentError
from publisher.lint.finding import ERROR, Finding


def check(project: Project) -> list[Finding]:
    """Coverage problems of the loaded project as findings (a broken fonts.yaml included)."""
    from publisher.content import fonts

    try:
        problems = fonts.coverage(project)
    except ContentError as exc:
        problems = [p for p in exc.problems if "fonts" in p.path]
        if not problems:
            return []
    return [Finding(p.path, p.line or 1, p.column or 1, "glyphs", ERROR, p.message,
                    p.message.split("'")[1] if "'" in p.message else "")
            for p in problems]
