"""Place names an office may begin with, without 市 or 县: 青岛大剧院, 宁波航标处."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@cache
def _places() -> frozenset[str]:
    """The cities, counties and other places of data/places.tsv.gz (benchmarks/places_data)."""
    with gzip.open(DATA / "places.tsv.gz", "rt", encoding="utf-8") as f:
        return frozenset(line.split("\t", 1)[0] for line in f)


def place_at_start(text: str) -> str | None:
    """The longest known place name that `text` begins with (青岛 in 青岛大剧院), if any."""
    known = _places()
    return next((text[:n] for n in (4, 3, 2) if text[:n] in known), None)
