"""The PDF's own typographic checks, read back from the glyph positions of a built PDF."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

NO_START = set("，。、；：？！）》」』”’…·～—")
NO_END = set("（《「『“‘")
INVISIBLE = set("\u2060\u200b\u00ad")
ASCII_IN_CJK = re.compile(r"(?<=[\u3400-\u9fff])[,:;?!()](?=[\u3400-\u9fff])")
TOLERANCE = 1.0  # points: a line "ends at the right edge" within this


@dataclass
class Line:
    page: int
    top: float
    x0: float
    x1: float
    text: str
    body: bool  # set in the body face at the body size


@dataclass
class Report:
    """What a PDF's glyphs say about its typesetting."""

    body_lines: int = 0
    flush_lines: int = 0
    ragged: list[str] = field(default_factory=list)
    bad_starts: list[str] = field(default_factory=list)
    bad_ends: list[str] = field(default_factory=list)
    ascii_punctuation: list[str] = field(default_factory=list)
    toc_errors: list[str] = field(default_factory=list)
    outline: list[tuple[str, int, list[str]]] = field(default_factory=list)
    child_pages: dict[str, list[int]] = field(default_factory=dict)

    @property
    def flush_ratio(self) -> float:
        return self.flush_lines / self.body_lines if self.body_lines else 0.0

    def problems(self, min_flush: float = 0.99) -> list[str]:
        found = []
        if self.flush_ratio < min_flush:
            found.append(f"{self.flush_ratio:.1%} of non-final body lines are flush "
                         f"(at least {min_flush:.0%} expected)")
        found += [f"line starts with a closing mark: {t}" for t in self.bad_starts]
        found += [f"line ends with an opening mark: {t}" for t in self.bad_ends]
        found += [f"ASCII punctuation between Chinese characters: {t}"
                  for t in self.ascii_punctuation]
        found += self.toc_errors
        return found


def _outline(path: Path) -> tuple[list[tuple[str, int, list[str]]], dict[str, list[int]]]:
    """Level-1 outline entries (title, 1-based page, children's titles), children's pages."""
    import pypdf

    reader = pypdf.PdfReader(str(path))
    entries: list[tuple[str, int, list[str]]] = []
    pages: dict[str, list[int]] = {}
    for item in reader.outline:
        if isinstance(item, list):
            if entries:
                kids = [x for x in item if not isinstance(x, list)]
                entries[-1][2].extend(x.title for x in kids)
                pages[entries[-1][0]] = [reader.get_destination_page_number(x) + 1 for x in kids]
        else:
            entries.append((item.title, reader.get_destination_page_number(item) + 1, []))
    return entries, pages


def _lines(path: Path) -> list[Line]:
    import pdfplumber

    lines: list[Line] = []
    with pdfplumber.open(str(path)) as pdf:
        chars_all = [c for page in pdf.pages for c in page.chars]
        sizes = Counter(round(c["size"], 1) for c in chars_all if "Serif" in c["fontname"])
        body_size = sizes.most_common(1)[0][0] if sizes else 0
        for number, page in enumerate(pdf.pages, 1):
            rows: list[list[dict]] = []
            # Glyphs of one line share a baseline; their tops (faces differ) lie within 2 pt.
            # Clustered, not rounded to a 2 pt grid: a grid line can split a table row.
            for char in sorted(page.chars, key=lambda c: c["top"]):
                if char["text"] in INVISIBLE or not char["text"].strip():
                    continue
                if rows and char["top"] - rows[-1][0]["top"] <= 2:
                    rows[-1].append(char)
                else:
                    rows.append([char])
            for row in rows:
                top = row[0]["top"]
                chars = sorted(row, key=lambda c: c["x0"])
                serif = sum(1 for c in chars if "Serif" in c["fontname"]
                            and round(c["size"], 1) == body_size)
                lines.append(Line(number, top, chars[0]["x0"], chars[-1]["x1"],
                                  _join(chars), serif * 2 > len(chars)))
    return lines


def _join(chars: list[dict]) -> str:
    """A line's text, with one space where glyphs stand more than an em apart (table cells)."""
    parts = [chars[0]["text"]]
    for before, char in zip(chars, chars[1:], strict=False):
        if char["x0"] - before["x1"] > char["size"]:
            parts.append(" ")
        parts.append(char["text"])
    return "".join(parts)


