"""What a suspect's book and the language say beyond the word model: names, the book's own
words and usage, verbs after 一 and before a complement, idioms and slips the word list
records."""

from __future__ import annotations

import math
from functools import lru_cache

from publisher.lint import confusables as cf
from publisher.lint.words import NUMERAL, RUN, SUPPORT, covered
from publisher.text import people

# The word list records frequent slips as words (己经 for 已经, 1e-6): a written form rarer
# than SUPPORT but not rarer than RECORDED (below that are fragments that cross two words:
# 排进, 租来), whose look-alike makes a word RECORDED_GAIN (log10) commoner, is weighed as no
# word, when the glyphs are nearly the same or the sound is (rules_slips).
RECORDED, RECORDED_GAIN = -6.6, 2.0
# ... and only rarer than this when just the sound is shared: 布署 (−6.55) is a slip for
# 部署, 精深 (−5.9) a word of its own, not 精神.
SOUND_RECORDED = -6.2
IDIOM_GAIN = 1.0  # an idiom misspelt need only be 10 times rarer than the idiom
COMMON_SLIP, SAME_GLYPH = -4.5, 0.95
# Rarer forms than RECORDED are mostly fragments of two words (排进, 租来, 产粮, 碗饭), but
# not when the glyphs are all but the same and the word they miss is far commoner.
SAME_GLYPH_RARE, SAME_GLYPH_GAIN = -7.5, 3.0
LOOK_ALIKE = 0.92  # glyphs this alike are the same to a hurried eye (rules_slips.LONE_SIM)
BOOK_BONUS = 1.5  # at most this much (log10) for the look-alike's form being usual in the book
CHARS_PER_WORD = 1.6  # in modern Chinese prose: characters per word, for keyness
CONSISTENT = 5  # a form seen twice is a slip only if its look-alike is this many times commoner
RARE_CHAR = -5.0  # log10 frequency below which a character that recurs is a name or a term
# A character rarer than this as a word by itself that the book pairs with MORPHEME_PAIRS
# other characters in pairs no word list has is the book's own morpheme (摊青, 翻青, 摇青).
MORPHEME_ALONE, MORPHEME_PAIRS = -4.0, 3
# A person's name is not judged (刘佑民 is no word, 刘伯 is): a character that is a surname
# this often where it occurs, followed by characters that are this often part of a given
# name where they occur (民 0.1, 国 0.03; 在 and 的 never).
SURNAME_SHARE, GIVEN_SHARE = 0.1, 0.005
NAME_PAIR, GIVEN_STRONG = 0.05, 0.3


def keyness(word: str, seen: int, size: int) -> float:
    """How much (log10, at most BOOK_BONUS) more often than modern Chinese at large the book
    uses a word: 巾帼 a hundred times in 16,000 characters is the book's own; 已经 ten times
    is only common."""
    if seen < 2:
        return 0.0
    expected = 10 ** cf.frequencies().get(word, cf.FLOOR) * size / CHARS_PER_WORD
    return max(0.0, min(BOOK_BONUS, math.log10(seen / max(expected, 1e-9)) - 1.0))


def idiom_slip(run: str, i: int, long: dict[str, set[str]]) -> bool:
    """Whether a character inside a common word may still be a slip: four characters around
    it are no word, but a look-alike or same-sounding character makes them an idiom (身兼数值
    → 身兼数职: 数值 is a word). `long` is the book's cf.long_fillers."""
    ch = run[i]
    alike: set[str] | None = None
    for s in range(max(0, i - 3), min(i, len(run) - 4) + 1):
        four, k = run[s:s + 4], i - s
        fills = long.get(four[:k] + "_" + four[k + 1:])
        if not fills:
            continue  # most stretches: no word of four at all, so no idiom
        if alike is None:
            alike = ({o for o, _ in cf.lookalikes().get(ch, ())} | cf.homophones(ch)
                     | cf.kin(ch))
        if any(misspelt_idiom(four, four[:k] + o + four[k + 1:]) for o in alike & fills):
            return True
    return False


