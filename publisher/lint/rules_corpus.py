"""Corpus consistency: a rare form one character away from a frequent one (typo, OCR slip)."""

from __future__ import annotations

from collections import Counter, defaultdict

from publisher.chars import HAN_RUN
from publisher.lint.cjk import at
from publisher.lint.document import Document, Field
from publisher.lint.finding import WARNING, Finding

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


def check(docs: list[Document]) -> list[Finding]:
    """A warning, with the frequent form as suggestion, for each suspect character."""
    runs = [(doc, fld, m.start(), m.group())
            for doc in docs for fld in doc.fields if fld.kind in PROSE_KINDS
            for m in RUN.finditer(fld.text)]
    counts: Counter[str] = Counter()
    longest = 2 * max(CONTEXT) + 1
    for *_, run in runs:
        for n in range(1, longest + 1):
            for i in range(len(run) - n + 1):
                counts[run[i:i + n]] += 1
    fills: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for gram, k in counts.items():
        if len(gram) >= 3:
            for p in range(1, len(gram) - 1):
                fills[(gram[:p], gram[p + 1:])][gram[p]] += k
    findings = []
    for doc, fld, start, run in runs:
        for i, ch in enumerate(run):
            best = _best(run, i, ch, counts, fills)
            if best:
                findings.append(_finding(doc, fld, start + i, *best))
    return findings


def _best(run: str, i: int, ch: str, counts: Counter[str],
          fills: dict[tuple[str, str], Counter[str]]) -> tuple[str, str, int, int] | None:
    if counts[ch] > MAX_CHAR or i == 0 or i == len(run) - 1:
        return None
    if counts[run[i - 1] + ch] > MAX_PAIR or counts[ch + run[i + 1]] > MAX_PAIR:
        return None
    best: tuple[str, str, int, int] | None = None
    for left in CONTEXT:
        for right in CONTEXT:
            if i - left < 0 or i + 1 + right > len(run):
                continue
            a, b = run[i - left:i], run[i + 1:i + 1 + right]
            rare = counts[a + ch + b]
            if rare > MAX_RARE:
                continue
            for other, k in fills[(a, b)].items():
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