def analyse(path: Path) -> Report:
    """Measure justification, line-breaking rules and the TOC of a built book."""
    outline, child_pages = _outline(path)
    report = Report(outline=outline, child_pages=child_pages)
    lines = _lines(path)
    chapters = [e for e in report.outline if e[2]]
    if chapters:
        first = chapters[0][1]
        after = [e[1] for e in report.outline if e[1] > chapters[-1][1]]
        last = (after[0] - 1) if after else max(line.page for line in lines)
        body = [line for line in lines if first <= line.page <= last]
    else:
        body = lines
    # The measure's right edge: where most body lines end (a few may overhang it).
    right = {parity: _mode([ln.x1 for ln in body if ln.body and ln.page % 2 == parity])
             for parity in (0, 1)}
    left = {parity: min((ln.x0 for ln in body if ln.body and ln.page % 2 == parity), default=0)
            for parity in (0, 1)}
    for index, line in enumerate(body):
        if line.text[0] in NO_START:
            report.bad_starts.append(f"p. {line.page}: {line.text[:12]}")
        if line.text[-1] in NO_END:
            report.bad_ends.append(f"p. {line.page}: …{line.text[-12:]}")
        report.ascii_punctuation += [f"p. {line.page}: {line.text}"
                                     for _ in ASCII_IN_CJK.findall(line.text)]
        following = body[index + 1] if index + 1 < len(body) else None
        if not line.body or following is None or not following.body:
            continue
        size = (line.x1 - line.x0) / max(len(line.text), 1)
        if following.x0 - left[following.page % 2] > size:  # indented: a new paragraph
            continue
        report.body_lines += 1
        if abs(right[line.page % 2] - line.x1) <= TOLERANCE:
            report.flush_lines += 1
        else:
            report.ragged.append(f"p. {line.page}: {line.text[-12:]} "
                                 f"({right[line.page % 2] - line.x1:.1f} pt short)")
    report.toc_errors = _check_toc(lines, report.outline) + _check_index(lines, report)
    return report


def _mode(values: list[float]) -> float:
    if not values:
        return 0.0
    best = Counter(round(v) for v in values).most_common(1)[0][0]
    return max(v for v in values if round(v) == best)


def _check_toc(lines: list[Line], outline: list[tuple[str, int, list[str]]]) -> list[str]:
    """Every TOC line naming an outline entry must give that entry's page."""
    toc_pages = {e[1] for e in outline if e[0] in ("目录", "Contents")}
    if not toc_pages:
        return ["no table of contents in the outline"]
    start = min(toc_pages)
    pages = {e[1] for e in outline}
    end = min((p for p in pages if p > start), default=start + 1)
    errors = []
    targets = {title: page for title, page, _ in outline}
    seen = set()
    for line in lines:
        if not start <= line.page < end:
            continue
        match = re.fullmatch(r"(.+?)[.·…\s]*?(\d+)", line.text)
        if not match:
            continue
        title, number = match.group(1).rstrip(". "), int(match.group(2))
        if title in targets:
            seen.add(title)
            if targets[title] != number:
                errors.append(f"TOC gives page {number} for {title}; it starts on page "
                              f"{targets[title]}")
    missing = [t for t, _, kids in outline if kids and t not in seen]
    errors += [f"TOC does not list {t}" for t in missing]
    return errors


def _check_index(lines: list[Line], report: Report) -> list[str]:
    """Each row of the by-question index must give the pages where that city's answers are."""
    starts = [page for title, page, _ in report.outline if title == "按问题索引"]
    if not starts:
        return []
    later = [page for _, page, _ in report.outline if page > starts[0]]
    end = min(later) if later else max(line.page for line in lines) + 1
    rows = 0
    errors = []
    for line in lines:
        if not starts[0] <= line.page < end:
            continue
        match = re.fullmatch(r"(\D+?)((?: (?:\d+|—))+)", line.text)
        if not match or match.group(1) not in report.child_pages:
            continue
        rows += 1
        expected = report.child_pages[match.group(1)]
        given = [int(n) for n in re.findall(r"\d+", match.group(2))]
        if given != expected:
            errors.append(f"index gives pages {given} for {match.group(1)}; its answers are on "
                          f"{expected}")
    cities = [title for title, _, kids in report.outline if kids]
    if rows < len(cities):
        errors.append(f"the by-question index lists {rows} of {len(cities)} regions")
    return errors
