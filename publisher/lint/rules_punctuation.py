"""Punctuation: half-width marks, ASCII full stops, mixed quotes and stray spaces in Chinese."""

from __future__ import annotations

import re
from collections import Counter

from publisher.content.yamlsafe import describe
from publisher.lint.cjk import at
from publisher.lint.document import TITLE_KINDS, Document, Field
from publisher.lint.finding import ERROR, Finding
from publisher.text.chars import is_cjk, is_han

FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
CORNER_TO_CURLY = {"「": "“", "」": "”", "『": "‘", "』": "’"}
CURLY_TO_CORNER = {v: k for k, v in CORNER_TO_CURLY.items()}
# Spaces of every width, and the invisible ones that paste in from web pages and word
# processors (no-break, thin, zero-width): between Chinese characters each is a gap or nothing.
SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]+")


def check(docs: list[Document]) -> list[Finding]:
    """Punctuation findings for every text field; all of them are fixable."""
    style = _quote_style(docs)
    findings: list[Finding] = []
    for doc in docs:
        for fld in doc.fields:
            if not any(is_han(ch) for ch in fld.text):
                continue  # identifiers, dates, Latin text: not Chinese prose
            findings += _half_width(doc, fld) + _periods(doc, fld) + _straight_quotes(doc, fld)
            findings += _corner_quotes(doc, fld, style)
            if fld.kind not in TITLE_KINDS:
                findings += _spaces(doc, fld)
    return findings


def _neighbours(text: str, i: int) -> tuple[str, str]:
    """The nearest non-space characters before and after position i."""
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    k = i + 1
    while k < len(text) and text[k] in " \t":
        k += 1
    return (text[j] if j >= 0 else ""), (text[k] if k < len(text) else "")


def _half_width(doc: Document, fld: Field) -> list[Finding]:
    out = []
    for i, ch in enumerate(fld.text):
        if ch not in FULL:
            continue
        before, after = _neighbours(fld.text, i)
        if before.isdigit() and after.isdigit():
            continue  # 1,000 and 10:30 are numbers, not prose punctuation
        if is_cjk(before) or is_cjk(after):
            out.append(at(doc, fld, i, "punctuation.half-width", ERROR,
                          f"half-width {ch!r} in Chinese text; use {FULL[ch]!r}", ch,
                          fix=(ch, FULL[ch])))
    return out


def _periods(doc: Document, fld: Field) -> list[Finding]:
    out = []
    text = fld.text
    for m in re.finditer(r"(?<!\.)\.(?!\.)", text):
        i = m.start()
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if is_cjk(before) and (not after or after.isspace() or is_cjk(after)):
            out.append(at(doc, fld, i, "punctuation.period", ERROR,
                          "ASCII period used as a full stop; use '。'", ".", fix=(".", "。")))
    return out


def _straight_quotes(doc: Document, fld: Field) -> list[Finding]:
    positions = [i for i, ch in enumerate(fld.text) if ch == '"']
    near_cjk = [i for i in positions if any(is_cjk(c) for c in _neighbours(fld.text, i))]
    if not near_cjk:
        return []
    paired = len(positions) % 2 == 0
    out = []
    for n, i in enumerate(positions):
        curly = "“" if n % 2 == 0 else "”"
        out.append(at(doc, fld, i, "punctuation.quotes", ERROR,
                      "straight quotation mark in Chinese text" + (
                          f"; use {curly!r}" if paired else " (unpaired: fix by hand)"),
                      '"', fix=('"', curly) if paired else None))
    return out


def _quote_style(docs: list[Document]) -> str:
    """The book's dominant quotation style: 'curly' (“”) or 'corner' (「」)."""
    counts: Counter[str] = Counter()
    for doc in docs:
        for fld in doc.fields:
            counts["curly"] += sum(fld.text.count(c) for c in "“”")
            counts["corner"] += sum(fld.text.count(c) for c in "「」")
    return "corner" if counts["corner"] > counts["curly"] else "curly"


def _corner_quotes(doc: Document, fld: Field, style: str) -> list[Finding]:
    table = CORNER_TO_CURLY if style == "curly" else CURLY_TO_CORNER
    return [at(doc, fld, i, "punctuation.quotes", ERROR,
               f"quotation mark {ch!r} differs from the book's {style} style; use {table[ch]!r}",
               ch, fix=(ch, table[ch]))
            for i, ch in enumerate(fld.text) if ch in table]


def _spaces(doc: Document, fld: Field) -> list[Finding]:
    out = []
    text = fld.text
    for m in SPACES.finditer(text):
        i, j = m.start(), m.end()
        if i == 0 or j == len(text):
            continue  # leading and trailing space is the YAML writer's business
        before, after = text[i - 1], text[j]
        # Between two Chinese characters, or a character and a full-width mark, or two
        # full-width marks (的） ，): the marks carry their own spacing, so any space is stray.
        if is_cjk(before) and is_cjk(after):
            odd = sorted({ch for ch in m.group() if ch not in " \t\u3000"})
            # An invisible space is named: the reader cannot see which character it is.
            named = "".join(f" {describe(ch)}" for ch in odd)
            out.append(at(doc, fld, i, "punctuation.space", ERROR,
                          f"stray space{named} between Chinese characters", m.group(),
                          fix=(m.group(), "")))
    return out
