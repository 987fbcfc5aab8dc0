"""The PDF's own typographic checks, read back from the glyph positions of a built PDF."""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from publisher.check.pdfread import Glyph, read_outline, read_pages
from publisher.text.chars import HAN_RANGES, NO_END, NO_START

INVISIBLE = set("\u2060\u200b\u00ad")
ASCII_IN_CJK = re.compile(f"(?<=[{HAN_RANGES}])[,:;?!()](?=[{HAN_RANGES}])")
TOLERANCE = 1.0  # points: a line "ends at the right edge" within this
BASELINE_TOLERANCE = 1.5  # points: glyphs whose baselines differ less share a line
EPSILON = 0.01  # points: rounding makes gaps meant to be equal differ this much


@dataclass
class Line:
    page: int
    top: float
    x0: float
    x1: float
    text: str
    body: bool  # set in the body face at the body size
    bottom: float = 0.0


@dataclass(frozen=True)
class Float:
    """An image placed on a page (a portrait floated into the text column, a figure)."""

    page: int
    x0: float
    top: float
    bottom: float


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
    child_pages: list[list[int]] = field(default_factory=list)  # per outline entry, in order

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


def _lines(path: Path) -> tuple[list[Line], list[Float]]:
    """The text lines of every page, and where images are placed."""
    lines: list[Line] = []
    floats: list[Float] = []
    pages = read_pages(path)
    sizes = Counter(round(c.size, 1) for chars, _ in pages for c in chars if "Serif" in c.font)
    body_size = sizes.most_common(1)[0][0] if sizes else 0
    for number, (chars, images) in enumerate(pages, 1):
        floats += [Float(number, x0, top, bottom) for x0, top, bottom in images]
        visible = [c for c in chars if c.text not in INVISIBLE and c.text.strip()]
        for row in _rows(visible):
            row = sorted(row, key=lambda c: c.x0)
            serif = sum(1 for c in row if "Serif" in c.font and round(c.size, 1) == body_size)
            lines.append(Line(number, min(c.top for c in row), row[0].x0, row[-1].x1,
                              _join(row), serif * 2 > len(row), max(c.bottom for c in row)))
    return lines, floats


