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
    return _wordfreq()


def _wordfreq() -> dict[str, float]:
    """wordfreq's large Chinese list, read from its data file.

    The file (a gzipped msgpack "cBpack") lists words by frequency in centibels, so the
    log10 frequency is -bucket/100. Reading it directly skips importing wordfreq itself,
    which loads regex, ftfy and langcodes: half a second that lint does not need.
    """
    import importlib.util

    import msgpack

    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("wordfreq is not installed (pip install wordfreq)")
    path = Path(spec.submodule_search_locations[0]) / "data" / "large_zh.msgpack.gz"
    with gzip.open(path, "rb") as f:
        header, *buckets = msgpack.unpack(f, raw=False)
    if header.get("format") != "cB":
        raise ValueError(f"{path}: not a wordfreq cBpack file")
    return {word: -index / 100 for index, bucket in enumerate(buckets) for word in bucket}


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
