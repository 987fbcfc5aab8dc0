"""Slips that knowing Chinese reveals: look-alike (OCR) and same-sounding (pinyin input)
characters, and symbols."""

from __future__ import annotations

import re
from dataclasses import dataclass

from publisher.lint import confusables as cf
from publisher.lint import slip_context as ctx
from publisher.lint import words as wm
from publisher.lint.cjk import HAN, at
from publisher.lint.document import Document
from publisher.lint.finding import WARNING, Finding
from publisher.lint.words import NUMERAL, RUN, SUPPORT

PROSE_KINDS = frozenset({"headline", "question", "answer", "notes"})
CONTEXT = 3  # characters each side that the word model sees
# Calibrated on the test set (benchmarks/slips.py, docs/linter.md): how many times (log10)
# more probable the context must read with the look-alike than as written.
MARGIN = 3.5
# When the look-alike is a word on its own: the margin, how alike the glyphs must be, and how
# common (log10) the look-alike must be as a word by itself.
LONE_MARGIN, LONE_SIM, LONE_COMMON = 1.5, ctx.LOOK_ALIKE, -3.0
# A character typed for another of the same syllable (pinyin input) is judged as a look-alike
# this similar, only when it makes a common word with a neighbour, and needs this margin. A
# rare character (髹饰) is not a pinyin slip: input methods offer the common ones first.
SOUND_SIM, SOUND_MARGIN, SOUND_COMMON, SOUND_PARTNER = 0.85, 4.5, -6.0, -3.0
# A character that shares only a component with its look-alike (据/揭) needs this margin.
# These two weaker kinds get no bonus for the book's usage, and are not looked for in a short
# quotation: slogans and brand names pun on purpose (“衣衣不舍” for 依依不舍).
PART_MARGIN = 5.5
TONE_MARGIN = 5.5  # the same syllable in another tone (积累 → 积垒)
WEAK_WORD = -6.5  # ... and they must make a word this common (log10) with a neighbour
LONG_WORD = -7.5  # ... or a word of three or four characters this common (转向架, 祖祖辈辈)
# A character built on the same component as the written one and rhyming with it (候/猴,
# 陪/倍, 遍/编), whose glyph is not among its look-alikes, counts as a look-alike this similar.
PART_SIM, RHYME_MARGIN = 0.75, 5.5
LOOK, PART, RHYME, SOUND, TONE = "look-alike", "component", "rhyme", "sound", "tone"
SLOGAN = re.compile("“[^”、，,；;]{1,8}”")
# A text of PROSE characters or more in which more than this share of the characters make
# no common word is not prose the word model can read (modern prose: 25 to 64 %; random
# common characters: 80 %): its slips cannot be told, and judging each character costs.
WORDLESS, PROSE = 0.7, 100
# A look-alike that completes a word of three or more characters (播种斯 → 播种期, 后继伐人)
# where the written character makes no word at all is stronger evidence than the unigram
# model's gain shows (the shorter word inside it, 播种, already scores): this much (log10) more.
LONG_BONUS = 1.5
ALONE = -3.0  # ... unless the written character is a word this common by itself (人都会 → 大都会)
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
    # Clauses begun with one character (火大了发黑，火小了粘不牢; 有的…，有的…) are a
    # parallel the writer chose: that character is no slip.
    chosen = {m.start() for k, m in enumerate(runs)
              if any(n.group()[0] == m.group()[0] for n in runs[max(0, k - 1):k + 2] if n is not m)}
    for m in runs:
        found += [s for s in _visual(m.group(), m.start(), book or text, slogans)
                  if s.offset not in chosen]
    # One suspect a place, the likeliest: a pair that is no word (手稳) is one slip at most,
    # whichever of its characters reads better changed.
    taken: set[int] = set()
    pairs: set[tuple[int, str]] = set()
    out = []
    for s in sorted(found, key=lambda s: -s.score):
        pair = {(s.offset + d, s.subject) for d in (-1, 1)} if s.rule == "slip.visual" else set()
        if s.offset not in taken and not pair & pairs:
            taken.add(s.offset)
            pairs.add((s.offset, s.subject))
            out.append(s)
    return sorted(out, key=lambda s: s.offset)


def _wordless_share(runs: list[re.Match[str]]) -> float:
    """The share of characters in no common word, over texts of PROSE characters or more."""
    size = sum(len(m.group()) for m in runs)
    if size < PROSE:
        return 0.0
    return sum(wm.covered(m.group()).count(False) for m in runs) / size


