"""Typeset the book in parts: laid out in parallel worker processes, cached, then merged.

The front matter, groups of chapters and the back matter are separate WeasyPrint documents.
Every part starts on a recto, so left and right pages are known inside each part; what a part
cannot know before the parts ahead of it are paginated is its first page number, which only
the folios use: a worker paginates its part, reports the page count, waits for its first page
number, then lays out the margin boxes and writes (partworker.py). The table of contents and
the index, whose numbers point into other parts, are laid out last with the numbers written
out. Each part's PDF is cached by its HTML and first page, so a rebuild after editing one
interview lays out only that interview's part.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from multiprocessing.connection import Connection
from pathlib import Path

from publisher import cache
from publisher.content.geometry import page_margins
from publisher.content.model import Project
from publisher.errors import BuildError
from publisher.names import INPUT_DIRS
from publisher.pdf import merge as pdfmerge
from publisher.pdf import weasy
from publisher.pdf.html import html_for_pdf
from publisher.pdf.imprint import padded
from publisher.pdf.types import Part, TypesetPDF
from publisher.pdf.worker import Job, Outcome, Pool, die_with_parent

# Characters of interview text per part: about six A5 pages, enough that WeasyPrint's fixed
# cost per document (some 0.09 s with its blank and dropped pages) stays small, few enough that
# an edit re-lays out little. A long book gets longer parts, at most MAX_PARTS of them: the
# fixed cost stays bounded, and a part of some 40 pages still fits in a worker's memory.
PART_CHARS = 2400
MAX_PARTS = 64
# The part cache keeps the most recently used parts up to this size ($PUBLISHER_CACHE_MB):
# some 50 cold builds of a 2,000-page book, or thousands of edits to a small one.
CACHE_BYTES = int(float(os.environ.get("PUBLISHER_CACHE_MB", "512")) * 2**20)
FRONT_SIZE, FRONT = -2, -1  # job indexes of the front matter's sizing pass and final pass


def plan(project: Project, size: int | None = None) -> list[tuple]:
    """The interviews grouped, in book order, into parts of about `size` characters."""
    lengths = [sum(len(pair.question) + sum(map(len, pair.answer)) for pair in interview.qa)
               for interview in project.interviews]
    size = size or max(PART_CHARS, sum(lengths) // MAX_PARTS)
    groups: list[list] = [[]]
    filled = 0
    for interview, length in zip(project.interviews, lengths, strict=True):
        if groups[-1] and filled + length > size:
            groups.append([])
            filled = 0
        groups[-1].append(interview)
        filled += length
    return [tuple(group) for group in groups if group]


@dataclass
class _Run:
    """One pass over the parts, with the front matter assumed to fill `front_pages`."""

    front_pages: int | None
    counts: dict[int, int] = field(default_factory=dict)
    done: dict[int, Outcome] = field(default_factory=dict)
    waiting: dict[int, Connection] = field(default_factory=dict)


class PartTypesetter:
    """Lay out, cache and merge the parts of one book, with the workers of `pool` (which
    the caller owns: it is neither started nor closed here)."""

    def __init__(self, project: Project, edition: str, variant: str,
                 when: dt.datetime | None, faces: list, pool: Pool) -> None:
        self.render: Callable[..., str] = lambda part, pages, printed=None, blanks=0: \
            html_for_pdf(project, faces, edition, when, part=part, pages=pages,
                         printed=printed, blanks=blanks)
        # Print: the pages are made up to whole signatures with blanks before the colophon.
        self.signature = project.book.printing.signature if edition == "print" else 0
        self.printed: int | None = None  # the pages in whole signatures, once guessed
        self.groups = plan(project)
        self.chapters = [self.render(Part(False, group, False, sentinel=True), {})
                         for group in self.groups]
        self.salt = _salt(project, faces, variant)
        self.margins = page_margins(project.book.page.margins)
        self.pool = pool
        self.laid_out = 0  # parts WeasyPrint laid out in this run (the rest came from cache)

    def typeset(self) -> TypesetPDF:
        front = None
        for _ in range(3):
            run = _Run(front)
            chapters = self._chapters(run)
            pages = self._anchor_pages(run, chapters)
            back_start = self._start(run, len(chapters))
            back_html = natural_html = self.render(Part(False, (), True), pages)
            # The front matter is laid out beside the back matter, guessing that anchors
            # in the back matter (the index) are on its first page; checked below.
            guess = _Guess(pages, back_start)
            printed, blanks = self._printed(back_start, back_html)
            back_html = self.render(Part(False, (), True), pages, printed, blanks)
            self.printed = printed
            front_html = self._front_html(guess)
            back, final_front = self._known_start([
                (len(chapters), back_html, back_start, False), (FRONT, front_html, 1, True)])
            pages.update({name: back_start + n - 1 for name, n in back.anchors.items()})
            redo = []
            if self.signature:  # the back matter's length was a guess: make it up again
                natural = back_start - 1 + back.pages - blanks
                # For the next build's guess (_printed): the length without blanks.
                cache.store_bytes("part-size", self._key("size", natural_html),
                                  str(back.pages - blanks).encode())
                now_printed = padded(natural, self.signature)
                if (now_printed, now_printed - natural) != (printed, blanks):
                    printed, blanks = now_printed, now_printed - natural
                    back_html = self.render(Part(False, (), True), pages, printed, blanks)
                    redo.append((len(chapters), back_html, back_start, False))
            if redo or any(pages.get(name) != back_start for name in guess.guessed):
                self.printed = printed
                front_html = self._front_html(pages)
                redo.append((FRONT, front_html, 1, True))
            if redo:
                redone = self._known_start(redo)
                if len(redone) == 2:
                    back = redone[0]
                final_front = redone[-1]
            if final_front.pages == run.front_pages:
                break
            front = final_front.pages  # the numbers made it longer or shorter: again
        else:
            raise BuildError("the front matter's length kept changing with its page "
                             "numbers; shorten the table of contents")
        outcomes = [final_front, *chapters, back]
        font_files: dict[str, tuple[str, int]] = {}
        for outcome in outcomes:
            font_files.update(outcome.font_files)
        merging = _Merging([o.data for o in outcomes], font_files)
        cache.prune("part", CACHE_BYTES)
        pages.update(final_front.anchors)  # the front matter starts on page 1
        lines = [page for outcome in outcomes for page in outcome.lines]
        return TypesetPDF(merging.result, sum(o.pages for o in outcomes), pages, lines,
                          cover_key=self._key("cover", front_html), parts=len(outcomes),
                          cached=sum(o.cached for o in outcomes))

    # -- the stages -------------------------------------------------------------------

    def _front_html(self, pages: dict[str, int] | None = None) -> str:
        """The front matter; without `pages`, with placeholder numbers (to count its pages).
        In print, its copyright page counts `self.printed` pages."""
        return self.render(Part(True, (), False, sentinel=True), {} if pages is None else pages,
                           self.printed)

    def _printed(self, back_start: int, back_html: str) -> tuple[int | None, int]:
        """The print edition's pages in whole signatures, and the blanks that make them up,
        from the back matter's length when a previous build laid it out (else one page)."""
        if not self.signature:
            return None, 0
        known = cache.load_bytes("part-size", self._key("size", back_html))
        natural = back_start - 1 + (int(known) if known is not None else 1)
        printed = padded(natural, self.signature)
        return printed, printed - natural

    @cached_property
    def _sizing_html(self) -> str:
        """The front matter with placeholder numbers, rendered once: to count its pages."""
        return self._front_html()

    @cached_property
    def _sizing_key(self) -> str:
        return self._key("size", self._sizing_html)

    def _chapters(self, run: _Run) -> list[Outcome]:
        """Every group of chapters laid out (or found in the cache), in order."""
        n = len(self.chapters)
        queued: set[int] = set()
        if run.front_pages is None:
            if (known := cache.load_bytes("part-size", self._sizing_key)) is not None:
                run.front_pages = int(known)
            else:  # counted by a worker while the others lay out chapters
                self.pool.submit(Job(FRONT_SIZE, self._sizing_html, sentinel=True, write=False))
        for i, html in enumerate(self.chapters):
            if (known := cache.load_bytes("part-size", self._key("size", html))) is not None:
                run.counts[i] = int(known)
        while len(run.done) < n or run.front_pages is None:
            for i in range(n):
                if i in run.done or i in queued:
                    continue
                start = self._start(run, i)
                if start is not None and (hit := self._cached(self.chapters[i], start, i)):
                    run.done[i] = hit
                elif start is not None or i not in run.counts:
                    self.pool.submit(Job(i, self.chapters[i], True, margins=self.margins))
                    queued.add(i)
            if len(run.done) < n or run.front_pages is None:
                self._handle(run, self.pool.messages())
        return [run.done[i] for i in range(n)]

    def _start(self, run: _Run, i: int) -> int | None:
        """The first page of chapter group `i` (of the back matter when `i` is past the last),
        once the front matter and every group before it are counted."""
        if run.front_pages is None or any(k not in run.counts for k in range(i)):
            return None
        return run.front_pages + sum(run.counts[k] for k in range(i)) + 1

    def _handle(self, run: _Run, messages: list) -> None:
        for conn, message in messages:
            if message[0] == "paginated":
                _, i, pages = message
                run.counts[i] = pages - 1  # the sentinel's page is dropped
                run.waiting[i] = conn
                continue
            outcome = self._checked(message[1])
            if outcome.index == FRONT_SIZE:
                run.front_pages = outcome.pages
                cache.store_bytes("part-size", self._sizing_key, str(outcome.pages).encode())
                continue
            i = outcome.index
            run.done[i] = outcome
            self._remember(self.chapters[i], self._start(run, i), outcome)
        for i, conn in list(run.waiting.items()):
            if (start := self._start(run, i)) is not None:
                conn.send(("offset", start - 1))
                del run.waiting[i]

    def _known_start(self, parts: list[tuple[int, str, int, bool]]) -> list[Outcome]:
        """Parts whose first page is known in advance (front and back matter), laid out
        together: (index, html, first page, sentinel) each."""
        found: dict[int, Outcome] = {}
        offsets = {}
        for index, html, start, sentinel in parts:
            if hit := self._cached(html, start, index):
                found[index] = hit
            else:
                offsets[index] = start - 1
                self.pool.submit(Job(index, html, sentinel, margins=self.margins))
        while len(found) < len(parts):
            for conn, message in self.pool.messages():
                if message[0] == "paginated":
                    conn.send(("offset", offsets[message[1]]))
                    continue
                outcome = found[message[1].index] = self._checked(message[1])
                index, html, start, _ = next(p for p in parts if p[0] == outcome.index)
                self._remember(html, start, outcome)
        return [found[index] for index, *_ in parts]

    def _anchor_pages(self, run: _Run, chapters: list[Outcome]) -> dict[str, int]:
        pages: dict[str, int] = {}
        for i, outcome in enumerate(chapters):
            start = self._start(run, i)
            for name, n in outcome.anchors.items():
                pages.setdefault(name, start + n - 1)
        return pages

    # -- cache and checks -------------------------------------------------------------

    def _key(self, kind: str, html: str, start: int | None = None) -> str:
        return hashlib.sha256(f"{kind}|{self.salt}|{start}|".encode() + html.encode()).hexdigest()

    def _remember(self, html: str, start: int, outcome: Outcome) -> None:
        """Cache a part laid out in this build: its PDF at this first page, and its length."""
        cache.store_bytes("part-size", self._key("size", html), str(outcome.pages).encode())
        cache.store_bytes("part", self._key("part", html, start), _pack(outcome))

    def _cached(self, html: str, start: int, index: int) -> Outcome | None:
        data = cache.load_bytes("part", self._key("part", html, start))
        outcome = _unpack(data, index) if data is not None else None
        if outcome is not None and all(Path(p).is_file() for p, _ in outcome.font_files.values()):
            return outcome
        return None

    def _checked(self, outcome: Outcome) -> Outcome:
        if outcome.error:
            raise BuildError(f"WeasyPrint failed on a part of the book: {outcome.error}")
        weasy.refuse(outcome.refused, outcome.warnings)
        self.laid_out += 1
        return outcome