def book_morpheme(book: str, run: str, i: int) -> bool:
    """Whether the book makes its own words with the character where it stands: 青 after
    摊, 翻, 摇, 晾, 看 in a book on tea (摊青, 翻青: no word list has them), as a suffix or a
    prefix in MORPHEME_PAIRS other pairs that are no words. Not for a character common as a
    word of its own (被, 钱), which follows anything."""
    ch = run[i]
    if (cf.logp(ch) or cf.FLOOR) >= MORPHEME_ALONE or ch in NUMERAL:  # 近千, 上千: numbers
        return False
    after, before = book_pairs(book)
    return (i > 0 and len(after.get(ch, set()) - {run[i - 1:i + 1]}) >= MORPHEME_PAIRS
            or i + 1 < len(run) and len(before.get(ch, set()) - {run[i:i + 2]}) >= MORPHEME_PAIRS)


@lru_cache(maxsize=2)
def book_pairs(book: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The pairs of characters in the book that no word list has, by their second character
    when that is in no common word there, and by their first when that is in none."""
    words = cf.frequencies()
    after: dict[str, set[str]] = {}
    before: dict[str, set[str]] = {}
    for m in RUN.finditer(book):
        run = m.group()
        inside = covered(run)
        for k in range(len(run) - 1):
            pair = run[k:k + 2]
            if pair not in words:
                if not inside[k + 1]:
                    after.setdefault(pair[1], set()).add(pair)
                if not inside[k]:
                    before.setdefault(pair[0], set()).add(pair)
    return after, before


def after_one(run: str, i: int) -> bool:
    """Whether the character at i is a verb after 一 (人一走就失传, 走一走, 心一软): a word
    made with the 一 before it (一定, 一款) is no correction there."""
    if run[i - 1:i] != "一":
        return False
    return (run[i + 1:i + 2] in ("就", "便") or run[i - 2:i - 1] == run[i]
            or run[i - 2:i - 1] + run[i] in cf.frequencies())


# Complements of result and direction: a verb before one makes a construction of its own
# (查到, 疏掉, 描下来) that no word list has. Not the aspect particles 了, 着, 过: 积垒了 is
# a slip for 积累了.
COMPLEMENTS = frozenset("到掉完好住成走起出来去上下开")


def resultative(run: str, i: int) -> bool:
    """Whether the character at i is a verb before a complement of result or direction
    (查到 is not 直到, 疏掉 not 输掉): the pair is no word, but it is said so. Or a verb of
    a potential complement, 不 or 得 inside a word (打不通, 看得清: 打通, 看清): that form
    is in no word list either."""
    if run[i + 1:i + 2] in ("不", "得") and run[i] + run[i + 2:i + 3] in cf.frequencies():
        return True
    return (run[i + 1:i + 2] in COMPLEMENTS and run[i] in cf.verbs()
            and run[i:i + 2] not in cf.frequencies())


# A character after a numeral that is counted so (一口, 两斤: a word of the list this common)
# is a measure word there, not a slip: 二十口网箱 is not 二十日, 十几万斤鱼 not 金鱼.
COUNTED = -6.0


def counted(run: str, i: int) -> bool:
    """Whether the character at i is a measure word after a numeral (二十口, 万斤)."""
    words = cf.frequencies()
    return (i > 0 and run[i - 1] in NUMERAL
            and max(words.get("一" + run[i], -99), words.get("两" + run[i], -99)) >= COUNTED)


def framed(run: str, i: int) -> bool:
    """Whether the character at i stands between two of the same (越打越, 边走边, 一模一):
    a construction, so no word made with either is a correction there. Not when the second
    makes a common word with the next (引瓴引导: 引导)."""
    return (0 < i < len(run) - 1 and run[i - 1] == run[i + 1]
            and cf.frequencies().get(run[i + 1:i + 3], -99) < SUPPORT)


def in_name(run: str, i: int) -> bool:
    """Whether the character at i may be part of a person's name: a surname (at i, or one or
    two before) and two given-name characters, where the surname and the next character are
    no common word (王国); a surname and one given-name character that are a name this often
    (汪锋, 钟霄: NAME_PAIR), neither pair they make a word; or a character that is sometimes
    a surname before two that are mostly names (方毓棠: GIVEN_STRONG)."""
    surnames, given = people.shares()
    words = cf.frequencies()
    for j in (i - 2, i - 1, i):
        if j < 0 or j + 2 > len(run) or words.get(run[j:j + 2], -99) >= SUPPORT:
            continue
        share = surnames.get(run[j], 0.0)
        end = max(i, j + 2) + 1
        if end <= len(run) and (
                share >= SURNAME_SHARE and all(given.get(c, 0.0) >= GIVEN_SHARE
                                               for c in run[j + 1:end])
                or people.is_surname(run[j]) and j + 3 <= len(run)
                and all(given.get(c, 0.0) >= GIVEN_STRONG for c in run[j + 1:j + 3])):
            return True
        if (i - 1 <= j and share * given.get(run[j + 1], 0.0) >= NAME_PAIR
                and words.get(run[j + 1:j + 3], -99) < SUPPORT):
            return True
    return False


def recorded_slip(written: str, word: str, sim: float = 0.0) -> bool:
    """Whether `written` is a rare word of the list that reads as a slip for `word`: rarer
    than SUPPORT (than SOUND_RECORDED when the glyphs are less than LOOK_ALIKE alike) but
    not than RECORDED — when the glyphs are all but the same, rarer than COMMON_SLIP (自已
    for 自己: the commonest slips are common words of the web) and down to SAME_GLYPH_RARE
    if `word` is SAME_GLYPH_GAIN commoner (眼晴, −7.2, for 眼睛) — or any four characters
    one character off an idiom that is more common (再接再励, 迫不急待: the web writes them
    so, no dictionary does)."""
    known = cf.frequencies()
    rare = known.get(written)
    if rare is None:
        return False
    if misspelt_idiom(written, word):
        return True
    gain = known.get(word, cf.FLOOR) - rare
    if sim >= SAME_GLYPH:
        return (RECORDED <= rare < COMMON_SLIP and gain >= RECORDED_GAIN
                or SAME_GLYPH_RARE <= rare < RECORDED and gain >= SAME_GLYPH_GAIN)
    top = SUPPORT if sim >= LOOK_ALIKE else SOUND_RECORDED
    return RECORDED <= rare < top and gain >= RECORDED_GAIN


def common_slip(run: str, i: int) -> bool:
    """Whether a common word covering the character at i is a recorded slip (自已) of a
    look-alike all but the same (己)."""
    known = cf.frequencies()
    for s in (i - 1, i):
        written = run[max(s, 0):s + 2]
        if s < 0 or len(written) < 2 or not RECORDED <= known.get(written, -99) < COMMON_SLIP:
            continue  # the common case: a common word, cheaply told
        alike = [o for o, sim in cf.lookalikes().get(run[i], ()) if sim >= SAME_GLYPH]
        if any(recorded_slip(written, written.replace(run[i], o), SAME_GLYPH) for o in alike):
            return True
    return False


def misspelt_idiom(written: str, word: str) -> bool:
    """Whether `word` is an idiom that `written`, not one of the dictionary's, misspells: the
    web writes the idiom IDIOM_GAIN (log10) more often (迫不及待, not 迫不急待)."""
    if len(word) != 4:
        return False
    right, every = cf.idioms()
    if word not in every or written in right:
        return False
    known = cf.frequencies()
    if all(known.get(half, -99) >= SUPPORT for half in (written[:2], written[2:])):
        return False  # two common words (坚持下来), not a set phrase misspelt (坚持下去)
    return known.get(word, cf.FLOOR) - known.get(written, cf.FLOOR) >= IDIOM_GAIN


def consistent(book: str, window: str, k: int, other: str, written: str, word: str,
                usual: int) -> bool:
    """Whether the book uses the written form on purpose: a name or a term, not a slip.

    The form, or a rare character with either neighbour (涪小妹 twice), recurs and
    its look-alike is not far commoner in the book (巾帽 twice is a slip: 巾帼 occurs 100 times).
    """
    pairs = [(written, word, usual)] if len(written) > 1 else []  # a lone 入 recurs as 收入
    rare = (cf.logp(window[k]) or cf.FLOOR) < RARE_CHAR  # beside 的, any character recurs
    for a, b in ((k - 1, k + 1), (k, k + 2)):
        if rare and a >= 0 and b <= len(window):
            pair = window[a:b]
            fixed = pair.replace(window[k], other)
            pairs.append((pair, fixed, book.count(fixed)))
    return any((seen := book.count(form)) >= 2 and common < CONSISTENT * seen
               for form, _, common in pairs)