def _candidates(run: str, i: int, quoted: bool,
                long: dict[str, set[str]]) -> list[tuple[str, float, str]]:
    """What the character at i may be a slip for: (character, similarity, kind), the kind
    LOOK, PART, RHYME, SOUND or TONE (`_margin` says what each needs).

    The weaker kinds, a shared component or the same sound, only when they make a common
    word of two characters with a neighbour, or of three or four in `long` (the book's
    cf.long_fillers): checked here, cheaply, as they are many.
    """
    ch = run[i]
    left, right = run[max(0, i - 3):i], run[i + 1:i + 4]
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
    found: dict[str, tuple[float, str]] = {}
    if fits and not quoted:
        found.update((o, (sim, PART)) for o, sim in cf.components().get(ch, ())
                     if o in fits)
        # A rare character is no pinyin slip but within a longer word: see SOUND_COMMON.
        sounds = fits if (cf.logp(ch) or cf.FLOOR) >= SOUND_COMMON else wide
        found.update((o, (PART_SIM, RHYME)) for o in cf.kin(ch) & sounds
                     if o not in found)
        for other in cf.homophones(ch) & sounds:
            found[other] = (max(found.get(other, (0.0,))[0], SOUND_SIM), SOUND)
        for other in cf.other_tones(ch) & sounds:
            if other not in found:
                found[other] = (SOUND_SIM, TONE)
    found.update((o, (max(sim, found.get(o, (0.0,))[0]), LOOK))
                 for o, sim in cf.lookalikes().get(ch, ()))
    return [(other, sim, kind) for other, (sim, kind) in found.items()]


def _margin(kind: str) -> float:
    """How many times (log10) more probable a reading with a candidate of `kind` must be."""
    return {LOOK: MARGIN, PART: PART_MARGIN, RHYME: RHYME_MARGIN, SOUND: SOUND_MARGIN,
            TONE: TONE_MARGIN}[kind]


def _visual(run: str, start: int, book: str, slogans: list[range]) -> list[Suspect]:
    out = []
    known = cf.frequencies()
    long = cf.long_fillers(LONG_WORD, book)
    for i, ch in enumerate(run):
        if (wm.supported(run, i) and not (ctx.idiom_slip(run, i, long) or ctx.common_slip(run, i))
                or ctx.in_name(run, i) or ctx.resultative(run, i) or ctx.counted(run, i)):
            continue
        after_one, framed = ctx.after_one(run, i), ctx.framed(run, i)
        own = ctx.book_morpheme(book, run, i)
        # The weaker kinds are not looked for in a short quotation, nor in a parallel phrase
        # (边学边做, 不骄不躁): a character said twice two apart was chosen, not mistyped.
        parallel = ch in run[max(0, i - 2):max(0, i - 1)] + run[i + 2:i + 3]
        quoted = parallel or any(start + i in r for r in slogans)
        a, b = max(0, i - CONTEXT), min(len(run), i + CONTEXT + 1)
        window, k = run[a:b], i - a
        written: float | None = None
        unworded: dict[float, float] = {}  # the window's probability, the rare form no word
        best: Suspect | None = None
        candidates = _candidates(run, i, quoted, long)
        # A look-alike less alike than LONE_SIM must make some word where it stands.
        frames = wm.frames(window, k)
        wordy = {o for o, sim, kind in candidates if kind == LOOK and sim < LONE_SIM
                 for x, y in frames if x + o + y in known}
        for other, sim, kind in candidates:
            if kind == LOOK and sim < LONE_SIM and other not in wordy:
                continue
            swapped = window[:k] + other + window[k + 1:]
            p, words = cf.segment(swapped)
            s, word = next((s, w) for s, w in words if s <= k < s + len(w))
            if (after_one or framed) and s < k or framed and s + len(word) > k + 1:
                continue  # 人一走就 is no 一定, 越打越 no 越行越
            if written is None:
                written = cf.segment(window)[0]
            gain = p - written
            as_written = window[s:s + len(word)]
            misspelt = ctx.misspelt_idiom(as_written, word)
            if own and not misspelt:
                continue  # the book's own word, unless it misspells an idiom (竭泽而鱼)
            if (sim >= LONE_SIM or kind in (SOUND, TONE)) and ctx.recorded_slip(as_written, word,
                                                                               sim):
                floor = ctx.COMMON_SLIP if sim >= ctx.SAME_GLYPH else SUPPORT
                if floor not in unworded:  # as if the rare written form were no word
                    unworded[floor] = cf.segment(window, rare_at=k, floor=floor)[0]
                gain = p - unworded[floor]
            # A look-alike that stands alone (入 → 人 in 一个入忙得) needs a closer glyph and
            # gets a lower bar: a lone character carries less evidence than a word.
            margin = _margin(kind) if len(word) > 1 else LONE_MARGIN
            if len(word) < 2 and (sim < LONE_SIM or (cf.logp(other) or cf.FLOOR) < LONE_COMMON
                                  or wm.makes_word(window, k)):
                continue  # alone only for a common word (人, 日) and a character in no word
            longer = LONG_BONUS if len(word) > 2 and (
                not wm.makes_word(window, k) and (cf.logp(ch) or cf.FLOOR) < ALONE
                or misspelt) else 0.0
            if gain + ctx.BOOK_BONUS + longer - (1 - sim) < margin:
                continue
            # The book's own usage counts too: 巾帼 a hundred times elsewhere, 巾帽 once. Not
            # for a word only the sound suggests: 青溪县在 is not 现在, however common that is.
            usual = book.count(word) if len(word) > 1 and kind == LOOK else 0
            score = gain + ctx.keyness(word, usual, len(book)) + longer - (1 - sim)
            if score < margin or (best and score <= best.score) or ctx.consistent(
                    book, window, k, other, as_written, word, usual):
                continue
            why = _evidence(ch, other, as_written, word, gain, usual, kind)
            best = Suspect(start + i, "slip.visual", as_written, word, why, score)
        if best:
            out.append(best)
    return out


