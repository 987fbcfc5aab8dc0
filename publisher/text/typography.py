"""Turn plain Chinese text into escaped inline XHTML that follows clreq line-breaking rules."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from publisher.text.chars import NO_END, NO_START, is_latin, is_square

WJ = "\u2060"  # word joiner: forbids a line break, has no width
ZWSP = "\u200b"  # zero-width space: allows a line break, has no width
INVISIBLE = frozenset((WJ, ZWSP))

OPENING_QUOTES = frozenset("“‘")
CLOSING_QUOTES = frozenset("”’")
# Pango lets these start a line, so they are joined to what precedes them.
JOIN_BEFORE = frozenset("·～—―")
# Full-width marks whose blank half the font's `halt` feature can remove.
HALT_MARKS = frozenset("，。、；：？！（）《》〈〉「」『』【】〔〕〖〗“”‘’")

GAP_CLASS = "cjk-gap"
HALT_CLASS = "halt"
# WeasyPrint never breaks beside an empty inline box, so a zero-width space after the gap
# restores the break clreq allows there; the gap then ends the line, never starts one.
_GAP = Markup(f'<span class="{GAP_CLASS}"></span>')

CSS = f"""\
/* publisher.text.typography: a quarter-em gap between Han and Latin letters or digits */
.{GAP_CLASS} {{ margin-left: 0.25em; }}
/* publisher.text.typography: the first of two adjacent full-width marks loses its blank half */
.{HALT_CLASS} {{ font-feature-settings: "halt"; }}
"""


def join_before_marks(text: str) -> str:
    """Put a word joiner before ·, ～ and dashes so that they never start a line."""
    out = []
    for i, char in enumerate(text):
        previous = text[i - 1] if i else ""
        # A run of dashes needs one joiner, at its start; Pango keeps the run together.
        if (char in JOIN_BEFORE and previous and not previous.isspace()
                and previous not in INVISIBLE and previous != char):
            out.append(WJ)
        out.append(char)
    return "".join(out)


def break_around_quotes(text: str) -> str:
    """Allow a break before “‘ and after ”’, which Pango glues to both neighbours."""
    out = []
    for i, char in enumerate(text):
        previous = text[i - 1] if i else ""
        following = text[i + 1] if i + 1 < len(text) else ""
        if (char in OPENING_QUOTES and previous and not previous.isspace()
                and previous not in NO_END and previous not in INVISIBLE
                and not (out and out[-1] == ZWSP)):
            out.append(ZWSP)
        out.append(char)
        if (char in CLOSING_QUOTES and following and not following.isspace()
                and following not in NO_START and following not in INVISIBLE
                and following not in OPENING_QUOTES
                # An apostrophe inside a Latin word (don’t) is not a quote.
                and not (is_latin(previous) and is_latin(following))):
            out.append(ZWSP)
    return "".join(out)


def keep_last_chars(text: str, count: int = 2) -> str:
    """Join the last ``count`` Han characters so that none stands alone on the last line."""
    letters = [
        i for i, char in enumerate(text)
        if not (char.isspace() or char in INVISIBLE or char in NO_START or char in NO_END)]
    if len(letters) < count or not is_square(text[letters[-1]]):
        return text
    start = letters[-count]
    if any(char.isspace() for char in text[start:]):
        return text
    head, tail = text[:start], text[start:].replace(ZWSP, "")
    out = [tail[0]]
    for char in tail[1:]:
        # Breaks before closing marks are already forbidden; only real gaps need a joiner.
        if char not in NO_START and char != WJ and out[-1] != WJ and out[-1] not in NO_END:
            out.append(WJ)
        out.append(char)
    return head + "".join(out)


def _neighbours(text: str, i: int) -> tuple[str, str]:
    """Return the visible characters before and after position ``i``."""
    before = next((c for c in reversed(text[:i]) if c not in INVISIBLE), "")
    after = next((c for c in text[i + 1:] if c not in INVISIBLE), "")
    return before, after


def gap_positions(text: str) -> list[int]:
    """Return the indices ``i`` where a Han–Latin gap goes before text[i].

    A word joiner between the two characters stays after the gap (``i`` is its index).
    """
    positions = []
    for i in range(1, len(text)):
        before = text[i - 1]
        after = text[i + 1] if text[i] == WJ and i + 1 < len(text) else text[i]
        if before != WJ and (
                (is_square(before) and is_latin(after)) or (is_latin(before) and is_square(after))):
            positions.append(i)
    return positions


def halt_positions(text: str) -> list[int]:
    """Return the indices of full-width marks directly followed by another full-width mark."""
    return [
        i for i, char in enumerate(text)
        if char in HALT_MARKS and _neighbours(text, i)[1] in HALT_MARKS]


def to_markup(text: str) -> Markup:
    """Escape ``text``; add gap spans (with a break after them) and halt spans."""
    gaps = set(gap_positions(text))
    halts = set(halt_positions(text))
    out = []
    done = 0  # text before this index is in `out`
    # Escaped a run at a time, not a character at a time: this runs on every paragraph twice.
    for i in sorted(gaps | halts):
        out.append(escape(text[done:i]))
        done = i
        if i in gaps:
            out.append(_GAP if text[i] == WJ else _GAP + ZWSP)
        if i in halts:
            out.append(Markup('<span class="{}">{}</span>').format(HALT_CLASS, text[i]))
            done = i + 1
    out.append(escape(text[done:]))
    return Markup("").join(out)


@lru_cache(maxsize=1 << 16)
def prepare(text: str) -> Markup:
    """Return ``text`` as safe inline markup with clreq line breaking, gaps and compression.

    Cached: the PDF and the EPUB prepare the same paragraphs, and a rebuild in `watch` too.
    """
    text = join_before_marks(str(text))
    text = break_around_quotes(text)
    text = keep_last_chars(text)
    return to_markup(text)
