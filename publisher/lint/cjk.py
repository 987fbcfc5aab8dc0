"""Character classes for Chinese text and a helper to place a finding in a field."""

from __future__ import annotations

import re

from publisher.lint.document import Document, Field
from publisher.lint.finding import Edit, Finding

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Full-width punctuation that belongs to Chinese running text.
CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’—…·"
HAN_RE = re.compile(f"[{HAN}]")
CJK_RE = re.compile(f"[{HAN}{CJK_PUNCT}]")


def is_han(ch: str) -> bool:
    return bool(ch) and HAN_RE.fullmatch(ch) is not None


def is_cjk(ch: str) -> bool:
    """A Han character or full-width punctuation."""
    return bool(ch) and CJK_RE.fullmatch(ch) is not None


def at(doc: Document, fld: Field, offset: int, rule: str, severity: str, message: str,
       subject: str, *, fix: tuple[str, str] | None = None,
       suggestion: str | None = None) -> Finding:
    """A finding at character `offset` of a field; `fix` = (before, after) makes it fixable."""
    line, column = doc.locate(fld, offset)
    edit = Edit(fld.name, offset, fix[0], fix[1]) if fix else None
    return Finding(doc.rel, line, column, rule, severity, message, subject, suggestion, edit)
