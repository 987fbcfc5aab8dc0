"""Slips that knowing Chinese reveals: look-alike (OCR) and same-sounding (pinyin input)
characters, and symbols."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from publisher.lint import confusables as cf
from publisher.lint.cjk import HAN, at
from publisher.lint.document import Document
from publisher.lint.finding import WARNING, Finding

PROSE_KINDS = frozenset({"headline", "question", "answer", "notes"})
RUN = re.compile(f"[{HAN}]+")
CONTEXT = 3  # characters each side that the word model sees
SUPPORT = -5.5  # log10 frequency of a word common enough that its characters are not suspect
# Calibrated on the test set (benchmarks/slips.py, docs/linter.md): how many times (log10)
# more probable the context must read with the look-alike than as written.
MARGIN = 3.5
# When the look-alike is a word on its own: the margin, how alike the glyphs must be, and how
# common (log10) the look-alike must be as a word by itself.
LONE_MARGIN, LONE_SIM, LONE_COMMON = 1.5, 0.92, -3.0
# A character typed for another of the same syllable (pinyin input) is judged as a look-alike
# this similar, only when it makes a common word with a neighbour, and needs this margin. A
# rare character (髹饰) is not a pinyin slip: input methods offer the common ones first.
SOUND_SIM, SOUND_MARGIN, SOUND_COMMON, SOUND_PARTNER = 0.85, 4.5, -6.0, -3.0
# A character that shares only a component with its look-alike (据/揭) needs this margin.
# These two weaker kinds get no bonus for the book's usage, and are not looked for in a short
# quotation: slogans and brand names pun on purpose (“衣衣不舍” for 依依不舍).
PART_MARGIN = 5.5
WEAK_WORD = -6.5  # ... and they must make a word this common (log10) with a neighbour
LONG_WORD = -7.5  # ... or a word of three or four characters this common (转向架, 祖祖辈辈)
# A character built on the same component as the written one and rhyming with it (候/猴,
# 陪/倍, 遍/编), whose glyph is not among its look-alikes, counts as a look-alike this similar.
PART_SIM, RHYME_MARGIN = 0.75, 5.5
SLOGAN = re.compile("“[^”、，,；;]{1,8}”")
# A text of PROSE characters or more in which more than this share of the characters make
# no common word is not prose the word model can read (modern prose: 25 to 40 %; random
# common characters: 80 %): its slips cannot be told, and judging each character costs.
WORDLESS, PROSE = 0.6, 100
# The word list records frequent slips as words (己经 for 已经, 1e-6): a written form rarer
# than SUPPORT but not rarer than RECORDED (below that are fragments that cross two words:
# 排进, 租来), whose look-alike makes a word RECORDED_GAIN (log10) commoner, is weighed as no
# word, when the glyphs are nearly the same (LONE_SIM).
RECORDED, RECORDED_GAIN = -6.6, 2.0
IDIOM_GAIN = 1.0  # an idiom misspelt need only be 10 times rarer than the idiom
# A look-alike that completes a word of three or more characters (播种斯 → 播种期, 后继伐人)
# where the written character makes no word at all is stronger evidence than the unigram
# model's gain shows (the shorter word inside it, 播种, already scores): this much (log10) more.
LONG_BONUS = 1.5
ALONE = -3.0  # ... unless the written character is a word this common by itself (人都会 → 大都会)
BOOK_BONUS = 1.5  # at most this much (log10) for the look-alike's form being usual in the book
CHARS_PER_WORD = 1.6  # in modern Chinese prose: words per character count, for _keyness
CONSISTENT = 5  # a form seen twice is a slip only if its look-alike is this many times commoner
RARE_CHAR = -5.0  # log10 frequency below which a character that recurs is a name or a term
# A character rarer than this as a word by itself that the book pairs with MORPHEME_PAIRS
# other characters in pairs no word list has is the book's own morpheme (摊青, 翻青, 摇青).
MORPHEME_ALONE, MORPHEME_PAIRS = -4.0, 3
# A person's name is not judged (刘佑民 is no word, 刘伯 is): a character that is a surname
# this often where it occurs, followed by characters that are this often part of a given
# name where they occur (民 0.1, 国 0.03; 在 and 的 never).
SURNAME_SHARE, GIVEN_SHARE = 0.1, 0.005
NUMERAL = "0123456789〇一二两三四五六七八九十百千万几数"
MEASURED = NUMERAL + "每这那哪"  # 一口井, 每口人: 口 counting, not a lost glyph


@dataclass(frozen=True)
class Suspect:
    """A suspect character at `offset` of a text, what it should be, and why."""

    offset: int
    rule: str
    subject: str
    suggestion: str
    message: str
    score: float = 0.0


def check(docs: list[Document], *, visual: bool = True) -> list[Finding]:
    """A warning for each suspect character in headlines, questions, answers and notes.

    `visual=False` (a Traditional book: the word list and look-alikes are Simplified) keeps
    only the symbol checks.
    """
    fields = [(doc, fld) for doc in docs for fld in doc.fields if fld.kind in PROSE_KINDS]
    book = "\n".join(fld.text for _, fld in fields)
    return [at(doc, fld, s.offset, s.rule, WARNING, s.message, s.subject,
               suggestion=s.suggestion)
            for doc, fld in fields for s in suspects(fld.text, book, visual=visual)]


def suspects(text: str, book: str = "", *, visual: bool = True) -> list[Suspect]:
    """Every suspect in `text`; `book` (all the book's prose) shows what is usual there."""
    found = symbols(text, words=visual)
    slogans = [range(m.start(), m.end()) for m in SLOGAN.finditer(text)]
    runs = list(RUN.finditer(text)) if visual else []
    if _wordless_share(runs) > WORDLESS:
        runs = []  # no context to judge a slip by (a list, a cipher, random characters)
    for m in runs:
        found += _visual(m.group(), m.start(), book or text, slogans)
    taken: set[int] = set()
    out = []
    for s in sorted(found, key=lambda s: -s.score):
        if s.offset not in taken:
            taken.add(s.offset)
            out.append(s)
    return sorted(out, key=lambda s: s.offset)


def _wordless_share(runs: list[re.Match[str]]) -> float:
    """The share of characters in no common word, over texts of PROSE characters or more."""
    size = sum(len(m.group()) for m in runs)
    if size < PROSE:
        return 0.0
    return sum(_covered(m.group()).count(False) for m in runs) / size


def _supported(run: str, i: int) -> bool:
    """Whether the character at i is part of a known word of two or more characters."""
    return _covered(run)[i]


@lru_cache(maxsize=64)
def _covered(run: str) -> tuple[bool, ...]:
    """For each character of a run: inside a common word of two to four characters?"""
    words = cf.frequencies()
    covered = [False] * len(run)
    for s in range(len(run) - 1):
        for n in (2, 3, 4):
            if s + n <= len(run) and words.get(run[s:s + n], -99) >= SUPPORT:
                covered[s:s + n] = [True] * n
    return tuple(covered)


def _makes_word(text: str, k: int) -> bool:
    """Whether the character at k forms some known word of two or more characters."""
    words = cf.frequencies()
    for n in (2, 3, 4):  # a plain loop: this is the linter's innermost one
        for s in range(max(0, k - n + 1), min(k, len(text) - n) + 1):
            if text[s:s + n] in words:
                return True
    return False


def _frames(text: str, k: int) -> list[tuple[str, str]]:
    """The (before, after) of every stretch of two to four characters around position k: a
    character put at k makes a word if before + it + after is one (as `_makes_word`)."""
    return [(text[s:k], text[k + 1:s + n]) for n in (2, 3, 4)
            for s in range(max(0, k - n + 1), min(k, len(text) - n) + 1)]


def _candidates(run: str, i: int, quoted: bool, book: str) -> list[tuple[str, float, float]]:
    """What the character at i may be a slip for: (character, similarity, margin needed).

    The weaker kinds, a shared component or the same sound, only when they make a common
    word of two characters with a neighbour (checked here, cheaply: they are many).
    """
    ch = run[i]
    left, right = run[max(0, i - 3):i], run[i + 1:i + 4]
    long = cf.long_fillers(LONG_WORD, book)
    # A word of three or four characters (翻天覆地, 一塌糊涂) is evidence enough whatever
    # its neighbours and the written character.
    wide = set().union(*(long.get(key, ()) for key in {
        left[-2:] + "_", left + "_", "_" + right[:2], "_" + right, left[-1:] + "_" + right[:1],
        left[-2:] + "_" + right[:1], left[-1:] + "_" + right[:2]} if len(key) > 2))
    # A word of two needs a neighbour that is not a word of its own as common as 于, 有, 的:
    # those make a word with half the characters of a syllable (属于, 由于, 位于, 对于).
    short = cf.fillers(WEAK_WORD)
    fits = set(wide).union(*(short.get(key, ()) for key in (
        left[-1:] + "_" if (cf.logp(left[-1:]) or cf.FLOOR) < SOUND_PARTNER else "",
        "_" + right[:1] if (cf.logp(right[:1]) or cf.FLOOR) < SOUND_PARTNER else "") if key))
    found: dict[str, tuple[float, float]] = {}
    if fits and not quoted:
        found.update((o, (sim, PART_MARGIN)) for o, sim in cf.components().get(ch, ())
                     if o in fits)
        # A rare character is no pinyin slip but within a longer word: see SOUND_COMMON.
        sounds = fits if (cf.logp(ch) or cf.FLOOR) >= SOUND_COMMON else wide
        found.update((o, (PART_SIM, RHYME_MARGIN)) for o in cf.kin(ch) & sounds
                     if o not in found)
        for other in cf.homophones(ch) & sounds:
            found[other] = (max(found.get(other, (0.0,))[0], SOUND_SIM), SOUND_MARGIN)
    found.update((o, (max(sim, found.get(o, (0.0,))[0]), MARGIN))
                 for o, sim in cf.lookalikes().get(ch, ()))
    return [(other, sim, margin) for other, (sim, margin) in found.items()]


def _visual(run: str, start: int, book: str, slogans: list[range]) -> list[Suspect]:
    out = []
    known = cf.frequencies()
    for i, ch in enumerate(run):
        if (_supported(run, i) and not _idiom_slip(run, i, book)) or _in_name(run, i) \
                or _book_morpheme(book, run, i):
            continue
        after_one = _after_one(run, i)
        # The weaker kinds are not looked for in a short quotation, nor in a parallel phrase
        # (边学边做, 不骄不躁): a character said twice two apart was chosen, not mistyped.
        parallel = ch in run[max(0, i - 2):max(0, i - 1)] + run[i + 2:i + 3]
        quoted = parallel or any(start + i in r for r in slogans)
        a, b = max(0, i - CONTEXT), min(len(run), i + CONTEXT + 1)
        window, k = run[a:b], i - a
        written: float | None = None
        unworded: float | None = None
        best: Suspect | None = None
        candidates = _candidates(run, i, quoted, book)
        # A look-alike less alike than LONE_SIM must make some word where it stands.
        frames = _frames(window, k)
        wordy = {o for o, sim, needed in candidates if needed == MARGIN and sim < LONE_SIM
                 for x, y in frames if x + o + y in known}
        for other, sim, needed in candidates:
            if needed == MARGIN and sim < LONE_SIM and other not in wordy:
                continue
            swapped = window[:k] + other + window[k + 1:]
            p, words = cf.segment(swapped)
            s, word = next((s, w) for s, w in words if s <= k < s + len(w))
            if after_one and s < k:
                continue  # 人一走就 is no 一定
            if written is None:
                written = cf.segment(window)[0]
            gain = p - written
            as_written = window[s:s + len(word)]
            if (sim >= LONE_SIM or needed == SOUND_MARGIN) and _recorded_slip(as_written, word):
                if unworded is None:  # as if the rare written form were no word
                    unworded = cf.segment(window, rare_at=k, floor=SUPPORT)[0]
                gain = p - unworded
            # A look-alike that stands alone (入 → 人 in 一个入忙得) needs a closer glyph and
            # gets a lower bar: a lone character carries less evidence than a word.
            margin = needed if len(word) > 1 else LONE_MARGIN
            if len(word) < 2 and (sim < LONE_SIM or (cf.logp(other) or cf.FLOOR) < LONE_COMMON
                                  or _makes_word(window, k)):
                continue  # alone only for a common word (人, 日) and a character in no word
            if gain + BOOK_BONUS - (1 - sim) < margin:
                continue
            # The book's own usage counts too: 巾帼 a hundred times elsewhere, 巾帽 once. Not
            # for a word only the sound suggests: 青溪县在 is not 现在, however common that is.
            usual = book.count(word) if len(word) > 1 and needed == MARGIN else 0
            score = gain + _keyness(word, usual, len(book)) - (1 - sim)
            if len(word) > 2 and (not _makes_word(window, k) and (cf.logp(ch) or cf.FLOOR) < ALONE
                                  or _misspelt_idiom(as_written, word)):
                score += LONG_BONUS
            if score < margin or (best and score <= best.score) or _consistent(
                    book, window, k, other, as_written, word, usual):
                continue
            why = _evidence(ch, other, as_written, word, gain, usual)
            best = Suspect(start + i, "slip.visual", as_written, word, why, score)
        if best:
            out.append(best)
    return out


def _keyness(word: str, seen: int, size: int) -> float:
    """How much (log10, at most BOOK_BONUS) more often than modern Chinese at large the book
    uses a word: 巾帼 a hundred times in 16,000 characters is the book's own; 已经 ten times
    is only common."""
    if seen < 2:
        return 0.0
    expected = 10 ** cf.frequencies().get(word, cf.FLOOR) * size / CHARS_PER_WORD
    return max(0.0, min(BOOK_BONUS, math.log10(seen / max(expected, 1e-9)) - 1.0))


def _idiom_slip(run: str, i: int, book: str) -> bool:
    """Whether a character inside a common word may still be a slip: four characters around
    it are no word, but a look-alike or same-sounding character makes them an idiom (身兼数值
    → 身兼数职: 数值 is a word)."""
    ch = run[i]
    long = cf.long_fillers(LONG_WORD, book)
    alike: set[str] | None = None
    for s in range(max(0, i - 3), min(i, len(run) - 4) + 1):
        four, k = run[s:s + 4], i - s
        fills = long.get(four[:k] + "_" + four[k + 1:])
        if not fills:
            continue  # most stretches: no word of four at all, so no idiom
        if alike is None:
            alike = ({o for o, _ in cf.lookalikes().get(ch, ())} | cf.homophones(ch)
                     | cf.kin(ch))
        if any(_misspelt_idiom(four, four[:k] + o + four[k + 1:]) for o in alike & fills):
            return True
    return False


def _book_morpheme(book: str, run: str, i: int) -> bool:
    """Whether the book makes its own words with the character where it stands: 青 after
    摊, 翻, 摇, 晾, 看 in a book on tea (摊青, 翻青: no word list has them), as a suffix or a
    prefix in MORPHEME_PAIRS other pairs that are no words. Not for a character common as a
    word of its own (被, 钱), which follows anything."""
    ch = run[i]
    if (cf.logp(ch) or cf.FLOOR) >= MORPHEME_ALONE or ch in NUMERAL:  # 近千, 上千: numbers
        return False
    after, before = _book_pairs(book)
    return (i > 0 and len(after.get(ch, set()) - {run[i - 1:i + 1]}) >= MORPHEME_PAIRS
            or i + 1 < len(run) and len(before.get(ch, set()) - {run[i:i + 2]}) >= MORPHEME_PAIRS)


@lru_cache(maxsize=2)
def _book_pairs(book: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The pairs of characters in the book that no word list has, by their second character
    when that is in no common word there, and by their first when that is in none."""
    words = cf.frequencies()
    after: dict[str, set[str]] = {}
    before: dict[str, set[str]] = {}
    for m in RUN.finditer(book):
        run = m.group()
        covered = _covered(run)
        for k in range(len(run) - 1):
            pair = run[k:k + 2]
            if pair not in words:
                if not covered[k + 1]:
                    after.setdefault(pair[1], set()).add(pair)
                if not covered[k]:
                    before.setdefault(pair[0], set()).add(pair)
    return after, before


def _after_one(run: str, i: int) -> bool:
    """Whether the character at i is a verb after 一 (人一走就失传, 走一走, 心一软): a word
    made with the 一 before it (一定, 一款) is no correction there."""
    if run[i - 1:i] != "一":
        return False
    return (run[i + 1:i + 2] in ("就", "便") or run[i - 2:i - 1] == run[i]
            or run[i - 2:i - 1] + run[i] in cf.frequencies())


def _in_name(run: str, i: int) -> bool:
    """Whether the character at i may be part of a three-character person's name: a surname
    (at i, or one or two before) and two given-name characters, where the surname and the
    next character are no common word (王国)."""
    surnames, given = cf.names()
    words = cf.frequencies()
    for j in (i - 2, i - 1, i):
        if j < 0 or surnames.get(run[j], 0.0) < SURNAME_SHARE:
            continue
        end = max(i, j + 2) + 1
        if end > len(run) or words.get(run[j:j + 2], -99) >= SUPPORT:
            continue
        if all(given.get(c, 0.0) >= GIVEN_SHARE for c in run[j + 1:end]):
            return True
    return False


def _recorded_slip(written: str, word: str) -> bool:
    """Whether `written` is a rare word of the list that reads as a slip for `word`: rarer
    than SUPPORT but not than RECORDED, or any four characters one character off an idiom
    that is more common (再接再励, 走头无路: the web writes them so, no dictionary does)."""
    known = cf.frequencies()
    rare = known.get(written)
    if rare is None:
        return False
    return _misspelt_idiom(written, word) or (
        RECORDED <= rare < SUPPORT and known.get(word, cf.FLOOR) - rare >= RECORDED_GAIN)


def _misspelt_idiom(written: str, word: str) -> bool:
    """Whether `word` is an idiom that `written`, not one of the dictionary's, misspells: the
    web writes the idiom IDIOM_GAIN (log10) more often (迫不及待, not 迫不急待)."""
    right, every = cf.idioms()
    if len(word) != 4 or word not in every or written in right:
        return False
    known = cf.frequencies()
    return known.get(word, cf.FLOOR) - known.get(written, cf.FLOOR) >= IDIOM_GAIN


def _consistent(book: str, window: str, k: int, other: str, written: str, word: str,
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


def _evidence(ch: str, other: str, written: str, word: str, gain: float, usual: int) -> str:
    times = f"{10 ** gain:,.0f}" if gain < 9 else f"10^{gain:.0f}"
    known = cf.frequencies().get(written)
    what = "is no word" if known is None else f"is rare ({10 ** known:.0e})"
    book = f"; the book has “{word}” {usual} times" if usual else ""
    looks = any(o == other for o, _ in cf.lookalikes().get(ch, ()) + cf.components().get(ch, ()))
    reading = cf.shared_reading(other, ch)
    kind = "the look-alike" if looks else "the same-sounding"
    if reading:
        kind += f"{' and same-sounding' if looks else ''} ({reading})"
    slip = f"{kind} “{other}”"
    if not looks and not reading:  # built on one component, rhyming (候/猴)
        slip = f"“{other}” (both built on {'、'.join(sorted(cf.shared_parts(ch, other)))})"
    return (f"“{ch}” may be a slip for {slip}: “{written}” {what}, "
            f"“{word}” reads {times}× more likely in modern Chinese{book}")


def symbols(text: str, *, words: bool = True) -> list[Suspect]:
    """Han characters standing for symbols, and symbols standing for Han characters.

    `words=False` leaves out the checks that need the (Simplified) word list: 十 and 口
    that make no word.
    """
    out = []
    for pattern, fix, why in SYMBOLS:
        for m in pattern.finditer(text):
            out.append(Suspect(m.start(), "slip.symbol", m.group(), fix, why, 10.0))
    for m in _DOING.finditer(text):
        out.append(Suspect(m.start(), "slip.visual", m.group(1) + "了", "干了",
                           f"“{m.group(1)}了” before a number: a verb is needed, "
                           "“干了” (worked for), and “干” and “" + m.group(1) + "” look alike",
                           10.0))
    return out + (_wordless(text) if words else [])


def _wordless(text: str) -> list[Suspect]:
    """十 and 口 that make no word where they stand: a plus sign, a lost glyph's box."""
    out = []
    for m in _LONE_TEN.finditer(text):
        run = RUN.match(text, _run_start(text, m.start()))
        if run and _between_words(run.group(), m.start() - run.start()):
            out.append(Suspect(m.start(), "slip.symbol", "十", "+",
                               "“十” that is neither a number nor part of a word: "
                               "a plus sign “+” read as 十?", 10.0))
    for m in re.finditer("口", text):
        run = RUN.match(text, _run_start(text, m.start()))
        i = m.start() - run.start()
        alone = len(run.group()) == 1  # 口、手、眼: a word by itself in a list
        if not alone and not _makes_word(run.group(), i) and (
                i == 0 or run.group()[i - 1] not in MEASURED):
            out.append(Suspect(m.start(), "slip.symbol", "口", "the missing character",
                               "“口” that makes no word: a box (a glyph the source lacked) "
                               "read as 口?", 10.0))
    return out


_OPEN, _CLOSE = "“‘「『《\"'", "”’」』》\"'"
SYMBOLS = [
    (re.compile(f"(?<=[{_CLOSE}0-9A-Za-z])十(?=[{_OPEN}0-9A-Za-z])"), "+",
     "“十” between two terms or numbers: a plus sign “+” read as 十?"),
    (re.compile("(?<=—)一|一(?=—)"), "——",
     "“一” beside “—”: half of the dash “——” read as 一?"),
    (re.compile("(?<=[0-9])[OoＯ〇](?=[0-9])"), "0",
     "a letter O or 〇 inside an Arabic number: the digit 0?"),
    (re.compile("(?<=[〇一二三四五六七八九])[OoＯ0０](?=[〇一二三四五六七八九])"), "〇",
     "a letter O or the digit 0 inside a number written in Chinese: “〇”?"),
    (re.compile("(?<=[0-9])[lI](?=[0-9])"), "1", "a letter l or I inside a number: the digit 1?"),
    (re.compile("[□■◻◼\ufffd]"), "the missing character",
     "a box or replacement character: a glyph lost in conversion or OCR"),
]
# 十 with no numeral on either side: a number only if it starts a word (十分, 十项).
_LONE_TEN = re.compile(f"(?<![{NUMERAL}第])十(?![{NUMERAL}])")


def _between_words(run: str, i: int) -> bool:
    """十 joining two words (体育十旅游), part of neither."""
    words = cf.frequencies()
    left = any(words.get(run[i - n:i], -99) >= SUPPORT for n in (2, 3, 4) if i >= n)
    right = any(words.get(run[i + 1:i + 1 + n], -99) >= SUPPORT for n in (2, 3, 4)
                if i + 1 + n <= len(run))
    return left and right and not _supported(run, i)


def _run_start(text: str, i: int) -> int:
    while i > 0 and RUN.match(text[i - 1]):
        i -= 1
    return i


# 千了25年 for 干了25年: a numeral cannot take 了 and then a number.
_DOING = re.compile(f"(?<![{NUMERAL}])([千于十])了(?=[0-9{NUMERAL[10:]}])")

