"""Corpus consistency: a rare form one character away from a frequent one (typo, OCR slip)."""

from __future__ import annotations

from collections import Counter

from publisher.lint.cjk import at
from publisher.lint.document import Document, Field
from publisher.lint.finding import WARNING, Finding
from publisher.text.chars import HAN_RUN

# Thresholds measured on the first book (docs/linter.md): looser values drown the real
# slips in ordinary word variation, stricter ones lose them.
MAX_RARE = 2  # the suspect form occurs at most this often
MIN_FREQUENT = 5  # the form it resembles occurs at least this often ...
MIN_RATIO = 3  # ... and this many times more often than the suspect
MAX_CHAR = 5  # the suspect character itself is rare in the book
MAX_PAIR = 2  # and forms a rare pair with each neighbour: it fits no word there
CONTEXT = (1, 2, 3)  # characters of context on each side; both sides are required
PROSE_KINDS = frozenset({"headline", "answer", "notes"})
RUN = HAN_RUN


MAX_SUSPECTS = 20_000  # rare characters examined; ordinary text has a few hundred


def check(docs: list[Document]) -> list[Finding]:
    """A warning, with the frequent form as suggestion, for each suspect character.

    Only the contexts around rare characters are counted, each in one pass over the text,
    so time and memory stay linear in the book (2 MB of text lints in seconds).
    """
    runs = [(doc, fld, m.start(), m.group())
            for doc in docs for fld in doc.fields if fld.kind in PROSE_KINDS
            for m in RUN.finditer(fld.text)]
    chars: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for *_, run in runs:
        chars.update(run)
        pairs.update(run[i:i + 2] for i in range(len(run) - 1))
    suspects = [(r, i) for r, (*_, run) in enumerate(runs) for i in range(1, len(run) - 1)
                if chars[run[i]] <= MAX_CHAR and pairs[run[i - 1:i + 1]] <= MAX_PAIR
                and pairs[run[i:i + 2]] <= MAX_PAIR][:MAX_SUSPECTS]
    # fills[(a, b)][x]: how often a + x + b occurs, for the contexts around the suspects.
    fills: dict[tuple[str, str], Counter[str]] = {}
    for left in CONTEXT:
        for right in CONTEXT:
            for r, i in suspects:
                run = runs[r][3]
                if i - left >= 0 and i + 1 + right <= len(run):
                    fills.setdefault((run[i - left:i], run[i + 1:i + 1 + right]), Counter())
            if not fills:
                continue
            for *_, run in runs:
                for i in range(left, len(run) - right):
                    counter = fills.get((run[i - left:i], run[i + 1:i + 1 + right]))
                    if counter is not None:
                        counter[run[i]] += 1
    findings = []
    for r, i in suspects:
        doc, fld, start, run = runs[r]
        best = _best(run, i, run[i], fills)
        if best:
            findings.append(_finding(doc, fld, start + i, *best))
    return findings


def _best(run: str, i: int, ch: str,
          fills: dict[tuple[str, str], Counter[str]]) -> tuple[str, str, int, int] | None:
    best: tuple[str, str, int, int] | None = None
    for left in CONTEXT:
        for right in CONTEXT:
            if i - left < 0 or i + 1 + right > len(run):
                continue
            a, b = run[i - left:i], run[i + 1:i + 1 + right]
            found = fills[(a, b)]
            rare = found[ch]
            if rare > MAX_RARE:
                continue
            for other, k in found.items():
                frequent = other != ch and k >= MIN_FREQUENT and k >= MIN_RATIO * rare
                if frequent and (best is None or k > best[3]):
                    best = (a + ch + b, a + other + b, rare, k)
    return best


def _finding(doc: Document, fld: Field, offset: int, rare_form: str, frequent: str,
             rare: int, frequent_count: int) -> Finding:
    times = "once" if rare == 1 else "twice"
    return at(doc, fld, offset, "corpus.slip", WARNING,
              f"“{rare_form}” occurs {times} in the book, “{frequent}” {frequent_count} times: "
              "a typo or OCR slip?", rare_form, suggestion=frequent)
