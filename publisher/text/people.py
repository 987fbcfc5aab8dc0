"""Chinese personal names: how often a character is a surname or part of a given name."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SURNAME_SEEN = 2  # times seen as a surname in the counted text: 309 characters, 供 never


@cache
def _counts() -> dict[str, tuple[int, int, int]]:
    """Per character: times a one-character surname, times in a given name, times seen."""
    with gzip.open(DATA / "names.tsv.gz", "rt", encoding="utf-8") as f:
        next(f)
        return {ch: (int(surname), int(given), int(seen)) for ch, surname, given, seen in
                (line.rstrip("\n").split("\t") for line in f)}


@cache
def shares() -> tuple[dict[str, float], dict[str, float]]:
    """How often (0–1) each character is a surname where it occurs, and how often it is part
    of a given name (seen there twice at least), in the news text of data/names.tsv.gz."""
    surnames, given = {}, {}
    for ch, (as_surname, in_given, seen) in _counts().items():
        if as_surname:
            surnames[ch] = as_surname / seen
        if in_given >= 2:
            given[ch] = in_given / seen
    return surnames, given


def is_surname(ch: str) -> bool:
    """Whether a character is a surname (王, 高, 何; not 供, 会)."""
    return _counts().get(ch, (0, 0, 0))[0] >= SURNAME_SEEN
