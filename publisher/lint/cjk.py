"""Place a finding in a field; the character classes live in publisher.text.chars."""

from __future__ import annotations

from publisher.lint.document import Document, Field
from publisher.lint.finding import Edit, Finding
from publisher.text.chars import HAN_RANGES

# Not a second definition: the ranges of publisher.text.chars under the name rules import here.
HAN = HAN_RANGES


def at(doc: Document, fld: Field, offset: int, rule: str, severity: str, message: str,
       subject: str, *, fix: tuple[str, str] | None = None,
       suggestion: str | None = None) -> Finding:
    """A finding at character `offset` of a field; `fix` = (before, after) makes it fixable."""
    line, column = doc.locate(fld, offset)
    edit = Edit(fld.name, offset, fix[0], fix[1]) if fix else None
    return Finding(doc.rel, line, column, rule, severity, message, subject, suggestion, edit)
