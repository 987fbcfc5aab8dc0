"""The worker processes that lay out the parts of the book with WeasyPrint, and their pool."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

import cffi

from publisher.errors import BuildError
from publisher.log import capture
from publisher.pdf import weasy
from publisher.pdf.pagetext import pdf_page_lines


@dataclass
class Job:
    """One part to lay out. Without `write`, only its page count is wanted (sizing)."""

    index: int
    html: str
    sentinel: bool
    write: bool = True
    margins: tuple[float, float] = (0.0, 0.0)  # of the type area, for the lines of each page


@dataclass
class Outcome:
    """A part laid out: its pages (after dropping the sentinel's), PDF and where things are."""

    index: int
    pages: int
    data: bytes = b""
    anchors: dict[str, int] = field(default_factory=dict)  # anchor → page within the part
    lines: list[list[str]] = field(default_factory=list)  # see pagetext.pdf_page_lines
    font_files: dict[str, tuple[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    error: str = ""
    cached: bool = False  # read back from the part cache, not laid out in this build


class _Sized(Exception):  # noqa: N818 - a signal, not an error
    """Raised from the pagination hook of a sizing job: the page count is all it needs."""

    def __init__(self, pages: int) -> None:
        super().__init__(pages)
        self.pages = pages


_ffi = cffi.FFI()
_ffi.cdef("""
    void *pango_fc_font_get_pattern (void *font);
    int FcPatternGetString (void *p, const char *object, int n, unsigned char **s);
    int FcPatternGetInteger (void *p, const char *object, int n, int *i);
""")


class _Session:
    """The hooks' view of the job in progress: they run deep inside WeasyPrint."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.job: Job | None = None
        self.font_files: dict[str, tuple[str, int]] = {}
        self.paginated = False
        self._libs = None

    def offset(self, pages: int) -> int:
        """Report the part's page count; wait for the page number its first page gets."""
        assert self.job is not None
        if not self.job.write:
            raise _Sized(pages)
        self.conn.send(("paginated", self.job.index, pages))
        kind, offset = self.conn.recv()
        assert kind == "offset"
        return offset

    def font_file(self, pango_font: object) -> tuple[str, int] | None:
        """The file and face index fontconfig chose for a Pango font."""
        if self._libs is None:
            self._libs = (_ffi.dlopen("libpangoft2-1.0.so.0"), _ffi.dlopen("libfontconfig.so.1"))
        pangoft2, fontconfig = self._libs
        from weasyprint.text.ffi import ffi as weasy_ffi

        pattern = pangoft2.pango_fc_font_get_pattern(
            _ffi.cast("void *", int(weasy_ffi.cast("uintptr_t", pango_font))))
        name, index = _ffi.new("unsigned char **"), _ffi.new("int *")
        if pattern == _ffi.NULL or fontconfig.FcPatternGetString(pattern, b"file", 0, name):
            return None
        fontconfig.FcPatternGetInteger(pattern, b"index", 0, index)
        return _ffi.string(name[0]).decode(), index[0]


def _install(session: _Session) -> None:
    """Patch WeasyPrint for parts: page numbers from an offset, fonts left for the merge."""
    import weasyprint.layout as layout
    from weasyprint.pdf import fonts

    make_margin_boxes = layout.make_margin_boxes

    def numbered_margin_boxes(context, page, state):  # noqa: ANN001, ANN202
        # Called once per page after the whole part is paginated, before any margin box
        # (folios) is laid out: the moment to learn where the part starts in the book.
        if not session.paginated:
            session.paginated = True
            offset = session.offset(len(context.page_maker) - 1)
            for entry in context.page_maker:
                counters = entry[3][1]
                if "page" in counters:
                    counters["page"] = [counters["page"][0] + offset]
        return make_margin_boxes(context, page, state)

    layout.make_margin_boxes = numbered_margin_boxes

    font_init = fonts.Font.__init__

    def recording_init(self, pango_font, description, font_size):  # noqa: ANN001, ANN202
        font_init(self, pango_font, description, font_size)
        found = session.font_file(pango_font)
        if found is not None:
            session.font_files[self.hash] = found

    def placeholder_clean(self, to_unicode, hinting):  # noqa: ANN001, ANN202
        # The merge subsets each face once for the whole book; subsetting here too would
        # cost a HarfBuzz pass per part and face for bytes that are thrown away.
        # Only the first four bytes are read before the merge replaces them: they choose
        # FontFile3/CIDFontType0 (CFF) or FontFile2/CIDFontType2. A face of a collection
        # starts with "ttcf" here, while its subset is a lone CFF or TrueType font.
        cff = "CFF " in self.tables or "CFF2" in self.tables
        self.file_content = b"OTTO" if cff else b"\x00\x01\x00\x00"

    fonts.Font.__init__ = recording_init
    fonts.Font.clean = placeholder_clean


def _run(session: _Session, job: Job, root: Path, variant: str) -> Outcome:
    session.job, session.paginated, session.font_files = job, False, {}
    fetcher = weasy.fetcher(root)
    with capture("weasyprint") as collected:
        try:
            document = weasy.lay_out(job.html, root, fetcher)
        except _Sized as sized:
            return Outcome(job.index, sized.pages - job.sentinel)
        pages = document.pages[:-1] if job.sentinel else document.pages
        if not pages:  # a PDF of no pages cannot be merged, nor read back
            return Outcome(job.index, 0, error="its layout set no page at all (an empty or "
                           "always-false user layout in layouts/pdf/?)")
        anchors = weasy.anchor_pages(pages)
        data = weasy.write_pdf(document, variant, pages)
    # Read here, in parallel, rather than from the merged book (the EPUB's page-list needs
    # them); text extraction needs only the ToUnicode maps, not the fonts left for the merge.
    lines = pdf_page_lines(data, job.margins)
    return Outcome(job.index, len(pages), data, anchors, lines, dict(session.font_files),
                   collected.messages, list(fetcher.refused))


def die_with_parent() -> None:
    """Make this forked process end with its parent, even one killed by SIGKILL.

    Daemon processes are ended by the parent's exit handlers only; a parent killed outright
    would leave them running, re-parented to PID 1 and holding its stdout open. The
    parent's signal handlers (the CLI's SIGTERM → clean stop) are the parent's, not ours.
    """
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before the call above: nobody waits for us
        os._exit(1)


def serve(conn: Connection, root: Path, variant: str) -> None:
    """Lay out the jobs received on `conn` until None arrives; answer each with an Outcome."""
    import gc

    from publisher.pdf import justify

    die_with_parent()
    justify.install()
    session = _Session(conn)
    _install(session)
    while (job := conn.recv()) is not None:
        try:
            outcome = _run(session, job, root, variant)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
            outcome = Outcome(job.index, 0, error="".join(
                traceback.format_exception_only(type(exc), exc)).strip())
        conn.send(("done", outcome))
        gc.collect()  # the part's boxes form cycles: free them before the next part


def parts_possible() -> bool:
    """Whether this system can fork the workers that typeset in parts (not on Windows)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def workers_wanted() -> int:
    """Worker processes: $PUBLISHER_JOBS, else one per CPU this process may use."""
    if os.environ.get("PUBLISHER_JOBS", "").isdigit() and int(os.environ["PUBLISHER_JOBS"]) > 0:
        return int(os.environ["PUBLISHER_JOBS"])
    return max(1, len(os.sched_getaffinity(0)))


class Pool:
    """Forked WeasyPrint workers answering jobs; use as a context manager.

    `start()` forks one at once, to import WeasyPrint while the parent loads and renders the
    book (an edit to one interview then needs no other); the others are forked on first use
    and import it too. Without `start()`, the parent imports WeasyPrint before the first fork
    and every worker shares it. A worker that never got a
    job is killed on closing, not waited for: a build whose parts were all cached does not
    wait for an import it did not need.
    """

    def __init__(self, root: Path, variant: str, size: int | None = None) -> None:
        self.args = (Path(root), variant)  # variant: a key of names.PDF_VARIANTS
        self.size = size or workers_wanted()
        self.idle: list[Connection] = []
        self.busy: dict[Connection, int] = {}
        self.used: set[Connection] = set()
        self.processes: dict[Connection, object] = {}
        self.queue: list[Job] = []

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        if exc_type is not None:  # interrupted or failed: no part is wanted any more
            for conn in self.busy:
                self.processes[conn].kill()
        self.close()

    def start(self, count: int = 1) -> Pool:
        """Fork `count` workers now (they import WeasyPrint while the caller goes on)."""
        while len(self.processes) < min(count, self.size):
            self._fork()
        return self

    def _fork(self) -> None:
        import multiprocessing

        ours, theirs = multiprocessing.Pipe()
        process = multiprocessing.get_context("fork").Process(
            target=serve, args=(theirs, *self.args), daemon=True)
        process.start()
        theirs.close()
        self.processes[ours] = process
        self.idle.append(ours)

    def submit(self, job: Job) -> None:
        self.queue.append(job)
        self._dispatch()

    def _dispatch(self) -> None:
        while self.queue:
            if not self.idle and len(self.processes) < self.size:
                if not self.processes:
                    import weasyprint  # noqa: F401 - once here rather than in each worker
                self._fork()
            if not self.idle:
                return
            conn = self.idle.pop()
            job = self.queue.pop(0)
            conn.send(job)
            self.busy[conn] = job.index
            self.used.add(conn)

    def messages(self) -> list[tuple[Connection, tuple]]:
        """Wait for the next messages from busy workers."""
        if not self.busy:
            raise BuildError("internal error: waiting for parts no worker is laying out")
        found = []
        for conn in wait(list(self.busy)):
            try:
                message = conn.recv()
            except EOFError:
                raise BuildError("a PDF worker process died while laying out part "
                                 f"{self.busy[conn] + 1} (out of memory?)") from None
            if message[0] == "done":
                del self.busy[conn]
                self.idle.append(conn)
            found.append((conn, message))
        self._dispatch()
        return found

    def close(self) -> None:
        for conn, process in self.processes.items():
            if conn in self.used:
                with contextlib.suppress(OSError):
                    conn.send(None)
            else:
                process.kill()
        for process in self.processes.values():
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        self.processes.clear()
