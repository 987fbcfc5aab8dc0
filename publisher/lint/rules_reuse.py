"""Text reuse: a long passage that appears in two interviews, likely pasted into the wrong one."""

from __future__ import annotations

from collections import defaultdict

from publisher.lint.cjk import at
from publisher.lint.document import Document, Field
from publisher.lint.finding import ERROR, Finding

# Measured on the first book (docs/linter.md): shared slogans and set phrases run to 31
# characters, the pasted passages to 42 and more.
MIN_PASSAGE = 36
WIDTH = {ord(h): f for h, f in zip(",:;?!()", "，：；？！（）", strict=True)}


MAX_PLACES = 8  # occurrences of one window kept: more is a refrain, not a pasted passage
MAX_WORK = 2_000_000  # window pairs compared in all; bounds the rule on any corpus


def check(docs: list[Document], min_passage: int = MIN_PASSAGE) -> list[Finding]:
    """An error on both sides for each passage of min_passage+ characters two interviews share.

    Each window of min_passage characters is hashed once and kept for at most MAX_PLACES
    paragraphs (its first place in each), so the rule is linear in the text; the pair work
    is capped at MAX_WORK, which only a corpus of many copies of one text reaches.
    """
    paragraphs = [(doc, fld, fld.text.translate(WIDTH))
                  for doc in docs for fld in doc.fields if fld.kind == "answer"]
    index: dict[int, list[tuple[int, int]]] = {}
    for p, (_, _, text) in enumerate(paragraphs):
        for i in range(len(text) - min_passage + 1):
            places = index.setdefault(hash(text[i:i + min_passage]), [])
            if len(places) < MAX_PLACES and (not places or places[-1][0] != p):
                places.append((p, i))
    # Shared windows grouped by paragraph pair and diagonal, merged into maximal passages.
    diagonals: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    work = 0
    for places in index.values():
        if len(places) < 2:
            continue
        for x, (p, i) in enumerate(places):
            window = paragraphs[p][2][i:i + min_passage]
            for q, j in places[x + 1:]:
                work += 1
                if paragraphs[p][0] is not paragraphs[q][0] and \
                        paragraphs[q][2][j:j + min_passage] == window:  # not a hash collision
                    diagonals[(p, q, j - i)].append(i)
        if work > MAX_WORK:
            break
    findings = []
    for (p, q, shift), starts in diagonals.items():
        for first, last in _runs(sorted(set(starts))):
            length = last - first + min_passage
            findings += _pair(paragraphs[p][:2], first, paragraphs[q][:2], first + shift, length)
    return findings


def _runs(starts: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for s in starts:
        if runs and s == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], s)
        else:
            runs.append((s, s))
    return runs


def _pair(one: tuple[Document, Field], i: int, two: tuple[Document, Field], j: int,
          length: int) -> list[Finding]:
    (doc1, fld1), (doc2, fld2) = one, two
    passage = fld1.text[i:i + length]
    line1, _ = doc1.locate(fld1, i)
    line2, _ = doc2.locate(fld2, j)
    shown = passage if length <= 24 else passage[:20] + "…"
    return [
        at(doc1, fld1, i, "reuse.passage", ERROR,
           f"passage of {length} characters “{shown}” also appears in {doc2.rel}:{line2}: "
           "pasted into the wrong interview?", passage),
        at(doc2, fld2, j, "reuse.passage", ERROR,
           f"passage of {length} characters “{shown}” also appears in {doc1.rel}:{line1}: "
           "pasted into the wrong interview?", fld2.text[j:j + length]),
    ]