def _evidence(ch: str, other: str, written: str, word: str, gain: float, usual: int,
              kind: str = LOOK) -> str:
    times = f"{10 ** gain:,.0f}" if gain < 9 else f"10^{gain:.0f}"
    known = cf.frequencies().get(written)
    what = "is no word" if known is None else f"is rare ({10 ** known:.0e})"
    book = f"; the book has “{word}” {usual} times" if usual else ""
    looks = any(o == other for o, _ in cf.lookalikes().get(ch, ()) + cf.components().get(ch, ()))
    reading = cf.shared_reading(other, ch)
    if looks and reading:
        slip = f"the look-alike and same-sounding ({reading}) “{other}”"
    elif looks:
        slip = f"the look-alike “{other}”"
    elif reading:
        slip = f"the same-sounding ({reading}) “{other}”"
    elif kind == TONE:  # 积垒 for 积累: lei3, lei4
        tones = "/".join(cf.readings()[c][0] for c in (ch, other))
        slip = f"“{other}”, the same syllable in another tone ({tones})"
    else:  # built on one component, rhyming (候/猴)
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
    for m in _BOTH.finditer(text):
        run = RUN.match(text, _run_start(text, m.start()))
        if not wm.supported(run.group(), m.start() - run.start()):
            out.append(Suspect(m.start(), "slip.visual", "即", "既",
                               "“即” in no word, with “又” or “也” after it in the clause: "
                               "“既…又” (both … and) is meant? 即 and 既 sound alike (ji4)",
                               10.0))
    for m in re.finditer("口", text):
        run = RUN.match(text, _run_start(text, m.start()))
        i = m.start() - run.start()
        # Only between two characters: at either end of a run 口 is a word of its own or
        # a morpheme (口尝 in 眼看、手摸、口尝; 口沿 after a comma; 分兵把口), as in a list.
        inside = 0 < i < len(run.group()) - 1
        if inside and not wm.makes_word(run.group(), i) and run.group()[i - 1] not in MEASURED:
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
    # ... but not in O2O, B2C: a letter before the number makes it a name
    (re.compile(f"(?<=[0-9])[OoＯ〇](?=[0-9])|(?<=[0-9])(?<![A-Za-z][0-9])(?<![A-Za-z][0-9]{{2}})"
                f"[OoＯ](?=[{HAN}%％])|(?<![0-9A-Za-z.])[OoＯ](?=\\.[0-9])"), "0",
     "a letter O or 〇 inside, at the end or at the head of an Arabic number (O.3): "
     "the digit 0?"),
    (re.compile("(?<=[〇一二三四五六七八九])[OoＯ0０](?=[〇一二三四五六七八九])"), "〇",
     "a letter O or the digit 0 inside a number written in Chinese: “〇”?"),
    (re.compile("(?<=[0-9])[lI](?=[0-9])|(?<![0-9A-Za-z.])[lI](?=[0-9]{3}(?![0-9]))"
                f"|(?<![0-9A-Za-z.])l(?=[0-9]{{1,2}}[{HAN}%％])"), "1",
     "a letter l or I inside a number, or before three digits (l984年), or a letter l "
     "before a number of a unit (l8万): the digit 1?"),
    (re.compile("[□■◻◼\ufffd]"), "the missing character",
     "a box or replacement character: a glyph lost in conversion or OCR"),
]
# 十 with no numeral on either side: a number only if it starts a word (十分, 十项).
_LONE_TEN = re.compile(f"(?<![{NUMERAL}第])十(?![{NUMERAL}])")


def _between_words(run: str, i: int) -> bool:
    """十 joining two words (体育十旅游), part of neither."""
    words = cf.frequencies()
    left = any(words.get(run[i - n:i], -99) >= WEAK_WORD for n in (2, 3, 4) if i >= n)
    right = any(words.get(run[i + 1:i + 1 + n], -99) >= WEAK_WORD for n in (2, 3, 4)
                if i + 1 + n <= len(run))
    return left and right and not wm.supported(run, i)


def _run_start(text: str, i: int) -> int:
    while i > 0 and RUN.match(text[i - 1]):
        i -= 1
    return i


# 即…又 for 既…又 (both … and; both ji4): a 即 in no word, 又 or 也 later in its clause.
# The People's Daily of January 1998 (1.8 million characters) has 既…又/也 37 times and a
# bare 即…又 once, itself this slip (即迅捷又准确).
_BOTH = re.compile("即(?=[^，。；！？、：,;!?:\n]{1,8}?[又也])")
# 千了25年 for 干了25年: a numeral cannot take 了 and then a number.
_DOING = re.compile(f"(?<![{NUMERAL}])([千于十])了(?=[0-9{NUMERAL[10:]}])")