class _Merging:
    """The merge of the parts, in a forked process: the caller makes the EPUB meanwhile."""

    def __init__(self, parts: list[bytes], font_files: dict[str, tuple[str, int]]) -> None:
        import multiprocessing

        self.conn, theirs = multiprocessing.Pipe(duplex=False)
        self.process = multiprocessing.get_context("fork").Process(
            target=_merge, args=(theirs, parts, font_files), daemon=True)
        self.process.start()
        theirs.close()

    def result(self) -> bytes:
        try:
            kind, payload = self.conn.recv()
        except EOFError:
            raise BuildError("the process merging the typeset parts died (out of memory?)") \
                from None
        finally:
            self.conn.close()
            self.process.join()
        if kind != "pdf":
            raise BuildError(f"merging the typeset parts failed: {payload}")
        return payload

    def __del__(self) -> None:
        # Never waited for (the EPUB failed, say): do not leave it blocked on a full pipe.
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _merge(conn: Connection, parts: list[bytes], font_files: dict[str, tuple[str, int]]) -> None:
    die_with_parent()
    try:
        conn.send(("pdf", pdfmerge.merge(parts, font_files)))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


class _Guess(dict):
    """Page numbers known so far; any other anchor is guessed to be on `default`."""

    def __init__(self, known: dict[str, int], default: int) -> None:
        super().__init__(known)
        self.default = default
        self.guessed: set[str] = set()

    def __missing__(self, name: str) -> int:
        self.guessed.add(name)
        return self.default


