"""What slip.visual knows of Chinese: look-alike characters and modern word frequencies."""

from __future__ import annotations

import bisect
import gzip
import math
import re
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FLOOR = -9.0  # log10 frequency of a character no word list has seen


@cache
def lookalikes() -> Mapping[str, tuple[tuple[str, float], ...]]:
    """Each character's look-alikes with their glyph similarity (0–1), most similar first."""
    return _Table("confusables.tsv.gz")


@cache
def components() -> Mapping[str, tuple[tuple[str, float], ...]]:
    """Characters sharing a component with each character and alike as a whole (据/揭, 住/位),
    with their glyph similarity; fewer look alike than `lookalikes()` holds."""
    return _Table("components.tsv.gz")


class _Table(Mapping[str, tuple[tuple[str, float], ...]]):
    """A character's look-alikes, parsed from their line when first asked for: a book asks
    for a few thousand characters of the 17,000, and parsing them all took 0.15 s a lint."""

    def __init__(self, name: str) -> None:
        with gzip.open(DATA / name, "rt", encoding="utf-8") as f:
            self._lines = dict(line.rstrip("\n").split("\t", 1) for line in f)
        self._parsed: dict[str, tuple[tuple[str, float], ...]] = {}

    def __getitem__(self, ch: str) -> tuple[tuple[str, float], ...]:
        if ch not in self._parsed:
            others, sims = self._lines[ch].split("\t")
            self._parsed[ch] = tuple(zip(others, [int(s) / 100 for s in sims.split()],
                                         strict=True))
        return self._parsed[ch]

    def get(self, ch: str, default: tuple = ()) -> tuple[tuple[str, float], ...]:  # type: ignore[override]
        found = self._parsed.get(ch)
        if found is not None:
            return found
        return self[ch] if ch in self._lines else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)


@cache
def _parts() -> dict[str, frozenset[str]]:
    """Each GB 2312 character's components, single strokes left out (data/parts.tsv.gz)."""
    with gzip.open(DATA / "parts.tsv.gz", "rt", encoding="utf-8") as f:
        return {ch: frozenset(ps.split()) for ch, ps in
                (line.rstrip("\n").split("\t") for line in f)}


@cache
def _holders() -> dict[str, frozenset[str]]:
    """Component → the characters built with it."""
    holders: dict[str, set[str]] = {}
    for ch, parts in _parts().items():
        for part in parts:
            holders.setdefault(part, set()).add(ch)
    return {part: frozenset(chars) for part, chars in holders.items()}


RADICAL = 60  # a component of more characters is a radical (扌, 氵), not a sound: 描 is no 掉


@cache
def kin(ch: str) -> frozenset[str]:
    """The characters built on a component of `ch` whose usual readings end alike, tone
    aside (陪 pei2, 倍 bei4): built on one sound component (咅), they are mistaken for each
    other."""
    holders, finals = _holders(), _finals(ch)
    near = set().union(*(holders[p] for p in _parts().get(ch, ()) if len(holders[p]) <= RADICAL))
    return frozenset(o for o in near if o != ch and not finals.isdisjoint(_finals(o)))


_INITIAL = re.compile("^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])")


@cache
def _finals(ch: str) -> frozenset[str]:
    """The finals of a character's usual readings, tone aside: bei4 → ei."""
    return frozenset(_INITIAL.sub("", r.rstrip("012345"))
                     for r in readings().get(ch, ())[:USUAL_READINGS])


def shared_parts(a: str, b: str) -> frozenset[str]:
    """The components two characters have in common (住/位: 亻 人; 驾/架: 加)."""
    table = _parts()
    return table.get(a, frozenset()) & table.get(b, frozenset())


@cache
def verbs() -> frozenset[str]:
    """The characters that are verbs by themselves (查, 描, 装), data/verbs.txt.gz."""
    with gzip.open(DATA / "verbs.txt.gz", "rt", encoding="utf-8") as f:
        return frozenset(f.read().strip())


@cache
def idioms() -> tuple[frozenset[str], frozenset[str]]:
    """Four-character idioms: the dictionary's (Xinhua: rightly written), and all that are
    known, set phrases of jieba's included (data/idioms.tsv.gz)."""
    with gzip.open(DATA / "idioms.tsv.gz", "rt", encoding="utf-8") as f:
        rows = f.read().split("\n")
    return (frozenset(r[:-2] for r in rows if r.endswith("\tx")),
            frozenset(r[:-2] for r in rows if r))


@cache
def readings() -> dict[str, tuple[str, ...]]:
    """Each GB 2312 character's readings in pinyin, tone as a digit (zhong1 zhong4)."""
    with gzip.open(DATA / "homophones.tsv.gz", "rt", encoding="utf-8") as f:
        return {ch: tuple(rs.split()) for ch, rs in
                (line.rstrip("\n").split("\t") for line in f)}


# Readings of a character that count, the commonest first (pypinyin's order): the rare
# readings of 不 (fu1) or 还 (fu2) are not what anyone types.
USUAL_READINGS = 2


@cache
def _syllables() -> dict[str, str]:
    """Syllable with its tone → its characters."""
    groups: dict[str, list[str]] = {}
    for ch, rs in readings().items():
        for syllable in rs[:USUAL_READINGS]:
            groups.setdefault(syllable, []).append(ch)
    return {syllable: "".join(chars) for syllable, chars in groups.items()}


@cache
def homophones(ch: str) -> frozenset[str]:
    """The characters read as `ch` is, tone included (one of their two usual readings).

    A pinyin input method offers all tones of a syllable, but the slips books keep are
    mostly of the same tone (部署 → 布署, 蘑菇 → 磨菇); other tones mostly add noise.
    """
    groups = _syllables()
    usual = readings().get(ch, ())[:USUAL_READINGS]
    return frozenset("".join(groups[r] for r in usual)) - {ch}


