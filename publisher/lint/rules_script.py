"""Script: Traditional characters in a Simplified text, found with OpenCC's t2s dictionary."""

from __future__ import annotations

from functools import lru_cache

from publisher.lint.cjk import at
from publisher.lint.document import Document
from publisher.lint.finding import ERROR, Finding
from publisher.text.chars import is_han

SIMPLIFIED_TAGS = ("zh-cn", "zh-sg", "zh-my", "zh-hans")


@lru_cache(maxsize=1)
def _converter():  # noqa: ANN202 - opencc has no type stubs
    import opencc

    return opencc.OpenCC("t2s")


def _simplified_charset(ch: str) -> bool:
    """In GB 2312, the Simplified national character set: such a character is valid Simplified.

    OpenCC maps some characters that Simplified also uses (著, 乾, 於 in names); the
    character set keeps those from being reported.
    """
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def is_simplified_book(language: str) -> bool:
    return language.lower().startswith(SIMPLIFIED_TAGS) or language.lower() == "zh"


def check(docs: list[Document]) -> list[Finding]:
    """A fixable finding for each Traditional character OpenCC converts in context."""
    convert = _converter().convert
    findings: list[Finding] = []
    for doc in docs:
        for fld in doc.fields:
            if not any(is_han(ch) for ch in fld.text):
                continue
            converted = convert(fld.text)
            if len(converted) != len(fld.text):
                # Phrase conversions changed the length: fall back to one character at a time.
                converted = "".join(convert(ch) for ch in fld.text)
            for i, (old, new) in enumerate(zip(fld.text, converted, strict=True)):
                if old == new or not is_han(old) or _simplified_charset(old):
                    continue
                findings.append(at(
                    doc, fld, i, "script.traditional", ERROR,
                    f"Traditional character {old!r} in a Simplified text: {old} → {new} "
                    "(OpenCC t2s)",
                    old, fix=(old, new)))
    return findings