def _salt(project: Project, faces: list, variant: str) -> str:
    """What a part's PDF depends on besides its HTML: the tool, the fonts, the variant, and
    every non-YAML file of the project (images, user layouts) the HTML may point at."""
    digest = hashlib.sha256(f"{cache.tool_digest()}|{variant}\n".encode())
    for face in faces:
        digest.update(f"{face.role}={cache.file_key(face.path)}\n".encode())
    for name in INPUT_DIRS:
        folder = project.root / name
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                if path.suffix not in (".yaml", ".yml"):
                    digest.update(f"{path.relative_to(project.root)}\0".encode())
                    digest.update(path.read_bytes())
    return digest.hexdigest()


def _pack(outcome: Outcome) -> bytes:
    head = {"pages": outcome.pages, "anchors": outcome.anchors, "lines": outcome.lines,
            "font_files": outcome.font_files,
            "sha256": hashlib.sha256(outcome.data).hexdigest()}
    return json.dumps(head, sort_keys=True).encode() + b"\n" + outcome.data


def _unpack(data: bytes, index: int) -> Outcome | None:
    try:
        head, pdf = data.split(b"\n", 1)
        meta = json.loads(head)
        if hashlib.sha256(pdf).hexdigest() != meta["sha256"]:
            return None  # a damaged entry is a miss, never a broken book
        fonts = {k: (str(v[0]), int(v[1])) for k, v in meta["font_files"].items()}
        return Outcome(index, int(meta["pages"]), pdf, dict(meta["anchors"]),
                       [list(map(str, page)) for page in meta["lines"]], fonts, cached=True)
    except (ValueError, KeyError, TypeError, IndexError):
        return None  # a damaged cache entry is a miss, never an error


def typeset(project: Project, edition: str, variant: str, when: dt.datetime | None,
            faces: list, pool: Pool) -> TypesetPDF:
    """The book's PDF, typeset in parts by `pool`'s workers; its merge runs in another
    process from here on, and the result's `data` waits for it."""
    return PartTypesetter(project, edition, variant, when, faces, pool).typeset()
