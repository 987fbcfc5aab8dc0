"""What slip.visual knows of Chinese: look-alike characters and modern word frequencies."""

from __future__ import annotations

import gzip
import math
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FLOOR = -9.0  # log10 frequency of a character no word list has seen


@cache
def lookalikes() -> dict[str, tuple[tuple[str, float], ...]]:
    """Each character's look-alikes with their glyph similarity (0–1), most similar first."""
    table = {}
    with gzip.open(DATA / "confusables.tsv.gz", "rt", encoding="utf-8") as f:
        for line in f:
            ch, others, sims = line.rstrip("\n").split("\t")
            table[ch] = tuple(zip(others, (int(s) / 100 for s in sims.split()), strict=True))
    return table


WORDS = "wordfreq"  # the word list in use; benchmarks/slips.py compares it with "jieba"


@cache
def frequencies(source: str | None = None) -> dict[str, float]:
    """Word → log10 frequency in modern Chinese, loaded on first use."""
    source = source or WORDS
    if source == "jieba":  # jieba's dict.txt: word, count, part of speech
        from importlib.resources import files

        counts = {}
        with (files("jieba") / "dict.txt").open(encoding="utf-8") as f:
            for line in f:
                word, count, _ = line.split(" ", 2)
                counts[word] = int(count)
        total = sum(counts.values())
        return {w: math.log10(n / total) for w, n in counts.items()}
    from wordfreq import get_frequency_dict

    return {w: math.log10(f) for w, f in get_frequency_dict("zh", "best").items()}


def logp(word: str) -> float | None:
    """log10 frequency of a word; a lone character is always possible, if rare."""
    value = frequencies().get(word)
    if value is None and len(word) == 1:
        return FLOOR
    return value


def segment(text: str, longest: int = 4) -> tuple[float, list[tuple[int, str]]]:
    """The most probable split into known words (unigram model): log10 P and (start, word)."""
    best = [0.0] + [-math.inf] * len(text)
    back = [0] * (len(text) + 1)
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - longest), end):
            p = logp(text[start:end])
            if p is not None and best[start] + p - 1.0 > best[end]:
                best[end], back[end] = best[start] + p - 1.0, start
    words, end = [], len(text)
    while end > 0:
        words.append((back[end], text[back[end]:end]))
        end = back[end]
    return best[-1], words[::-1]