@cache
def _toneless_syllables() -> dict[str, str]:
    """Syllable without its tone → its characters."""
    groups: dict[str, list[str]] = {}
    for ch, rs in readings().items():  # the first reading only: see other_tones
        groups.setdefault(rs[0].rstrip("012345"), []).append(ch)
    return {syllable: "".join(chars) for syllable, chars in groups.items()}


@cache
def other_tones(ch: str) -> frozenset[str]:
    """The characters read as `ch` is but for the tone (亏 kui1, 愧 kui4), same-tone ones
    left out: an input method offers every tone of the syllable typed."""
    first = readings().get(ch)
    if not first:
        return frozenset()
    return frozenset(_toneless_syllables()[first[0].rstrip("012345")]) - homophones(ch) - {ch}


def shared_reading(a: str, b: str) -> str:
    """A usual reading of `a` that `b` has too (for the evidence): wei3."""
    theirs = set(readings().get(b, ())[:USUAL_READINGS])
    return next((r for r in readings().get(a, ())[:USUAL_READINGS] if r in theirs), "")


WORDS = "wordfreq"  # the word list in use; benchmarks/slips.py compares it with "jieba"


@cache
def frequencies(source: str | None = None) -> dict[str, float]:
    """Word → log10 frequency in modern Chinese, commonest first, loaded on first use."""
    source = source or WORDS
    if source == "jieba":  # jieba's dict.txt: word, count, part of speech
        from importlib.resources import files

        counts = {}
        with (files("jieba") / "dict.txt").open(encoding="utf-8") as f:
            for line in f:
                word, count, _ = line.split(" ", 2)
                counts[word] = int(count)
        total = sum(counts.values())
        return {w: math.log10(n / total) for w, n in sorted(counts.items(), key=lambda p: -p[1])}
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
    words: dict[str, float] = {}
    for index, bucket in enumerate(buckets):  # a bucket at a time: 0.05 s, not 0.2
        words.update(dict.fromkeys(bucket, -index / 100))
    return words


@cache
def fillers(floor: float) -> dict[str, set[str]]:
    """Which characters complete a word of two characters at least 10^floor common.

    Keys are the word with the missing character as "_": "博_" → {览, 士, 物, …}, "_石" →
    {礁, 岩, …}. Built on first use (about 0.1 s): testing each candidate by lookups cost
    more. Do not modify the sets.
    """
    return _masked(_commonest(2, floor))


@lru_cache(maxsize=4)
def long_fillers(floor: float, text: str) -> dict[str, set[str]]:
    """As `fillers`, for words of three or four characters ("博_会" → {览}, "祖祖辈_" →
    {辈}), only those that two neighbouring characters of `text` could be part of: built
    for all, the table costs half a second on every lint."""
    pairs = {text[k:k + 2] for k in range(len(text) - 1)}
    skips = {text[k] + text[k + 2] for k in range(len(text) - 2)}
    words = [w for w in _commonest(3, floor)
             if w[:2] in pairs or w[1:] in pairs or w[0] + w[2] in skips]
    words += [w for w in _commonest(4, floor) if w[:2] in pairs or w[2:] in pairs]
    return _masked(words)


def _commonest(size: int, floor: float) -> list[str]:
    """The words of `size` characters at least 10^floor common."""
    ranked, logps = _ranked()[size]
    return ranked[:bisect.bisect_right(logps, -floor)]


@cache
def _ranked() -> dict[int, tuple[list[str], list[float]]]:
    """Words of two, three and four characters from the commonest down, each with minus its
    log10 frequency."""
    by_size: dict[int, tuple[list[str], list[float]]] = {n: ([], []) for n in (2, 3, 4)}
    for word, p in frequencies().items():
        if 2 <= len(word) <= 4:
            ranked, logps = by_size[len(word)]
            ranked.append(word)
            logps.append(-p)
    return by_size


def _masked(words: list[str]) -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for word in words:
        for k in range(len(word)):
            key = word[:k] + "_" + word[k + 1:]
            if key in table:
                table[key].add(word[k])
            else:
                table[key] = {word[k]}
    return table


def logp(word: str) -> float | None:
    """log10 frequency of a word; a lone character is always possible, if rare."""
    value = frequencies().get(word)
    if value is None and len(word) == 1:
        return FLOOR
    return value


def segment(text: str, longest: int = 4, *, rare_at: int = -1,
            floor: float = -99.0) -> tuple[float, list[tuple[int, str]]]:
    """The most probable split into known words (unigram model): log10 P and (start, word).

    Words rarer than 10^floor that cover position `rare_at` are not taken as words (a written
    form that a slip made into a rare word: 板手, 布署).
    """
    get = frequencies().get  # logp() inlined: this is the linter's hottest loop
    best = [0.0] + [-math.inf] * len(text)
    back = [0] * (len(text) + 1)
    for end in range(1, len(text) + 1):
        top, at = -math.inf, 0
        for start in range(max(0, end - longest), end - 1):
            p = get(text[start:end])
            if p is not None and best[start] + p - 1.0 > top and (
                    p >= floor or not start <= rare_at < end):
                top, at = best[start] + p - 1.0, start
        p = best[end - 1] + get(text[end - 1], FLOOR) - 1.0  # a lone character, last
        best[end], back[end] = (p, end - 1) if p > top else (top, at)
    words, end = [], len(text)
    while end > 0:
        words.append((back[end], text[back[end]:end]))
        end = back[end]
    return best[-1], words[::-1]
