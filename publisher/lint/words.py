"""The word model over runs of Han characters: which characters stand in common words."""

from __future__ import annotations

import re
from functools import lru_cache

from publisher.lint import confusables as cf
from publisher.lint.cjk import HAN

RUN = re.compile(f"[{HAN}]+")
SUPPORT = -5.5  # log10 frequency of a word common enough that its characters are not suspect
NUMERAL = "0123456789〇一二两三四五六七八九十百千万几数"


def supported(run: str, i: int) -> bool:
    """Whether the character at i is part of a known word of two or more characters."""
    return covered(run)[i]


@lru_cache(maxsize=64)
def covered(run: str) -> tuple[bool, ...]:
    """For each character of a run: inside a common word of two to four characters?"""
    words = cf.frequencies()
    covered = [False] * len(run)
    for s in range(len(run) - 1):
        for n in (2, 3, 4):
            if s + n <= len(run) and words.get(run[s:s + n], -99) >= SUPPORT:
                covered[s:s + n] = [True] * n
    return tuple(covered)


def makes_word(text: str, k: int) -> bool:
    """Whether the character at k forms some known word of two or more characters."""
    words = cf.frequencies()
    for n in (2, 3, 4):  # a plain loop: this is the linter's innermost one
        for s in range(max(0, k - n + 1), min(k, len(text) - n) + 1):
            if text[s:s + n] in words:
                return True
    return False


def frames(text: str, k: int) -> list[tuple[str, str]]:
    """The (before, after) of every stretch of two to four characters around position k: a
    character put at k makes a word if before + it + after is one (as `makes_word`)."""
    return [(text[s:k], text[k + 1:s + n]) for n in (2, 3, 4)
            for s in range(max(0, k - n + 1), min(k, len(text) - n) + 1)]