def _rows(chars: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into lines by baseline: faces of one line differ in `top` (a sans
    heading cell beside serif numbers), never in baseline."""
    rows: list[list[Glyph]] = []
    for char in sorted(chars, key=lambda c: c.baseline):
        if rows and char.baseline - rows[-1][0].baseline < BASELINE_TOLERANCE:
            rows[-1].append(char)
        else:
            rows.append([char])
    return rows


def _join(chars: list[Glyph]) -> str:
    """A line's text, with one space where glyphs stand an em or more apart (table cells, an
    ideographic space: it is dropped with the other blank glyphs, and leaves an em's gap)."""
    parts = [chars[0].text]
    for before, char in zip(chars, chars[1:], strict=False):
        if char.x0 - before.x1 > char.size - EPSILON:
            parts.append(" ")
        parts.append(char.text)
    return "".join(parts)


def analyse(path: Path) -> Report:
    """Measure justification, line-breaking rules and the TOC of a built book."""
    outline, child_pages = read_outline(path)
    report = Report(outline=outline, child_pages=child_pages)
    lines, floats = _lines(path)
    chapters = [e for e in report.outline if e[2]]
    if chapters:
        first = chapters[0][1]
        after = [e[1] for e in report.outline if e[1] > chapters[-1][1]]
        last = (after[0] - 1) if after else max(line.page for line in lines)
        body = [line for line in lines if first <= line.page <= last]
    else:
        body = lines
    # The measure's right edge: where most body lines not beside a float end (a few may
    # overhang it).
    full = [ln for ln in body if ln.body and not any(_beside(ln, f, 0) for f in floats)]
    right = {parity: _mode([ln.x1 for ln in full if ln.page % 2 == parity])
             for parity in (0, 1)}
    left = {parity: min((ln.x0 for ln in body if ln.body and ln.page % 2 == parity), default=0)
            for parity in (0, 1)}
    measured = []  # non-final body lines: each should reach the edge of its space
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
        measured.append(line)
    edges = _float_edges(measured, floats)
    for line in measured:
        report.body_lines += 1
        ends = [right[line.page % 2], *edges(line)]
        if any(abs(end - line.x1) <= TOLERANCE for end in ends):
            report.flush_lines += 1
        else:
            short = min((end - line.x1 for end in ends if end > line.x1), default=0.0)
            report.ragged.append(f"p. {line.page}: {line.text[-12:]} ({short:.1f} pt short)")
    report.toc_errors = _check_toc(lines, report.outline) + _check_index(lines, report)
    return report


def _float_edges(lines: list[Line], floats: list[Float]) -> Callable[[Line], list[float]]:
    """Where the space beside a float ends, for the lines that may be set beside one.

    A line beside an image floated right ends at the image's left edge less its margin.
    The margin is read from the lines themselves: the offset from the image at which most
    lines wholly beside an image end (one CSS rule sets it for every float of a book), so a
    ragged line beside a float is still short of that edge.
    """
    if not floats:
        return lambda line: []
    pitch = _mode([b.top - a.top for a, b in zip(lines, lines[1:], strict=False)
                   if a.page == b.page and b.top > a.top]) or 20.0

    offset = _mode([line.x1 - image.x0 for line in lines for image in floats
                    if _beside(line, image, 0)])
    # A line box is taller than its glyphs, and the float's margin reaches below the image:
    # lines up to a line's pitch above and two below may also be set beside it.
    return lambda line: [image.x0 + offset for image in floats
                         if _beside(line, image, 2 * pitch)]


def _beside(line: Line, image: Float, reach: float) -> bool:
    """Whether `line` ends left of `image` with its glyphs within `reach` of it vertically."""
    return (line.page == image.page and line.x1 <= image.x0 + TOLERANCE
            and line.bottom > image.top - reach and line.top < image.bottom + reach)


def _mode(values: list[float]) -> float:
    if not values:
        return 0.0
    best = Counter(round(v) for v in values).most_common(1)[0][0]
    return max(v for v in values if round(v) == best)


def _names(outline: list[tuple[str, int, list[str]]]) -> list[str]:
    """Each chapter's title as a message names it: a title two chapters share (two interviews
    in one region) is told apart by its place among them."""
    titles = [title for title, _, kids in outline if kids]
    named, seen = [], Counter()
    for title in titles:
        seen[title] += 1
        named.append(f"{title} ({seen[title]} of {titles.count(title)})"
                     if titles.count(title) > 1 else title)
    return named


def _check_toc(lines: list[Line], outline: list[tuple[str, int, list[str]]]) -> list[str]:
    """Every TOC line naming an outline entry must give that entry's page.

    Entries are matched in order, not by title alone: the TOC lists the chapters in the
    outline's order, and two chapters may share a title (two interviews in one region).
    """
    toc_pages = {e[1] for e in outline if e[0] in ("目录", "Contents")}
    if not toc_pages:
        return ["no table of contents in the outline"]
    start = min(toc_pages)
    pages = {e[1] for e in outline}
    end = min((p for p in pages if p > start), default=start + 1)
    errors = []
    # Per title, the entries not yet met in the TOC: (page, name in messages, a chapter?).
    names = iter(_names(outline))
    pending: dict[str, deque[tuple[int, str, bool]]] = {}
    for title, page, kids in outline:
        pending.setdefault(title, deque()).append((page, next(names) if kids else title,
                                                   bool(kids)))
    for line in lines:
        if not start <= line.page < end:
            continue
        match = re.fullmatch(r"(.+?)[.·…\s]*?(\d+)", line.text)
        if not match:
            continue
        title, number = match.group(1).rstrip(". "), int(match.group(2))
        if pending.get(title):
            page, name, _ = pending[title].popleft()
            if page != number:
                errors.append(f"TOC gives page {number} for {name}; it starts on page {page}")
    errors += [f"TOC does not list {name}" for queue in pending.values()
               for _, name, chapter in queue if chapter]
    return errors


def _subsequence(items: list[int], sequence: list[int]) -> bool:
    """Whether `items` occur in `sequence` in the same order (not necessarily adjacent)."""
    rest = iter(sequence)
    return all(item in rest for item in items)


def _row_of(label: str, title: str) -> bool:
    """Whether an index row's label names the chapter `title`: the title alone, or followed by
    what tells apart two interviews in one region (玛曲县（才让）)."""
    return label == title or (label.startswith(title) and label[len(title)] in "（(·・ ")


def _check_index(lines: list[Line], report: Report) -> list[str]:
    """Each row of the by-question index must give the pages where that chapter's answers are.

    Rows are matched to chapters in order, as the index lists them: a region's name may head
    two rows (two interviews in one region), each with its own interview's pages.
    """
    starts = [page for title, page, _ in report.outline if title == "按问题索引"]
    if not starts:
        return []
    later = [page for _, page, _ in report.outline if page > starts[0]]
    end = min(later) if later else max(line.page for line in lines) + 1
    chapters = [(title, pages) for (title, _, kids), pages
                in zip(report.outline, report.child_pages, strict=True) if kids]
    names = _names(report.outline)
    position = 0  # the first chapter no row has named yet
    rows = 0
    cells = set()  # how many cells (pages or dashes) each row has: one per indexed question
    errors = []
    for line in lines:
        if not starts[0] <= line.page < end:
            continue
        # A row is a region, then a page or a dash per question (none if no question is asked).
        match = re.fullmatch(r"(\D+?)((?: (?:\d+|—))*)", line.text)
        if not match:
            continue
        found = next((k for k in range(position, len(chapters))
                      if _row_of(match.group(1), chapters[k][0])), None)
        if found is None:
            continue
        position = found + 1
        rows += 1
        cells.add(len(match.group(2).split()))
        expected = chapters[found][1]
        given = [int(n) for n in re.findall(r"\d+", match.group(2))]
        # An interview's own questions are bookmarked but not indexed, and a skipped standard
        # question is a dash: the row's pages are some of its questions' pages, in order.
        if not _subsequence(given, expected):
            errors.append(f"index gives pages {given} for {names[found]}; its answers are on "
                          f"{expected}")
    if len(cells) > 1:
        errors.append(f"the by-question index's rows have {sorted(cells)} cells: one per "
                      f"question expected in every row")
    if rows < len(chapters):
        errors.append(f"the by-question index lists {rows} of {len(chapters)} regions")
    return errors
